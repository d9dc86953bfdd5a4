"""SLK records how each statement was handled; two sessions saving one disposition are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from programme.locking import EditConflict
from remiss.models import Disposition, DispositionOutcome, ResponseState
from remiss.services.compilation import record_disposition
from tests.access.matrix_rows_remiss_compilation import Round, make_round
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

REFUSED = "Någon annan har sparat ändringar här efter att du öppnade sidan"


@pytest.fixture
def made(cast: Cast) -> Round:
    return make_round(cast)


def _url(made: Round, statement_pk: int) -> str:
    return reverse(
        "remiss:compilation-disposition",
        kwargs={"pk": made.referral.pk, "statement_pk": statement_pk},
    )


def test_slk_records_a_first_disposition_as_version_one(cast: Cast, made: Round):
    disposition = record_disposition(
        cast.slk, made.open_b.pk, 0, DispositionOutcome.NOT_ACCEPTED, "Fokusområdet behövs."
    )

    assert disposition.version == 1
    assert disposition.history.first().history_user == cast.slk


def test_a_changed_disposition_raises_its_version(cast: Cast, made: Round):
    existing = Disposition.objects.get(statement=made.open_a)

    saved = record_disposition(cast.slk, made.open_a.pk, 1, DispositionOutcome.NOTED, "")

    assert saved.pk == existing.pk
    assert saved.version == 2
    assert saved.outcome == DispositionOutcome.NOTED


def test_a_save_from_an_old_version_is_refused(cast: Cast, made: Round):
    record_disposition(cast.slk, made.open_a.pk, 1, DispositionOutcome.NOTED, "")

    with pytest.raises(EditConflict):
        record_disposition(cast.slk, made.open_a.pk, 1, DispositionOutcome.ACCEPTED, "")


def test_a_second_first_disposition_is_refused(cast: Cast, made: Round):
    record_disposition(cast.slk, made.open_b.pk, 0, DispositionOutcome.NOTED, "")

    with pytest.raises(EditConflict):
        record_disposition(cast.slk, made.open_b.pk, 0, DispositionOutcome.ACCEPTED, "")


def test_a_statement_not_accepted_needs_a_reason(cast: Cast, made: Round):
    with pytest.raises(ValidationError):
        record_disposition(cast.slk, made.open_b.pk, 0, DispositionOutcome.NOT_ACCEPTED, " ")
    assert not Disposition.objects.filter(statement=made.open_b).exists()


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "official", "no_role"])
def test_only_slk_records_dispositions(cast: Cast, made: Round, persona: str):
    with pytest.raises(PermissionDenied):
        record_disposition(cast.by_name(persona), made.open_b.pk, 0, DispositionOutcome.NOTED, "")


def test_a_statement_of_a_reopened_response_is_not_handled(cast: Cast, made: Round):
    made.response_b.state = ResponseState.REOPENED
    made.response_b.reopen_reason = "Beslutet saknas."
    made.response_b.save()

    with pytest.raises(ValidationError):
        record_disposition(cast.slk, made.open_b.pk, 0, DispositionOutcome.NOTED, "")


def _posted(form: Any, **changes: str) -> dict[str, str]:
    data = {}
    for bound in form:
        value = bound.value()
        data[bound.html_name] = "" if value is None else str(value)
    for name, value in changes.items():
        data[form.add_prefix(name)] = value
    return data


def _session(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.slk)
    return client


def test_the_second_session_is_refused_with_what_changed_and_keeps_its_text(
    cast: Cast, made: Round
):
    url = _url(made, made.open_a.pk)
    first, second = _session(cast), _session(cast)
    first_form = first.get(url).context["form"]
    second_form = second.get(url).context["form"]

    saved = first.post(url, _posted(first_form, outcome="noted", reason="Första skälet."))
    refused = second.post(url, _posted(second_form, outcome="not_accepted", reason="Andra skälet."))

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert REFUSED in page
    assert "Första skälet." in page[page.index("edit-conflict") :]
    assert "Andra skälet." in page
    stored = Disposition.objects.get(statement=made.open_a)
    assert (stored.reason, stored.version) == ("Första skälet.", 2)
    again = second.post(url, _posted(refused.context["form"]))
    assert again.status_code == 302
    assert Disposition.objects.get(statement=made.open_a).reason == "Andra skälet."


def test_the_inline_form_returns_to_the_statement_on_its_filtered_section(cast: Cast, made: Round):
    client = _session(cast)
    url = _url(made, made.open_b.pk)

    response = client.post(
        url,
        {
            f"statement-{made.open_b.pk}-version": "0",
            f"statement-{made.open_b.pk}-outcome": "partly_accepted",
            f"statement-{made.open_b.pk}-reason": "Delvis.",
            "return_query": "stance=objects",
        },
    )

    section_url = reverse(
        "remiss:compilation-section",
        kwargs={"pk": made.referral.pk, "section_pk": made.section.pk},
    )
    assert response["Location"] == f"{section_url}?stance=objects#statement-{made.open_b.pk}"
    assert (
        Disposition.objects.get(statement=made.open_b).outcome == DispositionOutcome.PARTLY_ACCEPTED
    )


def test_a_statement_of_another_round_answers_404(cast: Cast, made: Round):
    other = make_round(cast, number="KS 2099/2")
    response = _session(cast).get(_url(made, other.open_b.pk))
    assert response.status_code == 404
