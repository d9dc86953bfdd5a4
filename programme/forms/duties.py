"""Forms of the programme duty pages: a duty record, and an evidence file upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.forms import seen_version_field
from programme.models import (
    DUTIES_WITH_DATE,
    DUTIES_WITH_PERSON,
    Confidentiality,
    DutyKind,
    DutyStatus,
)

# Helps the file chooser; what the file contains is what the service checks.
EVIDENCE_ACCEPT = ".pdf,.docx,.doc,.xlsx,.xls,.png,.jpg,.jpeg,.gif,.webp"


def _capitalised(choices: type[models.TextChoices]) -> list[tuple[str, Any]]:
    """A choice list whose labels start with a capital letter, as a select shows them."""
    return [(value, capfirst(label)) for value, label in choices.choices]


class DateInput(forms.DateInput):
    """The browser's own date picker, which also takes typed dates."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        """Always write dates the way ``<input type="date">`` reads them."""
        super().__init__(format="%Y-%m-%d", **kwargs)


class DutyRecordForm(forms.Form):
    """One duty of one body in one year: status, who or when, confidentiality, a note.

    The coordinator duties ask for a name, the others for a date; the rules that tie
    them to the status are checked by ``programme.services.duties.save_duty_record``.
    """

    status = forms.ChoiceField(label=_("Status"), choices=_capitalised(DutyStatus))
    person_name = forms.CharField(
        label=_("Name of the person"),
        max_length=200,
        required=False,
        help_text=_("Who holds the role. Required when the duty is met."),
    )
    completed_on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
        help_text=_(
            "When the analysis, plan or situation picture was adopted, or the latest "
            "exercise held. Required when the duty is met; not in the future."
        ),
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentiality"),
        choices=_capitalised(Confidentiality),
        initial=Confidentiality.INTERNAL,
        help_text=_(
            "Open: may appear in general reports. Internal: the body's members and SLK. "
            "Confidential: the body's administrators and SLK reviewers only."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # The record's version when the form was opened (0: none yet): a save over someone
    # else's newer change is refused instead of silently overwriting it.
    version = seen_version_field()

    def __init__(self, *args: Any, duty: DutyKind, **kwargs: Any) -> None:
        """Keep only the fields that fit ``duty``."""
        super().__init__(*args, **kwargs)
        if duty not in DUTIES_WITH_PERSON:
            del self.fields["person_name"]
        if duty not in DUTIES_WITH_DATE:
            del self.fields["completed_on"]
        if duty == DutyKind.EXERCISES:
            self.fields["description"].help_text = _("Which exercises were held, and when.")


class EvidenceUploadForm(forms.Form):
    """An evidence file for a duty record; its content is checked by the service."""

    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose a file to upload.")},
        widget=forms.FileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Name the size limit in the help text, in the language of the request."""
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word, Excel or an image (PNG, JPEG, GIF, WebP), at most %(limit)s MB."
        ) % {"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
