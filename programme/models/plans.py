"""Plans and follow-ups: a body's goals, activities and indicators, and their reports.

A body has one plan (verksamhetsplan) per year. The plan's goals (nämndmål) link to the
focus areas of the programme versions in force that year; activities and indicators
hang under the goals. Three times a year the body reports a follow-up: a snapshot of
every activity's status, every indicator's outcome and its judgement of every goal,
which SLK returns or approves. Approval locks the snapshot, not the plan.

Records that people edit carry a ``version`` number: a save names the version it was
made from, and ``programme.locking`` refuses it when the record has moved on since.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import Body, FocusArea, confidentiality_field

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Versioned(models.Model):
    """A record that two people may edit at once: each save raises ``version`` by one."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


# --- The city council's goal, per year ---------------------------------------------------


class IndicatorDirection(models.TextChoices):
    """Whether a higher or a lower outcome is better."""

    HIGHER_IS_BETTER = "higher", _("higher is better")
    LOWER_IS_BETTER = "lower", _("lower is better")


class CouncilGoal(models.Model):
    """The city council's goal for safety and security in one year (data SLK maintains)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True, validators=YEAR_VALIDATORS)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("council goal")
        verbose_name_plural = _("council goals")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class CouncilIndicator(models.Model):
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


class FollowUpDeadline(models.Model):
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


# --- The plan ----------------------------------------------------------------------------


class Plan(Versioned):
    """A body's business plan (verksamhetsplan) for one year.

    When bodies merge in the middle of a year, the successor's plan takes over the
    predecessors' goals; the predecessor's plan keeps ``taken_over_by`` to say where
    they went, and its earlier follow-ups stay with it.
    """

    body_path = "body"
    confidentiality_path: tuple[str, ...] = ()

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
    description = models.TextField(_("description"), blank=True)
    focus_areas = models.ManyToManyField(
        FocusArea, verbose_name=_("focus areas"), blank=True, related_name="body_goals"
    )
    confidentiality = confidentiality_field()
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
    description = models.TextField(_("description"), blank=True)
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
    confidentiality = confidentiality_field()
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
        chosen = set(self.perspectives or [])
        return [str(label) for value, label in Perspective.choices if value in chosen]


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
    confidentiality = confidentiality_field()
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
    confidentiality_path: tuple[str, ...] = ()

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


class ReminderKind(models.TextChoices):
    """When a deadline reminder goes out."""

    FOURTEEN_DAYS_BEFORE = "14_days_before", _("14 days before the deadline")
    THREE_DAYS_BEFORE = "3_days_before", _("3 days before the deadline")
    DAY_AFTER = "day_after", _("the day after the deadline")


class ReminderSent(models.Model):
    """A deadline reminder that went to a body's administrators: each is sent once."""

    deadline = models.ForeignKey(
        FollowUpDeadline,
        verbose_name=_("deadline"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "body", "kind"], name="reminder_once_per_body_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.deadline} ({self.get_kind_display()})"
