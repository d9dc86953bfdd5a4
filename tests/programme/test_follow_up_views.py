"""The follow-up pages: the page, the body's form, submitting, and SLK's review.

Through the test client, in Swedish as the users see it: the whole workflow, the
refusals that change nothing, the two-session conflict, what a reader does not see, and
the number of queries each page takes at two sizes of plan.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    FocusArea,
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
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast
from tests.programme.test_follow_ups import snapshot

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    """Body A's and body B's plans for this year, with body A's T1 follow-up a draft."""
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


def client_for(cast: Cast, persona: str) -> Client:
    """A client signed in as ``persona``."""
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def url(name: str, period: str = FollowUpPeriod.T1, slug: str = "jarva") -> str:
    return reverse(f"programme:{name}", kwargs={"slug": slug, "year": YEAR, "period": period})


def text_of(response: Any) -> str:
    """The page as text, tags and runs of whitespace collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", without_tags)


def form_data(response: Any) -> dict[str, str]:
    """What the follow-up form on the page would post as it stands: its initial values."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value)
    return data


def fu_a() -> FollowUp:
    return FollowUp.objects.get(plan__body__slug="jarva", period=FollowUpPeriod.T1)


def save_as_it_stands(client: Client) -> None:
    """Open the form and save it unchanged: the draft gets a row for every item it shows."""
    assert (
        client.post(url("follow-up-edit"), form_data(client.get(url("follow-up-edit")))).status_code
        == 302
    )


def rows_of(follow_up: FollowUp) -> dict[str, set[int]]:
    """Which items the follow-up has a row for."""
    return {
        "activities": set(follow_up.activity_reports.values_list("activity_id", flat=True)),
        "indicators": set(follow_up.outcomes.values_list("indicator_id", flat=True)),
        "goals": set(follow_up.goal_judgements.values_list("goal_id", flat=True)),
    }


# --- The page ----------------------------------------------------------------------------


def test_the_page_shows_state_deadline_and_snapshot_of_a_started_follow_up(cast: Cast, world):
    client = client_for(cast, "admin_a")
    save_as_it_stands(client)

    response = client.get(url("follow-up-detail"))

    assert response.status_code == 200
    page = text_of(response)
    assert "Tertialrapport 1" in page
    assert "Utkast" in page
    assert f"15 maj {YEAR}" in page
    for title in ("Trygghetsvandringar", "Andel som känner sig trygga", "Ökad trygghet i centrum"):
        assert title in page
    assert 'action="' + url("follow-up-submit") in response.content.decode()


def test_a_reader_sees_no_confidential_goal_activity_or_its_rows(cast: Cast, world: PlanWorld):
    save_as_it_stands(client_for(cast, "admin_a"))

    as_reader = text_of(client_for(cast, "reader_a").get(url("follow-up-detail")))
    as_admin = text_of(client_for(cast, "admin_a").get(url("follow-up-detail")))

    for confidential in ("Översyn av skalskydd", "Skydd av kritisk verksamhet"):
        assert confidential not in as_reader
        assert confidential in as_admin
    assert "Trygghetsvandringar" in as_reader
    assert "Lämna in" not in as_reader
    assert "Ändra uppföljningen" not in as_reader


START_BUTTON = re.compile(
    r'<form method="post"[^>]* action="([^"]+)">.*?<button type="submit">', re.S
)


def test_a_follow_up_not_started_says_so_and_offers_the_administrator_to_start(
    cast: Cast, world: PlanWorld
):
    client = client_for(cast, "admin_a")

    response = client.get(url("follow-up-detail", FollowUpPeriod.T2))
    form = client.get(url("follow-up-edit", FollowUpPeriod.T2))

    page = text_of(response)
    assert "Ej påbörjad" in page
    assert response.context["may_start"]
    assert url("follow-up-start", FollowUpPeriod.T2) in START_BUTTON.findall(
        response.content.decode()
    )
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    # No link to a form of a follow-up that does not exist; the form leads back here.
    assert url("follow-up-edit", FollowUpPeriod.T2) not in response.content.decode()
    assert form.status_code == 302
    assert form["Location"] == url("follow-up-detail", FollowUpPeriod.T2)
    # Opening the page and the form wrote nothing.
    assert not FollowUp.objects.filter(period=FollowUpPeriod.T2).exists()
    assert not ActivityReport.objects.filter(follow_up__period=FollowUpPeriod.T2).exists()
    assert not IndicatorOutcome.objects.filter(follow_up__period=FollowUpPeriod.T2).exists()
    assert not GoalJudgement.objects.filter(follow_up__period=FollowUpPeriod.T2).exists()


@pytest.mark.parametrize("persona", ["reader_a", "slk"])
def test_those_who_may_not_change_the_records_see_that_it_is_not_started_without_a_button(
    cast: Cast, world: PlanWorld, persona: str
):
    response = client_for(cast, persona).get(url("follow-up-detail", FollowUpPeriod.T2))

    assert response.status_code == 200
    assert "Nämnden har inte påbörjat den här uppföljningen ännu." in text_of(response)
    assert not response.context["may_start"]
    assert url("follow-up-start", FollowUpPeriod.T2) not in response.content.decode()


def test_the_administrator_starts_reporting_with_a_post_and_lands_on_the_form(
    cast: Cast, world: PlanWorld
):
    client = client_for(cast, "admin_a")

    response = client.post(url("follow-up-start", FollowUpPeriod.T2))

    assert response.status_code == 302
    assert response["Location"] == url("follow-up-edit", FollowUpPeriod.T2)
    follow_up = FollowUp.objects.get(plan=world.plan_a, period=FollowUpPeriod.T2)
    assert follow_up.state == FollowUpState.DRAFT
    assert rows_of(follow_up) == {
        "activities": {world.activity_a.pk, world.confidential_activity_a.pk},
        "indicators": {world.indicator_a.pk},
        "goals": {world.goal_a.pk, world.confidential_goal_a.pk},
    }
    assert follow_up.history.get().history_user == cast.admin_a
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert len(form.context["goal_fields"]) == 2


def test_starting_twice_leads_to_the_same_follow_up(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")
    client.post(url("follow-up-start", FollowUpPeriod.T2))
    follow_up = FollowUp.objects.get(plan=world.plan_a, period=FollowUpPeriod.T2)
    rows = rows_of(follow_up)

    again = client.post(url("follow-up-start", FollowUpPeriod.T2))

    assert again.status_code == 302
    assert again["Location"] == url("follow-up-edit", FollowUpPeriod.T2)
    assert FollowUp.objects.filter(plan=world.plan_a, period=FollowUpPeriod.T2).count() == 1
    assert rows_of(follow_up) == rows
    assert follow_up.history.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reader_a", 403), ("slk", 403), ("admin_b", 404), ("official", 404), ("no_role", 404)],
)
def test_only_the_bodys_administrators_may_start_reporting(
    cast: Cast, world: PlanWorld, persona: str, status: int
):
    response = client_for(cast, persona).post(url("follow-up-start", FollowUpPeriod.T2))

    assert response.status_code == status
    assert not FollowUp.objects.filter(period=FollowUpPeriod.T2).exists()


def test_starting_is_a_post_and_protected_against_forged_requests(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(cast.admin_a)

    assert client.get(url("follow-up-start", FollowUpPeriod.T2)).status_code == 405
    assert checked.post(url("follow-up-start", FollowUpPeriod.T2)).status_code == 403
    assert not FollowUp.objects.filter(period=FollowUpPeriod.T2).exists()


def test_an_unknown_period_or_a_year_without_a_plan_is_not_found(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")

    assert client.get(url("follow-up-detail", "t3")).status_code == 404
    missing_year = reverse(
        "programme:follow-up-detail", kwargs={"slug": "jarva", "year": YEAR - 5, "period": "t1"}
    )
    assert client.get(missing_year).status_code == 404


# --- The form ----------------------------------------------------------------------------


def test_the_form_has_every_row_grouped_by_goal_with_the_version_hidden(
    cast: Cast, world: PlanWorld
):
    response = client_for(cast, "admin_a").get(url("follow-up-edit"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<input type="hidden" name="version" value="{fu_a().version}"' in html
    goals = [part.section.title for part in response.context["goal_fields"]]
    assert goals == ["Ökad trygghet i centrum", "Skydd av kritisk verksamhet"]
    first = response.context["goal_fields"][0]
    assert [row.report.activity.title for row in first.activities] == [
        "Trygghetsvandringar",
        "Översyn av skalskydd",
    ]
    assert [row.outcome.indicator.name for row in first.indicators] == [
        "Andel som känner sig trygga"
    ]
    assert f'name="activity-{world.activity_a.pk}-status"' in html
    assert f'name="indicator-{world.indicator_a.pk}-value"' in html


def test_items_added_since_the_draft_began_are_in_the_form_and_saved_with_it(
    cast: Cast, world: PlanWorld
):
    client = client_for(cast, "admin_a")
    save_as_it_stands(client)
    goal = Goal.objects.create(plan=world.plan_a, position=3, title="Nytt mål i planen")
    activity = Activity.objects.create(
        goal=world.goal_a, position=3, title="Ny aktivitet", status=ActivityStatus.ONGOING
    )
    indicator = Indicator.objects.create(goal=goal, name="Ny indikator", by_sex=True)
    before = snapshot(fu_a())

    response = client.get(url("follow-up-edit"))

    # Opening the form wrote nothing ...
    assert snapshot(fu_a()) == before
    assert activity.pk not in rows_of(fu_a())["activities"]
    # ... and shows the new items, marked as new, with fields of their own.
    html = response.content.decode()
    assert "Ny aktivitet" in html and "Nytt mål i planen" in html and "Ny indikator" in html
    # Marked once on the new goal (its indicator is new with it) and once on the activity.
    assert html.count('class="follow-up-new"') == 2
    assert response.context["form"][f"activity-{activity.pk}-status"].value() == (
        ActivityStatus.ONGOING
    )
    data = form_data(response)
    data[f"activity-{activity.pk}-comment"] = "Startade i mars"
    data[f"indicator-{indicator.pk}-value_women"] = "12"
    data[f"goal-{goal.pk}-judgement"] = Judgement.PARTLY_MET

    assert client.post(url("follow-up-edit"), data).status_code == 302

    follow_up = fu_a()
    report = ActivityReport.objects.get(follow_up=follow_up, activity=activity)
    assert (report.status, report.comment) == (ActivityStatus.ONGOING, "Startade i mars")
    assert IndicatorOutcome.objects.get(follow_up=follow_up, indicator=indicator).value_women == 12
    assert GoalJudgement.objects.get(follow_up=follow_up, goal=goal).judgement == (
        Judgement.PARTLY_MET
    )
    assert 'class="follow-up-new"' not in client.get(url("follow-up-edit")).content.decode()


def test_saving_the_form_stores_the_report_and_leads_to_the_page(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")
    data = form_data(client.get(url("follow-up-edit")))
    data["narrative"] = "Trygghetsvandringarna har genomförts."
    data[f"activity-{world.activity_a.pk}-status"] = ActivityStatus.ONGOING
    data[f"indicator-{world.indicator_a.pk}-value"] = "61,5"
    data[f"goal-{world.goal_a.pk}-judgement"] = Judgement.PARTLY_MET

    response = client.post(url("follow-up-edit"), data)

    assert response.status_code == 302
    assert response["Location"] == url("follow-up-detail")
    follow_up = fu_a()
    assert follow_up.narrative == "Trygghetsvandringarna har genomförts."
    assert ActivityReport.objects.get(follow_up=follow_up, activity=world.activity_a).status == (
        ActivityStatus.ONGOING
    )
    assert str(IndicatorOutcome.objects.get(follow_up=follow_up).value) == "61.50"
    page = text_of(client.get(url("follow-up-detail")))
    assert "Uppföljningen sparades." in page
    assert "Pågående" in page
    assert "61,5" in page


def test_a_non_numeric_outcome_is_refused_in_swedish_and_nothing_is_saved(
    cast: Cast, world: PlanWorld
):
    client = client_for(cast, "admin_a")
    data = form_data(client.get(url("follow-up-edit")))
    before = snapshot(fu_a())
    data["narrative"] = "Ska inte sparas"
    data[f"indicator-{world.indicator_a.pk}-value"] = "ungefär hälften"

    response = client.post(url("follow-up-edit"), data)

    assert response.status_code == 200
    page = text_of(response)
    assert "Uppföljningen kunde inte sparas" in page
    assert "Andel som känner sig trygga: Utfall, totalt: Utfallet måste vara ett tal." in page
    # What the user typed is still in the form.
    assert 'value="ungefär hälften"' in response.content.decode()
    assert "Ska inte sparas" in response.content.decode()
    assert snapshot(fu_a()) == before


def test_two_sessions_the_second_save_is_refused_and_shows_the_firsts_change(
    cast: Cast, world: PlanWorld
):
    first, second = client_for(cast, "admin_a"), client_for(cast, "admin_a")
    first_data = form_data(first.get(url("follow-up-edit")))
    second_data = form_data(second.get(url("follow-up-edit")))
    assert first_data["version"] == second_data["version"]
    first_data["narrative"] = "Den första personens berättelse"
    first_data[f"activity-{world.activity_a.pk}-comment"] = "Halvvägs"
    second_data["narrative"] = "Den andra personens berättelse"

    assert first.post(url("follow-up-edit"), first_data).status_code == 302
    response = second.post(url("follow-up-edit"), second_data)

    assert response.status_code == 200
    page = text_of(response)
    assert "Någon annan har sparat ändringar här" in page
    assert "Det här sparades efter att du öppnade formuläret" in page
    assert "Redogörelse: (tomt) → Den första personens berättelse" in page
    assert "Halvvägs" in page
    # The second person's text is kept for them to check, now against the new version.
    assert "Den andra personens berättelse" in response.content.decode()
    assert response.context["form"]["version"].value() == str(fu_a().version)
    assert fu_a().narrative == "Den första personens berättelse"


def test_a_report_posted_after_the_session_ended_comes_back_after_signing_in(
    cast: Cast, world: PlanWorld
):
    client = client_for(cast, "admin_a")
    data = form_data(client.get(url("follow-up-edit")))
    before = snapshot(fu_a())
    data["narrative"] = "Timmar av arbete som inte får gå förlorade"
    data[f"activity-{world.activity_a.pk}-comment"] = "Skrivet innan sessionen tog slut"
    # The session runs out on the server while the browser still holds the form.
    Session.objects.all().delete()
    assert client.post(url("follow-up-edit"), data).status_code == 302

    client.force_login(cast.admin_a)
    response = client.get(url("follow-up-edit"))

    form = response.context["form"]
    assert form["narrative"].value() == "Timmar av arbete som inte får gå förlorade"
    assert form[f"activity-{world.activity_a.pk}-comment"].value() == (
        "Skrivet innan sessionen tog slut"
    )
    assert snapshot(fu_a()) == before


def test_an_approved_follow_up_opens_as_locked_and_an_edit_is_refused(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")
    data = form_data(client.get(url("follow-up-edit")))
    follow_up = workflow.submit_follow_up(cast.admin_a, fu_a(), fu_a().version)
    workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
    before = snapshot(fu_a())

    opened = client.get(url("follow-up-edit"))
    data["narrative"] = "Ändrat efter godkännandet"
    data["version"] = str(fu_a().version)
    refused = client.post(url("follow-up-edit"), data)

    assert opened.status_code == 302
    assert opened["Location"] == url("follow-up-detail")
    assert refused.status_code == 200
    assert "Uppföljningen har godkänts av SLK och är låst." in text_of(refused)
    assert snapshot(fu_a()) == before
    page = text_of(client.get(url("follow-up-detail")))
    assert "Låst:" in page
    assert "Ändra uppföljningen" not in page
    assert "Lämna in till SLK" not in page


# --- The workflow through the pages ------------------------------------------------------


def post_button(client: Client, name: str, **data: str) -> Any:
    """Press a button on the page: its form posts the version the page showed."""
    version = str(fu_a().version)
    return client.post(url(name), {"version": version} | data)


def test_the_whole_workflow_through_the_pages(cast: Cast, world: PlanWorld):
    admin, slk = client_for(cast, "admin_a"), client_for(cast, "slk")
    data = form_data(admin.get(url("follow-up-edit")))
    data[f"goal-{world.goal_a.pk}-judgement"] = Judgement.FULLY_MET
    admin.post(url("follow-up-edit"), data)

    assert post_button(admin, "follow-up-submit").status_code == 302
    assert fu_a().state == FollowUpState.SUBMITTED
    review = slk.get(url("follow-up-review"))
    assert review.status_code == 200
    judgements = {
        "version": str(fu_a().version),
        f"goal-{world.goal_a.pk}-slk_judgement": Judgement.PARTLY_MET,
        f"goal-{world.goal_a.pk}-slk_motivation": "Målet nås bara delvis.",
        f"goal-{world.confidential_goal_a.pk}-slk_judgement": "",
        f"goal-{world.confidential_goal_a.pk}-slk_motivation": "",
    }
    assert slk.post(url("follow-up-review"), judgements).status_code == 302
    refused = post_button(slk, "follow-up-return", comment="")
    assert refused.status_code == 200
    assert "Skriv vad nämnden ska rätta" in text_of(refused)
    assert fu_a().state == FollowUpState.SUBMITTED

    returned = post_button(slk, "follow-up-return", comment="Motivera bedömningen av mål 1.")
    assert returned.status_code == 302
    page = text_of(admin.get(url("follow-up-detail")))
    assert "Återsänd" in page
    assert "SLK:s kommentar" in page
    assert "Motivera bedömningen av mål 1." in page
    assert "SLK bedömer annorlunda" in page

    data = form_data(admin.get(url("follow-up-edit")))
    data[f"goal-{world.goal_a.pk}-judgement"] = Judgement.PARTLY_MET
    data[f"goal-{world.goal_a.pk}-motivation"] = "Två av tre stadsdelar."
    assert admin.post(url("follow-up-edit"), data).status_code == 302
    assert post_button(admin, "follow-up-submit").status_code == 302
    assert fu_a().state == FollowUpState.SUBMITTED
    # Submitted again: SLK's review of the earlier submission is no longer shown.
    page = text_of(admin.get(url("follow-up-detail")))
    facts = page[: page.index("Historik")]
    assert "Inlämnad" in facts and "Granskad" not in facts

    approved = post_button(slk, "follow-up-approve")
    assert approved.status_code == 302
    assert fu_a().state == FollowUpState.APPROVED
    page = text_of(slk.get(url("follow-up-detail")))
    assert "Uppföljningen godkändes och är nu låst." in page
    assert "Låst:" in page
    assert "Granskad" in page[: page.index("Historik")]
    assert "SLK bedömer annorlunda" not in page
    history = page[page.index("Historik") :]
    for step in (
        "Läge: utkast → inlämnad",
        "Läge: inlämnad → återsänd",
        "Läge: återsänd → inlämnad",
        "Läge: inlämnad → godkänd",
    ):
        assert step in history, step
    assert "Sara Stadsledningskontoret" in history
    assert "Amira Järvaadministratör" in history


def test_slk_judging_otherwise_is_highlighted_in_words_not_only_colour(
    cast: Cast, world: PlanWorld
):
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {world.goal_a.pk: follow_up_services.JudgementInput(Judgement.NOT_MET, "Inget har hänt.")},
        follow_up.version,
    )

    response = client_for(cast, "admin_a").get(url("follow-up-detail"))

    page = text_of(response)
    assert "SLK bedömer 1 mål annorlunda än nämnden." in page
    assert "SLK bedömer annorlunda" in page
    assert 'class="judgement-differs"' in response.content.decode()
    assert "Inget har hänt." in page


def test_the_review_page_is_for_slk_only(cast: Cast, world: PlanWorld):
    assert client_for(cast, "admin_a").get(url("follow-up-review")).status_code == 403
    assert client_for(cast, "reader_a").get(url("follow-up-review")).status_code == 403
    assert client_for(cast, "admin_b").get(url("follow-up-review")).status_code == 404
    before = snapshot(world.follow_up_a)
    workflow.submit_follow_up(cast.admin_a, world.follow_up_a, world.follow_up_a.version)
    submitted = snapshot(world.follow_up_a)

    for persona in ("admin_a", "reader_a"):
        client = client_for(cast, persona)
        assert post_button(client, "follow-up-approve").status_code == 403
        assert post_button(client, "follow-up-return", comment="Nej").status_code == 403

    assert before != submitted
    assert snapshot(world.follow_up_a) == submitted


def test_submitting_twice_is_refused_with_a_message(cast: Cast, world: PlanWorld):
    client = client_for(cast, "admin_a")
    client.get(url("follow-up-edit"))
    stale_version = str(fu_a().version)
    assert client.post(url("follow-up-submit"), {"version": stale_version}).status_code == 302
    after_first = snapshot(fu_a())

    response = client.post(url("follow-up-submit"), {"version": str(fu_a().version)}, follow=True)

    assert "har redan lämnats in" in text_of(response)
    assert snapshot(fu_a()) == after_first


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
        Indicator(
            goal=goal,
            position=p,
            name=f"Indikator {goal.pk}.{p}",
            by_sex=p == 0,
            confidentiality=Confidentiality.CONFIDENTIAL if p == 1 else Confidentiality.OPEN,
        )
        for goal in made
        for p in range(2)
    )


def started_and_judged(cast: Cast, world: PlanWorld) -> FollowUp:
    """Body A's T1 with every row, submitted, judged by SLK: every part of the page shows."""
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {
            row.goal_id: follow_up_services.JudgementInput(Judgement.PARTLY_MET, "Delvis")
            for row in GoalJudgement.objects.filter(follow_up=follow_up)
        },
        follow_up.version,
    )
    return follow_up


def rows_seen_by(persona: str) -> int:
    """How many activity and indicator rows of body A's T1 the persona should see."""
    secret = Confidentiality.CONFIDENTIAL
    reports = ActivityReport.objects.filter(follow_up=fu_a())
    outcomes = IndicatorOutcome.objects.filter(follow_up=fu_a())
    if persona == "reader_a":
        reports = reports.exclude(activity__confidentiality=secret).exclude(
            activity__goal__confidentiality=secret
        )
        outcomes = outcomes.exclude(indicator__confidentiality=secret).exclude(
            indicator__goal__confidentiality=secret
        )
    return reports.count() + outcomes.count()


# A member's page asks once more than SLK's: whether the member sees confidential records
# (for the history and the texts' levels); SLK sees them by its role. The history reads
# the rows' changes too: one query for each kind of row.
DETAIL_QUERIES = {"admin_a": 13, "reader_a": 13, "slk": 13}


@pytest.mark.parametrize("goals", [1, 30])
@pytest.mark.parametrize("persona", sorted(DETAIL_QUERIES))
def test_the_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, persona: str, goals: int
):
    grow_plan(world, goals)
    started_and_judged(cast, world)
    client = client_for(cast, persona)
    client.get(url("follow-up-detail"))  # warms Django's content-type cache

    with django_assert_num_queries(DETAIL_QUERIES[persona]):
        response = client.get(url("follow-up-detail"))

    assert response.status_code == 200
    shown = sum(len(s.activities) + len(s.indicators) for s in response.context["page"].sections)
    assert shown == rows_seen_by(persona)


@pytest.mark.parametrize("goals", [1, 30])
def test_the_annual_page_with_its_duties_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    from programme.models import DutyKind, DutyRecord, DutyStatus

    grow_plan(world, goals)
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.MET,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    annual = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.ANNUAL)
    workflow.submit_follow_up(cast.admin_a, annual, annual.version)
    client = client_for(cast, "reader_a")
    client.get(url("follow-up-detail", FollowUpPeriod.ANNUAL))

    # DETAIL_QUERIES' reader page and one for the duty rows.
    with django_assert_num_queries(DETAIL_QUERIES["reader_a"] + 1):
        response = client.get(url("follow-up-detail", FollowUpPeriod.ANNUAL))

    assert response.status_code == 200
    assert response.context["page"].duty_states == []


@pytest.mark.parametrize("goals", [1, 30])
def test_a_form_with_a_row_for_every_item_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    grow_plan(world, goals)
    follow_up_services.add_missing_rows(cast.admin_a, world.follow_up_a)
    client = client_for(cast, "admin_a")
    client.get(url("follow-up-edit"))  # warms Django's content-type cache
    caches["pages"].clear()

    # Written: the rows read and the form made, and one query for the form's key.
    with django_assert_num_queries(10 + 1):
        response = client.get(url("follow-up-edit"))
    # Kept: the key read, and nothing of the rows.
    with django_assert_num_queries(7):
        again = client.get(url("follow-up-edit"))

    assert response.status_code == 200 and again.status_code == 200
    assert len(response.context["goal_fields"]) == 2 + goals
    assert all(part.section.judgement.pk for part in response.context["goal_fields"])


@pytest.mark.parametrize("goals", [1, 30])
def test_the_form_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    # The draft has rows for the plan's first items; the goals added after have none yet.
    follow_up_services.add_missing_rows(cast.admin_a, world.follow_up_a)
    grow_plan(world, goals)
    client = client_for(cast, "admin_a")
    client.get(url("follow-up-edit"))  # warms Django's content-type cache
    caches["pages"].clear()
    before = snapshot(fu_a())

    # One query finds the items without a row; one more reads each kind of them; one
    # reads the form's key.
    with django_assert_num_queries(10 + 3 + 1):
        response = client.get(url("follow-up-edit"))
    with django_assert_num_queries(7):
        client.get(url("follow-up-edit"))

    assert response.status_code == 200
    assert len(response.context["goal_fields"]) == 2 + goals
    new = [part for part in response.context["goal_fields"] if part.section.judgement.pk is None]
    assert len(new) == goals
    assert sum(len(part.activities) + len(part.indicators) for part in new) == 5 * goals
    assert snapshot(fu_a()) == before


@pytest.mark.parametrize("goals", [1, 30])
def test_the_review_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, goals: int
):
    grow_plan(world, goals)
    started_and_judged(cast, world)
    client = client_for(cast, "slk")
    client.get(url("follow-up-review"))
    caches["pages"].clear()

    # The judgements with the submitted rows and the focus areas they kept, and the key.
    with django_assert_num_queries(14 + 1):
        response = client.get(url("follow-up-review"))
    # Kept: the key read, and nothing of the rows (the history is read each time).
    with django_assert_num_queries(11):
        client.get(url("follow-up-review"))

    assert response.status_code == 200
    assert len(response.context["judgement_form"].judgements) == 2 + goals


def test_a_follow_up_whose_submitter_and_reviewer_are_gone_still_shows(
    cast: Cast, world: PlanWorld
):
    # Users are removed over the years (on_delete=SET_NULL); the page must still open.
    FollowUp.objects.filter(pk=world.follow_up_a.pk).update(
        state=FollowUpState.APPROVED,
        submitted_at=timezone.now(),
        submitted_by=None,
        reviewed_at=timezone.now(),
        reviewed_by=None,
    )

    response = client_for(cast, "reader_a").get(url("follow-up-detail"))

    assert response.status_code == 200
    assert text_of(response).count(" av okänd") == 2
