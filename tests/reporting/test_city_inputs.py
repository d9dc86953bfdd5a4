"""The city-wide report's inputs, counted against the hand-counted city world.

The world (``city_world`` in conftest.py) has seven bodies with an annual follow-up of
2025: Järva (approved; an internal and a confidential goal, a body merged into it),
Skärholmen (submitted; its council goal judgement internal), Utbildningsnämnden
(approved), Äldrenämnden (returned), Kommunstyrelsen (draft), AB Svenska Bostäder
(approved; its council goal judgement confidential) and AB Familjebostäder (submitted).
Every other body of the loaded data has not started. Focus area A is the first of the
säkerhetsprogram 2024, B the second.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from programme.models import (
    Activity,
    Audience,
    BodyRole,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    IndicatorOutcome,
    Membership,
)
from programme.sorting import swedish_sort_key
from reporting.queries.city_inputs import city_report_inputs, city_report_title
from tests.reporting.conftest import (
    CITY_PREDECESSOR,
    CITY_YEAR,
    DONE,
    FULLY,
    OPEN,
    CityBody,
    CityGoal,
    CityWorld,
    city_follow_up,
)

pytestmark = pytest.mark.django_db

GENERAL, FULL = Audience.GENERAL, Audience.FULL
ANNUAL = FollowUpPeriod.ANNUAL
# Texts that only the full variant may print.
NOT_GENERAL = (
    "Färre bränder i skolmiljö",  # an internal goal
    "Skydd av samhällsviktig verksamhet",  # a confidential goal
    "Anlagda bränder på skolgårdar",  # an internal indicator
    "Genomförda krisövningar",  # an open indicator under a confidential goal
)
# Queries of one call, however many bodies (pinned below).
QUERIES = 14


def _inputs(audience: Audience, period: str = ANNUAL) -> dict[str, Any]:
    translation.activate("sv")
    return city_report_inputs(CITY_YEAR, period, audience)


def _body(inputs: dict[str, Any], key: str) -> dict[str, Any]:
    return next(body for body in inputs["bodies"] if body["key"] == key)


def _area(inputs: dict[str, Any], world: CityWorld, index: int) -> dict[str, Any]:
    key = f"fokusomrade-{world.areas[index].pk}"
    return next(area for area in inputs["overview"]["focus_areas"] if area["key"] == key)


def _judged(counts: dict[str, Any]) -> tuple[int, int, int, int, int]:
    keys = ("fully_met", "partly_met", "not_met", "not_assessed", "total")
    return tuple(counts[key] for key in keys)


def _statuses(row: dict[str, Any]) -> dict[str, int]:
    return {count["key"]: count["count"] for count in row["counts"] if count["count"]}


def _kind(rows: list[dict[str, Any]], kind: str) -> dict[str, int]:
    return _statuses(next(row for row in rows if row["kind"] == kind))


def test_the_general_variant_counts_internal_judgements_but_never_confidential_ones(
    city_world: CityWorld,
):
    inputs = _inputs(GENERAL)
    area_a, area_b = _area(inputs, city_world, 0), _area(inputs, city_world, 1)

    # A: Järva's open goal (fully) and internal goal (partly), Skärholmen's first (fully).
    assert _judged(area_a["judgements"]["committees"]) == (2, 1, 0, 0, 3)
    assert _judged(area_a["judgements"]["companies"]) == (0, 1, 0, 0, 1)
    # B: Skärholmen's two goals and Utbildningsnämnden's; Järva's confidential goal is left out.
    assert _judged(area_b["judgements"]["committees"]) == (2, 0, 1, 0, 3)
    assert _judged(area_b["judgements"]["companies"]) == (1, 0, 0, 0, 1)
    assert _judged(inputs["overview"]["judgements"]["committees"]) == (3, 1, 1, 0, 5)
    assert _judged(inputs["overview"]["judgements"]["companies"]) == (1, 1, 0, 0, 2)
    # The returned and the draft follow-up count nothing.
    assert _body(inputs, "aldrenamnden")["counted"] is False
    assert sum(row["count"] for row in _body(inputs, "kommunstyrelsen")["judgement_counts"]) == 0


def test_the_full_variant_counts_every_row(city_world: CityWorld):
    inputs = _inputs(FULL)

    assert _judged(_area(inputs, city_world, 1)["judgements"]["committees"]) == (2, 0, 2, 0, 4)
    assert _judged(inputs["overview"]["judgements"]["committees"]) == (3, 1, 2, 0, 6)
    assert inputs["overview"]["not_shown"] == {"goals": 0, "indicators": 0}
    text = json.dumps(inputs, ensure_ascii=False)
    for name in NOT_GENERAL:
        assert name in text


def test_the_goal_sentences_count_committees_and_companies_apart(city_world: CityWorld):
    translation.activate("en")
    inputs = city_report_inputs(CITY_YEAR, ANNUAL, GENERAL)
    area_a, area_b = _area(inputs, city_world, 0), _area(inputs, city_world, 1)

    assert area_a["judgements"]["committees"]["sentence"] == (
        "The committees judge 2 of 3 goals fully met and 1 partly"
    )
    assert area_a["judgements"]["companies"]["sentence"] == (
        "The companies judge 0 of 1 goal fully met and 1 partly"
    )
    assert area_b["judgements"]["committees"]["sentence"] == (
        "The committees judge 2 of 3 goals fully met and 1 not at all"
    )
    assert inputs["overview"]["judgements"]["committees"]["sentence"] == (
        "The committees judge 3 of 5 goals fully met, 1 partly and 1 not at all"
    )
    untouched = [area for area in inputs["overview"]["focus_areas"] if area not in (area_a, area_b)]
    assert untouched and untouched[0]["judgements"]["companies"]["sentence"] == (
        "No goal has been judged"
    )


def test_the_council_goal_is_counted_in_the_citys_words(city_world: CityWorld):
    general = _inputs(GENERAL)["overview"]["council_goal"]
    full = _inputs(FULL)["overview"]["council_goal"]

    # Skärholmen's internal judgement counts in the general variant; Svenska Bostäder's
    # confidential one does not.
    assert [row["sentence"] for row in general["judgements"]] == [
        "2 av 3 nämnder bedömer att målet uppnås helt och 1 delvis",
        "0 av 1 bolag bedömer att målet uppnås helt och 1 inte alls",
    ]
    assert [row["sentence"] for row in full["judgements"]] == [
        "2 av 3 nämnder bedömer att målet uppnås helt och 1 delvis",
        "1 av 2 bolag bedömer att målet uppnås helt och 1 inte alls",
    ]
    assert general["indicators"] == [
        {
            "name": "Andel invånare som känner sig trygga",
            "unit": "%",
            "direction_label": "högre är bättre",
            "target": "75",
            "outcome": "72.5",
            "reached": False,
        },
        {
            "name": "Anmälda våldsbrott per 1 000 invånare",
            "unit": "st",
            "direction_label": "lägre är bättre",
            "target": "10",
            "outcome": "9.2",
            "reached": True,
        },
    ]


def test_the_general_variant_never_prints_an_internal_or_confidential_text(
    city_world: CityWorld,
):
    inputs = _inputs(GENERAL)
    text = json.dumps(inputs, ensure_ascii=False)
    jarva = _body(inputs, "jarva")

    for name in NOT_GENERAL:
        assert name not in text
    assert [goal["title"] for goal in jarva["goals"]] == ["Tryggare centrum i Järva"]
    assert [row["name"] for row in jarva["indicators"]] == ["Andel trygga i Järva"]
    # The internal goal and indicator are counted, and said to be.
    assert {row["key"]: row["count"] for row in jarva["judgement_counts"]} == {
        "fully_met": 1,
        "partly_met": 1,
        "not_met": 0,
        "not_assessed": 0,
    }
    assert jarva["indicator_counts"] == {"reached": 1, "not_reached": 1, "unknown": 0}
    assert jarva["not_shown"] == {"goals": 1, "indicators": 1}
    assert inputs["overview"]["not_shown"] == {"goals": 1, "indicators": 1}
    # An internal judgement of the council goal is counted, not printed.
    assert _body(inputs, "skarholmen")["council_goal_judgement_label"] == ""
    assert jarva["council_goal_judgement_label"] == "delvis uppfyllt"


def test_activities_are_counted_per_focus_area_and_body_kind(city_world: CityWorld):
    general, full = _inputs(GENERAL), _inputs(FULL)

    district = "district_committee"
    assert _kind(_area(general, city_world, 0)["activities"], district) == {"done": 2, "ongoing": 2}
    assert _kind(_area(full, city_world, 0)["activities"], district) == {
        "done": 2,
        "ongoing": 2,
        "delayed": 1,
    }
    assert _kind(_area(general, city_world, 1)["activities"], district) == {"delayed": 1}
    assert _kind(_area(full, city_world, 1)["activities"], district) == {
        "delayed": 1,
        "cancelled": 1,
    }
    assert _kind(_area(general, city_world, 1)["activities"], "specialist_committee") == {"done": 1}
    assert _kind(_area(general, city_world, 0)["activities"], "company_board") == {"done": 1}
    assert _kind(_area(general, city_world, 1)["activities"], "company_board") == {"ongoing": 1}
    assert _kind(general["overview"]["activities"], district) == {
        "done": 2,
        "ongoing": 2,
        "delayed": 1,
    }
    assert _kind(full["overview"]["activities"], "executive_board") == {}
    assert general["overview"]["indicators"] == {
        "committees": {"reached": 1, "not_reached": 1, "unknown": 1},
        "companies": {"reached": 1, "not_reached": 0, "unknown": 0},
    }
    assert full["overview"]["indicators"]["committees"]["unknown"] == 2


def test_a_merged_body_appears_once_as_its_successor_naming_its_predecessor(
    city_world: CityWorld,
):
    inputs = _inputs(GENERAL)
    keys = [body["key"] for body in inputs["bodies"]]

    assert city_world.predecessor.slug not in keys
    assert len(keys) == len(set(keys))
    assert _body(inputs, "jarva")["predecessors"] == [CITY_PREDECESSOR]
    # Bodies that ended before the year (Rinkeby-Kista, Spånga-Tensta) are not listed.
    assert "rinkeby-kista" not in keys and "spanga-tensta" not in keys
    names = [body["name"] for body in inputs["bodies"]]
    assert names == sorted(names, key=swedish_sort_key)
    assert names.index("Äldrenämnden") == len(names) - 1


def test_every_body_of_the_year_is_listed_with_the_state_of_its_follow_up(
    city_world: CityWorld,
):
    overview = _inputs(GENERAL)["overview"]
    states = {row["key"]: (row["state"], row["state_label"]) for row in overview["approval"]}

    assert states["jarva"] == ("approved", "godkänd")
    assert states["skarholmen"][0] == "submitted"
    assert states["aldrenamnden"] == ("returned", "återsänd")
    assert states["kommunstyrelsen"] == ("draft", "utkast")
    assert states["bromma"] == ("not_started", "ej påbörjad")
    counts = {row["key"]: row["count"] for row in overview["state_counts"]}
    assert counts == {
        "approved": 3,
        "submitted": 2,
        "returned": 1,
        "draft": 1,
        "not_started": len(states) - 7,
    }
    not_approved = {key for key, (state, _label) in states.items() if state != "approved"}
    assert {"aldrenamnden", "kommunstyrelsen", "bromma", "skarholmen"} <= not_approved


def test_each_body_links_to_its_own_report(city_world: CityWorld):
    general, full = _inputs(GENERAL), _inputs(FULL)
    site = settings.SITE_URL

    assert _body(general, "jarva")["report_url"] == f"{site}/rapporter/jarva/2025/annual/allman/"
    assert _body(full, "skarholmen")["report_url"] == (
        f"{site}/rapporter/skarholmen/2025/annual/fullstandig/"
    )
    # Officials read a body's general report once it is approved; none without a follow-up.
    assert _body(general, "skarholmen")["report_url"] is None
    assert _body(full, "bromma")["report_url"] is None


def test_the_snapshot_is_counted_and_printed_not_the_plan_as_it_stands(city_world: CityWorld):
    before = _inputs(FULL)
    Activity.objects.filter(title="Trygghetsvandringar i Husby").update(status="cancelled")
    Goal.objects.filter(title="Tryggare centrum i Järva").update(title="Ändrad efter godkännandet")

    assert _inputs(FULL) == before


def test_a_changed_outcome_changes_its_body_and_the_overview_only(city_world: CityWorld):
    before = _inputs(GENERAL)
    IndicatorOutcome.objects.filter(
        follow_up=city_world.follow_ups["jarva"], name="Andel trygga i Järva"
    ).update(value=Decimal("65"))
    after = _inputs(GENERAL)

    assert _body(after, "jarva") != _body(before, "jarva")
    assert after["overview"] != before["overview"]
    assert after["overview"]["indicators"]["committees"]["not_reached"] == 2
    for old, new in zip(before["bodies"], after["bodies"], strict=True):
        if old["key"] != "jarva":
            assert old == new
    shared = {key for key in before if key not in ("overview", "bodies")}
    assert {key: after[key] for key in shared} == {key: before[key] for key in shared}


def test_a_fixed_number_of_queries_however_many_bodies(
    city_world: CityWorld, django_assert_num_queries: Any
):
    translation.activate("sv")
    with django_assert_num_queries(QUERIES):
        city_report_inputs(CITY_YEAR, ANNUAL, GENERAL)
    with django_assert_num_queries(QUERIES):
        city_report_inputs(CITY_YEAR, ANNUAL, FULL)
    for slug in ("farsta", "stockholmshem"):
        body = type(city_world.predecessor).objects.get(slug=slug)
        Membership.objects.create(user=city_world.admin, body=body, role=BodyRole.ADMINISTRATOR)
        city_world.bodies[slug] = body
        goal = CityGoal(
            f"Mål för {body.name}", OPEN, FULLY, (0,), [("Skolvärdar", OPEN, DONE, (0,))]
        )
        city_follow_up(city_world, slug, CityBody(FollowUpState.APPROVED, (FULLY, OPEN), [goal]))
    with django_assert_num_queries(QUERIES):
        inputs = city_report_inputs(CITY_YEAR, ANNUAL, GENERAL)
    assert _body(inputs, "farsta")["counted"] and _body(inputs, "stockholmshem")["counted"]


def test_the_tertial_overviews_have_the_same_shape(city_world: CityWorld):
    inputs = _inputs(GENERAL, FollowUpPeriod.T1)

    assert inputs["title"] == city_report_title(CITY_YEAR, FollowUpPeriod.T1)
    assert inputs["annual"] is False
    assert {body["state"] for body in inputs["bodies"]} == {"not_started"}
    assert inputs["overview"]["council_goal"]["judgements"] == []
    assert len(inputs["overview"]["council_goal"]["indicators"]) == 2
    assert set(inputs["overview"]) == set(_inputs(GENERAL)["overview"])


def test_only_the_general_and_the_full_variant_exist():
    with pytest.raises(ValueError):
        city_report_inputs(CITY_YEAR, ANNUAL, Audience.MEMBERS)
    with pytest.raises(ValueError):
        city_report_inputs(CITY_YEAR, "t3", GENERAL)


def test_the_title_names_the_year_and_the_period():
    translation.activate("en")
    assert city_report_title(2025, ANNUAL) == (
        "The city's annual report 2025 – safety and security"
    )
    assert city_report_title(2025, FollowUpPeriod.T2) == (
        "The city's tertial report 2 2025 – safety and security"
    )
