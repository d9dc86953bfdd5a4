"""Optimistic locking: a save made from an old version of a record is refused.

Every record two people may edit at once carries ``version`` (``models.plans.Versioned``).
A form sends the version it was opened at; the service locks the row, compares, and
either saves with the next version or raises ``EditConflict`` with what the other
person changed, read from the record's history, so the page can show it.

Services that check a rule and then write lock what the rule reads. Any change to a
plan's records or to its follow-ups takes the plan's lock first (``lock_plan``), so two
such changes run one after the other and never wait on each other's rows; under it a
change locks the rows it reads before it reads them. Every lock here names its own
table only (``of=("self",)``): a ``select_related`` join must not lock the joined rows
as well. A version is raised from the value read under the lock, never from one read
before it.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.utils.translation import gettext_lazy as _

from programme.history import HistoryEntry, history_for, set_history_user
from programme.models import Plan

VersionedT = TypeVar("VersionedT", bound=models.Model)


class Overwrite(enum.Enum):
    """Code that means to overwrite whatever a record holds now says so by name: ``OVERWRITE``."""

    OVERWRITE = "overwrite"


OVERWRITE = Overwrite.OVERWRITE
# What a change names: the version the person saw (0 for a record not there yet), or
# ``OVERWRITE``. There is no default: a service that could skip the check by omission
# would.
SeenVersion = int | Literal[Overwrite.OVERWRITE]


class EditConflict(Exception):
    """The record was saved by someone else after the form was opened; nothing was saved."""

    def __init__(self, record: models.Model, changes: list[HistoryEntry]) -> None:
        self.record = record
        self.changes = changes
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The refusal as the user reads it."""
        return str(
            _(
                "Someone else saved changes here after you opened the page, so yours were "
                "not saved. Their changes are listed below; your text is kept in the form. "
                "Check it and save again."
            )
        )


def changes_since(record: models.Model, seen_version: int) -> list[HistoryEntry]:
    """The history entries written after the record stood at ``seen_version``, newest first."""
    newer = record.history.filter(version__gt=seen_version).count()  # type: ignore[attr-defined]
    # Every save counts here, one whose changes are not listed (its rows') as well.
    return history_for(record, limit=newer, every_save=True) if newer else []


def for_update(queryset: models.QuerySet[VersionedT]) -> models.QuerySet[VersionedT]:
    """``queryset`` locking its own rows only (not the rows a ``select_related`` joins)."""
    return queryset.select_for_update(of=("self",))


def lock_rows(queryset: models.QuerySet[VersionedT]) -> list[VersionedT]:
    """Every row of ``queryset`` locked, taken in primary-key order (call inside a transaction)."""
    return list(for_update(queryset).order_by("pk"))


def lock_plan(plan_id: int) -> Plan:
    """The plan locked for update: the first lock of any change to a plan or its follow-ups."""
    return for_update(Plan.objects.select_related("body")).get(pk=plan_id)


def check_version(record: models.Model, seen_version: SeenVersion) -> None:
    """``EditConflict`` when ``record``, read under its lock, moved past the version seen."""
    if seen_version is OVERWRITE:
        return
    if not isinstance(seen_version, int) or isinstance(seen_version, bool):
        raise TypeError(
            f"A change must name the version the person saw, or OVERWRITE; got {seen_version!r}."
        )
    if record.version != seen_version:  # type: ignore[attr-defined]
        raise EditConflict(record, changes_since(record, seen_version))


def lock_one(queryset: models.QuerySet[VersionedT], pk: Any) -> VersionedT:
    """The row ``pk`` locked for update, to decide on (call inside ``transaction.atomic``)."""
    return for_update(queryset).get(pk=pk)


def lock_version(
    queryset: models.QuerySet[VersionedT], pk: Any, seen_version: SeenVersion
) -> VersionedT:
    """The row ``pk`` locked for update, or ``EditConflict`` if it moved past ``seen_version``.

    Call inside ``transaction.atomic``. ``OVERWRITE`` skips the check (code that means to
    overwrite, not a person's form).
    """
    record = lock_one(queryset, pk)
    check_version(record, seen_version)
    return record


def save_new_or_next_version(
    record: models.Model, user: User | AnonymousUser | None, **save_kwargs: Any
) -> None:
    """Save a new record as version 1, an existing one as its next version."""
    if record.pk is None:
        set_history_user(record, user)
        record.save(**save_kwargs)
    else:
        save_next_version(record, user, **save_kwargs)


def save_next_version(
    record: models.Model, user: User | AnonymousUser | None, **save_kwargs: Any
) -> None:
    """Save ``record`` as its next version, recording ``user`` in its history."""
    record.version = record.version + 1  # type: ignore[attr-defined]
    set_history_user(record, user)
    record.save(**save_kwargs)
