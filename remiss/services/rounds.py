"""Referral rounds: SLK opens a round, adds bodies to it and closes it; a body declines.

A body that declined may take it back while the round is open, and then answers as any
other body asked.

Every change to a round goes through one function here, which checks its rules before
anything is written and runs in a transaction. Who may call it is decided by the caller
through ``programme.access`` (SLK for the round, the body's administrators for declining);
the services take the user only to record who did what.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.history import set_history_user
from programme.locking import SeenVersion, lock_one, lock_version, save_next_version
from programme.models import Body, Confidentiality, FocusArea, Programme, ProgrammeStatus
from programme.uploads import PDF, detect_evidence_type, original_name
from remiss.models import (
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralSection,
    ReferralState,
    Response,
    ResponseState,
)

AnyUser = access.AnyUser

# A round may be opened for a version that is still a draft or already out on referral.
OPENABLE_STATUSES = (ProgrammeStatus.DRAFT, ProgrammeStatus.ON_REFERRAL)

# A diarienummer, loosely: letters, digits, spaces, dots, dashes and slashes, with a
# number in it ("KS 2020/1939", "171-1309/2017", "SLK 2023/0012").
REGISTRATION_NUMBER = re.compile(r"^(?=.*\d)[^\W_][\w .:/-]*$")

# A response in one of these states has been handed in: the body can no longer decline.
ANSWERED_STATES = (ResponseState.SUBMITTED,)


def check_can_open(programme: Programme) -> None:
    """Refuse a round for a version that is adopted or superseded."""
    if programme.status not in OPENABLE_STATUSES:
        raise ValidationError(
            _(
                "%(programme)s is %(status)s: a referral round can only be opened for a "
                "draft programme version, or one already on referral."
            )
            % {"programme": programme.name, "status": programme.get_status_display()},
            code="programme_status",
        )


def clean_registration_number(value: str) -> str:
    """The registration number with its spaces tidied; ``ValidationError`` if it is no dnr."""
    number = " ".join(value.split())
    if not number or len(number) > 80 or not REGISTRATION_NUMBER.match(number):
        raise ValidationError(
            _("Give the registration number as the register writes it, such as KS 2020/1939."),
            code="registration_number",
        )
    return number


def _check_dates(
    sent_on: datetime.date | None, deadline: datetime.date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if sent_on is None:
        errors["sent_on"] = [str(_("Give the date the referral is sent."))]
    if deadline is None:
        errors["deadline"] = [str(_("Give the deadline for the responses."))]
    if sent_on and deadline and deadline < sent_on:
        errors["deadline"] = [str(_("The deadline cannot come before the date sent."))]
    return errors


def _check_bodies(bodies: Sequence[Body], on: datetime.date, field: str) -> dict[str, list[str]]:
    """Field errors unless there is a body and each existed in the year of ``on``."""
    if not bodies:
        return {field: [str(_("Choose at least one body to ask."))]}
    gone = [body.name for body in bodies if not body.existed_in(on.year)]
    if gone:
        return {
            field: [
                str(
                    _("These bodies did not exist in %(year)s: %(names)s.")
                    % {"year": on.year, "names": ", ".join(gone)}
                )
            ]
        }
    return {}


def _section_titles(titles: Iterable[str]) -> list[str]:
    """The free sections' titles, trimmed, without empty lines."""
    return [" ".join(title.split()) for title in titles if title.strip()]


def _check_sections(
    programme: Programme, focus_areas: Sequence[FocusArea], titles: list[str]
) -> dict[str, list[str]]:
    errors: list[str] = []
    if not focus_areas and not titles:
        errors.append(str(_("Choose at least one section of the draft.")))
    if any(area.programme_id != programme.pk for area in focus_areas):
        errors.append(str(_("The focus area belongs to another programme version.")))
    if len({title.casefold() for title in titles}) != len(titles):
        errors.append(str(_("Each free section needs a title of its own.")))
    if any(len(title) > 300 for title in titles):
        errors.append(str(_("A section's title may be at most 300 characters.")))
    return {"free_sections": errors} if errors else {}


def _check_draft(draft: UploadedFile | None) -> tuple[str, dict[str, list[str]]]:
    """The draft's content type, checked as evidence files are, and that it is a PDF."""
    if draft is None:
        return "", {"draft": [str(_("Attach the draft as a PDF file."))]}
    try:
        content_type = detect_evidence_type(draft)
    except ValidationError as error:
        return "", {"draft": error.messages}
    if content_type != PDF:
        return "", {"draft": [str(_("The draft must be a PDF file."))]}
    return content_type, {}


def _invite(referral: Referral, bodies: Iterable[Body], user: AnyUser) -> list[Invitation]:
    """An invitation and a not-started response for each body, recorded as ``user``'s."""
    invitations = []
    for body in bodies:
        invitation = Invitation(referral=referral, body=body, invited_on=referral.sent_on)
        set_history_user(invitation, user)
        invitation.save()
        response = Response(
            referral=referral,
            body=body,
            state=ResponseState.NOT_STARTED,
            confidentiality=Confidentiality.INTERNAL,
        )
        set_history_user(response, user)
        response.save()
        invitations.append(invitation)
    return invitations


def _store_draft(referral: Referral, draft: UploadedFile, content_type: str) -> str:
    """Write the draft to private storage under a random name; the stored name."""
    referral.draft_name = original_name(draft, content_type)
    referral.draft_size = draft.size or 0
    referral.draft_file.save("draft", draft, save=False)
    return str(referral.draft_file.name)


def open_round(
    *,
    user: AnyUser,
    programme: Programme,
    registration_number: str,
    title: str,
    sender_name: str,
    sender_body: Body | None,
    sent_on: datetime.date | None,
    deadline: datetime.date | None,
    bodies: Sequence[Body],
    focus_areas: Sequence[FocusArea],
    free_sections: Iterable[str],
    draft: UploadedFile | None,
) -> Referral:
    """Open a referral round on a draft version: its sections, its draft and its invitations.

    Every rule is checked first, and a refusal (``ValidationError`` with field errors)
    writes nothing. Each invited body gets a not-started response. A draft version goes
    on referral. The draft PDF is stored privately; should the database refuse the
    round after all, the stored file is removed again.
    """
    check_can_open(programme)
    errors: dict[str, list[str]] = {}
    try:
        registration_number = clean_registration_number(registration_number)
    except ValidationError as error:
        errors["registration_number"] = error.messages
    if Referral.objects.filter(registration_number=registration_number).exists():
        errors["registration_number"] = [
            str(_("Another referral round has this registration number."))
        ]
    title, sender_name = " ".join(title.split()), " ".join(sender_name.split())
    if not title:
        errors["title"] = [str(_("Give the round a title."))]
    if not sender_name:
        errors["sender_name"] = [str(_("Name the sender."))]
    errors |= _check_dates(sent_on, deadline)
    errors |= _check_bodies(bodies, sent_on or deadline or timezone.localdate(), "bodies")
    titles = _section_titles(free_sections)
    errors |= _check_sections(programme, focus_areas, titles)
    content_type, draft_errors = _check_draft(draft)
    errors |= draft_errors
    if errors:
        raise ValidationError(errors)
    assert draft is not None
    referral = Referral(
        registration_number=registration_number,
        title=title,
        programme=programme,
        sender_name=sender_name,
        sender_body=sender_body,
        sent_on=sent_on,
        deadline=deadline,
        state=ReferralState.OPEN,
        origin=ReferralOrigin.OPENED,
    )
    stored = _store_draft(referral, draft, content_type)
    try:
        with transaction.atomic():
            locked = lock_one(Programme.objects.all(), programme.pk)
            check_can_open(locked)
            set_history_user(referral, user)
            referral.save()
            ordered = sorted(focus_areas, key=lambda area: area.position)
            sections = [
                ReferralSection(referral=referral, position=index, focus_area=area)
                for index, area in enumerate(ordered, start=1)
            ]
            sections += [
                ReferralSection(referral=referral, position=index, title=section_title)
                for index, section_title in enumerate(titles, start=len(ordered) + 1)
            ]
            for section in sections:
                set_history_user(section, user)
                section.save()
            _invite(referral, bodies, user)
            if locked.status == ProgrammeStatus.DRAFT:
                locked.status = ProgrammeStatus.ON_REFERRAL
                save_next_version(locked, user)
    except Exception:
        referral.draft_file.storage.delete(stored)
        raise
    return referral


def _open_round_locked(referral: Referral, seen_version: SeenVersion) -> Referral:
    """The round locked for a change, or a refusal if it is closed or moved on."""
    locked = lock_version(Referral.objects.all(), referral.pk, seen_version)
    if locked.state != ReferralState.OPEN:
        raise ValidationError(_("The referral round is closed."), code="closed")
    return locked


def add_bodies(
    *, user: AnyUser, referral: Referral, seen_version: SeenVersion, bodies: Sequence[Body]
) -> list[Invitation]:
    """Ask more bodies to answer an open round; each gets a not-started response.

    Bodies asked already are left as they are. Raises ``EditConflict`` when the round
    moved on since the form was opened, ``ValidationError`` when it is closed or a body
    did not exist in the year the round was sent.
    """
    with transaction.atomic():
        locked = _open_round_locked(referral, seen_version)
        asked = set(locked.invitations.values_list("body_id", flat=True))
        new = [body for body in bodies if body.pk not in asked]
        errors = _check_bodies(new, locked.sent_on or timezone.localdate(), "bodies")
        if errors:
            raise ValidationError(errors)
        invitations = _invite(locked, new, user)
        save_next_version(locked, user)
    return invitations


def close_round(*, user: AnyUser, referral: Referral, seen_version: SeenVersion) -> Referral:
    """Close an open round: no body answers or declines it any more."""
    with transaction.atomic():
        locked = _open_round_locked(referral, seen_version)
        locked.state = ReferralState.CLOSED
        save_next_version(locked, user)
    return locked


def decline(
    *,
    user: AnyUser,
    invitation: Invitation,
    seen_version: SeenVersion,
    reason: str,
    reason_confidentiality: str = Confidentiality.INTERNAL,
) -> Invitation:
    """Record that the body declines to answer the round ("avstår från att yttra sig").

    Refused when the round is closed, the body has declined already or its response is
    submitted; ``EditConflict`` when the invitation moved on since the form was opened.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [str(_("Give the reason the body declines."))]})
    with transaction.atomic():
        locked = lock_version(
            Invitation.objects.select_related("referral"), invitation.pk, seen_version
        )
        if locked.referral.state != ReferralState.OPEN:
            raise ValidationError(_("The referral round is closed."), code="closed")
        if locked.declined:
            raise ValidationError(_("The body has declined already."), code="declined")
        answered = Response.objects.filter(
            referral_id=locked.referral_id, body_id=locked.body_id, state__in=ANSWERED_STATES
        ).exists()
        if answered:
            raise ValidationError(
                _("The body has submitted its response, so it can no longer decline."),
                code="answered",
            )
        locked.declined = True
        locked.decline_reason = reason
        locked.decline_reason_confidentiality = reason_confidentiality
        locked.full_clean()
        save_next_version(locked, user)
    return locked


def withdraw_decline(
    *, user: AnyUser, invitation: Invitation, seen_version: SeenVersion
) -> Invitation:
    """Take back a body's decline, so it may answer the round after all.

    Refused when the round is closed or the body has not declined; ``EditConflict`` when
    the invitation moved on since the page was opened. The reason is removed with the
    decline (the invitation's history keeps it).
    """
    with transaction.atomic():
        locked = lock_version(
            Invitation.objects.select_related("referral"), invitation.pk, seen_version
        )
        if locked.referral.state != ReferralState.OPEN:
            raise ValidationError(_("The referral round is closed."), code="closed")
        if not locked.declined:
            raise ValidationError(_("The body has not declined."), code="not_declined")
        locked.declined = False
        locked.decline_reason = ""
        locked.decline_reason_confidentiality = Confidentiality.INTERNAL
        locked.full_clean()
        save_next_version(locked, user)
    return locked
