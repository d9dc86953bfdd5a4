"""The pages that ask before a follow-up is submitted or approved.

The button on the follow-up's page (and on SLK's review) leads, by GET, to a page that
says what the step does, who is told and what can be undone, with the body, year,
period and a summary of the report; its POST takes the step at the version the person
saw. Opening the page writes nothing; a stale version is refused and asked again.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Activity,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services.follow_ups import JudgementInput
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast, loaded_data: Any) -> PlanWorld:
    """Body A's plan with body A's T1 follow-up a draft (see ``PlanWorld``)."""
    from programme.models import FocusArea

    focus_area = FocusArea.objects.order_by("programme__slug", "position").first()
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


def client_for(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def url(name: str) -> str:
    return reverse(
        f"programme:{name}", kwargs={"slug": "jarva", "year": YEAR, "period": FollowUpPeriod.T1}
    )


def text_of(response: Any) -> str:
    """The page as text, tags and runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def fu_a() -> FollowUp:
    return FollowUp.objects.get(plan__body__slug="jarva", period=FollowUpPeriod.T1)


def posted_version(response: Any) -> str:
    """The version the page's POST button names."""
    form = re.search(
        r'<form method="post" class="confirm-form">.*?</form>', response.content.decode(), re.S
    )
    assert form is not None
    found = re.search(r'name="version" value="(\d+)"', form.group(0))
    assert found is not None
    return found.group(1)


def started(cast: Cast) -> FollowUp:
    """Body A's T1 with a row for every item: the goal judged, the indicator reported."""
    follow_up = follow_up_services.start_follow_up(cast.admin_a, fu_a().plan, FollowUpPeriod.T1)
    GoalJudgement.objects.filter(follow_up=follow_up, goal__title="Ökad trygghet i centrum").update(
        judgement=Judgement.FULLY_MET
    )
    IndicatorOutcome.objects.filter(follow_up=follow_up).update(value=Decimal("62.50"))
    return fu_a()


def someone_saves(cast: Cast) -> None:
    """Another session saves the draft: a new version, with a history entry."""
    follow_up = fu_a()
    follow_up_services.save_follow_up(
        cast.admin_a,
        follow_up,
        follow_up.version,
        follow_up_services.FollowUpInput(narrative="Skrivet i en annan flik."),
    )


def submitted(cast: Cast) -> FollowUp:
    follow_up = started(cast)
    return workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)


# --- Submitting --------------------------------------------------------------------------


def test_the_follow_up_page_leads_to_the_question_with_the_version_it_shows(
    cast: Cast, world: PlanWorld
):
    page = client_for(cast, "admin_a").get(url("follow-up-detail")).content.decode()

    button = re.search(
        r'<form method="get" class="follow-up-submit" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert button is not None
    assert button.group(1) == url("follow-up-submit")
    assert f'name="version" value="{fu_a().version}"' in button.group(2)
    assert "Lämna in till SLK" in button.group(2)


def test_the_question_says_what_submitting_does_and_sums_up_the_report(
    cast: Cast, world: PlanWorld
):
    started(cast)
    before = fu_a().version

    response = client_for(cast, "admin_a").get(url("follow-up-submit"), {"version": before})

    assert response.status_code == 200
    page = text_of(response)
    assert f"Lämna in tertialrapport 1 {YEAR} till SLK?" in page
    assert "Järva" in page
    assert "Utkast" in page
    # What happens, who is told, who can undo it.
    assert "Uppföljningen låses" in page
    assert "Stadsledningskontorets granskare" in page
    assert "Bara stadsledningskontoret kan ångra" in page
    # The summary, and what is left empty.
    assert "2 mål, varav nämnden har bedömt 1" in page
    assert "2 aktiviteter, varav 0 med kommentar" in page
    assert "1 indikator, varav 1 med utfall" in page
    assert "Mål utan nämndens bedömning: Skydd av kritisk verksamhet" in page
    assert "Ingen redogörelse har skrivits." in page
    assert posted_version(response) == str(before)
    assert 'href="' + url("follow-up-detail") + '">Tillbaka</a>' in response.content.decode()
    assert ">Lämna in</button>" in response.content.decode()
    # Asking wrote nothing.
    assert fu_a().state == FollowUpState.DRAFT and fu_a().version == before


def test_an_indicator_without_an_outcome_is_named(cast: Cast, world: PlanWorld):
    started(cast)
    IndicatorOutcome.objects.update(value=None)

    page = text_of(client_for(cast, "admin_a").get(url("follow-up-submit")))

    assert "1 indikator, varav 0 med utfall" in page
    assert "Indikator utan utfall: Andel som känner sig trygga" in page


def test_pressing_the_button_of_the_question_submits(cast: Cast, world: PlanWorld):
    started(cast)
    client = client_for(cast, "admin_a")
    question = client.get(url("follow-up-submit"))

    response = client.post(
        url("follow-up-submit"), {"version": posted_version(question)}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("follow-up-detail")
    assert "Uppföljningen lämnades in till SLK." in text_of(response)
    assert fu_a().state == FollowUpState.SUBMITTED


def test_a_stale_version_is_refused_and_the_question_asked_again_with_the_changes(
    cast: Cast, world: PlanWorld
):
    started(cast)
    client = client_for(cast, "admin_a")
    seen = posted_version(client.get(url("follow-up-submit")))
    someone_saves(cast)

    refused = client.post(url("follow-up-submit"), {"version": seen})

    assert refused.status_code == 200
    assert fu_a().state == FollowUpState.DRAFT
    page = text_of(refused)
    assert "Uppföljningen lämnades inte in" in page
    assert "Redogörelse" in page and "Skrivet i en annan flik." in page
    # Asked again: the button now names the version the person has seen the changes of.
    assert posted_version(refused) == str(fu_a().version)
    assert (
        client.post(url("follow-up-submit"), {"version": posted_version(refused)}).status_code
        == 302
    )
    assert fu_a().state == FollowUpState.SUBMITTED


def test_a_question_opened_from_a_page_that_is_out_of_date_lists_the_changes(
    cast: Cast, world: PlanWorld
):
    started(cast)
    seen = fu_a().version
    someone_saves(cast)

    response = client_for(cast, "admin_a").get(url("follow-up-submit"), {"version": seen})

    page = text_of(response)
    assert "Skrivet i en annan flik." in page
    assert posted_version(response) == str(fu_a().version)


def test_a_submitted_follow_up_is_not_asked_about_again(cast: Cast, world: PlanWorld):
    submitted(cast)

    response = client_for(cast, "admin_a").get(url("follow-up-submit"), follow=True)

    assert response.redirect_chain[-1][0] == url("follow-up-detail")
    assert "Uppföljningen kan inte lämnas in nu: inlämnad." in text_of(response)


@pytest.mark.parametrize(("persona", "status"), [("reader_a", 403), ("slk", 403), ("admin_b", 404)])
def test_only_the_bodys_administrators_are_asked(
    cast: Cast, world: PlanWorld, persona: str, status: int
):
    assert client_for(cast, persona).get(url("follow-up-submit")).status_code == status


# --- Approving ---------------------------------------------------------------------------


def test_the_review_leads_to_the_question_with_the_version_it_shows(cast: Cast, world: PlanWorld):
    submitted(cast)

    page = client_for(cast, "slk").get(url("follow-up-review")).content.decode()

    button = re.search(
        r'<form method="get" action="' + re.escape(url("follow-up-approve")) + r'">(.*?)</form>',
        page,
        re.S,
    )
    assert button is not None
    assert f'name="version" value="{fu_a().version}"' in button.group(1)


def test_the_approval_question_says_it_cannot_be_undone_and_sums_up(cast: Cast, world: PlanWorld):
    follow_up = submitted(cast)
    follow_up = workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {world.goal_a.pk: JudgementInput(Judgement.PARTLY_MET, "Delvis.")},
        follow_up.version,
    )
    client = client_for(cast, "slk")

    response = client.get(url("follow-up-approve"), {"version": follow_up.version})

    assert response.status_code == 200
    page = text_of(response)
    assert f"Godkänn och lås tertialrapport 1 {YEAR}?" in page
    assert "kan inte ångras" in page
    assert "Nämndens administratörer får veta" in page
    assert "Stadsledningskontoret har bedömt 1 mål, varav 1 annorlunda än nämnden" in page
    assert ">Godkänn och lås</button>" in response.content.decode()
    assert 'href="' + url("follow-up-review") + '">Tillbaka</a>' in response.content.decode()
    assert fu_a().state == FollowUpState.SUBMITTED

    approved = client.post(url("follow-up-approve"), {"version": posted_version(response)})

    assert approved.status_code == 302
    assert fu_a().state == FollowUpState.APPROVED


def test_approving_a_stale_version_is_refused_and_asked_again(cast: Cast, world: PlanWorld):
    follow_up = submitted(cast)
    client = client_for(cast, "slk")
    seen = posted_version(client.get(url("follow-up-approve")))
    workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {world.goal_a.pk: JudgementInput(Judgement.NOT_MET, "Inget har hänt.")},
        follow_up.version,
    )

    refused = client.post(url("follow-up-approve"), {"version": seen})

    assert refused.status_code == 200
    assert fu_a().state == FollowUpState.SUBMITTED
    assert "Uppföljningen godkändes inte" in text_of(refused)
    assert posted_version(refused) == str(fu_a().version)


def test_a_draft_is_not_asked_about_approval(cast: Cast, world: PlanWorld):
    response = client_for(cast, "slk").get(url("follow-up-approve"), follow=True)

    assert response.redirect_chain[-1][0] == url("follow-up-review")
    assert "Uppföljningen kan inte godkännas nu: utkast." in text_of(response)


@pytest.mark.parametrize(
    ("persona", "status"), [("admin_a", 403), ("reader_a", 403), ("admin_b", 404)]
)
def test_only_slk_is_asked_about_approval(cast: Cast, world: PlanWorld, persona: str, status: int):
    submitted(cast)

    assert client_for(cast, persona).get(url("follow-up-approve")).status_code == status


# --- Queries: fixed however many rows ----------------------------------------------------


def grow_plan(world: PlanWorld, goals: int) -> None:
    """Add ``goals`` goals to body A's plan, each with three activities and two indicators."""
    made = Goal.objects.bulk_create(
        Goal(plan=world.plan_a, position=10 + n, title=f"Mål {n}") for n in range(goals)
    )
    Activity.objects.bulk_create(
        Activity(goal=goal, position=p, title=f"Aktivitet {goal.pk}.{p}")
        for goal in made
        for p in range(3)
    )
    Indicator.objects.bulk_create(
        Indicator(goal=goal, position=p, name=f"Indikator {goal.pk}.{p}")
        for goal in made
        for p in range(2)
    )


# The items grown have no rows: one query finds them, one more reads each kind.
SUBMIT_QUERIES = 13
APPROVE_QUERIES = 9


@pytest.mark.parametrize("goals", [1, 30])
def test_the_submission_question_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    grow_plan(world, goals)
    client = client_for(cast, "admin_a")
    client.get(url("follow-up-submit"))  # warms Django's content-type cache

    with django_assert_num_queries(SUBMIT_QUERIES):
        response = client.get(url("follow-up-submit"))

    assert response.status_code == 200
    assert response.context["summary"].activities == 2 + 3 * goals


@pytest.mark.parametrize("goals", [1, 30])
def test_the_approval_question_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    grow_plan(world, goals)
    submitted(cast)
    client = client_for(cast, "slk")
    client.get(url("follow-up-approve"))

    with django_assert_num_queries(APPROVE_QUERIES):
        response = client.get(url("follow-up-approve"))

    assert response.status_code == 200
    assert response.context["summary"].indicators == 1 + 2 * goals
