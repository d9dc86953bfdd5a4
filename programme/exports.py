"""Excel exports (openpyxl) of the lists a user may see, with confidentiality applied.

Every export reads through ``programme.access`` exactly as its page does, so a row the
reader may not see never reaches the file, and the file says nothing about rows left
out. The rows are fetched with ``values_list`` in a fixed number of queries and written
by a write-only workbook, which streams rows instead of building a cell object for each:
the city's activities of a year (thousands of rows) take well under a second.

Headers follow the active language (Swedish in the product); dates are written as dates
and numbers as numbers, so the sheet sorts and sums as a reader expects.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from programme import access
from programme.duties import OverviewRow as DutyOverviewRow
from programme.follow_up_pages import GoalSection
from programme.models import (
    Activity,
    ActivityStatus,
    Body,
    BodyKind,
    Confidentiality,
    DutyKind,
    FollowUp,
    Goal,
    Indicator,
    IndicatorDirection,
    Judgement,
    Perspective,
    Plan,
)
from programme.overview import OverviewPage
from programme.queries import swedish_sort_key

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a sheet title may not hold, and its longest length.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_TITLE_LENGTH = 31
_BOLD = Font(bold=True)
_TAG = re.compile(r"<[^>]*>")
# Strictness of the levels, to give a row the strictest of its own and its parents'.
_STRICTNESS: dict[str, int] = {
    Confidentiality.OPEN: 0,
    Confidentiality.INTERNAL: 1,
    Confidentiality.CONFIDENTIAL: 2,
}


# --- Writing a workbook --------------------------------------------------------------------


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An attachment the browser saves as ``filename``, never kept in any cache."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sheet_title(text: str) -> str:
    """``text`` as Excel accepts a sheet's title: no ``[]:*?/\\``, at most 31 characters."""
    return _SHEET_TITLE_FORBIDDEN.sub("-", text)[:_SHEET_TITLE_LENGTH]


def plain_text(value: str) -> str:
    """Rich text as one plain line of text: tags dropped, entities read, spaces joined.

    Rich text is cleaned by nh3 before it is stored, so its tags are well formed and a
    pattern finds them; a cell is not HTML, so nothing here needs escaping again.
    """
    if not value:
        return ""
    if "<" in value:
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())


def _new_workbook(title: str) -> Workbook:
    """A write-only workbook whose properties carry ``title``."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    workbook.properties.creator = _("City of Stockholm safety and security programmes")
    return workbook


def _add_sheet(workbook: Workbook, title: str, headers: Sequence[str]) -> WriteOnlyWorksheet:
    """A sheet with ``title`` and a bold header row that stays in view when scrolling."""
    sheet: WriteOnlyWorksheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value as the sheet should hold it: dates as dates, text never as a formula.

    openpyxl gives a plain date or naive datetime a date format itself; a plain value
    costs far less than a cell object, which only text that looks like a formula needs.
    """
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith("="):
        # Typed text that looks like a formula stays text: nothing a user wrote runs.
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _append(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Write one row, each value as the sheet should hold it."""
    sheet.append([_cell(sheet, value) for value in values])


def _save(workbook: Workbook) -> bytes:
    """The finished workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A stored choice in words, capitalised; unknown values as they are."""
    return _choice_label(choices, value, get_language())


@functools.lru_cache(maxsize=256)
def _choice_label(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    """``_label`` in ``language``, cached: it is asked for once per row, thousands of times."""
    try:
        return capfirst(str(choices(value).label))
    except ValueError:
        return value


def _strictest(*levels: str) -> str:
    """The strictest of a row's own level and its parents'."""
    return max(levels, key=lambda level: _STRICTNESS.get(level, 0))


def _perspectives(values: list[str] | None) -> str:
    """The perspectives considered, in the programme's order and the active language."""
    return _perspective_labels(tuple(values or ()), get_language())


@functools.lru_cache(maxsize=64)
def _perspective_labels(values: tuple[str, ...], language: str | None) -> str:
    """``_perspectives`` in ``language``, cached like ``_choice_label``."""
    chosen = set(values)
    return ", ".join(str(label) for value, label in Perspective.choices if value in chosen)


def _number(value: Decimal | None) -> Decimal | int | None:
    """A stored decimal as a number, without trailing decimals where it is whole."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


# --- SLK's follow-up overview ------------------------------------------------------------


def overview_filename(year: int, period: str) -> str:
    """The file name of the overview export."""
    return _("follow-up-%(year)s-%(period)s.xlsx") % {"year": year, "period": period}


def overview_workbook(page: OverviewPage) -> bytes:
    """The overview's list of bodies as a sheet, filtered as the page was (no query)."""
    title = _("Follow-up %(period)s %(year)s") % {
        "period": page.period.label,
        "year": page.year,
    }
    workbook = _new_workbook(title)
    sheet = _add_sheet(
        workbook,
        title,
        [
            _("Body"),
            _("Kind of body"),
            _("State"),
            _("Workflow state"),
            _("Overdue"),
            _("Submitted"),
            _("Deadline"),
        ],
    )
    for row in page.rows:
        _append(
            sheet,
            [
                row.body.name,
                _label(BodyKind, row.body.kind),
                capfirst(str(row.state.label)),
                capfirst(row.workflow_label),
                _("Yes") if row.overdue else _("No"),
                row.submitted_at,
                page.deadline,
            ],
        )
    return _save(workbook)


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


def _focus_area_names(activities: QuerySet[Activity]) -> dict[int, list[str]]:
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
    focus_areas = _focus_area_names(activities)
    rows = sorted(
        activities.order_by().values_list(*ACTIVITY_FIELDS),
        key=lambda row: (swedish_sort_key(row[1]), row[3], row[5], row[0]),
    )
    return [
        [
            body_name,
            _label(BodyKind, kind),
            goal_title,
            title,
            plain_text(description),
            responsible_unit,
            starts_on,
            ends_on,
            _label(ActivityStatus, status),
            "; ".join(focus_areas.get(pk, [])),
            _perspectives(perspectives),
            _label(Confidentiality, _strictest(level, goal_level)),
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
    workbook = _new_workbook(title)
    sheet = _add_sheet(workbook, title, activity_headers())
    for row in activity_rows(user, year):
        _append(sheet, row)
    return _save(workbook)


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
    workbook = _new_workbook(title)
    goals = access.restrict(Goal.objects.filter(plan=plan), user)
    goal_focus_areas = _goal_focus_area_names(goals)
    goal_sheet = _add_sheet(
        workbook,
        _("Goals"),
        [_("Position"), _("Goal"), _("Description"), _("Focus areas"), _("Confidentiality")],
    )
    for pk, position, goal_title, description, level in goals.order_by(
        "position", "pk"
    ).values_list("pk", "position", "title", "description", "confidentiality"):
        _append(
            goal_sheet,
            [
                position,
                goal_title,
                plain_text(description),
                "; ".join(goal_focus_areas.get(pk, [])),
                _label(Confidentiality, level),
            ],
        )
    activity_sheet = _add_sheet(workbook, _("Activities"), activity_headers())
    for row in _activity_rows(access.restrict(Activity.objects.filter(goal__plan=plan), user)):
        _append(activity_sheet, row)
    indicators = access.restrict(Indicator.objects.filter(goal__plan=plan), user)
    indicator_sheet = _add_sheet(
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
        _append(
            indicator_sheet,
            [
                goal_title,
                name,
                unit,
                _label(IndicatorDirection, direction),
                _number(baseline),
                _number(target),
                _("Yes") if by_sex else _("No"),
                _label(Confidentiality, _strictest(level, goal_level)),
            ],
        )
    return _save(workbook)


def follow_up_filename(body: Body, follow_up: FollowUp) -> str:
    """The file name of a follow-up's export."""
    return _("follow-up-%(body)s-%(year)s-%(period)s.xlsx") % {
        "body": body.slug,
        "year": follow_up.plan.year,
        "period": follow_up.period,
    }


def follow_up_workbook(body: Body, follow_up: FollowUp, sections: Sequence[GoalSection]) -> bytes:
    """A follow-up's judgements, activity reports and outcomes, a sheet each.

    ``sections`` come from ``follow_up_pages.snapshot_sections``, which read through
    ``programme.access``: a row the user may not see is not among them.
    """
    title = _("%(period)s %(year)s %(body)s") % {
        "period": capfirst(follow_up.get_period_display()),
        "year": follow_up.plan.year,
        "body": body.name,
    }
    workbook = _new_workbook(title)
    goal_sheet = _add_sheet(
        workbook,
        _("Goals"),
        [
            _("Goal"),
            _("The body's judgement"),
            _("Motivation"),
            _("SLK's judgement"),
            _("SLK's motivation"),
        ],
    )
    activity_sheet = _add_sheet(
        workbook, _("Activities"), [_("Goal"), _("Activity"), _("Status"), _("Comment")]
    )
    indicator_sheet = _add_sheet(
        workbook,
        _("Indicators"),
        [
            _("Goal"),
            _("Indicator"),
            _("Unit"),
            _("Outcome"),
            _("Outcome for women"),
            _("Outcome for men"),
            _("Comment"),
        ],
    )
    for section in sections:
        judgement = section.judgement
        _append(
            goal_sheet,
            [
                section.goal.title,
                _label(Judgement, judgement.judgement),
                plain_text(judgement.motivation),
                _label(Judgement, judgement.slk_judgement) if judgement.slk_judgement else "",
                plain_text(judgement.slk_motivation),
            ],
        )
        for report in section.activities:
            _append(
                activity_sheet,
                [
                    section.goal.title,
                    report.activity.title,
                    _label(ActivityStatus, report.status),
                    plain_text(report.comment),
                ],
            )
        for outcome in section.indicators:
            _append(
                indicator_sheet,
                [
                    section.goal.title,
                    outcome.indicator.name,
                    outcome.indicator.unit,
                    _number(outcome.value),
                    _number(outcome.value_women),
                    _number(outcome.value_men),
                    plain_text(outcome.comment),
                ],
            )
    return _save(workbook)


def _goal_focus_area_names(goals: QuerySet[Goal]) -> dict[int, list[str]]:
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


# --- SLK's duty overview -----------------------------------------------------------------


def duty_overview_filename(year: int) -> str:
    """The file name of the duty overview export."""
    return _("programme-duties-%(year)s.xlsx") % {"year": year}


def duty_overview_workbook(rows: Sequence[DutyOverviewRow], year: int) -> bytes:
    """SLK's duty overview (``programme.duties.overview_for``) as a sheet (no query)."""
    title = _("Programme duties %(year)s") % {"year": year}
    workbook = _new_workbook(title)
    sheet = _add_sheet(
        workbook,
        title,
        [
            _("Body"),
            _("Kind of body"),
            *(capfirst(str(kind.label)) for kind in DutyKind),
            _("Duties met"),
        ],
    )
    for row in rows:
        _append(
            sheet,
            [
                row.body.name,
                _label(BodyKind, row.body.kind),
                *(
                    cell.record.get_status_display().capitalize()
                    if cell.record is not None
                    else _("Not reported")
                    for cell in row.cells
                ),
                row.met_count,
            ],
        )
    return _save(workbook)
