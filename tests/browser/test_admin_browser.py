"""The admin in a real browser: no page breaks the content security policy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PERSONA_PASSWORD, Cast


@pytest.fixture
def admin_site_address(live_server: Any, cast: Cast) -> str:
    """The live server's address, with the cast in the database before the browser starts."""
    return str(live_server.url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_pages_break_no_content_security_rule_in_a_browser(
    admin_site_address: str, cast: Cast
):
    from playwright.sync_api import sync_playwright

    from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS

    user_pk = cast.reader_a.pk
    pages = [
        "/admin/",
        "/admin/programme/membership/",
        "/admin/programme/membership/add/",
        f"/admin/auth/user/{user_pk}/change/",
        "/admin/axes/accessattempt/",
    ]
    complaints: list[str] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = chromium.new_page()
        page.on("console", lambda message: complaints.append(f"{page.url}: {message.text}"))
        page.on("pageerror", lambda error: complaints.append(f"{page.url}: {error}"))
        # The admin names no icon, so the browser's own request for /favicon.ico fails.
        page.on(
            "response",
            lambda response: (
                failed.append(response.url)
                if response.status >= 400 and not response.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.goto(f"{admin_site_address}/logga-in/?next=/admin/")
        page.get_by_label("Användarnamn").fill("sysadmin")
        page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{admin_site_address}/admin/")
        titles = []
        for address in pages:
            response = page.goto(f"{admin_site_address}{address}")
            assert response is not None and response.status == 200, address
            assert "script-src 'self'" in response.headers["content-security-policy"]
            titles.append(page.title())
        # The admin's own scripts ran: the membership form's user field is an autocomplete.
        page.goto(f"{admin_site_address}/admin/programme/membership/add/")
        autocomplete_ready = page.locator(".select2-container").count()
        chromium.close()

    assert all("Systemadministration" in title for title in titles), titles
    assert autocomplete_ready > 0
    assert [line for line in complaints if "Failed to load resource" not in line] == []
    assert failed == []
