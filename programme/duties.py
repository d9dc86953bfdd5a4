"""Programme duties: what their pages read, and every change to them and their evidence.

Each body has, each year, the six duties the programme sets (``DutyKind``). A duty is
recorded in a ``DutyRecord``; evidence that it was met is kept in ``EvidenceFile`` rows
whose files live in private storage and are only served through a view that asks
``programme.access``.

The services here hold the rules and check them all before anything is written, so a
refused save changes nothing. Access is decided by the caller through
``programme.access``; the services take the user only to record who did what.
"""

from __future__ import annotations

import datetime
import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, cast

import filetype
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.models import (
    DUTIES_WITH_DATE,
    DUTIES_WITH_PERSON,
    Body,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
)
from programme.queries import swedish_sort_key

AnyUser = access.AnyUser

# The first year the product keeps duties for; the last is next year (a coordinator
# may be named ahead of the year).
FIRST_DUTY_YEAR = 2000

# A form that saw no record yet sends this fingerprint: finding one at save time means
# someone else created it meanwhile.
NEW_RECORD_FINGERPRINT = "new"


# --- Years and duties --------------------------------------------------------------------


def last_duty_year() -> int:
    """The last year duties may be recorded for: next year."""
    return timezone.localdate().year + 1


def is_duty_year(year: int) -> bool:
    """Whether ``year`` lies in the range the product keeps duties for."""
    return FIRST_DUTY_YEAR <= year <= last_duty_year()


def body_existed_in(body: Body, year: int) -> bool:
    """Whether the body existed on at least one day of ``year`` (it exists on its last day)."""
    began_by_year_end = body.valid_from is None or body.valid_from <= datetime.date(year, 12, 31)
    return began_by_year_end and not body.has_ended_by(datetime.date(year, 1, 1))


def body_years(body: Body) -> range:
    """The years, in the product's range, in which the body existed."""
    first = max(FIRST_DUTY_YEAR, body.valid_from.year if body.valid_from else FIRST_DUTY_YEAR)
    last = min(last_duty_year(), body.valid_to.year if body.valid_to else last_duty_year())
    return range(first, last + 1)


def duty_kind_or_404(value: str) -> DutyKind:
    """The duty a URL names, or 404 for a name the programme does not know."""
    if value not in DutyKind.values:
        raise Http404
    return DutyKind(value)


def check_body_year_or_404(body: Body, year: int) -> None:
    """Answer 404 for a year the body did not exist in, or outside the product's range."""
    if not is_duty_year(year) or not body_existed_in(body, year):
        raise Http404


def _duty_order() -> Case:
    """The duties in the programme's order (the order of ``DutyKind``), in SQL."""
    return Case(
        *(When(duty=kind, then=Value(index)) for index, kind in enumerate(DutyKind.values)),
        output_field=IntegerField(),
    )


# --- What the pages read -----------------------------------------------------------------


def duty_records_of(user: AnyUser, body: Body) -> list[DutyRecord]:
    """Every duty record of the body the user may see, newest year first (one query)."""
    records: QuerySet[DutyRecord] = access.restrict(
        DutyRecord.objects.filter(body=body), user
    ).order_by("-year", _duty_order())
    return list(records)


@dataclass(frozen=True)
class ChecklistRow:
    """One of the six duties in one year, with its record if the user may see one."""

    duty: DutyKind
    record: DutyRecord | None

    @property
    def is_met(self) -> bool:
        """Whether the record says the duty is met."""
        return self.record is not None and self.record.status == DutyStatus.MET


def checklist_for(user: AnyUser, body: Body, year: int) -> list[ChecklistRow]:
    """The six duties of the body in ``year``, each with the record the user may see.

    A confidential record that the user may not see (a reader of the body) is left out
    by ``access.restrict``, so its row shows exactly as a duty nobody has recorded: the
    page neither shows its content nor says that it exists. Saying "hidden" would tell
    the reader that something confidential is there, which is itself information. One
    query.
    """
    records = {
        record.duty: record
        for record in access.restrict(DutyRecord.objects.filter(body=body, year=year), user)
    }
    return [ChecklistRow(duty=kind, record=records.get(kind.value)) for kind in DutyKind]


@dataclass(frozen=True)
class OverviewRow:
    """One body's six duties in one year, for SLK's overview."""

    body: Body
    cells: list[ChecklistRow]

    @property
    def met_count(self) -> int:
        """How many of the six duties the body has met."""
        return sum(1 for cell in self.cells if cell.is_met)


def bodies_existing_in(year: int) -> QuerySet[Body]:
    """The bodies that existed on at least one day of ``year``, in SQL."""
    return Body.objects.exclude(valid_from__gt=datetime.date(year, 12, 31)).exclude(
        valid_to__lt=datetime.date(year, 1, 1)
    )


def overview_for(user: AnyUser, year: int) -> list[OverviewRow]:
    """Every body that existed in ``year`` with its six duties (two queries).

    The records still go through ``access.restrict``: the page is SLK's, and SLK sees
    every record, but the one door decides that, not this function.
    """
    bodies = sorted(bodies_existing_in(year), key=lambda body: swedish_sort_key(body.name))
    records: dict[tuple[int, str], DutyRecord] = {
        (record.body_id, record.duty): record
        for record in access.restrict(DutyRecord.objects.filter(year=year), user)
    }
    return [
        OverviewRow(
            body=body,
            cells=[
                ChecklistRow(duty=kind, record=records.get((body.pk, kind.value)))
                for kind in DutyKind
            ],
        )
        for body in bodies
    ]


def duty_record_for_page(user: AnyUser, slug: str, year: int, duty: str) -> DutyRecord:
    """The record a URL names, with its body: 404 if there is none the user may see."""
    kind = duty_kind_or_404(duty)
    return access.get_for_user_or_404(
        user,
        DutyRecord.objects.select_related("body"),
        body__slug=slug,
        year=year,
        duty=kind.value,
    )


def evidence_files_of(record: DutyRecord) -> list[EvidenceFile]:
    """The record's evidence files with their uploaders, oldest first (one query).

    The record itself has passed ``programme.access``; its files share its body and
    confidentiality.
    """
    files = list(record.evidence_files.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    for evidence in files:
        evidence.kind_label = EVIDENCE_KINDS.get(evidence.content_type, "").upper()  # type: ignore[attr-defined]
    return files


def record_fingerprint(record: DutyRecord | None) -> str:
    """A short digest of what a record says, so a save can tell that it changed meanwhile."""
    if record is None:
        return NEW_RECORD_FINGERPRINT
    parts = [
        record.status,
        record.confidentiality,
        record.person_name,
        record.completed_on.isoformat() if record.completed_on else "",
        record.description,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


# --- Saving a duty -----------------------------------------------------------------------


def _check_duty_rules(
    *,
    body: Body,
    year: int,
    duty: DutyKind,
    status: str,
    person_name: str,
    completed_on: datetime.date | None,
) -> dict[str, list[str]]:
    """The programme's rules for one duty record, as field errors (empty when all hold)."""
    errors: dict[str, list[str]] = {}
    if not is_duty_year(year):
        errors.setdefault("year", []).append(
            str(
                _("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_DUTY_YEAR, "last": last_duty_year()}
            )
        )
    elif not body_existed_in(body, year):
        errors.setdefault("year", []).append(
            str(_("%(body)s did not exist in %(year)s.") % {"body": body.name, "year": year})
        )
    if status == DutyStatus.MET and duty in DUTIES_WITH_PERSON and not person_name:
        errors.setdefault("person_name", []).append(
            str(_("Give the name of the person who holds the role to mark the duty as met."))
        )
    if status == DutyStatus.MET and duty in DUTIES_WITH_DATE and completed_on is None:
        errors.setdefault("completed_on", []).append(
            str(_("Give the date to mark the duty as met."))
        )
    if completed_on is not None and completed_on > timezone.localdate():
        errors.setdefault("completed_on", []).append(str(_("The date cannot be in the future.")))
    return errors


def _conflict_error() -> ValidationError:
    return ValidationError(
        _(
            "Someone else saved this duty after you opened it. Your text is kept below; "
            "check their changes in the history and save again."
        ),
        code="conflict",
    )


def save_duty_record(
    *,
    user: AnyUser,
    body: Body,
    year: int,
    duty: str,
    status: str,
    confidentiality: str,
    person_name: str = "",
    completed_on: datetime.date | None = None,
    description: str = "",
    seen_fingerprint: str | None = None,
) -> DutyRecord:
    """Create or update the body's record of one duty in one year, checking every rule.

    Raises ``ValidationError`` (field errors, or code "conflict" when the record changed
    since the form was opened, as ``seen_fingerprint`` tells) and then saves nothing.
    Only the fields that fit the duty are kept: a name for the coordinators, a date for
    the others.
    """
    kind = DutyKind(duty) if duty in DutyKind.values else None
    if kind is None:
        raise ValidationError({"duty": [str(_("The programme sets no such duty."))]})
    person_name = person_name.strip() if kind in DUTIES_WITH_PERSON else ""
    if kind not in DUTIES_WITH_DATE:
        completed_on = None
    errors = _check_duty_rules(
        body=body,
        year=year,
        duty=kind,
        status=status,
        person_name=person_name,
        completed_on=completed_on,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record = (
                DutyRecord.objects.select_for_update()
                .filter(body=body, year=year, duty=kind.value)
                .first()
            )
            if seen_fingerprint and seen_fingerprint != record_fingerprint(record):
                raise _conflict_error()
            if record is None:
                record = DutyRecord(body=body, year=year, duty=kind.value)
            record.status = status
            record.confidentiality = confidentiality
            record.person_name = person_name
            record.completed_on = completed_on
            record.description = description.strip()
            record.full_clean()
            record._history_user = user  # type: ignore[attr-defined]
            record.save()
    except IntegrityError:
        # Someone created the same record between our read and our write.
        raise _conflict_error() from None
    return record


# --- Evidence files ----------------------------------------------------------------------

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS = "application/vnd.ms-excel"
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

# What each accepted content type is called, and the extension a download gets when
# the uploaded name had none.
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


def _ole_has_stream(data: bytes, name: str) -> bool:
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
    if _ole_has_stream(data, "WordDocument"):
        return DOC
    if _ole_has_stream(data, "Workbook") or _ole_has_stream(data, "Book"):
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


def _original_name(uploaded: UploadedFile, content_type: str) -> str:
    """The name the user gave the file, without any path, kept to the column's length."""
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        name = f"underlag.{EVIDENCE_KINDS[content_type]}"
    return name[-255:]


def add_evidence_file(*, user: AnyUser, record: DutyRecord, uploaded: UploadedFile) -> EvidenceFile:
    """Check an uploaded file's content and keep it as evidence of the duty record.

    Raises ``ValidationError`` and stores nothing if the file is too large or not an
    allowed kind. The file goes to private storage under a random name; the user's
    name for it, the detected type, the size, the uploader and the time are recorded.
    """
    content_type = detect_evidence_type(uploaded)
    evidence = EvidenceFile(
        duty_record=record,
        original_name=_original_name(uploaded, content_type),
        content_type=content_type,
        size=uploaded.size or 0,
        uploaded_by=user if isinstance(user, User) else None,
        uploaded_at=timezone.now(),
    )
    evidence._history_user = user  # type: ignore[attr-defined]
    evidence.file.save("evidence", uploaded, save=False)
    stored_name = evidence.file.name
    storage = evidence.file.storage
    try:
        evidence.save()
    except Exception:
        # No row points at the stored file: it must not stay behind.
        storage.delete(stored_name)
        raise
    return evidence


def _delete_stored_file(storage: Any, name: str) -> Callable[[], None]:
    def delete() -> None:
        storage.delete(name)

    return delete


def delete_evidence_file(*, user: AnyUser, evidence: EvidenceFile) -> None:
    """Remove an evidence file; its stored file is deleted once the transaction commits."""
    storage = evidence.file.storage
    name = evidence.file.name
    with transaction.atomic():
        evidence._history_user = user  # type: ignore[attr-defined]
        evidence.delete()
        if name:
            transaction.on_commit(_delete_stored_file(storage, name))


def evidence_for_download(user: AnyUser, pk: int) -> EvidenceFile:
    """The evidence file ``pk`` if the user may see its duty record, else 404."""
    return access.get_for_user_or_404(user, EvidenceFile.objects.all(), pk=pk)


def evidence_for_change(user: AnyUser, pk: int) -> EvidenceFile:
    """The evidence file ``pk`` with its record: 404 if not visible, 403 if not changeable."""
    return access.get_for_user_or_404(
        user,
        EvidenceFile.objects.select_related("duty_record__body"),
        access.Action.CHANGE,
        pk=pk,
    )
