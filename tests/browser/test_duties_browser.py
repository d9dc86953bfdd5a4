"""The duty pages in a real browser: an administrator reports a duty with evidence, SLK reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright

from programme.models import (
    Body,
    DutyKind,
    DutyStatus,
    EvidenceFile,
)
from tests.browser.test_browser import CHROMIUM, CHROMIUM_ARGS, WIDE, check_page
from tests.conftest import PERSONA_PASSWORD, Cast
from tests.programme.test_duties import MINIMAL_PDF, YEAR, checklist_url, overview_url, record


@pytest.fixture
def duty_site(live_server: Any, cast: Cast, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The live server with the cast, and private storage in a temporary folder.

    Everything that touches the database happens here, before Playwright starts its
    event loop in the test thread.
    """
    monkeypatch.setattr(
        EvidenceFile._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    record(
        cast.body_a,
        DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        person_name="Karin Samordnare",
    )
    return str(live_server.url)


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
def test_administrator_reports_a_duty_with_evidence_in_a_browser(duty_site: str, chromium: Browser):
    site = duty_site
    page = sign_in(chromium, site, "admin_a")

    page.goto(f"{site}{checklist_url(Body(slug='jarva'))}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Programuppdrag {YEAR}")
    check_page(page)

    page.get_by_role("link", name="Rapportera aktuell risk- och sårbarhetsanalys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktuell risk- och sårbarhetsanalys")
    check_page(page)
    page.get_by_label("Status").select_option("met")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Ange datumet för att markera uppdraget som uppfyllt."
    )
    check_page(page)

    page.get_by_label("Datum").fill("2024-03-01")
    page.get_by_label("Sekretessnivå").select_option("confidential")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Uppdraget sparades.")
    check_page(page)

    page.get_by_label("Fil", exact=True).set_input_files(
        files=FilePayload(name="inte-en.pdf", mimeType="application/pdf", buffer=b"bara text")
    )
    page.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("alert")).to_contain_text("Filen är inte av något av de tillåtna")
    check_page(page)

    page.get_by_label("Fil", exact=True).set_input_files(
        files=FilePayload(name="rsa.pdf", mimeType="application/pdf", buffer=MINIMAL_PDF)
    )
    page.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("link", name="rsa.pdf", exact=True)).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Ta bort rsa.pdf").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ta bort underlaget?")
    check_page(page)
    page.get_by_role("link", name="Avbryt").click()

    page.get_by_role("link", name=f"Checklistan för {YEAR}").click()
    page.get_by_role("link", name="Nämndens uppdrag alla år").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programuppdrag")
    expect(page.get_by_text("Konfidentiell")).to_be_visible()
    check_page(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_slk_reads_every_bodys_duties_in_a_browser(duty_site: str, chromium: Browser):
    page = sign_in(chromium, duty_site, "slk")

    page.goto(f"{duty_site}{overview_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Alla nämnders programuppdrag {YEAR}"
    )
    check_page(page)

    page.get_by_role("link", name="Järva stadsdelsnämnd", exact=True).click()
    expect(page.get_by_role("link", name="Utsedd säkerhetssamordnare")).to_be_visible()
    expect(page.get_by_role("link", name="Ändra")).to_have_count(0)
    check_page(page)
