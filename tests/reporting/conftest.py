"""Fixtures of the reporting tests: the report world over the shared programme data."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import override_settings

from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Body,
    BodyKind,
    BodyRole,
    Confidentiality,
    CouncilGoal,
    CouncilIndicator,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorDirection,
    IndicatorOutcome,
    Judgement,
    Membership,
    Plan,
)
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services.fixtures import LoadResult
from tests.conftest import Cast, make_user
from tests.reporting.report_world import ReportWorld, make_report_world


@pytest.fixture
def report_world(loaded_data: LoadResult, cast: Cast) -> ReportWorld:
    """Järva's 2025 with every construct a report prints (see ``report_world``)."""
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").order_by("number")[0]
    return make_report_world(cast, area)


@pytest.fixture
def report_files(tmp_path: Path) -> Iterator[Path]:
    """The folder this test's rendered reports go to (the ``reports`` storage)."""
    folder = tmp_path / "reports"
    storages = dict(settings.STORAGES)
    storages["reports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None},
    }
    with override_settings(STORAGES=storages):
        yield folder


# --- The city-wide report's world ------------------------------------------------------------

CITY_YEAR = 2025
CITY_PREDECESSOR = "Spånga-Tensta stadsdelsnämnd (till augusti 2025)"
OPEN, INTERNAL, CONFIDENTIAL = (
    Confidentiality.OPEN,
    Confidentiality.INTERNAL,
    Confidentiality.CONFIDENTIAL,
)
FULLY, PARTLY, NOT_MET = Judgement.FULLY_MET, Judgement.PARTLY_MET, Judgement.NOT_MET
DONE, ONGOING, DELAYED, CANCELLED = (
    ActivityStatus.DONE,
    ActivityStatus.ONGOING,
    ActivityStatus.DELAYED,
    ActivityStatus.CANCELLED,
)
HIGHER, LOWER = IndicatorDirection.HIGHER_IS_BETTER, IndicatorDirection.LOWER_IS_BETTER


@dataclass
class CityGoal:
    """A goal of a body's plan with its judgement, its activities and its indicators.

    ``areas`` and each activity's areas are indexes into the world's two focus areas.
    """

    title: str
    level: str
    judgement: str
    areas: tuple[int, ...]
    activities: list[tuple[str, str, str, tuple[int, ...]]] = field(default_factory=list)
    indicators: list[tuple[str, str, Decimal | None, Decimal | None, str]] = field(
        default_factory=list
    )


@dataclass
class CityBody:
    """A body's annual follow-up: where it stands, its council goal judgement, its goals."""

    state: str
    council: tuple[str, str]
    goals: list[CityGoal]


# The hand-counted world of test_city_inputs.py: seven bodies that started their annual
# follow-up; every other body of the loaded data has not.
CITY_BODIES: dict[str, CityBody] = {
    "jarva": CityBody(
        FollowUpState.APPROVED,
        (PARTLY, OPEN),
        [
            CityGoal(
                "Tryggare centrum i Järva",
                OPEN,
                FULLY,
                (0,),
                [
                    ("Trygghetsvandringar i Husby", OPEN, DONE, (0,)),
                    ("Samverkan om öppna drogscener", INTERNAL, ONGOING, (0,)),
                    ("Skalskydd på förvaltningshuset", CONFIDENTIAL, DELAYED, (0,)),
                ],
                [
                    ("Andel trygga i Järva", OPEN, Decimal("70"), Decimal("72"), HIGHER),
                    ("Anlagda bränder på skolgårdar", INTERNAL, Decimal("8"), Decimal("11"), LOWER),
                ],
            ),
            CityGoal(
                "Färre bränder i skolmiljö",
                INTERNAL,
                PARTLY,
                (0,),
                [("Brandskyddsutbildning för skolpersonal", OPEN, ONGOING, (0,))],
            ),
            CityGoal(
                "Skydd av samhällsviktig verksamhet",
                CONFIDENTIAL,
                NOT_MET,
                (1,),
                [("Översyn av larm i kontrollrummet", OPEN, CANCELLED, (1,))],
                [("Genomförda krisövningar", OPEN, Decimal("4"), None, HIGHER)],
            ),
        ],
    ),
    "skarholmen": CityBody(
        FollowUpState.SUBMITTED,
        (FULLY, INTERNAL),
        [
            CityGoal(
                "Trygg tunnelbana i Skärholmen",
                OPEN,
                FULLY,
                (0, 1),
                [("Nattvandringar vid tunnelbanan", OPEN, DONE, (0,))],
                [("Andel trygga vid tunnelbanan", OPEN, None, Decimal("55.5"), HIGHER)],
            ),
            CityGoal(
                "Minskad skadegörelse i Skärholmen",
                OPEN,
                NOT_MET,
                (1,),
                [("Klotterplank vid centrum", OPEN, DELAYED, (1,))],
            ),
        ],
    ),
    "utbildningsnamnden": CityBody(
        FollowUpState.APPROVED,
        (FULLY, OPEN),
        [CityGoal("Trygga skolgårdar", OPEN, FULLY, (1,), [("Skolvärdar", OPEN, DONE, (1,))])],
    ),
    "aldrenamnden": CityBody(
        FollowUpState.RETURNED,
        (FULLY, OPEN),
        [
            CityGoal(
                "Trygga äldreboenden",
                OPEN,
                FULLY,
                (0,),
                [("Brandskydd på äldreboenden", OPEN, DONE, (0,))],
            )
        ],
    ),
    "kommunstyrelsen": CityBody(
        FollowUpState.DRAFT, (FULLY, OPEN), [CityGoal("Stadens krisberedskap", OPEN, FULLY, (0,))]
    ),
    "svenska-bostader": CityBody(
        FollowUpState.APPROVED,
        (FULLY, CONFIDENTIAL),
        [
            CityGoal(
                "Trygga trapphus",
                OPEN,
                PARTLY,
                (0,),
                [("Bättre belysning i trapphus", OPEN, DONE, (0,))],
                [("Andel trygga hyresgäster", OPEN, Decimal("80"), Decimal("81"), HIGHER)],
            )
        ],
    ),
    "familjebostader": CityBody(
        FollowUpState.SUBMITTED,
        (NOT_MET, OPEN),
        [
            CityGoal(
                "Säkra källarförråd",
                OPEN,
                FULLY,
                (1,),
                [("Nya lås i källarförråd", OPEN, ONGOING, (1,))],
            )
        ],
    ),
}


@dataclass
class CityWorld:
    """What the city report's tests need of their world."""

    areas: list[FocusArea]
    bodies: dict[str, Body]
    follow_ups: dict[str, FollowUp]
    predecessor: Body
    admin: User
    slk: User


def _city_plan(body: Body, spec: CityBody, areas: list[FocusArea]) -> Plan:
    plan, _created = Plan.objects.get_or_create(body=body, year=CITY_YEAR)
    for position, goal_spec in enumerate(spec.goals, 1):
        goal = Goal.objects.create(
            plan=plan, position=position, title=goal_spec.title, confidentiality=goal_spec.level
        )
        goal.focus_areas.set([areas[index] for index in goal_spec.areas])
        for number, (title, level, status, indexes) in enumerate(goal_spec.activities, 1):
            activity = Activity.objects.create(
                goal=goal, position=number, title=title, status=status, confidentiality=level
            )
            activity.focus_areas.set([areas[index] for index in indexes])
        for number, (name, level, target, _value, direction) in enumerate(goal_spec.indicators, 1):
            Indicator.objects.create(
                goal=goal,
                position=number,
                name=name,
                unit="%",
                target=target,
                direction=direction,
                confidentiality=level,
            )
    return plan


def city_follow_up(world: CityWorld, slug: str, spec: CityBody) -> FollowUp:
    """The body's plan and its annual follow-up as ``spec`` says, made as the product does."""
    plan = _city_plan(world.bodies[slug], spec, world.areas)
    follow_up = follow_up_services.start_follow_up(world.admin, plan, FollowUpPeriod.ANNUAL)
    judgements = {goal.title: goal.judgement for goal in spec.goals}
    values = {row[0]: row[3] for goal in spec.goals for row in goal.indicators}
    for report in ActivityReport.objects.filter(follow_up=follow_up).select_related("activity"):
        report.status = report.activity.status
        report.save()
    for judgement in GoalJudgement.objects.filter(follow_up=follow_up).select_related("goal"):
        judgement.judgement = judgements[judgement.goal.title]
        judgement.save()
    for outcome in IndicatorOutcome.objects.filter(follow_up=follow_up).select_related("indicator"):
        outcome.value = values[outcome.indicator.name]
        outcome.save()
    FollowUp.objects.filter(pk=follow_up.pk).update(
        council_goal_judgement=spec.council[0], council_goal_confidentiality=spec.council[1]
    )
    follow_up.refresh_from_db()
    if spec.state == FollowUpState.DRAFT:
        return follow_up
    follow_up = workflow.submit_follow_up(world.admin, follow_up, follow_up.version)
    if spec.state == FollowUpState.APPROVED:
        follow_up = workflow.approve_follow_up(world.slk, follow_up, follow_up.version)
    elif spec.state == FollowUpState.RETURNED:
        follow_up = workflow.return_follow_up(
            world.slk, follow_up, "Komplettera bedömningen.", follow_up.version
        )
    return follow_up


@pytest.fixture
def city_world(loaded_data: LoadResult, cast: Cast) -> CityWorld:
    """The bodies of ``CITY_BODIES`` with their annual follow-ups of 2025, the council's
    goal with two indicators, and a body merged into Järva during the year."""
    areas = list(
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").order_by("number")[:2]
    )
    admin = make_user("city_admin", "Cecilia", "Stadsadministratör")
    bodies = {body.slug: body for body in Body.objects.filter(slug__in=CITY_BODIES)}
    for body in bodies.values():
        Membership.objects.create(user=admin, body=body, role=BodyRole.ADMINISTRATOR)
    predecessor = Body.objects.create(
        slug="spanga-tensta-2025",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name=CITY_PREDECESSOR,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(CITY_YEAR, 8, 31),
    )
    bodies["jarva"].predecessors.add(predecessor)
    world = CityWorld(areas, bodies, {}, predecessor, admin, cast.slk)
    for slug, spec in CITY_BODIES.items():
        world.follow_ups[slug] = city_follow_up(world, slug, spec)
    Plan.objects.create(
        body=predecessor,
        year=CITY_YEAR,
        taken_over_by=Plan.objects.get(body=bodies["jarva"], year=CITY_YEAR),
    )
    goal, _created = CouncilGoal.objects.update_or_create(
        year=CITY_YEAR,
        defaults={"title": DEFAULT_COUNCIL_GOAL_TITLE, "description": "<p>Rådets mål.</p>"},
    )
    goal.indicators.all().delete()
    CouncilIndicator.objects.create(
        council_goal=goal,
        position=1,
        name="Andel invånare som känner sig trygga",
        unit="%",
        target=Decimal("75"),
        outcome=Decimal("72.5"),
    )
    CouncilIndicator.objects.create(
        council_goal=goal,
        position=2,
        name="Anmälda våldsbrott per 1 000 invånare",
        unit="st",
        direction=LOWER,
        target=Decimal("10"),
        outcome=Decimal("9.2"),
    )
    return world
