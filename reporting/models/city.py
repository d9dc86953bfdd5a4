"""The city-wide report: the parts it is put together from, its publications, its yearly date.

The city-wide report is rendered as parts (an overview and one part per body), each a
tagged PDF kept under the hash of its own inputs, so that a report asked for again after
one body's follow-up changed renders that body's part and the overview only. A run lists
its parts in order (``RunPart``); the worker collects them through these rows, not
through a result backend. SLK publishes a finished run of the general variant
(``Publication``); a correction supersedes the earlier publication, whose file stays.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.history_display import written_date
from programme.models.versioned import Versioned
from reporting.models.runs import ReportRun, RunState


class PartKind(models.TextChoices):
    """What a part of the city-wide report holds."""

    OVERVIEW = "overview", _("overview")
    BODY = "body", _("a body's summary")


class ReportPart(models.Model):
    """One part of a city-wide report rendered as a tagged PDF, kept under its inputs' hash.

    Any run whose part has the same hash uses the same file: the hash covers the part's
    inputs, the variant, the language and the code and fonts that render it.
    """

    not_edited = "changed only by the worker's state transitions, one field set at a time"

    kind = models.CharField(_("kind"), max_length=16, choices=PartKind.choices)
    key = models.CharField(_("key"), max_length=100)
    input_hash = models.CharField(_("hash of the inputs"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=RunState.choices, default=RunState.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    render_seconds = models.FloatField(_("seconds to render"), null=True, blank=True)
    file_name = models.CharField(_("stored file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # Each page's width, height and margins (pdf.PageGeometry), for the page-number stamp.
    geometries = models.JSONField(_("page geometries"), default=list, blank=True)

    class Meta:
        verbose_name = _("report part")
        verbose_name_plural = _("report parts")
        constraints = [
            models.UniqueConstraint(
                fields=["input_hash"],
                condition=~Q(state="failed"),
                name="report_part_one_live_per_inputs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} ({self.get_state_display()})"


class RunPart(models.Model):
    """A part of a run of the city-wide report, at its place in the file."""

    not_edited = "written once when the run is planned; never changed"

    run = models.ForeignKey(
        ReportRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="run_parts"
    )
    part = models.ForeignKey(
        ReportPart, verbose_name=_("part"), on_delete=models.PROTECT, related_name="run_parts"
    )
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("part of a run")
        verbose_name_plural = _("parts of runs")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_part_position"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} #{self.position}: {self.part_id}"


class Publication(models.Model):
    """SLK published a run of the city-wide report; a later publication supersedes it."""

    not_edited = (
        "written when published; only superseded_at and superseded_by are set, once, by the "
        "publishing service under the lock of the earlier row"
    )

    run = models.OneToOneField(
        ReportRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="publication"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=8)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="report_publications",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "period"],
                condition=Q(superseded_at__isnull=True),
                name="publication_one_current_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run.title} {written_date(timezone.localdate(self.published_at))}"

    @property
    def is_current(self) -> bool:
        """Whether this is the publication officials read now."""
        return self.superseded_at is None


class ReportSchedule(Versioned):
    """The day of a year on which the worker renders every body's annual report and the
    city-wide draft; SLK is told by e-mail when they are ready.

    SLK sets the date (a versioned edit, kept in the history); the worker marks when it
    started (``started_at``, with the runs it asked for) and when SLK was told.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    render_on = models.DateField(_("render on"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="report_schedules",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("SLK told at"), null=True, blank=True)
    runs = models.ManyToManyField(
        ReportRun, verbose_name=_("runs"), blank=True, related_name="schedules"
    )

    history = HistoricalRecords(excluded_fields=["started_at", "notified_at"])

    class Meta:
        verbose_name = _("report date")
        verbose_name_plural = _("report dates")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {written_date(self.render_on)}"
