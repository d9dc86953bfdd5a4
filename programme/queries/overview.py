"""SLK's follow-up overview: every body's follow-up state, the matrix and the chart data.

Everything here is a page read. Each function fetches what it needs in a fixed number
of queries however many bodies, plans or follow-ups there are, and every record goes
through ``programme.access`` (the page is SLK's and SLK sees every record, but the one
door decides that, not this module).

Which bodies a period concerns: those that existed on the last day of the period (a
body that ended earlier handed its plan to its successor, one that started later had
its predecessors report), plus any body that has a follow-up for the period anyway.

What the charts count: follow-ups that are submitted or approved. A draft or a returned
follow-up may still change, so its judgements are not yet the body's word.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.models import (
    Activity,
    Body,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
)
from programme.queries.judgements import (
    COUNTED_STATES,
    CouncilGoalCount,
    JudgementCounts,
    council_goal_counts,
    judgements_by_focus_area,
)
from programme.queries.year_settings import deadline_of, period_end
from programme.sorting import swedish_sort_key

AnyUser = access.AnyUser


class OverviewState(models.TextChoices):
    """Where a body's follow-up stands: the four workflow states and two derived ones."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = FollowUpState.DRAFT.value, FollowUpState.DRAFT.label
    SUBMITTED = FollowUpState.SUBMITTED.value, FollowUpState.SUBMITTED.label
    RETURNED = FollowUpState.RETURNED.value, FollowUpState.RETURNED.label
    APPROVED = FollowUpState.APPROVED.value, FollowUpState.APPROVED.label
    OVERDUE = "overdue", _("overdue")


# --- The list of bodies -------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewFilters:
    """What the list is narrowed to; empty values narrow nothing."""

    kind: str = ""
    focus_area: FocusArea | None = None
    state: str = ""


@dataclass(frozen=True)
class OverviewRow:
    """One body with its follow-up for the period, if it has one."""

    body: Body
    workflow_state: FollowUpState | None
    submitted_at: datetime.datetime | None
    overdue: bool

    @property
    def state(self) -> OverviewState:
        """The state to show: overdue first, then the workflow state, or not started."""
        if self.overdue:
            return OverviewState.OVERDUE
        if self.workflow_state is None:
            return OverviewState.NOT_STARTED
        return OverviewState(self.workflow_state.value)

    @property
    def states(self) -> frozenset[OverviewState]:
        """Every state the row answers to in a filter: an overdue draft is both."""
        own = (
            OverviewState.NOT_STARTED
            if self.workflow_state is None
            else OverviewState(self.workflow_state.value)
        )
        return frozenset({own, OverviewState.OVERDUE} if self.overdue else {own})

    @property
    def workflow_label(self) -> str:
        """The workflow state in words, or "not started"."""
        if self.workflow_state is None:
            return str(OverviewState.NOT_STARTED.label)
        return str(self.workflow_state.label)


def is_overdue(
    state: FollowUpState | None, deadline: datetime.date | None, today: datetime.date
) -> bool:
    """Whether the deadline has passed and the body has not handed the follow-up in."""
    if deadline is None or today <= deadline:
        return False
    return state not in COUNTED_STATES


def _bodies_of_period(year: int, period: str) -> QuerySet[Body]:
    """The bodies the period concerns (see the module's docstring), lazily."""
    reported = FollowUp.objects.filter(plan__year=year, period=period).values("plan__body_id")
    return Body.objects.active_on(period_end(year, period)) | Body.objects.filter(pk__in=reported)


def _with_focus_area(
    bodies: QuerySet[Body], user: AnyUser, year: int, focus_area: FocusArea
) -> QuerySet[Body]:
    """Only bodies with a goal or an activity in ``focus_area`` in their plan for ``year``."""
    goals = access.restrict(
        Goal.objects.filter(plan__year=year, focus_areas=focus_area), user
    ).values("plan__body_id")
    activities = access.restrict(
        Activity.objects.filter(goal__plan__year=year, focus_areas=focus_area), user
    ).values("goal__plan__body_id")
    return bodies.filter(Q(pk__in=goals) | Q(pk__in=activities))


def overview_rows(
    user: AnyUser,
    year: int,
    period: str,
    filters: OverviewFilters | None = None,
    *,
    deadline: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[OverviewRow]:
    """Every body the period concerns with its follow-up's state, filtered (one query).

    ``deadline`` is the period's (``deadline_of``); overdue is derived from it and
    ``today``.
    """
    filters = filters or OverviewFilters()
    day = today or timezone.localdate()
    follow_ups = access.restrict(
        FollowUp.objects.filter(plan__body=OuterRef("pk"), plan__year=year, period=period), user
    )
    bodies = _bodies_of_period(year, period)
    if filters.kind:
        bodies = bodies.filter(kind=filters.kind)
    if filters.focus_area is not None:
        bodies = _with_focus_area(bodies, user, year, filters.focus_area)
    bodies = bodies.annotate(
        follow_up_state=Subquery(follow_ups.values("state")[:1]),
        follow_up_submitted_at=Subquery(follow_ups.values("submitted_at")[:1]),
    )
    rows = []
    for body in sorted(bodies, key=lambda body: swedish_sort_key(body.name)):
        value = body.follow_up_state
        state = FollowUpState(value) if value else None
        rows.append(
            OverviewRow(
                body=body,
                workflow_state=state,
                submitted_at=body.follow_up_submitted_at,
                overdue=is_overdue(state, deadline, day),
            )
        )
    if filters.state:
        wanted = OverviewState(filters.state)
        rows = [row for row in rows if wanted in row.states]
    return rows


def state_counts(rows: list[OverviewRow]) -> list[tuple[OverviewState, int]]:
    """How many rows show each state, in the order of ``OverviewState``."""
    counts: dict[OverviewState, int] = defaultdict(int)
    for row in rows:
        counts[row.state] += 1
    return [(state, counts[state]) for state in OverviewState]


# --- The matrix of bodies and focus areas ------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    """One body's activity counts per focus area, and its number of activities."""

    body: Body
    counts: list[int]
    activities: int


@dataclass(frozen=True)
class Matrix:
    """Bodies × focus areas of the versions in force, with activity counts per cell."""

    focus_areas: list[FocusArea]
    rows: list[MatrixRow]
    column_totals: list[int] = field(default_factory=list)

    @property
    def activities(self) -> int:
        """Every activity of the bodies in the matrix."""
        return sum(row.activities for row in self.rows)


def activity_matrix(
    user: AnyUser, year: int, bodies: list[Body], focus_areas: list[FocusArea]
) -> Matrix:
    """How many activities each body has per focus area in its plan for ``year`` (two queries).

    An activity linked to two focus areas counts in both cells, but once in the body's
    number of activities. Focus areas of versions no longer in force (a link carried
    over and not yet mapped) have no column.
    """
    activities = access.restrict(Activity.objects.filter(goal__plan__year=year), user)
    per_cell = {
        (item["goal__plan__body_id"], item["focus_areas"]): item["count"]
        for item in activities.filter(focus_areas__isnull=False)
        .values("goal__plan__body_id", "focus_areas")
        .annotate(count=Count("pk"))
        .order_by()
    }
    per_body = dict(
        activities.values("goal__plan__body_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("goal__plan__body_id", "count")
    )
    rows = [
        MatrixRow(
            body=body,
            counts=[per_cell.get((body.pk, area.pk), 0) for area in focus_areas],
            activities=per_body.get(body.pk, 0),
        )
        for body in bodies
    ]
    totals = [sum(row.counts[index] for row in rows) for index in range(len(focus_areas))]
    return Matrix(focus_areas=focus_areas, rows=rows, column_totals=totals)


# --- The whole page ----------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewPage:
    """Everything the overview page shows for one year and period."""

    year: int
    period: FollowUpPeriod
    deadline: datetime.date | None
    focus_areas: list[FocusArea]
    rows: list[OverviewRow]
    matrix: Matrix
    judgements: list[tuple[FocusArea, JudgementCounts]]
    council: list[CouncilGoalCount]


def overview_page(
    user: AnyUser,
    year: int,
    period: FollowUpPeriod,
    focus_areas: list[FocusArea],
    filters: OverviewFilters | None = None,
    *,
    today: datetime.date | None = None,
) -> OverviewPage:
    """The overview of ``year`` and ``period`` (five queries; six for the annual period).

    The list and the matrix follow the filters; the charts count every body, as the
    city's report does.
    """
    deadline = deadline_of(year, period)
    rows = overview_rows(user, year, period, filters, deadline=deadline, today=today)
    return OverviewPage(
        year=year,
        period=period,
        deadline=deadline,
        focus_areas=focus_areas,
        rows=rows,
        matrix=activity_matrix(user, year, [row.body for row in rows], focus_areas),
        judgements=judgements_by_focus_area(user, year, period, focus_areas),
        council=council_goal_counts(user, year) if period == FollowUpPeriod.ANNUAL else [],
    )
