"""The plan services: versions in force, making a plan, saving and deleting its records,
mergers, and what the plan page reads for whom."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programme import lineage
from programme.locking import EditConflict
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Body,
    BodyKind,
    CarryOverIssue,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Indicator,
    Perspective,
    Plan,
    Programme,
)
from programme.queries import plans as plan_queries
from programme.services import maintenance, plan_records
from programme.services import plans as plan_services
from programme.services.fixtures import LoadResult
from tests.conftest import Cast


def slugs(programmes: list[Programme]) -> list[str]:
    return [programme.slug for programme in programmes]


def focus_area(programme: str, title: str) -> FocusArea:
    return FocusArea.objects.get(programme__slug=programme, title=title)


def beredskap() -> FocusArea:
    return focus_area("sakerhetsprogram-2024", "Beredskap")


def krisberedskap() -> FocusArea:
    return focus_area("sakerhetsprogram-2020-2023", "Krisberedskap")


def snapshot() -> dict[str, Any]:
    """Everything the plan services write, to show that a refusal changed nothing."""
    return {
        "plans": list(Plan.objects.values().order_by("pk")),
        "goals": list(Goal.objects.values().order_by("pk")),
        "activities": list(Activity.objects.values().order_by("pk")),
        "indicators": list(Indicator.objects.values().order_by("pk")),
        "goal_links": list(Goal.focus_areas.through.objects.values().order_by("pk")),
        "activity_links": list(Activity.focus_areas.through.objects.values().order_by("pk")),
        "issues": list(CarryOverIssue.objects.values().order_by("pk")),
        "reports": list(ActivityReport.objects.values().order_by("pk")),
    }


@pytest.fixture
def plan(cast: Cast) -> Plan:
    """Body B's (Skärholmen's) plan for 2024, empty."""
    return plan_services.create_plan(cast.admin_b, cast.body_b, 2024)


@pytest.fixture
def goal(cast: Cast, plan: Plan) -> Goal:
    return plan_records.create_goal(
        cast.admin_b,
        plan,
        {"title": "Stärkt beredskap", "focus_areas": [beredskap()], "confidentiality": "internal"},
    )


def activity_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Krisövning",
        "description": "",
        "responsible_unit": "Säkerhetsenheten",
        "starts_on": datetime.date(2024, 2, 1),
        "ends_on": datetime.date(2024, 11, 30),
        "status": ActivityStatus.ONGOING,
        "focus_areas": [beredskap().pk],
        "perspectives": [Perspective.CHILDREN],
        "confidentiality": Confidentiality.INTERNAL,
    }
    values.update(changes)
    return values


# --- Versions in force -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2012, []),
        (2013, ["trygghets-och-sakerhetsprogram-2013-2016"]),
        # A version stays in force past its last year until a later one supersedes it.
        (2017, ["trygghets-och-sakerhetsprogram-2013-2016"]),
        (2019, ["trygghets-och-sakerhetsprogram-2018-2021"]),
        (2020, ["sakerhetsprogram-2020-2023", "trygghetsprogram-2020-2023"]),
        (2023, ["sakerhetsprogram-2020-2023", "trygghetsprogram-2020-2023"]),
        (2024, ["trygghetsprogram-2020-2023", "sakerhetsprogram-2024"]),
        (2030, ["trygghetsprogram-2020-2023", "sakerhetsprogram-2024"]),
    ],
)
def test_programmes_in_force_follow_the_lineage(loaded_data: LoadResult, year: int, expected):
    assert slugs(lineage.programmes_in_force(year)) == expected


def test_a_draft_version_is_not_in_force_and_supersedes_nothing(loaded_data: LoadResult):
    Programme.objects.create(
        slug="sakerhetsprogram-2028-utkast",
        name="Utkast",
        kind="security",
        first_year=2028,
        supersedes=Programme.objects.get(slug="sakerhetsprogram-2024"),
    )

    assert "sakerhetsprogram-2024" in slugs(lineage.programmes_in_force(2029))
    assert "sakerhetsprogram-2028-utkast" not in slugs(lineage.programmes_in_force(2029))


def test_focus_areas_in_force_are_those_of_both_programmes(loaded_data: LoadResult):
    titles = {area.title for area in lineage.focus_areas_in_force(2024)}

    assert {"Beredskap", "Personsäkerhet", "Förebyggande arbete", "Stadsutveckling"} <= titles
    assert "Krisberedskap" not in titles


# --- Making a plan -----------------------------------------------------------------------


def test_create_plan_makes_an_empty_plan(cast: Cast):
    plan = plan_services.create_plan(cast.admin_b, cast.body_b, 2024)

    assert (plan.body, plan.year, plan.goals.count()) == (cast.body_b, 2024, 0)
    assert plan.history.first().history_user == cast.admin_b


def test_create_plan_is_refused_in_a_year_without_a_version_in_force(cast: Cast):
    with pytest.raises(ValidationError) as refusal:
        plan_services.create_plan(cast.admin_b, cast.body_b, 2012)

    assert "2012" in refusal.value.messages[0]
    assert "programversion" in refusal.value.messages[0]
    assert not Plan.objects.exists()


def test_create_plan_is_refused_for_a_year_the_body_did_not_exist(cast: Cast):
    # Järva began on 1 July 2023.
    with pytest.raises(ValidationError) as refusal:
        plan_services.create_plan(cast.admin_a, cast.body_a, 2022)

    assert refusal.value.messages == ["Järva stadsdelsnämnd fanns inte 2022."]
    assert not Plan.objects.exists()


def test_create_plan_is_refused_when_the_body_has_a_plan(cast: Cast, plan: Plan):
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        plan_services.create_plan(cast.admin_b, cast.body_b, 2024)

    assert "har redan en verksamhetsplan för 2024" in refusal.value.messages[0]
    assert snapshot() == before


# --- Goals, activities and indicators ---------------------------------------------------


def test_a_goal_links_focus_areas_of_both_programmes_in_force(cast: Cast, plan: Plan):
    trygghet = focus_area("trygghetsprogram-2020-2023", "Förebyggande arbete")

    goal = plan_records.create_goal(
        cast.admin_b,
        plan,
        {"title": "Trygg och säker stadsdel", "focus_areas": [beredskap().pk, trygghet.pk]},
    )

    assert set(goal.focus_areas.all()) == {beredskap(), trygghet}
    assert goal.position == 1
    assert goal.version == 1


def test_a_focus_area_of_a_version_not_in_force_is_refused_and_nothing_changes(
    cast: Cast, goal: Goal
):
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        plan_records.update_goal(
            cast.admin_b, goal, 1, {"title": "Nytt namn", "focus_areas": [krisberedskap().pk]}
        )

    assert refusal.value.message_dict["focus_areas"] == [
        "Välj fokusområden ur de programversioner som gäller 2024."
    ]
    assert snapshot() == before


def test_an_activity_ending_before_it_starts_is_refused_and_nothing_changes(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(cast.admin_b, goal, activity_values())
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        plan_records.update_activity(
            cast.admin_b,
            activity,
            activity.version,
            activity_values(title="Ändrad", ends_on=datetime.date(2024, 1, 15)),
        )

    assert refusal.value.message_dict["ends_on"] == [
        "Slutet kan inte komma före starten (1 februari 2024)."
    ]
    assert snapshot() == before


def test_a_new_activity_ending_before_it_starts_is_not_saved(cast: Cast, goal: Goal):
    with pytest.raises(ValidationError):
        plan_records.create_activity(
            cast.admin_b, goal, activity_values(ends_on=datetime.date(2023, 12, 31))
        )

    assert not Activity.objects.exists()


def test_a_save_from_a_stale_version_is_refused_with_the_other_change(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(cast.admin_b, goal, activity_values())
    plan_records.update_activity(
        cast.admin_b, activity, 1, activity_values(title="Första ändringen")
    )
    before = snapshot()

    with pytest.raises(EditConflict) as conflict:
        plan_records.update_activity(
            cast.admin_b, activity, 1, activity_values(title="Andra ändringen")
        )

    assert snapshot() == before
    changed = [change for entry in conflict.value.changes for change in entry.changes]
    assert any(change.new == "Första ändringen" for change in changed)
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Första ändringen", 2)


def test_unknown_perspectives_are_refused(cast: Cast, goal: Goal):
    with pytest.raises(ValidationError) as refusal:
        plan_records.create_activity(cast.admin_b, goal, activity_values(perspectives=["pets"]))

    assert "perspectives" in refusal.value.message_dict
    assert not Activity.objects.exists()


def test_perspectives_are_kept_in_the_programmes_order(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(
        cast.admin_b,
        goal,
        activity_values(perspectives=[Perspective.OLDER_PEOPLE, Perspective.GENDER_EQUALITY]),
    )

    assert activity.perspectives == [Perspective.GENDER_EQUALITY, Perspective.OLDER_PEOPLE]


def test_rich_text_is_cleaned_before_it_is_saved(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(
        cast.admin_b,
        goal,
        activity_values(description='<p onclick="x()">Övning</p><script>alert(1)</script>'),
    )

    assert activity.description == "<p>Övning</p>"


def test_indicator_numbers_may_be_written_with_a_decimal_comma(cast: Cast, goal: Goal):
    indicator = plan_records.create_indicator(
        cast.admin_b, goal, {"name": "Andel trygga", "baseline": "61,5", "target": "70"}
    )

    assert (indicator.baseline, indicator.target) == (Decimal("61.5"), Decimal("70"))


def test_an_indicator_number_that_is_not_a_number_is_refused(cast: Cast, goal: Goal):
    with pytest.raises(ValidationError) as refusal:
        plan_records.create_indicator(
            cast.admin_b, goal, {"name": "Andel trygga", "target": "sjuttio"}
        )

    assert refusal.value.message_dict["target"] == ["Skriv ett tal, till exempel 12 eller 12,5."]
    assert not Indicator.objects.exists()


def test_new_goals_are_refused_on_a_plan_that_was_taken_over(cast: Cast, plan: Plan):
    successor = Plan.objects.create(body=cast.body_a, year=2024)
    plan.taken_over_by = successor
    plan.save()

    with pytest.raises(ValidationError):
        plan_records.create_goal(cast.admin_b, plan, {"title": "Sent mål"})

    assert not Goal.objects.exists()


# --- Deleting ----------------------------------------------------------------------------


def reported(activity: Activity, state: FollowUpState) -> FollowUp:
    follow_up = FollowUp.objects.create(
        plan=activity.goal.plan, period=FollowUpPeriod.T1, state=state
    )
    ActivityReport.objects.create(
        follow_up=follow_up, activity=activity, status=ActivityStatus.ONGOING
    )
    return follow_up


@pytest.mark.parametrize(
    "state", [FollowUpState.SUBMITTED, FollowUpState.RETURNED, FollowUpState.APPROVED]
)
def test_an_activity_a_follow_up_reports_on_cannot_be_deleted(
    cast: Cast, goal: Goal, state: FollowUpState
):
    activity = plan_records.create_activity(cast.admin_b, goal, activity_values())
    reported(activity, state)
    before = snapshot()

    with pytest.raises(ValidationError) as refusal:
        plan_records.delete_activity(cast.admin_b, activity, activity.version)

    assert refusal.value.messages[0].startswith("Aktiviteten kan inte tas bort")
    assert snapshot() == before


def test_a_goal_whose_activity_is_reported_on_cannot_be_deleted(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(cast.admin_b, goal, activity_values())
    reported(activity, FollowUpState.SUBMITTED)
    before = snapshot()

    with pytest.raises(ValidationError):
        plan_records.delete_goal(cast.admin_b, goal, goal.version)

    assert snapshot() == before


def test_an_activity_in_a_draft_follow_up_is_deleted_with_its_draft_line(cast: Cast, goal: Goal):
    activity = plan_records.create_activity(cast.admin_b, goal, activity_values())
    follow_up = reported(activity, FollowUpState.DRAFT)

    plan_records.delete_activity(cast.admin_b, activity, activity.version)

    assert not Activity.objects.exists()
    assert not follow_up.activity_reports.exists()
    assert FollowUp.objects.filter(pk=follow_up.pk).exists()


def test_a_delete_from_a_stale_version_is_refused(cast: Cast, goal: Goal):
    plan_records.update_goal(cast.admin_b, goal, 1, {"title": "Ändrat"})

    with pytest.raises(EditConflict):
        plan_records.delete_goal(cast.admin_b, goal, 1)

    assert Goal.objects.filter(pk=goal.pk).exists()


def test_deleting_a_goal_deletes_its_activities_and_indicators(cast: Cast, goal: Goal):
    plan_records.create_activity(cast.admin_b, goal, activity_values())
    plan_records.create_indicator(cast.admin_b, goal, {"name": "Andel trygga"})

    plan_records.delete_goal(cast.admin_b, goal, goal.version)

    assert not Goal.objects.exists()
    assert not Activity.objects.exists()
    assert not Indicator.objects.exists()


# --- Mergers -----------------------------------------------------------------------------


def predecessor_plans(cast: Cast) -> tuple[Plan, Plan]:
    """The 2023 plans of Järva's predecessors, each with a goal, activity and indicator."""
    made = []
    for slug in ("rinkeby-kista", "spanga-tensta"):
        plan = Plan.objects.create(body=Body.objects.get(slug=slug), year=2023)
        goal = Goal.objects.create(plan=plan, title=f"Mål för {slug}")
        Activity.objects.create(goal=goal, title=f"Aktivitet för {slug}")
        Indicator.objects.create(goal=goal, name=f"Indikator för {slug}")
        made.append(plan)
    return made[0], made[1]


def test_the_successor_takes_over_its_predecessors_plans_of_the_merge_year(cast: Cast):
    rinkeby, spanga = predecessor_plans(cast)
    t1 = FollowUp.objects.create(plan=rinkeby, period=FollowUpPeriod.T1)

    taken = plan_services.take_over_plans(cast.slk, cast.body_a, 2023)

    assert taken is not None
    assert (taken.body, taken.year) == (cast.body_a, 2023)
    goals = list(taken.goals.order_by("position"))
    assert [goal.title for goal in goals] == ["Mål för rinkeby-kista", "Mål för spanga-tensta"]
    assert [goal.taken_over_from for goal in goals] == [
        Body.objects.get(slug="rinkeby-kista"),
        Body.objects.get(slug="spanga-tensta"),
    ]
    assert Activity.objects.filter(goal__plan=taken).count() == 2
    assert Indicator.objects.filter(goal__plan=taken).count() == 2
    for old in (rinkeby, spanga):
        old.refresh_from_db()
        assert old.taken_over_by == taken
    # The earlier follow-up stays with the predecessor's plan.
    t1.refresh_from_db()
    assert t1.plan == rinkeby


def test_taking_over_twice_changes_nothing(cast: Cast):
    predecessor_plans(cast)
    plan_services.take_over_plans(cast.slk, cast.body_a, 2023)
    before = snapshot()

    plan_services.take_over_plans(cast.slk, cast.body_a, 2023)

    assert snapshot() == before


def test_a_merger_of_bodies_hands_their_plans_of_the_merge_year_to_the_new_body(cast: Cast):
    bromma = Body.objects.get(slug="bromma")
    kungsholmen = Body.objects.get(slug="kungsholmen")
    for body in (bromma, kungsholmen):
        plan = Plan.objects.create(body=body, year=2025)
        Goal.objects.create(plan=plan, title=f"Mål för {body.name}")

    successor = maintenance.merge_bodies(
        cast.slk,
        [bromma, kungsholmen],
        datetime.date(2025, 7, 1),
        {
            "kind": BodyKind.DISTRICT_COMMITTEE,
            "name": "Bromma-Kungsholmens stadsdelsnämnd",
            "slug": "bromma-kungsholmen",
            "administration_name": "",
        },
    )

    plan = Plan.objects.get(body=successor, year=2025)
    assert {goal.taken_over_from for goal in plan.goals.all()} == {bromma, kungsholmen}
    assert Plan.objects.filter(taken_over_by=plan).count() == 2


# --- Carry-over issues -------------------------------------------------------------------


def test_resolving_a_carry_over_issue_records_who_and_when(cast: Cast, goal: Goal):
    issue = CarryOverIssue.objects.create(
        plan=goal.plan, kind=CarryOverIssue.Kind.UNMAPPED, focus_area=krisberedskap(), goal=goal
    )

    resolved = plan_services.resolve_carry_over_issue(cast.admin_b, issue)
    again = plan_services.resolve_carry_over_issue(cast.admin_a, issue)

    assert resolved.resolved_by == cast.admin_b
    assert again.resolved_by == cast.admin_b
    assert again.resolved_at == resolved.resolved_at
    assert resolved.resolved_at is not None
    assert resolved.resolved_at <= timezone.now()


# --- What the plan page reads ------------------------------------------------------------


def confidential_plan(cast: Cast) -> Plan:
    """Body A's 2024 plan with an open goal holding confidential and internal records,
    a confidential goal, and an issue about each goal."""
    plan = plan_services.create_plan(cast.admin_a, cast.body_a, 2024)
    open_goal = plan_records.create_goal(
        cast.admin_a, plan, {"title": "Öppet mål", "confidentiality": Confidentiality.OPEN}
    )
    hidden_goal = plan_records.create_goal(
        cast.admin_a, plan, {"title": "Hemligt mål", "confidentiality": "confidential"}
    )
    plan_records.create_activity(cast.admin_a, open_goal, activity_values(title="Intern aktivitet"))
    plan_records.create_activity(
        cast.admin_a,
        open_goal,
        activity_values(title="Hemlig aktivitet", confidentiality=Confidentiality.CONFIDENTIAL),
    )
    plan_records.create_activity(
        cast.admin_a, hidden_goal, activity_values(title="Under hemligt mål")
    )
    plan_records.create_indicator(
        cast.admin_a, open_goal, {"name": "Hemlig indikator", "confidentiality": "confidential"}
    )
    plan_records.create_indicator(cast.admin_a, open_goal, {"name": "Öppen indikator"})
    for goal in (open_goal, hidden_goal):
        CarryOverIssue.objects.create(
            plan=plan, kind=CarryOverIssue.Kind.UNMAPPED, focus_area=krisberedskap(), goal=goal
        )
    return plan


def titles(page: plan_queries.PlanPage) -> set[str]:
    found = set()
    for goal in page.goals:
        found.add(goal.title)
        found.update(activity.title for activity in goal.visible_activities)  # type: ignore[attr-defined]
        found.update(indicator.name for indicator in goal.visible_indicators)  # type: ignore[attr-defined]
    return found


def test_a_reader_never_gets_confidential_goals_activities_or_indicators(cast: Cast):
    confidential_plan(cast)

    page = plan_queries.plan_page(cast.reader_a, cast.body_a, 2024)

    assert titles(page) == {"Öppet mål", "Intern aktivitet", "Öppen indikator"}
    assert [row.record_title for row in page.issues] == ["Öppet mål"]
    assert page.can_change is False


@pytest.mark.parametrize("persona", ["admin_a", "slk"])
def test_administrators_and_slk_get_every_record(cast: Cast, persona: str):
    confidential_plan(cast)

    page = plan_queries.plan_page(cast.by_name(persona), cast.body_a, 2024)

    assert titles(page) == {
        "Öppet mål",
        "Hemligt mål",
        "Intern aktivitet",
        "Hemlig aktivitet",
        "Under hemligt mål",
        "Hemlig indikator",
        "Öppen indikator",
    }
    assert len(page.issues) == 2
    assert page.can_change is (persona == "admin_a")


def test_the_page_without_a_plan_offers_what_making_one_needs(cast: Cast):
    plan_services.create_plan(cast.admin_b, cast.body_b, 2024)

    page = plan_queries.plan_page(cast.admin_b, cast.body_b, 2025)

    assert page.plan is None
    assert page.has_previous_plan is True
    assert slugs(page.programmes) == ["trygghetsprogram-2020-2023", "sakerhetsprogram-2024"]


def test_the_page_lists_the_three_follow_ups_with_their_states(cast: Cast, plan: Plan):
    FollowUp.objects.create(plan=plan, period=FollowUpPeriod.T1, state=FollowUpState.SUBMITTED)

    page = plan_queries.plan_page(cast.admin_b, cast.body_b, 2024)

    assert [(row.period, row.state) for row in page.follow_ups] == [
        (FollowUpPeriod.T1, FollowUpState.SUBMITTED),
        (FollowUpPeriod.T2, "not_started"),
        (FollowUpPeriod.ANNUAL, "not_started"),
    ]
