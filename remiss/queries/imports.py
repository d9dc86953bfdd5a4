"""What the import's review page reads: the document's lines, each finding with its evidence,
and how the referral facts found compare with the round's own.

Two queries besides the import itself: the round's sections (with their focus areas)
and the response's signatories, however long the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from remiss.models import RESPONSE_SECTIONS, ReferralSection, Response, ResponseImport
from remiss.services.imports import FACT_FIELDS, found_value


@dataclass(frozen=True)
class FieldRow:
    """One field of the review: its boxes, the value found, where it was found and the words."""

    name: str
    label: str
    use: forms.BoundField
    value: forms.BoundField
    line: int | None
    words: str
    current: str


@dataclass(frozen=True)
class StatementRow:
    """One proposed statement with its boxes and the evidence for its guesses."""

    number: int
    use: forms.BoundField
    section: forms.BoundField
    stance: forms.BoundField
    text: forms.BoundField
    first_line: int
    last_line: int
    stance_words: str
    target_words: str
    source: str


@dataclass(frozen=True)
class Check:
    """A fact about the round the document states, beside what the round records."""

    label: str
    found: str
    line: int
    recorded: str

    @property
    def agrees(self) -> bool:
        """Whether the document and the round say the same."""
        return self.found == self.recorded


@dataclass
class ReviewPage:
    """Everything the review page shows besides the form's own fields."""

    item: ResponseImport
    response: Response
    sections: list[ReferralSection]
    lines: list[tuple[int, str]]
    not_placed: list[tuple[int, int, str]]
    checks: list[Check]
    bodies_named: list[tuple[str, int]]
    other_numbers: list[tuple[str, int]]
    unknown_address: list[tuple[int, str]]

    def label(self, name: str) -> str:
        """A field's name as the page shows it."""
        if name == "signatories":
            return _("Signatories")
        return str(capfirst(Response._meta.get_field(name).verbose_name))  # type: ignore[union-attr]

    def rows(self, form: forms.Form) -> dict[str, Any]:
        """The form's fields in the page's order, each with the evidence for it."""
        reading: Mapping[str, Any] = self.item.reading or {}
        fields = []
        for name in (*FACT_FIELDS, *RESPONSE_SECTIONS):
            _value, line, words = found_value(reading, name)
            fields.append(
                FieldRow(
                    name=name,
                    label=self.label(name),
                    use=form[f"use_{name}"],
                    value=form[name],
                    line=line,
                    words=words,
                    current=str(getattr(self.response, name) or ""),
                )
            )
        signatories = [
            (form[f"signatory_{index}_name"], form[f"signatory_{index}_title"], signature)
            for index, signature in enumerate(reading.get("signatures", []))
        ]
        statements = [
            StatementRow(
                number=index + 1,
                use=form[f"statement_{index}_use"],
                section=form[f"statement_{index}_section"],
                stance=form[f"statement_{index}_stance"],
                text=form[f"statement_{index}_text"],
                first_line=proposal["first_line"],
                last_line=proposal["last_line"],
                stance_words=proposal["stance_words"],
                target_words=proposal["target_words"],
                source=self.label(proposal["source"]) if proposal["source"] else "",
            )
            for index, proposal in enumerate(reading.get("proposals", []))
        ]
        return {
            "facts": fields[: len(FACT_FIELDS)],
            "sections": fields[len(FACT_FIELDS) :],
            "signatories": signatories,
            "current_signatories": list(
                self.response.signatories.order_by("position").values_list("name", "title")
            ),
            "statements": statements,
        }


def review_page(item: ResponseImport) -> ReviewPage:
    """The review page of a read import."""
    reading: Mapping[str, Any] = item.reading or {}
    response = item.response
    referral = response.referral
    facts = reading.get("facts", {})
    checks = []
    number = facts.get("referral_number")
    if number:
        checks.append(
            Check(
                _("The referral's registration number"),
                number["value"],
                number["line"],
                referral.registration_number,
            )
        )
    deadline = facts.get("referral_deadline")
    if deadline:
        checks.append(
            Check(
                _("The referral's deadline"),
                deadline["value"],
                deadline["line"],
                referral.deadline.isoformat() if referral.deadline else "",
            )
        )
    return ReviewPage(
        item=item,
        response=response,
        sections=list(
            ReferralSection.objects.filter(referral_id=response.referral_id)
            .select_related("focus_area")
            .order_by("position")
        ),
        lines=list(enumerate(reading.get("lines", []), start=1)),
        not_placed=[tuple(run) for run in reading.get("not_placed", [])],
        checks=checks,
        bodies_named=[(fact["value"], fact["line"]) for fact in facts.get("bodies_named", [])],
        other_numbers=[(fact["value"], fact["line"]) for fact in facts.get("other_numbers", [])],
        unknown_address=[tuple(note) for note in facts.get("notes", [])],
    )
