"""Plan records are filtered through their body and through every level above them."""

from __future__ import annotations

import pytest

from programme import access
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    FollowUp,
    FollowUpPeriod,
    Goal,
    Indicator,
    Plan,
)
from tests.conftest import Cast


@pytest.fixture
def plan(cast: Cast) -> Plan:
    """Body A's plan: an open goal and a confidential one, each with an open activity."""
    plan = Plan.objects.create(body=cast.body_a, year=2025)
    open_goal = Goal.objects.create(plan=plan, title="Öppet mål", confidentiality="open")
    secret_goal = Goal.objects.create(
        plan=plan, title="Hemligt mål", confidentiality=Confidentiality.CONFIDENTIAL
    )
    Activity.objects.create(goal=open_goal, title="Öppen aktivitet", confidentiality="open")
    Activity.objects.create(
        goal=open_goal, title="Intern aktivitet", confidentiality=Confidentiality.INTERNAL
    )
    Activity.objects.create(
        goal=open_goal, title="Hemlig aktivitet", confidentiality=Confidentiality.CONFIDENTIAL
    )
    Activity.objects.create(goal=secret_goal, title="Under hemligt mål", confidentiality="open")
    Indicator.objects.create(goal=secret_goal, name="Hemlig indikator", confidentiality="open")
    return plan


def titles(user, model=Activity) -> set[str]:
    field = "name" if model is Indicator else "title"
    return set(access.restrict(model.objects.all(), user).values_list(field, flat=True))


def test_a_reader_sees_no_activity_that_is_or_sits_under_something_confidential(
    cast: Cast, plan: Plan
):
    assert titles(cast.reader_a) == {"Öppen aktivitet", "Intern aktivitet"}
    assert titles(cast.reader_a, Goal) == {"Öppet mål"}
    assert titles(cast.reader_a, Indicator) == set()


def test_the_body_administrator_and_slk_see_every_activity(cast: Cast, plan: Plan):
    everything = {"Öppen aktivitet", "Intern aktivitet", "Hemlig aktivitet", "Under hemligt mål"}

    assert titles(cast.admin_a) == everything
    assert titles(cast.slk) == everything


def test_other_bodies_and_roles_without_a_membership_see_nothing(cast: Cast, plan: Plan):
    for user in (cast.admin_b, cast.official, cast.no_role, cast.sysadmin):
        assert titles(user) == set(), user.username
        assert set(access.restrict(Plan.objects.all(), user)) == set(), user.username


def test_a_general_report_takes_only_open_activities_under_open_goals(plan: Plan):
    general = access.for_general_report(Activity.objects.all())

    assert set(general.values_list("title", flat=True)) == {"Öppen aktivitet"}


def test_a_follow_up_row_inherits_the_levels_of_its_activity_and_goal(cast: Cast, plan: Plan):
    follow_up = FollowUp.objects.create(plan=plan, period=FollowUpPeriod.T1)
    for activity in Activity.objects.all():
        ActivityReport.objects.create(
            follow_up=follow_up, activity=activity, status=ActivityStatus.ONGOING
        )

    seen = access.restrict(ActivityReport.objects.all(), cast.reader_a)

    assert set(seen.values_list("activity__title", flat=True)) == {
        "Öppen aktivitet",
        "Intern aktivitet",
    }
    assert access.restrict(ActivityReport.objects.all(), cast.admin_a).count() == 4


def test_only_the_body_administrators_may_change_plan_records(cast: Cast, plan: Plan):
    changeable = {
        user.username: access.restrict(Activity.objects.all(), user, access.Action.CHANGE).count()
        for user in (cast.admin_a, cast.reader_a, cast.slk, cast.admin_b)
    }

    assert changeable == {
        cast.admin_a.username: 4,
        cast.reader_a.username: 0,
        cast.slk.username: 0,
        cast.admin_b.username: 0,
    }


def test_may_see_confidential_is_for_the_administrators_and_slk(cast: Cast):
    assert access.may_see_confidential(cast.admin_a, cast.body_a)
    assert access.may_see_confidential(cast.slk, cast.body_a)
    assert not access.may_see_confidential(cast.reader_a, cast.body_a)
    assert not access.may_see_confidential(cast.admin_b, cast.body_a)
