"""A plan and the city's activities of a year as Excel files, with confidentiality applied.

Every export reads through ``programme.access`` exactly as its page does, so a row the
reader may not see never reaches the file, and the file says nothing about rows left
out. The rows are fetched with ``values_list`` in a fixed number of queries and written
by a write-only workbook, which streams rows instead of building a cell object for each:
the city's activities of a year (thousands of rows) take well under a second.

Headers follow the active language (Swedish in the product); dates are written as dates
and numbers as numbers, so the sheet sorts and sums as a reader expects.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programme import access
from programme.excel import (
    add_sheet,
    append_row,
    excel_number,
    label_of,
    new_workbook,
    plain_text,
    workbook_bytes,
)
from programme.models import (
    Activity,
    ActivityStatus,
    BodyKind,
    Confidentiality,
    Goal,
    Indicator,
    IndicatorDirection,
    Perspective,
    Plan,
)
from programme.sorting import swedish_sort_key

# Strictness of the levels, to give a row the strictest of its own and its parents'.
_STRICTNESS: dict[str, int] = {
    Confidentiality.OPEN: 0,
    Confidentiality.INTERNAL: 1,
    Confidentiality.CONFIDENTIAL: 2,
}


# --- Writing a workbook --------------------------------------------------------------------


def strictest(*levels: str) -> str:
    """The strictest of a row's own level and its parents'."""
    return max(levels, key=lambda level: _STRICTNESS.get(level, 0))


def perspective_text(values: list[str] | None) -> str:
    """The perspectives considered, in the programme's order and the active language."""
    return perspective_labels(tuple(values or ()), get_language())


@functools.lru_cache(maxsize=64)
def perspective_labels(values: tuple[str, ...], language: str | None) -> str:
    """``perspective_text`` in ``language``, cached like ``cached_label_of``."""
    chosen = set(values)
    return ", ".join(str(label) for value, label in Perspective.choices if value in chosen)


# --- Every activity the user may see in a year -------------------------------------------

ACTIVITY_FIELDS = (
    "pk",
    "goal__plan__body__name",
    "goal__plan__body__kind",
    "goal__position",
    "goal__title",
    "position",
    "title",
    "description",
    "responsible_unit",
    "starts_on",
    "ends_on",
    "status",
    "perspectives",
    "confidentiality",
    "goal__confidentiality",
)


def focus_area_names(activities: QuerySet[Activity]) -> dict[int, list[str]]:
    """Each activity's focus areas by name, for every activity of ``activities`` (one query)."""
    through = Activity.focus_areas.through
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(activity__in=activities.values("pk"))
        .order_by("focusarea__programme__first_year", "focusarea__position")
        .values_list("activity_id", "focusarea__number", "focusarea__title")
    )
    for activity_id, number, title in rows:
        names[activity_id].append(f"{number}. {title}" if number is not None else title)
    return names


def _activity_rows(activities: QuerySet[Activity]) -> list[list[Any]]:
    """``activities`` as the export's rows, body by body in Swedish order (two queries)."""
    focus_areas = focus_area_names(activities)
    rows = sorted(
        activities.order_by().values_list(*ACTIVITY_FIELDS),
        key=lambda row: (swedish_sort_key(row[1]), row[3], row[5], row[0]),
    )
    return [
        [
            body_name,
            label_of(BodyKind, kind),
            goal_title,
            title,
            plain_text(description),
            responsible_unit,
            starts_on,
            ends_on,
            label_of(ActivityStatus, status),
            "; ".join(focus_areas.get(pk, [])),
            perspective_text(perspectives),
            label_of(Confidentiality, strictest(level, goal_level)),
        ]
        for (
            pk,
            body_name,
            kind,
            _goal_position,
            goal_title,
            _position,
            title,
            description,
            responsible_unit,
            starts_on,
            ends_on,
            status,
            perspectives,
            level,
            goal_level,
        ) in rows
    ]


def activity_rows(user: access.AnyUser, year: int) -> list[list[Any]]:
    """Every activity of ``year`` the user may see, as the export's rows (two queries).

    SLK sees every body's; a member sees the bodies they belong to, and a reader none of
    the confidential ones (nor those under a confidential goal).
    """
    return _activity_rows(access.restrict(Activity.objects.filter(goal__plan__year=year), user))


def activity_headers() -> list[str]:
    """The activity sheet's column headers, in the active language."""
    return [
        _("Body"),
        _("Kind of body"),
        _("Goal"),
        _("Activity"),
        _("Description"),
        _("Responsible unit"),
        _("Start"),
        _("End"),
        _("Status"),
        _("Focus areas"),
        _("Perspectives considered"),
        _("Confidentiality"),
    ]


def activity_filename(year: int) -> str:
    """The file name of the activity export."""
    return _("activities-%(year)s.xlsx") % {"year": year}


def activity_workbook(user: access.AnyUser, year: int) -> bytes:
    """Every activity of ``year`` the user may see, as one sheet (two queries)."""
    title = _("Activities %(year)s") % {"year": year}
    workbook = new_workbook(title)
    sheet = add_sheet(workbook, title, activity_headers())
    for row in activity_rows(user, year):
        append_row(sheet, row)
    return workbook_bytes(workbook)


# --- One body's plan ---------------------------------------------------------------------


def plan_filename(plan: Plan) -> str:
    """The file name of a plan's export."""
    return _("plan-%(body)s-%(year)s.xlsx") % {"body": plan.body.slug, "year": plan.year}


def plan_workbook(user: access.AnyUser, plan: Plan) -> bytes:
    """A plan's goals, activities and indicators the user may see, a sheet each (five queries).

    ``plan`` has passed ``programme.access``; its records are restricted again here, so
    a reader of the body gets no confidential goal, nor anything under one.
    """
    title = _("Plan %(body)s %(year)s") % {"body": plan.body.name, "year": plan.year}
    workbook = new_workbook(title)
    goals = access.restrict(Goal.objects.filter(plan=plan), user)
    goal_focus_areas = goal_focus_area_names(goals)
    goal_sheet = add_sheet(
        workbook,
        _("Goals"),
        [_("Position"), _("Goal"), _("Description"), _("Focus areas"), _("Confidentiality")],
    )
    for pk, position, goal_title, description, level in goals.order_by(
        "position", "pk"
    ).values_list("pk", "position", "title", "description", "confidentiality"):
        append_row(
            goal_sheet,
            [
                position,
                goal_title,
                plain_text(description),
                "; ".join(goal_focus_areas.get(pk, [])),
                label_of(Confidentiality, level),
            ],
        )
    activity_sheet = add_sheet(workbook, _("Activities"), activity_headers())
    for row in _activity_rows(access.restrict(Activity.objects.filter(goal__plan=plan), user)):
        append_row(activity_sheet, row)
    indicators = access.restrict(Indicator.objects.filter(goal__plan=plan), user)
    indicator_sheet = add_sheet(
        workbook,
        _("Indicators"),
        [
            _("Goal"),
            _("Indicator"),
            _("Unit"),
            _("Direction"),
            _("Baseline"),
            _("Target"),
            _("Split by women and men"),
            _("Confidentiality"),
        ],
    )
    for (
        goal_title,
        name,
        unit,
        direction,
        baseline,
        target,
        by_sex,
        level,
        goal_level,
    ) in indicators.order_by("goal__position", "position", "pk").values_list(
        "goal__title",
        "name",
        "unit",
        "direction",
        "baseline",
        "target",
        "by_sex",
        "confidentiality",
        "goal__confidentiality",
    ):
        append_row(
            indicator_sheet,
            [
                goal_title,
                name,
                unit,
                label_of(IndicatorDirection, direction),
                excel_number(baseline),
                excel_number(target),
                _("Yes") if by_sex else _("No"),
                label_of(Confidentiality, strictest(level, goal_level)),
            ],
        )
    return workbook_bytes(workbook)


def goal_focus_area_names(goals: QuerySet[Goal]) -> dict[int, list[str]]:
    """Each goal's focus areas by name, for every goal of ``goals`` (one query)."""
    through = Goal.focus_areas.through
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(goal__in=goals.values("pk"))
        .order_by("focusarea__programme__first_year", "focusarea__position")
        .values_list("goal_id", "focusarea__number", "focusarea__title")
    )
    for goal_id, number, title in rows:
        names[goal_id].append(f"{number}. {title}" if number is not None else title)
    return names
