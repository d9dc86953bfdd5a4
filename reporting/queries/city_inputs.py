"""The inputs of the city-wide report of a period: everything its parts print, as JSON.

SLK's city-wide annual report, and the T1 and T2 overviews in the same shape, come in a
general variant (every official reads it once published) and a full one (SLK only). The
general one counts and prints only what ``access.for_general_report`` and
``access.general_text`` allow (internal rows counted, never printed; confidential rows
neither); the full one uses every row. Only handed-in follow-ups (``COUNTED_STATES``) are
counted, from their frozen snapshot rows; a body with a draft, a returned or no
follow-up is listed with its state alone. The bodies: those that existed on the period's
last day and any with a follow-up of the period; a body merged into another in the year
is named among its successor's ``predecessors``, without an entry of its own unless it
reported the period itself. The overview's part prints the top-level facts and
``overview``, a body's part the top-level facts and its entry (``bodies``), so a change
in one body's follow-up changes its own part and the overview, no other part.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.access import Audience, GeneralUse
from programme.lineage import in_force_queryset
from programme.models import (
    ActivityReport,
    ActivityStatus,
    Body,
    BodyKind,
    Confidentiality,
    CouncilGoal,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    GoalJudgement,
    IndicatorDirection,
    IndicatorOutcome,
    Judgement,
    Plan,
    stricter,
)
from programme.queries.judgements import (
    COMPANY_KINDS,
    COUNTED_STATES,
    BodyGroup,
    CouncilGoalCount,
    JudgementCounts,
)
from programme.queries.year_settings import period_end
from programme.rich_text import clean_rich_text
from programme.sorting import swedish_sort_key
from reporting.queries.reports import SLUG_OF

Inputs = dict[str, Any]

NOT_STARTED = "not_started"
# The states of the approval list, in the order it counts them.
STATE_LABELS = {
    FollowUpState.APPROVED.value: FollowUpState.APPROVED.label,
    FollowUpState.SUBMITTED.value: FollowUpState.SUBMITTED.label,
    FollowUpState.RETURNED.value: FollowUpState.RETURNED.label,
    FollowUpState.DRAFT.value: FollowUpState.DRAFT.label,
    NOT_STARTED: _("not started"),
}
# What the overview's approval list keeps of each body's entry.
APPROVAL_KEYS = ("key", "name", "kind_label", "group", "state", "state_label", "counted")


def city_report_title(year: int, period: str) -> str:
    """The city-wide report's title, as its first page, its header and its file name say it."""
    if period == FollowUpPeriod.ANNUAL:
        return gettext("The city's annual report %(year)s – safety and security") % {"year": year}
    number = "1" if period == FollowUpPeriod.T1 else "2"
    return gettext("The city's tertial report %(number)s %(year)s – safety and security") % {
        "number": number,
        "year": year,
    }


# The sentences for goals, keyed by (any partly met, any not met); the plural follows the
# total. ``bodies`` is "The committees" or "The companies".
GOAL_SENTENCES = {
    (True, True): ngettext_lazy(
        "%(bodies)s judge %(fully)s of %(total)s goal fully met, %(partly)s partly and "
        "%(not_met)s not at all",
        "%(bodies)s judge %(fully)s of %(total)s goals fully met, %(partly)s partly and "
        "%(not_met)s not at all",
        "total",
    ),
    (True, False): ngettext_lazy(
        "%(bodies)s judge %(fully)s of %(total)s goal fully met and %(partly)s partly",
        "%(bodies)s judge %(fully)s of %(total)s goals fully met and %(partly)s partly",
        "total",
    ),
    (False, True): ngettext_lazy(
        "%(bodies)s judge %(fully)s of %(total)s goal fully met and %(not_met)s not at all",
        "%(bodies)s judge %(fully)s of %(total)s goals fully met and %(not_met)s not at all",
        "total",
    ),
    (False, False): ngettext_lazy(
        "%(bodies)s judge %(fully)s of %(total)s goal fully met",
        "%(bodies)s judge %(fully)s of %(total)s goals fully met",
        "total",
    ),
}
GROUP_SUBJECTS = {
    BodyGroup.COMMITTEES: _("The committees"),
    BodyGroup.COMPANIES: _("The companies"),
}


def goal_sentence(group: BodyGroup, counts: JudgementCounts) -> str:
    """The city's sentence for goals: "The committees judge 12 of 20 goals fully met, ...".

    Built as ``council_goal_sentence`` builds its sentence for bodies: the total is every
    goal judged (not assessed included) and a clause with nothing to count is left out.
    """
    if counts.total == 0:
        return gettext("No goal has been judged.")
    text = GOAL_SENTENCES[(counts.partly_met > 0, counts.not_met > 0)]
    return text % {
        "bodies": GROUP_SUBJECTS[group],
        "fully": counts.fully_met,
        "partly": counts.partly_met,
        "not_met": counts.not_met,
        "total": counts.total,
    }


def _group(kind: str) -> BodyGroup:
    return BodyGroup.COMPANIES if kind in COMPANY_KINDS else BodyGroup.COMMITTEES


def _rows(queryset: QuerySet[Any], audience: Audience, use: GeneralUse) -> QuerySet[Any]:
    """The rows the variant may use: the general rule for the general one, all for the full."""
    if audience == Audience.GENERAL:
        return access.for_general_report(queryset, use)
    return access.for_audience(queryset, Audience.FULL)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _reached(value: Decimal | None, target: Decimal | None, direction: str) -> bool | None:
    """Whether ``value`` reached ``target``; None when either is missing."""
    if value is None or target is None:
        return None
    return value <= target if direction == IndicatorDirection.LOWER_IS_BETTER else value >= target


def _counts(counts: JudgementCounts, sentence: str) -> Inputs:
    by_key = dict(zip(Judgement.values, counts.as_list(), strict=True))
    # Without a closing full stop, whichever sentence it is: the templates end it.
    return {**by_key, "total": counts.total, "sentence": sentence.rstrip(".")}


def _by_group(rows: list[tuple[str, str]]) -> Inputs:
    """(kind, judgement) pairs counted per group, with the city's sentence."""
    found = {
        group: Counter(value for kind, value in rows if _group(kind) == group)
        for group in BodyGroup
    }
    return {
        group.value: _counts(counts, goal_sentence(group, counts))
        for group in BodyGroup
        for counts in [JudgementCounts.from_mapping(dict(found[group]))]
    }


def _by_kind(rows: list[tuple[str, str]]) -> list[Inputs]:
    """(kind, status) pairs as each body kind's status counts, in the kinds' order."""
    return [
        {
            "kind": kind,
            "kind_label": str(label),
            "counts": _labelled(
                [status for of, status in rows if of == kind], ActivityStatus.choices
            ),
            "total": sum(1 for of, _status in rows if of == kind),
        }
        for kind, label in BodyKind.choices
    ]


def _indicator_counts(values: list[bool | None]) -> Inputs:
    found = Counter(values)
    return {"reached": found[True], "not_reached": found[False], "unknown": found[None]}


def _report_url(slug: str, year: int, period: str, audience: Audience, state: str) -> str | None:
    """The body's own report page: any follow-up for SLK, an approved one for officials."""
    if state == NOT_STARTED or (audience == Audience.GENERAL and state != FollowUpState.APPROVED):
        return None
    path = reverse(
        "reporting:report",
        kwargs={"slug": slug, "year": year, "period": period, "audience": SLUG_OF[audience.value]},
    )
    return f"{settings.SITE_URL}{path}"


def _bodies(year: int, period: str, reported: set[int]) -> tuple[list[Body], dict[int, list[str]]]:
    """The bodies with an entry, in Swedish order, and each one's predecessors (3 queries)."""
    found = {
        body.pk: body
        for body in Body.objects.active_on(period_end(year, period))
        | Body.objects.filter(pk__in=reported)
    }
    # (predecessor, its name, successor): plans taken over, and mergers in the year.
    merged = list(
        Plan.objects.filter(year=year, taken_over_by__isnull=False).values_list(
            "body_id", "body__name", "taken_over_by__body_id"
        )
    )
    links: Any = Body.predecessors.through
    merged += links.objects.filter(
        from_body_id__in=list(found), to_body__in=Body.objects.existing_in(year)
    ).values_list("to_body_id", "to_body__name", "from_body_id")
    predecessors: dict[int, set[str]] = defaultdict(set)
    for body_id, name, successor_id in merged:
        if successor_id in found and successor_id != body_id:
            predecessors[successor_id].add(name)
            if body_id not in reported:
                found.pop(body_id, None)
    bodies = sorted(found.values(), key=lambda body: swedish_sort_key(body.name))
    return bodies, {pk: sorted(names, key=swedish_sort_key) for pk, names in predecessors.items()}


def _links(model: Any, field: str, rows: QuerySet[Any]) -> dict[int, list[int]]:
    """Each counted row's focus areas as its snapshot kept them (one query)."""
    through: Any = model.focus_areas.through
    found: dict[int, list[int]] = defaultdict(list)
    for row_id, area_id in through.objects.filter(**{f"{field}__in": rows}).values_list(
        f"{field}_id", "focusarea_id"
    ):
        found[row_id].append(area_id)
    return found


def _both(model: Any, scope: dict[str, Any], audience: Audience) -> tuple[QuerySet[Any], set[int]]:
    """The counted rows of ``model``, and the keys of those whose text may be printed."""
    rows = model.objects.filter(**scope)
    shown = _rows(rows, audience, GeneralUse.SHOWN).values_list("pk", flat=True)
    return _rows(rows, audience, GeneralUse.COUNTED), set(shown)


def _focus_areas(year: int, referenced: set[int]) -> list[FocusArea]:
    """The focus areas in force in the year, and any other a counted row names (one query)."""
    return list(
        (
            FocusArea.objects.filter(programme__in=in_force_queryset(year))
            | FocusArea.objects.filter(pk__in=referenced)
        )
        .select_related("programme")
        .order_by("programme__first_year", "programme__name", "position", "pk")
    )


def _goal(row: GoalJudgement, areas: dict[int, str], links: dict[int, list[int]]) -> Inputs:
    return {
        "title": row.title,
        "judgement": row.judgement,
        "judgement_label": row.get_judgement_display(),
        "slk_judgement": row.slk_judgement,
        "slk_judgement_label": row.get_slk_judgement_display() if row.slk_judgement else "",
        "disagrees": row.disagrees,
        "focus_areas": [areas[pk] for pk in links.get(row.pk, []) if pk in areas],
        "level": stricter(row.confidentiality, row.goal.confidentiality),
        "level_label": str(
            Confidentiality(stricter(row.confidentiality, row.goal.confidentiality)).label
        ),
    }


def _indicator(row: IndicatorOutcome) -> Inputs:
    indicator = row.indicator
    level = stricter(row.confidentiality, indicator.confidentiality, indicator.goal.confidentiality)
    return {
        "name": row.name,
        "unit": row.unit,
        "direction_label": row.get_direction_display(),
        "baseline": _number(row.baseline),
        "target": _number(row.target),
        "value": _number(row.value),
        "reached": _reached(row.value, row.target, row.direction),
        "level": level,
        "level_label": str(Confidentiality(level).label),
    }


def _labelled(values: list[str], choices: Any) -> list[Inputs]:
    found = Counter(values)
    return [{"key": key, "label": str(label), "count": found[key]} for key, label in choices]


def _per_area(
    rows: list[tuple[int, int, str]], links: dict[int, list[int]], kind_of: dict[int, str]
) -> dict[int, list[tuple[str, str]]]:
    """(row, follow-up, value) triples as (body kind, value) pairs under each focus area."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, of, value in rows:
        for area_id in links.get(pk, []):
            found[area_id].append((kind_of[of], value))
    return found


def _grouped(rows: list[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.follow_up_id].append(row)
    return found


def city_report_inputs(year: int, period: str, audience: Audience) -> Inputs:
    """Everything the city-wide report of ``period`` in ``year`` prints, as plain JSON.

    ``audience`` is ``Audience.GENERAL`` or ``Audience.FULL`` (anything else: ValueError).
    Labels are in the active language. A fixed number of queries however many bodies
    and rows (fourteen; thirteen without a council goal for the year).
    """
    audience = Audience(audience)
    if audience not in (Audience.GENERAL, Audience.FULL):
        raise ValueError("The city-wide report has a general and a full variant only.")
    period = FollowUpPeriod(period).value
    annual = period == FollowUpPeriod.ANNUAL
    of_period = FollowUp.objects.filter(plan__year=year, period=period)
    follow_ups = {row.plan.body_id: row for row in of_period.select_related("plan__body")}
    bodies, predecessors = _bodies(year, period, set(follow_ups))
    counted = {row.pk: row for row in follow_ups.values() if row.state in COUNTED_STATES}
    kind_of = {pk: row.plan.body.kind for pk, row in counted.items()}
    scope = {"follow_up__in": of_period.filter(state__in=COUNTED_STATES)}
    judgement_rows, shown_goals = _both(GoalJudgement, scope, audience)
    judgements = list(judgement_rows.select_related("goal").order_by("position", "pk"))
    goal_links = _links(GoalJudgement, "goaljudgement", judgement_rows)
    activity_rows = _rows(ActivityReport.objects.filter(**scope), audience, GeneralUse.COUNTED)
    activities = list(activity_rows.values_list("pk", "follow_up_id", "status"))
    activity_links = _links(ActivityReport, "activityreport", activity_rows)
    outcome_rows, shown_outcomes = _both(IndicatorOutcome, scope, audience)
    outcomes = list(outcome_rows.select_related("indicator__goal").order_by("position", "pk"))
    referenced = {pk for ids in [*goal_links.values(), *activity_links.values()] for pk in ids}
    areas = _focus_areas(year, referenced)
    area_labels = {
        area.pk: f"{area.number}. {area.title}" if area.number else area.title for area in areas
    }

    goals_of, outcomes_of = _grouped(judgements), _grouped(outcomes)
    statuses_of: dict[int | None, list[str]] = defaultdict(list)
    for _pk, of, status in activities:
        statuses_of[of].append(status)
    entries: list[Inputs] = []
    for body in bodies:
        follow_up = follow_ups.get(body.pk)
        state = follow_up.state if follow_up else NOT_STARTED
        own = follow_up if follow_up and follow_up.pk in counted else None
        goals = goals_of.get(own.pk, []) if own else []
        indicators = outcomes_of.get(own.pk, []) if own else []
        shown = [row for row in goals if row.pk in shown_goals]
        shown_indicators = [row for row in indicators if row.pk in shown_outcomes]
        judged = _council_judgement(own, audience, GeneralUse.SHOWN) if own and annual else ""
        entries.append(
            {
                "key": body.slug,
                "name": body.name,
                "kind": body.kind,
                "kind_label": body.get_kind_display(),
                "group": _group(body.kind).value,
                "administration": body.administration_name,
                "predecessors": predecessors.get(body.pk, []),
                "state": state,
                "state_label": str(STATE_LABELS[state]),
                "approved": state == FollowUpState.APPROVED,
                "counted": own is not None,
                "report_url": _report_url(body.slug, year, period, audience, state),
                "judgement_counts": _labelled([row.judgement for row in goals], Judgement.choices),
                "slk_judgement_counts": _labelled(
                    [row.slk_judgement for row in goals if row.slk_judgement], Judgement.choices
                ),
                "goals": [_goal(row, area_labels, goal_links) for row in shown],
                "activity_counts": _labelled(
                    statuses_of[own.pk] if own else [], ActivityStatus.choices
                ),
                "indicator_counts": _indicator_counts(
                    [_reached(row.value, row.target, row.direction) for row in indicators]
                ),
                "indicators": [_indicator(row) for row in shown_indicators],
                "not_shown": {
                    "goals": len(goals) - len(shown),
                    "indicators": len(indicators) - len(shown_indicators),
                },
                "council_goal_judgement_label": str(Judgement(judged).label) if judged else "",
                "council_goal_level": (
                    getattr(own, FollowUp.text_levels["council_goal_judgement"]) if judged else ""
                ),
            }
        )

    per_area_goals = _per_area(
        [(row.pk, row.follow_up_id, row.judgement) for row in judgements], goal_links, kind_of
    )
    per_area_activities = _per_area(activities, activity_links, kind_of)
    reached = [
        (kind_of[row.follow_up_id], _reached(row.value, row.target, row.direction))
        for row in outcomes
    ]
    overview = {
        "state_counts": _labelled([entry["state"] for entry in entries], STATE_LABELS.items()),
        "approval": [{key: entry[key] for key in APPROVAL_KEYS} for entry in entries],
        "focus_areas": [
            {
                "key": f"fokusomrade-{area.pk}",
                "label": area_labels[area.pk],
                "programme": area.programme.name,
                "judgements": _by_group(per_area_goals[area.pk]),
                "activities": _by_kind(per_area_activities[area.pk]),
            }
            for area in areas
        ],
        "judgements": _by_group([(kind_of[row.follow_up_id], row.judgement) for row in judgements]),
        "activities": _by_kind([(kind_of[of], status) for _pk, of, status in activities]),
        "indicators": {
            group.value: _indicator_counts(
                [value for kind, value in reached if _group(kind) == group]
            )
            for group in BodyGroup
        },
        "not_shown": {
            "goals": len(judgements) - len(shown_goals),
            "indicators": len(outcomes) - len(shown_outcomes),
        },
        "council_goal": _council_goal(year, annual, list(counted.values()), audience),
    }
    return {
        "year": year,
        "period": period,
        "period_label": str(FollowUpPeriod(period).label),
        "audience": audience.value,
        "audience_label": str(audience.label),
        "title": city_report_title(year, period),
        "annual": annual,
        "overview": overview,
        "bodies": entries,
    }


def _council_judgement(follow_up: FollowUp, audience: Audience, use: GeneralUse) -> str:
    """The body's judgement of the council goal, if the variant may use it for ``use``."""
    if audience == Audience.GENERAL:
        return access.general_text(follow_up, "council_goal_judgement", use)
    return follow_up.council_goal_judgement


def _council_goal(
    year: int, annual: bool, counted: list[FollowUp], audience: Audience
) -> Inputs | None:
    """The council's goal with its indicators against their targets (two queries), and in
    the annual report how committees and, apart, companies judge it."""
    goal = CouncilGoal.objects.filter(year=year).prefetch_related("indicators").first()
    if goal is None:
        return None
    by_group: dict[BodyGroup, Counter[str]] = {group: Counter() for group in BodyGroup}
    for follow_up in counted if annual else []:
        judged = _council_judgement(follow_up, audience, GeneralUse.COUNTED)
        if judged:
            by_group[_group(follow_up.plan.body.kind)][judged] += 1
    counts = {group: JudgementCounts.from_mapping(dict(by_group[group])) for group in BodyGroup}
    judgements = [
        {
            "group": key.value,
            "label": str(key.label),
            **_counts(of, CouncilGoalCount(key, of).sentence),
        }
        for key, of in counts.items()
        if annual
    ]
    return {
        "title": goal.title,
        "description": clean_rich_text(goal.description),
        "judgements": judgements,
        "indicators": [
            {
                "name": indicator.name,
                "unit": indicator.unit,
                "direction_label": indicator.get_direction_display(),
                "target": _number(indicator.target),
                "outcome": _number(indicator.outcome),
                "reached": _reached(indicator.outcome, indicator.target, indicator.direction),
            }
            for indicator in goal.indicators.all()
        ],
    }
