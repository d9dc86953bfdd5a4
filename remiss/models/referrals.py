"""Referral rounds (remiss): a draft programme version sent to bodies, its sections, who was asked.

A round is SLK's record, not a body's: it carries no level. Which bodies were asked is
public; the reason a body gives for declining is a text with a level of its own.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import (
    ALWAYS_OPEN,
    AlwaysOpen,
    Body,
    Confidentiality,
    FocusArea,
    Programme,
    confidentiality_field,
    private_storage,
)
from programme.models.versioned import Versioned


class ReferralState(models.TextChoices):
    """Whether bodies may still answer a round."""

    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ReferralOrigin(models.TextChoices):
    """How a round came into the product."""

    # Opened by SLK through the product, with every rule of a new round.
    OPENED = "opened", _("opened in the product")
    # A round held before the product existed, loaded from fixtures/remiss/ as it was.
    HISTORY = "history", _("loaded as history")


def referral_draft_upload_path(instance: Referral, filename: str) -> str:
    """Store the draft under a random name: the name the user gave it is kept apart."""
    return f"referrals/drafts/{uuid.uuid4().hex}"


class Referral(Versioned):
    """A referral round: a draft programme version sent to bodies for their responses.

    The sender is the executive board or a councillor's office (Finansroteln), which is
    not a body, so it is kept as the text the documents use, with the body where there
    is one. A round loaded as history may lack what was not recorded (its registration
    number, the day it was sent, its deadline); a round opened in the product may not.
    """

    registration_number = models.CharField(
        _("registration number"),
        max_length=80,
        blank=True,
        help_text=_("The round's diarienummer, such as KS 2020/1939 or 171-1309/2017."),
    )
    title = models.CharField(_("title"), max_length=300)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme version referred"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    sender_name = models.CharField(
        _("sender"),
        max_length=200,
        help_text=_("Who sends the referral: the executive board or a councillor's office."),
    )
    sender_body = models.ForeignKey(
        Body,
        verbose_name=_("sending body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        help_text=_("Where the sender is a body; a councillor's office is not one."),
    )
    sent_on = models.DateField(_("date sent"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ReferralState.choices, default=ReferralState.OPEN
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=ReferralOrigin.choices, default=ReferralOrigin.OPENED
    )
    history_key = models.SlugField(
        _("key in the history files"),
        max_length=80,
        blank=True,
        help_text=_("For a round loaded as history: its key in fixtures/remiss/rounds.toml."),
    )
    # The draft as sent, checked like evidence files (programme.uploads); optional for
    # historical rounds, whose drafts the product never received.
    draft_file = models.FileField(
        _("draft"),
        upload_to=referral_draft_upload_path,
        storage=private_storage,
        max_length=255,
        blank=True,
    )
    draft_name = models.CharField(_("file name of the draft"), max_length=255, blank=True)
    draft_size = models.PositiveBigIntegerField(
        _("size of the draft in bytes"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral round")
        verbose_name_plural = _("referral rounds")
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="referral_unique_registration_number",
            ),
            models.UniqueConstraint(
                fields=["history_key"],
                condition=~Q(history_key=""),
                name="referral_unique_history_key",
            ),
            models.CheckConstraint(
                condition=Q(origin=ReferralOrigin.HISTORY)
                | (Q(deadline__isnull=False) & ~Q(registration_number="")),
                name="referral_opened_has_number_and_deadline",
                violation_error_message=_(
                    "A referral opened in the product needs a registration number and a deadline."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sent_on__isnull=True)
                | Q(deadline__isnull=True)
                | Q(deadline__gte=models.F("sent_on")),
                name="referral_deadline_after_sending",
                violation_error_message=_("The deadline cannot come before the date sent."),
            ),
            models.CheckConstraint(
                condition=Q(origin=ReferralOrigin.HISTORY) | Q(history_key=""),
                name="referral_history_key_only_for_history",
            ),
        ]

    def __str__(self) -> str:
        if self.registration_number:
            return f"{self.title} ({self.registration_number})"
        return self.title

    @property
    def is_history(self) -> bool:
        """Whether the round was loaded as history rather than opened in the product."""
        return self.origin == ReferralOrigin.HISTORY


class ReferralSection(models.Model):
    """A section of the draft that statements address: a focus area, or a free section.

    Free sections carry their own title ("Genomförande och uppföljning"); a focus area's
    section takes its title from the focus area, which must belong to the version referred.
    """

    version_kept_by = "referral"

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral round"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    focus_area = models.ForeignKey(
        FocusArea,
        verbose_name=_("focus area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referral_sections",
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_("For a section that is not a focus area."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("section of a referral")
        verbose_name_plural = _("sections of a referral")
        ordering = ["referral", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "position"], name="referral_section_unique_position"
            ),
            models.UniqueConstraint(
                fields=["referral", "focus_area"],
                condition=Q(focus_area__isnull=False),
                name="referral_section_focus_area_once",
            ),
            models.UniqueConstraint(
                fields=["referral", "title"],
                condition=~Q(title=""),
                name="referral_section_unique_title",
            ),
            models.CheckConstraint(
                condition=(Q(focus_area__isnull=False) & Q(title=""))
                | (Q(focus_area__isnull=True) & ~Q(title="")),
                name="referral_section_focus_area_or_title",
                violation_error_message=_(
                    "A section is either a focus area of the draft or has a title of its own."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.heading

    def clean(self) -> None:
        """A focus area must belong to the programme version the round refers."""
        super().clean()
        if (
            self.focus_area is not None
            and self.referral_id is not None
            and self.focus_area.programme_id != self.referral.programme_id
        ):
            raise ValidationError(
                {"focus_area": _("The focus area belongs to another programme version.")}
            )

    @property
    def heading(self) -> str:
        """The section's title: its own, or its focus area's."""
        if self.focus_area is not None:
            return str(self.focus_area)
        return self.title


class Invitation(Versioned):
    """A body asked to answer a round; it may decline ("avstår från att yttra sig") with a reason.

    Which body was asked, and whether it declined, is public; the reason carries a level.
    """

    body_path = "body"
    confidentiality_path: AlwaysOpen = ALWAYS_OPEN
    text_levels = {"decline_reason": "decline_reason_confidentiality"}

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral round"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="referral_invitations"
    )
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    declined = models.BooleanField(_("declines to answer"), default=False)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    decline_reason_confidentiality = confidentiality_field(
        Confidentiality.INTERNAL, _("confidentiality of the reason")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation to answer")
        verbose_name_plural = _("invitations to answer")
        ordering = ["referral", "body__name"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "body"], name="invitation_once_per_body"),
            models.CheckConstraint(
                condition=(Q(declined=True) & ~Q(decline_reason=""))
                | (Q(declined=False) & Q(decline_reason="")),
                name="invitation_decline_has_reason",
                violation_error_message=_("A body that declines gives a reason, and only then."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral}: {self.body}"
