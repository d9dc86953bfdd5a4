"""What the referral round pages read, each in a fixed number of queries.

Who sees a round: SLK reviewers see every round; a body's members see the rounds their
body is asked to answer (the invitations, filtered by ``programme.access.restrict``);
everyone else sees the rounds whose compilation is published, and nothing of a round
they may not see (404).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.models import Body, Programme
from programme.sorting import swedish_sort_key
from remiss.models import (
    CompilationPublication,
    Invitation,
    Referral,
    ReferralSection,
    ReferralState,
    Response,
    ResponseState,
)
from remiss.services.rounds import OPENABLE_STATUSES


class BoardState(models.TextChoices):
    """Where an invited body stands with its answer, as SLK's board shows it."""

    ANSWERED = "answered", _("answered")
    DECLINED = "declined", _("declined")
    DRAFT = "draft", _("draft")
    NOT_STARTED = "not_started", _("not started")
    LATE = "late", _("late")


def visible_referrals(user: access.AnyUser) -> models.QuerySet[Referral]:
    """The rounds ``user`` may see (a lazy queryset; its filters are subqueries)."""
    if access.is_slk_reviewer(user):
        return Referral.objects.all()
    invited = access.restrict(Invitation.objects.all(), user).values("referral_id")
    published = CompilationPublication.objects.values("referral_id")
    return Referral.objects.filter(Q(pk__in=invited) | Q(pk__in=published))


def round_list(user: access.AnyUser) -> list[Referral]:
    """The rounds the user sees, newest deadline first, each with ``invited_count`` (1 query)."""
    return list(
        visible_referrals(user)
        .select_related("programme")
        .annotate(invited_count=Count("invitations"))
        .order_by("-sent_on", "-deadline", "-pk")
    )


def openable_programmes() -> list[Programme]:
    """The versions a round may be opened for: drafts and versions already on referral."""
    return list(Programme.objects.filter(status__in=OPENABLE_STATUSES).order_by("name"))


def get_round_or_404(user: access.AnyUser, pk: int) -> Referral:
    """The round ``pk`` with its programme and sender, or 404 if the user may not see it."""
    referral = (
        visible_referrals(user).select_related("programme", "sender_body").filter(pk=pk).first()
    )
    if referral is None:
        raise Http404
    return referral


def get_invitation_or_404(
    user: access.AnyUser, referral: Referral, slug: str, action: access.Action
) -> Invitation:
    """The body ``slug``'s invitation to ``referral``: 404 unseen, 403 when not to change."""
    return access.get_for_user_or_404(
        user,
        Invitation.objects.select_related("body", "referral"),
        action,
        referral=referral,
        body__slug=slug,
    )


@dataclass(frozen=True)
class BoardRow:
    """One invited body on SLK's board."""

    invitation: Invitation
    body: Body
    state: BoardState
    # When its response was submitted, if it was.
    submitted_at: datetime.datetime | None
    # The state as the board names it, in the language of the request.
    state_label: str = ""


@dataclass
class Board:
    """Every invited body's state, with the count of each state."""

    deadline: datetime.date | None
    rows: list[BoardRow]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def count_list(self) -> list[tuple[BoardState, int]]:
        """Each state with its count, in the order the board names them."""
        return [(state, self.counts.get(state.value, 0)) for state in BoardState]


def board_state(
    invitation: Invitation,
    response_state: str | None,
    deadline: datetime.date | None,
    today: datetime.date,
) -> BoardState:
    """The state of one invited body: a submitted or declined answer first, then lateness.

    ``response_state`` is the state of the body's response, None if it has none.
    """
    if invitation.declined:
        return BoardState.DECLINED
    if response_state == ResponseState.SUBMITTED:
        return BoardState.ANSWERED
    if deadline is not None and today > deadline:
        return BoardState.LATE
    if response_state in (ResponseState.DRAFT, ResponseState.REOPENED):
        return BoardState.DRAFT
    return BoardState.NOT_STARTED


def board(referral: Referral, today: datetime.date | None = None) -> Board:
    """SLK's board of the round: every invited body's state and the counts (2 queries).

    The responses are read as their state and submission time only, not as models with
    their sections; both lists are sorted here, not by the models' orderings.
    """
    today = today or timezone.localdate()
    invitations = list(referral.invitations.select_related("body").order_by())
    responses = {
        body_id: (state, submitted_at)
        for body_id, state, submitted_at in Response.objects.filter(referral=referral)
        .order_by()
        .values_list("body_id", "state", "submitted_at")
    }
    # Translated once here, not on every row.
    labels = {state: str(capfirst(state.label)) for state in BoardState}
    rows = []
    for invitation in invitations:
        response_state, submitted_at = responses.get(invitation.body_id, (None, None))
        state = board_state(invitation, response_state, referral.deadline, today)
        rows.append(
            BoardRow(
                invitation=invitation,
                body=invitation.body,
                state=state,
                submitted_at=submitted_at,
                state_label=labels[state],
            )
        )
    rows.sort(key=lambda row: swedish_sort_key(row.body.name))
    counts = Counter(row.state.value for row in rows)
    return Board(deadline=referral.deadline, rows=rows, counts=dict(counts))


@dataclass
class RoundPage:
    """What a round's page shows the user."""

    referral: Referral
    sections: list[ReferralSection]
    invitations: list[Invitation]
    # SLK's board; None for anyone else.
    board: Board | None
    # The user's own bodies' invitations the user may answer for (decline).
    own_invitations: list[Invitation]
    is_slk: bool
    # The bodies asked whose response page the user may open.
    readable_body_ids: set[int] = field(default_factory=set)
    # The compilation as published now, if SLK has published it.
    publication: CompilationPublication | None = None

    @property
    def is_open(self) -> bool:
        """Whether the round still takes answers."""
        return self.referral.state == ReferralState.OPEN

    @property
    def declined_invitations(self) -> list[Invitation]:
        """The user's own bodies that declined, which may take it back while the round is open."""
        if not self.is_open:
            return []
        return [invitation for invitation in self.own_invitations if invitation.declined]


def _openable_responses(
    user: access.AnyUser, referral: Referral, invitations: list[Invitation]
) -> set[int]:
    """The bodies asked whose response page the user may open (two queries).

    A body the user may read whose response is confidential to the user (a reader of a
    body whose response is confidential) has no page the user may open, so no link.
    """
    readable = access.readable_body_ids(user, [invitation.body for invitation in invitations])
    if not readable:
        return set()
    hidden = set(
        Response.objects.filter(referral=referral, body_id__in=readable)
        .exclude(pk__in=access.restrict(Response.objects.filter(referral=referral), user))
        .values_list("body_id", flat=True)
    )
    return readable - hidden


def round_page(user: access.AnyUser, referral: Referral) -> RoundPage:
    """The round's facts, sections, bodies asked and, for SLK, the board (fixed queries)."""
    is_slk = access.is_slk_reviewer(user)
    sections = list(referral.sections.select_related("focus_area").order_by("position"))
    the_board = board(referral) if is_slk else None
    if the_board is not None:
        invitations = [row.invitation for row in the_board.rows]
    else:
        invitations = sorted(
            referral.invitations.select_related("body"),
            key=lambda invitation: swedish_sort_key(invitation.body.name),
        )
    own = list(
        access.restrict(referral.invitations.all(), user, access.Action.CHANGE).select_related(
            "body"
        )
    )
    return RoundPage(
        referral=referral,
        sections=sections,
        invitations=invitations,
        board=the_board,
        own_invitations=own,
        is_slk=is_slk,
        readable_body_ids=(
            {invitation.body_id for invitation in invitations}
            if is_slk
            else _openable_responses(user, referral, invitations)
        ),
        publication=CompilationPublication.objects.filter(
            referral=referral, superseded_at__isnull=True
        ).first(),
    )


def bodies_to_add(referral: Referral) -> models.QuerySet[Body]:
    """Bodies that existed in the year the round was sent and are not asked yet."""
    year = (referral.sent_on or timezone.localdate()).year
    return Body.objects.existing_in(year).exclude(pk__in=referral.invitations.values("body_id"))
