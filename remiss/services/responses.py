"""A body's response to a referral round: started, written, decided, submitted and reopened.

not started → draft → submitted (locked) → reopened by SLK with a reason → submitted.
Each change is one function that takes the response's row lock first
(``lock_response``), as the plan records take their plan's, checks its actor, the
response's state and the version the form saw, and only then writes; a refusal is a
``ValidationError`` keyed by form field (or ``locking.EditConflict``) and writes nothing.
Signatories and statements are changed in ``remiss.services.responses_parts``.

Access is decided by the caller through ``programme.access``; the services check again
the one thing that makes a change legal for its actor (the body's administrators write,
SLK reopens), so no caller can skip it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.access import AnyUser
from programme.history import history_user, set_history_user
from programme.locking import SeenVersion, check_version, for_update, save_next_version
from programme.models import Body
from programme.rich_text import clean_rich_text
from remiss.models import (
    RESPONSE_SECTIONS,
    Invitation,
    Referral,
    ReferralState,
    Response,
    ResponseState,
)

# What the response's own form edits, in the order the page shows it.
RESPONSE_FIELDS = (
    "written_by",
    "registration_number",
    "document_date",
    *RESPONSE_SECTIONS,
    "unions_consulted_on",
    "case_officer_name",
    "case_officer_phone",
    "case_officer_email",
    "confidentiality",
)
# The committee's decision, recorded before submission.
DECISION_FIELDS = ("meeting_date", "decision_text", "minutes_paragraph")
# Texts people write with a little formatting: cleaned before they are stored.
RICH_TEXT_FIELDS = frozenset({*RESPONSE_SECTIONS, "decision_text"})
# The key of the refusal to submit a response with no section written.
SECTIONS_KEY = "sections"
# States in which the body's administrators may change the response.
EDITABLE_STATES = (ResponseState.DRAFT, ResponseState.REOPENED)


def refuse(message: str, key: str = NON_FIELD_ERRORS) -> NoReturn:
    """Refuse the change, with ``message`` next to the field ``key`` (or above the form)."""
    raise ValidationError({key: [message]})


def clean_text(text: str | None) -> str:
    """Rich text cleaned with nh3, without the blank space a removed tag leaves at its ends."""
    return clean_rich_text(text or "").strip()


def lock_response(response_id: int) -> Response:
    """The response locked for update: the first lock of any change to it or its parts."""
    return for_update(Response.objects.select_related("body", "referral")).get(pk=response_id)


def may_change_response(user: AnyUser, response: Response) -> bool:
    """Whether the user administers the response's body (one query)."""
    return (
        access.restrict(Response.objects.filter(pk=response.pk), user, access.Action.CHANGE)
        .only("pk")
        .exists()
    )


def check_editable(user: AnyUser, response: Response) -> None:
    """Refuse a change by anyone but the body's administrators, or of a locked response."""
    if not may_change_response(user, response):
        refuse(_("Only the body's administrators can change its response."))
    if response.state == ResponseState.NOT_STARTED:
        refuse(_("The response has not been started yet. Start it first."))
    if response.state == ResponseState.SUBMITTED:
        refuse(
            _(
                "The response has been submitted and is locked. SLK can reopen it if it "
                "needs to be changed."
            )
        )


def lock_for_change(user: AnyUser, response: Response, seen_version: SeenVersion) -> Response:
    """Lock the response, refuse unless the user may change it now, check the version seen."""
    current = lock_response(response.pk)
    check_editable(user, current)
    check_version(current, seen_version)
    return current


# --- Starting ----------------------------------------------------------------------------


@transaction.atomic
def start_response(user: AnyUser, referral: Referral, body: Body) -> Response:
    """The body's administrator starts its response to the round: not started → draft.

    The round's row is locked first, so two administrators pressing "Start" at once
    make one response. A body may answer only a round it was asked to, that is still
    open, and that it has not declined.
    """
    if not access.can_change_records(user, body):
        refuse(_("Only the body's administrators can start its response."))
    round_ = for_update(Referral.objects.all()).get(pk=referral.pk)
    existing = for_update(Response.objects.filter(referral=round_, body=body)).first()
    if existing is not None and existing.state != ResponseState.NOT_STARTED:
        refuse(_("The response has already been started."))
    invitation = Invitation.objects.filter(referral=round_, body=body).first()
    if existing is None and invitation is None:
        refuse(_("The body was not asked to answer this referral round."))
    if invitation is not None and invitation.declined:
        refuse(_("The body has declined to answer this referral round."))
    if round_.state != ReferralState.OPEN:
        refuse(_("The referral round is closed: no new responses can be started."))
    if existing is None:
        response = Response(referral=round_, body=body, state=ResponseState.DRAFT)
        set_history_user(response, user)
        response.save()
        return response
    existing.state = ResponseState.DRAFT
    save_next_version(existing, user)
    return existing


# --- Writing -----------------------------------------------------------------------------


def _prepare(response: Response, values: Mapping[str, Any], names: Iterable[str]) -> None:
    """Check ``values`` and set them on ``response`` (not saved); every error at once."""
    for name in names:
        if name not in values:
            continue
        value = values[name]
        if name in RICH_TEXT_FIELDS:
            value = clean_text(value)
        elif isinstance(value, str):
            value = value.strip()
        elif value is None and name not in ("document_date", "unions_consulted_on", "meeting_date"):
            value = ""
        setattr(response, name, value)
    response.full_clean(exclude=["body", "referral", "submitted_by"])


def prepare_response(response: Response, values: Mapping[str, Any], names: Iterable[str]) -> None:
    """Check ``values`` for ``names`` and set them on the locked ``response`` (not saved)."""
    _prepare(response, values, names)


@transaction.atomic
def save_response(
    user: AnyUser, response: Response, seen_version: SeenVersion, values: Mapping[str, Any]
) -> Response:
    """Save the response's sections, registration, case officer and level.

    ``EditConflict`` if someone saved it after ``seen_version``.
    """
    current = lock_for_change(user, response, seen_version)
    _prepare(current, values, RESPONSE_FIELDS)
    save_next_version(current, user)
    return current


@transaction.atomic
def record_decision(
    user: AnyUser, response: Response, seen_version: SeenVersion, values: Mapping[str, Any]
) -> Response:
    """Record the committee's decision: meeting date, decision text and minutes paragraph."""
    current = lock_for_change(user, response, seen_version)
    _prepare(current, values, DECISION_FIELDS)
    save_next_version(current, user)
    return current


# --- Submitting and reopening -----------------------------------------------------------


def submission_errors(response: Response) -> dict[str, list[str]]:
    """Why the response cannot be submitted yet, keyed by the field to fill in."""
    errors: dict[str, list[str]] = {}
    if response.meeting_date is None:
        errors["meeting_date"] = [
            _("Record the date of the committee meeting that decided the response.")
        ]
    if not response.decision_text.strip():
        errors["decision_text"] = [_("Record the committee's decision.")]
    if not any(getattr(response, name).strip() for name in RESPONSE_SECTIONS):
        errors[SECTIONS_KEY] = [_("Write at least one section of the response.")]
    return errors


@transaction.atomic
def submit_response(user: AnyUser, response: Response, seen_version: SeenVersion) -> Response:
    """The body submits its response to SLK; it is locked until SLK reopens it.

    Refused until the committee's decision (meeting date and decision text) is recorded
    and at least one section is written.
    """
    current = lock_for_change(user, response, seen_version)
    errors = submission_errors(current)
    if errors:
        raise ValidationError(errors)
    current.state = ResponseState.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = history_user(user)
    save_next_version(current, user)
    return current


@transaction.atomic
def reopen_response(
    user: AnyUser, response: Response, reason: str, seen_version: SeenVersion
) -> Response:
    """SLK reopens a submitted response, saying why; the body may change it and submit again."""
    if not access.is_slk_reviewer(user):
        refuse(_("Only SLK can reopen a response."))
    current = lock_response(response.pk)
    if current.state != ResponseState.SUBMITTED:
        refuse(_("Only a submitted response can be reopened."))
    if current.referral.is_history:
        refuse(_("A response of a round loaded as history cannot be reopened."))
    check_version(current, seen_version)
    cleaned = clean_text(reason)
    if not cleaned:
        refuse(_("Write why the response is reopened."), "reason")
    current.state = ResponseState.REOPENED
    current.reopen_reason = cleaned
    save_next_version(current, user)
    return current
