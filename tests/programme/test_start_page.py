"""The start page: what each person has to do, by role, in a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Body,
    BodyRole,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    GlobalRole,
    GlobalRoleKind,
    Membership,
    Plan,
)
from programme.queries import start as start_queries
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
T1 = FollowUpPeriod.T1
T2 = FollowUpPeriod.T2
ANNUAL = FollowUpPeriod.ANNUAL
DAY = datetime.timedelta(days=1)


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def follow_up(
    owner: Body, period: str, state: FollowUpState, year: int = YEAR, **values: Any
) -> FollowUp:
    plan = Plan.objects.get_or_create(body=owner, year=year)[0]
    return FollowUp.objects.create(plan=plan, period=period, state=state, **values)


def follow_up_url(name: str, owner: Body, period: str, year: int = YEAR) -> str:
    return reverse(
        f"programme:follow-up-{name}", kwargs={"slug": owner.slug, "year": year, "period": period}
    )


@pytest.fixture
def deadlines(cast: Cast) -> None:
    """Last year's annual report due long ago; this year's T1 passed, T2 next, annual later."""
    FollowUpDeadline.objects.create(year=YEAR - 1, period=ANNUAL, due_on=TODAY - 300 * DAY)
    FollowUpDeadline.objects.create(year=YEAR, period=T1, due_on=TODAY - 20 * DAY)
    FollowUpDeadline.objects.create(year=YEAR, period=T2, due_on=TODAY + 20 * DAY)
    FollowUpDeadline.objects.create(year=YEAR, period=ANNUAL, due_on=TODAY + 120 * DAY)


@pytest.fixture
def work(cast: Cast, deadlines: None) -> None:
    """Järva: last year's annual report returned, T1 not started (late), T2 in draft.
    Skärholmen: T1 submitted, waiting for SLK. Bromma: T1 approved. Both districts
    approved a follow-up of last year."""
    follow_up(cast.body_a, ANNUAL, FollowUpState.RETURNED, year=YEAR - 1)
    follow_up(cast.body_a, T2, FollowUpState.DRAFT)
    follow_up(cast.body_b, ANNUAL, FollowUpState.APPROVED, year=YEAR - 1)
    follow_up(cast.body_a, T1, FollowUpState.APPROVED, year=YEAR - 1)
    follow_up(
        cast.body_b,
        T1,
        FollowUpState.SUBMITTED,
        submitted_at=timezone.now() - 2 * DAY,
    )
    follow_up(
        Body.objects.get(slug="bromma"),
        T1,
        FollowUpState.APPROVED,
        reviewed_at=timezone.now() - DAY,
    )
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        person_name="Anna Andersson",
    )
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.IN_PROGRESS,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )


# --- A body's administrator ---------------------------------------------------------------


def test_an_administrator_sees_the_follow_ups_due_returned_and_late(cast: Cast, work: None):
    page = start_queries.start_page(cast.admin_a)

    [tasks] = page.administered
    assert tasks.body == cast.body_a
    found = {
        (task.year, task.period, task.workflow_state, task.overdue) for task in tasks.follow_ups
    }
    assert found == {
        # Returned, and late since its deadline passed long ago.
        (YEAR - 1, ANNUAL, FollowUpState.RETURNED, True),
        (YEAR, T1, None, True),
        (YEAR, T2, FollowUpState.DRAFT, False),
    }


def test_the_administrators_links_lead_to_the_form_or_to_starting_it(cast: Cast, work: None):
    response = client_for(cast.admin_a).get(reverse("start"))

    html = response.content.decode()
    assert follow_up_url("edit", cast.body_a, T2) in html
    assert follow_up_url("edit", cast.body_a, ANNUAL, YEAR - 1) in html
    # Not started: its page, where the administrator starts it.
    assert follow_up_url("detail", cast.body_a, T1) in html
    assert f"Att göra för {cast.body_a.name}" in text_of(response)


def test_a_follow_up_of_a_year_without_a_plan_leads_to_the_plan(cast: Cast, deadlines: None):
    response = client_for(cast.admin_b).get(reverse("start"))

    [tasks] = response.context["page"].administered
    assert {(task.period, task.has_plan) for task in tasks.follow_ups} == {
        (ANNUAL, False),
        (T1, False),
        (T2, False),
    }
    html = response.content.decode()
    plan = reverse("programme:plan-detail", kwargs={"slug": cast.body_b.slug, "year": YEAR})
    assert plan in html
    assert follow_up_url("detail", cast.body_b, T1) not in html


def test_deadlines_are_written_in_swedish_words(cast: Cast, work: None):
    response = client_for(cast.admin_a).get(reverse("start"))

    due = TODAY + 20 * DAY
    months = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ]
    assert f"{due.day} {months[due.month - 1]} {due.year}" in text_of(response)


def test_an_administrator_sees_the_duties_of_the_year_not_yet_met(cast: Cast, work: None):
    page = start_queries.start_page(cast.admin_a)

    [tasks] = page.administered
    kinds = [kind for kind, _record in tasks.duties]
    assert DutyKind.SECURITY_COORDINATOR not in kinds
    assert DutyKind.CRISIS_PLAN in kinds
    assert len(kinds) == len(DutyKind) - 1
    html = client_for(cast.admin_a).get(reverse("start")).content.decode()
    assert (
        reverse(
            "programme:duty-detail",
            kwargs={"slug": cast.body_a.slug, "year": YEAR, "duty": DutyKind.CRISIS_PLAN.value},
        )
        in html
    )
    # A duty nobody has recorded: straight to its form.
    assert (
        reverse(
            "programme:duty-edit",
            kwargs={"slug": cast.body_a.slug, "year": YEAR, "duty": DutyKind.EXERCISES.value},
        )
        in html
    )


def test_an_administrator_sees_nothing_of_another_body(cast: Cast, work: None):
    response = client_for(cast.admin_b).get(reverse("start"))

    html = response.content.decode()
    assert cast.body_a.slug not in html
    assert [tasks.body for tasks in response.context["page"].administered] == [cast.body_b]


def test_a_submitted_or_approved_follow_up_is_not_work_for_the_body(cast: Cast, work: None):
    page = start_queries.start_page(cast.admin_b)

    [tasks] = page.administered
    periods = {(task.year, task.period) for task in tasks.follow_ups}
    # T1 is with SLK; T2 is due next and not started.
    assert periods == {(YEAR, T2)}


def test_a_body_with_nothing_to_do_says_so(cast: Cast, deadlines: None):
    for kind in DutyKind:
        DutyRecord.objects.create(
            body=cast.body_b, year=YEAR, duty=kind, status=DutyStatus.MET, person_name="X"
        )
    follow_up(cast.body_b, T1, FollowUpState.APPROVED)
    follow_up(cast.body_b, T2, FollowUpState.SUBMITTED)
    follow_up(cast.body_b, ANNUAL, FollowUpState.APPROVED, year=YEAR - 1)

    response = client_for(cast.admin_b).get(reverse("start"))

    [tasks] = response.context["page"].administered
    assert tasks.is_empty
    assert "Inget att göra just nu" in text_of(response)


# --- SLK -----------------------------------------------------------------------------------


def test_slk_sees_the_follow_ups_waiting_oldest_first_with_a_link_to_review(cast: Cast, work: None):
    later = follow_up(
        Body.objects.get(slug="farsta"), T1, FollowUpState.SUBMITTED, submitted_at=timezone.now()
    )

    response = client_for(cast.slk).get(reverse("start"))

    review = response.context["page"].review
    assert [row.plan.body.slug for row in review.waiting] == [cast.body_b.slug, "farsta"]
    html = response.content.decode()
    assert follow_up_url("review", cast.body_b, T1) in html
    assert follow_up_url("review", later.plan.body, T1) in html


def test_slk_sees_the_bodies_late_with_a_follow_up(cast: Cast, work: None):
    page = start_queries.start_page(cast.slk)

    assert page.review is not None
    late = {entry.body.slug: entry for entry in page.review.overdue}
    assert cast.body_a.slug in late
    assert [(item.year, item.period) for item in late[cast.body_a.slug].follow_ups] == [
        (YEAR - 1, ANNUAL),
        (YEAR, T1),
    ]
    # Submitted or approved: not late.
    assert cast.body_b.slug not in late
    assert [(item.year, item.period) for item in late["bromma"].follow_ups] == [(YEAR - 1, ANNUAL)]


def test_slk_sees_the_current_periods_counts_each_a_link_to_the_filtered_overview(
    cast: Cast, work: None
):
    response = client_for(cast.slk).get(reverse("start"))

    review = response.context["page"].review
    # The next deadline is T2's.
    assert (review.year, review.period) == (YEAR, T2)
    counts = dict(review.counts)
    assert counts[start_queries.OverviewState.DRAFT] == 1
    overview = reverse("programme:follow-up-overview", kwargs={"year": YEAR, "period": T2})
    assert f'href="{overview}?state=draft"' in response.content.decode()
    assert f'href="{overview}?state=overdue"' in response.content.decode()
    # A late body leads to the overview of its period, narrowed to the late ones.
    t1 = reverse("programme:follow-up-overview", kwargs={"year": YEAR, "period": T1})
    assert f'href="{t1}?state=overdue"' in response.content.decode()


def test_slk_does_not_get_a_bodys_work_list(cast: Cast, work: None):
    page = start_queries.start_page(cast.slk)

    assert page.administered == []
    assert page.reading is None


# --- Officials and readers -----------------------------------------------------------------


def test_an_official_sees_the_approved_reports_and_the_programmes_in_force(cast: Cast, work: None):
    response = client_for(cast.official).get(reverse("start"))

    page = response.context["page"]
    assert page.review is None and page.administered == []
    assert page.reading is not None
    # The latest approved first.
    assert [
        (report.follow_up.plan.body.slug, report.follow_up.period)
        for report in page.reading.reports
    ] == [("bromma", T1), (cast.body_a.slug, T1), (cast.body_b.slug, ANNUAL)]
    html = response.content.decode()
    report_url = reverse(
        "reporting:report",
        kwargs={"slug": "bromma", "year": YEAR, "period": T1, "audience": "allman"},
    )
    assert report_url in html
    for programme in page.programmes:
        assert programme.get_absolute_url() in html
    assert page.programmes


def test_an_official_sees_no_submitted_follow_up(cast: Cast, work: None):
    page = start_queries.start_page(cast.official)

    assert page.reading is not None
    submitted = FollowUp.objects.get(plan__body=cast.body_b, plan__year=YEAR, period=T1)
    assert submitted.pk not in {report.follow_up.pk for report in page.reading.reports}


def test_a_reader_of_a_body_reads_its_reports(cast: Cast, work: None):
    approved = FollowUp.objects.get(plan__body=cast.body_a, plan__year=YEAR - 1, period=T1)

    page = start_queries.start_page(cast.reader_a)

    assert page.administered == []
    assert page.reading is not None
    reports = {report.follow_up.pk: report for report in page.reading.reports}
    assert reports[approved.pk].slug == "allman"


# --- Several roles, or none -----------------------------------------------------------------


def test_a_person_with_several_roles_sees_each_part(cast: Cast, work: None):
    user = cast.admin_b
    GlobalRole.objects.create(user=user, role=GlobalRoleKind.OFFICIAL)
    Membership.objects.create(user=user, body=cast.body_a, role=BodyRole.ADMINISTRATOR)

    response = client_for(user).get(reverse("start"))

    page = response.context["page"]
    assert [tasks.body for tasks in page.administered] == sorted(
        [cast.body_a, cast.body_b], key=lambda body: body.name
    )
    assert page.reading is not None


def test_a_person_without_a_role_is_told_what_to_do(cast: Cast, work: None):
    response = client_for(cast.no_role).get(reverse("start"))

    page = response.context["page"]
    assert not page.has_role
    text = text_of(response)
    assert "Du har ingen roll ännu" in text
    assert "Be den som ansvarar för trygghets- och säkerhetsarbetet" in text
    assert cast.body_a.name not in text


def test_the_system_administrator_is_led_to_the_administration(cast: Cast, work: None):
    response = client_for(cast.sysadmin).get(reverse("start"))

    assert response.context["page"].has_role
    assert reverse("admin:index") in response.content.decode()


def test_the_start_page_asks_to_sign_in(cast: Cast):
    response = Client().get(reverse("start"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- Queries -------------------------------------------------------------------------------


def add_bodies_with_work(number: int) -> None:
    """``number`` more bodies, each with a follow-up in every state the page lists."""
    states = [FollowUpState.SUBMITTED, FollowUpState.APPROVED, FollowUpState.RETURNED]
    for index in range(number):
        owner = Body.objects.create(
            slug=f"extra-{index}", name=f"Extranämnd {index}", kind="district"
        )
        for period, state in zip((T1, T2, ANNUAL), states, strict=True):
            follow_up(owner, period, state, submitted_at=timezone.now(), reviewed_at=timezone.now())


def add_work_for_the_cast(cast: Cast, number: int) -> None:
    """More work the cast sees: last year's follow-ups and duty records."""
    for index, kind in enumerate(list(DutyKind)[: number % len(DutyKind)]):
        DutyRecord.objects.update_or_create(
            body=cast.body_a, year=YEAR, duty=kind, defaults={"status": DutyStatus.IN_PROGRESS}
        )
        DutyRecord.objects.update_or_create(
            body=cast.body_b,
            year=YEAR,
            duty=kind,
            defaults={"status": DutyStatus.MET, "person_name": str(index)},
        )
    if number:
        follow_up(cast.body_a, T2, FollowUpState.APPROVED, year=YEAR - 1)
        follow_up(cast.body_b, T2, FollowUpState.RETURNED, year=YEAR - 1)


# Session, user, global roles with the grants, and the layout's memberships; then
# deadlines and the versions in force;
# then each role's own reads.
START_QUERIES = {
    # the bodies administered, the bodies' follow-ups, plans and duty records
    "admin_a": 10,
    "admin_b": 10,
    # has a role?, city-wide reports, approved follow-ups, their variants (2)
    "reader_a": 11,
    # the queue, the current period, its rows, the bodies and follow-ups for the late ones
    "slk": 11,
    # city-wide reports, approved follow-ups, their variants
    "official": 8,
    "no_role": 6,
    "sysadmin": 6,
}


@pytest.mark.parametrize("persona", sorted(START_QUERIES))
@pytest.mark.parametrize("extra", [0, 20])
def test_the_start_page_costs_the_same_queries_however_much_work(
    cast: Cast, work: None, django_assert_num_queries: Any, persona: str, extra: int
):
    add_bodies_with_work(extra)
    add_work_for_the_cast(cast, extra)
    client = client_for(cast.by_name(persona))
    client.get(reverse("start"))  # warms Django's content-type cache

    with django_assert_num_queries(START_QUERIES[persona]):
        response = client.get(reverse("start"))

    assert response.status_code == 200
    if persona == "slk":
        assert len(response.context["page"].review.waiting) == 1 + extra
