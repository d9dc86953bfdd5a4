"""SLK's overview caches its tables and charts under a key of every field of the page it
read: a change shows at once, even one that bypassed the version, the second view is
served from the cache, the charts are drawn only when the cache has not got them, and
the cache follows the language."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.conf import settings

from programme import judgement_charts
from programme.models import Body, FollowUp, FollowUpState, Judgement
from programme.templatetags.fragments import values_digest
from tests.conftest import Cast
from tests.programme.test_fragment_cache import _spy
from tests.programme.test_overview import (  # noqa: F401 (fixtures)
    area,
    client_for,
    deadlines,
    follow_up,
    goal,
    judge,
    overview_url,
    states,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("states")
def test_the_second_view_is_served_from_the_cache_and_is_the_same(cast: Cast):
    client = client_for(cast, "slk")
    counts, spying = _spy("template.cache.overview-tables", using="pages")
    with spying:
        first = client.get(overview_url()).content.decode()
        second = client.get(overview_url()).content.decode()
    assert counts == {"hit": 1, "miss": 1}
    assert _without_token(second) == _without_token(first)
    assert "Järva stadsdelsnämnd" in second


@pytest.mark.usefixtures("states")
def test_a_change_shows_at_once_even_one_that_bypassed_the_version(cast: Cast):
    client = client_for(cast, "slk")
    before = client.get(overview_url()).content.decode()
    assert _state_of(before, cast.body_b.name) == FollowUpState.SUBMITTED
    # Written in SQL, past the services: no version raised, no signal sent.
    FollowUp.objects.filter(plan__body=cast.body_b).update(state=FollowUpState.APPROVED)
    Body.objects.filter(pk=cast.body_a.pk).update(name="Järva nya stadsdelsnämnd")

    after = client.get(overview_url()).content.decode()
    assert _state_of(after, cast.body_b.name) == FollowUpState.APPROVED
    assert _state_of(after, "Järva nya stadsdelsnämnd") is not None
    matrix = after.split('id="matrix-caption"')[-1]
    assert '<th scope="row">Järva nya stadsdelsnämnd</th>' in matrix


def test_the_charts_are_drawn_only_when_the_cache_has_not_got_them(cast: Cast):
    goal_a = goal(cast.body_a, area("sakerhetsprogram-2024", 1))
    judge(follow_up(cast.body_a, FollowUpState.SUBMITTED), goal_a, Judgement.FULLY_MET)
    client = client_for(cast, "slk")
    with mock.patch.object(
        judgement_charts, "judgement_chart", wraps=judgement_charts.judgement_chart
    ) as drawn:
        client.get(overview_url())
        client.get(overview_url())
    assert drawn.call_count == 1


@pytest.mark.usefixtures("states")
def test_the_cached_tables_follow_the_language(cast: Cast):
    client = client_for(cast, "slk")
    swedish = text_of(client.get(overview_url()))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text_of(client.get(overview_url()))
    assert "Aktiviteter per nämnd och fokusområde" in swedish
    assert "Activities per body and focus area" in english
    assert "Aktiviteter per nämnd och fokusområde" not in english


def test_a_key_is_never_made_of_a_value_it_cannot_read_whole():
    with pytest.raises(TypeError):
        values_digest("overview", object())
    day = datetime.date(2026, 5, 1)
    assert values_digest("overview", [day]) == values_digest("overview", [day])
    assert values_digest("overview", [day]) != values_digest("overview", [day.replace(day=2)])


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _state_of(html: str, name: str) -> str | None:
    """The state the list of bodies shows for the body named ``name``."""
    found = re.search(
        rf'<th scope="row">{re.escape(name)}</th>\s*<td>[^<]*</td>\s*'
        r'<td><span class="follow-up-state follow-up-state-(\w+)"',
        html,
    )
    return found.group(1) if found else None
