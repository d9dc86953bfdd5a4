"""SLK handles a statement on the compilation's section page in a real browser, keyboard only.

The section page writes each row's disposition form in code; here a screen reader's and
a keyboard user's view of it is checked: axe-core finds nothing on the page nor on the
page a refused save shows, the radio buttons are named by their labels, a save without
the reason it needs shows its error at the row with what was chosen, and a save with the
reason returns to the row with the outcome recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from remiss.models import Disposition, DispositionOutcome
from tests.access.matrix_rows_remiss_compilation import Round, make_round
from tests.browser.test_browser import WIDE, browser, check_page  # noqa: F401 (a fixture)
from tests.browser.test_browser_review import press, sign_in
from tests.browser.test_city_report_browser import in_another_thread
from tests.browser.test_remiss_browser import tick, type_into
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

REASON = "Frågan hanteras i stadens budget."


@pytest.fixture
def made(live_server: Any, cast: Cast) -> Round:
    """The round, made before Playwright starts."""
    return make_round(cast)


def test_slk_handles_a_statement_on_the_section_page_with_the_keyboard(
    live_server: Any,
    made: Round,
    browser: Browser,  # noqa: F811
):
    path = reverse(
        "remiss:compilation-section",
        kwargs={"pk": made.referral.pk, "section_pk": made.section.pk},
    )
    page = browser.new_page(viewport=WIDE)
    sign_in(page, str(live_server.url), "slk", path)
    check_page(page)

    row = page.locator(f"#statement-{made.open_b.pk}")
    tick(page, row.get_by_role("radio", name="Inte tillgodosedd", exact=True))
    press(page, "Spara hanteringen Skärholmens stadsdelsnämnd")

    # Refused: no reason. The error is at the row, and what was chosen is kept.
    row = page.locator(f"#statement-{made.open_b.pk}")
    expect(row.locator(".field-error")).to_be_visible()
    expect(row.get_by_role("radio", name="Inte tillgodosedd", exact=True)).to_be_checked()
    expect(page.get_by_role("alert").first).to_be_visible()
    check_page(page)

    type_into(page, row.get_by_role("textbox", name="Motivering"), REASON)
    press(page, "Spara hanteringen Skärholmens stadsdelsnämnd")

    expect(page).to_have_url(f"{live_server.url}{path}#statement-{made.open_b.pk}")
    row = page.locator(f"#statement-{made.open_b.pk}")
    expect(row.get_by_role("radio", name="Inte tillgodosedd", exact=True)).to_be_checked()
    expect(row.get_by_role("textbox", name="Motivering")).to_have_value(REASON)
    check_page(page)

    def stored() -> tuple[str, str]:
        disposition = Disposition.objects.get(statement=made.open_b)
        return disposition.outcome, disposition.reason

    assert in_another_thread(stored) == (DispositionOutcome.NOT_ACCEPTED, REASON)
