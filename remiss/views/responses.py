"""The response pages: a body's response to a round, the forms its administrators write it
with, its submission, SLK's reopening, and the history of the response and its statements.

Every view opens with ``programme.access``: a response the user may not see answers 404
(another body's members and officials, until the compilation is published), one the user
may see but not change answers 403. The rules live in ``remiss.services.responses`` and
``remiss.services.responses_parts``; what the pages read in ``remiss.queries.responses``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access, access_log
from programme.forms import ConfirmForm, add_refusal, show_conflict
from programme.history import HistoryEntry, history_for
from programme.locking import EditConflict
from remiss.forms.responses import (
    BaseSignatoryFormSet,
    DecisionForm,
    ReopenForm,
    ResponseForm,
    SignatoriesForm,
    SignatoryFormSet,
    StatementForm,
    signatory_initial,
)
from remiss.models import Referral, ReferralSection, Response, ResponseState, Statement
from remiss.queries import responses as queries
from remiss.queries.publication import dispositions_for
from remiss.services import responses as services
from remiss.services import responses_parts as parts


def response_url(response: Response, anchor: str = "") -> str:
    """The response's page, optionally at one of its parts."""
    url = reverse(
        "remiss:response-detail",
        kwargs={"referral": response.referral_id, "slug": response.body.slug},
    )
    return f"{url}#{anchor}" if anchor else url


def _response(request: HttpRequest, referral: int, slug: str, action: access.Action) -> Response:
    """The body's response: 404 if the user may not see it, 403 if not change it."""
    return access.get_for_user_or_404(
        request.user,
        Response.objects.select_related("body", "referral"),
        action,
        referral_id=referral,
        body__slug=slug,
    )


def _statement(request: HttpRequest, pk: int, action: access.Action) -> Statement:
    """A statement: 404 if the user may not see it, 403 if not change it."""
    return access.get_for_user_or_404(
        request.user,
        Statement.objects.select_related("response__body", "response__referral", "section"),
        action,
        pk=pk,
    )


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_page(
    request: HttpRequest,
    form: BaseForm,
    save: Callable[[], models.Model],
    context: dict[str, Any],
    saved_message: str,
    done_url: Callable[[models.Model], str],
    template: str = "remiss/responses/form.html",
) -> HttpResponse:
    """Show a form; on a valid POST save it through the service and go on.

    A refused save shows the form again with the user's input kept: next to the fields
    for a broken rule, or with the other person's changes for an edit conflict.
    """
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            record = save()
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, saved_message)
            return HttpResponseRedirect(done_url(record))
    return render(request, template, {**context, "form": form, "conflict_changes": changes})


def _context(response: Response, heading: str) -> dict[str, Any]:
    return {
        "heading": heading,
        "response": response,
        "body": response.body,
        "referral": response.referral,
        "cancel_url": response_url(response),
    }


def _unless_editable(request: HttpRequest, response: Response) -> HttpResponse | None:
    """Back to the response, saying why, when it cannot be written in now."""
    if response.state in services.EDITABLE_STATES:
        return None
    if response.is_locked:
        messages.error(request, _("The response has been submitted and is locked."))
    else:
        messages.error(request, _("The response has not been started yet. Start it first."))
    return HttpResponseRedirect(response_url(response))


# --- The response ------------------------------------------------------------------------


@require_GET
def response_detail(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """The body's response: sections, statements by section of the draft, signatories,
    the committee's decision, its state and history."""
    page = queries.response_page(request.user, referral, slug)
    # How SLK handled the statements, once the compilation is published (submitted only).
    dispositions = (
        dispositions_for(page.response, request.user)
        if page.response is not None and page.response.state == ResponseState.SUBMITTED
        else None
    )
    return render(
        request, "remiss/responses/detail.html", {"page": page, "dispositions": dispositions}
    )


@require_POST
def response_start(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Start the body's response to the round (its administrators): not started → draft."""
    body = access.get_body_or_404(request.user, slug, access.Action.CHANGE)
    round_ = get_object_or_404(Referral, pk=referral)
    try:
        services.start_response(request.user, round_, body)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The response was started."))
    return HttpResponseRedirect(
        reverse("remiss:response-detail", kwargs={"referral": referral, "slug": slug})
    )


@require_http_methods(["GET", "POST"])
def response_edit(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Write the response's sections, registration, case officer and level."""
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    form = ResponseForm(kept_form_data(request), instance=response)
    stored = Response.objects.get(pk=response.pk)
    return _form_page(
        request,
        form,
        lambda: services.save_response(
            request.user, stored, form.seen_version(), form.cleaned_data
        ),
        _context(stored, _("Edit the response")),
        _("The response was saved."),
        lambda record: response_url(stored),
    )


@require_http_methods(["GET", "POST"])
def response_decision(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Record the committee's decision."""
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    form = DecisionForm(kept_form_data(request), instance=response)
    stored = Response.objects.get(pk=response.pk)
    return _form_page(
        request,
        form,
        lambda: services.record_decision(
            request.user, stored, form.seen_version(), form.cleaned_data
        ),
        _context(stored, _("The committee's decision")),
        _("The committee's decision was saved."),
        lambda record: response_url(stored, "decision"),
    )


@require_http_methods(["GET", "POST"])
def response_submit(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Ask, then submit the response to SLK; what is missing is listed with where to add it."""
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    form = ConfirmForm(kept_form_data(request), initial={"version": response.version})
    context = {
        **_context(response, _("Submit the response")),
        "missing": services.submission_errors(response),
        "sections_key": services.SECTIONS_KEY,
    }
    return _form_page(
        request,
        form,
        lambda: services.submit_response(request.user, response, int(form.cleaned_data["version"])),
        context,
        _("The response was submitted to SLK."),
        lambda record: response_url(response),
        template="remiss/responses/submit.html",
    )


@require_http_methods(["GET", "POST"])
def response_reopen(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """SLK reopens a submitted response, with a reason the body reads."""
    response = _response(request, referral, slug, access.Action.VIEW)
    if not access.is_slk_reviewer(request.user):
        raise PermissionDenied
    form = ReopenForm(kept_form_data(request), initial={"version": response.version})
    return _form_page(
        request,
        form,
        lambda: services.reopen_response(
            request.user,
            response,
            form.cleaned_data["reason"],
            int(form.cleaned_data["version"]),
        ),
        _context(response, _("Reopen the response")),
        _("The response was reopened: the body can change it and submit it again."),
        lambda record: response_url(response),
        template="remiss/responses/reopen.html",
    )


@require_GET
def response_history(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Who changed the response, when, and how (no confidential values for readers)."""
    response = _response(request, referral, slug, access.Action.VIEW)
    access_log.log_if_confidential(request.user, response, response.body)
    sees = access.may_see_confidential(request.user, response.body)
    return render(
        request,
        "remiss/responses/history.html",
        {
            "record": response,
            "name": str(response.referral),
            "response": response,
            "body": response.body,
            "history": history_for(response, sees_confidential=sees),
            "back_url": response_url(response),
        },
    )


# --- Signatories -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def response_signatories(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Add, change, remove and reorder the signatories on one form."""
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    data = kept_form_data(request)
    form = SignatoriesForm(data, initial={"version": response.version})
    formset = cast(
        BaseSignatoryFormSet,
        SignatoryFormSet(
            data, initial=signatory_initial(list(response.signatories.order_by("position")))
        ),
    )
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            parts.save_signatories(
                request.user, response, int(form.cleaned_data["version"]), formset.rows()
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The signatories were saved."))
            return HttpResponseRedirect(response_url(response, "signatories"))
    return render(
        request,
        "remiss/responses/signatories.html",
        {
            **_context(response, _("Signatories")),
            "form": form,
            "formset": formset,
            "conflict_changes": changes,
        },
    )


# --- Statements --------------------------------------------------------------------------


def _sections(response: Response) -> models.QuerySet[ReferralSection]:
    return ReferralSection.objects.filter(referral_id=response.referral_id).select_related(
        "focus_area"
    )


@require_http_methods(["GET", "POST"])
def statement_create(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Add a statement about a section of the draft."""
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    form = StatementForm(
        kept_form_data(request),
        instance=Statement(response=response),
        sections=_sections(response),
    )
    return _form_page(
        request,
        form,
        lambda: parts.add_statement(request.user, response, form.cleaned_data),
        _context(response, _("New statement")),
        _("The statement was saved."),
        lambda record: response_url(response, f"statement-{record.pk}"),
    )


@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a statement."""
    statement = _statement(request, pk, access.Action.CHANGE)
    response = statement.response
    if stop := _unless_editable(request, response):
        return stop
    stored = Statement.objects.get(pk=pk)
    form = StatementForm(kept_form_data(request), instance=statement, sections=_sections(response))
    return _form_page(
        request,
        form,
        lambda: parts.update_statement(
            request.user, stored, form.seen_version(), form.cleaned_data
        ),
        {**_context(response, _("Edit statement")), "statement": stored},
        _("The statement was saved."),
        lambda record: response_url(response, f"statement-{record.pk}"),
    )


@require_http_methods(["GET", "POST"])
def statement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a statement."""
    statement = _statement(request, pk, access.Action.CHANGE)
    response = statement.response
    if stop := _unless_editable(request, response):
        return stop
    form = ConfirmForm(kept_form_data(request), initial={"version": statement.version})

    def delete() -> models.Model:
        parts.delete_statement(request.user, statement, int(form.cleaned_data["version"]))
        return response

    return _form_page(
        request,
        form,
        delete,
        {**_context(response, _("Delete statement")), "statement": statement},
        _("The statement was deleted."),
        lambda record: response_url(response, "statements"),
        template="remiss/responses/delete.html",
    )


@require_POST
def statement_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a statement one place up or down."""
    statement = _statement(request, pk, access.Action.CHANGE)
    form = ConfirmForm(request.POST)
    if not form.is_valid() or request.POST.get("direction") not in ("up", "down"):
        messages.error(request, _("The statement could not be moved. Open the page again."))
    else:
        try:
            parts.move_statement(
                request.user,
                statement,
                int(form.cleaned_data["version"]),
                up=request.POST["direction"] == "up",
            )
        except EditConflict as conflict:
            messages.error(request, conflict.message)
        except ValidationError as error:
            _refused(request, error)
    return HttpResponseRedirect(response_url(statement.response, f"statement-{statement.pk}"))


@require_GET
def statement_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed a statement, when, and how (no confidential values for readers)."""
    statement = _statement(request, pk, access.Action.VIEW)
    response = statement.response
    access_log.log_if_confidential(request.user, statement, response.body)
    sees = access.may_see_confidential(request.user, response.body)
    return render(
        request,
        "remiss/responses/history.html",
        {
            "record": statement,
            "name": statement.section.heading,
            "response": response,
            "body": response.body,
            "history": history_for(statement, sees_confidential=sees),
            "back_url": response_url(response, f"statement-{statement.pk}"),
        },
    )
