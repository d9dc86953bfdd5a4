"""Forms of SLK's yearly settings: the follow-up deadlines, the council goal, its indicators.

The forms parse the input (dates, decimals written the Swedish way with a comma); the
rules live in ``programme.services.year_settings``, which the views call with the cleaned data.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from programme.forms import SeenVersionForm, seen_version_field
from programme.forms.maintenance import DateInput
from programme.locking import EditConflict
from programme.models import CouncilGoal, CouncilIndicator
from programme.numbers import NumberField
from programme.rich_text import RichTextarea
from programme.services.year_settings import INDICATOR_FIELDS

# Which of the settings page's two forms a POST is for (a hidden field of each form).
PART_DEADLINES = "deadlines"
PART_COUNCIL_GOAL = "council_goal"
# The deadlines' fields, keyed as the periods are.
DEADLINE_NAMES = ("t1", "t2", "annual")


class DeadlinesForm(forms.Form):
    """The three follow-up deadlines of one year."""

    part = forms.CharField(widget=forms.HiddenInput, initial=PART_DEADLINES, required=False)
    t1 = forms.DateField(
        label=_("Tertial report 1 is due"),
        widget=DateInput(),
        required=False,
        help_text=_("A date in the year; usually in May."),
    )
    t2 = forms.DateField(
        label=_("Tertial report 2 is due"),
        widget=DateInput(),
        required=False,
        help_text=_("A date in the year after tertial report 1; usually in September."),
    )
    annual = forms.DateField(
        label=_("The annual report is due"),
        widget=DateInput(),
        required=False,
        help_text=_("After tertial report 2, in the year or the next; usually in February."),
    )

    # The version of each deadline the form was opened at (0: not set yet).
    t1_version = seen_version_field()
    t2_version = seen_version_field()
    annual_version = seen_version_field()

    def __init__(self, *args: Any, deadlines: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in DEADLINE_NAMES:
            self.initial[f"{name}_version"] = 0
        for period, deadline in (deadlines or {}).items():
            self.initial[period] = deadline.due_on
            self.initial[f"{period}_version"] = deadline.version

    def due(self) -> dict[str, Any]:
        """The dates keyed as ``year_settings.set_deadlines`` takes them, after validation."""
        return {name: self.cleaned_data.get(name) for name in DEADLINE_NAMES}

    def seen(self) -> dict[str, int]:
        """The versions the form saw, keyed as ``due``."""
        return {name: int(self.cleaned_data[f"{name}_version"]) for name in DEADLINE_NAMES}

    def show_conflict(self, conflict: EditConflict, deadlines: dict[str, Any]) -> list[Any]:
        """Show a refused stale save: the dates typed stay, the versions become current."""
        data = cast(QueryDict, self.data).copy()
        for name in DEADLINE_NAMES:
            deadline = deadlines.get(name)
            data[self.add_prefix(f"{name}_version")] = str(deadline.version if deadline else 0)
        self.data = data
        self.full_clean()
        self.add_error(None, conflict.message)
        return conflict.changes


class CouncilGoalForm(SeenVersionForm[CouncilGoal]):
    """The title and description of the city council's goal for one year."""

    part = forms.CharField(widget=forms.HiddenInput, initial=PART_COUNCIL_GOAL, required=False)

    class Meta:
        model = CouncilGoal
        fields = ("title", "description")
        widgets = {"description": RichTextarea(attrs={"rows": 4})}
        help_texts = {
            "description": _("Paragraphs, emphasis, lists and links are kept; nothing else."),
        }


class CouncilIndicatorForm(SeenVersionForm[CouncilIndicator]):
    """One of the council's indicators: name, unit, direction, annual target and outcome."""

    class Meta:
        model = CouncilIndicator
        fields = INDICATOR_FIELDS
        help_texts = {
            "target": _("A number, such as 75 or 12,5."),
            "outcome": _("A number, such as 75 or 12,5; empty until the year is measured."),
            "position": _("Where the indicator comes in the list; empty puts it last."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        for name in ("target", "outcome"):
            # The one parser of typed numbers, as in every other form.
            model_field = self.fields[name]
            self.fields[name] = NumberField(
                label=model_field.label,
                required=False,
                help_text=model_field.help_text,
            )
