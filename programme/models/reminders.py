"""The reminders that went out, each recorded once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from programme.models.bodies import Body
from programme.models.year_settings import FollowUpDeadline


class ReminderKind(models.TextChoices):
    """When a deadline reminder goes out."""

    FOURTEEN_DAYS_BEFORE = "14_days_before", _("14 days before the deadline")
    THREE_DAYS_BEFORE = "3_days_before", _("3 days before the deadline")
    DAY_AFTER = "day_after", _("the day after the deadline")


class ReminderSent(models.Model):
    """A deadline reminder that went to a body's administrators: each is sent once."""

    not_edited = "Written once by the reminder task when the reminder is sent."

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
