"""The import pages: a document (Word, PDF or text) read into a body's draft response.

The response's administrators upload a file or paste text; a small document is read at
once, a larger one by the worker while its page shows the progress. The review page
shows the document beside what was found, with the evidence for each finding; nothing
reaches the response until the administrator saves. Every view opens with
``programme.access``: another body's import answers 404, one the user may see but not
change 403. The rules live in ``remiss.services.imports``.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access
from programme.forms import add_refusal, show_conflict
from programme.history import HistoryEntry
from programme.locking import EditConflict
from programme.views.duties import EvidenceSizeLimit
from remiss.forms.imports import ImportReviewForm, ImportStartForm
from remiss.models import ImportState, Response, ResponseImport
from remiss.queries.imports import review_page
from remiss.reading.formats import too_large
from remiss.services import imports as services
from remiss.services.responses import EDITABLE_STATES
from remiss.views.responses import _response, _unless_editable, response_url

TOO_LARGE = "import_too_large"


class ImportSizeLimit(EvidenceSizeLimit):
    """Stop reading an upload as soon as it passes the import size limit."""

    limit_setting = "IMPORT_MAX_BYTES"
    flag = TOO_LARGE


def import_url(item: ResponseImport) -> str:
    """The page of one import."""
    return reverse("remiss:import-review", kwargs={"pk": item.pk})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Upload a file or paste text to import into the body's draft response.

    The size limit must be in place before anything reads the request body, so this
    view turns off the CSRF middleware's early read and checks the token itself.
    """
    if request.method == "POST":
        cast(list[FileUploadHandler], request.upload_handlers).insert(0, ImportSizeLimit(request))
    return _import_start(request, referral, slug)


@csrf_protect
def _import_start(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    response = _response(request, referral, slug, access.Action.CHANGE)
    if stop := _unless_editable(request, response):
        return stop
    form = ImportStartForm(kept_form_data(request), request.FILES or None)
    if getattr(request, TOO_LARGE, False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", str(too_large().message))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read() if upload is not None else form.cleaned_data["text"].encode("utf-8")
        try:
            item = services.start_import(
                request.user, response, data, upload.name if upload is not None else ""
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            return HttpResponseRedirect(import_url(item))
    return render(
        request,
        "remiss/imports/start.html",
        {
            "heading": _("Import a document"),
            "response": response,
            "body": response.body,
            "referral": response.referral,
            "form": form,
            "has_text": _has_text(response),
            "imports": list(ResponseImport.objects.filter(response=response)[:10]),
            "cancel_url": response_url(response),
        },
    )


def _has_text(response: Response) -> bool:
    """Whether the response already holds anything an import could replace."""
    return any(str(getattr(response, name) or "").strip() for name in services.REVIEWED_FIELDS) or (
        response.statements.exists() or response.signatories.exists()
    )


def _import(request: HttpRequest, pk: int) -> ResponseImport:
    """An import: 404 if the user may not see its response, 403 if not change it."""
    return access.get_for_user_or_404(
        request.user,
        ResponseImport.objects.select_related("response__body", "response__referral"),
        access.Action.CHANGE,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's page: its progress while it is read, then the review of what was found."""
    item = _import(request, pk)
    response = item.response
    context: dict[str, Any] = {
        "item": item,
        "response": response,
        "body": response.body,
        "referral": response.referral,
        "heading": _("Review the imported document"),
        "cancel_url": response_url(response),
    }
    editable = response.state in EDITABLE_STATES
    if item.state != ImportState.READY or not editable or item.reading is None:
        if request.method == "POST":
            messages.error(request, _("This import cannot be saved now."))
        return render(request, "remiss/imports/status.html", context)
    page = review_page(item)
    form = ImportReviewForm(
        kept_form_data(request),
        initial={"version": response.version},
        reading=item.reading,
        sections=page.sections,
    )
    changes: list[HistoryEntry] = []
    replaced: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.save_import(
                request.user,
                item,
                int(form.cleaned_data["version"]),
                form.review(),
                replace=bool(form.cleaned_data.get("replace")),
            )
        except services.ReplaceNotConfirmed as refusal:
            replaced = refusal.replaced
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The imported text was saved in the draft response."))
            return HttpResponseRedirect(response_url(response))
    return render(
        request,
        "remiss/imports/review.html",
        {
            **context,
            "page": page,
            "form": form,
            "rows": page.rows(form),
            "replaced": [page.label(name) for name in replaced],
            "conflict_changes": changes,
        },
    )


@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop an import that was not saved."""
    item = _import(request, pk)
    try:
        services.discard_import(request.user, item)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The import was discarded; the response is unchanged."))
    return HttpResponseRedirect(response_url(item.response))
