# ruff: noqa: E501 (the reference template keeps its own long lines)
"""``{% form_field %}`` writes what the field template it replaced wrote: the label or
legend, help, errors and widget, each choice beside its own label."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template

# The field template as it was, kept here as the reference the tag is held to.
REFERENCE = """{% if field.widget_type == "radioselect" or field.widget_type == "checkboxselectmultiple" %}
<fieldset class="form-field form-choices{% if field.errors %} form-field-invalid{% endif %}"{% if field.help_text or field.errors %} aria-describedby="{% if field.help_text %}{{ field.auto_id }}_helptext{% endif %}{% if field.errors %} {{ field.auto_id }}_error{% endif %}"{% endif %}>
  <legend>{{ field.label }}</legend>
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}
    <div class="field-error" id="{{ field.auto_id }}_error">
      {% for error in field.errors %}<p>{{ error }}</p>{% endfor %}
    </div>
  {% endif %}
  {# Each box or button beside its own label, the group named by the legend. #}
  {% for option in field %}<div class="choice">{{ option.tag }}<label for="{{ option.id_for_label }}">{{ option.choice_label }}</label></div>{% endfor %}
</fieldset>
{% else %}
<div class="form-field{% if field.errors %} form-field-invalid{% endif %}">
  <label for="{{ field.id_for_label }}">{{ field.label }}</label>
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}
    {# The id is the one Django's widgets name in aria-describedby. #}
    <div class="field-error" id="{{ field.auto_id }}_error">
      {% for error in field.errors %}<p>{{ error }}</p>{% endfor %}
    </div>
  {% endif %}
  {{ field }}
</div>
{% endif %}
"""


class Example(forms.Form):
    title = forms.CharField(label="Titel <1>", help_text="Kort & tydlig.")
    count = forms.IntegerField(label="Antal")
    note = forms.CharField(label="Anteckning", widget=forms.Textarea, required=False)
    level = forms.ChoiceField(
        label="Nivå",
        choices=[("open", "Öppen"), ("internal", "Intern & känslig")],
        widget=forms.RadioSelect,
        help_text="Välj en.",
    )
    areas = forms.MultipleChoiceField(
        label="Fokusområden",
        choices=[("1", "Ett"), ("2", "Två")],
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label="Slag", choices=[("a", "A"), ("b", "B")])


def normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def test_every_kind_of_field_is_written_as_the_template_wrote_it():
    bound = Example(
        {"title": "", "count": "x", "level": "nej", "areas": ["3"], "kind": "a", "note": "<b>"}
    )
    assert not bound.is_valid()
    for form in (Example(), bound):
        for field in form:
            expected = Template(REFERENCE).render(Context({"field": field}))
            written = Template("{% load form_fields %}{% form_field field %}").render(
                Context({"field": field})
            )
            assert normalised(written) == normalised(expected), field.name
    assert "field-error" in Template("{% load form_fields %}{% form_field f %}").render(
        Context({"f": bound["level"]})
    )
