"""The account page's notification form: each person turns each kind on or off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from programme.models import Delivery, NotificationSettings
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

# The session, the user, the global roles, the memberships and the notification settings.
ACCOUNT_PAGE_QUERIES = 5


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(user: User) -> str:
    response = client_of(user).get(reverse("programme:account"))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons called ``name``."""
    return re.findall(rf'<input type="radio" name="{name}" value="(\w+)"[^>]* checked', html)


def options(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="radio" name="{name}" value="(\w+)"', html)


def post(user: User, **data: Any) -> Any:
    return client_of(user).post(reverse("programme:account"), data, follow=True)


def test_an_administrator_turns_returns_and_approvals_on_or_off(cast: Cast):
    html = page_of(cast.admin_a)

    assert '<h2 id="notifications-heading">E-postaviseringar</h2>' in html
    assert "När stadsledningskontoret återsänder en uppföljning från en nämnd som du är" in html
    assert checked(html, "follow_up_returned") == ["at_once"]
    assert checked(html, "follow_up_approved") == ["at_once"]
    assert options(html, "follow_up_returned") == ["off", "at_once"]
    assert "follow_up_submitted" not in html


def test_a_reviewer_may_choose_a_daily_digest_of_submissions(cast: Cast):
    html = page_of(cast.slk)

    assert options(html, "follow_up_submitted") == ["off", "at_once", "daily_digest"]
    assert checked(html, "follow_up_submitted") == ["at_once"]
    assert "Ett e-postmeddelande om dagen med en sammanställning" in html
    assert "follow_up_returned" not in html


@pytest.mark.parametrize("persona", ["reader_a", "official", "no_role", "sysadmin"])
def test_whoever_holds_neither_role_is_told_why_there_is_no_form(cast: Cast, persona: str):
    html = page_of(cast.by_name(persona))

    assert "Du har ingen av de rollerna och får därför inga aviseringar." in html
    assert 'type="radio"' not in html


def test_an_account_without_an_address_is_told_it_gets_nothing(cast: Cast):
    html = page_of(cast.admin_a)

    assert cast.admin_a.email == ""
    assert "Ditt konto har ingen e-postadress, så du får ingen e-post." in html


def test_saving_keeps_the_choice_and_confirms_it(cast: Cast):
    response = post(
        cast.admin_a, version="0", follow_up_returned="off", follow_up_approved="at_once"
    )

    assert response.redirect_chain == [(reverse("programme:account"), 302)]
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Dina e-postaviseringar har sparats." in html
    assert checked(html, "follow_up_returned") == ["off"]
    saved = NotificationSettings.objects.get(user=cast.admin_a)
    assert (saved.follow_up_returned, saved.follow_up_approved, saved.version) == (
        Delivery.OFF,
        Delivery.AT_ONCE,
        1,
    )
    # The kind the person was not asked about keeps its default.
    assert saved.follow_up_submitted == Delivery.AT_ONCE


def test_a_reviewer_chooses_the_digest(cast: Cast):
    post(cast.slk, version="0", follow_up_submitted="daily_digest")

    saved = NotificationSettings.objects.get(user=cast.slk)
    assert saved.follow_up_submitted == Delivery.DAILY_DIGEST


def test_a_digest_of_returns_is_refused_and_nothing_is_saved(cast: Cast):
    response = post(
        cast.admin_a, version="0", follow_up_returned="daily_digest", follow_up_approved="off"
    )

    assert response.status_code == 200 and response.redirect_chain == []
    assert "Aviseringarna sparades inte" in response.content.decode()
    assert not NotificationSettings.objects.filter(user=cast.admin_a).exists()


def test_a_post_without_the_forms_fields_saves_nothing(cast: Cast):
    response = client_of(cast.admin_a).post(reverse("programme:account"))

    assert response.status_code == 200
    assert "Aviseringarna sparades inte" in response.content.decode()
    assert not NotificationSettings.objects.filter(user=cast.admin_a).exists()


def test_a_save_from_a_page_opened_before_another_save_is_refused(cast: Cast):
    post(cast.admin_a, version="0", follow_up_returned="off", follow_up_approved="off")

    response = post(
        cast.admin_a, version="0", follow_up_returned="at_once", follow_up_approved="at_once"
    )

    assert response.redirect_chain == []
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Någon annan har sparat ändringar här efter att du öppnade sidan" in html
    saved = NotificationSettings.objects.get(user=cast.admin_a)
    assert (saved.follow_up_returned, saved.version) == (Delivery.OFF, 1)
    # The form now names the version saved, so saving again goes through.
    assert 'name="version" value="1"' in response.content.decode()


def test_opening_the_page_writes_nothing(cast: Cast):
    page_of(cast.slk)

    assert not NotificationSettings.objects.exists()


@pytest.mark.parametrize("persona", ["admin_a", "slk", "official"])
def test_the_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, persona: str, django_assert_num_queries: Any
):
    user = cast.by_name(persona)
    if persona == "slk":
        NotificationSettings.objects.create(user=user, follow_up_submitted=Delivery.OFF)
    client = client_of(user)

    with django_assert_num_queries(ACCOUNT_PAGE_QUERIES):
        response = client.get(reverse("programme:account"))

    assert response.status_code == 200
