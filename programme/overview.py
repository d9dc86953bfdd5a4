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
from django.utils.translation import ngettext

from programme import access
from programme.models import (
    Activity,
    Body,
    BodyKind,
    FocusArea,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Judgement,
)
from programme.queries import swedish_sort_key

AnyUser = access.AnyUser

# Follow-ups whose judgements count: the body has handed them in.
COUNTED_STATES = (FollowUpState.SUBMITTED, FollowUpState.APPROVED)

# The last day of each period (month, day): the tertials end in April and August.
PERIOD_ENDS: dict[str, tuple[int, int]] = {
    FollowUpPeriod.T1: (4, 30),
    FollowUpPeriod.T2: (8, 31),
    FollowUpPeriod.ANNUAL: (12, 31),
}

# The kinds the city counts as committees (nämnder) and as companies (bolag).
COMMITTEE_KINDS = frozenset(
    {BodyKind.DISTRICT_COMMITTEE, BodyKind.SPECIALIST_COMMITTEE, BodyKind.EXECUTIVE_BOARD}
)
COMPANY_KINDS = frozenset({BodyKind.COMPANY_BOARD})


class OverviewState(models.TextChoices):
    """Where a body's follow-up stands: the four workflow states and two derived ones."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = FollowUpState.DRAFT.value, FollowUpState.DRAFT.label
    SUBMITTED = FollowUpState.SUBMITTED.value, FollowUpState.SUBMITTED.label
    RETURNED = FollowUpState.RETURNED.value, FollowUpState.RETURNED.label
    APPROVED = FollowUpState.APPROVED.value, FollowUpState.APPROVED.label
    OVERDUE = "overdue", _("overdue")


# --- Years and periods ------------------------------------------------------------------


def period_end(year: int, period: str) -> datetime.date:
    """The last day of ``period`` in ``year``."""
    month, day = PERIOD_ENDS[period]
    return datetime.date(year, month, day)


def deadline_of(year: int, period: str) -> datetime.date | None:
    """When SLK set the period's follow-up to be due, if it has (one query)."""
    return (
        FollowUpDeadline.objects.filter(year=year, period=period)
        .values_list("due_on", flat=True)
        .first()
    )


def current_period(today: datetime.date | None = None) -> tuple[int, FollowUpPeriod]:
    """The follow-up SLK is most likely working on: the next one due (one query).

    That is the period with the earliest deadline on or after ``today`` this year or
    last (the annual report of last year is due early this year); once every deadline
    has passed, the latest; without deadlines, this year's first tertial.
    """
    day = today or timezone.localdate()
    deadlines = list(
        FollowUpDeadline.objects.filter(year__in=[day.year - 1, day.year]).order_by("due_on")
    )
    upcoming = [deadline for deadline in deadlines if deadline.due_on >= day]
    chosen = upcoming[0] if upcoming else (deadlines[-1] if deadlines else None)
    if chosen is None:
        return day.year, FollowUpPeriod.T1
    return chosen.year, FollowUpPeriod(chosen.period)


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


# --- Goal judgements per focus area ------------------------------------------------------


@dataclass(frozen=True)
class JudgementCounts:
    """How many judgements said fully, partly, not met and not assessed."""

    fully_met: int = 0
    partly_met: int = 0
    not_met: int = 0
    not_assessed: int = 0

    @property
    def total(self) -> int:
        """Every judgement counted."""
        return self.fully_met + self.partly_met + self.not_met + self.not_assessed

    def as_list(self) -> list[int]:
        """The counts in the order of ``Judgement``."""
        return [self.fully_met, self.partly_met, self.not_met, self.not_assessed]

    @classmethod
    def from_mapping(cls, counts: dict[str, int]) -> JudgementCounts:
        """Counts keyed by ``Judgement`` value; other keys are ignored."""
        return cls(
            fully_met=counts.get(Judgement.FULLY_MET, 0),
            partly_met=counts.get(Judgement.PARTLY_MET, 0),
            not_met=counts.get(Judgement.NOT_MET, 0),
            not_assessed=counts.get(Judgement.NOT_ASSESSED, 0),
        )


def judgements_by_focus_area(
    user: AnyUser, year: int, period: str, focus_areas: list[FocusArea]
) -> list[tuple[FocusArea, JudgementCounts]]:
    """The bodies' goal judgements for the period per focus area (one query).

    Each judgement of a goal counts once in every focus area the goal is linked to;
    only submitted and approved follow-ups count.
    """
    judgements = access.restrict(
        GoalJudgement.objects.filter(
            follow_up__plan__year=year,
            follow_up__period=period,
            follow_up__state__in=COUNTED_STATES,
        ),
        user,
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for item in (
        judgements.filter(goal__focus_areas__isnull=False)
        .values("goal__focus_areas", "judgement")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts[item["goal__focus_areas"]][item["judgement"]] = item["count"]
    return [(area, JudgementCounts.from_mapping(counts.get(area.pk, {}))) for area in focus_areas]


# --- The council goal, counted as the annual report does ---------------------------------


class BodyGroup(models.TextChoices):
    """How the annual report counts bodies: committees apart from companies."""

    COMMITTEES = "committees", _("committees")
    COMPANIES = "companies", _("companies")


@dataclass(frozen=True)
class CouncilGoalCount:
    """One group's judgements of the council goal in the annual follow-up."""

    group: BodyGroup
    counts: JudgementCounts

    @property
    def sentence(self) -> str:
        """The count in the city's words (see ``council_goal_sentence``)."""
        return council_goal_sentence(self.group, self.counts)


def council_goal_counts(user: AnyUser, year: int) -> list[CouncilGoalCount]:
    """How many committees and, apart, companies judged the council goal how (one query).

    Only annual follow-ups that are submitted or approved and carry a judgement count.
    """
    follow_ups = access.restrict(
        FollowUp.objects.filter(
            plan__year=year, period=FollowUpPeriod.ANNUAL, state__in=COUNTED_STATES
        ).exclude(council_goal_judgement=""),
        user,
    )
    by_group: dict[BodyGroup, dict[str, int]] = {group: defaultdict(int) for group in BodyGroup}
    for item in (
        follow_ups.values("plan__body__kind", "council_goal_judgement")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        group = (
            BodyGroup.COMPANIES
            if item["plan__body__kind"] in COMPANY_KINDS
            else BodyGroup.COMMITTEES
        )
        by_group[group][item["council_goal_judgement"]] += item["count"]
    return [
        CouncilGoalCount(group=group, counts=JudgementCounts.from_mapping(by_group[group]))
        for group in BodyGroup
    ]


def council_goal_sentence(group: BodyGroup, counts: JudgementCounts) -> str:
    """The city's sentence: "23 av 30 nämnder bedömer att målet uppnås helt och 7 delvis".

    The total is every body of the group that judged the goal (not assessed included);
    a clause with nothing to count is left out, as the annual report does. The plural
    follows the total ("1 av 1 nämnd", "23 av 30 nämnder").
    """
    total = counts.total
    values = {
        "fully": counts.fully_met,
        "partly": counts.partly_met,
        "not_met": counts.not_met,
        "total": total,
    }
    if total == 0:
        if group == BodyGroup.COMPANIES:
            return str(_("No company has judged the council goal yet."))
        return str(_("No committee has judged the council goal yet."))
    partly, not_met = counts.partly_met > 0, counts.not_met > 0
    if group == BodyGroup.COMPANIES:
        if partly and not_met:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met, "
                "%(partly)s partly and %(not_met)s not at all",
                "%(fully)s of %(total)s companies judge that the goal is fully met, "
                "%(partly)s partly and %(not_met)s not at all",
                total,
            )
        elif partly:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met "
                "and %(partly)s partly",
                "%(fully)s of %(total)s companies judge that the goal is fully met "
                "and %(partly)s partly",
                total,
            )
        elif not_met:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met "
                "and %(not_met)s not at all",
                "%(fully)s of %(total)s companies judge that the goal is fully met "
                "and %(not_met)s not at all",
                total,
            )
        else:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met",
                "%(fully)s of %(total)s companies judge that the goal is fully met",
                total,
            )
    elif partly and not_met:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met, "
            "%(partly)s partly and %(not_met)s not at all",
            "%(fully)s of %(total)s committees judge that the goal is fully met, "
            "%(partly)s partly and %(not_met)s not at all",
            total,
        )
    elif partly:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met "
            "and %(partly)s partly",
            "%(fully)s of %(total)s committees judge that the goal is fully met "
            "and %(partly)s partly",
            total,
        )
    elif not_met:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met "
            "and %(not_met)s not at all",
            "%(fully)s of %(total)s committees judge that the goal is fully met "
            "and %(not_met)s not at all",
            total,
        )
    else:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met",
            "%(fully)s of %(total)s committees judge that the goal is fully met",
            total,
        )
    return text % values


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
