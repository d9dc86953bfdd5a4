"""Dates are written in Swedish words wherever people read them: "1 maj 2027".

One rule (``programme.history_display.written_date`` and ``written_moment``, and the
``written_date`` and ``written_moment`` template filters over them) for pages, messages,
validation errors and e-mails; ISO dates stay only where machines read them (a
``datetime`` attribute, a date field's value, a file name).
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.models import FocusArea, FollowUpPeriod
from programme.services import plan_records
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

YEAR = timezone.localdate().year
UTC = datetime.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def render(source: str, **context: object) -> str:
    return Template("{% load dates %}" + source).render(Context(context))


def test_a_date_is_written_in_words():
    with translation.override("sv"):
        assert render("{{ day|written_date }}", day=datetime.date(2027, 5, 1)) == "1 maj 2027"
        assert render('{{ day|written_date|default:"–" }}', day=None) == "–"


def test_a_moment_is_written_in_local_time_to_the_minute():
    late_evening = datetime.datetime(2027, 5, 1, 22, 5, tzinfo=UTC)  # 00.05 in Stockholm
    with translation.override("sv"), timezone.override(STOCKHOLM):
        assert render("{{ moment|written_date }}", moment=late_evening) == "2 maj 2027"
        assert render("{{ moment|written_moment }}", moment=late_evening) == "2 maj 2027 kl. 00.05"


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    focus_area = FocusArea.objects.order_by("programme__slug", "position").first()
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


@pytest.mark.django_db
def test_a_refused_activity_names_its_start_in_words(cast: Cast, world: PlanWorld):
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        plan_records.create_activity(
            cast.admin_a,
            world.goal_a,
            {
                "title": "Belysning i parken",
                "starts_on": datetime.date(YEAR, 5, 1),
                "ends_on": datetime.date(YEAR, 4, 1),
            },
        )

    with translation.override("sv"):
        messages = " ".join(refused.value.messages)
    assert f"1 maj {YEAR}" in messages
    assert f"{YEAR}-05-01" not in messages


@pytest.mark.django_db
def test_the_follow_up_page_writes_its_deadline_and_steps_in_words(cast: Cast, world: PlanWorld):
    client = Client()
    client.force_login(cast.admin_a)

    page = client.get(
        reverse(
            "programme:follow-up-detail",
            kwargs={"slug": "jarva", "year": YEAR, "period": FollowUpPeriod.T1},
        )
    ).content.decode()

    assert f'<time datetime="{YEAR}-05-15">15 maj {YEAR}</time>' in page
    shown = re.sub(r'datetime="[^"]*"|value="[^"]*"|href="[^"]*"', "", page)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", shown)


@pytest.mark.django_db
def test_report_dates_and_runs_are_named_in_words(cast: Cast):
    from reporting.models import ReportSchedule

    schedule = ReportSchedule(year=YEAR, render_on=datetime.date(YEAR, 2, 3))

    with translation.override("sv"):
        assert str(schedule) == f"{YEAR}: 3 februari {YEAR}"
