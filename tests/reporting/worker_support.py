"""Two real Celery workers for the report tests: started, watched, held, killed, tidied up.

Each worker (``celery -A config worker``) has one pool process and consumes only the
queue named for this run, from Redis at 127.0.0.1:6379 in a database of its own
(``REDIS_URL``), so no other test's workers or remote-control broadcasts meet them.
Their environment names pytest-django's test database and a folder of the test's for
the report files; they load ``tests.reporting.worker_settings``, the development
settings with the hold a test asks for to catch a rendering mid-way.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from kombu import Connection

from reporting.tasks import render_report

# A database number of their own: the reminder worker test uses 0. Redis keeps remote
# control broadcasts per database too (kombu prefixes them with it).
REDIS_URL = "redis://127.0.0.1:6379/11"
WORKERS = 2
# Generous for a loaded 2-core machine: a worker starts in 2-4 s, renders in 3-6 s.
READY_TIMEOUT = 30.0
RENDER_TIMEOUT = 60.0
POLL_SECONDS = 0.1

# Remote control of the workers (which queue they consume) goes through an app of its
# own: the project's app would publish the command to its own broker, the file system.
CONTROL = Celery("report-worker-tests", broker=REDIS_URL, set_as_current=False)


def require_redis() -> redis.Redis:
    """A client of the test Redis, or a failure that says how to get one."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({error}). The report worker tests "
            "need it; CI runs it as a service. Start one with `redis-server` (Debian: "
            "apt-get install redis-server).",
            pytrace=False,
        )
    return client


def database_url_for_workers() -> str:
    """pytest-django's test database, as a URL the workers can open."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def parent_of(pid: int) -> int:
    """The parent process of ``pid``, from /proc (the field after the command's name)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@dataclass
class Worker:
    """One worker process (its pool process is its child) and the file its output goes to."""

    hostname: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the worker has logged so far."""
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        """Whether the worker's main process is still running."""
        return self.process.poll() is None


@dataclass
class ReportWorkers:
    """The workers, their queue and folders, and what the test process sends them."""

    queue: str
    directory: Path
    broker: redis.Redis
    workers: list[Worker] = field(default_factory=list)
    started: int = 0

    @property
    def hold_dir(self) -> Path:
        return self.directory / "hold"

    @property
    def private_dir(self) -> Path:
        return self.directory / "private"

    @property
    def reports_dir(self) -> Path:
        """Where ``STORAGES["reports"]`` keeps the files, for the workers and the test."""
        return self.private_dir / "reports"

    def environment(self) -> dict[str, str]:
        """The workers' environment: this one, with the test's database, broker and folders."""
        replaced = {
            "DJANGO_SETTINGS_MODULE": "tests.reporting.worker_settings",
            "DATABASE_URL": database_url_for_workers(),
            "CELERY_BROKER_URL": REDIS_URL,
            "VAR_DIR": str(self.directory / "var"),
            "PRIVATE_MEDIA_ROOT": str(self.private_dir),
            "REPORT_STORAGE": "local",
            "REPORT_TEST_HOLD_DIR": str(self.hold_dir),
            "REPORT_TEST_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
        }
        # Defaults for the rest: a time limit or visibility timeout set in the shell
        # would change what the tests see.
        unset = {"REPORT_TIME_LIMIT", "CELERY_VISIBILITY_TIMEOUT", "CELERY_RESULT_BACKEND"}
        kept = {k: v for k, v in os.environ.items() if k not in replaced and k not in unset}
        return {**kept, **replaced}

    def start(self) -> Worker:
        """Start a worker with one pool process that consumes only this run's queue."""
        self.started += 1
        hostname = f"reports-{self.started}@{self.queue}"
        log = self.directory / f"worker-{self.started}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--queues",
                    self.queue,
                    "--hostname",
                    hostname,
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "INFO",
                    # Nothing to learn from other workers: start faster.
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=settings.BASE_DIR,
                env=self.environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(hostname, process, log)
        self.workers.append(worker)
        return worker

    def ensure_running(self) -> None:
        """Two live workers, ready: a test may have killed one."""
        for worker in [w for w in self.workers if not w.alive()]:
            self.workers.remove(worker)
        while len(self.workers) < WORKERS:
            self.start()
        self.wait_for(
            lambda: all(" ready." in worker.output() for worker in self.workers),
            READY_TIMEOUT,
            "the workers to be ready",
        )

    def stop(self, worker: Worker) -> None:
        """Stop the worker and its pool process, by force if it does not stop in time."""
        if worker.alive():
            os.killpg(worker.process.pid, signal.SIGTERM)
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait(timeout=10)

    def output(self) -> str:
        """Everything every worker has logged so far."""
        return "\n".join(worker.output() for worker in self.workers)

    def logs(self) -> str:
        """The end of each worker's log, for a failure message."""
        return "\n\n".join(
            f"--- {worker.hostname}\n{worker.output()[-4000:]}" for worker in self.workers
        )

    def wait_for(
        self,
        condition: Callable[[], Any],
        timeout: float,
        what: str,
        between: Callable[[], None] | None = None,
    ) -> Any:
        """Wait until ``condition()`` is true (and return it), calling ``between`` meanwhile.

        Fails with the workers' logs when time runs out.
        """
        deadline = time.monotonic() + timeout
        while True:
            if between is not None:
                between()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"Waiting for {what}: not within {timeout:.0f} s.\n{self.logs()}")
            time.sleep(POLL_SECONDS)

    def send(self, run_id: int) -> str:
        """Hand the run to the workers, as ``request_report`` does, on this run's queue."""
        with Connection(REDIS_URL) as producer:
            result = render_report.apply_async((run_id,), queue=self.queue, connection=producer)
        return str(result.id)

    def send_task(self, name: str, argument: int) -> str:
        """Send the task ``name`` (of ``reporting.tasks``) with one id to this run's queue."""
        with Connection(REDIS_URL) as producer:
            result = CONTROL.send_task(name, (argument,), queue=self.queue, connection=producer)
        return str(result.id)

    def city_dispatch(self) -> Any:
        """How the city-wide report's service reaches these workers from the test process."""
        from reporting.services.city import Dispatch

        return Dispatch(
            part=lambda pk: self.send_task("reporting.tasks.render_report_part", pk),
            assemble=lambda pk: self.send_task("reporting.tasks.assemble_city_report", pk),
            plan=lambda pk: self.send_task("reporting.tasks.plan_city_report", pk),
        )

    # --- Holding a rendering -----------------------------------------------------------

    def hold_next_rendering(self) -> None:
        """The next rendering to lay out a page waits there (``worker_settings.py``)."""
        self.hold_dir.mkdir(exist_ok=True)
        for held in self.hold_dir.glob("held-*"):
            held.unlink()
        (self.hold_dir / "hold").touch()

    def held_pid(self) -> int | None:
        """The pool process that took the hold and waits mid-render, once one has."""
        held = list(self.hold_dir.glob("held-*"))
        return int(held[0].name.removeprefix("held-")) if held else None

    def release(self) -> None:
        """The held rendering goes on (its ``held-<pid>`` file is removed)."""
        for held in self.hold_dir.glob("held-*"):
            held.unlink()

    def worker_of(self, pid: int) -> Worker:
        """The worker whose pool process ``pid`` is."""
        parent = parent_of(pid)
        [worker] = [w for w in self.workers if w.process.pid == parent]
        return worker

    def other_than(self, worker: Worker) -> Worker:
        """The one worker that is not ``worker``."""
        [other] = [w for w in self.workers if w is not worker]
        return other

    def stop_consuming(self, worker: Worker) -> None:
        """The worker takes no new task from the queue (what it has, it still finishes)."""
        replies = CONTROL.control.cancel_consumer(
            self.queue, destination=[worker.hostname], reply=True, limit=1, timeout=5
        )
        assert replies and "no longer consuming" in str(replies), replies

    def consume_again(self, worker: Worker) -> None:
        """The worker takes tasks from the queue again."""
        CONTROL.control.add_consumer(
            self.queue, destination=[worker.hostname], reply=True, limit=1, timeout=5
        )

    # --- What Redis holds of this queue ------------------------------------------------

    def unacked_tags(self) -> dict[str, str]:
        """Delivered but unacknowledged messages of this queue: delivery tag -> task id."""
        tags = {}
        for tag, value in self.broker.hgetall("unacked").items():
            message, _exchange, routing_key = json.loads(value)
            if routing_key == self.queue:
                tags[tag.decode() if isinstance(tag, bytes) else tag] = message["headers"]["id"]
        return tags

    def redeliver(self, task_id: str) -> None:
        """Put the unacknowledged task back on the queue, as Redis does after its timeout."""
        [tag] = [tag for tag, unacked in self.unacked_tags().items() if unacked == task_id]
        with Connection(REDIS_URL) as broker:
            broker.default_channel.qos.restore_by_tag(tag)

    def forget_queue(self) -> None:
        """Remove the queue, its bindings and its unacknowledged messages from Redis."""
        for tag in self.unacked_tags():
            self.broker.zrem("unacked_index", tag)
            self.broker.hdel("unacked", tag)
        self.broker.delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
        )


def task_outcome(output: str, task_id: str) -> str | None:
    """What a task returned as a worker logged it ("succeeded in 1.2s: 'done'"), or None."""
    found = re.search(rf"render_report\[{task_id}\] succeeded in [\d.]+s: '([^']*)'", output)
    return found.group(1) if found else None
