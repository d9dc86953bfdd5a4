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

from django.utils.translation import gettext

from programme import access
from programme.access import Audience
from programme.models import (
    ActivityStatus,
    Body,
    Confidentiality,
    DutyStatus,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    IndicatorDirection,
    IndicatorOutcome,
    Judgement,
    Plan,
)
from programme.rich_text import clean_rich_text
from programme.sorting import swedish_sort_key
from reporting.queries import report_rows

Inputs = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _focus_areas(row: Any) -> list[str]:
    areas: list[FocusArea] = row.areas
    return [f"{area.number}. {area.title}" if area.number else area.title for area in areas]


def _reached(outcome: IndicatorOutcome) -> bool | None:
    """Whether the outcome reached the target; None when either is missing."""
    if outcome.value is None or outcome.target is None:
        return None
    if outcome.direction == IndicatorDirection.LOWER_IS_BETTER:
        return outcome.value <= outcome.target
    return outcome.value >= outcome.target


def _text(record: Any, name: str, audience: Audience) -> str:
    return clean_rich_text(access.audience_text(record, name, audience))


def _activity(report: Any) -> Inputs:
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
        "level": report.level,
        "level_label": str(Confidentiality(report.level).label),
    }


def _indicator(outcome: Any) -> Inputs:
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
        "level": outcome.level,
        "level_label": str(Confidentiality(outcome.level).label),
    }


def _goal(judgement: Any) -> Inputs:
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
        "level": judgement.level,
        "level_label": str(Confidentiality(judgement.level).label),
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
    annual = follow_up.period == FollowUpPeriod.ANNUAL

    judgements = report_rows.goal_rows(follow_up, audience)
    activities = report_rows.activity_rows(follow_up, audience)
    indicators = report_rows.indicator_rows(follow_up, audience)
    goals = {row.goal_id: _goal(row) for row in judgements.shown}
    for report in activities.shown:
        if report.activity.goal_id in goals:
            goals[report.activity.goal_id]["activities"].append(_activity(report))
    for outcome in indicators.shown:
        if outcome.indicator.goal_id in goals:
            goals[outcome.indicator.goal_id]["indicators"].append(_indicator(outcome))
    reached = Counter(_reached(outcome) for outcome in indicators.counted)
    judgement_labels = {key: str(label) for key, label in Judgement.choices}

    duty_levels: list[str] = []
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
        # SLK's comment is the body's to act on while the follow-up is returned, as its
        # page shows it; afterwards it is history, not part of the report.
        "review_comment": (
            clean_rich_text(follow_up.review_comment)
            if audience != Audience.GENERAL and follow_up.state == FollowUpState.RETURNED
            else ""
        ),
        "goals": list(goals.values()),
        "not_shown": {
            "goals": judgements.not_shown,
            "activities": activities.not_shown,
            "indicators": indicators.not_shown,
        },
        "judgement_counts": _counts(
            judgement_labels, [row.judgement for row in judgements.counted]
        ),
        "slk_judgement_counts": _counts(
            judgement_labels, [row.slk_judgement for row in judgements.counted if row.slk_judgement]
        ),
        "activity_counts": _counts(
            {key: str(label) for key, label in ActivityStatus.choices},
            [row.status for row in activities.counted],
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
        duties = report_rows.duty_rows(follow_up, audience)
        duty_levels = [duty.level for duty in duties.shown]
        inputs["duties"] = [
            {
                "duty_label": duty.get_duty_display(),
                "status_label": duty.get_status_display(),
                "met": duty.status == DutyStatus.MET,
                "person_name": duty.person_name,
                "completed_on": _iso(duty.completed_on),
                "level_label": str(Confidentiality(duty.level).label),
            }
            for duty in duties.shown
        ]
        inputs["duty_counts"] = {
            "met": sum(1 for duty in duties.counted if duty.status == DutyStatus.MET),
            "total": len(duties.counted),
        }
        inputs["not_shown"]["duties"] = duties.not_shown
    inputs["holds_confidential"] = _holds_confidential(follow_up, inputs, duty_levels)
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
