"""Fixtures the browser tests share.

The report workers: ``tests/reporting/test_worker.py`` starts its two Celery workers once
per module, and every browser module that renders reports imports its ``report_workers``.
Here the browser modules share one pair for the whole session (per pytest-xdist worker):
a worker takes seconds to start and stop, and nothing ties it to one module. Each test
still gets both workers running, an empty reports folder and no hold (``report_workers``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.reporting.worker_support import ReportWorkers, require_redis


@pytest.fixture(scope="session")
def started_workers(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportWorkers]:
    """Two workers for every browser test that asks for them, stopped at the session's end."""
    pool = ReportWorkers(
        queue=f"reports-test-{uuid.uuid4().hex}",
        directory=tmp_path_factory.mktemp("report-workers"),
        broker=require_redis(),
    )
    try:
        pool.ensure_running()
        yield pool
    finally:
        for worker in pool.workers:
            pool.stop(worker)
        pool.forget_queue()
