"""Who sees a body's response: its members and SLK; nobody else until the compilation is
published. Readers see neither confidential statements nor confidential values in the
history. The response page reads a fixed number of queries however many statements."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programme.models import Confidentiality
from remiss.models import Response, Stance, Statement
from remiss.services import responses as services
from remiss.services import responses_parts as parts
from tests.conftest import Cast
from tests.remiss.test_responses import make_round, write_response

pytestmark = pytest.mark.django_db

SECRET = "Skyddsvärda objekt bör pekas ut."
OPEN_TEXT = "Bra, men förtydliga samordningen."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(response: Response) -> str:
    return reverse(
        "remiss:response-detail",
        kwargs={"referral": response.referral_id, "slug": response.body.slug},
    )


def test_the_body_and_slk_see_the_response_and_no_one_else(cast: Cast):
    response = write_response(cast, make_round(cast))
    url = _detail(response)

    for persona in ("admin_a", "reader_a", "slk"):
        assert _client(cast.by_name(persona)).get(url).status_code == 200, persona
    for persona in ("admin_b", "official", "no_role", "sysadmin"):
        assert _client(cast.by_name(persona)).get(url).status_code == 404, persona


def test_readers_do_not_see_confidential_statements(cast: Cast):
    response = write_response(cast, make_round(cast))
    url = _detail(response)

    for persona in ("admin_a", "slk"):
        page = _client(cast.by_name(persona)).get(url).content.decode()
        assert SECRET in page and OPEN_TEXT in page, persona
    page = _client(cast.reader_a).get(url).content.decode()
    assert OPEN_TEXT in page
    assert SECRET not in page
    secret = Statement.objects.get(response=response, confidentiality=Confidentiality.CONFIDENTIAL)
    for name in ("statement-edit", "statement-history"):
        address = reverse(f"remiss:{name}", kwargs={"pk": secret.pk})
        assert _client(cast.reader_a).get(address).status_code == 404, name


def test_a_confidential_response_is_hidden_from_readers(cast: Cast):
    response = write_response(cast, make_round(cast))
    services.save_response(
        cast.admin_a, response, response.version, {"confidentiality": Confidentiality.CONFIDENTIAL}
    )

    assert _client(cast.reader_a).get(_detail(response)).status_code == 404
    assert _client(cast.admin_a).get(_detail(response)).status_code == 200


def test_only_the_bodys_administrators_change_it_and_only_slk_reopens(cast: Cast):
    response = write_response(cast, make_round(cast))
    kwargs = {"referral": response.referral_id, "slug": cast.body_a.slug}
    edit = reverse("remiss:response-edit", kwargs=kwargs)
    reopen = reverse("remiss:response-reopen", kwargs=kwargs)

    assert _client(cast.admin_a).get(edit).status_code == 200
    assert _client(cast.reader_a).get(edit).status_code == 403
    assert _client(cast.slk).get(edit).status_code == 403
    assert _client(cast.admin_b).get(edit).status_code == 404
    assert _client(cast.slk).get(reopen).status_code == 200
    assert _client(cast.admin_a).get(reopen).status_code == 403
    assert _client(cast.official).get(reopen).status_code == 404


def test_the_history_hides_values_written_while_confidential_from_readers(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)
    response = services.save_response(
        cast.admin_a,
        response,
        response.version,
        {"summary": "Hemlig sammanfattning.", "confidentiality": Confidentiality.CONFIDENTIAL},
    )
    services.save_response(
        cast.admin_a,
        response,
        response.version,
        {"summary": "Öppen sammanfattning.", "confidentiality": Confidentiality.INTERNAL},
    )
    url = reverse(
        "remiss:response-history", kwargs={"referral": round_.referral.pk, "slug": "jarva"}
    )

    reader_page = _client(cast.reader_a).get(url).content.decode()
    admin_page = _client(cast.admin_a).get(url).content.decode()

    assert "Hemlig sammanfattning." not in reader_page
    assert "Hemlig sammanfattning." in admin_page
    # The reader still sees who changed it.
    assert cast.admin_a.get_full_name() in reader_page


def test_a_statement_history_hides_what_was_written_under_a_confidential_level(cast: Cast):
    response = write_response(cast, make_round(cast))
    statement = Statement.objects.get(response=response, confidentiality=Confidentiality.INTERNAL)
    statement = parts.update_statement(
        cast.admin_a,
        statement,
        statement.version,
        {"text": "Tillfälligt hemligt.", "confidentiality": Confidentiality.CONFIDENTIAL},
    )
    parts.update_statement(
        cast.admin_a,
        statement,
        statement.version,
        {"text": "Nu internt.", "confidentiality": Confidentiality.INTERNAL},
    )
    url = reverse("remiss:statement-history", kwargs={"pk": statement.pk})

    reader_page = _client(cast.reader_a).get(url).content.decode()

    assert "Tillfälligt hemligt." not in reader_page
    assert "Tillfälligt hemligt." in _client(cast.slk).get(url).content.decode()


# The response page's queries: the session and the user, the user's roles, the body
# through the access module, the round, the response, the invitation, the sections, the
# statements, the signatories, the history with its users and the names it refers to,
# and for a body's member its grants, read once (SLK's rights come from its role).
RESPONSE_PAGE_QUERIES = {"admin_a": 12, "reader_a": 12, "slk": 12}


def _queries_of_page(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "slk"])
def test_the_response_page_reads_a_fixed_number_of_queries(cast: Cast, persona: str):
    round_ = make_round(cast)
    response = write_response(cast, round_)
    client = _client(cast.by_name(persona))
    url = _detail(response)
    client.get(url)
    few = _queries_of_page(client, url)
    for number in range(10):
        parts.add_statement(
            cast.admin_a,
            response,
            {
                "section": round_.free_section if number % 2 else round_.focus_section,
                "stance": Stance.OBJECTS,
                "text": f"Synpunkt {number}.",
                "confidentiality": Confidentiality.OPEN,
            },
        )
    parts.add_signatory(cast.admin_a, response, Response.objects.get(pk=response.pk).version, "A")
    many = _queries_of_page(client, url)

    assert few == many == RESPONSE_PAGE_QUERIES[persona]
