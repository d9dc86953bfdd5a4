"""Evidence files: checked by content, kept privately, handed out only through the access module."""

from __future__ import annotations

import datetime
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client
from django.urls import reverse

from programme import uploads
from programme.models import (
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
)
from programme.services import duties as duty_services
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = 2024


# --- Real, minimal files of every allowed kind ---------------------------------------------


def pdf_bytes() -> bytes:
    """A minimal but well-formed one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    """A one-pixel PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def gif_bytes() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
        b"!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00"
        b"\x02\x02D\x01\x00;"
    )


def webp_bytes() -> bytes:
    payload = b"VP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


def ooxml_bytes(part: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip with the parts an Office Open XML document has (``part`` is its main part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(part, '<?xml version="1.0"?><document/>')
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes("word/document.xml")


def xlsx_bytes() -> bytes:
    return ooxml_bytes("xl/workbook.xml")


def ole_bytes(stream: str) -> bytes:
    """A compound (OLE2) file whose directory names ``stream``, as .doc and .xls files are."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (512 - 8)

    def entry(name: str) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return encoded.ljust(64, b"\x00") + struct.pack("<H", len(encoded)) + b"\x00" * (128 - 66)

    return header + entry("Root Entry") + entry(stream) + b"\x00" * 256


ACCEPTED = {
    "pdf": ("rapport.pdf", pdf_bytes, "application/pdf"),
    "png": ("karta.png", png_bytes, "image/png"),
    "jpeg": ("foto.jpg", jpeg_bytes, "image/jpeg"),
    "gif": ("bild.gif", gif_bytes, "image/gif"),
    "webp": ("bild.webp", webp_bytes, "image/webp"),
    "docx": ("plan.docx", docx_bytes, uploads.DOCX),
    "xlsx": ("övningar.xlsx", xlsx_bytes, uploads.XLSX),
    "doc": ("gammal.doc", lambda: ole_bytes("WordDocument"), uploads.DOC),
    "xls": ("gammal.xls", lambda: ole_bytes("Workbook"), uploads.XLS),
}

REFUSED = {
    "text named pdf": ("rapport.pdf", lambda: b"Det har ar bara text, ingen PDF.\n" * 20),
    "exe named docx": ("plan.docx", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),
    "exe named pdf": ("rapport.pdf", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200 + b"%PDF-1.4"),
    "zip without a document": ("plan.docx", lambda: ooxml_bytes("other/thing.xml")),
    "macro-enabled workbook": (
        "budget.xlsx",
        lambda: ooxml_bytes("xl/workbook.xml", {"xl/vbaProject.bin": b"\x00" * 10}),
    ),
    "broken zip": ("plan.docx", lambda: b"PK\x03\x04" + b"word/document.xml" + b"\x00" * 100),
    "compound file without a document": ("gammal.doc", lambda: ole_bytes("Something")),
    "svg image": ("bild.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    "html": ("sida.pdf", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
}

KIND_MESSAGE = (
    "Filen är inte av något av de tillåtna slagen: PDF, Word (.docx eller .doc), Excel "
    "(.xlsx eller .xls) eller en bild (PNG, JPEG, GIF eller WebP). Det är filens innehåll "
    "som avgör, inte dess namn."
)


# --- Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def private_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Private storage in a temporary folder, so tests never write into var/.

    The settings say where private files go; the model's field resolved its storage when
    it was imported, so the field is pointed at the same folder too.
    """
    location = tmp_path / "private"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    monkeypatch.setattr(
        EvidenceFile._meta.get_field("file"), "storage", FileSystemStorage(location=location)
    )
    yield location


def stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def records(cast: Cast, private_dir: Path) -> dict[str, DutyRecord]:
    """Body A: an internal and a confidential record; body B: one record."""

    def make(body: Any, duty: DutyKind, level: Confidentiality) -> DutyRecord:
        return DutyRecord.objects.create(
            body=body,
            year=YEAR,
            duty=duty,
            confidentiality=level,
            status=DutyStatus.MET,
            completed_on=datetime.date(2024, 2, 1),
        )

    return {
        "a_internal": make(cast.body_a, DutyKind.CRISIS_PLAN, Confidentiality.INTERNAL),
        "a_confidential": make(cast.body_a, DutyKind.RISK_ANALYSIS, Confidentiality.CONFIDENTIAL),
        "b_internal": make(cast.body_b, DutyKind.EXERCISES, Confidentiality.INTERNAL),
    }


def add_file(record: DutyRecord, cast: Cast, name: str = "rapport.pdf") -> EvidenceFile:
    """Evidence added through the service, as an upload would."""
    return duty_services.add_evidence_file(
        user=cast.admin_a
        if record.body_id == cast.body_a.pk
        else cast.admin_b,  # the body's own administrator
        record=record,
        uploaded=SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf"),
    )


@pytest.fixture
def files(records: dict[str, DutyRecord], cast: Cast) -> dict[str, EvidenceFile]:
    return {name: add_file(record, cast) for name, record in records.items()}


def client_for(cast: Cast, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.by_name(persona))
    return client


def upload_url(record: DutyRecord) -> str:
    return reverse(
        "programme:evidence-upload",
        kwargs={"slug": record.body.slug, "year": record.year, "duty": record.duty},
    )


def detail_url(record: DutyRecord) -> str:
    return reverse(
        "programme:duty-detail",
        kwargs={"slug": record.body.slug, "year": record.year, "duty": record.duty},
    )


def download_url(evidence: EvidenceFile) -> str:
    return reverse("programme:evidence-download", kwargs={"pk": evidence.pk})


def delete_url(evidence: EvidenceFile) -> str:
    return reverse("programme:evidence-delete", kwargs={"pk": evidence.pk})


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def upload(client: Client, record: DutyRecord, name: str, data: bytes, claimed: str = "") -> Any:
    """Post ``data`` as a file called ``name``, with the type a browser might claim."""
    file = SimpleUploadedFile(name, data, content_type=claimed or "application/octet-stream")
    return client.post(upload_url(record), {"file": file})


# --- Content decides -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_real_files_of_every_allowed_kind_are_accepted(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path, kind: str
):
    name, make, content_type = ACCEPTED[kind]
    record = records["a_internal"]

    response = upload(client_for(cast, "admin_a"), record, name, make())

    assert response.status_code == 302
    assert response["Location"] == detail_url(record)
    evidence = EvidenceFile.objects.get(duty_record=record)
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.size == len(make())
    assert evidence.uploaded_by == cast.admin_a
    assert [path.name for path in stored_files(private_dir)] == [Path(evidence.file.name).name]
    # Stored under a random name, never the user's.
    assert name not in evidence.file.name


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_files_that_are_not_an_allowed_kind_are_refused_whatever_their_name(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path, kind: str
):
    name, make = REFUSED[kind]

    response = upload(
        client_for(cast, "admin_a"), records["a_internal"], name, make(), claimed="application/pdf"
    )

    assert response.status_code == 200
    assert KIND_MESSAGE in text_of(response)
    assert not EvidenceFile.objects.exists()
    assert stored_files(private_dir) == []


def test_the_type_the_browser_claims_is_ignored(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    response = upload(
        client_for(cast, "admin_a"),
        records["a_internal"],
        "rapport.pdf",
        png_bytes(),
        claimed="application/pdf",
    )

    assert response.status_code == 302
    assert EvidenceFile.objects.get().content_type == "image/png"


def test_a_file_of_exactly_20_mb_is_accepted(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    data = pdf_bytes().ljust(settings.EVIDENCE_MAX_BYTES, b"\n")
    assert len(data) == 20 * 1024 * 1024

    response = upload(client_for(cast, "admin_a"), records["a_internal"], "stor.pdf", data)

    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.size == len(data)
    assert stored_files(private_dir)[0].stat().st_size == len(data)


def test_a_file_one_byte_over_20_mb_is_refused(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    data = pdf_bytes().ljust(settings.EVIDENCE_MAX_BYTES + 1, b"\n")

    response = upload(client_for(cast, "admin_a"), records["a_internal"], "stor.pdf", data)

    assert response.status_code == 200
    assert "Filen är för stor: underlag får vara högst 20 MB." in text_of(response)
    assert not EvidenceFile.objects.exists()
    assert stored_files(private_dir) == []


@pytest.mark.parametrize("posted", ["nothing", "empty file"])
def test_an_upload_without_a_file_asks_for_one(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path, posted: str
):
    client = client_for(cast, "admin_a")
    if posted == "nothing":
        response = client.post(upload_url(records["a_internal"]), {})
        message = "Välj en fil att ladda upp."
    else:
        response = upload(client, records["a_internal"], "tom.pdf", b"")
        message = "Den skickade filen är tom."

    html = text_of(response)
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true" aria-describedby="id_file_helptext id_file_error"' in html
    assert 'id="id_file_error"' in html
    assert not EvidenceFile.objects.exists()
    assert stored_files(private_dir) == []


def test_an_upload_without_the_csrf_token_is_refused(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin_a)

    response = upload(client, records["a_internal"], "rapport.pdf", pdf_bytes())

    assert response.status_code == 403
    assert not EvidenceFile.objects.exists()
    assert stored_files(private_dir) == []


def test_an_upload_with_the_csrf_token_goes_through(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.admin_a)
    page = client.get(detail_url(records["a_internal"]))
    token = page.context["csrf_token"]

    response = client.post(
        upload_url(records["a_internal"]),
        {
            "csrfmiddlewaretoken": str(token),
            "file": SimpleUploadedFile("rapport.pdf", pdf_bytes()),
        },
    )

    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 1


def test_an_oversized_upload_is_not_read_to_the_end(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    written: list[int] = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self: Any, raw_data: bytes, start: int) -> Any:
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    # Padded with spaces, not newlines: Django skips the unread rest of a refused request
    # line by line, and 40 MB of newlines made that take a minute.
    data = pdf_bytes().ljust(3 * settings.EVIDENCE_MAX_BYTES, b" ")

    response = upload(client_for(cast, "admin_a"), records["a_internal"], "stor.pdf", data)

    assert response.status_code == 200
    assert "Filen är för stor: underlag får vara högst 20 MB." in text_of(response)
    assert sum(written) <= settings.EVIDENCE_MAX_BYTES
    assert stored_files(private_dir) == []


def test_the_upload_address_takes_only_posts(cast: Cast, records: dict[str, DutyRecord]):
    assert client_for(cast, "admin_a").get(upload_url(records["a_internal"])).status_code == 405


# --- Download ------------------------------------------------------------------------------


def test_downloaded_bytes_equal_the_uploaded_ones(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    client = client_for(cast, "admin_a")
    data = docx_bytes()
    upload(client, records["a_internal"], "Krisledningsplan 2024.docx", data)
    evidence = EvidenceFile.objects.get()

    response = client.get(download_url(evidence))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    assert response["Content-Type"] == uploads.DOCX
    assert response["Content-Disposition"] == ('attachment; filename="Krisledningsplan 2024.docx"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_non_ascii_file_name_survives_the_download(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    client = client_for(cast, "admin_a")
    upload(client, records["a_internal"], "Övning på Järvafältet.pdf", pdf_bytes())

    response = client.get(download_url(EvidenceFile.objects.get()))

    assert (
        "filename*=utf-8''%C3%96vning%20p%C3%A5%20J%C3%A4rvaf%C3%A4ltet.pdf"
        in (response["Content-Disposition"])
    )


@pytest.mark.parametrize(
    ("persona", "internal", "confidential"),
    [
        ("admin_a", 200, 200),
        ("reader_a", 200, 404),
        ("slk", 200, 200),
        ("admin_b", 404, 404),
        ("official", 404, 404),
        ("no_role", 404, 404),
        ("sysadmin", 404, 404),
    ],
)
def test_downloads_follow_who_may_see_the_duty_record(
    cast: Cast, files: dict[str, EvidenceFile], persona: str, internal: int, confidential: int
):
    client = client_for(cast, persona)

    assert client.get(download_url(files["a_internal"])).status_code == internal
    assert client.get(download_url(files["a_confidential"])).status_code == confidential


def test_another_bodys_evidence_answers_404_for_download_and_delete(
    cast: Cast, files: dict[str, EvidenceFile]
):
    client = client_for(cast, "admin_a")
    other = files["b_internal"]

    assert client.get(download_url(other)).status_code == 404
    assert client.get(delete_url(other)).status_code == 404
    assert client.post(delete_url(other)).status_code == 404
    assert EvidenceFile.objects.filter(pk=other.pk).exists()


def test_another_bodys_record_answers_404_to_an_upload(
    cast: Cast, records: dict[str, DutyRecord], private_dir: Path
):
    response = upload(client_for(cast, "admin_a"), records["b_internal"], "x.pdf", pdf_bytes())

    assert response.status_code == 404
    assert stored_files(private_dir) == []


def test_anonymous_visitor_is_sent_to_sign_in_before_a_download(
    cast: Cast, files: dict[str, EvidenceFile]
):
    url = download_url(files["a_internal"])

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_record_page_lists_files_with_download_links_for_those_who_see_them(
    cast: Cast, files: dict[str, EvidenceFile]
):
    reader = text_of(client_for(cast, "reader_a").get(detail_url(files["a_internal"].duty_record)))
    admin = text_of(client_for(cast, "admin_a").get(detail_url(files["a_internal"].duty_record)))

    for html in (reader, admin):
        assert download_url(files["a_internal"]) in html
        assert "rapport.pdf" in html
        assert "Amira Järvaadministratör" in html
    assert delete_url(files["a_internal"]) not in reader
    assert 'enctype="multipart/form-data"' not in reader
    assert delete_url(files["a_internal"]) in admin
    assert 'enctype="multipart/form-data"' in admin


# --- Who may change ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["slk", "reader_a"])
def test_those_who_may_only_read_get_403_on_upload_and_delete(
    cast: Cast, files: dict[str, EvidenceFile], private_dir: Path, persona: str
):
    client = client_for(cast, persona)
    evidence = files["a_internal"]
    before = sorted(stored_files(private_dir))

    assert upload(client, evidence.duty_record, "x.pdf", pdf_bytes()).status_code == 403
    assert client.get(delete_url(evidence)).status_code == 403
    assert client.post(delete_url(evidence)).status_code == 403
    assert EvidenceFile.objects.count() == 3
    assert sorted(stored_files(private_dir)) == before


def test_slk_gets_403_on_the_confidential_records_upload_and_delete(
    cast: Cast, files: dict[str, EvidenceFile]
):
    client = client_for(cast, "slk")
    evidence = files["a_confidential"]

    assert upload(client, evidence.duty_record, "x.pdf", pdf_bytes()).status_code == 403
    assert client.post(delete_url(evidence)).status_code == 403


def test_reader_gets_404_for_the_confidential_records_evidence(
    cast: Cast, files: dict[str, EvidenceFile]
):
    client = client_for(cast, "reader_a")
    evidence = files["a_confidential"]

    assert upload(client, evidence.duty_record, "x.pdf", pdf_bytes()).status_code == 404
    assert client.get(delete_url(evidence)).status_code == 404


def test_deleting_evidence_removes_the_stored_file_once_committed(
    cast: Cast,
    files: dict[str, EvidenceFile],
    private_dir: Path,
    django_capture_on_commit_callbacks: Any,
):
    client = client_for(cast, "admin_a")
    evidence = files["a_confidential"]
    stored = private_dir / evidence.file.name

    confirm = client.get(delete_url(evidence))
    assert confirm.status_code == 200
    assert "Ta bort underlaget?" in text_of(confirm)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(delete_url(evidence))
    # The row is gone at once; the file waits for the commit.
    assert not EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert stored.exists()
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert response["Location"] == detail_url(evidence.duty_record)
    assert not stored.exists()
    assert len(stored_files(private_dir)) == 2


def test_uploads_and_removals_are_kept_in_the_history(
    cast: Cast, files: dict[str, EvidenceFile], django_capture_on_commit_callbacks: Any
):
    evidence = files["a_internal"]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast, "admin_a").post(delete_url(evidence))

    kinds = list(
        EvidenceFile.history.filter(id=evidence.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user__username")
    )
    assert kinds == [("+", "admin_a"), ("-", "admin_a")]
