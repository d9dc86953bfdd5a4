"""SLK's compilation of a referral round: how each statement was handled, and its publication.

A disposition is SLK's record about one statement; it reaches the same readers as the
statement does (its levels are the statement's and its response's). The responding body
and other readers see dispositions only once SLK has published the compilation, and then
as published: a publication keeps each statement and its disposition as they stood
(``PublishedStatement``), so what SLK changes afterwards reaches nobody until SLK
publishes again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programme.models import Body, Confidentiality, confidentiality_field
from programme.models.versioned import Versioned
from remiss.models.referrals import Referral, ReferralSection
from remiss.models.responses import Stance, Statement


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


class PublishedStatement(models.Model):
    """A statement and its disposition as a publication of the compilation holds them.

    Written once, with the publication, for every statement of the compilation; never
    changed afterwards, whatever happens to the statement, its response or its
    disposition (a response reopened and changed, a disposition revised). The row is
    shown under the strictest of the levels it had when published and the statement's
    and response's levels now, so a level raised later still holds; a statement since
    removed imposes nothing more than the levels kept here.
    """

    body_path = "body"
    confidentiality_path = (
        "statement_level",
        "response_level",
        "statement__confidentiality",
        "statement__response__confidentiality",
    )
    not_edited = "Written once when the compilation is published; never changed afterwards."

    publication = models.ForeignKey(
        CompilationPublication,
        verbose_name=_("publication of a compilation"),
        on_delete=models.CASCADE,
        related_name="published_statements",
    )
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("statement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    section = models.ForeignKey(
        ReferralSection,
        verbose_name=_("section of the draft"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    stance = models.CharField(_("stance"), max_length=32, choices=Stance.choices)
    text = models.TextField(_("text"))
    statement_level = confidentiality_field(
        Confidentiality.CONFIDENTIAL, _("level of the statement when published")
    )
    response_level = confidentiality_field(
        Confidentiality.CONFIDENTIAL, _("level of the response when published")
    )
    outcome = models.CharField(_("disposition"), max_length=20, choices=DispositionOutcome.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("published statement")
        verbose_name_plural = _("published statements")
        ordering = ["publication", "body", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "body", "position"],
                name="published_statement_unique_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.position}: {self.get_outcome_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Rows are only ever created with their publication, never changed."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("A published statement never changes.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def disposition(self) -> PublishedStatement:
        """The disposition as published: this row (outcome and reason are kept on it)."""
        return self
