"""The city-wide report's pages: one period's report with its runs and publications, asking
for it and publishing it (SLK), downloading through ``reporting.views.reports.download``.

Every view asks ``reporting.queries.city_reports`` (which asks ``programme.report_access``)
first; a report the user may not read answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programme.forms import add_refusal, show_conflict
from programme.history import HistoryEntry
from programme.locking import EditConflict
from programme.models import Audience, FollowUpPeriod
from programme.queries import follow_ups as follow_up_queries
from programme.years import is_record_year
from reporting.forms import ReportScheduleForm
from reporting.models import ReportSchedule
from reporting.queries import city_reports
from reporting.queries import reports as queries
from reporting.services import city as services
from reporting.services import publishing, schedule


def _year_or_404(year: int) -> int:
    if not is_record_year(year):
        raise Http404
    return year


def _audience_or_404(slug: str) -> Audience:
    audience = queries.audience_or_404(slug)
    if audience not in city_reports.CITY_AUDIENCES:
        raise Http404
    return audience


def city_report_url(year: int, period: str, audience: Audience) -> str:
    """The address of one variant of a period's city-wide report."""
    return reverse(
        "reporting:city-report",
        kwargs={"year": year, "period": period, "audience": queries.SLUG_OF[audience.value]},
    )


@require_GET
def city_report_detail(request: HttpRequest, year: int, period: str, audience: str) -> HttpResponse:
    """The city-wide report of a period: ask for it, follow it, publish it, download it."""
    kind = follow_up_queries.period_or_404(period)
    variant = _audience_or_404(audience)
    page = city_reports.city_report_page(request.user, _year_or_404(year), kind, variant)
    return _render_page(request, page, audience)


def _render_page(
    request: HttpRequest,
    page: city_reports.CityReportPage,
    audience_slug: str,
    schedule_form: ReportScheduleForm | None = None,
    changes: list[HistoryEntry] | None = None,
) -> HttpResponse:
    year, kind, variant = page.year, page.period, page.audience
    if schedule_form is None and page.may_ask and kind == FollowUpPeriod.ANNUAL:
        schedule_form = ReportScheduleForm(instance=page.schedule or ReportSchedule(year=year))
    return render(
        request,
        "reporting/city_report_detail.html",
        {
            "page": page,
            "year": year,
            "period": kind,
            "audience_slug": audience_slug,
            "schedule_form": schedule_form,
            "changes": changes or [],
            "other_variants": [
                (other, queries.SLUG_OF[other.value])
                for other in page.audiences
                if other != variant
            ],
            "current": "reporting:list",
        },
    )


@require_POST
def city_report_request(
    request: HttpRequest, year: int, period: str, audience: str
) -> HttpResponse:
    """SLK asks for the city-wide report: a new run, or the run its unchanged inputs made."""
    kind = follow_up_queries.period_or_404(period)
    variant = _audience_or_404(audience)
    asked = services.request_city_report(request.user, _year_or_404(year), kind.value, variant)
    if asked.joined and asked.run.state == "done":
        messages.success(request, _("Nothing has changed since the last run: its file is ready."))
    elif asked.joined:
        messages.info(request, _("The report is already being made; this page follows it."))
    else:
        messages.success(
            request, _("The report is being made. This page shows how far it has come.")
        )
    return HttpResponseRedirect(city_report_url(year, kind.value, variant))


@require_POST
def city_report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """SLK publishes a finished general run; the earlier publication is superseded."""
    try:
        publication = publishing.publish(request.user, pk, request.POST.get("note", ""))
    except publishing.PublishRefused as refused:
        run = publishing.city_run_for_page(request.user, pk)
        messages.error(request, str(refused))
        return HttpResponseRedirect(
            city_report_url(run.year or 0, run.period, Audience(run.audience))
        )
    messages.success(request, _("The report is published: officials can download it from now on."))
    return HttpResponseRedirect(
        city_report_url(publication.year, publication.period, Audience.GENERAL)
    )


@require_POST
def city_report_schedule(request: HttpRequest, year: int) -> HttpResponse:
    """SLK sets the day the year's annual reports and the city-wide draft are made."""
    year = _year_or_404(year)
    page = city_reports.city_report_page(
        request.user, year, FollowUpPeriod.ANNUAL, Audience.GENERAL
    )
    if not page.may_ask:
        raise Http404
    form = ReportScheduleForm(request.POST, instance=page.schedule or ReportSchedule(year=year))
    if form.is_valid():
        try:
            schedule.set_render_date(
                request.user, year, form.cleaned_data["render_on"], form.seen_version()
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
            return _render_page(request, page, "allman", form, changes)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The report date is saved."))
            return HttpResponseRedirect(
                city_report_url(year, FollowUpPeriod.ANNUAL.value, Audience.GENERAL)
            )
    return _render_page(request, page, "allman", form)
