"""The follow-up services: the snapshot, saving, the review workflow and its refusals.

Body A's plan (from ``tests.access.matrix_support.make_plan_world``) has an open goal with an
internal and a confidential activity and an open indicator, and a confidential goal;
its T1 follow-up is a draft.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from programme import numbers
from programme.locking import OVERWRITE, EditConflict
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyReport,
    DutyStatus,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
)
from programme.queries import follow_ups as follow_up_queries
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services.follow_ups import ActivityInput, FollowUpInput, JudgementInput, OutcomeInput
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    """Body A's and body B's plans for this year, with body A's T1 follow-up a draft."""
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


@pytest.fixture
def started(cast: Cast, world: PlanWorld) -> FollowUp:
    """Body A's T1 follow-up, started by its administrator (so with all its rows)."""
    return follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)


def report_input(
    follow_up: FollowUp, narrative: str = "Arbetet går enligt plan.", **outcomes: str
) -> FollowUpInput:
    """A complete save of ``follow_up``: every row as it stands, with the outcomes given."""
    return FollowUpInput(
        narrative=narrative,
        situation_picture="Färre anmälda brott.",
        activities={
            row.activity_id: ActivityInput(status=row.status, comment=row.comment)
            for row in ActivityReport.objects.filter(follow_up=follow_up)
        },
        outcomes={
            row.indicator_id: OutcomeInput(value=outcomes.get(str(row.indicator_id), ""))
            for row in IndicatorOutcome.objects.filter(follow_up=follow_up)
        },
        judgements={
            row.goal_id: JudgementInput(judgement=row.judgement, motivation=row.motivation)
            for row in GoalJudgement.objects.filter(follow_up=follow_up)
        },
    )


def snapshot(follow_up: FollowUp) -> dict[str, Any]:
    """Everything a refused change must leave as it was."""
    fresh = FollowUp.objects.get(pk=follow_up.pk)
    return {
        "follow_up": {
            name: getattr(fresh, name)
            for name in (
                "state",
                "version",
                "narrative",
                "situation_picture",
                "review_comment",
                "submitted_at",
                "reviewed_at",
                "council_goal_judgement",
            )
        },
        "history": fresh.history.count(),
        "duties": sorted(
            DutyReport.objects.filter(follow_up=fresh).values_list(
                "duty", "status", "confidentiality"
            )
        ),
        "reports": sorted(
            ActivityReport.objects.filter(follow_up=fresh).values_list("pk", "status", "comment")
        ),
        "outcomes": sorted(
            IndicatorOutcome.objects.filter(follow_up=fresh).values_list(
                "pk", "value", "value_women", "value_men"
            )
        ),
        "judgements": sorted(
            GoalJudgement.objects.filter(follow_up=fresh).values_list(
                "pk", "judgement", "motivation", "slk_judgement", "slk_motivation"
            )
        ),
        "activities": sorted(Activity.objects.values_list("pk", "status", "version")),
    }


def move_to(cast: Cast, follow_up: FollowUp, state: FollowUpState) -> FollowUp:
    """The follow-up brought to ``state`` through the services, as people would."""
    if state == FollowUpState.DRAFT:
        return follow_up
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    if state == FollowUpState.RETURNED:
        follow_up = workflow.return_follow_up(
            cast.slk, follow_up, "Komplettera målen.", follow_up.version
        )
    elif state == FollowUpState.APPROVED:
        follow_up = workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
    return follow_up


# --- The snapshot ------------------------------------------------------------------------


def test_starting_a_follow_up_gives_every_item_of_the_plan_a_row(cast: Cast, world: PlanWorld):
    world.activity_a.status = ActivityStatus.ONGOING
    world.activity_a.save()

    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T2)

    assert follow_up.state == FollowUpState.DRAFT
    reports = {row.activity_id: row.status for row in follow_up.activity_reports.all()}
    assert reports == {
        world.activity_a.pk: ActivityStatus.ONGOING,
        world.confidential_activity_a.pk: ActivityStatus.PLANNED,
    }
    assert list(follow_up.outcomes.values_list("indicator_id", flat=True)) == [world.indicator_a.pk]
    assert set(follow_up.goal_judgements.values_list("goal_id", "judgement")) == {
        (world.goal_a.pk, Judgement.NOT_ASSESSED),
        (world.confidential_goal_a.pk, Judgement.NOT_ASSESSED),
    }
    assert follow_up.history.get().history_user == cast.admin_a


def test_starting_a_started_follow_up_again_adds_no_second_rows(cast: Cast, started: FollowUp):
    again = follow_up_services.start_follow_up(cast.admin_a, started.plan, FollowUpPeriod.T1)

    assert again.pk == started.pk
    assert again.activity_reports.count() == 2
    assert again.goal_judgements.count() == 2


def test_items_added_to_the_plan_later_get_rows_when_the_draft_is_started_again(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    goal = Goal.objects.create(plan=world.plan_a, position=3, title="Nytt mål")
    activity = Activity.objects.create(goal=goal, title="Ny aktivitet")
    indicator = Indicator.objects.create(goal=world.goal_a, name="Ny indikator")

    follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)

    assert started.activity_reports.filter(activity=activity).exists()
    assert started.outcomes.filter(indicator=indicator).exists()
    assert started.goal_judgements.filter(goal=goal).exists()


@pytest.mark.parametrize("persona", ["reader_a", "slk", "admin_b", "official"])
def test_only_the_bodys_administrators_may_start_its_follow_up(
    cast: Cast, world: PlanWorld, persona: str
):
    with pytest.raises(ValidationError, match="Bara nämndens administratörer"):
        follow_up_services.start_follow_up(cast.by_name(persona), world.plan_a, FollowUpPeriod.T2)

    assert not FollowUp.objects.filter(period=FollowUpPeriod.T2).exists()


def test_items_added_to_the_plan_later_get_rows_when_the_draft_is_saved(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    activity = Activity.objects.create(goal=world.goal_a, title="Ny aktivitet", position=9)

    follow_up_services.save_follow_up(cast.admin_a, started, started.version, report_input(started))

    assert started.activity_reports.filter(activity=activity).exists()


def test_a_submitted_snapshot_gains_no_rows_for_items_added_later(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)
    activity = Activity.objects.create(goal=world.goal_a, title="För sent")

    follow_up_services.start_follow_up(cast.admin_a, follow_up.plan, FollowUpPeriod.T1)

    assert not follow_up.activity_reports.filter(activity=activity).exists()


# --- Saving ------------------------------------------------------------------------------


def test_saving_stores_every_row_cleans_rich_text_and_bumps_the_version(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    data = FollowUpInput(
        narrative="<p>Bra <strong>år</strong></p><script>alert(1)</script>",
        situation_picture="Lugnare <em>centrum</em>",
        activities={
            world.activity_a.pk: ActivityInput(
                status=ActivityStatus.DONE, comment="<b onclick='x()'>Klart</b>"
            )
        },
        outcomes={world.indicator_a.pk: OutcomeInput(value="72,5", comment="Enkät")},
        judgements={
            world.goal_a.pk: JudgementInput(judgement=Judgement.PARTLY_MET, motivation="Delvis")
        },
    )

    saved = follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)

    saved.refresh_from_db()
    assert saved.version == started.version + 1
    assert saved.narrative == "<p>Bra <strong>år</strong></p>"
    assert saved.situation_picture == "Lugnare <em>centrum</em>"
    report = ActivityReport.objects.get(follow_up=saved, activity=world.activity_a)
    assert (report.status, report.comment) == (ActivityStatus.DONE, "<b>Klart</b>")
    assert report.history.first().history_user == cast.admin_a
    outcome = IndicatorOutcome.objects.get(follow_up=saved, indicator=world.indicator_a)
    assert (outcome.value, outcome.comment) == (Decimal("72.50"), "Enkät")
    judgement = GoalJudgement.objects.get(follow_up=saved, goal=world.goal_a)
    assert (judgement.judgement, judgement.motivation) == (Judgement.PARTLY_MET, "Delvis")
    # The activity in the plan keeps its status until the follow-up is submitted.
    world.activity_a.refresh_from_db()
    assert world.activity_a.status == ActivityStatus.PLANNED


def test_outcomes_for_women_and_men_are_kept_only_where_the_indicator_is_split(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    split = Indicator.objects.create(goal=world.goal_a, name="Trygghet per kön", by_sex=True)
    follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    data = FollowUpInput(
        outcomes={
            split.pk: OutcomeInput(value="70", value_women="64,25", value_men="76"),
            world.indicator_a.pk: OutcomeInput(value="5", value_women="3", value_men="7"),
        }
    )

    follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)

    assert IndicatorOutcome.objects.filter(follow_up=started).values_list(
        "indicator_id", "value", "value_women", "value_men"
    ).order_by("indicator__position", "indicator_id")[::1] == [
        (world.indicator_a.pk, Decimal("5.00"), None, None),
        (split.pk, Decimal("70.00"), Decimal("64.25"), Decimal("76.00")),
    ]


@pytest.mark.parametrize("typed", ["många", "12a", "1,2,3", "NaN", "Infinity", "1e20"])
def test_an_outcome_that_is_not_a_number_is_refused_and_nothing_is_saved(
    cast: Cast, world: PlanWorld, started: FollowUp, typed: str
):
    before = snapshot(started)
    data = report_input(started, narrative="Ska inte sparas", **{str(world.indicator_a.pk): typed})

    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)

    field = follow_up_services.row_field("indicator", world.indicator_a.pk, "value")
    with translation.override("sv"):
        assert refused.value.message_dict == {field: ["Utfallet måste vara ett tal."]}
    assert snapshot(started) == before


def test_an_unknown_status_or_judgement_is_refused_and_nothing_is_saved(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    before = snapshot(started)
    data = FollowUpInput(
        narrative="Ska inte sparas",
        activities={world.activity_a.pk: ActivityInput(status="finished")},
        judgements={world.goal_a.pk: JudgementInput(judgement="great")},
    )

    with pytest.raises(ValidationError) as refused:
        follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)

    assert set(refused.value.message_dict) == {
        follow_up_services.row_field("activity", world.activity_a.pk, "status"),
        follow_up_services.row_field("goal", world.goal_a.pk, "judgement"),
    }
    assert snapshot(started) == before


def test_a_row_of_another_follow_up_is_refused_and_nothing_is_saved(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    before = snapshot(started)
    data = FollowUpInput(activities={world.activity_b.pk: ActivityInput(ActivityStatus.DONE)})

    with pytest.raises(ValidationError):
        follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)

    assert snapshot(started) == before


def test_a_save_over_a_newer_version_is_refused_with_the_other_persons_changes(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    opened_at = started.version
    first = report_input(started, narrative="Första personens text")
    first.activities[world.activity_a.pk] = ActivityInput(ActivityStatus.ONGOING, "Pågår nu")
    follow_up_services.save_follow_up(cast.admin_a, started, opened_at, first)
    after_first = snapshot(started)

    with translation.override("en"), pytest.raises(EditConflict) as refused:
        follow_up_services.save_follow_up(
            cast.admin_a, started, opened_at, report_input(started, narrative="Andra texten")
        )

    assert snapshot(started) == after_first
    changes = [
        (entry.what, change.field, change.new)
        for entry in refused.value.changes
        for change in entry.changes
    ]
    assert ("changed", "narrative", "Första personens text") in changes
    assert ("changed: Trygghetsvandringar", "comment", "Pågår nu") in changes
    assert not any(field == "version" for _, field, _ in changes)


@pytest.mark.parametrize("state", [FollowUpState.SUBMITTED, FollowUpState.APPROVED])
def test_a_submitted_or_approved_follow_up_cannot_be_saved(
    cast: Cast, started: FollowUp, state: FollowUpState
):
    follow_up = move_to(cast, started, state)
    before = snapshot(follow_up)

    with pytest.raises(ValidationError) as refused:
        follow_up_services.save_follow_up(
            cast.admin_a, follow_up, follow_up.version, report_input(follow_up, "Ändrat")
        )

    assert refused.value.code == "locked"
    assert snapshot(follow_up) == before


@pytest.mark.parametrize("persona", ["reader_a", "slk", "admin_b"])
def test_only_the_bodys_administrators_may_save(cast: Cast, started: FollowUp, persona: str):
    before = snapshot(started)

    with pytest.raises(ValidationError):
        follow_up_services.save_follow_up(
            cast.by_name(persona), started, started.version, report_input(started, "Ändrat")
        )

    assert snapshot(started) == before


def test_the_council_goal_is_judged_in_the_annual_follow_up_only(cast: Cast, world: PlanWorld):
    annual = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.ANNUAL)
    judged = FollowUpInput(
        council_goal_judgement=Judgement.FULLY_MET, council_goal_motivation="Målet är nått"
    )

    follow_up_services.save_follow_up(cast.admin_a, annual, annual.version, judged)
    follow_up_services.save_follow_up(cast.admin_a, world.follow_up_a, OVERWRITE, judged)

    annual.refresh_from_db()
    world.follow_up_a.refresh_from_db()
    assert (annual.council_goal_judgement, annual.council_goal_motivation) == (
        Judgement.FULLY_MET,
        "Målet är nått",
    )
    assert world.follow_up_a.council_goal_judgement == ""


# --- The workflow ------------------------------------------------------------------------


def test_the_whole_review_workflow_is_recorded_step_by_step(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    started = follow_up_services.save_follow_up(
        cast.admin_a, started, started.version, report_input(started)
    )
    follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)
    assert (follow_up.state, follow_up.submitted_by) == (FollowUpState.SUBMITTED, cast.admin_a)

    follow_up = workflow.return_follow_up(
        cast.slk, follow_up, "Motivera bedömningen <script>x</script>", follow_up.version
    )
    assert follow_up.state == FollowUpState.RETURNED
    assert follow_up.review_comment == "Motivera bedömningen"
    assert follow_up.is_editable_by_body

    corrected = report_input(follow_up, narrative="Rättad text")
    follow_up = follow_up_services.save_follow_up(
        cast.admin_a, follow_up, follow_up.version, corrected
    )
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    assert follow_up.state == FollowUpState.SUBMITTED

    follow_up = workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.APPROVED
    assert follow_up.is_locked
    assert follow_up.reviewed_by == cast.slk

    with translation.override("en"):
        steps = [
            (entry.who, change.old, change.new)
            for entry in reversed(follow_up_queries.follow_up_history(follow_up, True))
            for change in entry.changes
            if change.field == "state"
        ]
    admin, slk = "Amira Järvaadministratör", "Sara Stadsledningskontoret"
    assert steps == [
        (admin, "draft", "submitted"),
        (slk, "submitted", "returned"),
        (admin, "returned", "submitted"),
        (slk, "submitted", "approved"),
    ]


def test_submitting_the_latest_period_makes_its_statuses_the_activities_current_ones(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    data = report_input(started)
    data.activities[world.activity_a.pk] = ActivityInput(ActivityStatus.DELAYED, "Försenad")
    started = follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)
    version_before = Activity.objects.get(pk=world.activity_a.pk).version

    workflow.submit_follow_up(cast.admin_a, started, started.version)

    activity = Activity.objects.get(pk=world.activity_a.pk)
    assert activity.status == ActivityStatus.DELAYED
    assert activity.version == version_before + 1
    assert activity.history.first().history_user == cast.admin_a
    assert Activity.objects.get(pk=world.confidential_activity_a.pk).version == 1


def test_resubmitting_an_earlier_period_leaves_a_later_periods_statuses_in_the_plan(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    t1 = workflow.submit_follow_up(cast.admin_a, started, started.version)
    t1 = workflow.return_follow_up(cast.slk, t1, "Komplettera.", t1.version)
    t2 = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T2)
    later = report_input(t2)
    later.activities[world.activity_a.pk] = ActivityInput(ActivityStatus.DONE)
    t2 = follow_up_services.save_follow_up(cast.admin_a, t2, t2.version, later)
    workflow.submit_follow_up(cast.admin_a, t2, t2.version)
    earlier = report_input(t1)
    earlier.activities[world.activity_a.pk] = ActivityInput(ActivityStatus.ONGOING)
    t1 = follow_up_services.save_follow_up(cast.admin_a, t1, t1.version, earlier)

    workflow.submit_follow_up(cast.admin_a, t1, t1.version)

    assert Activity.objects.get(pk=world.activity_a.pk).status == ActivityStatus.DONE


def test_submitting_the_annual_follow_up_keeps_the_duties_of_the_year(cast: Cast, world: PlanWorld):
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        person_name="Karin Karlsson",
        confidentiality=Confidentiality.INTERNAL,
    )
    DutyRecord.objects.create(
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.IN_PROGRESS,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    DutyRecord.objects.create(
        body=cast.body_a, year=YEAR - 1, duty=DutyKind.EXERCISES, status=DutyStatus.MET
    )
    annual = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.ANNUAL)

    annual = workflow.submit_follow_up(cast.admin_a, annual, annual.version)

    kept = annual.duty_reports.order_by("position")
    assert [(d.duty, d.status, d.confidentiality) for d in kept] == [
        (DutyKind.SECURITY_COORDINATOR, DutyStatus.MET, Confidentiality.INTERNAL),
        (DutyKind.CRISIS_PLAN, DutyStatus.IN_PROGRESS, Confidentiality.CONFIDENTIAL),
    ]
    # What the snapshot keeps does not follow later changes of the duty records.
    DutyRecord.objects.filter(body=cast.body_a, duty=DutyKind.CRISIS_PLAN).update(
        status=DutyStatus.MET
    )
    seen_by = {
        persona: [
            state.duty
            for state in follow_up_queries.visible_duty_states(cast.by_name(persona), annual)
        ]
        for persona in ("admin_a", "reader_a", "slk")
    }
    assert seen_by == {
        "admin_a": [DutyKind.SECURITY_COORDINATOR, DutyKind.CRISIS_PLAN],
        "reader_a": [DutyKind.SECURITY_COORDINATOR],
        "slk": [DutyKind.SECURITY_COORDINATOR, DutyKind.CRISIS_PLAN],
    }
    assert follow_up_queries.visible_duty_states(cast.slk, annual)[1].status == (
        DutyStatus.IN_PROGRESS
    )


def test_slk_records_its_judgement_beside_the_bodys_and_a_disagreement_shows(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    data = report_input(started)
    data.judgements[world.goal_a.pk] = JudgementInput(Judgement.FULLY_MET, "Helt")
    started = follow_up_services.save_follow_up(cast.admin_a, started, started.version, data)
    follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)

    workflow.record_slk_judgements(
        cast.slk,
        follow_up,
        {
            world.goal_a.pk: JudgementInput(Judgement.PARTLY_MET, "Bara delvis"),
            world.confidential_goal_a.pk: JudgementInput(Judgement.NOT_ASSESSED),
        },
        follow_up.version,
    )

    judgement = GoalJudgement.objects.get(follow_up=follow_up, goal=world.goal_a)
    assert (judgement.judgement, judgement.slk_judgement, judgement.slk_motivation) == (
        Judgement.FULLY_MET,
        Judgement.PARTLY_MET,
        "Bara delvis",
    )
    assert judgement.disagrees
    assert not GoalJudgement.objects.get(
        follow_up=follow_up, goal=world.confidential_goal_a
    ).disagrees
    assert FollowUp.objects.get(pk=follow_up.pk).version == follow_up.version + 1


# --- Every illegal transition is refused and changes nothing -----------------------------


def submit(cast: Cast, persona: str) -> Callable[[FollowUp], Any]:
    return lambda follow_up: workflow.submit_follow_up(
        cast.by_name(persona), follow_up, follow_up.version
    )


def give_back(cast: Cast, persona: str, comment: str = "Komplettera.") -> Callable[[FollowUp], Any]:
    return lambda follow_up: workflow.return_follow_up(
        cast.by_name(persona), follow_up, comment, follow_up.version
    )


def approve(cast: Cast, persona: str) -> Callable[[FollowUp], Any]:
    return lambda follow_up: workflow.approve_follow_up(
        cast.by_name(persona), follow_up, follow_up.version
    )


def judge(cast: Cast, persona: str) -> Callable[[FollowUp], Any]:
    def run(follow_up: FollowUp) -> Any:
        goal = follow_up.goal_judgements.first()
        assert goal is not None
        return workflow.record_slk_judgements(
            cast.by_name(persona),
            follow_up,
            {goal.goal_id: JudgementInput(Judgement.NOT_MET)},
            follow_up.version,
        )

    return run


ILLEGAL = [
    # (state, transition, persona, what the refusal says)
    (FollowUpState.SUBMITTED, submit, "admin_a", "har redan lämnats in"),
    (FollowUpState.APPROVED, submit, "admin_a", "är låst"),
    (FollowUpState.DRAFT, submit, "reader_a", "nämndens administratörer"),
    (FollowUpState.DRAFT, submit, "slk", "nämndens administratörer"),
    (FollowUpState.DRAFT, submit, "admin_b", "nämndens administratörer"),
    (FollowUpState.DRAFT, give_back, "slk", "inte lämnats in"),
    (FollowUpState.RETURNED, give_back, "slk", "inte lämnats in"),
    (FollowUpState.APPROVED, give_back, "slk", "redan godkänts"),
    (FollowUpState.SUBMITTED, give_back, "admin_a", "Bara SLK"),
    (FollowUpState.DRAFT, approve, "slk", "inte lämnats in"),
    (FollowUpState.RETURNED, approve, "slk", "inte lämnats in"),
    (FollowUpState.APPROVED, approve, "slk", "redan godkänts"),
    (FollowUpState.SUBMITTED, approve, "admin_a", "Bara SLK"),
    (FollowUpState.SUBMITTED, approve, "reader_a", "Bara SLK"),
    (FollowUpState.DRAFT, judge, "slk", "inte lämnats in"),
    (FollowUpState.APPROVED, judge, "slk", "redan godkänts"),
    (FollowUpState.SUBMITTED, judge, "admin_a", "Bara SLK"),
]


@pytest.mark.parametrize(
    ("state", "transition", "persona", "says"),
    ILLEGAL,
    ids=[f"{t.__name__}-{state}-by-{persona}" for state, t, persona, _ in ILLEGAL],
)
def test_an_illegal_transition_is_refused_in_swedish_and_changes_nothing(
    cast: Cast,
    started: FollowUp,
    state: FollowUpState,
    transition: Callable[[Cast, str], Callable[[FollowUp], Any]],
    persona: str,
    says: str,
):
    follow_up = move_to(cast, started, state)
    before = snapshot(follow_up)

    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        transition(cast, persona)(follow_up)

    with translation.override("sv"):
        assert says in " ".join(refused.value.messages)
    assert snapshot(follow_up) == before


@pytest.mark.parametrize("comment", ["", "   ", "<script>alert(1)</script>"])
def test_returning_without_a_comment_is_refused_and_changes_nothing(
    cast: Cast, started: FollowUp, comment: str
):
    follow_up = move_to(cast, started, FollowUpState.SUBMITTED)
    before = snapshot(follow_up)

    with pytest.raises(ValidationError) as refused:
        workflow.return_follow_up(cast.slk, follow_up, comment, follow_up.version)

    assert list(refused.value.message_dict) == ["comment"]
    assert snapshot(follow_up) == before


def test_a_transition_from_an_older_version_is_refused(cast: Cast, started: FollowUp):
    follow_up = move_to(cast, started, FollowUpState.SUBMITTED)
    seen = follow_up.version
    workflow.record_slk_judgements(cast.slk, follow_up, {}, seen)
    before = snapshot(follow_up)

    with pytest.raises(EditConflict):
        workflow.approve_follow_up(cast.slk, follow_up, seen)

    assert snapshot(follow_up) == before


# --- What the pages read -----------------------------------------------------------------


def titles(sections: list[follow_up_queries.GoalSection]) -> dict[str, list[str]]:
    return {
        section.title: [row.title for row in section.activities]
        + [row.indicator.name for row in section.indicators]
        for section in sections
    }


def test_a_reader_sees_no_row_of_a_confidential_goal_or_activity(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    everything = {
        "Ökad trygghet i centrum": [
            "Trygghetsvandringar",
            "Översyn av skalskydd",
            "Andel som känner sig trygga",
        ],
        "Skydd av kritisk verksamhet": [],
    }
    reader_sees = {
        "Ökad trygghet i centrum": ["Trygghetsvandringar", "Andel som känner sig trygga"],
    }

    assert titles(follow_up_queries.snapshot_sections(cast.admin_a, started)) == everything
    assert titles(follow_up_queries.snapshot_sections(cast.slk, started)) == everything
    assert titles(follow_up_queries.snapshot_sections(cast.reader_a, started)) == reader_sees
    assert titles(follow_up_queries.snapshot_sections(cast.admin_b, started)) == {}


def test_the_page_shows_the_deadline_and_overdue_only_while_the_body_has_it(
    cast: Cast, world: PlanWorld, started: FollowUp
):
    page = follow_up_queries.follow_up_page(cast.admin_a, cast.body_a, YEAR, FollowUpPeriod.T1)
    assert page.due_on == datetime.date(YEAR, 5, 15)

    page.today = datetime.date(YEAR, 5, 16)
    assert page.is_overdue
    page.follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)
    assert not page.is_overdue


@pytest.mark.parametrize("period", ["t3", "T1", "annual2"])
def test_an_unknown_period_is_not_found(period: str):
    from django.http import Http404

    with pytest.raises(Http404):
        follow_up_queries.period_or_404(period)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12", "12.00"), ("12,5", "12.50"), ("−3,25", "-3.25"), ("1 234,5", "1234.50"), ("", None)],
)
def test_outcomes_are_read_the_way_swedes_write_numbers(typed: str, value: str | None):
    expected = Decimal(value) if value is not None else None

    assert numbers.parse_number(typed) == expected


def test_a_predecessors_follow_up_is_submitted_after_its_plan_was_taken_over(cast: Cast):
    from programme.models import Body, BodyRole, Membership, Plan
    from programme.services import plans as plan_services

    rinkeby = Body.objects.get(slug="rinkeby-kista")
    Membership.objects.create(user=cast.admin_a, body=rinkeby, role=BodyRole.ADMINISTRATOR)
    plan = Plan.objects.create(body=rinkeby, year=2023)
    goal = Goal.objects.create(plan=plan, title="Mål för Rinkeby-Kista")
    activity = Activity.objects.create(goal=goal, title="Nattvandring")
    follow_up = follow_up_services.start_follow_up(cast.admin_a, plan, FollowUpPeriod.T1)
    ActivityReport.objects.filter(follow_up=follow_up).update(status=ActivityStatus.DONE)
    plan_services.take_over_plans(cast.slk, cast.body_a, 2023)
    follow_up.refresh_from_db()

    submitted = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)

    assert submitted.state == FollowUpState.SUBMITTED
    row = ActivityReport.objects.get(follow_up=follow_up)
    assert (row.title, row.status) == ("Nattvandring", ActivityStatus.DONE)
    # The successor's plan reports on the activity from now on: its status stays.
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.PLANNED


def test_a_follow_up_submitted_since_it_was_read_gains_no_rows(cast: Cast, world: PlanWorld):
    follow_up = world.follow_up_a
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)
    stale = FollowUp.objects.get(pk=follow_up.pk)
    workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    Activity.objects.create(goal=world.goal_a, title="Kom till efter inlämningen")

    follow_up_services.add_missing_rows(cast.admin_a, stale)

    assert not ActivityReport.objects.filter(
        follow_up=follow_up, activity__title="Kom till efter inlämningen"
    ).exists()
