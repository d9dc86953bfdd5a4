"""A body's response to a referral round (tjänsteutlåtande): sections, signatories, statements.

A response is its body's record, with a level as plan records have; its statements
carry their own level too, and a statement under a confidential response is
confidential. How SLK handled each statement (its disposition) is a record of its own,
added with the compilation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import BodyOwned, confidentiality_field
from programme.models.versioned import Versioned
from programme.rich_text import RichTextField
from remiss.models.referrals import Referral, ReferralSection


class ResponseState(models.TextChoices):
    """Where a body's response stands."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    REOPENED = "reopened", _("reopened")


# The standard sections of a tjänsteutlåtande, in the order the documents give them: the
# field of each, for the pages, the importer and the loader alike.
RESPONSE_SECTIONS = (
    "proposal",
    "summary",
    "background",
    "matter",
    "preparation",
    "views",
    "equality_analysis",
    "attachments",
)


class Response(BodyOwned, Versioned):
    """One body's response to one referral round, with the standard sections of a tjänsteutlåtande.

    Written by the body's administration and decided by its committee; submitted, it is
    locked until SLK reopens it with a reason. Historical responses loaded from
    fixtures/remiss/ keep what their documents say and leave empty what they do not.
    """

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral round"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ResponseState.choices, default=ResponseState.NOT_STARTED
    )
    reopen_reason = RichTextField(_("reason for reopening"), blank=True)
    written_by = models.CharField(
        _("written by"),
        max_length=300,
        blank=True,
        help_text=_("The administration(s) that wrote it, as the document names them."),
    )
    registration_number = models.CharField(
        _("the body's registration number"), max_length=80, blank=True
    )
    document_date = models.DateField(_("date of the document"), null=True, blank=True)

    # The standard sections (RESPONSE_SECTIONS).
    proposal = RichTextField(_("proposed decision"), blank=True)
    summary = RichTextField(_("summary"), blank=True)
    background = RichTextField(_("background"), blank=True)
    matter = RichTextField(_("the matter"), blank=True)
    preparation = RichTextField(_("preparation of the matter"), blank=True)
    unions_consulted_on = models.DateField(
        _("date the unions were consulted"), null=True, blank=True
    )
    views = RichTextField(_("the administration's views"), blank=True)
    equality_analysis = RichTextField(_("gender equality and child rights analysis"), blank=True)
    attachments = RichTextField(_("attachments"), blank=True)

    case_officer_name = models.CharField(_("case officer"), max_length=200, blank=True)
    case_officer_phone = models.CharField(_("case officer's phone"), max_length=40, blank=True)
    case_officer_email = models.EmailField(_("case officer's e-mail"), blank=True)

    # The committee's decision, recorded before submission.
    meeting_date = models.DateField(_("date of the committee meeting"), null=True, blank=True)
    decision_text = RichTextField(_("the committee's decision"), blank=True)
    minutes_paragraph = models.CharField(_("minutes paragraph"), max_length=40, blank=True)

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral response")
        verbose_name_plural = _("referral responses")
        ordering = ["referral", "body__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "body"], name="referral_response_once_per_body"
            ),
            models.CheckConstraint(
                condition=~Q(state=ResponseState.REOPENED) | ~Q(reopen_reason=""),
                name="referral_response_reopened_with_reason",
                violation_error_message=_("SLK gives a reason when it reopens a response."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.referral}"

    @property
    def is_locked(self) -> bool:
        """A submitted response is locked until SLK reopens it."""
        return self.state == ResponseState.SUBMITTED


class Signatory(models.Model):
    """A person who signs a response (stadsdelsdirektör, förvaltningschef, avdelningschef)."""

    version_kept_by = "response"
    body_path = "response__body"
    confidentiality_path = ("response__confidentiality",)

    response = models.ForeignKey(
        Response,
        verbose_name=_("referral response"),
        on_delete=models.CASCADE,
        related_name="signatories",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["response", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "position"], name="signatory_unique_position"
            ),
        ]

    def __str__(self) -> str:
        if self.title:
            return f"{self.name}, {self.title}"
        return self.name


class Stance(models.TextChoices):
    """What a statement says about the section it addresses."""

    SUPPORTS = "supports", _("supports")
    SUPPORTS_WITH_REMARKS = "supports_with_remarks", _("supports with remarks")
    ASKS_FOR_CLARIFICATION = "asks_for_clarification", _("asks for clarification")
    PROPOSES_CHANGE = "proposes_change", _("proposes a change")
    OBJECTS = "objects", _("objects")


class Statement(Versioned):
    """One point a response makes about one section of the draft, with its stance.

    SLK's compilation sets statements side by side per section and records how each was
    handled; that disposition is its own record, pointing here.
    """

    body_path = "response__body"
    confidentiality_path = ("confidentiality", "response__confidentiality")

    response = models.ForeignKey(
        Response,
        verbose_name=_("referral response"),
        on_delete=models.CASCADE,
        related_name="statements",
    )
    section = models.ForeignKey(
        ReferralSection,
        verbose_name=_("section of the draft"),
        on_delete=models.PROTECT,
        related_name="statements",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    stance = models.CharField(_("stance"), max_length=32, choices=Stance.choices)
    text = RichTextField(_("text"))
    confidentiality = confidentiality_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["response", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "position"], name="statement_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response.body}: {self.get_stance_display()}"

    def clean(self) -> None:
        """The section must be one of the round the response answers."""
        super().clean()
        if (
            self.section_id is not None
            and self.response_id is not None
            and self.section.referral_id != self.response.referral_id
        ):
            raise ValidationError({"section": _("The section belongs to another referral round.")})
