"""Reminders of a body's dated obligations: when each goes out, to whom, and only once.

An obligation is anything a body must hand in by a date: a follow-up by SLK's deadline
today, a referral response by the referral's deadline tomorrow. Each kind of obligation
is a ``ReminderSource``: it lists its obligations, the bodies that still owe each one
and have not been reminded, writes the message and claims a reminder in its own table
(whose unique constraint makes the claim). This module holds what every kind shares.

Windows, not single days. A run missed on the day (worker or beat down) catches up
later, but only while the reminder still says something true:

- the 14-day reminder from 14 days before until 4 days before: once the 3-day window
  opens a stale 14-day reminder is never sent;
- the 3-day reminder from 3 days before until the deadline day itself;
- the overdue reminder from the day after until ``OVERDUE_WINDOW_DAYS`` after, so that
  a first run on an old database does not mail about deadlines long past.

Once and only once. A reminder is claimed by inserting its row and is sent inside the
same transaction. The unique constraint decides between two runs at once: the second
insert waits for the first transaction and then fails, so it sends nothing. A send
that fails raises, which rolls the claim back, so the next run (the task retries)
sends it again. Claiming and committing first and sending afterwards would lose a
reminder whenever a worker died between the two; sending inside the transaction can
only repeat one, and only if the commit itself fails after the mail server accepted
the message. We prefer that rare repeat to a silent loss. The transaction holds one
body's claim for one send, never a whole run.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from programme.models import Body, BodyRole, Membership, ReminderKind

logger = logging.getLogger(__name__)

# How many days after the deadline a missed overdue reminder is still sent.
OVERDUE_WINDOW_DAYS = 7

# Each kind's window, in days relative to the deadline (negative: before it), inclusive.
# The windows do not overlap, so a body gets at most one reminder per obligation and day.
REMINDER_WINDOWS: dict[ReminderKind, tuple[int, int]] = {
    ReminderKind.FOURTEEN_DAYS_BEFORE: (-14, -4),
    ReminderKind.THREE_DAYS_BEFORE: (-3, 0),
    ReminderKind.DAY_AFTER: (1, OVERDUE_WINDOW_DAYS),
}

# What a failing mail server or network raises; anything else is a bug and propagates.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class Obligation(Protocol):
    """Something bodies must hand in by a date."""

    @property
    def pk(self) -> int: ...

    @property
    def due_on(self) -> datetime.date: ...


ObligationT = TypeVar("ObligationT", bound=Obligation)


class ReminderSource(Protocol[ObligationT]):
    """One kind of dated obligation that bodies are reminded of."""

    def obligations_due_between(
        self, first: datetime.date, last: datetime.date
    ) -> Sequence[ObligationT]:
        """The obligations due from ``first`` to ``last``, in order."""
        ...

    def bodies_to_remind(self, obligation: ObligationT, kind: ReminderKind) -> Sequence[Body]:
        """Bodies that still owe ``obligation`` and have no ``kind`` reminder of it, each
        with ``reminder_administrators`` (use ``administrators_to_remind``)."""
        ...

    def compose(
        self, obligation: ObligationT, body: Body, kind: ReminderKind, today: datetime.date
    ) -> tuple[str, str]:
        """The reminder's subject and text, in the site's language."""
        ...

    def claim(
        self, obligation: ObligationT, body: Body, kind: ReminderKind, recipients: str
    ) -> None:
        """Record the reminder; raises ``IntegrityError`` if it was claimed already."""
        ...


@dataclass(frozen=True)
class Reminder:
    """One reminder that is due: which obligation, which body, which kind, to whom."""

    obligation_id: int
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


def window_around(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last due date for which some reminder's window is open on ``today``."""
    earliest = min(first for first, _last in REMINDER_WINDOWS.values())
    latest = max(last for _first, last in REMINDER_WINDOWS.values())
    return (
        today - datetime.timedelta(days=latest),
        today - datetime.timedelta(days=earliest),
    )


def administrators_to_remind() -> Prefetch:
    """Prefetch a body's active administrators with an e-mail address, as
    ``reminder_administrators``."""
    administrators = (
        Membership.objects.filter(role=BodyRole.ADMINISTRATOR, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email", "pk")
    )
    return Prefetch("memberships", queryset=administrators, to_attr="reminder_administrators")


def recipients_of(body: Body) -> tuple[str, ...]:
    """The e-mail addresses of the administrators prefetched for ``body``."""
    administrators: list[Membership] = getattr(body, "reminder_administrators", [])
    return tuple(membership.user.email for membership in administrators)


def send_reminder(
    source: ReminderSource[ObligationT],
    obligation: ObligationT,
    body: Body,
    kind: ReminderKind,
    today: datetime.date,
) -> bool:
    """Claim and send one reminder; False if another run has claimed it already.

    The claim and the sending share one transaction: a failed send raises and rolls the
    claim back, so a later run sends it again.
    """
    recipients = recipients_of(body)
    subject, text = source.compose(obligation, body, kind, today)
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, list(recipients))
    try:
        with transaction.atomic():
            source.claim(obligation, body, kind, ", ".join(recipients))
            message.send(fail_silently=False)
    except IntegrityError:
        # Another worker or an earlier run holds this reminder: it is theirs to send.
        return False
    return True


def send_due_reminders(
    sources: Iterable[ReminderSource[ObligationT]], today: datetime.date
) -> ReminderRun:
    """Send every reminder of ``sources`` due on ``today`` that is not sent yet.

    Safe to run again and at the same time as another run: each reminder goes out once.
    A body with no administrator to write to is skipped and logged, so that a reminder
    still goes out if someone is made administrator while its window is open.
    """
    run = ReminderRun()
    for source in sources:
        for obligation in source.obligations_due_between(*window_around(today)):
            kind = reminder_kind_on(obligation.due_on, today)
            if kind is not None:
                _remind_bodies(source, obligation, kind, today, run)
    return run


def _remind_bodies(
    source: ReminderSource[ObligationT],
    obligation: ObligationT,
    kind: ReminderKind,
    today: datetime.date,
    run: ReminderRun,
) -> None:
    """Send ``kind`` reminders of one obligation to every body that still owes it."""
    unreachable: list[str] = []
    for body in source.bodies_to_remind(obligation, kind):
        reminder = Reminder(obligation.pk, body.pk, body.name, kind, recipients_of(body))
        if not reminder.recipients:
            unreachable.append(body.name)
            continue
        try:
            sent = send_reminder(source, obligation, body, kind, today)
        except SEND_ERRORS:
            logger.exception(
                "Sending the reminder (%s) of %s to %s failed; it will be retried.",
                kind.value,
                obligation,
                body.name,
            )
            run.failed.append(reminder)
            continue
        if sent:
            logger.info(
                "Sent the reminder (%s) of %s to %s: %d recipient(s).",
                kind.value,
                obligation,
                body.name,
                len(reminder.recipients),
            )
            run.sent.append(reminder)
    if unreachable:
        logger.warning(
            "No reminder (%s) of %s to %d bodies without an active administrator "
            "with an e-mail address: %s.",
            kind.value,
            obligation,
            len(unreachable),
            ", ".join(unreachable),
        )
