"""Real Celery workers send each notification of a follow-up's review once.

The follow-up goes its way through the services, as the pages take it: the body's
administrator submits it, SLK returns it, the administrator submits it again and SLK
approves it. Each step commits and hands its id to the worker on commit, through the
product's own queuing (``notifications.enqueue``, ``delay``); this process publishes to
Redis on a queue of this run's own, which two real worker processes
(``celery -A config worker``) consume. They write the e-mails with Django's file
backend into a folder of the test's (``EMAIL_FILE_PATH`` in their environment), which
the test reads. Every step's task is then delivered a second time: still one e-mail
each.

A worker is another process and sees committed data only, so the test commits
(``transactional_db``). It runs on PostgreSQL only (``postgres``), as the report
workers' tests do: two workers claim at the same moment on two connections.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from kombu import Connection

from config.celery import app
from programme.models import (
    Body,
    BodyKind,
    BodyRole,
    FollowUpPeriod,
    FollowUpState,
    GlobalRole,
    GlobalRoleKind,
    Membership,
    NotificationKind,
    NotificationSent,
    Plan,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.tasks import send_follow_up_notifications
from tests.programme.test_worker_integration import (
    READY_TIMEOUT,
    Worker,
    database_for_workers,
    require_redis,
    start_worker,
    stop_worker,
    wait_for,
    written_emails,
)

pytestmark = [pytest.mark.postgres]

# A Redis database of its own: the reminder test uses 0, the report tests 11.
REDIS_URL = "redis://127.0.0.1:6379/12"
SITE = "https://program.example.se"
MAIL_TIMEOUT = 30.0


@contextmanager
def publishing_to(broker_url: str, queue: str) -> Iterator[None]:
    """This process's Celery app publishes to ``broker_url``, on ``queue``, and back after.

    The app keeps its broker connections in pools made on first use; they are dropped so
    that the next ``delay`` connects to the broker named here.
    """
    before = (app.conf.broker_url, app.conf.task_default_queue)

    def drop_pools() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_default_queue = broker_url, queue
    drop_pools()
    try:
        yield
    finally:
        drop_pools()
        app.conf.broker_url, app.conf.task_default_queue = before


def worker_environment(database_url: str, directory: Path) -> dict[str, str]:
    kept = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_BACKEND", "EMAIL_FILE_PATH"}
    }
    return {
        **kept,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(directory / "var"),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(directory / "mail"),
        "SITE_URL": SITE,
        "PYTHONUNBUFFERED": "1",
    }


def test_real_workers_send_each_step_of_the_review_once(
    transactional_db: None, tmp_path: Path
) -> None:
    broker = require_redis()
    queue = f"notifications-test-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    year = timezone.localdate().year
    body = Body.objects.create(slug="notis", kind=BodyKind.DISTRICT_COMMITTEE, name="Notisnämnden")
    administrator = User.objects.create_user("notis-admin", email="admin@notis.example.se")
    Membership.objects.create(user=administrator, body=body, role=BodyRole.ADMINISTRATOR)
    reviewer = User.objects.create_user("notis-granskare", email="granskare@slk.example.se")
    GlobalRole.objects.create(user=reviewer, role=GlobalRoleKind.SLK_REVIEWER)
    plan = Plan.objects.create(body=body, year=year)
    follow_up = follow_up_services.start_follow_up(administrator, plan, FollowUpPeriod.T1)

    workers: list[Worker] = []
    steps: list[tuple[NotificationKind, int]] = []
    with database_for_workers(tmp_path) as database_url:
        env = worker_environment(database_url, tmp_path)
        try:
            workers = [start_worker(n, queue, env, tmp_path) for n in (1, 2)]
            wait_for(
                lambda: all(" ready." in worker.output() for worker in workers),
                READY_TIMEOUT,
                workers,
                "the workers to be ready",
            )
            with publishing_to(REDIS_URL, queue):
                for number, (kind, step) in enumerate(
                    [
                        (
                            NotificationKind.FOLLOW_UP_SUBMITTED,
                            lambda f: workflow.submit_follow_up(administrator, f, f.version),
                        ),
                        (
                            NotificationKind.FOLLOW_UP_RETURNED,
                            lambda f: workflow.return_follow_up(
                                reviewer, f, "<p>Komplettera utfallen.</p>", f.version
                            ),
                        ),
                        (
                            NotificationKind.FOLLOW_UP_SUBMITTED,
                            lambda f: workflow.submit_follow_up(administrator, f, f.version),
                        ),
                        (
                            NotificationKind.FOLLOW_UP_APPROVED,
                            lambda f: workflow.approve_follow_up(reviewer, f, f.version),
                        ),
                    ],
                    start=1,
                ):
                    follow_up = step(follow_up)  # commits, and queues on commit
                    steps.append((kind, follow_up.version))
                    wait_for(
                        lambda n=number: len(written_emails(mail_dir)) == n,
                        MAIL_TIMEOUT,
                        workers,
                        f"the e-mail of step {number} ({kind.value})",
                    )
                # Every step's task delivered again, to either worker: nothing more is sent.
                with Connection(REDIS_URL) as producer:
                    for kind, version in steps:
                        send_follow_up_notifications.apply_async(
                            (follow_up.pk, kind.value, version), queue=queue, connection=producer
                        )
                wait_for(
                    lambda: (
                        sum(w.output().count(" succeeded in ") for w in workers) == 2 * len(steps)
                    ),
                    MAIL_TIMEOUT,
                    workers,
                    "every task, the repeated ones too, to have run",
                )
        finally:
            for worker in workers:
                stop_worker(worker)
            broker.delete(queue, f"_kombu.binding.{queue}")

    assert follow_up.state == FollowUpState.APPROVED
    sent = written_emails(mail_dir)
    logs = "\n\n".join(worker.output()[-3000:] for worker in workers)
    # The subject up to its colon (a long subject is folded, so its spaces are normalised).
    subjects = [" ".join(str(m["Subject"]).split()) for m in sent]
    assert sorted((str(m["To"]), s.split(":")[0]) for m, s in zip(sent, subjects, strict=True)) == [
        ("admin@notis.example.se", "Godkänd och låst"),
        ("admin@notis.example.se", "Återsänd av stadsledningskontoret"),
        ("granskare@slk.example.se", "Inlämnad för granskning"),
        ("granskare@slk.example.se", "Inlämnad för granskning"),
    ], logs
    [returned] = [m.get_content() for m, s in zip(sent, subjects, strict=True) if "Återsänd" in s]
    assert "Komplettera utfallen." in returned
    assert f"{SITE}/namnder/notis/uppfoljning/{year}/t1/" in returned
    assert NotificationSent.objects.count() == 4
