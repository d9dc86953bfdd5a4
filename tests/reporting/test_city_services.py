"""The city-wide report in the worker: parts made once and reused, joined, published.

The worker's tasks are called in this process (``city.plan_run``, ``city.render_part``,
``city.assemble_run``) in the order a broker would hand them out; the access rules and
the pages are tested through the test client.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.models import (
    AccessAction,
    AccessLogEntry,
    Audience,
    Body,
    BodyKind,
    FollowUpPeriod,
    IndicatorOutcome,
)
from reporting.models import Publication, ReportPart, ReportRun, RunPart, RunState
from reporting.services import city, city_sweep, publishing, reports
from reporting.storage import report_storage
from tests.conftest import Cast
from tests.reporting import report_world as w
from tests.reporting.pdf_support import page_text
from tests.reporting.report_world import ReportWorld

pytestmark = pytest.mark.django_db

ANNUAL = FollowUpPeriod.ANNUAL.value


@pytest.fixture(autouse=True)
def reports_in(report_files: Path) -> Path:
    """Each test's reports go to a folder of its own."""
    return report_files


@pytest.fixture(autouse=True)
def three_bodies(report_world: ReportWorld, cast: Cast) -> None:
    """Only Järva, Skärholmen and one company board still exist at the end of the year.

    The mechanics tested here (parts made once and reused, joined, published) are the
    same for three bodies as for thirty; the other bodies' parts would only cost time.
    """
    company = Body.objects.filter(kind=BodyKind.COMPANY_BOARD).order_by("name").first()
    kept = [cast.body_a.pk, cast.body_b.pk] + ([company.pk] if company else [])
    Body.objects.exclude(pk__in=kept).filter(valid_to__isnull=True).update(
        valid_to=datetime.date(w.YEAR, 6, 30)
    )


class Broker:
    """The tasks handed to the worker, run in order when ``work`` is called."""

    def __init__(self) -> None:
        self.tasks: deque[tuple[str, int]] = deque()
        self.rendered_parts: list[int] = []
        self.dispatch = city.Dispatch(
            part=lambda pk: self.tasks.append(("part", pk)),
            assemble=lambda pk: self.tasks.append(("assemble", pk)),
            plan=lambda pk: self.tasks.append(("plan", pk)),
        )

    def work(self, capture) -> None:
        while self.tasks:
            kind, pk = self.tasks.popleft()
            with capture(execute=True):
                if kind == "plan":
                    city.plan_run(pk, self.dispatch)
                elif kind == "part":
                    self.rendered_parts.append(pk)
                    city.render_part(pk, self.dispatch)
                else:
                    city.assemble_run(pk)


def ask(user, audience: Audience, broker: Broker, capture) -> ReportRun:
    with capture(execute=True):
        request = city.request_city_report(user, w.YEAR, ANNUAL, audience, broker.dispatch)
    broker.work(capture)
    request.run.refresh_from_db()
    return request.run


def stored_path(run: ReportRun) -> Path:
    return Path(report_storage().path(run.file_name))


def test_the_city_report_is_made_of_parts_and_one_changed_body_renders_one_part_again(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    first = ask(cast.slk, Audience.FULL, broker, django_capture_on_commit_callbacks)
    assert first.state == RunState.DONE, first.error
    bodies = len(first.inputs["bodies"])
    assert bodies > 1
    assert len(broker.rendered_parts) == bodies
    assert RunPart.objects.filter(run=first).count() == bodies
    path = stored_path(first)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == first.pages
    text = page_text(path)
    assert "Järva" in text
    assert f"sida 1 av {first.pages}" in page_text(path, 1)

    # The same inputs again: the finished run answers, nothing is rendered.
    again = ask(cast.slk, Audience.FULL, broker, django_capture_on_commit_callbacks)
    assert again.pk == first.pk
    assert len(broker.rendered_parts) == bodies

    # One body's outcome changes: its part and the overview are made again, no other.
    outcome = IndicatorOutcome.objects.get(follow_up=report_world.annual, name=w.OPEN_INDICATOR)
    IndicatorOutcome.objects.filter(pk=outcome.pk).update(value=Decimal("97.3"))
    overviews = ReportPart.objects.filter(kind="overview").count()
    second = ask(cast.slk, Audience.FULL, broker, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.state == RunState.DONE, second.error
    assert len(broker.rendered_parts) == bodies + 1
    assert ReportPart.objects.filter(kind="overview").count() == overviews + 1
    assert "97,3" in page_text(stored_path(second))
    assert "97,3" not in text

    # The full file prints Järva's confidential records: its download is logged for Järva.
    slk = Client()
    slk.force_login(cast.slk)
    assert slk.get(reverse("reporting:download", kwargs={"pk": second.pk})).status_code == 200
    logged = AccessLogEntry.objects.filter(action=AccessAction.REPORT, record_id=second.pk)
    assert [entry.body for entry in logged] == [report_world.annual.plan.body]


def test_only_slk_asks_and_the_general_variant_reaches_others_once_published(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    for user in (cast.official, cast.admin_a, cast.reader_a):
        with pytest.raises(Http404):
            city.request_city_report(user, w.YEAR, ANNUAL, Audience.GENERAL, broker.dispatch)
    run = ask(cast.slk, Audience.GENERAL, broker, django_capture_on_commit_callbacks)
    assert run.state == RunState.DONE, run.error
    page = reverse(
        "reporting:city-report", kwargs={"year": w.YEAR, "period": ANNUAL, "audience": "allman"}
    )
    download = reverse("reporting:download", kwargs={"pk": run.pk})
    official = Client()
    official.force_login(cast.official)
    assert official.get(page).status_code == 404
    assert official.get(download).status_code == 404

    slk = Client()
    slk.force_login(cast.slk)
    assert slk.get(page).status_code == 200
    response = slk.get(download)
    assert response.status_code == 200
    assert "(utkast)" in unquote(response["Content-Disposition"])
    response = slk.post(reverse("reporting:city-publish", kwargs={"pk": run.pk}), {"note": ""})
    assert response.status_code == 302
    assert Publication.objects.get(run=run).is_current

    assert official.get(page).status_code == 200
    response = official.get(download)
    assert response.status_code == 200
    assert "utkast" not in unquote(response["Content-Disposition"])
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    full = reverse(
        "reporting:city-report",
        kwargs={"year": w.YEAR, "period": ANNUAL, "audience": "fullstandig"},
    )
    assert official.get(full).status_code == 404
    # Only SLK publishes.
    assert official.post(reverse("reporting:city-publish", kwargs={"pk": run.pk})).status_code in (
        403,
        404,
    )


def test_a_correction_supersedes_the_earlier_publication_whose_file_stays(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    first = ask(cast.slk, Audience.GENERAL, broker, django_capture_on_commit_callbacks)
    publishing.publish(cast.slk, first.pk)
    outcome = IndicatorOutcome.objects.get(follow_up=report_world.annual, name=w.OPEN_INDICATOR)
    IndicatorOutcome.objects.filter(pk=outcome.pk).update(value=Decimal("88.1"))
    second = ask(cast.slk, Audience.GENERAL, broker, django_capture_on_commit_callbacks)
    correction = publishing.publish(cast.slk, second.pk, "Rättat utfall för Järva")
    earlier = Publication.objects.get(run=first)
    assert earlier.superseded_at is not None and earlier.superseded_by == correction
    assert correction.is_current
    official = Client()
    official.force_login(cast.official)
    for run in (first, second):
        response = official.get(reverse("reporting:download", kwargs={"pk": run.pk}))
        assert response.status_code == 200
    page = official.get(
        reverse(
            "reporting:city-report",
            kwargs={"year": w.YEAR, "period": ANNUAL, "audience": "allman"},
        )
    )
    assert "ersatt" in page.content.decode()
    with pytest.raises(publishing.PublishRefused):
        publishing.publish(cast.slk, second.pk)


def test_a_file_no_longer_current_or_not_in_swedish_is_not_published(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    with translation.override("en"):
        english = ask(cast.slk, Audience.GENERAL, broker, django_capture_on_commit_callbacks)
        with pytest.raises(publishing.PublishRefused):
            publishing.publish(cast.slk, english.pk)
    run = ask(cast.slk, Audience.GENERAL, broker, django_capture_on_commit_callbacks)
    page_url = reverse(
        "reporting:city-report", kwargs={"year": w.YEAR, "period": ANNUAL, "audience": "allman"}
    )
    slk = Client()
    slk.force_login(cast.slk)
    page = slk.get(page_url).content.decode()
    assert page.count("Publicera den här filen") == 1
    assert "Inte på svenska" in page
    outcome = IndicatorOutcome.objects.get(follow_up=report_world.annual, name=w.OPEN_INDICATOR)
    IndicatorOutcome.objects.filter(pk=outcome.pk).update(value=Decimal("12.5"))
    with pytest.raises(publishing.PublishRefused):
        publishing.publish(cast.slk, run.pk)
    assert not Publication.objects.exists()
    page = slk.get(page_url).content.decode()
    assert "Publicera den här filen" not in page
    assert "Inte längre aktuell" in page


def test_a_broker_that_refuses_fails_the_run_at_once(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks, monkeypatch
):
    from reporting import tasks

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setattr(tasks.plan_city_report, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        asked = city.request_city_report(cast.slk, w.YEAR, ANNUAL, Audience.FULL)
    asked.run.refresh_from_db()
    assert asked.run.state == RunState.FAILED
    assert "no broker" in asked.run.error


def test_the_contents_give_each_body_the_page_it_starts_on(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    run = ask(cast.slk, Audience.FULL, broker, django_capture_on_commit_callbacks)
    path = stored_path(run)
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        with pdf.open_outline() as outline:
            starts = {
                item.title: pages[item.destination[0].objgen]  # type: ignore[index]
                for item in outline.root
                if item.destination is not None
            }
    contents = page_text(path, 2) + page_text(path, 3)
    checked = 0
    for body in run.inputs["bodies"]:
        line = re.search(rf"{re.escape(body['name'])} ?\.+ ?(\d+)", contents)
        assert line is not None, body["name"]
        assert int(line.group(1)) == starts[body["name"]], body["name"]
        checked += 1
    assert checked == len(run.inputs["bodies"]) > 1


def test_the_sweep_waits_for_queued_parts_and_fails_a_run_whose_joining_was_lost(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    broker = Broker()
    with django_capture_on_commit_callbacks(execute=True):
        asked = city.request_city_report(cast.slk, w.YEAR, ANNUAL, Audience.FULL, broker.dispatch)
    kind, run_id = broker.tasks.popleft()
    assert kind == "plan"
    with django_capture_on_commit_callbacks(execute=True):
        city.plan_run(run_id, broker.dispatch)
    later = timezone.now() + datetime.timedelta(hours=2)
    # Its parts wait in the queue: neither sweep fails the run.
    assert reports.sweep_runs(later).failed_running == 0
    assert city_sweep.sweep_parts(later - datetime.timedelta(hours=1)) == 0
    assert ReportRun.objects.get(pk=run_id).state == RunState.RUNNING
    # The parts are rendered, but the joining task is lost.
    while broker.tasks:
        kind, pk = broker.tasks.popleft()
        if kind == "part":
            with django_capture_on_commit_callbacks(execute=True):
                city.render_part(pk, broker.dispatch)
    assert ReportRun.objects.get(pk=run_id).assembly_queued
    assert city_sweep.sweep_parts(timezone.now()) == 0
    assert city_sweep.sweep_parts(later) == 1
    run = ReportRun.objects.get(pk=asked.run.pk)
    assert run.state == RunState.FAILED and run.error
