"""A body's year with every construct the reports print, built the way the product builds it.

Järva's 2025 plan has goals, activities, indicators and duties at all three levels,
an indicator split by women and men, a goal SLK judges otherwise, Swedish texts with
å, ä and ö, and a predecessor merged into Järva during 2025 whose plan Järva took
over. Its annual follow-up is submitted by the body and approved by SLK (a frozen
snapshot); its T1 follow-up is a draft.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Body,
    BodyKind,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
    Plan,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from tests.conftest import Cast

YEAR = 2025
OPEN, INTERNAL, CONFIDENTIAL = (
    Confidentiality.OPEN,
    Confidentiality.INTERNAL,
    Confidentiality.CONFIDENTIAL,
)

# Texts the tests look for (or make sure are absent) in each variant.
OPEN_ACTIVITY = "Trygghetsvandringar med boende i Tensta och Husby"
INTERNAL_ACTIVITY = "Samverkan med polisen om öppna drogscener"
CONFIDENTIAL_ACTIVITY = "Översyn av skalskydd på förvaltningshuset"
OPEN_GOAL = "Ökad trygghet i Järvas centrum, året runt"
INTERNAL_GOAL = "Färre anlagda bränder i skolmiljö"
CONFIDENTIAL_GOAL = "Skydd av samhällsviktig verksamhet"
OPEN_INDICATOR = "Andel som känner sig trygga i sitt bostadsområde"
INTERNAL_INDICATOR = "Antal anlagda bränder på skolgårdar"
NARRATIVE = "Året präglades av ett nära samarbete med föreningslivet i Rinkeby."
SITUATION_PICTURE = "Lägesbilden visar färre rån men fler skadegörelser vid tunnelbanan."
PREDECESSOR = "Spånga-Tensta stadsdelsnämnd (åtta månader)"


@dataclass
class ReportWorld:
    """What the tests need of the world."""

    body: Body
    annual: FollowUp
    draft: FollowUp
    predecessor: Body


def _records(plan: Plan, area: FocusArea) -> None:
    goals = {}
    for position, (title, level) in enumerate(
        [(OPEN_GOAL, OPEN), (INTERNAL_GOAL, INTERNAL), (CONFIDENTIAL_GOAL, CONFIDENTIAL)], 1
    ):
        goal = Goal.objects.create(
            plan=plan,
            position=position,
            title=title,
            description=f"<p>Målet beskrivs så här: {title.lower()}.</p>",
            confidentiality=level,
        )
        goal.focus_areas.add(area)
        goals[level] = goal
    for position, (title, level, status) in enumerate(
        [
            (OPEN_ACTIVITY, OPEN, ActivityStatus.DONE),
            (INTERNAL_ACTIVITY, INTERNAL, ActivityStatus.ONGOING),
            (CONFIDENTIAL_ACTIVITY, CONFIDENTIAL, ActivityStatus.DELAYED),
        ],
        1,
    ):
        activity = Activity.objects.create(
            goal=goals[OPEN],
            position=position,
            title=title,
            description="<p>Genomförs tillsammans med bostadsbolagen.</p>",
            responsible_unit="Avdelningen för trygghet och säkerhet",
            starts_on=datetime.date(YEAR, 2, 1),
            ends_on=datetime.date(YEAR, 11, 30),
            status=status,
            confidentiality=level,
        )
        activity.focus_areas.add(area)
    Activity.objects.create(
        goal=goals[INTERNAL], position=1, title="Brandskyddsutbildning för skolpersonal"
    )
    Indicator.objects.create(
        goal=goals[OPEN],
        position=1,
        name=OPEN_INDICATOR,
        unit="%",
        baseline=Decimal("61.5"),
        target=Decimal("70"),
        by_sex=True,
        confidentiality=OPEN,
    )
    Indicator.objects.create(
        goal=goals[OPEN],
        position=2,
        name=INTERNAL_INDICATOR,
        unit="st",
        baseline=Decimal("14"),
        target=Decimal("8"),
        direction="lower",
        confidentiality=INTERNAL,
    )


def _fill(follow_up: FollowUp) -> None:
    """The body's answers, as its administrator types them into the form."""
    FollowUp.objects.filter(pk=follow_up.pk).update(
        narrative=f"<p>{NARRATIVE}</p>",
        narrative_confidentiality=OPEN,
        situation_picture=f"<p>{SITUATION_PICTURE}</p>",
        situation_picture_confidentiality=INTERNAL,
        council_goal_judgement=Judgement.PARTLY_MET,
        council_goal_motivation="<p>Målet nås delvis: tryggheten ökar men inte överallt.</p>",
        council_goal_confidentiality=OPEN,
    )
    for row in ActivityReport.objects.filter(follow_up=follow_up).select_related("activity"):
        row.status = row.activity.status
        row.comment = f"Kommentar om {row.activity.title.lower()}."
        row.save()
    for outcome in IndicatorOutcome.objects.filter(follow_up=follow_up).select_related("indicator"):
        if outcome.indicator.by_sex:
            outcome.value, outcome.value_women, outcome.value_men = (
                Decimal("68.4"),
                Decimal("64"),
                Decimal("72.8"),
            )
        else:
            outcome.value = Decimal("11")
        outcome.save()
    for judgement in GoalJudgement.objects.filter(follow_up=follow_up):
        judgement.judgement = Judgement.FULLY_MET
        judgement.motivation = "<p>Bedömningen bygger på årets trygghetsmätning.</p>"
        judgement.save()


def make_report_world(cast: Cast, area: FocusArea) -> ReportWorld:
    """Järva's 2025, as the module docstring describes it."""
    body = cast.body_a
    predecessor = Body.objects.create(
        slug="spanga-tensta-2025",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name=PREDECESSOR,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(YEAR, 8, 31),
    )
    body.predecessors.add(predecessor)
    plan = Plan.objects.create(body=body, year=YEAR)
    Plan.objects.create(body=predecessor, year=YEAR, taken_over_by=plan)
    _records(plan, area)
    for position, (duty, status, level) in enumerate(
        [
            (DutyKind.SECURITY_COORDINATOR, DutyStatus.MET, OPEN),
            (DutyKind.CRIME_PREVENTION_COORDINATOR, DutyStatus.MET, INTERNAL),
            (DutyKind.SITUATION_PICTURE, DutyStatus.IN_PROGRESS, CONFIDENTIAL),
        ]
    ):
        DutyRecord.objects.create(
            body=body,
            year=YEAR,
            duty=duty,
            status=status,
            person_name="Åsa Öberg" if position == 0 else "",
            completed_on=datetime.date(YEAR, 3, 14) if status == DutyStatus.MET else None,
            confidentiality=level,
        )
    annual = follow_up_services.start_follow_up(cast.admin_a, plan, FollowUpPeriod.ANNUAL)
    _fill(annual)
    annual.refresh_from_db()
    annual = workflow.submit_follow_up(cast.admin_a, annual, annual.version)
    GoalJudgement.objects.filter(follow_up=annual, goal__title=OPEN_GOAL).update(
        slk_judgement=Judgement.PARTLY_MET,
        slk_motivation="<p>Stadsledningskontoret bedömer att målet uppnås delvis.</p>",
    )
    GoalJudgement.objects.filter(follow_up=annual).exclude(goal__title=OPEN_GOAL).update(
        slk_judgement=Judgement.FULLY_MET
    )
    annual.refresh_from_db()
    annual = workflow.approve_follow_up(cast.slk, annual, annual.version)
    draft = follow_up_services.start_follow_up(cast.admin_a, plan, FollowUpPeriod.T1)
    _fill(draft)
    draft.refresh_from_db()
    return ReportWorld(body=body, annual=annual, draft=draft, predecessor=predecessor)
