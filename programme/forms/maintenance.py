"""Forms of SLK's maintenance pages: programme versions, focus areas, bodies and merges.

The forms parse and check the input; the rules that change data live in
``programme.services.maintenance``, which the views call with the cleaned data.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import SeenVersionForm
from programme.history_display import written_date
from programme.models import Body, BodyKind, FocusArea, GoalArea, Programme
from programme.services.maintenance import (
    BODY_FIELDS,
    FOCUS_AREA_FIELDS,
    MERGED_BODY_FIELDS,
    PROGRAMME_FIELDS,
    parse_goal_areas,
)
from programme.sorting import swedish_sort_key


class DateInput(forms.DateInput):
    """The browser's own date picker; the value is sent as 2024-01-31 in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ProgrammeChoiceField(forms.ModelChoiceField[Programme]):
    """A programme version, shown with its years."""

    def label_from_instance(self, obj: Programme) -> str:
        return f"{obj.name} ({obj.period_label})"


class BodyChoiceField(forms.ModelMultipleChoiceField[Body]):
    """Bodies as check boxes, former ones with the day they ended."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Body) -> str:
        if obj.valid_to is not None:
            return str(
                _("%(name)s (ended %(day)s)")
                % {"name": obj.name, "day": written_date(obj.valid_to)}
            )
        return obj.name


def _bodies_in_swedish_order(bodies: forms.ModelMultipleChoiceField[Body]) -> None:
    """Order a body field's choices as the body list does: by name, in Swedish."""
    queryset = bodies.queryset
    assert queryset is not None
    ordered = sorted(queryset, key=lambda body: swedish_sort_key(body.name))
    bodies.choices = [(body.pk, bodies.label_from_instance(body)) for body in ordered]


class ProgrammeForm(SeenVersionForm[Programme]):
    """A programme version's facts and its goal areas, one per line."""

    goal_areas = forms.CharField(
        label=_("Goal areas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One goal area per line, in order. Changing a line renames that goal area and "
            "keeps the focus areas linked to it; removing a line removes the goal area and "
            "its links."
        ),
    )

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        field_classes = {"supersedes": ProgrammeChoiceField}
        widgets = {
            "adopted_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supersedes = self.fields["supersedes"]
        assert isinstance(supersedes, ProgrammeChoiceField)
        others = Programme.objects.order_by("first_year", "name")
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
            if not self.is_bound:
                names = self.instance.goal_areas.order_by("position").values_list("name", flat=True)
                self.initial["goal_areas"] = "\n".join(names)
        supersedes.queryset = others

    def clean(self) -> dict[str, Any]:
        """Tie the model's rules across fields to the field that breaks them."""
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first is not None and not 1900 <= first <= 2200:
            self.add_error("first_year", _("The first year must be between 1900 and 2200."))
        elif first is not None and last is not None and last < first:
            self.add_error("last_year", _("The last year cannot come before the first year."))
        if cleaned.get("adopted_on") and cleaned.get("adopted_year") is not None:
            self.add_error("adopted_year", _("Give either the adoption date or the adoption year."))
        return cleaned

    def goal_area_names(self) -> list[str]:
        """The goal areas as a list of names, after validation."""
        return parse_goal_areas(self.cleaned_data.get("goal_areas", ""))


class FocusAreaForm(SeenVersionForm[FocusArea]):
    """A focus area with its goals, working methods and the goal areas it serves."""

    class Meta:
        model = FocusArea
        fields = (*FOCUS_AREA_FIELDS, "goal_areas")
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "goals": forms.Textarea(attrs={"rows": 6}),
            "working_methods": forms.Textarea(attrs={"rows": 6}),
            "goal_areas": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "position": _("Where the focus area comes on the version's page; empty puts it last."),
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        goal_areas = self.fields["goal_areas"]
        assert isinstance(goal_areas, forms.ModelMultipleChoiceField)
        # Only the goal areas of this version can be chosen.
        goal_areas.queryset = GoalArea.objects.filter(programme=programme).order_by("position")


class BodyForm(SeenVersionForm[Body]):
    """A body's facts and the bodies it replaced."""

    class Meta:
        model = Body
        fields = (*BODY_FIELDS, "predecessors")
        field_classes = {"predecessors": BodyChoiceField}
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        help_texts = {
            "predecessors": _("The bodies this body replaced through a merger or rename."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        predecessors = self.fields["predecessors"]
        assert isinstance(predecessors, BodyChoiceField)
        others = Body.objects.all()
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        predecessors.queryset = others
        _bodies_in_swedish_order(predecessors)

    def clean(self) -> dict[str, Any]:
        """Tie the model's rule on the dates to the end date."""
        cleaned = super().clean() or {}
        begins, ends = cleaned.get("valid_from"), cleaned.get("valid_to")
        if begins is not None and ends is not None and ends < begins:
            self.add_error("valid_to", _("A body cannot end before it begins."))
        return cleaned


class MergeForm(forms.Form):
    """Two or more bodies, the merge date and the new body that takes their place."""

    bodies = BodyChoiceField(
        label=_("Bodies to merge"),
        queryset=Body.objects.all(),
        help_text=_("Choose two or more bodies that exist on the merge date."),
    )
    date = forms.DateField(
        label=_("Merge date"),
        widget=DateInput(),
        help_text=_("The first day of the new body; each merged body ends the day before."),
    )
    kind = forms.ChoiceField(label=_("Kind of the new body"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name of the new body"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, for example hagersten-alvsjo."),
    )
    administration_name = forms.CharField(
        label=_("Administration"),
        max_length=200,
        required=False,
        help_text=_("The administration (förvaltning) that serves the committee."),
    )

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bodies"]
        assert isinstance(field, BodyChoiceField)
        if bodies is not None:
            field.queryset = bodies
        _bodies_in_swedish_order(field)

    def new_body_values(self) -> dict[str, Any]:
        """The new body's fields, after validation."""
        return {name: self.cleaned_data[name] for name in MERGED_BODY_FIELDS}
