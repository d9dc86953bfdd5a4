"""The made-up plans and follow-ups: the demo year and city scale for benchmarks."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from programme.demo.plan_content import DEMO_BODIES
from programme.demo.plans import generate_demo_year
from programme.lineage import focus_areas_in_force
from programme.models import (
    Activity,
    ActivityReport,
    Body,
    Confidentiality,
    CouncilGoal,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Perspective,
    Plan,
)
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE
from programme.services.fixtures import LoadResult
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

ALL_MODELS: list[Any] = [
    Plan,
    Goal,
    Activity,
    Indicator,
    FollowUp,
    ActivityReport,
    IndicatorOutcome,
    GoalJudgement,
    FollowUpDeadline,
    CouncilGoal,
    Goal.focus_areas.through,
    Activity.focus_areas.through,
    Indicator.focus_areas.through,
]


def counts() -> list[int]:
    """How many rows each generated kind of record has."""
    return [model._default_manager.count() for model in ALL_MODELS]


def run(*args: str) -> str:
    """Run ``generate_plan_data`` and return what it printed."""
    out = StringIO()
    call_command("generate_plan_data", *args, stdout=out)
    return out.getvalue()


def test_the_demo_year_has_follow_ups_in_every_state(cast: Cast):
    run()
    year = timezone.localdate().year

    states = set(FollowUp.objects.filter(plan__year=year).values_list("state", flat=True))
    assert states == set(FollowUpState)
    returned = FollowUp.objects.get(state=FollowUpState.RETURNED)
    assert returned.review_comment
    # Marked with the real people where there are some: Järva's administrator and SLK.
    assert returned.plan.body == cast.body_a
    assert returned.submitted_by == cast.admin_a
    assert returned.reviewed_by == cast.slk
    # A body with a plan but no follow-up at all: not started, overdue once T1 is due.
    assert Plan.objects.filter(year=year, follow_ups__isnull=True).exists()
    # Each period's deadline, and a period nobody has handed in yet (not started).
    assert set(FollowUpDeadline.objects.filter(year=year).values_list("period", flat=True)) == set(
        FollowUpPeriod
    )
    assert not FollowUp.objects.filter(
        period=FollowUpPeriod.ANNUAL, state__in=[FollowUpState.SUBMITTED, FollowUpState.APPROVED]
    ).exists()


def test_the_demo_year_covers_the_demo_bodies_with_realistic_plans(cast: Cast):
    run()
    year = timezone.localdate().year

    slugs = set(Plan.objects.filter(year=year).values_list("body__slug", flat=True))
    assert {"jarva", "skarholmen"} <= slugs
    assert slugs == set(DEMO_BODIES)
    assert CouncilGoal.objects.get(year=year).title == DEFAULT_COUNCIL_GOAL_TITLE
    assert CouncilGoal.objects.get(year=year).indicators.count() >= 3
    jarva = Activity.objects.filter(goal__plan__body=cast.body_a, goal__plan__year=year)
    assert jarva.filter(confidentiality=Confidentiality.CONFIDENTIAL).exists()
    assert len({a.status for a in jarva}) >= 3
    assert {p for a in jarva for p in a.perspectives} <= {p.value for p in Perspective}
    in_force = {area.pk for area in focus_areas_in_force(year)}
    linked = set(
        Activity.focus_areas.through.objects.filter(activity__in=jarva).values_list(
            "focusarea_id", flat=True
        )
    )
    assert linked and linked <= in_force
    split = IndicatorOutcome.objects.filter(indicator__by_sex=True).first()
    assert split is not None and split.value_women is not None and split.value_men is not None
    # Each follow-up reports every activity, indicator and goal of its plan.
    follow_up = FollowUp.objects.filter(plan__body=cast.body_a, period=FollowUpPeriod.T1).get()
    assert follow_up.activity_reports.count() == jarva.count()
    assert follow_up.goal_judgements.count() == Goal.objects.filter(plan=follow_up.plan).count()


def test_the_demo_year_invents_no_users(cast: Cast):
    users_before = set(cast.slk.__class__.objects.values_list("pk", flat=True))
    run()

    assert set(cast.slk.__class__.objects.values_list("pk", flat=True)) == users_before
    assert not Plan.history.exclude(history_user=None).exists()


def test_running_the_demo_twice_changes_nothing(loaded_data: LoadResult):
    run()
    before = counts()

    output = run()

    assert counts() == before
    assert "Nothing to add" in output


def test_if_empty_leaves_a_database_with_plans_alone(loaded_data: LoadResult):
    Plan.objects.create(body=Body.objects.get(slug="jarva"), year=2020)
    before = counts()

    output = run("--if-empty")

    assert counts() == before
    assert "nothing generated" in output


def test_the_demo_needs_the_bodies_loaded(db: None):
    with pytest.raises(Exception, match="load_programme_data"):
        generate_demo_year()
    assert counts() == [0] * len(ALL_MODELS)


def test_city_scale_gives_each_body_sixty_activities_and_ten_indicators(
    loaded_data: LoadResult,
):
    output = run("--city-scale", "--years", "2", "--bodies", "3")
    year = timezone.localdate().year

    plans = Plan.objects.filter(year__in=[year - 1, year])
    assert plans.count() == 6
    for plan in plans:
        assert Activity.objects.filter(goal__plan=plan).count() == 60
        assert Indicator.objects.filter(goal__plan=plan).count() == 10
    last_year = FollowUp.objects.filter(plan__year=year - 1)
    assert last_year.count() == 3 * 3
    assert set(last_year.values_list("state", flat=True)) == {FollowUpState.APPROVED}
    assert ActivityReport.objects.filter(follow_up__in=last_year).count() == 3 * 3 * 60
    assert IndicatorOutcome.objects.filter(follow_up__in=last_year).count() == 3 * 3 * 10
    assert "Added" in output
    before = counts()

    run("--city-scale", "--years", "2", "--bodies", "3")

    assert counts() == before
