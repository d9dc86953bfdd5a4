"""The PDF renderer: one tagged PDF/A-2a and PDF/UA-1 file, read back with pikepdf and poppler.

A Swedish sample report is rendered once for the module; each test reads one property
of that file. A few tests render small documents of their own.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import outloud
import pdfua
import pikepdf
import pytest
from django.test import override_settings

from reporting.pdf import PdfMeta, RenderedPdf, render_pdf
from tests.reporting.pdf_support import (
    A4,
    META,
    NS,
    fonts_of,
    marked_text,
    page_text,
    reaches_content,
    static_site,
    structure_elements,
    words,
    xmp,
)

CHART_ALT = "Stapeldiagram för avsnitt {}: antal åtgärder per år, fler år 2025 än år 2024"
CHART_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160"
 viewBox="0 0 320 160" font-family="DejaVu Sans" font-size="12">
 <rect x="20" y="60" width="60" height="80" fill="#1f5f8b"/>
 <rect x="120" y="30" width="60" height="110" fill="#c2571a"/>
 <text x="20" y="155">2024</text><text x="120" y="155">2025</text>
 <text x="20" y="18">Åtgärder per år, avsnitt {}</text></svg>"""
AREAS = ("Årsta", "Östermalm", "Älvsjö", "Södermalm", "Skärholmen")
SECTIONS = ("Öka tryggheten i offentlig miljö", "Förebygga brott", "Stärka samverkan")


@dataclass
class Sample:
    """The sample report and what is known about it."""

    rendered: RenderedPdf
    path: Path
    headings: list[tuple[int, str]]
    progress: list[tuple[str, int | None]]
    pdf: pikepdf.Pdf = field(init=False)

    def __post_init__(self) -> None:
        self.pdf = pikepdf.open(self.path)


def sample_html() -> tuple[str, list[tuple[int, str]]]:
    """A Swedish report with a TOC, headings h1–h3, tables, lists and a chart per section."""
    headings = [(1, META.title), (2, "Innehåll")]
    toc, sections = [], []
    paragraph = (
        "<p>Stadsdelsnämnden har under året arbetat med åtgärder för ökad trygghet. "
        "Övergripande mål följs upp kvartalsvis, och särskilda insatser görs i Årsta, "
        "Östermalm och Älvsjö där känslan av otrygghet är störst enligt enkäten.</p>"
    )
    for number, name in enumerate(SECTIONS, start=1):
        h2 = f"Avsnitt {number}: {name}"
        h3 = f"Delmål {number}.1 – Åtgärder i närområdet"
        chart = base64.b64encode(CHART_SVG.format(number).encode()).decode()
        headings += [(2, h2), (3, h3)]
        toc.append(f'<li><a href="#avsnitt-{number}">{h2}</a></li>')
        rows = "".join(
            f'<tr><th scope="row">{area}</th>'
            + "".join(f"<td>{(row + number) * quarter}</td>" for quarter in range(1, 5))
            + "</tr>"
            for row, area in enumerate(AREAS)
        )
        sections.append(
            f'<section><h2 id="avsnitt-{number}">{h2}</h2>{paragraph * (3 + 2 * number)}'
            f"<h3>{h3}</h3>{paragraph * 2}"
            "<ul><li>Bättre belysning längs gång- och cykelvägar</li>"
            "<li>Fler vuxna på plats under kvällar och helger</li>"
            "<li>Åtgärdsplan för ökad säkerhet i skolornas närmiljö</li></ul>"
            f"<table><caption>Tabell {number}: Genomförda åtgärder per kvartal</caption>"
            "<thead><tr><th>Område</th><th>Kvartal 1</th><th>Kvartal 2</th>"
            f"<th>Kvartal 3</th><th>Kvartal 4</th></tr></thead><tbody>{rows}</tbody></table>"
            f'<figure><img src="data:image/svg+xml;base64,{chart}"'
            f' alt="{CHART_ALT.format(number)}">'
            f"<figcaption>Figur {number}: Åtgärder per år</figcaption></figure>"
            f"{paragraph * 3}</section>"
        )
    html = f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{META.title}</title>
<link rel="stylesheet" href="/static/reporting/prov.css">
<style>
  nav a::after {{ content: leader(".") " " target-counter(attr(href), page); }}
  section {{ break-before: page; }}
  h2, h3, caption, figcaption {{ break-after: avoid; }}
  table {{ border-collapse: collapse; margin: 1em 0; }}
  th, td {{ border: 0.5pt solid #777; padding: 2pt 6pt; }}
  figure img {{ width: 8cm; }}
</style></head>
<body><h1>{META.title}</h1>
<p class="lead">Året präglades av ökad samverkan.</p>
<nav><h2>Innehåll</h2><ol>{"".join(toc)}</ol></nav>
{"".join(sections)}</body></html>"""
    return html, headings


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    html, headings = sample_html()
    progress: list[tuple[str, int | None]] = []
    base = static_site(tmp_path_factory.mktemp("site"))
    with override_settings(BASE_DIR=base):
        rendered = render_pdf(html, META, lambda step, page: progress.append((step, page)))
    path = tmp_path_factory.mktemp("pdf") / "rapport.pdf"
    path.write_bytes(rendered.data)
    sample = Sample(rendered, path, headings, progress)
    yield sample
    sample.pdf.close()


# --- Pages, text and the running header -------------------------------------------------------


def test_the_sample_report_is_several_a4_pages(sample: Sample):
    assert sample.rendered.pages >= 3
    assert len(sample.pdf.pages) == sample.rendered.pages
    for page in sample.pdf.pages:
        width, height = (float(v) for v in page.MediaBox[2:])
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1))


def test_swedish_letters_extract_from_the_text(sample: Sample):
    text = page_text(sample.path)

    for word in ("Åtgärder", "Östermalm", "Älvsjö", "särskilda", "trygghet", "Skärholmen"):
        assert word in text


def test_every_page_has_the_title_its_number_of_the_total_and_the_draft_note(sample: Sample):
    pages = sample.rendered.pages

    for number in range(1, pages + 1):
        text = page_text(sample.path, number)
        assert META.title in text
        assert f"sida {number} av {pages}" in text
        assert META.footer_note in text


def test_page_numbers_title_and_note_are_pagination_artifacts_only(sample: Sample):
    pages = sample.rendered.pages

    for number, page in enumerate(sample.pdf.pages, start=1):
        text = marked_text(page)
        assert sorted(text.artifacts) == sorted(
            [META.title, META.footer_note, f"sida {number} av {pages}"]
        )
        assert not any("sida" in piece for piece in text.content)
        assert text.unmarked == 0
        closing = bytes(page.Contents[-1].read_bytes())
        assert b"/Artifact <</Type /Pagination>> BDC" in closing


def test_a_long_title_is_cut_in_the_header_and_kept_whole_in_the_metadata(tmp_path: Path):
    title = "Uppföljning " + "med en mycket lång rubrik " * 12
    meta = PdfMeta(title=title, author="Nämnd", subject="Ämne", keywords=())

    rendered = render_pdf('<html lang="sv"><body><p>Kort rapport.</p></body></html>', meta)

    path = tmp_path / "lang.pdf"
    path.write_bytes(rendered.data)
    with pikepdf.open(path) as pdf:
        header = "".join(marked_text(pdf.pages[0]).artifacts).replace(" ", "")
        assert str(pdf.docinfo.Title) == title
    assert title[:199].replace(" ", "") + "…" in header
    assert "Uppföljning med en mycket lång rubrik" in page_text(path)


def test_the_header_and_footer_follow_the_margins_of_each_page(tmp_path: Path):
    html = (
        '<html lang="sv"><head><style>@page { margin: 30mm 15mm 25mm 15mm; }'
        "@page bred { size: A4 landscape; margin: 20mm 40mm; } .bred { page: bred; }"
        '</style></head><body><p>Stående sida.</p><p class="bred">Liggande sida.</p>'
        "</body></html>"
    )

    rendered = render_pdf(html, META)

    path = tmp_path / "marginaler.pdf"
    path.write_bytes(rendered.data)
    mm = 72 / 25.4
    portrait, landscape = words(path, 1), words(path, 2)
    assert rendered.pages == 2
    assert abs(portrait["Uppföljning"][0] - 15 * mm) < 0.5
    assert portrait["Uppföljning"][1] < 30 * mm
    assert abs(landscape["Uppföljning"][0] - 40 * mm) < 0.5
    assert landscape["Uppföljning"][1] < 20 * mm
    assert landscape["sida"][1] > A4[0] - 20 * mm
    assert portrait["sida"][1] > A4[1] - 25 * mm


# --- Navigation -------------------------------------------------------------------------------


def test_bookmarks_follow_the_headings(sample: Sample):
    def walk(items: list[Any], level: int) -> Iterator[tuple[int, str]]:
        for item in items:
            yield level, item.title
            yield from walk(item.children, level + 1)

    with sample.pdf.open_outline() as outline:
        bookmarks = list(walk(outline.root, 1))

    assert bookmarks == sample.headings


def test_the_table_of_contents_links_to_the_pages_of_its_headings(sample: Sample):
    pdf = sample.pdf
    destinations = pikepdf.NameTree(pdf.Root.Names.Dests)
    page_numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    toc_text = page_text(sample.path, 1)
    links = [
        annotation
        for annotation in pdf.pages[0].get("/Annots", [])
        if annotation.get("/Subtype") == "/Link"
    ]
    linked = {}
    for annotation in links:
        name = str(annotation.Dest)
        linked[name] = page_numbers[destinations[name][0].objgen]

    for number, name in enumerate(SECTIONS, start=1):
        target = linked[f"avsnitt-{number}"]
        assert target > 1
        assert re.search(rf"Avsnitt {number}: {name} \.*\s*{target}\b", toc_text)
        assert f"Avsnitt {number}: {name}" in page_text(sample.path, target)


# --- Structure --------------------------------------------------------------------------------


def test_header_cells_carry_their_scope(sample: Sample):
    cells = [e for e in structure_elements(sample.pdf) if e.S == "/TH"]

    assert len(cells) >= 3 * (5 + 5)
    for cell in cells:
        section = cell.P.P.S
        expected = "/Column" if section == "/THead" else "/Row"
        assert cell.A.Scope == expected, (section, cell.A)


def test_the_chart_is_a_figure_with_its_alt_text(sample: Sample):
    figures = [e for e in structure_elements(sample.pdf) if e.S == "/Figure"]

    assert len(figures) == len(SECTIONS)
    assert [str(figure.Alt) for figure in figures] == [
        CHART_ALT.format(number) for number in range(1, len(SECTIONS) + 1)
    ]
    captions = [e for e in structure_elements(sample.pdf) if e.S == "/Caption"]
    assert any(reaches_content(caption) for caption in captions)


def test_the_structure_tree_reaches_every_marked_content_sequence(sample: Sample):
    pdf = sample.pdf
    reachable = {element.objgen for element in structure_elements(pdf)}
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)

    for page in pdf.pages:
        mcids = marked_text(page).mcids
        assert mcids
        parents = parent_tree[int(page.StructParents)]
        for mcid in mcids:
            parent = parents[mcid]
            assert isinstance(parent, pikepdf.Dictionary), mcid
            assert parent.objgen in reachable
        for annotation in page.get("/Annots", []):
            assert parent_tree[int(annotation.StructParent)].objgen in reachable


def test_headings_are_tagged_and_not_empty(sample: Sample):
    headings = [e for e in structure_elements(sample.pdf) if str(e.S) in ("/H1", "/H2", "/H3")]

    assert len(headings) == len(sample.headings)
    assert all(reaches_content(heading) for heading in headings)


# --- Metadata and PDF/A -----------------------------------------------------------------------


def test_the_document_says_what_it_is(sample: Sample):
    pdf = sample.pdf
    info = pdf.docinfo

    assert str(info.Title) == META.title
    assert str(info.Author) == META.author
    assert str(info.Subject) == META.subject
    assert str(info.Keywords) == "Södermalms stadsdelsnämnd, 2025, helår"
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "sv"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_the_xmp_metadata_matches_and_declares_pdfa_and_pdfua(sample: Sample):
    root = xmp(sample.pdf)

    def one(path: str) -> str:
        values = [element.text for element in root.iterfind(f".//{path}", NS)]
        assert len(values) == 1, path
        return values[0] or ""

    assert one("dc:title/rdf:Alt/rdf:li") == META.title
    assert one("dc:creator/rdf:Seq/rdf:li") == META.author
    assert one("dc:description/rdf:Alt/rdf:li") == META.subject
    assert one("pdf:Keywords") == "Södermalms stadsdelsnämnd, 2025, helår"
    assert one("dc:language/rdf:Bag/rdf:li") == "sv"
    assert one("pdf:Producer") == str(sample.pdf.docinfo.Producer)
    assert (one("pdfaid:part"), one("pdfaid:conformance")) == ("2", "A")
    assert one("pdfuaid:part") == "1"
    schema = root.find(".//pdfaExtension:schemas/rdf:Bag/rdf:li", NS)
    assert schema is not None
    assert schema.findtext("pdfaSchema:namespaceURI", namespaces=NS) == NS["pdfuaid"]
    assert schema.findtext("pdfaSchema:prefix", namespaces=NS) == "pdfuaid"
    declared = schema.find("pdfaSchema:property/rdf:Seq/rdf:li", NS)
    assert declared is not None
    assert declared.findtext("pdfaProperty:name", namespaces=NS) == "part"
    assert declared.findtext("pdfaProperty:valueType", namespaces=NS) == "Integer"
    assert declared.findtext("pdfaProperty:category", namespaces=NS) == "internal"
    assert "Filter" not in str(sample.pdf.Root.Metadata.stream_dict.keys())


def test_the_output_intent_is_srgb(sample: Sample):
    intents = sample.pdf.Root.OutputIntents

    assert len(intents) == 1
    assert intents[0].S == "/GTS_PDFA1"
    assert "sRGB" in str(intents[0].OutputConditionIdentifier)
    assert int(intents[0].DestOutputProfile.N) == 3


def test_every_font_is_an_embedded_dejavu_sans_subset_with_a_name_of_its_own(sample: Sample):
    seen: set[tuple[int, int]] = set()
    programs: dict[str, set[tuple[int, int]]] = {}
    fonts = [f for page in sample.pdf.pages for f in fonts_of(page.Resources, seen)]

    assert len(fonts) >= 3  # regular and bold in the report, regular in the stamp
    for font in fonts:
        for part in [font, *font.get("/DescendantFonts", [])]:
            if "/FontDescriptor" in part:
                descriptor = part.FontDescriptor
                program = next(
                    descriptor[key]
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                    if key in descriptor
                )
                programs.setdefault(str(font.BaseFont), set()).add(program.objgen)
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans[-A-Za-z]*", str(font.BaseFont))
    assert all(len(objects) == 1 for objects in programs.values()), programs


# --- The checkers -----------------------------------------------------------------------------


def test_the_pdfua_checker_finds_nothing(sample: Sample):
    report = pdfua.validate(str(sample.path))

    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    # pdfua 0.1.3 cannot run its empty-heading rule against pikepdf 10 (it calls getattr
    # on an Array, which pikepdf answers with ValueError); the test above checks that
    # no heading is empty instead.
    assert {outcome.rule_id for outcome in report.skipped} <= {"UA-14-001"}


def test_the_outloud_checker_finds_no_error(sample: Sample):
    result = outloud.check(str(sample.path))

    assert result.error is None
    assert result.stats["tagged"] is True
    assert [f"{f.rule} p{f.page}: {f.message}" for f in result.findings] == []
    assert result.verdict == "pass"


# --- Progress ---------------------------------------------------------------------------------


def test_progress_names_each_page_as_it_is_laid_out(sample: Sample):
    pages = [page for _, page in sample.progress if page is not None]

    assert sorted(set(pages)) == list(range(1, sample.rendered.pages + 1))
    assert any("Page 1" in step for step, page in sample.progress if page == 1)
    assert sample.progress[-1] == ("Finishing PDF/A and PDF/UA", None)


def test_the_progress_handler_is_gone_after_a_render():
    progress_logger = logging.getLogger("weasyprint.progress")
    before = (list(progress_logger.handlers), progress_logger.level, progress_logger.propagate)
    calls: list[int | None] = []

    render_pdf('<html lang="sv"><body><p>Hej</p></body></html>', META, lambda _, p: calls.append(p))

    assert calls
    after = (list(progress_logger.handlers), progress_logger.level, progress_logger.propagate)
    assert after == before


# --- What the markup may ask for --------------------------------------------------------------


def test_an_image_without_alt_text_is_refused():
    chart = base64.b64encode(CHART_SVG.format(1).encode()).decode()
    html = f'<html lang="sv"><body><img src="data:image/svg+xml;base64,{chart}"></body></html>'

    with pytest.raises(ValueError, match="alt"):
        render_pdf(html, META)


def test_page_margin_boxes_in_the_report_css_are_refused():
    html = (
        '<html lang="sv"><head><style>@page { @bottom-center { content: counter(page) } }'
        "</style></head><body><p>Hej</p></body></html>"
    )

    with pytest.raises(ValueError, match="margin boxes"):
        render_pdf(html, META)


def test_the_template_static_stylesheet_is_applied(sample: Sample):
    assert "Sammanfattning: Året präglades av ökad samverkan." in page_text(sample.path, 1)


# --- The environment fingerprint --------------------------------------------------------------
