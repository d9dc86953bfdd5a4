"""Checking an uploaded file: its kind read from its content, never from its name, and its size."""

from __future__ import annotations

import zipfile
from typing import IO, cast

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


DOC = "application/msword"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


XLS = "application/vnd.ms-excel"


IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

EVIDENCE_KINDS: dict[str, str] = {
    PDF: "pdf",
    DOCX: "docx",
    DOC: "doc",
    XLSX: "xlsx",
    XLS: "xls",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


ZIP_MAGIC = b"PK\x03\x04"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


OLE_HEADER_SIZE = 512


OLE_DIRECTORY_ENTRY = 128


def _wrong_kind() -> ValidationError:
    return ValidationError(
        _(
            "The file is not one of the allowed kinds: PDF, Word (.docx or .doc), Excel "
            "(.xlsx or .xls) or an image (PNG, JPEG, GIF or WebP). What the file contains "
            "decides, not its name."
        ),
        code="kind",
    )


def too_large_error() -> ValidationError:
    """The refusal of a file over the evidence size limit."""
    return ValidationError(
        _("The file is too large: evidence files may be at most %(limit)s MB.")
        % {"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
        code="size",
    )


def _office_open_xml_type(stream: IO[bytes]) -> str | None:
    """DOCX or XLSX if ``stream`` is a real zip with a Word or Excel document in it."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    # Macro-enabled documents carry a VBA project; the allowed kinds have none.
    if any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def ole_has_stream(data: bytes, name: str) -> bool:
    """Whether a compound (OLE2) file has a directory entry called ``name``.

    Directory entries are 128 bytes, aligned after the 512-byte header whatever the
    sector size, and start with the name in UTF-16LE followed by its length in bytes
    (terminator included) at offset 64.
    """
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    length = len(encoded).to_bytes(2, "little")
    start = data.find(encoded)
    while start != -1:
        aligned = start >= OLE_HEADER_SIZE and (start - OLE_HEADER_SIZE) % OLE_DIRECTORY_ENTRY == 0
        if aligned and data[start + 64 : start + 66] == length:
            return True
        start = data.find(encoded, start + 1)
    return False


def _legacy_office_type(data: bytes) -> str | None:
    """DOC or XLS if ``data`` is a compound file holding a Word or Excel stream."""
    if ole_has_stream(data, "WordDocument"):
        return DOC
    if ole_has_stream(data, "Workbook") or ole_has_stream(data, "Book"):
        return XLS
    return None


def detect_evidence_type(uploaded: UploadedFile) -> str:
    """The content type of an evidence file, read from its bytes; refused if not allowed.

    The file's name and the type the browser claims are ignored. Raises
    ``ValidationError`` for a file too large, empty or of a kind not allowed.
    """
    size = uploaded.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise too_large_error()
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    detected: str | None = None
    if head.startswith(ZIP_MAGIC):
        detected = _office_open_xml_type(cast(IO[bytes], uploaded.file))
    elif head.startswith(OLE_MAGIC):
        detected = _legacy_office_type(uploaded.read())
    else:
        guess = filetype.guess(head)
        if guess is not None and (guess.mime == PDF or guess.mime in IMAGES):
            detected = guess.mime
    uploaded.seek(0)
    if detected is None:
        raise _wrong_kind()
    return detected


def original_name(uploaded: UploadedFile, content_type: str) -> str:
    """The name the user gave the file, without any path, kept to the column's length."""
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        name = f"underlag.{EVIDENCE_KINDS[content_type]}"
    return name[-255:]


# What each accepted content type is called, and the extension a download gets when
# the uploaded name had none.
