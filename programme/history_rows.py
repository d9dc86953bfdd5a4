"""A record's history with its rows': evidence files, a follow-up's outcomes and judgements.

A duty record's page lists the evidence files uploaded and removed beside the changes
of the record itself; a follow-up's page lists, beside its own steps (submitted,
returned with SLK's comment, approved) each activity status, outcome and judgement
that changed, field by field. One query per kind of row however long the history (the
levels of the rows' records are joined to it for a reader who may not see confidential
records).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from programme.history import CONFIDENTIAL, HISTORY_LIMIT, history_for
from programme.history_display import (
    NOT_SHOWN,
    NOTHING,
    FieldChange,
    HistoryEntry,
    display_value,
    person_name,
)
from programme.models import (
    ActivityReport,
    DutyRecord,
    EvidenceFile,
    FollowUp,
    GoalJudgement,
    IndicatorOutcome,
)


@dataclass(frozen=True)
class RowKind:
    """One kind of row shown in its record's history."""

    model: type[models.Model]
    # The row's reference to the record whose history shows it.
    parent: str
    # The row's own name, read from its historical row.
    label: str
    # The fields a change of the row lists; rows only added or removed list none.
    shown: tuple[str, ...]
    changed: StrOrPromise
    added: StrOrPromise | None = None
    removed: StrOrPromise | None = None


ROW_KINDS: dict[type[models.Model], tuple[RowKind, ...]] = {
    DutyRecord: (
        RowKind(
            EvidenceFile,
            parent="duty_record_id",
            label="original_name",
            shown=(),
            changed=pgettext_lazy("history", "evidence file changed"),
            added=pgettext_lazy("history", "evidence file uploaded"),
            removed=pgettext_lazy("history", "evidence file removed"),
        ),
    ),
    FollowUp: (
        RowKind(
            ActivityReport,
            parent="follow_up_id",
            label="title",
            shown=("status", "comment"),
            changed=pgettext_lazy("history", "activity changed: %(name)s"),
        ),
        RowKind(
            IndicatorOutcome,
            parent="follow_up_id",
            label="name",
            shown=("value", "value_women", "value_men", "comment"),
            changed=pgettext_lazy("history", "outcome changed: %(name)s"),
        ),
        RowKind(
            GoalJudgement,
            parent="follow_up_id",
            label="title",
            shown=("judgement", "motivation", "slk_judgement", "slk_motivation"),
            changed=pgettext_lazy("history", "judgement changed: %(name)s"),
        ),
    ),
}


def history_with_rows(
    instance: models.Model, limit: int = HISTORY_LIMIT, sees_confidential: bool = True
) -> list[HistoryEntry]:
    """The newest ``limit`` entries of the record's history and its rows', newest first.

    A reader who may not see confidential records reads no evidence file's name while
    the duty record is or was confidential, and no change of a follow-up row that is or
    was confidential (by its own level or its record's).
    """
    own = history_for(instance, limit=limit, sees_confidential=sees_confidential)
    kinds = ROW_KINDS.get(type(instance), ())
    if not kinds:
        return own
    record_confidential = not sees_confidential and _ever_confidential(instance)
    # Each kind's versions are read at once (one query each); their entries are made
    # newest first, only until the newest ``limit`` of all are known.
    rows = [_row_entries(instance, kind, sees_confidential, record_confidential) for kind in kinds]
    merged = heapq.merge(own, *rows, key=lambda entry: entry.when, reverse=True)
    return list(islice(merged, limit))


def _ever_confidential(instance: models.Model) -> bool:
    """Whether the record is confidential now or was at any time (one query)."""
    if getattr(instance, "confidentiality", None) == CONFIDENTIAL:
        return True
    if not any(field.name == "confidentiality" for field in instance._meta.concrete_fields):
        return False
    history: Any = instance.history  # type: ignore[attr-defined]
    return bool(history.filter(confidentiality=CONFIDENTIAL).exists())


def _row_entries(
    instance: models.Model, kind: RowKind, sees: bool, record_confidential: bool
) -> Iterator[HistoryEntry]:
    """The entries of one kind of row, newest first: its versions are read at once (one
    query), its entries made as they are asked for."""
    manager: Any = kind.model.history  # type: ignore[attr-defined]
    # An evidence file is as confidential as its duty record (``record_confidential``);
    # a follow-up's row by its own level and its records' now, read in the same query.
    above = [] if sees or kind.added is not None else _levels_above(kind.model)
    # Plain values, not objects: a follow-up's rows may have hundreds of versions.
    rows = list(
        manager.filter(**{kind.parent: instance.pk})
        .order_by("history_date", "history_id")
        .values(
            "id",
            "history_date",
            "history_type",
            "history_user_id",
            *USER_NAMES,
            kind.label,
            *kind.shown,
            *above,
        )
    )
    hidden_rows = {row["id"] for row in rows if any(row[path] == CONFIDENTIAL for path in above)}
    # Each version beside the one before it, newest first.
    before: list[dict[str, Any] | None] = []
    latest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        before.append(latest.get(row["id"]))
        latest[row["id"]] = row
    rows.reverse()
    before.reverse()
    return _entries_newest_first(kind, rows, before, hidden_rows, record_confidential)


def _entries_newest_first(
    kind: RowKind,
    rows: list[dict[str, Any]],
    before: list[dict[str, Any] | None],
    hidden_rows: set[Any],
    record_confidential: bool,
) -> Iterator[HistoryEntry]:
    """The entries of ``rows`` (newest first): added and removed, or changed."""
    fields = [kind.model._meta.get_field(name) for name in kind.shown]
    people: dict[Any, str] = {}
    for row, previous in zip(rows, before, strict=True):
        if row["id"] in hidden_rows:
            continue
        name = row[kind.label] or ""
        if row["history_type"] in ("+", "-") and kind.added is not None:
            shown_name = str(NOT_SHOWN) if record_confidential else name
            added = row["history_type"] == "+"
            label = str(_("file"))
            change = (
                FieldChange(label, str(NOTHING), shown_name)
                if added
                else FieldChange(label, shown_name, str(NOTHING))
            )
            what = kind.added if added else kind.removed
            yield _entry(row, people, str(what), [change])
            continue
        if row["history_type"] != "~" or previous is None:
            continue
        changes = []
        for field in fields:
            old, new = previous[field.name], row[field.name]
            if old == new:
                continue
            old_text, new_text = display_value(field, old), display_value(field, new)  # type: ignore[arg-type]
            if old_text != new_text:
                changes.append(FieldChange(str(field.verbose_name), old_text, new_text))  # type: ignore[union-attr]
        if changes:
            yield _entry(row, people, str(kind.changed) % {"name": name}, changes)


USER_NAMES = ("history_user__first_name", "history_user__last_name", "history_user__username")


def _entry(
    row: dict[str, Any], people: dict[Any, str], what: str, changes: list[FieldChange]
) -> HistoryEntry:
    user_id = row["history_user_id"]
    if user_id not in people:
        first, last, username = (row[name] for name in USER_NAMES)
        user = (
            None if user_id is None else User(first_name=first, last_name=last, username=username)
        )
        people[user_id] = person_name(user)
    return HistoryEntry(when=row["history_date"], who=people[user_id], what=what, changes=changes)


def _levels_above(model: type[models.Model]) -> list[str]:
    """The level paths of a row: its own and its records' (``activity__goal__confidentiality``)."""
    paths = getattr(model, "confidentiality_path", ())
    return [paths] if isinstance(paths, str) else list(paths)
