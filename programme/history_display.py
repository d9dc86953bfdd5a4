"""How a history shows its values: dates in words, local time, people by name, text as text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from programme.numbers import number_text

NOTHING = _("(empty)")
# What a reader who may not see a value reads in its place.
NOT_SHOWN = _("(not shown)")
# A text longer than this is shortened in the list, the whole of it one click away.
SHORT_TEXT = 120


def written_date(day: date) -> str:
    """A date as the product writes it in running text: "3 februari 2025"."""
    return date_format(day, "j F Y")


def written_moment(moment: datetime) -> str:
    """A moment in Stockholm's local time, to the minute: "3 maj 2027 kl. 14.05"."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return gettext("%(day)s at %(time)s") % {
        "day": written_date(local.date()),
        "time": local.strftime("%H.%M"),
    }


def person_name(user: User | None) -> str:
    """Who made a change: the full name, the account name only if no name is set."""
    if user is None:
        return gettext("the system")
    return user.get_full_name() or user.get_username()


_BREAKS = re.compile(r"<\s*(?:br\s*/?|/p|/li|/h[1-6]|/blockquote)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\s*\n\s*")


def plain_text(value: str) -> str:
    """Rich text as the words a person reads: tags gone, paragraphs as line breaks."""
    if "<" not in value and "&" not in value:
        return value.strip()
    text = html.unescape(strip_tags(_BREAKS.sub("\n", value)))
    return _LINES.sub("\n", _SPACES.sub(" ", text)).strip()


def display_value(field: models.Field[Any, Any] | None, value: Any) -> str:
    """A stored value as people read it: choice labels, Ja/Nej, dates in words, text as text."""
    if value is None or value == "" or value == []:
        return str(NOTHING)
    if field is not None and field.choices:
        if isinstance(value, list):
            labels = dict(field.flatchoices)
            return ", ".join(str(labels.get(item, item)) for item in value)
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return pgettext("history", "Yes") if value else pgettext("history", "No")
    if isinstance(value, datetime):
        return written_moment(value)
    if isinstance(value, date):
        return written_date(value)
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or str(NOTHING)
    if isinstance(value, str):
        return plain_text(value) or str(NOTHING)
    return str(value)


def shortened(text: str) -> str:
    """``text`` cut at a word to about ``SHORT_TEXT`` characters, on one line."""
    line = " ".join(text.split())
    if len(line) <= SHORT_TEXT:
        return line
    cut = line[:SHORT_TEXT].rsplit(" ", 1)[0]
    return f"{cut}…"


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a change, as the user reads them."""

    field: str
    old: str
    new: str

    @property
    def is_long(self) -> bool:
        """Whether a value is too long for one line (the page shows it shortened)."""
        return any(len(value) > SHORT_TEXT or "\n" in value for value in (self.old, self.new))

    @property
    def old_short(self) -> str:
        return shortened(self.old)

    @property
    def new_short(self) -> str:
        return shortened(self.new)


@dataclass(frozen=True)
class HistoryEntry:
    """One create, update or delete of a record (or of one of its rows)."""

    when: datetime
    who: str
    what: str
    changes: list[FieldChange]
    # Whether changes were left out that the reader may not see (not even by field).
    withheld: bool = False

    @property
    def moment(self) -> str:
        """When, in words and local time: "3 maj 2027 kl. 14.05"."""
        return written_moment(self.when)
