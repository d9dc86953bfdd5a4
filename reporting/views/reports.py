"""The reports pages: the list a user may download, one report with its runs, asking, downloading.

Every view asks ``reporting.queries.reports`` (which asks ``programme.access``) first; a
report the user may not read answers 404. Files are handed out only by ``download``,
never from a public media address.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programme import access_log
from programme.models import AccessAction, Audience, Body, FollowUp
from programme.queries import follow_ups as follow_up_queries
from programme.years import is_record_year
from reporting.models import Publication, ReportRun
from reporting.queries import city_reports, referral_inputs
from reporting.queries import reports as queries
from reporting.services import city as city_services
from reporting.services import reports as services
from reporting.storage import report_storage


def _report_url(follow_up_slug: str, year: int, period: str, audience_slug: str) -> str:
    return reverse(
        "reporting:report",
        kwargs={"slug": follow_up_slug, "year": year, "period": period, "audience": audience_slug},
    )


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user may download, by year and body (``?ar=`` picks the year)."""
    year_text = request.GET.get("ar", "")
    year = int(year_text) if year_text.isdigit() and is_record_year(int(year_text)) else None
    page = queries.reports_page(request.user, year)
    # A year may have a published city-wide report and no follow-up the user reads.
    published = city_reports.published_years(request.user)
    if published:
        page.years = sorted(set(page.years) | set(published), reverse=True)
        if page.year is None:
            page.year = page.years[0]
    city = city_reports.city_list(request.user, page.year)
    return render(
        request,
        "reporting/report_list.html",
        {"page": page, "city": city, "current": "reporting:list"},
    )


@require_GET
def report_detail(
    request: HttpRequest, slug: str, year: int, period: str, audience: str
) -> HttpResponse:
    """One report: ask for it, follow its progress (the page refreshes itself), download it."""
    user = request.user
    kind = follow_up_queries.period_or_404(period)
    variant = queries.audience_or_404(audience)
    follow_up = queries.follow_up_or_404(user, slug, year, kind)
    page = queries.report_page(user, follow_up, variant)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "page": page,
            "follow_up": follow_up,
            "body": follow_up.plan.body,
            "year": year,
            "period": kind,
            "audience_slug": audience,
            "other_variants": [
                (other, queries.SLUG_OF[other.value])
                for other in page.audiences
                if other != variant
            ],
            "current": "reporting:list",
        },
    )


@require_POST
def report_request(
    request: HttpRequest, slug: str, year: int, period: str, audience: str
) -> HttpResponse:
    """Ask for the report: a new run for the worker, or the run its unchanged inputs made."""
    user = request.user
    kind = follow_up_queries.period_or_404(period)
    variant = queries.audience_or_404(audience)
    follow_up = queries.follow_up_or_404(user, slug, year, kind)
    asked = services.request_report(user, follow_up, variant)
    if asked.joined and asked.run.state == "done":
        messages.success(request, _("Nothing has changed since the last run: its file is ready."))
    elif asked.joined:
        messages.info(request, _("The report is already being made; this page follows it."))
    else:
        messages.success(
            request, _("The report is being made. This page shows how far it has come.")
        )
    return HttpResponseRedirect(_report_url(slug, year, kind.value, audience))


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A finished run's file, for a user who may read its variant (else 404)."""
    try:
        run = queries.run_or_404(request.user, pk)
    except queries.RunOutdated as outdated:
        run = outdated.run
        follow_up = cast(FollowUp, run.follow_up)
        messages.warning(
            request,
            _(
                "The follow-up has changed since this file was made, so it is no longer "
                "handed out. Make the report again to get a current file."
            ),
        )
        return HttpResponseRedirect(
            _report_url(
                follow_up.plan.body.slug,
                follow_up.plan.year,
                follow_up.period,
                queries.SLUG_OF[run.audience],
            )
        )
    if run.follow_up is not None and run.inputs.get("holds_confidential"):
        access_log.log_access(request.user, run, run.follow_up.plan.body, AccessAction.REPORT)
    elif run.follow_up is None:
        slugs = (
            referral_inputs.confidential_bodies(run.inputs)
            if run.is_referral
            else city_reports.confidential_bodies(run)
        )
        for body in Body.objects.filter(slug__in=slugs).order_by("pk"):
            access_log.log_access(request.user, run, body, AccessAction.REPORT)
    handle = report_storage().open(run.file_name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{_file_title(run)}.pdf",
        content_type="application/pdf",
    )
    # A report may print confidential records: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


def _file_title(run: ReportRun) -> str:
    """The download's name: a city-wide draft says so until SLK has published the file."""
    if run.follow_up is not None or run.is_referral:
        return run.file_title
    with translation.override(run.language):
        return city_services.city_file_title(
            run.title, Audience(run.audience), Publication.objects.filter(run=run).exists()
        )
