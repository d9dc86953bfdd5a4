"""The follow-up form not yet filled in, and the goals' part of SLK's review, are kept
written under keys of ``programme.queries.follow_up_keys``: read again they come from the
cache and are the same page; every change to what they show is on the next page at once;
the CSRF token is never kept; a filled-in form is always written afresh."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches

from programme.models import (
    Activity,
    ActivityStatus,
    FocusArea,
    FollowUp,
    Goal,
    GoalJudgement,
    Indicator,
    Judgement,
    Programme,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import maintenance, plan_records
from tests.access.matrix_support import PlanWorld
from tests.conftest import Cast
from tests.programme.test_follow_up_views import (  # noqa: F401 (a fixture)
    client_for,
    form_data,
    fu_a,
    url,
    world,
)
from tests.programme.test_form_field_memory import _without_token
from tests.programme.test_fragment_cache import _spy

pytestmark = pytest.mark.django_db

KEPT = "template.cache.follow-up-form"
# The whole parts of a page are kept in the cache "pages" (config.settings).
cache = caches["pages"]


def _kept_entries(prefix: str = KEPT) -> list[str]:
    return [key for key in cache._cache if prefix in key]  # type: ignore[attr-defined]


def test_the_form_read_again_comes_from_the_cache_and_is_the_same(
    cast: Cast,
    world: PlanWorld,  # noqa: F811 (the fixture imported from test_follow_up_views)
) -> None:
    client = client_for(cast, "admin_a")
    written = client.get(url("follow-up-edit")).content.decode()
    assert len(_kept_entries()) == 1

    counts, spying = _spy(KEPT, using="pages")
    with spying:
        taken = client.get(url("follow-up-edit")).content.decode()

    assert counts == {"hit": 1, "miss": 0}
    assert _without_token(taken) == _without_token(written)
    assert f'name="activity-{world.activity_a.pk}-status"' in taken


def _edit_activity(cast: Cast, plan_world: PlanWorld) -> str:
    activity = Activity.objects.get(pk=plan_world.activity_a.pk)
    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"title": "Nattvandringar i centrum"}
    )
    return "Nattvandringar i centrum"


def _edit_goal(cast: Cast, plan_world: PlanWorld) -> str:
    goal = Goal.objects.get(pk=plan_world.goal_a.pk)
    plan_records.update_goal(cast.admin_a, goal, goal.version, {"title": "Tryggt året runt"})
    return "Tryggt året runt"


def _edit_indicator(cast: Cast, plan_world: PlanWorld) -> str:
    indicator = Indicator.objects.get(pk=plan_world.indicator_a.pk)
    plan_records.update_indicator(
        cast.admin_a, indicator, indicator.version, {"baseline": Decimal("41.5")}
    )
    return "Utgångsvärde 41,5"


def _add_activity(cast: Cast, plan_world: PlanWorld) -> str:
    plan_records.create_activity(
        cast.admin_a,
        plan_world.goal_a,
        {"title": "Belysning i gångtunnlar", "status": ActivityStatus.PLANNED},
    )
    return "Belysning i gångtunnlar"


def _save_follow_up(cast: Cast, plan_world: PlanWorld) -> str:
    other = client_for(cast, "admin_a")
    data = form_data(other.get(url("follow-up-edit")))
    data["narrative"] = "<p>Sparat i en annan flik</p>"
    assert other.post(url("follow-up-edit"), data).status_code == 302
    return "Sparat i en annan flik"


CHANGES: dict[str, Callable[[Cast, PlanWorld], str]] = {
    "an activity edited": _edit_activity,
    "a goal edited": _edit_goal,
    "an indicator edited": _edit_indicator,
    "an activity added": _add_activity,
    "the follow-up saved elsewhere": _save_follow_up,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_what_the_form_shows_is_on_the_next_page(
    change: str,
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    client = client_for(cast, "admin_a")
    before = client.get(url("follow-up-edit")).content.decode()

    shown = CHANGES[change](cast, world)
    after = re.sub(r"\s+", " ", client.get(url("follow-up-edit")).content.decode())

    assert shown not in re.sub(r"\s+", " ", before)
    assert shown in after
    cache.clear()
    written = re.sub(r"\s+", " ", client.get(url("follow-up-edit")).content.decode())
    assert _without_token(after) == _without_token(written)


def test_an_activity_removed_is_gone_from_the_next_page(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    added = plan_records.create_activity(
        cast.admin_a, world.goal_a, {"title": "Tillfällig insats", "status": "planned"}
    )
    client = client_for(cast, "admin_a")
    assert "Tillfällig insats" in client.get(url("follow-up-edit")).content.decode()

    plan_records.delete_activity(cast.admin_a, added, added.version)

    assert "Tillfällig insats" not in client.get(url("follow-up-edit")).content.decode()


def test_each_page_has_its_own_csrf_token_and_none_is_kept(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    first, second = client_for(cast, "admin_a"), client_for(cast, "admin_a")
    pages = [client.get(url("follow-up-edit")) for client in (first, second)]

    tokens = [
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        for page in pages
    ]
    assert all(tokens) and tokens[0].group(1) != tokens[1].group(1)  # type: ignore[union-attr]
    kept = [cache.get(key) for key in _kept_entries()]
    assert kept and all("csrfmiddlewaretoken" not in str(text) for text in kept)
    # Each token is the one its own session posts with.
    data = form_data(pages[1])
    data["csrfmiddlewaretoken"] = tokens[1].group(1)  # type: ignore[union-attr]
    second.handler.enforce_csrf_checks = True
    assert second.post(url("follow-up-edit"), data).status_code == 302


def test_a_refused_form_is_written_afresh_and_the_kept_form_is_not_touched(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    client = client_for(cast, "admin_a")
    response = client.get(url("follow-up-edit"))
    kept_before = {key: cache.get(key) for key in _kept_entries()}
    data = form_data(response)
    data[f"indicator-{world.indicator_a.pk}-value"] = "tolv"

    refused = client.post(url("follow-up-edit"), data).content.decode()

    assert 'value="tolv"' in refused and "error-summary" in refused
    assert {key: cache.get(key) for key in _kept_entries()} == kept_before
    again = client.get(url("follow-up-edit")).content.decode()
    assert 'value="tolv"' not in again and "error-summary" not in again


def test_the_language_is_part_of_the_key(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    client = client_for(cast, "admin_a")
    swedish = client.get(url("follow-up-edit")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url("follow-up-edit")).content.decode()

    assert "<h3>Aktiviteter</h3>" in swedish
    assert "<h3>Activities</h3>" in english
    assert len(_kept_entries()) == 2


def test_the_key_is_read_in_one_query(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
    django_assert_num_queries: Any,
) -> None:
    from programme.queries.follow_up_keys import records_state

    follow_up: FollowUp = fu_a()
    records_state(cast.admin_a, follow_up)  # the user's grants, read once a request
    with django_assert_num_queries(1):
        state = records_state(cast.admin_a, follow_up)
    goals, activities, indicators, areas, programmes = state
    assert areas[:2] == ("focus area", FocusArea.objects.count())
    assert programmes[:2] == ("programme", Programme.objects.count())
    assert goals[:2] == ("goal", Goal.objects.filter(plan=world.plan_a).count())
    assert activities[:2] == (
        "activity",
        Activity.objects.filter(goal__plan=world.plan_a).count(),
    )
    assert indicators[:2] == (
        "indicator",
        Indicator.objects.filter(goal__plan=world.plan_a).count(),
    )
    # A reader of the body counts only what a reader may see.
    assert records_state(cast.reader_a, follow_up)[1][1] < activities[1]


# --- SLK's review -------------------------------------------------------------------------


def _submitted(cast: Cast) -> FollowUp:
    follow_up = fu_a()
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)
    follow_up = fu_a()
    return workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)


def test_the_review_read_again_comes_from_the_cache_and_is_the_same(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    _submitted(cast)
    client = client_for(cast, "slk")
    written = client.get(url("follow-up-review")).content.decode()

    counts, spying = _spy("template.cache.follow-up-review", using="pages")
    with spying:
        taken = client.get(url("follow-up-review")).content.decode()

    assert counts == {"hit": 2, "miss": 0}  # the summary and the goals' part
    assert _without_token(taken) == _without_token(written)
    assert "Trygghetsvandringar" in taken


def test_slks_judgements_saved_are_on_the_next_review_page(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    follow_up = _submitted(cast)
    client = client_for(cast, "slk")
    before = client.get(url("follow-up-review")).content.decode()
    assert "judgement-summary" not in before

    workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {
            row.goal_id: follow_up_services.JudgementInput(Judgement.NOT_MET, "Inte alls")
            for row in GoalJudgement.objects.filter(follow_up=follow_up)
        },
        follow_up.version,
    )
    after = client.get(url("follow-up-review")).content.decode()

    assert "judgement-summary" in after and "Inte alls" in after


def test_a_focus_area_renamed_is_on_the_next_review_page(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    area = world.goal_a.focus_areas.get()
    world.activity_a.focus_areas.add(area)  # kept by the activity's row at submission
    _submitted(cast)
    client = client_for(cast, "slk")
    assert area.title[:20] in client.get(url("follow-up-review")).content.decode()

    maintenance.update_focus_area(
        cast.slk,
        area,
        area.version,
        {"title": "Trygga offentliga miljöer"},
        list(area.goal_areas.all()),
    )

    assert "Trygga offentliga miljöer" in client.get(url("follow-up-review")).content.decode()


def test_a_refused_review_form_is_written_afresh(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    follow_up = _submitted(cast)
    client = client_for(cast, "slk")
    client.get(url("follow-up-review"))
    kept_before = {key: cache.get(key) for key in _kept_entries("follow-up-review")}
    goal = GoalJudgement.objects.filter(follow_up=follow_up).first()
    assert goal is not None

    refused = client.post(
        url("follow-up-review"),
        {"version": str(follow_up.version), f"goal-{goal.goal_id}-slk_judgement": "nonsense"},
    ).content.decode()

    assert "error-summary" in refused
    kept_after = {key: cache.get(key) for key in _kept_entries("follow-up-review")}
    assert kept_after == kept_before
    assert "error-summary" not in client.get(url("follow-up-review")).content.decode()
