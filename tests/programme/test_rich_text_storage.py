"""Rich text is cleaned once, when it is stored, and shown as stored without cleaning again.

Whatever a browser sends (the editor, the plain text area, or a client that goes round
both) and whichever way a row is written, the column keeps only the allowed markup; a
page shows it as kept; rows written before the column cleaned were cleaned by a migration.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import nh3
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from programme.models import CouncilGoal, FocusArea, Goal
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE
from programme.rich_text import CleanHTML
from programme.services import plans as plan_services
from remiss.models import Response
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = 2027
# What a client that goes round the editor may post: a script, handlers, a bad link.
HOSTILE = (
    '<p onmouseover="steal()">Tryggare <strong>torg</strong></p>'
    "<script>alert(1)</script><img src=x onerror=alert(2)>"
    '<a href="javascript:alert(3)" onclick="alert(4)">länk</a>'
)
CLEANED = '<p>Tryggare <strong>torg</strong></p><a rel="noopener noreferrer">länk</a>'


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_harmless(html: str) -> None:
    """No script but the site's own files, and nothing of what the client sent to run."""
    assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", html)
    assert "alert(" not in html
    assert "steal()" not in html
    assert not re.search(r"\son\w+=", html)


@pytest.fixture
def nh3_calls() -> Iterator[mock.MagicMock]:
    """Every call to nh3.clean while the test runs, counted; nh3 still does the work."""
    with mock.patch.object(nh3, "clean", wraps=nh3.clean) as calls:
        yield calls


# --- Cleaned on every way in ----------------------------------------------------------------


def test_a_saved_record_keeps_only_clean_html(db: None):
    goal = CouncilGoal.objects.create(year=YEAR, title="Mål", description=HOSTILE)

    assert goal.description == CLEANED
    stored = CouncilGoal.objects.get(pk=goal.pk).description
    assert stored == CLEANED
    assert isinstance(stored, CleanHTML)
    assert CouncilGoal.history.model.objects.get(id=goal.pk).description == CLEANED


def test_update_bulk_update_and_bulk_create_clean_as_save_does(db: None):
    first = CouncilGoal.objects.create(year=YEAR, title="Mål")
    CouncilGoal.objects.filter(pk=first.pk).update(description=HOSTILE)
    assert CouncilGoal.objects.get(pk=first.pk).description == CLEANED

    first.description = HOSTILE + "<em>igen</em>"
    CouncilGoal.objects.bulk_update([first], ["description"])
    assert CouncilGoal.objects.get(pk=first.pk).description == CLEANED + "<em>igen</em>"

    (second,) = CouncilGoal.objects.bulk_create(
        [CouncilGoal(year=YEAR + 1, title="Mål", description=HOSTILE)]
    )
    assert second.description == CLEANED
    assert CouncilGoal.objects.get(year=YEAR + 1).description == CLEANED


def test_plain_text_is_kept_as_typed_and_shown_in_paragraphs(db: None):
    goal = CouncilGoal.objects.create(
        year=YEAR, title="Mål", description="Först 3 < 5 & mer\n\nSedan"
    )
    stored = CouncilGoal.objects.get(pk=goal.pk).description

    assert stored == "Först 3 &lt; 5 &amp; mer\n\nSedan"
    html = Template("{% load rich_text %}{{ text|rich_text }}").render(Context({"text": stored}))
    assert html == "<p>Först 3 &lt; 5 &amp; mer</p>\n\n<p>Sedan</p>"


def test_a_client_that_goes_round_the_editor_stores_nothing_harmful(cast: Cast):
    plan_services.create_plan(cast.admin_a, cast.body_a, 2024)
    area = FocusArea.objects.get(programme__slug="sakerhetsprogram-2024", title="Beredskap")
    client = signed_in(cast.admin_a)

    response = client.post(
        reverse("programme:goal-create", args=[cast.body_a.slug, 2024]),
        {
            "version": "1",
            "title": "Tryggare torg",
            "description": HOSTILE,
            "focus_areas": [str(area.pk)],
            "confidentiality": "internal",
        },
    )

    assert response.status_code == 302
    assert Goal.objects.get(title="Tryggare torg").description == CLEANED
    assert_harmless(client.get(response["Location"]).content.decode())


def test_slks_council_goal_posted_round_the_editor_is_stored_clean(cast: Cast):
    client = signed_in(cast.slk)
    url = reverse("programme:year-settings", kwargs={"year": YEAR})

    response = client.post(
        url,
        {
            "goal-part": "council_goal",
            "goal-version": "0",
            "goal-title": DEFAULT_COUNCIL_GOAL_TITLE,
            "goal-description": HOSTILE,
        },
    )

    assert response.status_code == 302
    assert CouncilGoal.objects.get(year=YEAR).description == CLEANED
    page = client.get(url).content.decode()
    assert "Tryggare <strong>torg</strong>" in page
    assert_harmless(page)


# --- Shown without cleaning again ------------------------------------------------------------


def test_a_page_shows_stored_rich_text_without_cleaning_it_again(
    cast: Cast, nh3_calls: mock.MagicMock
):
    CouncilGoal.objects.create(
        year=YEAR, title="Mål", description="<p>Hela <em>staden</em>.</p><ul><li>ett</li></ul>"
    )
    nh3_calls.reset_mock()

    page = signed_in(cast.slk).get(reverse("programme:year-settings", kwargs={"year": YEAR}))

    assert "<p>Hela <em>staden</em>.</p><ul><li>ett</li></ul>" in page.content.decode()
    assert nh3_calls.call_count == 0


def test_the_filter_trusts_only_what_was_stored(db: None, nh3_calls: mock.MagicMock):
    goal = CouncilGoal.objects.create(year=YEAR, title="Mål", description="<p>Ok</p>")
    stored = CouncilGoal.objects.get(pk=goal.pk).description
    template = Template("{% load rich_text %}{{ stored|rich_text }}|{{ typed|rich_text }}")
    nh3_calls.reset_mock()

    html = template.render(Context({"stored": stored, "typed": "<p>Ok</p><script>x()</script>"}))

    assert html == "<p>Ok</p>|<p>Ok</p>"
    # Only the string that did not come from a rich-text column was cleaned.
    assert nh3_calls.call_count == 1


# --- Rows written before the column cleaned -----------------------------------------------


def migration_apps(app_label: str, name: str) -> Any:
    """The models as the migration ``name`` sees them: plain text fields that clean nothing."""
    return MigrationLoader(connection).project_state((app_label, name)).apps


def run_migration(app_label: str, name: str) -> None:
    module = importlib.import_module(f"{app_label}.migrations.{name}")
    module.clean_existing_rich_text(migration_apps(app_label, name), None)


def test_the_migration_cleans_council_goals_and_their_history_written_before(db: None):
    goal = CouncilGoal.objects.create(year=YEAR, title="Mål", description="<p>Ok</p>")
    old = migration_apps("programme", "0008_clean_rich_text")
    old.get_model("programme", "CouncilGoal").objects.filter(pk=goal.pk).update(description=HOSTILE)
    old.get_model("programme", "HistoricalCouncilGoal").objects.filter(id=goal.pk).update(
        description=HOSTILE
    )
    untouched = CouncilGoal.objects.create(year=YEAR + 1, title="Mål", description="<p>Ok</p>")

    run_migration("programme", "0008_clean_rich_text")

    assert CouncilGoal.objects.get(pk=goal.pk).description == CLEANED
    assert {row.description for row in CouncilGoal.history.filter(id=goal.pk)} == {CLEANED}
    assert CouncilGoal.objects.get(pk=untouched.pk).description == "<p>Ok</p>"


def test_the_migration_cleans_responses_written_before(cast: Cast):
    from tests.remiss.test_responses import make_round

    round_ = make_round(cast)
    response = Response.objects.create(referral=round_.referral, body=cast.body_a)
    old = migration_apps("remiss", "0006_clean_rich_text")
    old.get_model("remiss", "Response").objects.filter(pk=response.pk).update(
        views=HOSTILE, decision_text="Beslut <b onclick='x()'>nu</b>"
    )

    run_migration("remiss", "0006_clean_rich_text")

    stored = Response.objects.get(pk=response.pk)
    assert stored.views == CLEANED
    assert stored.decision_text == "Beslut <b>nu</b>"


# --- The form -----------------------------------------------------------------------------


def test_the_goal_form_offers_the_editor_over_a_plain_text_area(cast: Cast):
    plan_services.create_plan(cast.admin_a, cast.body_a, 2024)

    response = signed_in(cast.admin_a).get(
        reverse("programme:goal-create", args=[cast.body_a.slug, 2024])
    )

    page = response.content.decode()
    assert '<label for="id_description">' in page
    textarea = re.search(r'<textarea name="description"[^>]*>', page)
    assert textarea is not None
    assert 'id="id_description"' in textarea[0]
    assert "data-rich-text-editor=" in textarea[0]
    assert '<script type="module" src="/static/js/rich_text.js"></script>' in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
