"""What the follow-up pages read: the snapshot grouped by goal, the duties, the page itself.

Every read goes through ``programme.access`` and takes a fixed number of queries however
many rows the follow-up has (pinned in ``tests/programme/test_follow_up_views.py``). The changes
themselves are in ``programme.services.follow_ups``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.http import Http404
from django.utils import timezone

from programme import access
from programme.history import HistoryEntry, history_for
from programme.history_rows import history_with_rows
from programme.models import (
    Activity,
    ActivityReport,
    Body,
    Confidentiality,
    CouncilGoal,
    DutyKind,
    DutyReport,
    DutyStatus,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Plan,
    Snapshot,
)

AnyUser = access.AnyUser
RowT = TypeVar("RowT", GoalJudgement, ActivityReport, IndicatorOutcome)


# --- What the pages read -----------------------------------------------------------------


@dataclass
class GoalSection:
    """One goal of the snapshot with its judgement and the rows of its activities and indicators.

    Each row carries what it reports on (its title, unit, target...): as submitted when
    the follow-up is submitted or approved, as the plan has it while it is a draft.
    """

    judgement: GoalJudgement
    activities: list[ActivityReport] = field(default_factory=list)
    indicators: list[IndicatorOutcome] = field(default_factory=list)

    @property
    def goal_id(self) -> int:
        """The goal this section is about."""
        return self.judgement.goal_id

    @property
    def title(self) -> str:
        """The goal's title, as the follow-up shows it."""
        return self.judgement.title


def _by_position(rows: Iterable[RowT]) -> list[RowT]:
    return sorted(rows, key=lambda row: (row.position, row.pk))


def snapshot_sections(user: AnyUser, follow_up: FollowUp) -> list[GoalSection]:
    """The follow-up's rows the user may see, grouped by goal in the plan's order.

    Three queries however many rows. Rows of a confidential goal, activity or indicator
    (now, or when the follow-up was submitted) reach only those who may see confidential
    records (``access.restrict``); a reader sees no trace of them. A follow-up not yet
    submitted shows its records as the plan has them now. The rows are put in order here,
    not by the queries: the models' orderings would join the plan and the body for nothing.
    """
    live = not follow_up.is_frozen
    judgements = access.restrict(
        GoalJudgement.objects.filter(follow_up=follow_up).select_related("goal"), user
    ).order_by()
    sections: dict[int, GoalSection] = {}
    for row in judgements:
        if live:
            row.take_from(row.goal)
        sections[row.goal_id] = GoalSection(judgement=row)
    # A row is shown in its goal's section, so its goal is the section's, read above.
    reports = access.restrict(
        ActivityReport.objects.filter(follow_up=follow_up).select_related("activity"), user
    ).order_by()
    for report in reports:
        section = sections.get(report.activity.goal_id)
        if section is not None:
            _take_live(report, report.activity, section, live)
            section.activities.append(report)
    outcomes = access.restrict(
        IndicatorOutcome.objects.filter(follow_up=follow_up).select_related("indicator"), user
    ).order_by()
    for outcome in outcomes:
        section = sections.get(outcome.indicator.goal_id)
        if section is not None:
            _take_live(outcome, outcome.indicator, section, live)
            section.indicators.append(outcome)
    ordered = [
        sections[row.goal_id] for row in _by_position(s.judgement for s in sections.values())
    ]
    for section in ordered:
        section.activities = _by_position(section.activities)
        section.indicators = _by_position(section.indicators)
    return ordered


def _take_live(row: Any, record: Any, section: GoalSection, live: bool) -> None:
    """Give the row's record its goal (the section's, read with the judgements) and, when
    ``live`` (nothing saved), show the record as it stands now on the row, under the
    stricter of its level and its goal's."""
    goal = section.judgement.goal
    record.goal = goal
    if live:
        row.take_from(record, goal.confidentiality)


def draft_sections(user: AnyUser, follow_up: FollowUp) -> list[GoalSection]:
    """What the body's form shows: the follow-up's rows, and the plan's items without one.

    An item added to the plan since the draft began has no row yet (opening a page
    writes nothing): it gets a row here, unsaved, as the save will make it (the item as
    it stands, an activity with its current status, the rest empty), and the save makes
    the row with what was typed in it. Four queries however many rows (one more for each
    kind of item added since); the user sees only the items ``access.restrict`` lets
    through, as on the page.
    """
    sections = {section.goal_id: section for section in snapshot_sections(user, follow_up)}
    missing = _items_without_rows(user, follow_up)
    if missing["goal"]:
        goals = Goal.objects.filter(pk__in=missing["goal"]).order_by()
        for goal in access.restrict(goals, user):
            judgement = GoalJudgement(follow_up=follow_up, goal=goal)
            judgement.take_from(goal)
            sections[goal.pk] = GoalSection(judgement=judgement)
    if missing["activity"]:
        activities = Activity.objects.filter(pk__in=missing["activity"]).order_by()
        for activity in access.restrict(activities.select_related("goal"), user):
            section = sections.get(activity.goal_id)
            if section is not None:
                report = ActivityReport(
                    follow_up=follow_up, activity=activity, status=activity.status
                )
                report.take_from(activity, activity.goal.confidentiality)
                section.activities.append(report)
    if missing["indicator"]:
        indicators = Indicator.objects.filter(pk__in=missing["indicator"]).order_by()
        for indicator in access.restrict(indicators.select_related("goal"), user):
            section = sections.get(indicator.goal_id)
            if section is not None:
                outcome = IndicatorOutcome(follow_up=follow_up, indicator=indicator)
                outcome.take_from(indicator, indicator.goal.confidentiality)
                section.indicators.append(outcome)
    for section in sections.values():
        section.activities.sort(key=lambda row: _draft_order(row, row.activity_id))
        section.indicators.sort(key=lambda row: _draft_order(row, row.indicator_id))
    return sorted(
        sections.values(), key=lambda section: _draft_order(section.judgement, section.goal_id)
    )


def _items_without_rows(user: AnyUser, follow_up: FollowUp) -> dict[str, list[int]]:
    """The ids of the plan's items the follow-up has no row for, by kind (one query through
    ``access.restrict``): usually none, only what the plan gained since the draft began."""
    plan_id = follow_up.plan_id
    kinds: dict[str, models.QuerySet[Any]] = {
        "goal": Goal.objects.filter(plan_id=plan_id).exclude(judgements__follow_up=follow_up),
        "activity": Activity.objects.filter(goal__plan_id=plan_id).exclude(
            reports__follow_up=follow_up
        ),
        "indicator": Indicator.objects.filter(goal__plan_id=plan_id).exclude(
            outcomes__follow_up=follow_up
        ),
    }
    first, *others = (
        access.restrict(rows, user).order_by().annotate(kind=Value(kind)).values_list("kind", "pk")
        for kind, rows in kinds.items()
    )
    found: dict[str, list[int]] = {kind: [] for kind in kinds}
    for kind, pk in first.union(*others, all=True):
        found[kind].append(pk)
    return found


def _draft_order(row: Snapshot, item_id: int) -> tuple[int, bool, int, int]:
    """A row's place in the form: by position; at a tie the rows kept, then the new ones."""
    return (row.position, row.pk is None, row.pk or 0, item_id)


@dataclass(frozen=True)
class DutyState:
    """One programme duty as the annual follow-up kept it at submission."""

    duty: str
    status: str
    confidentiality: str
    person_name: str
    completed_on: datetime.date | None

    @property
    def duty_label(self) -> str:
        """The duty's name in the active language."""
        return str(dict(DutyKind.choices).get(self.duty, self.duty))

    @property
    def status_label(self) -> str:
        """The duty's status in the active language."""
        return str(dict(DutyStatus.choices).get(self.status, self.status))

    @property
    def confidentiality_label(self) -> str:
        """The duty's level in the active language."""
        return str(dict(Confidentiality.choices).get(self.confidentiality, self.confidentiality))

    @property
    def is_met(self) -> bool:
        """Whether the duty was met at submission."""
        return self.status == DutyStatus.MET


def visible_duty_states(user: AnyUser, follow_up: FollowUp) -> list[DutyState]:
    """The duties the annual follow-up kept at submission that the user may see (one query).

    A duty confidential then or now reaches only those who may see confidential records.
    """
    rows = access.restrict(DutyReport.objects.filter(follow_up=follow_up), user)
    return [
        DutyState(
            duty=row.duty,
            status=row.status,
            confidentiality=row.confidentiality,
            person_name=row.person_name,
            completed_on=row.completed_on,
        )
        for row in rows.order_by("position", "pk")
    ]


def _with_year_settings(queryset: models.QuerySet[FollowUp]) -> models.QuerySet[FollowUp]:
    """The follow-ups with their deadline and the council goal's title, in the same query."""
    return queryset.annotate(
        due_on=Subquery(
            FollowUpDeadline.objects.filter(
                year=OuterRef("plan__year"), period=OuterRef("period")
            ).values("due_on")[:1]
        ),
        council_goal_title=Subquery(
            CouncilGoal.objects.filter(year=OuterRef("plan__year")).values("title")[:1]
        ),
    )


@dataclass
class FollowUpPage:
    """What the follow-up page shows: the state, the deadline, the snapshot and its history."""

    body: Body
    plan: Plan
    period: FollowUpPeriod
    follow_up: FollowUp | None
    due_on: datetime.date | None
    council_goal_title: str | None
    sections: list[GoalSection]
    duty_states: list[DutyState]
    history: list[HistoryEntry]
    can_change: bool
    # The follow-up's texts the user may not read (confidential ones, for a reader).
    hidden_texts: frozenset[str] = frozenset()
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def is_overdue(self) -> bool:
        """Whether the deadline has passed while the body still has the follow-up."""
        waiting_for_body = self.follow_up is None or self.follow_up.is_editable_by_body
        return bool(self.due_on and waiting_for_body and self.today > self.due_on)

    @property
    def is_annual(self) -> bool:
        """Whether this is the annual follow-up (with the council goal and the duties)."""
        return self.period == FollowUpPeriod.ANNUAL

    @property
    def disagreements(self) -> int:
        """How many goals SLK judges otherwise than the body."""
        return sum(1 for section in self.sections if section.judgement.disagrees)


def plan_or_404(user: AnyUser, body: Body, year: int) -> Plan:
    """The body's plan of ``year`` if the user may see it, else 404 (one query)."""
    plan = access.restrict(Plan.objects.filter(body=body, year=year), user).first()
    if plan is None:
        raise Http404
    return plan


def started_follow_up(
    user: AnyUser, body: Body, year: int, period: FollowUpPeriod
) -> FollowUp | None:
    """The body's follow-up of one period if it has been started and the user may see it.

    One query; None for a follow-up not started (or not visible to the user).
    """
    return (
        access.restrict(
            FollowUp.objects.filter(plan__body=body, plan__year=year, period=period), user
        )
        .select_related("plan")
        .first()
    )


def follow_up_or_404(user: AnyUser, body: Body, year: int, period: FollowUpPeriod) -> FollowUp:
    """The body's follow-up of one period if it exists and the user may see it (one query)."""
    follow_up = started_follow_up(user, body, year, period)
    if follow_up is None:
        raise Http404
    return follow_up


def follow_up_page(user: AnyUser, body: Body, year: int, period: FollowUpPeriod) -> FollowUpPage:
    """The follow-up page's data, in a fixed number of queries however many rows.

    A follow-up not started yet shows the plan's state and deadline; the plan itself
    must exist (404 otherwise).
    """
    follow_up = (
        _with_year_settings(
            access.restrict(
                FollowUp.objects.filter(plan__body=body, plan__year=year, period=period), user
            )
        )
        .select_related("plan", "submitted_by", "reviewed_by")
        .first()
    )
    if follow_up is None:
        plan = plan_or_404(user, body, year)
        deadline = FollowUpDeadline.objects.filter(year=year, period=period).first()
        council_goal = (
            CouncilGoal.objects.filter(year=year).values_list("title", flat=True).first()
            if period == FollowUpPeriod.ANNUAL
            else None
        )
        return FollowUpPage(
            body=body,
            plan=plan,
            period=period,
            follow_up=None,
            due_on=deadline.due_on if deadline else None,
            council_goal_title=council_goal,
            sections=[],
            duty_states=[],
            history=[],
            can_change=access.can_change_records(user, body),
        )
    sees_confidential = access.may_see_confidential(user, body)
    return FollowUpPage(
        body=body,
        plan=follow_up.plan,
        period=period,
        follow_up=follow_up,
        due_on=follow_up.due_on,  # type: ignore[attr-defined]
        council_goal_title=follow_up.council_goal_title,  # type: ignore[attr-defined]
        sections=snapshot_sections(user, follow_up),
        duty_states=(
            visible_duty_states(user, follow_up) if period == FollowUpPeriod.ANNUAL else []
        ),
        history=follow_up_history(follow_up, sees_confidential),
        can_change=access.can_change_records(user, body),
        hidden_texts=frozenset() if sees_confidential else hidden_texts(follow_up),
    )


def hidden_texts(follow_up: FollowUp) -> frozenset[str]:
    """The follow-up's texts a reader who may not see confidential ones does not read."""
    return frozenset(
        name
        for name, level in FollowUp.text_levels.items()
        if getattr(follow_up, level) == Confidentiality.CONFIDENTIAL
    )


def review_sections(user: AnyUser, follow_up: FollowUp) -> list[GoalJudgement]:
    """The goal judgements of a follow-up the user may see, in the plan's order (one query)."""
    rows = access.restrict(
        GoalJudgement.objects.filter(follow_up=follow_up).select_related("goal"), user
    )
    if not follow_up.is_frozen:
        for row in rows:
            row.take_from(row.goal)
    return _by_position(rows)


def period_or_404(value: str) -> FollowUpPeriod:
    """The period a URL names, or 404 for one the product does not know."""
    if value not in FollowUpPeriod.values:
        raise Http404
    return FollowUpPeriod(value)


# The history rows a person reading the follow-up's steps does not need: the version
# counter moves on every save, and the duty snapshot is shown on the page itself.
HISTORY_NOISE = ("version",)


def follow_up_changes_since(follow_up: FollowUp, seen_version: int) -> list[HistoryEntry]:
    """What was saved to the follow-up and its rows after it stood at ``seen_version``.

    The follow-up's own changes, then each changed row's, each entry naming its row.
    Only asked when a save is refused, so a few queries per changed row are fine.
    """
    history = follow_up.history
    newer = history.filter(version__gt=seen_version).count()
    entries = _without_noise(history_for(follow_up, limit=newer)) if newer else []
    since = (
        history.filter(version=seen_version).order_by("-history_date").values("history_date")[:1]
    )
    since_date = since[0]["history_date"] if since else None
    if since_date is None:
        return entries
    for model, parent in ROW_MODELS:
        historical = model.history  # type: ignore[attr-defined]
        changed_ids = set(
            historical.filter(
                follow_up_id=follow_up.pk, history_date__gt=since_date, history_type="~"
            ).values_list("id", flat=True)
        )
        rows = model._default_manager.filter(pk__in=changed_ids).select_related(parent)
        for row in rows:
            count = row.history.filter(history_date__gt=since_date).count()  # type: ignore[attr-defined]
            label = str(getattr(row, parent))
            entries.extend(
                HistoryEntry(
                    when=entry.when,
                    who=entry.who,
                    what=f"{entry.what}: {label}",
                    changes=entry.changes,
                )
                for entry in history_for(row, limit=count)
            )
    return entries


def _without_noise(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """The entries without the changes a reader has no use for (see ``HISTORY_NOISE``)."""
    noise = {
        str(getattr(FollowUp._meta.get_field(name), "verbose_name", name)) for name in HISTORY_NOISE
    }
    return [
        HistoryEntry(
            when=entry.when,
            who=entry.who,
            what=entry.what,
            changes=[change for change in entry.changes if change.field not in noise],
        )
        for entry in entries
    ]


def follow_up_history(follow_up: FollowUp, sees_confidential: bool) -> list[HistoryEntry]:
    """Each step of the follow-up, newest first: who, when, and what changed (its state too).

    A reader who may not see confidential records reads no value of a text written
    while the text was confidential.
    """
    return history_with_rows(follow_up, sees_confidential=sees_confidential)


ROW_MODELS: tuple[tuple[type[models.Model], str], ...] = (
    (ActivityReport, "activity"),
    (IndicatorOutcome, "indicator"),
    (GoalJudgement, "goal"),
)
