"""Excel exports: what each reader gets, how the file is made, and what it costs."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl.workbook.workbook import Workbook

from programme import excel
from programme.exports import plans as plan_exports
from programme.models import (
    Activity,
    ActivityStatus,
    Body,
    BodyKind,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    FocusArea,
    FollowUp,
    FollowUpState,
    Goal,
    Plan,
)
from programme.services.follow_ups import start_follow_up
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = 2025
CONFIDENTIAL_A = "Översyn av skalskydd"  # confidential activity of body A (matrix world)
INTERNAL_A = "Trygghetsvandringar"
UNDER_CONFIDENTIAL_GOAL = "Övning med räddningstjänsten"
ACTIVITY_B = "Belysning"
# The activity sheet's columns, in order.
COLUMNS = (
    "body",
    "kind",
    "goal",
    "activity",
    "description",
    "unit",
    "start",
    "end",
    "status",
    "focus_areas",
    "perspectives",
    "level",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def client_for(cast: Cast, persona: str) -> Client:
    """A client signed in as ``persona`` (anonymous: not signed in)."""
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.by_name(persona))
    return client


def workbook_of(response: Any) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


def texts_of(response: Any) -> set[str]:
    """Every text cell of every sheet of an exported workbook."""
    book = workbook_of(response)
    return {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }


def activity_url(year: int = YEAR) -> str:
    return reverse("programme:activity-export", kwargs={"year": year})


def plan_url(body: Body, year: int = YEAR) -> str:
    return reverse("programme:plan-export", kwargs={"slug": body.slug, "year": year})


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    """The access matrix's plans for A and B, plus an activity under A's confidential goal."""
    focus_area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").first()
    assert focus_area is not None
    plans = make_plan_world(cast, YEAR, focus_area)
    plans.activity_a.focus_areas.add(focus_area)
    plans.activity_a.starts_on = datetime.date(YEAR, 3, 1)
    plans.activity_a.description = "<p>Varje <strong>månad</strong> &amp; kväll</p>"
    plans.activity_a.perspectives = ["children", "gender_equality"]
    plans.activity_a.save()
    Activity.objects.create(
        goal=plans.confidential_goal_a, title=UNDER_CONFIDENTIAL_GOAL, status=ActivityStatus.ONGOING
    )
    plans.indicator_a.baseline = Decimal("62.50")
    plans.indicator_a.target = Decimal("70.00")
    plans.indicator_a.save()
    return plans


# --- Never what the reader may not see ------------------------------------------------------


def test_slk_exports_every_bodys_activities(cast: Cast, world: PlanWorld):
    texts = texts_of(client_for(cast, "slk").get(activity_url()))

    assert {INTERNAL_A, CONFIDENTIAL_A, UNDER_CONFIDENTIAL_GOAL, ACTIVITY_B} <= texts


def test_an_administrator_exports_their_bodys_activities_confidential_ones_too(
    cast: Cast, world: PlanWorld
):
    texts = texts_of(client_for(cast, "admin_a").get(activity_url()))

    assert {INTERNAL_A, CONFIDENTIAL_A, UNDER_CONFIDENTIAL_GOAL} <= texts
    assert ACTIVITY_B not in texts
    assert "Skärholmens stadsdelsnämnd" not in texts


def test_a_reader_never_gets_a_confidential_activity_nor_one_under_a_confidential_goal(
    cast: Cast, world: PlanWorld
):
    response = client_for(cast, "reader_a").get(activity_url())

    texts = texts_of(response)
    assert INTERNAL_A in texts
    assert CONFIDENTIAL_A not in texts
    assert UNDER_CONFIDENTIAL_GOAL not in texts
    assert world.confidential_goal_a.title not in texts
    assert ACTIVITY_B not in texts
    # Nothing tells that rows were left out: only the header and the visible row.
    rows = list(workbook_of(response).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert not any("konfidentiell" in str(value).lower() for row in rows for value in row)


def test_another_bodys_administrator_gets_only_their_own(cast: Cast, world: PlanWorld):
    texts = texts_of(client_for(cast, "admin_b").get(activity_url()))

    assert ACTIVITY_B in texts
    assert not {INTERNAL_A, CONFIDENTIAL_A, UNDER_CONFIDENTIAL_GOAL} & texts


@pytest.mark.parametrize("persona", ["official", "no_role", "sysadmin"])
def test_a_user_without_a_body_gets_an_empty_list(cast: Cast, world: PlanWorld, persona: str):
    response = client_for(cast, persona).get(activity_url())

    assert response.status_code == 200
    rows = list(workbook_of(response).active.iter_rows(values_only=True))
    assert rows == [tuple(plan_exports.activity_headers())]


def test_the_plan_export_leaves_out_what_a_reader_may_not_see(cast: Cast, world: PlanWorld):
    admin = texts_of(client_for(cast, "admin_a").get(plan_url(cast.body_a)))
    reader = texts_of(client_for(cast, "reader_a").get(plan_url(cast.body_a)))

    assert {CONFIDENTIAL_A, world.confidential_goal_a.title, UNDER_CONFIDENTIAL_GOAL} <= admin
    assert INTERNAL_A in reader and world.goal_a.title in reader
    assert not {CONFIDENTIAL_A, world.confidential_goal_a.title, UNDER_CONFIDENTIAL_GOAL} & reader


@pytest.mark.parametrize(
    ("persona", "body_a", "body_b"),
    [
        ("admin_a", 200, 404),
        ("reader_a", 200, 404),
        ("admin_b", 404, 200),
        ("slk", 200, 200),
        ("official", 404, 404),
        ("no_role", 404, 404),
    ],
)
def test_the_plan_export_is_for_those_who_may_see_the_plan(
    cast: Cast, world: PlanWorld, persona: str, body_a: int, body_b: int
):
    client = client_for(cast, persona)

    assert client.get(plan_url(cast.body_a)).status_code == body_a
    assert client.get(plan_url(cast.body_b)).status_code == body_b


def test_a_year_without_a_plan_answers_404(cast: Cast, world: PlanWorld):
    assert client_for(cast, "admin_a").get(plan_url(cast.body_a, YEAR - 1)).status_code == 404


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "official"])
def test_only_slk_exports_the_overviews(cast: Cast, world: PlanWorld, persona: str):
    client = client_for(cast, persona)
    overview = reverse("programme:follow-up-overview-export", kwargs={"year": YEAR, "period": "t1"})
    duties = reverse("programme:duty-overview-export", kwargs={"year": YEAR})

    assert client.get(overview).status_code == 403
    assert client.get(duties).status_code == 403


# --- How the file is made -------------------------------------------------------------------


def test_an_export_is_an_attachment_with_a_swedish_name_never_cached(cast: Cast, world: PlanWorld):
    response = client_for(cast, "slk").get(activity_url())

    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="aktiviteter-{YEAR}.xlsx"'
    assert response["Cache-Control"] == "no-store"


def test_the_activity_sheet_has_a_title_swedish_headers_dates_and_plain_text(
    cast: Cast, world: PlanWorld
):
    book = workbook_of(client_for(cast, "admin_a").get(activity_url()))

    sheet = book.active
    assert sheet.title == f"Aktiviteter {YEAR}"
    headers = [cell.value for cell in sheet[1]]
    with translation.override("sv"):
        assert headers == plan_exports.activity_headers()
    assert headers[:2] == ["Nämnd", "Typ av nämnd"]
    column = dict(zip(COLUMNS, range(len(COLUMNS)), strict=True))
    rows = {row[column["activity"]].value: row for row in sheet.iter_rows(min_row=2)}
    internal = rows[INTERNAL_A]
    start = internal[column["start"]]
    assert start.is_date and start.value == datetime.datetime(YEAR, 3, 1)
    assert internal[column["end"]].value is None
    assert internal[column["description"]].value == "Varje månad & kväll"
    assert internal[column["focus_areas"]].value == str(world.goal_a.focus_areas.get())
    # The perspectives in the programme's order, whatever order they were stored in.
    assert internal[column["perspectives"]].value == "jämställdhet, barn"
    assert internal[column["level"]].value == "Intern"
    # An activity under a confidential goal is as confidential as its goal.
    assert rows[UNDER_CONFIDENTIAL_GOAL][column["level"]].value == "Konfidentiell"


@pytest.mark.parametrize(
    ("stored", "plain"),
    [
        ("", ""),
        ("Utan märkning", "Utan märkning"),
        ("<p>Första</p><p>andra\n stycket</p>", "Första andra stycket"),
        ("<ul><li>ett</li><li>två &amp; tre</li></ul>", "ett två & tre"),
        ("a &lt;b&gt; c", "a <b> c"),
    ],
)
def test_rich_text_becomes_one_line_of_plain_text(stored: str, plain: str):
    assert excel.plain_text(stored) == plain


def test_text_that_looks_like_a_formula_stays_text(cast: Cast, world: PlanWorld):
    Activity.objects.create(goal=world.goal_a, title='=HYPERLINK("http://x","klicka")')

    sheet = workbook_of(client_for(cast, "admin_a").get(activity_url())).active

    cell = next(row[3] for row in sheet.iter_rows(min_row=2) if str(row[3].value).startswith("="))
    assert cell.data_type == "s"


def test_the_plan_export_has_a_sheet_each_with_numbers_as_numbers(cast: Cast, world: PlanWorld):
    response = client_for(cast, "admin_a").get(plan_url(cast.body_a))

    book = workbook_of(response)
    assert book.sheetnames == ["Mål", "Aktiviteter", "Indikatorer"]
    indicators = list(book["Indikatorer"].iter_rows(values_only=True))
    assert indicators[1][:2] == (world.goal_a.title, world.indicator_a.name)
    assert indicators[1][4] == 62.5 and indicators[1][5] == 70
    assert response["Content-Disposition"] == (
        f'attachment; filename="verksamhetsplan-{cast.body_a.slug}-{YEAR}.xlsx"'
    )


def test_the_overview_export_lists_the_filtered_bodies(cast: Cast, world: PlanWorld):
    submitted_at = timezone.make_aware(datetime.datetime(YEAR, 5, 2, 14, 30))
    FollowUp.objects.filter(pk=world.follow_up_b.pk).update(
        state=FollowUpState.SUBMITTED, submitted_at=submitted_at
    )
    url = reverse("programme:follow-up-overview-export", kwargs={"year": YEAR, "period": "t1"})

    response = client_for(cast, "slk").get(url, {"kind": BodyKind.DISTRICT_COMMITTEE})

    sheet = workbook_of(response).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert response["Content-Disposition"] == f'attachment; filename="uppfoljning-{YEAR}-t1.xlsx"'
    assert set(rows) == {
        body.name
        for body in Body.objects.active_on(datetime.date(YEAR, 4, 30)).filter(
            kind=BodyKind.DISTRICT_COMMITTEE
        )
    }
    assert rows["Skärholmens stadsdelsnämnd"][3] == "Inlämnad"
    assert rows["Järva stadsdelsnämnd"][3] == "Utkast"
    assert rows["Bromma stadsdelsnämnd"][3] == "Ej påbörjad"
    # The submission time as the city's clock shows it, and the deadline, both as dates.
    assert rows["Skärholmens stadsdelsnämnd"][5] == datetime.datetime(YEAR, 5, 2, 14, 30)
    assert rows["Bromma stadsdelsnämnd"][5] is None
    assert rows["Bromma stadsdelsnämnd"][6] == datetime.datetime(YEAR, 5, 15)


def test_the_overview_export_with_a_bad_filter_shows_the_message_instead(
    cast: Cast, world: PlanWorld
):
    url = reverse("programme:follow-up-overview-export", kwargs={"year": YEAR, "period": "t1"})

    response = client_for(cast, "slk").get(url, {"state": "lost"})

    assert response["Content-Type"].startswith("text/html")
    assert "Välj ett av lägena i listan." in response.content.decode()


def test_the_duty_overview_export_has_a_column_per_duty(cast: Cast, world: PlanWorld):
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    url = reverse("programme:duty-overview-export", kwargs={"year": YEAR})

    response = client_for(cast, "slk").get(url)

    sheet = workbook_of(response).active
    headers = [cell.value for cell in sheet[1]]
    assert len(headers) == 2 + len(DutyKind) + 1
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    jarva = rows["Järva stadsdelsnämnd"]
    assert jarva[2 + list(DutyKind).index(DutyKind.CRISIS_PLAN)] == "Uppfylld"
    assert jarva[-1] == 1
    assert response["Content-Disposition"] == f'attachment; filename="programuppdrag-{YEAR}.xlsx"'


# --- What it costs --------------------------------------------------------------------------


def add_activities(cast: Cast, count: int) -> None:
    """``count`` activities over twenty more bodies, with focus areas and every level."""
    areas = list(FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024"))
    bodies = Body.objects.bulk_create(
        Body(slug=f"bolag-{n}", kind=BodyKind.COMPANY_BOARD, name=f"Bolag {n:02}")
        for n in range(20)
    )
    goals = [
        Goal.objects.create(plan=Plan.objects.get_or_create(body=body, year=YEAR)[0], title="Mål")
        for body in [*bodies, cast.body_a]
    ]
    levels = list(Confidentiality.values)
    made = Activity.objects.bulk_create(
        Activity(
            goal=goals[n % len(goals)],
            position=n,
            title=f"Aktivitet {n}",
            starts_on=datetime.date(YEAR, 1, 1),
            confidentiality=levels[n % 3],
        )
        for n in range(count)
    )
    through = Activity.focus_areas.through
    through.objects.bulk_create(
        through(activity_id=activity.pk, focusarea_id=areas[n % len(areas)].pk)
        for n, activity in enumerate(made)
    )


# Session, user, global roles; the activities and their focus areas. A member's restrict
# is subqueries inside the same two queries.
# A body's member reads its grants (one query); SLK reads every body by its role.
ACTIVITY_EXPORT_QUERIES = {"slk": 5, "admin_a": 5, "reader_a": 5}


@pytest.mark.parametrize("persona", sorted(ACTIVITY_EXPORT_QUERIES))
@pytest.mark.parametrize("count", [10, 600])
def test_the_activity_export_costs_the_same_queries_however_many_rows(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, persona: str, count: int
):
    add_activities(cast, count)
    client = client_for(cast, persona)

    client.get(activity_url())  # warms Django's content-type cache

    with django_assert_num_queries(ACTIVITY_EXPORT_QUERIES[persona]):
        response = client.get(activity_url())

    rows = workbook_of(response).active.max_row - 1
    expected = {
        "slk": Activity.objects.filter(goal__plan__year=YEAR).count(),
        "admin_a": Activity.objects.filter(
            goal__plan__year=YEAR, goal__plan__body=cast.body_a
        ).count(),
        "reader_a": Activity.objects.filter(goal__plan__year=YEAR, goal__plan__body=cast.body_a)
        .exclude(confidentiality=Confidentiality.CONFIDENTIAL)
        .exclude(goal__confidentiality=Confidentiality.CONFIDENTIAL)
        .count(),
    }
    assert rows == expected[persona]


PLAN_EXPORT_QUERIES = 9


@pytest.mark.parametrize("count", [10, 600])
def test_the_plan_export_costs_the_same_queries_however_many_rows(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, count: int
):
    add_activities(cast, count)
    client = client_for(cast, "admin_a")

    client.get(plan_url(cast.body_a))  # warms Django's content-type cache

    with django_assert_num_queries(PLAN_EXPORT_QUERIES):
        response = client.get(plan_url(cast.body_a))

    assert response.status_code == 200


# --- A follow-up's snapshot -----------------------------------------------------------------


def follow_up_url(body: Body, period: str = "t1") -> str:
    return reverse(
        "programme:follow-up-export", kwargs={"slug": body.slug, "year": YEAR, "period": period}
    )


def test_the_follow_up_export_has_the_snapshot_and_leaves_out_what_a_reader_may_not_see(
    cast: Cast, world: PlanWorld
):
    start_follow_up(cast.admin_a, world.plan_a, "t1")

    admin = client_for(cast, "admin_a").get(follow_up_url(cast.body_a))
    reader = texts_of(client_for(cast, "reader_a").get(follow_up_url(cast.body_a)))

    assert admin.status_code == 200
    assert admin["Content-Type"] == excel.XLSX_CONTENT_TYPE
    assert [sheet.title for sheet in workbook_of(admin).worksheets] == [
        "Mål",
        "Aktiviteter",
        "Indikatorer",
    ]
    admin_texts = texts_of(admin)
    assert {CONFIDENTIAL_A, world.confidential_goal_a.title, UNDER_CONFIDENTIAL_GOAL} <= (
        admin_texts
    )
    assert {INTERNAL_A, world.indicator_a.name, "Planerad"} <= reader
    assert not {CONFIDENTIAL_A, world.confidential_goal_a.title, UNDER_CONFIDENTIAL_GOAL} & reader


def test_a_follow_up_not_started_or_of_another_body_has_no_export(cast: Cast, world: PlanWorld):
    assert client_for(cast, "admin_a").get(follow_up_url(cast.body_a, "t2")).status_code == 404
    assert client_for(cast, "admin_b").get(follow_up_url(cast.body_a)).status_code == 404
