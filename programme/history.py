"""A record's history as people read it: who changed what, when, from what to what."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import pgettext_lazy

from programme.history_display import (
    NOT_SHOWN,
    NOTHING,
    FieldChange,
    HistoryEntry,
    display_value,
    person_name,
    written_date,
)

__all__ = [
    "CHANGE_TYPES",
    "HISTORY_LIMIT",
    "NOTHING",
    "FieldChange",
    "HistoryEntry",
    "history_for",
    "history_user",
    "set_history_user",
    "written_date",
]


def history_user(user: User | AnonymousUser | None) -> User | None:
    """The user to record behind a change: never an anonymous one."""
    return user if isinstance(user, User) and user.is_authenticated else None


def set_history_user(instance: models.Model, user: User | AnonymousUser | None) -> None:
    """Record ``user`` as the author of the next history entry of ``instance``."""
    author = history_user(user)
    if author is not None:
        instance._history_user = author  # type: ignore[attr-defined]


# Fields a person reading a record's history does not need: the lock's counter and the
# records of who did something when, which each entry says itself.
UNSHOWN = ("version", "id")

# The newest entries a record's page shows; older ones stay in the database.
HISTORY_LIMIT = 50

CHANGE_TYPES = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}

# What a change of a record's state is called, by model and state (the step it takes).
STATE_STEPS: dict[str, tuple[str, dict[str, Any]]] = {
    "programme.followup": (
        "state",
        {
            "submitted": pgettext_lazy("history step", "submitted"),
            "returned": pgettext_lazy("history step", "returned"),
            "approved": pgettext_lazy("history step", "approved and locked"),
        },
    ),
}


def is_technical(field: Any) -> bool:
    """Whether a field is kept for the machine, not for people: ids, counters, timestamps,
    stored file names, and who did a step (each entry names who made it)."""
    if isinstance(field, str):
        return field in UNSHOWN
    if field.name in UNSHOWN or isinstance(field, models.AutoField | models.DateTimeField):
        return True
    if isinstance(field, models.FileField):
        return True
    related = getattr(field, "related_model", None)
    return bool(field.name.endswith("_by") and related is not None and _is_user_model(related))


def _is_user_model(model: Any) -> bool:
    return f"{model._meta.app_label}.{model._meta.object_name}" == settings.AUTH_USER_MODEL


CONFIDENTIAL = "confidential"


def history_for(
    instance: models.Model,
    limit: int = HISTORY_LIMIT,
    sees_confidential: bool = True,
    every_save: bool = False,
) -> list[HistoryEntry]:
    """The newest ``limit`` entries of ``instance``'s history, newest first.

    Each change names its field and shows the values as people read them (see
    ``programme.history_display``); ids, version counters, timestamps, stored file names
    and who did a step (``is_technical``) are never listed, and a change with nothing
    left to show is not an entry at all (unless ``every_save``, for the list of saves a
    refused edit missed). A change of a record's state is named as the
    step it takes (``STATE_STEPS``: a follow-up submitted, returned, approved).

    For a reader who may not see confidential records (``sees_confidential`` False), an
    entry shows no values written or replaced while the record, or a record above it,
    was confidential, and no value of a text while the text was confidential
    (``text_levels``): it leaves those changes out, not even naming the field, says that
    something was left out (``withheld``), and still says who changed the record and when.

    A fixed number of queries however long the history: the rows with their users, one
    per tracked many-to-many field, one per record above it whose level governs it, and
    one per kind of record a changed reference points at (to show its name rather than
    its number).
    """
    manager = instance.history  # type: ignore[attr-defined]
    m2m_names = [field.name for field in getattr(manager.model, "_history_m2m_fields", [])]
    m2m_rows = _m2m_accessors(manager.model, m2m_names)
    records = list(
        manager.select_related("history_user")
        .prefetch_related(*m2m_rows.values())
        .order_by("-history_date", "-pk")[: limit + 1]
    )
    model = type(instance)
    hidden = _Redaction(instance, records, sees_confidential)
    # Where each value came from is followed over the whole history for a reader who
    # may not see confidential values: a value older than the rows shown may have been
    # written while the record was confidential.
    whole = (
        list(manager.order_by("-history_date", "-pk"))
        if hidden.active and len(records) > limit
        else records
    )
    hidden.prepare(whole, [field.attname for field in model._meta.concrete_fields])
    raw: list[tuple[Any, list[tuple[Any, Any, Any]]]] = []
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[tuple[Any, Any, Any]] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(
                previous, excluded_fields=[*m2m_names, *UNSHOWN], foreign_keys_are_objs=False
            )
            for change in delta.changes:
                field = _field(model, change.field)
                if is_technical(field or change.field):
                    continue
                if hidden.hides(record, previous, change.field):
                    changes.append((field or change.field, _HIDDEN, _HIDDEN))
                    continue
                changes.append((field or change.field, change.old, change.new))
            for name in m2m_names:
                field = _field(model, name)
                rows = m2m_rows[name]
                old, new = _targets(previous, field, rows), _targets(record, field, rows)
                if old != new:
                    hides = hidden.hides(record, previous, name)
                    changes.append((field, _HIDDEN, _HIDDEN) if hides else (field, old, new))
        for field, old, new in changes:
            related = getattr(field, "related_model", None)
            if related is not None and old is not _HIDDEN:
                for value in (old, new):
                    wanted[related].update(value if isinstance(value, set) else {value})
        raw.append((record, changes))

    names = {
        related: {
            pk: person_name(cast(User, obj)) if _is_user_model(related) else str(obj)
            for pk, obj in related._default_manager.in_bulk(
                [pk for pk in ids if pk is not None]
            ).items()
        }
        for related, ids in wanted.items()
    }
    steps = STATE_STEPS.get(model._meta.label_lower)
    entries = []
    for record, changes in raw:
        withheld = any(old is _HIDDEN for _field, old, _new in changes)
        shown = [
            change
            for change in (
                _change(field, old, new, names) for field, old, new in changes if old is not _HIDDEN
            )
            if change.old != change.new
        ]
        if record.history_type == "~" and not shown and not withheld and not every_save:
            continue  # nothing a person can see changed: the entry is left out
        what = CHANGE_TYPES.get(record.history_type, record.history_type)
        if steps is not None and any(
            getattr(field, "name", field) == steps[0] for field, _old, _new in changes
        ):
            what = steps[1].get(getattr(record, steps[0]), what)
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=person_name(record.history_user),
                what=str(what),
                changes=shown,
                withheld=withheld,
            )
        )
    return entries


# Stands for a value the reader may not see.
_HIDDEN = object()


class _Redaction:
    """Which values of a record's history a reader who may not see confidential ones misses."""

    def __init__(self, instance: models.Model, records: list[Any], sees: bool) -> None:
        self.active = not sees
        self.own = "confidentiality" if _has_field(type(instance), "confidentiality") else ""
        self.texts: dict[str, str] = getattr(type(instance), "text_levels", {})
        self.now_confidential = bool(self.own) and getattr(instance, self.own) == CONFIDENTIAL
        # The texts confidential now: none of their values shows, whenever written.
        self.texts_now_confidential = {
            field for field, level in self.texts.items() if getattr(instance, level) == CONFIDENTIAL
        }
        # The levels of the records above it over time: (since, level), oldest first.
        self.parents: list[list[tuple[datetime, str]]] = []
        if self.active:
            for name in _parent_levels(type(instance)):
                parent = getattr(instance, name, None)
                if parent is None or not hasattr(parent, "history"):
                    continue
                self.parents.append(
                    list(
                        parent.history.order_by("history_date").values_list(
                            "history_date", "confidentiality"
                        )
                    )
                )

    def _parent_confidential(self, when: datetime) -> bool:
        for levels in self.parents:
            earlier = [level for since, level in levels if since <= when]
            level = earlier[-1] if earlier else (levels[0][1] if levels else "")
            if level == CONFIDENTIAL:
                return True
        return False

    def _written_confidential(self, row: Any, field: str) -> bool:
        """Whether a value ``row`` holds for ``field`` was written under a confidential level."""
        if self.own and getattr(row, self.own) == CONFIDENTIAL:
            return True
        if self._parent_confidential(row.history_date):
            return True
        level = self.texts.get(field, "")
        return bool(level) and getattr(row, level) == CONFIDENTIAL

    def prepare(self, records: list[Any], fields: list[str]) -> None:
        """For each field, follow when each value it held was written (oldest row first).

        A value older than the rows read counts as written at the oldest one.
        """
        self.origin: dict[tuple[int, str], bool] = {}
        if not self.active:
            return
        written: dict[str, bool] = {}
        previous = None
        for row in reversed(records):
            for field in fields:
                changed = previous is None or getattr(row, field, None) != getattr(
                    previous, field, None
                )
                if changed or field not in written:
                    written[field] = self._written_confidential(row, field)
                # What the value ``row`` holds for ``field`` was written under.
                self.origin[(row.history_id, field)] = written[field]
            previous = row

    def hides(self, record: Any, previous: Any, field: str) -> bool:
        """Whether the change of ``field`` from ``previous`` to ``record`` stays hidden.

        Hidden when the record is confidential now, or when the old or the new value was
        written while the record, a record above it or the text was confidential.
        """
        if not self.active:
            return False
        if self.now_confidential or field in self.texts_now_confidential:
            return True
        for row in (record, previous):
            if row is None:
                continue
            origin = self.origin.get((row.history_id, field))
            if origin is None:
                origin = self._written_confidential(row, field)
            if origin:
                return True
        return False


def _has_field(model: type[models.Model], name: str) -> bool:
    return _field(model, name) is not None


def _parent_levels(model: type[models.Model]) -> list[str]:
    """The records one step above ``model`` whose level governs it (an activity's goal)."""
    paths = getattr(model, "confidentiality_path", ())
    if isinstance(paths, str):
        paths = (paths,)
    if not isinstance(paths, tuple):
        return []
    return [
        path.split("__")[0]
        for path in paths
        if path.count("__") == 1 and path.endswith("__confidentiality")
    ]


def _m2m_accessors(historical: type[models.Model], names: list[str]) -> dict[str, str]:
    """For each tracked many-to-many field, the accessor of its historical rows."""
    accessors: dict[str, str] = {}
    for relation in historical._meta.related_objects:
        accessor = relation.get_accessor_name()
        for name in names:
            if accessor and relation.name == f"{historical._meta.model_name}_{name}":
                accessors[name] = accessor
    return accessors


def _targets(record: Any, field: Any, rows: str) -> set[Any]:
    """The ids a historical record's many-to-many field pointed at (from the prefetch)."""
    target = f"{field.m2m_reverse_field_name()}_id"
    return {getattr(row, target) for row in getattr(record, rows).all()}


def _change(
    field: Any, old: Any, new: Any, names: dict[type[models.Model], dict[Any, str]]
) -> FieldChange:
    """One change as the page shows it, references by name."""
    if old is _HIDDEN:
        label = field if isinstance(field, str) else str(field.verbose_name)
        return FieldChange(label, str(NOT_SHOWN), str(NOT_SHOWN))
    if isinstance(field, str):  # a field removed since the entry was written
        return FieldChange(field, display_value(None, old), display_value(None, new))
    label = str(field.verbose_name)
    related = getattr(field, "related_model", None)
    if related is not None:
        known = names.get(related, {})

        def name_of(value: Any) -> str:
            if isinstance(value, set):
                listed = sorted(known.get(pk, str(pk)) for pk in value)
                return ", ".join(listed) if listed else str(NOTHING)
            return known.get(value, str(value)) if value is not None else str(NOTHING)

        return FieldChange(label, name_of(old), name_of(new))
    return FieldChange(label, display_value(field, old), display_value(field, new))


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field removed since the entry was written
        return None
