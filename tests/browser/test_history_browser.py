"""The history in a real browser: evidence coming and going on a duty's page, a long text
opened with the keyboard on a goal's history page, and axe-core finding nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright

from programme.models import Body, DutyKind, EvidenceFile, FocusArea
from programme.services import plan_records
from tests.access.matrix_support import make_plan_world
from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, WIDE, check_page
from tests.conftest import PERSONA_PASSWORD, Cast
from tests.programme.test_duties import MINIMAL_PDF, YEAR, record

LONG_TEXT = "<p>Trygghet i centrum.</p><p>" + "Fler vandringar i området. " * 12 + "Slut.</p>"


@pytest.fixture
def history_site(
    live_server: Any, cast: Cast, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The live server with a duty record and a goal whose description grew long.

    Everything that touches the database happens here, before Playwright starts.
    """
    monkeypatch.setattr(
        EvidenceFile._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    record(cast.body_a, DutyKind.CRISIS_PLAN)
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    world = make_plan_world(cast, timezone.localdate().year, focus_area)
    goal = world.goal_a
    plan_records.update_goal(cast.admin_a, goal, goal.version, {"description": LONG_TEXT})
    duty = reverse(
        "programme:duty-detail",
        kwargs={"slug": Body(slug="jarva").slug, "year": YEAR, "duty": DutyKind.CRISIS_PLAN},
    )
    return {
        "site": str(live_server.url),
        "duty": duty,
        "goal": reverse("programme:goal-history", kwargs={"pk": goal.pk}),
    }


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """Headless Chromium from the system, never a downloaded browser."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def sign_in(browser: Browser, site: str, username: str) -> Page:
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{site}/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_history_names_evidence_and_opens_long_texts_in_a_browser(
    history_site: dict[str, str], chromium: Browser
):
    site = history_site["site"]
    page = sign_in(chromium, site, "admin_a")

    page.goto(f"{site}{history_site['duty']}")
    page.get_by_label("Fil", exact=True).set_input_files(
        files=FilePayload(name="krisplan.pdf", mimeType="application/pdf", buffer=MINIMAL_PDF)
    )
    page.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("link", name="krisplan.pdf", exact=True)).to_be_visible()
    page.get_by_role("link", name="Ta bort krisplan.pdf").click()
    page.get_by_role("button", name="Ta bort filen").click()

    history = page.locator("section.history")
    rows = history.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Underlag borttaget")
    expect(rows.nth(0)).to_contain_text("Fil: krisplan.pdf → (tomt)")
    expect(rows.nth(1)).to_contain_text("Underlag uppladdat")
    expect(rows.nth(1)).to_contain_text("Amira Järvaadministratör")
    expect(rows.nth(0).locator("time")).to_contain_text(" kl. ")
    check_page(page)

    page.goto(f"{site}{history_site['goal']}")
    summary = page.locator("section.history summary").first
    expect(summary).to_contain_text("Beskrivning:")
    expect(page.get_by_text("Slut.")).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("section.history details dd").last).to_contain_text("Slut.")
    expect(page.locator("section.history")).not_to_contain_text("<p>")
    check_page(page)
