"""Numbers are shown as people type them: "62,5", not "62,50"; "3", not "3,00".

The ``number`` filter and ``shown_number`` write every stored number the pages show
(baselines, targets and outcomes of indicators); the forms' initial values use the
same rule; the Excel files keep real numbers (``tests/programme/test_exports.py``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.models import FocusArea, FollowUpPeriod, Indicator, IndicatorOutcome
from programme.numbers import shown_number
from programme.services import follow_ups as follow_up_services
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

YEAR = timezone.localdate().year


@pytest.mark.parametrize(
    ("stored", "swedish", "english"),
    [
        (Decimal("62.50"), "62,5", "62.5"),
        (Decimal("3.00"), "3", "3"),
        (Decimal("100.00"), "100", "100"),
        (Decimal("-0.25"), "-0,25", "-0.25"),
        (Decimal("1234.05"), "1234,05", "1234.05"),
        (7, "7", "7"),
        (2.5, "2,5", "2.5"),
        ("12.50", "12,5", "12.5"),
        (None, "", ""),
        ("", "", ""),
    ],
)
def test_a_stored_number_is_shown_without_needless_zeros(stored: Any, swedish: str, english: str):
    with translation.override("sv"):
        assert shown_number(stored) == swedish
        assert (
            Template("{% load numbers %}{{ value|number }}").render(Context({"value": stored}))
            == swedish
        )
    with translation.override("en"):
        assert shown_number(stored) == english


def test_nothing_stored_is_a_dash_and_text_is_left_as_it_is():
    with translation.override("sv"):
        rendered = Template('{% load numbers %}{{ none|number|default:"–" }} {{ text|number }}')
        assert rendered.render(Context({"none": None, "text": "ingen siffra"})) == "– ingen siffra"


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    focus_area = FocusArea.objects.order_by("programme__slug", "position").first()
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


def url(name: str) -> str:
    return reverse(
        f"programme:{name}", kwargs={"slug": "jarva", "year": YEAR, "period": FollowUpPeriod.T1}
    )


@pytest.mark.django_db
def test_the_follow_up_shows_baseline_target_and_outcomes_as_typed(cast: Cast, world: PlanWorld):
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        baseline=Decimal("3.00"), target=Decimal("75.00"), by_sex=True
    )
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, "t1")
    IndicatorOutcome.objects.filter(follow_up=follow_up).update(
        value=Decimal("62.50"), value_women=Decimal("60.25"), value_men=Decimal("64.00")
    )
    client = Client()
    client.force_login(cast.admin_a)

    page = client.get(url("follow-up-detail")).content.decode()
    cells = re.findall(r"<td>([^<]*)</td>", page)

    for shown in ("3", "75", "62,5", "60,25", "64"):
        assert shown in cells, shown
    assert not re.search(r"\b\d+,\d0\b", " ".join(cells))


@pytest.mark.django_db
def test_the_follow_up_form_offers_the_numbers_as_typed(cast: Cast, world: PlanWorld):
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        baseline=Decimal("3.00"), target=Decimal("62.50")
    )
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, "t1")
    IndicatorOutcome.objects.filter(follow_up=follow_up).update(value=Decimal("12.50"))
    client = Client()
    client.force_login(cast.admin_a)

    page = client.get(url("follow-up-edit")).content.decode()

    assert "Utgångsvärde 3, målvärde 62,5" in re.sub(r"\s+", " ", page)
    assert re.search(
        r'name="indicator-\d+-value"[^>]*value="12,5"|value="12,5"[^>]*name="indicator-\d+-value"',
        page,
    )
