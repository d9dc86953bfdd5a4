"""Forms of the compilation pages: SLK's disposition of a statement, the filters, publishing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.forms import SeenVersionForm
from programme.queries.judgements import BodyGroup
from remiss.models import Disposition, DispositionOutcome, Stance
from remiss.queries.compilation import CompilationFilters


def disposition_prefix(statement_id: int) -> str:
    """The prefix of a statement's disposition form, the same on its page and inline."""
    return f"statement-{statement_id}"


class DispositionForm(SeenVersionForm[Disposition]):
    """How SLK handled one statement, and the reason the body is given."""

    class Meta:
        model = Disposition
        fields = ("outcome", "reason")
        widgets = {
            "outcome": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "reason": _("Required when the statement is partly accepted or not accepted."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        # A radio list without the empty choice: SLK picks one of the four.
        outcome.choices = [(value, capfirst(label)) for value, label in DispositionOutcome.choices]


def _choices(choices: Any, everything: str) -> list[tuple[str, str]]:
    return [("", everything)] + [(value, capfirst(label)) for value, label in choices]


class CompilationFilterForm(forms.Form):
    """The section page's narrowing, read from the query string."""

    group = forms.ChoiceField(label=_("Kind of body"), required=False)
    stance = forms.ChoiceField(label=_("Stance"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        stance = self.fields["stance"]
        assert isinstance(group, forms.ChoiceField) and isinstance(stance, forms.ChoiceField)
        group.choices = _choices(BodyGroup.choices, str(_("Committees and companies")))
        stance.choices = _choices(Stance.choices, str(_("Every stance")))

    def filters(self) -> CompilationFilters:
        """The filters chosen; none where the query string names something unknown."""
        if not self.is_bound or not self.is_valid():
            return CompilationFilters()
        return CompilationFilters(
            group=self.cleaned_data["group"], stance=self.cleaned_data["stance"]
        )


class PublishForm(forms.Form):
    """Publishing the compilation, with a note kept in its history."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the publication, for instance what changed since the last one."),
    )
