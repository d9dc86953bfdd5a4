"""Changes to a plan's records: goals, activities and indicators, created, edited and deleted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from programme.access import AnyUser
from programme.history import set_history_user
from programme.history_display import written_date
from programme.lineage import focus_areas_in_force, in_force_queryset
from programme.locking import (
    SeenVersion,
    lock_one,
    lock_plan,
    lock_rows,
    lock_version,
    save_next_version,
)
from programme.models import (
    Activity,
    ActivityReport,
    FocusArea,
    FollowUp,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Perspective,
    Plan,
)
from programme.numbers import NumberError, number_error_message, parse_number
from programme.rich_text import clean_rich_text
from programme.services.plans import RecordT, refusal

# What the forms edit of each kind of record, in the order the services take it.
GOAL_FIELDS = ("title", "description", "focus_areas", "confidentiality")


ACTIVITY_FIELDS = (
    "title",
    "description",
    "responsible_unit",
    "starts_on",
    "ends_on",
    "status",
    "focus_areas",
    "perspectives",
    "confidentiality",
)


INDICATOR_FIELDS = (
    "name",
    "unit",
    "direction",
    "baseline",
    "target",
    "by_sex",
    "focus_areas",
    "confidentiality",
)


DECIMAL_FIELDS = ("baseline", "target")


RICH_TEXT_FIELDS = ("description",)


def focus_area_choices(year: int, record: Goal | Activity | Indicator | None) -> list[FocusArea]:
    """What a form offers: the focus areas in force, and any the record already has.

    A focus area kept on a copied record because nothing in force succeeds it stays
    offered (and checked) until the administrator takes it away: saving the form must not
    drop it silently.
    """
    areas = focus_areas_in_force(year)
    if record is not None and record.pk:
        known = {area.pk for area in areas}
        kept = [
            area for area in record.focus_areas.select_related("programme") if area.pk not in known
        ]
        areas.extend(kept)
    return areas


def _focus_area_ids(values: Iterable[FocusArea | int | str]) -> list[int]:
    """Focus areas as primary keys, whether given as records, numbers or form strings."""
    ids = []
    for value in values:
        ids.append(value.pk if isinstance(value, FocusArea) else int(value))
    return list(dict.fromkeys(ids))


def _check_focus_areas(year: int, chosen: list[int], kept: set[int]) -> list[str]:
    """Why the chosen focus areas are refused (empty when they all may be linked).

    New links must go to focus areas of versions in force in the plan's year; a focus
    area the record already links to (kept by a copy) may stay.
    """
    allowed = set(
        FocusArea.objects.filter(programme__in=in_force_queryset(year)).values_list("pk", flat=True)
    )
    if set(chosen) - allowed - kept:
        return [
            _("Choose focus areas of the programme versions in force in %(year)s.") % {"year": year}
        ]
    return []


def _prepare(
    record: Goal | Activity | Indicator,
    values: Mapping[str, Any],
    names: Iterable[str],
    year: int,
) -> list[int] | None:
    """Check ``values`` against every rule and set them on ``record`` (not saved).

    Returns the focus areas to link (None when not given). Raises ``ValidationError``
    with every field error at once, before anything is written.
    """
    errors: dict[str, list[str]] = {}
    names = [name for name in names if name in values]
    focus_ids: list[int] | None = None
    if "focus_areas" in names:
        try:
            focus_ids = _focus_area_ids(values["focus_areas"] or [])
        except (TypeError, ValueError):
            errors["focus_areas"] = [_("Choose focus areas from the list.")]
        else:
            kept = set(record.focus_areas.values_list("pk", flat=True)) if record.pk else set()
            problems = _check_focus_areas(year, focus_ids, kept)
            if problems:
                errors["focus_areas"] = problems
    for name in names:
        if name == "focus_areas":
            continue
        value = values[name]
        if name in DECIMAL_FIELDS:
            try:
                value = parse_number(value)
            except NumberError as error:
                errors[name] = [number_error_message(error)]
                continue
        elif name == "perspectives":
            value = list(dict.fromkeys(value or []))
            if set(value) - set(Perspective.values):
                errors[name] = [_("Choose perspectives from the list.")]
                continue
            # Kept in the programme's order, whatever order they came in.
            value = [choice for choice in Perspective.values if choice in value]
        elif name in RICH_TEXT_FIELDS:
            value = clean_rich_text(value or "")
        elif isinstance(value, str):
            value = value.strip()
        setattr(record, name, value)
    if isinstance(record, Activity):
        starts, ends = record.starts_on, record.ends_on
        if starts is not None and ends is not None and ends < starts:
            errors.setdefault("ends_on", []).append(
                _("The end cannot come before the start (%(start)s).")
                % {"start": written_date(starts)}
            )
    if not errors:
        try:
            record.full_clean(exclude=["goal", "plan", "carried_from", "taken_over_from"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return focus_ids


def _save(record: RecordT, user: AnyUser | None, focus_ids: list[int] | None) -> RecordT:
    """Save a prepared record as its next version and link its focus areas."""
    if record.pk is None:
        set_history_user(record, user)
        record.save()
    else:
        save_next_version(record, user)
    if focus_ids is not None:
        current = set(record.focus_areas.values_list("pk", flat=True))
        # Only a real change writes the links, so the history shows no empty change.
        if current != set(focus_ids):
            record.focus_areas.set(focus_ids)
    return record


def _next_position(queryset: models.QuerySet[Any]) -> int:
    """The position after the last one in ``queryset``."""
    return int(queryset.aggregate(last=Max("position"))["last"] or 0) + 1


def _check_plan_open(plan: Plan) -> None:
    """Refuse new goals on a plan another plan took over in a merger."""
    if plan.taken_over_by_id is not None:
        raise refusal(
            _(
                "This plan was taken over by the successor's plan in a merger; add goals to "
                "that plan instead."
            )
        )


def _lock_plan_of(record: Goal | Activity | Indicator) -> Plan:
    """Lock the plan a record belongs to, first of all (``programme.locking``'s order).

    A goal moves to another plan only when that plan takes its plan over; if that
    happened between reading the record and taking the lock, the new plan is locked.
    """
    plan_id = _plan_id_of(record)
    while True:
        plan = lock_plan(plan_id)
        now = _plan_id_of(type(record).objects.get(pk=record.pk))
        if now == plan_id:
            return plan
        plan_id = now


def _plan_id_of(record: Goal | Activity | Indicator) -> int:
    if isinstance(record, Goal):
        return record.plan_id
    return Goal.objects.values_list("plan_id", flat=True).get(pk=record.goal_id)


@transaction.atomic
def create_goal(user: AnyUser | None, plan: Plan, values: Mapping[str, Any]) -> Goal:
    """Add a goal to the plan, after the last one."""
    plan = lock_plan(plan.pk)
    _check_plan_open(plan)
    goal = Goal(plan=plan, position=_next_position(plan.goals.all()))
    focus_ids = _prepare(goal, values, GOAL_FIELDS, plan.year)
    return _save(goal, user, focus_ids)


@transaction.atomic
def update_goal(
    user: AnyUser | None, goal: Goal, seen_version: SeenVersion, values: Mapping[str, Any]
) -> Goal:
    """Change a goal saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    _lock_plan_of(goal)
    current = lock_version(Goal.objects.select_related("plan"), goal.pk, seen_version)
    focus_ids = _prepare(current, values, GOAL_FIELDS, current.plan.year)
    return _save(current, user, focus_ids)


@transaction.atomic
def create_activity(user: AnyUser | None, goal: Goal, values: Mapping[str, Any]) -> Activity:
    """Add an activity to the goal, after the last one."""
    _lock_plan_of(goal)
    goal = lock_one(Goal.objects.select_related("plan"), goal.pk)
    activity = Activity(goal=goal, position=_next_position(goal.activities.all()))
    focus_ids = _prepare(activity, values, ACTIVITY_FIELDS, goal.plan.year)
    return _save(activity, user, focus_ids)


@transaction.atomic
def update_activity(
    user: AnyUser | None, activity: Activity, seen_version: SeenVersion, values: Mapping[str, Any]
) -> Activity:
    """Change an activity saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    _lock_plan_of(activity)
    current = lock_version(Activity.objects.select_related("goal__plan"), activity.pk, seen_version)
    focus_ids = _prepare(current, values, ACTIVITY_FIELDS, current.goal.plan.year)
    return _save(current, user, focus_ids)


@transaction.atomic
def create_indicator(user: AnyUser | None, goal: Goal, values: Mapping[str, Any]) -> Indicator:
    """Add an indicator to the goal, after the last one."""
    _lock_plan_of(goal)
    goal = lock_one(Goal.objects.select_related("plan"), goal.pk)
    indicator = Indicator(goal=goal, position=_next_position(goal.indicators.all()))
    focus_ids = _prepare(indicator, values, INDICATOR_FIELDS, goal.plan.year)
    return _save(indicator, user, focus_ids)


@transaction.atomic
def update_indicator(
    user: AnyUser | None,
    indicator: Indicator,
    seen_version: SeenVersion,
    values: Mapping[str, Any],
) -> Indicator:
    """Change an indicator saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    _lock_plan_of(indicator)
    current = lock_version(
        Indicator.objects.select_related("goal__plan"), indicator.pk, seen_version
    )
    focus_ids = _prepare(current, values, INDICATOR_FIELDS, current.goal.plan.year)
    return _save(current, user, focus_ids)


def _refuse_if_reported(reported: bool, message: str) -> None:
    """Refuse to delete a record that a submitted, returned or approved follow-up reports on."""
    if reported:
        raise refusal(message)


def _submitted(queryset: models.QuerySet[Any]) -> bool:
    """Whether any row of a follow-up snapshot belongs to a follow-up beyond its draft.

    Asked with the plan and its follow-ups locked (``_lock_for_delete``): a submission
    waits until the deletion has committed, and then no longer has the row.
    """
    return queryset.exclude(follow_up__state=FollowUpState.DRAFT).exists()


def _lock_for_delete(record: RecordT, seen_version: SeenVersion) -> RecordT:
    """Lock the record's plan, the record at ``seen_version`` and the plan's follow-ups."""
    plan = _lock_plan_of(record)
    current = lock_version(type(record).objects.all(), record.pk, seen_version)
    lock_rows(FollowUp.objects.filter(plan=plan))
    return current


@transaction.atomic
def delete_activity(user: AnyUser | None, activity: Activity, seen_version: SeenVersion) -> None:
    """Delete an activity, and its lines in draft follow-ups; refused once reported on."""
    current = _lock_for_delete(activity, seen_version)
    reports = ActivityReport.objects.filter(activity=current)
    _refuse_if_reported(
        _submitted(reports),
        _(
            "The activity cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it. Set its status to cancelled instead."
        ),
    )
    reports.delete()
    set_history_user(current, user)
    current.delete()


@transaction.atomic
def delete_indicator(user: AnyUser | None, indicator: Indicator, seen_version: SeenVersion) -> None:
    """Delete an indicator, and its outcomes in draft follow-ups; refused once reported on."""
    current = _lock_for_delete(indicator, seen_version)
    outcomes = IndicatorOutcome.objects.filter(indicator=current)
    _refuse_if_reported(
        _submitted(outcomes),
        _(
            "The indicator cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it."
        ),
    )
    outcomes.delete()
    set_history_user(current, user)
    current.delete()


@transaction.atomic
def delete_goal(user: AnyUser | None, goal: Goal, seen_version: SeenVersion) -> None:
    """Delete a goal with its activities and indicators; refused once any is reported on."""
    current = _lock_for_delete(goal, seen_version)
    reports = ActivityReport.objects.filter(activity__goal=current)
    outcomes = IndicatorOutcome.objects.filter(indicator__goal=current)
    judgements = GoalJudgement.objects.filter(goal=current)
    _refuse_if_reported(
        _submitted(reports) or _submitted(outcomes) or _submitted(judgements),
        _(
            "The goal cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it or on its activities and indicators. Ask SLK to return the "
            "follow-up first."
        ),
    )
    reports.delete()
    outcomes.delete()
    judgements.delete()
    for child in [*current.activities.all(), *current.indicators.all()]:
        set_history_user(child, user)
        child.delete()
    set_history_user(current, user)
    current.delete()
