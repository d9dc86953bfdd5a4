"""SLK's yearly report date: set with a version check, started once by beat, SLK told by e-mail."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from programme.locking import EditConflict
from programme.models import Audience, FollowUpPeriod
from reporting.models import ReportRun, ReportSchedule, ReportScope, RunState
from reporting.services import city, reports, schedule
from tests.conftest import Cast
from tests.reporting import report_world as w
from tests.reporting.report_world import ReportWorld

pytestmark = pytest.mark.django_db

DAY = datetime.date(w.YEAR + 1, 2, 15)


@pytest.fixture(autouse=True)
def reports_in(report_files: Path) -> Path:
    """Each test's reports go to a folder of its own."""
    return report_files


def test_only_slk_sets_the_date_and_a_stale_form_is_refused(report_world: ReportWorld, cast: Cast):
    for user in (cast.admin_a, cast.official, cast.reader_a):
        with pytest.raises(Http404):
            schedule.set_render_date(user, w.YEAR, DAY, 0)
    saved = schedule.set_render_date(cast.slk, w.YEAR, DAY, 0)
    assert (saved.render_on, saved.version) == (DAY, 1)
    with pytest.raises(EditConflict):
        schedule.set_render_date(cast.slk, w.YEAR, DAY + datetime.timedelta(days=1), 0)
    with pytest.raises(ValidationError):
        schedule.set_render_date(cast.slk, w.YEAR, datetime.date(w.YEAR + 3, 1, 1), 1)
    moved = schedule.set_render_date(cast.slk, w.YEAR, DAY + datetime.timedelta(days=2), 1)
    assert moved.version == 2
    assert moved.history.count() == 2


def test_the_date_starts_every_annual_report_and_the_city_draft_once_and_slk_hears_of_it(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=cast.slk.pk).update(email="granskare@stockholm.se")
    schedule.set_render_date(cast.slk, w.YEAR, DAY, 0)
    bodies: list[int] = []
    plans: list[int] = []
    dispatch = city.Dispatch(part=lambda pk: None, assemble=lambda pk: None, plan=plans.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.start_due(DAY - datetime.timedelta(days=1), dispatch, bodies.append) == []
        assert schedule.start_due(DAY, dispatch, bodies.append) == [w.YEAR]
        assert schedule.start_due(DAY, dispatch, bodies.append) == []
    saved = ReportSchedule.objects.get(year=w.YEAR)
    runs = list(saved.runs.all())
    body_runs = [run for run in runs if run.scope == ReportScope.BODY]
    assert {run.follow_up for run in body_runs} == {report_world.annual}
    assert all(run.audience == Audience.FULL for run in body_runs)
    city_runs = [run for run in runs if run.scope == ReportScope.CITY]
    assert [(run.period, run.audience) for run in city_runs] == [
        (FollowUpPeriod.ANNUAL, Audience.GENERAL)
    ]
    assert sorted(bodies) == sorted(run.pk for run in body_runs)
    assert plans == [city_runs[0].pk]

    # Nobody is told while a run is pending; once all have finished, SLK is, once.
    assert schedule.notify_finished() == 0
    for run_id in bodies:
        reports.render_run(run_id)
    reports.fail_run(city_runs[0].pk, "test")
    assert schedule.notify_finished() == 1
    assert schedule.notify_finished() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["granskare@stockholm.se"]
    assert str(w.YEAR) in message.subject
    assert "1 av 2" in message.body and "1 misslyckades" in message.body
    assert ReportRun.objects.filter(state=RunState.DONE, pk__in=bodies).count() == len(bodies)


def test_the_date_form_on_the_city_report_page(report_world: ReportWorld, cast: Cast):
    client = Client()
    client.force_login(cast.slk)
    url = reverse("reporting:city-schedule", kwargs={"year": w.YEAR})
    response = client.post(url, {"render_on": DAY.isoformat(), "version": "0"})
    assert response.status_code == 302
    assert ReportSchedule.objects.get(year=w.YEAR).render_on == DAY
    # The same form sent again is stale: the page shows the conflict and saves nothing.
    later = DAY + datetime.timedelta(days=3)
    response = client.post(url, {"render_on": later.isoformat(), "version": "0"})
    assert response.status_code == 200
    assert "Det här ändrade den andra personen" in response.content.decode()
    assert ReportSchedule.objects.get(year=w.YEAR).render_on == DAY
    page = client.get(
        reverse(
            "reporting:city-report",
            kwargs={"year": w.YEAR, "period": "annual", "audience": "allman"},
        )
    )
    assert "15 februari" in page.content.decode()


def test_an_e_mail_that_cannot_be_sent_is_sent_by_the_next_sweep(
    report_world: ReportWorld, cast: Cast, django_capture_on_commit_callbacks, monkeypatch
):
    User.objects.filter(pk=cast.slk.pk).update(email="granskare@stockholm.se")
    schedule.set_render_date(cast.slk, w.YEAR, DAY, 0)
    bodies: list[int] = []
    dispatch = city.Dispatch(part=lambda pk: None, assemble=lambda pk: None, plan=lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        schedule.start_due(DAY, dispatch, bodies.append)
    for run in ReportSchedule.objects.get(year=w.YEAR).runs.all():
        reports.fail_run(run.pk, "test")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(schedule, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        schedule.notify_finished()
    assert ReportSchedule.objects.get(year=w.YEAR).notified_at is None
    monkeypatch.undo()
    assert schedule.notify_finished() == 1
    assert len(mail.outbox) == 1
