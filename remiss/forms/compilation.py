"""Forms of the compilation pages: SLK's disposition of a statement, the filters, publishing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.forms import SeenVersionForm
from programme.queries.judgements import BodyGroup
from programme.rich_text import render_rich_text
from remiss.models import Disposition, Stance
from remiss.queries.compilation import (
    CompilationFilters,
    SectionRow,
    disposition_prefix,
    outcome_choices,
)

__all__ = [
    "CompilationFilterForm",
    "DispositionForm",
    "PublishForm",
    "SectionRows",
    "disposition_prefix",
]


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
        outcome.choices = outcome_choices()


class SectionRows:
    """The section page's rows, each statement with its inline disposition form, written in code.

    Through templates and widgets a page of a hundred statements costs some two hundred
    milliseconds (six hundred widget templates); written here it costs a few string joins
    a row. The form has the names, ids, ``checked``, ``required``, ``aria-describedby``,
    labels, fieldset and legend that ``DispositionForm``'s widgets and
    ``{% form_field %}`` (programme/templatetags/form_fields.py) give it (held to them by
    tests/remiss/test_compilation_inline.py), from the row's values. What every row shares
    (labels, choices, the CSRF token, the filters to return to) is translated and escaped
    once, when made. ``DispositionForm`` itself parses the save, and the template shows a
    refused one at its row with the form's errors and what was entered.

    ``address`` is the disposition page's address without the statement's id, which ends
    it; a row's form posts there.
    """

    def __init__(self, address: str, csrf_token: str, return_query: str) -> None:
        outcome = DispositionForm.base_fields["outcome"]
        reason = DispositionForm.base_fields["reason"]
        self.address = escape(address)
        self.csrf_token = escape(csrf_token)
        self.return_query = escape(return_query)
        self.choices = [(escape(value), escape(label)) for value, label in outcome_choices()]
        self.legend = escape(str(outcome.label))
        self.reason_label = escape(str(reason.label))
        self.reason_help = escape(str(reason.help_text))
        self.save = escape(str(_("Save the disposition")))
        self.history = escape(str(_("History")))

    def url(self, item: SectionRow) -> str:
        """The address ``item``'s form posts to: its disposition page."""
        return f"{self.address}{int(item.pk)}/"

    def inputs(self, item: SectionRow) -> SafeString:
        """The inputs of ``item``'s form: the version, the outcome's radios, the reason."""
        name = escape(item.prefix)
        radios = "".join(
            f'<div class="choice"><input type="radio" name="{name}-outcome" value="{value}"'
            f' id="id_{name}-outcome_{index}" required'
            f"{' checked' if value == item.outcome else ''}>"
            f'<label for="id_{name}-outcome_{index}">{label}</label></div>'
            for index, (value, label) in enumerate(self.choices)
        )
        # Every value is escaped: the labels and choices when made, the rest here.
        return mark_safe(
            f'<input type="hidden" name="{name}-version" value="{int(item.version)}"'
            f' id="id_{name}-version">\n'
            f'<fieldset class="form-field form-choices">\n'
            f"  <legend>{self.legend}</legend>\n"
            f"  {radios}\n"
            f"</fieldset>\n"
            f'<div class="form-field">\n'
            f'  <label for="id_{name}-reason">{self.reason_label}</label>\n'
            f'  <p class="help" id="id_{name}-reason_helptext">{self.reason_help}</p>\n'
            f'  <textarea name="{name}-reason" cols="40" rows="3"'
            f' aria-describedby="id_{name}-reason_helptext" id="id_{name}-reason">\n'
            f"{escape(item.reason)}</textarea>\n"
            f"</div>"
        )

    def head(self, item: SectionRow) -> SafeString:
        """The statement: its body, the body's kind, its stance and its text."""
        stance = escape(item.stance)
        # Every value is escaped here; the text is rich text, shown as the rich_text
        # filter in remiss/compilation/_statement.html shows it (clean when stored).
        return mark_safe(
            f'<div class="statement-head">\n'
            f"  <strong>{escape(item.body_name)}</strong>\n"
            f'  <span class="meta">{escape(item.group_label)}</span>\n'
            f'  <span class="stance stance-{stance}">{escape(item.stance_label)}</span>\n'
            f"</div>\n"
            f'<div class="statement-text">{render_rich_text(item.text)}</div>'
        )

    def form(self, item: SectionRow) -> SafeString:
        """``item``'s whole form, its button and the link to the disposition's history."""
        url = self.url(item)
        body = escape(item.body_name)
        # Every value is escaped: the shared ones when made, the rest here and in inputs().
        return mark_safe(
            f'<form method="post" action="{url}" class="disposition-form">\n'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf_token}">\n'
            f'<input type="hidden" name="return_query" value="{self.return_query}">\n'
            f"{self.inputs(item)}\n"
            f'<button type="submit">{self.save}<span class="visually-hidden"> {body}</span>'
            f"</button>\n"
            f'<a href="{url}">{self.history}<span class="visually-hidden"> {body}</span></a>\n'
            f"</form>"
        )

    def __call__(self, item: SectionRow) -> SafeString:
        """``item``'s row: the statement and its form."""
        return mark_safe(
            f'<li id="{escape(item.prefix)}" class="statement">\n'
            f"{self.head(item)}\n{self.form(item)}\n</li>"
        )


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
