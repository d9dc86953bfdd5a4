"""A real Celery worker sends each deadline reminder once and only once.

Two worker processes (``celery -A config worker``) consume from Redis at 127.0.0.1:6379
(CI runs it; an unreachable Redis fails the test) on a queue of their own for this run.
The reminder task is enqueued several times; the e-mails the workers write with the
file backend show exactly one per body and kind.

A worker is another process, so it cannot see the test's in-memory SQLite database or
its transaction: the test is transactional (``transactional_db``, so its data is
committed), and on SQLite it moves this process's connection to a file copy of the
migrated test database that the workers open too. On PostgreSQL (``DATABASE_URL`` set)
both processes use pytest-django's test database.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone
from kombu import Connection

from programme.models import (
    Body,
    BodyKind,
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
from programme.tasks import send_deadline_reminders

REDIS_URL = "redis://127.0.0.1:6379/0"
WORKERS = 2
ENQUEUED = 4
# Generous for a loaded 2-core machine; a normal run takes well under 15 s.
READY_TIMEOUT = 30.0
TASKS_TIMEOUT = 20.0


def require_redis() -> redis.Redis:
    """A client of the test Redis, or a failure that says how to get one."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({error}). The worker integration test "
            "needs it; CI runs it as a service. Start one with `redis-server` (Debian: "
            "apt-get install redis-server).",
            pytrace=False,
        )
    return client


@contextmanager
def database_for_workers(directory: Path) -> Iterator[str]:
    """A DATABASE_URL for the workers that names the database this process uses.

    SQLite: this process's connection moves to a file copy of the migrated (and, being
    transactional, empty) in-memory test database, and back afterwards.
    """
    if connection.vendor != "sqlite":
        db = connection.settings_dict
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        yield f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    path = directory / "test.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    assert memory is not None
    target = sqlite3.connect(path)
    try:
        memory.backup(target)
    finally:
        target.close()
    name = connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        connection.ensure_connection()
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@dataclass
class Worker:
    """One worker process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the worker has logged so far."""
        return self.log.read_text(errors="replace")


def start_worker(number: int, queue: str, env: dict[str, str], directory: Path) -> Worker:
    """Start a real worker that consumes only ``queue``."""
    log = directory / f"worker-{number}.log"
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
                queue,
                "--hostname",
                f"reminders-{number}-{queue}@%h",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                # Nothing to learn from other workers: start faster and stay on our queue.
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Worker(process, log)


def stop_worker(worker: Worker) -> None:
    """Stop the worker and its pool processes, by force if it does not stop in time."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)


def wait_for(condition: Any, timeout: float, workers: list[Worker], what: str) -> None:
    """Wait until ``condition()`` holds; fail with the workers' logs if it does not."""
    deadline = time.monotonic() + timeout
    while not condition():
        dead = [worker for worker in workers if worker.process.poll() is not None]
        if dead or time.monotonic() > deadline:
            logs = "\n\n".join(worker.output()[-3000:] for worker in workers)
            reason = "a worker exited" if dead else f"not within {timeout:.0f} s"
            pytest.fail(f"Waiting for {what}: {reason}.\n{logs}", pytrace=False)
        time.sleep(0.1)


def written_emails(directory: Path) -> list[email.message.EmailMessage]:
    """Every e-mail the file backend wrote (one file per sending, 79 dashes between)."""
    messages: list[email.message.EmailMessage] = []
    for path in sorted(directory.glob("*.log")):
        for part in path.read_text().split("\n" + "-" * 79 + "\n"):
            if part.strip():
                message = email.message_from_string(part, policy=email.policy.default)
                assert isinstance(message, email.message.EmailMessage)
                messages.append(message)
    return messages


def body_with_administrator(slug: str, name: str) -> Body:
    """A district committee whose one administrator has an e-mail address."""
    body = Body.objects.create(slug=slug, kind=BodyKind.DISTRICT_COMMITTEE, name=name)
    user = User.objects.create_user(f"admin-{slug}", email=f"admin@{slug}.example.se")
    Membership.objects.create(user=user, body=body, role=BodyRole.ADMINISTRATOR)
    return body


def test_real_workers_send_each_reminder_once_however_often_the_task_runs(
    transactional_db: None, tmp_path: Path
) -> None:
    broker = require_redis()
    queue = f"reminders-test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    workers: list[Worker] = []
    with database_for_workers(tmp_path) as database_url:
        today = timezone.localdate()
        year = today.year
        # Deadlines in 14 days (T1) and yesterday (T2): the windows hold across midnight.
        FollowUpDeadline.objects.create(
            year=year, period=FollowUpPeriod.T1, due_on=today + datetime.timedelta(days=14)
        )
        FollowUpDeadline.objects.create(
            year=year, period=FollowUpPeriod.T2, due_on=today - datetime.timedelta(days=1)
        )
        drafting = body_with_administrator("utkast", "Utkastets stadsdelsnämnd")
        body_with_administrator("ej-paborjad", "Den ej påbörjade stadsdelsnämnden")
        finished = body_with_administrator("klar", "Den färdiga stadsdelsnämnden")
        for body, states in (
            (drafting, (FollowUpState.DRAFT, FollowUpState.RETURNED)),
            (finished, (FollowUpState.SUBMITTED, FollowUpState.APPROVED)),
        ):
            plan = Plan.objects.create(body=body, year=year)
            for period, state in zip((FollowUpPeriod.T1, FollowUpPeriod.T2), states, strict=True):
                FollowUp.objects.create(plan=plan, period=period, state=state)

        env = {
            **{
                key: value
                for key, value in os.environ.items()
                if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_BACKEND"}
            },
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "SITE_URL": "https://program.example.se",
            "PYTHONUNBUFFERED": "1",
        }
        try:
            workers = [start_worker(n, queue, env, tmp_path) for n in range(1, WORKERS + 1)]
            wait_for(
                lambda: all(" ready." in worker.output() for worker in workers),
                READY_TIMEOUT,
                workers,
                "the workers to be ready",
            )
            with Connection(REDIS_URL) as producer:
                for _ in range(ENQUEUED):
                    # No arguments, as beat sends it: each worker takes today itself.
                    send_deadline_reminders.apply_async(queue=queue, connection=producer)
            wait_for(
                lambda: sum(w.output().count(" succeeded in ") for w in workers) == ENQUEUED,
                TASKS_TIMEOUT,
                workers,
                f"{ENQUEUED} runs of the reminder task to succeed",
            )
        finally:
            for worker in workers:
                stop_worker(worker)
            broker.delete(queue, f"_kombu.binding.{queue}")

        sent = written_emails(mail_dir)
        # The subject up to its colon: "Påminnelse" (14 days before) or "Försenad".
        summary = sorted(
            (str(message["To"]), " ".join(str(message["Subject"]).split()).split(":")[0])
            for message in sent
        )
        assert summary == [
            ("admin@ej-paborjad.example.se", "Försenad"),
            ("admin@ej-paborjad.example.se", "Påminnelse"),
            ("admin@utkast.example.se", "Försenad"),
            ("admin@utkast.example.se", "Påminnelse"),
        ], "\n\n".join(worker.output()[-3000:] for worker in workers)
        assert all(
            "https://program.example.se/namnder/" in message.get_content() for message in sent
        )
        assert sorted(
            ReminderSent.objects.values_list("body__slug", "kind").order_by("body__slug", "kind")
        ) == sorted(
            [
                ("ej-paborjad", ReminderKind.FOURTEEN_DAYS_BEFORE),
                ("ej-paborjad", ReminderKind.DAY_AFTER),
                ("utkast", ReminderKind.FOURTEEN_DAYS_BEFORE),
                ("utkast", ReminderKind.DAY_AFTER),
            ]
        )
