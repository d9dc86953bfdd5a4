"""Plans: the programme versions in force, a body's plan for a year, and every change to it.

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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, Max, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.duties import body_existed_in
from programme.locking import lock_version, save_next_version
from programme.models import (
    FINISHED_ACTIVITY_STATUSES,
    Activity,
    ActivityReport,
    Body,
    CarryOverIssue,
    FocusArea,
    FocusAreaSuccession,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Perspective,
    Plan,
    Programme,
    ProgrammeStatus,
)
from programme.text import clean_rich_text

AnyUser = access.AnyUser
RecordT = TypeVar("RecordT", Goal, Activity, Indicator)

# The years the product keeps plans for: from 2000 to next year (a plan is made ahead).
FIRST_PLAN_YEAR = 2000

# A version counts in a year once adopted, and still counts after a later one replaced it
# in some later year; drafts and versions on referral never do.
IN_FORCE_STATUSES = (ProgrammeStatus.ADOPTED, ProgrammeStatus.SUPERSEDED)

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


def _by(instance: models.Model, user: AnyUser | None) -> None:
    """Record ``user`` as the author of the next history entry of ``instance``."""
    if user is not None and user.is_authenticated:
        instance._history_user = user  # type: ignore[attr-defined]


def _refusal(message: str) -> ValidationError:
    """A refusal that concerns the whole request, not one field."""
    return ValidationError({NON_FIELD_ERRORS: [message]})


# --- Years and the programme versions in force ------------------------------------------


def last_plan_year() -> int:
    """The last year a plan may be made for: next year."""
    return timezone.localdate().year + 1


def is_plan_year(year: int) -> bool:
    """Whether ``year`` lies in the range the product keeps plans for."""
    return FIRST_PLAN_YEAR <= year <= last_plan_year()


def _in_force(year: int) -> models.QuerySet[Programme]:
    """The versions in force in ``year``, as a lazy queryset (a subquery where it is used).

    A version is in force from its first year until a later adopted version that names
    it in ``supersedes`` takes effect; its own last year does not end it, because the
    city keeps working under it until the next one is adopted. A trygghetsprogram and a
    säkerhetsprogram may be in force side by side.
    """
    later = Programme.objects.filter(
        supersedes=OuterRef("pk"), status__in=IN_FORCE_STATUSES, first_year__lte=year
    )
    return Programme.objects.filter(status__in=IN_FORCE_STATUSES, first_year__lte=year).filter(
        ~Exists(later)
    )


def programmes_in_force(year: int) -> list[Programme]:
    """The programme versions in force in ``year``, oldest first (one query)."""
    return list(_in_force(year).order_by("first_year", "name"))


def focus_areas_in_force(year: int) -> list[FocusArea]:
    """The focus areas of every version in force in ``year``, by version (one query)."""
    return list(
        FocusArea.objects.filter(programme__in=_in_force(year))
        .select_related("programme")
        .order_by("programme__first_year", "programme__name", "position")
    )


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


# --- Making a plan -----------------------------------------------------------------------


def _plan_year_errors(body: Body, year: int) -> list[str]:
    """Why no plan can be made for the body in ``year`` (empty when one can)."""
    if not is_plan_year(year):
        return [
            _("Plans can be made for the years %(first)s to %(last)s.")
            % {"first": FIRST_PLAN_YEAR, "last": last_plan_year()}
        ]
    errors = []
    if not body_existed_in(body, year):
        errors.append(_("%(body)s did not exist in %(year)s.") % {"body": body.name, "year": year})
    if not _in_force(year).exists():
        errors.append(
            _("No programme version is in force in %(year)s, so no plan can be made for it.")
            % {"year": year}
        )
    return errors


def _new_plan(user: AnyUser | None, body: Body, year: int) -> Plan:
    """Save a new, empty plan (the caller has checked the rules)."""
    plan = Plan(body=body, year=year)
    _by(plan, user)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        # Someone made the same plan between the check and the save.
        raise _refusal(
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


@dataclass(frozen=True)
class LineageMapping:
    """Where one focus area leads in a year: its successors in force, and whether part of
    its content went where no version in force follows it (left the lineage, or ended)."""

    successors: tuple[FocusArea, ...]
    content_left: bool

    @property
    def kind(self) -> str | None:
        """The carry-over issue this mapping raises, or None when it maps one to one."""
        if not self.successors:
            return CarryOverIssue.Kind.UNMAPPED
        if len(self.successors) > 1 or self.content_left:
            return CarryOverIssue.Kind.SPLIT
        return None


def map_focus_areas(area_ids: Iterable[int], year: int) -> dict[int, LineageMapping]:
    """Each focus area's successors in force in ``year``, followed transitively (3 queries).

    A focus area of a version in force maps to itself. Otherwise its successions are
    followed, version by version, until a focus area of a version in force is reached.
    A succession with no successor (content that left the programme, per its note) or a
    successor that leads nowhere in force marks part of the content as gone.
    """
    wanted = set(area_ids)
    if not wanted:
        return {}
    in_force = set(_in_force(year).values_list("pk", flat=True))
    areas = FocusArea.objects.select_related("programme").in_bulk()
    successions: dict[int, list[int | None]] = {}
    for source_id, successor_id in FocusAreaSuccession.objects.values_list(
        "source_id", "successor_id"
    ):
        successions.setdefault(source_id, []).append(successor_id)
    result = {}
    for area_id in wanted:
        found: list[int] = []
        left = False
        seen = {area_id}
        stack = [area_id]
        while stack:
            current = stack.pop()
            if areas[current].programme_id in in_force:
                found.append(current)
                continue
            following = successions.get(current, [])
            if not following:
                left = True
            for next_id in following:
                if next_id is None:
                    left = True
                elif next_id not in seen:
                    seen.add(next_id)
                    stack.append(next_id)
        ordered = sorted(
            (areas[pk] for pk in found),
            key=lambda area: (area.programme.first_year, area.programme.name, area.position),
        )
        result[area_id] = LineageMapping(successors=tuple(ordered), content_left=left)
    return result


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
    target = Plan.objects.select_for_update().filter(body=body, year=year).first()
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
        _by(new_goal, user)
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
            _by(new_activity, user)
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
            _by(new_indicator, user)
            new_indicator.save()
            carry(new_indicator, indicator.focus_areas.all())
    for issue in issues:
        _by(issue, user)
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
    taken = list(
        Plan.objects.select_for_update()
        .filter(body__in=successor.predecessors.all(), year=year, taken_over_by__isnull=True)
        .exclude(body=successor)
        .select_related("body")
        .order_by("body__name", "pk")
    )
    target = Plan.objects.filter(body=successor, year=year).first()
    if not taken:
        return target
    if target is None:
        target = _new_plan(user, successor, year)
    position = (target.goals.aggregate(last=Max("position"))["last"] or 0) + 1
    for plan in taken:
        for goal in plan.goals.order_by("position", "pk"):
            goal.plan = target
            goal.position = position
            position += 1
            if goal.taken_over_from_id is None:
                goal.taken_over_from = plan.body
            save_next_version(goal, user)
        for issue in plan.carry_over_issues.all():
            issue.plan = target
            _by(issue, user)
            issue.save()
        plan.taken_over_by = target
        save_next_version(plan, user)
    return target


# --- Goals, activities and indicators ---------------------------------------------------


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
        FocusArea.objects.filter(programme__in=_in_force(year)).values_list("pk", flat=True)
    )
    if set(chosen) - allowed - kept:
        return [
            _("Choose focus areas of the programme versions in force in %(year)s.") % {"year": year}
        ]
    return []


def _decimal(value: Any) -> Decimal | None:
    """A number as typed (comma or point), or None; ValueError when it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


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
                value = _decimal(value)
            except ValueError:
                errors[name] = [_("Enter a number, such as 12 or 12,5.")]
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
                % {"start": starts.isoformat()}
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
        _by(record, user)
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
        raise _refusal(
            _(
                "This plan was taken over by the successor's plan in a merger; add goals to "
                "that plan instead."
            )
        )


@transaction.atomic
def create_goal(user: AnyUser | None, plan: Plan, values: Mapping[str, Any]) -> Goal:
    """Add a goal to the plan, after the last one."""
    _check_plan_open(plan)
    goal = Goal(plan=plan, position=_next_position(plan.goals.all()))
    focus_ids = _prepare(goal, values, GOAL_FIELDS, plan.year)
    return _save(goal, user, focus_ids)


@transaction.atomic
def update_goal(
    user: AnyUser | None, goal: Goal, seen_version: int | None, values: Mapping[str, Any]
) -> Goal:
    """Change a goal saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    current = lock_version(Goal.objects.select_related("plan"), goal.pk, seen_version)
    focus_ids = _prepare(current, values, GOAL_FIELDS, current.plan.year)
    return _save(current, user, focus_ids)


@transaction.atomic
def create_activity(user: AnyUser | None, goal: Goal, values: Mapping[str, Any]) -> Activity:
    """Add an activity to the goal, after the last one."""
    activity = Activity(goal=goal, position=_next_position(goal.activities.all()))
    focus_ids = _prepare(activity, values, ACTIVITY_FIELDS, goal.plan.year)
    return _save(activity, user, focus_ids)


@transaction.atomic
def update_activity(
    user: AnyUser | None, activity: Activity, seen_version: int | None, values: Mapping[str, Any]
) -> Activity:
    """Change an activity saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    current = lock_version(Activity.objects.select_related("goal__plan"), activity.pk, seen_version)
    focus_ids = _prepare(current, values, ACTIVITY_FIELDS, current.goal.plan.year)
    return _save(current, user, focus_ids)


@transaction.atomic
def create_indicator(user: AnyUser | None, goal: Goal, values: Mapping[str, Any]) -> Indicator:
    """Add an indicator to the goal, after the last one."""
    indicator = Indicator(goal=goal, position=_next_position(goal.indicators.all()))
    focus_ids = _prepare(indicator, values, INDICATOR_FIELDS, goal.plan.year)
    return _save(indicator, user, focus_ids)


@transaction.atomic
def update_indicator(
    user: AnyUser | None,
    indicator: Indicator,
    seen_version: int | None,
    values: Mapping[str, Any],
) -> Indicator:
    """Change an indicator saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    current = lock_version(
        Indicator.objects.select_related("goal__plan"), indicator.pk, seen_version
    )
    focus_ids = _prepare(current, values, INDICATOR_FIELDS, current.goal.plan.year)
    return _save(current, user, focus_ids)


def _refuse_if_reported(reported: bool, message: str) -> None:
    """Refuse to delete a record that a submitted, returned or approved follow-up reports on."""
    if reported:
        raise _refusal(message)


def _submitted(queryset: models.QuerySet[Any]) -> bool:
    """Whether any row of a follow-up snapshot belongs to a follow-up beyond its draft."""
    return queryset.exclude(follow_up__state=FollowUpState.DRAFT).exists()


@transaction.atomic
def delete_activity(user: AnyUser | None, activity: Activity, seen_version: int | None) -> None:
    """Delete an activity, and its lines in draft follow-ups; refused once reported on."""
    current = lock_version(Activity.objects.all(), activity.pk, seen_version)
    reports = ActivityReport.objects.filter(activity=current)
    _refuse_if_reported(
        _submitted(reports),
        _(
            "The activity cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it. Set its status to cancelled instead."
        ),
    )
    reports.delete()
    _by(current, user)
    current.delete()


@transaction.atomic
def delete_indicator(user: AnyUser | None, indicator: Indicator, seen_version: int | None) -> None:
    """Delete an indicator, and its outcomes in draft follow-ups; refused once reported on."""
    current = lock_version(Indicator.objects.all(), indicator.pk, seen_version)
    outcomes = IndicatorOutcome.objects.filter(indicator=current)
    _refuse_if_reported(
        _submitted(outcomes),
        _(
            "The indicator cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it."
        ),
    )
    outcomes.delete()
    _by(current, user)
    current.delete()


@transaction.atomic
def delete_goal(user: AnyUser | None, goal: Goal, seen_version: int | None) -> None:
    """Delete a goal with its activities and indicators; refused once any is reported on."""
    current = lock_version(Goal.objects.all(), goal.pk, seen_version)
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
        _by(child, user)
        child.delete()
    _by(current, user)
    current.delete()


@transaction.atomic
def resolve_carry_over_issue(user: AnyUser | None, issue: CarryOverIssue) -> CarryOverIssue:
    """Mark a carry-over issue as settled by the administrator (once; again changes nothing)."""
    current = CarryOverIssue.objects.select_for_update().get(pk=issue.pk)
    if current.resolved_at is None:
        current.resolved_at = timezone.now()
        current.resolved_by = user if isinstance(user, User) else None
        _by(current, user)
        current.save()
    return current
