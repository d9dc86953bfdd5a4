"""A submitted follow-up keeps what it reports on: the plan changing later does not move it.

Approve a follow-up, then change every field of every record it reports on (and the
duty records of its year): its page and its Excel file read exactly as before. A draft,
in contrast, shows the plan as it is.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    Goal,
    IndicatorDirection,
    Perspective,
)
from programme.services import duties as duty_services
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import plan_records
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").order_by("position")
    return make_plan_world(cast, YEAR, area.first())  # type: ignore[arg-type]


def page_text(client: Client, follow_up: FollowUp) -> str:
    """What the follow-up's page says, without the markup."""
    url = reverse(
        "programme:follow-up-detail",
        kwargs={
            "slug": follow_up.plan.body.slug,
            "year": follow_up.plan.year,
            "period": follow_up.period,
        },
    )
    html = client.get(url).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def excel_cells(client: Client, follow_up: FollowUp) -> list[list[Any]]:
    """Every cell of every sheet of the follow-up's Excel file."""
    url = reverse(
        "programme:follow-up-export",
        kwargs={
            "slug": follow_up.plan.body.slug,
            "year": follow_up.plan.year,
            "period": follow_up.period,
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    return [[cell.value for row in sheet.iter_rows() for cell in row] for sheet in book]


def approved_annual(cast: Cast, world: PlanWorld) -> FollowUp:
    """Body A's annual follow-up with a value for every row, submitted and approved."""
    duty_services.save_duty_record(
        user=cast.admin_a,
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.IN_PROGRESS,
        confidentiality=Confidentiality.INTERNAL,
        seen_version=0,
    )
    plan_records.update_indicator(
        cast.admin_a,
        world.indicator_a,
        world.indicator_a.version,
        {"baseline": "40", "target": "62,5", "by_sex": True, "direction": "higher"},
    )
    follow_up = FollowUp.objects.create(plan=world.plan_a, period=FollowUpPeriod.ANNUAL)
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)
    ActivityReport.objects.filter(follow_up=follow_up).update(comment="Genomförd enligt plan.")
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    return workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)


def change_every_field_of_the_plan(cast: Cast, world: PlanWorld) -> None:
    """Everything the follow-up reports on, changed through the services."""
    other_area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").last()
    assert other_area is not None
    for goal in Goal.objects.filter(plan=world.plan_a):
        plan_records.update_goal(
            cast.admin_a,
            goal,
            goal.version,
            {
                "title": f"Nytt namn på {goal.title}",
                "description": "<p>En ny beskrivning.</p>",
                "focus_areas": [other_area.pk],
                "confidentiality": Confidentiality.OPEN,
            },
        )
    for activity in world.plan_a.goals.get(pk=world.goal_a.pk).activities.all():
        plan_records.update_activity(
            cast.admin_a,
            activity,
            activity.version,
            {
                "title": f"Ny titel på {activity.title}",
                "description": "<p>Annan text.</p>",
                "responsible_unit": "En annan enhet",
                "starts_on": datetime.date(YEAR, 2, 1),
                "ends_on": datetime.date(YEAR, 11, 30),
                "status": ActivityStatus.CANCELLED,
                "focus_areas": [other_area.pk],
                "perspectives": [Perspective.LGBTQ],
                "confidentiality": Confidentiality.OPEN,
            },
        )
    indicator = world.indicator_a
    indicator.refresh_from_db()
    plan_records.update_indicator(
        cast.admin_a,
        indicator,
        indicator.version,
        {
            "name": "Ett helt annat mått",
            "unit": "antal",
            "direction": IndicatorDirection.LOWER_IS_BETTER,
            "baseline": "7",
            "target": "3",
            "by_sex": False,
            "focus_areas": [other_area.pk],
            "confidentiality": Confidentiality.OPEN,
        },
    )
    record = DutyRecord.objects.get(body=cast.body_a, year=YEAR, duty=DutyKind.CRISIS_PLAN)
    duty_services.save_duty_record(
        user=cast.admin_a,
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.OPEN,
        completed_on=timezone.localdate(),
        seen_version=record.version,
    )


@pytest.mark.parametrize("persona", ["slk", "admin_a", "reader_a"])
def test_an_approved_follow_up_reads_the_same_whatever_happens_to_the_plan(
    cast: Cast, world: PlanWorld, persona: str
):
    follow_up = approved_annual(cast, world)
    client = Client()
    client.force_login(cast.by_name(persona))
    page_before = page_text(client, follow_up)
    excel_before = excel_cells(client, follow_up)
    assert "Trygghetsvandringar" in page_before
    assert "Andel som känner sig trygga" in page_before
    assert "Pågår" in page_before  # the crisis plan's state at submission

    change_every_field_of_the_plan(cast, world)

    assert page_text(client, follow_up) == page_before
    assert excel_cells(client, follow_up) == excel_before


def test_the_rows_keep_every_field_and_focus_area_as_submitted(cast: Cast, world: PlanWorld):
    follow_up = approved_annual(cast, world)

    change_every_field_of_the_plan(cast, world)

    report = follow_up.activity_reports.get(activity=world.activity_a)
    assert (report.title, report.responsible_unit, report.description) == (
        "Trygghetsvandringar",
        "Enheten för trygghet",
        "",
    )
    assert (report.starts_on, report.ends_on, report.perspectives) == (None, None, [])
    assert report.confidentiality == Confidentiality.INTERNAL
    outcome = follow_up.outcomes.get()
    assert (outcome.name, outcome.unit, outcome.baseline, outcome.target, outcome.by_sex) == (
        "Andel som känner sig trygga",
        "%",
        Decimal("40.00"),
        Decimal("62.50"),
        True,
    )
    judgement = follow_up.goal_judgements.get(goal=world.goal_a)
    assert judgement.title == "Ökad trygghet i centrum"
    first_area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
    assert list(judgement.focus_areas.all()) == [first_area.order_by("position").first()]
    assert list(report.focus_areas.all()) == []
    duty = follow_up.duty_reports.get()
    assert (duty.status, duty.confidentiality) == (DutyStatus.IN_PROGRESS, Confidentiality.INTERNAL)


def test_a_row_is_shown_under_the_stricter_of_its_level_then_and_now(cast: Cast, world: PlanWorld):
    follow_up = approved_annual(cast, world)
    reader = Client()
    reader.force_login(cast.reader_a)
    assert "Trygghetsvandringar" in page_text(reader, follow_up)

    # Made confidential after the approval: the reader no longer sees it.
    activity = world.activity_a
    activity.refresh_from_db()
    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"confidentiality": Confidentiality.CONFIDENTIAL}
    )
    assert "Trygghetsvandringar" not in page_text(reader, follow_up)

    # Made open again: it was internal when submitted, so readers see it, officials not.
    activity.refresh_from_db()
    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"confidentiality": Confidentiality.OPEN}
    )
    assert "Trygghetsvandringar" in page_text(reader, follow_up)
    report = ActivityReport.objects.get(follow_up=follow_up, activity=activity)
    assert report.confidentiality == Confidentiality.INTERNAL


def test_a_draft_shows_the_plan_as_it_is(cast: Cast, world: PlanWorld):
    follow_up = world.follow_up_a
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)
    client = Client()
    client.force_login(cast.admin_a)

    activity = world.activity_a
    activity.refresh_from_db()
    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"title": "Trygghetsvandringar i parken"}
    )

    assert "Trygghetsvandringar i parken" in page_text(client, follow_up)
