"""SLK's maintenance pages: programme versions, goal and focus areas, bodies and merges."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Body,
    BodyKind,
    FocusArea,
    GoalArea,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from programme.services import maintenance
from tests.conftest import PERSONAS, Cast

pytestmark = pytest.mark.django_db

SLUG_2018 = "trygghets-och-sakerhetsprogram-2018-2021"
SLUG_SECURITY_2020 = "sakerhetsprogram-2020-2023"
SLUG_SECURITY_2024 = "sakerhetsprogram-2024"
MERGE_DATE = datetime.date(2027, 1, 1)

MAINTENANCE_URL_NAMES = (
    "programme-create",
    "programme-edit",
    "focus-area-create",
    "focus-area-edit",
    "body-create",
    "body-edit",
    "body-merge",
)


def url_of(name: str) -> str:
    """The address of one maintenance page, on a real version, focus area or body."""
    if name in ("programme-edit", "focus-area-create"):
        return reverse(f"programme:{name}", kwargs={"slug": SLUG_2018})
    if name == "focus-area-edit":
        focus_area = FocusArea.objects.filter(programme__slug=SLUG_2018).order_by("position")[0]
        return reverse(f"programme:{name}", kwargs={"pk": focus_area.pk})
    if name == "body-edit":
        return reverse(f"programme:{name}", kwargs={"slug": "bromma"})
    return reverse(f"programme:{name}")


def client_for(cast: Cast, persona: str) -> Client:
    """A client signed in as ``persona`` (anonymous: not signed in)."""
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.by_name(persona))
    return client


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def snapshot() -> list[list[dict[str, Any]]]:
    """Every row the maintenance services may write, history included."""
    models: list[Any] = [
        Programme,
        GoalArea,
        FocusArea,
        FocusArea.goal_areas.through,
        Body,
        Body.predecessors.through,
        Programme.history.model,
        GoalArea.history.model,
        FocusArea.history.model,
        Body.history.model,
    ]
    return [list(model._default_manager.order_by("pk").values()) for model in models]


def programme_data(programme: Programme | None = None, **changes: str) -> dict[str, str]:
    """The programme form as posted: a new version, or ``programme`` as stored."""
    if programme is None:
        data = {
            "name": "Stockholms stads trygghetsprogram 2028–2031",
            "slug": "trygghetsprogram-2028-2031",
            "subtitle": "",
            "kind": ProgrammeKind.SAFETY,
            "first_year": "2028",
            "last_year": "2031",
            "registration_number": "KS 2027/123",
            "adopted_on": "",
            "adopted_year": "",
            "adopted_by": "",
            "status": ProgrammeStatus.DRAFT,
            "supersedes": "",
            "summary": "Ett utkast.",
            "goal_areas": "Trygga offentliga miljöer\nStarka lokalsamhällen",
            "version": "0",
        }
    else:
        data = {
            "name": programme.name,
            "slug": programme.slug,
            "subtitle": programme.subtitle,
            "kind": programme.kind,
            "first_year": str(programme.first_year),
            "last_year": str(programme.last_year or ""),
            "registration_number": programme.registration_number,
            "adopted_on": programme.adopted_on.isoformat() if programme.adopted_on else "",
            "adopted_year": str(programme.adopted_year or ""),
            "adopted_by": programme.adopted_by,
            "status": programme.status,
            "supersedes": str(programme.supersedes_id or ""),
            "summary": programme.summary,
            "goal_areas": "\n".join(
                programme.goal_areas.order_by("position").values_list("name", flat=True)
            ),
            "version": str(Programme.objects.get(pk=programme.pk).version),
        }
    data.update(changes)
    return data


def focus_area_data(focus_area: FocusArea | None = None, **changes: Any) -> dict[str, Any]:
    """The focus area form as posted, opened on ``focus_area`` as stored (or a new one)."""
    data: dict[str, Any] = {
        "version": str(FocusArea.objects.get(pk=focus_area.pk).version) if focus_area else "0",
        "number": "",
        "position": "",
        "title": "Förebygga otillåten påverkan",
        "description": "Beskrivning.",
        "goals": "Mål.",
        "working_methods": "Arbetssätt.",
        "goal_areas": [],
    }
    data.update(changes)
    return data


def body_data(body: Body | None = None, **changes: Any) -> dict[str, Any]:
    """The body form as posted: a new body, or ``body`` as stored."""
    if body is None:
        data: dict[str, Any] = {
            "kind": BodyKind.SPECIALIST_COMMITTEE,
            "name": "Trygghetsnämnden",
            "slug": "trygghetsnamnden",
            "administration_name": "Trygghetsförvaltningen",
            "valid_from": "2026-01-01",
            "valid_to": "",
            "predecessors": [],
            "version": "0",
        }
    else:
        data = {
            "kind": body.kind,
            "name": body.name,
            "slug": body.slug,
            "administration_name": body.administration_name,
            "valid_from": body.valid_from.isoformat() if body.valid_from else "",
            "valid_to": body.valid_to.isoformat() if body.valid_to else "",
            "predecessors": [str(pk) for pk in body.predecessors.values_list("pk", flat=True)],
            "version": str(Body.objects.get(pk=body.pk).version),
        }
    data.update(changes)
    return data


def merge_data(*slugs: str, **changes: Any) -> dict[str, Any]:
    """The merge form as posted: ``slugs`` merged into a new district committee."""
    data: dict[str, Any] = {
        "bodies": [str(Body.objects.get(slug=slug).pk) for slug in slugs],
        "date": MERGE_DATE.isoformat(),
        "kind": BodyKind.DISTRICT_COMMITTEE,
        "name": "Bromma-Kungsholmens stadsdelsnämnd",
        "slug": "bromma-kungsholmen",
        "administration_name": "Bromma-Kungsholmens stadsdelsförvaltning",
    }
    data.update(changes)
    return data


@pytest.fixture
def slk_client(cast: Cast) -> Client:
    """A client signed in as the SLK reviewer."""
    return client_for(cast, "slk")


# --- Programme versions and goal areas ---------------------------------------------------


def test_slk_creates_a_programme_version_with_its_goal_areas(slk_client: Client, cast: Cast):
    response = slk_client.post(reverse("programme:programme-create"), programme_data())

    programme = Programme.objects.get(slug="trygghetsprogram-2028-2031")
    assert response.status_code == 302
    assert response["Location"] == programme.get_absolute_url()
    assert programme.name == "Stockholms stads trygghetsprogram 2028–2031"
    assert programme.registration_number == "KS 2027/123"
    assert list(programme.goal_areas.order_by("position").values_list("name", flat=True)) == [
        "Trygga offentliga miljöer",
        "Starka lokalsamhällen",
    ]
    assert programme.history.get().history_user == cast.slk
    page = slk_client.get(response["Location"])
    assert "Programversionen Stockholms stads trygghetsprogram 2028–2031 skapades." in text_of(page)


def test_slk_edits_a_version_and_its_history_shows_who_and_when(slk_client: Client):
    programme = Programme.objects.get(slug=SLUG_SECURITY_2024)
    url = reverse("programme:programme-edit", kwargs={"slug": programme.slug})

    response = slk_client.post(
        url, programme_data(programme, registration_number="KS 2023/999", last_year="2027")
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.registration_number, programme.last_year) == ("KS 2023/999", 2027)
    page = text_of(slk_client.get(url))
    assert '<h2 id="history-heading">Historik</h2>' in page
    assert "Sara Stadsledningskontoret" in page
    assert "KS 2023/999" in page
    today = timezone.localdate().isoformat()
    assert f'<time datetime="{today}' in page


def test_renaming_a_goal_area_keeps_its_focus_areas_and_removing_one_drops_it(
    slk_client: Client,
):
    programme = Programme.objects.get(slug=SLUG_2018)
    first, second, *rest = programme.goal_areas.order_by("position")
    focus_area = programme.focus_areas.order_by("position")[0]
    focus_area.goal_areas.add(first, second)
    lines = ["Nytt namn", *(area.name for area in rest)]

    response = slk_client.post(
        reverse("programme:programme-edit", kwargs={"slug": SLUG_2018}),
        programme_data(programme, goal_areas="\n".join(lines)),
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.name == "Nytt namn"
    assert list(focus_area.goal_areas.all()) == [first]
    assert not GoalArea.objects.filter(pk=second.pk).exists()
    assert list(programme.goal_areas.order_by("position").values_list("name", flat=True)) == lines


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"last_year": "2017"},
            "last_year",
            "Det sista året kan inte komma före det första året.",
        ),
        ({"first_year": "1800"}, "first_year", None),
        ({"adopted_on": "2018-03-01", "adopted_year": "2018"}, "adopted_year", None),
        ({"slug": SLUG_SECURITY_2020}, "slug", None),
        ({"first_year": "tvåtusen"}, "first_year", "Fyll i ett heltal."),
        ({"goal_areas": "Samma\nSamma"}, "goal_areas", "Målområdet ”Samma” anges två gånger."),
    ],
)
def test_model_rules_give_swedish_errors_and_change_nothing(
    slk_client: Client, changes: dict[str, str], field: str | None, message: str | None
):
    programme = Programme.objects.get(slug=SLUG_2018)
    before = snapshot()

    response = slk_client.post(
        reverse("programme:programme-edit", kwargs={"slug": SLUG_2018}),
        programme_data(programme, **changes),
    )

    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors()
    assert errors
    if message:
        assert message in errors
    page = text_of(response)
    assert "Inget sparades" in page
    if field:
        # The message is tied to its field for screen readers.
        assert f'id="id_{field}_error"' in page
        assert re.search(rf'aria-describedby="[^"]*id_{field}_error"', page)
    assert snapshot() == before


def test_a_version_cannot_supersede_itself_a_later_version_or_its_successor(
    slk_client: Client,
):
    version_2018 = Programme.objects.get(slug=SLUG_2018)
    version_2024 = Programme.objects.get(slug=SLUG_SECURITY_2024)
    url = reverse("programme:programme-edit", kwargs={"slug": SLUG_2018})
    before = snapshot()

    later = slk_client.post(url, programme_data(version_2018, supersedes=str(version_2024.pk)))
    circle = slk_client.post(
        url,
        programme_data(
            version_2018, first_year="2024", last_year="", supersedes=str(version_2024.pk)
        ),
    )
    itself = slk_client.post(url, programme_data(version_2018, supersedes=str(version_2018.pk)))

    assert "kan bara ersätta en version som börjar samma år eller tidigare" in " ".join(
        later.context["form"].errors["supersedes"]
    )
    assert "kommer redan efter den här versionen" in " ".join(
        circle.context["form"].errors["supersedes"]
    )
    # The form does not offer the version itself.
    assert itself.context["form"].errors["supersedes"]
    with pytest.raises(ValidationError):
        maintenance.update_programme(
            None, version_2018, version_2018.version, {"supersedes": version_2018}, ["Trygghet"]
        )
    assert snapshot() == before


# --- Focus areas -------------------------------------------------------------------------


def test_slk_creates_and_edits_a_focus_area_and_sees_its_history(slk_client: Client, cast: Cast):
    programme = Programme.objects.get(slug=SLUG_SECURITY_2024)
    goal_area = GoalArea.objects.create(programme=programme, position=1, name="Säkerhet")

    created = slk_client.post(
        reverse("programme:focus-area-create", kwargs={"slug": programme.slug}),
        focus_area_data(number="5", goal_areas=[str(goal_area.pk)]),
    )

    focus_area = FocusArea.objects.get(programme=programme, title="Förebygga otillåten påverkan")
    assert created.status_code == 302
    assert created["Location"] == (
        f"{programme.get_absolute_url()}#fokusomrade-{focus_area.position}"
    )
    assert focus_area.position == 5  # after the four the version had
    assert list(focus_area.goal_areas.all()) == [goal_area]

    url = reverse("programme:focus-area-edit", kwargs={"pk": focus_area.pk})
    edited = slk_client.post(
        url,
        focus_area_data(focus_area, number="5", position="5", goals="Nya mål.", goal_areas=[]),
    )

    assert edited.status_code == 302
    focus_area.refresh_from_db()
    assert focus_area.goals == "Nya mål."
    assert not focus_area.goal_areas.exists()
    entries = list(focus_area.history.order_by("history_date"))
    assert [entry.history_user for entry in entries] == [cast.slk, cast.slk]
    page = text_of(slk_client.get(url))
    assert "Sara Stadsledningskontoret" in page
    assert "Mål: Mål. → Nya mål." in page


def test_focus_area_refuses_a_taken_number_or_title_and_changes_nothing(slk_client: Client):
    programme = Programme.objects.get(slug=SLUG_SECURITY_2024)
    existing = programme.focus_areas.get(number=2)
    url = reverse("programme:focus-area-create", kwargs={"slug": programme.slug})
    before = snapshot()

    number = slk_client.post(url, focus_area_data(number="2"))
    title = slk_client.post(url, focus_area_data(title=existing.title))

    assert number.context["form"].errors["number"] == [
        "Ett annat fokusområde i den här versionen har redan nummer 2."
    ]
    assert title.context["form"].errors["title"] == [
        "Ett annat fokusområde i den här versionen har redan den här titeln."
    ]
    assert snapshot() == before


def test_focus_area_links_only_goal_areas_of_its_own_version(slk_client: Client):
    programme = Programme.objects.get(slug=SLUG_SECURITY_2024)
    foreign = GoalArea.objects.filter(programme__slug=SLUG_2018).first()
    assert foreign is not None
    before = snapshot()

    response = slk_client.post(
        reverse("programme:focus-area-create", kwargs={"slug": programme.slug}),
        focus_area_data(goal_areas=[str(foreign.pk)]),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["goal_areas"]
    with pytest.raises(ValidationError) as refused:
        maintenance.create_focus_area(None, programme, {"title": "Nytt"}, [foreign])
    assert refused.value.message_dict["goal_areas"] == [
        "Välj bara målområden i den här programversionen."
    ]
    assert snapshot() == before


# --- Bodies and merges -------------------------------------------------------------------


def test_slk_creates_and_edits_a_body_and_sees_its_history(slk_client: Client, cast: Cast):
    created = slk_client.post(reverse("programme:body-create"), body_data())

    body = Body.objects.get(slug="trygghetsnamnden")
    assert created.status_code == 302
    assert created["Location"] == f"{reverse('programme:body-list')}#namnd-trygghetsnamnden"

    url = reverse("programme:body-edit", kwargs={"slug": body.slug})
    predecessor = Body.objects.get(slug="bromma")
    edited = slk_client.post(
        url,
        body_data(body, administration_name="Stadsledningskontoret", predecessors=[predecessor.pk]),
    )

    assert edited.status_code == 302
    body.refresh_from_db()
    assert body.administration_name == "Stadsledningskontoret"
    assert list(body.predecessors.all()) == [predecessor]
    assert {entry.history_user for entry in body.history.all()} == {cast.slk}
    page = text_of(slk_client.get(url))
    assert "Sara Stadsledningskontoret" in page
    assert "Förvaltning: Trygghetsförvaltningen → Stadsledningskontoret" in page


def test_a_body_cannot_end_before_it_begins_or_follow_its_own_successor(slk_client: Client):
    jarva = Body.objects.get(slug="jarva")
    rinkeby = Body.objects.get(slug="rinkeby-kista")
    before = snapshot()

    backwards = slk_client.post(
        reverse("programme:body-edit", kwargs={"slug": "jarva"}),
        body_data(jarva, valid_to="2020-01-01"),
    )
    circle = slk_client.post(
        reverse("programme:body-edit", kwargs={"slug": "rinkeby-kista"}),
        body_data(rinkeby, predecessors=[str(jarva.pk)]),
    )

    assert backwards.status_code == 200
    assert backwards.context["form"].errors["valid_to"] == [
        "En nämnd kan inte upphöra innan den har bildats."
    ]
    assert "kom efter den här nämnden" in " ".join(circle.context["form"].errors["predecessors"])
    assert snapshot() == before


def test_slk_merges_two_district_committees_into_a_new_one(slk_client: Client, cast: Cast):
    response = slk_client.post(reverse("programme:body-merge"), merge_data("bromma", "kungsholmen"))

    successor = Body.objects.get(slug="bromma-kungsholmen")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('programme:body-list')}#namnd-bromma-kungsholmen"
    body_list = text_of(slk_client.get(response["Location"]))
    assert (
        "Bromma stadsdelsnämnd, Kungsholmens stadsdelsnämnd slogs samman till "
        "Bromma-Kungsholmens stadsdelsnämnd." in body_list
    )
    assert successor.valid_from == MERGE_DATE
    assert successor.valid_to is None
    assert successor.kind == BodyKind.DISTRICT_COMMITTEE
    assert successor.administration_name == "Bromma-Kungsholmens stadsdelsförvaltning"
    assert set(successor.predecessors.values_list("slug", flat=True)) == {"bromma", "kungsholmen"}
    day_before = MERGE_DATE - datetime.timedelta(days=1)
    for slug in ("bromma", "kungsholmen"):
        predecessor = Body.objects.get(slug=slug)
        assert predecessor.valid_to == day_before
        assert predecessor.history.latest("history_date").history_user == cast.slk
    assert {entry.history_user for entry in successor.history.all()} == {cast.slk}
    page = text_of(
        slk_client.get(reverse("programme:body-edit", kwargs={"slug": "bromma-kungsholmen"}))
    )
    assert "Sara Stadsledningskontoret" in page
    bromma_page = text_of(slk_client.get(reverse("programme:body-edit", kwargs={"slug": "bromma"})))
    assert "Gäller till: (tomt) → 31 december 2026" in bromma_page


def test_merge_page_says_memberships_are_not_moved(slk_client: Client):
    response = slk_client.get(reverse("programme:body-merge"))

    page = text_of(response)
    assert response.status_code == 200
    assert "Medlemskap flyttas inte vid en sammanslagning" in page
    assert "Systemadministratören ger behörighet till den nya nämnden." in page
    # Bodies that have ended cannot be merged again, so they are not offered.
    assert "Hägersten-Liljeholmens stadsdelsnämnd" not in page
    assert "Järva stadsdelsnämnd" in page


def test_merge_refuses_fewer_than_two_bodies_and_changes_nothing(slk_client: Client):
    before = snapshot()

    response = slk_client.post(reverse("programme:body-merge"), merge_data("bromma"))

    assert response.context["form"].errors["bodies"] == ["Välj minst två nämnder att slå samman."]
    assert snapshot() == before


def test_merge_refuses_a_body_that_had_ended_by_the_merge_date(slk_client: Client):
    Body.objects.filter(slug="kungsholmen").update(valid_to=datetime.date(2026, 12, 30))
    before = snapshot()

    response = slk_client.post(reverse("programme:body-merge"), merge_data("bromma", "kungsholmen"))

    assert response.status_code == 200
    assert response.context["form"].errors["bodies"] == [
        "Kungsholmens stadsdelsnämnd hade redan upphört 30 december 2026, före "
        "sammanslagningsdagen; välj nämnder som finns på sammanslagningsdagen."
    ]
    with pytest.raises(ValidationError):
        maintenance.merge_bodies(
            None,
            Body.objects.filter(slug__in=["bromma", "hagersten-liljeholmen"]),
            MERGE_DATE,
            merge_data("bromma"),
        )
    assert snapshot() == before


def test_merge_refuses_a_date_before_a_body_began(slk_client: Client):
    before = snapshot()

    response = slk_client.post(
        reverse("programme:body-merge"), merge_data("jarva", "bromma", date="2023-07-01")
    )

    assert response.context["form"].errors["bodies"] == [
        "Järva stadsdelsnämnd började 1 juli 2023; sammanslagningsdagen måste komma efter "
        "den dag en sammanslagen nämnd började."
    ]
    assert snapshot() == before


def test_merge_refuses_a_slug_that_exists_and_changes_nothing(slk_client: Client):
    before = snapshot()

    response = slk_client.post(
        reverse("programme:body-merge"), merge_data("bromma", "kungsholmen", slug="jarva")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["slug"]
    assert snapshot() == before


# --- Who may open the pages --------------------------------------------------------------


@pytest.mark.parametrize("name", MAINTENANCE_URL_NAMES)
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("slk", "anonymous")])
def test_everyone_but_slk_is_refused_every_maintenance_page(cast: Cast, persona: str, name: str):
    client = client_for(cast, persona)
    url = url_of(name)
    before = snapshot()

    assert client.get(url).status_code == 403
    assert client.post(url, merge_data("bromma", "kungsholmen")).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", MAINTENANCE_URL_NAMES)
def test_anonymous_visitor_is_sent_to_sign_in_from_every_maintenance_page(cast: Cast, name: str):
    client = Client()
    url = url_of(name)
    before = snapshot()

    for response in (client.get(url), client.post(url, merge_data("bromma", "kungsholmen"))):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert snapshot() == before


@pytest.mark.parametrize("name", MAINTENANCE_URL_NAMES)
def test_slk_opens_every_maintenance_page(slk_client: Client, name: str):
    response = slk_client.get(url_of(name))

    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_edit_links_are_shown_to_slk_reviewers_only(cast: Cast):
    pages = [
        reverse("programme:list"),
        reverse("programme:detail", kwargs={"slug": SLUG_2018}),
        reverse("programme:body-list"),
    ]
    for persona in ("slk", "admin_a", "official"):
        client = client_for(cast, persona)
        for page in pages:
            content = client.get(page).content.decode()
            assert ("/forvaltning/" in content) is (persona == "slk"), (persona, page)


def test_form_posted_after_the_session_ended_comes_back_after_signing_in(cast: Cast):
    client = Client()
    client.force_login(cast.slk)
    url = reverse("programme:body-create")
    client.get(url)
    # The session runs out on the server while the browser still holds the form.
    Session.objects.all().delete()
    client.post(url, body_data(name="Nämnden som nästan försvann"))

    client.force_login(cast.slk)
    response = client.get(url)

    assert response.context["form"]["name"].value() == "Nämnden som nästan försvann"
    assert not Body.objects.filter(name="Nämnden som nästan försvann").exists()


# --- Queries -----------------------------------------------------------------------------

# Every signed-in request: the session, the user, and for the navigation the user's
# global roles and memberships.
QUERIES_PER_REQUEST = 4
PAGE_QUERIES = {
    # programme versions to supersede
    "programme-create": QUERIES_PER_REQUEST + 1,
    # the version; its goal areas; the versions to supersede; its focus areas; its history
    "programme-edit": QUERIES_PER_REQUEST + 5,
    # the version; its goal areas
    "focus-area-create": QUERIES_PER_REQUEST + 2,
    # the focus area with its version; its goal areas; those of the version; its history
    "focus-area-edit": QUERIES_PER_REQUEST + 4,
    # the bodies to choose predecessors from
    "body-create": QUERIES_PER_REQUEST + 1,
    # the body; the bodies to choose from; its predecessors; its history; the predecessor
    # lists of its history entries
    "body-edit": QUERIES_PER_REQUEST + 5,
    # the bodies that can be merged
    "body-merge": QUERIES_PER_REQUEST + 1,
}


def add_rows(count: int) -> None:
    """More versions, goal and focus areas, bodies and history on every page.

    Each round also changes the body's predecessors, so its history gains entries whose
    changes name other bodies.
    """
    programme = Programme.objects.get(slug=SLUG_2018)
    focus_area = FocusArea.objects.filter(programme=programme).order_by("position")[0]
    body = Body.objects.get(slug="bromma")
    for index in range(count):
        other = Programme.objects.create(
            slug=f"extra-{index}", name=f"Extra {index}", kind=ProgrammeKind.SAFETY, first_year=2030
        )
        GoalArea.objects.create(programme=programme, position=100 + index, name=f"Extra {index}")
        FocusArea.objects.create(programme=programme, position=100 + index, title=f"Extra {index}")
        GoalArea.objects.create(programme=other, position=1, name="Extra")
        extra = Body.objects.create(
            slug=f"extra-{index}", name=f"Extra {index}", kind=BodyKind.COMPANY_BOARD
        )
        body.administration_name = f"Förvaltning {index}"
        body.save()
        body.predecessors.add(extra)
        programme.summary = f"Version {index}"
        programme.save()
        focus_area.goals = f"Version {index}"
        focus_area.save()
        focus_area.goal_areas.add(GoalArea.objects.get(programme=programme, name=f"Extra {index}"))


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_maintenance_page_reads_in_a_fixed_number_of_queries(
    slk_client: Client, django_assert_num_queries: Any, name: str
):
    url = url_of(name)
    with django_assert_num_queries(PAGE_QUERIES[name]):
        response = slk_client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_maintenance_page_queries_do_not_grow_with_more_rows(
    slk_client: Client, django_assert_num_queries: Any, name: str
):
    add_rows(5)
    url = url_of(name)
    # Once a body's history holds changed predecessor lists, one more query reads the
    # names of the bodies they list, however many entries there are.
    expected = PAGE_QUERIES[name] + (1 if name == "body-edit" else 0)

    with django_assert_num_queries(expected):
        response = slk_client.get(url)

    assert response.status_code == 200
