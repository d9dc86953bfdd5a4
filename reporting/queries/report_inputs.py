"""The inputs of a body's follow-up report: everything it prints, collected once, as JSON.

What a report may print is decided here through the access module's rule for its
audience (``access.for_audience``, ``access.audience_text``) and nowhere later: the
renderer prints the inputs and reads nothing else. A submitted or approved follow-up
reports its frozen snapshot; a draft reports the plan as it stands (and says so on
every page). The inputs are plain JSON (texts already cleaned, labels in the report's
language, numbers as decimal strings, dates as ISO strings), so their hash names
exactly what the file shows.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from programme import access
from programme.access import Audience, GeneralUse
from programme.models import (
    ActivityReport,
    ActivityStatus,
    Body,
    Confidentiality,
    DutyReport,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    GoalJudgement,
    IndicatorDirection,
    IndicatorOutcome,
    Judgement,
    Plan,
)
from programme.rich_text import clean_rich_text
from programme.sorting import swedish_sort_key

Inputs = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _focus_areas(row: Any) -> list[str]:
    areas: list[FocusArea] = list(row.focus_areas.all())
    areas.sort(key=lambda area: (area.position, area.pk))
    return [f"{area.number}. {area.title}" if area.number else area.title for area in areas]


def _rows(
    queryset: QuerySet[Any], audience: Audience, live: bool, record: str, *related: str
) -> tuple[list[Any], int]:
    """The rows the report shows, and how many more it may only count (general only)."""
    shown = access.for_audience(queryset, audience)
    counted = 0
    if audience == Audience.GENERAL:
        counted = access.for_audience(queryset, audience, GeneralUse.COUNTED).count()
    rows = list(
        shown.select_related(*related).prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position"))
        )
        if related
        else shown.prefetch_related("focus_areas")
    )
    if live:
        for row in rows:
            item = getattr(row, record)
            if record == "goal":
                row.take_from(item)
            else:
                row.take_from(item, item.goal.confidentiality)
    rows.sort(key=lambda row: (row.position, row.pk))
    return rows, max(counted - len(rows), 0)


def _reached(outcome: IndicatorOutcome) -> bool | None:
    """Whether the outcome reached the target; None when either is missing."""
    if outcome.value is None or outcome.target is None:
        return None
    if outcome.direction == IndicatorDirection.LOWER_IS_BETTER:
        return outcome.value <= outcome.target
    return outcome.value >= outcome.target


def _text(record: Any, name: str, audience: Audience) -> str:
    return clean_rich_text(access.audience_text(record, name, audience))


def _activity(report: ActivityReport) -> Inputs:
    return {
        "title": report.title,
        "description": clean_rich_text(report.description),
        "status": report.status,
        "status_label": report.get_status_display(),
        "comment": clean_rich_text(report.comment),
        "responsible_unit": report.responsible_unit,
        "starts_on": _iso(report.starts_on),
        "ends_on": _iso(report.ends_on),
        "focus_areas": _focus_areas(report),
        "perspectives": [str(label) for label in report.perspective_labels()],
        "level": report.confidentiality,
        "level_label": report.get_confidentiality_display(),
    }


def _indicator(outcome: IndicatorOutcome) -> Inputs:
    reached = _reached(outcome)
    return {
        "name": outcome.name,
        "unit": outcome.unit,
        "direction_label": outcome.get_direction_display(),
        "baseline": _number(outcome.baseline),
        "target": _number(outcome.target),
        "value": _number(outcome.value),
        "value_women": _number(outcome.value_women),
        "value_men": _number(outcome.value_men),
        "by_sex": outcome.by_sex,
        "reached": reached,
        "comment": clean_rich_text(outcome.comment),
        "level": outcome.confidentiality,
        "level_label": outcome.get_confidentiality_display(),
    }


def _goal(judgement: GoalJudgement) -> Inputs:
    return {
        "id": judgement.goal_id,
        "title": judgement.title,
        "description": clean_rich_text(judgement.description),
        "judgement": judgement.judgement,
        "judgement_label": judgement.get_judgement_display() if judgement.judgement else "",
        "motivation": clean_rich_text(judgement.motivation),
        "slk_judgement": judgement.slk_judgement,
        "slk_judgement_label": (
            judgement.get_slk_judgement_display() if judgement.slk_judgement else ""
        ),
        "slk_motivation": clean_rich_text(judgement.slk_motivation),
        "disagrees": judgement.disagrees,
        "level": judgement.confidentiality,
        "level_label": judgement.get_confidentiality_display(),
        "activities": [],
        "indicators": [],
    }


def _predecessors(follow_up: FollowUp) -> list[str]:
    """The bodies whose plans this body's plan took over in the year, by name."""
    plan = follow_up.plan
    year = plan.year
    names = {
        taken.body.name for taken in Plan.objects.filter(taken_over_by=plan).select_related("body")
    }
    names.update(
        body.name for body in Body.objects.filter(successors=plan.body) if body.existed_in(year)
    )
    return sorted(names, key=swedish_sort_key)


def _counts(labels: dict[str, str], values: list[str]) -> list[Inputs]:
    found = Counter(values)
    return [{"key": key, "label": str(label), "count": found[key]} for key, label in labels.items()]


def report_inputs(follow_up: FollowUp, audience: Audience) -> Inputs:
    """Everything the report of ``follow_up`` for ``audience`` prints, as plain JSON.

    A fixed number of queries however many rows (about fifteen).
    """
    follow_up = (
        FollowUp.objects.select_related("plan__body", "submitted_by", "reviewed_by")
        .filter(pk=follow_up.pk)
        .get()
    )
    plan = follow_up.plan
    body = plan.body
    live = not follow_up.is_frozen
    annual = follow_up.period == FollowUpPeriod.ANNUAL

    judgements, goals_not_shown = _rows(
        GoalJudgement.objects.filter(follow_up=follow_up), audience, live, "goal", "goal"
    )
    goals = {row.goal_id: _goal(row) for row in judgements}
    activities, activities_not_shown = _rows(
        ActivityReport.objects.filter(follow_up=follow_up),
        audience,
        live,
        "activity",
        "activity__goal",
    )
    indicators, indicators_not_shown = _rows(
        IndicatorOutcome.objects.filter(follow_up=follow_up),
        audience,
        live,
        "indicator",
        "indicator__goal",
    )
    for report in activities:
        if report.activity.goal_id in goals:
            goals[report.activity.goal_id]["activities"].append(_activity(report))
    for outcome in indicators:
        if outcome.indicator.goal_id in goals:
            goals[outcome.indicator.goal_id]["indicators"].append(_indicator(outcome))

    counted_activities = access.for_audience(
        ActivityReport.objects.filter(follow_up=follow_up), audience, GeneralUse.COUNTED
    )
    counted_judgements = access.for_audience(
        GoalJudgement.objects.filter(follow_up=follow_up), audience, GeneralUse.COUNTED
    )
    counted_indicators = list(
        access.for_audience(
            IndicatorOutcome.objects.filter(follow_up=follow_up), audience, GeneralUse.COUNTED
        )
    )
    reached = Counter(_reached(outcome) for outcome in counted_indicators)

    shown_duties_levels: list[str] = []
    inputs: Inputs = {
        "period": follow_up.period,
        "period_label": str(FollowUpPeriod(follow_up.period).label),
        "year": plan.year,
        "body": {
            "name": body.name,
            "administration": body.administration_name,
            "kind_label": body.get_kind_display(),
        },
        "predecessors": _predecessors(follow_up),
        "state": follow_up.state,
        "state_label": follow_up.get_state_display(),
        "approved": follow_up.state == FollowUpState.APPROVED,
        "frozen": follow_up.is_frozen,
        "submitted_at": _iso(follow_up.submitted_at),
        "reviewed_at": _iso(follow_up.reviewed_at),
        "audience": audience.value,
        "audience_label": str(Audience(audience).label),
        "narrative": _text(follow_up, "narrative", audience),
        "situation_picture": _text(follow_up, "situation_picture", audience),
        "review_comment": (
            clean_rich_text(follow_up.review_comment) if audience != Audience.GENERAL else ""
        ),
        "goals": list(goals.values()),
        "not_shown": {
            "goals": goals_not_shown,
            "activities": activities_not_shown,
            "indicators": indicators_not_shown,
        },
        "judgement_counts": _counts(
            {key: str(label) for key, label in Judgement.choices},
            list(counted_judgements.values_list("judgement", flat=True)),
        ),
        "slk_judgement_counts": _counts(
            {key: str(label) for key, label in Judgement.choices},
            [v for v in counted_judgements.values_list("slk_judgement", flat=True) if v],
        ),
        "activity_counts": _counts(
            {key: str(label) for key, label in ActivityStatus.choices},
            list(counted_activities.values_list("status", flat=True)),
        ),
        "indicator_counts": {
            "reached": reached[True],
            "not_reached": reached[False],
            "unknown": reached[None],
        },
        "annual": annual,
        "council_goal": None,
        "duties": [],
        "duty_counts": None,
    }
    if annual:
        inputs["council_goal"] = {
            "judgement_label": (
                str(Judgement(follow_up.council_goal_judgement).label)
                if access.audience_text(follow_up, "council_goal_judgement", audience)
                else ""
            ),
            "motivation": _text(follow_up, "council_goal_motivation", audience),
        }
        counted_duties = list(
            access.for_audience(
                DutyReport.objects.filter(follow_up=follow_up), audience, GeneralUse.COUNTED
            )
        )
        shown_duties = list(
            access.for_audience(DutyReport.objects.filter(follow_up=follow_up), audience)
        )
        shown_duties.sort(key=lambda duty: (duty.position, duty.pk))
        shown_duties_levels = [duty.confidentiality for duty in shown_duties]
        inputs["duties"] = [
            {
                "duty_label": duty.get_duty_display(),
                "status_label": duty.get_status_display(),
                "met": duty.is_met,
                "person_name": duty.person_name,
                "completed_on": _iso(duty.completed_on),
                "level_label": duty.get_confidentiality_display(),
            }
            for duty in shown_duties
        ]
        inputs["duty_counts"] = {
            "met": sum(1 for duty in counted_duties if duty.is_met),
            "total": len(counted_duties),
        }
        inputs["not_shown"]["duties"] = len(counted_duties) - len(shown_duties)
    inputs["holds_confidential"] = _holds_confidential(follow_up, inputs, shown_duties_levels)
    inputs["heading"] = report_title(inputs)
    return inputs


def _holds_confidential(follow_up: FollowUp, inputs: Inputs, duty_levels: list[str]) -> bool:
    """Whether the report prints a confidential record or text (its downloads are logged)."""
    confidential = Confidentiality.CONFIDENTIAL
    levels = list(duty_levels)
    for goal in inputs["goals"]:
        levels += [goal["level"]] + [row["level"] for row in goal["activities"]]
        levels += [row["level"] for row in goal["indicators"]]
    council = inputs["council_goal"] or {}
    printed = {
        "narrative": inputs["narrative"],
        "situation_picture": inputs["situation_picture"],
        "council_goal_judgement": council.get("judgement_label"),
        "council_goal_motivation": council.get("motivation"),
    }
    return confidential in levels or any(
        printed[name] and getattr(follow_up, level) == confidential
        for name, level in FollowUp.text_levels.items()
    )


def report_title(inputs: Inputs) -> str:
    """The report's title, as its first page and its file name say it."""
    if inputs["period"] == FollowUpPeriod.ANNUAL:
        return gettext("Annual report %(year)s") % {"year": inputs["year"]}
    number = "1" if inputs["period"] == FollowUpPeriod.T1 else "2"
    return gettext("Tertial report %(number)s %(year)s") % {
        "number": number,
        "year": inputs["year"],
    }
