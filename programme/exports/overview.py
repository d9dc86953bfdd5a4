"""SLK's follow-up overview of a period as an Excel file."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programme.excel import add_sheet, append_row, label_of, new_workbook, workbook_bytes
from programme.models import (
    BodyKind,
)
from programme.queries.overview import OverviewPage


def overview_filename(year: int, period: str) -> str:
    """The file name of the overview export."""
    return _("follow-up-%(year)s-%(period)s.xlsx") % {"year": year, "period": period}


def overview_workbook(page: OverviewPage) -> bytes:
    """The overview's list of bodies as a sheet, filtered as the page was (no query)."""
    title = _("Follow-up %(period)s %(year)s") % {
        "period": page.period.label,
        "year": page.year,
    }
    workbook = new_workbook(title)
    sheet = add_sheet(
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
        append_row(
            sheet,
            [
                row.body.name,
                label_of(BodyKind, row.body.kind),
                capfirst(str(row.state.label)),
                capfirst(row.workflow_label),
                _("Yes") if row.overdue else _("No"),
                row.submitted_at,
                page.deadline,
            ],
        )
    return workbook_bytes(workbook)
