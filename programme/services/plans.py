"""Plans: making a body's plan for a year, copying last year's, taking over a merged body's.

A body has one plan per year. Its goals link to focus areas of every programme version
in force that year; activities and indicators hang under the goals. A plan is made
empty, copied from last year's (unfinished activities carried forward, focus areas
mapped through the programme lineage, what cannot be mapped flagged, never dropped), or
taken over from predecessors when bodies merge.

The services check every rule before they write, so a refused change changes nothing,
and raise ``ValidationError`` keyed by form field, or ``locking.EditConflict`` when the
record was saved by someone else since the form was opened. Access is decided by the
caller through ``programme.access``; the services take the user to record who did what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.history import set_history_user
from programme.lineage import LineageMapping, in_force_queryset, map_focus_areas
from programme.locking import lock_rows, save_next_version
from programme.models import (
    FINISHED_ACTIVITY_STATUSES,
    Activity,
    Body,
    CarryOverIssue,
    FocusArea,
    Goal,
    Indicator,
    Plan,
)
from programme.years import FIRST_YEAR, is_record_year, last_record_year

AnyUser = access.AnyUser
RecordT = TypeVar("RecordT", Goal, Activity, Indicator)


def refusal(message: str) -> ValidationError:
    """A refusal that concerns the whole request, not one field."""
    return ValidationError({NON_FIELD_ERRORS: [message]})


# --- Making a plan -----------------------------------------------------------------------


def _plan_year_errors(body: Body, year: int) -> list[str]:
    """Why no plan can be made for the body in ``year`` (empty when one can)."""
    if not is_record_year(year):
        return [
            _("Plans can be made for the years %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": last_record_year()}
        ]
    errors = []
    if not body.existed_in(year):
        errors.append(_("%(body)s did not exist in %(year)s.") % {"body": body.name, "year": year})
    if not in_force_queryset(year).exists():
        errors.append(
            _("No programme version is in force in %(year)s, so no plan can be made for it.")
            % {"year": year}
        )
    return errors


def _new_plan(user: AnyUser | None, body: Body, year: int) -> Plan:
    """Save a new, empty plan (the caller has checked the rules)."""
    plan = Plan(body=body, year=year)
    set_history_user(plan, user)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # Someone made the same plan between the check and the save.
        raise refusal(
            _("%(body)s already has a plan for %(year)s.") % {"body": body.name, "year": year}
        ) from None
    return plan


@transaction.atomic
def create_plan(user: AnyUser | None, body: Body, year: int) -> Plan:
    """Make the body's empty plan for ``year``.

    Refused when the year is outside the product's range, no programme version is in
    force that year, the body did not exist that year, or the body has a plan already.
    """
    errors = _plan_year_errors(body, year)
    if Plan.objects.filter(body=body, year=year).exists():
        errors.append(
            _("%(body)s already has a plan for %(year)s.") % {"body": body.name, "year": year}
        )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})
    return _new_plan(user, body, year)


# --- Mapping focus areas through the lineage ---------------------------------------------


def _carry_focus_areas(
    old: Iterable[FocusArea], mapping: Mapping[int, LineageMapping]
) -> tuple[list[int], list[tuple[str, FocusArea]]]:
    """The focus areas a copied record links to, and the issues to flag for it.

    One successor: mapped. Several (or content that left the lineage): linked to all
    and flagged as split. None in force: the old focus area is kept and flagged.
    """
    linked: list[int] = []
    issues: list[tuple[str, FocusArea]] = []
    for area in old:
        mapped = mapping[area.pk]
        if mapped.successors:
            linked.extend(successor.pk for successor in mapped.successors)
        else:
            linked.append(area.pk)
        if mapped.kind is not None:
            issues.append((mapped.kind, area))
    return list(dict.fromkeys(linked)), issues


# --- Copying last year's plan ------------------------------------------------------------


@transaction.atomic
def copy_plan(user: AnyUser | None, body: Body, year: int) -> Plan:
    """Copy the body's plan of the year before into ``year``.

    Goals and their indicators are copied, activities only while unfinished (neither
    done nor cancelled); each copy names what it was carried from. Focus areas are mapped
    through the programme lineage to the versions in force in ``year``; what does not map
    one to one is flagged as a carry-over issue on the new plan, never dropped. Refused
    when there is no plan of the year before, or the plan of ``year`` has goals already.
    """
    # Both plans locked first (``programme.locking``'s order), so the copy reads a source
    # no one is changing and no one adds goals to the target meanwhile.
    locked = {
        plan.year: plan
        for plan in lock_rows(Plan.objects.filter(body=body, year__in=(year - 1, year)))
    }
    source = (
        Plan.objects.filter(body=body, year=year - 1)
        .prefetch_related(
            "goals__focus_areas",
            Prefetch("goals__activities", queryset=Activity.objects.order_by("position", "pk")),
            "goals__activities__focus_areas",
            Prefetch("goals__indicators", queryset=Indicator.objects.order_by("position", "pk")),
            "goals__indicators__focus_areas",
        )
        .first()
    )
    target = locked.get(year)
    errors: list[str] = []
    if source is None:
        errors.append(
            _("%(body)s has no plan for %(year)s to copy.") % {"body": body.name, "year": year - 1}
        )
    if target is None:
        errors.extend(_plan_year_errors(body, year))
    elif target.goals.exists():
        errors.append(
            _("The plan for %(year)s has goals already; a plan is only copied into an empty plan.")
            % {"year": year}
        )
    if errors:
        raise ValidationError({NON_FIELD_ERRORS: errors})
    assert source is not None
    if target is None:
        target = _new_plan(user, body, year)
    goals = sorted(source.goals.all(), key=lambda goal: (goal.position, goal.pk))
    area_ids: set[int] = set()
    for goal in goals:
        area_ids.update(area.pk for area in goal.focus_areas.all())
        for activity in goal.activities.all():
            area_ids.update(area.pk for area in activity.focus_areas.all())
        for indicator in goal.indicators.all():
            area_ids.update(area.pk for area in indicator.focus_areas.all())
    mapping = map_focus_areas(area_ids, year)
    issues: list[CarryOverIssue] = []

    def carry(record: Goal | Activity | Indicator, old: Iterable[FocusArea]) -> None:
        linked, flagged = _carry_focus_areas(old, mapping)
        if linked:
            record.focus_areas.set(linked)
        for kind, area in flagged:
            issue = CarryOverIssue(plan=target, kind=kind, focus_area=area)
            setattr(issue, type(record).__name__.lower(), record)
            issues.append(issue)

    for goal in goals:
        new_goal = Goal(
            plan=target,
            position=goal.position,
            title=goal.title,
            description=goal.description,
            confidentiality=goal.confidentiality,
            carried_from=goal,
        )
        set_history_user(new_goal, user)
        new_goal.save()
        carry(new_goal, goal.focus_areas.all())
        for activity in goal.activities.all():
            if activity.status in FINISHED_ACTIVITY_STATUSES:
                continue
            new_activity = Activity(
                goal=new_goal,
                position=activity.position,
                title=activity.title,
                description=activity.description,
                responsible_unit=activity.responsible_unit,
                starts_on=activity.starts_on,
                ends_on=activity.ends_on,
                status=activity.status,
                perspectives=list(activity.perspectives or []),
                confidentiality=activity.confidentiality,
                carried_from=activity,
            )
            set_history_user(new_activity, user)
            new_activity.save()
            carry(new_activity, activity.focus_areas.all())
        for indicator in goal.indicators.all():
            new_indicator = Indicator(
                goal=new_goal,
                position=indicator.position,
                name=indicator.name,
                unit=indicator.unit,
                direction=indicator.direction,
                baseline=indicator.baseline,
                target=indicator.target,
                by_sex=indicator.by_sex,
                confidentiality=indicator.confidentiality,
                carried_from=indicator,
            )
            set_history_user(new_indicator, user)
            new_indicator.save()
            carry(new_indicator, indicator.focus_areas.all())
    for issue in issues:
        set_history_user(issue, user)
        issue.save()
    target.copied_from = source
    save_next_version(target, user)
    return target


# --- Mergers -----------------------------------------------------------------------------


@transaction.atomic
def take_over_plans(user: AnyUser | None, successor: Body, year: int) -> Plan | None:
    """Let the successor's plan for ``year`` take over its predecessors' plans that year.

    The predecessors' goals, with their activities and indicators, move to the
    successor's plan (made if missing) and name the body they came from; so do their
    carry-over issues. Each predecessor plan names the plan that took it over; its
    follow-ups stay with it. Safe to run twice: a plan taken over is not taken again.
    Returns the successor's plan, or None when there was nothing to take over and no plan.
    """
    # The predecessors' plans and the successor's, locked in one go (in primary-key
    # order), then the goals that move: a goal edited or added meanwhile waits.
    plans = lock_rows(
        Plan.objects.filter(
            Q(body__in=successor.predecessors.all(), taken_over_by__isnull=True)
            | Q(body=successor),
            year=year,
        ).select_related("body")
    )
    target = next((plan for plan in plans if plan.body_id == successor.pk), None)
    taken = sorted(
        (plan for plan in plans if plan.body_id != successor.pk),
        key=lambda plan: (plan.body.name, plan.pk),
    )
    if not taken:
        return target
    if target is None:
        target = _new_plan(user, successor, year)
    position = (target.goals.aggregate(last=Max("position"))["last"] or 0) + 1
    moving = lock_rows(Goal.objects.filter(plan__in=taken))
    for plan in taken:
        goals = sorted(
            (goal for goal in moving if goal.plan_id == plan.pk),
            key=lambda goal: (goal.position, goal.pk),
        )
        for goal in goals:
            goal.plan = target
            goal.position = position
            position += 1
            if goal.taken_over_from_id is None:
                goal.taken_over_from = plan.body
            save_next_version(goal, user)
        for issue in plan.carry_over_issues.all():
            issue.plan = target
            set_history_user(issue, user)
            issue.save()
        plan.taken_over_by = target
        save_next_version(plan, user)
    return target


# --- Goals, activities and indicators ---------------------------------------------------


@transaction.atomic
def resolve_carry_over_issue(user: AnyUser | None, issue: CarryOverIssue) -> CarryOverIssue:
    """Mark a carry-over issue as settled by the administrator (once; again changes nothing)."""
    current = CarryOverIssue.objects.select_for_update().get(pk=issue.pk)
    if current.resolved_at is None:
        current.resolved_at = timezone.now()
        current.resolved_by = user if isinstance(user, User) else None
        set_history_user(current, user)
        current.save()
    return current
