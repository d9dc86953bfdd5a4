"""Changes that race: two real database connections meet between one change's check and write.

PostgreSQL only (README, "Test it"): SQLite locks the whole database for a writer, so
two connections there never interleave the way they do in production, and its
in-memory test database cannot be shared by two threads at all. Each test holds the
first change between its check and its write (``race_support.Race``) while the second
runs, then asserts the final state.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from programme.locking import EditConflict
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Body,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Plan,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import plan_records
from programme.services import plans as plan_services
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast
from tests.programme.race_support import Race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


def report_status(cast: Cast, follow_up: FollowUp, activity: Activity, status: str) -> FollowUp:
    """Start ``follow_up`` and report ``status`` for ``activity`` in it."""
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)
    ActivityReport.objects.filter(follow_up=follow_up, activity=activity).update(status=status)
    return FollowUp.objects.get(pk=follow_up.pk)


def versions_are_distinct(record: Any) -> bool:
    """Whether every save of ``record`` raised its version (no two history rows share one)."""
    versions = list(record.history.values_list("version", flat=True))
    return len(versions) == len(set(versions))


def test_copying_statuses_to_the_plan_and_editing_an_activity_do_not_share_a_version(
    cast: Cast, world: PlanWorld, monkeypatch: pytest.MonkeyPatch
):
    activity = world.activity_a
    follow_up = report_status(cast, world.follow_up_a, activity, ActivityStatus.ONGOING)
    race = Race()
    copy = workflow.save_next_version

    def held_copy(record: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(record, Activity):
            race.hold()
        copy(record, *args, **kwargs)

    monkeypatch.setattr(workflow, "save_next_version", held_copy)

    submitted, edited = race.run(
        lambda: workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version),
        lambda: plan_records.update_activity(
            cast.admin_a, activity, activity.version, {"title": "Trygghetsvandringar i Rinkeby"}
        ),
    )

    submitted.unwrap()
    fresh = Activity.objects.get(pk=activity.pk)
    assert fresh.status == ActivityStatus.ONGOING
    assert versions_are_distinct(fresh)
    if edited.error is None:
        assert fresh.title == "Trygghetsvandringar i Rinkeby"
        assert fresh.version == activity.version + 2
    else:
        assert isinstance(edited.error, EditConflict)
        assert fresh.title == activity.title
        assert fresh.version == activity.version + 1
    # The history's newest row is what the table holds.
    assert fresh.history.first().title == fresh.title


def test_submitting_t1_and_t2_at_once_leaves_t2s_statuses_on_the_plan(
    cast: Cast, world: PlanWorld, monkeypatch: pytest.MonkeyPatch
):
    activity = world.activity_a
    t1 = report_status(cast, world.follow_up_a, activity, ActivityStatus.DELAYED)
    t2 = FollowUp.objects.create(plan=world.plan_a, period=FollowUpPeriod.T2)
    t2 = report_status(cast, t2, activity, ActivityStatus.DONE)
    race = Race()
    monkeypatch.setattr(workflow, "_is_latest_reported", race.holding(workflow._is_latest_reported))

    first, second = race.run(
        lambda: workflow.submit_follow_up(cast.admin_a, t1, t1.version),
        lambda: workflow.submit_follow_up(cast.admin_a, t2, t2.version),
    )

    first.unwrap()
    second.unwrap()
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.DONE
    assert set(FollowUp.objects.filter(plan=world.plan_a).values_list("state", flat=True)) == {
        FollowUpState.SUBMITTED
    }


def test_deleting_an_activity_while_its_follow_up_is_submitted_leaves_the_snapshot_whole(
    cast: Cast, world: PlanWorld, monkeypatch: pytest.MonkeyPatch
):
    activity = world.activity_a
    follow_up = report_status(cast, world.follow_up_a, activity, ActivityStatus.ONGOING)
    race = Race()
    monkeypatch.setattr(plan_records, "_submitted", race.holding(plan_records._submitted))

    deleted, submitted = race.run(
        lambda: plan_records.delete_activity(cast.admin_a, activity, activity.version),
        lambda: workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version),
    )

    submitted.unwrap()
    fresh = FollowUp.objects.get(pk=follow_up.pk)
    assert fresh.state == FollowUpState.SUBMITTED
    # No row of the snapshot was deleted after the follow-up was submitted.
    assert not ActivityReport.history.filter(
        follow_up_id=fresh.pk, history_type="-", history_date__gte=fresh.submitted_at
    ).exists()
    if deleted.error is None:
        assert not Activity.objects.filter(pk=activity.pk).exists()
    else:
        assert ActivityReport.objects.filter(follow_up=fresh, activity=activity).exists()


def test_taking_over_a_plan_while_its_goal_is_edited_keeps_the_edit_or_refuses_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
):
    predecessor = Plan.objects.create(body=Body.objects.get(slug="rinkeby-kista"), year=2023)
    goal = Goal.objects.create(plan=predecessor, title="Mål för Rinkeby-Kista")
    race = Race()
    move = plan_services.save_next_version

    def held_move(record: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(record, Goal):
            race.hold()
        move(record, *args, **kwargs)

    monkeypatch.setattr(plan_services, "save_next_version", held_move)

    taken, edited = race.run(
        lambda: plan_services.take_over_plans(cast.slk, cast.body_a, 2023),
        lambda: plan_records.update_goal(
            cast.admin_a, goal, goal.version, {"title": "Tryggare Rinkeby"}
        ),
    )

    successor_plan = taken.unwrap()
    fresh = Goal.objects.get(pk=goal.pk)
    assert fresh.plan == successor_plan
    assert versions_are_distinct(fresh)
    if edited.error is None:
        assert fresh.title == "Tryggare Rinkeby"
    else:
        assert isinstance(edited.error, EditConflict)
        assert fresh.title == "Mål för Rinkeby-Kista"
    assert fresh.history.first().title == fresh.title


def test_a_goal_added_while_its_plan_is_taken_over_lands_on_the_successors_plan_or_is_refused(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
):
    predecessor = Plan.objects.create(body=Body.objects.get(slug="rinkeby-kista"), year=2023)
    Goal.objects.create(plan=predecessor, title="Mål för Rinkeby-Kista")
    race = Race()
    monkeypatch.setattr(
        plan_records, "_check_plan_open", race.holding(plan_records._check_plan_open)
    )

    added, taken = race.run(
        lambda: plan_records.create_goal(cast.admin_a, predecessor, {"title": "Ett nytt mål"}),
        lambda: plan_services.take_over_plans(cast.slk, cast.body_a, 2023),
    )

    successor_plan = taken.unwrap()
    added.unwrap()
    # No goal is left behind on a plan that was taken over.
    assert not Goal.objects.filter(plan=predecessor).exists()
    assert set(Goal.objects.filter(plan=successor_plan).values_list("title", flat=True)) == {
        "Mål för Rinkeby-Kista",
        "Ett nytt mål",
    }
