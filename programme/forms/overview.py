"""The filters of SLK's follow-up overview: body kind, focus area and state."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.models import BodyKind, FocusArea
from programme.queries.overview import OverviewFilters, OverviewState


class OverviewFilterForm(forms.Form):
    """What the overview's list and matrix are narrowed to; every field may stay empty.

    The focus areas offered are those of the versions in force in the year, passed in
    by the view (they are read once for the page, so the form costs no query).
    """

    kind = forms.ChoiceField(
        label=_("Kind of body"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the kinds of body in the list.")},
    )
    focus_area = forms.TypedChoiceField(
        label=_("Focus area"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Bodies with a goal or an activity in the focus area."),
        error_messages={
            "invalid_choice": _("Choose one of the focus areas in force that year."),
        },
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        help_text=_("Overdue: the deadline has passed and nothing is submitted."),
        error_messages={"invalid_choice": _("Choose one of the states in the list.")},
    )

    def __init__(self, *args: Any, focus_areas: list[FocusArea], **kwargs: Any) -> None:
        """Offer the kinds, the states and ``focus_areas``, each after an "all" choice."""
        super().__init__(*args, **kwargs)
        self.focus_areas = {area.pk: area for area in focus_areas}
        every = ("", _("All"))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [every, *((value, capfirst(label)) for value, label in BodyKind.choices)]
        focus_area = self.fields["focus_area"]
        assert isinstance(focus_area, forms.ChoiceField)
        focus_area.choices = [
            every,
            *((str(area.pk), f"{area} ({area.programme.name})") for area in focus_areas),
        ]
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [
            every,
            *((value, capfirst(label)) for value, label in OverviewState.choices),
        ]

    def filters(self) -> OverviewFilters:
        """The valid filters, or none at all when any value was refused."""
        if not self.is_valid():
            return OverviewFilters()
        area_pk = self.cleaned_data.get("focus_area")
        return OverviewFilters(
            kind=self.cleaned_data.get("kind") or "",
            focus_area=self.focus_areas.get(area_pk) if area_pk is not None else None,
            state=self.cleaned_data.get("state") or "",
        )
