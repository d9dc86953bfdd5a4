"""A document imported into a body's response: the file until it is read, then what was found.

An import belongs to its response's body and carries the response's level. Its file
is kept only until it is read; the reading (sections, facts, proposed statements and
what could not be placed, each with its evidence) stays with the import after a person
has saved the draft, so nothing the document held is lost.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import private_storage
from remiss.models.responses import Response


class ImportState(models.TextChoices):
    """Where an import stands."""

    QUEUED = "queued", _("waiting for the worker")
    READING = "reading", _("being read")
    READY = "ready", _("ready to review")
    FAILED = "failed", _("could not be read")
    SAVED = "saved", _("saved in the response")
    DISCARDED = "discarded", _("discarded")


class ImportKind(models.TextChoices):
    """What the imported document was."""

    TEXT = "text", _("text")
    DOCX = "docx", _("Word")
    PDF = "pdf", _("PDF")


def import_upload_path(instance: ResponseImport, filename: str) -> str:
    """Store the file under a random name until the worker has read it."""
    return f"referrals/imports/{uuid.uuid4().hex}"


class ResponseImport(models.Model):
    """One document read into a draft of a body's response, for a person to confirm."""

    body_path = "response__body"
    confidentiality_path = ("response__confidentiality",)
    not_edited = (
        "Written by the importer and the worker; a person only saves or discards it, once, "
        "under the response's lock (saving checks the response's version)."
    )

    response = models.ForeignKey(
        Response,
        verbose_name=_("referral response"),
        on_delete=models.CASCADE,
        related_name="imports",
    )
    kind = models.CharField(_("kind of document"), max_length=8, choices=ImportKind.choices)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file = models.FileField(
        _("file"), upload_to=import_upload_path, storage=private_storage, blank=True
    )
    language = models.CharField(_("language"), max_length=8, default="sv")
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress in per cent"), default=0)
    error = models.TextField(_("why it could not be read"), blank=True)
    reading = models.JSONField(_("what was found"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("imported document")
        verbose_name_plural = _("imported documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="response_import_progress_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or str(_("pasted text"))

    @property
    def is_pending(self) -> bool:
        """Whether the worker has yet to finish reading it."""
        return self.state in (ImportState.QUEUED, ImportState.READING)
