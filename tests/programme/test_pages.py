"""The server-rendered pages: sign-in, Swedish by default, English on request, fixed queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from programme.models import (
    Body,
    BodyKind,
    FocusArea,
    FocusAreaSuccession,
    GlobalRole,
    GlobalRoleKind,
    GoalArea,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from programme.queries import bodies as body_queries
from programme.services.fixtures import LoadResult
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

PASSWORD = "ett-långt-lösenord-för-test"
SLUG_2018 = "trygghets-och-sakerhetsprogram-2018-2021"
SLUG_2013 = "trygghets-och-sakerhetsprogram-2013-2016"
SLUG_SECURITY_2020 = "sakerhetsprogram-2020-2023"
SLUG_SAFETY_2020 = "trygghetsprogram-2020-2023"
SLUG_SECURITY_REVISED = "sakerhetsprogram-2024"


@pytest.fixture
def official() -> User:
    """An official with nothing but an account."""
    return User.objects.create_user(
        username="anna", password=PASSWORD, first_name="Anna", last_name="Lind"
    )


@pytest.fixture
def signed_in(client: Client, official: User) -> Client:
    """A test client signed in as the official."""
    client.force_login(official)
    return client


def page_urls() -> list[str]:
    """Every page, for the checks that hold on all of them."""
    return [
        reverse("start"),
        reverse("programme:list"),
        reverse("programme:detail", kwargs={"slug": SLUG_2018}),
        reverse("programme:body-list"),
    ]


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


# Sign-in and sign-out


@pytest.mark.parametrize("url", page_urls())
def test_anonymous_visitor_is_sent_to_sign_in(client: Client, loaded_data: LoadResult, url: str):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_sign_in_page_is_swedish_with_labelled_fields(client: Client):
    response = client.get(reverse("login"))

    html = text_of(response)
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "<title>Logga in – " in html
    assert '<label for="id_username">Användarnamn</label>' in html
    assert '<label for="id_password">Lösenord</label>' in html


def test_wrong_password_is_announced_and_signs_nobody_in(client: Client, official):
    response = client.post(reverse("login"), {"username": "anna", "password": "fel"})

    html = text_of(response)
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Du kunde inte loggas in" in html
    assert "_auth_user_id" not in client.session


def test_missing_field_is_announced_next_to_the_field(client: Client, official):
    response = client.post(reverse("login"), {"username": "anna", "password": ""})

    html = text_of(response)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_password_error"' in html
    assert 'id="id_password_error"' in html


def test_signing_in_leads_to_the_start_page(client: Client, official, loaded_data: LoadResult):
    response = client.post(
        reverse("login"), {"username": "anna", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("start")
    html = text_of(response)
    assert "Inloggad som Anna Lind" in html
    assert "Gällande program" in html


def test_signing_out_takes_a_post_and_ends_the_session(signed_in: Client):
    assert signed_in.get(reverse("logout")).status_code == 405

    response = signed_in.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert signed_in.get(reverse("start")).status_code == 302


# The layout


@pytest.mark.parametrize("url", page_urls())
def test_every_page_has_skip_link_landmarks_and_sign_out(
    signed_in: Client, loaded_data: LoadResult, url: str
):
    html = text_of(signed_in.get(url))

    assert '<a class="skip-link" href="#main">Hoppa till huvudinnehållet</a>' in html
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html
    assert f'action="{reverse("logout")}" method="post"' in html
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert "<script" not in html
    assert " style=" not in html


def test_page_titles_are_unique(signed_in: Client, loaded_data: LoadResult):
    titles = [
        re.search(r"<title>(.*?)</title>", text_of(signed_in.get(url))).group(1)  # type: ignore[union-attr]
        for url in page_urls()
    ]

    assert len(set(titles)) == len(titles)


# The pages in Swedish and English


def test_programme_page_shows_the_2018_programme_in_swedish(
    signed_in: Client, loaded_data: LoadResult
):
    response = signed_in.get(reverse("programme:detail", kwargs={"slug": SLUG_2018}))

    html = text_of(response)
    programme = response.context["programme"]
    assert len(programme.goal_areas.all()) == 4
    assert len(programme.focus_areas.all()) == 5
    assert '<h2 id="goal-areas-heading">Målområden</h2>' in html
    assert '<h2 id="focus-areas-heading">Fokusområden</h2>' in html
    for name in (
        "Individens trygghet och säkerhet",
        "Stadens funktionalitet",
        "Miljö och egendom",
        "Grundläggande värden",
        "1. Förebygga olyckor",
        "5. Bygga ett gott säkerhetsskydd",
    ):
        assert name in html
    assert "<dt>Diarienummer</dt> <dd>171-1309/2017</dd>" in html
    assert "Antaget av kommunfullmäktige 2018" in html
    assert "Dokumenten ger ingen beskrivning av det här fokusområdet." in html


def test_programme_page_links_to_earlier_and_later_versions(
    signed_in: Client, loaded_data: LoadResult
):
    html = text_of(signed_in.get(reverse("programme:detail", kwargs={"slug": SLUG_2018})))

    for slug in (SLUG_2013, SLUG_SECURITY_2020, SLUG_SAFETY_2020):
        assert f'href="{reverse("programme:detail", kwargs={"slug": slug})}"' in html


def test_focus_area_links_to_where_its_content_went_and_back(
    signed_in: Client, loaded_data: LoadResult
):
    successor = FocusArea.objects.get(programme__slug=SLUG_SECURITY_2020, number=4)
    anchor = f"{successor.programme.get_absolute_url()}#fokusomrade-{successor.position}"

    earlier = text_of(signed_in.get(reverse("programme:detail", kwargs={"slug": SLUG_2018})))
    later = text_of(signed_in.get(successor.programme.get_absolute_url()))

    assert f'href="{anchor}"' in earlier
    assert f'id="fokusomrade-{successor.position}"' in later
    assert "Varifrån innehållet kommer" in later
    assert f'href="{reverse("programme:detail", kwargs={"slug": SLUG_2018})}#fokusomrade-1"' in (
        later
    )


def test_revised_security_programme_shows_its_descriptions(
    signed_in: Client, loaded_data: LoadResult
):
    response = signed_in.get(reverse("programme:detail", kwargs={"slug": SLUG_SECURITY_REVISED}))

    html = text_of(response)
    assert len(response.context["programme"].focus_areas.all()) == 4
    assert "<h4>Beskrivning</h4>" in html
    assert "Ingen senare version ersätter den här." in html
    assert "Från 2024 och tills vidare" in html


def test_unknown_programme_is_not_found(signed_in: Client, loaded_data: LoadResult):
    response = signed_in.get(reverse("programme:detail", kwargs={"slug": "finns-inte"}))

    assert response.status_code == 404
    assert "<h1>Sidan finns inte</h1>" in text_of(response)


def test_version_without_known_adoption_date_says_so(signed_in: Client, loaded_data: LoadResult):
    response = signed_in.get(reverse("programme:detail", kwargs={"slug": SLUG_2013}))

    html = text_of(response)
    assert "Dokumenten anger inte när det antogs." in html
    assert "Den här versionen ersätter ingen tidigare version." in html


def test_admin_speaks_swedish(client: Client, admin_user: User):
    GlobalRole.objects.create(user=admin_user, role=GlobalRoleKind.SYSTEM_ADMINISTRATOR)
    client.force_login(admin_user)

    html = text_of(client.get(reverse("admin:index")))

    for label in ("Systemadministration", "Användare", "Medlemskap", "Globala roller"):
        assert label in html


def test_body_list_shows_mergers_as_history(signed_in: Client, loaded_data: LoadResult):
    response = signed_in.get(reverse("programme:body-list"))

    html = text_of(response)
    districts = next(
        group for group in response.context["groups"] if group.kind == BodyKind.DISTRICT_COMMITTEE
    )
    active = {body.name for body in districts.active}
    former = {body.name for body in districts.former}
    assert "Järva stadsdelsnämnd" in active
    assert {"Rinkeby-Kista stadsdelsnämnd", "Spånga-Tensta stadsdelsnämnd"} <= former
    assert len(active) == 11
    assert '<h2 id="grupp-district_committee">Stadsdelsnämnder</h2>' in html
    assert "<h3>Tidigare</h3>" in html
    jarva = Body.objects.get(name="Järva stadsdelsnämnd")
    assert jarva.valid_from == datetime.date(2023, 7, 1)
    for predecessor in jarva.predecessors.all():
        assert f'<a href="#namnd-{predecessor.slug}">{predecessor.name}</a>' in html
    assert "1 juli 2023" in html


def test_browser_language_alone_does_not_turn_the_site_english(
    signed_in: Client, loaded_data: LoadResult
):
    response = signed_in.get(
        reverse("programme:detail", kwargs={"slug": SLUG_2018}), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Målområden" in text_of(response)


def test_language_switch_turns_the_pages_english(signed_in: Client, loaded_data: LoadResult):
    url = reverse("programme:detail", kwargs={"slug": SLUG_2018})

    switched = signed_in.post(reverse("set_language"), {"language": "en", "next": url})
    response = signed_in.get(url)

    assert switched.status_code == 302
    assert switched["Location"] == url
    html = text_of(response)
    assert '<html lang="en">' in html
    assert '<h2 id="goal-areas-heading">Goal areas</h2>' in html
    assert '<h2 id="focus-areas-heading">Focus areas</h2>' in html
    assert "Adopted by the city council in 2018" in html
    assert "Målområden" not in html


def test_language_switch_works_before_sign_in(client: Client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    html = text_of(client.get(reverse("login")))

    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html


# Query counts: every page reads in a fixed number of queries, however many rows it shows.

# Four queries of every signed-in request: the session and the user, and for the
# navigation the user's global roles (read with the grants) and memberships
# (programme.context_processors).
QUERIES_PER_REQUEST = 4
PAGE_QUERIES = {
    # the deadlines, the versions in force (a user without a role: each role's reads are
    # pinned in test_start_page.py)
    "start": QUERIES_PER_REQUEST + 2,
    # the versions, each joined to the version it supersedes
    "list": QUERIES_PER_REQUEST + 1,
    # the version and what it supersedes; later versions; goal areas; focus areas; their
    # goal areas; where their content went; where it came from
    "detail": QUERIES_PER_REQUEST + 7,
    # the bodies; their predecessors; their successors (the per-body links follow the
    # grants read with the roles)
    "body-list": QUERIES_PER_REQUEST + 3,
}


def url_for(page: str) -> str:
    """The address of one of the pages in PAGE_QUERIES."""
    if page == "start":
        return reverse("start")
    if page == "detail":
        return reverse("programme:detail", kwargs={"slug": SLUG_2018})
    return reverse(f"programme:{page}")


def add_many_rows(count: int) -> None:
    """Add versions, goal and focus areas, successions and bodies to every page."""
    base = Programme.objects.get(slug=SLUG_2018)
    sources = list(base.focus_areas.all())
    for index in range(count):
        programme = Programme.objects.create(
            slug=f"extra-{index}",
            name=f"Extra version {index}",
            kind=ProgrammeKind.SECURITY,
            first_year=2030 + index,
            status=ProgrammeStatus.ADOPTED,
            supersedes=base,
        )
        goal_areas = [
            GoalArea.objects.create(programme=programme, position=position, name=f"Mål {position}")
            for position in range(1, 4)
        ]
        for position, source in enumerate(sources, start=1):
            focus_area = FocusArea.objects.create(
                programme=programme,
                number=position,
                position=position,
                title=f"Fokus {position}",
                description="Text",
            )
            focus_area.goal_areas.set(goal_areas)
            FocusAreaSuccession.objects.create(source=source, successor=focus_area, note="Del")
            FocusAreaSuccession.objects.create(source=focus_area, note="Vidare till annat")
        new_body = Body.objects.create(
            slug=f"extra-body-{index}",
            kind=BodyKind.SPECIALIST_COMMITTEE,
            name=f"Extranämnd {index}",
            valid_from=datetime.date(2030, 1, 1),
        )
        old_body = Body.objects.create(
            slug=f"extra-old-body-{index}",
            kind=BodyKind.COMPANY_BOARD,
            name=f"Gammal styrelse {index}",
            valid_to=datetime.date(2019, 12, 31),
        )
        new_body.predecessors.add(old_body)


@pytest.mark.parametrize("page", sorted(PAGE_QUERIES))
def test_page_reads_in_a_fixed_number_of_queries(
    signed_in: Client, loaded_data: LoadResult, django_assert_num_queries: Any, page: str
):
    with django_assert_num_queries(PAGE_QUERIES[page]):
        response = signed_in.get(url_for(page))

    assert response.status_code == 200


@pytest.mark.parametrize("page", sorted(PAGE_QUERIES))
def test_page_queries_do_not_grow_with_more_rows(
    signed_in: Client, loaded_data: LoadResult, django_assert_num_queries: Any, page: str
):
    add_many_rows(6)

    with django_assert_num_queries(PAGE_QUERIES[page]):
        response = signed_in.get(url_for(page))

    assert response.status_code == 200
    if page == "detail":
        assert len(response.context["programme"].superseded_by.all()) == 2 + 6


def test_body_counts_as_current_through_its_last_day() -> None:
    ending = Body.objects.create(
        slug="slutar",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name="Slutande stadsdelsnämnd",
        valid_to=datetime.date(2023, 6, 30),
    )

    on_last_day = body_queries.bodies_by_kind(today=datetime.date(2023, 6, 30))
    day_after = body_queries.bodies_by_kind(today=datetime.date(2023, 7, 1))

    assert on_last_day[0].active == [ending]
    assert day_after[0].former == [ending]


def test_body_list_is_in_swedish_alphabetical_order(signed_in: Client, db: None):
    for slug, name in [
        ("osterby", "Österby AB"),
        ("angby", "Ängby AB"),
        ("akersberga", "Åkersberga AB"),
        ("zeta", "Zeta AB"),
        ("eriksberg", "Ériksberg AB"),
        ("alfa", "alfa AB"),
    ]:
        Body.objects.create(slug=slug, kind=BodyKind.COMPANY_BOARD, name=name)

    response = signed_in.get(reverse("programme:body-list"))

    companies = next(
        group for group in response.context["groups"] if group.kind == BodyKind.COMPANY_BOARD
    )
    assert [body.name for body in companies.active] == [
        "alfa AB",
        "Ériksberg AB",
        "Zeta AB",
        "Åkersberga AB",
        "Ängby AB",
        "Österby AB",
    ]


def test_body_list_links_to_the_duties_of_exactly_the_bodies_one_may_read(
    client: Client, cast: Cast
):
    def duty_links(persona: str) -> set[str]:
        client.force_login(cast.by_name(persona))
        html = text_of(client.get(reverse("programme:body-list")))
        return set(re.findall(r'href="/namnder/([^/"]+)/uppdrag/"', html))

    assert duty_links("admin_a") == {"jarva"}
    assert duty_links("reader_a") == {"jarva"}
    assert duty_links("admin_b") == {"skarholmen"}
    assert duty_links("official") == set()
    assert duty_links("slk") == set(Body.objects.values_list("slug", flat=True))


def test_the_start_page_lists_the_versions_in_force_this_year_by_the_lineage_rule(
    signed_in: Client, loaded_data: LoadResult, monkeypatch: pytest.MonkeyPatch
):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2022, 6, 1))
    in_2022 = text_of(signed_in.get(reverse("start")))
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 6, 1))
    in_2026 = text_of(signed_in.get(reverse("start")))

    assert "Gällande program 2022" in in_2022
    # In 2022 both versions of 2020 are in force, and the 2018 version they replaced is not.
    assert "Stockholms stads trygghetsprogram 2020–2023" in in_2022
    assert "Stockholms stads säkerhetsprogram 2020–2023" in in_2022
    assert "2018–2021" not in in_2022
    # The säkerhetsprogram of 2024 supersedes the säkerhetsprogram only: the
    # trygghetsprogram, past its last year but superseded by nothing, is still in force.
    assert "Gällande program 2026" in in_2026
    assert "Stockholms stads trygghetsprogram 2020–2023" in in_2026
    assert "Stockholms stads säkerhetsprogram 2020–2023" not in in_2026
    assert "Stockholms stads säkerhetsprogram</a>" in signed_in.get(reverse("start")).text
