"""SLK's maintenance pages: programme versions, focus areas, bodies and merges.

Only SLK reviewers may open them (``access.require_slk_reviewer``); everyone else signed
in gets 403. Each view binds its form with ``kept_form_data`` (so a form posted after
the session ended comes back after signing in), calls one service of
``programme.services.maintenance`` and redirects with a message, or shows the form again with the
service's refusal next to the fields it concerns.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.middleware import kept_form_data
from programme.access import require_slk_reviewer
from programme.forms import add_refusal, show_conflict
from programme.forms.maintenance import BodyForm, FocusAreaForm, MergeForm, ProgrammeForm
from programme.history import HistoryEntry, history_for
from programme.locking import EditConflict
from programme.models import Body, FocusArea, Programme
from programme.services import maintenance


def _programme_page(programme: Programme) -> str:
    """Where a saved version is shown."""
    return programme.get_absolute_url()


def _focus_area_page(focus_area: FocusArea) -> str:
    """Where a saved focus area is shown: on its version's page."""
    return f"{focus_area.programme.get_absolute_url()}#fokusomrade-{focus_area.position}"


def _body_page(body: Body) -> str:
    """Where a saved body is shown: in the list of bodies."""
    return f"{reverse('programme:body-list')}#namnd-{body.slug}"


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def programme_create(request: HttpRequest) -> HttpResponse:
    """A new programme version with its goal areas."""
    form = ProgrammeForm(kept_form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = maintenance.create_programme(
                request.user, form.cleaned_data, form.goal_area_names()
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request, _("The programme version %(name)s was created.") % {"name": programme}
            )
            return redirect(_programme_page(programme))
    return render(request, "programme/maintenance/programme_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a programme version and its goal areas; its focus areas and history."""
    programme = get_object_or_404(Programme, slug=slug)
    form = ProgrammeForm(kept_form_data(request), instance=programme)
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = maintenance.update_programme(
                request.user,
                programme,
                form.seen_version(),
                form.cleaned_data,
                form.goal_area_names(),
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request, _("The programme version %(name)s was saved.") % {"name": saved}
            )
            return redirect(_programme_page(saved))
    # The form may have changed the instance in memory; the page shows what is stored.
    stored = Programme.objects.get(pk=programme.pk) if form.is_bound else programme
    return render(
        request,
        "programme/maintenance/programme_form.html",
        {
            "form": form,
            "programme": stored,
            "focus_areas": list(stored.focus_areas.order_by("position")),
            "history": history_for(stored),
            "conflict_changes": changes,
        },
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def focus_area_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new focus area of a programme version."""
    programme = get_object_or_404(Programme, slug=slug)
    form = FocusAreaForm(kept_form_data(request), programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            focus_area = maintenance.create_focus_area(
                request.user, programme, form.cleaned_data, form.cleaned_data["goal_areas"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request, _("The focus area %(name)s was created.") % {"name": focus_area}
            )
            return redirect(_focus_area_page(focus_area))
    return render(
        request,
        "programme/maintenance/focus_area_form.html",
        {"form": form, "programme": programme},
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def focus_area_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a focus area and the goal areas it serves; its history."""
    focus_area = get_object_or_404(FocusArea.objects.select_related("programme"), pk=pk)
    programme = focus_area.programme
    form = FocusAreaForm(kept_form_data(request), instance=focus_area, programme=programme)
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = maintenance.update_focus_area(
                request.user,
                focus_area,
                form.seen_version(),
                form.cleaned_data,
                form.cleaned_data["goal_areas"],
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The focus area %(name)s was saved.") % {"name": saved})
            return redirect(_focus_area_page(saved))
    stored = FocusArea.objects.get(pk=focus_area.pk) if form.is_bound else focus_area
    return render(
        request,
        "programme/maintenance/focus_area_form.html",
        {
            "form": form,
            "programme": programme,
            "focus_area": stored,
            "history": history_for(stored),
            "conflict_changes": changes,
        },
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def body_create(request: HttpRequest) -> HttpResponse:
    """A new committee, company board or executive board."""
    form = BodyForm(kept_form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            body = maintenance.create_body(
                request.user, form.cleaned_data, form.cleaned_data["predecessors"]
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The body %(name)s was created.") % {"name": body})
            return redirect(_body_page(body))
    return render(request, "programme/maintenance/body_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def body_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Change a body's facts and predecessors; its history."""
    body = get_object_or_404(Body, slug=slug)
    form = BodyForm(kept_form_data(request), instance=body)
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = maintenance.update_body(
                request.user,
                body,
                form.seen_version(),
                form.cleaned_data,
                form.cleaned_data["predecessors"],
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The body %(name)s was saved.") % {"name": saved})
            return redirect(_body_page(saved))
    stored = Body.objects.get(pk=body.pk) if form.is_bound else body
    return render(
        request,
        "programme/maintenance/body_form.html",
        {"form": form, "body": stored, "history": history_for(stored), "conflict_changes": changes},
    )


@require_http_methods(["GET", "POST"])
@require_slk_reviewer
def body_merge(request: HttpRequest) -> HttpResponse:
    """Merge two or more bodies into a new one from a given date."""
    today = timezone.localdate()
    # Bodies that have not ended: those a merge can still end.
    bodies = Body.objects.not_ended_by(today)
    form = MergeForm(kept_form_data(request), bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            successor = maintenance.merge_bodies(
                request.user,
                form.cleaned_data["bodies"],
                form.cleaned_data["date"],
                form.new_body_values(),
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(names)s were merged into %(name)s.")
                % {
                    "names": ", ".join(body.name for body in form.cleaned_data["bodies"]),
                    "name": successor,
                },
            )
            return redirect(_body_page(successor))
    return render(request, "programme/maintenance/body_merge.html", {"form": form})
