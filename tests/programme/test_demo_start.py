"""The demo data leaves this year with something to do for every demo role, and loading
it again changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from programme.models import FollowUp, FollowUpPeriod, FollowUpState, Plan
from programme.queries import start as start_queries
from programme.services.fixtures import LoadResult

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
TERTIALS = (FollowUpPeriod.T1, FollowUpPeriod.T2)


def load_demo() -> None:
    """What ``scripts/start`` runs: the demo users, then the demo year of plans."""
    call_command("create_demo_user", stdout=StringIO())
    call_command("generate_plan_data", "--if-empty", stdout=StringIO())


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


def test_this_year_has_a_tertial_in_draft_one_waiting_for_slk_and_one_returned(
    loaded_data: LoadResult,
):
    load_demo()

    this_year = FollowUp.objects.filter(plan__year=YEAR, period__in=TERTIALS)
    for state in (FollowUpState.DRAFT, FollowUpState.SUBMITTED, FollowUpState.RETURNED):
        assert this_year.filter(
            state=state, plan__body__slug__in=["jarva", "skarholmen"]
        ).exists(), state


def test_each_demo_administrator_has_a_tertial_to_work_on(loaded_data: LoadResult):
    load_demo()

    for username, wanted in (
        ("jarva-administrator", FollowUpState.RETURNED),
        ("skarholmen-administrator", FollowUpState.DRAFT),
    ):
        page = start_queries.start_page(demo_user(username))
        [tasks] = page.administered
        found = {(task.year, task.period, task.workflow_state) for task in tasks.follow_ups}
        assert (YEAR, FollowUpPeriod.T2, wanted) in found, username


def test_slk_has_a_follow_up_to_review_and_readers_have_reports(loaded_data: LoadResult):
    load_demo()

    review = start_queries.start_page(demo_user("slk-granskare")).review
    assert review is not None
    assert any(
        row.plan.body.slug == "skarholmen" and row.period == FollowUpPeriod.T1
        for row in review.waiting
    )
    for username in ("tjansteperson", "jarva-lasare"):
        reading = start_queries.start_page(demo_user(username)).reading
        assert reading is not None and reading.reports, username
    assert not start_queries.start_page(demo_user("utan-roll")).has_role


def test_loading_the_demo_again_changes_nothing(loaded_data: LoadResult):
    load_demo()
    before = (
        Plan.objects.count(),
        sorted(FollowUp.objects.values_list("plan__body__slug", "period", "state")),
    )

    load_demo()
    call_command("generate_plan_data", stdout=StringIO())

    after = (
        Plan.objects.count(),
        sorted(FollowUp.objects.values_list("plan__body__slug", "period", "state")),
    )
    assert after == before
