"""The importer's file checks: what the bytes are decides, and bad input is refused with a reason.

Every refusal names its cause in Swedish for the person who sent the file; nothing is
read from a refused file.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings
from django.utils import translation

from remiss.reading.formats import Refused, document_lines
from tests.remiss.seed_documents import pdf_file, seed_lines, word_file

SEED = "003_161d1e13179743f2.txt"


def _refusal(data: bytes) -> Refused:
    with translation.override("sv"), pytest.raises(Refused) as caught:
        document_lines(data)
    return caught.value


def _rezipped(data: bytes, extra: dict[str, bytes] | None = None, types: str = "") -> bytes:
    """A copy of a Word file with members added and its content types changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and types:
                content = content.replace(b"wordprocessingml.document.main", types.encode())
            target.writestr(item, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def test_text_in_utf8_windows_1252_and_utf16_reads_the_same() -> None:
    text = "Sammanfattning\nFörvaltningen ställer sig positiv till förslaget.\n"
    assert document_lines(text.encode("utf-8"))[1] == text.splitlines()
    assert document_lines(text.encode("cp1252"))[1] == text.splitlines()
    assert document_lines(text.encode("utf-16"))[1] == text.splitlines()


def test_a_word_file_with_paragraphs_spaced_by_style_keeps_them_apart() -> None:
    """A Word file written in Word: headings styled, paragraphs without empty ones between."""
    import docx

    from remiss.reading.document import read_document

    document = docx.Document()
    document.add_heading("Sammanfattning", level=2)
    document.add_paragraph("Förvaltningen ser positivt på programmet.")
    document.add_paragraph("Förvaltningen föreslår att nämnden godkänner tjänsteutlåtandet.")
    document.add_heading("Förvaltningens synpunkter", level=2)
    document.add_paragraph("Förvaltningen välkomnar att personsäkerhet lyfts fram.")
    out = io.BytesIO()
    document.save(out)
    kind, lines = document_lines(out.getvalue())
    reading = read_document(lines)
    assert kind == "docx"
    assert {s.name: s.text for s in reading.sections} == {
        "summary": "Förvaltningen ser positivt på programmet.\n\n"
        "Förvaltningen föreslår att nämnden godkänner tjänsteutlåtandet.",
        "views": "Förvaltningen välkomnar att personsäkerhet lyfts fram.",
    }


def test_an_empty_file_is_refused() -> None:
    refusal = _refusal(b"")
    assert (refusal.code, str(refusal.message)) == ("empty", "Filen är tom.")


def test_a_file_of_only_spaces_holds_no_text() -> None:
    assert _refusal(b"  \n\n \n").code == "empty"


def test_an_image_is_refused_as_the_wrong_kind_whatever_its_name() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
    refusal = _refusal(png)
    assert refusal.code == "kind"
    assert "Word (.docx), PDF eller ren text" in str(refusal.message)


def compound_file(stream: str) -> bytes:
    """A compound (OLE2) file's header and one directory entry naming ``stream``."""
    name = stream.encode("utf-16-le") + b"\x00\x00"
    entry = name.ljust(64, b"\x00") + len(name).to_bytes(2, "little")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\x00") + entry.ljust(128, b"\x00")


def test_an_old_doc_file_is_asked_for_as_docx() -> None:
    refusal = _refusal(compound_file("WordDocument"))
    assert refusal.code == "kind"
    assert ".docx" in str(refusal.message)


def test_an_old_excel_file_is_the_wrong_kind() -> None:
    refusal = _refusal(compound_file("Workbook"))
    assert refusal.code == "kind"
    assert "Word (.docx), PDF eller ren text" in str(refusal.message)


def test_a_password_protected_word_file_is_refused() -> None:
    assert _refusal(compound_file("EncryptedPackage")).code == "encrypted"


def test_a_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(tuple(seed_lines(SEED))))))
    writer.encrypt(user_password="hemligt", owner_password="hemligt")
    out = io.BytesIO()
    writer.write(out)
    refusal = _refusal(out.getvalue())
    assert refusal.code == "encrypted"
    assert "lösenord" in str(refusal.message)


def test_a_pdf_with_a_script_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(tuple(seed_lines(SEED))))))
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hej');"),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    assert _refusal(out.getvalue()).code == "script"


@pytest.mark.parametrize("cut", [0.3, 0.7])
def test_damaged_files_are_refused(cut: float) -> None:
    word = word_file(seed_lines(SEED))
    pdf = pdf_file(tuple(seed_lines(SEED)))
    assert _refusal(word[: int(len(word) * cut)]).code == "corrupt"
    assert _refusal(pdf[: int(len(pdf) * cut)]).code == "corrupt"


def test_a_zip_that_is_not_a_word_file_is_the_wrong_kind() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hej.txt", "hej")
    assert _refusal(out.getvalue()).code == "kind"


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _rezipped(word_file(seed_lines(SEED)), {"word/media/padding.bin": b"\x00" * 20_000_000})
    assert len(bomb) < 200_000
    refusal = _refusal(bomb)
    assert refusal.code == "bomb"


def test_a_word_file_with_macros_is_refused() -> None:
    word = word_file(seed_lines(SEED))
    with_project = _rezipped(word, {"word/vbaProject.bin": b"Attribute VB_Name"})
    assert _refusal(with_project).code == "macros"
    macro_type = _rezipped(word, types="wordprocessingml.document.macroEnabled.main")
    assert _refusal(macro_type).code == "macros"


@override_settings(IMPORT_MAX_BYTES=1024)
def test_an_oversized_file_is_refused() -> None:
    refusal = _refusal(b"Sammanfattning\n" * 200)
    assert refusal.code == "size"
    assert "högst 0 MB" not in str(refusal.message)


@pytest.mark.parametrize(
    "line",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "Läs mer: javascript:alert(1)",
        '=HYPERLINK("http://example.org")',
        "@SUM(A1:A2)",
        "+CMD|' /C calc'!A0",
    ],
)
def test_text_with_a_script_or_a_formula_is_refused_with_its_line(line: str) -> None:
    refusal = _refusal(f"Sammanfattning\nFörvaltningen ser positivt.\n{line}\n".encode())
    assert refusal.code in ("script", "formula")
    assert "Rad 3" in str(refusal.message)


def test_ordinary_swedish_text_with_lists_and_dashes_is_not_taken_for_a_formula() -> None:
    text = "- Polisen (lokalt)\n+ ett tillägg\n=====\n– tankstreck\n@ snabel-a i text\n"
    assert document_lines(text.encode())[1] == text.splitlines()


def test_a_letterhead_in_the_word_files_first_page_header_is_read() -> None:
    """The city's Word template puts the case officer, dnr and date in the page header."""
    import docx

    from remiss.reading.document import read_document

    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    table = section.first_page_header.add_table(rows=1, cols=2, width=docx.shared.Cm(16))
    table.cell(0, 0).text = "Handläggare\nCaroline Teir\nTelefon: 08-50802622"
    table.cell(0, 1).text = "Tjänsteutlåtande\nDnr JÄRVA 2023/665\n2024-01-23"
    document.add_heading("Sammanfattning", level=2)
    document.add_paragraph("Förvaltningen ser positivt på programmet.")
    out = io.BytesIO()
    document.save(out)
    _kind, lines = document_lines(out.getvalue())
    facts = read_document(lines).facts.values
    assert {name: fact.value for name, fact in facts.items()} == {
        "case_officer_name": "Caroline Teir",
        "case_officer_phone": "08-50802622",
        "registration_number": "JÄRVA 2023/665",
        "document_date": "2024-01-23",
    }
