"""The user's own page and the navigation by role: each persona sees what its role allows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from programme.models import Body, BodyKind, BodyRole, GlobalRole, GlobalRoleKind, Membership
from programme.views.account import account
from tests.conftest import Cast

YEAR = timezone.localdate().year
# The session and the user, then the user's global roles and memberships, read once
# for the navigation and the page together.
ACCOUNT_QUERIES = 4
# The account page also reads the user's notification settings.
ACCOUNT_PAGE_QUERIES = ACCOUNT_QUERIES + 1


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def page_for(cast: Cast, persona: str, url: str | None = None) -> str:
    """The page at ``url`` (the account page by default) as ``persona`` sees it."""
    client = Client()
    client.force_login(cast.by_name(persona))
    response = client.get(url or reverse("programme:account"))
    assert response.status_code == 200
    return text_of(response)


def nav_of(html: str) -> str:
    """The main menu of a page."""
    match = re.search(r'<nav class="site-nav".*?</nav>', html)
    assert match, html
    return match.group(0)


def checklist_url(body: Body) -> str:
    return reverse("programme:duty-checklist", kwargs={"slug": body.slug, "year": YEAR})


# The account page


def test_account_page_names_the_user(cast: Cast):
    html = page_for(cast, "admin_a")

    assert "<h1>Mitt konto</h1>" in html
    assert "<dd>Amira Järvaadministratör</dd>" in html
    assert "<dd>admin_a</dd>" in html
    assert "<title>Mitt konto – " in html


def test_administrator_sees_the_body_what_the_role_allows_and_its_duties(cast: Cast):
    html = page_for(cast, "admin_a")

    assert '<th scope="row">Järva stadsdelsnämnd</th>' in html
    assert "<td>Administratör</td>" in html
    assert "Ändrar nämndens uppgifter och ser även de sekretessbelagda." in html
    assert f'href="{checklist_url(cast.body_a)}"' in html
    assert f'href="{reverse("programme:duty-list", kwargs={"slug": cast.body_a.slug})}"' in html
    assert "Skärholmen" not in html
    assert "Du har ingen roll ännu" not in html


def test_reader_is_told_confidential_records_stay_hidden(cast: Cast):
    html = page_for(cast, "reader_a")

    assert "<td>Läsare</td>" in html
    assert "Läser nämndens uppgifter, utom de sekretessbelagda." in html
    assert "Ändrar nämndens uppgifter" not in html
    assert f'href="{checklist_url(cast.body_a)}"' in html


def test_slk_reviewer_is_led_to_the_overview_and_the_maintenance_pages(cast: Cast):
    html = page_for(cast, "slk")

    assert "<h3>Granskare på stadsledningskontoret</h3>" in html
    assert "Du läser alla nämnders uppgifter" in html
    assert f'href="{reverse("programme:duty-overview", kwargs={"year": YEAR})}"' in html
    assert f"Alla nämnders uppdrag {YEAR}" in html
    for name in ("programme-create", "body-create", "body-merge"):
        assert f'href="{reverse(f"programme:{name}")}"' in html, name
    assert "Dina nämnder och styrelser" not in html


def test_official_reads_the_programme(cast: Cast):
    html = page_for(cast, "official")

    assert "<h3>Tjänsteperson</h3>" in html
    assert "Du läser programmet och de publicerade allmänna rapporterna." in html
    assert "Dina nämnder och styrelser" not in html
    assert reverse("admin:index") not in html


def test_system_administrator_is_led_to_the_admin(cast: Cast):
    html = page_for(cast, "sysadmin")

    assert "<h3>Systemadministratör</h3>" in html
    assert f'<a href="{reverse("admin:index")}">Systemadministration</a>' in html
    assert "Som systemadministratör ser du inga nämnders uppgifter." in html


def test_user_without_a_role_is_told_so_and_whom_to_ask(cast: Cast):
    html = page_for(cast, "no_role")

    assert '<h2 id="no-role-heading">Du har ingen roll ännu</h2>' in html
    assert "Be en systemadministratör på stadsledningskontoret" in html
    assert "Dina roller" not in html
    assert "Dina nämnder och styrelser" not in html


def test_member_of_several_bodies_sees_each_with_its_own_role(cast: Cast):
    Membership.objects.create(user=cast.admin_a, body=cast.body_b, role=BodyRole.READER)

    html = page_for(cast, "admin_a")

    rows = re.findall(r'<th scope="row">(.*?)</th> <td>(.*?)</td>', html)
    assert rows == [
        ("Järva stadsdelsnämnd", "Administratör"),
        ("Skärholmens stadsdelsnämnd", "Läsare"),
    ]


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None):
    url = reverse("programme:account")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


# The navigation by role

EVERYONE = (
    "Start",
    "Programversioner",
    "Nämnder och bolagsstyrelser",
    "Rapporter",
    "Mitt konto",
)


@pytest.mark.parametrize(
    ("persona", "extra"),
    [
        (
            "admin_a",
            ["Uppdrag: Järva stadsdelsnämnd", "Verksamhetsplan: Järva stadsdelsnämnd", "Remisser"],
        ),
        (
            "reader_a",
            ["Uppdrag: Järva stadsdelsnämnd", "Verksamhetsplan: Järva stadsdelsnämnd", "Remisser"],
        ),
        (
            "admin_b",
            [
                "Uppdrag: Skärholmens stadsdelsnämnd",
                "Verksamhetsplan: Skärholmens stadsdelsnämnd",
                "Remisser",
            ],
        ),
        ("slk", ["Alla nämnders uppdrag", "Uppföljning", "Åtkomstlogg", "Remisser"]),
        ("official", []),
        ("no_role", []),
        ("sysadmin", ["Systemadministration", "Åtkomstlogg"]),
    ],
)
def test_navigation_shows_what_the_role_allows(cast: Cast, persona: str, extra: list[str]):
    nav = nav_of(page_for(cast, persona, reverse("start")))

    entries = re.findall(r"<a [^>]*>(.*?)</a>", nav)
    assert sorted(entries) == sorted([*EVERYONE, *extra])


def test_navigation_links_members_to_this_years_checklist(cast: Cast):
    nav = nav_of(page_for(cast, "reader_a", reverse("start")))

    assert f'<a href="{checklist_url(cast.body_a)}">Uppdrag: Järva stadsdelsnämnd</a>' in nav


def test_navigation_marks_the_account_page_as_current(cast: Cast):
    nav = nav_of(page_for(cast, "official"))

    assert f'<a href="{reverse("programme:account")}" aria-current="page">Mitt konto</a>' in nav


# Query counts


def many_memberships(cast: Cast, count: int) -> None:
    """Make admin_a a member of ``count`` more bodies and give it every global role."""
    for index in range(count):
        body = Body.objects.create(
            slug=f"extra-{index}", kind=BodyKind.COMPANY_BOARD, name=f"Extra AB {index}"
        )
        Membership.objects.create(user=cast.admin_a, body=body, role=BodyRole.READER)
    for role in GlobalRoleKind.values:
        GlobalRole.objects.create(user=cast.admin_a, role=role)


def test_account_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any
):
    client = Client()
    client.force_login(cast.admin_a)

    with django_assert_num_queries(ACCOUNT_PAGE_QUERIES):
        response = client.get(reverse("programme:account"))

    assert response.status_code == 200


def test_account_page_queries_do_not_grow_with_memberships_and_roles(
    cast: Cast, django_assert_num_queries: Any
):
    many_memberships(cast, 8)
    client = Client()
    client.force_login(cast.admin_a)

    with django_assert_num_queries(ACCOUNT_PAGE_QUERIES):
        response = client.get(reverse("programme:account"))

    assert len(response.context["roles"].memberships) == 9
    assert "Extra AB 7" in text_of(response)


def test_navigation_queries_do_not_grow_with_memberships(
    cast: Cast, django_assert_num_queries: Any
):
    client = Client()
    client.force_login(cast.admin_a)
    # A page whose own read (the versions) is the same for every role; the start page
    # reads more for each role the user holds (tests/programme/test_start_page.py).
    with django_assert_num_queries(ACCOUNT_QUERIES + 1) as few:
        client.get(reverse("programme:list"))
    many_memberships(cast, 8)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("programme:list"))

    assert text_of(response).count("Uppdrag: Extra AB") == 8


# Messages


def test_messages_are_shown_in_a_status_region(cast: Cast):
    request = RequestFactory().get(reverse("programme:account"))
    request.user = cast.admin_a
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.success(request, "Uppgiften är sparad.")

    html = re.sub(r"\s+", " ", account(request).content.decode())

    assert (
        '<div class="messages" role="status"> <ul> '
        '<li class="message message-success">Uppgiften är sparad.</li>'
    ) in html


def test_page_without_messages_has_no_status_region(cast: Cast):
    assert 'role="status"' not in page_for(cast, "admin_a")


def test_a_member_of_a_body_that_has_ended_is_led_to_its_duties_of_every_year(
    client: Client, cast: Cast
):
    ended = Body.objects.get(slug="rinkeby-kista")
    Membership.objects.create(user=cast.no_role, body=ended, role=BodyRole.READER)
    client.force_login(cast.no_role)

    page = client.get(reverse("programme:account")).content.decode()
    every_year = reverse("programme:duty-list", kwargs={"slug": "rinkeby-kista"})
    this_year = reverse(
        "programme:duty-checklist",
        kwargs={"slug": "rinkeby-kista", "year": timezone.localdate().year},
    )

    assert f'href="{every_year}"' in page
    assert f'href="{this_year}"' not in page
    assert client.get(every_year).status_code == 200
