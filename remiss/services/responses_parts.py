"""The parts of a body's response: its signatories and its statements.

Every change takes the response's row lock first (``responses.lock_for_change``), then
the rows it reads, and is refused once the response is submitted. Signatories carry no
version of their own: every change of them raises the response's (``version_kept_by``),
so the signatories' form names the response's version. Statements carry their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from programme.access import AnyUser
from programme.history import set_history_user
from programme.locking import (
    OVERWRITE,
    SeenVersion,
    lock_one,
    lock_rows,
    lock_version,
    save_next_version,
)
from remiss.models import ReferralSection, Response, Signatory, Stance, Statement
from remiss.services.responses import clean_text, lock_for_change, refuse

STATEMENT_FIELDS = ("section", "stance", "text", "confidentiality")
# Where a row waits while the rows around it take their new positions (above any real one).
_PARKED = 30000


# --- Signatories -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatoryInput:
    """One signatory as the form gives it: an existing one (``pk``) or a new one."""

    name: str
    title: str = ""
    pk: int | None = None


def _apply_signatories(user: AnyUser, response: Response, rows: Sequence[SignatoryInput]) -> bool:
    """Make the response's signatories ``rows``, in that order; whether anything changed."""
    existing = {row.pk: row for row in lock_rows(Signatory.objects.filter(response=response))}
    errors: dict[str, list[str]] = {}
    if {row.pk for row in rows if row.pk is not None} - existing.keys():
        refuse(_("A signatory is no longer there. Open the page again."))
    for index, row in enumerate(rows):
        if not row.name.strip():
            errors.setdefault("signatories", []).append(
                _("Signatory %(number)s needs a name.") % {"number": index + 1}
            )
        elif len(row.name.strip()) > 200 or len(row.title.strip()) > 200:
            errors.setdefault("signatories", []).append(
                _("Signatory %(number)s: a name or title is too long.") % {"number": index + 1}
            )
    if errors:
        raise ValidationError(errors)
    kept = {row.pk for row in rows if row.pk is not None}
    changed = False
    for pk, signatory in existing.items():
        if pk not in kept:
            set_history_user(signatory, user)
            signatory.delete()
            changed = True
    wanted: list[tuple[Signatory, int, str, str]] = []
    for position, row in enumerate(rows, start=1):
        signatory = existing[row.pk] if row.pk is not None else Signatory(response=response)
        wanted.append((signatory, position, row.name.strip(), row.title.strip()))
    moving = [s.pk for s, position, _n, _t in wanted if s.pk and s.position != position]
    if moving:
        # Out of the way first, without history: the positions only pass through here.
        for offset, pk in enumerate(moving):
            Signatory.objects.filter(pk=pk).update(position=_PARKED + offset)
    for signatory, position, name, title in wanted:
        if signatory.pk and (signatory.position, signatory.name, signatory.title) == (
            position,
            name,
            title,
        ):
            continue
        signatory.position, signatory.name, signatory.title = position, name, title
        set_history_user(signatory, user)
        signatory.save()
        changed = True
    return changed


@transaction.atomic
def save_signatories(
    user: AnyUser, response: Response, seen_version: SeenVersion, rows: Sequence[SignatoryInput]
) -> Response:
    """Add, change, remove and reorder the signatories at once; the response's version rises."""
    current = lock_for_change(user, response, seen_version)
    if _apply_signatories(user, current, rows):
        save_next_version(current, user)
    return current


def _current_signatories(response: Response) -> list[SignatoryInput]:
    return [
        SignatoryInput(name=s.name, title=s.title, pk=s.pk)
        for s in Signatory.objects.filter(response=response).order_by("position")
    ]


@transaction.atomic
def add_signatory(
    user: AnyUser, response: Response, seen_version: SeenVersion, name: str, title: str = ""
) -> Signatory:
    """Add a signatory after the last one."""
    current = lock_for_change(user, response, seen_version)
    rows = [*_current_signatories(current), SignatoryInput(name=name, title=title)]
    _apply_signatories(user, current, rows)
    save_next_version(current, user)
    return Signatory.objects.filter(response=current).order_by("position").last()  # type: ignore[return-value]


@transaction.atomic
def delete_signatory(user: AnyUser, signatory: Signatory, seen_version: SeenVersion) -> None:
    """Remove a signatory; those after it move up."""
    current = lock_for_change(user, signatory.response, seen_version)
    rows = [row for row in _current_signatories(current) if row.pk != signatory.pk]
    _apply_signatories(user, current, rows)
    save_next_version(current, user)


# --- Statements --------------------------------------------------------------------------


def _prepare_statement(statement: Statement, values: Mapping[str, Any]) -> None:
    """Check ``values`` and set them on ``statement`` (not saved); every error at once."""
    errors: dict[str, list[str]] = {}
    if "section" in values:
        section = values["section"]
        section_id = section.pk if isinstance(section, ReferralSection) else section
        try:
            statement.section = ReferralSection.objects.get(
                pk=int(section_id), referral_id=statement.response.referral_id
            )
        except (TypeError, ValueError, ReferralSection.DoesNotExist):
            errors["section"] = [_("Choose a section of the draft this round refers.")]
    if "stance" in values:
        if values["stance"] not in Stance.values:
            errors["stance"] = [_("Choose a stance from the list.")]
        else:
            statement.stance = values["stance"]
    if "text" in values:
        statement.text = clean_text(values["text"])
        if not statement.text:
            errors["text"] = [_("Write what the body says about the section.")]
    if "confidentiality" in values:
        statement.confidentiality = values["confidentiality"]
    if not errors:
        try:
            statement.full_clean(exclude=["response", "section"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _lock_statement(
    user: AnyUser, statement: Statement, seen_version: SeenVersion
) -> tuple[Response, Statement]:
    """Lock the statement's response (first), then the statement at ``seen_version``."""
    response = lock_for_change(user, statement.response, OVERWRITE)
    current = lock_version(Statement.objects.all(), statement.pk, seen_version)
    current.response = response
    return response, current


@transaction.atomic
def add_statement(user: AnyUser, response: Response, values: Mapping[str, Any]) -> Statement:
    """Add a statement to the response, after the last one."""
    current = lock_for_change(user, response, OVERWRITE)
    last = Statement.objects.filter(response=current).aggregate(last=Max("position"))["last"]
    statement = Statement(response=current, position=int(last or 0) + 1)
    _prepare_statement(statement, values)
    set_history_user(statement, user)
    statement.save()
    return statement


@transaction.atomic
def update_statement(
    user: AnyUser, statement: Statement, seen_version: SeenVersion, values: Mapping[str, Any]
) -> Statement:
    """Change a statement saved at ``seen_version``; ``EditConflict`` if it moved on since."""
    _response, current = _lock_statement(user, statement, seen_version)
    _prepare_statement(current, values)
    save_next_version(current, user)
    return current


@transaction.atomic
def delete_statement(user: AnyUser, statement: Statement, seen_version: SeenVersion) -> None:
    """Delete a statement saved at ``seen_version``."""
    _response, current = _lock_statement(user, statement, seen_version)
    set_history_user(current, user)
    current.delete()


@transaction.atomic
def move_statement(
    user: AnyUser, statement: Statement, seen_version: SeenVersion, up: bool
) -> Statement:
    """Move a statement one place up or down, swapping it with its neighbour.

    Both are saved as their next versions: a form opened on either before the move
    is refused and shows the move.
    """
    response, current = _lock_statement(user, statement, seen_version)
    neighbours = Statement.objects.filter(response=response)
    if up:
        neighbours = neighbours.filter(position__lt=current.position).order_by("-position")
    else:
        neighbours = neighbours.filter(position__gt=current.position).order_by("position")
    neighbour_id = neighbours.values_list("pk", flat=True).first()
    if neighbour_id is None:
        return current
    neighbour = lock_one(Statement.objects.all(), neighbour_id)
    mine, theirs = current.position, neighbour.position
    Statement.objects.filter(pk=current.pk).update(position=_PARKED)
    neighbour.position = mine
    save_next_version(neighbour, user)
    current.position = theirs
    save_next_version(current, user)
    return current
