"""Forms of the follow-up pages: the body's report, SLK's judgements, and SLK's return.

The report form has a field for every row of the snapshot, named as
``programme.services.follow_ups.row_field`` names them, so a refusal from the service lands
beside its field. Outcomes are text fields: the service decides what is a number, so
the form and the service cannot disagree about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from programme.models import ActivityStatus, Confidentiality, FollowUp, FollowUpPeriod, Judgement
from programme.numbers import number_text
from programme.queries.follow_ups import GoalSection
from programme.rich_text import RichTextarea
from programme.services.follow_ups import (
    ActivityInput,
    FollowUpInput,
    JudgementInput,
    OutcomeInput,
    row_field,
)

COMMENT_ROWS = 3
TEXT_ROWS = 8


def _choices(choices: type[Any], blank: Any = None) -> list[tuple[str, Any]]:
    """A choice list with capitalised labels, optionally led by an empty choice."""
    listed = [(value, capfirst(label)) for value, label in choices.choices]
    return ([("", blank)] if blank is not None else []) + listed


def _text(label: Any, rows: int = COMMENT_ROWS, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=RichTextarea(attrs={"rows": rows}),
    )


def _number(label: Any) -> forms.CharField:
    """An outcome as typed; ``inputmode`` gives phones a keyboard with digits and a comma."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class VersionedForm(forms.Form):
    """A form that names the version of the follow-up it was opened at."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is incomplete. Open the follow-up again and retry."),
            "invalid": _("The form is incomplete. Open the follow-up again and retry."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Name each field for the error summary (``summary_labels``)."""
        super().__init__(*args, **kwargs)
        # Field name to (the row it is on, the field's label), written out only when the
        # summary lists an error.
        self.summary_labels: dict[str, tuple[str, Any]] = {}

    def summary_errors(self) -> list[tuple[str, str, str]]:
        """Every error as (field id, what it is about, message), for the error summary."""
        listed: list[tuple[str, str, str]] = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                continue
            bound = self[name]
            if bound.is_hidden:
                continue
            about = self.summary_labels.get(name)
            label = f"{about[0]}: {about[1]}" if about else str(bound.label)
            listed.extend((bound.id_for_label, label, str(error)) for error in errors)
        hidden = [
            str(error)
            for name, errors in self.errors.items()
            if name in self.fields and self[name].is_hidden
            for error in errors
        ]
        return [("", "", message) for message in hidden] + listed


@dataclass
class ActivityFields:
    """An activity's row of the form."""

    report: Any
    status: forms.BoundField
    comment: forms.BoundField


@dataclass
class IndicatorFields:
    """An indicator's row of the form."""

    outcome: Any
    value: forms.BoundField
    comment: forms.BoundField
    value_women: forms.BoundField | None = None
    value_men: forms.BoundField | None = None


@dataclass
class GoalFields:
    """A goal's part of the form: its judgement, its activities and its indicators."""

    section: GoalSection
    judgement: forms.BoundField
    motivation: forms.BoundField
    activities: list[ActivityFields] = field(default_factory=list)
    indicators: list[IndicatorFields] = field(default_factory=list)


# The levels a follow-up's text may have, as the plan forms name them.
LEVEL_CHOICES = [(value, capfirst(label)) for value, label in Confidentiality.choices]
# The choices of each goal's and each activity's row (lazy texts: made once, translated
# when shown).
JUDGEMENT_CHOICES = _choices(Judgement)
STATUS_CHOICES = _choices(ActivityStatus)
LEVEL_HELP = _(
    "Open: may appear in general reports every official reads. Internal: the body's "
    "members and SLK. Confidential: the body's administrators and SLK reviewers only."
)


class FollowUpForm(VersionedForm):
    """The body's whole report on one page: the narrative and every row, grouped by goal."""

    narrative = _text(
        _("Narrative"),
        rows=TEXT_ROWS,
        help_text=_("How the work went this period, in your own words."),
    )
    situation_picture = _text(
        _("Situation picture"),
        rows=TEXT_ROWS,
        help_text=_("The picture of accidents, crime and insecurity in the body's area."),
    )
    council_goal_judgement = forms.ChoiceField(
        label=_("Judgement of the council goal"),
        required=False,
        choices=_choices(Judgement, blank=_("Not judged yet")),
    )
    council_goal_motivation = _text(_("Motivation"), rows=4)
    narrative_confidentiality = forms.ChoiceField(
        label=_("Who may read the narrative"), choices=LEVEL_CHOICES, help_text=LEVEL_HELP
    )
    situation_picture_confidentiality = forms.ChoiceField(
        label=_("Who may read the situation picture"), choices=LEVEL_CHOICES, help_text=LEVEL_HELP
    )
    council_goal_confidentiality = forms.ChoiceField(
        label=_("Who may read the judgement of the council goal"),
        choices=LEVEL_CHOICES,
        help_text=LEVEL_HELP,
    )

    def __init__(
        self,
        *args: Any,
        follow_up: FollowUp,
        sections: list[GoalSection],
        **kwargs: Any,
    ) -> None:
        """One field per row of ``sections``, filled from the rows as they stand."""
        initial = {
            "version": follow_up.version,
            "narrative": follow_up.narrative,
            "situation_picture": follow_up.situation_picture,
            "council_goal_judgement": follow_up.council_goal_judgement,
            "council_goal_motivation": follow_up.council_goal_motivation,
            "narrative_confidentiality": follow_up.narrative_confidentiality,
            "situation_picture_confidentiality": follow_up.situation_picture_confidentiality,
            "council_goal_confidentiality": follow_up.council_goal_confidentiality,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.is_annual = follow_up.period == FollowUpPeriod.ANNUAL
        if not self.is_annual:
            del self.fields["council_goal_judgement"]
            del self.fields["council_goal_motivation"]
            del self.fields["council_goal_confidentiality"]
        self.sections = sections
        for section in sections:
            self._add_goal(section)

    def _add(self, name: str, form_field: forms.Field, initial: Any, about: str) -> None:
        """Add a field, its initial value and its name in the error summary."""
        self.fields[name] = form_field
        self.initial[name] = initial
        self.summary_labels[name] = (about, form_field.label)

    def _add_goal(self, section: GoalSection) -> None:
        row = section.judgement
        self._add(
            row_field("goal", row.goal_id, "judgement"),
            forms.ChoiceField(label=_("The body's judgement"), choices=JUDGEMENT_CHOICES),
            row.judgement,
            row.title,
        )
        self._add(
            row_field("goal", row.goal_id, "motivation"),
            _text(_("Motivation"), rows=4),
            row.motivation,
            row.title,
        )
        for report in section.activities:
            self._add(
                row_field("activity", report.activity_id, "status"),
                forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES),
                report.status,
                report.title,
            )
            self._add(
                row_field("activity", report.activity_id, "comment"),
                _text(_("Comment")),
                report.comment,
                report.title,
            )
        for outcome in section.indicators:
            names = ["value"] + (["value_women", "value_men"] if outcome.by_sex else [])
            labels = {
                "value": _("Outcome, total"),
                "value_women": _("Outcome for women"),
                "value_men": _("Outcome for men"),
            }
            for name in names:
                value = getattr(outcome, name)
                self._add(
                    row_field("indicator", outcome.indicator_id, name),
                    _number(labels[name]),
                    number_text(value),
                    outcome.name,
                )
            self._add(
                row_field("indicator", outcome.indicator_id, "comment"),
                _text(_("Comment")),
                outcome.comment,
                outcome.name,
            )

    def goal_fields(self) -> list[GoalFields]:
        """The rows' fields grouped by goal, in the plan's order, for the template."""
        grouped = []
        for section in self.sections:
            goal_pk = section.goal_id
            part = GoalFields(
                section=section,
                judgement=self[row_field("goal", goal_pk, "judgement")],
                motivation=self[row_field("goal", goal_pk, "motivation")],
            )
            for report in section.activities:
                pk = report.activity_id
                part.activities.append(
                    ActivityFields(
                        report=report,
                        status=self[row_field("activity", pk, "status")],
                        comment=self[row_field("activity", pk, "comment")],
                    )
                )
            for outcome in section.indicators:
                pk = outcome.indicator_id
                by_sex = outcome.by_sex
                part.indicators.append(
                    IndicatorFields(
                        outcome=outcome,
                        value=self[row_field("indicator", pk, "value")],
                        comment=self[row_field("indicator", pk, "comment")],
                        value_women=(
                            self[row_field("indicator", pk, "value_women")] if by_sex else None
                        ),
                        value_men=self[row_field("indicator", pk, "value_men")] if by_sex else None,
                    )
                )
            grouped.append(part)
        return grouped

    def to_input(self) -> FollowUpInput:
        """What the service saves, from the cleaned data."""
        data = self.cleaned_data
        activities = {}
        outcomes = {}
        judgements = {}
        for section in self.sections:
            goal_pk = section.goal_id
            judgements[goal_pk] = JudgementInput(
                judgement=data[row_field("goal", goal_pk, "judgement")],
                motivation=data[row_field("goal", goal_pk, "motivation")],
            )
            for report in section.activities:
                pk = report.activity_id
                activities[pk] = ActivityInput(
                    status=data[row_field("activity", pk, "status")],
                    comment=data[row_field("activity", pk, "comment")],
                )
            for outcome in section.indicators:
                pk = outcome.indicator_id
                outcomes[pk] = OutcomeInput(
                    value=data[row_field("indicator", pk, "value")],
                    value_women=data.get(row_field("indicator", pk, "value_women"), ""),
                    value_men=data.get(row_field("indicator", pk, "value_men"), ""),
                    comment=data[row_field("indicator", pk, "comment")],
                )
        return FollowUpInput(
            narrative=data["narrative"],
            situation_picture=data["situation_picture"],
            activities=activities,
            outcomes=outcomes,
            judgements=judgements,
            council_goal_judgement=data.get("council_goal_judgement", ""),
            council_goal_motivation=data.get("council_goal_motivation", ""),
            narrative_confidentiality=data["narrative_confidentiality"],
            situation_picture_confidentiality=data["situation_picture_confidentiality"],
            council_goal_confidentiality=data.get(
                "council_goal_confidentiality", Confidentiality.INTERNAL
            ),
        )


class SlkJudgementForm(VersionedForm):
    """SLK's judgement and motivation of each goal, beside the body's."""

    def __init__(self, *args: Any, follow_up: FollowUp, judgements: list[Any], **kwargs: Any):
        """One judgement and one motivation per goal SLK sees."""
        super().__init__(*args, initial={"version": follow_up.version}, **kwargs)
        self.judgements = judgements
        for row in judgements:
            name = row_field("goal", row.goal_id, "slk_judgement")
            self.fields[name] = forms.ChoiceField(
                label=_("SLK's judgement"),
                required=False,
                choices=_choices(Judgement, blank=_("Not judged yet")),
            )
            self.initial[name] = row.slk_judgement
            self.summary_labels[name] = (row.title, self.fields[name].label)
            name = row_field("goal", row.goal_id, "slk_motivation")
            self.fields[name] = _text(_("SLK's motivation"), rows=4)
            self.initial[name] = row.slk_motivation
            self.summary_labels[name] = (row.title, self.fields[name].label)

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        """Each judgement with SLK's two fields, for the template."""
        return [
            (
                row,
                self[row_field("goal", row.goal_id, "slk_judgement")],
                self[row_field("goal", row.goal_id, "slk_motivation")],
            )
            for row in self.judgements
        ]

    def to_input(self) -> dict[int, JudgementInput]:
        """SLK's judgements by goal, for ``record_slk_judgements``."""
        return {
            row.goal_id: JudgementInput(
                judgement=self.cleaned_data[row_field("goal", row.goal_id, "slk_judgement")],
                motivation=self.cleaned_data[row_field("goal", row.goal_id, "slk_motivation")],
            )
            for row in self.judgements
        }


class ReturnForm(VersionedForm):
    """SLK returns a follow-up with a comment on what the body should correct."""

    comment = forms.CharField(
        label=_("What should the body correct?"),
        widget=RichTextarea(attrs={"rows": 6}),
        error_messages={"required": _("Write what the body should correct before you return it.")},
        help_text=_("The body's administrators see this comment on the follow-up."),
    )


class TransitionForm(VersionedForm):
    """A button that moves the follow-up on (submit, approve), naming the version it saw."""
