"""The programme itself: its versions, goal areas, focus areas and the bodies it binds.

The UI speaks Swedish through Django's translation machinery; the code speaks English
(see the glossary in the design brief).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


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


class Programme(models.Model):
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


class FocusArea(models.Model):
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


class BodyKind(models.TextChoices):
    """The kinds of body the programme binds."""

    DISTRICT_COMMITTEE = "district_committee", _("district committee")
    SPECIALIST_COMMITTEE = "specialist_committee", _("specialist committee")
    COMPANY_BOARD = "company_board", _("company board")
    EXECUTIVE_BOARD = "executive_board", _("executive board")


class BodyQuerySet(models.QuerySet["Body"]):
    """Queries on bodies."""

    def active_on(self, day: datetime.date) -> BodyQuerySet:
        """Bodies that existed on ``day``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class Body(models.Model):
    """A committee, company board or the executive board, as it was over a span of time.

    A merger or rename ends the old body (``valid_to``) and starts a new one that lists
    it among its predecessors, so history keeps pointing at the body as it was.
    """

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    administration_name = models.CharField(
        _("administration"),
        max_length=200,
        blank=True,
        help_text=_("The administration (förvaltning) that serves the committee."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("predecessors"),
        symmetrical=False,
        blank=True,
        related_name="successors",
    )

    history = HistoricalRecords(m2m_fields=[predecessors])
    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["kind", "name"]
        # Granted per body through memberships (see programme.access), never globally.
        permissions = [
            ("view_body_records", _("Can view the body's records")),
            ("change_body_records", _("Can change the body's records")),
            ("view_confidential_records", _("Can view the body's confidential records")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="body_valid_date_range",
                violation_error_message=_("A body cannot end before it begins."),
            ),
            models.UniqueConstraint(fields=["name", "valid_from"], name="body_unique_name_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def has_ended_by(self, day: datetime.date) -> bool:
        """Whether the body had ceased to exist before ``day`` (it exists on its last day)."""
        return self.valid_to is not None and self.valid_to < day

    def is_active_on(self, day: datetime.date) -> bool:
        """Whether the body existed on ``day`` (``BodyQuerySet.active_on`` says it in SQL)."""
        has_begun = self.valid_from is None or self.valid_from <= day
        return has_begun and not self.has_ended_by(day)

    @property
    def is_active(self) -> bool:
        """Whether the body exists today."""
        return self.is_active_on(timezone.localdate())


# --- Who may do what -------------------------------------------------------------------


class BodyRole(models.TextChoices):
    """A user's role in one body."""

    ADMINISTRATOR = "administrator", _("administrator")
    READER = "reader", _("reader")


class GlobalRoleKind(models.TextChoices):
    """A role that reaches beyond one body."""

    SLK_REVIEWER = "slk_reviewer", _("SLK reviewer")
    OFFICIAL = "official", _("official")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("system administrator")


class MembershipQuerySet(models.QuerySet["Membership"]):
    """Bulk changes of memberships that keep the derived body permissions in step.

    ``save`` and ``delete`` reach ``programme.signals``; bulk updates and inserts send no
    signals, so these re-derive the permissions of every user they touched, in the same
    transaction.
    """

    def update(self, **kwargs: Any) -> int:
        """Update in bulk, then re-derive the touched users' permissions."""
        from programme.access import sync_body_permissions

        with transaction.atomic(using=self.db):
            user_ids = set(self.values_list("user_id", flat=True)) | _user_ids_in(kwargs)
            count = super().update(**kwargs)
            for user_id in sorted(user_ids):
                sync_body_permissions(user_id)
        return count

    def bulk_create(
        self, objs: Iterable[Membership], *args: Any, **kwargs: Any
    ) -> list[Membership]:
        """Insert in bulk, then re-derive the new members' permissions."""
        from programme.access import sync_body_permissions

        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            for user_id in sorted({membership.user_id for membership in created}):
                sync_body_permissions(user_id)
        return created


def _user_ids_in(values: dict[str, Any]) -> set[int]:
    """The user an update moves memberships to, if it does."""
    user = values.get("user", values.get("user_id"))
    if user is None:
        return set()
    return {user.pk if isinstance(user, models.Model) else int(user)}


class Membership(models.Model):
    """A user's place in one body: administrator (changes its records) or reader.

    The object permissions on the body are derived from memberships in the same
    transaction (``programme.access.sync_body_permissions``), never granted by hand.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=BodyRole.choices)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body"], name="membership_one_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.body} ({self.get_role_display()})"


class GlobalRole(models.Model):
    """A role that reaches beyond one body: SLK reviewer, official or system administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="global_roles",
    )
    role = models.CharField(_("role"), max_length=32, choices=GlobalRoleKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("global role")
        verbose_name_plural = _("global roles")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="global_role_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class BodyUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on one body, with a real foreign key (no text cast per row)."""

    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user permission on a body")
        verbose_name_plural = _("user permissions on bodies")


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on one body, with a real foreign key."""

    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group permission on a body")
        verbose_name_plural = _("group permissions on bodies")


class Confidentiality(models.TextChoices):
    """Who may see a record that belongs to a body.

    Open records may reach the general reports every official reads; internal ones stay
    with the body's members and SLK; confidential ones (säkerhetsskydd, sekretess) are
    for the body's administrators and SLK reviewers only.
    """

    OPEN = "open", _("open")
    INTERNAL = "internal", _("internal")
    CONFIDENTIAL = "confidential", _("confidential")


def confidentiality_field() -> models.CharField[str, str]:
    """The level a record that belongs to a body carries (see ``Confidentiality``)."""
    return models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
        help_text=_(
            "Open records may appear in general reports. Internal records are for the "
            "body's members and SLK. Confidential records are for the body's "
            "administrators and SLK reviewers only."
        ),
    )


class BodyOwned(models.Model):
    """A record that belongs to one body and carries a confidentiality level.

    Such records are authorised through their body by ``programme.access``; ``body_path``
    names the lookup from the record to its body.
    """

    body_path = "body"
    confidentiality_path = "confidentiality"

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT)
    confidentiality = confidentiality_field()

    class Meta:
        abstract = True


# --- Programme duties ------------------------------------------------------------------


class DutyKind(models.TextChoices):
    """The duties the programme sets on every body, each year."""

    SECURITY_COORDINATOR = "security_coordinator", _("named security coordinator")
    CRIME_PREVENTION_COORDINATOR = (
        "crime_prevention_coordinator",
        _("named crime-prevention coordinator"),
    )
    SITUATION_PICTURE = "situation_picture", _("situation picture of accidents and crime")
    RISK_ANALYSIS = "risk_analysis", _("up-to-date risk and vulnerability analysis")
    CRISIS_PLAN = "crisis_plan", _("updated crisis management plan")
    EXERCISES = "exercises", _("exercises held")


# Duties met by naming a person, and duties met by a document or event with a date.
DUTIES_WITH_PERSON = frozenset(
    {DutyKind.SECURITY_COORDINATOR, DutyKind.CRIME_PREVENTION_COORDINATOR}
)
DUTIES_WITH_DATE = frozenset(
    {DutyKind.SITUATION_PICTURE, DutyKind.RISK_ANALYSIS, DutyKind.CRISIS_PLAN, DutyKind.EXERCISES}
)


class DutyStatus(models.TextChoices):
    """How far a body has come with one duty in one year."""

    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    MET = "met", _("met")


class DutyRecord(BodyOwned):
    """One programme duty of one body in one year: its state, who or when, and a note."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    duty = models.CharField(_("duty"), max_length=40, choices=DutyKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=DutyStatus.choices, default=DutyStatus.NOT_STARTED
    )
    person_name = models.CharField(
        _("name of the person"),
        max_length=200,
        blank=True,
        help_text=_("For the coordinator duties: who holds the role."),
    )
    completed_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "When the analysis, plan or situation picture was adopted, or the exercise held."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme duty")
        verbose_name_plural = _("programme duties")
        ordering = ["body__name", "-year", "duty"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "duty"], name="duty_record_once_per_body_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.year}: {self.get_duty_display()}"


def private_storage() -> Storage:
    """The storage for files that only a view may serve (never under MEDIA_URL)."""
    return storages["private"]


def evidence_upload_path(instance: EvidenceFile, filename: str) -> str:
    """Store evidence under the body and a random name: the user's name is kept apart."""
    return f"evidence/{instance.duty_record.body_id}/{uuid.uuid4().hex}"


class EvidenceFile(models.Model):
    """A file that shows a duty was met: a PDF, Word or Excel document, or an image.

    It lives in private storage outside the public media folder and is only served by a
    view that asks ``programme.access`` first; it is authorised through its duty record.
    """

    body_path = "duty_record__body"
    confidentiality_path = "duty_record__confidentiality"

    duty_record = models.ForeignKey(
        DutyRecord,
        verbose_name=_("programme duty"),
        on_delete=models.CASCADE,
        related_name="evidence_files",
    )
    file = models.FileField(
        _("file"), upload_to=evidence_upload_path, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=128)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


# Plans and follow-ups live in their own module; importing them here registers them with
# the app and lets callers import every model from ``programme.models``.
from programme.models.plans import (  # noqa: E402, F401
    Activity,
    ActivityReport,
    ActivityStatus,
    CarryOverIssue,
    CouncilGoal,
    CouncilIndicator,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorDirection,
    IndicatorOutcome,
    Judgement,
    Perspective,
    Plan,
    ReminderKind,
    ReminderSent,
)
