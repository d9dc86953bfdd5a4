"""A document's lines from its bytes: plain text, Word (.docx) or PDF, checked before they are read.

What the bytes are decides the format, never the file's name; a compound (OLE) file is
recognised as the evidence uploads recognise it (``programme.uploads``). Refused, with a message
in the user's language and nothing kept: an empty file, one too large, a kind other
than text, Word or PDF, a legacy .doc, a damaged or password-protected file, a zip
bomb, a Word file with macros, a PDF with scripts, and text that carries a script or a
spreadsheet formula. Word is read with python-docx, PDF with pypdf; the structure rules
(``remiss.reading.document``) see only lines.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from programme.uploads import OLE_MAGIC, ZIP_MAGIC, ole_has_stream

TEXT = "text"
DOCX = "docx"
PDF = "pdf"

PDF_MAGIC = b"%PDF-"
# A member of a Word file may unpack to at most this many times its packed size.
MAX_RATIO = 200
SCRIPT = re.compile(r"<\s*script\b|javascript\s*:|<[^>]*\son[a-z]+\s*=|vbscript\s*:", re.IGNORECASE)
# A spreadsheet formula or a DDE call at the start of a line: "=SUM(", "@HYPERLINK(", "=cmd|".
FORMULA = re.compile(r"^\s*(?:=(?!=*\s*$)|[+@-][A-Z][A-Z0-9_.]*\(|[+=@-]\s*(?i:cmd)\s*\|)")
# A running footer's page number: "3", "Sida 3", "Sida 3 av 10", "3 (10)", "(3)".
PAGE_FOOTER = re.compile(r"^(?:sida\s+)?\d+(?:\s*(?:av|/)\s*\d+|\s*\(\d+\))?$|^\(\d+\)$", re.I)


class Refused(ValueError):
    """The document cannot be imported; ``message`` says why, for the person who sent it."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


def max_bytes() -> int:
    """The largest file the importer takes."""
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


def too_large() -> Refused:
    """The refusal of a file over the size limit."""
    return Refused(
        _("The file is too large: a document to import may be at most %(limit)s.")
        % {"limit": filesizeformat(max_bytes())},
        "size",
    )


def kind_of(data: bytes) -> str:
    """TEXT, DOCX or PDF as the bytes show; refused for anything else."""
    if not data:
        raise Refused(_("The file is empty."), "empty")
    if len(data) > max_bytes():
        raise too_large()
    if data.startswith(PDF_MAGIC):
        return PDF
    if data.startswith(ZIP_MAGIC):
        return DOCX
    if data.startswith(OLE_MAGIC):
        # A compound file: an encrypted Office document, a legacy .doc, or something else.
        if ole_has_stream(data, "EncryptedPackage"):
            raise Refused(
                _("The Word file is password-protected. Remove the password and try again."),
                "encrypted",
            )
        if ole_has_stream(data, "WordDocument"):
            raise Refused(
                _("Word files in the old .doc format cannot be read. Save the file as .docx."),
                "kind",
            )
        raise _wrong_kind()
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _wrong_kind()
    return TEXT


def _wrong_kind() -> Refused:
    return Refused(
        _(
            "The file is not one of the kinds that can be imported: Word (.docx), PDF or "
            "plain text. What the file contains decides, not its name."
        ),
        "kind",
    )


def _damaged() -> Refused:
    return Refused(
        _("The file could not be read: it may be damaged. Open it, save it again and retry."),
        "corrupt",
    )


def text_lines(data: bytes) -> list[str]:
    """The lines of a text file: UTF-16 with its mark, UTF-8, else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").splitlines()
        except UnicodeDecodeError:
            raise _damaged() from None
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    if printable < 0.95 * len(text):
        raise _wrong_kind()
    return text.splitlines()


def _check_zip(data: bytes) -> zipfile.ZipFile:
    """The Word file's archive, after the checks for bombs and macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _damaged() from None
    names = {member.filename for member in members}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise _wrong_kind()
    unpacked = sum(member.file_size for member in members)
    if unpacked > 5 * max_bytes() or any(
        member.compress_size and member.file_size / member.compress_size > MAX_RATIO
        for member in members
    ):
        raise Refused(
            _("The file unpacks to far more than its size and is not read (a zip bomb)."),
            "bomb",
        )
    content_types = archive.read("[Content_Types].xml").decode("utf-8", errors="replace")
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        "macroEnabled" in content_types
    ):
        raise Refused(
            _("The Word file contains macros and is not read. Save it as a .docx without macros."),
            "macros",
        )
    return archive


def _container_lines(container: Any) -> list[str]:
    """One line per paragraph of a Word body or header, tables' cells included, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.extend(block.text.split("\n"))
        elif isinstance(block, Table):
            seen: set[int] = set()
            for row in block.rows:
                for cell in row.cells:
                    # A merged cell is handed out once for every grid column it spans.
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        for paragraph in cell.paragraphs:
                            lines.extend(paragraph.text.split("\n"))
    return lines


def docx_lines(data: bytes) -> list[str]:
    """One line per paragraph of a Word file, tables' cells included, in document order.

    The first page's header comes first: Word templates of the city put the letterhead
    (handläggare, dnr, date) there. A file that separates its paragraphs by spacing alone
    gets an empty line after each paragraph, so that the paragraphs stay apart.
    """
    import docx

    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
        first = document.sections[0] if document.sections else None
        header: list[str] = []
        if first is not None:
            part = first.first_page_header if first.different_first_page_header_footer else None
            if part is None or part.is_linked_to_previous:
                part = first.header
            if not part.is_linked_to_previous:
                header = [line for line in _container_lines(part) if line.strip()]
        paragraphs = _container_lines(document)
    except Exception:  # python-docx raises many kinds for a broken part
        raise _damaged() from None
    if paragraphs and all(p.strip() for p in paragraphs):
        # A line holding a space: an empty line that is not taken for double spacing.
        spaced: list[str] = []
        for paragraph in paragraphs:
            spaced.extend((paragraph, " "))
        paragraphs = spaced
    return [*header, " ", *paragraphs] if header else paragraphs


def _page_lines(page: Any) -> list[tuple[float, float, str]]:
    """The text lines of a PDF page, top to bottom, with their height and font size."""
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: float) -> None:
        if text.strip():
            # Where the text stands on the page: the text matrix within the current one.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            pieces.append((round(y, 1), x, size * (tm[3] or 1) * (cm[3] or 1), text))

    page.extract_text(visitor_text=visit)
    rows: dict[float, list[tuple[float, float, str]]] = {}
    for y, x, size, text in pieces:
        key = next((known for known in rows if abs(known - y) < 2), y)
        rows.setdefault(key, []).append((x, size, text))
    lines = []
    for y in sorted(rows, reverse=True):
        parts = sorted(rows[y])
        line = re.sub(r"\s+", " ", "".join(text for _x, _size, text in parts)).strip()
        lines.append((y, max(abs(size) for _x, size, _text in parts), line))
    return lines


def _pdf_reader(data: bytes) -> Any:
    """The PDF opened for reading, after the checks for passwords, scripts and size."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise Refused(
            _("The PDF is password-protected. Remove the password and try again."),
            "encrypted",
        )
    root = reader.root_object
    names = root.get("/Names")
    opens = root.get("/OpenAction")
    if (opens is not None and "/JS" in str(opens.get_object())) or (
        names is not None and "/JavaScript" in str(names.get_object())
    ):
        raise Refused(_("The PDF contains scripts and is not read."), "script")
    if len(reader.pages) > int(getattr(settings, "IMPORT_MAX_PAGES", 300)):
        raise too_large()
    return reader


def _reading_pdf(action: Callable[[], Any]) -> Any:
    """Run ``action`` on a PDF, a damaged file refused as such."""
    from pypdf.errors import PdfReadError

    try:
        return action()
    except Refused:
        raise
    except (PdfReadError, KeyError, ValueError, TypeError, OSError, AttributeError):
        raise _damaged() from None


def pdf_lines(data: bytes, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """The printed lines of a PDF, an empty line where a gap stands between paragraphs.

    Page numbers of running footers are left out; a page break is marked "(n)" as the
    layout rules expect.
    """

    def read() -> list[str]:
        pages = _pdf_reader(data).pages
        count = len(pages)
        result: list[str] = []
        for index, page in enumerate(pages, start=1):
            rows = [row for row in _page_lines(page) if not PAGE_FOOTER.match(row[2])]
            gaps = [a[0] - b[0] for a, b in itertools.pairwise(rows)]
            usual = sorted(gaps)[len(gaps) // 2] if gaps else 0
            if index > 1:
                result.extend(["", f"({index})", ""])
            for position, (_y, _size, text) in enumerate(rows):
                if position and usual and gaps[position - 1] > 1.4 * usual:
                    result.append("")
                result.append(text)
            if progress is not None:
                progress(index, count)
        return result

    return list(_reading_pdf(read))


def check_document(kind: str, data: bytes) -> None:
    """The checks that need no reading of the text: quick enough for a web request."""
    if kind == DOCX:
        _check_zip(data)
    elif kind == PDF:
        _reading_pdf(lambda: _pdf_reader(data))


def check_text(lines: list[str]) -> None:
    """Refuse text that carries a script or a spreadsheet formula, naming the line."""
    limit = int(getattr(settings, "IMPORT_MAX_CHARACTERS", 2_000_000))
    if sum(len(line) + 1 for line in lines) > limit:
        raise too_large()
    for number, line in enumerate(lines, start=1):
        if SCRIPT.search(line):
            raise Refused(
                _("Line %(line)s contains a script. Remove it and try again.") % {"line": number},
                "script",
            )
        if FORMULA.match(line):
            raise Refused(
                _("Line %(line)s starts with a spreadsheet formula. Remove it and try again.")
                % {"line": number},
                "formula",
            )
    if not any(line.strip() for line in lines):
        raise Refused(_("The document holds no text to import."), "empty")


def document_lines(
    data: bytes, progress: Callable[[int, int], None] | None = None
) -> tuple[str, list[str]]:
    """The kind of a document and its lines, checked; ``Refused`` says why not."""
    kind = kind_of(data)
    if kind == PDF:
        lines = pdf_lines(data, progress)
    elif kind == DOCX:
        lines = docx_lines(data)
    else:
        lines = text_lines(data)
    check_text(lines)
    return kind, lines
