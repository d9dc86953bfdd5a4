"""SLK's maintenance pages in a real browser: versions, focus areas and a merger of bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect, sync_playwright

from programme.models import (
    ProgrammeKind,
)
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
def test_slk_maintains_versions_and_merges_bodies_in_a_browser(slk_site: str, browser: Browser):
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{slk_site}/logga-in/")
    page.get_by_label("Användarnamn").fill("slk")
    page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.goto(f"{slk_site}{reverse('programme:list')}")
    page.get_by_role("link", name="Ny programversion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny programversion")
    check_page(page)
    page.get_by_label("Namn", exact=True).fill("Trygghetsprogram 2028–2031")
    page.get_by_label("Kortnamn i webbadresser").fill("trygghetsprogram-2028")
    page.get_by_label("Typ").select_option(ProgrammeKind.SAFETY)
    page.get_by_label("Första år").fill("2028")
    page.get_by_label("Sista år").fill("2027")
    page.get_by_role("button", name="Skapa versionen").click()
    expect(page.get_by_role("heading", name="Inget sparades")).to_be_visible()
    check_page(page)
    page.get_by_label("Sista år").fill("2031")
    page.get_by_label("Målområden").fill("Trygga miljöer\nStarka lokalsamhällen")
    page.get_by_role("button", name="Skapa versionen").click()
    expect(page.get_by_role("status")).to_contain_text("skapades")

    page.get_by_role("link", name="Nytt fokusområde").click()
    page.get_by_label("Rubrik").fill("Trygga offentliga miljöer")
    page.get_by_label("Trygga miljöer").check()
    check_page(page)
    page.get_by_role("button", name="Skapa fokusområdet").click()
    expect(page.get_by_role("status")).to_contain_text("skapades")
    page.get_by_role("link", name="Ändra versionen och dess målområden").click()
    expect(page.get_by_role("heading", level=2, name="Historik")).to_be_visible()
    check_page(page)

    page.goto(f"{slk_site}{reverse('programme:body-list')}")
    page.get_by_role("link", name="Slå samman nämnder").click()
    check_page(page)
    page.get_by_label("Bromma stadsdelsnämnd").check()
    page.get_by_label("Kungsholmens stadsdelsnämnd").check()
    page.get_by_label("Sammanslagningsdag").fill("2027-01-01")
    page.get_by_label("Den nya nämndens namn").fill("Bromma-Kungsholmens stadsdelsnämnd")
    page.get_by_label("Kortnamn i webbadresser").fill("bromma-kungsholmen")
    page.get_by_role("button", name="Slå samman nämnderna").click()
    expect(page.get_by_role("status")).to_contain_text("slogs samman")
    page.get_by_role("link", name="Ändra Bromma-Kungsholmens stadsdelsnämnd").click()
    expect(page.get_by_role("cell", name="Sara Stadsledningskontoret").first).to_be_visible()
    check_page(page)
