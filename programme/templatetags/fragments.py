"""Keys for cached fragments: made of everything the fragment shows, so never stale.

A plan's activity and indicator tables (``templates/programme/plans/_activity_table.html``
and ``_indicator_table.html``) are the most costly part of the plan page and of SLK's
review page to render, and SLK's board the most costly part of a referral round's page
(``templates/remiss/rounds/_board.html``). They are cached with Django's ``{% cache %}``
under a key that ``rows_key`` makes from the language, the time zone, the table's own
arguments and, for every row it shows, each value the template reads of it
(``ROW_FIELDS``, held to the templates by a test) and its version where it has one. A
viewer who may not see a row has no such row in the list handed to the table, so that
viewer's key differs and the fragment made for someone else can never be served: the
cache never decides what anyone may see.

SLK's overview caches its tables and charts under ``values_digest`` of the whole page it
was read into: every field of every row, count and record on it, however deep.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.db import models
from django.utils.functional import Promise
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

register = template.Library()

# What each table reads of a row (``a.b`` reads b of a's value, which may be None).
# A value the template reads that follows from another and the language is listed in
# DERIVED instead: the key holds what it follows from.
DERIVED: dict[str, str] = {
    "level_label": "level",
    "get_status_display": "status",
    "state_label": "state",
}
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "activities": (
        "record_id",
        "version",
        "title",
        "level",
        "status",
        "starts_on",
        "ends_on",
        "responsible_unit",
        "focus_area_list",
        "comment",
    ),
    "indicators": (
        "record_id",
        "version",
        "name",
        "level",
        "unit",
        "baseline",
        "target",
        "outcome.value",
        "outcome.value_women",
        "outcome.value_men",
        "outcome.period_label",
        "comment",
    ),
    # SLK's board of a referral round (templates/remiss/rounds/_board.html).
    "board": (
        "body.slug",
        "body.name",
        "state",
        "invitation.declined",
        "invitation.decline_reason",
        "submitted_at",
    ),
}


def _plain(value: Any) -> Any:
    """The value as it prints: lazy translations as text, lists item by item."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    if isinstance(value, models.Model):
        return (type(value).__name__, value.pk, str(value))
    return value


def _value(row: Any, path: str) -> Any:
    value = row
    for name in path.split("."):
        if value is None:
            return None
        value = getattr(value, name, None)
        if callable(value):
            value = value()
    return _plain(value)


def rows_digest(kind: str, rows: Iterable[Any], parts: Iterable[Any]) -> str:
    """A digest of the language, ``parts`` and every value of ``rows`` a table shows."""
    fields = ROW_FIELDS[kind]
    described = repr(
        (
            kind,
            get_language(),
            get_current_timezone_name(),
            tuple(parts),
            [tuple(_value(row, path) for path in fields) for row in rows],
        )
    )
    return hashlib.blake2b(described.encode(), digest_size=20).hexdigest()


@register.simple_tag
def rows_key(kind: str, rows: Iterable[Any], *parts: Any) -> str:
    """The cache key of a table of ``rows`` (``kind``: activities or indicators)."""
    return rows_digest(kind, rows, parts)


def _deep(value: Any) -> Any:
    """``value`` as plain data for a key: every field of a record or a dataclass, deeply.

    A record gives its text and every column's value; a dataclass each of its fields; a
    choice its value (its label follows from the language, which the key holds). A value
    of any other kind cannot be keyed and is refused, so nothing is cached under a key
    that leaves out what the fragment shows.
    """
    if value is None or isinstance(value, bool | int | float | str | Decimal):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        columns = tuple(getattr(value, field.attname) for field in value._meta.concrete_fields)
        return (value._meta.label, str(value), _deep(columns))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(_deep(getattr(value, field.name)) for field in dataclasses.fields(value)),
        )
    if isinstance(value, list | tuple):
        return tuple(_deep(item) for item in value)
    if isinstance(value, dict):
        return tuple((_deep(name), _deep(item)) for name, item in value.items())
    raise TypeError(f"A fragment's key cannot be made of a {type(value).__name__}.")


def values_digest(kind: str, *values: Any) -> str:
    """A digest of the language, the time zone and every field of ``values``, deeply."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{kind}\x1f{get_language()}\x1f{get_current_timezone_name()}".encode())
    digest.update(repr(_deep(values)).encode())
    return digest.hexdigest()
