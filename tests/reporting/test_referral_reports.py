"""A referral round's outputs: the compilation's PDF (full and general) and the replies.

The round is ``make_round``'s, every statement handled and the compilation published.
The compilation in both variants and the reply to body A for its administrator and its
reader are rendered once per test process (through the services and ``render_run``, as
the worker renders them) and read back with poppler and pikepdf; the ``pdfua`` and
``outloud`` checkers run on each file. Who may ask for and download which is checked
without rendering.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import outloud
import pdfua
import pikepdf
import pytest
from django.test import Client
from django.urls import reverse

from programme.models import Audience, Confidentiality
from remiss.services.compilation import publish_compilation
from reporting.models import ReportRun, ReportScope, RunState
from reporting.services import referral, reports
from reporting.storage import report_storage, store
from tests.access.matrix_rows_remiss_compilation import Round, dispose_all, make_round
from tests.conftest import Cast
from tests.reporting.pdf_support import marked_text, page_text, structure_elements

pytestmark = pytest.mark.django_db

TITLE = "Remissammanställning: Remiss av säkerhetsprogrammet"
REPLY = "Så har era synpunkter hanterats"
OPEN_A = "Järva stöder fokusområdet."
INTERNAL_A = "Järva vill veta vilka aktörer som ska samordnas."
CONFIDENTIAL_A = "Skyddsvärda objekt i Järva."
OPEN_B = "Skärholmen invänder."


def _no_queue(_: int) -> None:
    """The tests render the run themselves."""


@dataclass
class Rendered:
    """One rendered file: its pages' text and the run that made it."""

    name: str
    path: Path
    pages: int
    texts: list[str]
    title: str

    @property
    def text(self) -> str:
        return " ".join(self.texts)


_rendered: dict[str, Rendered] = {}


def _published_round(cast: Cast) -> Round:
    made = make_round(cast)
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    return made


def _render(name: str, run_id: int, folder: Path) -> Rendered:
    run = reports.render_run(run_id)
    assert run is not None and run.state == RunState.DONE, run and run.error
    path = folder / f"{name}.pdf"
    path.write_bytes(report_storage().open(run.file_name).read())
    assert run.pages is not None
    return Rendered(
        name=name,
        path=path,
        pages=run.pages,
        texts=[page_text(path, page) for page in range(1, run.pages + 1)],
        title=run.title,
    )


@pytest.fixture
def rendered(
    cast: Cast, report_files: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Rendered]:
    """The four files, rendered by the first test that asks in this process."""
    if not _rendered:
        folder = tmp_path_factory.mktemp("referral")
        made = _published_round(cast)
        asked = {
            "full": referral.request_compilation_pdf(
                cast.slk, made.referral, Audience.FULL, enqueue=_no_queue
            ),
            "general": referral.request_compilation_pdf(
                cast.official, made.referral, Audience.GENERAL, enqueue=_no_queue
            ),
            "reply-admin": referral.request_reply(cast.admin_a, made.response_a, _no_queue),
            "reply-reader": referral.request_reply(cast.reader_a, made.response_a, _no_queue),
        }
        for name, request in asked.items():
            _rendered[name] = _render(name, request.run.pk, folder)
    return _rendered


def test_the_compilation_prints_every_statement_in_swedish_with_its_disposition(rendered):
    full = rendered["full"]
    assert TITLE in full.texts[0]
    assert "Kommunstyrelsen" in full.texts[0] and "10 januari 2099" in full.texts[0]
    for text in (OPEN_A, INTERNAL_A, CONFIDENTIAL_A, OPEN_B, "Genomförande och uppföljning"):
        assert text in full.text, text
    assert "Texten behålls." in full.text and "Noterat." in full.text
    assert "Tillgodosedd" in full.text and "Avstyrker" in full.text
    assert "Konfidentiell" in full.text and "Intern" in full.text
    for number, text in enumerate(full.texts, start=1):
        assert f"sida {number} av {full.pages}" in text


def test_the_general_compilation_holds_the_open_statements_only(rendered):
    general = rendered["general"].text
    assert OPEN_A in general and OPEN_B in general
    assert INTERNAL_A not in general and CONFIDENTIAL_A not in general


def test_the_reply_gives_the_body_its_statements_and_a_reader_none_of_the_confidential(rendered):
    admin = rendered["reply-admin"]
    reader = rendered["reply-reader"]
    assert REPLY in admin.texts[0] and "Järva" in admin.texts[0]
    for text in (OPEN_A, INTERNAL_A, CONFIDENTIAL_A, "Texten behålls."):
        assert text in admin.text, text
    assert OPEN_A in reader.text and INTERNAL_A in reader.text
    assert CONFIDENTIAL_A not in reader.text
    assert OPEN_B not in admin.text and OPEN_B not in reader.text


def test_the_contents_and_the_bookmarks_lead_to_the_pages_of_the_headings(rendered):
    for report in (rendered["full"], rendered["general"]):
        contents = report.texts[1].split("Innehåll", 1)[1]
        # A focus area's heading begins with its number ("1. Beredskap"): split at the leaders.
        parts = re.split(r" ?\.{3,} ?(\d+)", contents)
        entries = list(zip(parts[0:-1:2], parts[1::2], strict=True))
        assert len(entries) >= 3, contents
        with pikepdf.open(report.path) as pdf:
            page_of = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
            marks = {}
            with pdf.open_outline() as outline:
                pending = list(outline.root)
                while pending:
                    item = pending.pop()
                    pending.extend(item.children)
                    destination = item.destination
                    if isinstance(destination, pikepdf.Array):
                        marks[item.title] = page_of[destination[0].objgen]
                    else:
                        names = pikepdf.NameTree(pdf.Root.Names.Dests)
                        marks[item.title] = page_of[names[str(destination)][0].objgen]
        for title, number in entries:
            title = title.strip()
            assert title in report.texts[int(number) - 1], (report.name, title, number)
            assert marks.get(title) == int(number), (report.name, title, marks)


def test_the_structure_reaches_every_marked_content_and_header_cells_have_scopes(rendered):
    for report in rendered.values():
        with pikepdf.open(report.path) as pdf:
            elements = structure_elements(pdf)
            reachable = {element.objgen for element in elements}
            parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
            for page in pdf.pages:
                marked = marked_text(page)
                assert marked.mcids and marked.unmarked == 0
                assert any("sida" in text for text in marked.artifacts)
                for mcid in marked.mcids:
                    assert parents[int(page.StructParents)][mcid].objgen in reachable
            cells = [e for e in elements if e.S == "/TH"]
            assert cells and all(str(cell.A.Scope) in ("/Row", "/Column") for cell in cells)
            assert str(pdf.Root.Lang) == "sv"
            assert str(pdf.docinfo.Title).startswith(report.title)
            assert str(pdf.docinfo.Author) == "Stadsledningskontoret"


def test_the_checkers_find_no_error_in_any_output(rendered):
    for report in rendered.values():
        ua = pdfua.validate(str(report.path))
        assert [f"{f.rule_id}: {f.message}" for f in ua.findings] == [], report.name
        assert {outcome.rule_id for outcome in ua.skipped} <= {"UA-14-001"}
        result = outloud.check(str(report.path))
        assert result.error is None and result.stats["tagged"] is True
        errors = [f for f in result.findings if str(getattr(f, "severity", "error")) == "error"]
        assert errors == [], [f"{f.rule} p{f.page}: {f.message}" for f in result.findings]
        assert result.verdict in ("pass", "review"), (report.name, result.findings)


# --- Asking and downloading, without rendering -------------------------------------------

FAKE_PDF = b"%PDF-1.7\n% a stand-in for a rendered report\n%%EOF\n"


def _finish(run: ReportRun) -> ReportRun:
    """Mark the run done with a stand-in file, as the worker would."""
    sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
    stored = store(FAKE_PDF, sha256, run.pk)
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.DONE, file_name=stored.name, sha256=sha256, size=stored.size, pages=1
    )
    run.refresh_from_db()
    return run


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def _download(cast: Cast, persona: str, run: ReportRun) -> int:
    url = reverse("reporting:download", kwargs={"pk": run.pk})
    return _client(cast, persona).get(url).status_code


def test_asking_again_with_nothing_changed_joins_the_run(cast: Cast):
    made = _published_round(cast)
    first = referral.request_compilation_pdf(cast.slk, made.referral, Audience.FULL, _no_queue)
    again = referral.request_compilation_pdf(cast.slk, made.referral, Audience.FULL, _no_queue)
    assert again.joined and again.run == first.run
    assert first.run.scope == ReportScope.COMPILATION and first.run.referral == made.referral
    reply = referral.request_reply(cast.admin_a, made.response_a, _no_queue)
    assert reply.run.scope == ReportScope.REPLY and reply.run.respondent == cast.body_a


def test_only_slk_has_the_full_compilation_and_the_general_one_before_publication(cast: Cast):
    made = make_round(cast)
    dispose_all(cast, made)
    from django.http import Http404

    for persona in ("official", "admin_a", "reader_a", "admin_b"):
        with pytest.raises(Http404):
            referral.request_compilation_pdf(
                cast.by_name(persona), made.referral, Audience.GENERAL, _no_queue
            )
    general = _finish(
        referral.request_compilation_pdf(cast.slk, made.referral, Audience.GENERAL, _no_queue).run
    )
    assert _download(cast, "official", general) == 404
    publish_compilation(cast.slk, made.referral.pk)
    # Published: the file made before says "not published yet", so a new one is made.
    assert _download(cast, "official", general) == 404
    current = _finish(
        referral.request_compilation_pdf(
            cast.official, made.referral, Audience.GENERAL, _no_queue
        ).run
    )
    assert _download(cast, "official", current) == 200
    assert _download(cast, "admin_b", current) == 200
    full = _finish(
        referral.request_compilation_pdf(cast.slk, made.referral, Audience.FULL, _no_queue).run
    )
    assert _download(cast, "slk", full) == 200
    for persona in ("official", "admin_a", "admin_b", "reader_a"):
        assert _download(cast, persona, full) == 404, persona


def test_a_reply_is_for_its_body_and_a_reader_gets_none_of_its_confidential_statements(
    cast: Cast,
):
    made = _published_round(cast)
    admins = _finish(referral.request_reply(cast.admin_a, made.response_a, _no_queue).run)
    readers = _finish(referral.request_reply(cast.reader_a, made.response_a, _no_queue).run)
    assert admins.audience == Audience.FULL and readers.audience == Audience.MEMBERS
    # The statements' texts are rich text, as HTML paragraphs.
    texts = [row["text"] for row in readers.inputs["statements"]]
    assert f"<p>{CONFIDENTIAL_A}</p>" not in texts and f"<p>{INTERNAL_A}</p>" in texts
    assert f"<p>{CONFIDENTIAL_A}</p>" in [row["text"] for row in admins.inputs["statements"]]
    assert _download(cast, "admin_a", admins) == 200
    assert _download(cast, "reader_a", readers) == 200
    assert _download(cast, "reader_a", admins) == 404
    for persona in ("admin_b", "official", "sysadmin"):
        assert _download(cast, persona, admins) == 404, persona
        assert _download(cast, persona, readers) == 404, persona
        for name in ("remiss:reply-pdf", "remiss:reply-pdf-request"):
            url = reverse(name, kwargs={"referral": made.referral.pk, "slug": cast.body_a.slug})
            client = _client(cast, persona)
            answer = client.get(url) if name.endswith("pdf") else client.post(url)
            assert answer.status_code == 404, (persona, name)


def test_a_file_that_prints_what_is_now_confidential_is_no_longer_handed_out(cast: Cast):
    made = _published_round(cast)
    run = _finish(
        referral.request_compilation_pdf(
            cast.official, made.referral, Audience.GENERAL, _no_queue
        ).run
    )
    made.open_b.confidentiality = Confidentiality.CONFIDENTIAL
    made.open_b.save()
    assert _download(cast, "official", run) == 404


def test_the_response_page_offers_the_reply_and_its_page_follows_the_run(cast: Cast):
    made = _published_round(cast)
    kwargs = {"referral": made.referral.pk, "slug": cast.body_a.slug}
    client = _client(cast, "reader_a")
    page = client.get(reverse("remiss:response-detail", kwargs=kwargs)).content.decode()
    assert reverse("remiss:reply-pdf-request", kwargs=kwargs) in page

    answer = client.post(reverse("remiss:reply-pdf-request", kwargs=kwargs))

    assert answer.status_code == 302 and answer["Location"] == reverse(
        "remiss:reply-pdf", kwargs=kwargs
    )
    follow = client.get(answer["Location"]).content.decode()
    assert 'http-equiv="refresh"' in follow and "report-progress.js" in follow
    run = ReportRun.objects.get(scope=ReportScope.REPLY, referral=made.referral)
    _finish(run)
    ready = client.get(answer["Location"]).content.decode()
    assert reverse("reporting:download", kwargs={"pk": run.pk}) in ready
    assert 'http-equiv="refresh"' not in ready
