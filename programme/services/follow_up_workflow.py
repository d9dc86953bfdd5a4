"""A follow-up's way through review: the body submits it, SLK returns or approves it.

draft → submitted → returned → submitted → approved. Each transition is one function
that locks the follow-up, checks its actor and state and the version the form saw, and
is recorded in the history; SLK's own judgements are recorded while it waits for review.
Submitting also freezes what the follow-up shows (``freeze_snapshot``: the records as
they stand, the year's duty states) and, for the latest period reported, copies the
activities' statuses to the plan.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from programme import access
from programme.access import AnyUser
from programme.history import history_user
from programme.locking import SeenVersion, lock_rows, save_next_version
from programme.models import (
    Activity,
    ActivityReport,
    DutyRecord,
    DutyReport,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    Judgement,
    NotificationKind,
    copy_focus_areas,
)
from programme.services.follow_ups import (
    JudgementInput,
    add_missing_rows,
    check_choice,
    check_follow_up_version,
    clean_text,
    lock_follow_up,
    may_change_follow_up,
    refuse,
    row_field,
    unknown_rows_message,
)
from programme.services.notifications import notify_after_commit

# The periods in the order of the year: a later period's report is the newer one.
PERIOD_ORDER: tuple[str, ...] = tuple(FollowUpPeriod.values)


def submit_follow_up(user: AnyUser, follow_up: FollowUp, seen_version: SeenVersion) -> FollowUp:
    """The body submits its draft or returned follow-up to SLK.

    The annual follow-up keeps the state of the body's programme duties that year.
    When this is the plan's latest reported period, each activity's reported status
    becomes its current status in the plan.
    """
    with transaction.atomic():
        current = lock_follow_up(follow_up)
        if not may_change_follow_up(user, current):
            refuse(_("Only the body's administrators can submit its follow-up."))
        if current.state == FollowUpState.SUBMITTED:
            refuse(_("The follow-up has already been submitted and waits for SLK's review."))
        if current.state == FollowUpState.APPROVED:
            refuse(_("The follow-up has been approved by SLK and is locked."))
        check_follow_up_version(current, seen_version)
        add_missing_rows(user, current)
        freeze_snapshot(user, current)
        current.state = FollowUpState.SUBMITTED
        current.submitted_at = timezone.now()
        current.submitted_by = history_user(user)
        save_next_version(current, user)
        # A plan taken over in a merger no longer holds its activities: the successor's
        # plan reports on them from then on, so its statuses are not overwritten.
        if current.plan.taken_over_by_id is None and _is_latest_reported(current):
            _copy_statuses_to_plan(user, current)
        notify_after_commit(NotificationKind.FOLLOW_UP_SUBMITTED, current)
    return current


def freeze_snapshot(user: AnyUser, follow_up: FollowUp) -> None:
    """Keep on the follow-up's rows what it reports on, as it stands at submission.

    Every goal's, activity's and indicator's texts, dates, units, targets, focus areas
    and level (the strictest of its own and its goal's) go onto its row; the annual
    follow-up also keeps each programme duty's state as a row of its own. Called with
    the plan and the follow-up locked; the records are locked before they are read.
    A fixed number of queries however many rows.
    """
    actor = history_user(user)
    # The records are read by the rows' own references, not through the plan: a plan
    # taken over in a merger has handed its goals to the successor's plan, and its
    # follow-ups still report on them.
    judgements = list(GoalJudgement.objects.filter(follow_up=follow_up))
    reports = list(ActivityReport.objects.filter(follow_up=follow_up))
    outcomes = list(IndicatorOutcome.objects.filter(follow_up=follow_up))
    activities = {
        activity.pk: activity
        for activity in lock_rows(
            Activity.objects.filter(pk__in=[report.activity_id for report in reports])
        )
    }
    indicators = {
        indicator.pk: indicator
        for indicator in lock_rows(
            Indicator.objects.filter(pk__in=[outcome.indicator_id for outcome in outcomes])
        )
    }
    goal_ids = {row.goal_id for row in judgements}
    goal_ids |= {activity.goal_id for activity in activities.values()}
    goal_ids |= {indicator.goal_id for indicator in indicators.values()}
    goals = {goal.pk: goal for goal in lock_rows(Goal.objects.filter(pk__in=goal_ids))}
    for judgement in judgements:
        judgement.take_from(goals[judgement.goal_id])
    for report in reports:
        activity = activities[report.activity_id]
        report.take_from(activity, goals[activity.goal_id].confidentiality)
    for outcome in outcomes:
        indicator = indicators[outcome.indicator_id]
        outcome.take_from(indicator, goals[indicator.goal_id].confidentiality)
    for model, rows in (
        (GoalJudgement, judgements),
        (ActivityReport, reports),
        (IndicatorOutcome, outcomes),
    ):
        if rows:
            bulk_update_with_history(rows, model, model.snapshot_fields(), default_user=actor)
    copy_focus_areas(judgements, Goal)
    copy_focus_areas(reports, Activity)
    copy_focus_areas(outcomes, Indicator)
    if follow_up.period == FollowUpPeriod.ANNUAL:
        _freeze_duties(user, follow_up)


def _freeze_duties(user: AnyUser, follow_up: FollowUp) -> None:
    """Keep the body's duty records of the year as the annual follow-up's duty rows."""
    records = lock_rows(
        DutyRecord.objects.filter(body_id=follow_up.plan.body_id, year=follow_up.plan.year)
    )
    DutyReport.objects.filter(follow_up=follow_up).delete()
    rows = []
    for record in records:
        row = DutyReport(follow_up=follow_up)
        row.take_from(record)
        rows.append(row)
    rows.sort(key=lambda row: row.position)
    if rows:
        bulk_create_with_history(rows, DutyReport, default_user=history_user(user))


def _is_latest_reported(follow_up: FollowUp) -> bool:
    """Whether no later period of the plan has been reported yet.

    Asked under the plan's lock (``lock_follow_up``), which every submission takes
    first: T1 and T2 submitted at once are decided one after the other.
    """
    later = PERIOD_ORDER[PERIOD_ORDER.index(follow_up.period) + 1 :]
    return not FollowUp.objects.filter(
        plan_id=follow_up.plan_id,
        period__in=later,
        submitted_at__isnull=False,
    ).exists()


def _copy_statuses_to_plan(user: AnyUser, follow_up: FollowUp) -> None:
    """Make each activity's reported status its current status in the plan.

    Each changed activity is saved as its next version (so a plan form opened before
    sees the change) one by one: the activity's history also keeps its focus areas,
    which a bulk update would not record.
    """
    reported = dict(
        ActivityReport.objects.filter(follow_up=follow_up).values_list("activity_id", "status")
    )
    # Locked before they are read: a plan form saved meanwhile waits, then is refused
    # as stale, instead of sharing a version number with this copy.
    for activity in lock_rows(Activity.objects.filter(pk__in=reported)):
        status = reported[activity.pk]
        if activity.status != status:
            activity.status = status
            save_next_version(activity, user, update_fields=["status", "version"])


def _require_slk(user: AnyUser, message: Any) -> None:
    if not access.is_slk_reviewer(user):
        refuse(message, code="forbidden")


def _review_state_refusal(follow_up: FollowUp) -> str | None:
    """Why SLK may not review the follow-up now, or None if it waits for SLK."""
    if follow_up.state in (FollowUpState.DRAFT, FollowUpState.RETURNED):
        return str(_("The follow-up has not been submitted, so there is nothing to review yet."))
    if follow_up.state == FollowUpState.APPROVED:
        return str(_("The follow-up has already been approved and is locked."))
    return None


def _lock_for_review(follow_up: FollowUp, seen_version: SeenVersion) -> FollowUp:
    """Lock the follow-up and refuse unless it waits for review, unchanged since it was seen."""
    current = lock_follow_up(follow_up)
    refusal = _review_state_refusal(current)
    if refusal:
        refuse(refusal)
    check_follow_up_version(current, seen_version)
    return current


def return_follow_up(
    user: AnyUser, follow_up: FollowUp, comment: str, seen_version: SeenVersion
) -> FollowUp:
    """SLK returns a submitted follow-up to the body, saying in a comment what to correct."""
    _require_slk(user, _("Only SLK can return a follow-up."))
    cleaned = clean_text(comment)
    with transaction.atomic():
        current = _lock_for_review(follow_up, seen_version)
        if not cleaned:
            raise ValidationError(
                {"comment": [str(_("Write what the body should correct before you return it."))]}
            )
        current.state = FollowUpState.RETURNED
        current.review_comment = cleaned
        current.reviewed_at = timezone.now()
        current.reviewed_by = history_user(user)
        save_next_version(current, user)
        notify_after_commit(NotificationKind.FOLLOW_UP_RETURNED, current)
    return current


def approve_follow_up(user: AnyUser, follow_up: FollowUp, seen_version: SeenVersion) -> FollowUp:
    """SLK approves a submitted follow-up: its snapshot is locked from then on."""
    _require_slk(user, _("Only SLK can approve a follow-up."))
    with transaction.atomic():
        current = _lock_for_review(follow_up, seen_version)
        current.state = FollowUpState.APPROVED
        current.reviewed_at = timezone.now()
        current.reviewed_by = history_user(user)
        save_next_version(current, user)
        notify_after_commit(NotificationKind.FOLLOW_UP_APPROVED, current)
    return current


def record_slk_judgements(
    user: AnyUser,
    follow_up: FollowUp,
    judgements: dict[int, JudgementInput],
    seen_version: SeenVersion,
) -> FollowUp:
    """SLK's own judgement and motivation of each goal, beside the body's.

    Only while the follow-up waits for review. An empty judgement means SLK has not
    judged the goal (yet).
    """
    _require_slk(user, _("Only SLK can record its judgements."))
    with transaction.atomic():
        current = _lock_for_review(follow_up, seen_version)
        rows = {row.goal_id: row for row in GoalJudgement.objects.filter(follow_up=current)}
        if not set(judgements) <= rows.keys():
            refuse(unknown_rows_message())
        errors: dict[str, list[str]] = {}
        changed = []
        for goal_id, given in judgements.items():
            if given.judgement:
                check_choice(
                    errors, row_field("goal", goal_id, "slk_judgement"), given.judgement, Judgement
                )
            row = rows[goal_id]
            motivation = clean_text(given.motivation)
            if (row.slk_judgement, row.slk_motivation) != (given.judgement, motivation):
                row.slk_judgement, row.slk_motivation = given.judgement, motivation
                changed.append(row)
        if errors:
            raise ValidationError(errors)
        if changed:
            bulk_update_with_history(
                changed,
                GoalJudgement,
                ["slk_judgement", "slk_motivation"],
                default_user=history_user(user),
            )
        save_next_version(current, user)
    return current
