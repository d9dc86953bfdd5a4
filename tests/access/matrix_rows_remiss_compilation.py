"""Access-matrix rows of the referral compilation pages, and the round they are asked about.

``make_round`` builds a round on the 2024 programme with body A's and body B's submitted
responses: body A's has an open, an internal and a confidential statement, body B's an
open one; body A's open statement has SLK's disposition. The compilation's pages and its
Excel file are SLK's (403 for anyone else). The published compilation answers 404 until
SLK publishes it (SLK excepted, who previews it); then everyone with a role reads it.
The compilation's PDF follows the same rule (the full variant is SLK's only, 404 for
anyone else); the reply to body A is SLK's at any time and body A's members' once the
compilation is published (404 for everyone else, body B and officials included).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from programme.models import Body, Confidentiality, Programme
from remiss.models import (
    Disposition,
    DispositionOutcome,
    Referral,
    ReferralSection,
    Response,
    ResponseState,
    Stance,
    Statement,
)
from remiss.services.compilation import publish_compilation
from tests.access.matrix_support import Row, World, answers
from tests.conftest import Cast

SLK_ONLY = answers(403, slk=200)
BODY_A_AND_SLK = {"admin_a": 200, "reader_a": 200, "slk": 200}
# Everyone with a role reads a published compilation; a user without any role does not.
EVERY_ROLE = {
    "admin_a": 200,
    "admin_b": 200,
    "reader_a": 200,
    "slk": 200,
    "official": 200,
    "sysadmin": 200,
}


@dataclass
class Round:
    """A round with two sections, two submitted responses and their statements."""

    referral: Referral
    section: ReferralSection
    other_section: ReferralSection
    response_a: Response
    response_b: Response
    open_a: Statement
    internal_a: Statement
    confidential_a: Statement
    open_b: Statement


def make_response(referral: Referral, body: Body, level: str = Confidentiality.OPEN) -> Response:
    """A submitted response of ``body`` to ``referral``."""
    return Response.objects.create(
        referral=referral, body=body, state=ResponseState.SUBMITTED, confidentiality=level
    )


def make_statement(
    response: Response,
    section: ReferralSection,
    text: str,
    stance: str = Stance.SUPPORTS,
    level: str = Confidentiality.OPEN,
) -> Statement:
    """The response's next statement on ``section``."""
    position = response.statements.count() + 1
    return Statement.objects.create(
        response=response,
        section=section,
        position=position,
        stance=stance,
        text=text,
        confidentiality=level,
    )


def make_round(cast: Cast, number: str = "KS 2099/1") -> Round:
    """The round ``Round`` describes, on the 2024 programme."""
    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    focus_area = programme.focus_areas.order_by("position").first()
    referral = Referral.objects.create(
        registration_number=number,
        title="Remiss av säkerhetsprogrammet",
        programme=programme,
        sender_name="Kommunstyrelsen",
        sent_on=datetime.date(2099, 1, 10),
        deadline=datetime.date(2099, 3, 1),
    )
    section = ReferralSection.objects.create(referral=referral, position=1, focus_area=focus_area)
    other = ReferralSection.objects.create(
        referral=referral, position=2, title="Genomförande och uppföljning"
    )
    response_a = make_response(referral, cast.body_a)
    response_b = make_response(referral, cast.body_b)
    open_a = make_statement(response_a, section, "Järva stöder fokusområdet.")
    internal_a = make_statement(
        response_a,
        section,
        "Järva vill veta vilka aktörer som ska samordnas.",
        Stance.ASKS_FOR_CLARIFICATION,
        Confidentiality.INTERNAL,
    )
    confidential_a = make_statement(
        response_a,
        other,
        "Skyddsvärda objekt i Järva.",
        Stance.PROPOSES_CHANGE,
        Confidentiality.CONFIDENTIAL,
    )
    open_b = make_statement(response_b, section, "Skärholmen invänder.", Stance.OBJECTS)
    Disposition.objects.create(
        statement=open_a, outcome=DispositionOutcome.ACCEPTED, reason="Texten behålls."
    )
    return Round(
        referral=referral,
        section=section,
        other_section=other,
        response_a=response_a,
        response_b=response_b,
        open_a=open_a,
        internal_a=internal_a,
        confidential_a=confidential_a,
        open_b=open_b,
    )


def dispose_all(cast: Cast, made: Round) -> None:
    """A disposition for every statement of the round that has none."""
    for statement in Statement.objects.filter(
        response__referral=made.referral, disposition__isnull=True
    ):
        Disposition.objects.create(
            statement=statement, outcome=DispositionOutcome.NOTED, reason="Noterat."
        )


def compilation_url(
    name: str,
    published: bool = False,
    section: bool = False,
    statement: bool = False,
) -> Callable[[World], str]:
    """The address of ``remiss:<name>`` for a round made for the row."""

    def build(world: World) -> str:
        made = make_round(world.cast)
        if published:
            dispose_all(world.cast, made)
            publish_compilation(world.cast.slk, made.referral.pk)
        kwargs = {"pk": made.referral.pk}
        if section:
            kwargs["section_pk"] = made.section.pk
        if statement:
            kwargs["statement_pk"] = made.open_b.pk
        return reverse(f"remiss:{name}", kwargs=kwargs)

    return build


def pdf_url(name: str, audience: str, published: bool = False) -> Callable[[World], str]:
    """The address of the compilation's PDF page ``remiss:<name>`` for a round made for the row."""

    def build(world: World) -> str:
        made = make_round(world.cast)
        if published:
            dispose_all(world.cast, made)
            publish_compilation(world.cast.slk, made.referral.pk)
        return reverse(f"remiss:{name}", kwargs={"pk": made.referral.pk, "audience": audience})

    return build


def reply_url(name: str, published: bool = False) -> Callable[[World], str]:
    """The address of the reply to body A ``remiss:<name>`` for a round made for the row."""

    def build(world: World) -> str:
        made = make_round(world.cast)
        if published:
            dispose_all(world.cast, made)
            publish_compilation(world.cast.slk, made.referral.pk)
        return reverse(
            f"remiss:{name}",
            kwargs={"referral": made.referral.pk, "slug": world.cast.body_a.slug},
        )

    return build


def pdf_rows() -> list[Row]:
    """The compilation's PDF and the reply to a body: the pages that follow a run, and asking."""
    return [
        Row(
            "remiss:compilation-pdf (full)",
            "remiss:compilation-pdf",
            pdf_url("compilation-pdf", "fullstandig", published=True),
            answers(404, slk=200),
            answers(405),
        ),
        Row(
            "remiss:compilation-pdf (general, not published)",
            "remiss:compilation-pdf",
            pdf_url("compilation-pdf", "allman"),
            answers(404, slk=200),
            answers(405),
        ),
        Row(
            "remiss:compilation-pdf (general, published)",
            "remiss:compilation-pdf",
            pdf_url("compilation-pdf", "allman", published=True),
            answers(404, **EVERY_ROLE),
            answers(405),
        ),
        Row(
            "remiss:compilation-pdf-request (full)",
            "remiss:compilation-pdf-request",
            pdf_url("compilation-pdf-request", "fullstandig", published=True),
            answers(405),
            answers(404, slk=302),
        ),
        Row(
            "remiss:compilation-pdf-request (general, published)",
            "remiss:compilation-pdf-request",
            pdf_url("compilation-pdf-request", "allman", published=True),
            answers(405),
            answers(404, **{persona: 302 for persona in EVERY_ROLE}),
        ),
        Row(
            "remiss:reply-pdf (not published)",
            "remiss:reply-pdf",
            reply_url("reply-pdf"),
            answers(404, slk=200),
            answers(405),
        ),
        Row(
            "remiss:reply-pdf (published)",
            "remiss:reply-pdf",
            reply_url("reply-pdf", published=True),
            answers(404, **BODY_A_AND_SLK),
            answers(405),
        ),
        Row(
            "remiss:reply-pdf-request (not published)",
            "remiss:reply-pdf-request",
            reply_url("reply-pdf-request"),
            answers(405),
            answers(404, slk=302),
        ),
        Row(
            "remiss:reply-pdf-request (published)",
            "remiss:reply-pdf-request",
            reply_url("reply-pdf-request", published=True),
            answers(405),
            answers(404, **{persona: 302 for persona in BODY_A_AND_SLK}),
        ),
    ]


def rows() -> list[Row]:
    """One row per URL pattern of the referral compilation pages."""
    return [
        Row(
            "remiss:compilation",
            "remiss:compilation",
            compilation_url("compilation"),
            SLK_ONLY,
            answers(405),
        ),
        Row(
            "remiss:compilation-section",
            "remiss:compilation-section",
            compilation_url("compilation-section", section=True),
            SLK_ONLY,
            answers(405),
        ),
        Row(
            # An empty form is refused and shown again with its errors.
            "remiss:compilation-disposition",
            "remiss:compilation-disposition",
            compilation_url("compilation-disposition", statement=True),
            SLK_ONLY,
            SLK_ONLY,
        ),
        Row(
            # A refused publication (statements without a disposition) is told on the
            # compilation's page, a redirect.
            "remiss:compilation-publish",
            "remiss:compilation-publish",
            compilation_url("compilation-publish"),
            answers(405),
            answers(403, slk=302),
        ),
        Row(
            "remiss:compilation-export",
            "remiss:compilation-export",
            compilation_url("compilation-export"),
            SLK_ONLY,
            answers(405),
        ),
        Row(
            "remiss:compilation-published (not published)",
            "remiss:compilation-published",
            compilation_url("compilation-published"),
            answers(404, slk=200),
            answers(405),
        ),
        Row(
            "remiss:compilation-published (published)",
            "remiss:compilation-published",
            compilation_url("compilation-published", published=True),
            answers(404, **EVERY_ROLE),
            answers(405),
        ),
        Row(
            "remiss:compilation-published-export (not published)",
            "remiss:compilation-published-export",
            compilation_url("compilation-published-export"),
            answers(404, slk=200),
            answers(405),
        ),
        Row(
            "remiss:compilation-published-export (published)",
            "remiss:compilation-published-export",
            compilation_url("compilation-published-export", published=True),
            answers(404, **EVERY_ROLE),
            answers(405),
        ),
        *pdf_rows(),
    ]
