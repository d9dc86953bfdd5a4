"""Programme duties: who reaches which page, the rules a save must pass, history, queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.history_display import written_moment
from programme.models import (
    Body,
    BodyKind,
    BodyRole,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    Membership,
)
from programme.services import duties as duty_services
from programme.years import FIRST_YEAR, last_record_year
from tests.conftest import Cast, make_user

pytestmark = pytest.mark.django_db

YEAR = 2024
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def client_for(cast: Cast, persona: str) -> Client:
    """A client signed in as ``persona`` (anonymous: not signed in)."""
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.by_name(persona))
    return client


def record(
    body: Body,
    duty: DutyKind,
    level: Confidentiality = Confidentiality.INTERNAL,
    year: int = YEAR,
    **values: Any,
) -> DutyRecord:
    return DutyRecord.objects.create(
        body=body, year=year, duty=duty, confidentiality=level, **values
    )


@pytest.fixture
def records(cast: Cast) -> dict[str, DutyRecord]:
    """Body A: an internal and a confidential record; body B: an internal one."""
    return {
        "a_internal": record(
            cast.body_a,
            DutyKind.SECURITY_COORDINATOR,
            status=DutyStatus.MET,
            person_name="Karin Samordnare",
        ),
        "a_confidential": record(
            cast.body_a,
            DutyKind.RISK_ANALYSIS,
            Confidentiality.CONFIDENTIAL,
            status=DutyStatus.MET,
            completed_on=datetime.date(2024, 3, 1),
            description="Sårbarheter i elförsörjningen",
        ),
        "b_internal": record(
            cast.body_b,
            DutyKind.CRISIS_PLAN,
            status=DutyStatus.IN_PROGRESS,
            description="Skärholmens krisplan",
        ),
    }


def detail_url(row: DutyRecord) -> str:
    return reverse(
        "programme:duty-detail",
        kwargs={"slug": row.body.slug, "year": row.year, "duty": row.duty},
    )


def edit_url(body: Body, duty: str, year: int = YEAR) -> str:
    return reverse("programme:duty-edit", kwargs={"slug": body.slug, "year": year, "duty": duty})


def list_url(body: Body) -> str:
    return reverse("programme:duty-list", kwargs={"slug": body.slug})


def checklist_url(body: Body, year: int = YEAR) -> str:
    return reverse("programme:duty-checklist", kwargs={"slug": body.slug, "year": year})


def overview_url(year: int = YEAR) -> str:
    return reverse("programme:duty-overview", kwargs={"year": year})


def form_data(**values: Any) -> dict[str, Any]:
    """A complete, valid edit form for a dated duty, with ``values`` changed."""
    data = {
        "status": DutyStatus.MET,
        "confidentiality": Confidentiality.INTERNAL,
        "completed_on": "2024-05-02",
        "person_name": "",
        "description": "Antagen av nämnden",
        "version": "0",
    }
    data.update(values)
    return data


# --- Another body's records answer 404 -----------------------------------------------------


@pytest.mark.parametrize("page", ["list", "checklist", "detail", "edit"])
def test_another_bodys_duty_pages_answer_404(cast: Cast, records: dict[str, DutyRecord], page):
    row = records["b_internal"]
    url = {
        "list": list_url(cast.body_b),
        "checklist": checklist_url(cast.body_b),
        "detail": detail_url(row),
        "edit": edit_url(cast.body_b, row.duty),
    }[page]

    assert client_for(cast, "admin_a").get(url).status_code == 404


def test_posting_to_another_bodys_duty_answers_404_and_changes_nothing(
    cast: Cast, records: dict[str, DutyRecord]
):
    row = records["b_internal"]

    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_b, row.duty), form_data(status=DutyStatus.NOT_STARTED)
    )

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == DutyStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", ["official", "no_role", "sysadmin"])
@pytest.mark.parametrize("page", ["list", "checklist", "detail", "edit"])
def test_users_without_a_body_see_no_duty_pages(
    cast: Cast, records: dict[str, DutyRecord], persona: str, page: str
):
    row = records["a_internal"]
    url = {
        "list": list_url(cast.body_a),
        "checklist": checklist_url(cast.body_a),
        "detail": detail_url(row),
        "edit": edit_url(cast.body_a, row.duty),
    }[page]

    assert client_for(cast, persona).get(url).status_code == 404


@pytest.mark.parametrize("page", ["list", "checklist", "detail", "edit", "overview"])
def test_anonymous_visitor_is_sent_to_sign_in_from_duty_pages(
    cast: Cast, records: dict[str, DutyRecord], page: str
):
    row = records["a_internal"]
    url = {
        "list": list_url(cast.body_a),
        "checklist": checklist_url(cast.body_a),
        "detail": detail_url(row),
        "edit": edit_url(cast.body_a, row.duty),
        "overview": overview_url(),
    }[page]

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# --- Confidential records ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reader_a", "admin_b"])
def test_confidential_duty_record_is_invisible_to_the_bodys_reader_and_other_bodies(
    cast: Cast, records: dict[str, DutyRecord], persona: str
):
    client = client_for(cast, persona)
    secret = records["a_confidential"]

    assert client.get(detail_url(secret)).status_code == 404
    if persona == "reader_a":
        listing = text_of(client.get(list_url(cast.body_a)))
        checklist = text_of(client.get(checklist_url(cast.body_a)))
        assert "Karin Samordnare" in listing
        for html in (listing, checklist):
            assert "Sårbarheter" not in html
            assert detail_url(secret) not in html
            assert "1 mars 2024" not in html
            assert "Konfidentiell" not in html
    else:
        assert client.get(list_url(cast.body_a)).status_code == 404
        assert client.get(checklist_url(cast.body_a)).status_code == 404


def test_reader_sees_a_confidential_duty_on_the_checklist_exactly_as_not_reported(
    cast: Cast, records: dict[str, DutyRecord]
):
    response = client_for(cast, "reader_a").get(checklist_url(cast.body_a))

    rows = {row.duty: row for row in response.context["rows"]}
    assert rows[DutyKind.RISK_ANALYSIS].record is None
    assert rows[DutyKind.SECURITY_COORDINATOR].record == records["a_internal"]
    html = text_of(response)
    assert "Aktuell risk- och sårbarhetsanalys </th> <td><span" in html
    assert html.count("Ej rapporterad") == 5


@pytest.mark.parametrize("persona", ["admin_a", "slk"])
def test_confidential_duty_record_is_visible_to_the_bodys_administrator_and_slk(
    cast: Cast, records: dict[str, DutyRecord], persona: str
):
    client = client_for(cast, persona)
    secret = records["a_confidential"]

    detail = client.get(detail_url(secret))
    listing = text_of(client.get(list_url(cast.body_a)))
    checklist = text_of(client.get(checklist_url(cast.body_a)))

    assert detail.status_code == 200
    assert "Sårbarheter i elförsörjningen" in text_of(detail)
    assert "Konfidentiell" in listing
    assert detail_url(secret) in listing
    assert detail_url(secret) in checklist
    assert "1 mars 2024" in checklist


def test_duty_list_shows_each_records_confidentiality(cast: Cast, records: dict[str, DutyRecord]):
    html = text_of(client_for(cast, "admin_a").get(list_url(cast.body_a)))

    assert "Intern" in html
    assert "Konfidentiell" in html
    assert "Skärholmens krisplan" not in html


# --- Who may change ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["slk", "reader_a"])
def test_those_who_may_only_read_get_403_on_the_edit_form(
    cast: Cast, records: dict[str, DutyRecord], persona: str
):
    row = records["a_internal"]
    client = client_for(cast, persona)

    assert client.get(edit_url(cast.body_a, row.duty)).status_code == 403
    response = client.post(
        edit_url(cast.body_a, row.duty), form_data(status=DutyStatus.NOT_STARTED)
    )
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.status == DutyStatus.MET


def test_reader_gets_the_same_403_on_the_edit_form_whether_a_confidential_record_exists(
    cast: Cast, records: dict[str, DutyRecord]
):
    """A 404 for the confidential record's slot and 403 for an empty one would tell it exists."""
    client = client_for(cast, "reader_a")
    confidential_url = edit_url(cast.body_a, DutyKind.RISK_ANALYSIS)
    empty_url = edit_url(cast.body_a, DutyKind.EXERCISES)

    confidential = client.get(confidential_url)
    empty = client.get(empty_url)

    assert confidential.status_code == empty.status_code == 403

    # The refusal page is the site's own, with its menu: the same but for the address
    # the language switch returns to and the CSRF token, which differs on every page.
    def page(response: Any, address: str) -> str:
        text = response.content.decode().replace(address, "ADDRESS")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)

    assert page(confidential, confidential_url) == page(empty, empty_url)


@pytest.mark.parametrize("persona", ["slk", "reader_a"])
def test_checklist_offers_no_edit_links_to_those_who_may_only_read(
    cast: Cast, records: dict[str, DutyRecord], persona: str
):
    response = client_for(cast, persona).get(checklist_url(cast.body_a))

    assert response.status_code == 200
    assert "/andra/" not in text_of(response)


def test_checklist_offers_the_bodys_administrator_a_link_for_every_duty(
    cast: Cast, records: dict[str, DutyRecord]
):
    html = text_of(client_for(cast, "admin_a").get(checklist_url(cast.body_a)))

    for kind in DutyKind:
        assert edit_url(cast.body_a, kind.value) in html
    assert html.count(">Ändra<") == 2
    assert html.count(">Rapportera<") == 4


def test_administrator_records_a_new_duty(cast: Cast, records: dict[str, DutyRecord]):
    client = client_for(cast, "admin_a")
    url = edit_url(cast.body_a, DutyKind.CRISIS_PLAN)

    form = client.get(url)
    response = client.post(url, form_data(version=form.context["form"]["version"].value()))

    saved = DutyRecord.objects.get(body=cast.body_a, year=YEAR, duty=DutyKind.CRISIS_PLAN)
    assert response.status_code == 302
    assert response["Location"] == detail_url(saved)
    assert saved.status == DutyStatus.MET
    assert saved.completed_on == datetime.date(2024, 5, 2)
    assert saved.description == "Antagen av nämnden"


def test_edit_form_starts_from_the_record_as_it_stands(cast: Cast, records: dict[str, DutyRecord]):
    response = client_for(cast, "admin_a").get(edit_url(cast.body_a, DutyKind.SECURITY_COORDINATOR))

    html = text_of(response)
    assert response.status_code == 200
    assert 'value="Karin Samordnare"' in html
    assert 'name="completed_on"' not in html
    assert '<option value="met" selected>Uppfylld</option>' in html


def test_edit_form_ties_each_error_to_its_field(cast: Cast, records: dict[str, DutyRecord]):
    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_a, DutyKind.CRISIS_PLAN), form_data(completed_on="")
    )

    html = text_of(response)
    assert 'role="alert"' in html
    assert 'id="id_completed_on_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_completed_on_error', html)
    assert 'aria-invalid="true"' in html


# --- The rules a save must pass ------------------------------------------------------------


def assert_refused_and_unchanged(response: Any, message: str) -> None:
    assert response.status_code == 200
    assert message in text_of(response)
    assert (
        not DutyRecord.objects.filter(duty=DutyKind.CRISIS_PLAN)
        .exclude(body__slug="skarholmen")
        .exists()
    )


def test_met_coordinator_duty_needs_the_persons_name(cast: Cast, records: dict[str, DutyRecord]):
    row = records["a_internal"]

    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_a, row.duty), form_data(person_name="  ", description="Ny text")
    )

    assert response.status_code == 200
    assert "Ange namnet på den som har rollen för att markera uppdraget som uppfyllt." in (
        text_of(response)
    )
    row.refresh_from_db()
    assert row.person_name == "Karin Samordnare"
    assert row.description == ""


def test_met_dated_duty_needs_its_date(cast: Cast, records: dict[str, DutyRecord]):
    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_a, DutyKind.CRISIS_PLAN), form_data(completed_on="")
    )

    assert_refused_and_unchanged(response, "Ange datumet för att markera uppdraget som uppfyllt.")


def test_date_in_the_future_is_refused(cast: Cast, records: dict[str, DutyRecord]):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_a, DutyKind.CRISIS_PLAN),
        form_data(status=DutyStatus.IN_PROGRESS, completed_on=tomorrow.isoformat()),
    )

    assert_refused_and_unchanged(response, "Datumet kan inte ligga i framtiden.")


def test_unknown_status_is_refused(cast: Cast, records: dict[str, DutyRecord]):
    response = client_for(cast, "admin_a").post(
        edit_url(cast.body_a, DutyKind.CRISIS_PLAN), form_data(status="done")
    )

    assert response.status_code == 200
    assert not DutyRecord.objects.filter(body=cast.body_a, duty=DutyKind.CRISIS_PLAN).exists()


@pytest.mark.parametrize("page", ["detail", "edit", "upload"])
def test_unknown_duty_answers_404(cast: Cast, records: dict[str, DutyRecord], page: str):
    name = {"detail": "duty-detail", "edit": "duty-edit", "upload": "evidence-upload"}[page]
    url = reverse(
        f"programme:{name}", kwargs={"slug": cast.body_a.slug, "year": YEAR, "duty": "fika"}
    )
    client = client_for(cast, "admin_a")

    response = client.post(url, {}) if page == "upload" else client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("year", [2022, 1999, 2200])
def test_pages_for_a_year_the_body_did_not_exist_answer_404(
    cast: Cast, records: dict[str, DutyRecord], year: int
):
    client = client_for(cast, "admin_a")

    assert client.get(checklist_url(cast.body_a, year)).status_code == 404
    response = client.post(edit_url(cast.body_a, DutyKind.CRISIS_PLAN, year), form_data())
    assert response.status_code == 404
    assert not DutyRecord.objects.filter(year=year).exists()


@pytest.mark.parametrize(
    ("slug", "year", "message"),
    [
        ("jarva", 2022, "Järva stadsdelsnämnd fanns inte 2022."),
        ("rinkeby-kista", 2024, "Rinkeby-Kista stadsdelsnämnd fanns inte 2024."),
        ("jarva", 1999, "Året måste vara mellan 2000 och"),
    ],
)
def test_saving_a_duty_for_a_year_the_body_did_not_exist_is_refused(
    cast: Cast, slug: str, year: int, message: str
):
    body = Body.objects.get(slug=slug)

    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        duty_services.save_duty_record(
            user=cast.admin_a,
            body=body,
            year=year,
            duty=DutyKind.EXERCISES,
            status=DutyStatus.IN_PROGRESS,
            confidentiality=Confidentiality.INTERNAL,
            seen_version=0,
        )

    assert message in " ".join(refused.value.messages)
    assert not DutyRecord.objects.exists()


def test_a_body_that_ended_mid_year_may_still_report_that_year(cast: Cast):
    rinkeby = Body.objects.get(slug="rinkeby-kista")

    saved = duty_services.save_duty_record(
        user=cast.admin_a,
        body=rinkeby,
        year=2023,
        duty=DutyKind.EXERCISES,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.OPEN,
        completed_on=datetime.date(2023, 5, 10),
        seen_version=0,
    )

    assert saved.pk is not None
    assert rinkeby.years_existed(FIRST_YEAR, last_record_year())[-1] == 2023


def test_a_second_save_over_a_newer_change_is_refused(cast: Cast, records: dict[str, DutyRecord]):
    client = client_for(cast, "admin_a")
    url = edit_url(cast.body_a, DutyKind.SECURITY_COORDINATOR)
    seen = client.get(url).context["form"]["version"].value()
    duty_services.save_duty_record(
        user=cast.admin_a,
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.INTERNAL,
        person_name="Lena Annan",
        seen_version=records["a_internal"].version,
    )

    response = client.post(url, form_data(person_name="Min ändring", version=seen))

    html = text_of(response)
    assert response.status_code == 200
    assert "Någon annan har sparat ändringar här efter att du öppnade sidan" in html
    # What the other person changed is listed.
    assert "Lena Annan" in html
    assert 'value="Min ändring"' in html
    row = records["a_internal"]
    row.refresh_from_db()
    assert row.person_name == "Lena Annan"
    # Saving again, now knowingly over the other change, goes through.
    again = client.post(url, form_data(**{**response.context["form"].data.dict()}))
    assert again.status_code == 302
    row.refresh_from_db()
    assert row.person_name == "Min ändring"


def test_fields_that_do_not_fit_the_duty_are_not_kept(cast: Cast):
    saved = duty_services.save_duty_record(
        user=cast.admin_a,
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.INTERNAL,
        person_name=" Karin ",
        completed_on=datetime.date(2024, 1, 1),
        seen_version=0,
    )

    assert saved.person_name == "Karin"
    assert saved.completed_on is None


# --- History -------------------------------------------------------------------------------


def test_edits_appear_in_the_history_with_who_and_when(cast: Cast, records: dict[str, DutyRecord]):
    client = client_for(cast, "admin_a")
    row = records["a_confidential"]

    response = client.post(
        edit_url(cast.body_a, row.duty),
        form_data(
            confidentiality=Confidentiality.CONFIDENTIAL,
            completed_on="2024-04-15",
            description="Sårbarheter i elförsörjningen",
            version=str(row.version),
        ),
    )
    assert response.status_code == 302

    page = client.get(detail_url(row))
    latest = row.history.order_by("-history_date").first()
    assert latest is not None
    assert latest.history_user == cast.admin_a
    with translation.override("sv"):
        when = written_moment(latest.history_date)
    html = text_of(page)
    assert "Historik" in html
    assert f"{when}</time></td> <td>Amira Järvaadministratör</td> <td>Ändrad</td>" in html
    assert "Datum: 1 mars 2024 → 15 april 2024" in html


# --- SLK's overview ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "admin_b", "reader_a", "official", "no_role"])
def test_only_slk_reviewers_open_the_overview(cast: Cast, persona: str):
    assert client_for(cast, persona).get(overview_url()).status_code == 403


def test_overview_shows_every_body_that_existed_that_year(
    cast: Cast, records: dict[str, DutyRecord]
):
    client = client_for(cast, "slk")

    in_2024 = client.get(overview_url(2024))
    in_2022 = client.get(overview_url(2022))

    bodies_2024 = {row.body.slug for row in in_2024.context["rows"]}
    bodies_2022 = {row.body.slug for row in in_2022.context["rows"]}
    assert "jarva" in bodies_2024 and "rinkeby-kista" not in bodies_2024
    assert "rinkeby-kista" in bodies_2022 and "jarva" not in bodies_2022
    jarva = next(row for row in in_2024.context["rows"] if row.body.slug == "jarva")
    assert jarva.met_count == 2
    html = text_of(in_2024)
    assert detail_url(records["a_confidential"]) in html
    assert reverse("programme:duty-overview", kwargs={"year": 2023}) in html


@pytest.mark.parametrize("year", [1999, 2200])
def test_overview_for_a_year_outside_the_range_answers_404(cast: Cast, year: int):
    assert client_for(cast, "slk").get(overview_url(year)).status_code == 404


# --- Fixed numbers of queries --------------------------------------------------------------


def add_duty_records(body: Body, count: int) -> None:
    """``count`` records of ``body``, one per year and duty, bypassing the year rule."""
    pairs = [(year, kind) for year in range(1900, 2100) for kind in DutyKind.values]
    levels = list(Confidentiality.values)
    DutyRecord.objects.bulk_create(
        DutyRecord(
            body=body,
            year=year,
            duty=kind,
            status=DutyStatus.MET,
            confidentiality=levels[index % 3],
            person_name="Namn",
        )
        for index, (year, kind) in enumerate(pairs[:count])
    )


# A body's member reads its grants (one query); SLK reads every body by its role. The
# list reads the years with records, then the records of one page of them.
LIST_QUERIES = {"admin_a": 7, "reader_a": 7, "slk": 7}


@pytest.mark.parametrize("persona", sorted(LIST_QUERIES))
@pytest.mark.parametrize("count", [10, 1000])
def test_duty_list_costs_the_same_queries_at_10_and_1000_records(
    cast: Cast, django_assert_num_queries: Any, persona: str, count: int
):
    add_duty_records(cast.body_a, count)
    client = client_for(cast, persona)

    client.get(list_url(cast.body_a))  # warms Django's content-type cache

    with django_assert_num_queries(LIST_QUERIES[persona]):
        response = client.get(list_url(cast.body_a))

    assert response.status_code == 200
    records = response.context["records"]
    # Ten years a page at most (six duties a year), the newest first.
    assert len({record.year for record in records}) == min(10, -(-count // 6))
    assert len(records) <= 60


@pytest.mark.parametrize("persona", ["admin_a", "reader_a"])
def test_the_duty_list_shows_every_record_once_over_its_pages(cast: Cast, persona: str):
    add_duty_records(cast.body_a, 200)
    client = client_for(cast, persona)
    seen: list[tuple[int, str]] = []
    page = 1
    while True:
        response = client.get(list_url(cast.body_a), {"sida": page})
        seen += [(record.year, record.duty) for record in response.context["records"]]
        html = response.content.decode()
        assert f"Sida {page} av 4" in html
        if "Tidigare år</a>" not in html:
            break
        page += 1

    visible = DutyRecord.objects.filter(body=cast.body_a)
    if persona == "reader_a":
        visible = visible.exclude(confidentiality=Confidentiality.CONFIDENTIAL)
    assert page == 4
    assert sorted(seen) == sorted(visible.values_list("year", "duty"))
    assert len(seen) == len(set(seen))
    years = [year for year, _duty in seen]
    assert years == sorted(years, reverse=True)
    # A page past the last shows the last; one that is not a number, the first.
    assert client.get(list_url(cast.body_a), {"sida": 99}).context["years_page"].number == 4
    assert client.get(list_url(cast.body_a), {"sida": "x"}).context["years_page"].number == 1


# The year switch asks once which years have a programme version in force.
CHECKLIST_QUERIES = {"admin_a": 7, "reader_a": 7, "slk": 7}


@pytest.mark.parametrize("persona", sorted(CHECKLIST_QUERIES))
def test_checklist_reads_in_a_fixed_number_of_queries(
    cast: Cast, records: dict[str, DutyRecord], django_assert_num_queries: Any, persona: str
):
    client = client_for(cast, persona)

    client.get(checklist_url(cast.body_a))  # warms Django's content-type cache

    with django_assert_num_queries(CHECKLIST_QUERIES[persona]):
        response = client.get(checklist_url(cast.body_a))

    assert response.status_code == 200


def test_detail_reads_in_a_fixed_number_of_queries(
    cast: Cast, records: dict[str, DutyRecord], django_assert_num_queries: Any
):
    client = client_for(cast, "admin_a")

    client.get(detail_url(records["a_confidential"]))  # warms Django's content-type cache

    # One reads the user's grants (which also tell whether the user sees confidential
    # records, for the history); one writes the access log's row, as the record is
    # confidential; one reads the evidence files' history.
    with django_assert_num_queries(9):
        response = client.get(detail_url(records["a_confidential"]))

    assert response.status_code == 200


# With the year switch's one query for the years with a programme version in force.
OVERVIEW_QUERIES = 7


@pytest.mark.parametrize("extra_bodies", [0, 300])
def test_overview_costs_the_same_queries_with_many_bodies_and_records(
    cast: Cast, django_assert_num_queries: Any, extra_bodies: int
):
    bodies = Body.objects.bulk_create(
        Body(slug=f"extra-{n}", kind=BodyKind.COMPANY_BOARD, name=f"Bolag {n:04}")
        for n in range(extra_bodies)
    )
    DutyRecord.objects.bulk_create(
        DutyRecord(body=body, year=YEAR, duty=kind, status=DutyStatus.MET)
        for body in bodies
        for kind in DutyKind.values
    )
    client = client_for(cast, "slk")

    client.get(overview_url())  # warms Django's content-type cache

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get(overview_url())

    assert response.status_code == 200
    assert len(response.context["rows"]) == Body.objects.existing_in(YEAR).count()
    assert sum(row.met_count for row in response.context["rows"]) == 6 * extra_bodies


def test_a_member_of_an_ended_body_reads_its_last_years(cast: Cast):
    rinkeby = Body.objects.get(slug="rinkeby-kista")
    member = make_user("rinkeby_admin", "Rita", "Rinkeby")
    Membership.objects.create(user=member, body=rinkeby, role=BodyRole.ADMINISTRATOR)
    client = Client()
    client.force_login(member)

    assert client.get(checklist_url(rinkeby, 2023)).status_code == 200
    assert client.get(checklist_url(rinkeby, 2024)).status_code == 404
