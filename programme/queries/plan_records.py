"""What the page of one goal, activity or indicator reads: its details and its reports.

The plan page shows each record as one row; the record's own page shows the rest: its
description, every focus area with its programme version, the perspectives considered,
its level, and what each follow-up of the year reported on it. Every read goes through
``programme.access`` and takes a fixed number of queries however many follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from programme import access
from programme.models import (
    Activity,
    ActivityReport,
    Body,
    Confidentiality,
    FocusArea,
    FollowUpPeriod,
    Goal,
    Indicator,
    IndicatorOutcome,
    Plan,
    stricter,
)

AnyUser = access.AnyUser

# Each kind of record: its model and the way from it to its plan.
RECORD_KINDS: dict[str, tuple[type[models.Model], str]] = {
    "goal": (Goal, "plan"),
    "activity": (Activity, "goal__plan"),
    "indicator": (Indicator, "goal__plan"),
}
PERIOD_ORDER: tuple[str, ...] = tuple(FollowUpPeriod.values)


@dataclass
class RecordPage:
    """One goal, activity or indicator as the user may see it, with its follow-up rows."""

    kind: str
    record: Any
    plan: Plan
    body: Body
    level: str
    focus_areas: list[FocusArea]
    can_change: bool
    # What each follow-up of the year reported on an activity or indicator, in order.
    reports: list[ActivityReport] | list[IndicatorOutcome] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The record's title (an indicator's name)."""
        return str(self.record.name if self.kind == "indicator" else self.record.title)

    @property
    def level_label(self) -> str:
        """The level that governs the record, in the active language."""
        return str(dict(Confidentiality.choices)[self.level])


def _reports(user: AnyUser, kind: str, record: Any) -> list[Any]:
    """The follow-up rows about ``record`` the user may see, in the year's order (one query)."""
    if kind == "activity":
        rows: models.QuerySet[Any] = ActivityReport.objects.filter(activity=record)
    elif kind == "indicator":
        rows = IndicatorOutcome.objects.filter(indicator=record)
    else:
        return []
    visible = access.restrict(rows.select_related("follow_up__plan__body"), user)
    return sorted(
        visible,
        key=lambda row: (row.follow_up.plan.year, PERIOD_ORDER.index(row.follow_up.period)),
    )


def record_page(user: AnyUser, kind: str, pk: int) -> RecordPage:
    """The record's page, 404 where the user may not see it (``access``).

    The record with its plan and body (1), its focus areas with their versions (1), its
    follow-up rows (1) and whether the user may change the plan's records (1).
    """
    model, plan_path = RECORD_KINDS[kind]
    related = [f"{plan_path}__body", "goal" if kind != "goal" else "taken_over_from"]
    record: Any = access.get_for_user_or_404(
        user, model._default_manager.select_related(*related), pk=pk
    )
    plan: Plan = record.plan if kind == "goal" else record.goal.plan
    level = (
        record.confidentiality
        if kind == "goal"
        else stricter(record.confidentiality, record.goal.confidentiality)
    )
    return RecordPage(
        kind=kind,
        record=record,
        plan=plan,
        body=plan.body,
        level=level,
        focus_areas=list(record.focus_areas.select_related("programme")),
        can_change=access.can_change_records(user, plan.body),
        reports=_reports(user, kind, record),
    )
