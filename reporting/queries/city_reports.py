"""What the city-wide report's pages read: its runs, its publications, and who may read which.

Every read asks ``programme.report_access.city_report_audiences``: SLK reads both variants,
drafts included; anyone else with a role reads the general variant's published files
only (the current one and every superseded one). A report the user may not read answers
404.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import cast

from django.conf import settings
from django.http import Http404
from django.utils import translation

from programme import report_access
from programme.access import AnyUser
from programme.models import Audience, Confidentiality, FollowUpPeriod
from reporting import rendering
from reporting.models import (
    Publication,
    ReportRequest,
    ReportRun,
    ReportSchedule,
    ReportScope,
    RunState,
)
from reporting.queries.city_inputs import city_report_inputs
from reporting.queries.reports import SLUG_OF

CITY_AUDIENCES = (Audience.GENERAL, Audience.FULL)


def is_published(year: int, period: str) -> bool:
    """Whether SLK has published the period's city-wide report at least once."""
    return Publication.objects.filter(year=year, period=period).exists()


def audiences(user: AnyUser, year: int, period: str) -> list[Audience]:
    """The variants of the period's city-wide report the user may read."""
    return report_access.city_report_audiences(user, is_published(year, period))


@dataclass
class CityReportPage:
    """One variant of one period's city-wide report: its runs and its publications."""

    year: int
    period: FollowUpPeriod
    audience: Audience
    audiences: list[Audience]
    # SLK's view: who asked for which run (empty for anyone else).
    requests: list[ReportRequest]
    current: ReportRun | None
    publications: list[Publication]
    may_ask: bool
    # SLK's yearly report date (annual report only), if set.
    schedule: ReportSchedule | None = None
    # SLK's view of the general variant: the hash a run asked for now in Swedish would
    # have (only such a run is published), and how many of the follow-ups it would count
    # are submitted but not yet approved.
    publishable_hash: str = ""
    not_approved: int = 0

    @cached_property
    def publishable_run_ids(self) -> set[int]:
        """The listed runs SLK may publish (``may_publish``)."""
        return {asked.run.pk for asked in self.requests if self.may_publish(asked.run)}

    def may_publish(self, run: ReportRun) -> bool:
        """Whether SLK may publish the run: done, general, Swedish, current, not yet published."""
        return (
            self.may_ask
            and run.state == RunState.DONE
            and run.audience == Audience.GENERAL
            and run.input_hash == self.publishable_hash
            and run.pk not in self.published_run_ids
        )

    @property
    def is_pending(self) -> bool:
        """Whether the newest run is still queued or rendering (the page follows it)."""
        return self.current is not None and self.current.is_pending

    @property
    def published_run_ids(self) -> set[int]:
        """The runs whose files are published, now or earlier."""
        return {publication.run_id for publication in self.publications}


def city_report_page(
    user: AnyUser, year: int, period: FollowUpPeriod, audience: Audience
) -> CityReportPage:
    """The page of the period's city-wide report for ``audience``; 404 unless the user may."""
    allowed = audiences(user, year, period)
    if audience not in allowed:
        raise Http404
    slk = report_access.may_ask_city_report(user)
    publications = (
        list(
            Publication.objects.filter(year=year, period=period)
            .select_related("run", "published_by")
            .defer("run__inputs")
            .order_by("-published_at", "-pk")
        )
        if audience == Audience.GENERAL
        else []
    )
    requests = (
        list(
            ReportRequest.objects.filter(
                run__scope=ReportScope.CITY,
                run__year=year,
                run__period=period,
                run__audience=audience,
            )
            .select_related("run", "requested_by")
            .defer("run__inputs")
            .order_by("-requested_at", "-pk")[:50]
        )
        if slk
        else []
    )
    page = CityReportPage(
        year=year,
        period=period,
        audience=audience,
        audiences=allowed,
        requests=requests,
        current=requests[0].run if requests else None,
        publications=publications,
        may_ask=slk,
        schedule=(
            ReportSchedule.objects.filter(year=year).first()
            if slk and period == FollowUpPeriod.ANNUAL
            else None
        ),
    )
    # Collecting the inputs again costs about 14 queries: only when a file may be
    # published, not on every refresh of a page that follows a run.
    if slk and audience == Audience.GENERAL and requests and not page.is_pending:
        language = settings.LANGUAGE_CODE
        with translation.override(language):
            inputs = city_report_inputs(year, period, audience)
        page.publishable_hash = rendering.city_input_hash(
            inputs, year, period, audience.value, language
        )
        page.not_approved = sum(
            row["count"] for row in inputs["overview"]["state_counts"] if row["key"] == "submitted"
        )
    return page


def city_run_or_404(user: AnyUser, run: ReportRun) -> ReportRun:
    """A finished city-wide run the user may download: SLK any, others a published one."""
    if run.scope != ReportScope.CITY or run.state != RunState.DONE or run.year is None:
        raise Http404
    if report_access.may_ask_city_report(user):
        return run
    published = Publication.objects.filter(run=run).exists()
    if run.audience not in report_access.city_report_audiences(user, published) or not published:
        raise Http404
    return run


@dataclass
class CityListRow:
    """One period's city-wide report on the reports page."""

    period: FollowUpPeriod
    audiences: list[Audience]
    current: Publication | None

    @property
    def variants(self) -> list[tuple[Audience, str]]:
        """Each variant with its address slug."""
        return [(audience, SLUG_OF[audience.value]) for audience in self.audiences]


def city_list(user: AnyUser, year: int | None) -> list[CityListRow]:
    """The periods of ``year`` whose city-wide report the user may open (three queries)."""
    if year is None:
        return []
    current = {
        publication.period: publication
        for publication in Publication.objects.filter(year=year, superseded_at__isnull=True)
    }
    published = set(
        Publication.objects.filter(year=year).values_list("period", flat=True).distinct()
    )
    # Asked once each: whether the user reads published and unpublished reports.
    variants = {
        True: report_access.city_report_audiences(user, True),
        False: report_access.city_report_audiences(user, False),
    }
    rows = []
    for period in FollowUpPeriod:
        allowed = variants[period.value in published]
        if allowed:
            rows.append(
                CityListRow(period=period, audiences=allowed, current=current.get(period.value))
            )
    return rows


def published_years(user: AnyUser) -> list[int]:
    """The years with a published city-wide report the user may read, newest first."""
    if not report_access.city_report_audiences(user, True):
        return []
    years = Publication.objects.values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def confidential_bodies(run: ReportRun) -> list[str]:
    """The slugs of the bodies whose part of the run prints a confidential record or text.

    Downloading such a file is written to the access log once per body, as downloading a
    body's own report that prints one is.
    """
    confidential = Confidentiality.CONFIDENTIAL
    return [
        body["key"]
        for body in run.inputs.get("bodies", [])
        if body.get("council_goal_level") == confidential
        or any(row.get("level") == confidential for row in body.get("goals", []))
        or any(row.get("level") == confidential for row in body.get("indicators", []))
    ]


def is_current(run: ReportRun) -> bool:
    """Whether the run prints what the city-wide report would print now (same input hash).

    A file made before a record was made confidential, or before a follow-up was
    returned, may print what officials may no longer read: it is not published.
    """
    return run.input_hash == current_hash(
        cast(int, run.year), run.period, Audience(run.audience), run.language
    )


def current_hash(year: int, period: str, audience: Audience, language: str) -> str:
    """The hash a run of the city-wide report asked for now would have."""
    with translation.override(language):
        inputs = city_report_inputs(year, period, audience)
    return rendering.city_input_hash(inputs, year, period, audience.value, language)
