"""The rich-text editor in a real browser: keyboard only, under the strict content security
policy, checked by axe-core; and the plain text area when JavaScript is off."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, WIDE, check_page
from tests.conftest import PERSONA_PASSWORD, Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def sign_in_as_slk(page: Page, site: str) -> None:
    page.goto(f"{site}/logga-in/")
    page.get_by_label("Användarnamn").fill("slk")
    page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Inloggad som Sara Stadsledningskontoret")).to_be_visible()


def settings_url(site: str) -> str:
    year = datetime.date.today().year
    return f"{site}{reverse('programme:year-settings', kwargs={'year': year})}"


def test_slk_formats_the_council_goal_with_the_keyboard_only(slk_site: str, browser: Browser):
    page = browser.new_page(viewport=WIDE)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_as_slk(page, slk_site)
    page.goto(settings_url(slk_site))
    editor = page.get_by_role("textbox", name="Beskrivning")
    expect(editor).to_be_visible()
    # Without the editor's script the plain text area would be shown instead.
    expect(page.locator("textarea#id_goal-description")).to_be_hidden()
    check_page(page)

    # From the title, Tab reaches the toolbar (one stop), then the text.
    page.locator("#id_goal-title").focus()
    page.keyboard.press("Tab")
    toolbar = page.get_by_role("toolbar", name="Textformat")
    expect(toolbar.get_by_role("button", name="Fetstil")).to_be_focused()
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()

    # A word made bold with its shortcut. Each step waits until the editor has read the
    # selection the browser moved (it learns of it from an event that comes a little later).
    page.keyboard.type("Viktigt för hela staden.")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+Control+ArrowRight")
    page.wait_for_function("String(window.getSelection()).trim() === 'Viktigt'")
    page.keyboard.press("Control+b")
    expect(toolbar.get_by_role("button", name="Fetstil")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    page.wait_for_function("window.getSelection().isCollapsed")
    expect(toolbar.get_by_role("button", name="Fetstil")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")

    # A bulleted list from the toolbar: back to it, along it with the arrow keys.
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Fetstil")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    bullets = toolbar.get_by_role("button", name="Punktlista")
    expect(bullets).to_be_focused()
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()
    page.keyboard.type("Trygga torg")
    page.keyboard.press("Enter")
    page.keyboard.type("Fler vuxna ute")
    expect(bullets).to_have_attribute("aria-pressed", "true")

    # Tab leaves the text (no list item keeps it) for the form's button.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Spara kommunfullmäktiges mål")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("sparades")
    shown = page.locator(".council-goal-description")
    expect(shown.locator("strong")).to_have_text("Viktigt")
    expect(shown.locator("ul > li")).to_have_text(["Trygga torg", "Fler vuxna ute"])
    # The page's text area holds the value as stored (the editor writes it only on a change).
    stored = page.locator("textarea#id_goal-description").input_value()
    assert stored.startswith("<p><strong>Viktigt")
    assert "<ul><li><p>Trygga torg</p></li><li><p>Fler vuxna ute</p></li></ul>" in stored
    # The saved text comes back into the editor, formatted.
    expect(editor.locator("strong")).to_have_text("Viktigt")
    check_page(page)
    # Nothing was refused by the content security policy, and nothing failed.
    assert problems == []


def test_without_javascript_the_plain_text_area_saves(slk_site: str, browser: Browser):
    context = browser.new_context(viewport=WIDE, java_script_enabled=False)
    page = context.new_page()
    sign_in_as_slk(page, slk_site)
    page.goto(settings_url(slk_site))

    area = page.locator("textarea#id_goal-description")
    expect(area).to_be_visible()
    area.fill("Första stycket.\n\nAndra med <b>fetstil</b>.<script>alert(1)</script>")
    page.get_by_role("button", name="Spara kommunfullmäktiges mål").click()

    expect(page.get_by_role("status")).to_contain_text("sparades")
    shown = page.locator(".council-goal-description")
    expect(shown.locator("b")).to_have_text("fetstil")
    expect(shown).not_to_contain_text("alert")
    # (axe-core needs JavaScript: the same form is checked with it in the test above.)
    context.close()


def test_the_toolbar_fits_a_narrow_screen_before_its_icon_font_has_loaded(
    slk_site: str, browser: Browser
):
    # Until the icon font arrives each button holds its icon's name as text
    # ("format_list_numbered"); on a slow line that lasts, and the page must not widen.
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.route("**/*.woff2", lambda route: None)  # never answered: the font stays loading
    sign_in_as_slk(page, slk_site)
    page.goto(settings_url(slk_site), wait_until="domcontentloaded")
    toolbar = page.get_by_role("toolbar", name="Textformat")
    expect(toolbar.get_by_role("button", name="Punktlista")).to_be_attached()
    assert page.evaluate("document.fonts.check('16px \"Material Icons\"')") is False
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    right = page.evaluate("document.querySelector('.prose-menubar').getBoundingClientRect().right")
    assert right <= 320
