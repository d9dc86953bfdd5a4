"""Bodies the programme binds, who may do what in them, and the level of a body's records."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from programme.models.versioned import Versioned


class BodyKind(models.TextChoices):
    """The kinds of body the programme binds."""

    DISTRICT_COMMITTEE = "district_committee", _("district committee")
    SPECIALIST_COMMITTEE = "specialist_committee", _("specialist committee")
    COMPANY_BOARD = "company_board", _("company board")
    EXECUTIVE_BOARD = "executive_board", _("executive board")


class BodyQuerySet(models.QuerySet["Body"]):
    """Queries on bodies."""

    def active_on(self, day: datetime.date) -> BodyQuerySet:
        """Bodies that existed on ``day`` (``Body.is_active_on`` in Python)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def not_ended_by(self, day: datetime.date) -> BodyQuerySet:
        """Bodies that had not ceased to exist before ``day`` (``Body.has_ended_by`` in Python)."""
        return self.exclude(valid_to__lt=day)

    def existing_in(self, year: int) -> BodyQuerySet:
        """Bodies that existed on at least one day of ``year`` (``Body.existed_in`` in Python)."""
        return self.exclude(valid_from__gt=datetime.date(year, 12, 31)).exclude(
            valid_to__lt=datetime.date(year, 1, 1)
        )


class Body(Versioned):
    """A committee, company board or the executive board, as it was over a span of time.

    A merger or rename ends the old body (``valid_to``) and starts a new one that lists
    it among its predecessors, so history keeps pointing at the body as it was.
    """

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    administration_name = models.CharField(
        _("administration"),
        max_length=200,
        blank=True,
        help_text=_("The administration (förvaltning) that serves the committee."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("predecessors"),
        symmetrical=False,
        blank=True,
        related_name="successors",
    )

    history = HistoricalRecords(m2m_fields=[predecessors])
    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["kind", "name"]
        # Granted per body through memberships (see programme.access), never globally.
        permissions = [
            ("view_body_records", _("Can view the body's records")),
            ("change_body_records", _("Can change the body's records")),
            ("view_confidential_records", _("Can view the body's confidential records")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="body_valid_date_range",
                violation_error_message=_("A body cannot end before it begins."),
            ),
            models.UniqueConstraint(fields=["name", "valid_from"], name="body_unique_name_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def has_ended_by(self, day: datetime.date) -> bool:
        """Whether the body had ceased to exist before ``day`` (it exists on its last day)."""
        return self.valid_to is not None and self.valid_to < day

    def is_active_on(self, day: datetime.date) -> bool:
        """Whether the body existed on ``day`` (``BodyQuerySet.active_on`` says it in SQL)."""
        has_begun = self.valid_from is None or self.valid_from <= day
        return has_begun and not self.has_ended_by(day)

    def existed_in(self, year: int) -> bool:
        """Whether the body existed on at least one day of ``year`` (it exists on its last day)."""
        began_by_year_end = self.valid_from is None or self.valid_from <= datetime.date(
            year, 12, 31
        )
        return began_by_year_end and not self.has_ended_by(datetime.date(year, 1, 1))

    def years_existed(self, first: int, last: int) -> range:
        """The years from ``first`` to ``last`` in which the body existed."""
        if self.valid_from is not None:
            first = max(first, self.valid_from.year)
        if self.valid_to is not None:
            last = min(last, self.valid_to.year)
        return range(first, last + 1)

    @property
    def is_active(self) -> bool:
        """Whether the body exists today."""
        return self.is_active_on(timezone.localdate())


# --- Who may do what -------------------------------------------------------------------


class BodyRole(models.TextChoices):
    """A user's role in one body."""

    ADMINISTRATOR = "administrator", _("administrator")
    READER = "reader", _("reader")


class GlobalRoleKind(models.TextChoices):
    """A role that reaches beyond one body."""

    SLK_REVIEWER = "slk_reviewer", _("SLK reviewer")
    OFFICIAL = "official", _("official")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("system administrator")


class MembershipQuerySet(models.QuerySet["Membership"]):
    """Bulk changes of memberships that keep the derived body permissions in step.

    ``save`` and ``delete`` reach ``programme.signals``; bulk updates and inserts send no
    signals, so these re-derive the permissions of every user they touched, in the same
    transaction.
    """

    def update(self, **kwargs: Any) -> int:
        """Update in bulk, then re-derive the touched users' permissions."""
        from programme.access import sync_body_permissions

        with transaction.atomic(using=self.db):
            user_ids = set(self.values_list("user_id", flat=True)) | _user_ids_in(kwargs)
            count = super().update(**kwargs)
            for user_id in sorted(user_ids):
                sync_body_permissions(user_id)
        return count

    def bulk_create(
        self, objs: Iterable[Membership], *args: Any, **kwargs: Any
    ) -> list[Membership]:
        """Insert in bulk, then re-derive the new members' permissions."""
        from programme.access import sync_body_permissions

        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            for user_id in sorted({membership.user_id for membership in created}):
                sync_body_permissions(user_id)
        return created


def _user_ids_in(values: dict[str, Any]) -> set[int]:
    """The user an update moves memberships to, if it does."""
    user = values.get("user", values.get("user_id"))
    if user is None:
        return set()
    return {user.pk if isinstance(user, models.Model) else int(user)}


class Membership(Versioned):
    """A user's place in one body: administrator (changes its records) or reader.

    The object permissions on the body are derived from memberships in the same
    transaction (``programme.access.sync_body_permissions``), never granted by hand.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=BodyRole.choices)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body"], name="membership_one_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.body} ({self.get_role_display()})"


class GlobalRole(Versioned):
    """A role that reaches beyond one body: SLK reviewer, official or system administrator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="global_roles",
    )
    role = models.CharField(_("role"), max_length=32, choices=GlobalRoleKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("global role")
        verbose_name_plural = _("global roles")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="global_role_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class BodyUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on one body, with a real foreign key (no text cast per row)."""

    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)
    not_edited = "Derived from memberships in the same transaction, never edited."

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user permission on a body")
        verbose_name_plural = _("user permissions on bodies")


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    """A group's permission on one body, with a real foreign key."""

    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)
    not_edited = "Granted to groups by code only; the product has no page that edits it."

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group permission on a body")
        verbose_name_plural = _("group permissions on bodies")


class Confidentiality(models.TextChoices):
    """Who may see a record that belongs to a body.

    Open records may reach the general reports every official reads; internal ones stay
    with the body's members and SLK; confidential ones (säkerhetsskydd, sekretess) are
    for the body's administrators and SLK reviewers only.
    """

    OPEN = "open", _("open")
    INTERNAL = "internal", _("internal")
    CONFIDENTIAL = "confidential", _("confidential")


# The levels from the most open to the strictest: a row under several levels (its own
# and its parents') is governed by the strictest.
LEVEL_ORDER = (Confidentiality.OPEN, Confidentiality.INTERNAL, Confidentiality.CONFIDENTIAL)


class Audience(models.TextChoices):
    """Who a report of a body's follow-up is for; ``programme.access`` decides what it prints."""

    # The body's administrators and SLK: every record, confidential ones included.
    FULL = "full", _("full")
    # The body's readers: confidential records and texts left out, without a trace.
    MEMBERS = "members", _("for the body's readers")
    # Officials, and anyone who may read general reports: open text only; internal
    # records only in counts; confidential ones not at all (``for_general_report``).
    GENERAL = "general", _("general")


def stricter(*levels: str) -> str:
    """The strictest of ``levels`` (an unknown level counts as confidential: fail closed)."""
    rank: dict[str, int] = {str(level): index for index, level in enumerate(LEVEL_ORDER)}
    return LEVEL_ORDER[max(rank.get(level, len(LEVEL_ORDER) - 1) for level in levels)]


class AlwaysOpen:
    """The mark of a model whose rows are open by what they are, not by a level they carry.

    A plan's row (which body, which year) or a follow-up's row (its period and state)
    says nothing a member of the public may not know; what such a row holds that could
    be confidential carries its own level (``text_levels``). A model that names neither a
    level nor this mark is refused by every rule of ``programme.access``.
    """

    def __repr__(self) -> str:
        return "ALWAYS_OPEN"


ALWAYS_OPEN = AlwaysOpen()


def confidentiality_field(
    default: str = Confidentiality.INTERNAL, verbose_name: Any = None
) -> models.CharField[str, str]:
    """The level a record that belongs to a body carries (see ``Confidentiality``)."""
    return models.CharField(
        verbose_name or _("confidentiality"),
        max_length=16,
        choices=Confidentiality.choices,
        default=default,
        help_text=_(
            "Open records may appear in general reports. Internal records are for the "
            "body's members and SLK. Confidential records are for the body's "
            "administrators and SLK reviewers only."
        ),
    )


class BodyOwned(models.Model):
    """A record that belongs to one body and carries a confidentiality level.

    Such records are authorised through their body by ``programme.access``; ``body_path``
    names the lookup from the record to its body.
    """

    body_path = "body"
    confidentiality_path = "confidentiality"

    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT)
    confidentiality = confidentiality_field()

    class Meta:
        abstract = True
