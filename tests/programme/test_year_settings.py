"""SLK's yearly settings: follow-up deadlines, the council goal and its indicators."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from programme.models import (
    CouncilGoal,
    CouncilIndicator,
    FollowUpDeadline,
    FollowUpPeriod,
    IndicatorDirection,
)
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE
from programme.services import year_settings as year_setting_services
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = 2027


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def signed_in(user: Any) -> Client:
    """A client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def settings_url(year: int = YEAR) -> str:
    return reverse("programme:year-settings", kwargs={"year": year})


def snapshot() -> list[list[dict[str, Any]]]:
    """Every row the settings services may write, history included."""
    models: list[Any] = [
        FollowUpDeadline,
        CouncilGoal,
        CouncilIndicator,
        FollowUpDeadline.history.model,
        CouncilGoal.history.model,
        CouncilIndicator.history.model,
    ]
    return [list(model._default_manager.order_by("pk").values()) for model in models]


# What a deadlines form opened on a year without deadlines names as their versions.
NO_DEADLINES_SEEN = {"t1": 0, "t2": 0, "annual": 0}


def deadline_data(**changes: str) -> dict[str, str]:
    """The deadlines form as posted, opened on the year's deadlines as stored."""
    versions = {
        deadline.period: deadline.version for deadline in FollowUpDeadline.objects.filter(year=YEAR)
    }
    data = {
        "deadlines-part": "deadlines",
        **{f"deadlines-{name}_version": str(versions.get(name, 0)) for name in NO_DEADLINES_SEEN},
        "deadlines-t1": f"{YEAR}-05-15",
        "deadlines-t2": f"{YEAR}-09-15",
        "deadlines-annual": f"{YEAR + 1}-02-01",
    }
    data.update(changes)
    return data


def indicator_data(*opened: CouncilIndicator, **changes: str) -> dict[str, str]:
    """The indicator form as posted, with the Swedish decimal comma; opened on ``opened``."""
    data = {
        "version": str(CouncilIndicator.objects.get(pk=opened[0].pk).version) if opened else "0",
        "name": "Andel invånare som känner sig trygga",
        "unit": "%",
        "direction": IndicatorDirection.HIGHER_IS_BETTER,
        "target": "75,5",
        "outcome": "",
        "position": "",
    }
    data.update(changes)
    return data


def make_goal(year: int = YEAR, indicators: int = 0) -> CouncilGoal:
    """A council goal of ``year`` with ``indicators`` numbered indicators."""
    goal = CouncilGoal.objects.create(year=year, title=DEFAULT_COUNCIL_GOAL_TITLE)
    CouncilIndicator.objects.bulk_create(
        CouncilIndicator(council_goal=goal, position=n, name=f"Indikator {n}", target=n)
        for n in range(1, indicators + 1)
    )
    return goal


# --- Who may open the pages -----------------------------------------------------------------


def test_only_slk_reviewers_open_the_settings_page(cast: Cast):
    assert signed_in(cast.slk).get(settings_url()).status_code == 200
    for persona in (cast.admin_a, cast.reader_a, cast.official, cast.sysadmin, cast.no_role):
        assert signed_in(persona).get(settings_url()).status_code == 403


def test_an_administrator_cannot_set_deadlines(cast: Cast):
    before = snapshot()

    response = signed_in(cast.admin_a).post(settings_url(), deadline_data())

    assert response.status_code == 403
    assert snapshot() == before


def test_a_year_outside_the_kept_range_answers_404(cast: Cast):
    assert signed_in(cast.slk).get(settings_url(1999)).status_code == 404
    assert signed_in(cast.slk).get(settings_url(2101)).status_code == 404


def test_the_programme_list_links_slk_to_this_years_settings(cast: Cast):
    page = signed_in(cast.slk).get(reverse("programme:list"))
    year = datetime.date.today().year

    assert settings_url(year) in text_of(page)
    assert settings_url(year) not in text_of(signed_in(cast.admin_a).get(reverse("programme:list")))


# --- Deadlines ----------------------------------------------------------------------------------


def test_slk_sets_the_three_deadlines_and_the_history_names_them(cast: Cast):
    client = signed_in(cast.slk)

    response = client.post(settings_url(), deadline_data())

    assert response.status_code == 302
    assert response["Location"] == settings_url() + "#tidsfrister"
    stored = dict(FollowUpDeadline.objects.filter(year=YEAR).values_list("period", "due_on"))
    assert stored == {
        FollowUpPeriod.T1: datetime.date(YEAR, 5, 15),
        FollowUpPeriod.T2: datetime.date(YEAR, 9, 15),
        FollowUpPeriod.ANNUAL: datetime.date(YEAR + 1, 2, 1),
    }
    page = text_of(client.get(settings_url()))
    assert "Tidsfristerna för 2027 sparades." in page
    assert "Skapad: sista dag (tertialrapport 1)" in page
    assert "Sara Stadsledningskontoret" in page
    assert 'value="2027-09-15"' in page


def test_moving_one_deadline_writes_only_that_one(cast: Cast):
    year_setting_services.set_deadlines(
        cast.slk,
        YEAR,
        {
            "t1": datetime.date(YEAR, 5, 15),
            "t2": datetime.date(YEAR, 9, 15),
            "annual": datetime.date(YEAR + 1, 2, 1),
        },
        NO_DEADLINES_SEEN,
    )
    history = FollowUpDeadline.history.model
    before = history.objects.count()

    response = signed_in(cast.slk).post(
        settings_url(), deadline_data(**{"deadlines-t2": f"{YEAR}-09-30"})
    )

    assert response.status_code == 302
    assert history.objects.count() == before + 1
    page = text_of(signed_in(cast.slk).get(settings_url()))
    assert "Ändrad: sista dag (tertialrapport 2)" in page
    assert "Sista dag: 15 september 2027 → 30 september 2027" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"deadlines-t2": f"{YEAR}-05-01"},
            "t2",
            "Sista dag för tertialrapport 2 måste komma efter sista dag för tertialrapport 1 "
            "(15 maj 2027).",
        ),
        (
            {"deadlines-annual": f"{YEAR}-09-15"},
            "annual",
            "Sista dag för verksamhetsberättelsen måste komma efter sista dag för "
            "tertialrapport 2 (15 september 2027).",
        ),
        (
            {"deadlines-t1": f"{YEAR - 1}-12-01"},
            "t1",
            "En tertialrapport för 2027 ska lämnas under 2027",
        ),
        (
            {"deadlines-annual": f"{YEAR + 2}-02-01"},
            "annual",
            "Verksamhetsberättelsen för 2027 ska lämnas under 2027 eller 2028",
        ),
        ({"deadlines-t1": ""}, "t1", "Ange datum för sista dag."),
        ({"deadlines-t2": "den femtonde"}, "t2", "Fyll i ett giltigt datum."),
    ],
)
def test_deadlines_out_of_order_or_range_are_refused_and_nothing_changes(
    cast: Cast, changes: dict[str, str], field: str, message: str
):
    year_setting_services.set_deadlines(
        cast.slk,
        YEAR,
        {
            "t1": datetime.date(YEAR, 5, 15),
            "t2": datetime.date(YEAR, 9, 15),
            "annual": datetime.date(YEAR + 1, 2, 1),
        },
        NO_DEADLINES_SEEN,
    )
    before = snapshot()

    response = signed_in(cast.slk).post(settings_url(), deadline_data(**changes))

    assert response.status_code == 200
    assert snapshot() == before
    assert message in text_of(response)
    assert response.context["deadlines_form"].errors[field]
    assert "Inget sparades" in text_of(response)


def test_the_service_refuses_a_year_outside_the_range(cast: Cast):
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        year_setting_services.set_deadlines(
            cast.slk,
            1999,
            {
                "t1": datetime.date(1999, 5, 15),
                "t2": datetime.date(1999, 9, 15),
                "annual": datetime.date(2000, 2, 1),
            },
            NO_DEADLINES_SEEN,
        )

    assert "2000–2100" in str(refusal.value)
    assert snapshot() == before


# --- The council goal ----------------------------------------------------------------------------


def test_a_year_without_a_council_goal_suggests_the_citys_wording(cast: Cast):
    page = signed_in(cast.slk).get(settings_url())

    assert page.context["goal_form"]["title"].value() == DEFAULT_COUNCIL_GOAL_TITLE
    assert not CouncilGoal.objects.exists()


def test_a_new_year_suggests_the_title_of_the_year_before(cast: Cast):
    CouncilGoal.objects.create(year=YEAR - 1, title="Stockholm är en trygg stad")

    page = signed_in(cast.slk).get(settings_url())

    assert page.context["goal_form"]["title"].value() == "Stockholm är en trygg stad"


def test_slk_saves_the_council_goal_with_its_description_sanitised(cast: Cast):
    response = signed_in(cast.slk).post(
        settings_url(),
        {
            "goal-part": "council_goal",
            "goal-version": "0",
            "goal-title": DEFAULT_COUNCIL_GOAL_TITLE,
            "goal-description": (
                "<p>Målet <em>gäller</em> hela staden.</p><script>alert(1)</script>"
            ),
        },
    )

    assert response.status_code == 302
    goal = CouncilGoal.objects.get(year=YEAR)
    assert goal.title == DEFAULT_COUNCIL_GOAL_TITLE
    assert goal.description == "<p>Målet <em>gäller</em> hela staden.</p>"
    assert goal.history.first().history_user == cast.slk
    page = text_of(signed_in(cast.slk).get(settings_url()))
    assert "<em>gäller</em>" in page
    assert "alert(1)" not in page


def test_a_council_goal_without_a_title_is_refused_and_nothing_changes(cast: Cast):
    make_goal()
    before = snapshot()

    response = signed_in(cast.slk).post(
        settings_url(),
        {
            "goal-part": "council_goal",
            "goal-version": "0",
            "goal-title": "  ",
            "goal-description": "",
        },
    )

    assert response.status_code == 200
    assert snapshot() == before
    assert response.context["goal_form"].errors["title"]


# --- The council goal's indicators ---------------------------------------------------------------


def test_slk_adds_an_indicator_with_a_swedish_decimal(cast: Cast):
    make_goal(indicators=2)
    url = reverse("programme:council-indicator-create", kwargs={"year": YEAR})
    client = signed_in(cast.slk)

    response = client.post(url, indicator_data())

    indicator = CouncilIndicator.objects.get(name="Andel invånare som känner sig trygga")
    assert response.status_code == 302
    assert response["Location"] == settings_url() + f"#indikator-{indicator.pk}"
    assert indicator.target == Decimal("75.50")
    assert indicator.outcome is None
    assert indicator.position == 3
    page = text_of(client.get(settings_url()))
    assert "Indikatorn Andel invånare som känner sig trygga lades till." in page
    assert "75,50" in page


def test_an_indicator_in_a_year_without_a_goal_gets_the_goal_made(cast: Cast):
    make_goal(year=YEAR - 1)
    url = reverse("programme:council-indicator-create", kwargs={"year": YEAR})

    signed_in(cast.slk).post(url, indicator_data())

    goal = CouncilGoal.objects.get(year=YEAR)
    assert goal.title == DEFAULT_COUNCIL_GOAL_TITLE
    assert list(goal.indicators.values_list("name", flat=True)) == [
        "Andel invånare som känner sig trygga"
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": "mycket"}, "target", "Skriv ett tal, till exempel 12 eller 12,5."),
        ({"outcome": "12,345"}, "outcome", "Ange högst 2 decimaler."),
        ({"target": "1234567890123,5"}, "target", "högst 12 siffror före decimalkommat"),
        ({"name": ""}, "name", "Detta fält måste fyllas i."),
        ({"direction": "sideways"}, "direction", "Välj ett giltigt alternativ."),
        ({"name": "INDIKATOR 1"}, "name", "redan en indikator som heter ”INDIKATOR 1”"),
    ],
)
def test_bad_indicator_input_is_refused_and_nothing_changes(
    cast: Cast, changes: dict[str, str], field: str, message: str
):
    make_goal(indicators=1)
    before = snapshot()
    url = reverse("programme:council-indicator-create", kwargs={"year": YEAR})

    response = signed_in(cast.slk).post(url, indicator_data(**changes))

    assert response.status_code == 200
    assert snapshot() == before
    assert response.context["form"].errors[field]
    assert message in text_of(response)


def test_the_service_checks_decimals_itself(cast: Cast):
    goal = make_goal()
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        year_setting_services.create_council_indicator(
            cast.slk, YEAR, {"name": "Antal anmälda brott", "target": "många"}
        )

    assert "target" in refusal.value.error_dict
    assert snapshot() == before
    assert goal.indicators.count() == 0


def test_renaming_an_indicator_to_another_ones_name_is_refused(cast: Cast):
    goal = make_goal(indicators=2)
    second = goal.indicators.get(position=2)
    before = snapshot()
    url = reverse("programme:council-indicator-edit", kwargs={"pk": second.pk})

    response = signed_in(cast.slk).post(url, indicator_data(second, name="indikator 1"))

    assert response.status_code == 200
    assert snapshot() == before
    assert "redan en indikator" in text_of(response)


def test_slk_changes_an_indicators_outcome_and_the_history_shows_it(cast: Cast):
    indicator = year_setting_services.create_council_indicator(
        cast.slk, YEAR, {"name": "Indikator 1", "target": Decimal(1)}
    )
    url = reverse("programme:council-indicator-edit", kwargs={"pk": indicator.pk})

    response = signed_in(cast.slk).post(
        url,
        indicator_data(indicator, name="Indikator 1", target="1", outcome="0,8", position="1"),
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.outcome == Decimal("0.80")
    page = text_of(signed_in(cast.slk).get(settings_url()))
    assert "Ändrad: indikator (Indikator 1)" in page
    assert "Utfall: (tomt) → 0,80" in page


def test_slk_removes_an_indicator_and_the_history_keeps_it(cast: Cast):
    goal = make_goal(indicators=2)
    first = goal.indicators.get(position=1)
    url = reverse("programme:council-indicator-delete", kwargs={"pk": first.pk})
    client = signed_in(cast.slk)

    confirm = client.get(url)
    response = client.post(url, {"version": str(first.version)})

    assert "Ta bort indikatorn?" in text_of(confirm)
    assert response.status_code == 302
    assert list(goal.indicators.values_list("name", flat=True)) == ["Indikator 2"]
    page = text_of(client.get(settings_url()))
    assert "Borttagen: indikator (Indikator 1)" in page
    deleted = CouncilIndicator.history.filter(history_type="-").get()
    assert deleted.history_user == cast.slk


def test_the_indicator_pages_of_another_persona_answer_403(cast: Cast):
    goal = make_goal(indicators=1)
    indicator = goal.indicators.get()
    before = snapshot()
    client = signed_in(cast.admin_a)

    for name in ("council-indicator-edit", "council-indicator-delete"):
        url = reverse(f"programme:{name}", kwargs={"pk": indicator.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, indicator_data()).status_code == 403

    assert snapshot() == before


# --- Queries ------------------------------------------------------------------------------------

# With the year switch's one query for the years with a programme version in force.
SETTINGS_PAGE_QUERIES = 11


@pytest.mark.parametrize("indicators", [1, 12])
def test_the_settings_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any, indicators: int
):
    make_goal(indicators=indicators)
    client = signed_in(cast.slk)
    for n in range(indicators):
        # Each change adds history rows, which the page reads in the same queries.
        client.post(
            reverse(
                "programme:council-indicator-edit",
                kwargs={"pk": CouncilIndicator.objects.get(position=n + 1).pk},
            ),
            indicator_data(
                CouncilIndicator.objects.get(position=n + 1),
                name=f"Indikator {n + 1}",
                outcome=str(n),
            ),
        )
    year_setting_services.set_deadlines(
        cast.slk,
        YEAR,
        {
            "t1": datetime.date(YEAR, 5, 15),
            "t2": datetime.date(YEAR, 9, 15),
            "annual": datetime.date(YEAR + 1, 2, 1),
        },
        NO_DEADLINES_SEEN,
    )

    with django_assert_num_queries(SETTINGS_PAGE_QUERIES):
        response = client.get(settings_url())

    assert response.status_code == 200
    assert len(response.context["settings"].indicators) == indicators
    assert len(response.context["history"]) >= indicators
