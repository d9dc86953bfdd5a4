"""Celery tasks of the programme app: thin wrappers that call a service and log the result.

Tasks take plain values (ids, ISO dates), never ORM objects, and are safe to run twice.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

from programme.models import NotificationKind
from programme.services import notifications as notification_services
from programme.services import reminders as reminder_services

logger = logging.getLogger(__name__)


class ReminderDeliveryError(Exception):
    """Some reminders could not be sent; the task retries, and sends only those."""


@shared_task(
    name="programme.tasks.send_deadline_reminders",
    autoretry_for=(ReminderDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    max_retries=6,
)
def send_deadline_reminders(on: str | None = None) -> dict[str, int]:
    """Send the deadline reminders due on ``on`` (an ISO date; default today in Stockholm)."""
    today = datetime.date.fromisoformat(on) if on else None
    run = reminder_services.send_due_reminders(today)
    logger.info(
        "Deadline reminders: %d sent, %d failed.",
        len(run.sent),
        len(run.failed),
    )
    if run.failed:
        # Retrying is safe: what went out is recorded and is not sent again.
        raise ReminderDeliveryError(f"{len(run.failed)} reminder(s) could not be sent")
    return {"sent": len(run.sent), "failed": 0}


class NotificationDeliveryError(Exception):
    """Some notifications could not be sent; the task retries, and sends only those."""


@shared_task(
    name="programme.tasks.send_follow_up_notifications",
    autoretry_for=(NotificationDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    max_retries=6,
)
def send_follow_up_notifications(follow_up_id: int, kind: str, version: int) -> dict[str, int]:
    """E-mail those who hear of the step (``kind``) that gave the follow-up ``version``."""
    run = notification_services.send_step_notifications(
        follow_up_id, NotificationKind(kind), version
    )
    logger.info(
        "Notifications (%s) of follow-up %s, version %s: %d sent, %d failed.",
        kind,
        follow_up_id,
        version,
        len(run.sent),
        len(run.failed),
    )
    if run.failed:
        # Retrying is safe: what went out is recorded and is not sent again.
        raise NotificationDeliveryError(f"{len(run.failed)} notification(s) could not be sent")
    return {"sent": len(run.sent), "failed": 0}


@shared_task(
    name="programme.tasks.send_notification_digests",
    autoretry_for=(NotificationDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    max_retries=6,
)
def send_notification_digests(day: str | None = None) -> dict[str, int]:
    """Send the daily digests of ``day``'s submissions (an ISO date; default yesterday)."""
    of = datetime.date.fromisoformat(day) if day else notification_services.yesterday()
    run = notification_services.send_digests(of)
    logger.info(
        "Notification digests of %s: %d sent, %d failed.", of, len(run.sent), len(run.failed)
    )
    if run.failed:
        raise NotificationDeliveryError(f"{len(run.failed)} digest(s) could not be sent")
    return {"sent": len(run.sent), "failed": 0}
