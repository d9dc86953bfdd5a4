"""Forms of the plan pages: a goal, an activity, an indicator, and a deletion to confirm.

Each form carries the version of the record it was opened at in a hidden field, so a
save over someone else's newer change is refused (``programme.locking``). The rules
are checked by the services in ``programme.services.plan_records``; the forms only parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.forms.duties import DateInput
from programme.models import (
    ActivityStatus,
    Confidentiality,
    FocusArea,
    IndicatorDirection,
    Perspective,
)
from programme.numbers import NumberField
from programme.queries.plans import PlanFilter
from programme.rich_text import RichTextarea
from programme.services.plan_records import ACTIVITY_FIELDS, GOAL_FIELDS, INDICATOR_FIELDS


def _capitalised(choices: type[models.TextChoices]) -> list[tuple[str, Any]]:
    """A choice list whose labels start with a capital letter, as the form shows them."""
    return [(value, capfirst(label)) for value, label in choices.choices]


CONFIDENTIALITY_HELP = _(
    "Open: may appear in general reports. Internal: the body's members and SLK. "
    "Confidential: the body's administrators and SLK reviewers only."
)


class VersionedForm(forms.Form):
    """A form for a record two people may edit at once: it names the version it saw."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        """Refuse a form that lost its version: without it a save could overwrite silently."""
        cleaned = super().clean() or {}
        if self.is_bound and cleaned.get("version") is None and "version" in self.fields:
            self.add_error(
                None,
                _("The form is missing the version it was opened at. Open the page again."),
            )
        return cleaned


class FocusAreaForm(VersionedForm):
    """A record with focus areas, offered grouped by programme version."""

    focus_areas = forms.TypedMultipleChoiceField(
        label=_("Focus areas"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The focus areas of the programme versions in force in the plan's year."),
    )

    def __init__(self, *args: Any, focus_areas: Sequence[FocusArea], **kwargs: Any) -> None:
        """Offer ``focus_areas`` (the ones in force, and any the record keeps)."""
        super().__init__(*args, **kwargs)
        self._programmes = {area.pk: area.programme.name for area in focus_areas}
        field = self.fields["focus_areas"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(area.pk, str(area)) for area in focus_areas]

    def focus_area_groups(self) -> list[tuple[str, list[Any]]]:
        """The focus area checkboxes grouped by the programme version they belong to."""
        groups: dict[str, list[Any]] = {}
        for option in self["focus_areas"]:
            name = self._programmes.get(int(option.data["value"]), "")
            groups.setdefault(name, []).append(option)
        return list(groups.items())


class GoalForm(FocusAreaForm):
    """A goal of the body (nämndmål)."""

    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=RichTextarea(attrs={"rows": 5})
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=_capitalised(Confidentiality),
        initial=Confidentiality.OPEN,
        help_text=CONFIDENTIALITY_HELP,
    )

    field_order = list(GOAL_FIELDS)


class ActivityForm(FocusAreaForm):
    """An activity under a goal: what, who, when, how far, and what it considers."""

    title = forms.CharField(label=_("Activity"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=RichTextarea(attrs={"rows": 5})
    )
    responsible_unit = forms.CharField(label=_("Responsible unit"), max_length=200, required=False)
    starts_on = forms.DateField(
        label=_("Start"), required=False, widget=DateInput(), input_formats=["%Y-%m-%d"]
    )
    ends_on = forms.DateField(
        label=_("End"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text=_("Not before the start."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_capitalised(ActivityStatus), initial=ActivityStatus.PLANNED
    )
    perspectives = forms.MultipleChoiceField(
        label=_("Perspectives considered"),
        required=False,
        choices=_capitalised(Perspective),
        widget=forms.CheckboxSelectMultiple,
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=_capitalised(Confidentiality),
        initial=Confidentiality.OPEN,
        help_text=CONFIDENTIALITY_HELP,
    )

    field_order = list(ACTIVITY_FIELDS)


class IndicatorForm(FocusAreaForm):
    """An indicator of a goal: what is measured, which way is better, from where to where."""

    name = forms.CharField(label=_("Indicator"), max_length=300)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=60,
        required=False,
        help_text=_("For example per cent, or number of people."),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=_capitalised(IndicatorDirection),
        initial=IndicatorDirection.HIGHER_IS_BETTER,
    )
    baseline = NumberField(
        label=_("Baseline"),
        required=False,
        help_text=_("A number, such as 12 or 12,5."),
    )
    target = NumberField(
        label=_("Target"),
        required=False,
        help_text=_("A number, such as 12 or 12,5."),
    )
    by_sex = forms.BooleanField(
        label=_("Split by women and men"),
        required=False,
        help_text=_("Report the outcome for women and men apart as well as in total."),
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=_capitalised(Confidentiality),
        initial=Confidentiality.OPEN,
        help_text=CONFIDENTIALITY_HELP,
    )

    field_order = list(INDICATOR_FIELDS)


class PlanFilterForm(forms.Form):
    """The plan page's filter: a GET form, so a filtered page is a link like any other.

    The page renders its selects itself (``focus_area_groups`` and the fields' choices);
    the form only checks what the query string asks for. A value it does not know is
    left out of the filter and named next to its field.
    """

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *_capitalised(ActivityStatus)],
        error_messages={"invalid_choice": _("Unknown status: the filter leaves it out.")},
    )
    focus_area = forms.TypedChoiceField(
        label=_("Focus area"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "No activity or indicator of this plan names that focus area: "
                "the filter leaves it out."
            )
        },
    )
    perspective = forms.ChoiceField(
        label=_("Perspective considered"),
        required=False,
        choices=[("", _("Every perspective")), *_capitalised(Perspective)],
        error_messages={"invalid_choice": _("Unknown perspective: the filter leaves it out.")},
    )

    def __init__(self, data: Any = None, *, focus_areas: Sequence[FocusArea]) -> None:
        """Offer ``focus_areas``: those the plan's visible activities and indicators name."""
        super().__init__(data)
        self._focus_areas = list(focus_areas)
        field = self.fields["focus_area"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "")] + [(str(area.pk), str(area)) for area in self._focus_areas]

    def focus_area_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The focus areas to choose from, grouped by programme version."""
        groups: dict[str, list[tuple[int, str]]] = {}
        for area in self._focus_areas:
            groups.setdefault(area.programme.name, []).append((area.pk, str(area)))
        return list(groups.items())

    def chosen(self) -> PlanFilter:
        """What the page filters by: the values understood, nothing for the rest."""
        if not self.is_bound:
            return PlanFilter()
        self.is_valid()
        data = self.cleaned_data
        return PlanFilter(
            status=data.get("status") or "",
            focus_area=data.get("focus_area"),
            perspective=data.get("perspective") or "",
        )


class DeleteForm(VersionedForm):
    """A deletion to confirm, made from the version the user saw."""


def initial_of(record: Any, names: Sequence[str]) -> dict[str, Any]:
    """A form's initial values from a saved record, focus areas as primary keys."""
    initial: dict[str, Any] = {"version": record.version}
    for name in names:
        if name == "focus_areas":
            initial[name] = [area.pk for area in record.focus_areas.all()]
        else:
            initial[name] = getattr(record, name)
    return initial
