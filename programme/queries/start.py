"""What the start page reads: what each person has to do, by the roles they hold.

One function, ``start_page``, reads everything in a fixed number of queries for each
combination of roles, however many bodies, follow-ups or reports there are:

- a body's administrator sees, per body, the follow-ups that are due next, returned or
  overdue, and the year's programme duties not yet met;
- an SLK reviewer sees the follow-ups waiting for review (oldest first), the bodies
  overdue with a follow-up, and the counts by state of the current period;
- an official, or a reader of a body who administers none, sees the published
  city-wide reports and the latest reports they may read;
- everybody sees the programme versions in force.

Every read of a body's records goes through ``programme.access`` (and
``programme.report_access`` for reports).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from programme import access, lineage, report_access
from programme.access import Action, AnyUser
from programme.models import (
    Audience,
    Body,
    DutyKind,
    DutyRecord,
    DutyStatus,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Plan,
    Programme,
)
from programme.queries.judgements import COUNTED_STATES
from programme.queries.overview import (
    OverviewState,
    is_overdue,
    overview_rows,
    state_counts,
)
from programme.queries.year_settings import current_period, period_end
from programme.sorting import swedish_sort_key
from reporting.models import Publication
from reporting.queries.reports import SLUG_OF

# How many follow-ups waiting for review, and how many reports, the page lists at most;
# the rest are a link away.
WAITING_LIMIT = 25
REPORT_LIMIT = 10

PERIOD_ORDER = {period.value: index for index, period in enumerate(FollowUpPeriod)}


# --- A body's administrator ----------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpTask:
    """A follow-up the body has to work on: due next, returned or overdue."""

    body: Body
    year: int
    period: FollowUpPeriod
    workflow_state: FollowUpState | None
    deadline: datetime.date
    overdue: bool
    # Whether the body has a plan for the year: a follow-up is started from the plan.
    has_plan: bool = True

    @property
    def state(self) -> OverviewState:
        """The state to show, as SLK's overview names it: overdue first."""
        if self.overdue:
            return OverviewState.OVERDUE
        if self.workflow_state is None:
            return OverviewState.NOT_STARTED
        return OverviewState(self.workflow_state.value)

    @property
    def workflow_label(self) -> str:
        """Where the follow-up stands in the workflow, in words."""
        if self.workflow_state is None:
            return str(OverviewState.NOT_STARTED.label)
        return str(self.workflow_state.label)

    @property
    def is_started(self) -> bool:
        """Whether the follow-up exists (its form opens), or is still to be started."""
        return self.workflow_state is not None


@dataclass(frozen=True)
class BodyTasks:
    """One administered body's work: its follow-ups and the duties of the year not met."""

    body: Body
    follow_ups: list[FollowUpTask]
    duties: list[tuple[DutyKind, DutyRecord | None]]

    @property
    def is_empty(self) -> bool:
        """Whether the body has nothing to do now."""
        return not self.follow_ups and not self.duties


# --- An SLK reviewer -----------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueFollowUp:
    """One period a body has not handed in by its deadline."""

    year: int
    period: FollowUpPeriod
    deadline: datetime.date
    workflow_state: FollowUpState | None


@dataclass(frozen=True)
class OverdueBody:
    """A body with at least one follow-up past its deadline, oldest first."""

    body: Body
    follow_ups: list[OverdueFollowUp]


@dataclass(frozen=True)
class ReviewWork:
    """SLK's work: the queue of submitted follow-ups, the late bodies, the period's counts."""

    waiting: list[FollowUp]
    more_waiting: bool
    overdue: list[OverdueBody]
    year: int
    period: FollowUpPeriod
    deadline: datetime.date | None
    counts: list[tuple[OverviewState, int]]


# --- An official or a reader ----------------------------------------------------------------


@dataclass(frozen=True)
class ReadableReport:
    """An approved follow-up whose report the user may read, and the variant to open."""

    follow_up: FollowUp
    audience: Audience

    @property
    def slug(self) -> str:
        """The variant as the report's address names it."""
        return SLUG_OF[self.audience.value]


@dataclass(frozen=True)
class CityReport:
    """A published city-wide report: the general variant, which every role reads."""

    publication: Publication

    @property
    def period(self) -> FollowUpPeriod:
        """The period the report follows up."""
        return FollowUpPeriod(self.publication.period)

    @property
    def slug(self) -> str:
        """The general variant as the report's address names it."""
        return SLUG_OF[Audience.GENERAL.value]


@dataclass(frozen=True)
class Reading:
    """What an official or a body's reader reads: city-wide and body reports."""

    city_reports: list[CityReport]
    reports: list[ReadableReport]


# --- The page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartPage:
    """Everything the start page shows to one person."""

    today: datetime.date
    year: int
    administered: list[BodyTasks] = field(default_factory=list)
    review: ReviewWork | None = None
    reading: Reading | None = None
    programmes: list[Programme] = field(default_factory=list)
    is_system_administrator: bool = False

    @property
    def has_role(self) -> bool:
        """Whether the person has any role that gives them something on this page."""
        return bool(
            self.administered
            or self.review is not None
            or self.reading is not None
            or self.is_system_administrator
        )


def _deadlines(year: int) -> list[FollowUpDeadline]:
    """The deadlines of last year and this, in order (one query)."""
    return list(FollowUpDeadline.objects.filter(year__in=[year - 1, year]).order_by("due_on"))


def _states_of(user: AnyUser, bodies: object, year: int) -> dict[tuple[int, int, str], str]:
    """The state of each follow-up of ``bodies`` last year and this (one query)."""
    rows = access.restrict(
        FollowUp.objects.filter(plan__body__in=bodies, plan__year__in=[year - 1, year]), user
    ).values_list("plan__body_id", "plan__year", "period", "state")
    return {(body_id, plan_year, period): state for body_id, plan_year, period, state in rows}


def _body_follow_ups(
    body: Body,
    deadlines: list[FollowUpDeadline],
    states: dict[tuple[int, int, str], str],
    plans: set[tuple[int, int]],
    today: datetime.date,
) -> list[FollowUpTask]:
    """The body's follow-ups to work on: returned, overdue, or due at the next deadline.

    A period that ended before the body began, or began after it ended, is not its own.
    """
    upcoming = [deadline.due_on for deadline in deadlines if deadline.due_on >= today]
    next_due = upcoming[0] if upcoming else None
    tasks = []
    for deadline in deadlines:
        if not body.is_active_on(period_end(deadline.year, deadline.period)):
            continue
        value = states.get((body.pk, deadline.year, deadline.period))
        state = FollowUpState(value) if value else None
        overdue = is_overdue(state, deadline.due_on, today)
        due = deadline.due_on == next_due and state not in COUNTED_STATES
        if state == FollowUpState.RETURNED or overdue or due:
            tasks.append(
                FollowUpTask(
                    body=body,
                    year=deadline.year,
                    period=FollowUpPeriod(deadline.period),
                    workflow_state=state,
                    deadline=deadline.due_on,
                    overdue=overdue,
                    has_plan=(body.pk, deadline.year) in plans,
                )
            )
    return tasks


def _administered(
    user: AnyUser, year: int, today: datetime.date, deadlines: list[FollowUpDeadline]
) -> list[BodyTasks]:
    """Each body the user administers and exists this year, with its work (four queries)."""
    bodies_queryset = access.bodies_for(user, Action.CHANGE)
    bodies = sorted(
        (body for body in bodies_queryset if body.existed_in(year)),
        key=lambda body: swedish_sort_key(body.name),
    )
    if not bodies:
        return []
    states = _states_of(user, bodies_queryset, year)
    plans = set(
        access.restrict(
            Plan.objects.filter(body__in=bodies_queryset, year__in=[year - 1, year]), user
        ).values_list("body_id", "year")
    )
    records: dict[tuple[int, str], DutyRecord] = {
        (record.body_id, record.duty): record
        for record in access.restrict(
            DutyRecord.objects.filter(body__in=bodies_queryset, year=year), user
        )
    }
    result = []
    for body in bodies:
        duties = [
            (kind, records.get((body.pk, kind.value)))
            for kind in DutyKind
            if (record := records.get((body.pk, kind.value))) is None
            or record.status != DutyStatus.MET
        ]
        result.append(
            BodyTasks(
                body=body,
                follow_ups=_body_follow_ups(body, deadlines, states, plans, today),
                duties=duties,
            )
        )
    return result


def _overdue_bodies(
    user: AnyUser, year: int, today: datetime.date, deadlines: list[FollowUpDeadline]
) -> list[OverdueBody]:
    """Every body with a follow-up of last year or this past its deadline (two queries)."""
    passed = [deadline for deadline in deadlines if deadline.due_on < today]
    if not passed:
        return []
    first_end = min(period_end(deadline.year, deadline.period) for deadline in passed)
    bodies = list(Body.objects.not_ended_by(first_end))
    states = _states_of(user, Body.objects.all(), year)
    result = []
    for body in sorted(bodies, key=lambda body: swedish_sort_key(body.name)):
        late = []
        for deadline in passed:
            if not body.is_active_on(period_end(deadline.year, deadline.period)):
                continue
            value = states.get((body.pk, deadline.year, deadline.period))
            state = FollowUpState(value) if value else None
            if is_overdue(state, deadline.due_on, today):
                late.append(
                    OverdueFollowUp(
                        year=deadline.year,
                        period=FollowUpPeriod(deadline.period),
                        deadline=deadline.due_on,
                        workflow_state=state,
                    )
                )
        if late:
            result.append(OverdueBody(body=body, follow_ups=late))
    return result


def _review(
    user: AnyUser, year: int, today: datetime.date, deadlines: list[FollowUpDeadline]
) -> ReviewWork:
    """SLK's queue, late bodies and the current period's counts (six queries)."""
    waiting = list(
        access.restrict(FollowUp.objects.filter(state=FollowUpState.SUBMITTED), user)
        .select_related("plan__body")
        .order_by("submitted_at", "pk")[: WAITING_LIMIT + 1]
    )
    period_year, period = current_period(today)
    deadline = next(
        (d.due_on for d in deadlines if d.year == period_year and d.period == period.value),
        None,
    )
    if deadline is None and period_year not in (year - 1, year):
        deadline = (
            FollowUpDeadline.objects.filter(year=period_year, period=period)
            .values_list("due_on", flat=True)
            .first()
        )
    rows = overview_rows(user, period_year, period, deadline=deadline, today=today)
    return ReviewWork(
        waiting=waiting[:WAITING_LIMIT],
        more_waiting=len(waiting) > WAITING_LIMIT,
        overdue=_overdue_bodies(user, year, today, deadlines),
        year=period_year,
        period=period,
        deadline=deadline,
        counts=state_counts(rows),
    )


def _reading(user: AnyUser) -> Reading:
    """The published city-wide reports and the latest approved reports (up to four queries)."""
    city_reports: list[CityReport] = []
    if report_access.city_report_audiences(user, published=True):
        city_reports = [
            CityReport(publication)
            for publication in Publication.objects.filter(superseded_at__isnull=True).order_by(
                "-year", "-published_at"
            )[:REPORT_LIMIT]
        ]
    approved = list(
        report_access.report_follow_ups(user)
        .filter(state=FollowUpState.APPROVED)
        .select_related("plan__body")
        # Newest approval first; one approved before approvals were dated last.
        .order_by(F("reviewed_at").desc(nulls_last=True), "-pk")[:REPORT_LIMIT]
    )
    audiences = report_access.report_audiences(user, approved) if approved else {}
    reports = [
        ReadableReport(
            follow_up=row,
            # The general variant where the user has it: what an official reads.
            audience=Audience.GENERAL
            if Audience.GENERAL in audiences[row.pk]
            else audiences[row.pk][0],
        )
        for row in approved
        if audiences.get(row.pk)
    ]
    return Reading(city_reports=city_reports, reports=reports)


def start_page(user: AnyUser, today: datetime.date | None = None) -> StartPage:
    """What the start page shows ``user``, by the roles they hold (fixed queries per role)."""
    day = today or timezone.localdate()
    year = day.year
    is_slk = access.is_slk_reviewer(user)
    deadlines = _deadlines(year)
    administered = _administered(user, year, day, deadlines)
    reads_bodies = not is_slk and not administered and access.bodies_for(user, Action.VIEW).exists()
    reading = _reading(user) if (access.is_official(user) or reads_bodies) and not is_slk else None
    return StartPage(
        today=day,
        year=year,
        administered=administered,
        review=_review(user, year, day, deadlines) if is_slk else None,
        reading=reading,
        programmes=lineage.programmes_in_force(year),
        is_system_administrator=access.is_system_administrator(user),
    )
