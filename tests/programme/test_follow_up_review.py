"""SLK's review page shows the activities and indicators as the body submitted them.

The rows come from the follow-up's frozen snapshot: a change to the plan after the
submission does not reach the review. The page takes a fixed number of queries however
many rows it shows.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Activity,
    ActivityStatus,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    Goal,
    Indicator,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import plan_records
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    """Body A's and body B's plans for this year, with body A's T1 follow-up a draft."""
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    world = make_plan_world(cast, YEAR, focus_area)
    world.activity_a.focus_areas.add(focus_area)
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        baseline=Decimal("55"), target=Decimal("70"), by_sex=True
    )
    return world


def review_url() -> str:
    return reverse(
        "programme:follow-up-review",
        kwargs={"slug": "jarva", "year": YEAR, "period": FollowUpPeriod.T1},
    )


def slk_client(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.slk)
    return client


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def submit(cast: Cast, world: PlanWorld) -> FollowUp:
    """Body A reports T1 (a status, a comment, an outcome for women and men) and submits."""
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up.activity_reports.filter(activity=world.activity_a).update(
        status=ActivityStatus.DELAYED, comment="Två vandringar flyttade."
    )
    follow_up.outcomes.filter(indicator=world.indicator_a).update(
        value=Decimal("62.5"), value_women=Decimal("57"), value_men=Decimal("68")
    )
    return workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)


def test_the_review_shows_the_activities_and_indicators_as_submitted(cast: Cast, world: PlanWorld):
    submit(cast, world)

    response = slk_client(cast).get(review_url())

    page = text_of(response)
    assert response.status_code == 200
    assert "Aktiviteter som de lämnades in" in page
    assert "Indikatorer som de lämnades in" in page
    assert "Trygghetsvandringar Intern Försenad – Enheten för trygghet 1. Beredskap" in page
    assert "Två vandringar flyttade." in page
    assert "Andel som känner sig trygga % 55 70 62,50 Kvinnor 57, män 68" in page
    # SLK sees the confidential activity, marked as such.
    assert "Översyn av skalskydd Konfidentiell" in page
    html = response.content.decode()
    assert reverse("programme:activity-detail", args=[world.activity_a.pk]) in html


def test_the_review_keeps_showing_what_was_submitted_after_the_plan_changes(
    cast: Cast, world: PlanWorld
):
    submit(cast, world)
    activity = Activity.objects.get(pk=world.activity_a.pk)
    plan_records.update_activity(
        cast.admin_a,
        activity,
        activity.version,
        {
            "title": "Nattvandringar",
            "responsible_unit": "Fritidsenheten",
            "status": ActivityStatus.DONE,
            "focus_areas": [],
            "perspectives": [],
            "confidentiality": Confidentiality.OPEN,
            "description": "",
            "starts_on": None,
            "ends_on": None,
        },
    )
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        name="Andel trygga i centrum", target=Decimal("90")
    )
    goal = Goal.objects.get(pk=world.goal_a.pk)
    Activity.objects.create(goal=goal, position=9, title="Ny aktivitet efter inlämningen")

    page = text_of(slk_client(cast).get(review_url()))

    assert "Trygghetsvandringar Intern Försenad – Enheten för trygghet 1. Beredskap" in page
    assert "Nattvandringar" not in page
    assert "Fritidsenheten" not in page
    assert "Andel som känner sig trygga % 55 70 62,50" in page
    assert "Andel trygga i centrum" not in page
    assert "Ny aktivitet efter inlämningen" not in page


def test_a_draft_shows_no_rows_to_review(cast: Cast, world: PlanWorld):
    follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)

    page = text_of(slk_client(cast).get(review_url()))

    assert "Aktiviteter som de lämnades in" not in page
    assert "Trygghetsvandringar" not in page


def grow_plan(world: PlanWorld, goals: int) -> None:
    """Add ``goals`` goals to body A's plan, each with three activities and two indicators."""
    made = Goal.objects.bulk_create(
        Goal(plan=world.plan_a, position=10 + n, title=f"Mål {n}") for n in range(goals)
    )
    Activity.objects.bulk_create(
        Activity(goal=goal, position=p, title=f"Aktivitet {goal.pk}.{p}")
        for goal in made
        for p in range(3)
    )
    Indicator.objects.bulk_create(
        Indicator(goal=goal, position=p, name=f"Indikator {goal.pk}.{p}", by_sex=p == 0)
        for goal in made
        for p in range(2)
    )


@pytest.mark.parametrize("goals", [1, 20])
def test_the_review_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    grow_plan(world, goals)
    submit(cast, world)
    client = slk_client(cast)
    client.get(review_url())
    caches["pages"].clear()

    # Written: the rows and the focus areas they kept read, and one query for the key.
    with django_assert_num_queries(15 + 1):
        response = client.get(review_url())
    # Kept: the key read, and nothing of the rows.
    with django_assert_num_queries(11):
        client.get(review_url())

    assert response.status_code == 200
    judgements = response.context["judgement_form"].judgements
    assert sum(len(row.submitted_activities) for row in judgements) == 2 + 3 * goals
    assert sum(len(row.submitted_indicators) for row in judgements) == 1 + 2 * goals
