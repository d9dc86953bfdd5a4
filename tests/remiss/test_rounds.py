"""Referral rounds, SLK's side: opening a round, its page, the draft, adding bodies, closing,
and a body declining to answer.

The helpers at the top are shared with the other ``test_rounds_*`` modules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import Body, FocusArea, Programme, ProgrammeKind, ProgrammeStatus
from remiss.models import Invitation, Referral, ReferralState, Response, ResponseState
from remiss.services import rounds as round_services
from tests.access.matrix_support import PDF_BYTES
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DOCX_LIKE = b"PK\x03\x04not really a zip"


@pytest.fixture
def private_dir(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Private storage in a temporary folder, so tests never write into var/."""
    location = tmp_path / "private"
    location.mkdir()
    monkeypatch.setattr(
        Referral._meta.get_field("draft_file"), "storage", FileSystemStorage(location=location)
    )
    yield location


def draft_programme() -> Programme:
    """A draft programme version with two focus areas."""
    programme = Programme.objects.create(
        slug="trygghetsprogram-utkast",
        name="Trygghetsprogram (utkast)",
        kind=ProgrammeKind.SAFETY,
        first_year=TODAY.year + 1,
        status=ProgrammeStatus.DRAFT,
    )
    for position, title in enumerate(("Trygga offentliga miljöer", "Förebygga brott"), start=1):
        FocusArea.objects.create(
            programme=programme, position=position, number=position, title=title
        )
    return programme


def pdf(name: str = "utkast.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def open_round(
    cast: Cast,
    programme: Programme | None = None,
    bodies: list[Body] | None = None,
    deadline: datetime.date | None = None,
    **changes: Any,
) -> Referral:
    """A round opened by SLK on a draft version, asking body A and body B."""
    programme = programme or draft_programme()
    values: dict[str, Any] = {
        "user": cast.slk,
        "programme": programme,
        "registration_number": "KS 2024/1939",
        "title": "Remiss av trygghetsprogram",
        "sender_name": "Kommunstyrelsen",
        "sender_body": None,
        "sent_on": TODAY,
        "deadline": deadline or TODAY + datetime.timedelta(days=30),
        "bodies": bodies if bodies is not None else [cast.body_a, cast.body_b],
        "focus_areas": list(programme.focus_areas.all()),
        "free_sections": ["Genomförande och uppföljning"],
        "draft": pdf(),
    }
    return round_services.open_round(**(values | changes))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Opening a round ----------------------------------------------------------------------


def test_opening_a_round_makes_sections_invitations_and_not_started_responses(
    cast: Cast, private_dir: Path
):
    referral = open_round(cast)

    assert [section.heading for section in referral.sections.order_by("position")] == [
        "1. Trygga offentliga miljöer",
        "2. Förebygga brott",
        "Genomförande och uppföljning",
    ]
    assert set(referral.invitations.values_list("body__slug", flat=True)) == {
        "jarva",
        "skarholmen",
    }
    assert set(Response.objects.filter(referral=referral).values_list("state", flat=True)) == {
        ResponseState.NOT_STARTED
    }
    assert referral.draft_name == "utkast.pdf"
    assert referral.draft_file.read() == PDF_BYTES
    assert Programme.objects.get(pk=referral.programme_id).status == ProgrammeStatus.ON_REFERRAL


@pytest.mark.parametrize("status", [ProgrammeStatus.ADOPTED, ProgrammeStatus.SUPERSEDED])
def test_a_round_on_an_adopted_or_superseded_version_is_refused_in_swedish(
    cast: Cast, private_dir: Path, status: str
):
    programme = draft_programme()
    Programme.objects.filter(pk=programme.pk).update(status=status)
    programme.refresh_from_db()

    with pytest.raises(ValidationError) as refusal:
        open_round(cast, programme=programme)

    assert refusal.value.code == "programme_status"
    assert programme.name in refusal.value.messages[0]
    assert not Referral.objects.filter(programme=programme).exists()
    assert list(private_dir.rglob("*")) == []


@pytest.mark.parametrize("number", ["KS 2020/1939", "171-1309/2017", "SLK 2023/0012"])
def test_registration_numbers_are_taken_as_the_register_writes_them(number: str):
    assert round_services.clean_registration_number(f"  {number} ") == number


@pytest.mark.parametrize("number", ["", "KS", "???", "/2020"])
def test_a_registration_number_without_a_number_is_refused(number: str):
    with pytest.raises(ValidationError):
        round_services.clean_registration_number(number)


def test_a_draft_that_is_not_a_pdf_is_refused_and_nothing_is_kept(cast: Cast, private_dir: Path):
    programme = draft_programme()

    with pytest.raises(ValidationError) as refusal:
        open_round(cast, programme=programme, draft=pdf("utkast.pdf", DOCX_LIKE))

    assert "draft" in refusal.value.error_dict
    assert not Referral.objects.filter(programme=programme).exists()
    assert list(private_dir.rglob("*")) == []


def test_a_round_needs_a_body_a_section_and_a_deadline_after_sending(cast: Cast, private_dir: Path):
    programme = draft_programme()

    with pytest.raises(ValidationError) as refusal:
        open_round(
            cast,
            programme=programme,
            bodies=[],
            focus_areas=[],
            free_sections=[],
            deadline=TODAY - datetime.timedelta(days=1),
        )

    assert set(refusal.value.error_dict) == {"bodies", "free_sections", "deadline"}


def test_the_same_registration_number_twice_is_refused(cast: Cast, private_dir: Path):
    open_round(cast)

    with pytest.raises(ValidationError) as refusal:
        open_round(cast, programme=Programme.objects.get(slug="trygghetsprogram-utkast"))

    assert "registration_number" in refusal.value.error_dict


# --- Pages --------------------------------------------------------------------------------


def test_slk_opens_a_round_through_the_form(cast: Cast, private_dir: Path):
    programme = draft_programme()
    client = client_for(cast.slk)
    url = f"{reverse('remiss:round-create')}?program={programme.slug}"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "registration_number": "KS 2025/12",
            "title": "Remiss av nytt program",
            "sender_name": "Finansroteln",
            "sent_on": TODAY.isoformat(),
            "deadline": (TODAY + datetime.timedelta(days=20)).isoformat(),
            "bodies": [str(cast.body_a.pk)],
            "focus_areas": [str(area.pk) for area in programme.focus_areas.all()],
            "free_sections": "Genomförande och uppföljning\nBilagor",
            "draft": pdf(),
        },
    )

    referral = Referral.objects.get(registration_number="KS 2025/12")
    assert response.status_code == 302
    assert response["Location"] == reverse("remiss:round-detail", kwargs={"pk": referral.pk})
    assert referral.sections.count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "Finansroteln" in page
    assert "Genomförande och uppföljning" in page


def test_the_create_page_refuses_an_adopted_version_with_its_reason(cast: Cast):
    response = client_for(cast.slk).get(
        f"{reverse('remiss:round-create')}?program=sakerhetsprogram-2024"
    )

    assert response.status_code == 200
    assert "form" not in response.context
    assert response.context["refusal"]


def test_round_list_shows_members_their_bodys_rounds_only(cast: Cast, private_dir: Path):
    theirs = open_round(cast, bodies=[cast.body_b])
    ours = open_round(
        cast,
        programme=Programme.objects.get(slug="trygghetsprogram-utkast"),
        registration_number="KS 2024/2000",
        title="Vår remiss",
        bodies=[cast.body_a],
    )

    listed = client_for(cast.reader_a).get(reverse("remiss:round-list")).context["referrals"]
    assert [referral.pk for referral in listed] == [ours.pk]
    assert client_for(cast.official).get(reverse("remiss:round-list")).context["referrals"] == []
    slk_listed = client_for(cast.slk).get(reverse("remiss:round-list")).context["referrals"]
    assert {theirs.pk, ours.pk} <= {referral.pk for referral in slk_listed}
    detail = reverse("remiss:round-detail", kwargs={"pk": theirs.pk})
    assert client_for(cast.reader_a).get(detail).status_code == 404


def test_the_draft_is_downloaded_through_the_access_check(cast: Cast, private_dir: Path):
    referral = open_round(cast, bodies=[cast.body_a])
    url = reverse("remiss:round-draft", kwargs={"pk": referral.pk})

    response = client_for(cast.reader_a).get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    assert client_for(cast.admin_b).get(url).status_code == 404
    assert client_for(cast.official).get(url).status_code == 404


def test_slk_adds_a_body_to_an_open_round(cast: Cast, private_dir: Path):
    referral = open_round(cast, bodies=[cast.body_a])
    url = reverse("remiss:round-add-bodies", kwargs={"pk": referral.pk})

    response = client_for(cast.slk).post(
        url, {"bodies": [str(cast.body_b.pk)], "version": str(referral.version)}
    )

    assert response.status_code == 302
    assert Response.objects.filter(referral=referral, body=cast.body_b).exists()
    assert Referral.objects.get(pk=referral.pk).version == referral.version + 1


def test_a_closed_round_takes_no_more_bodies(cast: Cast, private_dir: Path):
    referral = open_round(cast, bodies=[cast.body_a])
    round_services.close_round(user=cast.slk, referral=referral, seen_version=referral.version)
    referral.refresh_from_db()

    with pytest.raises(ValidationError):
        round_services.add_bodies(
            user=cast.slk, referral=referral, seen_version=referral.version, bodies=[cast.body_b]
        )
    assert referral.state == ReferralState.CLOSED


def test_slk_closes_a_round_through_its_page(cast: Cast, private_dir: Path):
    referral = open_round(cast)
    url = reverse("remiss:round-close", kwargs={"pk": referral.pk})

    response = client_for(cast.slk).post(url, {"version": str(referral.version)})

    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.CLOSED


# --- Declining ----------------------------------------------------------------------------


def test_a_bodys_administrator_declines_with_a_reason(cast: Cast, private_dir: Path):
    referral = open_round(cast)
    invitation = Invitation.objects.get(referral=referral, body=cast.body_a)
    page = client_for(cast.admin_a).get(reverse("remiss:round-detail", kwargs={"pk": referral.pk}))
    assert [invitation for invitation, _form in page.context["decline_forms"]] == [invitation]
    url = reverse("remiss:round-decline", kwargs={"pk": referral.pk, "slug": "jarva"})

    response = client_for(cast.admin_a).post(
        url,
        {
            "jarva-reason": "Nämnden har inga synpunkter.",
            "jarva-reason_confidentiality": "open",
            "jarva-version": str(invitation.version),
        },
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.declined
    assert invitation.decline_reason == "Nämnden har inga synpunkter."
    assert invitation.version == 2


def test_a_reader_may_not_decline_and_another_body_sees_nothing(cast: Cast, private_dir: Path):
    referral = open_round(cast, bodies=[cast.body_a])
    url = reverse("remiss:round-decline", kwargs={"pk": referral.pk, "slug": "jarva"})

    assert client_for(cast.reader_a).get(url).status_code == 403
    assert client_for(cast.admin_b).get(url).status_code == 404
    assert client_for(cast.slk).get(url).status_code == 403


def test_a_body_that_submitted_cannot_decline(cast: Cast, private_dir: Path):
    referral = open_round(cast, bodies=[cast.body_a])
    Response.objects.filter(referral=referral).update(state=ResponseState.SUBMITTED)
    invitation = Invitation.objects.get(referral=referral)

    with pytest.raises(ValidationError):
        round_services.decline(
            user=cast.admin_a, invitation=invitation, seen_version=1, reason="Inga synpunkter."
        )
