"""What the confirmation pages of a follow-up read: a short account of what it reports.

Before the body submits a follow-up, and before SLK approves one, a page says what will
happen and sums up what is being handed on: how many goals, activities and indicators
it holds, and what is left empty that a reader would miss. The rows are read through
``programme.queries.follow_ups`` (and so through ``programme.access``), in a fixed number
of queries however many rows (pinned in ``tests/programme/test_follow_up_confirm.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from programme import access
from programme.models import FollowUp, FollowUpPeriod, Judgement
from programme.queries.follow_ups import GoalSection, draft_sections, snapshot_sections

AnyUser = access.AnyUser


@dataclass
class FollowUpSummary:
    """The counts a confirmation page shows, and the items left without an answer."""

    goals: int = 0
    goals_judged: int = 0
    activities: int = 0
    activities_commented: int = 0
    indicators: int = 0
    indicators_reported: int = 0
    slk_judged: int = 0
    disagreements: int = 0
    narrative_written: bool = False
    council_goal_judged: bool = True
    unjudged_goals: list[str] = field(default_factory=list)
    unreported_indicators: list[str] = field(default_factory=list)

    @property
    def has_gaps(self) -> bool:
        """Whether anything a reader of the follow-up would look for is left empty."""
        return bool(
            self.unjudged_goals
            or self.unreported_indicators
            or not self.narrative_written
            or not self.council_goal_judged
        )


def _summarise(follow_up: FollowUp, sections: list[GoalSection]) -> FollowUpSummary:
    summary = FollowUpSummary(
        narrative_written=bool(follow_up.narrative.strip()),
        council_goal_judged=follow_up.period != FollowUpPeriod.ANNUAL
        or bool(follow_up.council_goal_judgement),
    )
    for section in sections:
        judgement = section.judgement
        summary.goals += 1
        if judgement.judgement not in ("", Judgement.NOT_ASSESSED):
            summary.goals_judged += 1
        else:
            summary.unjudged_goals.append(section.title)
        if judgement.slk_judgement:
            summary.slk_judged += 1
            if judgement.disagrees:
                summary.disagreements += 1
        for report in section.activities:
            summary.activities += 1
            if report.comment.strip():
                summary.activities_commented += 1
        for outcome in section.indicators:
            summary.indicators += 1
            if outcome.value is not None:
                summary.indicators_reported += 1
            else:
                summary.unreported_indicators.append(outcome.name)
    return summary


def submission_summary(user: AnyUser, follow_up: FollowUp) -> FollowUpSummary:
    """What the body is about to submit: its rows, and the plan's items that get one then.

    Six queries however many rows (those of ``draft_sections``).
    """
    return _summarise(follow_up, draft_sections(user, follow_up))


def approval_summary(user: AnyUser, follow_up: FollowUp) -> FollowUpSummary:
    """What SLK is about to approve: the submitted rows, with SLK's judgements beside them.

    Three queries however many rows (those of ``snapshot_sections``).
    """
    return _summarise(follow_up, snapshot_sections(user, follow_up))
