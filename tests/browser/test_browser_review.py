"""The review workflow in a real browser, from an empty plan to an approved follow-up.

Järva's administrator builds a plan through the plan pages (a goal, an activity, an
indicator), reports T1 and submits it; SLK judges a goal otherwise, returns the
follow-up with a comment; the administrator corrects it and submits it again; SLK
approves it and it is locked. Submitting and approving each pass through a page that
says what the step does and asks again. The follow-up's history shows each step, and
axe-core checks every page on the way. The forms are filled and sent with the keyboard.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from programme.models import FollowUpDeadline, FollowUpPeriod
from programme.services.fixtures import LoadResult
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.conftest import PERSONA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
PLAN = f"/namnder/jarva/planer/{YEAR}/"
FOLLOW_UP = f"/namnder/jarva/uppfoljning/{YEAR}/t1/"
GOAL = "Ökad trygghet i centrum"
ACTIVITY = "Trygghetsvandringar"
INDICATOR = "Andel som känner sig trygga"


@pytest.fixture
def review_site(live_server: Any, loaded_data: LoadResult) -> str:
    """The live server with the personas and this year's T1 deadline, before Playwright starts.

    The personas are the shared world's cast, there with the programme data.
    """
    FollowUpDeadline.objects.create(
        year=YEAR, period=FollowUpPeriod.T1, due_on=datetime.date(YEAR, 5, 15)
    )
    return str(live_server.url)


def sign_in(page: Page, site: str, username: str, path: str) -> None:
    """Open ``path``, get sent to sign in, and sign in with the keyboard."""
    page.goto(f"{site}{path}")
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PERSONA_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}{path}")


def expect_at(page: Page, url: str) -> None:
    """The page is at ``url`` (a redirect after a form keeps the form's #fragment)."""
    expect(page).to_have_url(re.compile(re.escape(url) + r"(#.*)?$"))


def sign_out(page: Page) -> None:
    """Sign out with the header's button."""
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")


def press(page: Page, name: str) -> None:
    """Reach a button with the keyboard and press it."""
    button = page.get_by_role("button", name=name, exact=True)
    button.focus()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def save_record_form(page: Page, label: str, value: str) -> None:
    """Fill the one required field of a plan record form and save it with the keyboard."""
    check_page(page)
    page.get_by_label(label, exact=True).fill(value)
    press(page, "Spara")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verksamhetsplan {YEAR}")


def submit_through_the_question(page: Page, site: str) -> None:
    """Press "Lämna in till SLK", read the page that asks, and submit from it."""
    press(page, "Lämna in till SLK")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Lämna in tertialrapport 1 {YEAR} till SLK?"
    )
    expect(page.get_by_role("region", name="Det här händer när du lämnar in")).to_be_visible()
    expect(page.get_by_role("link", name="Tillbaka")).to_have_attribute("href", FOLLOW_UP)
    check_page(page)
    press(page, "Lämna in")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(page.get_by_text("Uppföljningen lämnades in till SLK.")).to_be_visible()


def text_box(scope: Page | Locator, name: str) -> Locator:
    """A text field by its label: the rich-text editor where its script runs, else the box.

    Found by role, so the plain box the editor replaces (hidden) is not counted twice.
    """
    return scope.get_by_role("textbox", name=name, exact=True)


def state_of(page: Page) -> Any:
    """The follow-up's state as the page shows it."""
    return page.locator(".facts .follow-up-state").first


def build_plan_and_report(page: Page, site: str) -> None:
    """The administrator makes the plan, a goal, an activity and an indicator, and reports T1."""
    page.get_by_role("button", name="Skapa en tom verksamhetsplan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Verksamhetsplan {YEAR}")
    check_page(page)

    page.get_by_role("link", name="Lägg till mål").click()
    save_record_form(page, "Nämndmål", GOAL)
    page.get_by_role("link", name=f"Lägg till aktivitet till målet {GOAL}").click()
    save_record_form(page, "Aktivitet", ACTIVITY)
    page.get_by_role("link", name=f"Lägg till indikator till målet {GOAL}").click()
    save_record_form(page, "Indikator", INDICATOR)
    # The plan page lists each record as a row that links to the record's own page.
    expect(page.get_by_role("link", name=ACTIVITY, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=INDICATOR, exact=True)).to_be_visible()
    check_page(page)

    page.get_by_role("region", name="Uppföljningar").get_by_role(
        "link", name="Tertialrapport 1"
    ).click()
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(state_of(page)).to_have_text("Ej påbörjad")
    check_page(page)

    # Opening the page started nothing: the administrator starts reporting with its button
    # (found by its form, so that the test does not wait for the button's translation).
    start = page.locator("form.follow-up-start").get_by_role("button")
    start.focus()
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ändra tertialrapport 1 {YEAR}")
    check_page(page)

    # A number the service cannot read is refused, with a summary that leads to the field.
    outcome = page.get_by_role("group", name=INDICATOR).get_by_label("Utfall, totalt")
    text_box(page, "Redogörelse").fill("Vandringarna har börjat i alla områden.")
    outcome.fill("ungefär hälften")
    press(page, "Spara uppföljningen")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Utfallet måste vara ett tal.")
    check_page(page)
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(outcome).to_be_focused()
    expect(text_box(page, "Redogörelse")).to_have_text("Vandringarna har börjat i alla områden.")

    page.keyboard.press("Control+A")
    page.keyboard.type("62,5")
    activity = page.get_by_role("group", name=ACTIVITY)
    activity.get_by_label("Status").select_option(label="Pågående")
    text_box(activity, "Kommentar").fill("Fyra av sex vandringar är gjorda.")
    judgement = page.get_by_role("group", name="Hur långt är målet uppnått?")
    judgement.get_by_label("Nämndens bedömning").select_option(label="Helt uppfyllt")
    press(page, "Spara uppföljningen")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(page.get_by_text("Uppföljningen sparades.")).to_be_visible()
    expect(page.get_by_role("cell", name="62,5", exact=True)).to_be_visible()
    check_page(page)


def test_a_follow_up_goes_from_an_empty_plan_through_return_to_approval(
    review_site: str,
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
):
    site = review_site
    page = browser.new_page(viewport=WIDE)

    # The administrator builds the plan, reports T1 and submits it.
    sign_in(page, site, "admin_a", PLAN)
    build_plan_and_report(page, site)
    # The first press only asks; "Tillbaka" leads back with nothing submitted.
    press(page, "Lämna in till SLK")
    summary = page.get_by_role("region", name="Vad uppföljningen innehåller")
    expect(summary).to_contain_text("1 indikator, varav 1 med utfall")
    page.get_by_role("link", name="Tillbaka").focus()
    page.keyboard.press("Enter")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(state_of(page)).to_have_text("Utkast")
    submit_through_the_question(page, site)
    expect(state_of(page)).to_have_text("Inlämnad")
    expect(page.get_by_role("link", name="Ändra uppföljningen")).to_have_count(0)
    sign_out(page)

    # SLK judges the goal otherwise and returns the follow-up with a comment.
    sign_in(page, site, "slk", FOLLOW_UP)
    page.get_by_role("link", name="SLK:s granskning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Granskning av Tertialrapport 1 {YEAR}"
    )
    # The activities and indicators as submitted, beside the goal SLK judges.
    submitted = page.get_by_role("region", name=f"Aktiviteter som de lämnades in – {GOAL}")
    expect(submitted.get_by_role("row", name=re.compile(ACTIVITY))).to_contain_text("Pågående")
    expect(submitted).to_contain_text("Fyra av sex vandringar är gjorda.")
    outcomes = page.get_by_role("region", name=f"Indikatorer som de lämnades in – {GOAL}")
    expect(outcomes.get_by_role("row", name=re.compile(INDICATOR))).to_contain_text("62,5")
    check_page(page)
    goal = page.get_by_role("group", name=GOAL)
    goal.get_by_label("SLK:s bedömning").select_option(label="Delvis uppfyllt")
    text_box(goal, "SLK:s motivering").fill("Två av sex vandringar återstår.")
    press(page, "Spara SLK:s bedömningar")
    expect(page.get_by_text("SLK:s bedömningar sparades.")).to_be_visible()
    expect(page.get_by_text("SLK bedömer 1 mål annorlunda än nämnden.")).to_be_visible()
    check_page(page)

    press(page, "Skicka tillbaka till nämnden")
    expect(page.get_by_role("alert")).to_contain_text("Skriv vad nämnden ska rätta")
    check_page(page)
    text_box(page, "Vad ska nämnden rätta?").fill("Motivera bedömningen av målet.")
    press(page, "Skicka tillbaka till nämnden")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(state_of(page)).to_have_text("Återsänd")
    check_page(page)
    sign_out(page)

    # The administrator reads the comment, corrects the judgement and submits again.
    sign_in(page, site, "admin_a", FOLLOW_UP)
    comment = page.get_by_role("region", name="SLK:s kommentar")
    expect(comment).to_contain_text("Motivera bedömningen av målet.")
    expect(page.get_by_role("cell", name="SLK bedömer annorlunda")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Ändra uppföljningen").click()
    expect(page.get_by_role("region", name="SLK:s kommentar")).to_be_visible()
    judgement = page.get_by_role("group", name="Hur långt är målet uppnått?")
    judgement.get_by_label("Nämndens bedömning").select_option(label="Delvis uppfyllt")
    text_box(judgement, "Motivering").fill("Två av sex vandringar återstår.")
    press(page, "Spara uppföljningen")
    expect(page.get_by_role("cell", name="Samma bedömning")).to_be_visible()
    submit_through_the_question(page, site)
    expect(state_of(page)).to_have_text("Inlämnad")
    sign_out(page)

    # SLK approves; the follow-up is locked.
    sign_in(page, site, "slk", FOLLOW_UP)
    page.get_by_role("link", name="SLK:s granskning").click()
    press(page, "Godkänn uppföljningen")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Godkänn och lås tertialrapport 1 {YEAR}?"
    )
    expect(page.get_by_role("region", name="Det här händer när du godkänner")).to_contain_text(
        "kan inte ångras"
    )
    check_page(page)
    press(page, "Godkänn och lås")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(page.get_by_text("Uppföljningen godkändes och är nu låst.")).to_be_visible()
    expect(state_of(page)).to_have_text("Godkänd")
    expect(page.get_by_text("Låst:")).to_be_visible()
    history = page.get_by_role("region", name="Historik")
    for step in (
        "Läge: utkast → inlämnad",
        "Läge: inlämnad → återsänd",
        "Läge: återsänd → inlämnad",
        "Läge: inlämnad → godkänd",
    ):
        expect(history.get_by_text(step)).to_be_visible()
    expect(history.get_by_role("cell", name="Sara Stadsledningskontoret").first).to_be_visible()
    expect(history.get_by_role("cell", name="Amira Järvaadministratör").first).to_be_visible()
    check_page(page)
    sign_out(page)

    # The administrator can no longer change it.
    sign_in(page, site, "admin_a", FOLLOW_UP)
    expect(page.get_by_role("link", name="Ändra uppföljningen")).to_have_count(0)
    expect(page.get_by_role("button", name="Lämna in till SLK")).to_have_count(0)
    page.goto(f"{site}{FOLLOW_UP}andra/")
    expect_at(page, f"{site}{FOLLOW_UP}")
    expect(page.get_by_text("Uppföljningen kan inte ändras nu: godkänd.")).to_be_visible()
