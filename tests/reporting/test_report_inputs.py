"""What each variant of a body's report may print, decided through the access module."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from programme import report_access
from programme.models import (
    Activity,
    ActivityReport,
    Audience,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
)
from reporting.queries.report_inputs import report_inputs
from tests.conftest import Cast
from tests.reporting import report_world as w
from tests.reporting.report_world import ReportWorld

pytestmark = pytest.mark.django_db

FULL, MEMBERS, GENERAL = Audience.FULL, Audience.MEMBERS, Audience.GENERAL
CONFIDENTIAL_LEVEL = "confidential"


def _text(inputs: dict) -> str:
    return json.dumps(inputs, ensure_ascii=False)


def test_the_full_variant_prints_every_record_of_the_snapshot(report_world: ReportWorld):
    inputs = report_inputs(report_world.annual, FULL)
    text = _text(inputs)

    for name in (
        w.OPEN_ACTIVITY,
        w.INTERNAL_ACTIVITY,
        w.CONFIDENTIAL_ACTIVITY,
        w.CONFIDENTIAL_GOAL,
    ):
        assert name in text
    assert [goal["title"] for goal in inputs["goals"]] == [
        w.OPEN_GOAL,
        w.INTERNAL_GOAL,
        w.CONFIDENTIAL_GOAL,
    ]
    assert inputs["not_shown"] == {"goals": 0, "activities": 0, "indicators": 0, "duties": 0}
    assert len(inputs["duties"]) == 3
    assert inputs["approved"] and inputs["frozen"]


def test_the_members_variant_leaves_out_confidential_records_without_a_trace(
    report_world: ReportWorld,
):
    inputs = report_inputs(report_world.annual, MEMBERS)
    text = _text(inputs)

    assert w.INTERNAL_ACTIVITY in text and w.SITUATION_PICTURE in text
    assert w.CONFIDENTIAL_ACTIVITY not in text and w.CONFIDENTIAL_GOAL not in text
    assert sum(row["count"] for row in inputs["activity_counts"]) == 3  # 2 + the internal goal's
    assert len(inputs["duties"]) == 2  # the confidential duty is left out


def test_the_general_variant_shows_open_text_and_only_counts_internal_records(
    report_world: ReportWorld,
):
    inputs = report_inputs(report_world.annual, GENERAL)
    text = _text(inputs)

    assert w.OPEN_ACTIVITY in text and w.OPEN_INDICATOR in text and w.NARRATIVE in text
    for hidden in (
        w.INTERNAL_ACTIVITY,
        w.CONFIDENTIAL_ACTIVITY,
        w.INTERNAL_GOAL,
        w.CONFIDENTIAL_GOAL,
        w.INTERNAL_INDICATOR,
        w.SITUATION_PICTURE,  # internal text
    ):
        assert hidden not in text
    # Internal records are counted: the internal activity, the internal goal and its
    # activity; the confidential ones are not.
    assert inputs["not_shown"] == {"goals": 1, "activities": 2, "indicators": 1, "duties": 1}
    counts = {row["key"]: row["count"] for row in inputs["activity_counts"]}
    assert counts["done"] == 1 and counts["ongoing"] == 1 and counts["delayed"] == 0
    assert sum(counts.values()) == 3
    assert inputs["duty_counts"] == {"met": 2, "total": 2}
    assert inputs["review_comment"] == ""


def test_a_draft_reports_the_plan_as_it_stands_and_is_marked_a_draft(report_world: ReportWorld):
    inputs = report_inputs(report_world.draft, FULL)

    assert not inputs["approved"] and not inputs["frozen"]
    assert inputs["period"] == "t1" and inputs["council_goal"] is None


def test_the_year_names_the_body_whose_plan_was_taken_over(report_world: ReportWorld):
    assert report_inputs(report_world.annual, GENERAL)["predecessors"] == [w.PREDECESSOR]


def test_labels_are_in_the_language_asked_for(report_world: ReportWorld):
    with translation.override("sv"):
        inputs = report_inputs(report_world.annual, FULL)

    assert inputs["period_label"] == str(FollowUpPeriod.ANNUAL.label)
    assert {row["label"] for row in inputs["activity_counts"]} >= {"genomförd", "pågående"}


@pytest.mark.parametrize(
    ("persona", "annual", "draft"),
    [
        ("admin_a", [FULL, MEMBERS, GENERAL], [FULL, MEMBERS, GENERAL]),
        ("slk", [FULL, MEMBERS, GENERAL], [FULL, MEMBERS, GENERAL]),
        ("reader_a", [MEMBERS, GENERAL], [MEMBERS]),
        ("official", [GENERAL], []),
        ("admin_b", [], []),
        ("no_role", [], []),
        ("sysadmin", [], []),
    ],
)
def test_the_access_module_decides_the_variants_of_each_reader(
    report_world: ReportWorld, cast: Cast, persona: str, annual: list, draft: list
):
    user = cast.by_name(persona)
    follow_ups = [report_world.annual, report_world.draft]

    audiences = report_access.report_audiences(user, follow_ups)
    listed = set(report_access.report_follow_ups(user).filter(plan__year=w.YEAR))

    assert audiences[report_world.annual.pk] == annual
    assert audiences[report_world.draft.pk] == draft
    assert listed == {f for f in follow_ups if audiences[f.pk]}
    assert report_world.annual.state == FollowUpState.APPROVED


def test_a_draft_prints_the_plan_as_it_stands_with_its_new_items_focus_areas_and_duties(
    report_world: ReportWorld,
):
    goal = Goal.objects.get(plan=report_world.draft.plan, title=w.OPEN_GOAL)
    Activity.objects.create(goal=goal, position=9, title="Nattvandring med föräldrar")
    annual_draft = FollowUp.objects.create(plan=report_world.draft.plan, period="t2")

    inputs = report_inputs(report_world.draft, FULL)
    activities = [a for g in inputs["goals"] for a in g["activities"]]

    assert "Nattvandring med föräldrar" in [a["title"] for a in activities]
    named = (w.OPEN_ACTIVITY, w.INTERNAL_ACTIVITY, w.CONFIDENTIAL_ACTIVITY)
    assert all(a["focus_areas"] for a in activities if a["title"] in named)
    assert report_inputs(annual_draft, FULL)["goals"]  # a follow-up with no rows yet


def test_a_record_made_confidential_after_submission_is_printed_at_its_level_now(
    report_world: ReportWorld,
):
    Activity.objects.filter(title=w.OPEN_ACTIVITY).update(confidentiality=CONFIDENTIAL_LEVEL)

    full = report_inputs(report_world.annual, FULL)
    members = _text(report_inputs(report_world.annual, MEMBERS))

    printed = [a for g in full["goals"] for a in g["activities"] if a["title"] == w.OPEN_ACTIVITY]
    assert printed[0]["level"] == CONFIDENTIAL_LEVEL and full["holds_confidential"]
    assert w.OPEN_ACTIVITY not in members
    # The snapshot itself is unchanged: its row keeps the level it was submitted with.
    assert (
        ActivityReport.objects.get(
            follow_up=report_world.annual, title=w.OPEN_ACTIVITY
        ).confidentiality
        == "open"
    )


def test_slks_return_comment_is_printed_only_while_the_follow_up_is_returned(
    report_world: ReportWorld,
):
    FollowUp.objects.filter(pk=report_world.annual.pk).update(review_comment="<p>Komplettera.</p>")
    assert report_inputs(report_world.annual, FULL)["review_comment"] == ""
    FollowUp.objects.filter(pk=report_world.annual.pk).update(state=FollowUpState.RETURNED)
    assert "Komplettera" in report_inputs(report_world.annual, FULL)["review_comment"]
