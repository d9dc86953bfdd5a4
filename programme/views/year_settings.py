"""SLK's settings of one year: follow-up deadlines, the council goal and its indicators.

Only SLK reviewers may open these pages (``access.require_slk_reviewer``); everyone
else signed in gets 403. Each view binds its form with ``kept_form_data``, calls one
service of ``programme.services.year_settings`` and redirects with a message, or shows the form
again with the service's refusal next to the fields it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.middleware import kept_form_data
from programme.access import require_slk_reviewer
from programme.forms import ConfirmForm, add_refusal, show_conflict
from programme.forms.year_settings import (
    PART_COUNCIL_GOAL,
    CouncilGoalForm,
    CouncilIndicatorForm,
    DeadlinesForm,
)
from programme.history import HistoryEntry
from programme.locking import EditConflict
from programme.models import CouncilGoal, CouncilIndicator
from programme.queries import year_settings as year_setting_queries
from programme.services import year_settings as year_setting_services
from programme.years import year_links


def _settings_page(year: int, anchor: str = "") -> str:
    """Where a saved setting is shown: on its year's page."""
    url = reverse("programme:year-settings", kwargs={"year": year})
    return f"{url}#{anchor}" if anchor else url


def _settable_year(year: int) -> int:
    """The year of the address, or 404 for a year the product keeps no settings for."""
    if not year_setting_services.is_settable_year(year):
        raise Http404
    return year


def _indicator(pk: int) -> CouncilIndicator:
    """The indicator ``pk`` with its goal, or 404."""
    return get_object_or_404(CouncilIndicator.objects.select_related("council_goal"), pk=pk)


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def year_settings_page(request: HttpRequest, year: int) -> HttpResponse:
    """The year's deadlines and council goal, each with its own form, its indicators, history."""
    _settable_year(year)
    settings = year_setting_queries.year_settings(year)
    goal = settings.council_goal
    data = kept_form_data(request)
    # The page holds two forms; the POST names the one it comes from.
    goal_posted = data is not None and data.get("goal-part") == PART_COUNCIL_GOAL
    deadline_data = data if data is not None and not goal_posted else None
    deadlines_form = DeadlinesForm(deadline_data, prefix="deadlines", deadlines=settings.deadlines)
    goal_form = CouncilGoalForm(
        data if goal_posted else None,
        prefix="goal",
        instance=goal or CouncilGoal(year=year),
        initial=(
            {}
            if goal is not None
            else {"title": year_setting_queries.suggested_council_goal_title(year)}
        ),
    )
    changes: list[HistoryEntry] = []
    if request.method == "POST":
        if goal_posted and goal_form.is_valid():
            try:
                year_setting_services.save_council_goal(
                    request.user,
                    year,
                    goal_form.seen_version(),
                    goal_form.cleaned_data["title"],
                    goal_form.cleaned_data["description"],
                )
            except EditConflict as conflict:
                changes = show_conflict(goal_form, conflict)
            except ValidationError as error:
                add_refusal(goal_form, error)
            else:
                messages.success(
                    request, _("The council goal of %(year)d was saved.") % {"year": year}
                )
                return redirect(_settings_page(year, "radets-mal"))
        elif not goal_posted and deadlines_form.is_valid():
            try:
                year_setting_services.set_deadlines(
                    request.user, year, deadlines_form.due(), deadlines_form.seen()
                )
            except EditConflict as conflict:
                current = year_setting_queries.year_settings(year).deadlines
                changes = deadlines_form.show_conflict(conflict, current)
            except ValidationError as error:
                add_refusal(deadlines_form, error)
            else:
                messages.success(
                    request, _("The deadlines of %(year)d were saved.") % {"year": year}
                )
                return redirect(_settings_page(year, "tidsfrister"))
    return render(
        request,
        "programme/year_settings/year_settings.html",
        {
            "year": year,
            "settings": settings,
            "deadlines_form": deadlines_form,
            "goal_form": goal_form,
            **year_links(year),
            "history": settings.history,
            "conflict_changes": changes,
        },
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def council_indicator_create(request: HttpRequest, year: int) -> HttpResponse:
    """A new indicator of the year's council goal."""
    _settable_year(year)
    form = CouncilIndicatorForm(kept_form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            indicator = year_setting_services.create_council_indicator(
                request.user, year, form.cleaned_data
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request, _("The indicator %(name)s was added.") % {"name": indicator.name}
            )
            return redirect(_settings_page(year, f"indikator-{indicator.pk}"))
    return render(
        request,
        "programme/year_settings/indicator_form.html",
        {"form": form, "year": year},
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def council_indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an indicator of a council goal."""
    indicator = _indicator(pk)
    year = indicator.council_goal.year
    form = CouncilIndicatorForm(kept_form_data(request), instance=indicator)
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = year_setting_services.update_council_indicator(
                request.user, indicator, form.seen_version(), form.cleaned_data
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The indicator %(name)s was saved.") % {"name": saved.name})
            return redirect(_settings_page(year, f"indikator-{saved.pk}"))
    # The form may have changed the instance in memory; the page names what is stored.
    stored = CouncilIndicator.objects.get(pk=indicator.pk) if form.is_bound else indicator
    return render(
        request,
        "programme/year_settings/indicator_form.html",
        {"form": form, "year": year, "indicator": stored, "conflict_changes": changes},
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def council_indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove an indicator of a council goal."""
    indicator = _indicator(pk)
    year = indicator.council_goal.year
    form = ConfirmForm(kept_form_data(request), initial={"version": indicator.version})
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            year_setting_services.delete_council_indicator(
                request.user, indicator, int(form.cleaned_data["version"])
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        else:
            messages.success(
                request, _("The indicator %(name)s was removed.") % {"name": indicator.name}
            )
            return redirect(_settings_page(year, "indikatorer"))
    return render(
        request,
        "programme/year_settings/indicator_delete.html",
        {
            "indicator": CouncilIndicator.objects.get(pk=indicator.pk),
            "year": year,
            "form": form,
            "conflict_changes": changes,
        },
    )
