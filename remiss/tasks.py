"""Celery tasks of the referral app: thin wrappers that call a service and log the result.

Tasks take plain values (ISO dates), never ORM objects, and are safe to run twice.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

from programme.tasks import ReminderDeliveryError
from remiss import reminders

logger = logging.getLogger(__name__)


@shared_task(
    name="remiss.tasks.send_referral_reminders",
    autoretry_for=(ReminderDeliveryError,),
    retry_backoff=60,
    retry_backoff_max=60 * 60,
    max_retries=6,
)
def send_referral_reminders(on: str | None = None) -> dict[str, int]:
    """Send the referral deadline reminders due on ``on`` (ISO date; default today)."""
    today = datetime.date.fromisoformat(on) if on else None
    run = reminders.send_due_reminders(today)
    logger.info("Referral reminders: %d sent, %d failed.", len(run.sent), len(run.failed))
    if run.failed:
        # Retrying is safe: what went out is recorded and is not sent again.
        raise ReminderDeliveryError(f"{len(run.failed)} reminder(s) could not be sent")
    return {"sent": len(run.sent), "failed": 0}


@shared_task(name="remiss.tasks.read_response_import", acks_late=True)
def read_response_import(import_id: int) -> str:
    """Read a document queued for import into a response (``remiss.services.imports``)."""
    from remiss.services.imports import read_import

    state = read_import(import_id)
    logger.info("Import %d: %s.", import_id, state)
    return state
