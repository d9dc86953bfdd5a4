"""The plan pages: a body's plans by year, one plan with its goals, activities and
indicators, the forms that add, change and delete them, and the buttons that make, copy
and settle a plan.

Every view opens with ``programme.access``: a record the user may not see answers 404,
one the user may see but not change answers 403. The rules live in
``programme.services.plans`` and ``programme.services.plan_records``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_stubs_ext import StrOrPromise

from config.middleware import kept_form_data
from programme import access
from programme.forms import add_refusal
from programme.forms.plans import (
    ActivityForm,
    DeleteForm,
    FocusAreaForm,
    GoalForm,
    IndicatorForm,
    PlanFilterForm,
    initial_of,
)
from programme.locking import EditConflict, SeenVersion
from programme.models import Activity, Goal, Indicator, Plan
from programme.queries import plans as plan_queries
from programme.services import plan_records
from programme.services import plans as plan_services
from programme.years import year_links

FormFactory = Callable[[QueryDict | None], FocusAreaForm]


def _user(request: HttpRequest) -> access.AnyUser:
    """The request's user, as the access module takes it."""
    return request.user


def _plan_url(plan: Plan, anchor: str = "") -> str:
    """The plan page, optionally at one of its records."""
    url = reverse("programme:plan-detail", kwargs={"slug": plan.body.slug, "year": plan.year})
    return f"{url}#{anchor}" if anchor else url


def _refused(request: HttpRequest, error: ValidationError) -> None:
    """Tell the user why a button's change was refused."""
    for message in error.messages:
        messages.error(request, message)


# --- Plans -------------------------------------------------------------------------------


@require_GET
def plan_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The body's plans, newest first, with the years a plan may still be made for."""
    user = _user(request)
    body = access.get_body_or_404(user, slug)
    body_plans = plan_queries.body_plans(user, body)
    return render(
        request,
        "programme/plans/list.html",
        {
            "body": body,
            "plans": body_plans,
            "open_years": plan_queries.years_open_for_a_plan(
                body, {plan.year for plan in body_plans}
            ),
        },
    )


def _with_query(url: str, query: str) -> str:
    """``url`` keeping the page's filter, if any."""
    return f"{url}?{query}" if query else url


@require_GET
def plan_detail(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The body's plan for one year: goals as sections, activities and indicators as rows.

    The filter is a GET form (status, focus area, perspective) that works without
    script; the filtered page keeps it in its links to other years and to the records.
    """
    user = _user(request)
    body = access.get_body_or_404(user, slug)
    plan_queries.check_plan_year_or_404(body, year)
    page = plan_queries.plan_page(user, body, year)
    filter_form = PlanFilterForm(request.GET or None, focus_areas=page.focus_areas)
    chosen = filter_form.chosen()
    query = chosen.query_string
    # Only years with a programme version in force and the body existing (one query).
    neighbours = year_links(year, body)
    previous_year, next_year = neighbours["previous_year"], neighbours["next_year"]
    sections = plan_queries.plan_sections(page, chosen)
    return render(
        request,
        "programme/plans/detail.html",
        {
            "page": page,
            "sections": sections,
            "shown_activities": sum(len(section.activities) for section in sections),
            "shown_indicators": sum(len(section.indicators) for section in sections),
            "filter_form": filter_form,
            "chosen": chosen,
            "query": query,
            "body": body,
            "year": year,
            "previous_year": previous_year,
            "next_year": next_year,
            "previous_url": _with_query(
                reverse("programme:plan-detail", args=[body.slug, previous_year]), query
            )
            if previous_year
            else "",
            "next_url": _with_query(
                reverse("programme:plan-detail", args=[body.slug, next_year]), query
            )
            if next_year
            else "",
        },
    )


@require_POST
def plan_create(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Make the body's empty plan for the year (its administrators)."""
    user = _user(request)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    try:
        plan_services.create_plan(user, body, year)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The plan for %(year)s was made.") % {"year": year})
    return HttpResponseRedirect(reverse("programme:plan-detail", args=[body.slug, year]))


@require_POST
def plan_copy(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Copy last year's plan of the body into the year (its administrators)."""
    user = _user(request)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    try:
        plan_services.copy_plan(user, body, year)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _(
                "The plan for %(previous)s was copied into %(year)s. Check the carry-over "
                "issues listed at the top of the plan."
            )
            % {"previous": year - 1, "year": year},
        )
    return HttpResponseRedirect(reverse("programme:plan-detail", args=[body.slug, year]))


@require_POST
def carry_over_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a carry-over issue as settled (administrators of the plan's body)."""
    user = _user(request)
    issue = access.get_for_user_or_404(
        user, plan_queries.visible_carry_over_issues(user), access.Action.CHANGE, pk=pk
    )
    plan_services.resolve_carry_over_issue(user, issue)
    messages.success(request, _("The carry-over issue was marked as settled."))
    return HttpResponseRedirect(_plan_url(issue.plan))


# --- Goals, activities and indicators: one form page for all three -----------------------


def _form_page(
    request: HttpRequest,
    *,
    make_form: FormFactory,
    save: Callable[[FocusAreaForm], models.Model],
    context: dict[str, Any],
    saved_message: str,
    anchor: Callable[[models.Model], str],
    plan: Plan,
) -> HttpResponse:
    """Show a record's form; on a valid POST save it through the service and go back.

    A refused save shows the form again with the user's text kept: next to the fields
    for a broken rule, or with the other person's changes for an edit conflict (the
    form then carries the current version, so checking and saving again goes through).
    """
    form = make_form(kept_form_data(request))
    changes: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form)
        except EditConflict as conflict:
            data = request.POST.copy()
            data["version"] = str(conflict.record.version)  # type: ignore[attr-defined]
            form = make_form(data)
            form.is_valid()
            form.add_error(None, conflict.message)
            changes = conflict.changes
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, saved_message)
            return HttpResponseRedirect(_plan_url(plan, anchor(record)))
    return render(
        request,
        "programme/plans/record_form.html",
        {
            **context,
            "form": form,
            "conflict_changes": changes,
            "plan": plan,
            "body": plan.body,
            "cancel_url": _plan_url(plan),
        },
    )


def _values(form: FocusAreaForm, names: tuple[str, ...]) -> dict[str, Any]:
    """The cleaned values a service takes, by the service's field names."""
    return {name: form.cleaned_data.get(name) for name in names}


def _goal_for_change(request: HttpRequest, pk: int) -> Goal:
    return access.get_for_user_or_404(
        _user(request), Goal.objects.select_related("plan__body"), access.Action.CHANGE, pk=pk
    )


@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """Add a goal to the body's plan for the year."""
    user = _user(request)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    plan = plan_queries.plan_for_change_or_404(user, body, year)
    areas = plan_records.focus_area_choices(year, None)
    return _form_page(
        request,
        make_form=lambda data: GoalForm(data, initial={"version": 1}, focus_areas=areas),
        save=lambda form: plan_records.create_goal(
            user, plan, _values(form, plan_records.GOAL_FIELDS)
        ),
        context={"heading": _("New goal"), "kind": "goal"},
        saved_message=_("The goal was saved."),
        anchor=lambda record: f"goal-{record.pk}",
        plan=plan,
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a goal of a plan."""
    user = _user(request)
    goal = _goal_for_change(request, pk)
    areas = plan_records.focus_area_choices(goal.plan.year, goal)
    initial = initial_of(goal, plan_records.GOAL_FIELDS)
    return _form_page(
        request,
        make_form=lambda data: GoalForm(data, initial=initial, focus_areas=areas),
        save=lambda form: plan_records.update_goal(
            user, goal, form.cleaned_data["version"], _values(form, plan_records.GOAL_FIELDS)
        ),
        context={"heading": _("Edit goal"), "kind": "goal", "record": goal},
        saved_message=_("The goal was saved."),
        anchor=lambda record: f"goal-{record.pk}",
        plan=goal.plan,
    )


@dataclass(frozen=True)
class GoalChild:
    """What differs between the pages of the two kinds of record under a goal."""

    kind: str
    model: type[Activity] | type[Indicator]
    form: type[ActivityForm] | type[IndicatorForm]
    fields: tuple[str, ...]
    create: Callable[[access.AnyUser, Goal, dict[str, Any]], models.Model]
    update: Callable[[access.AnyUser, Any, SeenVersion, dict[str, Any]], models.Model]
    delete: Callable[[access.AnyUser, Any, SeenVersion], None]
    new_heading: StrOrPromise
    edit_heading: StrOrPromise
    saved_message: StrOrPromise
    delete_heading: StrOrPromise
    delete_warning: StrOrPromise
    deleted_message: StrOrPromise


ACTIVITY = GoalChild(
    kind="activity",
    model=Activity,
    form=ActivityForm,
    fields=plan_records.ACTIVITY_FIELDS,
    create=plan_records.create_activity,
    update=plan_records.update_activity,
    delete=plan_records.delete_activity,
    new_heading=gettext_lazy("New activity"),
    edit_heading=gettext_lazy("Edit activity"),
    saved_message=gettext_lazy("The activity was saved."),
    delete_heading=gettext_lazy("Delete activity"),
    delete_warning=gettext_lazy(
        "An activity that will not be carried out can instead be set to cancelled."
    ),
    deleted_message=gettext_lazy("The activity was deleted."),
)
INDICATOR = GoalChild(
    kind="indicator",
    model=Indicator,
    form=IndicatorForm,
    fields=plan_records.INDICATOR_FIELDS,
    create=plan_records.create_indicator,
    update=plan_records.update_indicator,
    delete=plan_records.delete_indicator,
    new_heading=gettext_lazy("New indicator"),
    edit_heading=gettext_lazy("Edit indicator"),
    saved_message=gettext_lazy("The indicator was saved."),
    delete_heading=gettext_lazy("Delete indicator"),
    delete_warning=gettext_lazy("The indicator is deleted with its outcomes in draft follow-ups."),
    deleted_message=gettext_lazy("The indicator was deleted."),
)


def _child_for_change(request: HttpRequest, pk: int, child: GoalChild) -> Activity | Indicator:
    """The activity or indicator the user may change: 404 if unseen, 403 if read only."""
    queryset = child.model.objects.select_related("goal__plan__body")
    return cast(
        Activity | Indicator,
        access.get_for_user_or_404(_user(request), queryset, access.Action.CHANGE, pk=pk),
    )


def _child_create(request: HttpRequest, pk: int, child: GoalChild) -> HttpResponse:
    """Add an activity or an indicator under a goal, with the goal's focus areas ticked."""
    user = _user(request)
    goal = _goal_for_change(request, pk)
    areas = plan_records.focus_area_choices(goal.plan.year, None)
    initial = {"version": 1, "focus_areas": [area.pk for area in goal.focus_areas.all()]}
    return _form_page(
        request,
        make_form=lambda data: child.form(data, initial=initial, focus_areas=areas),
        save=lambda form: child.create(user, goal, _values(form, child.fields)),
        context={"heading": child.new_heading, "kind": child.kind, "goal": goal},
        saved_message=str(child.saved_message),
        anchor=lambda record: f"{child.kind}-{record.pk}",
        plan=goal.plan,
    )


def _child_edit(request: HttpRequest, pk: int, child: GoalChild) -> HttpResponse:
    """Change an activity or an indicator."""
    user = _user(request)
    record = _child_for_change(request, pk, child)
    plan = record.goal.plan
    areas = plan_records.focus_area_choices(plan.year, record)
    initial = initial_of(record, child.fields)
    return _form_page(
        request,
        make_form=lambda data: child.form(data, initial=initial, focus_areas=areas),
        save=lambda form: child.update(
            user, record, form.cleaned_data["version"], _values(form, child.fields)
        ),
        context={
            "heading": child.edit_heading,
            "kind": child.kind,
            "record": record,
            "goal": record.goal,
        },
        saved_message=str(child.saved_message),
        anchor=lambda saved: f"{child.kind}-{saved.pk}",
        plan=plan,
    )


@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an activity under a goal."""
    return _child_create(request, pk, ACTIVITY)


@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an activity."""
    return _child_edit(request, pk, ACTIVITY)


@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an indicator to a goal."""
    return _child_create(request, pk, INDICATOR)


@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an indicator."""
    return _child_edit(request, pk, INDICATOR)


def _delete_page(
    request: HttpRequest,
    *,
    record: Goal | Activity | Indicator,
    plan: Plan,
    delete: Callable[[int], None],
    heading: str,
    warning: str,
    deleted_message: str,
) -> HttpResponse:
    """Ask, then delete a record through the service; a refusal shows the page again."""
    form = DeleteForm(kept_form_data(request), initial={"version": record.version})
    changes: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            delete(form.cleaned_data["version"])
        except EditConflict as conflict:
            form = DeleteForm(initial={"version": conflict.record.version})  # type: ignore[attr-defined]
            form.add_error(None, conflict.message)
            changes = conflict.changes
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, deleted_message)
            return HttpResponseRedirect(_plan_url(plan))
    return render(
        request,
        "programme/plans/delete.html",
        {
            "form": form,
            "record": record,
            "plan": plan,
            "body": plan.body,
            "heading": heading,
            "warning": warning,
            "conflict_changes": changes,
            "cancel_url": _plan_url(plan),
        },
    )


@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a goal with its activities and indicators, after asking."""
    user = _user(request)
    goal = _goal_for_change(request, pk)
    return _delete_page(
        request,
        record=goal,
        plan=goal.plan,
        delete=lambda version: plan_records.delete_goal(user, goal, version),
        heading=_("Delete goal"),
        warning=_("The goal is deleted with all its activities and indicators."),
        deleted_message=_("The goal was deleted."),
    )


def _child_delete(request: HttpRequest, pk: int, child: GoalChild) -> HttpResponse:
    """Delete an activity or an indicator, after asking."""
    user = _user(request)
    record = _child_for_change(request, pk, child)
    return _delete_page(
        request,
        record=record,
        plan=record.goal.plan,
        delete=lambda version: child.delete(user, record, version),
        heading=str(child.delete_heading),
        warning=str(child.delete_warning),
        deleted_message=str(child.deleted_message),
    )


@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an activity, after asking."""
    return _child_delete(request, pk, ACTIVITY)


@require_http_methods(["GET", "POST"])
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an indicator, after asking."""
    return _child_delete(request, pk, INDICATOR)
