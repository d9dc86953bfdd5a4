"""An administrator works on a plan in a real browser, with the keyboard: copies last
year's plan, meets a refusal, adds an activity, filters the plan, opens the activity's
own page, runs into another session's save, and settles a carry-over issue. axe-core
checks every page on the way, and each page fits 320 px (its tables scroll in place)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from programme.models import Activity, ActivityStatus, FocusArea, Goal, Plan
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_2024 = "/namnder/jarva/planer/2024/"


@pytest.fixture
def plan_site(live_server: Any, cast: Cast) -> tuple[str, str]:
    """The live server, and Järva's administrator's session, with Järva's 2023 plan.

    Made before the browser fixture starts Playwright (see ``tests.browser.test_browser.site``).
    The 2023 goal links the säkerhetsprogram 2020–2023's focus area on undue influence
    and threats, which does not map one to one into 2024.
    """
    plan = Plan.objects.create(body=cast.body_a, year=2023)
    goal = Goal.objects.create(plan=plan, title="Tryggare arbetsmiljö")
    goal.focus_areas.add(
        FocusArea.objects.get(
            programme__slug="sakerhetsprogram-2020-2023",
            title="Förebygga otillåten påverkan samt hot och våld mot anställda",
        )
    )
    Activity.objects.create(goal=goal, title="Utbildning om hot", status=ActivityStatus.ONGOING)
    client = Client()
    client.force_login(cast.admin_a)
    return str(live_server.url), client.cookies[settings.SESSION_COOKIE_NAME].value


def signed_in_page(browser: Browser, site: str, session: str) -> Page:  # noqa: F811
    context = browser.new_context(viewport=WIDE)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site}])
    return context.new_page()


def press(page: Page, locator: Any) -> None:
    """Reach a control with the keyboard's focus and press Enter on it."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")


def test_administrator_copies_edits_and_settles_a_plan_with_the_keyboard(
    plan_site: tuple[str, str],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, session = plan_site
    page = signed_in_page(browser, site, session)

    page.goto(f"{site}{PLAN_2024}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verksamhetsplan 2024")
    check_page(page)
    press(page, page.get_by_role("button", name="Kopiera verksamhetsplanen för 2023"))

    issues = page.get_by_role("region", name="Att ta ställning till efter kopieringen")
    expect(issues).to_contain_text("Förebygga otillåten påverkan")
    expect(page.get_by_role("heading", name="Tryggare arbetsmiljö")).to_be_visible()
    expect(page.locator(".plan-goal-facts").first).to_contain_text("Personsäkerhet")
    # The copied activity is one row of the goal's table of activities.
    activities = page.get_by_role("region", name="Aktiviteter – Tryggare arbetsmiljö")
    expect(activities.get_by_role("link", name="Utbildning om hot")).to_be_visible()
    check_page(page)

    press(
        page, page.get_by_role("link", name="Lägg till aktivitet till målet Tryggare arbetsmiljö")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny aktivitet")
    check_page(page)
    page.get_by_label("Aktivitet", exact=True).fill("Riskanalys av entréer")
    page.get_by_label("Start").fill("2024-05-01")
    page.get_by_label("Slut").fill("2024-04-01")
    press(page, page.get_by_role("button", name="Spara"))

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Slutet kan inte komma före starten (1 maj 2024).")
    expect(page.get_by_label("Aktivitet", exact=True)).to_have_value("Riskanalys av entréer")
    check_page(page)
    page.get_by_label("Slut").fill("2024-09-30")
    press(page, page.get_by_role("button", name="Spara"))

    expect(page.get_by_text("Aktiviteten sparades.")).to_be_visible()
    expect(page.get_by_role("link", name="Riskanalys av entréer")).to_be_visible()

    # The filter is a plain form: the planned activities only, then everything again.
    page.get_by_label("Status", exact=True).select_option("planned")
    press(page, page.get_by_role("button", name="Visa", exact=True))
    expect(page).to_have_url(re.compile(r"\?status=planned&focus_area=&perspective=$"))
    expect(page.get_by_text("Visas: 1 av 2 aktiviteter och 0 av 0 indikatorer.")).to_be_visible()
    expect(page.get_by_role("link", name="Utbildning om hot")).to_have_count(0)
    check_page(page)
    press(page, page.get_by_role("link", name="Riskanalys av entréer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktivitet: Riskanalys av entréer")
    check_page(page)
    back = page.get_by_role("link", name="Tillbaka till verksamhetsplanen för Järva")
    expect(back).to_have_attribute("href", re.compile(r"\?status=planned#activity-\d+$"))
    press(page, back)
    expect(page).to_have_url(re.compile(r"\?status=planned#activity-\d+$"))
    press(page, page.get_by_role("link", name="Visa allt"))
    expect(page.get_by_role("link", name="Utbildning om hot")).to_be_visible()

    record = "Riskanalys av entréer"
    edit = "Ändra aktivitet Riskanalys av entréer"
    other = signed_in_page(browser, site, session)
    other.goto(page.url)
    press(other, other.get_by_role("link", name=record))
    press(other, other.get_by_role("link", name=edit))
    press(page, page.get_by_role("link", name=record))
    press(page, page.get_by_role("link", name=edit))
    other.get_by_label("Ansvarig enhet").fill("Säkerhetsenheten")
    press(other, other.get_by_role("button", name="Spara"))
    expect(other.get_by_text("Aktiviteten sparades.")).to_be_visible()
    page.get_by_label("Ansvarig enhet").fill("Fastighetsenheten")
    press(page, page.get_by_role("button", name="Spara"))

    expect(page.get_by_role("alert")).to_contain_text("Någon annan har sparat ändringar här")
    conflict = page.get_by_role("region", name="Det här ändrade den andra personen")
    expect(conflict).to_contain_text("Säkerhetsenheten")
    expect(page.get_by_label("Ansvarig enhet")).to_have_value("Fastighetsenheten")
    check_page(page)
    press(page, page.get_by_role("link", name="Avbryt"))

    expect(page.get_by_text("Säkerhetsenheten")).to_be_visible()
    press(page, page.get_by_role("button", name="Markera som hanterad"))
    expect(page.get_by_text("Frågan från överföringen markerades som hanterad.")).to_be_visible()
    expect(
        page.get_by_role("region", name="Att ta ställning till efter kopieringen")
    ).to_have_count(0)
    check_page(page)
