"""Render a report's HTML to one PDF that is both tagged PDF/UA-1 and PDF/A-2a.

This is the only module that imports WeasyPrint (lazily, inside the functions that need
it, so that a web process importing :class:`PdfMeta` does not pay for WeasyPrint).
:func:`render_pdf` renders a whole report. A report can also be rendered in parts, each
cached on its own (:func:`render_part`), and joined by :func:`assemble` with
:mod:`reporting.pdf_merge`; the joined file is then stamped and finished exactly like a
whole one, so the page numbers run over all the parts. :mod:`reporting.pdf_finish`
post-processes the file WeasyPrint writes (page numbers, XMP metadata, checks) with pikepdf.

What the caller provides
    ``html`` is a complete HTML document rendered from a template. User text must be
    cleaned before it reaches the template (``nh3``, Django's autoescaping): this
    module trusts the markup it is given and only limits what the markup can fetch.
    The document should have ``<html lang="sv">`` (the language is also set from
    :class:`PdfMeta`), a heading hierarchy h1–h3 (WeasyPrint makes a bookmark of
    every heading), and a table of contents built with ``target-counter()`` if one is
    wanted. ``PAGE_CSS`` (A4, DejaVu Sans) is applied with user-stylesheet precedence,
    so the template's CSS may change the margins or use named pages; the running
    header and the footer are drawn in whatever top and bottom margins each page has,
    so the margins must leave room for one line (about 15 mm). The template must not
    define ``@page`` margin boxes: their text would be tagged content that no structure
    element reaches, and :func:`render_pdf` refuses them.

How the document refers to files
    The HTML is parsed with the base URL ``https://reporting.invalid/``; a stylesheet or
    image is ``{% static 'reporting/x.css' %}`` (or :func:`asset_url`), a file under
    ``static/reporting/`` of this project, or a ``data:`` URL. :func:`url_fetcher` serves
    those and refuses anything else without reading it or opening a connection (the
    rules are in :mod:`reporting.pdf_fetch`). Links (``<a href>``) should be absolute
    URLs, ``#fragments`` or :func:`part_link`: a relative link would point into
    ``reporting.invalid``.

Fonts
    DejaVu Sans (Debian's fonts-dejavu-core) covers å ä ö. WeasyPrint embeds a subset of
    every font it uses (install libharfbuzz-subset0, or it falls back to a slower
    subsetter); :func:`environment_fingerprint` hashes the DejaVu Sans files.

Running header and footer
    They are rendered as a second, untagged document with one page per report page
    (same size and margins) and drawn onto the report by :mod:`reporting.pdf_finish` as
    pagination artifacts. A title longer than ``HEADER_TITLE_LENGTH`` characters is cut
    with "…" in the header (not with CSS ``text-overflow: ellipsis``, which WeasyPrint 70
    maps to a ToUnicode entry PDF readers reject; avoid it in templates too).

Charts
    An ``<img src="data:image/svg+xml;base64,..." alt="...">`` inside ``<figure>``
    becomes a Figure structure element whose ``/Alt`` is the ``alt`` attribute, and
    both checkers accept it; ``<figcaption>`` becomes a Caption (under a NonStruct, as
    WeasyPrint tags ``<figure>``). An inline ``<svg>`` also works (its ``<title>``
    becomes ``/Alt``), but the data URL keeps the chart's markup out of the report's
    HTML and its alternative in one visible attribute, so it is the form to use. An
    image without ``alt`` makes :func:`render_pdf` raise, since the file would fail
    PDF/UA.

Tables
    WeasyPrint 70 writes no ``/Scope`` on TH elements. The finisher below adds
    ``/Row`` to ``<th scope="row">`` (and ``rowgroup``) and ``/Column`` to every other
    ``<th>``, the same split WeasyPrint uses for the ``/Headers`` of data cells, so a
    row header in ``<tbody>`` must say ``scope="row"``.

Concurrency and memory
    Renders in one process run one at a time (a module lock): the progress handler is
    attached to WeasyPrint's process-wide ``weasyprint.progress`` logger only while
    a render runs, so two concurrent renders would see each other's progress.
    WeasyPrint is CPU-bound and holds the GIL, so the lock costs no throughput. The laid
    out document is dropped as soon as its PDF bytes are written; the result is bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

from reporting import pdf_finish, pdf_merge

# RefusedURLError and asset_url are imported from here by callers and tests.
from reporting.pdf_fetch import BASE_URL, fetch, static_root
from reporting.pdf_fetch import RefusedURLError as RefusedURLError
from reporting.pdf_fetch import asset_url as asset_url

PDFA_PART = 2
PDFA_CONFORMANCE = "A"
# The "a" conformance makes WeasyPrint tag the document; pdf_finish adds the PDF/UA
# identification WeasyPrint cannot write beside the PDF/A one.
PDF_VARIANT = f"pdf/a-{PDFA_PART}{PDFA_CONFORMANCE.lower()}"
HEADER_TITLE_LENGTH = 200
# The address of a link into another part, before its key (see part_link).
PART_LINK_PREFIX = f"{BASE_URL}del/"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES_GLOB = "DejaVuSans*.ttf"

# Defaults with user-stylesheet precedence: a template's own CSS wins.
PAGE_CSS = """
@page { size: A4; margin: 24mm 20mm 22mm 20mm; }
html { font-family: "DejaVu Sans", sans-serif; }
"""

# The stamp's boxes are placed absolutely on margin-less pages (by _stamp_rules), which
# lays out an order of magnitude faster than @page margin boxes.
STAMP_CSS = """
html { font-size: 8.5pt; line-height: 1.3; color: #333; }
body { margin: 0; }
.sheet + .sheet { break-before: page; }
.head, .note, .number { position: absolute; margin: 0; }
.head { padding-bottom: 1mm; border-bottom: 0.5pt solid #777; }
.number { width: 40mm; text-align: right; }
"""
MM = 96 / 25.4  # CSS pixels in a millimetre

ProgressCallback = Callable[[str, int | None], None]
# A page's width, height and margins (top, right, bottom, left) in CSS pixels.
PageGeometry = tuple[float, float, float, float, float, float]

_RENDER_LOCK = threading.Lock()
_PAGE_STEP = "Step 5 - Creating layout - Page %d"


@dataclass(frozen=True)
class PdfMeta:
    """What the PDF says about itself: metadata, running header and footer."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str = "sv"
    footer_note: str = ""
    page_label: str = "sida {page} av {pages}"


@dataclass(frozen=True)
class RenderedPdf:
    """A finished PDF file and its number of pages."""

    data: bytes
    pages: int


@dataclass(frozen=True)
class RenderedPart:
    """One part of a report rendered on its own: tagged, without header, footer or finish.

    ``geometries`` has one :data:`PageGeometry` per page; :meth:`geometries_json` and
    :meth:`from_stored` carry it through a database field beside the stored bytes.
    """

    data: bytes
    geometries: list[PageGeometry]

    def geometries_json(self) -> str:
        return json.dumps(self.geometries)

    @classmethod
    def from_stored(cls, data: bytes, geometries_json: str) -> RenderedPart:
        """The part whose bytes and :meth:`geometries_json` were stored (ValueError if broken)."""
        try:
            loaded = [tuple(float(n) for n in g) for g in json.loads(geometries_json)]
        except TypeError as error:
            raise ValueError(f"not stored page geometries: {error}") from None
        if any(len(geometry) != 6 for geometry in loaded):
            raise ValueError("a stored page geometry does not have six numbers")
        return cls(data=data, geometries=cast(list[PageGeometry], loaded))


def render_pdf(html: str, meta: PdfMeta, progress: ProgressCallback | None = None) -> RenderedPdf:
    """Render ``html`` to a tagged PDF/A-2a and PDF/UA-1 file with page numbers.

    ``progress(step, page)`` is called with WeasyPrint's own progress messages while
    the report is laid out (``page`` is the page being laid out, otherwise None), then
    with this module's finishing steps.
    """
    with _RENDER_LOCK:
        with _progress_reported_to(progress):
            report, geometries = _render_report(html, meta)
        data = _stamp_and_finish(report, geometries, meta, progress)
    return RenderedPdf(data=data, pages=len(geometries))


def render_part(html: str, meta: PdfMeta, progress: ProgressCallback | None = None) -> RenderedPart:
    """Render one part of a report that :func:`assemble` will join to others.

    The same tagged PDF/A-2a rendering as :func:`render_pdf` (the same rules for the
    HTML), but without the running header, the page numbers and the finishing: those
    are added over the joined file. A link into another part is written with
    :func:`part_link`.
    """
    with _RENDER_LOCK, _progress_reported_to(progress):
        data, geometries = _render_report(html, meta)
    return RenderedPart(data=data, geometries=geometries)


def assemble(
    parts: list[tuple[str, RenderedPart]],
    meta: PdfMeta,
    progress: ProgressCallback | None = None,
) -> RenderedPdf:
    """Join rendered parts, in order, into one finished file like :func:`render_pdf`'s.

    Each part comes with its key (letters, digits, ``-`` and ``_``, unique), the one
    :func:`part_link` names. The structure trees, bookmarks and links are joined by
    :func:`reporting.pdf_merge.merge`; the running header and "sida x av y" then run
    over all the joined pages. Raises ValueError for a link to a key not among the
    parts, or a part whose geometries do not match its pages.
    """
    if not parts:
        raise ValueError("a report needs at least one part")
    _report(progress, "Joining parts")
    merged = pdf_merge.merge([(key, part.data) for key, part in parts], PART_LINK_PREFIX)
    for (key, part), pages in zip(parts, merged.pages, strict=True):
        if pages != len(part.geometries):
            raise ValueError(f"part {key!r}: {pages} pages, {len(part.geometries)} geometries")
    geometries = [geometry for _, part in parts for geometry in part.geometries]
    with _RENDER_LOCK:
        data = _stamp_and_finish(merged.data, geometries, meta, progress)
    return RenderedPdf(data=data, pages=len(geometries))


def _stamp_and_finish(
    report: bytes, geometries: list[PageGeometry], meta: PdfMeta, progress: ProgressCallback | None
) -> bytes:
    """Stamp the header and footer over ``report`` and write its metadata (under the lock)."""
    _report(progress, "Adding page numbers")
    with _progress_reported_to(None):
        stamp = _render_stamp(meta, geometries)
    _report(progress, "Finishing PDF/A and PDF/UA")
    return pdf_finish.finish(
        report,
        stamp,
        pdf_finish.Metadata(
            title=meta.title,
            author=meta.author,
            subject=meta.subject,
            keywords=meta.keywords,
            language=meta.language,
            producer=f"WeasyPrint {version('weasyprint')}",
            pdfa_part=PDFA_PART,
            pdfa_conformance=PDFA_CONFORMANCE,
        ),
    )


_FONT_CONFIG: Any = None


def _font_config() -> Any:
    """One font configuration for every render of the process (under ``_RENDER_LOCK``).

    WeasyPrint makes a new one (a Pango font map over fontconfig) for each render that
    gets none, and the memory it takes outside Python is not given back: a worker's
    pool process grew by about 0.5 MiB a report. Shared, it levels off.
    """
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def preload() -> None:
    """Import WeasyPrint now (about a second): a worker's main process calls this before
    it forks its pool processes, so that none pays for it on its first report."""
    import weasyprint  # noqa: F401


def _render_report(html: str, meta: PdfMeta) -> tuple[bytes, list[PageGeometry]]:
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_FETCHER).render(
        stylesheets=[CSS(string=PAGE_CSS)], font_config=_font_config()
    )
    _check_document(document)
    metadata = document.metadata
    metadata.title = meta.title
    metadata.authors = [meta.author]
    metadata.description = meta.subject
    metadata.keywords = list(meta.keywords)
    metadata.lang = meta.language
    geometries = [_page_geometry(page) for page in document.pages]
    data: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_add_header_scopes)
    return data, geometries


def _page_geometry(page: Any) -> PageGeometry:
    box = page._page_box
    return (
        page.width,
        page.height,
        box.margin_top,
        box.margin_right,
        box.margin_bottom,
        box.margin_left,
    )


def _render_stamp(meta: PdfMeta, geometries: list[PageGeometry]) -> bytes:
    """Render one untagged page per report page holding only its header and footer.

    Each stamp page has its report page's size, and its header and footer sit in that
    page's top and bottom margins (the report's own CSS may change them, or use named
    pages).
    """
    from weasyprint import CSS, HTML

    shapes = {geometry: index for index, geometry in enumerate(dict.fromkeys(geometries))}
    pages = len(geometries)
    title, note = escape(_header_title(meta.title)), escape(meta.footer_note)
    sheets = "".join(
        f'<div class="sheet g{shapes[geometry]}"><p class="head">{title}</p>'
        f'<p class="note">{note}</p><p class="number">'
        f"{escape(_page_label(meta.page_label, number, pages))}</p></div>"
        for number, geometry in enumerate(geometries, start=1)
    )
    html = f'<!DOCTYPE html><html lang="{escape(meta.language)}"><body>{sheets}</body></html>'
    css = PAGE_CSS + STAMP_CSS + "".join(map(_stamp_rules, shapes.items()))
    document = HTML(string=html, url_fetcher=_FETCHER).render(
        stylesheets=[CSS(string=css)], font_config=_font_config()
    )
    if [_page_geometry(page)[:2] for page in document.pages] != [g[:2] for g in geometries]:
        raise RuntimeError("the header stamp's pages do not match the report's")
    data: bytes = document.write_pdf(pdf_version="1.7")
    return data


def _stamp_rules(shape: tuple[PageGeometry, int]) -> str:
    """The page size and the places of the header and footer for one page geometry."""
    (width, height, top, right, bottom, left), index = shape
    page = f".g{index}"
    return (
        f"@page g{index} {{ size: {width}px {height}px; margin: 0; }}"
        f"{page} {{ page: g{index}; }}"
        f"{page} .head {{ left: {left}px; right: {right}px; bottom: {height - top + 3 * MM}px; }}"
        f"{page} .note {{ left: {left}px; right: {right + 42 * MM}px;"
        f" top: {height - bottom + 4 * MM}px; }}"
        f"{page} .number {{ right: {right}px; top: {height - bottom + 4 * MM}px; }}"
    )


def _header_title(title: str) -> str:
    """The title, cut to what fits on two header lines.

    The cut is made here rather than with CSS ``text-overflow: ellipsis``: WeasyPrint 70
    maps its ellipsis glyph to all the hidden text in the font's ToUnicode map, an entry
    PDF readers reject.
    """
    return title if len(title) <= HEADER_TITLE_LENGTH else title[: HEADER_TITLE_LENGTH - 1] + "…"


def _page_label(label: str, page: int, pages: int) -> str:
    return label.replace("{pages}", str(pages)).replace("{page}", str(page))


def _check_document(document: Any) -> None:
    """Refuse markup that would make the file fail PDF/UA, before writing it.

    An image without ``alt`` becomes a Figure without ``/Alt``; an ``@page`` margin box
    becomes tagged text that no structure element reaches (the running header and the
    page numbers are this module's, stamped as artifacts).
    """
    from weasyprint.formatting_structure.boxes import MarginBox

    for page in document.pages:
        for box in page._page_box.descendants(placeholders=True):
            if isinstance(box, MarginBox):
                raise ValueError("the report's CSS must not define @page margin boxes")
            element = getattr(box, "element", None)
            if box.element_tag == "img" and element is not None and not element.get("alt"):
                raise ValueError(f"an <img> has no alt text: {element.get('src', '')[:80]}")


def _add_header_scopes(document: Any, pdf: Any) -> None:
    """Give every TH structure element the ``/Scope`` WeasyPrint 70 leaves out.

    WeasyPrint keeps each table cell's structure element on its layout box
    (``box.mark``); a missing one is caught by :func:`pdf_finish.finish`, which
    refuses a TH without a scope.
    """
    for page in document.pages:
        for box in page._page_box.descendants(placeholders=True):
            element = getattr(box, "mark", None)
            if box.element_tag != "th" or not isinstance(element, dict):
                continue
            scope = (box.element.get("scope") or "").lower()
            element["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


class _StaticOnlyFetcher:
    """The shape WeasyPrint 70 expects of a URL fetcher, around :func:`url_fetcher`."""

    # WeasyPrint reads this when a fetch raises: a refused URL is logged and skipped.
    _fail_on_errors = False

    def __call__(self, url: str) -> Any:
        return url_fetcher(url)


_FETCHER = _StaticOnlyFetcher()


def url_fetcher(url: str, headers: Any = None) -> Any:
    """Serve ``data:`` URLs and files under ``static/reporting/``; refuse anything else.

    Returns a WeasyPrint ``URLFetcherResponse``; raises :class:`RefusedURLError`
    without reading anything for any other URL (see :mod:`reporting.pdf_fetch`).
    """
    from weasyprint.urls import URLFetcherResponse

    content_type, body = fetch(url)
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


def part_link(key: str, fragment: str = "") -> str:
    """The address a part's HTML gives a link into another part of the same report.

    Parts are rendered one by one, so WeasyPrint cannot resolve a link into another
    part; it writes this address as a URI link (tagged like any link), and
    :func:`reporting.pdf_merge` turns it into a link to the first page of the part
    ``key`` (or its element ``fragment``) when the parts are joined. ``key`` is made of
    letters, digits, ``-`` and ``_``.
    """
    address = f"{PART_LINK_PREFIX}{key}"
    return f"{address}#{fragment}" if fragment else address


def environment_fingerprint() -> str:
    """A SHA-256 hex digest of everything besides the data that changes the PDF.

    It covers the WeasyPrint, pydyf and pikepdf versions, the source of this module and
    its ``pdf_*`` companions, the DejaVu Sans font files and every file the fetcher may
    serve under ``static/reporting/``. A stored PDF with another fingerprint was made
    by different code or resources.
    """
    digest = hashlib.sha256()

    def add(label: str, content: bytes) -> None:
        digest.update(label.encode() + b"\0" + len(content).to_bytes(8, "big") + content)

    for package in ("weasyprint", "pydyf", "pikepdf"):
        add(f"package:{package}", version(package).encode())
    for source in sorted(Path(__file__).parent.glob("pdf*.py")):
        add(f"source:{source.name}", source.read_bytes())
    for font in sorted(FONT_DIR.glob(FONT_FILES_GLOB)):
        add(f"font:{font.name}", font.read_bytes())
    root = static_root()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                add(f"static:{path.relative_to(root).as_posix()}", path.read_bytes())
    return digest.hexdigest()


@contextmanager
def _progress_reported_to(progress: ProgressCallback | None) -> Iterator[None]:
    """Send ``weasyprint.progress`` records to ``progress`` only, while the block runs.

    The records never reach the process's log: a page-by-page account of every render
    is noise there. With ``progress`` None they go nowhere.
    """
    progress_logger = logging.getLogger("weasyprint.progress")
    saved = progress_logger.level, progress_logger.propagate
    handler = _ProgressHandler(progress) if progress is not None else None
    progress_logger.propagate = False
    if handler is not None:
        progress_logger.setLevel(logging.INFO)
        progress_logger.addHandler(handler)
    try:
        yield
    finally:
        if handler is not None:
            progress_logger.removeHandler(handler)
        progress_logger.setLevel(saved[0])
        progress_logger.propagate = saved[1]


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: ProgressCallback) -> None:
        super().__init__(logging.INFO)
        self._progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        page = None
        if isinstance(record.msg, str) and record.msg.startswith(_PAGE_STEP) and record.args:
            page = record.args[0] if isinstance(record.args, tuple) else None
        self._progress(record.getMessage(), page if isinstance(page, int) else None)


def _report(progress: ProgressCallback | None, step: str) -> None:
    if progress is not None:
        progress(step, None)
