"""SLK's settings of one year: the follow-up deadlines and the council goal with its indicators.

SLK sets, per year, when each of the three follow-ups (T1, T2 and the annual report) is
due, and keeps the city council's goal for safety and security with its indicators,
their annual targets and outcomes. Every change is one named function that runs in one
transaction; each checks its rules before it writes and raises ``ValidationError`` keyed
by the form field concerned, so bad input changes nothing. The person who made the
change is kept in the record's history, which ``year_history`` reads for the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.access import AnyUser
from programme.history import CHANGE_TYPES, HISTORY_LIMIT, FieldChange, HistoryEntry
from programme.models import (
    CouncilGoal,
    CouncilIndicator,
    FollowUpDeadline,
    FollowUpPeriod,
)
from programme.text import clean_rich_text

# The years a setting may concern (the models' own validators say the same).
FIRST_YEAR = 2000
LAST_YEAR = 2100

# The goal the city council has set for the area since 2020; a new year starts from it.
DEFAULT_COUNCIL_GOAL_TITLE = "Stockholm är en trygg, säker och välskött stad att bo och vistas i"

# The fields of an indicator SLK edits.
INDICATOR_FIELDS = ("name", "unit", "direction", "target", "outcome", "position")

# The form fields of the three deadlines, in the order the periods come.
DEADLINE_FIELDS = {
    FollowUpPeriod.T1: "t1",
    FollowUpPeriod.T2: "t2",
    FollowUpPeriod.ANNUAL: "annual",
}


def _by(instance: models.Model, user: AnyUser | None) -> None:
    """Record ``user`` as the author of the next history entry of ``instance``."""
    if user is not None and user.is_authenticated:
        instance._history_user = user  # type: ignore[attr-defined]


def _when(day: datetime.date) -> str:
    """A date as the page writes it."""
    return date_format(day, "j F Y")


def _refused_by_database() -> ValidationError:
    """A change the database refused although the checks passed (two saves at once)."""
    return ValidationError(
        {
            NON_FIELD_ERRORS: _(
                "The change could not be saved because someone else changed the same data "
                "at the same time. Nothing was saved; check the form and save again."
            )
        }
    )


def is_settable_year(year: int) -> bool:
    """Whether SLK may keep settings for ``year`` at all."""
    return FIRST_YEAR <= year <= LAST_YEAR


def check_year(year: int) -> None:
    """Refuse a year outside the range the product keeps."""
    if not is_settable_year(year):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("Settings can only be kept for the years %(first)d–%(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )


# --- Reading one year's settings -----------------------------------------------------------


@dataclass(frozen=True)
class YearSettings:
    """What the settings page of one year shows: deadlines, council goal and indicators."""

    year: int
    deadlines: dict[str, FollowUpDeadline]
    council_goal: CouncilGoal | None
    indicators: list[CouncilIndicator]
    history: list[HistoryEntry]

    @property
    def deadline_list(self) -> list[tuple[str, FollowUpDeadline | None]]:
        """Each period's label and its deadline (None where none is set), in period order."""
        return [(str(label), self.deadlines.get(value)) for value, label in FollowUpPeriod.choices]


def year_settings(year: int) -> YearSettings:
    """The year's deadlines, council goal, indicators and their history (six queries)."""
    deadlines = {
        deadline.period: deadline for deadline in FollowUpDeadline.objects.filter(year=year)
    }
    council_goal = CouncilGoal.objects.filter(year=year).first()
    indicators = (
        list(CouncilIndicator.objects.filter(council_goal=council_goal))
        if council_goal is not None
        else []
    )
    return YearSettings(
        year=year,
        deadlines=deadlines,
        council_goal=council_goal,
        indicators=indicators,
        history=year_history(year),
    )


def suggested_council_goal_title(year: int) -> str:
    """The title a year's council goal starts from: the year before's, or the city's own."""
    earlier = CouncilGoal.objects.filter(year__lt=year).order_by("-year").first()
    return earlier.title if earlier is not None else DEFAULT_COUNCIL_GOAL_TITLE


# --- Deadlines -----------------------------------------------------------------------------


def _check_deadlines(year: int, due: Mapping[str, datetime.date | None]) -> None:
    """Refuse a missing date, T1 and T2 outside the year, and periods out of order."""
    errors: dict[str, list[str]] = {}
    for field in DEADLINE_FIELDS.values():
        if due.get(field) is None:
            errors.setdefault(field, []).append(_("Give the deadline's date."))
    if errors:
        raise ValidationError(errors)
    t1, t2, annual = (due[field] for field in DEADLINE_FIELDS.values())
    assert t1 is not None and t2 is not None and annual is not None
    for field, day in (("t1", t1), ("t2", t2)):
        if day.year != year:
            errors.setdefault(field, []).append(
                _("A tertial report of %(year)d is due in %(year)d; %(day)s is not.")
                % {"year": year, "day": _when(day)}
            )
    if annual.year not in (year, year + 1):
        errors.setdefault("annual", []).append(
            _("The annual report of %(year)d is due in %(year)d or %(next)d; %(day)s is not.")
            % {"year": year, "next": year + 1, "day": _when(annual)}
        )
    if t2 <= t1:
        errors.setdefault("t2", []).append(
            _("Tertial report 2 must be due after tertial report 1 (%(day)s).") % {"day": _when(t1)}
        )
    if annual <= t2:
        errors.setdefault("annual", []).append(
            _("The annual report must be due after tertial report 2 (%(day)s).")
            % {"day": _when(t2)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def set_deadlines(
    by: AnyUser | None, year: int, due: Mapping[str, datetime.date | None]
) -> list[FollowUpDeadline]:
    """Set the year's three follow-up deadlines (``due`` keyed t1, t2, annual) at once.

    T1 comes before T2, and T2 before the annual report; T1 and T2 fall in the year
    and the annual report in the year or the next. A deadline that does not change
    is not written again, so its history only shows real changes.
    """
    check_year(year)
    _check_deadlines(year, due)
    existing = {
        deadline.period: deadline
        for deadline in FollowUpDeadline.objects.select_for_update().filter(year=year)
    }
    saved: list[FollowUpDeadline] = []
    try:
        with transaction.atomic():
            for period, field in DEADLINE_FIELDS.items():
                day = due[field]
                assert day is not None
                deadline = existing.get(period) or FollowUpDeadline(year=year, period=period)
                if deadline.pk is None or deadline.due_on != day:
                    deadline.due_on = day
                    _by(deadline, by)
                    deadline.save()
                saved.append(deadline)
    except IntegrityError as error:
        raise _refused_by_database() from error
    return saved


# --- The council goal ------------------------------------------------------------------------


def _goal_for_update(year: int) -> CouncilGoal | None:
    """The year's council goal, locked for the rest of the transaction."""
    return CouncilGoal.objects.select_for_update().filter(year=year).first()


@transaction.atomic
def save_council_goal(
    by: AnyUser | None, year: int, title: str, description: str = ""
) -> CouncilGoal:
    """Create or change the city council's goal of ``year``: its title and description."""
    check_year(year)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the council goal's title.")})
    goal = _goal_for_update(year) or CouncilGoal(year=year)
    description = clean_rich_text(description)
    if goal.pk is not None and goal.title == title and goal.description == description:
        return goal
    goal.title = title
    goal.description = description
    goal.full_clean(validate_unique=False, validate_constraints=False)
    _by(goal, by)
    try:
        with transaction.atomic():
            goal.save()
    except IntegrityError as error:
        raise _refused_by_database() from error
    return goal


# --- The council's indicators ----------------------------------------------------------------


def _check_indicator_name(indicator: CouncilIndicator) -> None:
    """Refuse a name another indicator of the same goal already has (in any letter case)."""
    name = indicator.name.strip()
    others = CouncilIndicator.objects.filter(council_goal_id=indicator.council_goal_id).exclude(
        pk=indicator.pk
    )
    if any(other.casefold() == name.casefold() for other in others.values_list("name", flat=True)):
        raise ValidationError(
            {
                "name": _("The council goal already has an indicator called “%(name)s”.")
                % {"name": name}
            }
        )


def _next_indicator_position(goal: CouncilGoal) -> int:
    """The position after the goal's last indicator."""
    last = CouncilIndicator.objects.filter(council_goal=goal).aggregate(models.Max("position"))
    return int(last["position__max"] or 0) + 1


def _save_indicator(
    by: AnyUser | None, indicator: CouncilIndicator, values: Mapping[str, Any]
) -> CouncilIndicator:
    """Check and save one indicator; the model checks the decimals and the direction."""
    for name in INDICATOR_FIELDS:
        if name in values and name != "position":
            setattr(indicator, name, values[name])
    if values.get("position") is not None:
        indicator.position = values["position"]
    elif indicator.pk is None:
        indicator.position = _next_indicator_position(indicator.council_goal)
    indicator.name = (indicator.name or "").strip()
    indicator.unit = (indicator.unit or "").strip()
    # The model's checks come first: they turn "12.5" into a number and refuse "abc" or
    # a value with more digits than the field keeps.
    indicator.full_clean(validate_unique=False, validate_constraints=False)
    _check_indicator_name(indicator)
    _by(indicator, by)
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as error:
        raise _refused_by_database() from error
    return indicator


@transaction.atomic
def create_council_indicator(
    by: AnyUser | None, year: int, values: Mapping[str, Any]
) -> CouncilIndicator:
    """Add an indicator to the council goal of ``year``.

    A year without a council goal gets one, titled as the year before's (or as the
    city's goal has been worded since 2020), so that an indicator is never homeless.
    """
    check_year(year)
    goal = _goal_for_update(year)
    if goal is None:
        goal = CouncilGoal(year=year, title=suggested_council_goal_title(year))
        _by(goal, by)
        goal.save()
    return _save_indicator(by, CouncilIndicator(council_goal=goal), values)


@transaction.atomic
def update_council_indicator(
    by: AnyUser | None, indicator: CouncilIndicator, values: Mapping[str, Any]
) -> CouncilIndicator:
    """Change an indicator of the council goal: its name, unit, direction, target, outcome."""
    current = (
        CouncilIndicator.objects.select_for_update()
        .select_related("council_goal")
        .get(pk=indicator.pk)
    )
    return _save_indicator(by, current, values)


@transaction.atomic
def delete_council_indicator(by: AnyUser | None, indicator: CouncilIndicator) -> None:
    """Remove an indicator from the council goal; its history keeps what it was."""
    current = CouncilIndicator.objects.select_for_update().filter(pk=indicator.pk).first()
    if current is None:
        return
    _by(current, by)
    current.delete()


# --- History -----------------------------------------------------------------------------------

# What each kind of record is called in the year's history.
RECORD_KINDS = {
    FollowUpDeadline: gettext_lazy("deadline"),
    CouncilGoal: gettext_lazy("council goal"),
    CouncilIndicator: gettext_lazy("indicator"),
}
# Fields that never change after creation, or only follow from others.
UNSHOWN_FIELDS = {"year", "period", "council_goal"}


def _shown(field: models.Field[Any, Any], value: Any) -> str:
    """A stored value as the history shows it: choice labels, dates, empty as "(empty)"."""
    if value is None or value == "":
        return str(gettext_lazy("(empty)"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return _when(value)
    if isinstance(value, Decimal):
        return str(localize(value))
    return str(value)


def _label(model: type[models.Model], record: Any) -> str:
    """Which record an entry is about: "deadline (tertial report 1)", "indicator (X)"."""
    kind = str(RECORD_KINDS[model])
    if model is FollowUpDeadline:
        return f"{kind} ({record.get_period_display()})"
    if model is CouncilIndicator:
        return f"{kind} ({record.name})"
    return kind


def _entries(model: type[models.Model], rows: list[Any]) -> list[HistoryEntry]:
    """The entries of one kind of record, from its history rows ordered by id then date."""
    entries: list[HistoryEntry] = []
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in UNSHOWN_FIELDS and not field.primary_key
    ]
    previous: Any = None
    for row in rows:
        same_record = previous is not None and previous.id == row.id
        changes: list[FieldChange] = []
        if same_record and row.history_type == "~":
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(row, field.attname)
                if old != new:
                    changes.append(
                        FieldChange(str(field.verbose_name), _shown(field, old), _shown(field, new))
                    )
        elif row.history_type == "+":
            changes = [
                FieldChange(
                    str(field.verbose_name),
                    _shown(field, None),
                    _shown(field, getattr(row, field.attname)),
                )
                for field in fields
                if getattr(row, field.attname) not in (None, "")
            ]
        user = row.history_user
        who = (user.get_full_name() or user.get_username()) if user else str(_("the system"))
        what = str(CHANGE_TYPES.get(row.history_type, row.history_type))
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=who,
                what=f"{what}: {_label(model, row)}",
                changes=changes,
            )
        )
        previous = row
    return entries


def year_history(year: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The newest ``limit`` changes of the year's deadlines, council goal and indicators.

    Three queries however long the history: one per kind of record, each with its
    users. Deleted indicators stay in the history with what they were.
    """
    # The goals of the year, deleted ones too, as a subquery: no query of its own.
    goal_ids = CouncilGoal.history.filter(year=year).values("id")
    sources: list[tuple[type[models.Model], Any]] = [
        (FollowUpDeadline, FollowUpDeadline.history.filter(year=year)),
        (CouncilGoal, CouncilGoal.history.filter(year=year)),
        (
            CouncilIndicator,
            CouncilIndicator.history.filter(council_goal_id__in=goal_ids),
        ),
    ]
    entries: list[HistoryEntry] = []
    for model, rows in sources:
        ordered = list(rows.select_related("history_user").order_by("id", "history_date", "pk"))
        entries.extend(_entries(model, ordered))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
