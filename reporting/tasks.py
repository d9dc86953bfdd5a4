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

from reporting.services import reports

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


@shared_task(name="reporting.tasks.sweep_report_runs")
def sweep_report_runs() -> dict[str, int]:
    """Fail runs whose worker vanished and remove temporary files (beat, every few minutes)."""
    sweep = reports.sweep_runs()
    if sweep.failed_running or sweep.failed_queued or sweep.removed_files:
        logger.warning("Report sweep: %s", sweep)
    return {
        "failed_running": sweep.failed_running,
        "failed_queued": sweep.failed_queued,
        "removed_files": sweep.removed_files,
    }
