"""SLK's follow-up overview: states, filters, the matrix, the charts' figures and its queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme import lineage
from programme.models import (
    Activity,
    Body,
    BodyKind,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Judgement,
    Plan,
    copy_focus_areas,
)
from programme.queries import judgements as judgement_queries
from programme.queries import overview as overview_queries
from programme.queries import year_settings as year_setting_queries
from programme.queries.overview import OverviewFilters, OverviewState
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = 2024
T1 = FollowUpPeriod.T1
ANNUAL = FollowUpPeriod.ANNUAL
T1_DEADLINE = datetime.date(YEAR, 5, 15)
BEFORE = datetime.date(YEAR, 5, 1)
AFTER = datetime.date(YEAR, 5, 16)


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def client_for(cast: Cast, persona: str) -> Client:
    """A client signed in as ``persona`` (anonymous: not signed in)."""
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.by_name(persona))
    return client


def overview_url(year: int = YEAR, period: str = T1) -> str:
    return reverse("programme:follow-up-overview", kwargs={"year": year, "period": period})


def body(slug: str) -> Body:
    return Body.objects.get(slug=slug)


def area(programme_slug: str, position: int) -> FocusArea:
    return FocusArea.objects.get(programme__slug=programme_slug, position=position)


def plan_of(owner: Body, year: int = YEAR) -> Plan:
    return Plan.objects.get_or_create(body=owner, year=year)[0]


def follow_up(
    owner: Body, state: FollowUpState, period: str = T1, year: int = YEAR, **values: Any
) -> FollowUp:
    return FollowUp.objects.create(plan=plan_of(owner, year), period=period, state=state, **values)


def goal(owner: Body, *areas: FocusArea, year: int = YEAR, title: str = "Mål") -> Goal:
    made = Goal.objects.create(plan=plan_of(owner, year), title=title)
    made.focus_areas.add(*areas)
    return made


def activity(parent: Goal, *areas: FocusArea, title: str = "Aktivitet") -> Activity:
    made = Activity.objects.create(goal=parent, title=title)
    made.focus_areas.add(*areas)
    return made


def rows_by_slug(
    rows: list[overview_queries.OverviewRow],
) -> dict[str, overview_queries.OverviewRow]:
    return {row.body.slug: row for row in rows}


@pytest.fixture
def deadlines(cast: Cast) -> None:
    """This year's three deadlines, set by SLK."""
    FollowUpDeadline.objects.create(year=YEAR, period=T1, due_on=T1_DEADLINE)
    FollowUpDeadline.objects.create(
        year=YEAR, period=FollowUpPeriod.T2, due_on=datetime.date(YEAR, 9, 15)
    )
    FollowUpDeadline.objects.create(year=YEAR, period=ANNUAL, due_on=datetime.date(YEAR + 1, 2, 1))


@pytest.fixture
def states(cast: Cast, deadlines: None) -> None:
    """T1 follow-ups in each workflow state; Bromma has none."""
    follow_up(cast.body_a, FollowUpState.DRAFT)
    follow_up(cast.body_b, FollowUpState.SUBMITTED)
    follow_up(body("farsta"), FollowUpState.RETURNED)
    follow_up(body("kulturnamnden"), FollowUpState.APPROVED)


def rows_on(cast: Cast, day: datetime.date, **filters: Any) -> list[overview_queries.OverviewRow]:
    return overview_queries.overview_rows(
        cast.slk,
        YEAR,
        T1,
        OverviewFilters(**filters),
        deadline=year_setting_queries.deadline_of(YEAR, T1),
        today=day,
    )


# --- Who opens it --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "admin_b", "reader_a", "official", "no_role"])
def test_only_slk_reviewers_open_the_overview(cast: Cast, persona: str):
    client = client_for(cast, persona)

    assert client.get(overview_url()).status_code == 403
    assert client.get(reverse("programme:follow-up-overview-current")).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(cast: Cast):
    response = client_for(cast, "anonymous").get(overview_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("year", "period"), [(YEAR, "t3"), (YEAR, "T1"), (1999, "t1")])
def test_an_unknown_period_or_year_answers_404(cast: Cast, year: int, period: str):
    assert client_for(cast, "slk").get(overview_url(year, period)).status_code == 404


def test_the_navigation_leads_slk_reviewers_to_the_overview(cast: Cast):
    link = reverse("programme:follow-up-overview-current")

    assert link in text_of(client_for(cast, "slk").get(reverse("start")))
    assert link not in text_of(client_for(cast, "admin_a").get(reverse("start")))


def test_the_current_overview_is_the_period_due_next(cast: Cast):
    today = timezone.localdate()
    FollowUpDeadline.objects.create(
        year=today.year - 1, period=ANNUAL, due_on=today - datetime.timedelta(days=30)
    )
    FollowUpDeadline.objects.create(
        year=today.year, period=FollowUpPeriod.T2, due_on=today + datetime.timedelta(days=5)
    )

    response = client_for(cast, "slk").get(reverse("programme:follow-up-overview-current"))

    assert response.status_code == 302
    assert response["Location"] == overview_url(today.year, FollowUpPeriod.T2)


def test_once_every_deadline_has_passed_the_latest_period_is_current(cast: Cast):
    FollowUpDeadline.objects.create(year=YEAR, period=T1, due_on=T1_DEADLINE)
    FollowUpDeadline.objects.create(
        year=YEAR, period=FollowUpPeriod.T2, due_on=datetime.date(YEAR, 9, 15)
    )

    assert year_setting_queries.current_period(datetime.date(YEAR, 10, 1)) == (
        YEAR,
        FollowUpPeriod.T2,
    )
    assert year_setting_queries.current_period(datetime.date(YEAR, 5, 15)) == (YEAR, T1)
    assert year_setting_queries.current_period(datetime.date(2030, 1, 1)) == (2030, T1)


# --- States ---------------------------------------------------------------------------------


def test_each_body_shows_its_workflow_state_or_not_started(cast: Cast, states: None):
    rows = rows_by_slug(rows_on(cast, BEFORE))

    assert rows["jarva"].state == OverviewState.DRAFT
    assert rows["skarholmen"].state == OverviewState.SUBMITTED
    assert rows["farsta"].state == OverviewState.RETURNED
    assert rows["kulturnamnden"].state == OverviewState.APPROVED
    assert rows["bromma"].state == OverviewState.NOT_STARTED
    assert not any(row.overdue for row in rows.values())


def test_after_the_deadline_what_is_not_handed_in_is_overdue(cast: Cast, states: None):
    rows = rows_by_slug(rows_on(cast, AFTER))

    assert rows["jarva"].state == OverviewState.OVERDUE
    assert rows["farsta"].state == OverviewState.OVERDUE
    assert rows["bromma"].state == OverviewState.OVERDUE
    assert rows["skarholmen"].state == OverviewState.SUBMITTED
    assert rows["kulturnamnden"].state == OverviewState.APPROVED
    # The workflow state is still told beside "overdue".
    assert rows["jarva"].states == {OverviewState.DRAFT, OverviewState.OVERDUE}
    assert rows["bromma"].workflow_label == "ej påbörjad"


def test_on_the_deadline_day_nothing_is_overdue_yet(cast: Cast, states: None):
    assert not any(row.overdue for row in rows_on(cast, T1_DEADLINE))


def test_without_a_deadline_nothing_is_overdue(cast: Cast):
    follow_up(cast.body_a, FollowUpState.DRAFT)

    rows = rows_by_slug(rows_on(cast, datetime.date(2030, 1, 1)))

    assert rows["jarva"].state == OverviewState.DRAFT
    assert rows["bromma"].state == OverviewState.NOT_STARTED


def test_the_period_concerns_the_bodies_that_exist_at_its_end(cast: Cast):
    def slugs(period: str) -> set[str]:
        return {row.body.slug for row in overview_queries.overview_rows(cast.slk, 2023, period)}

    # Järva began on 1 July 2023; Rinkeby-Kista ended the day before.
    assert "rinkeby-kista" in slugs(T1) and "jarva" not in slugs(T1)
    assert "jarva" in slugs(FollowUpPeriod.T2) and "rinkeby-kista" not in slugs(FollowUpPeriod.T2)


def test_a_body_that_reported_after_it_ended_is_still_listed(cast: Cast):
    follow_up(body("rinkeby-kista"), FollowUpState.SUBMITTED, FollowUpPeriod.T2, year=2023)

    rows = rows_by_slug(overview_queries.overview_rows(cast.slk, 2023, FollowUpPeriod.T2))

    assert rows["rinkeby-kista"].state == OverviewState.SUBMITTED


def test_the_page_lists_states_and_counts_them(cast: Cast, states: None):
    response = client_for(cast, "slk").get(overview_url())

    html = text_of(response)
    assert response.status_code == 200
    assert "Järva stadsdelsnämnd" in html and "Bromma stadsdelsnämnd" in html
    assert "Försenad" in html and "Inlämnad" in html and "Godkänd" in html
    assert "(utkast)" in html and "(ej påbörjad)" in html
    counts = dict(response.context["state_counts"])
    assert counts[OverviewState.APPROVED] == 1
    # The deadline of 2024 has passed: all but the two handed in are overdue.
    assert counts[OverviewState.OVERDUE] == len(response.context["rows"]) - 2
    assert sum(counts.values()) == len(response.context["rows"])
    # Each follow-up that exists is linked; a body without one has nothing to open.
    detail = reverse(
        "programme:follow-up-detail", kwargs={"slug": "jarva", "year": YEAR, "period": T1}
    )
    assert f'href="{detail}"' in html
    assert f'href="{detail.replace("jarva", "bromma")}"' not in html


# --- Filters --------------------------------------------------------------------------------


def test_the_kind_filter_keeps_bodies_of_that_kind(cast: Cast, states: None):
    response = client_for(cast, "slk").get(overview_url(), {"kind": BodyKind.COMPANY_BOARD})

    kinds = {row.body.kind for row in response.context["rows"]}
    assert kinds == {BodyKind.COMPANY_BOARD}
    assert len(response.context["page"].matrix.rows) == len(response.context["rows"])


def test_the_focus_area_filter_keeps_bodies_with_a_goal_or_activity_in_it(cast: Cast):
    wanted = area("sakerhetsprogram-2024", 1)
    other = area("sakerhetsprogram-2024", 2)
    goal(cast.body_a, wanted)
    activity(goal(cast.body_b, other), wanted)
    goal(body("bromma"), other)
    goal(body("farsta"), wanted, year=YEAR - 1)

    response = client_for(cast, "slk").get(overview_url(), {"focus_area": wanted.pk})

    slugs = {row.body.slug for row in response.context["rows"]}
    assert slugs == {"jarva", "skarholmen"}


def test_the_state_filter_keeps_rows_in_that_state(cast: Cast, states: None):
    def slugs(state: OverviewState) -> set[str]:
        return {row.body.slug for row in rows_on(cast, AFTER, state=state)}

    assert slugs(OverviewState.DRAFT) == {"jarva"}
    assert slugs(OverviewState.APPROVED) == {"kulturnamnden"}
    overdue = slugs(OverviewState.OVERDUE)
    assert {"jarva", "farsta", "bromma"} <= overdue
    assert not overdue & {"skarholmen", "kulturnamnden"}
    assert "jarva" not in slugs(OverviewState.NOT_STARTED)


def test_filters_combine(cast: Cast, states: None):
    rows = rows_on(cast, AFTER, kind=BodyKind.SPECIALIST_COMMITTEE, state=OverviewState.APPROVED)

    assert [row.body.slug for row in rows] == ["kulturnamnden"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "ministry"}, "Välj en av nämndtyperna i listan."),
        ({"focus_area": "abc"}, "Välj ett av fokusområdena som gäller det året."),
        ({"focus_area": "999999"}, "Välj ett av fokusområdena som gäller det året."),
        ({"state": "lost"}, "Välj ett av lägena i listan."),
    ],
)
def test_a_bad_filter_value_gets_a_clear_message_and_the_whole_list(
    cast: Cast, states: None, params: dict[str, str], message: str
):
    response = client_for(cast, "slk").get(overview_url(), params)

    html = text_of(response)
    assert response.status_code == 200
    assert message in html
    assert 'class="error-summary"' in html
    every = overview_queries.overview_rows(cast.slk, YEAR, T1)
    assert len(response.context["rows"]) == len(every)


def test_a_focus_area_not_in_force_that_year_is_refused(cast: Cast):
    retired = area("trygghets-och-sakerhetsprogram-2018-2021", 1)

    response = client_for(cast, "slk").get(overview_url(), {"focus_area": retired.pk})

    assert response.context["form"].errors["focus_area"]


# --- Focus areas in force and the matrix ----------------------------------------------------


@pytest.mark.parametrize(
    ("year", "programmes"),
    [
        (2019, {"trygghets-och-sakerhetsprogram-2018-2021"}),
        (2022, {"sakerhetsprogram-2020-2023", "trygghetsprogram-2020-2023"}),
        (2024, {"sakerhetsprogram-2024", "trygghetsprogram-2020-2023"}),
    ],
)
def test_the_focus_areas_are_those_of_the_versions_in_force(
    loaded_data: Any, year: int, programmes: set[str]
):
    areas = lineage.focus_areas_in_force(year)

    assert {item.programme.slug for item in areas} == programmes
    assert len(areas) == FocusArea.objects.filter(programme__slug__in=programmes).count()


def test_the_matrix_counts_activities_per_body_and_focus_area(cast: Cast):
    first, second = area("sakerhetsprogram-2024", 1), area("sakerhetsprogram-2024", 2)
    retired = area("trygghets-och-sakerhetsprogram-2018-2021", 1)
    parent = goal(cast.body_a, first)
    activity(parent, first, second)
    activity(parent, first)
    activity(parent, retired)
    activity(parent)
    activity(goal(cast.body_b, second), second)
    activity(goal(cast.body_a, first, year=YEAR - 1), first)

    page = client_for(cast, "slk").get(overview_url()).context["page"]

    matrix = page.matrix
    column = {item.pk: index for index, item in enumerate(matrix.focus_areas)}
    assert retired.pk not in column
    rows = {row.body.slug: row for row in matrix.rows}
    assert rows["jarva"].counts[column[first.pk]] == 2
    assert rows["jarva"].counts[column[second.pk]] == 1
    assert rows["jarva"].activities == 4
    assert rows["skarholmen"].counts[column[second.pk]] == 1
    assert rows["bromma"].activities == 0 and sum(rows["bromma"].counts) == 0
    assert matrix.column_totals[column[first.pk]] == 2
    assert matrix.column_totals[column[second.pk]] == 2
    assert matrix.activities == 5


def test_the_matrix_is_a_table_with_caption_and_headers(cast: Cast):
    html = text_of(client_for(cast, "slk").get(overview_url()))

    assert '<caption id="matrix-caption">Aktiviteter per nämnd och fokusområde, 2024</caption>' in (
        html
    )
    assert f'<th scope="col">{area("sakerhetsprogram-2024", 1)}</th>' in html
    assert '<th scope="row">Järva stadsdelsnämnd</th>' in html


# --- The charts' figures --------------------------------------------------------------------


def judge(follow: FollowUp, target: Goal, judgement: Judgement) -> GoalJudgement:
    """A judgement row with the goal's focus areas kept on it, as a submission keeps them."""
    row = GoalJudgement.objects.create(follow_up=follow, goal=target, judgement=judgement)
    copy_focus_areas([row], Goal)
    return row


def test_goal_judgements_count_per_focus_area_in_handed_in_follow_ups(cast: Cast):
    first, second = area("sakerhetsprogram-2024", 1), area("sakerhetsprogram-2024", 2)
    goal_a = goal(cast.body_a, first, second)
    judge(follow_up(cast.body_a, FollowUpState.SUBMITTED), goal_a, Judgement.FULLY_MET)
    goal_b = goal(cast.body_b, first)
    judge(follow_up(cast.body_b, FollowUpState.APPROVED), goal_b, Judgement.PARTLY_MET)
    goal_c = goal(body("bromma"), first)
    judge(follow_up(body("bromma"), FollowUpState.DRAFT), goal_c, Judgement.NOT_MET)
    goal_d = goal(body("farsta"), first)
    judge(follow_up(body("farsta"), FollowUpState.RETURNED), goal_d, Judgement.NOT_MET)

    counts = dict(
        judgement_queries.judgements_by_focus_area(
            cast.slk, YEAR, T1, lineage.focus_areas_in_force(YEAR)
        )
    )

    assert counts[first].as_list() == [1, 1, 0, 0]
    assert counts[second].as_list() == [1, 0, 0, 0]
    assert counts[area("sakerhetsprogram-2024", 3)].total == 0

    # The counts follow what the follow-ups kept, not the goals' focus areas now.
    goal_a.focus_areas.set([area("sakerhetsprogram-2024", 3)])
    again = dict(
        judgement_queries.judgements_by_focus_area(
            cast.slk, YEAR, T1, lineage.focus_areas_in_force(YEAR)
        )
    )
    assert again == counts


def test_the_council_goal_is_counted_for_committees_and_companies_apart(cast: Cast):
    judgements = {
        "jarva": Judgement.FULLY_MET,
        "skarholmen": Judgement.FULLY_MET,
        "kulturnamnden": Judgement.PARTLY_MET,
        "kommunstyrelsen": Judgement.NOT_MET,
        "svenska-bostader": Judgement.FULLY_MET,
        "stockholmshem": Judgement.PARTLY_MET,
    }
    for slug, judgement in judgements.items():
        follow_up(body(slug), FollowUpState.APPROVED, ANNUAL, council_goal_judgement=judgement)
    follow_up(body("bromma"), FollowUpState.DRAFT, ANNUAL, council_goal_judgement="fully_met")
    follow_up(body("farsta"), FollowUpState.SUBMITTED, ANNUAL)

    committees, companies = judgement_queries.council_goal_counts(cast.slk, YEAR)

    assert committees.group == judgement_queries.BodyGroup.COMMITTEES
    assert committees.counts.as_list() == [2, 1, 1, 0]
    assert companies.counts.as_list() == [1, 1, 0, 0]


def test_the_annual_page_shows_the_council_goal_in_the_citys_words(cast: Cast):
    for slug in ("jarva", "skarholmen", "bromma"):
        follow_up(body(slug), FollowUpState.APPROVED, ANNUAL, council_goal_judgement="fully_met")
    follow_up(body("farsta"), FollowUpState.SUBMITTED, ANNUAL, council_goal_judgement="partly_met")

    annual = text_of(client_for(cast, "slk").get(overview_url(period=ANNUAL)))
    tertial = text_of(client_for(cast, "slk").get(overview_url()))

    assert "3 av 4 nämnder bedömer att målet uppnås helt och 1 delvis." in annual
    assert "Inget bolag har bedömt kommunfullmäktiges mål ännu." in annual
    assert 'id="chart-council-goal"' in annual
    assert "chart-council-goal" not in tertial


# --- Queries --------------------------------------------------------------------------------


def add_reporting_bodies(count: int) -> None:
    """``count`` company boards with a plan, goals, activities and a handed-in annual report."""
    areas = list(FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024"))
    bodies = Body.objects.bulk_create(
        Body(slug=f"bolag-{n}", kind=BodyKind.COMPANY_BOARD, name=f"Bolag {n:03}")
        for n in range(count)
    )
    for owner in bodies:
        parent = goal(owner, *areas[:2])
        for n in range(3):
            activity(parent, areas[n % len(areas)], title=f"Aktivitet {n}")
        Activity.objects.create(
            goal=parent, title="Hemlig", confidentiality=Confidentiality.CONFIDENTIAL
        )
        report = follow_up(owner, FollowUpState.SUBMITTED, ANNUAL, council_goal_judgement="not_met")
        judge(report, parent, Judgement.PARTLY_MET)


# Session, user, global roles, the layout's memberships; focus areas in force, deadline,
# bodies with their follow-ups, two for the matrix, the judgements, the council goal; the
# year switch's years with a programme version in force.
OVERVIEW_QUERIES: dict[str, int] = {T1: 11, ANNUAL: 12}


@pytest.mark.parametrize("period", [T1, ANNUAL])
@pytest.mark.parametrize("extra_bodies", [0, 30])
def test_the_overview_costs_the_same_queries_however_many_bodies(
    cast: Cast, django_assert_num_queries: Any, extra_bodies: int, period: str
):
    add_reporting_bodies(extra_bodies)
    client = client_for(cast, "slk")
    wanted = area("sakerhetsprogram-2024", 1)
    params = {"kind": BodyKind.COMPANY_BOARD.value, "focus_area": str(wanted.pk)}

    client.get(overview_url(period=period))  # warms Django's content-type cache

    with django_assert_num_queries(OVERVIEW_QUERIES[period]):
        response = client.get(overview_url(period=period), params)

    assert response.status_code == 200
    assert len(response.context["rows"]) == extra_bodies
    assert response.context["page"].matrix.activities == 4 * extra_bodies
    if period == ANNUAL:
        companies = response.context["page"].council[1]
        assert companies.counts.not_met == extra_bodies
