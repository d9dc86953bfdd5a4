"""The compact tables in a real browser: SLK reads a submitted follow-up's activities
and indicators on the review page, and a plan of 60 activities, each table scrolling in
its own labelled region at 320 px. axe-core checks every page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from programme.models import (
    Activity,
    ActivityStatus,
    FocusArea,
    FollowUpPeriod,
    Goal,
    Indicator,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from tests.access.matrix_support import make_plan_world
from tests.browser.test_browser import NARROW, WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
GOAL = "Ökad trygghet i centrum"


@pytest.fixture
def rows_site(live_server: Any, cast: Cast) -> tuple[str, str]:
    """The live server and SLK's session, with Järva's T1 submitted and a plan of 60
    activities and 10 indicators (made before the browser fixture starts Playwright)."""
    focus_area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").first()
    assert focus_area is not None
    world = make_plan_world(cast, YEAR, focus_area)
    world.activity_a.focus_areas.add(focus_area)
    goals = Goal.objects.bulk_create(
        Goal(plan=world.plan_a, position=10 + n, title=f"Mål {n}") for n in range(10)
    )
    Activity.objects.bulk_create(
        Activity(
            goal=goals[n % 10],
            position=n,
            title=f"Aktivitet {n} med en ganska lång titel som ska brytas",
            responsible_unit="Avdelningen för trygghet och säkerhet",
        )
        for n in range(58)
    )
    Indicator.objects.bulk_create(
        Indicator(goal=goals[n], position=n, name=f"Indikator {n}", unit="%", by_sex=True)
        for n in range(9)
    )
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up.activity_reports.filter(activity=world.activity_a).update(
        status=ActivityStatus.DELAYED, comment="Två vandringar flyttade."
    )
    follow_up.outcomes.filter(indicator=world.indicator_a).update(
        value=Decimal("62.5"), value_women=Decimal("57"), value_men=Decimal("68")
    )
    workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    client = Client()
    client.force_login(cast.slk)
    return str(live_server.url), client.cookies[settings.SESSION_COOKIE_NAME].value


def slk_page(browser: Browser, site: str, session: str) -> Page:  # noqa: F811
    context = browser.new_context(viewport=WIDE)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])
    return context.new_page()


def test_slk_reads_the_submitted_rows_on_the_review_page(
    rows_site: tuple[str, str],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, session = rows_site
    page = slk_page(browser, site, session)
    url = reverse(
        "programme:follow-up-review", kwargs={"slug": "jarva", "year": YEAR, "period": "t1"}
    )

    page.goto(f"{site}{url}")

    activities = page.get_by_role("region", name=f"Aktiviteter som de lämnades in – {GOAL}")
    row = activities.get_by_role("row", name=re.compile("Trygghetsvandringar"))
    expect(row).to_contain_text("Försenad")
    expect(row).to_contain_text("Två vandringar flyttade.")
    indicators = page.get_by_role("region", name=f"Indikatorer som de lämnades in – {GOAL}")
    expect(
        indicators.get_by_role("row", name=re.compile("Andel som känner sig trygga"))
    ).to_contain_text("Kvinnor 57, män 68")
    check_page(page)
    # The region scrolls with the keyboard at 320 px: it takes the focus.
    page.set_viewport_size(NARROW)
    activities.focus()
    expect(activities).to_be_focused()


def test_a_plan_of_sixty_activities_reads_at_320_px(
    rows_site: tuple[str, str],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, session = rows_site
    page = slk_page(browser, site, session)

    page.goto(f"{site}/namnder/jarva/planer/{YEAR}/")

    expect(page.get_by_role("region", name="Aktiviteter – Mål 0")).to_be_visible()
    expect(page.locator("tr[id^=activity-]")).to_have_count(60)
    expect(page.locator("tr[id^=indicator-]")).to_have_count(10)
    check_page(page)
    page.get_by_label("Fokusområde").select_option(index=1)
    show = page.get_by_role("button", name="Visa", exact=True)
    show.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Visas: 1 av 60 aktiviteter och 0 av 10 indikatorer.")).to_be_visible()
    check_page(page)
