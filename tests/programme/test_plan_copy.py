"""Copying a plan into the next year: unfinished activities carried forward, focus areas
mapped through the programme lineage across the 2023→2024 change, what cannot be mapped
one to one flagged, nothing dropped."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from programme import lineage
from programme.models import (
    Activity,
    ActivityStatus,
    CarryOverIssue,
    Confidentiality,
    FocusArea,
    FocusAreaSuccession,
    Goal,
    Indicator,
    Perspective,
    Plan,
)
from programme.services import plan_records
from programme.services import plans as plan_services
from tests.conftest import Cast

SAK_2020 = "sakerhetsprogram-2020-2023"
SAK_2024 = "sakerhetsprogram-2024"
TRYGG = "trygghetsprogram-2020-2023"
PAVERKAN = "Förebygga otillåten påverkan samt hot och våld mot anställda"


def area(programme: str, title: str) -> FocusArea:
    return FocusArea.objects.get(programme__slug=programme, title=title)


def titles_of(areas: Any) -> set[str]:
    return {focus_area.title for focus_area in areas}


def link(record: Goal | Activity | Indicator, *areas: FocusArea) -> None:
    record.focus_areas.set(areas)


@pytest.fixture
def plan_2023(cast: Cast) -> Plan:
    """Skärholmen's 2023 plan under the säkerhetsprogram 2020–2023 and the trygghetsprogram.

    Goal 1 links Krisberedskap (→ Beredskap), goal 2 the focus area on undue influence
    and threats (→ Personsäkerhet, part of it left the programme) and one of the
    trygghetsprogram (still in force). Goal 1 has an activity of each status.
    """
    plan = Plan.objects.create(body=cast.body_b, year=2023)
    prepared = Goal.objects.create(plan=plan, position=1, title="Stärkt krisberedskap")
    link(prepared, area(SAK_2020, "Krisberedskap"))
    for position, status in enumerate(ActivityStatus, start=1):
        activity = Activity.objects.create(
            goal=prepared,
            position=position,
            title=f"Aktivitet {status.value}",
            status=status,
            starts_on=datetime.date(2023, 3, 1),
            ends_on=datetime.date(2023, 12, 31),
            perspectives=[Perspective.CHILDREN],
            confidentiality=Confidentiality.CONFIDENTIAL
            if status == ActivityStatus.DELAYED
            else Confidentiality.INTERNAL,
        )
        link(activity, area(SAK_2020, "Krisberedskap"), area(SAK_2020, "Civilt försvar"))
    indicator = Indicator.objects.create(
        goal=prepared, name="Antal övningar", unit="st", baseline=2, target=4
    )
    link(indicator, area(SAK_2020, "Krisberedskap"))
    staff = Goal.objects.create(plan=plan, position=2, title="Tryggare arbetsmiljö")
    link(staff, area(SAK_2020, PAVERKAN), area(TRYGG, "Förebyggande arbete"))
    Activity.objects.create(goal=staff, title="Utbildning om hot och våld")
    return plan


def copied(cast: Cast) -> Plan:
    return plan_services.copy_plan(cast.admin_b, cast.body_b, 2024)


def test_copy_carries_goals_indicators_and_only_unfinished_activities(cast: Cast, plan_2023: Plan):
    plan = copied(cast)

    goals = list(plan.goals.order_by("position"))
    assert [goal.title for goal in goals] == ["Stärkt krisberedskap", "Tryggare arbetsmiljö"]
    assert [goal.carried_from.plan for goal in goals if goal.carried_from] == [
        plan_2023,
        plan_2023,
    ]
    carried = list(goals[0].activities.order_by("position"))
    assert [activity.status for activity in carried] == [
        ActivityStatus.PLANNED,
        ActivityStatus.ONGOING,
        ActivityStatus.DELAYED,
    ]
    assert all(
        activity.carried_from and activity.carried_from.goal.plan == plan_2023
        for activity in carried
    )
    assert carried[2].confidentiality == Confidentiality.CONFIDENTIAL
    assert carried[0].perspectives == [Perspective.CHILDREN]
    indicator = goals[0].indicators.get()
    assert (indicator.name, indicator.unit, indicator.target) == ("Antal övningar", "st", 4)
    assert plan.copied_from == plan_2023


def test_done_and_cancelled_activities_stay_behind(cast: Cast, plan_2023: Plan):
    plan = copied(cast)

    titles = set(Activity.objects.filter(goal__plan=plan).values_list("title", flat=True))
    assert "Aktivitet done" not in titles
    assert "Aktivitet cancelled" not in titles
    # They are still in last year's plan.
    assert Activity.objects.filter(goal__plan=plan_2023).count() == 6


def test_krisberedskap_and_civilt_forsvar_map_to_beredskap_without_a_flag(
    cast: Cast, plan_2023: Plan
):
    plan = copied(cast)

    prepared = plan.goals.get(position=1)
    assert titles_of(prepared.focus_areas.all()) == {"Beredskap"}
    assert prepared.focus_areas.get().programme.slug == SAK_2024
    for activity in prepared.activities.all():
        # Two focus areas that both went to Beredskap map to it once.
        assert titles_of(activity.focus_areas.all()) == {"Beredskap"}
    assert titles_of(prepared.indicators.get().focus_areas.all()) == {"Beredskap"}
    assert not CarryOverIssue.objects.filter(goal=prepared).exists()
    assert not CarryOverIssue.objects.filter(activity__goal=prepared).exists()


def test_the_focus_area_on_undue_influence_is_flagged_not_dropped(cast: Cast, plan_2023: Plan):
    plan = copied(cast)

    staff = plan.goals.get(position=2)
    # Threats and violence went to Personsäkerhet; the work against undue influence left
    # the säkerhetsprogram, so the goal is linked to Personsäkerhet and flagged.
    assert titles_of(staff.focus_areas.all()) == {"Personsäkerhet", "Förebyggande arbete"}
    issue = CarryOverIssue.objects.get(plan=plan)
    assert (issue.kind, issue.goal, issue.focus_area) == (
        CarryOverIssue.Kind.SPLIT,
        staff,
        area(SAK_2020, PAVERKAN),
    )


def test_a_focus_area_of_a_version_still_in_force_stays_as_it_was(cast: Cast, plan_2023: Plan):
    plan = copied(cast)

    staff = plan.goals.get(position=2)
    assert area(TRYGG, "Förebyggande arbete") in staff.focus_areas.all()


def test_a_focus_area_with_no_successor_in_force_is_kept_and_flagged(cast: Cast, plan_2023: Plan):
    # Suppose all of that work had left the programme: only the note remains.
    FocusAreaSuccession.objects.filter(
        source=area(SAK_2020, PAVERKAN), successor__isnull=False
    ).delete()

    plan = copied(cast)

    staff = plan.goals.get(position=2)
    assert area(SAK_2020, PAVERKAN) in staff.focus_areas.all()
    issue = CarryOverIssue.objects.get(plan=plan)
    assert (issue.kind, issue.goal, issue.focus_area) == (
        CarryOverIssue.Kind.UNMAPPED,
        staff,
        area(SAK_2020, PAVERKAN),
    )


def test_nothing_is_dropped_every_old_focus_area_is_mapped_kept_or_flagged(
    cast: Cast, plan_2023: Plan
):
    plan = copied(cast)

    issues = {
        (issue.goal_id, issue.activity_id, issue.indicator_id, issue.focus_area_id)
        for issue in CarryOverIssue.objects.filter(plan=plan)
    }
    mapping = lineage.map_focus_areas(FocusArea.objects.values_list("pk", flat=True), 2024)
    records: list[Goal | Activity | Indicator] = [
        *Goal.objects.filter(plan=plan),
        *Activity.objects.filter(goal__plan=plan),
        *Indicator.objects.filter(goal__plan=plan),
    ]
    for record in records:
        new = set(record.focus_areas.all())
        assert record.carried_from is not None
        for old in record.carried_from.focus_areas.all():
            mapped = mapping[old.pk]
            expected = set(mapped.successors) or {old}
            assert expected <= new, (record, old)
            key = (
                record.pk if isinstance(record, Goal) else None,
                record.pk if isinstance(record, Activity) else None,
                record.pk if isinstance(record, Indicator) else None,
                old.pk,
            )
            assert (key in issues) is (mapped.kind is not None), (record, old)


def test_lineage_is_followed_across_several_versions(loaded_data: Any):
    old = area(
        "trygghets-och-sakerhetsprogram-2018-2021", "Bygga motståndskraft och krishanteringsförmåga"
    )
    crime = area("trygghets-och-sakerhetsprogram-2018-2021", "Förebygga brott")

    mapping = lineage.map_focus_areas([old.pk, crime.pk], 2024)

    # 2018–2021 → Krisberedskap and Civilt försvar (2020–2023) → Beredskap (2024).
    assert [focus.title for focus in mapping[old.pk].successors] == ["Beredskap"]
    assert mapping[old.pk].kind is None
    # Crime prevention went to all four areas of the trygghetsprogram: a split.
    assert len(mapping[crime.pk].successors) == 4
    assert mapping[crime.pk].kind == CarryOverIssue.Kind.SPLIT


def test_copy_into_an_existing_empty_plan_fills_it(cast: Cast, plan_2023: Plan):
    empty = plan_services.create_plan(cast.admin_b, cast.body_b, 2024)

    plan = copied(cast)

    assert plan == empty
    assert plan.goals.count() == 2


def test_copy_is_refused_when_the_plan_has_goals_already(cast: Cast, plan_2023: Plan):
    target = plan_services.create_plan(cast.admin_b, cast.body_b, 2024)
    plan_records.create_goal(cast.admin_b, target, {"title": "Redan här"})

    with pytest.raises(ValidationError) as refusal:
        copied(cast)

    assert "har redan mål" in refusal.value.messages[0]
    assert list(target.goals.values_list("title", flat=True)) == ["Redan här"]
    assert not CarryOverIssue.objects.exists()


def test_copy_is_refused_without_last_years_plan(cast: Cast):
    with pytest.raises(ValidationError) as refusal:
        plan_services.copy_plan(cast.admin_b, cast.body_b, 2024)

    assert refusal.value.messages == [
        "Skärholmens stadsdelsnämnd har ingen verksamhetsplan för 2023 att kopiera."
    ]
    assert not Plan.objects.exists()


def test_copy_is_refused_into_a_year_without_a_version_in_force(cast: Cast):
    Plan.objects.create(body=cast.body_b, year=2011)

    with pytest.raises(ValidationError):
        plan_services.copy_plan(cast.admin_b, cast.body_b, 2012)

    assert not Plan.objects.filter(year=2012).exists()
