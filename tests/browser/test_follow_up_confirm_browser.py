"""Submitting and approving a follow-up through the page that asks, keyboard only.

Järva's administrator presses "Lämna in till SLK" on the T1 follow-up, reads what
submitting does and a summary of the report, goes back once, then submits. SLK opens
Skärholmen's submitted T1, presses "Godkänn uppföljningen", reads that an approval
cannot be undone, and approves it. axe-core checks both new pages and the pages the
steps end on. (The whole way from an empty plan is ``test_browser_review.py``.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from programme.models import FocusArea, IndicatorOutcome
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services.fixtures import LoadResult
from tests.access.matrix_support import make_plan_world
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.conftest import PERSONA_PASSWORD, Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
FOLLOW_UP_A = f"/namnder/jarva/uppfoljning/{YEAR}/t1/"
FOLLOW_UP_B = f"/namnder/skarholmen/uppfoljning/{YEAR}/t1/"


@pytest.fixture
def confirm_site(live_server: Any, loaded_data: LoadResult, cast: Cast) -> str:
    """Järva's T1 started with an outcome; Skärholmen's T1 submitted and waiting for SLK.

    Made before Playwright starts (see ``tests.browser.test_browser.site``).
    """
    focus_area = FocusArea.objects.order_by("programme__slug", "position").first()
    assert focus_area is not None
    world = make_plan_world(cast, YEAR, focus_area)
    started = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, "t1")
    IndicatorOutcome.objects.filter(follow_up=started).update(value="62.5")
    follow_up_b = follow_up_services.start_follow_up(cast.admin_b, world.plan_b, "t1")
    workflow.submit_follow_up(cast.admin_b, follow_up_b, follow_up_b.version)
    return str(live_server.url)


def sign_in(page: Page, site: str, username: str, path: str) -> None:
    """Open ``path``, get sent to sign in, and sign in with the keyboard."""
    page.goto(f"{site}{path}")
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PERSONA_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}{path}")


def press(page: Page, role: str, name: str) -> None:
    """Reach a button or link with the keyboard and press it."""
    target = page.get_by_role(role, name=name, exact=True)  # type: ignore[arg-type]
    target.focus()
    expect(target).to_be_focused()
    page.keyboard.press("Enter")


def at(page: Page, site: str, path: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(f"{site}{path}") + r"(\?.*)?$"))


def state_of(page: Page) -> Any:
    return page.locator(".facts .follow-up-state").first


def test_an_administrator_submits_and_slk_approves_through_the_question(
    confirm_site: str,
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site = confirm_site
    page = browser.new_page(viewport=WIDE)

    sign_in(page, site, "admin_a", FOLLOW_UP_A)
    check_page(page)
    press(page, "button", "Lämna in till SLK")
    at(page, site, f"{FOLLOW_UP_A}skicka-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Lämna in tertialrapport 1 {YEAR} till SLK?"
    )
    happens = page.get_by_role("region", name="Det här händer när du lämnar in")
    expect(happens).to_contain_text("Uppföljningen låses")
    expect(happens).to_contain_text("Stadsledningskontorets granskare får veta")
    expect(happens).to_contain_text("Bara stadsledningskontoret kan ångra")
    summary = page.get_by_role("region", name="Vad uppföljningen innehåller")
    expect(summary).to_contain_text("2 mål, varav nämnden har bedömt 0")
    expect(summary).to_contain_text("1 indikator, varav 1 med utfall")
    expect(summary).to_contain_text("Ingen redogörelse har skrivits.")
    check_page(page)

    # "Tillbaka" leads back with nothing submitted.
    press(page, "link", "Tillbaka")
    at(page, site, FOLLOW_UP_A)
    expect(state_of(page)).to_have_text("Utkast")

    press(page, "button", "Lämna in till SLK")
    press(page, "button", "Lämna in")
    at(page, site, FOLLOW_UP_A)
    expect(page.get_by_text("Uppföljningen lämnades in till SLK.")).to_be_visible()
    expect(state_of(page)).to_have_text("Inlämnad")
    check_page(page)
    page.get_by_role("button", name="Logga ut").click()

    sign_in(page, site, "slk", f"{FOLLOW_UP_B}granskning/")
    press(page, "button", "Godkänn uppföljningen")
    at(page, site, f"{FOLLOW_UP_B}godkann/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Godkänn och lås tertialrapport 1 {YEAR}?"
    )
    expect(page.get_by_role("region", name="Det här händer när du godkänner")).to_contain_text(
        "Ett godkännande kan inte ångras."
    )
    expect(page.get_by_role("link", name="Tillbaka")).to_have_attribute(
        "href", f"{FOLLOW_UP_B}granskning/"
    )
    check_page(page)
    press(page, "button", "Godkänn och lås")
    at(page, site, FOLLOW_UP_B)
    expect(page.get_by_text("Uppföljningen godkändes och är nu låst.")).to_be_visible()
    expect(state_of(page)).to_have_text("Godkänd")
    check_page(page)
