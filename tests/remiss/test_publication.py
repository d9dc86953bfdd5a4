"""A published compilation keeps its statements and dispositions as they were published.

Readers (the responding bodies, everyone with a role) see the publication, never SLK's
later work, until SLK publishes again; a level raised afterwards still holds.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from programme.access import Audience
from programme.models import Confidentiality
from remiss.models import (
    Disposition,
    DispositionOutcome,
    PublishedStatement,
    ResponseState,
    Statement,
)
from remiss.queries.publication import dispositions_for, published_compilation
from remiss.queries.search import search
from remiss.services.compilation import publish_compilation, record_disposition
from remiss.services.responses import reopen_response
from reporting.queries.referral_inputs import compilation_inputs, reply_inputs
from tests.access.matrix_rows_remiss_compilation import Round, dispose_all, make_round
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(cast: Cast) -> Round:
    made = make_round(cast)
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    return made


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def _revise(cast: Cast, statement: Statement, reason: str) -> None:
    disposition = Disposition.objects.get(statement=statement)
    record_disposition(
        cast.slk, statement.pk, disposition.version, DispositionOutcome.NOT_ACCEPTED, reason
    )


def test_publishing_keeps_every_statement_with_its_disposition(cast: Cast, made: Round):
    kept = PublishedStatement.objects.filter(publication__referral=made.referral)

    assert sorted(kept.values_list("statement_id", flat=True)) == sorted(
        [made.open_a.pk, made.internal_a.pk, made.confidential_a.pk, made.open_b.pk]
    )
    first = kept.get(statement=made.open_a)
    assert (first.text, first.outcome, first.reason) == (
        "Järva stöder fokusområdet.",
        DispositionOutcome.ACCEPTED,
        "Texten behålls.",
    )
    assert (first.statement_level, first.response_level) == ("open", "open")
    assert kept.get(statement=made.confidential_a).statement_level == "confidential"


def test_a_kept_statement_never_changes(cast: Cast, made: Round):
    kept = PublishedStatement.objects.get(statement=made.open_a)
    kept.reason = "Ändrat i efterhand."

    with pytest.raises(ValueError):
        kept.save()
    assert PublishedStatement.objects.get(pk=kept.pk).reason == "Texten behålls."


def test_a_disposition_revised_after_publishing_reaches_nobody_until_published_again(
    cast: Cast, made: Round
):
    _revise(cast, made.open_a, "Vi har omprövat.")

    seen = dispositions_for(made.response_a, cast.admin_a)
    page = _client(cast, "official").get(
        reverse("remiss:compilation-published", kwargs={"pk": made.referral.pk})
    )
    reply = reply_inputs(made.response_a, Audience.FULL)
    general = compilation_inputs(made.referral, Audience.GENERAL)

    assert seen.rows[0].disposition is not None
    assert seen.rows[0].disposition.reason == "Texten behålls."
    content = page.content.decode()
    assert "Texten behålls." in content and "Vi har omprövat." not in content
    assert next(row["reason"] for row in reply["statements"]) == "Texten behålls."
    general_reasons = [
        row["reason"] for section in general["sections"] for row in section["statements"]
    ]
    assert "Texten behålls." in general_reasons and "Vi har omprövat." not in general_reasons
    # SLK's own working copy, the full compilation, has the revision at once.
    full = compilation_inputs(made.referral, Audience.FULL)
    assert "Vi har omprövat." in [
        row["reason"] for section in full["sections"] for row in section["statements"]
    ]

    publish_compilation(cast.slk, made.referral.pk)

    again = dispositions_for(made.response_a, cast.admin_a)
    assert again.rows[0].disposition is not None
    assert again.rows[0].disposition.reason == "Vi har omprövat."
    # The earlier publication still holds what it published.
    assert PublishedStatement.objects.filter(
        statement=made.open_a, reason="Texten behålls."
    ).exists()


def test_a_statement_changed_after_a_reopening_stays_as_published(cast: Cast, made: Round):
    response = made.response_a
    response.refresh_from_db()
    reopen_response(cast.slk, response, "Komplettera.", response.version)
    Statement.objects.filter(pk=made.open_a.pk).update(text="Järva har ändrat sig.")

    compilation = published_compilation(made.referral)

    texts = [row.statement.text for row in compilation.rows]
    assert "Järva stöder fokusområdet." in texts
    assert "Järva har ändrat sig." not in texts


def test_a_statement_removed_after_publishing_is_still_published(cast: Cast, made: Round):
    response = made.response_a
    response.refresh_from_db()
    reopen_response(cast.slk, response, "Komplettera.", response.version)
    Statement.objects.filter(pk=made.open_a.pk).delete()

    texts = [row.statement.text for row in published_compilation(made.referral).rows]

    assert "Järva stöder fokusområdet." in texts


def test_a_level_raised_after_publishing_holds_on_what_was_published(cast: Cast, made: Round):
    Statement.objects.filter(pk=made.open_a.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)

    general = published_compilation(made.referral)
    reader = dispositions_for(made.response_a, cast.reader_a)
    admin = dispositions_for(made.response_a, cast.admin_a)
    members = reply_inputs(made.response_a, Audience.MEMBERS)

    assert "Järva stöder fokusområdet." not in [row.statement.text for row in general.rows]
    assert "Järva stöder fokusområdet." not in [row.statement.text for row in reader.rows]
    assert "Järva stöder fokusområdet." in [row.statement.text for row in admin.rows]
    assert "Järva stöder fokusområdet." not in [row["text"] for row in members["statements"]]
    full = reply_inputs(made.response_a, Audience.FULL)
    assert {row["level"] for row in full["statements"] if row["key"] == made.open_a.pk} == {
        Confidentiality.CONFIDENTIAL
    }


def test_publishing_again_while_a_response_is_reopened_leaves_it_out(cast: Cast, made: Round):
    response = made.response_b
    response.refresh_from_db()
    reopened = reopen_response(cast.slk, response, "Komplettera.", response.version)
    assert reopened.state == ResponseState.REOPENED

    publish_compilation(cast.slk, made.referral.pk)

    texts = [row.statement.text for row in published_compilation(made.referral).rows]
    assert "Skärholmen invänder." not in texts


# --- Where readers find the publication ----------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "reader_a"])
def test_the_round_page_links_the_published_compilation(cast: Cast, made: Round, persona: str):
    from remiss.models import Invitation

    Invitation.objects.create(referral=made.referral, body=cast.body_a)
    page = _client(cast, persona).get(
        reverse("remiss:round-detail", kwargs={"pk": made.referral.pk})
    )

    published = reverse("remiss:compilation-published", kwargs={"pk": made.referral.pk})
    assert page.status_code == 200
    assert f'href="{published}"' in page.content.decode()


def test_search_finds_the_open_published_statements_of_other_bodies(cast: Cast, made: Round):
    found = search(cast.admin_b, "Järva stöder")
    hidden = search(cast.admin_b, "aktörer samordnas")
    secret = search(cast.official, "Skyddsvärda")

    assert [hit.statement.text for hit in found.hits if hit.statement] == [
        "Järva stöder fokusområdet."
    ]
    assert found.hits[0].published
    published = reverse("remiss:compilation-published", kwargs={"pk": made.referral.pk})
    assert found.hits[0].url.startswith(f"{published}#published-")
    assert hidden.total == 0
    assert secret.total == 0


def test_search_finds_nothing_of_another_body_before_publishing(cast: Cast):
    make_round(cast, number="KS 2099/7")

    assert search(cast.admin_b, "Järva stöder").total == 0
    assert search(cast.official, "Järva stöder").total == 0


def test_a_body_finds_its_own_statements_once_not_twice(cast: Cast, made: Round):
    found = search(cast.admin_a, "Järva stöder")

    assert len(found.hits) == 1
    assert not found.hits[0].published
