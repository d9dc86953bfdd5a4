"""One form field with its label, help and errors, written in code.

Each field of the long forms (a follow-up has about ninety) was written through an
included template, which costs more than the field itself. ``{% form_field field %}``
writes the same: a labelled box, or a fieldset with a legend for a list of radio buttons
or check boxes, each beside its own label; the help text and the errors are named in the
widget's ``aria-describedby`` (``programme.forms``).

A field of a form not yet filled in is written once per process for each set of the
things its text depends on (``_written_key``) and taken from memory after that: a
follow-up's form repeats the same few fields, each with its own name and value, on every
row, and the widgets of Django cost most of the page's time.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from collections.abc import Hashable
from decimal import Decimal
from threading import Lock
from typing import Any

from django import forms, template
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

from programme.rich_text import RichTextarea

register = template.Library()

CHOICE_WIDGETS = frozenset({"radioselect", "checkboxselectmultiple"})

# The widgets whose text depends only on what ``_written_key`` holds: Django's plain
# ones and the rich text area (whose editor settings follow the language).
KEPT_WIDGETS: frozenset[type[forms.Widget]] = frozenset(
    {
        forms.TextInput,
        forms.NumberInput,
        forms.EmailInput,
        forms.DateInput,
        forms.HiddenInput,
        forms.Textarea,
        forms.Select,
        RichTextarea,
    }
)
# The classes of the lazy texts of gettext_lazy and pgettext_lazy, and of capfirst of
# one (a model field's label in a form): their words depend only on their arguments and
# the active language.
_ANY = ""  # passed as a name, so makemessages has nothing to collect
TRANSLATION_PROXIES: frozenset[type] = frozenset(
    {
        type(gettext_lazy(_ANY)),
        type(pgettext_lazy(_ANY, _ANY)),
        type(capfirst(gettext_lazy(_ANY))),
    }
)
KEPT_FIELDS = 4096
_written: OrderedDict[Hashable, SafeString] = OrderedDict()
_written_lock = Lock()


# The kinds of value that are part of a key as they are (their exact types, the common
# case; a subclass of one of them takes the longer way below).
_PLAIN = (bool, int, float, str, Decimal, datetime.date, datetime.time)
_PLAIN_TYPES = frozenset({*_PLAIN, type(None)})


def _frozen(value: Any) -> Hashable | None:
    """``value`` as part of a key (texts by their words in the active language), or None."""
    kind = type(value)
    if kind is str:
        return (str, value)
    if kind in _PLAIN_TYPES:
        # By its text: values that are equal may be written differently (1.0 and 1.00,
        # one moment in two time zones).
        return (kind, str(value))
    if kind is tuple or kind is list:
        parts = []
        for item in value:
            part = _frozen(item)
            if part is None:
                return None
            parts.append(part)
        return (kind, tuple(parts))
    if kind in TRANSLATION_PROXIES:
        # A lazy translation's words follow from its message (the language is in the
        # key): no need to translate it to know whether the text is the same.
        arguments = _frozen(value._args)
        if arguments is not None and not value._kw:
            return (kind, arguments)
        return ("lazy", str(value))
    if isinstance(value, _PLAIN):  # datetime.datetime among them
        return (kind, str(value))
    if isinstance(value, list | tuple):
        return _frozen(list(value))
    if isinstance(value, dict):
        items = tuple((str(name), _frozen(item)) for name, item in value.items())
        return None if any(item is None for _name, item in items) else items
    if isinstance(value, Promise):  # another lazy text: by what it says now
        return ("lazy", str(value))
    return None


def _written_key(field: forms.BoundField) -> Hashable | None:
    """Everything the field's text depends on, or None when it may depend on more.

    Only a field of a form that is not bound (so without errors) and of a widget of
    ``KEPT_WIDGETS`` is kept: its text is then made of its name, id, label and help,
    its value, its widget's class, attributes (the field's own, as ``maxlength``, among
    them since the field was made) and choices, whether it is required or disabled, and
    the active language.
    """
    form = field.form
    definition = field.field
    widget = definition.widget
    if form.is_bound or form._errors or type(widget) not in KEPT_WIDGETS:  # type: ignore[attr-defined]
        return None
    if definition.show_hidden_initial or definition.localize or widget.is_localized:
        return None
    parts = (
        _frozen(field.value()),
        _frozen(widget.attrs),
        _frozen(getattr(widget, "choices", None)),
        _frozen(field.label),
        _frozen(field.help_text),
    )
    if None in parts:
        return None
    return (
        type(definition),
        type(widget),
        field.html_name,
        field.auto_id,
        definition.required,
        definition.disabled,
        form.use_required_attribute,
        get_language(),
        parts,
    )


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
    key = _written_key(field)
    if key is None:
        return written_field(field)
    with _written_lock:
        text = _written.get(key)
        if text is not None:
            _written.move_to_end(key)
            return text
    text = written_field(field)
    with _written_lock:
        _written[key] = text
        while len(_written) > KEPT_FIELDS:
            _written.popitem(last=False)
    return text


def written_field(field: forms.BoundField) -> SafeString:
    """The field written out (what ``form_field`` keeps)."""
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
