"""The programme duty pages: a body's duties across years, a year's checklist, one duty
with its evidence files and history, the edit form, and SLK's overview of every body.

Every view opens with ``programme.access`` (through ``programme.queries.duties``): a record the
user may not see answers 404, one the user may see but not change answers 403.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access, access_log, uploads
from programme.forms import add_refusal, show_conflict
from programme.forms.duties import DutyRecordForm, EvidenceUploadForm
from programme.history import HistoryEntry
from programme.history_rows import history_with_rows
from programme.locking import EditConflict
from programme.models import AccessAction, DutyKind, DutyRecord
from programme.queries import duties as duty_queries
from programme.services import duties as duty_services
from programme.years import FIRST_YEAR, is_record_year, last_record_year, year_links

# What the user edits, in the order the service takes it.
DUTY_FIELDS = ("status", "confidentiality", "person_name", "completed_on", "description")


def _user(request: HttpRequest) -> access.AnyUser:
    """The request's user, as the access module takes it."""
    return request.user


def _detail_url(record: DutyRecord) -> str:
    return reverse(
        "programme:duty-detail",
        kwargs={"slug": record.body.slug, "year": record.year, "duty": record.duty},
    )


@require_GET
def duty_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The duty records of the body the user may see, ten years a page (fixed queries)."""
    user = _user(request)
    body = access.get_body_or_404(user, slug)
    years = body.years_existed(FIRST_YEAR, last_record_year())
    shown = duty_queries.duty_records_of(user, body, request.GET.get("sida"))
    return render(
        request,
        "programme/duties/list.html",
        {
            "body": body,
            "records": shown.records,
            "years_page": shown.years,
            "years": list(reversed(years)),
        },
    )


@require_GET
def duty_checklist(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """The six duties of the body in one year, met or not, with links for those who edit."""
    user = _user(request)
    body = access.get_body_or_404(user, slug)
    duty_queries.check_body_year_or_404(body, year)
    return render(
        request,
        "programme/duties/checklist.html",
        {
            "body": body,
            "year": year,
            "rows": duty_queries.checklist_for(user, body, year),
            # One check for the whole page, never one per row.
            "can_change": access.can_change_records(user, body),
            **year_links(year, body),
        },
    )


def _render_detail(
    request: HttpRequest,
    record: DutyRecord,
    upload_form: EvidenceUploadForm | None = None,
) -> HttpResponse:
    """The record page, with a fresh upload form or the one that was refused."""
    user = _user(request)
    can_change = access.can_change_records(user, record.body)
    if can_change and upload_form is None:
        upload_form = EvidenceUploadForm()
    return render(
        request,
        "programme/duties/detail.html",
        {
            "record": record,
            "body": record.body,
            "evidence_files": duty_queries.evidence_files_of(record),
            "can_change": can_change,
            "upload_form": upload_form if can_change else None,
            "history": history_with_rows(
                record, sees_confidential=access.may_see_confidential(user, record.body)
            ),
        },
    )


@require_GET
def duty_detail(request: HttpRequest, slug: str, year: int, duty: str) -> HttpResponse:
    """One duty record: its fields, its evidence files and its history."""
    user = _user(request)
    record = duty_queries.duty_record_for_page(user, slug, year, duty)
    access_log.log_if_confidential(user, record, record.body)
    return _render_detail(request, record)


@require_http_methods(["GET", "POST"])
def duty_edit(request: HttpRequest, slug: str, year: int, duty: str) -> HttpResponse:
    """Record or change one duty of the body in one year (administrators of the body)."""
    user = _user(request)
    body = access.get_body_or_404(user, slug)
    kind = duty_queries.duty_kind_or_404(duty)
    duty_queries.check_body_year_or_404(body, year)
    if not access.can_change_records(user, body):
        raise PermissionDenied
    record = access.restrict(
        DutyRecord.objects.filter(body=body, year=year, duty=kind.value), user, access.Action.CHANGE
    ).first()
    initial: dict[str, Any] = {"version": record.version if record else 0}
    if record is not None:
        initial.update({name: getattr(record, name) for name in DUTY_FIELDS})
    form = DutyRecordForm(kept_form_data(request), initial=initial, duty=kind)
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in DUTY_FIELDS}
        try:
            saved = duty_services.save_duty_record(
                user=user,
                body=body,
                year=year,
                duty=kind.value,
                status=values["status"] or "",
                confidentiality=values["confidentiality"] or "",
                person_name=values["person_name"] or "",
                completed_on=values["completed_on"],
                description=values["description"] or "",
                seen_version=int(form.cleaned_data["version"]),
            )
        except EditConflict as conflict:
            # The user's text stays, now against the record as it stands.
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The duty was saved."))
            return HttpResponseRedirect(_detail_url(saved))
    return render(
        request,
        "programme/duties/edit.html",
        {
            "body": body,
            "year": year,
            "duty": kind,
            "record": record,
            "form": form,
            "conflict_changes": changes,
        },
    )


class EvidenceSizeLimit(FileUploadHandler):
    """Stop reading an upload as soon as it passes the evidence size limit.

    Without it a file of any size would first be written in full to a temporary file,
    only to be refused afterwards. The rest of the request is read and dropped, and the
    view says the file was too large.
    """

    # The setting that holds the limit, and the request attribute that says it was passed.
    limit_setting = "EVIDENCE_MAX_BYTES"
    flag = "evidence_too_large"

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Pass the chunk on, or stop the upload once the file is over the limit."""
        if start + len(raw_data) > int(getattr(settings, self.limit_setting)):
            setattr(self.request, self.flag, True)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """The handlers after this one build the file."""
        return None


TOO_LARGE = EvidenceSizeLimit.flag


@csrf_exempt
@require_POST
def evidence_upload(request: HttpRequest, slug: str, year: int, duty: str) -> HttpResponse:
    """Add an evidence file to a duty record; a refused file shows the record page again.

    The size limit must be in place before anything reads the request body, so this
    view turns off the CSRF middleware's early read and checks the token itself.
    """
    cast(list[FileUploadHandler], request.upload_handlers).insert(0, EvidenceSizeLimit(request))
    return _evidence_upload(request, slug, year, duty)


@csrf_protect
def _evidence_upload(request: HttpRequest, slug: str, year: int, duty: str) -> HttpResponse:
    user = _user(request)
    kind = duty_queries.duty_kind_or_404(duty)
    record = access.get_for_user_or_404(
        user,
        DutyRecord.objects.select_related("body"),
        access.Action.CHANGE,
        body__slug=slug,
        year=year,
        duty=kind.value,
    )
    form = EvidenceUploadForm(kept_form_data(request), request.FILES)
    if getattr(request, TOO_LARGE, False):
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", uploads.too_large_error().messages)
    elif form.is_valid():
        try:
            evidence = duty_services.add_evidence_file(
                user=user, record=record, uploaded=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            messages.success(
                request,
                _("The file %(name)s was added.") % {"name": evidence.original_name},
            )
            return HttpResponseRedirect(_detail_url(record))
    return _render_detail(request, record, upload_form=form)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Hand out an evidence file, as an attachment, to a user who may see its duty record."""
    user = _user(request)
    evidence = duty_queries.evidence_for_download(user, pk)
    access_log.log_if_confidential(
        user, evidence.duty_record, evidence.duty_record.body, AccessAction.DOWNLOADED
    )
    try:
        stream = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Confidential evidence must not stay in a shared cache or the browser's.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove an evidence file (administrators of the record's body)."""
    user = _user(request)
    evidence = duty_queries.evidence_for_change(user, pk)
    record = evidence.duty_record
    if request.method == "POST":
        name = evidence.original_name
        duty_services.delete_evidence_file(user=user, evidence=evidence)
        messages.success(request, _("The file %(name)s was removed.") % {"name": name})
        return redirect(_detail_url(record))
    return render(
        request,
        "programme/duties/evidence_delete.html",
        {"evidence": evidence, "record": record, "body": record.body},
    )


@require_GET
@access.require_slk_reviewer
def duty_overview(request: HttpRequest, year: int) -> HttpResponse:
    """SLK's view of every body's checklist for one year (fixed queries)."""
    if not is_record_year(year):
        raise Http404
    rows = duty_queries.overview_for(_user(request), year)
    return render(
        request,
        "programme/duties/overview.html",
        {
            "year": year,
            "rows": rows,
            "kinds": list(DutyKind),
            **year_links(year),
        },
    )
