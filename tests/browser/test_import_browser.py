"""Importing a Word file into a draft response in a real browser, keyboard only.

Body A's administrator opens the draft response, imports seed 001 (Järva's
tjänsteutlåtande) as a .docx, which is larger than what the web request reads itself:
one of the real workers (Redis, ``tests/reporting/worker_support.py``) reads it while
the page follows its progress. The administrator then corrects the summary and one
proposed statement (its stance and its text), drops another, and saves. The response
then shows exactly that: the corrected summary, the statements kept with the corrected
one among them and the dropped one missing, and the facts found. axe-core checks every
import page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from remiss.models import Response, ResponseImport, Stance
from remiss.services import imports as imports_service
from remiss.services import responses as services
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in
from tests.browser.test_city_report_browser import in_another_thread
from tests.browser.test_remiss_browser import choose, go
from tests.browser.test_reports_browser import follow
from tests.conftest import Cast
from tests.remiss.seed_documents import seed_lines, word_file
from tests.remiss.test_imports import SEED, make_round
from tests.reporting.test_worker import report_workers  # noqa: F401 (a fixture)
from tests.reporting.worker_support import ReportWorkers

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SUMMARY = "Förvaltningen ställer sig bakom programmet och har tre synpunkter."
CORRECTED = "Förvaltningen välkomnar skrivningen om chefernas särskilda ansvar, med en reservation."


@pytest.fixture
def draft(
    live_server: Any,
    cast: Cast,
    report_workers: ReportWorkers,  # noqa: F811 (the fixture of test_worker.py)
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> tuple[str, Response]:
    """The live server and body A's draft response to an open round, whose imports above
    1 kB go to the workers through the folder both sides share; made before Playwright."""
    monkeypatch.setattr(
        ResponseImport._meta.get_field("file"),
        "storage",
        FileSystemStorage(location=report_workers.private_dir),
    )
    monkeypatch.setattr(
        imports_service,
        "_enqueue",
        lambda pk: report_workers.send_task("remiss.tasks.read_response_import", pk),
    )
    settings.IMPORT_INLINE_BYTES = 1024
    response = services.start_response(cast.admin_a, make_round(cast), cast.body_a)
    return str(live_server.url), response


def replace_text(page: Page, field: Any, text: str) -> None:
    """Reach a text area with the keyboard, select what it holds and type over it."""
    field.focus()
    expect(field).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    expect(field).to_have_value(text)


def statement_number(page: Page, section: str) -> int:
    """The number of the first proposed statement whose section is ``section``."""
    selects = page.locator("select[id$='_section']")
    for index in range(selects.count()):
        chosen = selects.nth(index).evaluate("s => s.options[s.selectedIndex].text")
        if chosen == section:
            match = re.search(
                r"statement_(\d+)_section", selects.nth(index).get_attribute("id") or ""
            )
            assert match is not None
            return int(match[1])
    raise AssertionError(f"no statement proposed for {section!r}")


def test_an_administrator_imports_a_word_file_corrects_drops_and_saves(
    draft: tuple[str, Response],
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    site, response = draft
    document = tmp_path / "jarva.docx"
    document.write_bytes(word_file(seed_lines(SEED)))
    detail = reverse(
        "remiss:response-detail",
        kwargs={"referral": response.referral_id, "slug": response.body.slug},
    )
    page = browser.new_page(viewport=WIDE)
    sign_in(page, site, "admin_a", detail)
    go(page, page.get_by_role("link", name="Importera från ett dokument"), f"{detail}importera/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera ett dokument")
    check_page(page)

    upload = page.get_by_label("Fil")
    upload.focus()
    expect(upload).to_be_focused()
    # The system's file dialog is no part of the page: the file is set as if picked there.
    upload.set_input_files(document)
    press(page, "Läs in dokumentet")
    status = page.get_by_role("status")
    expect(status).to_contain_text("jarva.docx läses in")
    check_page(page)
    # The page follows the worker and offers the review once the document is read.
    ready = status.get_by_role("link", name="Dokumentet är inläst: granska det som hittades")
    expect(ready).to_be_visible(timeout=60_000)
    follow(page, ready)
    expect(page.get_by_role("heading", level=1)).to_have_text("Granska det importerade dokumentet")
    check_page(page)
    expect(page.locator("#id_registration_number")).to_have_value("JÄRVA 2023/665")

    # The evidence of a finding leads to its line in the document.
    evidence = (
        page.locator(".import-field")
        .filter(has_text="Diarienummer")
        .get_by_role("link", name="rad 54")
    )
    follow(page, evidence.first)
    expect(page).to_have_url(re.compile(r"#line-54$"))
    expect(page.locator("#line-54")).to_have_text("Dnr JÄRVA 2023/665")

    replace_text(page, page.locator("#id_summary"), SUMMARY)
    corrected = statement_number(page, "Chefers särskilda ansvar")
    choose(page, page.locator(f"#id_statement_{corrected}_stance"), "Tillstyrker med synpunkter")
    replace_text(page, page.locator(f"#id_statement_{corrected}_text"), CORRECTED)
    dropped = statement_number(page, "Risk- och sårbarhetsanalyser")
    box = page.locator(f"#id_statement_{dropped}_use")
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    kept = page.locator("input[id$='_use'][id^='id_statement_']:checked").count()

    press(page, "Spara i utkastet till svar")
    expect(page).to_have_url(re.compile(re.escape(detail) + r"(#.*)?$"))
    expect(
        page.get_by_text("Den importerade texten sparades i utkastet till svar.")
    ).to_be_visible()
    check_page(page)
    expect(page.get_by_text(SUMMARY, exact=True)).to_be_visible()
    expect(page.get_by_text(CORRECTED, exact=True)).to_be_visible()
    expect(page.get_by_text("JÄRVA 2023/665", exact=True)).to_be_visible()
    expect(page.get_by_text("Caroline Teir, 08-50802622", exact=True)).to_be_visible()

    def saved() -> tuple[Response, list[tuple[str, str, str]], list[str], int]:
        stored = Response.objects.get(pk=response.pk)
        statements = [
            (s.text, s.stance, s.section.heading)
            for s in stored.statements.select_related("section__focus_area").order_by("position")
        ]
        names = list(stored.signatories.values_list("name", flat=True))
        return stored, statements, names, ResponseImport.objects.get(response=response).pk

    stored, statements, names, item = in_another_thread(saved)
    assert stored.summary == SUMMARY
    assert len(statements) == kept
    assert (CORRECTED, Stance.SUPPORTS_WITH_REMARKS, "Chefers särskilda ansvar") in statements
    assert not any(heading == "Risk- och sårbarhetsanalyser" for _t, _s, heading in statements)
    assert names == ["Victoria Callenmark", "Jonas Eliasson"]

    # The saved import still shows what no field took.
    page.goto(f"{site}{reverse('remiss:import-review', kwargs={'pk': item})}")
    expect(page.get_by_role("heading", name="Ej placerat")).to_be_visible()
    check_page(page)
