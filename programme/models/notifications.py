"""E-mail notifications of a follow-up's review: who wants which, and what went out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.follow_ups import FollowUp
from programme.models.versioned import Versioned


class NotificationKind(models.TextChoices):
    """What a notification tells of: a step of a follow-up's review."""

    # To SLK's reviewers: a body has handed in a follow-up to review.
    FOLLOW_UP_SUBMITTED = "follow_up_submitted", _("a follow-up is submitted for review")
    # To the body's administrators: SLK's answer.
    FOLLOW_UP_RETURNED = "follow_up_returned", _("SLK returns your body's follow-up")
    FOLLOW_UP_APPROVED = "follow_up_approved", _("SLK approves your body's follow-up")


class Delivery(models.TextChoices):
    """How a person wants one kind of notification."""

    OFF = "off", _("No e-mail")
    AT_ONCE = "at_once", _("An e-mail at once")
    DAILY_DIGEST = "daily_digest", _("One e-mail a day listing them")


# The kinds a daily digest may gather; the others are sent at once or not at all.
DIGEST_KINDS = frozenset({NotificationKind.FOLLOW_UP_SUBMITTED})


def delivery_field(kind: NotificationKind) -> models.CharField[str, str]:
    """The field holding how a person wants ``kind``: at once unless they said otherwise."""
    return models.CharField(
        kind.label, max_length=16, choices=Delivery.choices, default=Delivery.AT_ONCE
    )


class NotificationSettings(Versioned):
    """How one person wants each kind of notification; no row means every kind at once.

    One field per kind, named as the kind's value, so that a kind's setting is
    ``getattr(settings, kind)``.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    follow_up_submitted = delivery_field(NotificationKind.FOLLOW_UP_SUBMITTED)
    follow_up_returned = delivery_field(NotificationKind.FOLLOW_UP_RETURNED)
    follow_up_approved = delivery_field(NotificationKind.FOLLOW_UP_APPROVED)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(follow_up_returned=Delivery.DAILY_DIGEST)
                & ~Q(follow_up_approved=Delivery.DAILY_DIGEST),
                name="notification_digest_only_of_submissions",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def delivery_of(self, kind: NotificationKind) -> Delivery:
        """How the person wants ``kind``."""
        return Delivery(getattr(self, kind.value))


class NotificationSent(models.Model):
    """An e-mail notification that went to one person: each is sent once.

    Either of one step of a follow-up's review (the follow-up and the version that step
    gave it, which names the step however often the follow-up goes round), or a daily
    digest of ``digest_day``'s steps of one kind.
    """

    not_edited = "Written once by the notification task when the e-mail is sent."

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    follow_up = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    follow_up_version = models.PositiveIntegerField(
        _("version of the follow-up"), null=True, blank=True
    )
    digest_day = models.DateField(_("day of the digest"), null=True, blank=True)
    address = models.EmailField(_("address"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    digest_day__isnull=True,
                    follow_up__isnull=False,
                    follow_up_version__isnull=False,
                )
                | Q(
                    digest_day__isnull=False, follow_up__isnull=True, follow_up_version__isnull=True
                ),
                name="notification_of_a_step_or_a_digest",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "follow_up", "follow_up_version"],
                condition=Q(digest_day__isnull=True),
                name="notification_once_per_step_and_person",
            ),
            models.UniqueConstraint(
                fields=["recipient", "kind", "digest_day"],
                condition=Q(digest_day__isnull=False),
                name="notification_digest_once_per_day_and_person",
            ),
        ]

    def __str__(self) -> str:
        what = self.digest_day or f"{self.follow_up_id} v{self.follow_up_version}"
        return f"{self.get_kind_display()} → {self.address} ({what})"
