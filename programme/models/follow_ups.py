"""Follow-ups: a plan's snapshot at T1, T2 and the year's end, with the body's and SLK's judgements.

A follow-up keeps, on its own rows, everything it shows about what it reports on, as
it stood when the follow-up was submitted: each goal's, activity's and indicator's
text, dates, units, targets and focus areas, each duty's state, and the level each
had then (``Snapshot``). A submitted or approved follow-up shows those values, whatever
happens to the plan later; a draft shows the plan as it is. Approval locks the
snapshot, not the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.bodies import (
    ALWAYS_OPEN,
    AlwaysOpen,
    Confidentiality,
    confidentiality_field,
    stricter,
)
from programme.models.duties import DutyKind, DutyRecord, DutyStatus
from programme.models.plans import (
    Activity,
    ActivityStatus,
    Goal,
    Indicator,
    Plan,
    perspective_labels,
)
from programme.models.programmes import FocusArea
from programme.models.versioned import Versioned
from programme.models.year_settings import FollowUpPeriod, IndicatorDirection
from programme.rich_text import RichTextField

# --- Follow-ups --------------------------------------------------------------------------


class FollowUpState(models.TextChoices):
    """Where a follow-up stands in SLK's review."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned")
    APPROVED = "approved", _("approved")


class Judgement(models.TextChoices):
    """How far a goal is met."""

    FULLY_MET = "fully_met", _("fully met")
    PARTLY_MET = "partly_met", _("partly met")
    NOT_MET = "not_met", _("not met")
    NOT_ASSESSED = "not_assessed", _("not assessed")


class FollowUp(Versioned):
    """One period's follow-up of a plan: a snapshot the body reports and SLK reviews.

    The annual follow-up (verksamhetsberättelse) also carries the body's one judgement
    of the council goal and the state of its programme duties at submission.
    """

    body_path = "plan__body"
    # The row (which plan, which period, where it stands) is open; its texts carry their
    # own levels, named here for the rules of ``programme.access``.
    confidentiality_path: AlwaysOpen = ALWAYS_OPEN
    text_levels = {
        "narrative": "narrative_confidentiality",
        "situation_picture": "situation_picture_confidentiality",
        "council_goal_judgement": "council_goal_confidentiality",
        "council_goal_motivation": "council_goal_confidentiality",
    }

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    period = models.CharField(_("period"), max_length=8, choices=FollowUpPeriod.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=FollowUpState.choices, default=FollowUpState.DRAFT
    )
    narrative = RichTextField(_("narrative"), blank=True)
    narrative_confidentiality = confidentiality_field(
        Confidentiality.INTERNAL, _("confidentiality of the narrative")
    )
    situation_picture = RichTextField(_("situation picture"), blank=True)
    situation_picture_confidentiality = confidentiality_field(
        Confidentiality.INTERNAL, _("confidentiality of the situation picture")
    )
    council_goal_judgement = models.CharField(
        _("judgement of the council goal"), max_length=16, choices=Judgement.choices, blank=True
    )
    council_goal_motivation = RichTextField(_("motivation"), blank=True)
    council_goal_confidentiality = confidentiality_field(
        Confidentiality.INTERNAL, _("confidentiality of the council goal's judgement")
    )
    review_comment = RichTextField(_("SLK's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["plan", "period"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="follow_up_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_period_display()}"

    @property
    def is_locked(self) -> bool:
        """An approved follow-up is locked; a submitted one waits for SLK."""
        return self.state == FollowUpState.APPROVED

    @property
    def is_editable_by_body(self) -> bool:
        """The body edits a draft or a returned follow-up, nothing else."""
        return self.state in (FollowUpState.DRAFT, FollowUpState.RETURNED)

    @property
    def is_frozen(self) -> bool:
        """Whether the follow-up shows its snapshot (submitted or approved), not the plan."""
        return self.state in (FollowUpState.SUBMITTED, FollowUpState.APPROVED)

    @property
    def review_stands(self) -> bool:
        """Whether SLK's last review answers the latest submission: after a returned
        follow-up is submitted again, the earlier review no longer applies."""
        if self.reviewed_at is None:
            return False
        return self.submitted_at is None or self.reviewed_at >= self.submitted_at


class Snapshot(models.Model):
    """What a follow-up row keeps of the record it reports on, as of the submission.

    ``confidentiality`` is the level the record had then (the strictest of its own and
    its goal's); the row is shown under the stricter of that and the record's level now.
    """

    position = models.PositiveSmallIntegerField(_("position"), default=1)
    confidentiality = confidentiality_field(
        Confidentiality.OPEN, _("confidentiality at submission")
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas at submission"), blank=True, related_name="+"
    )

    # The record's fields the row keeps under the same names; ``confidentiality`` is
    # kept as well, as the strictest of the record's and its goal's.
    copied_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @classmethod
    def snapshot_fields(cls) -> list[str]:
        """Every field a submission writes onto the row (focus areas apart)."""
        return [*cls.copied_fields, "confidentiality"]

    def _copy(self, record: Any, goal_level: str) -> None:
        for name in self.copied_fields:
            value = getattr(record, name)
            setattr(self, name, list(value) if isinstance(value, list) else value)
        self.confidentiality = stricter(record.confidentiality, goal_level)


def copy_focus_areas(rows: Sequence[Snapshot], record_model: type[models.Model]) -> None:
    """Give each row the focus areas its record (``record_model``) has now, replacing its own.

    Rows of many follow-ups may share a record. Three queries however many rows.
    """
    if not rows:
        return
    name = record_model._meta.model_name
    record_links: Any = record_model.focus_areas.through  # type: ignore[attr-defined]
    row_links: Any = type(rows[0]).focus_areas.through
    row_field = f"{type(rows[0])._meta.model_name}_id"
    row_links.objects.filter(**{f"{row_field}__in": [row.pk for row in rows]}).delete()
    areas: dict[int, list[int]] = {}
    for record_id, area_id in record_links.objects.filter(
        **{f"{name}_id__in": {getattr(row, f"{name}_id") for row in rows}}
    ).values_list(f"{name}_id", "focusarea_id"):
        areas.setdefault(record_id, []).append(area_id)
    row_links.objects.bulk_create(
        (
            row_links(**{row_field: row.pk, "focusarea_id": area_id})
            for row in rows
            for area_id in areas.get(getattr(row, f"{name}_id"), [])
        ),
        batch_size=1000,
    )


class ActivityReport(Snapshot):
    """An activity's status and comment as of one follow-up, with the activity as it stood."""

    body_path = "follow_up__plan__body"
    confidentiality_path = (
        "confidentiality",
        "activity__confidentiality",
        "activity__goal__confidentiality",
    )
    version_kept_by = "follow_up"
    copied_fields = (
        "position",
        "title",
        "description",
        "responsible_unit",
        "starts_on",
        "ends_on",
        "perspectives",
    )

    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="activity_reports",
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(_("status"), max_length=16, choices=ActivityStatus.choices)
    comment = RichTextField(_("comment"), blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = RichTextField(_("description"), blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    perspectives = models.JSONField(_("perspectives considered"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        ordering = ["follow_up", "activity__goal__position", "activity__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "activity"], name="activity_report_once_per_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_status_display()}"

    def take_from(self, activity: Activity, goal_level: str) -> None:
        """Set the snapshot to ``activity`` as it stands (not saved; focus areas apart)."""
        self._copy(activity, goal_level)

    def perspective_labels(self) -> list[str]:
        """The perspectives considered, in the programme's order and the active language."""
        return perspective_labels(self.perspectives)


class IndicatorOutcome(Snapshot):
    """An indicator's outcome as of one follow-up (in total and, if asked, for women and men)."""

    body_path = "follow_up__plan__body"
    confidentiality_path = (
        "confidentiality",
        "indicator__confidentiality",
        "indicator__goal__confidentiality",
    )
    version_kept_by = "follow_up"
    copied_fields = ("position", "name", "unit", "direction", "baseline", "target", "by_sex")

    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="outcomes"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="outcomes"
    )
    value = models.DecimalField(
        _("outcome"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_women = models.DecimalField(
        _("outcome for women"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_men = models.DecimalField(
        _("outcome for men"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    comment = RichTextField(_("comment"), blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=IndicatorDirection.choices, blank=True
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    by_sex = models.BooleanField(_("split by women and men"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator outcome")
        verbose_name_plural = _("indicator outcomes")
        ordering = ["follow_up", "indicator__goal__position", "indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "indicator"], name="indicator_outcome_once_per_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"

    def take_from(self, indicator: Indicator, goal_level: str) -> None:
        """Set the snapshot to ``indicator`` as it stands (not saved; focus areas apart)."""
        self._copy(indicator, goal_level)


class GoalJudgement(Snapshot):
    """How far one goal is met at one follow-up: the body's judgement and SLK's beside it."""

    body_path = "follow_up__plan__body"
    confidentiality_path = ("confidentiality", "goal__confidentiality")
    version_kept_by = "follow_up"
    copied_fields = ("position", "title", "description")

    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="goal_judgements",
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="judgements"
    )
    judgement = models.CharField(
        _("the body's judgement"),
        max_length=16,
        choices=Judgement.choices,
        default=Judgement.NOT_ASSESSED,
    )
    motivation = RichTextField(_("motivation"), blank=True)
    slk_judgement = models.CharField(
        _("SLK's judgement"), max_length=16, choices=Judgement.choices, blank=True
    )
    slk_motivation = RichTextField(_("SLK's motivation"), blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = RichTextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal judgement")
        verbose_name_plural = _("goal judgements")
        ordering = ["follow_up", "goal__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "goal"], name="goal_judgement_once_per_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_judgement_display()}"

    def take_from(self, goal: Goal) -> None:
        """Set the snapshot to ``goal`` as it stands (not saved; focus areas apart)."""
        self._copy(goal, goal.confidentiality)

    @property
    def disagrees(self) -> bool:
        """Whether SLK has judged the goal and judged it otherwise than the body."""
        return bool(self.slk_judgement) and self.slk_judgement != self.judgement


class DutyReport(models.Model):
    """One programme duty's state as the annual follow-up reports it, kept at submission."""

    body_path = "follow_up__plan__body"
    confidentiality_path = ("confidentiality", "record__confidentiality")
    version_kept_by = "follow_up"

    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="duty_reports",
    )
    record = models.ForeignKey(
        DutyRecord,
        verbose_name=_("programme duty"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    duty = models.CharField(_("duty"), max_length=40, choices=DutyKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=DutyStatus.choices)
    confidentiality = confidentiality_field(
        Confidentiality.INTERNAL, _("confidentiality at submission")
    )
    person_name = models.CharField(_("name of the person"), max_length=200, blank=True)
    completed_on = models.DateField(_("date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported programme duty")
        verbose_name_plural = _("reported programme duties")
        ordering = ["follow_up", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "duty"], name="duty_report_once_per_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_duty_display()}: {self.get_status_display()}"

    def take_from(self, record: DutyRecord) -> None:
        """Set the row to the duty record as it stands (not saved)."""
        self.record = record
        self.duty = record.duty
        self.position = DutyKind.values.index(record.duty) + 1
        self.status = record.status
        self.confidentiality = record.confidentiality
        self.person_name = record.person_name
        self.completed_on = record.completed_on

    @property
    def is_met(self) -> bool:
        """Whether the duty was met at submission."""
        return self.status == DutyStatus.MET
