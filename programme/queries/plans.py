"""What the plan pages read: a body's plans, and one plan as the user may see it.

Every read goes through ``programme.access`` and costs a fixed number of queries however
many goals, activities and indicators a plan has. The rules and changes are in
``programme.services.plans``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import F, Prefetch, Q, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.lineage import programmes_in_force
from programme.models import (
    Activity,
    Body,
    CarryOverIssue,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Indicator,
    IndicatorOutcome,
    Plan,
    Programme,
    stricter,
)
from programme.years import is_record_year

AnyUser = access.AnyUser


def body_plans(user: AnyUser, body: Body) -> list[Plan]:
    """The body's plans the user may see, newest first (one query)."""
    return list(
        access.restrict(Plan.objects.filter(body=body), user)
        .select_related("taken_over_by__body")
        .order_by("-year")
    )


def years_open_for_a_plan(body: Body, planned: set[int]) -> list[int]:
    """This year and next, where the body exists then and has no plan yet, newest first."""
    this_year = timezone.localdate().year
    return [
        year for year in (this_year + 1, this_year) if year not in planned and body.existed_in(year)
    ]


def visible_carry_over_issues(user: AnyUser) -> models.QuerySet[CarryOverIssue]:
    """Carry-over issues whose record the user may see: one about a hidden record hides too.

    ``access.restrict`` sees an issue as the plan's (it has no level of its own), so the
    record it names is asked about here, in subqueries.
    """
    return CarryOverIssue.objects.select_related("plan__body").filter(
        Q(goal__isnull=True) | Q(goal__in=access.restrict(Goal.objects.all(), user)),
        Q(activity__isnull=True) | Q(activity__in=access.restrict(Activity.objects.all(), user)),
        Q(indicator__isnull=True) | Q(indicator__in=access.restrict(Indicator.objects.all(), user)),
    )


def check_plan_year_or_404(body: Body, year: int) -> None:
    """Answer 404 for a year outside the product's range or one the body did not exist in."""
    if not is_record_year(year) or not body.existed_in(year):
        raise Http404


def plan_for_change_or_404(user: AnyUser, body: Body, year: int) -> Plan:
    """The body's plan for ``year`` for a form that adds to it: 404 if there is none."""
    return access.get_for_user_or_404(
        user, Plan.objects.select_related("body"), access.Action.CHANGE, body=body, year=year
    )


@dataclass(frozen=True)
class FollowUpRow:
    """One period of the plan's year, with its follow-up if one is started."""

    period: FollowUpPeriod
    follow_up: FollowUp | None

    @property
    def state_label(self) -> str:
        """The follow-up's state as the page shows it."""
        if self.follow_up is None:
            return _("not started")
        return str(self.follow_up.get_state_display())

    @property
    def state(self) -> str:
        """The state's value, for the badge's class."""
        return self.follow_up.state if self.follow_up is not None else "not_started"


@dataclass(frozen=True)
class IssueRow:
    """A carry-over issue with the record it concerns, for the top of the plan page."""

    issue: CarryOverIssue
    record_kind: str
    record_title: str
    anchor: str


@dataclass
class PlanPage:
    """Everything the plan page shows, read in a fixed number of queries."""

    body: Body
    year: int
    plan: Plan | None
    goals: list[Goal] = field(default_factory=list)
    issues: list[IssueRow] = field(default_factory=list)
    follow_ups: list[FollowUpRow] = field(default_factory=list)
    taken_over_from: list[Body] = field(default_factory=list)
    can_change: bool = False
    programmes: list[Programme] = field(default_factory=list)
    has_previous_plan: bool = False
    # The focus areas the visible records name, in the programmes' order: the filter's choices.
    focus_areas: list[FocusArea] = field(default_factory=list)

    @property
    def activity_count(self) -> int:
        """How many activities the user sees in the plan, unfiltered."""
        rows: list[list[Activity]] = [goal.visible_activities for goal in self.goals]  # type: ignore[attr-defined]
        return sum(len(activities) for activities in rows)

    @property
    def indicator_count(self) -> int:
        """How many indicators the user sees in the plan, unfiltered."""
        rows: list[list[Indicator]] = [goal.visible_indicators for goal in self.goals]  # type: ignore[attr-defined]
        return sum(len(indicators) for indicators in rows)


@dataclass(frozen=True)
class PlanFilter:
    """What the plan page's filter asks for; an empty value asks for nothing.

    Status and perspective are the activities' own: while either is chosen, indicators
    (which have neither) are left out. A focus area filters activities and indicators.
    """

    status: str = ""
    focus_area: int | None = None
    perspective: str = ""

    @property
    def is_active(self) -> bool:
        """Whether anything is filtered."""
        return bool(self.status or self.focus_area or self.perspective)

    @property
    def query_string(self) -> str:
        """The filter as a URL's query, to keep it in the page's links ("" when empty)."""
        values = {
            "status": self.status,
            "focus_area": self.focus_area or "",
            "perspective": self.perspective,
        }
        return urlencode({name: value for name, value in values.items() if value})

    def _in_focus_area(self, record: Activity | Indicator) -> bool:
        areas = record.focus_area_list  # type: ignore[union-attr]
        return not self.focus_area or any(area.pk == self.focus_area for area in areas)

    def keeps_activity(self, activity: Activity) -> bool:
        """Whether the activity answers every part of the filter."""
        if self.status and activity.status != self.status:
            return False
        if self.perspective and self.perspective not in (activity.perspectives or []):
            return False
        return self._in_focus_area(activity)

    def keeps_indicator(self, indicator: Indicator) -> bool:
        """Whether the indicator answers the filter (never while status or perspective is set)."""
        if self.status or self.perspective:
            return False
        return self._in_focus_area(indicator)


@dataclass(frozen=True)
class PlanSection:
    """One goal of the plan page with the activities and indicators the filter keeps."""

    goal: Goal
    activities: list[Activity]
    indicators: list[Indicator]


def plan_sections(page: PlanPage, chosen: PlanFilter) -> list[PlanSection]:
    """The page's goals with their rows as the filter keeps them (no query).

    Unfiltered, every goal is shown, empty or not; filtered, only the goals with a row
    that answers the filter.
    """
    sections = []
    for goal in page.goals:
        activities = [
            activity
            for activity in goal.visible_activities  # type: ignore[attr-defined]
            if chosen.keeps_activity(activity)
        ]
        indicators = [
            indicator
            for indicator in goal.visible_indicators  # type: ignore[attr-defined]
            if chosen.keeps_indicator(indicator)
        ]
        if activities or indicators or not chosen.is_active:
            sections.append(PlanSection(goal, activities, indicators))
    return sections


def _attach_focus_areas(
    goals: list[Goal], activities: list[Activity], indicators: list[Indicator]
) -> None:
    """Give every record a ``focus_area_list``, read in two queries for all three kinds.

    One query reads the links of goals, activities and indicators at once (a UNION of
    the three link tables), one the focus areas with their versions.
    """
    owners: dict[str, dict[int, models.Model]] = {
        "g": {goal.pk: goal for goal in goals},
        "a": {activity.pk: activity for activity in activities},
        "i": {indicator.pk: indicator for indicator in indicators},
    }
    found: dict[tuple[str, int], list[FocusArea]] = {}
    if goals:
        links = (
            Goal.focus_areas.through.objects.filter(goal_id__in=owners["g"])
            .annotate(kind=Value("g"))
            .values_list("kind", "goal_id", "focusarea_id")  # type: ignore[misc]
            .union(
                Activity.focus_areas.through.objects.filter(activity_id__in=owners["a"])
                .annotate(kind=Value("a"))
                .values_list("kind", "activity_id", "focusarea_id"),  # type: ignore[misc]
                Indicator.focus_areas.through.objects.filter(indicator_id__in=owners["i"])
                .annotate(kind=Value("i"))
                .values_list("kind", "indicator_id", "focusarea_id"),  # type: ignore[misc]
                all=True,
            )
        )
        rows: list[tuple[str, int, int]] = list(links)
        areas = FocusArea.objects.select_related("programme").in_bulk(
            {area_id for _kind, _owner, area_id in rows}
        )
        for kind, owner_id, area_id in rows:
            found.setdefault((kind, owner_id), []).append(areas[area_id])
    for kind, records in owners.items():
        for pk, record in records.items():
            chosen = sorted(found.get((kind, pk), []), key=focus_area_order)
            record.focus_area_list = chosen  # type: ignore[attr-defined]


def focus_area_order(area: FocusArea) -> tuple[int, str, int]:
    """Focus areas in the programmes' order: the oldest version first, then by position."""
    return (area.programme.first_year, area.programme.name, area.position)


def attach_row_facts(
    records: Iterable[Any], level_of: Callable[[Any], str], id_name: str = "pk"
) -> None:
    """Give each row what the compact tables show of it (no query): ``record_id`` (the
    record its link opens), ``level`` and ``level_label`` (the level that governs it)."""
    labels = dict(Confidentiality.choices)
    for record in records:
        record.record_id = getattr(record, id_name)
        record.level = level_of(record)
        record.level_label = labels[record.level]


def _attach_levels(
    goals: list[Goal], activities: list[Activity], indicators: list[Indicator]
) -> None:
    """Give every record its facts for the page: its level is the strictest of its own
    and its goal's."""
    goal_levels = {goal.pk: goal.confidentiality for goal in goals}
    attach_row_facts(goals, lambda goal: goal.confidentiality)
    attach_row_facts(
        [*activities, *indicators],
        lambda record: stricter(record.confidentiality, goal_levels[record.goal_id]),
    )


# The follow-ups whose outcomes the plan shows: those the body has submitted.
REPORTED_STATES = (FollowUpState.SUBMITTED, FollowUpState.APPROVED)
PERIOD_ORDER: tuple[str, ...] = tuple(FollowUpPeriod.values)


def _attach_latest_outcomes(user: AnyUser, indicators: list[Indicator]) -> None:
    """Give every indicator its ``outcome``: the latest reported period's, with a value.

    One query for all the indicators, through ``access.restrict`` like every row; an
    outcome carries ``period_label`` for the page. None where nothing is reported yet.
    """
    latest: dict[int, tuple[int, IndicatorOutcome]] = {}
    if indicators:
        outcomes = (
            access.restrict(
                IndicatorOutcome.objects.filter(
                    indicator_id__in=[indicator.pk for indicator in indicators],
                    follow_up__state__in=REPORTED_STATES,
                ),
                user,
            )
            # Ranked here: the model's ordering would join the follow-up's plan and body.
            .order_by()
            .annotate(period=F("follow_up__period"))
        )
        for outcome in outcomes:
            if outcome.value is None and outcome.value_women is None and outcome.value_men is None:
                continue
            rank = PERIOD_ORDER.index(outcome.period)
            known = latest.get(outcome.indicator_id)
            if known is None or rank > known[0]:
                outcome.period_label = FollowUpPeriod(outcome.period).label  # type: ignore[attr-defined]
                latest[outcome.indicator_id] = (rank, outcome)
    for indicator in indicators:
        found = latest.get(indicator.pk)
        indicator.outcome = found[1] if found else None  # type: ignore[attr-defined]


def _issue_rows(
    issues: Iterable[CarryOverIssue],
    goals: list[Goal],
    activities: list[Activity],
    indicators: list[Indicator],
) -> list[IssueRow]:
    """The issues whose record the user may see, each with that record's name.

    An issue of a confidential record a reader may not see is left out like the record.
    """
    goal_by_pk = {goal.pk: goal for goal in goals}
    activity_by_pk = {activity.pk: activity for activity in activities}
    indicator_by_pk = {indicator.pk: indicator for indicator in indicators}
    rows = []
    for issue in issues:
        if issue.goal_id is not None:
            goal = goal_by_pk.get(issue.goal_id)
            if goal is not None:
                rows.append(IssueRow(issue, _("Goal"), goal.title, f"goal-{goal.pk}"))
        elif issue.activity_id is not None:
            activity = activity_by_pk.get(issue.activity_id)
            if activity is not None:
                rows.append(
                    IssueRow(issue, _("Activity"), activity.title, f"activity-{activity.pk}")
                )
        elif issue.indicator_id is not None:
            indicator = indicator_by_pk.get(issue.indicator_id)
            if indicator is not None:
                rows.append(
                    IssueRow(issue, _("Indicator"), indicator.name, f"indicator-{indicator.pk}")
                )
    return rows


def plan_page(user: AnyUser, body: Body, year: int) -> PlanPage:
    """The body's plan for ``year`` as the user may see it, in a fixed number of queries.

    With a plan: the plan (1), its goals, activities and indicators (3), their focus
    areas (2), the indicators' latest reported outcomes (1), the open carry-over issues
    (1), the follow-ups (1) and whether the user may change the plan (1). Each record
    carries its ``level`` and its ``focus_area_list``; the filter is applied to what
    was read by ``plan_sections``. A reader of the body never gets confidential goals,
    activities or indicators, nor the issues about them. Without a plan: what the
    administrator needs to make one (the versions in force and last year's plan).
    """
    can_change = access.can_change_records(user, body)
    plan = (
        access.restrict(Plan.objects.filter(body=body, year=year), user)
        .select_related("taken_over_by__body")
        .order_by("pk")
        .first()
    )
    page = PlanPage(
        body=body,
        year=year,
        plan=plan,
        can_change=can_change,
    )
    if plan is None:
        if can_change:
            page.programmes = programmes_in_force(year)
            page.has_previous_plan = Plan.objects.filter(body=body, year=year - 1).exists()
        return page
    activities_query = access.restrict(Activity.objects.filter(goal__plan=plan), user).order_by(
        "position", "pk"
    )
    indicators_query = access.restrict(Indicator.objects.filter(goal__plan=plan), user).order_by(
        "position", "pk"
    )
    goals: list[Goal] = list(
        access.restrict(Goal.objects.filter(plan=plan), user)
        .select_related("taken_over_from")
        .prefetch_related(
            Prefetch("activities", queryset=activities_query, to_attr="visible_activities"),
            Prefetch("indicators", queryset=indicators_query, to_attr="visible_indicators"),
        )
        .order_by("position", "pk")
    )
    activities: list[Activity] = [
        activity
        for goal in goals
        for activity in goal.visible_activities  # type: ignore[attr-defined]
    ]
    indicators: list[Indicator] = [
        indicator
        for goal in goals
        for indicator in goal.visible_indicators  # type: ignore[attr-defined]
    ]
    _attach_focus_areas(goals, activities, indicators)
    _attach_levels(goals, activities, indicators)
    _attach_latest_outcomes(user, indicators)
    records: list[Any] = [*activities, *indicators]
    named = {area.pk: area for record in records for area in record.focus_area_list}
    page.focus_areas = sorted(named.values(), key=focus_area_order)
    issues = (
        access.restrict(CarryOverIssue.objects.filter(plan=plan, resolved_at__isnull=True), user)
        .select_related("focus_area__programme")
        .order_by("pk")
    )
    page.goals = goals
    page.issues = _issue_rows(issues, goals, activities, indicators)
    follow_ups = {
        follow_up.period: follow_up
        for follow_up in access.restrict(FollowUp.objects.filter(plan=plan), user)
    }
    page.follow_ups = [
        FollowUpRow(period=period, follow_up=follow_ups.get(period.value))
        for period in FollowUpPeriod
    ]
    seen: dict[int, Body] = {}
    for goal in goals:
        if goal.taken_over_from is not None:
            seen.setdefault(goal.taken_over_from.pk, goal.taken_over_from)
    page.taken_over_from = list(seen.values())
    return page
