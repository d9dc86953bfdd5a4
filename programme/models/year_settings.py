"""SLK's data for each year: the council's goal with its indicators, and the follow-up deadlines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.versioned import Versioned
from programme.rich_text import RichTextField
from programme.years import YEAR_VALIDATORS

# --- The city council's goal, per year ---------------------------------------------------


# The goal the city council has set for the area since 2020; a new year starts from it.
DEFAULT_COUNCIL_GOAL_TITLE = "Stockholm är en trygg, säker och välskött stad att bo och vistas i"


class IndicatorDirection(models.TextChoices):
    """Whether a higher or a lower outcome is better."""

    HIGHER_IS_BETTER = "higher", _("higher is better")
    LOWER_IS_BETTER = "lower", _("lower is better")


class CouncilGoal(Versioned):
    """The city council's goal for safety and security in one year (data SLK maintains)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=300)
    description = RichTextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("council goal")
        verbose_name_plural = _("council goals")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class CouncilIndicator(Versioned):
    """One of the council's indicators for its goal, with that year's target and outcome."""

    council_goal = models.ForeignKey(
        CouncilGoal,
        verbose_name=_("council goal"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=IndicatorDirection.choices,
        default=IndicatorDirection.HIGHER_IS_BETTER,
    )
    target = models.DecimalField(
        _("annual target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    outcome = models.DecimalField(
        _("outcome"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("council indicator")
        verbose_name_plural = _("council indicators")
        ordering = ["council_goal", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council_goal", "name"], name="council_indicator_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Follow-up periods and their deadlines -----------------------------------------------


class FollowUpPeriod(models.TextChoices):
    """The three follow-ups of a year, in order."""

    T1 = "t1", _("tertial report 1")
    T2 = "t2", _("tertial report 2")
    ANNUAL = "annual", _("annual report")


class FollowUpDeadline(Versioned):
    """When a period's follow-up is due, as SLK sets it for one year."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    period = models.CharField(_("period"), max_length=8, choices=FollowUpPeriod.choices)
    due_on = models.DateField(_("deadline"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up deadline")
        verbose_name_plural = _("follow-up deadlines")
        ordering = ["-year", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "period"], name="deadline_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_period_display()}: {self.due_on:%Y-%m-%d}"
