"""The rows of the follow-up form, written in code: ``{% follow_up_rows part %}``.

A goal's part of the form repeats one small fieldset per activity and per indicator
(sixty and more in a large plan); written by template nodes, the loop and its tags cost
more than the fields themselves. This writes the same markup: the "Activities" and
"Indicators" headings, each row's legend, the note on an item new in the plan since the
draft began, the row's help and its fields through ``{% form_field %}``.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from programme.forms.follow_ups import ActivityFields, GoalFields, IndicatorFields
from programme.numbers import shown_number
from programme.templatetags.form_fields import form_field

register = template.Library()

NO_NUMBER = "–"


def new_item_note() -> SafeString:
    """The note on an item the plan gained since the follow-up was started."""
    return format_html(
        '<p class="follow-up-new">{}</p>',
        gettext(
            "New in the plan since the follow-up was started: it becomes part of the "
            "follow-up when you save."
        ),
    )


def _filled(translated: str, **values: str) -> SafeString:
    """A translated message with each value escaped into it (as blocktranslate does)."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    return mark_safe(translated % escaped)


def _activity_row(row: ActivityFields, mark_new: bool) -> SafeString:
    report = row.report
    parts = [format_html('<fieldset class="follow-up-row">\n<legend>{}</legend>', report.title)]
    if mark_new and not report.pk:
        parts.append(new_item_note())
    if report.responsible_unit:
        responsible = _filled(gettext("Responsible: %(unit)s"), unit=report.responsible_unit)
        parts.append(format_html('<p class="help">{}</p>', responsible))
    parts += [form_field(row.status), form_field(row.comment), mark_safe("</fieldset>")]
    return mark_safe("\n".join(parts))


def _indicator_row(row: IndicatorFields, mark_new: bool) -> SafeString:
    outcome = row.outcome
    unit = format_html(" ({})", outcome.unit) if outcome.unit else ""
    parts = [
        format_html('<fieldset class="follow-up-row">\n<legend>{}{}</legend>', outcome.name, unit)
    ]
    if mark_new and not outcome.pk:
        parts.append(new_item_note())
    help_text = _filled(
        gettext("Baseline %(baseline)s, target %(target)s; %(direction)s."),
        baseline=shown_number(outcome.baseline) or NO_NUMBER,
        target=shown_number(outcome.target) or NO_NUMBER,
        direction=outcome.get_direction_display(),
    )
    parts.append(format_html('<p class="help">{}</p>', help_text))
    numbers = [form_field(row.value)]
    numbers += [form_field(field) for field in (row.value_women, row.value_men) if field]
    parts += [
        format_html('<div class="follow-up-numbers">\n{}\n</div>', mark_safe("\n".join(numbers))),
        form_field(row.comment),
        mark_safe("</fieldset>"),
    ]
    return mark_safe("\n".join(parts))


@register.simple_tag
def follow_up_rows(part: GoalFields) -> SafeString:
    """A goal's activities and indicators, each a fieldset of its fields.

    A row new in the plan is marked as such unless its goal is new too (then the goal is
    marked once).
    """
    mark_new = part.section.judgement.pk is not None
    written = []
    if part.activities:
        written.append(format_html("<h3>{}</h3>", gettext("Activities")))
        written += [_activity_row(row, mark_new) for row in part.activities]
    if part.indicators:
        written.append(format_html("<h3>{}</h3>", gettext("Indicators")))
        written += [_indicator_row(row, mark_new) for row in part.indicators]
    return mark_safe("\n".join(written))
