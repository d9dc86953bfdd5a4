"""Forms of the import pages: the document to import, and the review of what was found.

The review form is built from the import's reading: for each field and each section a
"use" box (checked where something was found) and the value, which the person may
correct; the signatories likewise; and for each proposed statement a "use" box, the
section of the draft, the stance and the text. Unchecking a box drops that finding.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.forms import seen_version_field
from programme.forms.duties import DateInput
from remiss.models import RESPONSE_SECTIONS, ReferralSection, Response, Stance
from remiss.services.imports import (
    DATE_FIELDS,
    FACT_FIELDS,
    ImportedStatement,
    ImportReview,
    found_value,
)

# Helps the file chooser; what the file contains is what the importer checks.
IMPORT_ACCEPT = ".docx,.pdf,.txt,.md"


class ImportStartForm(forms.Form):
    """A file to import, or pasted text: one of the two."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMPORT_ACCEPT}),
    )
    text = forms.CharField(
        label=_("Or paste the text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Name the size limit in the help text, in the language of the request."""
        super().__init__(*args, **kwargs)
        limit = filesizeformat(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))
        self.fields["file"].help_text = _("Word (.docx), PDF or plain text, at most %(limit)s.") % {
            "limit": limit
        }

    def clean(self) -> dict[str, Any]:
        """Exactly one of a file and pasted text."""
        cleaned = super().clean() or {}
        has_file = cleaned.get("file") is not None
        has_text = bool((cleaned.get("text") or "").strip())
        if has_file == has_text:
            raise forms.ValidationError(
                _("Choose a file or paste the text, one of the two."), code="choose"
            )
        return cleaned


def _field_for(response_field: Any, name: str) -> forms.Field:
    """The form field for one of the response's fields, never required."""
    if name in DATE_FIELDS:
        return forms.DateField(
            label=capfirst(response_field.verbose_name),
            required=False,
            widget=DateInput(),
            input_formats=["%Y-%m-%d"],
        )
    if name in RESPONSE_SECTIONS:
        return forms.CharField(
            label=capfirst(response_field.verbose_name),
            required=False,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 6}),
        )
    form_field = response_field.formfield(required=False)
    assert form_field is not None
    return form_field


class ImportReviewForm(forms.Form):
    """Use, correct or drop each field, signatory and proposed statement found."""

    version = seen_version_field()
    replace = forms.BooleanField(
        label=_("Yes, replace what the response already has with what I kept here"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        reading: Mapping[str, Any],
        sections: Sequence[ReferralSection],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reading = reading
        for name in (*FACT_FIELDS, *RESPONSE_SECTIONS):
            value, _line, _words = found_value(reading, name)
            self.fields[f"use_{name}"] = forms.BooleanField(
                label=_("Use"), required=False, initial=bool(value)
            )
            self.fields[name] = _field_for(Response._meta.get_field(name), name)
            # The fieldset around it names the field; the box says what is saved.
            self.fields[name].label = (
                _("Text to save") if name in RESPONSE_SECTIONS else _("Value to save")
            )
            self.fields[name].initial = (
                datetime.date.fromisoformat(value) if (value and name in DATE_FIELDS) else value
            )
        self.fields["use_signatories"] = forms.BooleanField(
            label=_("Use these signatories"),
            required=False,
            initial=bool(reading["signatures"]),
        )
        for index, signature in enumerate(reading["signatures"]):
            self.fields[f"signatory_{index}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False, initial=signature["name"]
            )
            self.fields[f"signatory_{index}_title"] = forms.CharField(
                label=pgettext_lazy("a person's", "Title"),
                max_length=200,
                required=False,
                initial=signature["title"],
            )
        choices = [("", "---------")] + [(str(s.pk), s.heading) for s in sections]
        stances = [("", _("No stance found: choose one"))] + [
            (value, capfirst(label)) for value, label in Stance.choices
        ]
        for index, proposal in enumerate(reading["proposals"]):
            prefix = f"statement_{index}"
            self.fields[f"{prefix}_use"] = forms.BooleanField(
                label=_("Use"), required=False, initial=bool(proposal["stance"])
            )
            self.fields[f"{prefix}_section"] = forms.ChoiceField(
                label=_("Section of the draft"),
                choices=choices,
                required=False,
                initial=proposal["target"] or "",
            )
            self.fields[f"{prefix}_stance"] = forms.ChoiceField(
                label=_("Stance"), choices=stances, required=False, initial=proposal["stance"]
            )
            self.fields[f"{prefix}_text"] = forms.CharField(
                label=_("Text"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=proposal["text"],
            )

    def clean(self) -> dict[str, Any]:
        """A statement kept needs its section, stance and text; a signatory kept, a name."""
        cleaned = super().clean() or {}
        for index in range(len(self.reading["proposals"])):
            prefix = f"statement_{index}"
            if not cleaned.get(f"{prefix}_use"):
                continue
            for part, message in (
                ("section", _("Choose the section of the draft the statement addresses.")),
                ("stance", _("Choose the statement's stance.")),
                ("text", _("A statement kept needs its text.")),
            ):
                if not (cleaned.get(f"{prefix}_{part}") or "").strip():
                    self.add_error(f"{prefix}_{part}", message)
        if cleaned.get("use_signatories"):
            for index in range(len(self.reading["signatures"])):
                name = f"signatory_{index}_name"
                title = (cleaned.get(f"signatory_{index}_title") or "").strip()
                if title and not (cleaned.get(name) or "").strip():
                    self.add_error(name, _("A signatory kept needs a name."))
        return cleaned

    def review(self) -> ImportReview:
        """What the person kept (after validation)."""
        data = self.cleaned_data
        fields = {
            name: data.get(name) or (None if name in DATE_FIELDS else "")
            for name in (*FACT_FIELDS, *RESPONSE_SECTIONS)
            if data.get(f"use_{name}")
        }
        signatories = None
        if data.get("use_signatories"):
            signatories = [
                (
                    data[f"signatory_{index}_name"].strip(),
                    (data.get(f"signatory_{index}_title") or "").strip(),
                )
                for index in range(len(self.reading["signatures"]))
                if (data.get(f"signatory_{index}_name") or "").strip()
            ]
        statements = [
            ImportedStatement(
                section=int(data[f"statement_{index}_section"]),
                stance=data[f"statement_{index}_stance"],
                text=data[f"statement_{index}_text"].strip(),
            )
            for index in range(len(self.reading["proposals"]))
            if data.get(f"statement_{index}_use")
        ]
        return ImportReview(fields=fields, signatories=signatories, statements=statements)
