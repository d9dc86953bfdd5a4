"""Programme duties: every change to a duty record and its evidence files.

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
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.history import set_history_user
from programme.locking import (
    EditConflict,
    SeenVersion,
    changes_since,
    check_version,
    for_update,
    save_new_or_next_version,
)
from programme.models import (
    DUTIES_WITH_DATE,
    DUTIES_WITH_PERSON,
    Body,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
)
from programme.uploads import detect_evidence_type, original_name
from programme.years import FIRST_YEAR, is_record_year, last_record_year

AnyUser = access.AnyUser


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
    if not is_record_year(year):
        errors.setdefault("year", []).append(
            str(
                _("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": last_record_year()}
            )
        )
    elif not body.existed_in(year):
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
    seen_version: SeenVersion,
) -> DutyRecord:
    """Create or update the body's record of one duty in one year, checking every rule.

    ``seen_version`` is the record's version when the form was opened, 0 when there was
    no record yet. Raises ``ValidationError`` (field errors) or ``EditConflict`` (the
    record was saved by someone else since) and then saves nothing.
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
            record = for_update(
                DutyRecord.objects.filter(body=body, year=year, duty=kind.value)
            ).first()
            if record is None:
                record = DutyRecord(body=body, year=year, duty=kind.value)
            else:
                check_version(record, seen_version)
            record.status = status
            record.confidentiality = confidentiality
            record.person_name = person_name
            record.completed_on = completed_on
            record.description = description.strip()
            record.full_clean()
            save_new_or_next_version(record, user)
    except IntegrityError:
        # Someone created the same record between our read and our write: theirs stands.
        theirs = DutyRecord.objects.get(body=body, year=year, duty=kind.value)
        raise EditConflict(theirs, changes_since(theirs, 0)) from None
    return record


# --- Evidence files ----------------------------------------------------------------------


def add_evidence_file(*, user: AnyUser, record: DutyRecord, uploaded: UploadedFile) -> EvidenceFile:
    """Check an uploaded file's content and keep it as evidence of the duty record.

    Raises ``ValidationError`` and stores nothing if the file is too large or not an
    allowed kind. The file goes to private storage under a random name; the user's
    name for it, the detected type, the size, the uploader and the time are recorded.
    """
    content_type = detect_evidence_type(uploaded)
    evidence = EvidenceFile(
        duty_record=record,
        original_name=original_name(uploaded, content_type),
        content_type=content_type,
        size=uploaded.size or 0,
        uploaded_by=user if isinstance(user, User) else None,
        uploaded_at=timezone.now(),
    )
    set_history_user(evidence, user)
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
        set_history_user(evidence, user)
        evidence.delete()
        if name:
            transaction.on_commit(_delete_stored_file(storage, name))
