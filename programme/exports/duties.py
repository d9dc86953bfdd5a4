"""The duty overview of a year as an Excel file."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programme.excel import add_sheet, append_row, label_of, new_workbook, workbook_bytes
from programme.models import (
    BodyKind,
    DutyKind,
)
from programme.queries.duties import OverviewRow as DutyOverviewRow


def duty_overview_filename(year: int) -> str:
    """The file name of the duty overview export."""
    return _("programme-duties-%(year)s.xlsx") % {"year": year}


def duty_overview_workbook(rows: Sequence[DutyOverviewRow], year: int) -> bytes:
    """SLK's duty overview (``programme.queries.duties.overview_for``) as a sheet (no query)."""
    title = _("Programme duties %(year)s") % {"year": year}
    workbook = new_workbook(title)
    sheet = add_sheet(
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
        append_row(
            sheet,
            [
                row.body.name,
                label_of(BodyKind, row.body.kind),
                *(
                    cell.record.get_status_display().capitalize()
                    if cell.record is not None
                    else _("Not reported")
                    for cell in row.cells
                ),
                row.met_count,
            ],
        )
    return workbook_bytes(workbook)
