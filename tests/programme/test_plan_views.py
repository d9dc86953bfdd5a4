"""The plan pages as people use them: reading, making, copying, editing in two sessions,
bad input, the carry-over issues, and the page's fixed number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    CarryOverIssue,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Indicator,
    Plan,
)
from programme.services import plan_records
from programme.services import plans as plan_services
from tests.conftest import Cast

YEAR = 2024


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def client_for(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def beredskap() -> FocusArea:
    return FocusArea.objects.get(programme__slug="sakerhetsprogram-2024", title="Beredskap")


def plan_url(cast: Cast, year: int = YEAR) -> str:
    return reverse("programme:plan-detail", kwargs={"slug": cast.body_a.slug, "year": year})


@pytest.fixture
def plan(cast: Cast) -> Plan:
    """Body A's (Järva's) 2024 plan with a goal, an activity, an indicator and a
    confidential goal with a confidential activity."""
    plan = plan_services.create_plan(cast.admin_a, cast.body_a, YEAR)
    goal = plan_records.create_goal(
        cast.admin_a,
        plan,
        {"title": "Stärkt beredskap", "focus_areas": [beredskap()], "confidentiality": "open"},
    )
    plan_records.create_activity(
        cast.admin_a,
        goal,
        {
            "title": "Krisövning",
            "status": ActivityStatus.ONGOING,
            "starts_on": datetime.date(2024, 2, 1),
            "ends_on": datetime.date(2024, 11, 30),
            "perspectives": ["children"],
            "focus_areas": [beredskap()],
        },
    )
    plan_records.create_indicator(
        cast.admin_a, goal, {"name": "Antal övningar", "unit": "st", "target": "4"}
    )
    secret = plan_records.create_goal(
        cast.admin_a,
        plan,
        {"title": "Skydd av ledningscentral", "confidentiality": Confidentiality.CONFIDENTIAL},
    )
    plan_records.create_activity(
        cast.admin_a,
        goal,
        {"title": "Hemlig översyn", "confidentiality": Confidentiality.CONFIDENTIAL},
    )
    plan_records.create_activity(cast.admin_a, secret, {"title": "Reservkraft"})
    return plan


def activity(title: str) -> Activity:
    return Activity.objects.get(title=title)


# --- Reading -----------------------------------------------------------------------------


def test_the_plan_page_shows_goals_activities_and_indicators_nested(cast: Cast, plan: Plan):
    response = client_for(cast, "admin_a").get(plan_url(cast))

    page = text_of(response)
    assert response.status_code == 200
    assert "Verksamhetsplan 2024" in page
    assert page.index("Stärkt beredskap") < page.index("Krisövning") < page.index("Antal övningar")
    assert "1. Beredskap" in page
    assert "plan-status-ongoing" in page
    assert reverse("programme:activity-detail", args=[activity("Krisövning").pk]) in page
    assert reverse("programme:goal-create", args=[cast.body_a.slug, YEAR]) in page


def test_a_reader_sees_the_plan_without_confidential_items_or_edit_links(cast: Cast, plan: Plan):
    response = client_for(cast, "reader_a").get(plan_url(cast))

    page = text_of(response)
    assert response.status_code == 200
    assert "Krisövning" in page
    assert "Skydd av ledningscentral" not in page
    assert "Hemlig översyn" not in page
    assert "Reservkraft" not in page
    assert "/andra/" not in page


def test_slk_sees_confidential_items_but_gets_no_edit_links(cast: Cast, plan: Plan):
    page = text_of(client_for(cast, "slk").get(plan_url(cast)))

    assert "Hemlig översyn" in page
    assert "Konfidentiell" in page
    assert "/andra/" not in page


def test_the_plan_page_links_to_the_follow_ups_of_the_plan(cast: Cast, plan: Plan):
    FollowUp.objects.create(plan=plan, period=FollowUpPeriod.T1, state=FollowUpState.RETURNED)

    response = client_for(cast, "reader_a").get(plan_url(cast))

    rows = response.context["page"].follow_ups
    assert [row.state for row in rows] == [FollowUpState.RETURNED, "not_started", "not_started"]
    page = text_of(response)
    for period in FollowUpPeriod:
        url = reverse("programme:follow-up-detail", args=[cast.body_a.slug, YEAR, period.value])
        assert f'href="{url}"' in page
    assert "Återsänd" in page
    assert reverse("programme:plan-export", args=[cast.body_a.slug, YEAR]) in page


def test_the_plan_list_shows_the_bodys_plans(cast: Cast, plan: Plan):
    response = client_for(cast, "reader_a").get(
        reverse("programme:plan-list", kwargs={"slug": cast.body_a.slug})
    )

    assert response.status_code == 200
    assert plan_url(cast) in text_of(response)


def test_a_year_the_body_did_not_exist_is_not_found(cast: Cast):
    response = client_for(cast, "admin_a").get(plan_url(cast, 2022))

    assert response.status_code == 404


def test_the_navigation_leads_members_to_their_bodys_plan(cast: Cast):
    page = text_of(client_for(cast, "reader_a").get(reverse("programme:account")))

    assert "Verksamhetsplan: Järva stadsdelsnämnd" in page


# --- Making and copying ------------------------------------------------------------------


def test_without_a_plan_the_administrator_may_make_or_copy_one(cast: Cast, plan: Plan):
    page = text_of(client_for(cast, "admin_a").get(plan_url(cast, 2025)))

    assert reverse("programme:plan-create", args=[cast.body_a.slug, 2025]) in page
    assert reverse("programme:plan-copy", args=[cast.body_a.slug, 2025]) in page


def test_without_a_plan_a_reader_gets_no_buttons(cast: Cast, plan: Plan):
    page = text_of(client_for(cast, "reader_a").get(plan_url(cast, 2025)))

    assert "har ingen verksamhetsplan för 2025" in page
    assert "/skapa/" not in page


def test_the_create_button_makes_the_plan(cast: Cast):
    client = client_for(cast, "admin_a")

    response = client.post(reverse("programme:plan-create", args=[cast.body_a.slug, YEAR]))

    assert response.status_code == 302
    assert Plan.objects.filter(body=cast.body_a, year=YEAR).exists()


def test_a_refused_create_says_why_on_the_plan_page(cast: Cast, plan: Plan):
    client = client_for(cast, "admin_a")

    response = client.post(
        reverse("programme:plan-create", args=[cast.body_a.slug, YEAR]), follow=True
    )

    assert "har redan en verksamhetsplan för 2024" in text_of(response)
    assert Plan.objects.filter(body=cast.body_a).count() == 1


def test_the_copy_button_copies_last_years_plan_and_lists_its_issues(cast: Cast, plan: Plan):
    client = client_for(cast, "admin_a")

    response = client.post(
        reverse("programme:plan-copy", args=[cast.body_a.slug, 2025]), follow=True
    )

    assert response.status_code == 200
    copy = Plan.objects.get(body=cast.body_a, year=2025)
    assert copy.goals.count() == 2
    assert "Kopierad från verksamhetsplanen för 2024." in text_of(response)


# --- Forms -------------------------------------------------------------------------------


def activity_form(record: Activity, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": str(record.version),
        "title": record.title,
        "description": record.description,
        "responsible_unit": record.responsible_unit,
        "starts_on": record.starts_on.isoformat() if record.starts_on else "",
        "ends_on": record.ends_on.isoformat() if record.ends_on else "",
        "status": record.status,
        "focus_areas": [str(area.pk) for area in record.focus_areas.all()],
        "perspectives": list(record.perspectives),
        "confidentiality": record.confidentiality,
    }
    data.update(changes)
    return data


def test_a_goal_is_added_through_its_form(cast: Cast, plan: Plan):
    client = client_for(cast, "admin_a")
    url = reverse("programme:goal-create", args=[cast.body_a.slug, YEAR])

    form_page = client.get(url)
    response = client.post(
        url,
        {
            "version": "1",
            "title": "Tryggare torg",
            "description": "<b>Fler</b> vuxna ute",
            "focus_areas": [str(beredskap().pk)],
            "confidentiality": "internal",
        },
    )

    assert form_page.status_code == 200
    assert "<legend>Stockholms stads säkerhetsprogram</legend>" in text_of(form_page)
    goal = Goal.objects.get(title="Tryggare torg")
    assert response.status_code == 302
    assert response["Location"] == f"{plan_url(cast)}#goal-{goal.pk}"
    assert goal.position == 3


def test_an_activity_ending_before_it_starts_is_refused_in_the_form(cast: Cast, plan: Plan):
    record = activity("Krisövning")
    url = reverse("programme:activity-edit", args=[record.pk])

    response = client_for(cast, "admin_a").post(
        url, activity_form(record, title="Ändrad", ends_on="2024-01-01")
    )

    page = text_of(response)
    assert response.status_code == 200
    assert "Inget sparades" in page
    assert "Slutet kan inte komma före starten (1 februari 2024)." in page
    assert 'value="Ändrad"' in page
    record.refresh_from_db()
    assert (record.title, record.ends_on, record.version) == (
        "Krisövning",
        datetime.date(2024, 11, 30),
        1,
    )


def test_a_non_numeric_target_is_refused_in_the_form(cast: Cast, plan: Plan):
    indicator = Indicator.objects.get(name="Antal övningar")

    response = client_for(cast, "admin_a").post(
        reverse("programme:indicator-edit", args=[indicator.pk]),
        {"version": "1", "name": "Antal övningar", "target": "fyra", "direction": "higher"},
    )

    assert response.status_code == 200
    assert "Inget sparades" in text_of(response)
    indicator.refresh_from_db()
    assert indicator.target == 4


def test_a_form_without_its_version_is_refused(cast: Cast, plan: Plan):
    record = activity("Krisövning")
    data = activity_form(record, title="Utan version")
    del data["version"]

    response = client_for(cast, "admin_a").post(
        reverse("programme:activity-edit", args=[record.pk]), data
    )

    assert response.status_code == 200
    record.refresh_from_db()
    assert record.title == "Krisövning"


def test_two_sessions_editing_one_activity_the_second_is_refused_and_shown_the_first(
    cast: Cast, plan: Plan
):
    record = activity("Krisövning")
    url = reverse("programme:activity-edit", args=[record.pk])
    first, second = client_for(cast, "admin_a"), client_for(cast, "admin_a")
    first_form = first.get(url).context["form"]
    second_form = second.get(url).context["form"]
    assert first_form["version"].value() == second_form["version"].value() == 1

    saved = first.post(url, activity_form(record, responsible_unit="Första enheten"))
    refused = second.post(url, activity_form(record, responsible_unit="Andra enheten"))

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = text_of(refused)
    assert "Någon annan har sparat ändringar här efter att du öppnade sidan" in page
    assert "Det här ändrade den andra personen" in page
    assert "Första enheten" in page
    # The second person's text is kept, with the current version to save again from.
    assert 'value="Andra enheten"' in page
    assert refused.context["form"]["version"].value() == "2"
    record.refresh_from_db()
    assert (record.responsible_unit, record.version) == ("Första enheten", 2)


def test_saving_again_after_the_conflict_goes_through(cast: Cast, plan: Plan):
    record = activity("Krisövning")
    url = reverse("programme:activity-edit", args=[record.pk])
    client = client_for(cast, "admin_a")
    client.post(url, activity_form(record, responsible_unit="Första enheten"))

    client.post(url, activity_form(record, responsible_unit="Andra enheten", version="2"))

    record.refresh_from_db()
    assert (record.responsible_unit, record.version) == ("Andra enheten", 3)


def test_deleting_a_reported_activity_is_refused_in_the_page(cast: Cast, plan: Plan):
    record = activity("Krisövning")
    follow_up = FollowUp.objects.create(
        plan=plan, period=FollowUpPeriod.T1, state=FollowUpState.APPROVED
    )
    ActivityReport.objects.create(follow_up=follow_up, activity=record, status=record.status)

    response = client_for(cast, "admin_a").post(
        reverse("programme:activity-delete", args=[record.pk]), {"version": "1"}
    )

    assert response.status_code == 200
    assert "Aktiviteten kan inte tas bort" in text_of(response)
    assert Activity.objects.filter(pk=record.pk).exists()


def test_a_goal_is_deleted_after_confirming(cast: Cast, plan: Plan):
    goal = Goal.objects.get(title="Stärkt beredskap")
    client = client_for(cast, "admin_a")
    url = reverse("programme:goal-delete", args=[goal.pk])

    confirm = client.get(url)
    response = client.post(url, {"version": "1"})

    assert "Vill du ta bort ”Stärkt beredskap”?" in text_of(confirm)
    assert response.status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


# --- Carry-over issues -------------------------------------------------------------------


def test_carry_over_issues_are_listed_at_the_top_and_can_be_settled(cast: Cast, plan: Plan):
    goal = Goal.objects.get(title="Stärkt beredskap")
    issue = CarryOverIssue.objects.create(
        plan=plan, kind=CarryOverIssue.Kind.SPLIT, focus_area=beredskap(), goal=goal
    )
    client = client_for(cast, "admin_a")

    before = text_of(client.get(plan_url(cast)))
    response = client.post(reverse("programme:carry-over-resolve", args=[issue.pk]))
    after = text_of(client.get(plan_url(cast)))

    assert before.index("Att ta ställning till") < before.index('id="goal-')
    assert response.status_code == 302
    assert "Att ta ställning till" not in after
    issue.refresh_from_db()
    assert issue.resolved_by == cast.admin_a


def test_a_reader_does_not_see_the_issue_of_a_confidential_goal(cast: Cast, plan: Plan):
    secret = Goal.objects.get(title="Skydd av ledningscentral")
    CarryOverIssue.objects.create(
        plan=plan, kind=CarryOverIssue.Kind.UNMAPPED, focus_area=beredskap(), goal=secret
    )

    page = text_of(client_for(cast, "reader_a").get(plan_url(cast)))

    assert "Att ta ställning till" not in page
    assert "Skydd av ledningscentral" not in page


# --- Queries -----------------------------------------------------------------------------

# With the year switch's one query for the years with a programme version in force.
PLAN_PAGE_QUERIES = 15


def add_goals(cast: Cast, plan: Plan, count: int) -> None:
    """``count`` more goals, each with activities, indicators, focus areas and an issue."""
    for number in range(count):
        goal = Goal.objects.create(plan=plan, title=f"Mål {number}", position=10 + number)
        goal.focus_areas.add(beredskap())
        for index in range(3):
            activity = Activity.objects.create(goal=goal, title=f"Aktivitet {number}.{index}")
            activity.focus_areas.add(beredskap())
        indicator = Indicator.objects.create(goal=goal, name=f"Indikator {number}")
        indicator.focus_areas.add(beredskap())
        CarryOverIssue.objects.create(
            plan=plan, kind=CarryOverIssue.Kind.SPLIT, focus_area=beredskap(), goal=goal
        )


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "slk"])
@pytest.mark.parametrize("extra_goals", [0, 8])
def test_the_plan_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, plan: Plan, django_assert_num_queries: Any, persona: str, extra_goals: int
):
    FollowUp.objects.create(plan=plan, period=FollowUpPeriod.T1)
    add_goals(cast, plan, extra_goals)
    client = client_for(cast, persona)

    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = client.get(plan_url(cast))

    assert response.status_code == 200
    assert len(response.context["page"].goals) >= 1 + extra_goals
