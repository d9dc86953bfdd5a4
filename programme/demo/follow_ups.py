"""Generated follow-ups: each plan's reports, outcomes and judgements in the states ordered."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from programme.demo.common import BATCH_SIZE, PERIODS, PlanOrder, Result, bulk_save, near
from programme.demo.plan_content import (
    COMMENTS,
    MOTIVATIONS,
    NARRATIVE,
    RETURN_COMMENT,
    SITUATION_PICTURE,
)
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
    Plan,
    copy_focus_areas,
)

# Levels of a follow-up's texts, picked in turn: mostly open, or mostly internal.
LEVELS_MOSTLY_OPEN = (
    Confidentiality.OPEN,
    Confidentiality.OPEN,
    Confidentiality.OPEN,
    Confidentiality.INTERNAL,
    Confidentiality.OPEN,
)
LEVELS_MOSTLY_INTERNAL = (
    Confidentiality.INTERNAL,
    Confidentiality.OPEN,
    Confidentiality.INTERNAL,
    Confidentiality.INTERNAL,
    Confidentiality.CONFIDENTIAL,
)


def links_by_goal(links: list[Any]) -> dict[int, list[int]]:
    """The focus area ids of each goal, from its link rows."""
    by_goal: dict[int, list[int]] = {}
    for link in links:
        by_goal.setdefault(link.goal_id, []).append(link.focusarea_id)
    return by_goal


def write_follow_ups(
    orders: Sequence[PlanOrder],
    plans: list[Plan],
    rngs: list[random.Random],
    goals_by_plan: dict[int, list[Goal]],
    activities: list[Activity],
    indicators: list[Indicator],
    deadlines: dict[tuple[int, str], datetime.date],
    administrators: dict[int, User],
    reviewer: User | None,
    with_history: bool,
    result: Result,
) -> None:
    """Each plan's follow-ups in the states ordered, with their reports, outcomes, judgements."""
    now = timezone.now()
    activities_by_plan: dict[int, list[Activity]] = {}
    goal_plan = {goal.pk: plan_id for plan_id, goals in goals_by_plan.items() for goal in goals}
    for activity in activities:
        activities_by_plan.setdefault(goal_plan[activity.goal_id], []).append(activity)
    indicators_by_plan: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        indicators_by_plan.setdefault(goal_plan[indicator.goal_id], []).append(indicator)

    follow_ups: list[FollowUp] = []
    for order, plan in zip(orders, plans, strict=True):
        author = administrators.get(order.body.pk)
        for period, state in zip(PERIODS, order.states, strict=True):
            if state is None:
                continue
            due = deadlines.get((order.year, period))
            handed_in = (
                timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)))
                - datetime.timedelta(days=2)
                if due is not None
                else now
            )
            handed_in = min(handed_in, now - datetime.timedelta(days=3))
            submitted = state != FollowUpState.DRAFT
            reviewed = state in (FollowUpState.RETURNED, FollowUpState.APPROVED)
            follow_ups.append(
                FollowUp(
                    plan=plan,
                    period=period,
                    state=state,
                    # Most bodies publish their narrative; the situation picture and the
                    # council goal's judgement stay internal more often.
                    narrative=NARRATIVE,
                    narrative_confidentiality=LEVELS_MOSTLY_OPEN[(plan.pk + len(follow_ups)) % 5],
                    situation_picture=SITUATION_PICTURE,
                    situation_picture_confidentiality=LEVELS_MOSTLY_INTERNAL[
                        (plan.pk + len(follow_ups)) % 5
                    ],
                    council_goal_confidentiality=LEVELS_MOSTLY_OPEN[(plan.pk + 2) % 5],
                    council_goal_judgement=(
                        Judgement.PARTLY_MET if period == FollowUpPeriod.ANNUAL else ""
                    ),
                    council_goal_motivation=(
                        MOTIVATIONS[Judgement.PARTLY_MET] if period == FollowUpPeriod.ANNUAL else ""
                    ),
                    review_comment=RETURN_COMMENT if state == FollowUpState.RETURNED else "",
                    submitted_at=handed_in if submitted else None,
                    submitted_by=author if submitted else None,
                    reviewed_at=handed_in + datetime.timedelta(days=2) if reviewed else None,
                    reviewed_by=reviewer if reviewed else None,
                )
            )
    follow_ups = bulk_save(FollowUp, follow_ups, with_history)
    result.add("follow-ups", len(follow_ups))

    rng_of = {plan.pk: rng for plan, rng in zip(plans, rngs, strict=True)}
    goal_level = {
        goal.pk: goal.confidentiality for goals in goals_by_plan.values() for goal in goals
    }
    reports: list[ActivityReport] = []
    outcomes: list[IndicatorOutcome] = []
    judgements: list[GoalJudgement] = []
    latest_status: dict[int, str] = {}
    for follow_up in follow_ups:
        rng = rng_of[follow_up.plan_id]
        for activity in activities_by_plan.get(follow_up.plan_id, []):
            status = (
                activity.status
                if follow_up.period != FollowUpPeriod.T1
                else (
                    ActivityStatus.ONGOING
                    if activity.status == ActivityStatus.DONE
                    else activity.status
                )
            )
            latest_status[activity.pk] = status
            report = ActivityReport(
                follow_up=follow_up, activity=activity, status=status, comment=COMMENTS[status]
            )
            report.take_from(activity, goal_level[activity.goal_id])
            reports.append(report)
        for indicator in indicators_by_plan.get(follow_up.plan_id, []):
            target = int(indicator.target or 0)
            women = near(rng, target) if indicator.by_sex else None
            men = near(rng, target) if indicator.by_sex else None
            outcome = IndicatorOutcome(
                follow_up=follow_up,
                indicator=indicator,
                value=((women + men) / 2).quantize(Decimal("0.01"))
                if women is not None and men is not None
                else near(rng, target),
                value_women=women,
                value_men=men,
            )
            outcome.take_from(indicator, goal_level[indicator.goal_id])
            outcomes.append(outcome)
        approved = follow_up.state == FollowUpState.APPROVED
        for goal in goals_by_plan[follow_up.plan_id]:
            judgement = rng.choices(
                [Judgement.FULLY_MET, Judgement.PARTLY_MET, Judgement.NOT_MET], [4, 5, 1]
            )[0]
            # SLK mostly agrees; now and then it judges a goal more strictly.
            slk = (Judgement.PARTLY_MET if rng.random() < 0.15 else judgement) if approved else ""
            row = GoalJudgement(
                follow_up=follow_up,
                goal=goal,
                judgement=judgement,
                motivation=MOTIVATIONS[judgement],
                slk_judgement=slk,
                slk_motivation=(
                    "Stadsledningskontoret bedömer att målet uppnås delvis."
                    if slk and slk != judgement
                    else ""
                ),
            )
            row.take_from(goal)
            judgements.append(row)
    for model, rows, name, record in (
        (ActivityReport, reports, "activity reports", Activity),
        (IndicatorOutcome, outcomes, "indicator outcomes", Indicator),
        (GoalJudgement, judgements, "goal judgements", Goal),
    ):
        saved = bulk_save(model, rows, with_history)
        result.add(name, len(rows))
        copy_focus_areas(saved, record)
    # An activity's status is the one of its latest follow-up.
    changed = [a for a in activities if latest_status.get(a.pk, a.status) != a.status]
    for activity in changed:
        activity.status = latest_status[activity.pk]
    Activity.objects.bulk_update(changed, ["status"], batch_size=BATCH_SIZE)
