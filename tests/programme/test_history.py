"""A record's history as its page shows it: who, when, what, and names rather than numbers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from programme.history import history_for
from programme.history_display import display_value, plain_text, written_moment
from programme.models import Body, BodyKind, Programme
from programme.services.fixtures import LoadResult

pytestmark = pytest.mark.django_db


def edit_predecessors(body: Body, user: User, names: list[str]) -> None:
    """Change the body's predecessors as a page would: save, then set the list."""
    body._history_user = user  # type: ignore[attr-defined]
    body.administration_name = f"{body.administration_name}!"
    body.save()
    body.predecessors.set(Body.objects.filter(slug__in=names))


@pytest.fixture
def editor(db: None) -> User:
    return User.objects.create_user("sara", first_name="Sara", last_name="Stadsledning")


def test_a_changed_reference_is_shown_by_name(loaded_data: LoadResult, editor: User):
    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    programme._history_user = editor  # type: ignore[attr-defined]
    programme.supersedes = Programme.objects.get(slug="trygghetsprogram-2020-2023")
    programme.save()

    newest = history_for(programme)[0]

    assert newest.who == "Sara Stadsledning"
    [change] = newest.changes
    assert change.old == "Stockholms stads säkerhetsprogram 2020–2023"
    assert change.new == "Stockholms stads trygghetsprogram 2020–2023"


def test_predecessor_changes_show_the_bodies_names(loaded_data: LoadResult, editor: User):
    body = Body.objects.create(slug="ny-namnd", kind=BodyKind.DISTRICT_COMMITTEE, name="Ny nämnd")
    edit_predecessors(body, editor, ["jarva"])

    listed = [change for entry in history_for(body) for change in entry.changes]

    assert any("Järva" in change.new for change in listed)


def test_history_costs_the_same_queries_at_three_and_thirty_entries(
    loaded_data: LoadResult, editor: User, django_assert_num_queries: Any
):
    body = Body.objects.create(slug="ny-namnd", kind=BodyKind.DISTRICT_COMMITTEE, name="Ny nämnd")
    slugs = ["jarva", "skarholmen", "bromma"]
    edit_predecessors(body, editor, slugs[:1])

    with django_assert_num_queries(3) as few:
        short = history_for(body)
    for step in range(14):
        edit_predecessors(body, editor, slugs[: 1 + step % 3])
    with django_assert_num_queries(len(few.captured_queries)):
        long = history_for(body)

    assert len(long) > len(short) >= 3


def test_dates_and_moments_are_written_in_swedish_words(loaded_data: LoadResult, editor: User):
    body = Body.objects.get(slug="bromma")
    body._history_user = editor  # type: ignore[attr-defined]
    body.valid_to = datetime.date(2027, 5, 1)
    body.save()
    with translation.override("sv"):
        [change] = history_for(body)[0].changes
        assert (change.old, change.new) == ("(tomt)", "1 maj 2027")
        moment = timezone.make_aware(datetime.datetime(2027, 5, 3, 14, 5))
        assert display_value(None, moment) == "3 maj 2027 kl. 14.05"


def test_a_moment_is_written_in_stockholms_local_time_to_the_minute():
    # 12.05 UTC is 14.05 in Stockholm in summer and 13.05 in winter.
    summer = datetime.datetime(2027, 5, 3, 12, 5, 59, tzinfo=datetime.UTC)
    winter = datetime.datetime(2027, 1, 3, 12, 5, tzinfo=datetime.UTC)
    with translation.override("sv"):
        assert written_moment(summer) == "3 maj 2027 kl. 14.05"
        assert written_moment(winter) == "3 januari 2027 kl. 13.05"


def test_values_are_shown_as_people_read_them():
    from decimal import Decimal

    from programme.models import Activity, IndicatorOutcome

    status = Activity._meta.get_field("status")
    with translation.override("sv"):
        assert (display_value(None, True), display_value(None, False)) == ("Ja", "Nej")
        assert display_value(None, Decimal("62.50")) == "62,5"
        assert display_value(None, Decimal("12.00")) == "12"
        assert display_value(status, "planned") == str(status.flatchoices[0][1])
        assert display_value(IndicatorOutcome._meta.get_field("value"), None) == "(tomt)"


def test_rich_text_is_shown_as_its_words():
    assert plain_text("<p>Första &amp; bästa</p><p>Andra <em>stycket</em></p>") == (
        "Första & bästa\nAndra stycket"
    )
    assert plain_text("<ul><li>ett</li><li>två</li></ul>") == "ett\ntvå"
    assert plain_text("a < b utan taggar") == "a < b utan taggar"
