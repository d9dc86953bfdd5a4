"""The start page in a real browser: each role signs in, lands on what it has to do, and
reaches its first task in one step, with the keyboard only; axe-core checks the start
page and the accessibility statement.

The users and the demo year are made by the demo's own functions, as ``scripts/start``
makes them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from programme.demo.plans import generate_demo_year
from programme.demo.users import set_up_demo
from programme.services.fixtures import LoadResult
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
# Tab presses allowed before the wanted link has the focus: the header, the menu and
# the language switch come first.
TAB_LIMIT = 80


@pytest.fixture
def start_site(live_server: Any, loaded_data: LoadResult) -> tuple[str, dict[str, str]]:
    """The live server's address and the demo users' passwords, with the demo year loaded.

    Made before the browser fixture starts Playwright, whose event loop would make Django
    refuse ORM calls from this thread.
    """
    passwords = {entry.demo.username: entry.password for entry in set_up_demo()}
    generate_demo_year()
    return str(live_server.url), passwords


def sign_in_to_start(page: Page, site: str, username: str, password: str) -> None:
    """Open the site, get sent to sign in, sign in with the keyboard, land on the start page."""
    page.goto(f"{site}/")
    expect(page).to_have_url(f"{site}/logga-in/?next=/")
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Att göra")


def tab_to(page: Page, href: str) -> None:
    """Move the focus with Tab alone until the link to ``href`` has it."""
    page.locator("body").focus()
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement?.getAttribute('href')")
        if focused == href:
            return
    raise AssertionError(f"{href} not reached with {TAB_LIMIT} presses of Tab")


def first_link_in(page: Page, caption: str) -> str:
    """The address of the first link in the body of the table with ``caption``."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    href = table.locator("tbody a").first.get_attribute("href")
    assert href, caption
    return href


def test_an_administrator_reaches_the_returned_follow_up_from_the_start_page(
    start_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, passwords = start_site
    page = browser.new_page(viewport=WIDE)
    sign_in_to_start(page, site, "jarva-administrator", passwords["jarva-administrator"])

    expect(page.get_by_role("heading", name="Att göra för Järva stadsdelsnämnd")).to_be_visible()
    expect(page.get_by_text("Återsänd").first).to_be_visible()
    check_page(page)

    form = f"/namnder/jarva/uppfoljning/{YEAR}/t2/andra/"
    assert first_link_in(page, "Uppföljningar för Järva stadsdelsnämnd") == form
    tab_to(page, form)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}{form}")


def test_slk_reaches_the_review_of_the_longest_waiting_follow_up(
    start_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, passwords = start_site
    page = browser.new_page(viewport=WIDE)
    sign_in_to_start(page, site, "slk-granskare", passwords["slk-granskare"])

    expect(
        page.get_by_role("heading", name="Uppföljningar som väntar på granskning")
    ).to_be_visible()
    check_page(page)

    review = first_link_in(page, "Inlämnade uppföljningar")
    assert review.endswith("/granskning/")
    tab_to(page, review)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}{review}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_an_official_reaches_an_approved_report_from_the_start_page(
    start_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, passwords = start_site
    page = browser.new_page(viewport=WIDE)
    sign_in_to_start(page, site, "tjansteperson", passwords["tjansteperson"])

    expect(page.get_by_role("heading", name="Publicerade rapporter")).to_be_visible()
    check_page(page)

    section = page.locator("section", has=page.get_by_role("heading", name="Publicerade rapporter"))
    report = section.locator("ul.start-list a[href^='/rapporter/']").first.get_attribute("href")
    assert report and report.endswith("/allman/")
    tab_to(page, report)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}{report}")


def test_a_person_without_a_role_is_told_what_to_do(
    start_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, passwords = start_site
    page = browser.new_page(viewport=WIDE)
    sign_in_to_start(page, site, "utan-roll", passwords["utan-roll"])

    expect(page.get_by_role("heading", name="Du har ingen roll ännu")).to_be_visible()
    check_page(page)


def test_the_accessibility_statement_is_reached_from_the_footer_by_keyboard(
    start_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site, _passwords = start_site
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{site}/logga-in/")

    # The favicon is served where every page's head points.
    icon = page.locator("link[rel='icon']").get_attribute("href")
    assert icon
    response = page.request.get(f"{site}{icon}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")

    statement = "/tillganglighet/"
    tab_to(page, statement)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}{statement}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsredogörelse")
    check_page(page)
