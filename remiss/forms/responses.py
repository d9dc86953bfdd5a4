"""Forms of the response pages: the sections, the committee's decision, a statement, the
signatories, and SLK's reason for reopening.

Each form names the version of the record it was opened at (the signatories' names the
response's, which keeps theirs); the rules are checked by ``remiss.services.responses``
and ``remiss.services.responses_parts``. The forms only parse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.forms import SeenVersionForm, seen_version_field
from programme.forms.duties import DateInput
from programme.rich_text import RichTextarea
from remiss.models import ReferralSection, Response, Stance, Statement
from remiss.services.responses import DECISION_FIELDS, RESPONSE_FIELDS
from remiss.services.responses_parts import STATEMENT_FIELDS, SignatoryInput

TEXT_AREA = RichTextarea(attrs={"rows": 6})


class ResponseForm(SeenVersionForm[Response]):
    """The response's sections, its registration, its case officer and its level."""

    class Meta:
        model = Response
        fields = RESPONSE_FIELDS
        widgets = {
            "document_date": DateInput(),
            "unions_consulted_on": DateInput(),
            "proposal": TEXT_AREA,
            "summary": TEXT_AREA,
            "background": TEXT_AREA,
            "matter": TEXT_AREA,
            "preparation": TEXT_AREA,
            "views": TEXT_AREA,
            "equality_analysis": TEXT_AREA,
            "attachments": TEXT_AREA,
        }


class DecisionForm(SeenVersionForm[Response]):
    """The committee's decision: meeting date, decision text, minutes paragraph."""

    class Meta:
        model = Response
        fields = DECISION_FIELDS
        widgets = {"meeting_date": DateInput(), "decision_text": TEXT_AREA}


class StatementForm(SeenVersionForm[Statement]):
    """One statement: the section of the draft it is about, its stance, its text, its level."""

    class Meta:
        model = Statement
        fields = STATEMENT_FIELDS
        widgets = {"text": TEXT_AREA}

    def __init__(self, *args: Any, sections: QuerySet[ReferralSection], **kwargs: Any) -> None:
        """Offer the sections of the response's round only."""
        super().__init__(*args, **kwargs)
        section = self.fields["section"]
        assert isinstance(section, forms.ModelChoiceField)
        section.queryset = sections
        stance = self.fields["stance"]
        assert isinstance(stance, forms.ChoiceField)
        stance.choices = [("", "---------")] + [
            (value, capfirst(label)) for value, label in Stance.choices
        ]


class ReopenForm(forms.Form):
    """SLK's reason for reopening a submitted response."""

    version = seen_version_field()
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=RichTextarea(attrs={"rows": 4}),
        help_text=_("The body's administrators read it on the response."),
    )


class SignatoryForm(forms.Form):
    """One signatory: a name and a title; an existing one names itself in a hidden field."""

    signatory = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    title = forms.CharField(
        label=pgettext_lazy("a person's", "Title"), max_length=200, required=False
    )


class BaseSignatoryFormSet(forms.BaseFormSet[SignatoryForm]):
    """The signatories in the order given: rows marked for removal and empty new rows left out."""

    def rows(self) -> list[SignatoryInput]:
        """The signatories to keep, in their new order (after validation)."""
        ordered = sorted(
            (form for form in self.forms if form.cleaned_data),
            key=lambda form: (
                form.cleaned_data.get("ORDER") is None,
                form.cleaned_data.get("ORDER") or 0,
            ),
        )
        rows = []
        for form in ordered:
            data = form.cleaned_data
            if data.get("DELETE"):
                continue
            if data.get("signatory") is None and not (data.get("name") or data.get("title")):
                continue
            rows.append(
                SignatoryInput(
                    name=data.get("name") or "",
                    title=data.get("title") or "",
                    pk=data.get("signatory"),
                )
            )
        return rows


SignatoryFormSet = forms.formset_factory(
    SignatoryForm, formset=BaseSignatoryFormSet, extra=2, can_delete=True, can_order=True
)


class SignatoriesForm(forms.Form):
    """The version of the response the signatories' page was opened at."""

    version = seen_version_field()


def signatory_initial(signatories: list[Any]) -> list[dict[str, Any]]:
    """The formset's rows for the signatories as they stand."""
    return [
        {"signatory": s.pk, "name": s.name, "title": s.title, "ORDER": index}
        for index, s in enumerate(signatories, start=1)
    ]
