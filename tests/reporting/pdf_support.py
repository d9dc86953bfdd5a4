"""What the PDF tests share: the report's metadata and reading a PDF back.

Text comes back through poppler's ``pdftotext``; structure, marked content and fonts
through pikepdf, independently of ``reporting.pdf_finish``'s own walkers.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from reporting.pdf import PdfMeta

META = PdfMeta(
    title="Uppföljning 2025 – Södermalms stadsdelsnämnd",
    author="Södermalms stadsdelsnämnd",
    subject="Uppföljning av programmet för trygghet och säkerhet",
    keywords=("Södermalms stadsdelsnämnd", "2025", "helår"),
    footer_note="Utkast – ej godkänd",
)
STATIC_CSS = ".lead::before { content: 'Sammanfattning: '; }\n"
A4 = (595.28, 841.89)


def static_site(base: Path) -> Path:
    """A project folder whose static/reporting/ holds the sample's stylesheet."""
    folder = base / "static" / "reporting"
    folder.mkdir(parents=True)
    (folder / "prov.css").write_text(STATIC_CSS)
    return base


def page_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    # Poppler warns about what it cannot read, a broken ToUnicode map for one.
    assert result.stderr == ""
    return re.sub(r"\s+", " ", result.stdout)


# The page box of every report (``reporting.pdf.PAGE_CSS``): A4 with margins of 24 mm at
# the top, 20 mm at the sides and 22 mm at the bottom, in points.
MM = 72 / 25.4
CONTENT_RIGHT = 595.276 - 20 * MM
CONTENT_TOP = 24 * MM
CONTENT_BOTTOM = 841.89 - 22 * MM


def words_past_the_margin(path: Path, tolerance: float = 3.0) -> list[tuple[int, str, float]]:
    """Every word of the page's content (the stamped header and footer apart) whose right
    edge lies more than ``tolerance`` points beyond the right margin: (page, word, edge)."""
    result = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    )
    past = []
    for number, page in enumerate(result.stdout.split("<page ")[1:], start=1):
        for top, right, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', page
        ):
            inside = CONTENT_TOP < float(top) < CONTENT_BOTTOM
            if inside and float(right) > CONTENT_RIGHT + tolerance:
                past.append((number, word, float(right)))
    return past


def words(path: Path, page: int) -> dict[str, tuple[float, float]]:
    """The first place (left, top, in points) each word is printed on ``page``."""
    result = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, tuple[float, float]] = {}
    for x, y, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)<', result.stdout
    ):
        found.setdefault(word, (float(x), float(y)))
    return found


def structure_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements reachable from the root, in document order."""
    found: list[pikepdf.Dictionary] = []
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [pdf.Root.StructTreeRoot.K]
    while pending:
        kid = pending.pop()
        if isinstance(kid, pikepdf.Array):
            pending.extend(reversed(list(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in seen:
            seen.add(kid.objgen)
            found.append(kid)
            pending.append(kid.get("/K"))
    return found


def reaches_content(element: Any) -> bool:
    kids = element.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return any(
        isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and reaches_content(kid))
        for kid in kids
    )


@dataclass
class MarkedText:
    """A page's text-showing operators, decoded, split by whether they are artifacts."""

    artifacts: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    mcids: set[int] = field(default_factory=set)
    unmarked: int = 0


def to_unicode(font: pikepdf.Object) -> dict[bytes, str]:
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    return {
        bytes.fromhex(code): bytes.fromhex(text).decode("utf-16-be")
        for code, text in re.findall(r"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", cmap)
    }


def marked_text(page: pikepdf.Page) -> MarkedText:
    """Decode every string the page shows, noting the marked content around it."""
    result = MarkedText()
    fonts = page.Resources.Font
    maps: dict[str, dict[bytes, str]] = {}
    current: dict[bytes, str] = {}
    stack: list[str] = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "Tf":
            name = str(operands[0])
            maps.setdefault(name, to_unicode(fonts[name]))
            current = maps[name]
        elif op in ("BDC", "BMC"):
            tag = str(operands[0])
            properties = operands[1] if op == "BDC" else None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                result.mcids.add(int(properties.MCID))
                tag = "mcid"
            stack.append(tag)
        elif op == "EMC":
            stack.pop()
        elif op in ("Tj", "TJ"):
            strings = operands[0] if op == "TJ" else [operands[0]]
            raw = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
            text = "".join(current.get(raw[i : i + 2], "?") for i in range(0, len(raw), 2))
            if "/Artifact" in stack:
                result.artifacts.append(text)
            elif "mcid" in stack:
                result.content.append(text)
            else:
                result.unmarked += 1
    return result


def fonts_of(resources: Any, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Object]:
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in resources.get("/Font", {}).values():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from fonts_of(xobject.get("/Resources"), seen)


def xmp(pdf: pikepdf.Pdf) -> ET.Element:
    return ET.fromstring(pdf.Root.Metadata.read_bytes())


NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def mcid_texts(page: pikepdf.Page) -> dict[int, str]:
    """The text each marked-content sequence with an MCID shows on ``page``, by MCID."""
    fonts = page.Resources.Font
    maps: dict[str, dict[bytes, str]] = {}
    current: dict[bytes, str] = {}
    stack: list[int | None] = []
    found: dict[int, str] = {}
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "Tf":
            name = str(operands[0])
            maps.setdefault(name, to_unicode(fonts[name]))
            current = maps[name]
        elif op in ("BDC", "BMC"):
            properties = operands[1] if op == "BDC" else None
            mcid = None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                mcid = int(properties.MCID)
                found.setdefault(mcid, "")
            stack.append(mcid if mcid is not None else (stack[-1] if stack else None))
        elif op == "EMC":
            stack.pop()
        elif op in ("Tj", "TJ") and stack and stack[-1] is not None:
            strings = operands[0] if op == "TJ" else [operands[0]]
            raw = b"".join(bytes(s) for s in strings if isinstance(s, pikepdf.String))
            found[stack[-1]] += "".join(
                current.get(raw[i : i + 2], "?") for i in range(0, len(raw), 2)
            )
    return found


def element_text(
    element: Any, texts: dict[tuple[int, int], dict[int, str]], page: Any = None
) -> str:
    """The text a structure element's marked content shows; ``texts`` maps each page's
    objgen to its :func:`mcid_texts`."""
    page = element.get("/Pg", page)
    kids = element.get("/K")
    pieces = []
    for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            pieces.append(texts[page.objgen].get(kid, ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            pieces.append(texts[kid.get("/Pg", page).objgen].get(int(kid.MCID), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            pieces.append(element_text(kid, texts, page))
    return "".join(pieces)
