"""Programme versions, their goal areas and focus areas, and the lineage between versions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.versioned import Versioned

# While a version's goal or focus areas are renumbered, the rows are first moved out of
# the way, so that swapping two positions never trips a unique constraint halfway through.
PARKING_OFFSET = 10_000


def park_positions(queryset: models.QuerySet[Any], **also: Any) -> None:
    """Move every row of ``queryset`` past the positions in use (and set ``also``)."""
    queryset.update(position=models.F("position") + PARKING_OFFSET, **also)


class ProgrammeKind(models.TextChoices):
    """What a programme version covers."""

    SAFETY_AND_SECURITY = "safety_and_security", _("safety and security programme")
    SAFETY = "safety", _("safety programme")
    SECURITY = "security", _("security programme")


class ProgrammeStatus(models.TextChoices):
    """Where a programme version stands in its life."""

    DRAFT = "draft", _("draft")
    ON_REFERRAL = "on_referral", _("on referral")
    ADOPTED = "adopted", _("adopted")
    SUPERSEDED = "superseded", _("superseded")


class Assembly(models.TextChoices):
    """The assembly that adopts a programme version."""

    CITY_COUNCIL = "city_council", _("city council")
    EXECUTIVE_BOARD = "executive_board", _("executive board")


class Programme(Versioned):
    """One version of the city's safety and/or security programme (styrdokument)."""

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProgrammeKind.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(
        _("last year"),
        null=True,
        blank=True,
        help_text=_("Empty for a version that runs until a later version supersedes it."),
    )
    registration_number = models.CharField(_("registration number"), max_length=80, blank=True)
    adopted_on = models.DateField(_("adoption date"), null=True, blank=True)
    adopted_year = models.PositiveSmallIntegerField(
        _("adoption year"),
        null=True,
        blank=True,
        help_text=_("The year of adoption where the exact date is not known."),
    )
    adopted_by = models.CharField(
        _("adopting assembly"), max_length=32, choices=Assembly.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["first_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__isnull=True) | Q(last_year__gte=models.F("first_year")),
                name="programme_valid_year_range",
                violation_error_message=_("The last year cannot come before the first year."),
            ),
            models.CheckConstraint(
                condition=Q(first_year__gte=1900) & Q(first_year__lte=2200),
                name="programme_first_year_plausible",
                violation_error_message=_("The first year must be between 1900 and 2200."),
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(supersedes=models.F("pk")),
                name="programme_not_superseding_itself",
                violation_error_message=_("A version cannot supersede itself."),
            ),
            models.CheckConstraint(
                condition=Q(adopted_on__isnull=True) | Q(adopted_year__isnull=True),
                name="programme_one_adoption_dating",
                violation_error_message=_("Give either the adoption date or the adoption year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:detail", kwargs={"slug": self.slug})

    @property
    def period_label(self) -> str:
        """The validity years as the city writes them: "2018–2021" or "2024–"."""
        if self.last_year is None:
            return f"{self.first_year}–"
        return f"{self.first_year}–{self.last_year}"

    @property
    def adoption_year(self) -> int | None:
        """The year the version was adopted, from the date where there is one."""
        if self.adopted_on is not None:
            return self.adopted_on.year
        return self.adopted_year


class GoalArea(models.Model):
    """A goal area (målområde) that a programme version's work protects."""

    version_kept_by = "programme"

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme version"),
        on_delete=models.CASCADE,
        related_name="goal_areas",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal area")
        verbose_name_plural = _("goal areas")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="goal_area_unique_position"
            ),
            models.UniqueConstraint(fields=["programme", "name"], name="goal_area_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FocusArea(Versioned):
    """A focus area (fokusområde) of a programme version, with its goals and working methods."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme version"),
        on_delete=models.CASCADE,
        related_name="focus_areas",
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        null=True,
        blank=True,
        help_text=_("Only where the version numbers its focus areas."),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    working_methods = models.TextField(_("working methods"), blank=True)
    goal_areas = models.ManyToManyField(
        GoalArea, verbose_name=_("goal areas"), blank=True, related_name="focus_areas"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="focus_area_unique_number"
            ),
            models.UniqueConstraint(
                fields=["programme", "position"], name="focus_area_unique_position"
            ),
            models.UniqueConstraint(fields=["programme", "title"], name="focus_area_unique_title"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1),
                name="focus_area_number_positive",
            ),
        ]

    def __str__(self) -> str:
        if self.number is not None:
            return f"{self.number}. {self.title}"
        return self.title


class FocusAreaSuccession(models.Model):
    """Where a focus area's content went in a later version.

    A row with a successor says that focus area took over (part of) the content; a row
    without one records, in its note, content that left the programme lineage (for
    example to the city's quality programme).
    """

    not_edited = "Loaded with the programme data from fixtures/; the product does not edit it."

    source = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        on_delete=models.CASCADE,
        related_name="successions",
    )
    successor = models.ForeignKey(
        FocusArea,
        verbose_name=_("successor focus area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("focus area succession")
        verbose_name_plural = _("focus area successions")
        ordering = ["source", "successor__programme", "successor__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "successor"], name="focus_area_succession_unique"
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=False) | ~Q(note=""),
                name="focus_area_succession_target_or_note",
                violation_error_message=_(
                    "Name the focus area that took over the content, or say in the note "
                    "where it went."
                ),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | ~Q(successor=models.F("source")),
                name="focus_area_succession_not_itself",
            ),
        ]

    def __str__(self) -> str:
        if self.successor is not None:
            return f"{self.source} → {self.successor}"
        return f"{self.source} → {self.note}"
