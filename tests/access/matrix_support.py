"""What the access matrix's rows are built from: the world of records and the Row type.

``tests/access/test_access_matrix.py`` makes the world once per module and asks every row;
the rows of each part of the site live in ``tests/access/matrix_rows_*.py`` and are built with
the helpers here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse

from programme.models import (
    Activity,
    CarryOverIssue,
    Confidentiality,
    DutyRecord,
    EvidenceFile,
    FocusArea,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    Goal,
    Indicator,
    Plan,
    Programme,
)
from tests.conftest import PERSONAS, Cast

SIGNED_IN = tuple(persona for persona in PERSONAS if persona != "anonymous")
# "Sent to the sign-in page with next": the anonymous answer on every page but sign-in.
SIGN_IN = "sign-in"
Expected = int | str
Answers = dict[str, Expected]

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    """The cast, body A's records (one confidential) with evidence, and admin objects."""

    cast: Cast
    year: int
    record: DutyRecord
    confidential: DutyRecord
    evidence: EvidenceFile
    confidential_evidence: EvidenceFile
    programme: Programme
    focus_area: FocusArea
    plans: PlanWorld
    admin_objects: dict[type[models.Model], models.Model] = field(default_factory=dict)
    # Each signed-in persona's session, made once: a test's client only sets the cookie.
    sessions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One address and what every persona gets from it.

    ``post`` is None where the view takes no POST worth asking about (a page that only
    reads). ``last`` names a persona whose POST changes the data, so it is asked last.
    """

    key: str
    name: str
    url: Callable[[World], str]
    get: Answers
    post: Answers | None = None
    post_data: dict[str, str] = field(default_factory=dict)
    last: str | None = None


def answers(default: Expected, anonymous: Expected = SIGN_IN, **persona: Expected) -> Answers:
    """``default`` for every signed-in persona except those named; anonymous to sign-in."""
    unknown = set(persona) - set(SIGNED_IN)
    assert not unknown, unknown
    return {p: persona.get(p, default) for p in SIGNED_IN} | {"anonymous": anonymous}


# Who sees body A's records, and who may change them.
SEES_A = {"admin_a": 200, "reader_a": 200, "slk": 200}
SEES_A_CONFIDENTIAL = {"admin_a": 200, "slk": 200}
CHANGES_A = {"admin_a": 200, "reader_a": 403, "slk": 403}
CHANGES_A_CONFIDENTIAL = {"admin_a": 200, "slk": 403}


@dataclass
class PlanWorld:
    """Body A's plan for the year, with open, internal and confidential records, and B's.

    Body A's plan has an open goal with an internal activity, a confidential activity
    and an open indicator, plus a confidential goal; its T1 follow-up is a draft. Body
    B has a plan with one goal and activity, so another body's addresses can be asked.
    """

    plan_a: Plan
    goal_a: Goal
    confidential_goal_a: Goal
    activity_a: Activity
    confidential_activity_a: Activity
    indicator_a: Indicator
    follow_up_a: FollowUp
    plan_b: Plan
    goal_b: Goal
    activity_b: Activity
    follow_up_b: FollowUp
    # plans: a carry-over issue about goal_a, and one about the confidential goal.
    issue_a: CarryOverIssue
    confidential_issue_a: CarryOverIssue


def make_plan_world(cast: Cast, year: int, focus_area: FocusArea) -> PlanWorld:
    """Body A's and body B's plans for ``year``, as ``PlanWorld`` describes them."""
    for period, month in ((FollowUpPeriod.T1, 5), (FollowUpPeriod.T2, 9)):
        FollowUpDeadline.objects.get_or_create(
            year=year, period=period, defaults={"due_on": datetime.date(year, month, 15)}
        )
    FollowUpDeadline.objects.get_or_create(
        year=year, period=FollowUpPeriod.ANNUAL, defaults={"due_on": datetime.date(year + 1, 2, 1)}
    )
    plan_a = Plan.objects.create(body=cast.body_a, year=year)
    goal_a = Goal.objects.create(
        plan=plan_a,
        position=1,
        title="Ökad trygghet i centrum",
        confidentiality=Confidentiality.OPEN,
    )
    goal_a.focus_areas.add(focus_area)
    confidential_goal_a = Goal.objects.create(
        plan=plan_a,
        position=2,
        title="Skydd av kritisk verksamhet",
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    activity_a = Activity.objects.create(
        goal=goal_a,
        position=1,
        title="Trygghetsvandringar",
        responsible_unit="Enheten för trygghet",
        confidentiality=Confidentiality.INTERNAL,
    )
    confidential_activity_a = Activity.objects.create(
        goal=goal_a,
        position=2,
        title="Översyn av skalskydd",
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    indicator_a = Indicator.objects.create(
        goal=goal_a,
        name="Andel som känner sig trygga",
        unit="%",
        confidentiality=Confidentiality.OPEN,
    )
    follow_up_a = FollowUp.objects.create(plan=plan_a, period=FollowUpPeriod.T1)
    plan_b = Plan.objects.create(body=cast.body_b, year=year)
    goal_b = Goal.objects.create(plan=plan_b, position=1, title="Tryggare torg")
    activity_b = Activity.objects.create(goal=goal_b, position=1, title="Belysning")
    follow_up_b = FollowUp.objects.create(plan=plan_b, period=FollowUpPeriod.T1)
    issue_a, confidential_issue_a = (
        CarryOverIssue.objects.create(
            plan=plan_a, kind=CarryOverIssue.Kind.UNMAPPED, focus_area=focus_area, goal=goal
        )
        for goal in (goal_a, confidential_goal_a)
    )
    return PlanWorld(
        plan_a=plan_a,
        goal_a=goal_a,
        confidential_goal_a=confidential_goal_a,
        activity_a=activity_a,
        confidential_activity_a=confidential_activity_a,
        indicator_a=indicator_a,
        follow_up_a=follow_up_a,
        plan_b=plan_b,
        goal_b=goal_b,
        activity_b=activity_b,
        follow_up_b=follow_up_b,
        issue_a=issue_a,
        confidential_issue_a=confidential_issue_a,
    )


def programme_url(name: str, **kwargs: Callable[[World], Any]) -> Callable[[World], str]:
    """Build ``programme:<name>`` with kwargs taken from the world."""

    def build(world: World) -> str:
        return reverse(
            f"programme:{name}", kwargs={key: value(world) for key, value in kwargs.items()}
        )

    return build


def body_a_slug(world: World) -> str:
    return world.cast.body_a.slug


def body_b_slug(world: World) -> str:
    return world.cast.body_b.slug


def this_year(world: World) -> int:
    return world.year


def duty_of(attribute: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        return str(getattr(world, attribute).duty)

    return build


def pk_of(attribute: str) -> Callable[[World], int]:
    def build(world: World) -> int:
        return int(getattr(world, attribute).pk)

    return build


def plan_pk(attribute: str) -> Callable[[World], int]:
    """The pk of one of the plan world's records, by its ``PlanWorld`` attribute."""

    def build(world: World) -> int:
        return int(getattr(world.plans, attribute).pk)

    return build
