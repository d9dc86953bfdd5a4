"""The compilation pages: SLK's per-section pages with dispositions, publishing, the Excel files.

SLK's pages answer 403 to anyone else. The published compilation (its open parts) opens
for everyone with a role once SLK has published it, and for SLK before, to see what
others will read; for anyone else it answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access, excel, report_access
from programme.forms import add_refusal, show_conflict
from programme.history import HistoryEntry, history_for
from programme.locking import EditConflict
from remiss.exports import compilation as exports
from remiss.forms.compilation import (
    CompilationFilterForm,
    DispositionForm,
    PublishForm,
    disposition_prefix,
)
from remiss.models import Disposition, Referral
from remiss.queries import compilation as queries
from remiss.services import compilation as services


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
        {"referral": referral, "index": index, "publish_form": PublishForm()},
    )


def _disposition_forms(
    page: queries.SectionPage,
) -> list[tuple[queries.StatementRow, DispositionForm]]:
    """Each row with its inline form, opened at the disposition's version (no query)."""
    return [
        (
            row,
            DispositionForm(
                instance=row.disposition or Disposition(statement=row.statement),
                prefix=disposition_prefix(row.statement.pk),
            ),
        )
        for row in page.rows
    ]


@require_GET
@access.require_slk_reviewer
def compilation_section(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Every statement on one section side by side, filtered, with SLK's dispositions inline."""
    referral = _referral(pk)
    form = CompilationFilterForm(request.GET or None)
    page = queries.section_page(request.user, referral, section_pk, form.filters())
    if page is None:
        raise Http404
    return render(
        request,
        "remiss/compilation/section.html",
        {
            "referral": referral,
            "page": page,
            "form": form,
            "rows": _disposition_forms(page),
            "query": request.GET.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@access.require_slk_reviewer
def compilation_disposition(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    """Record how one statement was handled; a stale save is shown with what changed."""
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
        {"referral": referral, "compilation": queries.published_compilation(referral)},
    )


@require_GET
def compilation_published_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The published compilation's open parts as an Excel file."""
    referral = _published_referral(request, pk)
    return excel.xlsx_response(
        exports.compilation_workbook(referral, queries.published_rows(referral), full=False),
        exports.compilation_filename(referral, published=True),
    )
