"""SLK's follow-up overview in a real browser: keyboard filters, charts, axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from programme.models import (
    Body,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    GlobalRole,
    GlobalRoleKind,
    Goal,
    GoalJudgement,
    Judgement,
    Plan,
    copy_focus_areas,
)
from programme.services.fixtures import LoadResult
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.conftest import PERSONA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2024


@pytest.fixture
def overview_site(live_server: Any, loaded_data: LoadResult) -> str:
    """An SLK reviewer and annual follow-ups of 2024 with judgements, before Playwright starts."""
    # The SLK reviewer is the shared world's, there with the programme data.
    slk_reviewers = GlobalRole.objects.filter(role=GlobalRoleKind.SLK_REVIEWER)
    assert slk_reviewers.filter(user__username="slk").exists()
    area = FocusArea.objects.get(programme__slug="sakerhetsprogram-2024", position=1)
    judgements = {
        "jarva": Judgement.FULLY_MET,
        "skarholmen": Judgement.PARTLY_MET,
        "bromma": Judgement.FULLY_MET,
        "svenska-bostader": Judgement.NOT_MET,
    }
    for slug, judgement in judgements.items():
        plan = Plan.objects.create(body=Body.objects.get(slug=slug), year=YEAR)
        goal = Goal.objects.create(plan=plan, title="Tryggare miljöer")
        goal.focus_areas.add(area)
        report = FollowUp.objects.create(
            plan=plan,
            period=FollowUpPeriod.ANNUAL,
            state=FollowUpState.APPROVED,
            council_goal_judgement=judgement,
        )
        row = GoalJudgement.objects.create(follow_up=report, goal=goal, judgement=judgement)
        # The goal's focus areas kept on the row, as a submission keeps them.
        copy_focus_areas([row], Goal)
    return str(live_server.url)


def test_slk_filters_the_overview_by_keyboard_and_reads_the_charts(
    overview_site: str,
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    page = browser.new_page(viewport=WIDE)
    page.goto(f"{overview_site}/logga-in/")
    page.get_by_label("Användarnamn").fill("slk")
    page.get_by_label("Lösenord").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.get_by_role("link", name="Uppföljning", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning:")
    check_page(page)

    page.goto(f"{overview_site}/uppfoljning/{YEAR}/annual/")
    expect(
        page.get_by_role("listitem").filter(
            has_text="2 av 3 nämnder bedömer att målet uppnås helt och 1 delvis."
        )
    ).to_be_visible()
    expect(page.get_by_role("img", name="Bedömning av kommunfullmäktiges mål")).to_be_visible()
    expect(page.get_by_role("img", name="Bedömning av målen per fokusområde")).to_be_visible()
    check_page(page)

    page.get_by_label("Typ av nämnd").select_option("company_board")
    page.get_by_role("button", name="Visa").press("Enter")
    expect(page).to_have_url(
        f"{overview_site}/uppfoljning/{YEAR}/annual/?kind=company_board&focus_area=&state="
    )
    rows = page.get_by_role("table", name="6 nämnder").get_by_role("row")
    expect(rows).to_have_count(7)
    check_page(page)

    page.goto(f"{overview_site}/uppfoljning/{YEAR}/annual/?state=lost")
    expect(page.get_by_role("alert")).to_contain_text("Välj ett av lägena i listan.")
    check_page(page)
