"""SLK's settings of one year: the follow-up deadlines and the council goal with its indicators.

SLK sets, per year, when each of the three follow-ups (T1, T2 and the annual report) is
due, and keeps the city council's goal for safety and security with its indicators,
their annual targets and outcomes. Every change is one named function that runs in one
transaction; each checks its rules before it writes and raises ``ValidationError`` keyed
by the form field concerned, so bad input changes nothing. The person who made the
change is kept in the record's history, which
``programme.queries.year_settings.year_history`` reads for the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from programme.access import AnyUser
from programme.history import HistoryEntry, set_history_user, written_date
from programme.locking import (
    OVERWRITE,
    EditConflict,
    SeenVersion,
    check_version,
    for_update,
    lock_rows,
    lock_version,
    save_new_or_next_version,
    save_next_version,
)
from programme.models import (
    CouncilGoal,
    CouncilIndicator,
    FollowUpDeadline,
    FollowUpPeriod,
)
from programme.queries.year_settings import suggested_council_goal_title
from programme.rich_text import clean_rich_text
from programme.years import FIRST_YEAR, LAST_YEAR

# The fields of an indicator SLK edits.
INDICATOR_FIELDS = ("name", "unit", "direction", "target", "outcome", "position")

# The form fields of the three deadlines, in the order the periods come.
DEADLINE_FIELDS = {
    FollowUpPeriod.T1: "t1",
    FollowUpPeriod.T2: "t2",
    FollowUpPeriod.ANNUAL: "annual",
}


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
                % {"year": year, "day": written_date(day)}
            )
    if annual.year not in (year, year + 1):
        errors.setdefault("annual", []).append(
            _("The annual report of %(year)d is due in %(year)d or %(next)d; %(day)s is not.")
            % {"year": year, "next": year + 1, "day": written_date(annual)}
        )
    if t2 <= t1:
        errors.setdefault("t2", []).append(
            _("Tertial report 2 must be due after tertial report 1 (%(day)s).")
            % {"day": written_date(t1)}
        )
    if annual <= t2:
        errors.setdefault("annual", []).append(
            _("The annual report must be due after tertial report 2 (%(day)s).")
            % {"day": written_date(t2)}
        )
    if errors:
        raise ValidationError(errors)


def _check_deadline_versions(
    existing: Mapping[str, FollowUpDeadline], seen: Mapping[str, SeenVersion]
) -> None:
    """Refuse when a deadline moved past the version the form saw (0: it was not there).

    The refusal lists what was changed in every deadline that moved.
    """
    moved: list[FollowUpDeadline] = []
    changes: list[HistoryEntry] = []
    for period in DEADLINE_FIELDS:
        deadline = existing.get(period)
        seen_version = seen[DEADLINE_FIELDS[period]]
        if deadline is None or seen_version is OVERWRITE:
            continue
        try:
            check_version(deadline, seen_version)
        except EditConflict as conflict:
            moved.append(deadline)
            changes.extend(conflict.changes)
    if moved:
        changes.sort(key=lambda entry: entry.when, reverse=True)
        raise EditConflict(moved[0], changes)


@transaction.atomic
def set_deadlines(
    by: AnyUser | None,
    year: int,
    due: Mapping[str, datetime.date | None],
    seen: Mapping[str, SeenVersion],
) -> list[FollowUpDeadline]:
    """Set the year's three follow-up deadlines (``due`` keyed t1, t2, annual) at once.

    ``seen`` names, with the same keys, the version of each deadline the form was
    opened at (0 for one not set yet). T1 comes before T2, and T2 before the annual
    report; T1 and T2 fall in the year and the annual report in the year or the next.
    A deadline that does not change is not written again, so its history only shows
    real changes.
    """
    check_year(year)
    _check_deadlines(year, due)
    existing = {
        deadline.period: deadline
        for deadline in lock_rows(FollowUpDeadline.objects.filter(year=year))
    }
    _check_deadline_versions(existing, seen)
    saved: list[FollowUpDeadline] = []
    try:
        with transaction.atomic():
            for period, field in DEADLINE_FIELDS.items():
                day = due[field]
                assert day is not None
                deadline = existing.get(period) or FollowUpDeadline(year=year, period=period)
                if deadline.pk is None:
                    deadline.due_on = day
                    set_history_user(deadline, by)
                    deadline.save()
                elif deadline.due_on != day:
                    deadline.due_on = day
                    save_next_version(deadline, by)
                saved.append(deadline)
    except IntegrityError as error:
        raise _refused_by_database() from error
    return saved


# --- The council goal ------------------------------------------------------------------------


def _goal_for_update(year: int) -> CouncilGoal | None:
    """The year's council goal, locked for the rest of the transaction."""
    return for_update(CouncilGoal.objects.filter(year=year)).first()


@transaction.atomic
def save_council_goal(
    by: AnyUser | None, year: int, seen_version: SeenVersion, title: str, description: str = ""
) -> CouncilGoal:
    """Create or change the city council's goal of ``year``: its title and description.

    ``seen_version`` is the goal's version the form was opened at, 0 when there was none.
    """
    check_year(year)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the council goal's title.")})
    goal = _goal_for_update(year)
    if goal is not None:
        check_version(goal, seen_version)
    else:
        goal = CouncilGoal(year=year)
    description = clean_rich_text(description)
    if goal.pk is not None and goal.title == title and goal.description == description:
        return goal
    goal.title = title
    goal.description = description
    goal.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            save_new_or_next_version(goal, by)
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
    try:
        with transaction.atomic():
            save_new_or_next_version(indicator, by)
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
        set_history_user(goal, by)
        goal.save()
    return _save_indicator(by, CouncilIndicator(council_goal=goal), values)


@transaction.atomic
def update_council_indicator(
    by: AnyUser | None,
    indicator: CouncilIndicator,
    seen_version: SeenVersion,
    values: Mapping[str, Any],
) -> CouncilIndicator:
    """Change an indicator of the council goal: its name, unit, direction, target, outcome."""
    current = lock_version(
        CouncilIndicator.objects.select_related("council_goal"), indicator.pk, seen_version
    )
    return _save_indicator(by, current, values)


@transaction.atomic
def delete_council_indicator(
    by: AnyUser | None, indicator: CouncilIndicator, seen_version: SeenVersion
) -> None:
    """Remove an indicator from the council goal; its history keeps what it was.

    Refused (``EditConflict``) when it was changed after the person saw it at
    ``seen_version``; an indicator someone else removed already stays removed.
    """
    current = for_update(CouncilIndicator.objects.filter(pk=indicator.pk)).first()
    if current is None:
        return
    check_version(current, seen_version)
    set_history_user(current, by)
    current.delete()
