"""One Swedish word for each state, everywhere it is shown.

The state vocabularies of the product, as the choices classes give them (Swedish):

- a follow-up (``FollowUpState``): utkast, inlämnad, återsänd, godkänd; and on the
  overview (``OverviewState``) also ej påbörjad and försenad;
- an activity (``ActivityStatus``): planerad, pågående, genomförd, försenad, avbruten;
- a programme duty (``DutyStatus``): ej påbörjad, pågår, uppfylld;
- a referral response (``ResponseState``): ej påbörjad, utkast, inlämnad, återöppnad;
  on SLK's board (``BoardState``) besvarad, avstår, utkast, ej påbörjad, försenad;
- a referral round (``ReferralState``): öppen, stängd;
- a programme version (``ProgrammeStatus``): utkast, på remiss, antaget, ersatt;
- a report run (``RunState``): i kö, skapas, klar, misslyckades.

A state that two vocabularies share has one msgid, so it is never translated two ways;
the pages and reports that show a state without a record (a follow-up not started, an
overdue one) use the same msgid as the choices.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from programme.models import (
    ActivityStatus,
    DutyStatus,
    FollowUpPeriod,
    FollowUpState,
    ProgrammeStatus,
)
from programme.queries.overview import OverviewState
from programme.queries.plans import FollowUpRow
from remiss.models import ResponseState
from remiss.queries.rounds import BoardState
from reporting.queries.city_inputs import STATE_LABELS

ROOT = Path(settings.BASE_DIR)

# The vocabularies that name the same states by the same values.
SHARED_STATES: tuple[type[models.TextChoices], ...] = (
    FollowUpState,
    OverviewState,
    ResponseState,
    BoardState,
    DutyStatus,
    ProgrammeStatus,
)
# States that two vocabularies name by different values.
SAME_STATE = [(BoardState.LATE, OverviewState.OVERDUE)]


def swedish(label: object) -> str:
    with translation.override("sv"):
        return str(label).casefold()


def test_a_state_two_vocabularies_share_has_one_swedish_word():
    words: dict[str, set[str]] = defaultdict(set)
    for choices in SHARED_STATES:
        for member in choices:
            words[member.value].add(swedish(member.label))
    for one, other in SAME_STATE:
        words[f"{one.value}={other.value}"] = {swedish(one.label), swedish(other.label)}

    assert {state: sorted(found) for state, found in words.items() if len(found) > 1} == {}


def test_a_follow_up_not_started_or_overdue_is_named_as_on_the_overview():
    with translation.override("sv"):
        badge = render_to_string(
            "programme/follow_ups/_state.html", {"follow_up": None, "overdue": True}
        ).strip()
        not_started = capfirst(str(OverviewState.NOT_STARTED.label))
        overdue = capfirst(str(OverviewState.OVERDUE.label))
        row = FollowUpRow(period=FollowUpPeriod.T1, follow_up=None)

        assert re.sub(r"<[^>]+>", "|", badge).split("|") == [
            "",
            not_started,
            " ",
            overdue,
            "",
        ]
        assert capfirst(str(row.state_label)) == not_started
        assert not_started == "Ej påbörjad"


def test_the_city_report_names_each_follow_up_state_as_the_pages_do():
    for state, label in STATE_LABELS.items():
        expected = (
            OverviewState.NOT_STARTED.label
            if state == OverviewState.NOT_STARTED
            else FollowUpState(state).label
        )
        assert swedish(label) == swedish(expected), state


def test_messages_that_name_an_activity_status_use_its_word():
    with translation.override("sv"):
        cancelled = str(ActivityStatus.CANCELLED.label)
        for message in (
            "An activity that will not be carried out can instead be set to cancelled.",
            "The activity cannot be deleted: a follow-up that has been submitted or approved "
            "reports on it. Set its status to cancelled instead.",
        ):
            assert cancelled in gettext(message), message


# Second msgids of a state that once gave it a second word; none may come back.
RETIRED_STATE_MSGIDS = ("Not started", "submitted, awaiting review")


@pytest.mark.parametrize("msgid", RETIRED_STATE_MSGIDS)
def test_no_page_or_module_asks_for_a_second_word_for_a_state(msgid: str):
    asks = re.compile(
        r"""(?:translate|_|gettext(?:_lazy)?)\(?\s*["']""" + re.escape(msgid) + "[\"']"
    )
    found = [
        path.relative_to(ROOT).as_posix()
        for folder in ("templates", "programme", "remiss", "reporting")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt")
        and "migrations" not in path.parts
        and asks.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
