"""Optimistic locking: a save made from an old version is refused and shows what changed."""

from __future__ import annotations

import pytest
from django.db import transaction

from programme.locking import OVERWRITE, EditConflict, lock_version, save_next_version
from programme.models import Activity, ActivityStatus, Goal, Plan
from tests.conftest import Cast


@pytest.fixture
def activity(cast: Cast) -> Activity:
    plan = Plan.objects.create(body=cast.body_a, year=2025)
    goal = Goal.objects.create(plan=plan, title="Tryggare centrum")
    return Activity.objects.create(goal=goal, title="Trygghetsvandringar")


def edit(activity_pk: int, seen_version: int, user, **values: str) -> Activity:
    with transaction.atomic():
        record = lock_version(Activity.objects.all(), activity_pk, seen_version)
        for name, value in values.items():
            setattr(record, name, value)
        save_next_version(record, user)
    return record


def test_a_save_from_the_current_version_is_kept_and_raises_the_version(
    cast: Cast, activity: Activity
):
    saved = edit(activity.pk, 1, cast.admin_a, status=ActivityStatus.ONGOING)

    activity.refresh_from_db()
    assert saved.version == 2
    assert activity.version == 2
    assert activity.status == ActivityStatus.ONGOING
    assert activity.history.first().history_user == cast.admin_a


def test_a_save_from_an_old_version_is_refused_and_changes_nothing(cast: Cast, activity: Activity):
    edit(activity.pk, 1, cast.admin_a, status=ActivityStatus.DELAYED)

    with pytest.raises(EditConflict) as refused:
        edit(activity.pk, 1, cast.slk, status=ActivityStatus.DONE, title="Annat namn")

    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELAYED
    assert activity.title == "Trygghetsvandringar"
    assert activity.version == 2
    assert refused.value.message.startswith("Någon annan har sparat ändringar här")


def test_the_refusal_lists_who_changed_what_since_the_form_was_opened(
    cast: Cast, activity: Activity
):
    edit(activity.pk, 1, cast.admin_a, status=ActivityStatus.DELAYED)

    with pytest.raises(EditConflict) as refused:
        edit(activity.pk, 1, cast.slk, status=ActivityStatus.DONE)

    [entry] = refused.value.changes
    assert entry.who == cast.admin_a.get_full_name()
    assert [(change.field, change.old, change.new) for change in entry.changes] == [
        ("status", "planerad", "försenad")
    ]


def test_code_that_means_to_overwrite_says_so_by_name(cast: Cast, activity: Activity):
    edit(activity.pk, 1, cast.admin_a, status=ActivityStatus.DELAYED)

    with transaction.atomic():
        record = lock_version(Activity.objects.all(), activity.pk, OVERWRITE)

    assert record.version == 2


@pytest.mark.parametrize("seen", [None, "2", True])
def test_a_change_that_names_no_version_is_an_error_not_an_overwrite(
    cast: Cast, activity: Activity, seen: object
):
    with pytest.raises(TypeError, match="OVERWRITE"), transaction.atomic():
        lock_version(Activity.objects.all(), activity.pk, seen)  # type: ignore[arg-type]
