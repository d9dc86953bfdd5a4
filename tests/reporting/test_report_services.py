"""Asking for a report, rendering it as the worker does, downloading it, and the sweep.

The worker's task is called in this process here (``render_run``); the real worker
processes are in ``test_worker.py``.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import AccessAction, AccessLogEntry, Audience, IndicatorOutcome
from programme.services import follow_up_workflow as workflow
from reporting.models import ReportRequest, ReportRun, RunState
from reporting.services import reports
from reporting.storage import INCOMING, report_storage
from tests.conftest import Cast
from tests.reporting import report_world as w
from tests.reporting.report_world import ReportWorld

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_in(report_files: Path) -> Path:
    """Each test's reports go to a folder of its own."""
    return report_files


class Queue(list[int]):
    """The runs handed to the worker, in order (instead of a broker)."""

    def __call__(self, run_id: int) -> None:
        self.append(run_id)


def ask(
    user, world_follow_up, audience: Audience, queue: Queue, django_capture_on_commit_callbacks
) -> ReportRequest:
    with django_capture_on_commit_callbacks(execute=True):
        return reports.request_report(user, world_follow_up, audience, enqueue=queue)


def test_asking_queues_a_run_once_and_asking_again_joins_it(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    queue = Queue()
    first = ask(
        cast.admin_a, report_world.annual, Audience.FULL, queue, django_capture_on_commit_callbacks
    )
    second = ask(
        cast.slk, report_world.annual, Audience.FULL, queue, django_capture_on_commit_callbacks
    )

    assert queue == [first.run.pk]  # handed to the worker once, after commit
    assert second.run == first.run and second.joined and not first.joined
    assert first.run.state == RunState.QUEUED
    assert first.run.file_title == "Verksamhetsberättelse 2025 – Järva stadsdelsnämnd (fullständig)"


def test_a_variant_the_user_may_not_read_is_not_found(report_world: ReportWorld, cast: Cast):
    for user, audience in [
        (cast.reader_a, Audience.FULL),
        (cast.official, Audience.MEMBERS),
        (cast.admin_b, Audience.GENERAL),
    ]:
        with pytest.raises(Http404):
            reports.request_report(user, report_world.annual, audience, enqueue=Queue())
    assert not ReportRun.objects.exists()


def test_the_worker_renders_stores_and_finishes_the_run_and_a_second_delivery_does_nothing(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks, reports_in: Path
):
    queue = Queue()
    asked = ask(
        cast.official,
        report_world.annual,
        Audience.GENERAL,
        queue,
        django_capture_on_commit_callbacks,
    )

    run = reports.render_run(queue[0])
    again = reports.render_run(queue[0])

    assert run is not None and again is None
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.attempts == 1 and run.pages and run.pages >= 3
    data = report_storage().open(run.file_name).read()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == run.sha256
    assert run.size == len(data) and run.render_seconds and run.finished_at
    assert not list((reports_in / INCOMING).iterdir())  # the temporary file was moved
    # Asking again with nothing changed returns the finished file at once.
    later = ask(
        cast.official,
        report_world.annual,
        Audience.GENERAL,
        queue,
        django_capture_on_commit_callbacks,
    )
    assert later.run == asked.run and later.joined and len(queue) == 1


def test_a_changed_input_makes_a_new_run(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    queue = Queue()
    first = ask(
        cast.admin_a, report_world.draft, Audience.FULL, queue, django_capture_on_commit_callbacks
    )
    IndicatorOutcome.objects.filter(follow_up=report_world.draft, name=w.OPEN_INDICATOR).update(
        value="69.9"
    )
    second = ask(
        cast.admin_a, report_world.draft, Audience.FULL, queue, django_capture_on_commit_callbacks
    )

    assert second.run != first.run and not second.joined
    assert second.run.input_hash != first.run.input_hash
    assert "69.9" in str(second.run.inputs)


def test_the_download_names_the_file_in_swedish_and_asks_the_access_module(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    queue = Queue()
    ask(
        cast.official,
        report_world.annual,
        Audience.GENERAL,
        queue,
        django_capture_on_commit_callbacks,
    )
    run = reports.render_run(queue[0])
    assert run is not None
    url = reverse("reporting:download", kwargs={"pk": run.pk})

    official = Client()
    official.force_login(cast.official)
    response = official.get(url)
    outsider = Client()
    outsider.force_login(cast.no_role)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    disposition = unquote(response["Content-Disposition"])
    assert "Verksamhetsberättelse 2025 – Järva stadsdelsnämnd.pdf" in disposition
    assert hashlib.sha256(response.getvalue()).hexdigest() == run.sha256
    assert outsider.get(url).status_code == 404


def test_a_failed_run_can_be_asked_again(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    queue = Queue()
    first = ask(
        cast.admin_a, report_world.annual, Audience.FULL, queue, django_capture_on_commit_callbacks
    )
    reports.fail_run(first.run.pk, "Stopped")

    second = ask(
        cast.admin_a, report_world.annual, Audience.FULL, queue, django_capture_on_commit_callbacks
    )

    assert second.run != first.run and queue == [first.run.pk, second.run.pk]
    assert reports.render_run(first.run.pk) is None  # a failed run is left as it is


def test_the_sweep_fails_runs_whose_worker_vanished_and_removes_their_temporary_files(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks, settings
):
    queue = Queue()
    stuck = ask(
        cast.admin_a, report_world.annual, Audience.FULL, queue, django_capture_on_commit_callbacks
    ).run
    fresh = ask(
        cast.admin_a,
        report_world.annual,
        Audience.MEMBERS,
        queue,
        django_capture_on_commit_callbacks,
    ).run
    long_ago = timezone.now() - datetime.timedelta(seconds=120)
    ReportRun.objects.filter(pk=stuck.pk).update(state=RunState.RUNNING, started_at=long_ago)
    sweep_at = timezone.now() + datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 61)
    ReportRun.objects.filter(pk=fresh.pk).update(state=RunState.RUNNING, started_at=sweep_at)
    storage = report_storage()
    left = storage.save(f"{INCOMING}/{stuck.pk}-left.part", ContentFile(b"%PDF-1.7 half"))

    sweep = reports.sweep_runs(sweep_at)

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert sweep.failed_running == 1 and sweep.removed_files == 1
    assert stuck.state == RunState.FAILED and "tidsgränsen" in stuck.error
    assert fresh.state == RunState.RUNNING
    assert not storage.exists(left)


def test_a_run_that_stopped_its_worker_again_and_again_is_given_up(
    report_world: ReportWorld, cast: Cast
):
    queue = Queue()
    run = reports.request_report(cast.admin_a, report_world.annual, Audience.FULL, queue).run
    ReportRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, attempts=reports.MAX_ATTEMPTS
    )

    assert reports.render_run(run.pk) is None

    run.refresh_from_db()
    assert run.state == RunState.FAILED and str(reports.MAX_ATTEMPTS) in run.error


def test_downloading_a_report_that_holds_confidential_records_is_logged(
    report_world: ReportWorld, cast: Cast
):
    queue = Queue()
    full = reports.request_report(cast.admin_a, report_world.annual, Audience.FULL, queue).run
    general = reports.request_report(cast.admin_a, report_world.annual, Audience.GENERAL, queue).run
    for run_id in (full.pk, general.pk):
        reports.render_run(run_id)
    client = Client()
    client.force_login(cast.admin_a)

    for run in (full, general):
        assert client.get(reverse("reporting:download", kwargs={"pk": run.pk})).status_code == 200

    entries = list(AccessLogEntry.objects.filter(record_id__in=[full.pk, general.pk]))
    assert [(entry.record_id, entry.action, entry.user) for entry in entries] == [
        (full.pk, AccessAction.REPORT, cast.admin_a)
    ]
    assert entries[0].body == report_world.body


def test_a_file_that_no_longer_prints_what_its_variant_may_is_not_handed_out(
    report_world: ReportWorld, cast: Cast
):
    # The administrator previews the general report of the draft; then SLK approves it.
    queue = Queue()
    preview = reports.request_report(cast.admin_a, report_world.draft, Audience.GENERAL, queue).run
    reports.render_run(preview.pk)
    follow_up = report_world.draft
    follow_up.refresh_from_db()
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    follow_up = workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
    official = Client()
    official.force_login(cast.official)
    report = reverse(
        "reporting:report",
        kwargs={"slug": "jarva", "year": w.YEAR, "period": "t1", "audience": "allman"},
    )

    response = official.get(reverse("reporting:download", kwargs={"pk": preview.pk}))
    page = official.get(report).content.decode()
    listed = official.get(reverse("reporting:list") + f"?ar={w.YEAR}").content.decode()

    assert response.status_code == 302 and response["Location"] == report
    assert "Inte längre aktuell" in page
    assert reverse("reporting:download", kwargs={"pk": preview.pk}) not in page + listed
    # Asked again, the current file is made and handed out.
    fresh = reports.request_report(cast.official, follow_up, Audience.GENERAL, queue).run
    assert fresh != preview and fresh.inputs["state"] == "approved"
    reports.render_run(fresh.pk)
    assert official.get(reverse("reporting:download", kwargs={"pk": fresh.pk})).status_code == 200


def test_a_draft_is_named_so_in_its_file_name(report_world: ReportWorld, cast: Cast):
    run = reports.request_report(cast.admin_a, report_world.draft, Audience.FULL, Queue()).run

    assert run.file_title == "Tertialrapport 1 2025 – Järva stadsdelsnämnd (fullständig) (utkast)"
