"""A referral round in a real browser, from opening it to the reply, keyboard only.

SLK opens a referral of a draft programme version to three bodies (Järva, Skärholmen
and Bromma), with the draft as a PDF. Järva's administrator starts the response, writes
its summary and two statements, records the committee's decision and submits it;
Skärholmen's administrator declines with a reason. The deadline passes (moved by the
test); SLK's board shows Bromma late, Järva answered and Skärholmen declining. SLK
records a disposition for each of Järva's statements, publishes the compilation and
downloads its full PDF; Järva's administrator reads the dispositions on the response and
downloads the reply. axe-core checks every page on the way. The PDFs are rendered by the
two workers of ``tests/reporting/test_worker.py``, on Redis: the referral outputs'
service queues its runs through ``reporting.services.reports._enqueue``, which hands
them to the workers here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from remiss.models import Referral
from reporting.services import reports as report_services
from tests.access.matrix_support import PDF_BYTES
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in, sign_out
from tests.browser.test_city_report_browser import in_another_thread
from tests.browser.test_reports_browser import follow, latest, stored
from tests.conftest import Cast
from tests.remiss.test_rounds import draft_programme
from tests.reporting.test_worker import report_workers  # noqa: F401 (a fixture)
from tests.reporting.worker_support import ReportWorkers

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

TODAY = timezone.localdate()
SENT_ON = TODAY - datetime.timedelta(days=30)
TITLE = "Remiss av trygghetsprogrammet"
NUMBER = "KS 2026/1939"
THIRD = "Bromma stadsdelsnämnd"
FREE_SECTION = "Genomförande och uppföljning"
FIRST_SECTION = "1. Trygga offentliga miljöer"
SUMMARY = "Förvaltningen ställer sig bakom förslaget med några synpunkter."
SUPPORT = "Järva stöder fokusområdet om trygga offentliga miljöer."
CHANGE = "Järva föreslår att uppföljningen görs varje år i stället för vartannat."
DECISION = "Stadsdelsnämnden godkänner förvaltningens förslag som svar på remissen."
DECLINE = "Remissen berör inte nämndens verksamhet."
ACCEPTED_REASON = "Fokusområdet behålls som det är."
PARTLY_REASON = "Uppföljningen görs årligen för de viktigaste indikatorerna."
WAIT_MS = 60_000
PDF_LINK = re.compile(r"^Ladda ned PDF-filen \(\d+ sidor\)$")


@pytest.fixture
def draft_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The rounds' drafts in a temporary folder, so the test never writes into var/."""
    location = tmp_path / "drafts"
    location.mkdir()
    monkeypatch.setattr(
        Referral._meta.get_field("draft_file"), "storage", FileSystemStorage(location=location)
    )
    yield location


@pytest.fixture
def remiss_site(
    live_server: Any,
    cast: Cast,
    report_workers: ReportWorkers,  # noqa: F811 (the fixture of test_worker.py)
    draft_storage: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    """The live server with a draft programme version to send on referral, whose referral
    outputs go to the two workers; made before Playwright starts."""
    draft_programme()
    monkeypatch.setattr(report_services, "_enqueue", report_workers.send)
    return str(live_server.url)


def go(page: Page, link: Locator, path: str) -> None:
    """Follow a link with the keyboard and wait for the page it leads to."""
    follow(page, link)
    expect(page).to_have_url(re.compile(re.escape(path) + r"(\?.*)?(#.*)?$"))


def type_into(page: Page, field: Locator, text: str) -> None:
    """Reach a field with the keyboard focus and type into it."""
    field.focus()
    expect(field).to_be_focused()
    page.keyboard.type(text)


def type_date(page: Page, field: Locator, day: datetime.date) -> None:
    """Type a date into the browser's date field, part by part: month, day, year, the order
    of the system's Chromium (its own locale, whatever the page's language)."""
    field.focus()
    expect(field).to_be_focused()
    page.keyboard.type(f"{day.month:02d}{day.day:02d}{day.year:04d}")
    expect(field).to_have_value(day.isoformat())


def choose(page: Page, select: Locator, label: str) -> None:
    """Choose an option of a closed select with the arrow keys."""
    select.focus()
    expect(select).to_be_focused()
    for _ in range(20):
        if select.evaluate("s => s.selectedIndex >= 0 && s.options[s.selectedIndex].text") == (
            label
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r}")


def tick(page: Page, box: Locator) -> None:
    """Tick a checkbox or a radio button with the space bar."""
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def download(page: Page, link: Locator, folder: Path) -> tuple[str, bytes]:
    """Follow a download link with the keyboard: the file's name and what arrived."""
    with page.expect_download() as arrival:
        follow(page, link)
    path = folder / f"{len(list(folder.iterdir()))}.pdf"
    arrival.value.save_as(path)
    return arrival.value.suggested_filename, path.read_bytes()


def wait_for_the_file(page: Page) -> Locator:
    """The run page's download link, once the workers have rendered the file."""
    status = latest(page)
    link = status.get_by_role("link", name=PDF_LINK)
    expect(link).to_be_visible(timeout=WAIT_MS)
    expect(status).to_have_attribute("data-pending", "false")
    return link


def open_the_round(page: Page, draft: Path) -> None:
    """SLK opens the round on the draft version, to three bodies, with the draft's PDF."""
    follow(page, page.get_by_role("link", name="Öppna en remiss"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Öppna en remiss")
    check_page(page)
    follow(page, page.get_by_role("link", name="Trygghetsprogram (utkast)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trygghetsprogram (utkast)")
    check_page(page)

    type_into(page, page.get_by_label("Diarienummer"), NUMBER)
    type_into(page, page.get_by_label("Rubrik"), TITLE)
    type_date(page, page.get_by_label("Skickad"), SENT_ON)
    type_date(page, page.get_by_label("Sista dag"), TODAY + datetime.timedelta(days=14))
    for name in ("Järva stadsdelsnämnd", "Skärholmens stadsdelsnämnd", THIRD):
        tick(page, page.get_by_role("checkbox", name=name, exact=True))
    type_into(page, page.get_by_label("Andra avsnitt"), FREE_SECTION)
    upload = page.get_by_label("Remissförslaget (PDF)")
    upload.focus()
    expect(upload).to_be_focused()
    # The system's file dialog is no part of the page: the file is set as if picked there.
    upload.set_input_files(draft)
    press(page, "Öppna remissen")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_a_referral_round_from_opening_to_the_reply(
    remiss_site: str,
    report_workers: ReportWorkers,  # noqa: F811
    browser: Browser,  # noqa: F811
    tmp_path: Path,
):
    site = remiss_site
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    draft = tmp_path / "utkast.pdf"
    draft.write_bytes(PDF_BYTES)
    page = browser.new_page(viewport=WIDE, accept_downloads=True)

    # SLK opens the round to three bodies.
    sign_in(page, site, "slk", "/remisser/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Remisser")
    check_page(page)
    open_the_round(page, draft)
    round_url = page.url.split("#")[0]
    board = page.get_by_role("table", name="Var varje nämnd och bolag står")
    expect(board.get_by_role("row")).to_have_count(4)
    expect(page.get_by_role("link", name="utkast.pdf")).to_be_visible()
    check_page(page)
    sign_out(page)

    # Järva's administrator starts the response and writes it.
    sign_in(page, site, "admin_a", "/remisser/")
    follow(page, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_page(page)
    follow(
        page,
        page.get_by_role("region", name="Nämnder och bolag som ska svara").get_by_role(
            "link", name="Järva stadsdelsnämnd"
        ),
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Järva stadsdelsnämnd")
    check_page(page)
    press(page, "Påbörja remissvaret")
    go(page, page.get_by_role("link", name="Redigera remissvaret"), "/redigera/")
    check_page(page)
    type_into(page, page.get_by_role("textbox", name="Sammanfattning", exact=True), SUMMARY)
    press(page, "Spara")
    expect(page.get_by_text(SUMMARY, exact=True)).to_be_visible()

    for section, stance, text in (
        (FIRST_SECTION, "Tillstyrker", SUPPORT),
        (FREE_SECTION, "Föreslår en ändring", CHANGE),
    ):
        go(page, page.get_by_role("link", name="Lägg till en synpunkt"), "/ny/")
        check_page(page)
        choose(page, page.get_by_role("combobox", name=re.compile("^Avsnitt")), section)
        choose(page, page.get_by_role("combobox", name=re.compile("^Ställningstagande")), stance)
        type_into(page, page.get_by_role("textbox", name=re.compile("^Text")), text)
        press(page, "Spara")
        expect(page.get_by_text(text, exact=True)).to_be_visible()
    check_page(page)

    go(page, page.get_by_role("link", name="Ange nämndens beslut"), "/beslut/")
    check_page(page)
    type_date(page, page.get_by_label("Datum för nämndens sammanträde"), TODAY)
    type_into(page, page.get_by_role("textbox", name=re.compile("^Nämndens beslut")), DECISION)
    type_into(page, page.get_by_label("Protokollsparagraf"), "§ 12")
    press(page, "Spara")
    expect(page.get_by_text(DECISION, exact=True)).to_be_visible()

    go(page, page.get_by_role("link", name="Lämna in till SLK"), "/lamna-in/")
    check_page(page)
    press(page, "Lämna in till SLK")
    expect(page.locator(".response-state")).to_have_text("Inlämnad")
    expect(page.get_by_role("link", name="Lägg till en synpunkt")).to_have_count(0)
    check_page(page)
    sign_out(page)

    # Skärholmen's administrator declines, with a reason.
    sign_in(page, site, "admin_b", "/remisser/")
    follow(page, page.get_by_role("link", name=TITLE))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    check_page(page)
    decline = page.get_by_role("region", name=re.compile("Skärholmens stadsdelsnämnd"))
    type_into(page, decline.get_by_label("Skäl för att avstå"), DECLINE)
    button = decline.get_by_role("button", name="Avstå från att yttra sig")
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{round_url}#namnder")
    expect(decline).to_have_count(0)
    asked = page.get_by_role("region", name="Nämnder och bolag som ska svara")
    expect(asked.get_by_role("listitem").filter(has_text="Skärholmens")).to_contain_text("avstår")
    check_page(page)
    sign_out(page)

    # The deadline passes.
    def pass_the_deadline() -> int:
        return Referral.objects.filter(title=TITLE).update(
            deadline=TODAY - datetime.timedelta(days=1)
        )

    assert in_another_thread(pass_the_deadline) == 1

    # SLK sees the late body on the board.
    sign_in(page, site, "slk", "/remisser/")
    follow(page, page.get_by_role("link", name=TITLE))
    expect(page).to_have_url(round_url)
    rows = page.get_by_role("table", name="Var varje nämnd och bolag står").get_by_role("row")
    expect(rows.filter(has_text=THIRD)).to_contain_text("Försenad")
    expect(rows.filter(has_text="Järva stadsdelsnämnd")).to_contain_text("Besvarad")
    expect(rows.filter(has_text="Skärholmens stadsdelsnämnd")).to_contain_text(f"Avstår: {DECLINE}")
    check_page(page)

    # SLK handles each statement on its section's page.
    follow(page, page.get_by_role("link", name="Sammanställningen av remissvaren"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    check_page(page)
    compilation_url = page.url
    for section, outcome, reason in (
        (FIRST_SECTION, "Tillgodosedd", ACCEPTED_REASON),
        (FREE_SECTION, "Delvis tillgodosedd", PARTLY_REASON),
    ):
        page.goto(compilation_url)
        follow(page, page.get_by_role("link", name=section, exact=True))
        expect(page.get_by_role("heading", level=1)).to_have_text(section)
        check_page(page)
        statement = page.locator("li.statement").filter(has_text="Järva stadsdelsnämnd")
        tick(page, statement.get_by_role("radio", name=outcome, exact=True))
        type_into(page, statement.get_by_role("textbox"), reason)
        press(page, "Spara hanteringen Järva stadsdelsnämnd")
        expect(page.get_by_role("heading", level=1)).to_have_text(section)
        expect(statement.get_by_role("radio", name=outcome, exact=True)).to_be_checked()
        check_page(page)

    # SLK publishes the compilation and downloads its full PDF.
    page.goto(compilation_url)
    expect(page.get_by_role("main")).to_contain_text("2 av 2 synpunkter hanterade")
    press(page, "Publicera sammanställningen")
    expect(page.get_by_text("Sammanställningen publicerades.")).to_be_visible()
    check_page(page)
    press(page, "Skapa PDF-filen (fullständig)")
    link = wait_for_the_file(page)
    check_page(page)
    name, compilation = download(page, link, downloads)
    assert name.endswith(".pdf") and "utkast" not in name
    assert compilation.startswith(b"%PDF-") and stored(report_workers, compilation)
    sign_out(page)

    # Järva's administrator reads how its statements were handled and downloads the reply.
    sign_in(page, site, "admin_a", "/remisser/")
    follow(page, page.get_by_role("link", name=TITLE))
    follow(
        page,
        page.get_by_role("region", name="Nämnder och bolag som ska svara").get_by_role(
            "link", name="Järva stadsdelsnämnd"
        ),
    )
    handled = page.get_by_role("region", name="Så har era synpunkter hanterats")
    expect(handled.locator("li.statement")).to_have_count(2)
    expect(handled).to_contain_text(ACCEPTED_REASON)
    expect(handled).to_contain_text(PARTLY_REASON)
    expect(handled).to_contain_text("Delvis tillgodosedd")
    check_page(page)
    press(page, "Ladda ned återkopplingen")
    link = wait_for_the_file(page)
    check_page(page)
    name, reply = download(page, link, downloads)
    assert name.endswith(".pdf") and "Järva stadsdelsnämnd" in name
    assert reply.startswith(b"%PDF-") and stored(report_workers, reply)
    assert reply != compilation
