"""Excel files: write-only workbooks with a bold header row and plain values, as downloads."""

from __future__ import annotations

import datetime
import functools
import html
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
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

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Characters a sheet title may not hold, and its longest length.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


_SHEET_TITLE_LENGTH = 31


BOLD = Font(bold=True)


TAG = re.compile(r"<[^>]*>")


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
        value = TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())


def new_workbook(title: str) -> Workbook:
    """A write-only workbook whose properties carry ``title``."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    workbook.properties.creator = _("City of Stockholm safety and security programmes")
    return workbook


def add_sheet(workbook: Workbook, title: str, headers: Sequence[str]) -> WriteOnlyWorksheet:
    """A sheet with ``title`` and a bold header row that stays in view when scrolling."""
    sheet: WriteOnlyWorksheet = workbook.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet


def excel_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
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


def append_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Write one row, each value as the sheet should hold it."""
    sheet.append([excel_cell(sheet, value) for value in values])


def workbook_bytes(workbook: Workbook) -> bytes:
    """The finished workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def label_of(choices: type[models.TextChoices], value: str) -> str:
    """A stored choice in words, capitalised; unknown values as they are."""
    return cached_label_of(choices, value, get_language())


@functools.lru_cache(maxsize=256)
def cached_label_of(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    """``label_of`` in ``language``, cached: it is asked for once per row, thousands of times."""
    try:
        return capfirst(str(choices(value).label))
    except ValueError:
        return value


def excel_number(value: Decimal | None) -> Decimal | int | None:
    """A stored decimal as a number, without trailing decimals where it is whole."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value
