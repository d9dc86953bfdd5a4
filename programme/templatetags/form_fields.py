"""One form field with its label, help and errors, written in code.

Each field of the long forms (a follow-up has about ninety) was written through an
included template, which costs more than the field itself. ``{% form_field field %}``
writes the same: a labelled box, or a fieldset with a legend for a list of radio buttons
or check boxes, each beside its own label; the help text and the errors are named in the
widget's ``aria-describedby`` (``programme.forms``).
"""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CHOICE_WIDGETS = frozenset({"radioselect", "checkboxselectmultiple"})


def _help_and_errors(field: forms.BoundField) -> SafeString:
    parts = []
    if field.help_text:
        parts.append(
            format_html('<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text)
        )
    if field.errors:
        parts.append(
            format_html(
                '<div class="field-error" id="{}_error">{}</div>',
                field.auto_id,
                format_html_join("", "<p>{}</p>", ((error,) for error in field.errors)),
            )
        )
    return mark_safe("\n".join(parts))


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    """The field as the forms show it: label or legend, help, errors, then the widget."""
    invalid = " form-field-invalid" if field.errors else ""
    if field.widget_type in CHOICE_WIDGETS:
        described = (f"{field.auto_id}_helptext" if field.help_text else "") + (
            f" {field.auto_id}_error" if field.errors else ""
        )
        describedby = format_html(' aria-describedby="{}"', described) if described else ""
        choices = format_html_join(
            "",
            '<div class="choice">{}<label for="{}">{}</label></div>',
            ((option.tag(), option.id_for_label, option.choice_label) for option in field),
        )
        return format_html(
            '<fieldset class="form-field form-choices{}"{}>\n<legend>{}</legend>\n{}\n{}\n'
            "</fieldset>",
            invalid,
            describedby,
            field.label,
            _help_and_errors(field),
            choices,
        )
    return format_html(
        '<div class="form-field{}">\n<label for="{}">{}</label>\n{}\n{}\n</div>',
        invalid,
        field.id_for_label,
        field.label,
        _help_and_errors(field),
        field.as_widget(),
    )
