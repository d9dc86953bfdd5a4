"""The reports in a real browser, with real workers rendering them, keyboard only.

Järva's administrator asks for the approved annual report of 2025, watches the page
follow the worker (laying out page 1, then page 2, then done) and downloads the full
variant; then previews the general variant of the T1 draft. SLK approves T1; an official
finds Järva's general reports, sees that the preview is no longer handed out, makes a
current one and downloads it; Skärholmen's administrator gets "not found" for Järva's
full report. axe-core checks every new page, the page of a run in progress too. The two
workers are those of ``tests/reporting/test_worker.py``, on Redis; the report page hands
them its runs.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Locator, Page, expect

from programme.models import FollowUp
from programme.services import follow_up_workflow as workflow
from reporting.services import reports as report_services
from reporting.storage import final_name
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in, sign_out
from tests.conftest import Cast
from tests.reporting.conftest import report_world  # noqa: F401 (a fixture)
from tests.reporting.report_world import ReportWorld
from tests.reporting.test_worker import report_workers  # noqa: F401 (a fixture)
from tests.reporting.worker_support import ReportWorkers

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ANNUAL = "/rapporter/jarva/2025/annual/"
T1 = "/rapporter/jarva/2025/t1/"
WAIT_MS = 60_000


@pytest.fixture
def reports_site(
    live_server: Any,
    report_world: ReportWorld,  # noqa: F811
    report_workers: ReportWorkers,  # noqa: F811 (the fixture of test_worker.py)
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The live server, whose report pages hand their runs to the two workers."""
    monkeypatch.setattr(report_services, "_enqueue", report_workers.send)
    return str(live_server.url)


def follow(page: Page, link: Locator) -> None:
    """Reach a link with the keyboard and follow it."""
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")


def download(page: Page, link: Locator, folder: Path) -> bytes:
    """Follow a download link with the keyboard and read what arrived."""
    with page.expect_download() as arrival:
        follow(page, link)
    path = folder / arrival.value.suggested_filename
    arrival.value.save_as(path)
    return path.read_bytes()


def latest(page: Page) -> Locator:
    """What the page says of the latest run (it updates itself while the run goes on)."""
    return page.get_by_role("region", name="Senaste körningen").get_by_role("status")


def stored(workers: ReportWorkers, content: bytes) -> bool:
    """Whether ``content`` is a file the workers stored (its name is its SHA-256).

    Read from the shared folder: the browser's event loop runs in this thread, where
    Django refuses database queries.
    """
    name = final_name(hashlib.sha256(content).hexdigest())
    return (workers.reports_dir / name).read_bytes() == content


def approve_in_another_thread(world: ReportWorld, cast: Cast) -> None:
    """The body submits its T1 and SLK approves it (Django refuses the database in the
    browser's thread, whose event loop runs; another thread has none)."""

    def approve() -> None:
        follow_up = FollowUp.objects.get(pk=world.draft.pk)
        follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
        workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
        connection.close()

    thread = threading.Thread(target=approve)
    thread.start()
    thread.join(timeout=60)


def test_reports_are_asked_for_followed_previewed_and_downloaded_by_those_who_may(
    reports_site: str,
    report_workers: ReportWorkers,  # noqa: F811
    report_world: ReportWorld,  # noqa: F811
    cast: Cast,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
):
    site = reports_site
    page = browser.new_page(viewport=WIDE, accept_downloads=True)

    # The administrator finds the annual report on the reports page.
    sign_in(page, site, "admin_a", "/rapporter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    check_page(page)
    row = page.get_by_role("row").filter(has_text="Järva stadsdelsnämnd")
    follow(
        page, row.filter(has_text="Verksamhetsberättelse").get_by_role("link", name="Fullständig")
    )
    expect(page).to_have_url(f"{site}{ANNUAL}fullstandig/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verksamhetsberättelse 2025")
    check_page(page)

    # Asked for, the page follows the worker without reloading: a page being laid out
    # (held there by the test), a later page, then the file.
    report_workers.hold_next_rendering()
    press(page, "Skapa rapporten")
    status = latest(page)
    expect(status).to_contain_text("Sätter sida 1…", timeout=WAIT_MS)
    check_page(page)  # while the run goes on
    (report_workers.hold_dir / "hold").touch()  # the next page holds too
    report_workers.release()
    expect(status).to_contain_text("Sätter sida 2…", timeout=WAIT_MS)
    report_workers.release()
    download_link = status.get_by_role("link", name="Ladda ned PDF-filen")
    expect(download_link).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("button", name="Skapa rapporten igen")).to_be_visible()
    check_page(page)

    # Downloaded under its Swedish name.
    with page.expect_download() as arrival:
        follow(page, download_link)
    assert arrival.value.suggested_filename == (
        "Verksamhetsberättelse 2025 – Järva stadsdelsnämnd (fullständig).pdf"
    )
    full = tmp_path / "full.pdf"
    arrival.value.save_as(full)
    assert stored(report_workers, full.read_bytes())
    runs = page.locator("#report-runs").get_by_role("row")
    expect(runs.nth(1)).to_contain_text("Amira Järvaadministratör")
    expect(runs.nth(1)).to_contain_text("SHA-256")

    # The T1 draft's general variant, previewed before SLK approves it.
    page.goto(f"{site}/rapporter/")
    follow(page, row.filter(has_text="Tertialrapport 1").get_by_role("link", name="Allmän"))
    expect(page).to_have_url(f"{site}{T1}allman/")
    press(page, "Skapa rapporten")
    preview = latest(page).get_by_role("link", name="Ladda ned PDF-filen")
    expect(preview).to_be_visible(timeout=WAIT_MS)
    draft = download(page, preview, tmp_path)
    assert stored(report_workers, draft)
    sign_out(page)

    # SLK approves T1. An official finds Järva's general reports; the preview is not
    # handed out (it calls itself a draft), so the official makes a current one.
    approve_in_another_thread(report_world, cast)
    sign_in(page, site, "official", "/rapporter/")
    rows = page.get_by_role("row").filter(has_text="Järva stadsdelsnämnd")
    expect(rows).to_have_count(2)
    expect(rows.get_by_role("link", name="Fullständig")).to_have_count(0)
    expect(rows.get_by_role("link", name="PDF")).to_have_count(0)
    check_page(page)
    follow(page, rows.filter(has_text="Tertialrapport 1").get_by_role("link", name="Allmän"))
    expect(page.locator("#report-runs")).to_contain_text("Inte längre aktuell")
    check_page(page)
    press(page, "Skapa rapporten igen")
    approved = latest(page).get_by_role("link", name="Ladda ned PDF-filen")
    expect(approved).to_be_visible(timeout=WAIT_MS)
    official_copy = download(page, approved, tmp_path)
    assert stored(report_workers, official_copy) and official_copy != draft
    sign_out(page)

    # Another body's administrator is not told the full report exists.
    sign_in(page, site, "admin_b", "/rapporter/")
    page.goto(f"{site}{ANNUAL}fullstandig/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
