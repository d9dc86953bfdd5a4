"""The compilation pages read a fixed number of queries however many statements there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.models import Body, BodyKind, Confidentiality
from remiss.models import Disposition, DispositionOutcome, Stance, Statement
from remiss.services.compilation import publish_compilation
from tests.access.matrix_rows_remiss_compilation import (
    Round,
    dispose_all,
    make_response,
    make_round,
)
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

RESPONSES = 40
STATEMENTS_EACH = 5
STANCES = list(Stance)


def _grow(made: Round, responses: int) -> None:
    """``responses`` more submitted responses, each with statements on both sections."""
    bodies = Body.objects.exclude(pk__in=[made.response_a.body_id, made.response_b.body_id])
    chosen = list(bodies.order_by("pk")[:responses])
    # Companies besides the committees, so both kinds are compiled.
    chosen += [
        Body.objects.create(
            slug=f"testbolag-{number}", name=f"Testbolag {number} AB", kind=BodyKind.COMPANY_BOARD
        )
        for number in range(responses - len(chosen))
    ]
    statements = []
    for number, body in enumerate(chosen):
        response = make_response(made.referral, body)
        for position in range(1, STATEMENTS_EACH + 1):
            statements.append(
                Statement(
                    response=response,
                    section=made.section if position % 2 else made.other_section,
                    position=position,
                    stance=STANCES[(number + position) % len(STANCES)],
                    text=f"Utlåtande {position} från {body.name}.",
                    confidentiality=Confidentiality.OPEN,
                )
            )
    created = Statement.objects.bulk_create(statements)
    Disposition.objects.bulk_create(
        Disposition(statement=statement, outcome=DispositionOutcome.NOTED)
        for statement in created[::2]
    )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _urls(made: Round) -> dict[str, str]:
    pk = made.referral.pk
    return {
        "index": reverse("remiss:compilation", kwargs={"pk": pk}),
        "section": reverse(
            "remiss:compilation-section", kwargs={"pk": pk, "section_pk": made.section.pk}
        ),
        "filtered": reverse(
            "remiss:compilation-section", kwargs={"pk": pk, "section_pk": made.section.pk}
        )
        + "?group=committees&stance=objects",
        "export": reverse("remiss:compilation-export", kwargs={"pk": pk}),
        "published": reverse("remiss:compilation-published", kwargs={"pk": pk}),
        "published-export": reverse("remiss:compilation-published-export", kwargs={"pk": pk}),
    }


# Every query of each page as SLK opens it: the session, the user and their roles and
# memberships (the layout's), the round, its sections, the statements with their bodies
# and dispositions, and the publications where the page shows them.
EXPECTED = {
    "index": 8,
    "section": 7,
    "filtered": 7,
    "export": 6,
    "published": 8,
    "published-export": 7,
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_a_compilation_page_reads_the_same_queries_for_40_responses(cast: Cast, page: str):
    made = make_round(cast)
    client = Client()
    client.force_login(cast.slk)
    url = _urls(made)[page]
    small = _count(client, url)

    _grow(made, RESPONSES)
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    large = _count(client, url)

    assert Statement.objects.filter(response__referral=made.referral).count() >= 200
    assert large == small
    assert large == EXPECTED[page]
