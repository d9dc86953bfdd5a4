"""SLK's follow-up overview with its filters, matrix and charts, and the Excel exports.

The overview and its export are SLK's (403 for anyone else). The activity export is
every signed-in user's, of what they may see; the plan export is for whoever may see
the plan (404 otherwise); the duty overview export is SLK's, like its page.
"""

from __future__ import annotations

from functools import partial

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from programme import access, excel, judgement_charts, lineage
from programme.exports import duties as duty_exports
from programme.exports import overview as overview_exports
from programme.exports import plans as plan_exports
from programme.forms.overview import OverviewFilterForm
from programme.models import FollowUpPeriod, Plan
from programme.queries import duties as duty_queries
from programme.queries import overview as overview_queries
from programme.queries import year_settings as year_setting_queries
from programme.queries.overview import OverviewFilters, OverviewPage
from programme.templatetags.fragments import values_digest
from programme.years import is_record_year, year_links


def _user(request: HttpRequest) -> access.AnyUser:
    """The request's user, as the access module takes it."""
    return request.user


def _period_or_404(year: int, period: str) -> FollowUpPeriod:
    """The period a URL names, in a year the product keeps; 404 for anything else."""
    if period not in FollowUpPeriod.values or not is_record_year(year):
        raise Http404
    return FollowUpPeriod(period)


def _overview(
    request: HttpRequest, year: int, period: str
) -> tuple[OverviewFilterForm, OverviewPage]:
    """The filter form bound to the query string, and the page it narrows (fixed queries)."""
    chosen = _period_or_404(year, period)
    focus_areas = lineage.focus_areas_in_force(year)
    form = OverviewFilterForm(request.GET or None, focus_areas=focus_areas)
    filters = form.filters() if form.is_bound else OverviewFilters()
    page = overview_queries.overview_page(_user(request), year, chosen, focus_areas, filters)
    return form, page


def _render_overview(
    request: HttpRequest, form: OverviewFilterForm, page: OverviewPage
) -> HttpResponse:
    """The overview page, with the export link keeping the filters of the query string.

    Its tables and charts are cached under a key of the whole page read (``tables_key``);
    the charts are drawn only when the cache has not got them.
    """
    query = request.GET.urlencode()
    export_url = reverse(
        "programme:follow-up-overview-export",
        kwargs={"year": page.year, "period": page.period.value},
    )
    export_url = f"{export_url}?{query}" if query else export_url
    return render(
        request,
        "programme/overview/overview.html",
        {
            "page": page,
            "year": page.year,
            "period": page.period,
            "form": form,
            "periods": list(FollowUpPeriod),
            "rows": page.rows,
            "state_counts": overview_queries.state_counts(page.rows),
            "judgement_chart": partial(judgement_charts.judgement_chart, page.judgements),
            "council_chart": partial(judgement_charts.council_goal_chart, page.council)
            if page.council
            else None,
            "has_judgements": any(counts.total for _area, counts in page.judgements),
            "export_url": export_url,
            "tables_key": values_digest("overview", page, export_url),
            **year_links(page.year),
        },
    )


@require_GET
@access.require_slk_reviewer
def follow_up_overview_current(request: HttpRequest) -> HttpResponse:
    """Lead to the overview of the follow-up that is due next."""
    year, period = year_setting_queries.current_period()
    return HttpResponseRedirect(
        reverse("programme:follow-up-overview", kwargs={"year": year, "period": period.value})
    )


@require_GET
@access.require_slk_reviewer
def follow_up_overview(request: HttpRequest, year: int, period: str) -> HttpResponse:
    """Every body's follow-up of one period, the matrix and the charts, filtered by GET."""
    form, page = _overview(request, year, period)
    return _render_overview(request, form, page)


@require_GET
@access.require_slk_reviewer
def follow_up_overview_export(request: HttpRequest, year: int, period: str) -> HttpResponse:
    """The overview's list as an Excel file, filtered as the page; refused filters show the page."""
    form, page = _overview(request, year, period)
    if form.is_bound and not form.is_valid():
        return _render_overview(request, form, page)
    return excel.xlsx_response(
        overview_exports.overview_workbook(page), overview_exports.overview_filename(year, period)
    )


@require_GET
def activity_export(request: HttpRequest, year: int) -> HttpResponse:
    """Every activity of ``year`` the user may see, as an Excel file."""
    if not is_record_year(year):
        raise Http404
    user = _user(request)
    return excel.xlsx_response(
        plan_exports.activity_workbook(user, year), plan_exports.activity_filename(year)
    )


@require_GET
def plan_export(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """One body's plan for ``year`` as an Excel file, for those who may see the plan."""
    user = _user(request)
    plan = access.get_for_user_or_404(
        user, Plan.objects.select_related("body"), body__slug=slug, year=year
    )
    return excel.xlsx_response(
        plan_exports.plan_workbook(user, plan), plan_exports.plan_filename(plan)
    )


@require_GET
@access.require_slk_reviewer
def duty_overview_export(request: HttpRequest, year: int) -> HttpResponse:
    """SLK's duty overview of ``year`` as an Excel file."""
    if not is_record_year(year):
        raise Http404
    rows = duty_queries.overview_for(_user(request), year)
    return excel.xlsx_response(
        duty_exports.duty_overview_workbook(rows, year), duty_exports.duty_overview_filename(year)
    )
