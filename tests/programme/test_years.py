"""Year navigation: only years with a programme version in force and, on a body's pages,
years in which the body existed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programme import years
from programme.models import Body, Programme, ProgrammeStatus
from programme.services.fixtures import LoadResult
from programme.years import FIRST_YEAR, last_record_year
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def earliest_in_force() -> Programme:
    """The oldest adopted or superseded version (the 2013 programme of the fixtures)."""
    in_force = [ProgrammeStatus.ADOPTED, ProgrammeStatus.SUPERSEDED]
    return Programme.objects.filter(status__in=in_force).order_by("first_year")[0]


def test_the_first_year_in_force_is_the_oldest_adopted_version(loaded_data: LoadResult):
    assert years.first_year_in_force() == earliest_in_force().first_year


def test_a_draft_or_a_version_on_referral_puts_no_year_in_force(loaded_data: LoadResult):
    first = earliest_in_force().first_year
    Programme.objects.create(
        slug="utkast-1999",
        name="Utkast",
        kind="safety",
        first_year=first - 5,
        status=ProgrammeStatus.DRAFT,
    )

    assert years.first_year_in_force() == first


def test_without_a_version_in_force_no_year_is_navigable(loaded_data: LoadResult):
    Programme.objects.update(status=ProgrammeStatus.DRAFT)

    assert years.first_year_in_force() is None
    assert list(years.navigable_years()) == []
    assert years.year_links(2024) == {"previous_year": None, "next_year": None}


def test_the_years_run_from_the_first_in_force_to_the_last_record_year(loaded_data: LoadResult):
    first = earliest_in_force().first_year

    navigable = years.navigable_years()

    assert navigable[0] == max(first, FIRST_YEAR)
    assert navigable[-1] == last_record_year()


def test_a_body_that_ended_is_navigable_only_in_its_own_years(loaded_data: LoadResult):
    ended = Body.objects.create(
        slug="gammal-namnd",
        name="Gammal nämnd",
        kind="district_committee",
        valid_from=datetime.date(2019, 3, 1),
        valid_to=datetime.date(2022, 6, 30),
    )

    assert list(years.navigable_years(ended)) == [2019, 2020, 2021, 2022]
    assert years.year_links(2019, ended) == {"previous_year": None, "next_year": 2020}
    assert years.year_links(2022, ended) == {"previous_year": 2021, "next_year": None}


def test_the_links_lead_to_the_nearest_navigable_year(loaded_data: LoadResult):
    first = earliest_in_force().first_year

    assert years.year_links(first) == {"previous_year": None, "next_year": first + 1}
    # From a year before any version was in force, on to the first one.
    assert years.year_links(first - 3)["next_year"] == first
    assert years.year_links(last_record_year())["next_year"] is None


def links_of(html: str) -> tuple[bool, bool]:
    """Whether the year switch offers an earlier and a later year."""
    return 'rel="prev"' in html, 'rel="next"' in html


def test_the_checklist_offers_no_year_before_a_version_was_in_force(cast: Cast):
    first = earliest_in_force().first_year
    # Skärholmen has existed since before the first version.
    assert cast.body_b.valid_from is None
    client = Client()
    client.force_login(cast.admin_b)

    def checklist(year: int) -> Any:
        return client.get(
            reverse("programme:duty-checklist", kwargs={"slug": cast.body_b.slug, "year": year})
        )

    assert links_of(checklist(first).content.decode()) == (False, True)
    assert links_of(checklist(first + 1).content.decode()) == (True, True)
    assert links_of(checklist(last_record_year()).content.decode()) == (True, False)


def test_the_checklist_of_a_body_offers_only_the_years_it_existed(cast: Cast):
    ended = Body.objects.get(slug="norrmalm")
    assert ended.valid_to is not None
    client = Client()
    client.force_login(cast.slk)

    html = client.get(
        reverse(
            "programme:duty-checklist", kwargs={"slug": ended.slug, "year": ended.valid_to.year}
        )
    ).content.decode()

    assert links_of(html) == (True, False)


@pytest.mark.parametrize(
    "name", ["programme:duty-overview", "programme:year-settings", "programme:follow-up-overview"]
)
def test_slks_pages_offer_only_years_with_a_version_in_force(cast: Cast, name: str):
    first = earliest_in_force().first_year
    kwargs: dict[str, Any] = {"year": first}
    if name == "programme:follow-up-overview":
        kwargs["period"] = "t1"
    client = Client()
    client.force_login(cast.slk)

    html = client.get(reverse(name, kwargs=kwargs)).content.decode()

    assert links_of(html) == (False, True)
