"""Referral deadlines as reminders: the administrators of each body that has not answered.

A round's deadline is a dated obligation like a follow-up's (``programme.reminders``):
14 and 3 days before it and the day after it, the administrators of every body asked
that has neither submitted its response nor declined get a reminder, each once per
invitation and kind (``ReferralReminderSent``). Only open rounds opened in the product
remind; rounds loaded as history never do.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext

from programme import reminders
from programme.models import Body, ReminderKind
from programme.reminders import ReminderRun
from remiss.models import (
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralReminderSent,
    ReferralState,
    Response,
    ResponseState,
)


class ReferralObligation:
    """A round as an obligation: its pk and its deadline as ``due_on``."""

    def __init__(self, referral: Referral) -> None:
        assert referral.deadline is not None
        self.referral = referral
        self.pk = referral.pk
        self.due_on: datetime.date = referral.deadline

    def __str__(self) -> str:
        return str(self.referral)


def bodies_to_remind(obligation: ReferralObligation, kind: ReminderKind) -> list[Body]:
    """Bodies asked that have neither answered nor declined, nor had this reminder.

    Each comes with ``reminder_administrators``: its active administrators with an
    e-mail address.
    """
    referral = obligation.referral
    answered = Response.objects.filter(referral=referral, state=ResponseState.SUBMITTED).values(
        "body_id"
    )
    reminded = ReferralReminderSent.objects.filter(invitation__referral=referral, kind=kind).values(
        "invitation__body_id"
    )
    owing = Invitation.objects.filter(referral=referral, declined=False).values("body_id")
    return list(
        Body.objects.filter(pk__in=owing)
        .exclude(pk__in=answered)
        .exclude(pk__in=reminded)
        .prefetch_related(reminders.administrators_to_remind())
        .order_by("name", "pk")
    )


def round_url(referral: Referral) -> str:
    """The absolute address of the round's page."""
    return f"{settings.SITE_URL}{reverse('remiss:round-detail', kwargs={'pk': referral.pk})}"


def compose_reminder(
    obligation: ReferralObligation, body: Body, kind: ReminderKind, today: datetime.date
) -> tuple[str, str]:
    """The reminder's subject and text, in the site's language (Swedish)."""
    referral = obligation.referral
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "referral": str(referral),
            "body": body.name,
            "deadline": formats.date_format(obligation.due_on, "l j F Y"),
        }
        days_left = (obligation.due_on - today).days
        if kind == ReminderKind.DAY_AFTER:
            subject = gettext("Overdue: the response of %(body)s to %(referral)s")
            status = gettext(
                "%(body)s has not answered the referral %(referral)s, and the deadline was "
                "%(deadline)s. Please submit the response, or decline to answer, as soon "
                "as possible."
            )
        else:
            subject = gettext("Reminder: the response of %(body)s to %(referral)s")
            if days_left == 0:
                status = gettext(
                    "%(body)s has not answered the referral %(referral)s yet. The deadline "
                    "is today, %(deadline)s."
                )
            else:
                status = ngettext(
                    "%(body)s has not answered the referral %(referral)s yet. The deadline "
                    "is %(deadline)s, in %(days)d day.",
                    "%(body)s has not answered the referral %(referral)s yet. The deadline "
                    "is %(deadline)s, in %(days)d days.",
                    days_left,
                )
        paragraphs = [
            gettext("Hello,"),
            status % {**values, "days": days_left},
            gettext("Open the referral: %(url)s") % {"url": round_url(referral)},
            gettext(
                "This is an automatic reminder to the administrators of %(body)s from the "
                "safety and security programme manager. Reminders go out 14 and 3 days "
                "before each deadline and the day after it."
            )
            % values,
        ]
    return subject % values, "\n\n".join(paragraphs) + "\n"


class ReferralDeadlines:
    """The deadlines of open referral rounds, as a source of reminders."""

    def obligations_due_between(
        self, first: datetime.date, last: datetime.date
    ) -> Sequence[ReferralObligation]:
        """The open rounds opened in the product whose deadline is from ``first`` to ``last``."""
        return [
            ReferralObligation(referral)
            for referral in Referral.objects.filter(
                state=ReferralState.OPEN,
                origin=ReferralOrigin.OPENED,
                deadline__gte=first,
                deadline__lte=last,
            ).order_by("deadline", "pk")
        ]

    def bodies_to_remind(self, obligation: ReferralObligation, kind: ReminderKind) -> list[Body]:
        """See ``bodies_to_remind``."""
        return bodies_to_remind(obligation, kind)

    def compose(
        self, obligation: ReferralObligation, body: Body, kind: ReminderKind, today: datetime.date
    ) -> tuple[str, str]:
        """See ``compose_reminder``."""
        return compose_reminder(obligation, body, kind, today)

    def claim(
        self, obligation: ReferralObligation, body: Body, kind: ReminderKind, recipients: str
    ) -> None:
        """Insert the ``ReferralReminderSent`` row; its unique constraint refuses a second claim."""
        invitation = Invitation.objects.get(referral_id=obligation.pk, body=body)
        ReferralReminderSent.objects.create(invitation=invitation, kind=kind, recipients=recipients)


REFERRAL_DEADLINES = ReferralDeadlines()


def send_due_reminders(today: datetime.date | None = None) -> ReminderRun:
    """Send every referral reminder due on ``today`` (default: today in Stockholm)."""
    return reminders.send_due_reminders([REFERRAL_DEADLINES], today or timezone.localdate())
