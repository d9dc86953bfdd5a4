"""The city-wide report's sweep: parts and runs whose worker vanished are failed.

A part running past the task's time limit (or queued for a day) lost its worker; a
city-wide run whose parts are all done (or never planned) and that nothing touched for a
time limit lost the task that plans or joins it. Each is failed and may be asked again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone, translation

from reporting.models import ReportPart, ReportRun, ReportScope, RunState
from reporting.services.city import fail_part
from reporting.services.reports import fail_run


def sweep_parts(now: datetime.datetime | None = None) -> int:
    """Fail parts whose worker vanished (running past the time limit, or queued a day) and
    the runs waiting for them, and city-wide runs whose planning or joining was lost;
    returns how many parts and runs were failed."""
    now = now or timezone.now()
    limit = datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 60)
    stuck = ReportPart.objects.filter(
        Q(state=RunState.RUNNING, started_at__lt=now - limit)
        | Q(state=RunState.QUEUED, created_at__lt=now - datetime.timedelta(days=1))
    ).values_list("pk", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        error = translation.gettext(
            "A part of the report did not finish within its time limit; its worker stopped."
        )
        ids = list(stuck)
        for part_id in ids:
            fail_part(part_id, error)
        # Every part done (or none planned) and nothing happened for a time limit: the
        # task that plans or joins the run was lost.
        lost = (
            ReportRun.objects.filter(scope=ReportScope.CITY, state=RunState.RUNNING)
            .exclude(run_parts__part__state__in=[RunState.QUEUED, RunState.RUNNING])
            .annotate(last=Max("run_parts__part__finished_at"))
            .filter(Q(last__lt=now - limit) | Q(last__isnull=True, started_at__lt=now - limit))
            .values_list("pk", flat=True)
        )
        runs = list(lost)
        for run_id in runs:
            fail_run(
                run_id,
                translation.gettext(
                    "The report was not put together within its time limit; its worker stopped."
                ),
            )
    return len(ids) + len(runs)
