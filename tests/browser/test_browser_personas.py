"""Each demo persona signs in through the real sign-in page and sees what its role allows.

The users are made by the demo command's own function (``programme.demo.users.set_up_demo``),
with its demo duty records: Järva has a confidential crisis plan. axe-core checks every
new page a persona visits (the account page, checklists, record pages, the overview and
the maintenance pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from programme.demo.users import set_up_demo
from programme.services.fixtures import LoadResult
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = timezone.localdate().year
EVERYONE = ["Start", "Programversioner", "Nämnder och bolagsstyrelser", "Rapporter", "Mitt konto"]
JARVA_CHECKLIST = f"/namnder/jarva/uppdrag/{YEAR}/"
SKARHOLMEN_CHECKLIST = f"/namnder/skarholmen/uppdrag/{YEAR}/"
# The demo records of Järva this year: an internal one and a confidential one.
JARVA_INTERNAL = f"{JARVA_CHECKLIST}risk_analysis/"
JARVA_CONFIDENTIAL = f"{JARVA_CHECKLIST}crisis_plan/"


@dataclass(frozen=True)
class Persona:
    """A demo user and what its role shows it."""

    username: str
    nav: list[str]
    account_says: str


PERSONAS = {
    "admin_a": Persona(
        "jarva-administrator",
        ["Uppdrag: Järva stadsdelsnämnd", "Verksamhetsplan: Järva stadsdelsnämnd", "Remisser"],
        "Ändrar nämndens uppgifter och ser även de sekretessbelagda.",
    ),
    "reader_a": Persona(
        "jarva-lasare",
        ["Uppdrag: Järva stadsdelsnämnd", "Verksamhetsplan: Järva stadsdelsnämnd", "Remisser"],
        "Läser nämndens uppgifter, utom de sekretessbelagda.",
    ),
    "admin_b": Persona(
        "skarholmen-administrator",
        [
            "Uppdrag: Skärholmens stadsdelsnämnd",
            "Verksamhetsplan: Skärholmens stadsdelsnämnd",
            "Remisser",
        ],
        "Ändrar nämndens uppgifter och ser även de sekretessbelagda.",
    ),
    "slk": Persona(
        "slk-granskare",
        ["Alla nämnders uppdrag", "Uppföljning", "Åtkomstlogg", "Remisser"],
        "Du läser alla nämnders uppgifter",
    ),
    "official": Persona(
        "tjansteperson", [], "Du läser programmet och de publicerade allmänna rapporterna."
    ),
    "no_role": Persona("utan-roll", [], "Du har ingen roll ännu"),
    "sysadmin": Persona(
        "systemadministrator",
        ["Systemadministration", "Åtkomstlogg"],
        "Som systemadministratör ser du inga nämnders uppgifter.",
    ),
}


@pytest.fixture
def demo_site(live_server: Any, loaded_data: LoadResult) -> tuple[str, dict[str, str]]:
    """The live server's address and every demo user's password, from the demo command.

    Made before the browser fixture starts Playwright, whose event loop would make Django
    refuse ORM calls from this thread.
    """
    passwords = {entry.demo.username: entry.password for entry in set_up_demo()}
    return str(live_server.url), passwords


def sign_in(page: Page, site: str, username: str, password: str) -> None:
    """Open the account page, get sent to sign in, and sign in with the keyboard."""
    page.goto(f"{site}/konto/")
    expect(page).to_have_url(f"{site}/logga-in/?next=/konto/")
    page.get_by_label("Användarnamn").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/konto/")


def expect_not_found(page: Page, site: str, path: str) -> None:
    """The Swedish 404 page, for a body or record the persona may not see."""
    response = page.goto(f"{site}{path}")
    assert response is not None and response.status == 404, path
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")


def nav(page: Page) -> Any:
    """The main menu."""
    return page.get_by_role("navigation", name="Huvudmeny")


def edit_links(page: Page) -> Any:
    """The links to a duty's edit form in the page's main content."""
    return page.locator("main a[href*='/andra/']")


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_persona_signs_in_and_sees_what_its_role_allows(
    demo_site: tuple[str, dict[str, str]],
    browser: Browser,  # noqa: F811 (the fixture imported from test_browser)
    persona: str,
):
    site, passwords = demo_site
    expected = PERSONAS[persona]
    page = browser.new_page(viewport=WIDE)

    sign_in(page, site, expected.username, passwords[expected.username])

    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt konto")
    expect(page.get_by_text(expected.account_says)).to_be_visible()
    entries = nav(page).get_by_role("link").all_inner_texts()
    assert sorted(entries) == sorted(EVERYONE + expected.nav)
    check_page(page)

    VISITS[persona](page, site)


def visit_as_admin_a(page: Page, site: str) -> None:
    """Järva's administrator: edit links, and the confidential crisis plan."""
    nav(page).get_by_role("link", name="Uppdrag: Järva stadsdelsnämnd").click()
    expect(page).to_have_url(f"{site}{JARVA_CHECKLIST}")
    expect(edit_links(page)).to_have_count(6)
    expect(page.get_by_role("cell", name="Konfidentiell")).to_be_visible()
    check_page(page)

    page.get_by_role("link", name="Uppdaterad krisledningsplan", exact=True).click()
    expect(page).to_have_url(f"{site}{JARVA_CONFIDENTIAL}")
    expect(page.get_by_text("Krisledningsplanen med larmlista")).to_be_visible()
    check_page(page)

    expect_not_found(page, site, SKARHOLMEN_CHECKLIST)


def visit_as_reader_a(page: Page, site: str) -> None:
    """Järva's reader: no edit links, and no trace of the confidential crisis plan."""
    nav(page).get_by_role("link", name="Uppdrag: Järva stadsdelsnämnd").click()
    expect(page).to_have_url(f"{site}{JARVA_CHECKLIST}")
    expect(edit_links(page)).to_have_count(0)
    expect(page.get_by_role("link", name="Uppdaterad krisledningsplan", exact=True)).to_have_count(
        0
    )
    expect(page.get_by_text("Konfidentiell")).to_have_count(0)
    check_page(page)

    page.locator(f"main a[href='{JARVA_INTERNAL}']").click()
    expect(page).to_have_url(f"{site}{JARVA_INTERNAL}")
    expect(edit_links(page)).to_have_count(0)
    check_page(page)

    expect_not_found(page, site, JARVA_CONFIDENTIAL)


def visit_as_admin_b(page: Page, site: str) -> None:
    """Skärholmen's administrator: its own checklist, and Järva is not found."""
    nav(page).get_by_role("link", name="Uppdrag: Skärholmens stadsdelsnämnd").click()
    expect(page).to_have_url(f"{site}{SKARHOLMEN_CHECKLIST}")
    expect(edit_links(page)).to_have_count(6)
    check_page(page)

    expect_not_found(page, site, JARVA_CHECKLIST)
    expect_not_found(page, site, JARVA_CONFIDENTIAL)


def visit_as_slk(page: Page, site: str) -> None:
    """SLK: the overview, every body's records (confidential too), the maintenance pages."""
    nav(page).get_by_role("link", name="Alla nämnders uppdrag").click()
    expect(page).to_have_url(f"{site}/uppdrag/{YEAR}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(YEAR))
    check_page(page)

    page.goto(f"{site}{JARVA_CHECKLIST}")
    expect(edit_links(page)).to_have_count(0)
    page.get_by_role("link", name="Uppdaterad krisledningsplan", exact=True).click()
    expect(page).to_have_url(f"{site}{JARVA_CONFIDENTIAL}")
    check_page(page)

    page.goto(f"{site}/konto/")
    for name in ("Lägg till en programversion", "Lägg till en nämnd", "Slå samman nämnder"):
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_page(page)
        page.go_back()


def visit_as_outsider(page: Page, site: str) -> None:
    """Officials and users with no role see no body's pages."""
    expect(page.get_by_role("link", name="Uppdrag", exact=False)).to_have_count(0)
    expect_not_found(page, site, JARVA_CHECKLIST)
    expect_not_found(page, site, JARVA_CONFIDENTIAL)


def visit_as_sysadmin(page: Page, site: str) -> None:
    """The system administrator reaches the admin, and no body's pages."""
    nav(page).get_by_role("link", name="Systemadministration").click()
    expect(page).to_have_url(f"{site}/admin/")
    expect(page).to_have_title("Användare, roller och medlemskap | Systemadministration")
    expect_not_found(page, site, JARVA_CHECKLIST)


VISITS = {
    "admin_a": visit_as_admin_a,
    "reader_a": visit_as_reader_a,
    "admin_b": visit_as_admin_b,
    "slk": visit_as_slk,
    "official": visit_as_outsider,
    "no_role": visit_as_outsider,
    "sysadmin": visit_as_sysadmin,
}
