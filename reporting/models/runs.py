"""Report runs: one rendering of one report from one set of inputs, and who asked for it.

A report is a body's follow-up seen by an audience (``programme.access.Audience``). A
run renders it from the inputs collected when it was asked for, kept on the run with
their hash, so the file is exactly what those inputs make; asking again while the
inputs are unchanged joins the run that made them (or is making them) instead of
rendering again. The worker moves a run from queued to running to done or failed;
nothing else changes a run, and a request is never changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programme.history_display import written_moment
from programme.models import Audience, Body, FollowUp


class RunState(models.TextChoices):
    """Where a run stands."""

    QUEUED = "queued", pgettext_lazy("report run", "queued")
    RUNNING = "running", pgettext_lazy("report run", "being rendered")
    DONE = "done", pgettext_lazy("report run", "ready")
    FAILED = "failed", pgettext_lazy("report run", "failed")


class ReportScope(models.TextChoices):
    """What a report covers."""

    BODY = "body", _("a body's follow-up")
    CITY = "city", _("the whole city")
    COMPILATION = "compilation", _("a referral round's compilation")
    REPLY = "reply", _("the reply to a responding body")


# The scopes of a referral round's outputs: they name the round (and a reply its body).
REFERRAL_SCOPES = (ReportScope.COMPILATION, ReportScope.REPLY)


class ReportRun(models.Model):
    """One rendering of a report for one audience, from inputs with one hash.

    A body's report names its follow-up; the city-wide report names its year and period
    and is put together from parts (``RunPart``); a referral round's compilation names
    the round, and the reply to a responding body names the round and the body.
    """

    not_edited = "changed only by the worker's state transitions, one field set at a time"

    scope = models.CharField(
        _("scope"), max_length=16, choices=ReportScope.choices, default=ReportScope.BODY
    )
    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        related_name="report_runs",
        null=True,
        blank=True,
    )
    referral = models.ForeignKey(
        "remiss.Referral",
        verbose_name=_("referral round"),
        on_delete=models.PROTECT,
        related_name="report_runs",
        null=True,
        blank=True,
    )
    respondent = models.ForeignKey(
        Body,
        verbose_name=_("responding body"),
        on_delete=models.PROTECT,
        related_name="referral_reply_runs",
        null=True,
        blank=True,
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    period = models.CharField(_("period"), max_length=8, blank=True)
    audience = models.CharField(_("variant"), max_length=16, choices=Audience.choices)
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=300)
    file_title = models.CharField(_("file name"), max_length=300)
    inputs = models.JSONField(_("inputs"))
    input_hash = models.CharField(_("hash of the inputs"), max_length=64, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.QUEUED
    )
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    progress_page = models.PositiveIntegerField(_("page being laid out"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    render_seconds = models.FloatField(_("seconds to render"), null=True, blank=True)
    file_name = models.CharField(_("stored file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # A city-wide run: set once, when its last part is done and the joining is queued.
    assembly_queued = models.BooleanField(_("joining queued"), default=False)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-queued_at", "-pk"]
        constraints = [
            # One live run per set of inputs: asking again joins it. A failed run leaves
            # room for a new one with the same inputs.
            models.UniqueConstraint(
                fields=["input_hash"],
                condition=~Q(state="failed"),
                name="report_run_one_live_per_inputs",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | (~Q(file_name="") & ~Q(sha256="")),
                name="report_run_done_has_file",
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="body")
                    & Q(follow_up__isnull=False)
                    & Q(referral__isnull=True)
                    & Q(respondent__isnull=True)
                )
                | (
                    Q(scope="city")
                    & Q(follow_up__isnull=True)
                    & Q(year__isnull=False)
                    & ~Q(period="")
                    & Q(referral__isnull=True)
                    & Q(respondent__isnull=True)
                )
                | (
                    Q(scope="compilation")
                    & Q(follow_up__isnull=True)
                    & Q(referral__isnull=False)
                    & Q(respondent__isnull=True)
                )
                | (
                    Q(scope="reply")
                    & Q(follow_up__isnull=True)
                    & Q(referral__isnull=False)
                    & Q(respondent__isnull=False)
                ),
                name="report_run_names_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_audience_display()}, {self.get_state_display()})"

    @property
    def is_city(self) -> bool:
        """Whether this is a run of the city-wide report."""
        return self.scope == ReportScope.CITY

    @property
    def is_referral(self) -> bool:
        """Whether this is a run of a referral round's compilation or of a reply."""
        return self.scope in REFERRAL_SCOPES

    @property
    def is_pending(self) -> bool:
        """Whether the run is still waiting for or in the worker."""
        return self.state in (RunState.QUEUED, RunState.RUNNING)


class ReportRequest(models.Model):
    """Someone asked for a report; the run that answers it (new, or one already made)."""

    not_edited = "a record of who asked when; never changed"

    run = models.ForeignKey(
        ReportRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="report_requests",
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    joined = models.BooleanField(
        _("joined an existing run"),
        default=False,
        help_text=_("The inputs were unchanged, so an earlier run answered."),
    )

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.run.title}: {self.requested_by} {written_moment(self.requested_at)}"
