"""Access-matrix rows of the reports pages.

``follow_up_a`` (body A's T1) is a draft. Its full report is for body A's
administrators and SLK, its members' report for its readers too, and its general
report, before approval, only for the administrators' preview and SLK; everyone else
gets 404. The reports page opens for everyone signed in, each seeing only what they may
read. A file is handed out only by the download view, which asks the same rule.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from programme.models import Audience, FollowUpPeriod
from reporting.models import Publication, ReportRun, ReportScope, RunState
from reporting.queries.report_inputs import report_inputs
from reporting.queries.reports import SLUG_OF
from reporting.storage import store
from tests.access.matrix_support import SEES_A, Row, World, answers

ADMIN_AND_SLK = {"admin_a": 200, "slk": 200}
FAKE_PDF = b"%PDF-1.7\n% a stand-in for a rendered report\n%%EOF\n"


def report_url(name: str, audience: Audience) -> Callable[[World], str]:
    """The address of one of ``follow_up_a``'s reports (or of asking for it)."""

    def build(world: World) -> str:
        return reverse(
            f"reporting:{name}",
            kwargs={
                "slug": world.cast.body_a.slug,
                "year": world.year,
                "period": world.plans.follow_up_a.period,
                "audience": SLUG_OF[audience.value],
            },
        )

    return build


def current(world: World, audience: Audience) -> dict[str, Any]:
    """What the report prints now: a file made from it is current, so it is handed out."""
    with translation.override("sv"):
        return report_inputs(world.plans.follow_up_a, audience)


def download_url(audience: Audience) -> Callable[[World], str]:
    """A finished run of ``follow_up_a``'s report for ``audience``, made for the row."""

    def build(world: World) -> str:
        sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
        stored = store(FAKE_PDF, sha256, 0)
        run = ReportRun.objects.create(
            follow_up=world.plans.follow_up_a,
            audience=audience,
            language="sv",
            title="Tertialrapport 1",
            file_title="Tertialrapport 1 – Järva",
            inputs=current(world, audience),
            input_hash=f"matrix-{audience.value}",
            state=RunState.DONE,
            file_name=stored.name,
            sha256=sha256,
            size=stored.size,
            pages=1,
        )
        return reverse("reporting:download", kwargs={"pk": run.pk})

    return build


def city_run(world: World, audience: Audience, published: bool) -> ReportRun:
    """A finished run of the city-wide annual report, made for the row (published or not)."""
    sha256 = hashlib.sha256(FAKE_PDF).hexdigest()
    stored = store(FAKE_PDF, sha256, 0)
    run = ReportRun.objects.create(
        scope=ReportScope.CITY,
        year=world.year,
        period=FollowUpPeriod.ANNUAL,
        audience=audience,
        language="sv",
        title="Stadens årsrapport",
        file_title="Stadens årsrapport",
        inputs={},
        input_hash=f"matrix-city-{audience.value}-{published}",
        state=RunState.DONE,
        file_name=stored.name,
        sha256=sha256,
        size=stored.size,
        pages=1,
    )
    if published:
        Publication.objects.create(
            run=run,
            year=world.year,
            period=FollowUpPeriod.ANNUAL,
            published_by=world.cast.slk,
        )
    return run


def city_url(name: str, audience: Audience, published: bool = False) -> Callable[[World], str]:
    """The address of the city-wide annual report's page (or of asking for it)."""

    def build(world: World) -> str:
        if published:
            city_run(world, audience, published=True)
        return reverse(
            f"reporting:{name}",
            kwargs={
                "year": world.year,
                "period": FollowUpPeriod.ANNUAL.value,
                "audience": SLUG_OF[audience.value],
            },
        )

    return build


def city_download_url(audience: Audience, published: bool) -> Callable[[World], str]:
    """A finished city-wide run's file."""

    def build(world: World) -> str:
        run = city_run(world, audience, published)
        return reverse("reporting:download", kwargs={"pk": run.pk})

    return build


def city_publish_url(world: World) -> str:
    """Publishing a finished, unpublished general city-wide run."""
    run = city_run(world, Audience.GENERAL, published=False)
    return reverse("reporting:city-publish", kwargs={"pk": run.pk})


# Everyone with a role reads a published general city-wide report; a user without any
# role does not.
EVERY_ROLE = {"admin_a": 200, "admin_b": 200, "reader_a": 200, "slk": 200, "official": 200}


def rows() -> list[Row]:
    """One row per URL pattern of the reports pages."""
    return [
        Row("reporting:list", "reporting:list", lambda w: reverse("reporting:list"), answers(200)),
        Row(
            "reporting:report (full)",
            "reporting:report",
            report_url("report", Audience.FULL),
            answers(404, **ADMIN_AND_SLK),
        ),
        Row(
            "reporting:report (members)",
            "reporting:report",
            report_url("report", Audience.MEMBERS),
            answers(404, **SEES_A),
        ),
        Row(
            # Not approved: the administrators preview it; officials do not see it yet.
            "reporting:report (general, draft)",
            "reporting:report",
            report_url("report", Audience.GENERAL),
            answers(404, **ADMIN_AND_SLK),
        ),
        Row(
            # Asking is a POST; it queues a run (after commit) and leads to the report.
            "reporting:report-request",
            "reporting:report-request",
            report_url("report-request", Audience.FULL),
            answers(405),
            answers(404, admin_a=302, slk=302),
        ),
        Row(
            "reporting:download (full)",
            "reporting:download",
            download_url(Audience.FULL),
            answers(404, **ADMIN_AND_SLK),
        ),
        Row(
            "reporting:download (members)",
            "reporting:download",
            download_url(Audience.MEMBERS),
            answers(404, **SEES_A),
        ),
        Row(
            "reporting:city-report (full)",
            "reporting:city-report",
            city_url("city-report", Audience.FULL),
            answers(404, slk=200),
        ),
        Row(
            "reporting:city-report (general, not published)",
            "reporting:city-report",
            city_url("city-report", Audience.GENERAL),
            answers(404, slk=200),
        ),
        Row(
            "reporting:city-report (general, published)",
            "reporting:city-report",
            city_url("city-report", Audience.GENERAL, published=True),
            answers(404, sysadmin=200, **EVERY_ROLE),
        ),
        Row(
            # Asking is a POST for SLK only; it queues a run (after commit).
            "reporting:city-report-request",
            "reporting:city-report-request",
            city_url("city-report-request", Audience.FULL),
            answers(405),
            answers(404, slk=302),
        ),
        Row(
            "reporting:city-publish",
            "reporting:city-publish",
            city_publish_url,
            answers(405),
            answers(404, slk=302),
            last="slk",
        ),
        Row(
            # SLK sets the year's report date; a POST, as every edit.
            "reporting:city-schedule",
            "reporting:city-schedule",
            lambda world: reverse("reporting:city-schedule", kwargs={"year": world.year}),
            answers(405),
            answers(404, slk=302),
            post_data={"render_on": f"{timezone.localdate().year}-12-31", "version": "0"},
            last="slk",
        ),
        Row(
            "reporting:download (city, full)",
            "reporting:download",
            city_download_url(Audience.FULL, published=False),
            answers(404, slk=200),
        ),
        Row(
            "reporting:download (city, general, published)",
            "reporting:download",
            city_download_url(Audience.GENERAL, published=True),
            answers(404, sysadmin=200, **EVERY_ROLE),
        ),
    ]
