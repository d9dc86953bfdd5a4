"""Follow-ups: starting one and saving the body's draft.

A follow-up is a snapshot of a plan at one period: a row per activity (its status and
comment then), per indicator (its outcome then) and per goal (the body's judgement and,
beside it, SLK's). The body edits a draft or a returned follow-up here; submitting it,
SLK's return or approval and the lock of an approved one are in
``programme.services.follow_up_workflow``. Each change is one function, which checks
every rule before it writes anything, so a refused change leaves the database as it was,
and records who made it in the history. What the pages read is in
``programme.queries.follow_ups``.

A follow-up is started by the body's "Start reporting" (``start_follow_up``), never by
opening a page. Items the plan gains after that get their rows when the draft is next
saved or submitted (``add_missing_rows``, under the follow-up's lock); until then the
form shows them as new, so what is typed for them is saved with the rest.

Access is decided by the caller through ``programme.access``; the services check again
the one thing that makes a change legal for its actor (the body's administrators save),
so no caller can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programme import access
from programme.history import history_user, set_history_user
from programme.locking import (
    EditConflict,
    SeenVersion,
    check_version,
    lock_one,
    lock_plan,
    save_next_version,
)
from programme.models import (
    Activity,
    ActivityReport,
    ActivityStatus,
    Confidentiality,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
    Plan,
)
from programme.numbers import NumberError, number_error_message, parse_number
from programme.queries.follow_ups import follow_up_changes_since
from programme.rich_text import clean_rich_text

AnyUser = access.AnyUser


# --- Names of the form fields, shared by the service's errors and the forms ---------------


def row_field(kind: str, pk: int, name: str) -> str:
    """The form field of one snapshot row, e.g. ``activity-12-status``.

    The service names its field errors the same way, so a refusal lands beside the
    field it is about.
    """
    return f"{kind}-{pk}-{name}"


# --- What a save carries -----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    """An activity's status and comment as the body reports them."""

    status: str
    comment: str = ""


@dataclass(frozen=True)
class OutcomeInput:
    """An indicator's outcome as typed: numbers arrive as text and are checked here."""

    value: str = ""
    value_women: str = ""
    value_men: str = ""
    comment: str = ""


@dataclass(frozen=True)
class JudgementInput:
    """A judgement of a goal with its motivation (the body's, or SLK's)."""

    judgement: str
    motivation: str = ""


@dataclass(frozen=True)
class FollowUpInput:
    """Everything the follow-up form saves at once; rows left out stay as they are."""

    narrative: str = ""
    situation_picture: str = ""
    activities: dict[int, ActivityInput] = field(default_factory=dict)
    outcomes: dict[int, OutcomeInput] = field(default_factory=dict)
    judgements: dict[int, JudgementInput] = field(default_factory=dict)
    council_goal_judgement: str = ""
    council_goal_motivation: str = ""
    # The level of each text (``FollowUp.text_levels``); internal unless the body says so.
    narrative_confidentiality: str = Confidentiality.INTERNAL
    situation_picture_confidentiality: str = Confidentiality.INTERNAL
    council_goal_confidentiality: str = Confidentiality.INTERNAL


# --- Small helpers -----------------------------------------------------------------------


def refuse(message: Any, code: str = "refused") -> NoReturn:
    raise ValidationError(message, code=code)


def clean_text(text: str) -> str:
    """Rich text cleaned with nh3, without the blank space a removed tag leaves at its ends."""
    return clean_rich_text(text).strip()


def _not_a_number() -> str:
    return str(_("The outcome must be a number."))


# --- Starting a follow-up and keeping its snapshot complete ------------------------------


def _missing_items(
    follow_up: FollowUp,
) -> tuple[list[Activity], list[Indicator], list[Goal]]:
    """The plan's current activities, indicators and goals without a row in the follow-up.

    Three queries however many items, whether any are missing or not.
    """
    plan_id = follow_up.plan_id
    activities = list(
        Activity.objects.filter(goal__plan_id=plan_id)
        .exclude(reports__follow_up=follow_up)
        .select_related("goal")
    )
    indicators = list(
        Indicator.objects.filter(goal__plan_id=plan_id)
        .exclude(outcomes__follow_up=follow_up)
        .select_related("goal")
    )
    goals = list(Goal.objects.filter(plan_id=plan_id).exclude(judgements__follow_up=follow_up))
    return activities, indicators, goals


def add_missing_rows(user: AnyUser, follow_up: FollowUp) -> None:
    """Give every current activity, indicator and goal of the plan its row in the follow-up.

    An activity's row starts from the activity's current status. Only a follow-up the
    body may still edit gains rows: a submitted or approved snapshot stays as it was.
    """
    if not follow_up.is_editable_by_body or not any(_missing_items(follow_up)):
        return
    with transaction.atomic():
        # Two people starting at once must not both add the same rows; an item deleted
        # meanwhile must not gain one; a follow-up submitted meanwhile gains none.
        if not lock_follow_up(follow_up).is_editable_by_body:
            return
        activities, indicators, goals = _missing_items(follow_up)
        actor = history_user(user)
        if activities:
            reports = []
            for activity in activities:
                report = ActivityReport(
                    follow_up=follow_up, activity=activity, status=activity.status
                )
                report.take_from(activity, activity.goal.confidentiality)
                reports.append(report)
            bulk_create_with_history(reports, ActivityReport, default_user=actor)
        if indicators:
            outcomes = []
            for indicator in indicators:
                outcome = IndicatorOutcome(follow_up=follow_up, indicator=indicator)
                outcome.take_from(indicator, indicator.goal.confidentiality)
                outcomes.append(outcome)
            bulk_create_with_history(outcomes, IndicatorOutcome, default_user=actor)
        if goals:
            judgements = []
            for goal in goals:
                judgement = GoalJudgement(follow_up=follow_up, goal=goal)
                judgement.take_from(goal)
                judgements.append(judgement)
            bulk_create_with_history(judgements, GoalJudgement, default_user=actor)


def start_follow_up(user: AnyUser, plan: Plan, period: str) -> FollowUp:
    """Start the plan's follow-up of ``period``: a draft with a row for every item of the plan.

    This is the body's "Start reporting" (a POST); opening a page never starts anything.
    Only the body's administrators start it. If it has been started already (a second
    press, or someone else a moment before), it is that follow-up, never a second one;
    while the body may still edit it, it gains rows for the items added since, as a save
    would give them.
    """
    may_start = access.restrict(Plan.objects.filter(pk=plan.pk), user, access.Action.CHANGE)
    if not may_start.only("pk").exists():
        refuse(_("Only the body's administrators can change its follow-up."))
    with transaction.atomic():
        follow_up = FollowUp.objects.filter(plan=plan, period=period).select_related("plan").first()
        if follow_up is None:
            try:
                with transaction.atomic():
                    follow_up = FollowUp(plan=plan, period=period)
                    set_history_user(follow_up, user)
                    follow_up.save()
            except IntegrityError:
                # Someone started it between our read and our write: theirs is the one.
                follow_up = FollowUp.objects.select_related("plan").get(plan=plan, period=period)
        add_missing_rows(user, follow_up)
    return follow_up


# --- Saving the body's report ------------------------------------------------------------


def _state_refusal(follow_up: FollowUp) -> str | None:
    """Why the body may not change the follow-up now, or None if it may."""
    if follow_up.state == FollowUpState.SUBMITTED:
        return str(
            _(
                "The follow-up has been submitted and waits for SLK's review, so it cannot "
                "be changed. If SLK returns it, you can edit it again."
            )
        )
    if follow_up.state == FollowUpState.APPROVED:
        return str(_("The follow-up has been approved by SLK and is locked."))
    return None


def may_change_follow_up(user: AnyUser, follow_up: FollowUp) -> bool:
    """Whether the user administers the follow-up's body (one query)."""
    return (
        access.restrict(FollowUp.objects.filter(pk=follow_up.pk), user, access.Action.CHANGE)
        .only("pk")
        .exists()
    )


def check_follow_up_version(follow_up: FollowUp, seen_version: SeenVersion) -> None:
    """Refuse a save made from an older version, with what changed since (rows included)."""
    try:
        check_version(follow_up, seen_version)
    except EditConflict:
        assert isinstance(seen_version, int)
        raise EditConflict(follow_up, follow_up_changes_since(follow_up, seen_version)) from None


def check_choice(
    errors: dict[str, list[str]], name: str, value: str, choices: type[models.TextChoices]
) -> None:
    if value not in choices.values:
        errors.setdefault(name, []).append(str(_("Choose one of the options.")))


def unknown_rows_message() -> str:
    return str(
        _(
            "The form names a row that is not part of this follow-up. Open the follow-up "
            "again and make your changes there."
        )
    )


def save_follow_up(
    user: AnyUser, follow_up: FollowUp, seen_version: SeenVersion, data: FollowUpInput
) -> FollowUp:
    """Save the body's report: narrative, situation picture and every row, as one version.

    Refused, with nothing changed, when the follow-up is submitted or approved, when it
    was saved by someone else after ``seen_version`` (``EditConflict``), when an outcome
    is not a number or a choice is not one of the options (``ValidationError`` naming
    the fields).
    """
    with transaction.atomic():
        current = lock_follow_up(follow_up)
        if not may_change_follow_up(user, current):
            refuse(_("Only the body's administrators can change its follow-up."))
        refusal = _state_refusal(current)
        if refusal:
            refuse(refusal, code="locked")
        check_follow_up_version(current, seen_version)
        add_missing_rows(user, current)

        reports = {row.activity_id: row for row in ActivityReport.objects.filter(follow_up=current)}
        outcomes = {
            row.indicator_id: row
            for row in IndicatorOutcome.objects.filter(follow_up=current).select_related(
                "indicator"
            )
        }
        judgements = {row.goal_id: row for row in GoalJudgement.objects.filter(follow_up=current)}
        if (
            not set(data.activities) <= reports.keys()
            or not set(data.outcomes) <= outcomes.keys()
            or not set(data.judgements) <= judgements.keys()
        ):
            refuse(unknown_rows_message())

        errors: dict[str, list[str]] = {}
        changed_reports = _apply_activities(reports, data.activities, errors)
        changed_outcomes = _apply_outcomes(outcomes, data.outcomes, errors)
        changed_judgements = _apply_judgements(judgements, data.judgements, errors)
        is_annual = current.period == FollowUpPeriod.ANNUAL
        if is_annual and data.council_goal_judgement:
            check_choice(errors, "council_goal_judgement", data.council_goal_judgement, Judgement)
        levels = {
            "narrative_confidentiality": data.narrative_confidentiality,
            "situation_picture_confidentiality": data.situation_picture_confidentiality,
        }
        if is_annual:
            levels["council_goal_confidentiality"] = data.council_goal_confidentiality
        for name, level in levels.items():
            check_choice(errors, name, level, Confidentiality)
        if errors:
            raise ValidationError(errors)

        actor = history_user(user)
        if changed_reports:
            bulk_update_with_history(
                changed_reports, ActivityReport, ["status", "comment"], default_user=actor
            )
        if changed_outcomes:
            bulk_update_with_history(
                changed_outcomes,
                IndicatorOutcome,
                ["value", "value_women", "value_men", "comment"],
                default_user=actor,
            )
        if changed_judgements:
            bulk_update_with_history(
                changed_judgements, GoalJudgement, ["judgement", "motivation"], default_user=actor
            )
        current.narrative = clean_text(data.narrative)
        current.situation_picture = clean_text(data.situation_picture)
        for name, level in levels.items():
            setattr(current, name, level)
        if is_annual:
            current.council_goal_judgement = data.council_goal_judgement
            current.council_goal_motivation = clean_text(data.council_goal_motivation)
        save_next_version(current, user)
    return current


def _apply_activities(
    rows: dict[int, ActivityReport],
    inputs: dict[int, ActivityInput],
    errors: dict[str, list[str]],
) -> list[ActivityReport]:
    """Set each reported status and comment on its row; the rows that changed."""
    changed = []
    for activity_id, given in inputs.items():
        row = rows[activity_id]
        check_choice(
            errors, row_field("activity", activity_id, "status"), given.status, ActivityStatus
        )
        comment = clean_text(given.comment)
        if (row.status, row.comment) != (given.status, comment):
            row.status, row.comment = given.status, comment
            changed.append(row)
    return changed


def _apply_outcomes(
    rows: dict[int, IndicatorOutcome],
    inputs: dict[int, OutcomeInput],
    errors: dict[str, list[str]],
) -> list[IndicatorOutcome]:
    """Set each outcome (women's and men's only where the indicator asks); the changed rows."""
    changed = []
    for indicator_id, given in inputs.items():
        row = rows[indicator_id]
        by_sex = row.indicator.by_sex
        values: dict[str, Decimal | None] = {}
        for name in ("value", "value_women", "value_men"):
            if name != "value" and not by_sex:
                values[name] = None
                continue
            try:
                values[name] = parse_number(getattr(given, name))
            except NumberError as error:
                errors.setdefault(row_field("indicator", indicator_id, name), []).append(
                    number_error_message(error) if error.reason == "decimals" else _not_a_number()
                )
        if len(values) < 3:
            continue
        comment = clean_text(given.comment)
        before = (row.value, row.value_women, row.value_men, row.comment)
        after = (values["value"], values["value_women"], values["value_men"], comment)
        if before != after:
            row.value, row.value_women, row.value_men, row.comment = after
            changed.append(row)
    return changed


def _apply_judgements(
    rows: dict[int, GoalJudgement],
    inputs: dict[int, JudgementInput],
    errors: dict[str, list[str]],
) -> list[GoalJudgement]:
    """Set the body's judgement and motivation of each goal; the rows that changed."""
    changed = []
    for goal_id, given in inputs.items():
        row = rows[goal_id]
        check_choice(errors, row_field("goal", goal_id, "judgement"), given.judgement, Judgement)
        motivation = clean_text(given.motivation)
        if (row.judgement, row.motivation) != (given.judgement, motivation):
            row.judgement, row.motivation = given.judgement, motivation
            changed.append(row)
    return changed


# --- The transitions ---------------------------------------------------------------------


def lock_follow_up(follow_up: FollowUp) -> FollowUp:
    """The follow-up locked for update, as it stands now (call inside a transaction).

    Its plan is locked first (``programme.locking``'s order): whatever reads the plan's
    follow-ups to decide (is this the latest period reported, does a submitted one report
    on this activity) waits until this change commits.
    """
    plan = lock_plan(follow_up.plan_id)
    current = lock_one(FollowUp.objects.all(), follow_up.pk)
    current.plan = plan
    return current


# --- What changed since a version: for the refusal of a stale save -----------------------
