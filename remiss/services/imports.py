"""Importing an existing document into a body's draft response, for a person to confirm.

start → (read inline, or queued and read by the worker) → ready → saved or discarded.
A small document is read at once; a larger one is stored and read by the worker
(``remiss.tasks.read_response_import``) while the page shows its progress, so no import
holds a web worker for long. Nothing reaches the response until its administrator has
reviewed what was found and saved it (``save_import``), which asks before replacing
anything the response already has and is refused if the response changed meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programme.access import AnyUser
from programme.history import history_user
from programme.locking import OVERWRITE, SeenVersion, for_update, save_next_version
from remiss.models import (
    RESPONSE_SECTIONS,
    ImportState,
    ReferralSection,
    Response,
    ResponseImport,
)
from remiss.reading.document import read_document, to_data
from remiss.reading.formats import Refused, check_document, document_lines, kind_of
from remiss.reading.statements import Target
from remiss.services import responses_parts as parts
from remiss.services.responses import check_editable, lock_for_change, prepare_response

logger = logging.getLogger(__name__)

# The response's own facts an import may fill in, in the order the review shows them.
FACT_FIELDS = (
    "written_by",
    "registration_number",
    "document_date",
    "meeting_date",
    "unions_consulted_on",
    "case_officer_name",
    "case_officer_phone",
    "case_officer_email",
)
DATE_FIELDS = frozenset({"document_date", "meeting_date", "unions_consulted_on"})
REVIEWED_FIELDS = (*FACT_FIELDS, *RESPONSE_SECTIONS)
# Section titles that stand for the programme as a whole.
WHOLE_TITLES = ("helhet", "övergripande", "allmänt")


def inline_bytes() -> int:
    """The largest document read at once; a larger one goes to the worker."""
    return int(getattr(settings, "IMPORT_INLINE_BYTES", 256 * 1024))


def targets_for(sections: Sequence[ReferralSection]) -> list[Target]:
    """The round's sections as the statement rules see them (key: the section's id)."""
    targets = []
    for section in sections:
        focus = section.focus_area
        title = section.heading
        targets.append(
            Target(
                key=str(section.pk),
                title=title,
                number=focus.position if focus is not None else None,
                whole=focus is None and any(word in title.lower() for word in WHOLE_TITLES),
            )
        )
    return targets


def _sections(response: Response) -> list[ReferralSection]:
    return list(
        ReferralSection.objects.filter(referral_id=response.referral_id)
        .select_related("focus_area")
        .order_by("position")
    )


def _read(
    data: bytes, response: Response, progress: Callable[[int, int], None] | None = None
) -> tuple[str, dict[str, Any]]:
    """The document's kind and what was found in it, as data to keep."""
    kind, lines = document_lines(data, progress)
    reading = read_document(
        lines, targets_for(_sections(response)), response.referral.registration_number
    )
    return kind, to_data(reading)


def _refusal(error: Refused) -> ValidationError:
    return ValidationError({"file": [str(error.message)]}, code=error.code)


def start_import(
    user: AnyUser,
    response: Response,
    data: bytes,
    name: str = "",
    enqueue: Callable[[int], None] | None = None,
) -> ResponseImport:
    """Check a document and read it (at once, or by the worker when it is large).

    A refused document creates nothing and leaves the response as it was; the refusal
    is a ``ValidationError`` on "file" with the reason.
    """
    check_editable(user, response)
    try:
        kind = kind_of(data)
        check_document(kind, data)
        if len(data) <= inline_bytes():
            kind, reading = _read(data, response)
    except Refused as error:
        raise _refusal(error) from None
    item = ResponseImport(
        response=response,
        kind=kind,
        original_name=name.replace("\\", "/").rsplit("/", 1)[-1][-255:],
        size=len(data),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=history_user(user),
    )
    if len(data) <= inline_bytes():
        item.state, item.progress, item.reading = ImportState.READY, 100, reading
        item.save()
        return item
    item.file.save("import", ContentFile(data), save=False)
    item.save()
    send = enqueue if enqueue is not None else _enqueue
    item_id = item.pk
    transaction.on_commit(lambda: send(item_id))
    return item


def _enqueue(import_id: int) -> None:
    """Hand the import to the worker; a broker that refuses it fails the import at once."""
    from remiss.tasks import read_response_import

    try:
        read_response_import.delay(import_id)
    except Exception as error:  # the broker is down or refuses: say so on the page
        ResponseImport.objects.filter(pk=import_id).update(
            state=ImportState.FAILED, error=str(error)[:500]
        )


def read_import(import_id: int) -> str:
    """The worker reads a queued import; safe to run twice. Returns the state it ends in."""
    with transaction.atomic():
        item = (
            for_update(ResponseImport.objects.select_related("response__referral"))
            .filter(pk=import_id)
            .first()
        )
        if item is None or item.state not in (ImportState.QUEUED, ImportState.READING):
            return item.state if item is not None else "gone"
        item.state = ImportState.READING
        item.save(update_fields=["state"])
    seen = {"percent": 0}

    def progress(done: int, total: int) -> None:
        percent = min(95, int(done * 100 / max(total, 1)))
        if percent >= seen["percent"] + 10:
            seen["percent"] = percent
            ResponseImport.objects.filter(pk=import_id).update(progress=percent)

    with translation.override(item.language):
        try:
            with item.file.open("rb") as stored:
                data = stored.read()
            _kind, reading = _read(data, item.response, progress)
        except Refused as error:
            updates: dict[str, Any] = {"state": ImportState.FAILED, "error": str(error.message)}
        except Exception:
            # Whatever went wrong, the page must not wait for ever: say so, keep the trace.
            logger.exception("Import %d could not be read.", import_id)
            updates = {
                "state": ImportState.FAILED,
                "error": _("The server could not read the document. Try again, or paste its text."),
            }
        else:
            updates = {"state": ImportState.READY, "progress": 100, "reading": reading}
    ResponseImport.objects.filter(pk=import_id, state=ImportState.READING).update(**updates)
    if item.file:
        item.file.delete(save=False)
    ResponseImport.objects.filter(pk=import_id).update(file="")
    return str(updates["state"])


# --- Saving what the person confirmed ----------------------------------------------------


@dataclass(frozen=True)
class ImportedStatement:
    """A statement the person kept: the section's id, the stance and the text."""

    section: int
    stance: str
    text: str


@dataclass
class ImportReview:
    """What the person confirmed: the fields to fill in, the signatories, the statements.

    ``fields`` holds only the fields they kept; ``signatories`` is None when they kept
    none of the document's (the response's stay as they are).
    """

    fields: dict[str, Any] = field(default_factory=dict)
    signatories: list[tuple[str, str]] | None = None
    statements: list[ImportedStatement] = field(default_factory=list)


class ReplaceNotConfirmed(Exception):
    """Saving would replace what the response already has; the person must say so first."""

    def __init__(self, replaced: list[str]) -> None:
        super().__init__(", ".join(replaced))
        self.replaced = replaced


def replaced_by(response: Response, review: ImportReview) -> list[str]:
    """The fields (and "signatories") that saving ``review`` would change from a value there."""
    replaced = []
    for name, value in review.fields.items():
        current = getattr(response, name)
        if current not in (None, "") and str(current).strip() != str(value or "").strip():
            replaced.append(name)
    if review.signatories is not None:
        existing = list(response.signatories.order_by("position").values_list("name", "title"))
        if existing and existing != review.signatories:
            replaced.append("signatories")
    return replaced


def lock_import(import_id: int) -> ResponseImport:
    """The import locked for update, after its response's lock."""
    return for_update(ResponseImport.objects.all()).get(pk=import_id)


@transaction.atomic
def save_import(
    user: AnyUser,
    item: ResponseImport,
    seen_version: SeenVersion,
    review: ImportReview,
    replace: bool = False,
) -> Response:
    """Write what the person confirmed into the draft response; the import is then saved.

    Refused if the response changed since the review was opened (``EditConflict``), if it
    is no longer a draft, or if the import is not ready; ``ReplaceNotConfirmed`` names what
    would be replaced until ``replace`` is given. Statements are added after those the
    response has; none is replaced.
    """
    current = lock_for_change(user, item.response, seen_version)
    locked = lock_import(item.pk)
    if locked.state != ImportState.READY:
        raise ValidationError(_("This import has already been saved or discarded."))
    replaced = replaced_by(current, review)
    if replaced and not replace:
        raise ReplaceNotConfirmed(replaced)
    prepare_response(current, review.fields, review.fields.keys())
    save_next_version(current, user)
    if review.signatories is not None:
        parts.save_signatories(
            user,
            current,
            OVERWRITE,
            [parts.SignatoryInput(name=name, title=title) for name, title in review.signatories],
        )
    for statement in review.statements:
        parts.add_statement(
            user,
            current,
            {"section": statement.section, "stance": statement.stance, "text": statement.text},
        )
    locked.state = ImportState.SAVED
    locked.saved_by = history_user(user)
    locked.saved_at = timezone.now()
    locked.save(update_fields=["state", "saved_by", "saved_at"])
    return current


@transaction.atomic
def discard_import(user: AnyUser, item: ResponseImport) -> None:
    """Drop an import that was not saved; its file goes too."""
    check_editable(user, item.response)
    locked = lock_import(item.pk)
    if locked.state in (ImportState.SAVED, ImportState.DISCARDED):
        return
    locked.state = ImportState.DISCARDED
    locked.save(update_fields=["state"])
    if locked.file:
        locked.file.delete(save=False)
        ResponseImport.objects.filter(pk=locked.pk).update(file="")


def found_value(reading: Mapping[str, Any], name: str) -> tuple[str, int | None, str]:
    """A field's value as found, the line it stands on and the words that gave it."""
    if name in RESPONSE_SECTIONS:
        for section in reading["sections"]:
            if section["name"] == name:
                return section["text"], section["heading_line"], section["heading"]
        return "", None, ""
    fact = reading["facts"]["values"].get(name)
    if fact is None:
        return "", None, ""
    return fact["value"], fact["line"], fact["words"]
