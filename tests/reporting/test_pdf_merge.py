"""A report rendered in parts and joined: one tagged file, read back with pikepdf and poppler.

Three small Swedish parts are rendered once for the module (an overview of one page, a
body's part of two pages, another of one page) and joined with ``assemble``; each test
reads one property of the joined file.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import outloud
import pdfua
import pikepdf
import pytest

from reporting.pdf import RenderedPart, RenderedPdf, assemble, part_link, render_part
from tests.reporting.pdf_support import (
    META,
    NS,
    element_text,
    fonts_of,
    marked_text,
    mcid_texts,
    page_text,
    structure_elements,
    xmp,
)

CHART = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120"
 viewBox="0 0 240 120" font-family="DejaVu Sans" font-size="11">
 <rect x="20" y="50" width="50" height="50" fill="#1f5f8b"/>
 <rect x="110" y="20" width="50" height="80" fill="#c2571a"/>
 <text x="20" y="115">2024</text><text x="110" y="115">2025</text></svg>"""
CHART_ALT = "Stapeldiagram: fler åtgärder i {} år 2025 än år 2024"
EXTERNAL = "https://trygghet.example.se/program/2025/"
# (key, h1, the h2 headings, where each h2 starts a new page)
PARTS = [
    ("oversikt", "Översikt för hela staden", [("Läget i stadsdelarna", False)]),
    (
        "sodermalm",
        "Södermalms stadsdelsnämnd",
        [("Mål och måluppfyllelse", False), ("Åtgärder i närområdet", True)],
    ),
    ("alvsjo", "Älvsjö stadsdelsnämnd", [("Mål och måluppfyllelse", False)]),
]
H3 = "Delmål 1.1 – Ökad trygghet"
PAGES = [1, 2, 1]


def part_html(index: int) -> str:
    key, title, sections = PARTS[index]
    chart = base64.b64encode(CHART.encode()).decode()
    links = ""
    if index == 0:
        links = (
            f'<p>Läs mer om <a href="{part_link("alvsjo")}">Älvsjö</a>, om '
            f'<a href="{part_link("sodermalm", "atgarder")}">åtgärderna på Södermalm</a>, '
            f'i <a href="#tabell-{key}">tabellen nedan</a> och i '
            f'<a href="{EXTERNAL}">programmet</a>.</p>'
        )
    body = []
    for number, (heading, new_page) in enumerate(sections, start=1):
        anchor = "atgarder" if heading.startswith("Åtgärder") else f"avsnitt-{number}"
        style = ' style="break-before: page"' if new_page else ""
        body.append(
            f'<h2 id="{anchor}"{style}>{heading}</h2>'
            "<p>Stadsdelsnämnden har arbetat med ökad trygghet i Årsta, Östermalm och "
            "Älvsjö, där känslan av otrygghet är störst enligt årets enkät.</p>"
            f"<h3>{H3}</h3><p>Särskilda insatser görs under kvällar och helger.</p>"
        )
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<style>table {{ border-collapse: collapse; }} th, td {{ border: 0.5pt solid #777; }}
figure img {{ width: 6cm; }}</style></head>
<body><h1>{title}</h1>{links}
<table id="tabell-{key}"><caption>Genomförda åtgärder per kvartal</caption>
<thead><tr><th scope="col">Område</th><th scope="col">Kvartal 1</th>
<th scope="col">Kvartal 2</th><th scope="col">Kvartal 3</th></tr></thead>
<tbody><tr><th scope="row">Årsta</th><td>3</td><td>5</td><td>4</td></tr>
<tr><th scope="row">Östermalm</th><td>2</td><td>4</td><td>6</td></tr>
<tr><th scope="row">Älvsjö</th><td>1</td><td>2</td><td>3</td></tr></tbody></table>
<figure><img src="data:image/svg+xml;base64,{chart}" alt="{CHART_ALT.format(title)}">
<figcaption>Åtgärder per år</figcaption></figure>
{"".join(body)}</body></html>"""


@dataclass
class Joined:
    parts: list[tuple[str, RenderedPart]]
    rendered: RenderedPdf
    path: Path
    pdf: pikepdf.Pdf = field(init=False)
    page_numbers: dict[tuple[int, int], int] = field(init=False)

    def __post_init__(self) -> None:
        self.pdf = pikepdf.open(self.path)
        self.page_numbers = {p.obj.objgen: n for n, p in enumerate(self.pdf.pages, start=1)}

    def first_page(self, key: str) -> int:
        index = [part[0] for part in PARTS].index(key)
        return sum(PAGES[:index]) + 1

    def destination_page(self, destination: Any) -> int:
        if isinstance(destination, pikepdf.String):
            destination = pikepdf.NameTree(self.pdf.Root.Names.Dests)[str(destination)]
        return self.page_numbers[destination[0].objgen]


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Joined]:
    parts = [(key, render_part(part_html(i), META)) for i, (key, _, _) in enumerate(PARTS)]
    rendered = assemble(parts, META)
    path = tmp_path_factory.mktemp("pdf") / "stad.pdf"
    path.write_bytes(rendered.data)
    result = Joined(parts, rendered, path)
    yield result
    result.pdf.close()


def link_annotations(page: pikepdf.Page) -> list[Any]:
    return [a for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"]


def structure_elements_under(element: Any) -> list[Any]:
    """The structure elements below ``element``, in document order."""
    found = []
    pending: list[Any] = [element.K]
    while pending:
        kid = pending.pop()
        if isinstance(kid, pikepdf.Array):
            pending.extend(reversed(list(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append(kid)
            pending.append(kid.get("/K"))
    return found


# --- Parts and pages --------------------------------------------------------------------------


def test_each_part_has_its_pages_and_the_joined_file_all_of_them(joined: Joined):
    assert [len(part.geometries) for _, part in joined.parts] == PAGES
    assert joined.rendered.pages == len(joined.pdf.pages) == sum(PAGES)


def test_a_part_round_trips_through_its_stored_form(joined: Joined):
    part = joined.parts[1][1]

    stored = RenderedPart.from_stored(part.data, part.geometries_json())

    assert stored == part
    with pytest.raises(ValueError):
        RenderedPart.from_stored(part.data, "[[1, 2, 3]]")


def test_page_numbers_run_over_the_joined_file(joined: Joined):
    pages = sum(PAGES)

    for number in range(1, pages + 1):
        text = page_text(joined.path, number)
        assert f"sida {number} av {pages}" in text
        assert META.title in text
        assert sorted(marked_text(joined.pdf.pages[number - 1]).artifacts) == sorted(
            [META.title, META.footer_note, f"sida {number} av {pages}"]
        )


def test_swedish_text_of_every_part_extracts(joined: Joined):
    for (key, title, _), first in zip(PARTS, [1, 2, 4], strict=True):
        assert joined.first_page(key) == first
        assert title in page_text(joined.path, first)
    assert "Åtgärder i närområdet" in page_text(joined.path, 3)


# --- Structure --------------------------------------------------------------------------------


def test_the_structure_tree_holds_the_parts_in_order(joined: Joined):
    root = joined.pdf.Root.StructTreeRoot
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    texts = {page.obj.objgen: mcid_texts(page) for page in joined.pdf.pages}

    assert [str(kid.S) for kid in kids] == ["/Document"]
    parts = list(kids[0].K)
    assert [str(part.S) for part in parts] == ["/Part"] * len(PARTS)
    for part, (key, title, sections), pages in zip(parts, PARTS, PAGES, strict=True):
        assert part.P.objgen == kids[0].objgen
        headings = [e for e in structure_elements_under(part) if str(e.S) in ("/H1", "/H2")]
        assert [element_text(h, texts) for h in headings] == [title, *(h for h, _ in sections)]
        first = joined.first_page(key)
        last = first + pages - 1
        for element in structure_elements_under(part):
            if "/Pg" in element:
                assert first <= joined.page_numbers[element.Pg.objgen] <= last


def test_the_structure_tree_reaches_every_marked_content_sequence(joined: Joined):
    pdf = joined.pdf
    reachable = {element.objgen for element in structure_elements(pdf)}
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)

    for page in pdf.pages:
        mcids = marked_text(page).mcids
        assert mcids
        assert marked_text(page).unmarked == 0
        parents = parent_tree[int(page.StructParents)]
        for mcid in mcids:
            assert parents[mcid].objgen in reachable, mcid
        for annotation in page.get("/Annots", []):
            assert parent_tree[int(annotation.StructParent)].objgen in reachable


def test_parent_tree_keys_are_unique_and_match_the_struct_parents(joined: Joined):
    pdf = joined.pdf
    root = pdf.Root.StructTreeRoot
    keys = [number for number, _ in pikepdf.NumberTree(root.ParentTree).items()]
    used = [int(page.StructParents) for page in pdf.pages] + [
        int(annotation.StructParent) for page in pdf.pages for annotation in page.get("/Annots", [])
    ]

    assert len(keys) == len(set(keys))
    assert len(used) == len(set(used))
    assert sorted(used) == sorted(keys)
    assert int(root.ParentTreeNextKey) > max(keys)
    parent_tree = pikepdf.NumberTree(root.ParentTree)
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            element = parent_tree[int(annotation.StructParent)]
            assert element.S == "/Link"
            assert any(
                isinstance(kid, pikepdf.Dictionary)
                and kid.get("/Type") == "/OBJR"
                and kid.Obj.objgen == annotation.objgen
                for kid in element.K
            )


def test_structure_element_ids_are_unique_and_in_the_id_tree(joined: Joined):
    elements = structure_elements(joined.pdf)
    ids = [str(e.ID) for e in elements if "/ID" in e]
    id_tree = pikepdf.NameTree(joined.pdf.Root.StructTreeRoot.IDTree)

    assert len(ids) >= len(PARTS) * 5
    assert len(ids) == len(set(ids))
    assert sorted(id_tree.keys()) == sorted(ids)
    by_id = {str(e.ID): e for e in elements if "/ID" in e}
    for name in ids:
        assert id_tree[name].objgen == by_id[name].objgen
    for cell in (e for e in elements if e.S == "/TD"):
        assert all(str(header) in by_id for header in cell.A.Headers)


def test_header_cells_and_charts_keep_their_scope_and_alt(joined: Joined):
    elements = structure_elements(joined.pdf)

    cells = [e for e in elements if e.S == "/TH"]
    assert len(cells) == len(PARTS) * 7
    assert sorted({str(cell.A.Scope) for cell in cells}) == ["/Column", "/Row"]
    figures = [str(e.Alt) for e in elements if e.S == "/Figure"]
    assert figures == [CHART_ALT.format(title) for _, title, _ in PARTS]


# --- Navigation -------------------------------------------------------------------------------


def test_bookmarks_follow_the_headings_of_the_parts_in_order(joined: Joined):
    def walk(items: list[Any], level: int) -> Iterator[tuple[int, str, int]]:
        for item in items:
            yield level, item.title, joined.destination_page(item.destination)
            yield from walk(item.children, level + 1)

    expected = []
    for (key, title, sections), pages in zip(PARTS, PAGES, strict=True):
        first = joined.first_page(key)
        expected.append((1, title, first))
        for heading, new_page in sections:
            page = first + 1 if new_page and pages > 1 else first
            expected += [(2, heading, page), (3, H3, page)]

    with joined.pdf.open_outline() as outline:
        assert list(walk(outline.root, 1)) == expected


def test_links_into_other_parts_go_to_their_pages(joined: Joined):
    annotations = link_annotations(joined.pdf.pages[0])
    targets = {}
    for annotation in annotations:
        action = annotation.get("/A")
        if action is not None and action.S == "/GoTo":
            targets[str(annotation.Contents)] = joined.destination_page(action.D)

    assert targets == {"alvsjo": joined.first_page("alvsjo"), "atgarder": 3}
    assert "Åtgärder i närområdet" in page_text(joined.path, 3)
    assert all(a.get("/StructParent") is not None and int(a.F) & 4 for a in annotations)


def test_a_link_within_a_part_keeps_its_renamed_destination(joined: Joined):
    own = [a for a in link_annotations(joined.pdf.pages[0]) if "/Dest" in a]

    assert [str(a.Dest) for a in own] == ["oversikt:tabell-oversikt"]
    assert joined.destination_page(own[0].Dest) == 1
    names = list(pikepdf.NameTree(joined.pdf.Root.Names.Dests).keys())
    assert all(re.fullmatch(r"(oversikt|sodermalm|alvsjo):[-\w]+", name) for name in names)
    assert {"sodermalm:atgarder", "alvsjo:tabell-alvsjo"} <= set(names)


def test_other_web_links_are_left_alone(joined: Joined):
    uris = [
        str(a.A.URI)
        for page in joined.pdf.pages
        for a in link_annotations(page)
        if "/A" in a and a.A.S == "/URI"
    ]

    assert uris == [EXTERNAL]


def test_a_link_to_a_part_not_joined_is_refused(joined: Joined):
    with pytest.raises(ValueError, match="'alvsjo'"):
        assemble(joined.parts[:2], META)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["oversikt", "oversikt", "alvsjo"], "more than once"),
        (["oversikt", "del 2", "alvsjo"], "'del 2'"),
    ],
)
def test_part_keys_are_unique_and_plain(joined: Joined, keys: list[str], message: str):
    parts = [(key, part) for key, (_, part) in zip(keys, joined.parts, strict=True)]

    with pytest.raises(ValueError, match=message):
        assemble(parts, META)


def test_a_part_whose_geometries_do_not_match_its_pages_is_refused(joined: Joined):
    key, part = joined.parts[1]
    short = RenderedPart(data=part.data, geometries=part.geometries[:1])

    with pytest.raises(ValueError, match="sodermalm"):
        assemble([joined.parts[0], (key, short), joined.parts[2]], META)


# --- Fonts, metadata and PDF/A ----------------------------------------------------------------


def test_no_two_font_programs_share_a_subset_name(joined: Joined):
    seen: set[tuple[int, int]] = set()
    programs: dict[str, set[tuple[int, int]]] = {}
    fonts = [f for page in joined.pdf.pages for f in fonts_of(page.Resources, seen)]

    assert len(fonts) >= len(PARTS) * 2 + 1  # regular and bold per part, and the stamp
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
                assert str(descriptor.FontName) == str(font.BaseFont)
        assert re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans[-A-Za-z]*", str(font.BaseFont))
    assert all(len(objects) == 1 for objects in programs.values()), programs


def test_the_file_is_pdfa_and_pdfua_with_an_output_intent(joined: Joined):
    pdf = joined.pdf
    root = xmp(pdf)
    intents = pdf.Root.OutputIntents

    assert root.findtext(".//pdfaid:part", namespaces=NS) == "2"
    assert root.findtext(".//pdfaid:conformance", namespaces=NS) == "A"
    assert root.findtext(".//pdfuaid:part", namespaces=NS) == "1"
    assert root.findtext(".//dc:title/rdf:Alt/rdf:li", namespaces=NS) == META.title
    assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
    assert int(intents[0].DestOutputProfile.N) == 3
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "sv"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == META.title


# --- The checkers -----------------------------------------------------------------------------


def test_the_pdfua_checker_finds_nothing(joined: Joined):
    report = pdfua.validate(str(joined.path))

    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    # pdfua 0.1.3 cannot run its empty-heading rule against pikepdf 10 (see test_pdf.py).
    assert {outcome.rule_id for outcome in report.skipped} <= {"UA-14-001"}


def test_the_outloud_checker_finds_no_error(joined: Joined):
    result = outloud.check(str(joined.path))

    assert result.error is None
    assert result.stats["tagged"] is True
    assert [f"{f.rule} p{f.page}: {f.message}" for f in result.findings] == []
    assert result.verdict == "pass"
