"""The compilation pages: SLK's per-section pages with dispositions, publishing, the Excel files.

SLK's pages answer 403 to anyone else. The published compilation (its open parts) opens
for everyone with a role once SLK has published it, and for SLK before, to see what
others will read; for anyone else it answers 404. The compilation's PDF and the reply to
each responding body are made by the reporting app (``reporting.services.referral``);
their pages follow the run and answer 404 to a user who may not have the variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access, excel, report_access
from programme.access import Audience
from programme.forms import add_refusal, show_conflict
from programme.history import HistoryEntry, history_for
from programme.locking import EditConflict
from remiss.exports import compilation as exports
from remiss.forms.compilation import (
    CompilationFilterForm,
    DispositionForm,
    PublishForm,
    SectionRows,
    disposition_prefix,
)
from remiss.models import Disposition, Referral, Response
from remiss.queries import compilation as queries
from remiss.queries import publication
from remiss.services import compilation as services
from reporting.models import ReportRequest
from reporting.queries import referral_inputs
from reporting.services import referral as referral_reports


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _referral(pk: int) -> Referral:
    return get_object_or_404(Referral.objects.select_related("programme"), pk=pk)


@require_GET
@access.require_slk_reviewer
def compilation(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's sections with their counts per stance, and publishing the compilation."""
    referral = _referral(pk)
    index = queries.compilation_index(request.user, referral)
    return render(
        request,
        "remiss/compilation/index.html",
        {
            "referral": referral,
            "index": index,
            "publish_form": PublishForm(),
            "full_label": Audience.FULL.label,
            "general_label": Audience.GENERAL.label,
        },
    )


@dataclass(frozen=True)
class FailedRow:
    """A save from the section page that was refused: its row shows the form with its errors."""

    pk: int
    form: DispositionForm
    conflict_changes: list[HistoryEntry]


def _section_page(
    request: HttpRequest,
    referral: Referral,
    section_pk: int,
    query: QueryDict,
    failed: FailedRow | None = None,
) -> HttpResponse | None:
    """The section page filtered by ``query``; ``failed``'s row with its form and errors.

    Every other row's inline form is written by the template from the row's values
    (``queries.InlineRow``), not rendered through the form's widgets. None if the round
    has no such section, or if ``failed``'s row is not on the page.
    """
    form = CompilationFilterForm(query or None)
    page = queries.section_page(request.user, referral, section_pk, form.filters())
    if page is None:
        return None
    failed_row = next((item for item in page.rows if failed and item.pk == failed.pk), None)
    if failed and failed_row is None:
        return None
    written = SectionRows(
        # One reversal for every row's address: the statement's id ends it.
        reverse(
            "remiss:compilation-disposition", kwargs={"pk": referral.pk, "statement_pk": 0}
        ).removesuffix("0/"),
        get_token(request),
        query.urlencode(),
    )
    return render(
        request,
        "remiss/compilation/section.html",
        {
            "referral": referral,
            "page": page,
            "form": form,
            # The refused save's row is written through its form, in the template.
            "rows": [
                (item, None if failed and item.pk == failed.pk else written(item))
                for item in page.rows
            ],
            "failed_head": written.head(failed_row) if failed_row else "",
            "failed_url": written.url(failed_row) if failed_row else "",
            "query": query.urlencode(),
            "failed": failed,
            "disposition_form": failed.form if failed else None,
            "conflict_changes": failed.conflict_changes if failed else [],
        },
    )


@require_GET
@access.require_slk_reviewer
def compilation_section(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Every statement on one section side by side, filtered, with SLK's dispositions inline."""
    page = _section_page(request, _referral(pk), section_pk, request.GET)
    if page is None:
        raise Http404
    return page


@require_http_methods(["GET", "POST"])
@access.require_slk_reviewer
def compilation_disposition(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    """Record how one statement was handled; a stale save is shown with what changed.

    A save from the section page's inline form (it sends ``return_query``) returns to the
    statement on the section page as filtered; refused, the section page is shown again
    with the form at the statement's row, its errors and what was entered.
    """
    referral = _referral(pk)
    statement = get_object_or_404(
        access.restrict(queries.compiled_statements(referral.pk), request.user).select_related(
            "response__body", "section__focus_area"
        ),
        pk=statement_pk,
    )
    disposition = Disposition.objects.filter(statement=statement).first()
    form = DispositionForm(
        kept_form_data(request),
        instance=disposition or Disposition(statement=statement),
        prefix=disposition_prefix(statement.pk),
    )
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.record_disposition(
                request.user,
                statement.pk,
                form.seen_version(),
                form.cleaned_data["outcome"],
                form.cleaned_data["reason"],
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("The disposition of %(body)s's statement was saved.")
                % {"body": statement.response.body.name},
            )
            section_url = reverse(
                "remiss:compilation-section",
                kwargs={"pk": referral.pk, "section_pk": statement.section_id},
            )
            query = request.POST.get("return_query", "")
            return redirect(
                f"{section_url}?{query}#statement-{statement.pk}"
                if query
                else f"{section_url}#statement-{statement.pk}"
            )
    if request.method == "POST" and "return_query" in request.POST:
        section_page = _section_page(
            request,
            referral,
            statement.section_id,
            QueryDict(request.POST["return_query"]),
            FailedRow(pk=statement.pk, form=form, conflict_changes=changes),
        )
        if section_page is not None:
            return section_page
    stored = Disposition.objects.filter(statement=statement).first()
    return render(
        request,
        "remiss/compilation/disposition.html",
        {
            "referral": referral,
            "statement": statement,
            "form": form,
            "history": history_for(stored) if stored else [],
            "conflict_changes": changes,
        },
    )


@require_POST
@access.require_slk_reviewer
def compilation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the compilation; a refusal is told on the compilation's page."""
    referral = _referral(pk)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.publish_compilation(request.user, referral.pk, note)
    except services.PublishRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The compilation was published."))
    return redirect("remiss:compilation", pk=referral.pk)


@require_GET
@access.require_slk_reviewer
def compilation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """SLK's Excel file of the compilation: every statement, with its level."""
    referral = _referral(pk)
    rows = queries.compilation_rows(request.user, referral)
    return excel.xlsx_response(
        exports.compilation_workbook(referral, rows, full=True),
        exports.compilation_filename(referral, published=False),
    )


def _published_referral(request: HttpRequest, pk: int) -> Referral:
    """A round whose published compilation the user may read, or 404."""
    referral = _referral(pk)
    if access.is_slk_reviewer(request.user):
        return referral
    if queries.current_publication(referral.pk) is None:
        raise Http404
    if not report_access.has_any_role(request.user):
        raise Http404
    return referral


@require_GET
def compilation_published(request: HttpRequest, pk: int) -> HttpResponse:
    """The open parts of the published compilation, read-only."""
    referral = _published_referral(request, pk)
    return render(
        request,
        "remiss/compilation/published.html",
        {"referral": referral, "compilation": publication.published_compilation(referral)},
    )


@require_GET
def compilation_published_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The published compilation's open parts as an Excel file."""
    referral = _published_referral(request, pk)
    return excel.xlsx_response(
        exports.published_workbook(referral, publication.published_rows(referral)),
        exports.compilation_filename(referral, published=True),
    )


# --- The compilation's PDF and the replies (rendered by the reporting app) --------------------

PDF_AUDIENCES = {"fullstandig": Audience.FULL, "allman": Audience.GENERAL}


def _pdf_audience(request: HttpRequest, referral: Referral, slug: str) -> Audience:
    """The compilation's variant an address names, if the user may have it; else 404."""
    audience = PDF_AUDIENCES.get(slug)
    if audience is None or audience not in referral_inputs.compilation_audiences(
        request.user, referral
    ):
        raise Http404
    return audience


def _asked_message(request: HttpRequest, asked: ReportRequest) -> None:
    if asked.joined and asked.run.state == "done":
        messages.success(request, _("Nothing has changed since the last run: its file is ready."))
    elif asked.joined:
        messages.info(request, _("The report is already being made; this page follows it."))
    else:
        messages.success(
            request, _("The report is being made. This page shows how far it has come.")
        )


def _run_page(
    request: HttpRequest, asked: referral_reports.Asked, context: dict[str, Any]
) -> HttpResponse:
    """The page that follows the run of these inputs (no write) and offers its file."""
    run = referral_reports.live_run(asked)
    return render(request, "reporting/referral_run.html", {**context, "run": run})


@require_GET
def compilation_pdf(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    """The compilation's PDF for one variant: make it, follow the run, download it."""
    referral = _referral(pk)
    variant = _pdf_audience(request, referral, audience)
    asked = referral_reports.compilation_asked(referral, variant, _language())
    back = (
        reverse("remiss:compilation", kwargs={"pk": referral.pk})
        if variant == Audience.FULL
        else reverse("remiss:compilation-published", kwargs={"pk": referral.pk})
    )
    return _run_page(
        request,
        asked,
        {
            "heading": asked.title,
            "subject": variant.label,
            "request_url": reverse(
                "remiss:compilation-pdf-request", kwargs={"pk": referral.pk, "audience": audience}
            ),
            "back_url": back,
        },
    )


@require_POST
def compilation_pdf_request(request: HttpRequest, pk: int, audience: str) -> HttpResponse:
    """Ask for the compilation's PDF; the page that follows the run answers."""
    referral = _referral(pk)
    variant = _pdf_audience(request, referral, audience)
    _asked_message(
        request, referral_reports.request_compilation_pdf(request.user, referral, variant)
    )
    return redirect("remiss:compilation-pdf", pk=referral.pk, audience=audience)


def _replied_response(request: HttpRequest, referral: int, slug: str) -> Response:
    """The body's response whose reply the user may have (``reply_audience``), or 404."""
    response = (
        Response.objects.filter(referral_id=referral, body__slug=slug)
        .select_related("body", "referral")
        .first()
    )
    if response is None or referral_inputs.reply_audience(request.user, response) is None:
        raise Http404
    return response


@require_GET
def reply_pdf(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """The reply to a body ("Så har era synpunkter hanterats"): make it, follow it, download it."""
    response = _replied_response(request, referral, slug)
    audience = cast(Audience, referral_inputs.reply_audience(request.user, response))
    asked = referral_reports.reply_asked(response, audience, _language())
    return _run_page(
        request,
        asked,
        {
            "heading": asked.title,
            "subject": f"{response.body.name} · {response.referral.title}",
            "request_url": reverse(
                "remiss:reply-pdf-request", kwargs={"referral": referral, "slug": slug}
            ),
            "back_url": reverse(
                "remiss:response-detail", kwargs={"referral": referral, "slug": slug}
            ),
        },
    )


@require_POST
def reply_pdf_request(request: HttpRequest, referral: int, slug: str) -> HttpResponse:
    """Ask for the reply to the body; the page that follows the run answers."""
    response = _replied_response(request, referral, slug)
    _asked_message(request, referral_reports.request_reply(request.user, response))
    return redirect("remiss:reply-pdf", referral=referral, slug=slug)
