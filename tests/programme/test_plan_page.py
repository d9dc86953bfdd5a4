"""The compact plan page: goals as sections, activities and indicators as one row each,
the filter that works without script, levels through the access module, each record's
own page, and the page's fixed number of queries at two sizes."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programme.models import (
    AccessLogEntry,
    Activity,
    ActivityStatus,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Indicator,
    IndicatorOutcome,
    Plan,
)
from programme.services import plan_records
from programme.services import plans as plan_services
from tests.conftest import Cast

YEAR = 2024


def client_for(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def text_of(response: Any) -> str:
    """The page as text, tags and runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def area(title: str) -> FocusArea:
    return FocusArea.objects.get(programme__slug="sakerhetsprogram-2024", title=title)


def plan_url(cast: Cast, query: str = "") -> str:
    url = reverse("programme:plan-detail", kwargs={"slug": cast.body_a.slug, "year": YEAR})
    return f"{url}?{query}" if query else url


def row_titles(response: Any) -> list[str]:
    """The titles of the activity and indicator rows the page shows, in order."""
    return re.findall(
        r'<tr id="(?:activity|indicator)-\d+">\s*<th scope="row"><a href="[^"]*">([^<]+)</a>',
        response.content.decode(),
    )


@pytest.fixture
def plan(cast: Cast) -> Plan:
    """Järva's 2024 plan: two goals, four activities of several states, focus areas and
    perspectives, an internal and a confidential activity, and two indicators."""
    plan = plan_services.create_plan(cast.admin_a, cast.body_a, YEAR)
    goal = plan_records.create_goal(
        cast.admin_a, plan, {"title": "Stärkt beredskap", "focus_areas": [area("Beredskap")]}
    )
    plan_records.create_activity(
        cast.admin_a,
        goal,
        {
            "title": "Krisövning",
            "status": ActivityStatus.ONGOING,
            "responsible_unit": "Säkerhetsenheten",
            "starts_on": datetime.date(2024, 2, 1),
            "ends_on": datetime.date(2024, 11, 30),
            "perspectives": ["children"],
            "focus_areas": [area("Beredskap")],
            "description": "Övning med krisledningen.",
        },
    )
    plan_records.create_activity(
        cast.admin_a,
        goal,
        {
            "title": "Utbildning i informationssäkerhet",
            "status": ActivityStatus.DELAYED,
            "perspectives": ["gender_equality", "children"],
            "focus_areas": [area("Säkerhetsskydd")],
            "confidentiality": Confidentiality.INTERNAL,
        },
    )
    plan_records.create_activity(
        cast.admin_a,
        goal,
        {
            "title": "Hemlig översyn",
            "status": ActivityStatus.ONGOING,
            "focus_areas": [area("Beredskap")],
            "confidentiality": Confidentiality.CONFIDENTIAL,
        },
    )
    plan_records.create_indicator(
        cast.admin_a,
        goal,
        {
            "name": "Andel trygga",
            "unit": "%",
            "baseline": "55",
            "target": "70",
            "by_sex": True,
            "focus_areas": [area("Beredskap")],
        },
    )
    other = plan_records.create_goal(cast.admin_a, plan, {"title": "Färre olyckor"})
    plan_records.create_activity(
        cast.admin_a,
        other,
        {
            "title": "Brandskyddsrond",
            "status": ActivityStatus.DONE,
            "focus_areas": [area("Olycksförebyggande arbete")],
        },
    )
    plan_records.create_indicator(
        cast.admin_a, other, {"name": "Antal bränder", "unit": "st", "target": "3"}
    )
    return plan


def record(model: type[Activity] | type[Indicator], name: str) -> Any:
    field = "name" if model is Indicator else "title"
    return model.objects.get(**{field: name})


def report_outcome(plan: Plan, period: str, state: str, **values: Decimal | None) -> None:
    """An outcome of "Andel trygga" in the plan's follow-up of ``period``."""
    follow_up = FollowUp.objects.create(plan=plan, period=period, state=state)
    IndicatorOutcome.objects.create(
        follow_up=follow_up, indicator=record(Indicator, "Andel trygga"), **values
    )


# --- The rows ----------------------------------------------------------------------------


def test_each_activity_and_indicator_is_one_row_under_its_goal(cast: Cast, plan: Plan):
    response = client_for(cast, "admin_a").get(plan_url(cast))

    assert response.status_code == 200
    assert row_titles(response) == [
        "Krisövning",
        "Utbildning i informationssäkerhet",
        "Hemlig översyn",
        "Andel trygga",
        "Brandskyddsrond",
        "Antal bränder",
    ]
    html = response.content.decode()
    krisovning = html[html.index('id="activity-') : html.index("Utbildning i")]
    assert reverse("programme:activity-detail", args=[record(Activity, "Krisövning").pk]) in html
    assert "Pågående" in krisovning
    assert "1 feb 2024" in krisovning and "30 nov 2024" in krisovning
    assert "Säkerhetsenheten" in krisovning
    assert "1. Beredskap" in krisovning
    # Open records carry no level; the others say theirs.
    assert "plan-level" not in krisovning
    assert 'plan-level-internal">Intern' in html
    assert 'plan-level-confidential">Konfidentiell' in html
    # The details stay on the record's own page.
    assert "Övning med krisledningen." not in html


def test_an_indicator_row_shows_the_latest_reported_outcome_with_women_and_men(
    cast: Cast, plan: Plan
):
    report_outcome(plan, FollowUpPeriod.T1, FollowUpState.APPROVED, value=Decimal("58"))
    report_outcome(
        plan,
        FollowUpPeriod.T2,
        FollowUpState.SUBMITTED,
        value=Decimal("62.5"),
        value_women=Decimal("57"),
        value_men=Decimal("68"),
    )
    # A draft's figures are not yet reported: they are not the latest outcome.
    report_outcome(plan, FollowUpPeriod.ANNUAL, FollowUpState.DRAFT, value=Decimal("99"))

    page = text_of(client_for(cast, "reader_a").get(plan_url(cast)))

    row = page[page.index("Andel trygga") : page.index("Färre olyckor")]
    assert "% 55 70 62,50 Kvinnor 57, män 68 Tertialrapport 2" in row
    assert "99" not in row


def test_an_indicator_without_a_reported_outcome_shows_none(cast: Cast, plan: Plan):
    page = text_of(client_for(cast, "admin_a").get(plan_url(cast)))

    assert "Antal bränder st – 3 –" in page


def test_a_reader_gets_no_row_of_a_confidential_record(cast: Cast, plan: Plan):
    response = client_for(cast, "reader_a").get(plan_url(cast))

    titles = row_titles(response)
    assert "Hemlig översyn" not in titles
    assert "Utbildning i informationssäkerhet" in titles
    assert "Hemlig översyn" not in response.content.decode()


def test_an_activity_under_a_confidential_goal_is_confidential_for_the_reader(
    cast: Cast, plan: Plan
):
    goal = Goal.objects.get(title="Färre olyckor")
    Goal.objects.filter(pk=goal.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)

    reader = client_for(cast, "reader_a").get(plan_url(cast))
    admin = client_for(cast, "admin_a").get(plan_url(cast))

    assert "Brandskyddsrond" not in reader.content.decode()
    brand = admin.content.decode().split("Brandskyddsrond", 1)[1][:200]
    assert "plan-level-confidential" in brand


# --- The filter --------------------------------------------------------------------------


def test_the_filter_by_status_keeps_only_those_activities_and_no_indicators(cast: Cast, plan: Plan):
    response = client_for(cast, "admin_a").get(plan_url(cast, "status=ongoing"))

    assert row_titles(response) == ["Krisövning", "Hemlig översyn"]
    page = text_of(response)
    assert "Visas: 2 av 4 aktiviteter och 0 av 2 indikatorer." in page
    # The goal without a matching row is left out.
    assert "Färre olyckor" not in page


def test_the_filter_by_focus_area_keeps_activities_and_indicators(cast: Cast, plan: Plan):
    beredskap = area("Beredskap").pk

    response = client_for(cast, "admin_a").get(plan_url(cast, f"focus_area={beredskap}"))

    assert row_titles(response) == ["Krisövning", "Hemlig översyn", "Andel trygga"]


def test_the_filter_by_perspective(cast: Cast, plan: Plan):
    response = client_for(cast, "admin_a").get(plan_url(cast, "perspective=children"))

    assert row_titles(response) == [
        "Krisövning",
        "Utbildning i informationssäkerhet",
    ]


def test_the_filters_combine(cast: Cast, plan: Plan):
    beredskap = area("Beredskap").pk
    query = f"status=ongoing&focus_area={beredskap}&perspective=children"

    response = client_for(cast, "admin_a").get(plan_url(cast, query))

    assert row_titles(response) == ["Krisövning"]


def test_the_filter_is_a_get_form_that_needs_no_script(cast: Cast, plan: Plan):
    html = client_for(cast, "admin_a").get(plan_url(cast)).content.decode()

    form = re.search(r'<form method="get" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == plan_url(cast)
    for name in ("status", "focus_area", "perspective"):
        assert f'name="{name}"' in form.group(2)
    assert '<button type="submit">' in form.group(2)
    assert "<script" not in html


def test_the_filtered_page_keeps_the_filter_in_its_links(cast: Cast, plan: Plan):
    krisovning = record(Activity, "Krisövning")
    html = (
        client_for(cast, "admin_a")
        .get(plan_url(cast, "status=ongoing&perspective=children"))
        .content.decode()
    )

    kept = "status=ongoing&amp;perspective=children"
    detail = reverse("programme:activity-detail", args=[krisovning.pk])
    assert f'href="{detail}?{kept}"' in html
    previous = reverse("programme:plan-detail", args=[cast.body_a.slug, YEAR - 1])
    assert f'href="{previous}?{kept}"' in html
    assert '<option value="ongoing" selected>' in html

    back = client_for(cast, "admin_a").get(f"{detail}?status=ongoing&perspective=children")
    assert f'href="{plan_url(cast)}?{kept}#activity-{krisovning.pk}"' in back.content.decode()


def test_a_value_the_filter_does_not_know_is_named_and_left_out(cast: Cast, plan: Plan):
    response = client_for(cast, "admin_a").get(plan_url(cast, "status=sleeping&focus_area=99999"))

    assert response.status_code == 200
    assert len(row_titles(response)) == 6
    page = text_of(response)
    assert "Okänd status: filtret tar inte med den." in page
    assert "fokusområdet" in page


# --- A record's own page -----------------------------------------------------------------


def test_an_activitys_page_shows_its_details_and_its_follow_up_rows(cast: Cast, plan: Plan):
    krisovning = record(Activity, "Krisövning")
    follow_up = FollowUp.objects.create(
        plan=plan, period=FollowUpPeriod.T1, state=FollowUpState.SUBMITTED
    )
    follow_up.activity_reports.create(
        activity=krisovning, status=ActivityStatus.DELAYED, comment="Flyttad till hösten."
    )

    response = client_for(cast, "reader_a").get(
        reverse("programme:activity-detail", args=[krisovning.pk])
    )

    page = text_of(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aktivitet: Krisövning" in page
    assert "Övning med krisledningen." in page
    assert "Barn" in page
    assert "1. Beredskap (Stockholms stads säkerhetsprogram" in page
    assert "Tertialrapport 1 2024 Inlämnad Försenad Flyttad till hösten." in page
    assert reverse("programme:activity-history", args=[krisovning.pk]) in html
    assert "/andra/" not in html


def test_an_administrator_reaches_the_forms_from_the_records_page(cast: Cast, plan: Plan):
    indicator = record(Indicator, "Andel trygga")

    html = (
        client_for(cast, "admin_a")
        .get(reverse("programme:indicator-detail", args=[indicator.pk]))
        .content.decode()
    )

    assert reverse("programme:indicator-edit", args=[indicator.pk]) in html
    assert reverse("programme:indicator-delete", args=[indicator.pk]) in html


def test_a_confidential_records_page_is_not_found_by_a_reader_and_logged_for_slk(
    cast: Cast, plan: Plan
):
    secret = record(Activity, "Hemlig översyn")
    url = reverse("programme:activity-detail", args=[secret.pk])

    assert client_for(cast, "reader_a").get(url).status_code == 404
    assert client_for(cast, "admin_b").get(url).status_code == 404
    assert client_for(cast, "slk").get(url).status_code == 200
    assert AccessLogEntry.objects.filter(record_id=secret.pk, user=cast.slk).count() == 1


def test_a_goals_page_shows_its_description_and_focus_areas(cast: Cast, plan: Plan):
    goal = Goal.objects.get(title="Stärkt beredskap")

    page = text_of(
        client_for(cast, "reader_a").get(reverse("programme:goal-detail", args=[goal.pk]))
    )

    assert "Nämndmål: Stärkt beredskap" in page
    assert "1. Beredskap" in page


# --- Queries -----------------------------------------------------------------------------

# As tests/programme/test_plan_views.py counts the plan page: its reads, the year
# switch's years with a programme in force among them.
PLAN_PAGE_QUERIES = 15


def grow(plan: Plan, activities: int, indicators: int) -> None:
    """Make the plan hold ``activities`` activities and ``indicators`` indicators in all,
    over goals of four activities, with focus areas and reported outcomes."""
    beredskap = area("Beredskap")
    follow_up = FollowUp.objects.create(
        plan=plan, period=FollowUpPeriod.T1, state=FollowUpState.SUBMITTED
    )
    have_a = Activity.objects.filter(goal__plan=plan).count()
    have_i = Indicator.objects.filter(goal__plan=plan).count()
    goals = Goal.objects.bulk_create(
        Goal(plan=plan, position=10 + n, title=f"Mål {n}")
        for n in range(max(1, (activities - have_a) // 4))
    )
    made = Activity.objects.bulk_create(
        Activity(
            goal=goals[n % len(goals)],
            position=n,
            title=f"Aktivitet {n}",
            perspectives=["children"],
            confidentiality=Confidentiality.INTERNAL if n % 5 == 0 else Confidentiality.OPEN,
        )
        for n in range(activities - have_a)
    )
    Activity.focus_areas.through.objects.bulk_create(
        Activity.focus_areas.through(activity_id=activity.pk, focusarea_id=beredskap.pk)
        for activity in made
    )
    indicators_made = Indicator.objects.bulk_create(
        Indicator(goal=goals[n % len(goals)], position=n, name=f"Indikator {n}", by_sex=True)
        for n in range(indicators - have_i)
    )
    IndicatorOutcome.objects.bulk_create(
        IndicatorOutcome(
            follow_up=follow_up,
            indicator=indicator,
            value=Decimal(n),
            value_women=Decimal(n),
            value_men=Decimal(n),
        )
        for n, indicator in enumerate(indicators_made)
    )


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "slk"])
@pytest.mark.parametrize("size", [(4, 2), (60, 10)])
@pytest.mark.parametrize("query", ["", "status=planned&perspective=children"])
def test_the_compact_plan_page_reads_in_a_fixed_number_of_queries(
    cast: Cast,
    plan: Plan,
    django_assert_num_queries: Any,
    persona: str,
    size: tuple[int, int],
    query: str,
):
    activities, indicators = size
    if activities > 5:
        grow(plan, activities, indicators)
    else:
        FollowUp.objects.create(plan=plan, period=FollowUpPeriod.T1)
    client = client_for(cast, persona)
    client.get(plan_url(cast, query))  # warms Django's caches (content types, sites)

    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = client.get(plan_url(cast, query))

    assert response.status_code == 200
    assert response.context["page"].activity_count >= activities - 1


@pytest.mark.parametrize("reports", [0, 3])
def test_a_records_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, plan: Plan, django_assert_num_queries: Any, reports: int
):
    krisovning = record(Activity, "Krisövning")
    for period in list(FollowUpPeriod)[:reports]:
        FollowUp.objects.create(plan=plan, period=period).activity_reports.create(
            activity=krisovning, status=ActivityStatus.ONGOING
        )
    client = client_for(cast, "reader_a")
    url = reverse("programme:activity-detail", args=[krisovning.pk])
    client.get(url)

    with django_assert_num_queries(8):
        response = client.get(url)

    assert len(response.context["page"].reports) == reports
