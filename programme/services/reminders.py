"""Follow-up deadlines as reminders: a body's administrators hear of each one due.

For every follow-up deadline SLK has set, the administrators of each body that has not
yet submitted that period's follow-up get three reminders: 14 days before the deadline,
3 days before it and the day after it passed, each once per deadline, body and kind
(``ReminderSent``). ``programme.reminders`` explains the windows and the once-only claim.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from programme import reminders
from programme.models import (
    Body,
    FollowUp,
    FollowUpDeadline,
    FollowUpState,
    Plan,
    ReminderKind,
    ReminderSent,
)
from programme.reminders import OVERDUE_WINDOW_DAYS, ReminderRun

__all__ = ["OVERDUE_WINDOW_DAYS", "FollowUpDeadlines", "send_due_reminders", "send_reminder"]

# A follow-up in one of these states is with SLK or done: its body needs no reminder.
HANDED_IN_STATES = (FollowUpState.SUBMITTED, FollowUpState.APPROVED)


def bodies_to_remind(deadline: FollowUpDeadline, kind: ReminderKind) -> list[Body]:
    """Bodies that existed in the deadline's year whose follow-up is not handed in nor
    reminded.

    A body whose plan for the year was taken over in a merger reports through its
    successor, so it is left out. Each body comes with ``reminder_administrators``: its
    active administrators with an e-mail address.
    """
    handed_in = FollowUp.objects.filter(
        plan__year=deadline.year, period=deadline.period, state__in=HANDED_IN_STATES
    ).values("plan__body_id")
    taken_over = Plan.objects.filter(year=deadline.year, taken_over_by__isnull=False).values(
        "body_id"
    )
    reminded = ReminderSent.objects.filter(deadline=deadline, kind=kind).values("body_id")
    return list(
        Body.objects.existing_in(deadline.year)
        .exclude(pk__in=handed_in)
        .exclude(pk__in=taken_over)
        .exclude(pk__in=reminded)
        .prefetch_related(reminders.administrators_to_remind())
        .order_by("name", "pk")
    )


def follow_up_url(deadline: FollowUpDeadline, body: Body) -> str:
    """The absolute address of the body's follow-up page for the deadline's period."""
    path = reverse(
        "programme:follow-up-detail",
        kwargs={"slug": body.slug, "year": deadline.year, "period": deadline.period},
    )
    return f"{settings.SITE_URL}{path}"


def compose_reminder(
    deadline: FollowUpDeadline, body: Body, kind: ReminderKind, today: datetime.date
) -> tuple[str, str]:
    """The reminder's subject and text, in the site's language (Swedish)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "period": capfirst(deadline.get_period_display()),
            "year": deadline.year,
            "body": body.name,
            "deadline": formats.date_format(deadline.due_on, "l j F Y"),
        }
        days_left = (deadline.due_on - today).days
        if kind == ReminderKind.DAY_AFTER:
            subject = gettext("Overdue: %(period)s %(year)s for %(body)s was due on %(deadline)s")
            status = gettext(
                "%(period)s %(year)s for %(body)s has not been submitted to the city "
                "management office, and the deadline was %(deadline)s. Please submit it "
                "as soon as possible."
            )
        else:
            subject = gettext("Reminder: %(period)s %(year)s for %(body)s is due on %(deadline)s")
            if days_left == 0:
                status = gettext(
                    "%(period)s %(year)s for %(body)s has not been submitted to the city "
                    "management office yet. The deadline is today, %(deadline)s."
                )
            else:
                status = ngettext(
                    "%(period)s %(year)s for %(body)s has not been submitted to the city "
                    "management office yet. The deadline is %(deadline)s, in %(days)d day.",
                    "%(period)s %(year)s for %(body)s has not been submitted to the city "
                    "management office yet. The deadline is %(deadline)s, in %(days)d days.",
                    days_left,
                )
        paragraphs = [
            gettext("Hello,"),
            status % {**values, "days": days_left},
            gettext("Open the follow-up: %(url)s") % {"url": follow_up_url(deadline, body)},
            gettext(
                "This is an automatic reminder to the administrators of %(body)s from the "
                "safety and security programme manager. Reminders go out 14 and 3 days "
                "before each deadline and the day after it."
            )
            % values,
        ]
    return subject % values, "\n\n".join(paragraphs) + "\n"


class FollowUpDeadlines:
    """SLK's follow-up deadlines, as a source of reminders."""

    def obligations_due_between(
        self, first: datetime.date, last: datetime.date
    ) -> Sequence[FollowUpDeadline]:
        """The deadlines due from ``first`` to ``last``."""
        return list(
            FollowUpDeadline.objects.filter(due_on__gte=first, due_on__lte=last).order_by(
                "due_on", "pk"
            )
        )

    def bodies_to_remind(self, obligation: FollowUpDeadline, kind: ReminderKind) -> list[Body]:
        """See ``bodies_to_remind``."""
        return bodies_to_remind(obligation, kind)

    def compose(
        self, obligation: FollowUpDeadline, body: Body, kind: ReminderKind, today: datetime.date
    ) -> tuple[str, str]:
        """See ``compose_reminder``."""
        return compose_reminder(obligation, body, kind, today)

    def claim(
        self, obligation: FollowUpDeadline, body: Body, kind: ReminderKind, recipients: str
    ) -> None:
        """Insert the ``ReminderSent`` row; its unique constraint refuses a second claim."""
        ReminderSent.objects.create(
            deadline=obligation, body=body, kind=kind, recipients=recipients
        )


FOLLOW_UP_DEADLINES = FollowUpDeadlines()


def send_reminder(
    deadline: FollowUpDeadline, body: Body, kind: ReminderKind, today: datetime.date
) -> bool:
    """Claim and send one follow-up reminder; False if another run has claimed it already."""
    return reminders.send_reminder(FOLLOW_UP_DEADLINES, deadline, body, kind, today)


def send_due_reminders(today: datetime.date | None = None) -> ReminderRun:
    """Send every follow-up reminder due on ``today`` (default: today in Stockholm)."""
    return reminders.send_due_reminders([FOLLOW_UP_DEADLINES], today or timezone.localdate())
