"""Celery tasks of the reporting app: ids in, safe to run twice, no result store needed.

``render_report`` is acknowledged when it has finished (late acknowledgement), and a task
whose worker process was killed is rejected back to the broker (``reject_on_worker_lost``)
so another worker renders it; it retries only on errors named as transient, with backoff,
and is stopped at ``REPORT_TIME_LIMIT``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_init
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation

from reporting.services import city, city_sweep, reports, schedule

logger = logging.getLogger(__name__)


@worker_init.connect
def _preload_weasyprint(**_: object) -> None:
    """The worker's main process imports WeasyPrint before it forks its pool processes."""
    from reporting import pdf

    pdf.preload()


# Errors after which the same rendering may well succeed a little later.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)


@shared_task(
    name="reporting.tasks.render_report",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    time_limit=settings.REPORT_TIME_LIMIT,
    soft_time_limit=max(settings.REPORT_TIME_LIMIT - 30, 1),
)
def render_report(self, run_id: int) -> str:
    """Render report run ``run_id``; a run already done or failed is left as it is."""
    try:
        run = reports.render_run(run_id)
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            logger.exception("Report run %s failed after its retries", run_id)
            _fail(run_id)
        raise
    except SoftTimeLimitExceeded:
        with translation.override(settings.LANGUAGE_CODE):
            reports.fail_run(
                run_id, translation.gettext("The rendering took longer than its time limit.")
            )
        return "failed"
    except Exception:
        logger.exception("Report run %s failed", run_id)
        _fail(run_id)
        return "failed"
    return run.state if run is not None else "nothing to do"


def _fail(run_id: int) -> None:
    """Fail the run with words for its readers; what went wrong is in the worker's log."""
    with translation.override(settings.LANGUAGE_CODE):
        reports.fail_run(
            run_id,
            translation.gettext(
                "The report could not be made. The error is in the worker's log; ask for "
                "the report again, and tell the system administrator if it fails again."
            ),
        )


# The city-wide report's tasks: the same delivery guarantees as ``render_report``.
CITY_TASK_OPTIONS: dict[str, object] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "time_limit": settings.REPORT_TIME_LIMIT,
    "soft_time_limit": max(settings.REPORT_TIME_LIMIT - 30, 1),
}


@shared_task(name="reporting.tasks.plan_city_report", **CITY_TASK_OPTIONS)
def plan_city_report(self, run_id: int) -> int:
    """List a city-wide run's parts and queue those not made yet; returns how many."""
    try:
        return len(city.plan_run(run_id))
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            _fail(run_id)
        raise
    except Exception:
        logger.exception("City-wide run %s could not be planned", run_id)
        _fail(run_id)
        return 0


@shared_task(name="reporting.tasks.render_report_part", **CITY_TASK_OPTIONS)
def render_report_part(self, part_id: int) -> str:
    """Render one part of a city-wide report; the last part of a run queues its joining."""
    try:
        part = city.render_part(part_id)
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            _fail_part(part_id)
        raise
    except Exception:
        logger.exception("Report part %s failed", part_id)
        _fail_part(part_id)
        return "failed"
    return part.state if part is not None else "nothing to do"


@shared_task(name="reporting.tasks.assemble_city_report", **CITY_TASK_OPTIONS)
def assemble_city_report(self, run_id: int) -> str:
    """Render the overview of a city-wide run, join its parts and store the file."""
    try:
        run = city.assemble_run(run_id)
    except TRANSIENT_ERRORS:
        if self.request.retries >= self.max_retries:
            _fail(run_id)
        raise
    except Exception:
        logger.exception("City-wide run %s could not be joined", run_id)
        _fail(run_id)
        return "failed"
    return run.state if run is not None else "nothing to do"


def _fail_part(part_id: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        city.fail_part(
            part_id,
            translation.gettext(
                "A part of the report could not be made. The error is in the worker's log; "
                "ask for the report again, and tell the system administrator if it fails again."
            ),
        )


@shared_task(name="reporting.tasks.sweep_report_runs")
def sweep_report_runs() -> dict[str, int]:
    """Fail runs whose worker vanished and remove temporary files (beat, every few minutes)."""
    sweep = reports.sweep_runs()
    failed_parts = city_sweep.sweep_parts()
    notified = schedule.notify_finished()
    if sweep.failed_running or sweep.failed_queued or sweep.removed_files or failed_parts:
        logger.warning("Report sweep: %s, %s parts failed", sweep, failed_parts)
    return {
        "failed_running": sweep.failed_running,
        "failed_queued": sweep.failed_queued,
        "removed_files": sweep.removed_files,
        "failed_parts": failed_parts,
        "years_told": notified,
    }


@shared_task(name="reporting.tasks.start_scheduled_reports")
def start_scheduled_reports() -> list[int]:
    """Ask for the reports of every year whose report date has come (beat, hourly)."""
    years = schedule.start_due()
    if years:
        logger.info("Reports asked for on their date: %s", years)
    return years
