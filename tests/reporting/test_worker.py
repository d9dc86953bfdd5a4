"""Real Celery workers render each report once, and lose none to a worker that dies.

Two worker processes on Redis (``worker_support.py``) render the reports the test asks
for through ``request_report``, as the report page does, into a folder the test reads
too. The tests commit (``transactional_db``): a worker is another process and sees
committed data only. They run on PostgreSQL only (``postgres``): asking twice at once
needs two connections writing at the same moment, and the workers are among the
slowest tests, so they run once, on the production database. The workers are started
once per module and restarted when a test has killed one.

A test that must catch a worker mid-render asks for a hold (``worker_settings.py``):
the next rendering to lay out a page waits there, so the test knows which process
renders and kills it while it does.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.models import Audience
from reporting import storage
from reporting.models import ReportRequest, ReportRun, RunPart, RunState
from reporting.services.city import request_city_report
from reporting.services.reports import request_report
from reporting.tasks import sweep_report_runs
from tests.conftest import Cast
from tests.reporting.report_world import ReportWorld
from tests.reporting.worker_support import (
    RENDER_TIMEOUT,
    ReportWorkers,
    require_redis,
    task_outcome,
)

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def started_workers(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportWorkers]:
    """Two workers for the module's tests, stopped (with Redis tidied) at its end."""
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


@pytest.fixture
def report_workers(
    started_workers: ReportWorkers, transactional_db: None, settings: Any
) -> ReportWorkers:
    """The two workers, both running, an empty reports folder both sides share, no hold."""
    pool = started_workers
    pool.ensure_running()
    for held in pool.hold_dir.glob("*"):
        held.unlink()
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(pool.reports_dir), "base_url": None},
        },
    }
    shutil.rmtree(pool.reports_dir, ignore_errors=True)
    return pool


def finished(run_id: int) -> ReportRun | None:
    """The run once it is done or failed, else None."""
    run = ReportRun.objects.get(pk=run_id)
    return run if run.state in (RunState.DONE, RunState.FAILED) else None


def downloaded(client: Client, run: ReportRun) -> bytes:
    """The file the download view hands out for ``run``."""
    response = client.get(reverse("reporting:download", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    response.close()
    return content


def assert_whole_pdf(content: bytes, sha256: str) -> None:
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(content).hexdigest() == sha256


def stored_files(reports_dir: Path) -> list[str]:
    """Every file in the reports storage, by its name there."""
    return sorted(str(p.relative_to(reports_dir)) for p in reports_dir.rglob("*") if p.is_file())


@dataclass
class Watch:
    """What a reader could have seen of a run while it was made: checked on every poll.

    A run read as done must download whole; a download that answers must be the whole
    file; a file under a final name must be whole (its name is its SHA-256).
    """

    client: Client
    run_id: int
    reports_dir: Path
    downloads: int = 0
    refusals: int = 0

    def __call__(self) -> None:
        run = ReportRun.objects.get(pk=self.run_id)
        response = self.client.get(reverse("reporting:download", args=[self.run_id]))
        if response.status_code == 200:
            content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            response.close()
            assert_whole_pdf(content, ReportRun.objects.get(pk=self.run_id).sha256)
            self.downloads += 1
        else:
            assert response.status_code == 404
            assert run.state != RunState.DONE, "a done run's file did not download"
            self.refusals += 1
        for name in stored_files(self.reports_dir):
            if not name.startswith(storage.INCOMING + "/"):
                data = (self.reports_dir / name).read_bytes()
                assert name == storage.final_name(hashlib.sha256(data).hexdigest())


@contextmanager
def clock_at(moment: datetime.datetime) -> Iterator[None]:
    """``timezone.now()`` says ``moment`` (for the sweep, which compares with it)."""
    now = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = now


def test_two_people_asking_at_once_get_one_rendering_and_the_same_file(
    report_workers: ReportWorkers, report_world: ReportWorld, cast: Cast, client: Client
) -> None:
    pool = report_workers
    follow_up = report_world.annual
    sent: list[tuple[int, str]] = []

    def send(run_id: int) -> None:
        sent.append((run_id, pool.send(run_id)))

    both_ready = threading.Barrier(2, timeout=10)
    outcomes: dict[str, ReportRequest | BaseException] = {}

    def ask(user_name: str) -> None:
        try:
            both_ready.wait()
            outcomes[user_name] = request_report(
                cast.by_name(user_name), follow_up, Audience.FULL, enqueue=send
            )
        except BaseException as error:  # reported below
            outcomes[user_name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(name,)) for name in ("admin_a", "slk")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    requests = [outcomes.get(name) for name in ("admin_a", "slk")]
    assert all(isinstance(asked, ReportRequest) for asked in requests), requests

    [run] = ReportRun.objects.filter(follow_up=follow_up)
    [(sent_run, task_id)] = sent
    assert sent_run == run.pk
    run = pool.wait_for(lambda: finished(run.pk), RENDER_TIMEOUT, "the run to finish")
    assert run.state == RunState.DONE, run.error
    assert run.attempts == 1
    assert sorted(
        ReportRequest.objects.filter(run=run).values_list("requested_by__username", "joined")
    ) in (
        [("admin_a", False), ("slk", True)],
        [("admin_a", True), ("slk", False)],
    )
    # One task, received once and done once.
    output = pool.output()
    assert output.count(f"render_report[{task_id}] received") == 1, pool.logs()
    assert output.count(f"render_report[{task_id}] succeeded") == 1, pool.logs()
    assert task_outcome(output, task_id) == "done"

    client.force_login(cast.admin_a)
    assert_whole_pdf(downloaded(client, run), run.sha256)
    client.force_login(cast.slk)
    assert_whole_pdf(downloaded(client, run), run.sha256)


def test_a_rendering_whose_process_is_killed_is_finished_by_the_other_worker(
    report_workers: ReportWorkers, report_world: ReportWorld, cast: Cast, client: Client
) -> None:
    pool = report_workers
    client.force_login(cast.admin_a)
    sent: list[str] = []
    pool.hold_next_rendering()
    asked = request_report(
        cast.admin_a,
        report_world.annual,
        Audience.FULL,
        enqueue=lambda pk: sent.append(pool.send(pk)),
    )
    run_id = asked.run.pk
    watch = Watch(client, run_id, pool.reports_dir)

    pid = pool.wait_for(pool.held_pid, RENDER_TIMEOUT, "a rendering to be held", watch)
    rendering = pool.worker_of(pid)
    other = pool.other_than(rendering)
    run = ReportRun.objects.get(pk=run_id)
    assert (run.state, run.attempts) == (RunState.RUNNING, 1)

    # The redelivered task can only go to the other worker: this one stops consuming
    # (its main process stays, to hand the task back when its pool process dies).
    pool.stop_consuming(rendering)
    try:
        os.kill(pid, signal.SIGKILL)
        run = pool.wait_for(lambda: finished(run_id), RENDER_TIMEOUT, "the run to finish", watch)
    finally:
        pool.consume_again(rendering)

    assert run.state == RunState.DONE, run.error
    # The killed attempt and the other worker's.
    assert run.attempts == 2
    [task_id] = sent
    assert "WorkerLostError" in rendering.output(), rendering.output()
    assert task_outcome(other.output(), task_id) == "done", pool.logs()
    assert task_outcome(rendering.output(), task_id) is None

    # Readers were refused until the run was done, then got the whole file.
    assert watch.refusals > 0
    watch()
    assert watch.downloads > 0
    # Nothing left behind: the one file is the finished one, and it is a whole PDF.
    assert stored_files(pool.reports_dir) == [run.file_name]
    data = (pool.reports_dir / run.file_name).read_bytes()
    assert_whole_pdf(data, run.sha256)
    with pikepdf.open(pool.reports_dir / run.file_name) as document:
        assert len(document.pages) == run.pages


def test_the_sweep_fails_a_run_whose_worker_vanished_and_asking_again_renders_it(
    report_workers: ReportWorkers, report_world: ReportWorld, cast: Cast, client: Client
) -> None:
    pool = report_workers
    sent: list[str] = []
    pool.hold_next_rendering()
    lost = request_report(
        cast.admin_a,
        report_world.annual,
        Audience.FULL,
        enqueue=lambda pk: sent.append(pool.send(pk)),
    ).run
    pid = pool.wait_for(pool.held_pid, RENDER_TIMEOUT, "a rendering to be held")
    vanished = pool.worker_of(pid)
    # The whole worker goes, as with its machine: nobody hands the task back.
    os.killpg(vanished.process.pid, signal.SIGKILL)
    vanished.process.wait(timeout=10)
    lost.refresh_from_db()
    assert (lost.state, lost.attempts) == (RunState.RUNNING, 1)
    # Redis keeps the task as delivered and unacknowledged until its visibility timeout.
    assert pool.broker.llen(pool.queue) == 0
    assert list(pool.unacked_tags().values()) == sent

    # Within its time limit and the minute's grace the run is left alone; past it, failed.
    limit = settings.REPORT_TIME_LIMIT
    assert lost.started_at is not None
    with clock_at(lost.started_at + datetime.timedelta(seconds=limit + 59)):
        assert sweep_report_runs()["failed_running"] == 0
    past_the_limit = lost.started_at + datetime.timedelta(seconds=limit + 61)
    with clock_at(past_the_limit):
        assert sweep_report_runs()["failed_running"] == 1
    lost.refresh_from_db()
    assert lost.state == RunState.FAILED
    assert lost.error
    assert lost.finished_at == past_the_limit

    again = request_report(
        cast.admin_a,
        report_world.annual,
        Audience.FULL,
        enqueue=lambda pk: sent.append(pool.send(pk)),
    )
    assert not again.joined
    assert again.run.pk != lost.pk
    assert again.run.input_hash == lost.input_hash
    run = pool.wait_for(lambda: finished(again.run.pk), RENDER_TIMEOUT, "the new run to finish")
    assert run.state == RunState.DONE, run.error
    assert run.attempts == 1
    client.force_login(cast.admin_a)
    assert_whole_pdf(downloaded(client, run), run.sha256)

    # Redis would hand the lost task out again after its visibility timeout: the run it
    # names is failed, so the worker that gets it does nothing.
    pool.redeliver(sent[0])
    survivor = pool.other_than(vanished)
    outcome = pool.wait_for(
        lambda: task_outcome(survivor.output(), sent[0]),
        RENDER_TIMEOUT,
        "the redelivered task to run",
    )
    assert outcome == "nothing to do"
    lost.refresh_from_db()
    assert (lost.state, lost.attempts) == (RunState.FAILED, 1)


def test_the_city_report_s_parts_are_rendered_by_both_workers_and_joined(
    report_workers: ReportWorkers, report_world: ReportWorld, cast: Cast, client: Client
) -> None:
    """The plan, each part and the joining are tasks of their own, collected through the
    database: both workers render parts, and the run ends done with one joined file."""
    pool = report_workers
    with translation.override("sv"):
        asked = request_city_report(
            cast.slk, 2025, "annual", Audience.FULL, dispatch=pool.city_dispatch()
        )
    run = pool.wait_for(lambda: finished(asked.run.pk), RENDER_TIMEOUT, "the city run to finish")
    assert run.state == RunState.DONE, run.error
    parts = RunPart.objects.filter(run=run).count()
    assert parts == len(run.inputs["bodies"]) > 1
    output = pool.output()
    assert output.count("reporting.tasks.render_report_part[") >= 2 * parts  # received, done
    # Both workers took parts.
    logs = [worker.output() for worker in pool.workers if worker.alive()]
    assert sum(1 for log in logs if "render_report_part" in log) == 2, pool.logs()
    assert output.count("assemble_city_report[") >= 2
    client.force_login(cast.slk)
    content = downloaded(client, run)
    assert_whole_pdf(content, run.sha256)
    with pikepdf.open(BytesIO(content)) as pdf:
        assert len(pdf.pages) == run.pages
