"""Importing a document into a body's draft response: upload, review, save, and what is refused.

Body A's administrator imports seed 001 (Järva's tjänsteutlåtande) into body A's draft
response to an open round whose sections are those the seed addresses. Nothing reaches
the response before the review is saved; a refused document creates nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from programme.models import Programme
from remiss.forms.imports import ImportReviewForm
from remiss.models import (
    ImportState,
    Invitation,
    Referral,
    ReferralSection,
    Response,
    ResponseImport,
    Stance,
)
from remiss.services import imports as imports_service
from remiss.services import responses as services
from tests.conftest import Cast
from tests.remiss.seed_documents import seed_lines, word_file

pytestmark = pytest.mark.django_db

SEED = "001_1d09d7780e0b6f9f.txt"
TITLES = (
    "Programmet som helhet",
    "Chefers särskilda ansvar",
    "Risk- och sårbarhetsanalyser",
    "Samverkan och geografiskt områdesansvar",
)


def make_round(cast: Cast) -> Referral:
    """An open round on the 2024 programme: the whole, its four focus areas, three themes."""
    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    referral = Referral.objects.create(
        registration_number="KS 2023/1234",
        title="Remiss av Stockholms stads säkerhetsprogram",
        programme=programme,
        sender_name="Kommunstyrelsen",
        sent_on=datetime.date(2023, 12, 1),
        deadline=datetime.date(2024, 2, 29),
    )
    position = 0
    for title in TITLES[:1]:
        position += 1
        ReferralSection.objects.create(referral=referral, position=position, title=title)
    for area in programme.focus_areas.order_by("position"):
        position += 1
        ReferralSection.objects.create(referral=referral, position=position, focus_area=area)
    for title in TITLES[1:]:
        position += 1
        ReferralSection.objects.create(referral=referral, position=position, title=title)
    for body in (cast.body_a, cast.body_b):
        Invitation.objects.create(referral=referral, body=body)
    return referral


@pytest.fixture
def response(cast: Cast) -> Response:
    """Body A's draft response, with nothing written yet."""
    return services.start_response(cast.admin_a, make_round(cast), cast.body_a)


def _start_url(response: Response) -> str:
    return reverse(
        "remiss:response-import",
        kwargs={"referral": response.referral_id, "slug": response.body.slug},
    )


def _upload(client: Client, response: Response, data: bytes, name: str) -> Any:
    return client.post(_start_url(response), {"file": SimpleUploadedFile(name, data)})


def review_data(item: ResponseImport, **changes: Any) -> dict[str, Any]:
    """The review form as it opens, submitted unchanged but for ``changes`` (None: unchecked)."""
    response = Response.objects.get(pk=item.response_id)
    form = ImportReviewForm(
        initial={"version": response.version},
        reading=item.reading or {},
        sections=list(ReferralSection.objects.filter(referral_id=response.referral_id)),
    )
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif value is not None:
            data[name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def imported(cast: Cast, response: Response) -> ResponseImport:
    """Seed 001 as a Word file, uploaded by body A's administrator and read at once."""
    client = Client()
    client.force_login(cast.admin_a)
    answer = _upload(client, response, word_file(seed_lines(SEED)), "jarva.docx")
    item = ResponseImport.objects.get(response=response)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("remiss:import-review", kwargs={"pk": item.pk})
    return item


def _statement_index(item: ResponseImport, target_title: str) -> int:
    section = ReferralSection.objects.get(referral_id=item.response.referral_id, title=target_title)
    return next(
        index
        for index, proposal in enumerate(item.reading["proposals"])  # type: ignore[index]
        if proposal["target"] == str(section.pk)
    )


def test_a_small_word_file_is_read_at_once_and_nothing_reaches_the_response(
    imported: ResponseImport, response: Response
) -> None:
    assert imported.state == ImportState.READY
    assert imported.kind == "docx"
    assert imported.original_name == "jarva.docx"
    assert not imported.file
    stored = Response.objects.get(pk=response.pk)
    assert (stored.version, stored.summary, stored.statements.count()) == (response.version, "", 0)


def test_the_review_shows_the_document_beside_each_finding_with_its_evidence(
    cast: Cast, imported: ResponseImport, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    url = reverse("remiss:import-review", kwargs={"pk": imported.pk})
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="line-54"' in html and "Dnr JÄRVA 2023/665" in html
    assert 'value="JÄRVA 2023/665"' in html
    assert 'href="#line-54"' in html
    assert "Caroline Teir" in html and "Victoria Callenmark" in html
    assert "Ej placerat" in html and "Kungsklippan 6" in html
    # The referral's deadline is not in seed 001; its number is not either: no check shown.
    assert "Ställningstagande från orden ”ser positivt”" in html


def test_saving_keeps_what_was_kept_with_corrections_and_drops_the_rest(
    cast: Cast, imported: ResponseImport, response: Response
) -> None:
    personal = _statement_index(imported, "Chefers särskilda ansvar")
    dropped = _statement_index(imported, "Risk- och sårbarhetsanalyser")
    data = review_data(
        imported,
        summary="Förvaltningen tillstyrker programmet.",
        use_case_officer_phone=None,
        **{
            f"statement_{personal}_stance": Stance.SUPPORTS_WITH_REMARKS,
            f"statement_{personal}_text": "Cheferna har en avgörande roll.",
            f"statement_{dropped}_use": None,
        },
    )
    client = Client()
    client.force_login(cast.admin_a)
    answer = client.post(reverse("remiss:import-review", kwargs={"pk": imported.pk}), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    stored = Response.objects.get(pk=response.pk)
    assert stored.summary == "Förvaltningen tillstyrker programmet."
    assert stored.registration_number == "JÄRVA 2023/665"
    assert stored.document_date == datetime.date(2024, 1, 23)
    assert stored.meeting_date == datetime.date(2024, 2, 22)
    assert stored.case_officer_name == "Caroline Teir"
    assert stored.case_officer_phone == ""
    assert stored.views.startswith("Förvaltningen välkomnar den utvidgade skrivningen")
    assert list(stored.signatories.values_list("name", "title")) == [
        ("Victoria Callenmark", "Stadsdelsdirektör"),
        ("Jonas Eliasson", "Avdelningschef"),
    ]
    kept = [p for i, p in enumerate(imported.reading["proposals"]) if p["stance"] and i != dropped]  # type: ignore[index]
    statements = list(stored.statements.order_by("position"))
    assert len(statements) == len(kept)
    corrected = next(s for s in statements if s.text == "Cheferna har en avgörande roll.")
    assert corrected.stance == Stance.SUPPORTS_WITH_REMARKS
    assert corrected.section.title == "Chefers särskilda ansvar"
    assert not any("sårbarhetsanalyser (RSA). RSA-processen" in s.text for s in statements)
    assert ResponseImport.objects.get(pk=imported.pk).state == ImportState.SAVED


def test_importing_into_a_response_with_text_asks_before_replacing(
    cast: Cast, imported: ResponseImport, response: Response
) -> None:
    written = services.save_response(
        cast.admin_a, response, response.version, {"summary": "Vår egen sammanfattning."}
    )
    client = Client()
    client.force_login(cast.admin_a)
    url = reverse("remiss:import-review", kwargs={"pk": imported.pk})
    asked = client.post(url, review_data(imported))
    assert asked.status_code == 200
    assert "Ersätta det som svaret redan har?" in asked.content.decode()
    assert Response.objects.get(pk=response.pk).summary == "Vår egen sammanfattning."
    assert Response.objects.get(pk=response.pk).version == written.version
    saved = client.post(url, review_data(imported, replace="on"))
    assert saved.status_code == 302
    assert Response.objects.get(pk=response.pk).summary.startswith("Förvaltningen har mottagit")


def test_dropping_the_fields_that_differ_needs_no_question(
    cast: Cast, imported: ResponseImport, response: Response
) -> None:
    services.save_response(
        cast.admin_a, response, response.version, {"summary": "Vår egen sammanfattning."}
    )
    client = Client()
    client.force_login(cast.admin_a)
    url = reverse("remiss:import-review", kwargs={"pk": imported.pk})
    saved = client.post(url, review_data(imported, use_summary=None))
    assert saved.status_code == 302
    assert Response.objects.get(pk=response.pk).summary == "Vår egen sammanfattning."


def test_a_review_opened_before_someone_else_saved_is_refused(
    cast: Cast, imported: ResponseImport, response: Response
) -> None:
    data = review_data(imported)
    services.save_response(
        cast.admin_a, response, response.version, {"written_by": "Järva stadsdelsförvaltning"}
    )
    client = Client()
    client.force_login(cast.admin_a)
    answer = client.post(reverse("remiss:import-review", kwargs={"pk": imported.pk}), data)
    assert answer.status_code == 200
    assert Response.objects.get(pk=response.pk).summary == ""
    assert ResponseImport.objects.get(pk=imported.pk).state == ImportState.READY


def test_a_refused_file_creates_nothing_and_says_why_in_swedish(
    cast: Cast, response: Response
) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    answer = _upload(client, response, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bild.docx")
    assert answer.status_code == 200
    assert "Filen är inte av en sort som kan importeras" in answer.content.decode()
    assert not ResponseImport.objects.exists()
    assert Response.objects.get(pk=response.pk).version == response.version


@override_settings(IMPORT_MAX_BYTES=2048)
def test_a_file_over_the_limit_is_stopped_while_it_is_uploaded(
    cast: Cast, response: Response
) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    answer = _upload(client, response, b"Sammanfattning\n" * 1000, "stor.txt")
    assert answer.status_code == 200
    assert "Filen är för stor" in answer.content.decode()
    assert not ResponseImport.objects.exists()


def test_pasted_text_is_imported_like_a_file(cast: Cast, response: Response) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    text = "\n".join(seed_lines("003_161d1e13179743f2.txt"))
    answer = client.post(_start_url(response), {"text": text})
    item = ResponseImport.objects.get(response=response)
    assert answer.status_code == 302
    assert (item.kind, item.original_name, item.state) == ("text", "", ImportState.READY)
    assert [s["name"] for s in item.reading["signatures"]] == ["Gunilla Davidsson", "Linda Palo"]  # type: ignore[index]


def test_neither_file_nor_text_is_refused(cast: Cast, response: Response) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    answer = client.post(_start_url(response), {"text": "  "})
    assert answer.status_code == 200
    assert "Välj en fil eller klistra in texten" in answer.content.decode()


@override_settings(IMPORT_INLINE_BYTES=1024)
def test_a_large_document_is_read_by_the_worker_while_the_page_shows_progress(
    cast: Cast, response: Response
) -> None:
    queued: list[int] = []
    data = word_file(seed_lines(SEED))
    item = imports_service.start_import(
        cast.admin_a, response, data, "jarva.docx", enqueue=queued.append
    )
    assert (item.state, item.progress, bool(item.file)) == (ImportState.QUEUED, 0, True)
    client = Client()
    client.force_login(cast.admin_a)
    page = client.get(reverse("remiss:import-review", kwargs={"pk": item.pk}))
    assert '<progress id="import-progress" max="100" value="0">' in page.content.decode()
    assert imports_service.read_import(item.pk) == ImportState.READY
    assert imports_service.read_import(item.pk) == ImportState.READY  # safe to run twice
    done = ResponseImport.objects.get(pk=item.pk)
    assert (done.progress, bool(done.file)) == (100, False)
    assert [s["name"] for s in done.reading["sections"]][:2] == ["proposal", "summary"]  # type: ignore[index]


@override_settings(IMPORT_INLINE_BYTES=16)
def test_a_document_the_worker_refuses_fails_with_its_reason_and_changes_nothing(
    cast: Cast, response: Response
) -> None:
    data = 'Sammanfattning\nFörvaltningen tillstyrker.\n=HYPERLINK("x")\n'.encode()
    item = imports_service.start_import(cast.admin_a, response, data, "", enqueue=lambda _: None)
    assert imports_service.read_import(item.pk) == ImportState.FAILED
    failed = ResponseImport.objects.get(pk=item.pk)
    assert failed.error == "Rad 3 börjar med en kalkylbladsformel. Ta bort den och försök igen."
    assert not failed.file
    assert Response.objects.get(pk=response.pk).version == response.version


def test_a_discarded_import_changes_nothing_and_cannot_be_saved(
    cast: Cast, imported: ResponseImport, response: Response
) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    data = review_data(imported)
    client.post(reverse("remiss:import-discard", kwargs={"pk": imported.pk}))
    answer = client.post(reverse("remiss:import-review", kwargs={"pk": imported.pk}), data)
    assert ResponseImport.objects.get(pk=imported.pk).state == ImportState.DISCARDED
    assert answer.status_code == 200
    assert Response.objects.get(pk=response.pk).version == response.version


def test_a_saved_import_keeps_what_was_not_placed_in_view(
    cast: Cast, imported: ResponseImport
) -> None:
    client = Client()
    client.force_login(cast.admin_a)
    url = reverse("remiss:import-review", kwargs={"pk": imported.pk})
    client.post(url, review_data(imported))
    page = client.get(url).content.decode()
    assert "Sparades i svaret" in page
    assert "Kungsklippan 6" in page


@override_settings(IMPORT_INLINE_BYTES=16)
def test_a_worker_that_meets_an_error_fails_the_import_instead_of_leaving_it_waiting(
    cast: Cast, response: Response
) -> None:
    data = "Sammanfattning\nFörvaltningen tillstyrker.\n".encode()
    item = imports_service.start_import(cast.admin_a, response, data, "", enqueue=lambda _: None)
    item.file.delete(save=False)
    assert imports_service.read_import(item.pk) == ImportState.FAILED
    failed = ResponseImport.objects.get(pk=item.pk)
    assert failed.error == (
        "Servern kunde inte läsa dokumentet. Försök igen, eller klistra in texten."
    )
