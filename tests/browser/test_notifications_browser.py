"""A reviewer chooses a daily digest on the account page, with the keyboard only.

axe-core checks the account page with the notification form, before and after saving.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from programme.models import GlobalRole, GlobalRoleKind
from programme.services.fixtures import LoadResult
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAME = "granskare"
PASSWORD = "ett-långt-lösenord-för-webbläsaren"


@pytest.fixture
def site(live_server: Any, loaded_data: LoadResult) -> str:
    """The live server with an SLK reviewer who has an e-mail address."""
    user = User.objects.create_user(
        username=USERNAME, password=PASSWORD, email="granskare@example.se", first_name="Gun"
    )
    GlobalRole.objects.create(user=user, role=GlobalRoleKind.SLK_REVIEWER)
    return str(live_server.url)


def test_a_reviewer_chooses_the_daily_digest_with_the_keyboard(
    site: str,
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    page = browser.new_page(viewport=WIDE)
    response = page.goto(f"{site}/konto/")
    assert response is not None and response.ok, page.content()[:3000]
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(USERNAME)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/konto/")
    at_once = page.get_by_label("Ett e-postmeddelande direkt")
    expect(at_once).to_be_checked()
    check_page(page)

    # Into the group with Tab lands on its checked button; an arrow moves the choice.
    at_once.focus()
    page.keyboard.press("ArrowDown")
    digest = page.get_by_label("Ett e-postmeddelande om dagen med en sammanställning")
    expect(digest).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Spara aviseringar")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Dina e-postaviseringar har sparats.")
    expect(
        page.get_by_label("Ett e-postmeddelande om dagen med en sammanställning")
    ).to_be_checked()
    check_page(page)
