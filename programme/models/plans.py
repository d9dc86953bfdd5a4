"""A body's plan for a year: its goals, activities and indicators, and what a copy could not settle.

Records that people edit carry a ``version`` number: a save names the version it was
made from, and ``programme.locking`` refuses it when the record has moved on since.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.bodies import (
    ALWAYS_OPEN,
    AlwaysOpen,
    Body,
    Confidentiality,
    confidentiality_field,
)
from programme.models.programmes import FocusArea
from programme.models.versioned import Versioned
from programme.models.year_settings import IndicatorDirection
from programme.rich_text import RichTextField
from programme.years import YEAR_VALIDATORS

# --- The plan ----------------------------------------------------------------------------


class Plan(Versioned):
    """A body's business plan (verksamhetsplan) for one year.

    When bodies merge in the middle of a year, the successor's plan takes over the
    predecessors' goals; the predecessor's plan keeps ``taken_over_by`` to say where
    they went, and its earlier follow-ups stay with it.
    """

    body_path = "body"
    # Which body planned for which year is public; the plan's records carry their levels.
    confidentiality_path: AlwaysOpen = ALWAYS_OPEN

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    taken_over_by = models.ForeignKey(
        "self",
        verbose_name=_("taken over by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="took_over",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["body__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="plan_once_per_body_year"),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.year}"


class Goal(Versioned):
    """A goal of the body (nämndmål) in one plan, linked to focus areas of the programme."""

    body_path = "plan__body"
    confidentiality_path = ("confidentiality",)

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = RichTextField(_("description"), blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="body_goals"
    )
    # Plans are public documents: a record is open unless the body marks it otherwise.
    confidentiality = confidentiality_field(Confidentiality.OPEN)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )
    taken_over_from = models.ForeignKey(
        Body,
        verbose_name=_("taken over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The predecessor body whose plan this goal came from in a merger."),
    )

    history = HistoricalRecords(m2m_fields=[focus_areas])

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ActivityStatus(models.TextChoices):
    """Where an activity stands."""

    PLANNED = "planned", _("planned")
    ONGOING = "ongoing", _("ongoing")
    DONE = "done", _("done")
    DELAYED = "delayed", _("delayed")
    CANCELLED = "cancelled", _("cancelled")


# An activity in one of these states is finished and is not carried into the next year.
FINISHED_ACTIVITY_STATUSES = frozenset({ActivityStatus.DONE, ActivityStatus.CANCELLED})


class Perspective(models.TextChoices):
    """The perspectives the trygghetsprogram asks every activity to consider."""

    GENDER_EQUALITY = "gender_equality", _("gender equality")
    CHILDREN = "children", _("children")
    DISABILITY = "disability", _("disability")
    LGBTQ = "lgbtq", _("LGBTQ")
    OLDER_PEOPLE = "older_people", _("older people")


def perspective_labels(values: list[str] | None) -> list[str]:
    """Perspectives as the page writes them: in the programme's order, the active language."""
    chosen = set(values or [])
    return [str(label) for value, label in Perspective.choices if value in chosen]


class Activity(Versioned):
    """An activity under one goal: who does what, when, and how far it has come.

    ``status`` is the activity's current status: the one in its latest follow-up, or
    the one set in the plan before any follow-up.
    """

    body_path = "goal__plan__body"
    confidentiality_path = ("confidentiality", "goal__confidentiality")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="activities"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = RichTextField(_("description"), blank=True)
    responsible_unit = models.CharField(_("responsible unit"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="activities"
    )
    perspectives = models.JSONField(
        _("perspectives considered"),
        default=list,
        blank=True,
        help_text=_("Gender equality, children, disability, LGBTQ, older people."),
    )
    # Plans are public documents: a record is open unless the body marks it otherwise.
    confidentiality = confidentiality_field(Confidentiality.OPEN)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )

    history = HistoricalRecords(m2m_fields=[focus_areas])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["goal", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
                violation_error_message=_("An activity cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def perspective_labels(self) -> list[str]:
        """The perspectives considered, in the programme's order and the active language."""
        return perspective_labels(self.perspectives)


class Indicator(Versioned):
    """A measure of one goal: unit, direction, baseline and target, with outcomes per period."""

    body_path = "goal__plan__body"
    confidentiality_path = ("confidentiality", "goal__confidentiality")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="indicators"
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
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    by_sex = models.BooleanField(
        _("split by women and men"),
        default=False,
        help_text=_("Report the outcome for women and men apart as well as in total."),
    )
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="indicators"
    )
    # Plans are public documents: a record is open unless the body marks it otherwise.
    confidentiality = confidentiality_field(Confidentiality.OPEN)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )

    history = HistoricalRecords(m2m_fields=[focus_areas])

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class CarryOverIssue(models.Model):
    """Something a plan copy or merger could not settle alone, for the administrator.

    A focus area of last year's version with no successor in force is kept on the
    copied record and flagged here; it is never dropped silently.
    """

    body_path = "plan__body"
    # Governed by the record it is about (a missing record imposes no level).
    confidentiality_path = (
        "goal__confidentiality",
        "activity__confidentiality",
        "activity__goal__confidentiality",
        "indicator__confidentiality",
        "indicator__goal__confidentiality",
    )
    not_edited = "Only ever marked resolved, once; a second mark changes nothing."

    class Kind(models.TextChoices):
        UNMAPPED = "unmapped", _("focus area without a successor in force")
        SPLIT = "split", _("focus area split over several successors")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="carry_over_issues"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("focus area"), on_delete=models.PROTECT, related_name="+"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="carry_over_issues"
    )
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carry_over_issues",
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carry_over_issues",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("carry-over issue")
        verbose_name_plural = _("carry-over issues")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.focus_area}"
