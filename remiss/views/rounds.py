"""The referral round pages: the list, opening a round, a round's page with SLK's board,
the draft's download, adding bodies, closing, and a body declining.

Every view reads through ``remiss.queries.rounds`` (which asks ``programme.access``) and
changes through one service of ``remiss.services.rounds``. SLK's pages open with
``access.require_slk_reviewer``; a round the user may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from config.middleware import kept_form_data
from programme import access, uploads
from programme.forms import add_refusal, show_conflict
from programme.history import HistoryEntry
from programme.locking import EditConflict
from programme.models import Body, Programme
from programme.views.duties import TOO_LARGE, EvidenceSizeLimit
from remiss.forms.rounds import (
    AddBodiesForm,
    CloseRoundForm,
    DeclineForm,
    OpenRoundForm,
    WithdrawDeclineForm,
)
from remiss.models import Invitation, Referral, ReferralState
from remiss.queries import rounds as round_queries
from remiss.services import rounds as round_services


def _round_url(referral: Referral, anchor: str = "") -> str:
    url = reverse("remiss:round-detail", kwargs={"pk": referral.pk})
    return f"{url}#{anchor}" if anchor else url


@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """The rounds the user may see; SLK also the versions a round may be opened for."""
    is_slk = access.is_slk_reviewer(request.user)
    return render(
        request,
        "remiss/rounds/list.html",
        {
            "referrals": round_queries.round_list(request.user),
            "is_slk": is_slk,
            "openable": round_queries.openable_programmes() if is_slk else [],
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@access.require_slk_reviewer
def round_create(request: HttpRequest) -> HttpResponse:
    """Open a round: first choose the version (``?program=<slug>``), then fill in the form.

    The draft's size limit must be in place before anything reads the request body, so
    this view turns off the CSRF middleware's early read and checks the token itself, as
    the evidence upload does.
    """
    cast(list[FileUploadHandler], request.upload_handlers).insert(0, EvidenceSizeLimit(request))
    return _round_create(request)


@csrf_protect
def _round_create(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("program", "")
    programme = Programme.objects.filter(slug=slug).first() if slug else None
    context: dict[str, object] = {"programme": programme}
    if programme is None:
        context["openable"] = round_queries.openable_programmes()
        return render(request, "remiss/rounds/choose_programme.html", context)
    try:
        round_services.check_can_open(programme)
    except ValidationError as refusal:
        context["refusal"] = refusal.messages
        return render(request, "remiss/rounds/create.html", context)
    bodies = Body.objects.existing_in(timezone.localdate().year)
    form = OpenRoundForm(
        kept_form_data(request), request.FILES or None, programme=programme, bodies=bodies
    )
    if request.method == "POST":
        if getattr(request, TOO_LARGE, False):
            form.is_valid()
            form.errors.pop("draft", None)
            form.add_error("draft", uploads.too_large_error().messages)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                referral = round_services.open_round(
                    user=request.user,
                    programme=programme,
                    registration_number=data["registration_number"],
                    title=data["title"],
                    sender_name=data["sender_name"],
                    sender_body=data["sender_body"],
                    sent_on=data["sent_on"],
                    deadline=data["deadline"],
                    bodies=form.chosen_bodies(),
                    focus_areas=list(data["focus_areas"]),
                    free_sections=form.section_titles(),
                    draft=data["draft"],
                )
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request, _("The referral round %(title)s was opened.") % {"title": referral}
                )
                return redirect(_round_url(referral))
    context["form"] = form
    return render(request, "remiss/rounds/create.html", context)


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's facts, sections, draft, the bodies asked; SLK's board; a body's decline."""
    referral = round_queries.get_round_or_404(request.user, pk)
    page = round_queries.round_page(request.user, referral)
    decline_forms = [
        (
            invitation,
            DeclineForm(initial={"version": invitation.version}, prefix=invitation.body.slug),
        )
        for invitation in page.own_invitations
        if page.is_open and not invitation.declined
    ]
    return render(
        request,
        "remiss/rounds/detail.html",
        {
            "referral": referral,
            "page": page,
            "decline_forms": decline_forms,
            "close_form": CloseRoundForm(initial={"version": referral.version}),
        },
    )


@require_GET
def round_draft(request: HttpRequest, pk: int) -> FileResponse:
    """Hand out the round's draft PDF, as an attachment, to a user who may see the round."""
    referral = round_queries.get_round_or_404(request.user, pk)
    if not referral.draft_file:
        raise Http404
    try:
        stream = referral.draft_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=referral.draft_name or "remiss.pdf",
        content_type=uploads.PDF,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
@access.require_slk_reviewer
def round_add_bodies(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask more bodies to answer an open round."""
    referral = round_queries.get_round_or_404(request.user, pk)
    form = AddBodiesForm(
        kept_form_data(request),
        bodies=round_queries.bodies_to_add(referral),
        initial={"version": referral.version},
    )
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            added = round_services.add_bodies(
                user=request.user,
                referral=referral,
                seen_version=int(form.cleaned_data["version"]),
                bodies=form.chosen_bodies(),
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(count)d bodies were asked to answer.") % {"count": len(added)},
            )
            return redirect(_round_url(referral, "namnder"))
    return render(
        request,
        "remiss/rounds/add_bodies.html",
        {"referral": referral, "form": form, "conflict_changes": changes},
    )


@require_http_methods(["GET", "POST"])
@access.require_slk_reviewer
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then close an open round."""
    referral = round_queries.get_round_or_404(request.user, pk)
    form = CloseRoundForm(kept_form_data(request), initial={"version": referral.version})
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            round_services.close_round(
                user=request.user,
                referral=referral,
                seen_version=int(form.cleaned_data["version"]),
            )
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The referral round was closed."))
            return redirect(_round_url(referral))
    return render(
        request,
        "remiss/rounds/close.html",
        {"referral": referral, "form": form, "conflict_changes": changes},
    )


def _invitation_page(
    request: HttpRequest,
    referral: Referral,
    invitation: Invitation,
    form: BaseForm,
    change: Callable[[int], object],
    done: str,
    template: str,
    **context: Any,
) -> HttpResponse:
    """A body's administrator changes its invitation: ``change(seen_version)`` on a valid
    POST, then back to the round's bodies with ``done``; a refusal shows the form again."""
    changes: list[HistoryEntry] = []
    if request.method == "POST" and form.is_valid():
        try:
            change(int(form.cleaned_data["version"]))
        except EditConflict as conflict:
            changes = show_conflict(form, conflict)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, done)
            return redirect(_round_url(referral, "namnder"))
    return render(
        request,
        template,
        {
            "referral": referral,
            "invitation": invitation,
            "form": form,
            "conflict_changes": changes,
            **context,
        },
    )


@require_http_methods(["GET", "POST"])
def round_decline(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """The body's administrator declines to answer the round, with a reason."""
    referral = round_queries.get_round_or_404(request.user, pk)
    invitation = round_queries.get_invitation_or_404(
        request.user, referral, slug, access.Action.CHANGE
    )
    form = DeclineForm(
        kept_form_data(request), prefix=slug, initial={"version": invitation.version}
    )
    return _invitation_page(
        request,
        referral,
        invitation,
        form,
        lambda seen: round_services.decline(
            user=request.user,
            invitation=invitation,
            seen_version=seen,
            reason=form.cleaned_data["reason"],
            reason_confidentiality=form.cleaned_data["reason_confidentiality"],
        ),
        _("%(body)s declines to answer the referral.") % {"body": invitation.body.name},
        "remiss/rounds/decline.html",
    )


@require_http_methods(["GET", "POST"])
def round_withdraw_decline(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """The body's administrator takes back its decline, so the body may answer after all."""
    referral = round_queries.get_round_or_404(request.user, pk)
    invitation = round_queries.get_invitation_or_404(
        request.user, referral, slug, access.Action.CHANGE
    )
    form = WithdrawDeclineForm(kept_form_data(request), initial={"version": invitation.version})
    return _invitation_page(
        request,
        referral,
        invitation,
        form,
        lambda seen: round_services.withdraw_decline(
            user=request.user, invitation=invitation, seen_version=seen
        ),
        _("%(body)s no longer declines: it may answer the referral.")
        % {"body": invitation.body.name},
        "remiss/rounds/withdraw_decline.html",
        may_withdraw=invitation.declined and referral.state == ReferralState.OPEN,
    )
