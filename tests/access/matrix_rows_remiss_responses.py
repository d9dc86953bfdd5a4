"""Access-matrix rows of the referral responses pages, and the round they are asked about.

``make_responses`` builds an open round on the 2024 programme asking bodies A and B, with
body A's draft response: an internal statement, a confidential one and a signatory. A
response is body A's record: its members and SLK read it, its administrators write it,
SLK alone reopens it; everyone else gets 404, since nothing is published yet. A
confidential statement is for the administrators and SLK only (readers get 404). The
start button is asked about on a second round that body A has not answered yet.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from programme.models import Confidentiality, Programme
from remiss.models import (
    ImportState,
    Invitation,
    Referral,
    ReferralSection,
    Response,
    ResponseImport,
    ResponseState,
    Signatory,
    Stance,
    Statement,
)
from remiss.reading.document import read_document, to_data
from tests.access.matrix_support import (
    CHANGES_A,
    CHANGES_A_CONFIDENTIAL,
    SEES_A,
    SEES_A_CONFIDENTIAL,
    Row,
    World,
    answers,
)

# SLK reopens; body A's members may see the response but not reopen it.
SLK_REOPENS = answers(404, admin_a=403, reader_a=403, slk=200)


@dataclass
class Responses:
    """An open round to bodies A and B with body A's draft response and its parts."""

    referral: Referral
    response: Response
    statement: Statement
    confidential_statement: Statement


def make_round(world: World, number: str) -> Referral:
    """An open round on the 2024 programme asking bodies A and B, with two sections."""
    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    referral = Referral.objects.create(
        registration_number=number,
        title="Remiss av säkerhetsprogrammet",
        programme=programme,
        sender_name="Kommunstyrelsen",
        sent_on=datetime.date(2098, 1, 10),
        deadline=datetime.date(2098, 3, 1),
    )
    ReferralSection.objects.create(referral=referral, position=1, focus_area=world.focus_area)
    ReferralSection.objects.create(referral=referral, position=2, title="Genomförande")
    for body in (world.cast.body_a, world.cast.body_b):
        Invitation.objects.create(referral=referral, body=body)
    return referral


def make_responses(world: World, level: str = Confidentiality.INTERNAL) -> Responses:
    """The round and body A's draft response ``Responses`` describes."""
    referral = make_round(world, "KS 2098/1")
    response = Response.objects.create(
        referral=referral, body=world.cast.body_a, state=ResponseState.DRAFT, confidentiality=level
    )
    sections = list(referral.sections.order_by("position"))
    statement, confidential = (
        Statement.objects.create(
            response=response,
            section=sections[position - 1],
            position=position,
            stance=Stance.SUPPORTS,
            text="Järva stöder förslaget.",
            confidentiality=statement_level,
        )
        for position, statement_level in (
            (1, Confidentiality.INTERNAL),
            (2, Confidentiality.CONFIDENTIAL),
        )
    )
    Signatory.objects.create(response=response, position=1, name="Anna Andersson")
    return Responses(referral, response, statement, confidential)


def response_url(name: str, level: str = Confidentiality.INTERNAL) -> Callable[[World], str]:
    """The address of one of body A's response's pages."""

    def build(world: World) -> str:
        made = make_responses(world, level)
        return reverse(
            f"remiss:{name}",
            kwargs={"referral": made.referral.pk, "slug": world.cast.body_a.slug},
        )

    return build


def statement_url(name: str, confidential: bool = False) -> Callable[[World], str]:
    """The address of one of body A's statements' pages."""

    def build(world: World) -> str:
        made = make_responses(world)
        statement = made.confidential_statement if confidential else made.statement
        return reverse(f"remiss:{name}", kwargs={"pk": statement.pk})

    return build


def import_url(name: str, level: str = Confidentiality.INTERNAL) -> Callable[[World], str]:
    """The address of a page of a document read into body A's response, ready for review."""

    def build(world: World) -> str:
        made = make_responses(world, level)
        reading = to_data(read_document(["Sammanfattning", "Förvaltningen tillstyrker."]))
        item = ResponseImport.objects.create(
            response=made.response, kind="text", state=ImportState.READY, reading=reading
        )
        return reverse(f"remiss:{name}", kwargs={"pk": item.pk})

    return build


def start_url(world: World) -> str:
    """Starting body A's response to a round it has not answered yet."""
    referral = make_round(world, "KS 2098/2")
    return reverse(
        "remiss:response-start", kwargs={"referral": referral.pk, "slug": world.cast.body_a.slug}
    )


def rows() -> list[Row]:
    """One row per URL pattern of the referral responses pages (and per level that differs)."""
    result = [
        Row(
            "remiss:response-detail",
            "remiss:response-detail",
            response_url("response-detail"),
            answers(404, **SEES_A),
            answers(405),
        ),
        Row(
            "remiss:response-detail (confidential)",
            "remiss:response-detail",
            response_url("response-detail", Confidentiality.CONFIDENTIAL),
            answers(404, **SEES_A_CONFIDENTIAL),
        ),
        Row(
            "remiss:response-start",
            "remiss:response-start",
            start_url,
            answers(405),
            answers(404, admin_a=302, reader_a=403, slk=403),
            last="admin_a",
        ),
        Row(
            "remiss:response-reopen",
            "remiss:response-reopen",
            response_url("response-reopen"),
            SLK_REOPENS,
            # An empty form is refused and shown again with its errors.
            SLK_REOPENS,
        ),
        Row(
            "remiss:response-history",
            "remiss:response-history",
            response_url("response-history"),
            answers(404, **SEES_A),
            answers(405),
        ),
        Row(
            "remiss:response-history (confidential)",
            "remiss:response-history",
            response_url("response-history", Confidentiality.CONFIDENTIAL),
            answers(404, **SEES_A_CONFIDENTIAL),
        ),
        Row(
            "remiss:statement-move",
            "remiss:statement-move",
            statement_url("statement-move"),
            answers(405),
            # Without a version nothing moves: the administrator is sent back with a message.
            answers(404, admin_a=302, reader_a=403, slk=403),
            last="admin_a",
        ),
    ]
    # The administrators' forms: an empty form is refused and shown again with its errors.
    for name in (
        "response-edit",
        "response-decision",
        "response-signatories",
        "response-submit",
        "statement-create",
    ):
        result.append(
            Row(
                f"remiss:{name}",
                f"remiss:{name}",
                response_url(name),
                answers(404, **CHANGES_A),
                answers(404, **CHANGES_A),
            )
        )
    for name in ("statement-edit", "statement-delete"):
        result.append(
            Row(
                f"remiss:{name}",
                f"remiss:{name}",
                statement_url(name),
                answers(404, **CHANGES_A),
                answers(404, **CHANGES_A),
            )
        )
        result.append(
            Row(
                f"remiss:{name} (confidential)",
                f"remiss:{name}",
                statement_url(name, confidential=True),
                answers(404, **CHANGES_A_CONFIDENTIAL),
                answers(404, **CHANGES_A_CONFIDENTIAL),
            )
        )
    # Imports are the administrators' working material: readers and SLK are refused.
    for suffix, level, changes in (
        ("", Confidentiality.INTERNAL, CHANGES_A),
        (" (confidential)", Confidentiality.CONFIDENTIAL, CHANGES_A_CONFIDENTIAL),
    ):
        result.append(
            Row(
                f"remiss:response-import{suffix}",
                "remiss:response-import",
                response_url("response-import", level),
                answers(404, **changes),
                # Neither a file nor text: the form is shown again with its error.
                answers(404, **changes),
            )
        )
        result.append(
            Row(
                f"remiss:import-review{suffix}",
                "remiss:import-review",
                import_url("import-review", level),
                answers(404, **changes),
                # Without the version the review is shown again with its error.
                answers(404, **changes),
            )
        )
        result.append(
            Row(
                f"remiss:import-discard{suffix}",
                "remiss:import-discard",
                import_url("import-discard", level),
                answers(405),
                answers(404, **{**changes, "admin_a": 302}),
                last="admin_a",
            )
        )
    result.append(
        Row(
            "remiss:statement-history",
            "remiss:statement-history",
            statement_url("statement-history"),
            answers(404, **SEES_A),
            answers(405),
        )
    )
    result.append(
        Row(
            "remiss:statement-history (confidential)",
            "remiss:statement-history",
            statement_url("statement-history", confidential=True),
            answers(404, **SEES_A_CONFIDENTIAL),
        )
    )
    return result
