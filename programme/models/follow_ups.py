"""Follow-ups: a plan's snapshot at T1, T2 and the year's end, with the body's and SLK's judgements.

Approval locks the snapshot, not the plan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.plans import Activity, ActivityStatus, Goal, Indicator, Plan
from programme.models.versioned import Versioned
from programme.models.year_settings import FollowUpPeriod

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
    confidentiality_path: tuple[str, ...] = ()

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    period = models.CharField(_("period"), max_length=8, choices=FollowUpPeriod.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=FollowUpState.choices, default=FollowUpState.DRAFT
    )
    narrative = models.TextField(_("narrative"), blank=True)
    situation_picture = models.TextField(_("situation picture"), blank=True)
    council_goal_judgement = models.CharField(
        _("judgement of the council goal"), max_length=16, choices=Judgement.choices, blank=True
    )
    council_goal_motivation = models.TextField(_("motivation"), blank=True)
    duty_states = models.JSONField(
        _("programme duties at submission"),
        default=list,
        blank=True,
        help_text=_("Each duty's status and level when the annual follow-up was submitted."),
    )
    review_comment = models.TextField(_("SLK's comment"), blank=True)
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


class ActivityReport(models.Model):
    """An activity's status and comment as of one follow-up."""

    body_path = "follow_up__plan__body"
    confidentiality_path = ("activity__confidentiality", "activity__goal__confidentiality")
    version_kept_by = "follow_up"

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
    comment = models.TextField(_("comment"), blank=True)

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


class IndicatorOutcome(models.Model):
    """An indicator's outcome as of one follow-up, in total and, if asked, for women and men."""

    body_path = "follow_up__plan__body"
    confidentiality_path = ("indicator__confidentiality", "indicator__goal__confidentiality")
    version_kept_by = "follow_up"

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
    comment = models.TextField(_("comment"), blank=True)

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


class GoalJudgement(models.Model):
    """How far one goal is met at one follow-up: the body's judgement and SLK's beside it."""

    body_path = "follow_up__plan__body"
    confidentiality_path = ("goal__confidentiality",)
    version_kept_by = "follow_up"

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
    motivation = models.TextField(_("motivation"), blank=True)
    slk_judgement = models.CharField(
        _("SLK's judgement"), max_length=16, choices=Judgement.choices, blank=True
    )
    slk_motivation = models.TextField(_("SLK's motivation"), blank=True)

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

    @property
    def disagrees(self) -> bool:
        """Whether SLK has judged the goal and judged it otherwise than the body."""
        return bool(self.slk_judgement) and self.slk_judgement != self.judgement
