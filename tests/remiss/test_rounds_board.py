"""SLK's board of a referral round: each invited body's state, the counts, fixed queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import Body, BodyKind
from remiss.models import Invitation, Response, ResponseState
from remiss.queries import rounds as round_queries
from remiss.queries.rounds import BoardState
from remiss.services import rounds as round_services
from tests.conftest import Cast
from tests.remiss.test_rounds import TODAY, client_for, open_round, private_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]


def extra_bodies(count: int) -> list[Body]:
    return [
        Body.objects.create(
            slug=f"bolag-{index}", kind=BodyKind.COMPANY_BOARD, name=f"Bolag {index}"
        )
        for index in range(count)
    ]


def test_the_board_names_answered_declined_draft_and_not_started(cast: Cast):
    third, fourth = extra_bodies(2)
    referral = open_round(cast, bodies=[cast.body_a, cast.body_b, third, fourth])
    Response.objects.filter(referral=referral, body=cast.body_a).update(
        state=ResponseState.SUBMITTED
    )
    Response.objects.filter(referral=referral, body=third).update(state=ResponseState.DRAFT)
    invitation = Invitation.objects.get(referral=referral, body=cast.body_b)
    round_services.decline(
        user=cast.admin_b, invitation=invitation, seen_version=1, reason="Inga synpunkter."
    )

    board = round_queries.board(referral, today=TODAY)

    states = {row.body.slug: row.state for row in board.rows}
    assert states == {
        "jarva": BoardState.ANSWERED,
        "skarholmen": BoardState.DECLINED,
        third.slug: BoardState.DRAFT,
        fourth.slug: BoardState.NOT_STARTED,
    }
    assert board.counts == {"answered": 1, "declined": 1, "draft": 1, "not_started": 1}
    assert board.deadline == referral.deadline


def test_after_the_deadline_bodies_without_an_answer_are_late(cast: Cast):
    third = extra_bodies(1)[0]
    referral = open_round(cast, bodies=[cast.body_a, cast.body_b, third])
    Response.objects.filter(referral=referral, body=cast.body_a).update(
        state=ResponseState.SUBMITTED
    )
    Response.objects.filter(referral=referral, body=third).update(state=ResponseState.DRAFT)

    assert referral.deadline is not None
    board = round_queries.board(referral, today=referral.deadline + datetime.timedelta(days=1))

    assert board.counts == {"answered": 1, "late": 2}


def test_each_row_shows_its_state_the_deadline_and_when_it_was_submitted(cast: Cast):
    referral = open_round(cast, bodies=[cast.body_a, cast.body_b])
    submitted = timezone.make_aware(datetime.datetime(2099, 2, 3, 10, 30))
    Response.objects.filter(referral=referral, body=cast.body_a).update(
        state=ResponseState.SUBMITTED, submitted_at=submitted
    )
    assert referral.deadline is not None

    page = client_for(cast.slk).get(reverse("remiss:round-detail", kwargs={"pk": referral.pk}))

    rows = {row.body.slug: row for row in page.context["page"].board.rows}
    assert rows["jarva"].submitted_at == submitted
    assert rows["skarholmen"].submitted_at is None
    content = page.content.decode()
    answered = content[content.index('<tr class="board-answered">') :]
    answered = answered[: answered.index("</tr>")]
    assert "Järva stadsdelsnämnd" in answered and "Besvarad" in answered
    assert f'<time datetime="{referral.deadline:%Y-%m-%d}">' in answered
    assert '<time datetime="2099-02-03T10:30:00' in answered and "3 februari 2099" in answered
    waiting = content[content.index('<tr class="board-not_started">') :]
    waiting = waiting[: waiting.index("</tr>")]
    assert f'<time datetime="{referral.deadline:%Y-%m-%d}">' in waiting
    assert waiting.rstrip().endswith("<td>–</td>")


def test_the_cached_board_shows_a_change_at_once(cast: Cast):
    # The board's table is cached under a key of what it shows: the same page read
    # again is served from the cache, and a body that answers changes the key.
    from django.core.cache import cache

    referral = open_round(cast, bodies=[cast.body_a, cast.body_b])
    url = reverse("remiss:round-detail", kwargs={"pk": referral.pk})
    client = client_for(cast.slk)

    def board_of(page: str) -> str:
        return page[page.index('<table class="duty-table">') : page.index("</table>")]

    before = client.get(url).content.decode()
    stored = [key for key in cache._cache if "round-board" in key]  # type: ignore[attr-defined]
    assert len(stored) == 1
    assert board_of(client.get(url).content.decode()) == board_of(before)
    assert '<tr class="board-answered">' not in before

    Response.objects.filter(referral=referral, body=cast.body_a).update(
        state=ResponseState.SUBMITTED, submitted_at=timezone.now()
    )
    after = client.get(url).content.decode()

    answered = after[after.index('<tr class="board-answered">') :]
    assert "Järva stadsdelsnämnd" in answered[: answered.index("</tr>")]


# The session and user, the roles and memberships of the menu, the round, its sections,
# the invitations with their bodies, the responses, and the user's own invitations.
ROUND_PAGE_QUERIES = 9


def test_the_round_page_with_its_board_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any
):
    referral = open_round(cast, bodies=[cast.body_a, *extra_bodies(3)])
    client = client_for(cast.slk)
    url = reverse("remiss:round-detail", kwargs={"pk": referral.pk})
    client.get(url)  # warms the content types guardian reads once per process

    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["page"].board.counts == {"not_started": 4}


def test_the_board_does_not_grow_with_the_bodies_asked(cast: Cast, django_assert_num_queries: Any):
    referral = open_round(cast, bodies=[cast.body_a, *extra_bodies(25)])
    client = client_for(cast.slk)
    url = reverse("remiss:round-detail", kwargs={"pk": referral.pk})
    client.get(url)  # warms the content types guardian reads once per process

    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        response = client.get(url)

    assert len(response.context["page"].board.rows) == 26


# The session and user, the roles and memberships of the menu, and the rounds; for SLK
# also the versions a round may be opened for, for anyone else the user's grants.
LIST_QUERIES = {"slk": 6, "reader_a": 5, "official": 5}


@pytest.mark.parametrize("persona", ["slk", "reader_a", "official"])
def test_the_round_list_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any, persona: str
):
    open_round(cast, bodies=[cast.body_a, *extra_bodies(5)])
    client = client_for(cast.by_name(persona))
    client.get(reverse("remiss:round-list"))  # warms the content types guardian reads

    with django_assert_num_queries(LIST_QUERIES[persona]):
        response = client.get(reverse("remiss:round-list"))

    assert response.status_code == 200
