"""Deadline reminders: who gets which e-mail on which day, once and only once.

The service takes the day as an argument, so each test freezes the date by passing it;
Django's locmem backend collects the e-mails in ``mail.outbox``.
"""

from __future__ import annotations

import datetime
import smtplib
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from config import celery_app
from programme.models import (
    Body,
    BodyRole,
    FollowUp,
    FollowUpDeadline,
    FollowUpPeriod,
    FollowUpState,
    Membership,
    Plan,
    ReminderKind,
    ReminderSent,
)
from programme.services import reminders as reminder_services
from programme.tasks import ReminderDeliveryError, send_deadline_reminders
from tests.conftest import Cast

YEAR = 2025
DUE = datetime.date(YEAR, 5, 15)
ADMIN_A_EMAIL = "amira@jarva.example.se"
ADMIN_B_EMAIL = "bengt@skarholmen.example.se"


def day(offset: int) -> datetime.date:
    """The day ``offset`` days from the deadline (negative: before it)."""
    return DUE + datetime.timedelta(days=offset)


@dataclass
class Setting:
    """The cast with e-mail addresses, the T1 deadline and both bodies' draft follow-ups."""

    cast: Cast
    deadline: FollowUpDeadline
    follow_up_a: FollowUp
    follow_up_b: FollowUp


@pytest.fixture
def setting(cast: Cast) -> Setting:
    """Both administrators and Järva's reader have an address; both follow-ups are drafts."""
    for user, email in (
        (cast.admin_a, ADMIN_A_EMAIL),
        (cast.admin_b, ADMIN_B_EMAIL),
        (cast.reader_a, "rut@jarva.example.se"),
        (cast.slk, "sara@slk.example.se"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    deadline = FollowUpDeadline.objects.create(year=YEAR, period=FollowUpPeriod.T1, due_on=DUE)
    follow_up_a = FollowUp.objects.create(
        plan=Plan.objects.create(body=cast.body_a, year=YEAR), period=FollowUpPeriod.T1
    )
    follow_up_b = FollowUp.objects.create(
        plan=Plan.objects.create(body=cast.body_b, year=YEAR), period=FollowUpPeriod.T1
    )
    return Setting(cast, deadline, follow_up_a, follow_up_b)


def sent_to() -> list[tuple[str, ...]]:
    """The recipients of each e-mail in the outbox, in order."""
    return [tuple(message.to) for message in mail.outbox]


def recorded() -> set[tuple[str, str]]:
    """(body slug, kind) of every ReminderSent row."""
    return {(row.body.slug, row.kind) for row in ReminderSent.objects.select_related("body")}


@pytest.mark.parametrize(
    ("offset", "kind"),
    [
        (-14, ReminderKind.FOURTEEN_DAYS_BEFORE),
        (-3, ReminderKind.THREE_DAYS_BEFORE),
        (1, ReminderKind.DAY_AFTER),
    ],
)
def test_reminder_goes_to_each_unsubmitted_bodys_administrators_on_its_day(
    setting: Setting, offset: int, kind: ReminderKind
) -> None:
    run = reminder_services.send_due_reminders(day(offset))

    assert sorted(sent_to()) == [(ADMIN_A_EMAIL,), (ADMIN_B_EMAIL,)]
    assert recorded() == {("jarva", kind), ("skarholmen", kind)}
    assert {(reminder.body_name, reminder.kind) for reminder in run.sent} == {
        (setting.cast.body_a.name, kind),
        (setting.cast.body_b.name, kind),
    }
    assert run.failed == []


def test_run_every_day_sends_each_reminder_once_on_its_day_and_nothing_else(
    setting: Setting,
) -> None:
    sent_on: dict[int, list[str]] = {}
    for offset in range(-40, 41):
        before = len(mail.outbox)
        reminder_services.send_due_reminders(day(offset))
        if len(mail.outbox) > before:
            sent_on[offset] = sorted(message.to[0] for message in mail.outbox[before:])

    both = sorted([ADMIN_A_EMAIL, ADMIN_B_EMAIL])
    assert sent_on == {-14: both, -3: both, 1: both}
    assert ReminderSent.objects.count() == 6


@pytest.mark.parametrize("offset", [-40, -15, 8, 30])
def test_days_outside_every_window_send_nothing(setting: Setting, offset: int) -> None:
    run = reminder_services.send_due_reminders(day(offset))

    assert mail.outbox == []
    assert run.sent == []
    assert not ReminderSent.objects.exists()


def test_running_again_the_same_day_sends_nothing_more(setting: Setting) -> None:
    reminder_services.send_due_reminders(day(-3))
    again = reminder_services.send_due_reminders(day(-3))
    later = reminder_services.send_due_reminders(day(-2))

    assert len(mail.outbox) == 2
    assert again.sent == [] and later.sent == []
    assert ReminderSent.objects.count() == 2


@pytest.mark.parametrize("state", [FollowUpState.SUBMITTED, FollowUpState.APPROVED])
def test_a_body_that_handed_in_its_follow_up_gets_no_reminder(
    setting: Setting, state: FollowUpState
) -> None:
    setting.follow_up_a.state = state
    setting.follow_up_a.save(update_fields=["state"])

    reminder_services.send_due_reminders(day(-3))

    assert sent_to() == [(ADMIN_B_EMAIL,)]
    assert recorded() == {("skarholmen", ReminderKind.THREE_DAYS_BEFORE)}


def test_a_returned_follow_up_and_one_not_started_both_get_reminders(setting: Setting) -> None:
    setting.follow_up_a.state = FollowUpState.RETURNED
    setting.follow_up_a.save(update_fields=["state"])
    setting.follow_up_b.delete()

    reminder_services.send_due_reminders(day(1))

    assert sorted(sent_to()) == [(ADMIN_A_EMAIL,), (ADMIN_B_EMAIL,)]


def test_another_periods_handed_in_follow_up_does_not_silence_this_one(setting: Setting) -> None:
    FollowUp.objects.create(
        plan=setting.follow_up_a.plan, period=FollowUpPeriod.T2, state=FollowUpState.APPROVED
    )

    reminder_services.send_due_reminders(day(-14))

    assert sorted(sent_to()) == [(ADMIN_A_EMAIL,), (ADMIN_B_EMAIL,)]


def test_only_active_administrators_with_an_address_receive_it(setting: Setting) -> None:
    second = User.objects.create_user("admin_a2", email="andra@jarva.example.se")
    gone = User.objects.create_user("admin_a3", email="slutat@jarva.example.se", is_active=False)
    silent = User.objects.create_user("admin_a4", email="")
    for user in (second, gone, silent):
        Membership.objects.create(user=user, body=setting.cast.body_a, role=BodyRole.ADMINISTRATOR)

    reminder_services.send_due_reminders(day(-14))

    jarva = next(message for message in mail.outbox if ADMIN_A_EMAIL in message.to)
    # Neither the reader, SLK, the other body's administrator nor the inactive one.
    assert jarva.to == sorted([ADMIN_A_EMAIL, "andra@jarva.example.se"])
    assert jarva.cc == [] and jarva.bcc == []
    assert ReminderSent.objects.get(body=setting.cast.body_a).recipients == ", ".join(jarva.to)


def test_a_body_without_an_administrator_to_write_to_is_reminded_once_one_is_named(
    setting: Setting,
) -> None:
    setting.cast.admin_b.email = ""
    setting.cast.admin_b.save(update_fields=["email"])

    reminder_services.send_due_reminders(day(-3))
    assert sent_to() == [(ADMIN_A_EMAIL,)]

    setting.cast.admin_b.email = ADMIN_B_EMAIL
    setting.cast.admin_b.save(update_fields=["email"])
    reminder_services.send_due_reminders(day(-2))

    assert sent_to() == [(ADMIN_A_EMAIL,), (ADMIN_B_EMAIL,)]


def test_bodies_not_active_that_year_or_taken_over_get_no_reminder(setting: Setting) -> None:
    ended = Body.objects.create(
        slug="upphord",
        kind=setting.cast.body_a.kind,
        name="Upphörd nämnd",
        valid_to=datetime.date(YEAR - 1, 12, 31),
    )
    merged = Body.objects.create(slug="sammanslagen", kind=ended.kind, name="Sammanslagen nämnd")
    Plan.objects.create(body=merged, year=YEAR, taken_over_by=setting.follow_up_a.plan)
    for body, name in ((ended, "ended"), (merged, "merged")):
        user = User.objects.create_user(f"admin_{name}", email=f"{name}@example.se")
        Membership.objects.create(user=user, body=body, role=BodyRole.ADMINISTRATOR)

    reminder_services.send_due_reminders(day(-3))

    assert sorted(sent_to()) == [(ADMIN_A_EMAIL,), (ADMIN_B_EMAIL,)]


def test_a_missed_fourteen_day_run_catches_up_until_the_three_day_window_opens(
    setting: Setting,
) -> None:
    reminder_services.send_due_reminders(day(-10))

    assert recorded() == {
        ("jarva", ReminderKind.FOURTEEN_DAYS_BEFORE),
        ("skarholmen", ReminderKind.FOURTEEN_DAYS_BEFORE),
    }
    # The text tells the days actually left, not the 14 of the schedule.
    assert "om 10 dagar" in mail.outbox[0].body


@pytest.mark.parametrize("offset", [-3, -2, 0])
def test_missed_runs_send_the_three_day_reminder_never_a_stale_fourteen_day_one(
    setting: Setting, offset: int
) -> None:
    reminder_services.send_due_reminders(day(offset))

    assert recorded() == {
        ("jarva", ReminderKind.THREE_DAYS_BEFORE),
        ("skarholmen", ReminderKind.THREE_DAYS_BEFORE),
    }
    assert len(mail.outbox) == 2


def test_a_missed_day_after_is_sent_within_a_week_only(setting: Setting) -> None:
    reminder_services.send_due_reminders(day(reminder_services.OVERDUE_WINDOW_DAYS + 1))
    assert mail.outbox == []

    reminder_services.send_due_reminders(day(reminder_services.OVERDUE_WINDOW_DAYS))
    assert recorded() == {
        ("jarva", ReminderKind.DAY_AFTER),
        ("skarholmen", ReminderKind.DAY_AFTER),
    }


def test_the_reminder_is_in_swedish_with_body_period_deadline_and_link(
    setting: Setting, settings: Any
) -> None:
    settings.SITE_URL = "https://program.example.se"

    reminder_services.send_due_reminders(day(-3))

    message = next(message for message in mail.outbox if ADMIN_A_EMAIL in message.to)
    body_name = setting.cast.body_a.name
    assert message.subject == (
        f"Påminnelse: Tertialrapport 1 2025 för {body_name} ska lämnas in senast "
        "torsdag 15 maj 2025"
    )
    link = "https://program.example.se" + reverse(
        "programme:follow-up-detail", kwargs={"slug": "jarva", "year": YEAR, "period": "t1"}
    )
    assert f"Öppna uppföljningen: {link}" in message.body
    assert "Sista dag är torsdag 15 maj 2025, om 3 dagar." in message.body
    assert "har ännu inte lämnats in" in message.body
    assert message.from_email == "noreply@localhost"


def test_the_overdue_reminder_says_the_deadline_has_passed(setting: Setting) -> None:
    reminder_services.send_due_reminders(day(1))

    message = mail.outbox[0]
    assert message.subject.startswith("Försenad: Tertialrapport 1 2025 för ")
    assert "sista dag var torsdag 15 maj 2025" in message.body


def test_on_the_deadline_day_the_reminder_says_today(setting: Setting) -> None:
    reminder_services.send_due_reminders(day(0))

    assert "Sista dag är i dag, torsdag 15 maj 2025." in mail.outbox[0].body


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_a_failed_send_keeps_no_record_and_the_next_run_sends_it(
    setting: Setting, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    failed = reminder_services.send_due_reminders(day(-3))

    assert len(failed.failed) == 2 and failed.sent == []
    assert not ReminderSent.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = reminder_services.send_due_reminders(day(-3))

    assert len(retried.sent) == 2
    assert len(mail.outbox) == 2


def test_a_reminder_another_run_claimed_is_not_sent_again(setting: Setting) -> None:
    ReminderSent.objects.create(
        deadline=setting.deadline, body=setting.cast.body_a, kind=ReminderKind.THREE_DAYS_BEFORE
    )
    # The claim, not the query for candidates, is what stops a second send: a run that
    # read the candidates before the other run's claim committed still sends nothing.
    claimed = reminder_services.send_reminder(
        setting.deadline, setting.cast.body_a, ReminderKind.THREE_DAYS_BEFORE, day(-3)
    )

    assert claimed is False
    assert mail.outbox == []
    assert ReminderSent.objects.count() == 1


def test_each_deadline_of_the_year_has_its_own_reminders(setting: Setting) -> None:
    FollowUpDeadline.objects.create(year=YEAR, period=FollowUpPeriod.T2, due_on=day(11))
    setting.follow_up_b.state = FollowUpState.SUBMITTED
    setting.follow_up_b.save(update_fields=["state"])

    reminder_services.send_due_reminders(day(-3))

    # T1 is 3 days away for Järva only; T2 is 14 days away for both (no T2 follow-up yet).
    subjects = sorted((message.to[0], message.subject.split(" 2025")[0]) for message in mail.outbox)
    assert subjects == [
        (ADMIN_A_EMAIL, "Påminnelse: Tertialrapport 1"),
        (ADMIN_A_EMAIL, "Påminnelse: Tertialrapport 2"),
        (ADMIN_B_EMAIL, "Påminnelse: Tertialrapport 2"),
    ]


def test_without_a_date_the_run_uses_today_in_stockholm(
    setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminder_services.timezone, "localdate", lambda: day(-14))

    reminder_services.send_due_reminders()

    assert len(mail.outbox) == 2


def test_the_task_takes_an_iso_date_and_reports_what_it_sent(setting: Setting) -> None:
    result = send_deadline_reminders(on=day(1).isoformat())
    again = send_deadline_reminders(on=day(1).isoformat())

    assert result == {"sent": 2, "failed": 0}
    assert again == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 2


def test_the_task_fails_for_a_retry_when_a_reminder_could_not_be_sent(
    setting: Setting, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with pytest.raises(ReminderDeliveryError):
        send_deadline_reminders(on=day(1).isoformat())

    assert not ReminderSent.objects.exists()
    assert ReminderDeliveryError in send_deadline_reminders.autoretry_for


def test_beat_runs_the_reminder_task_daily_and_the_worker_knows_it(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]

    assert entry["task"] == send_deadline_reminders.name
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {settings.REMINDER_HOUR}
    assert entry["schedule"].minute == {0}
    assert celery_app.conf.timezone == "Europe/Stockholm"
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert celery_app.conf.task_serializer == "json"
