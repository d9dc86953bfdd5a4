"""A round's compilation as an Excel file: every statement with SLK's disposition, one sheet.

SLK's file holds every statement of the compilation with its level; the published file
only the open ones, as the publication keeps them (``remiss.queries.publication``).
Both are written from rows already read through the access module, so writing them
runs no query.
"""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _

from programme.excel import (
    add_sheet,
    append_row,
    label_of,
    new_workbook,
    plain_text,
    workbook_bytes,
)
from programme.models import Confidentiality, stricter
from programme.queries.judgements import BodyGroup
from remiss.models import DispositionOutcome, Referral, Stance
from remiss.queries.compilation import StatementRow
from remiss.queries.publication import PublishedRow


def compilation_filename(referral: Referral, published: bool) -> str:
    """The file name of the compilation export."""
    name = slugify(referral.registration_number or referral.title)[:60] or str(referral.pk)
    if published:
        return _("referral-compilation-%(name)s-published.xlsx") % {"name": name}
    return _("referral-compilation-%(name)s.xlsx") % {"name": name}


def _headers() -> list[str]:
    return [
        _("Section"),
        _("Body"),
        _("Kind of body"),
        _("Stance"),
        _("Statement"),
        _("Disposition"),
        _("Reason"),
    ]


def compilation_workbook(referral: Referral, rows: list[StatementRow], full: bool) -> bytes:
    """The compilation as one sheet with a section column (no query).

    ``full`` (SLK's file) adds each statement's level; the published file holds open
    statements only, so it needs none.
    """
    title = _("Referral compilation")
    workbook = new_workbook(f"{title}: {referral}")
    headers = _headers()
    if full:
        headers.append(_("Level"))
    sheet = add_sheet(workbook, title, headers)
    for row in rows:
        disposition = row.disposition
        values = [
            row.section.heading,
            row.body.name,
            label_of(BodyGroup, row.group),
            label_of(Stance, row.statement.stance),
            plain_text(row.statement.text),
            label_of(DispositionOutcome, disposition.outcome) if disposition else "",
            disposition.reason if disposition else "",
        ]
        if full:
            values.append(
                label_of(
                    Confidentiality,
                    stricter(row.statement.confidentiality, row.statement.response.confidentiality),
                )
            )
        append_row(sheet, values)
    return workbook_bytes(workbook)


def published_workbook(referral: Referral, rows: list[PublishedRow]) -> bytes:
    """The published compilation's open statements as one sheet (no query)."""
    title = _("Referral compilation")
    workbook = new_workbook(f"{title}: {referral}")
    sheet = add_sheet(workbook, title, _headers())
    for row in rows:
        disposition = row.disposition
        append_row(
            sheet,
            [
                row.section.heading,
                row.body.name,
                label_of(BodyGroup, row.group),
                label_of(Stance, row.statement.stance),
                plain_text(row.statement.text),
                label_of(DispositionOutcome, disposition.outcome) if disposition else "",
                disposition.reason if disposition else "",
            ],
        )
    return workbook_bytes(workbook)
