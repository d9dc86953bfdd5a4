"""The account page's form: how each kind of notification reaches the person."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import seen_version_field
from programme.models import Delivery, NotificationKind, NotificationSettings
from programme.services.notifications import deliveries_for

# Each kind's question, as the person reads it on the account page.
LABELS = {
    NotificationKind.FOLLOW_UP_SUBMITTED: _("When a body submits a follow-up for review"),
    NotificationKind.FOLLOW_UP_RETURNED: _("When SLK returns a follow-up of a body you administer"),
    NotificationKind.FOLLOW_UP_APPROVED: _(
        "When SLK approves a follow-up of a body you administer"
    ),
}


class NotificationSettingsForm(forms.Form):
    """One choice per kind that concerns the person, and the version the page showed."""

    version = seen_version_field()

    def __init__(
        self,
        *args: Any,
        kinds: list[NotificationKind],
        current: NotificationSettings,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {"version": current.version}
            | {kind.value: current.delivery_of(kind).value for kind in kinds},
        )
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind.value] = forms.ChoiceField(
                label=LABELS[kind],
                choices=[(delivery.value, delivery.label) for delivery in deliveries_for(kind)],
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[NotificationKind, Delivery]:
        """The person's choice for each kind (call after ``is_valid``)."""
        return {kind: Delivery(self.cleaned_data[kind.value]) for kind in self.kinds}
