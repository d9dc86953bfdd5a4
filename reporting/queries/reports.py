"""What the reports pages read: the reports a user may download, and one report's runs.

Every read asks the access module which follow-ups and variants the user may have
(``report_access.report_follow_ups``, ``report_access.report_audiences``); a report the user may not
read answers 404.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import cast

from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.http import Http404
from django.utils import translation

from programme import access, report_access
from programme.models import Audience, FollowUp, FollowUpPeriod
from programme.sorting import swedish_sort_key
from remiss.models import Response
from reporting.models import ReportRequest, ReportRun, ReportScope, RunState
from reporting.queries import referral_inputs
from reporting.queries.report_inputs import report_inputs

# The variants as they appear in addresses.
AUDIENCE_SLUGS: dict[str, Audience] = {
    "fullstandig": Audience.FULL,
    "lasare": Audience.MEMBERS,
    "allman": Audience.GENERAL,
}
SLUG_OF: dict[str, str] = {audience.value: slug for slug, audience in AUDIENCE_SLUGS.items()}
PERIOD_ORDER = {period.value: index for index, period in enumerate(FollowUpPeriod)}


def _canonical(inputs: object) -> str:
    return json.dumps(inputs, sort_keys=True, ensure_ascii=False)


def current_inputs(follow_up: FollowUp, audience: Audience, language: str) -> str:
    """What a report for ``audience`` in ``language`` would print now (canonical JSON)."""
    with translation.override(language):
        return _canonical(report_inputs(follow_up, audience))


def is_current(run: ReportRun) -> bool:
    """Whether the run's file prints what its variant may print today.

    A file made before a record was made confidential, or a preview made before the
    follow-up was approved, is not handed out: it may print what its readers may no
    longer read, or call itself a draft. Asking again makes a current one.
    """
    if run.follow_up is None:
        raise ValueError("a city-wide run is not checked against a follow-up")
    return _canonical(run.inputs) == current_inputs(
        run.follow_up, Audience(run.audience), run.language
    )


def audience_or_404(slug: str) -> Audience:
    """The variant an address names, or 404."""
    if slug not in AUDIENCE_SLUGS:
        raise Http404
    return AUDIENCE_SLUGS[slug]


@dataclass
class ReportRow:
    """One follow-up on the reports page, with the variants the user may have."""

    follow_up: FollowUp
    audiences: list[Audience]
    latest: dict[str, ReportRun] = field(default_factory=dict)

    @property
    def variants(self) -> list[tuple[Audience, str, ReportRun | None]]:
        """Each variant with its address slug and its latest finished run, if any."""
        return [(a, SLUG_OF[a.value], self.latest.get(a.value)) for a in self.audiences]


@dataclass
class ReportsPage:
    """The reports page of one year."""

    year: int | None
    years: list[int]
    rows: list[ReportRow]


def reports_page(user: access.AnyUser, year: int | None) -> ReportsPage:
    """The follow-ups of ``year`` whose reports the user may read, by body and period.

    Four queries however many follow-ups; without a year, the latest year with any.
    """
    visible: QuerySet[FollowUp] = report_access.report_follow_ups(user)
    years = sorted(set(visible.values_list("plan__year", flat=True)), reverse=True)
    if year is None:
        year = years[0] if years else None
    follow_ups = (
        list(visible.filter(plan__year=year).select_related("plan__body"))
        if year is not None
        else []
    )
    audiences = report_access.report_audiences(user, follow_ups)
    latest: dict[tuple[int, str], ReportRun] = {}
    state_of = {row.pk: row.state for row in follow_ups}
    runs = (
        ReportRun.objects.filter(follow_up__in=follow_ups, state=RunState.DONE)
        .defer("inputs")
        .annotate(state_then=KT("inputs__state"))
        .order_by("finished_at", "pk")
    )
    for run in runs:
        follow_up_id = cast(int, run.follow_up_id)
        # A file made while the follow-up stood elsewhere (a preview before approval) is
        # not offered here; the download view checks every file is current besides.
        if run.state_then == state_of[follow_up_id]:
            latest[(follow_up_id, run.audience)] = run
    rows = [
        ReportRow(
            follow_up=row,
            audiences=audiences[row.pk],
            latest={
                a.value: latest[(row.pk, a.value)]
                for a in audiences[row.pk]
                if (row.pk, a.value) in latest
            },
        )
        for row in follow_ups
        if audiences[row.pk]
    ]
    rows.sort(
        key=lambda r: (
            swedish_sort_key(r.follow_up.plan.body.name),
            PERIOD_ORDER[r.follow_up.period],
        )
    )
    return ReportsPage(year=year, years=years, rows=rows)


@dataclass
class ReportPage:
    """One report (a follow-up for one variant): its runs, newest first, and who asked."""

    follow_up: FollowUp
    audience: Audience
    audiences: list[Audience]
    requests: list[ReportRequest]
    current: ReportRun | None
    # The runs whose file prints what the variant may print today (downloadable).
    up_to_date: set[int]

    @property
    def is_pending(self) -> bool:
        """Whether the newest run is still queued or rendering (the page refreshes)."""
        return self.current is not None and self.current.is_pending


def follow_up_or_404(
    user: access.AnyUser, slug: str, year: int, period: FollowUpPeriod
) -> FollowUp:
    """The follow-up of the body ``slug`` and the period, if the user may read a report of it.

    An official is no member of the body, so the body is found through the follow-ups
    the user may read reports of, not through the bodies whose records the user reads.
    """
    follow_up = (
        report_access.report_follow_ups(user)
        .filter(plan__body__slug=slug, plan__year=year, period=period)
        .select_related("plan__body")
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


def report_page(user: access.AnyUser, follow_up: FollowUp, audience: Audience) -> ReportPage:
    """The report's page: 404 unless the user may read this variant.

    Four queries, and those of collecting the report's inputs once per language of its
    finished runs, to tell which files are still current.
    """
    audiences = report_access.report_audiences(user, [follow_up])[follow_up.pk]
    if audience not in audiences:
        raise Http404
    requests = list(
        ReportRequest.objects.filter(run__follow_up=follow_up, run__audience=audience)
        .select_related("run", "requested_by")
        .order_by("-requested_at", "-pk")[:50]
    )
    fresh: dict[str, str] = {}
    up_to_date = set()
    for run in {asked.run for asked in requests if asked.run.state == RunState.DONE}:
        if run.language not in fresh:
            fresh[run.language] = current_inputs(follow_up, audience, run.language)
        if _canonical(run.inputs) == fresh[run.language]:
            up_to_date.add(run.pk)
    return ReportPage(
        follow_up=follow_up,
        audience=audience,
        audiences=audiences,
        requests=requests,
        current=requests[0].run if requests else None,
        up_to_date=up_to_date,
    )


def run_or_404(user: access.AnyUser, pk: int) -> ReportRun:
    """A finished run whose variant the user may read, or 404 (``RunOutdated`` for a body's
    file that no longer prints what its variant may print; a referral round's compilation
    or reply answers 404 then)."""
    run = (
        ReportRun.objects.filter(pk=pk, state=RunState.DONE)
        .select_related("follow_up__plan__body")
        .first()
    )
    if run is None:
        raise Http404
    if run.is_referral:
        return referral_run_or_404(user, run)
    if run.follow_up is None:
        # The city-wide report: SLK's drafts, everyone's published files.
        from reporting.queries import city_reports

        return city_reports.city_run_or_404(user, run)
    if run.audience not in report_access.report_audiences(user, [run.follow_up])[run.follow_up.pk]:
        raise Http404
    if not is_current(run):
        raise RunOutdated(run)
    return run


def referral_run_or_404(user: access.AnyUser, run: ReportRun) -> ReportRun:
    """A finished compilation or reply the user may have now, or 404.

    The variant is asked again (``referral_inputs``), and the file must print what that
    variant prints today: a file made before a statement was made confidential, or
    before the compilation was published again, is not handed out (404; the page that
    offers the file asks for a current one).
    """
    from reporting.services import referral

    referral_round = run.referral
    if referral_round is None:
        raise Http404
    if run.scope == ReportScope.COMPILATION:
        if run.audience not in referral_inputs.compilation_audiences(user, referral_round):
            raise Http404
        asked = referral.compilation_asked(referral_round, Audience(run.audience), run.language)
    else:
        if run.respondent_id is None:
            raise Http404
        response = (
            Response.objects.filter(referral=referral_round, body_id=run.respondent_id)
            .select_related("body", "referral")
            .first()
        )
        if response is None or referral_inputs.reply_audience(user, response) != run.audience:
            raise Http404
        asked = referral.reply_asked(response, Audience(run.audience), run.language)
    if asked.input_hash != run.input_hash:
        raise Http404
    return run


class RunOutdated(Exception):
    """The run's file no longer prints what its variant may print: ask again."""

    def __init__(self, run: ReportRun) -> None:
        super().__init__(f"run {run.pk} is outdated")
        self.run = run
