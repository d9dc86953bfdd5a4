"""The reports in a real browser, with real workers rendering them, keyboard only.

Järva's administrator asks for the approved annual report of 2025, watches the page
follow the worker (waiting, laying out a page, done), previews the general variant and
downloads the full one. An official then finds Järva's general report on the reports
page and downloads it; Skärholmen's administrator gets "not found" for Järva's full
report. axe-core checks every new page. The two workers are those of
``tests/reporting/test_worker.py``, on Redis; the report page hands them its runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from reporting.services import reports as report_services
from reporting.storage import final_name
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in, sign_out
from tests.reporting.conftest import report_world  # noqa: F401 (a fixture)
from tests.reporting.report_world import ReportWorld
from tests.reporting.test_worker import report_workers, started_workers  # noqa: F401
from tests.reporting.worker_support import ReportWorkers

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

REPORT = "/rapporter/jarva/2025/annual/"
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


def test_reports_are_asked_for_followed_previewed_and_downloaded_by_those_who_may(
    reports_site: str,
    report_workers: ReportWorkers,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
):
    site = reports_site
    page = browser.new_page(viewport=WIDE, accept_downloads=True)

    # The administrator finds the annual report on the reports page.
    sign_in(page, site, "admin_a", "/rapporter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    check_page(page)
    row = (
        page.get_by_role("row")
        .filter(has_text="Järva stadsdelsnämnd")
        .filter(has_text="Verksamhetsberättelse")
    )
    follow(page, row.get_by_role("link", name="Fullständig"))
    expect(page).to_have_url(f"{site}{REPORT}fullstandig/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verksamhetsberättelse 2025")
    check_page(page)

    # Asked for, the page follows the worker: waiting, then a page being laid out (held
    # there by the test), then the file.
    report_workers.hold_next_rendering()
    press(page, "Skapa rapporten")
    status = latest(page)
    expect(status).to_contain_text("Sätter sida 1…", timeout=WAIT_MS)
    report_workers.release()
    expect(status.get_by_role("link", name="Ladda ned PDF-filen")).to_be_visible(timeout=WAIT_MS)
    check_page(page)

    # The general variant, previewed before officials see anything else.
    follow(page, page.get_by_role("link", name="allmän"))
    expect(page).to_have_url(f"{site}{REPORT}allman/")
    press(page, "Skapa rapporten")
    expect(latest(page).get_by_role("link", name="Ladda ned PDF-filen")).to_be_visible(
        timeout=WAIT_MS
    )
    check_page(page)
    general = download(page, latest(page).get_by_role("link"), tmp_path)
    assert general.startswith(b"%PDF-") and stored(report_workers, general)

    # Back to the full variant, downloaded under its Swedish name.
    follow(page, page.get_by_role("link", name="fullständig"))
    with page.expect_download() as arrival:
        follow(page, latest(page).get_by_role("link"))
    assert arrival.value.suggested_filename == (
        "Verksamhetsberättelse 2025 – Järva stadsdelsnämnd (fullständig).pdf"
    )
    full_path = tmp_path / "full.pdf"
    arrival.value.save_as(full_path)
    full = full_path.read_bytes()
    assert full.startswith(b"%PDF-")
    assert stored(report_workers, full) and full != general
    runs = page.get_by_role("table").get_by_role("row")
    expect(runs.nth(1)).to_contain_text("Amira Järvaadministratör")
    expect(runs.nth(1)).to_contain_text("SHA-256")
    sign_out(page)

    # An official finds the general report, now that the follow-up is approved.
    sign_in(page, site, "official", "/rapporter/")
    row = page.get_by_role("row").filter(has_text="Järva stadsdelsnämnd")
    expect(row).to_have_count(1)  # the draft T1 is not an official's to read
    expect(row.get_by_role("link", name="Fullständig")).to_have_count(0)
    check_page(page)
    official_copy = download(page, row.get_by_role("link", name="PDF"), tmp_path)
    assert official_copy == general
    sign_out(page)

    # Another body's administrator is not told the full report exists.
    sign_in(page, site, "admin_b", "/rapporter/")
    page.goto(f"{site}{REPORT}fullstandig/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
