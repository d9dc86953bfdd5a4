"""Every kind and variant of a body's report, rendered as the worker renders it and read back.

The report world (``report_world.py``) has every construct the templates print. Its
approved annual report and its draft T1 report are rendered once per test process in
all three variants (through ``request_report`` and ``render_run``) and read back with
poppler's ``pdftotext`` and pikepdf; the ``pdfua`` and ``outloud`` checkers run on
each file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import outloud
import pdfua
import pikepdf
import pytest

from programme.models import Audience
from reporting import pdf, rendering
from reporting.models import RunState
from reporting.queries.report_inputs import report_inputs
from reporting.services import reports
from reporting.storage import report_storage
from tests.conftest import Cast
from tests.reporting import report_world as w
from tests.reporting.pdf_support import (
    NS,
    fonts_of,
    marked_text,
    page_text,
    structure_elements,
    words_past_the_margin,
    xmp,
)
from tests.reporting.report_world import ReportWorld

pytestmark = pytest.mark.django_db

KINDS = [("annual", audience) for audience in Audience] + [
    ("t1", audience) for audience in Audience
]
TITLES = {"annual": "Verksamhetsberättelse 2025", "t1": "Tertialrapport 1 2025"}
BODY = "Järva stadsdelsnämnd"


@dataclass
class Report:
    """One rendered report: its file, its pages' text, and what it was made from."""

    kind: str
    audience: Audience
    path: Path
    pages: int
    texts: list[str]
    inputs: dict[str, Any]

    @property
    def text(self) -> str:
        return " ".join(self.texts)


_rendered: dict[tuple[str, str], Report] = {}


def _render_all(world: ReportWorld, cast: Cast, folder: Path) -> None:
    follow_ups = {"annual": world.annual, "t1": world.draft}
    for kind, audience in KINDS:
        asked = reports.request_report(
            cast.admin_a, follow_ups[kind], audience, enqueue=lambda _: None
        )
        run = reports.render_run(asked.run.pk)
        assert run is not None and run.state == RunState.DONE, run
        path = folder / f"{kind}-{audience.value}.pdf"
        path.write_bytes(report_storage().open(run.file_name).read())
        assert run.pages is not None
        _rendered[(kind, audience.value)] = Report(
            kind=kind,
            audience=audience,
            path=path,
            pages=run.pages,
            texts=[page_text(path, page) for page in range(1, run.pages + 1)],
            inputs=run.inputs,
        )


@pytest.fixture
def rendered(
    report_world: ReportWorld,
    cast: Cast,
    report_files: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str], Report]:
    """The six reports, rendered by the first test that asks in this process."""
    if not _rendered:
        _render_all(report_world, cast, tmp_path_factory.mktemp("rendered"))
    return _rendered


def each(rendered: dict[tuple[str, str], Report]) -> list[Report]:
    return [rendered[(kind, audience.value)] for kind, audience in KINDS]


def test_titles_names_and_swedish_letters_come_back(rendered):
    for report in each(rendered):
        first = report.texts[0]
        assert TITLES[report.kind] in first and BODY in first, report.path.name
        assert "Spånga-Tensta stadsdelsnämnd (åtta månader)" in first
        assert "Ökad trygghet i Järvas centrum, året runt" in report.text


def test_an_activitys_period_is_written_in_swedish_words(rendered):
    for report in each(rendered):
        if "Trygghetsvandringar" not in report.text:
            continue  # a variant whose readers may not see the activities
        # The cell's lines are read between those of the cells beside it.
        words = " ".join(report.text.split())
        assert "1 februari 2025 – 30" in words and "november 2025" in words, report.path.name
        assert "Feb 2025" not in words and "Nov 2025" not in words


def test_every_table_keeps_within_the_right_margin(rendered):
    for report in each(rendered):
        assert words_past_the_margin(report.path) == [], report.path.name


def test_pages_are_numbered_continuously_with_the_right_total_under_the_title(rendered):
    for report in each(rendered):
        with pikepdf.open(report.path) as pdf:
            assert len(pdf.pages) == report.pages >= 4
        for number, text in enumerate(report.texts, start=1):
            assert f"sida {number} av {report.pages}" in text, (report.path.name, number)
            assert f"{TITLES[report.kind]} – {BODY}" in text


def test_a_draft_says_so_on_its_first_page_and_in_every_footer_and_an_approved_one_does_not(
    rendered,
):
    for report in each(rendered):
        draft = report.kind == "t1"
        marks = ["Utkast – ej godkänd" in text for text in report.texts]
        assert marks == [draft] * report.pages, report.path.name
        assert (
            "SLK har inte godkänt" in report.texts[0] or "inte godkänt" in report.texts[0]
        ) == draft


def test_the_contents_and_the_bookmarks_lead_to_the_pages_of_the_headings(rendered):
    for report in each(rendered):
        # The page's running header comes first; the entries follow the heading.
        contents = report.texts[1].split("Innehåll", 1)[1]
        entries = re.findall(r"([A-ZÅÄÖ][^.]+?) ?\.{3,} ?(\d+)", contents)
        assert len(entries) >= 4, contents
        with pikepdf.open(report.path) as pdf:
            page_of = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
            with pdf.open_outline() as outline:
                marks = {}
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
            page = int(number)
            assert title in report.texts[page - 1], (report.path.name, title, page)
            assert marks.get(title) == page, (report.path.name, title, marks)


def test_each_variant_prints_what_its_readers_may_see_and_counts_what_it_may_only_count(rendered):
    for kind in ("annual", "t1"):
        full = rendered[(kind, "full")].text
        members = rendered[(kind, "members")].text
        general = rendered[(kind, "general")].text
        assert w.CONFIDENTIAL_ACTIVITY in full and w.CONFIDENTIAL_GOAL in full
        assert w.INTERNAL_ACTIVITY in members and w.CONFIDENTIAL_ACTIVITY not in members
        assert w.CONFIDENTIAL_GOAL not in members
        assert w.OPEN_ACTIVITY in general and w.OPEN_INDICATOR in general
        for hidden in (
            w.INTERNAL_ACTIVITY,
            w.CONFIDENTIAL_ACTIVITY,
            w.INTERNAL_GOAL,
            w.CONFIDENTIAL_GOAL,
            w.INTERNAL_INDICATOR,
            w.SITUATION_PICTURE,
        ):
            assert hidden not in general, (kind, hidden)
        # The internal records are in the counts: one goal, two activities, one indicator.
        assert "Räknade men inte visade: 1 mål, 2 aktiviteter och 1 indikatorer." in general


def test_the_body_and_slk_judgements_stand_side_by_side_with_the_disagreement_marked(rendered):
    annual = rendered[("annual", "full")].text
    assert "≠ SLK bedömer annorlunda" in annual or "≠ Stadsledningskontoret" in annual
    assert "Kommunfullmäktiges mål" in annual and "Programmets uppdrag" in annual
    assert "Åsa Öberg" in annual
    assert "Programmets uppdrag" not in rendered[("t1", "full")].text


def test_the_indicator_chart_is_a_figure_whose_alt_text_gives_its_figures(rendered):
    report = rendered[("annual", "general")]
    with pikepdf.open(report.path) as pdf:
        alts = [str(e.Alt) for e in structure_elements(pdf) if e.S == "/Figure"]
    assert any(
        w.OPEN_INDICATOR in alt and "kvinnor 64 %" in alt and "män 72,8 %" in alt for alt in alts
    ), alts
    assert any("Aktiviteternas status per mål" in alt for alt in alts)


def test_the_structure_reaches_every_marked_content_and_header_cells_have_scopes(rendered):
    for report in each(rendered):
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
            assert str(pdf.docinfo.Title) == f"{TITLES[report.kind]} – {BODY}"
            assert str(pdf.docinfo.Author) == BODY
            assert "2025" in str(pdf.docinfo.Keywords) and BODY in str(pdf.docinfo.Keywords)
            assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_pdfa_identification_output_intent_and_embedded_fonts(rendered):
    for report in each(rendered):
        with pikepdf.open(report.path) as pdf:
            root = xmp(pdf)
            assert root.findtext(".//pdfaid:part", namespaces=NS) == "2"
            assert root.findtext(".//pdfaid:conformance", namespaces=NS) == "A"
            assert root.findtext(".//pdfuaid:part", namespaces=NS) == "1"
            assert "sRGB" in str(pdf.Root.OutputIntents[0].OutputConditionIdentifier)
            seen: set[tuple[int, int]] = set()
            fonts = [font for page in pdf.pages for font in fonts_of(page.Resources, seen)]
            assert fonts
            for font in fonts:
                for part in [font, *font.get("/DescendantFonts", [])]:
                    if "/FontDescriptor" in part:
                        keys = set(part.FontDescriptor.keys())
                        assert keys & {"/FontFile", "/FontFile2", "/FontFile3"}, font.BaseFont


def test_the_checkers_find_no_error_in_any_kind_or_variant(rendered):
    for report in each(rendered):
        ua = pdfua.validate(str(report.path))
        assert [f"{f.rule_id}: {f.message}" for f in ua.findings] == [], report.path.name
        assert {outcome.rule_id for outcome in ua.skipped} <= {"UA-14-001"}
        result = outloud.check(str(report.path))
        assert result.error is None and result.stats["tagged"] is True
        errors = [f for f in result.findings if str(getattr(f, "severity", "error")) == "error"]
        assert errors == [], [f"{f.rule} p{f.page}: {f.message}" for f in result.findings]
        # Warnings (paint order on a page, say) leave the verdict at "review", never "fail".
        assert result.verdict in ("pass", "review"), (report.path.name, result.findings)


def test_the_stylesheet_is_found_with_the_production_static_storage(
    report_world: ReportWorld, settings
):
    # Production's static storage hashes file names; the report names its stylesheet
    # in a way the PDF module's fetcher serves whatever the storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    inputs = report_inputs(report_world.annual, Audience.GENERAL)

    html = rendering.report_html(inputs, "sv")

    [href] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert href == pdf.asset_url("report.css")
    assert b"@page" in pdf.url_fetcher(href).read()
