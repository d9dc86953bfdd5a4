"""The programme duties of a body and year, with their evidence files."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.bodies import BodyOwned
from programme.models.versioned import Versioned
from programme.years import YEAR_VALIDATORS

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


class DutyRecord(BodyOwned, Versioned):
    """One programme duty of one body in one year: its state, who or when, and a note."""

    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR_VALIDATORS)
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
    not_edited = "Uploaded and deleted, never changed: its file, name and type are fixed."

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
