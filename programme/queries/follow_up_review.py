"""What SLK's review page reads: each goal's judgements with the activities and
indicators as the body submitted them.

The rows come from the follow-up's frozen snapshot (``Snapshot``, filled at submission
by ``freeze_snapshot``), never from the plan as it stands now: what SLK reviews is what
was submitted. Every read goes through ``programme.access`` and takes a fixed number of
queries however many rows (pinned in ``tests/programme/test_follow_up_review.py``).
"""

from __future__ import annotations

from django.db.models import Value

from programme import access
from programme.models import (
    ActivityReport,
    FocusArea,
    FollowUp,
    GoalJudgement,
    IndicatorOutcome,
    stricter,
)
from programme.queries.follow_ups import snapshot_sections
from programme.queries.plans import attach_row_facts, focus_area_order

AnyUser = access.AnyUser


def review_sections(user: AnyUser, follow_up: FollowUp) -> list[GoalJudgement]:
    """The goal judgements of a follow-up the user may see, in the plan's order, each
    with the activities and indicators as submitted.

    Each judgement carries ``submitted_activities`` and ``submitted_indicators``: for a
    submitted or approved follow-up its frozen rows, never the plan as it stands now
    (three queries, and two for the focus areas they kept); otherwise none, as nothing
    waits for review (one query). Each row carries what the plan page's tables show
    (``record_id``, ``level``, ``level_label``, ``focus_area_list``, an indicator's
    ``outcome``).
    """
    if follow_up.is_frozen:
        sections = snapshot_sections(user, follow_up)
        _attach_submitted_facts(
            [report for section in sections for report in section.activities],
            [outcome for section in sections for outcome in section.indicators],
        )
        for section in sections:
            section.judgement.submitted_activities = section.activities  # type: ignore[attr-defined]
            section.judgement.submitted_indicators = section.indicators  # type: ignore[attr-defined]
        return [section.judgement for section in sections]
    rows = access.restrict(
        GoalJudgement.objects.filter(follow_up=follow_up).select_related("goal"), user
    )
    for row in rows:
        row.take_from(row.goal)
        row.submitted_activities = []  # type: ignore[attr-defined]
        row.submitted_indicators = []  # type: ignore[attr-defined]
    return sorted(rows, key=lambda row: (row.position, row.pk))


def _attach_submitted_facts(
    reports: list[ActivityReport], outcomes: list[IndicatorOutcome]
) -> None:
    """Give the frozen rows what the compact tables show, with the focus areas each kept
    at submission (two queries: the links of both kinds of row at once, then the areas)."""
    report_links = ActivityReport.focus_areas.through.objects.filter(
        activityreport_id__in=[report.pk for report in reports]
    ).values_list("activityreport_id", "focusarea_id")
    outcome_links = IndicatorOutcome.focus_areas.through.objects.filter(
        indicatoroutcome_id__in=[outcome.pk for outcome in outcomes]
    ).values_list("indicatoroutcome_id", "focusarea_id")
    links: list[tuple[int, int, int]] = list(
        report_links.annotate(kind=Value(0))
        .values_list("kind", "activityreport_id", "focusarea_id")  # type: ignore[misc]
        .union(
            outcome_links.annotate(kind=Value(1)).values_list(  # type: ignore[misc]
                "kind", "indicatoroutcome_id", "focusarea_id"
            ),
            all=True,
        )
    )
    areas = FocusArea.objects.select_related("programme").in_bulk(
        {area_id for _kind, _row, area_id in links}
    )
    found: dict[tuple[int, int], list[FocusArea]] = {}
    for kind, row_id, area_id in links:
        found.setdefault((kind, row_id), []).append(areas[area_id])
    for report in reports:
        report.focus_area_list = sorted(found.get((0, report.pk), []), key=focus_area_order)  # type: ignore[attr-defined]
    for outcome in outcomes:
        outcome.focus_area_list = sorted(found.get((1, outcome.pk), []), key=focus_area_order)  # type: ignore[attr-defined]
        outcome.outcome = outcome  # type: ignore[attr-defined]
    attach_row_facts(
        reports,
        lambda row: stricter(
            row.confidentiality, row.activity.confidentiality, row.activity.goal.confidentiality
        ),
        "activity_id",
    )
    attach_row_facts(
        outcomes,
        lambda row: stricter(
            row.confidentiality, row.indicator.confidentiality, row.indicator.goal.confidentiality
        ),
        "indicator_id",
    )
