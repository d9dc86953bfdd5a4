"""The city-wide report in a real browser, with real workers rendering it, keyboard only.

SLK finds the city's reports of 2025 on the reports page, asks for the general variant
of the annual report, watches the page follow the workers (held mid-way by the test)
until the file is ready, downloads it (a whole PDF whose SHA-256 the page shows) and
publishes it. An official finds the published file on the reports page and downloads
the very same file, and is not told the full variant exists. Järva's approved annual
follow-up then changes; SLK asks again (only Järva's part and the overview are
rendered again) and publishes the correction with a note: the page lists both
publications, the earlier one marked superseded and still downloadable. axe-core
checks every new page state, the page of a run in progress too. The two workers are
those of ``tests/reporting/test_worker.py``, on Redis; the city report's service hands
them its runs.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection, transaction
from playwright.sync_api import Browser, Locator, Page, expect

from programme.models import IndicatorOutcome
from reporting.models import PartKind, ReportPart, ReportRun, ReportScope, RunPart, RunState
from reporting.services import city as city_services
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in
from tests.browser.test_reports_browser import follow, latest, stored
from tests.reporting.conftest import report_world  # noqa: F401 (a fixture)
from tests.reporting.report_world import OPEN_INDICATOR, ReportWorld
from tests.reporting.test_worker import report_workers  # noqa: F401 (a fixture)
from tests.reporting.worker_support import ReportWorkers

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

YEAR = 2025
GENERAL = f"/rapporter/staden/{YEAR}/annual/allman/"
FULL = f"/rapporter/staden/{YEAR}/annual/fullstandig/"
HEADING = f"Stadens verksamhetsberättelse {YEAR}"
TITLE = f"{HEADING} – trygghet och säkerhet"
WAIT_MS = 60_000
HOLD_SECONDS = 60.0
# What the status region says while the parts are rendered, then while they are joined.
PROGRESS = re.compile(r"^(\d+) av (\d+) delar klara…$|^Sätter ihop rapporten…$")
# "ersatt 7 maj 2026 14:03"
SUPERSEDED = re.compile(r"ersatt \d{1,2} \w+ \d{4} \d{2}:\d{2}")
NOTE = "Rättat utfall för Järva: andelen trygga i bostadsområdet."

T = TypeVar("T")


@pytest.fixture
def city_site(
    live_server: Any,
    report_world: ReportWorld,  # noqa: F811
    report_workers: ReportWorkers,  # noqa: F811 (the fixture of test_worker.py)
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The live server, whose city report pages hand their runs to the two workers."""
    dispatch = report_workers.city_dispatch()
    monkeypatch.setattr(city_services, "celery_dispatch", lambda: dispatch)
    return str(live_server.url)


def in_another_thread(work: Callable[[], T]) -> T:
    """``work()``'s result, run in a thread of its own: Django refuses the database in the
    browser's thread, whose event loop runs; another thread has none."""
    outcome: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # raised again below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert outcome, "the database work did not finish within a minute"
    return outcome[0]


class RunHold:
    """Keeps the newest city-wide run from finishing while the page shows its progress.

    A thread of the test waits until a worker has planned the run (its progress then
    says how many parts are ready) and locks the run's row: a worker that finishes a
    part or queues the joining waits for the lock to write to the row, so the run stays
    where it is until ``release``. Reading the row, as the page does, is not blocked.
    """

    def __init__(self, after: int) -> None:
        self.after = after
        self.run_id = 0
        self.progress = ""
        self.error: BaseException | None = None
        self.locked = threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self) -> None:
        try:
            deadline = time.monotonic() + HOLD_SECONDS
            runs = ReportRun.objects.filter(scope=ReportScope.CITY, pk__gt=self.after)
            while True:
                run = runs.order_by("-pk").first()
                if run is not None and run.state == RunState.RUNNING and run.progress:
                    break
                assert run is None or run.is_pending, f"run {run.pk} ended before it was held"
                assert time.monotonic() < deadline, "no city-wide run was planned in time"
                time.sleep(0.02)
            with transaction.atomic():
                run = ReportRun.objects.select_for_update().get(pk=run.pk)
                assert run.state == RunState.RUNNING, f"run {run.pk} ended before it was held"
                self.run_id, self.progress = run.pk, run.progress
                self.locked.set()
                self.released.wait(HOLD_SECONDS)
        except BaseException as error:  # reported by ``wait``
            self.error = error
        finally:
            self.locked.set()
            connection.close()

    def wait(self) -> str:
        """The progress the held run shows (it does not change until released)."""
        assert self.locked.wait(HOLD_SECONDS), "the run was not held in time"
        if self.error is not None:
            raise self.error
        return self.progress

    def release(self) -> None:
        self.released.set()
        self.thread.join(timeout=10)


@contextmanager
def holding_the_next_run(after: int = 0) -> Iterator[RunHold]:
    """Hold the next city-wide run (newer than run ``after``) once it is planned."""
    hold = RunHold(after)
    hold.thread.start()
    try:
        yield hold
    finally:
        hold.release()


def download(page: Page, link: Locator, folder: Path) -> tuple[str, bytes]:
    """Follow a download link with the keyboard: the file's name and what arrived."""
    with page.expect_download() as arrival:
        follow(page, link)
    path = folder / f"{len(list(folder.iterdir()))}.pdf"
    arrival.value.save_as(path)
    return arrival.value.suggested_filename, path.read_bytes()


def assert_whole_pdf(content: bytes, sha256: str) -> None:
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == sha256


def parts_of(run_id: int) -> dict[str, int]:
    """The run's body parts: each body's key and the part the run uses."""
    return dict(RunPart.objects.filter(run_id=run_id).values_list("part__key", "part_id"))


def overview_count() -> int:
    return ReportPart.objects.filter(kind=PartKind.OVERVIEW).count()


def make_the_report(page: Page, folder: Path, after: int = 0) -> tuple[int, str, bytes]:
    """Ask for the report, follow it (held running) to its file, and download it.

    Returns the run's id, the progress the page showed while held and the file.
    """
    status = latest(page)
    with holding_the_next_run(after) as hold:
        button = page.get_by_role("button", name=re.compile(r"^Skapa rapporten"))
        button.focus()
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Rapporten skapas.")).to_be_visible()
        expect(status).to_have_attribute("data-pending", "true")
        progress = hold.wait()
        assert PROGRESS.match(progress), progress
        # The page follows the run without reloading.
        expect(status).to_contain_text(progress, timeout=WAIT_MS)
        expect(status).to_have_attribute("data-pending", "true")
        check_page(page)  # while the run goes on
    link = status.get_by_role("link", name=re.compile(r"^Ladda ned PDF-filen \(\d+ sidor\)$"))
    expect(link).to_be_visible(timeout=WAIT_MS)
    expect(status).to_have_attribute("data-pending", "false")
    expect(page.get_by_role("button", name="Skapa rapporten igen")).to_be_visible()
    check_page(page)
    name, content = download(page, link, folder)
    assert name == f"{TITLE} (utkast).pdf"
    # The newest run's row shows the file's SHA-256.
    newest = page.locator("#report-runs").get_by_role("row").nth(1)
    assert_whole_pdf(content, newest.locator(".sha256 code").inner_text())
    return hold.run_id, progress, content


def test_slk_makes_and_publishes_the_city_report_and_officials_read_only_what_is_published(
    city_site: str,
    report_workers: ReportWorkers,  # noqa: F811
    report_world: ReportWorld,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
):
    site = city_site
    slk = browser.new_page(viewport=WIDE, accept_downloads=True)

    # SLK finds the city's reports of 2025 on the reports page.
    sign_in(slk, site, "slk", "/")
    follow(slk, slk.get_by_role("navigation").get_by_role("link", name="Rapporter", exact=True))
    expect(slk).to_have_url(f"{site}/rapporter/")
    expect(slk.get_by_role("heading", level=1)).to_have_text("Rapporter")
    expect(slk.get_by_role("heading", level=2, name=f"Stadens rapporter {YEAR}")).to_be_visible()
    check_page(slk)
    city = slk.get_by_role("list", name=f"Stadens rapporter {YEAR}")
    annual = city.get_by_role("listitem").filter(has_text="Verksamhetsberättelse")
    expect(annual.get_by_role("link", name="Fullständig")).to_be_visible()
    follow(slk, annual.get_by_role("link", name="Allmän"))
    expect(slk).to_have_url(f"{site}{GENERAL}")
    expect(slk.get_by_role("heading", level=1)).to_have_text(
        f"Stadens verksamhetsberättelse {YEAR}"
    )
    expect(slk.get_by_text("Stadsledningskontoret har inte publicerat")).to_be_visible()
    check_page(slk)

    # Asked for, the page follows the workers to the file, which SLK downloads.
    first_id, progress, first = make_the_report(slk, tmp_path)
    assert stored(report_workers, first)

    # SLK publishes it, without a note.
    press(slk, "Publicera den här filen")
    expect(slk).to_have_url(f"{site}{GENERAL}")
    expect(slk.get_by_text("Rapporten är publicerad")).to_be_visible()
    published = slk.get_by_role("region", name="Publicerad", exact=True).get_by_role("listitem")
    expect(published).to_have_count(1)
    expect(published).to_contain_text("gällande")
    expect(published).to_contain_text(hashlib.sha256(first).hexdigest())
    expect(slk.get_by_role("button", name="Publicera den här filen")).to_have_count(0)
    check_page(slk)

    # An official finds the published file on the reports page: the very file SLK read,
    # under its name without "utkast".
    official = browser.new_page(viewport=WIDE, accept_downloads=True)
    sign_in(official, site, "official", "/rapporter/")
    city = official.get_by_role("list", name=f"Stadens rapporter {YEAR}")
    annual = city.get_by_role("listitem").filter(has_text="Verksamhetsberättelse")
    expect(annual.get_by_role("link", name="Fullständig")).to_have_count(0)
    check_page(official)
    name, read = download(
        official, annual.get_by_role("link", name=re.compile(r"^publicerad .* \(PDF\)$")), tmp_path
    )
    assert name == f"{TITLE}.pdf"
    assert read == first
    # The full variant is not there for the official.
    official.goto(f"{site}{FULL}")
    expect(official.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    check_page(official)
    official.close()

    # Järva's approved annual follow-up changes; SLK asks again. Only Järva's part is
    # rendered again (the others are reused), and the overview.
    def change_jarva() -> int:
        overviews = overview_count()
        changed = IndicatorOutcome.objects.filter(
            follow_up=report_world.annual, name=OPEN_INDICATOR
        ).update(value=Decimal("72"))
        assert changed == 1
        return overviews

    overviews = in_another_thread(change_jarva)
    second_id, progress, second = make_the_report(slk, tmp_path, after=first_id)
    assert stored(report_workers, second) and second != first
    before, after = in_another_thread(lambda: (parts_of(first_id), parts_of(second_id)))
    assert len(after) > 1 and after.keys() == before.keys()
    assert {key for key in after if after[key] != before[key]} == {report_world.body.slug}
    assert in_another_thread(overview_count) > overviews
    # Held, the page said so: every part but Järva's was ready (unless Järva's was too).
    bodies = len(after)
    assert progress in (f"{bodies - 1} av {bodies} delar klara…", "Sätter ihop rapporten…")

    # SLK publishes the correction with a note, with the keyboard.
    note = slk.get_by_label("Anteckning (vid en rättelse: vad som ändrats)")
    expect(note).to_have_count(1)
    note.focus()
    slk.keyboard.type(NOTE)
    press(slk, "Publicera den här filen")
    expect(slk.get_by_text("Rapporten är publicerad")).to_be_visible()
    published = slk.get_by_role("region", name="Publicerad", exact=True).get_by_role("listitem")
    expect(published).to_have_count(2)
    current, earlier = published.nth(0), published.nth(1)
    expect(current).to_contain_text("gällande")
    expect(current).to_contain_text(NOTE)
    expect(current).to_contain_text(hashlib.sha256(second).hexdigest())
    expect(earlier).to_contain_text(SUPERSEDED)
    expect(earlier).not_to_contain_text("gällande")
    check_page(slk)

    # The earlier publication is still there to download: the first file.
    _name, again = download(
        slk, earlier.get_by_role("link", name=re.compile(r"^Publicerad ")), tmp_path
    )
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first).hexdigest()
