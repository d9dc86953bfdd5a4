"""A follow-up's snapshot as an Excel file, with only the rows its reader may see."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.text import capfirst
from django.utils.translation import gettext as _

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
    ActivityStatus,
    Body,
    FollowUp,
    Judgement,
)
from programme.queries.follow_ups import GoalSection


def follow_up_filename(body: Body, follow_up: FollowUp) -> str:
    """The file name of a follow-up's export."""
    return _("follow-up-%(body)s-%(year)s-%(period)s.xlsx") % {
        "body": body.slug,
        "year": follow_up.plan.year,
        "period": follow_up.period,
    }


def follow_up_workbook(body: Body, follow_up: FollowUp, sections: Sequence[GoalSection]) -> bytes:
    """A follow-up's judgements, activity reports and outcomes, a sheet each.

    ``sections`` come from ``queries.follow_ups.snapshot_sections``, which read through
    ``programme.access``: a row the user may not see is not among them.
    """
    title = _("%(period)s %(year)s %(body)s") % {
        "period": capfirst(follow_up.get_period_display()),
        "year": follow_up.plan.year,
        "body": body.name,
    }
    workbook = new_workbook(title)
    goal_sheet = add_sheet(
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
    activity_sheet = add_sheet(
        workbook, _("Activities"), [_("Goal"), _("Activity"), _("Status"), _("Comment")]
    )
    indicator_sheet = add_sheet(
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
        append_row(
            goal_sheet,
            [
                section.title,
                label_of(Judgement, judgement.judgement),
                plain_text(judgement.motivation),
                label_of(Judgement, judgement.slk_judgement) if judgement.slk_judgement else "",
                plain_text(judgement.slk_motivation),
            ],
        )
        for report in section.activities:
            append_row(
                activity_sheet,
                [
                    section.title,
                    report.title,
                    label_of(ActivityStatus, report.status),
                    plain_text(report.comment),
                ],
            )
        for outcome in section.indicators:
            append_row(
                indicator_sheet,
                [
                    section.title,
                    outcome.name,
                    outcome.unit,
                    excel_number(outcome.value),
                    excel_number(outcome.value_women),
                    excel_number(outcome.value_men),
                    plain_text(outcome.comment),
                ],
            )
    return workbook_bytes(workbook)
