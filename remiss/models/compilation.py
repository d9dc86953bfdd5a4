"""SLK's compilation of a referral round: how each statement was handled, and its publication.

A disposition is SLK's record about one statement; it reaches the same readers as the
statement does (its levels are the statement's and its response's). The responding body
and other readers see dispositions only once SLK has published the compilation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models.versioned import Versioned
from remiss.models.referrals import Referral
from remiss.models.responses import Statement


class DispositionOutcome(models.TextChoices):
    """How SLK handled a statement in the revised programme."""

    ACCEPTED = "accepted", _("accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("partly accepted")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    NOTED = "noted", _("noted")


# Outcomes that a body is owed a reason for: its remark did not carry, or only in part.
OUTCOMES_NEEDING_REASON = frozenset(
    {DispositionOutcome.PARTLY_ACCEPTED, DispositionOutcome.NOT_ACCEPTED}
)


class Disposition(Versioned):
    """SLK's handling of one statement: the outcome and the reason the body is given."""

    body_path = "statement__response__body"
    confidentiality_path = ("statement__confidentiality", "statement__response__confidentiality")

    statement = models.OneToOneField(
        Statement,
        verbose_name=_("statement"),
        on_delete=models.CASCADE,
        related_name="disposition",
    )
    outcome = models.CharField(_("disposition"), max_length=20, choices=DispositionOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["statement"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome__in=sorted(OUTCOMES_NEEDING_REASON)) | ~Q(reason=""),
                name="disposition_reason_when_not_accepted",
                violation_error_message=_(
                    "Give a reason when a statement is partly accepted or not accepted."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.get_outcome_display()}"


class CompilationPublication(models.Model):
    """SLK published a round's compilation; a later publication of the round supersedes it."""

    not_edited = (
        "written when published; only superseded_at and superseded_by are set, once, by the "
        "publishing service under the lock of the round"
    )

    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral round"),
        on_delete=models.PROTECT,
        related_name="compilation_publications",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="compilation_publications",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    # What the compilation held when published, as the history of the publication.
    statements = models.PositiveIntegerField(_("statements"), default=0)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    class Meta:
        verbose_name = _("publication of a compilation")
        verbose_name_plural = _("publications of compilations")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(superseded_at__isnull=True),
                name="compilation_publication_one_current_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral}: {self.published_at:%Y-%m-%d}"
