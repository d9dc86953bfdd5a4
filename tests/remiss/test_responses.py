"""A body's response to a referral round: its way from not started to submitted, and back.

not started → draft → submitted (locked) → reopened by SLK with a reason → submitted.
The other test files of responses import ``make_round`` and ``write_response`` from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import Client
from django.urls import reverse

from programme.locking import OVERWRITE, EditConflict
from programme.models import Confidentiality, Programme
from remiss.models import (
    Invitation,
    Referral,
    ReferralSection,
    Response,
    ResponseState,
    Stance,
    Statement,
)
from remiss.services import responses as services
from remiss.services import responses_parts as parts
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Round:
    """An open round asking bodies A and B, with a focus-area section and a free one."""

    referral: Referral
    focus_section: ReferralSection
    free_section: ReferralSection


def make_round(cast: Cast, number: str = "KS 2026/101") -> Round:
    """An open referral of the 2024 security programme to bodies A and B."""
    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    referral = Referral.objects.create(
        registration_number=number,
        title="Remiss av reviderat säkerhetsprogram",
        programme=programme,
        sender_name="Kommunstyrelsen",
        sent_on=datetime.date(2026, 3, 1),
        deadline=datetime.date(2026, 6, 1),
    )
    area = programme.focus_areas.order_by("position").first()
    assert area is not None
    focus_section = ReferralSection.objects.create(referral=referral, position=1, focus_area=area)
    free_section = ReferralSection.objects.create(
        referral=referral, position=2, title="Genomförande och uppföljning"
    )
    for body in (cast.body_a, cast.body_b):
        Invitation.objects.create(referral=referral, body=body)
    return Round(referral, focus_section, free_section)


def write_response(cast: Cast, round_: Round) -> Response:
    """Body A's response started: a section, a decision, two statements (one confidential)."""
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)
    response = services.save_response(
        cast.admin_a, response, response.version, {"summary": "Förvaltningen tillstyrker."}
    )
    response = services.record_decision(
        cast.admin_a,
        response,
        response.version,
        {"meeting_date": datetime.date(2026, 5, 20), "decision_text": "Nämnden godkänner."},
    )
    parts.add_statement(
        cast.admin_a,
        response,
        {
            "section": round_.focus_section,
            "stance": Stance.SUPPORTS_WITH_REMARKS,
            "text": "Bra, men förtydliga samordningen.",
            "confidentiality": Confidentiality.INTERNAL,
        },
    )
    parts.add_statement(
        cast.admin_a,
        response,
        {
            "section": round_.free_section,
            "stance": Stance.PROPOSES_CHANGE,
            "text": "Skyddsvärda objekt bör pekas ut.",
            "confidentiality": Confidentiality.CONFIDENTIAL,
        },
    )
    return Response.objects.get(pk=response.pk)


def _keys(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def test_starting_makes_a_draft_recorded_in_the_history(cast: Cast):
    round_ = make_round(cast)

    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)

    assert response.state == ResponseState.DRAFT
    assert response.history.first().history_user == cast.admin_a


def test_a_not_started_response_row_is_started_too(cast: Cast):
    round_ = make_round(cast)
    waiting = Response.objects.create(referral=round_.referral, body=cast.body_a)

    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)

    assert response.pk == waiting.pk
    assert response.state == ResponseState.DRAFT
    assert response.version == 2


def test_starting_twice_or_unasked_or_declined_or_as_reader_is_refused(cast: Cast):
    round_ = make_round(cast)
    services.start_response(cast.admin_a, round_.referral, cast.body_a)
    with pytest.raises(ValidationError):
        services.start_response(cast.admin_a, round_.referral, cast.body_a)
    with pytest.raises(ValidationError):
        services.start_response(cast.reader_a, round_.referral, cast.body_a)
    Invitation.objects.filter(body=cast.body_b).update(declined=True, decline_reason="Avstår.")
    with pytest.raises(ValidationError):
        services.start_response(cast.admin_b, round_.referral, cast.body_b)
    other = make_round(cast, "KS 2026/102")
    Invitation.objects.filter(referral=other.referral, body=cast.body_b).delete()
    with pytest.raises(ValidationError):
        services.start_response(cast.admin_b, other.referral, cast.body_b)
    assert not Response.objects.filter(body=cast.body_b).exists()


def test_submission_without_the_committee_decision_is_refused_keyed_to_the_fields(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)

    with pytest.raises(ValidationError) as refused:
        services.submit_response(cast.admin_a, response, response.version)

    assert _keys(refused.value) == {"meeting_date", "decision_text", services.SECTIONS_KEY}
    stored = Response.objects.get(pk=response.pk)
    assert stored.state == ResponseState.DRAFT
    assert stored.version == response.version


def test_submission_with_a_decision_but_no_section_is_refused(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)
    response = services.record_decision(
        cast.admin_a,
        response,
        response.version,
        {"meeting_date": datetime.date(2026, 5, 20), "decision_text": "Nämnden godkänner."},
    )

    with pytest.raises(ValidationError) as refused:
        services.submit_response(cast.admin_a, response, response.version)

    assert _keys(refused.value) == {services.SECTIONS_KEY}


def test_a_submitted_response_is_locked_with_who_and_when(cast: Cast):
    round_ = make_round(cast)
    response = write_response(cast, round_)

    submitted = services.submit_response(cast.admin_a, response, response.version)

    assert submitted.state == ResponseState.SUBMITTED
    assert submitted.submitted_by == cast.admin_a
    assert submitted.submitted_at is not None
    statement = Statement.objects.filter(response=response).first()
    assert statement is not None
    refusals = [
        lambda: services.save_response(cast.admin_a, submitted, OVERWRITE, {"summary": "Ny."}),
        lambda: services.record_decision(cast.admin_a, submitted, OVERWRITE, {}),
        lambda: services.submit_response(cast.admin_a, submitted, OVERWRITE),
        lambda: parts.add_statement(cast.admin_a, submitted, {"text": "x"}),
        lambda: parts.update_statement(cast.admin_a, statement, OVERWRITE, {"text": "Ny."}),
        lambda: parts.delete_statement(cast.admin_a, statement, OVERWRITE),
        lambda: parts.save_signatories(cast.admin_a, submitted, OVERWRITE, []),
    ]
    for refused in refusals:
        with pytest.raises(ValidationError) as error:
            refused()
        assert NON_FIELD_ERRORS in error.value.message_dict
    assert Response.objects.get(pk=response.pk).version == submitted.version


def test_slk_reopens_with_a_reason_and_the_body_submits_again(cast: Cast):
    round_ = make_round(cast)
    response = write_response(cast, round_)
    response = services.submit_response(cast.admin_a, response, response.version)

    with pytest.raises(ValidationError) as no_reason:
        services.reopen_response(cast.slk, response, "  ", response.version)
    assert _keys(no_reason.value) == {"reason"}
    with pytest.raises(ValidationError):
        services.reopen_response(cast.admin_a, response, "Eget skäl.", response.version)

    reopened = services.reopen_response(
        cast.slk, response, "Beslutsparagrafen saknas.", response.version
    )

    assert reopened.state == ResponseState.REOPENED
    assert reopened.reopen_reason == "Beslutsparagrafen saknas."
    changed = services.record_decision(
        cast.admin_a, reopened, reopened.version, {"minutes_paragraph": "§ 12"}
    )
    again = services.submit_response(cast.admin_a, changed, changed.version)
    assert again.state == ResponseState.SUBMITTED
    assert again.minutes_paragraph == "§ 12"
    states = list(again.history.order_by("history_date").values_list("state", flat=True))
    assert states[-3:] == [ResponseState.REOPENED, ResponseState.REOPENED, ResponseState.SUBMITTED]


def test_only_a_submitted_response_is_reopened(cast: Cast):
    round_ = make_round(cast)
    response = write_response(cast, round_)

    with pytest.raises(ValidationError):
        services.reopen_response(cast.slk, response, "Skäl.", response.version)


def test_a_stale_save_is_refused_with_what_changed(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)
    seen = response.version
    services.save_response(cast.admin_a, response, seen, {"summary": "Först."})

    with pytest.raises(EditConflict) as conflict:
        services.save_response(cast.admin_a, response, seen, {"summary": "Sedan."})

    assert conflict.value.changes
    assert Response.objects.get(pk=response.pk).summary == "Först."


def test_rich_text_is_cleaned_before_it_is_stored(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)

    saved = services.save_response(
        cast.admin_a,
        response,
        response.version,
        {"views": '<p onclick="x()">Synpunkt</p><script>alert(1)</script>'},
    )

    assert saved.views == "<p>Synpunkt</p>"


def test_statements_are_kept_in_order_moved_and_deleted(cast: Cast):
    round_ = make_round(cast)
    response = write_response(cast, round_)
    first, second = Statement.objects.filter(response=response).order_by("position")

    parts.move_statement(cast.admin_a, second, second.version, up=True)

    assert list(
        Statement.objects.filter(response=response)
        .order_by("position")
        .values_list("pk", flat=True)
    ) == [second.pk, first.pk]
    moved = Statement.objects.get(pk=first.pk)
    assert moved.version == first.version + 1
    parts.delete_statement(cast.admin_a, moved, moved.version)
    assert list(Statement.objects.filter(response=response)) == [second]


def test_a_statement_about_another_rounds_section_is_refused(cast: Cast):
    round_ = make_round(cast)
    other = make_round(cast, "KS 2026/102")
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)

    with pytest.raises(ValidationError) as refused:
        parts.add_statement(
            cast.admin_a,
            response,
            {"section": other.free_section, "stance": Stance.OBJECTS, "text": "Nej."},
        )

    assert "section" in refused.value.message_dict


def test_signatories_are_added_changed_reordered_and_removed(cast: Cast):
    round_ = make_round(cast)
    response = services.start_response(cast.admin_a, round_.referral, cast.body_a)
    director = parts.add_signatory(
        cast.admin_a, response, response.version, "Anna Andersson", "Stadsdelsdirektör"
    )
    response.refresh_from_db()
    head = parts.add_signatory(
        cast.admin_a, response, response.version, "Bo Berg", "Avdelningschef"
    )
    response.refresh_from_db()

    response = parts.save_signatories(
        cast.admin_a,
        response,
        response.version,
        [
            parts.SignatoryInput(name="Bo Berg", title="Tf. avdelningschef", pk=head.pk),
            parts.SignatoryInput(name="Cia Ek", title="Handläggare"),
        ],
    )

    rows = list(response.signatories.order_by("position").values_list("pk", "name", "title"))
    assert rows[0] == (head.pk, "Bo Berg", "Tf. avdelningschef")
    assert rows[1][1:] == ("Cia Ek", "Handläggare")
    assert not response.signatories.filter(pk=director.pk).exists()
    with pytest.raises(EditConflict):
        parts.save_signatories(cast.admin_a, response, response.version - 1, [])


def test_the_pages_walk_a_response_through_its_states(cast: Cast):
    round_ = make_round(cast)
    admin, slk = Client(), Client()
    admin.force_login(cast.admin_a)
    slk.force_login(cast.slk)
    kwargs = {"referral": round_.referral.pk, "slug": cast.body_a.slug}
    detail = reverse("remiss:response-detail", kwargs=kwargs)

    assert "response-state-not_started" in admin.get(detail).content.decode()
    assert admin.post(reverse("remiss:response-start", kwargs=kwargs)).status_code == 302
    response = Response.objects.get(referral=round_.referral, body=cast.body_a)
    refused = admin.post(
        reverse("remiss:response-submit", kwargs=kwargs), {"version": response.version}
    )
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    edited = admin.post(
        reverse("remiss:response-edit", kwargs=kwargs),
        {"version": response.version, "summary": "Sammanfattning.", "confidentiality": "internal"},
    )
    assert edited.status_code == 302
    response.refresh_from_db()
    decided = admin.post(
        reverse("remiss:response-decision", kwargs=kwargs),
        {"version": response.version, "meeting_date": "2026-05-20", "decision_text": "Godkänns."},
    )
    assert decided.status_code == 302
    response.refresh_from_db()
    submitted = admin.post(
        reverse("remiss:response-submit", kwargs=kwargs), {"version": response.version}
    )
    assert submitted.status_code == 302
    response.refresh_from_db()
    assert response.state == ResponseState.SUBMITTED
    # Locked: the edit page sends the administrator back to the response.
    assert admin.get(reverse("remiss:response-edit", kwargs=kwargs)).status_code == 302
    reopened = slk.post(
        reverse("remiss:response-reopen", kwargs=kwargs),
        {"version": response.version, "reason": "Komplettera."},
    )
    assert reopened.status_code == 302
    page = admin.get(detail).content.decode()
    assert "Komplettera." in page
    assert reverse("remiss:response-edit", kwargs=kwargs) in page
