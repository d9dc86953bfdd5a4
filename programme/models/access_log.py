"""The access log: who opened a confidential record or downloaded its evidence, and when.

Rows are written once, by ``programme.access_log``, and never changed or removed: the
model refuses an update or a deletion, one row or many. SLK reviewers and system
administrators read the log in the product; nobody edits it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models.bodies import Body


class AccessAction(models.TextChoices):
    """What the person did with the confidential record."""

    OPENED = "opened", _("opened")
    DOWNLOADED = "downloaded", _("downloaded evidence of")
    REPORT = "report", _("downloaded a report holding confidential records:")


class LogIsPermanent(Exception):
    """An attempt to change or remove a row of the access log."""


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    """The log's rows; bulk changes and deletions are refused like single ones."""

    def update(self, **kwargs: Any) -> int:
        raise LogIsPermanent("The access log is never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LogIsPermanent("The access log is never emptied.")


class AccessLogEntry(models.Model):
    """One opening of a confidential record, or one download of its evidence."""

    not_edited = "Written once when a confidential record is opened; never changed or removed."

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept apart from the user, so the entry still names the person if the account goes.
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    # Which record, by kind and number only: the log's readers need not see its text.
    record_kind = models.CharField(_("kind of record"), max_length=60)
    record_id = models.PositiveBigIntegerField(_("record number"))

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access to confidential records")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.record_kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise LogIsPermanent("The access log is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LogIsPermanent("The access log is never emptied.")
