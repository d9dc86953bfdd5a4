"""SLK's yearly settings in a real browser: deadlines and the council's indicators."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, WIDE, check_page
from tests.conftest import PERSONA_PASSWORD, Cast


@pytest.fixture
def slk_site(live_server: Any, cast: Cast) -> str:
    """The live server's address, with the real data and the cast (made before Playwright)."""
    return str(live_server.url)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system, never a downloaded browser."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_slk_sets_a_years_deadlines_and_indicators_in_a_browser(slk_site: str, browser: Browser):
    year = datetime.date.today().year
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{slk_site}/logga-in/")
    page.get_by_label("Användarnamn").fill("slk")
    page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.goto(f"{slk_site}{reverse('programme:list')}")
    page.get_by_role("link", name=f"Sista dagar och kommunfullmäktiges mål för {year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inställningar för {year}")
    check_page(page)
    page.get_by_label("Sista dag för tertialrapport 1").fill(f"{year}-09-15")
    page.get_by_label("Sista dag för tertialrapport 2").fill(f"{year}-05-15")
    page.get_by_label("Sista dag för verksamhetsberättelsen").fill(f"{year + 1}-02-01")
    page.get_by_role("button", name="Spara tidsfristerna").click()
    expect(page.get_by_role("heading", name="Inget sparades")).to_be_visible()
    check_page(page)
    page.get_by_label("Sista dag för tertialrapport 1").fill(f"{year}-05-15")
    page.get_by_label("Sista dag för tertialrapport 2").fill(f"{year}-09-15")
    page.get_by_role("button", name="Spara tidsfristerna").click()
    expect(page.get_by_role("status")).to_contain_text("sparades")

    page.get_by_role("button", name="Spara kommunfullmäktiges mål").click()
    expect(page.get_by_role("status")).to_contain_text("sparades")
    page.get_by_role("link", name="Lägg till en indikator").click()
    check_page(page)
    page.get_by_label("Namn").fill("Andel invånare som känner sig trygga")
    page.get_by_label("Enhet").fill("%")
    page.get_by_label("Årsmål").fill("82,5")
    page.get_by_role("button", name="Lägg till indikatorn").click()
    expect(page.get_by_role("status")).to_contain_text("lades till")
    expect(page.get_by_role("cell", name="82,5", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Sara Stadsledningskontoret").first).to_be_visible()
    check_page(page)
