"""The reminders of a referral's deadline that went out, each recorded once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from programme.models import ReminderKind
from remiss.models.referrals import Invitation


class ReferralReminderSent(models.Model):
    """A reminder of a round's deadline sent to an invited body's administrators, once per kind.

    The sibling of ``programme.models.ReminderSent`` for referral deadlines: its unique
    constraint is the once-only claim of ``programme.reminders``.
    """

    not_edited = "Written once by the reminder task when the reminder is sent."

    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation to answer"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("referral reminder sent")
        verbose_name_plural = _("referral reminders sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "kind"], name="referral_reminder_once_per_invitation_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation} ({self.get_kind_display()})"
