"""Reminders of a referral round's deadline, through the programme's reminder mechanism.

The administrators of every body asked that has neither submitted nor declined get a
reminder 14 and 3 days before the deadline and the day after it, each once. Django's
locmem backend collects the e-mails in ``mail.outbox``.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from remiss import reminders
from remiss.models import Invitation, Referral, ReferralReminderSent, Response, ResponseState
from remiss.services import rounds as round_services
from remiss.tasks import send_referral_reminders
from tests.conftest import Cast
from tests.remiss.test_rounds import open_round, private_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]

ADMIN_A_EMAIL = "admin@jarva.example.se"
ADMIN_B_EMAIL = "admin@skarholmen.example.se"


@pytest.fixture
def referral(cast: Cast) -> Referral:
    """A round asking body A and body B, with e-mail addresses for their administrators."""
    for user, email in ((cast.admin_a, ADMIN_A_EMAIL), (cast.admin_b, ADMIN_B_EMAIL)):
        user.email = email
        user.save(update_fields=["email"])
    # Readers are not reminded.
    cast.reader_a.email = "lasare@jarva.example.se"
    cast.reader_a.save(update_fields=["email"])
    return open_round(cast)


def day(referral: Referral, offset: int) -> datetime.date:
    assert referral.deadline is not None
    return referral.deadline + datetime.timedelta(days=offset)


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_bodies_that_have_not_answered_are_reminded_before_and_after_the_deadline(
    referral: Referral,
):
    sent_on = {}
    for offset in range(-20, 10):
        before = len(mail.outbox)
        reminders.send_due_reminders(day(referral, offset))
        if len(mail.outbox) > before:
            sent_on[offset] = sorted(message.to[0] for message in mail.outbox[before:])

    both = [ADMIN_A_EMAIL, ADMIN_B_EMAIL]
    assert sent_on == {-14: both, -3: both, 1: both}
    assert ReferralReminderSent.objects.count() == 6


def test_running_again_the_same_day_sends_nothing_more(referral: Referral):
    reminders.send_due_reminders(day(referral, -3))
    reminders.send_due_reminders(day(referral, -3))

    assert recipients() == [ADMIN_A_EMAIL, ADMIN_B_EMAIL]


def test_a_body_that_answered_or_declined_is_not_reminded(referral: Referral, cast: Cast):
    Response.objects.filter(referral=referral, body=cast.body_a).update(
        state=ResponseState.SUBMITTED
    )
    reminders.send_due_reminders(day(referral, -14))
    assert recipients() == [ADMIN_B_EMAIL]

    invitation = Invitation.objects.get(referral=referral, body=cast.body_b)
    round_services.decline(
        user=cast.admin_b, invitation=invitation, seen_version=1, reason="Inga synpunkter."
    )
    reminders.send_due_reminders(day(referral, 1))
    assert recipients() == [ADMIN_B_EMAIL]


def test_a_closed_round_reminds_nobody(referral: Referral, cast: Cast):
    round_services.close_round(user=cast.slk, referral=referral, seen_version=referral.version)

    reminders.send_due_reminders(day(referral, 1))

    assert mail.outbox == []


def test_the_reminder_is_in_swedish_and_links_to_the_round(referral: Referral):
    reminders.send_due_reminders(day(referral, 1))

    message = mail.outbox[0]
    assert referral.title in message.subject
    assert f"/remisser/{referral.pk}/" in message.body
    assert "Järva" in message.body


def test_the_beat_task_sends_them(referral: Referral):
    result = send_referral_reminders.apply(args=[day(referral, -3).isoformat()]).get()

    assert result == {"sent": 2, "failed": 0}
    assert recipients() == [ADMIN_A_EMAIL, ADMIN_B_EMAIL]


def test_the_task_runs_on_the_reminders_schedule(settings: object):
    from django.conf import settings as django_settings

    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["referral-reminders"]["task"] == "remiss.tasks.send_referral_reminders"
    assert schedule["referral-reminders"]["schedule"] == schedule["deadline-reminders"]["schedule"]
