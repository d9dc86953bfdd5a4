"""SLK's review of a follow-up: return it with comments, approve it, record SLK's judgements."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from programme import access
from programme.access import AnyUser
from programme.history import history_user
from programme.locking import save_next_version
from programme.models import (
    FollowUp,
    FollowUpState,
    GoalJudgement,
    Judgement,
)
from programme.services.follow_ups import (
    JudgementInput,
    check_choice,
    check_follow_up_version,
    clean_text,
    lock_follow_up,
    refuse,
    row_field,
    unknown_rows_message,
)


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


def _lock_for_review(follow_up: FollowUp, seen_version: int | None) -> FollowUp:
    """Lock the follow-up and refuse unless it waits for review, unchanged since it was seen."""
    current = lock_follow_up(follow_up)
    refusal = _review_state_refusal(current)
    if refusal:
        refuse(refusal)
    check_follow_up_version(current, seen_version)
    return current


def return_follow_up(
    user: AnyUser, follow_up: FollowUp, comment: str, seen_version: int | None = None
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
    return current


def approve_follow_up(
    user: AnyUser, follow_up: FollowUp, seen_version: int | None = None
) -> FollowUp:
    """SLK approves a submitted follow-up: its snapshot is locked from then on."""
    _require_slk(user, _("Only SLK can approve a follow-up."))
    with transaction.atomic():
        current = _lock_for_review(follow_up, seen_version)
        current.state = FollowUpState.APPROVED
        current.reviewed_at = timezone.now()
        current.reviewed_by = history_user(user)
        save_next_version(current, user)
    return current


def record_slk_judgements(
    user: AnyUser,
    follow_up: FollowUp,
    judgements: dict[int, JudgementInput],
    seen_version: int | None = None,
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
