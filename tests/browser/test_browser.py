"""A real browser through sign-in to the 2018–2021 programme and along its lineage.

Drives Debian's headless Chromium with Playwright's sync API against pytest-django's
live server (which runs in its own thread), and runs axe-core on every page it visits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from programme.services.fixtures import LoadResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
USERNAME = "anna"
PASSWORD = "ett-långt-lösenord-för-webbläsaren"
NARROW: ViewportSize = {"width": 320, "height": 640}
WIDE: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system, never a downloaded browser."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server: Any, loaded_data: LoadResult) -> str:
    """The live server's address, with the real data and an official's account.

    Everything that touches the database happens here, before the browser fixture
    starts Playwright: its sync API runs an event loop in the test thread, and Django
    refuses ORM calls from a thread with a running event loop.
    """
    User.objects.create_user(
        username=USERNAME, password=PASSWORD, first_name="Anna", last_name="Lind"
    )
    return str(live_server.url)


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations as lines a person can act on."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  at {', '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"    {summary_line}")
    return "\n".join(lines)


def check_page(page: Page) -> None:
    """No WCAG 2.1 A/AA violation that axe-core finds, and no sideways scroll at 320 px."""
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert violations == [], f"axe-core on {page.url}:\n{describe_violations(violations)}"

    page.set_viewport_size(NARROW)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(WIDE)
    assert scroll_width <= NARROW["width"], f"{page.url} scrolls sideways at 320 px"


def test_official_signs_in_and_follows_the_programme_lineage(site: str, browser: Browser):
    page = browser.new_page(viewport=WIDE)

    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/logga-in/?next=/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    check_page(page)

    page.get_by_label("Användarnamn").fill(USERNAME)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_text("Inloggad som Anna Lind")).to_be_visible()
    check_page(page)

    page.get_by_role("navigation").get_by_role("link", name="Programversioner").click()
    expect(page).to_have_title(
        "Programversioner – Stockholms stads trygghets- och säkerhetsprogram"
    )
    check_page(page)

    page.get_by_role(
        "heading", level=2, name="Stockholms stads trygghets- och säkerhetsprogram 2018–2021"
    ).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stockholms stads trygghets- och säkerhetsprogram 2018–2021"
    )
    expect(page.get_by_role("heading", level=2, name="Målområden")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Fokusområden")).to_be_visible()
    goal_areas = page.get_by_role("region", name="Målområden").get_by_role("listitem")
    expect(goal_areas).to_have_count(4)
    expect(goal_areas.first).to_have_text("Individens trygghet och säkerhet")
    focus_areas = page.get_by_role("region", name="Fokusområden").get_by_role("heading", level=3)
    expect(focus_areas).to_have_count(5)
    expect(focus_areas.first).to_have_text("1. Förebygga olyckor")
    check_page(page)

    lineage = page.get_by_role("region", name="Tidigare och senare versioner")
    lineage.get_by_role("link", name="Stockholms stads säkerhetsprogram 2020–2023").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stockholms stads säkerhetsprogram 2020–2023"
    )
    check_page(page)

    lineage = page.get_by_role("region", name="Tidigare och senare versioner")
    lineage.get_by_role("link", name="Stockholms stads säkerhetsprogram", exact=True).click()
    expect(page).to_have_url(f"{site}/program/sakerhetsprogram-2024/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stockholms stads säkerhetsprogram")
    expect(
        page.get_by_role("region", name="Fokusområden").get_by_role("heading", level=3)
    ).to_have_count(4)
    check_page(page)

    page.get_by_role("link", name="Nämnder och bolagsstyrelser").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nämnder och bolagsstyrelser")
    expect(page.get_by_role("heading", name="Järva stadsdelsnämnd")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(f"{site}/logga-in/")


def test_first_tab_reaches_the_skip_link(site: str, browser: Browser):
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{site}/logga-in/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/logga-in/#main")


def test_language_switch_works_without_javascript(site: str, browser: Browser):
    context = browser.new_context(java_script_enabled=False, viewport=WIDE)
    page = context.new_page()
    page.goto(f"{site}/logga-in/")

    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt språk").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # No axe run here: it needs JavaScript, and the page is the sign-in page checked above.
    context.close()
