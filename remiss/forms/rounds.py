"""Forms of the referral round pages: opening a round, adding bodies, closing, declining.

Forms only parse; the rules (an openable version, a PDF draft, bodies that existed) are
checked by ``remiss.services.rounds``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.forms import seen_version_field
from programme.forms.duties import DateInput
from programme.models import Body, Confidentiality, FocusArea, Programme
from programme.sorting import swedish_sort_key


def _sorted_choices(queryset: models.QuerySet[Body]) -> list[tuple[int, str]]:
    return sorted(
        ((body.pk, body.name) for body in queryset),
        key=lambda choice: swedish_sort_key(choice[1]),
    )


class OpenRoundForm(forms.Form):
    """A new referral round on one programme version."""

    registration_number = forms.CharField(
        label=_("Registration number"),
        max_length=80,
        help_text=_("The round's diarienummer, such as KS 2020/1939 or 171-1309/2017."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    sender_name = forms.CharField(
        label=_("Sender"),
        max_length=200,
        initial="Kommunstyrelsen",
        help_text=_("The executive board, or a councillor's office such as Finansroteln."),
    )
    sender_body = forms.ModelChoiceField(
        label=_("Sending body"),
        queryset=Body.objects.none(),
        required=False,
        help_text=_("Where the sender is a body; a councillor's office is not one."),
    )
    sent_on = forms.DateField(label=_("Date sent"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    bodies = forms.TypedMultipleChoiceField(
        label=_("Bodies asked"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label=_("Focus areas as sections"),
        queryset=FocusArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The draft's focus areas that responses may address, in their order."),
    )
    free_sections = forms.CharField(
        label=_("Other sections"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One title a line, in order, such as Genomförande och uppföljning."),
    )
    draft = forms.FileField(
        label=_("The draft (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(
        self, *args: Any, programme: Programme, bodies: models.QuerySet[Body], **kwargs: Any
    ) -> None:
        """Offer the version's focus areas and the bodies that exist this year."""
        super().__init__(*args, **kwargs)
        self.body_queryset = bodies
        choices = _sorted_choices(bodies)
        self.fields["bodies"].choices = choices  # type: ignore[attr-defined]
        sender: Any = self.fields["sender_body"]
        sender.queryset = bodies.order_by("name")
        areas: Any = self.fields["focus_areas"]
        areas.queryset = programme.focus_areas.order_by("position")
        if not self.is_bound:
            self.fields["focus_areas"].initial = [area.pk for area in areas.queryset]
        self.fields["draft"].help_text = _(
            "A PDF file of at most %(limit)s MB, checked by its content."
        ) % {"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}

    def chosen_bodies(self) -> list[Body]:
        """The bodies chosen (after validation), in name order."""
        chosen = set(self.cleaned_data["bodies"])
        return [body for body in self.body_queryset.order_by("name") if body.pk in chosen]

    def section_titles(self) -> list[str]:
        """The free sections, one a line (after validation)."""
        return str(self.cleaned_data.get("free_sections") or "").splitlines()


class AddBodiesForm(forms.Form):
    """More bodies asked to answer an open round; names the round's version it saw."""

    bodies = forms.TypedMultipleChoiceField(
        label=_("Bodies to add"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    version = seen_version_field()

    def __init__(self, *args: Any, bodies: models.QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body_queryset = bodies
        self.fields["bodies"].choices = _sorted_choices(bodies)  # type: ignore[attr-defined]

    def chosen_bodies(self) -> list[Body]:
        """The bodies chosen (after validation)."""
        chosen = set(self.cleaned_data["bodies"])
        return [body for body in self.body_queryset.order_by("name") if body.pk in chosen]


class CloseRoundForm(forms.Form):
    """Closing a round, asked with the version of the round it was opened at."""

    version = seen_version_field()


class WithdrawDeclineForm(forms.Form):
    """Taking back a decline, asked with the version of the invitation seen."""

    version = seen_version_field()


class DeclineForm(forms.Form):
    """A body declines to answer ("avstår från att yttra sig"), with its reason."""

    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 4})
    )
    reason_confidentiality = forms.ChoiceField(
        label=_("Confidentiality of the reason"),
        choices=[(value, capfirst(label)) for value, label in Confidentiality.choices],
        initial=Confidentiality.INTERNAL,
    )
    version = seen_version_field()
