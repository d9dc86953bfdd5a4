"""What the response pages read: a body's response to a round, in a fixed number of queries.

Everything goes through ``programme.access``: a response is its body's record, so the
body's members and SLK see it and nobody else (another body's members and officials get
404 until SLK publishes the compilation); its confidential statements reach the body's
administrators and SLK only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.access import AnyUser
from programme.history import HistoryEntry, history_for
from programme.models import Body
from remiss.models import (
    RESPONSE_SECTIONS,
    Invitation,
    Referral,
    ReferralSection,
    Response,
    ResponseState,
    Signatory,
    Statement,
)
from remiss.services.responses import EDITABLE_STATES

# The newest entries of the response's history its page shows; the history page has more.
PAGE_HISTORY = 10


@dataclass
class SectionStatements:
    """One section of the draft with the response's statements about it, in their order."""

    section: ReferralSection
    statements: list[Statement] = field(default_factory=list)


@dataclass
class ResponsePage:
    """Everything the response page shows."""

    referral: Referral
    body: Body
    invitation: Invitation | None
    response: Response | None
    sections: list[SectionStatements]
    signatories: list[Signatory]
    history: list[HistoryEntry]
    may_change: bool
    may_reopen: bool

    @property
    def editable(self) -> bool:
        """Whether the user may write in the response now."""
        return (
            self.may_change and self.response is not None and self.response.state in EDITABLE_STATES
        )

    @property
    def may_start(self) -> bool:
        """Whether the user may press "Start the response"."""
        not_started = self.response is None or self.response.state == ResponseState.NOT_STARTED
        declined = self.invitation is not None and self.invitation.declined
        return self.may_change and not_started and not declined

    @property
    def statement_count(self) -> int:
        """How many statements the user sees."""
        return sum(len(group.statements) for group in self.sections)

    @property
    def moves(self) -> list[tuple[str, str]]:
        """The buttons that move a statement, with their labels."""
        return [("up", str(_("Move up"))), ("down", str(_("Move down")))]

    @property
    def texts(self) -> list[tuple[str, str, str]]:
        """The standard sections in their order: (field, heading, text)."""
        if self.response is None:
            return []
        return [
            (
                name,
                str(getattr(Response._meta.get_field(name), "verbose_name", name)),
                getattr(self.response, name),
            )
            for name in RESPONSE_SECTIONS
        ]


def responses_for(user: AnyUser, action: access.Action = access.Action.VIEW) -> QuerySet[Response]:
    """The responses the user may view or change, with what their pages name."""
    return access.restrict(
        Response.objects.select_related("body", "referral", "submitted_by"), user, action
    )


def visible_statements(user: AnyUser) -> QuerySet[Statement]:
    """The statements the user may see (confidential ones only for administrators and SLK)."""
    return access.restrict(
        Statement.objects.select_related("response__body", "response__referral", "section"), user
    )


def response_page(user: AnyUser, referral_pk: int, slug: str) -> ResponsePage:
    """The body's response to the round as the user may see it; 404 where it may not.

    A body the user may not see, a round the body was not asked to answer and a
    response the user may not see (confidential, for a reader) all answer 404.
    """
    body = access.get_body_or_404(user, slug)
    referral = get_object_or_404(Referral, pk=referral_pk)
    response = responses_for(user).filter(referral=referral, body=body).first()
    invitation = Invitation.objects.filter(referral=referral, body=body).first()
    if response is None and (
        invitation is None or Response.objects.filter(referral=referral, body=body).exists()
    ):
        raise Http404
    sections = [
        SectionStatements(section)
        for section in ReferralSection.objects.filter(referral=referral)
        .select_related("focus_area")
        .order_by("position")
    ]
    signatories: list[Signatory] = []
    history: list[HistoryEntry] = []
    if response is not None:
        by_section = {group.section.pk: group for group in sections}
        for statement in access.restrict(
            Statement.objects.filter(response=response).order_by("position"), user
        ):
            by_section[statement.section_id].statements.append(statement)
        signatories = list(response.signatories.order_by("position"))
        history = history_for(
            response,
            limit=PAGE_HISTORY,
            sees_confidential=access.may_see_confidential(user, body),
        )
    return ResponsePage(
        referral=referral,
        body=body,
        invitation=invitation,
        response=response,
        sections=sections,
        signatories=signatories,
        history=history,
        may_change=access.can_change_records(user, body),
        may_reopen=access.is_slk_reviewer(user),
    )
