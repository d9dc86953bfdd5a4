"""A record's history as people read it: who changed what, when, from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The newest entries a record's page shows; older ones stay in the database.
HISTORY_LIMIT = 50

CHANGE_TYPES = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}
NOTHING = _("(empty)")


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after a change, as the user reads them."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One create, update or delete of a record."""

    when: datetime
    who: str
    what: str
    changes: list[FieldChange]


def _display(field: models.Field[Any, Any] | None, value: Any) -> str:
    """A stored value as the page shows it: choice labels, yes/no, empty as a dash."""
    if value is None or value == "":
        return str(NOTHING)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):  # many-to-many fields: a list of through-row dicts
        return str(len(value))
    return str(value)


def history_for(instance: models.Model, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The newest ``limit`` entries of ``instance``'s history, newest first.

    Two queries: the history rows with their users, and nothing else; each entry is
    compared with the one before it in Python.
    """
    manager = instance.history  # type: ignore[attr-defined]
    records = list(
        manager.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    model = type(instance)
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = _field(model, change.field)
                label = str(field.verbose_name) if field is not None else change.field
                changes.append(
                    FieldChange(label, _display(field, change.old), _display(field, change.new))
                )
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else str(_("the system"))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who,
                what=str(CHANGE_TYPES.get(record.history_type, record.history_type)),
                changes=changes,
            )
        )
    return entries


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the entry was written
        return None
