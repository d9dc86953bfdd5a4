"""The rows a report prints and counts, for one audience: the snapshot, or a draft's plan.

A submitted or approved follow-up is reported from its frozen rows, each with the level
that governs it now (the strictest of the row's level at submission and its record's,
and its goal's, today: a record made confidential later is hidden and counted as such).
A draft (not started, returned) is reported as the body's form shows it: its rows with
the records as they stand, their focus areas today, and the plan's items that have no
row yet; its duties are the duty records as they stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from programme import access
from programme.access import GeneralUse
from programme.models import (
    Activity,
    ActivityReport,
    Audience,
    DutyKind,
    DutyRecord,
    DutyReport,
    FocusArea,
    FollowUp,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
    stricter,
)


@dataclass
class Rows:
    """The rows a report shows, and every row it counts (the shown ones among them)."""

    shown: list[Any]
    counted: list[Any]

    @property
    def not_shown(self) -> int:
        """Rows counted but not shown: internal ones, in the general variant."""
        return len(self.counted) - len(self.shown)


def _areas() -> Prefetch:
    return Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "pk"))


def _areas_of(path: str) -> Prefetch:
    return Prefetch(f"{path}__focus_areas", queryset=FocusArea.objects.order_by("position", "pk"))


def _both(queryset: QuerySet[Any], audience: Audience) -> tuple[QuerySet[Any], set[int]]:
    """The rows the report may count, and the keys of those it may show."""
    counted = access.for_audience(queryset, audience, GeneralUse.COUNTED)
    shown = set(access.for_audience(queryset, audience).values_list("pk", flat=True))
    return counted, shown


def _finish(rows: list[tuple[Any, bool]]) -> Rows:
    rows.sort(key=lambda pair: (pair[0].position, pair[0].pk is None, pair[0].pk or 0))
    return Rows(shown=[row for row, shown in rows if shown], counted=[row for row, _ in rows])


def goal_rows(follow_up: FollowUp, audience: Audience) -> Rows:
    """The goals' judgement rows (a draft: also the plan's goals without one)."""
    live = not follow_up.is_frozen
    related = _areas_of("goal") if live else _areas()
    counted, shown = _both(GoalJudgement.objects.filter(follow_up=follow_up), audience)
    rows: list[tuple[Any, bool]] = []
    for row in counted.select_related("goal").prefetch_related(related):
        if live:
            row.take_from(row.goal)
        row.level = stricter(row.confidentiality, row.goal.confidentiality)
        row.areas = list((row.goal if live else row).focus_areas.all())
        rows.append((row, row.pk in shown))
    if live:
        missing = Goal.objects.filter(plan_id=follow_up.plan_id).exclude(
            judgements__follow_up=follow_up
        )
        counted_goals, shown_goals = _both(missing, audience)
        for goal in counted_goals.prefetch_related(_areas()):
            new: Any = GoalJudgement(follow_up=follow_up, goal=goal)
            new.take_from(goal)
            new.level, new.areas = goal.confidentiality, list(goal.focus_areas.all())
            rows.append((new, goal.pk in shown_goals))
    return _finish(rows)


def _item_rows(
    follow_up: FollowUp,
    audience: Audience,
    model: type[ActivityReport] | type[IndicatorOutcome],
    record: type[Activity] | type[Indicator],
    name: str,
    reverse: str,
) -> Rows:
    live = not follow_up.is_frozen
    related = _areas_of(name) if live else _areas()
    counted, shown = _both(model.objects.filter(follow_up=follow_up), audience)
    rows: list[tuple[Any, bool]] = []
    for row in counted.select_related(f"{name}__goal").prefetch_related(related):
        item = getattr(row, name)
        if live:
            row.take_from(item, item.goal.confidentiality)
        row.level = stricter(row.confidentiality, item.confidentiality, item.goal.confidentiality)
        row.areas = list((item if live else row).focus_areas.all())
        rows.append((row, row.pk in shown))
    if live:
        missing = record.objects.filter(goal__plan_id=follow_up.plan_id).exclude(
            **{f"{reverse}__follow_up": follow_up}
        )
        counted_items, shown_items = _both(missing, audience)
        for item in counted_items.select_related("goal").prefetch_related(_areas()):
            new: Any = model(follow_up=follow_up, **{name: item})
            if isinstance(new, ActivityReport):
                new.status = item.status
            new.take_from(item, item.goal.confidentiality)
            new.level = stricter(item.confidentiality, item.goal.confidentiality)
            new.areas = list(item.focus_areas.all())
            rows.append((new, item.pk in shown_items))
    return _finish(rows)


def activity_rows(follow_up: FollowUp, audience: Audience) -> Rows:
    """The activities' report rows (a draft: also the plan's activities without one)."""
    return _item_rows(follow_up, audience, ActivityReport, Activity, "activity", "reports")


def indicator_rows(follow_up: FollowUp, audience: Audience) -> Rows:
    """The indicators' outcome rows (a draft: also the plan's indicators without one)."""
    return _item_rows(follow_up, audience, IndicatorOutcome, Indicator, "indicator", "outcomes")


def duty_rows(follow_up: FollowUp, audience: Audience) -> Rows:
    """The duties as the annual follow-up kept them, or for a draft as they stand."""
    rows: list[tuple[Any, bool]] = []
    if follow_up.is_frozen:
        counted, shown = _both(DutyReport.objects.filter(follow_up=follow_up), audience)
        for duty in counted.select_related("record"):
            duty.level = stricter(duty.confidentiality, duty.record.confidentiality)
            rows.append((duty, duty.pk in shown))
    else:
        plan = follow_up.plan
        records = DutyRecord.objects.filter(body_id=plan.body_id, year=plan.year)
        counted, shown = _both(records, audience)
        for record in counted:
            record.level = record.confidentiality
            record.position = DutyKind.values.index(record.duty) + 1
            rows.append((record, record.pk in shown))
    return _finish(rows)
