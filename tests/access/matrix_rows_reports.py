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
from django.utils import translation

from programme.models import Audience
from reporting.models import ReportRun, RunState
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
    ]
