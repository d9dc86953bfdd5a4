"""A record's history with its rows': evidence files, a follow-up's outcomes and judgements.

A duty record's page lists the evidence files uploaded and removed beside the changes
of the record itself; a follow-up's page lists, beside its own steps (submitted,
returned with SLK's comment, approved), each activity status, outcome and judgement
that changed, field by field. One query per kind of row however long the history,
and for a reader who may not see confidential records one more per kind, for the
levels of the rows' records now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    rows: list[HistoryEntry] = []
    for kind in kinds:
        rows.extend(_row_entries(instance, kind, sees_confidential, record_confidential))
    merged = sorted([*own, *rows], key=lambda entry: entry.when, reverse=True)
    return merged[:limit]


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
) -> list[HistoryEntry]:
    """The entries of one kind of row: added and removed, or changed field by field."""
    manager: Any = kind.model.history  # type: ignore[attr-defined]
    # An evidence file is as confidential as its duty record (``record_confidential``);
    # a follow-up's row by its own level and its records' now, read in the same query.
    above = [] if sees or kind.added is not None else _levels_above(kind.model)
    records = list(
        manager.filter(**{kind.parent: instance.pk})
        .select_related(
            "history_user", *{path.rsplit("__", 1)[0] for path in above if "__" in path}
        )
        .order_by("id", "history_date", "history_id")
    )
    hidden_rows = _confidential_rows(records, above) if above else set()
    entries: list[HistoryEntry] = []
    previous: Any = None
    for record in records:
        before = previous if previous is not None and previous.id == record.id else None
        previous = record
        if record.id in hidden_rows:
            continue
        name = getattr(record, kind.label) or ""
        if record.history_type in ("+", "-") and kind.added is not None:
            shown_name = str(NOT_SHOWN) if record_confidential else name
            added = record.history_type == "+"
            label = str(_("file"))
            change = (
                FieldChange(label, str(NOTHING), shown_name)
                if added
                else FieldChange(label, shown_name, str(NOTHING))
            )
            what = kind.added if added else kind.removed
            entries.append(_entry(record, str(what), [change]))
            continue
        if record.history_type != "~" or before is None or not kind.shown:
            continue
        changes = []
        for field_name in kind.shown:
            field = kind.model._meta.get_field(field_name)
            old = display_value(field, getattr(before, field_name))  # type: ignore[arg-type]
            new = display_value(field, getattr(record, field_name))  # type: ignore[arg-type]
            if old != new:
                changes.append(FieldChange(str(field.verbose_name), old, new))  # type: ignore[union-attr]
        if changes:
            entries.append(_entry(record, str(kind.changed) % {"name": name}, changes))
    return entries


def _entry(record: Any, what: str, changes: list[FieldChange]) -> HistoryEntry:
    return HistoryEntry(
        when=record.history_date,
        who=person_name(record.history_user),
        what=what,
        changes=changes,
    )


def _levels_above(model: type[models.Model]) -> list[str]:
    """The level paths of a row: its own and its records' (``activity__goal__confidentiality``)."""
    paths = getattr(model, "confidentiality_path", ())
    return [paths] if isinstance(paths, str) else list(paths)


def _level(record: Any, path: str) -> Any:
    """The value at ``path`` from a historical row and the records joined to it."""
    value = record
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def _confidential_rows(records: list[Any], paths: list[str]) -> set[Any]:
    """The rows a reader who may not see confidential records reads nothing of: a row
    confidential by its own level at any time, or whose records are confidential now."""
    return {
        record.id
        for record in records
        if any(_level(record, path) == CONFIDENTIAL for path in paths)
    }
