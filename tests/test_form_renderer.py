"""The widgets written in code write exactly what Django's widget templates write."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from config.form_renderer import INPUT_TEMPLATES, SELECT_TEMPLATE, TEXTAREA_TEMPLATE, FormRenderer

WIDGETS: list[forms.Widget] = [
    forms.TextInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.FileInput(),
    forms.CheckboxInput(),
    forms.Textarea(),
    forms.Select(choices=[("", "–"), ("a", 'Ett <1> & "två"'), (3, "Tre"), ("b", "Två")]),
    forms.Select(
        choices=[
            ("Grupp <1>", [("a", "A"), ("b", "B")]),
            ("c", "Utan grupp"),
            ("Grupp 2", [(Decimal("1.5"), "En och en halv")]),
        ]
    ),
    forms.SelectMultiple(choices=[("a", "A"), ("b", "B & C")]),
    forms.NullBooleanSelect(),
]
VALUES: list[Any] = [
    None,
    "a",
    ["a", "b"],
    "3",
    Decimal("1.5"),
    "true",
    "",
    "Trygghet & säkerhet <i>\"citat\"</i> 'enkla'",
    mark_safe("<b>redan säker</b>"),
    0,
    42,
    Decimal("62.5"),
    datetime.date(2027, 5, 1),
    True,
    False,
]
ATTRS: list[dict[str, Any]] = [
    {},
    {
        "id": "id_fält",
        "required": True,
        "disabled": False,
        "aria-describedby": "hjälp fel",
        "data-x": '"q" & <r>',
        "step": Decimal("0.01"),
    },
]


def test_every_template_written_in_code_is_tested_here():
    tested = {widget.template_name for widget in WIDGETS}
    written = (set(INPUT_TEMPLATES) - {"django/forms/widgets/input.html"}) | {
        TEXTAREA_TEMPLATE,
        SELECT_TEMPLATE,
    }

    assert tested == written


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("attrs", ATTRS, ids=["no-attrs", "attrs"])
def test_the_code_writes_what_the_template_writes(widget: forms.Widget, attrs: dict[str, Any]):
    fast, templates = FormRenderer(), DjangoTemplates()
    for value in VALUES:
        try:
            expected = widget.render("fält", value, attrs=attrs, renderer=templates)
        except TypeError:  # a value the widget itself refuses (a list for a yes/no)
            with pytest.raises(TypeError):
                widget.render("fält", value, attrs=attrs, renderer=fast)
            continue
        written = widget.render("fält", value, attrs=attrs, renderer=fast)
        assert written == expected, (value, attrs)


def test_other_widgets_still_go_through_their_templates():
    radios = forms.RadioSelect(choices=[("a", "Ett <1>"), ("b", "Två")])
    fast, templates = FormRenderer(), DjangoTemplates()

    assert radios.render("val", "b", renderer=fast) == radios.render("val", "b", renderer=templates)
    assert 'type="radio"' in radios.render("val", "b", renderer=fast)
