"""Deadline reminders: e-mail a body's administrators before and after a follow-up is due.

For every follow-up deadline SLK has set, the administrators of each body that has not
yet submitted that period's follow-up get three reminders: 14 days before the deadline,
3 days before it and the day after it passed. Each goes out once per deadline, body and
kind, however often the task runs and however many workers run it.

Windows, not single days. A run missed on the day (worker or beat down) catches up
later, but only while the reminder still says something true:

- the 14-day reminder from 14 days before until 4 days before: once the 3-day window
  opens a stale 14-day reminder is never sent;
- the 3-day reminder from 3 days before until the deadline day itself;
- the overdue reminder from the day after until ``OVERDUE_WINDOW_DAYS`` after, so that
  a first run on an old database does not mail about deadlines long past.

The text names the days actually left, so a late 14-day reminder does not lie.

Once and only once. A reminder is claimed by inserting its ``ReminderSent`` row and is
sent inside the same transaction. The unique constraint on (deadline, body, kind)
decides between two runs at once: the second insert waits for the first transaction
and then fails, so it sends nothing. A send that fails raises, which rolls the claim
back, so the next run (the task retries) sends it again. Claiming and committing first
and sending afterwards would lose a reminder whenever a worker died between the two;
sending inside the transaction can only repeat one, and only if the commit itself
fails after the mail server accepted the message. We prefer that rare repeat to a
silent loss. The transaction holds one body's claim for one send, never a whole run.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from programme.models import (
    Body,
    BodyRole,
    FollowUp,
    FollowUpDeadline,
    FollowUpState,
    Membership,
    Plan,
    ReminderKind,
    ReminderSent,
)

logger = logging.getLogger(__name__)

# How many days after the deadline a missed overdue reminder is still sent.
OVERDUE_WINDOW_DAYS = 7

# Each kind's window, in days relative to the deadline (negative: before it), inclusive.
# The windows do not overlap, so a body gets at most one reminder per deadline and day.
REMINDER_WINDOWS: dict[ReminderKind, tuple[int, int]] = {
    ReminderKind.FOURTEEN_DAYS_BEFORE: (-14, -4),
    ReminderKind.THREE_DAYS_BEFORE: (-3, 0),
    ReminderKind.DAY_AFTER: (1, OVERDUE_WINDOW_DAYS),
}

# A follow-up in one of these states is with SLK or done: its body needs no reminder.
HANDED_IN_STATES = (FollowUpState.SUBMITTED, FollowUpState.APPROVED)

# What a failing mail server or network raises; anything else is a bug and propagates.
SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Reminder:
    """One reminder that is due: which deadline, which body, which kind, to whom."""

    deadline_id: int
    body_id: int
    body_name: str
    kind: ReminderKind
    recipients: tuple[str, ...]


@dataclass
class ReminderRun:
    """What one run did: reminders sent, reminders whose sending failed (to retry)."""

    sent: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)


def reminder_kind_on(due_on: datetime.date, today: datetime.date) -> ReminderKind | None:
    """The reminder whose window ``today`` falls in for a deadline on ``due_on``, if any."""
    offset = (today - due_on).days
    for kind, (first, last) in REMINDER_WINDOWS.items():
        if first <= offset <= last:
            return kind
    return None


def deadlines_in_a_window(today: datetime.date) -> list[FollowUpDeadline]:
    """The deadlines for which some reminder's window is open on ``today``."""
    earliest = min(first for first, _last in REMINDER_WINDOWS.values())
    latest = max(last for _first, last in REMINDER_WINDOWS.values())
    return list(
        FollowUpDeadline.objects.filter(
            due_on__gte=today - datetime.timedelta(days=latest),
            due_on__lte=today - datetime.timedelta(days=earliest),
        ).order_by("due_on", "pk")
    )


def bodies_to_remind(deadline: FollowUpDeadline, kind: ReminderKind) -> list[Body]:
    """Bodies active in the deadline's year whose follow-up is not handed in nor reminded.

    A body whose plan for the year was taken over in a merger reports through its
    successor, so it is left out. Each body comes with ``reminder_administrators``: its
    active administrators with an e-mail address.
    """
    first_day = datetime.date(deadline.year, 1, 1)
    last_day = datetime.date(deadline.year, 12, 31)
    handed_in = FollowUp.objects.filter(
        plan__year=deadline.year, period=deadline.period, state__in=HANDED_IN_STATES
    ).values("plan__body_id")
    taken_over = Plan.objects.filter(year=deadline.year, taken_over_by__isnull=False).values(
        "body_id"
    )
    reminded = ReminderSent.objects.filter(deadline=deadline, kind=kind).values("body_id")
    administrators = (
        Membership.objects.filter(role=BodyRole.ADMINISTRATOR, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email", "pk")
    )
    return list(
        Body.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=first_day),
        )
        .exclude(pk__in=handed_in)
        .exclude(pk__in=taken_over)
        .exclude(pk__in=reminded)
        .prefetch_related(
            Prefetch("memberships", queryset=administrators, to_attr="reminder_administrators")
        )
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


def recipients_of(body: Body) -> tuple[str, ...]:
    """The e-mail addresses of the administrators ``bodies_to_remind`` fetched for ``body``."""
    administrators: list[Membership] = getattr(body, "reminder_administrators", [])
    return tuple(membership.user.email for membership in administrators)


def send_reminder(
    deadline: FollowUpDeadline, body: Body, kind: ReminderKind, today: datetime.date
) -> bool:
    """Claim and send one reminder; False if another run has claimed it already.

    The claim (the ``ReminderSent`` row) and the sending share one transaction: a
    failed send raises and rolls the claim back, so a later run sends it again.
    """
    recipients = recipients_of(body)
    subject, text = compose_reminder(deadline, body, kind, today)
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, list(recipients))
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                deadline=deadline, body=body, kind=kind, recipients=", ".join(recipients)
            )
            message.send(fail_silently=False)
    except IntegrityError:
        # Another worker or an earlier run holds this reminder: it is theirs to send.
        return False
    return True


def send_due_reminders(today: datetime.date | None = None) -> ReminderRun:
    """Send every reminder due on ``today`` (default: today in Stockholm) that is not sent.

    Safe to run again and at the same time as another run: each reminder goes out once.
    A body with no administrator to write to is skipped and logged, so that a reminder
    still goes out if someone is made administrator while its window is open.
    """
    today = today or timezone.localdate()
    run = ReminderRun()
    for deadline in deadlines_in_a_window(today):
        kind = reminder_kind_on(deadline.due_on, today)
        if kind is None:
            continue
        unreachable: list[str] = []
        for body in bodies_to_remind(deadline, kind):
            reminder = Reminder(deadline.pk, body.pk, body.name, kind, recipients_of(body))
            if not reminder.recipients:
                unreachable.append(body.name)
                continue
            try:
                sent = send_reminder(deadline, body, kind, today)
            except SEND_ERRORS:
                logger.exception(
                    "Sending the reminder (%s) of %s to %s failed; it will be retried.",
                    kind.value,
                    deadline,
                    body.name,
                )
                run.failed.append(reminder)
                continue
            if sent:
                logger.info(
                    "Sent the reminder (%s) of %s to %s: %d recipient(s).",
                    kind.value,
                    deadline,
                    body.name,
                    len(reminder.recipients),
                )
                run.sent.append(reminder)
        if unreachable:
            logger.warning(
                "No reminder (%s) of %s to %d bodies without an active administrator "
                "with an e-mail address: %s.",
                kind.value,
                deadline,
                len(unreachable),
                ", ".join(unreachable),
            )
    return run
