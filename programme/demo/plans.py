"""Plans and follow-ups made up for the demo and for benchmarks, written straight to the models.

``generate_demo_year`` gives this year's deadlines, the council goal with its indicators,
and plans of several bodies (Järva and Skärholmen, whose members the demo users are,
among them) with goals, activities and indicators under the focus areas in force, and
follow-ups in every state: draft, submitted, returned with SLK's comment and approved,
plus a body that has not started its follow-up (overdue once the deadline passes).

``generate_city_scale`` gives every body active in each of several years a plan of
about 60 activities and 10 indicators, with every follow-up and its reports, for
benchmarks. Both write with ``bulk_create`` in batches; neither goes through the
services (which check one form's input at a time), and neither invents a user: a
follow-up is marked submitted or reviewed by a real member or SLK reviewer where
there is one, else by nobody. Both leave a body's plan of a year alone once it exists,
so running them again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from programme.demo.common import BATCH_SIZE, STATUSES, PlanOrder, Result, bulk_save, near
from programme.demo.follow_ups import links_by_goal, write_follow_ups
from programme.demo.plan_content import (
    ACTIVITIES,
    CITY_SIZE,
    COUNCIL_INDICATORS,
    DEMO_BODIES,
    DEMO_SIZE,
    GOALS,
    INDICATORS,
    UNITS,
)

# The demo and city-scale plans link the focus areas the product's own rule puts in force.
from programme.lineage import focus_areas_in_force
from programme.models import (
    Activity,
    ActivityStatus,
    Body,
    BodyRole,
    Confidentiality,
    CouncilGoal,
    CouncilIndicator,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    GlobalRole,
    GlobalRoleKind,
    Goal,
    Indicator,
    Membership,
    Perspective,
    Plan,
)
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE

# --- Settings of the year ----------------------------------------------------------------------


def default_deadlines(year: int) -> dict[str, datetime.date]:
    """The deadlines the city usually sets: mid May, mid September, and February after."""
    return {
        FollowUpPeriod.T1: datetime.date(year, 5, 15),
        FollowUpPeriod.T2: datetime.date(year, 9, 15),
        FollowUpPeriod.ANNUAL: datetime.date(year + 1, 2, 1),
    }


def ensure_year_settings(year: int, result: Result, rng: random.Random) -> None:
    """The year's deadlines and council goal with indicators, where SLK has not set them."""
    existing = set(FollowUpDeadline.objects.filter(year=year).values_list("period", flat=True))
    missing = [
        FollowUpDeadline(year=year, period=period, due_on=day)
        for period, day in default_deadlines(year).items()
        if period not in existing
    ]
    bulk_create_with_history(missing, FollowUpDeadline)
    result.add("deadlines", len(missing))
    goal = CouncilGoal.objects.filter(year=year).first()
    if goal is not None:
        return
    goal = CouncilGoal.objects.create(year=year, title=DEFAULT_COUNCIL_GOAL_TITLE)
    past = year < timezone.localdate().year
    indicators = [
        CouncilIndicator(
            council_goal=goal,
            position=position,
            name=spec.name,
            unit=spec.unit,
            direction=spec.direction,
            target=Decimal(spec.target),
            outcome=near(rng, spec.target) if past else None,
        )
        for position, spec in enumerate(COUNCIL_INDICATORS, start=1)
    ]
    bulk_create_with_history(indicators, CouncilIndicator)
    result.add("council goals", 1)
    result.add("council indicators", len(indicators))


# --- Reading what the plans build on -----------------------------------------------------------


def people_of(bodies: Iterable[Body]) -> tuple[dict[int, User], User | None]:
    """Each body's first administrator and the first SLK reviewer: real users, or none."""
    administrators: dict[int, User] = {}
    memberships = Membership.objects.filter(
        body__in=list(bodies), role=BodyRole.ADMINISTRATOR
    ).select_related("user")
    for membership in memberships.order_by("pk"):
        administrators.setdefault(membership.body_id, membership.user)
    role = (
        GlobalRole.objects.filter(role=GlobalRoleKind.SLK_REVIEWER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return administrators, role.user if role is not None else None


# --- Writing plans ------------------------------------------------------------------------------


def status_weights(done_share: float) -> tuple[list[str], list[float]]:
    """The activity statuses and their weights, by how far the year has come."""
    weights = {
        ActivityStatus.PLANNED: 3 * (1 - done_share),
        ActivityStatus.ONGOING: 5,
        ActivityStatus.DONE: 8 * done_share + 0.5,
        ActivityStatus.DELAYED: 1.5,
        ActivityStatus.CANCELLED: 0.5,
    }
    return [str(status) for status in weights], list(weights.values())


def write_plans(orders: Sequence[PlanOrder], seed: str, with_history: bool, result: Result) -> None:
    """Make every plan of ``orders`` with its goals, activities, indicators and follow-ups."""
    if not orders:
        return
    today = timezone.localdate()
    administrators, reviewer = people_of(order.body for order in orders)
    focus_by_year = {year: focus_areas_in_force(year) for year in {o.year for o in orders}}
    deadlines = {
        (d.year, d.period): d.due_on
        for d in FollowUpDeadline.objects.filter(year__in={o.year for o in orders})
    }
    rngs = [random.Random(f"{seed}:{o.body.slug}:{o.year}") for o in orders]

    plans = bulk_save(Plan, [Plan(body=o.body, year=o.year) for o in orders], with_history)
    result.add("plans", len(plans))

    goals: list[Goal] = []
    for index, (order, plan, rng) in enumerate(zip(orders, plans, rngs, strict=True)):
        titles = rng.sample(GOALS, k=min(order.size.goals, len(GOALS)))
        for position in range(1, order.size.goals + 1):
            title = titles[(position - 1) % len(titles)]
            if position > len(titles):
                title = f"{title} ({position})"
            # The last goal of every fifth plan (the first among them) protects something
            # that must stay confidential.
            confidential = position == order.size.goals and (
                index % 5 == 0 if index < 5 else rng.random() < 0.2
            )
            goals.append(
                Goal(
                    plan=plan,
                    position=position,
                    title=title,
                    description="Målet bidrar till kommunfullmäktiges mål för trygghet.",
                    # Plans are public documents: most goals are open, some internal.
                    confidentiality=(
                        Confidentiality.CONFIDENTIAL
                        if confidential
                        else rng.choices([Confidentiality.OPEN, Confidentiality.INTERNAL], [7, 3])[
                            0
                        ]
                    ),
                )
            )
    goals = bulk_save(Goal, goals, with_history)
    result.add("goals", len(goals))
    goals_by_plan: dict[int, list[Goal]] = {}
    for goal in goals:
        goals_by_plan.setdefault(goal.plan_id, []).append(goal)

    goal_links: list[Any] = []
    activity_links: list[Any] = []
    indicator_links: list[Any] = []
    activities: list[Activity] = []
    indicators: list[Indicator] = []
    for order, plan, rng in zip(orders, plans, rngs, strict=True):
        areas = focus_by_year[order.year]
        plan_goals = goals_by_plan[plan.pk]
        year_done = 1.0 if order.year < today.year else (today.timetuple().tm_yday / 366)
        choices, weights = status_weights(year_done)
        for goal in plan_goals:
            for area in rng.sample(areas, k=min(2, len(areas))):
                goal_links.append(Goal.focus_areas.through(goal_id=goal.pk, focusarea_id=area.pk))
        for n in range(order.size.activities):
            goal = plan_goals[n % len(plan_goals)]
            starts = datetime.date(order.year, rng.randint(1, 9), 1)
            activity = Activity(
                goal=goal,
                position=n // len(plan_goals) + 1,
                title=ACTIVITIES[n % len(ACTIVITIES)]
                + ("" if n < len(ACTIVITIES) else f" – etapp {n // len(ACTIVITIES) + 1}"),
                description="Insatsen genomförs i samverkan med lokala aktörer.",
                responsible_unit=rng.choice(UNITS),
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=rng.randint(60, 400)),
                # Every status once in each plan, then as the year's progress weighs them.
                status=STATUSES[n] if n < len(STATUSES) else rng.choices(choices, weights)[0],
                perspectives=sorted(rng.sample([p.value for p in Perspective], rng.randint(0, 3))),
                # One confidential activity in each plan at least (the sixth).
                confidentiality=Confidentiality.CONFIDENTIAL
                if n == len(STATUSES)
                else rng.choices(
                    [Confidentiality.OPEN, Confidentiality.INTERNAL, Confidentiality.CONFIDENTIAL],
                    [7, 2, 1],
                )[0],
            )
            activities.append(activity)
        for n in range(order.size.indicators):
            spec = INDICATORS[n % len(INDICATORS)]
            indicators.append(
                Indicator(
                    goal=plan_goals[n % len(plan_goals)],
                    position=n // len(plan_goals) + 1,
                    name=spec.name
                    + ("" if n < len(INDICATORS) else f" ({n // len(INDICATORS) + 1})"),
                    unit=spec.unit,
                    direction=spec.direction,
                    baseline=Decimal(spec.baseline),
                    target=Decimal(spec.target),
                    by_sex=spec.by_sex,
                    # The first indicator of each plan is open; after it a few are not.
                    confidentiality=Confidentiality.OPEN
                    if n == 0
                    else rng.choices(
                        [
                            Confidentiality.OPEN,
                            Confidentiality.INTERNAL,
                            Confidentiality.CONFIDENTIAL,
                        ],
                        [7, 2, 1],
                    )[0],
                )
            )
    activities = bulk_save(Activity, activities, with_history)
    indicators = bulk_save(Indicator, indicators, with_history)
    result.add("activities", len(activities))
    result.add("indicators", len(indicators))
    area_ids = links_by_goal(goal_links)
    for activity in activities:
        for area_id in area_ids.get(activity.goal_id, [])[: 1 + activity.pk % 2]:
            activity_links.append(
                Activity.focus_areas.through(activity_id=activity.pk, focusarea_id=area_id)
            )
    for indicator in indicators:
        for area_id in area_ids.get(indicator.goal_id, [])[:1]:
            indicator_links.append(
                Indicator.focus_areas.through(indicator_id=indicator.pk, focusarea_id=area_id)
            )
    throughs: list[tuple[Any, list[Any]]] = [
        (Goal.focus_areas.through, goal_links),
        (Activity.focus_areas.through, activity_links),
        (Indicator.focus_areas.through, indicator_links),
    ]
    for through, links in throughs:
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)

    write_follow_ups(
        orders,
        plans,
        rngs,
        goals_by_plan,
        activities,
        indicators,
        deadlines,
        administrators,
        reviewer,
        with_history,
        result,
    )


def _missing(orders: Iterable[PlanOrder]) -> list[PlanOrder]:
    """The orders whose body has no plan for that year yet (one query)."""
    orders = list(orders)
    existing = set(
        Plan.objects.filter(
            body__in={o.body.pk for o in orders}, year__in={o.year for o in orders}
        ).values_list("body_id", "year")
    )
    return [o for o in orders if (o.body.pk, o.year) not in existing]


# --- The two entry points ------------------------------------------------------------------------


class DemoBodiesMissing(Exception):
    """The bodies the demo builds on have not been loaded."""


@transaction.atomic
def generate_demo_year(year: int | None = None) -> Result:
    """This year's settings and the demo bodies' plans with follow-ups in every state."""
    year = year or timezone.localdate().year
    result = Result()
    rng = random.Random(f"demo:{year}")
    bodies = {body.slug: body for body in Body.objects.filter(slug__in=DEMO_BODIES)}
    missing = sorted(set(DEMO_BODIES) - set(bodies))
    if missing:
        raise DemoBodiesMissing(
            f"The demo needs the bodies {', '.join(missing)}: run "
            "`manage.py load_programme_data` first."
        )
    ensure_year_settings(year, result, rng)
    orders = [
        PlanOrder(bodies[slug], year, DEMO_SIZE, states) for slug, states in DEMO_BODIES.items()
    ]
    write_plans(_missing(orders), f"demo:{year}", with_history=True, result=result)
    return result


def _city_states(rng: random.Random, year: int, today: datetime.date) -> list[str | None]:
    """Each period's state for a city-scale plan: long past ones approved, near ones mixed.

    A period due within about ten weeks of today, before or after, is in every state
    (not started included), as SLK's overview sees the city mid-review; one due long
    before is approved, one due long after is not started.
    """
    near = datetime.timedelta(days=75)
    states: list[str | None] = []
    for due in default_deadlines(year).values():
        if due < today - near:
            states.append(FollowUpState.APPROVED)
        elif due <= today:
            states.append(rng.choice([*FollowUpState, None]))
        elif due <= today + near:
            states.append(rng.choice([FollowUpState.DRAFT, FollowUpState.SUBMITTED, None]))
        else:
            states.append(None)
    return states


def generate_city_scale(years: int = 5, bodies: int | None = None) -> Result:
    """Every active body's plan in each of the last ``years`` years, with follow-ups.

    ``bodies`` limits each year to its first so many bodies (for a quick test). One
    transaction per year, so a long run shows progress and a failure keeps what was done.
    """
    today = timezone.localdate()
    result = Result()
    for year in range(today.year - years + 1, today.year + 1):
        rng = random.Random(f"city:{year}")
        with transaction.atomic():
            ensure_year_settings(year, result, rng)
            active = list(
                Body.objects.existing_in(year).order_by("pk")[:bodies]
                if bodies
                else Body.objects.existing_in(year).order_by("pk")
            )
            orders = [
                PlanOrder(body, year, CITY_SIZE, _city_states(rng, year, today)) for body in active
            ]
            write_plans(_missing(orders), f"city:{year}", with_history=False, result=result)
    return result
