"""Views of the follow-ups: the page, the body's form and submission, and SLK's review.

Each view opens with the one door (``programme.access``), calls one service from
``programme.services.follow_ups`` (the body's changes) or
``programme.services.follow_up_workflow`` (SLK's) and renders or redirects. Another
body's follow-up answers 404; a follow-up the user may see but not change (a reader; SLK
on the body's form; the body on SLK's review) answers 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.middleware import kept_form_data
from programme import access, excel
from programme.exports import follow_ups as follow_up_exports
from programme.forms import add_refusal
from programme.forms.follow_ups import (
    FollowUpForm,
    ReturnForm,
    SlkJudgementForm,
    TransitionForm,
    VersionedForm,
)
from programme.locking import EditConflict
from programme.models import Body, FollowUp, FollowUpState, GoalJudgement
from programme.queries import follow_up_keys
from programme.queries import follow_up_review as review_queries
from programme.queries import follow_up_summary as summary_queries
from programme.queries import follow_ups as follow_up_queries
from programme.queries.follow_up_summary import FollowUpSummary
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services


def _user(request: HttpRequest) -> access.AnyUser:
    """The request's user, as the access module takes it."""
    return request.user


def _url(name: str, body: Body, year: int, period: str) -> str:
    return reverse(f"programme:{name}", kwargs={"slug": body.slug, "year": year, "period": period})


def _rebound(form_data: object, version: int) -> QueryDict:
    """The posted data again, now naming the version the follow-up stands at."""
    data = cast(QueryDict, form_data).copy()
    data["version"] = str(version)
    return data


def _refuse_on(form: VersionedForm, error: ValidationError | EditConflict) -> None:
    """Put a service's refusal on the form (a conflict's message above it)."""
    if isinstance(error, EditConflict):
        form.add_error(None, error.message)
    else:
        add_refusal(form, error)


@require_GET
def follow_up_detail(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """One period's follow-up of a body: state, deadline, snapshot, judgements and history."""
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug)
    page = follow_up_queries.follow_up_page(user, body, year, kind)
    follow_up = page.follow_up
    may_edit = page.can_change and follow_up is not None and follow_up.is_editable_by_body
    return render(
        request,
        "programme/follow_ups/detail.html",
        {
            "page": page,
            "body": body,
            "year": year,
            "follow_up": follow_up,
            "history": page.history,
            "states": FollowUpState,
            "may_edit": may_edit,
            # Not started: the body's administrators start it with a button (a POST).
            "may_start": page.can_change and follow_up is None,
            "submit_form": TransitionForm(initial={"version": follow_up.version})
            if may_edit and follow_up is not None
            else None,
        },
    )


@require_POST
def follow_up_start(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """The body's administrator starts reporting: the follow-up and its rows, then the form.

    Pressed again (or after someone else started it) it leads to the same follow-up.
    """
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    plan = follow_up_queries.plan_or_404(user, body, year)
    try:
        follow_up_services.start_follow_up(user, plan, kind)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(_url("follow-up-detail", body, year, kind))
    return HttpResponseRedirect(_url("follow-up-edit", body, year, kind))


@require_http_methods(["GET", "POST"])
def follow_up_edit(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """The body's report form: every row of the draft on one page (administrators).

    Opening it writes nothing: a follow-up not started leads to its page, where it is
    started; items the plan gained since the draft began are in the form as new, and
    get their rows when it is saved.
    """
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    follow_up = follow_up_queries.started_follow_up(user, body, year, kind)
    detail_url = _url("follow-up-detail", body, year, kind)
    if follow_up is None:
        follow_up_queries.plan_or_404(user, body, year)
        return HttpResponseRedirect(detail_url)
    if request.method == "GET" and not follow_up.is_editable_by_body:
        messages.info(
            request,
            _("The follow-up cannot be edited now: %(state)s.")
            % {"state": follow_up.get_state_display()},
        )
        return HttpResponseRedirect(detail_url)
    data = kept_form_data(request)
    if data is None:
        return _form_as_it_stands(request, user, body, year, follow_up)
    sections = follow_up_queries.draft_sections(user, follow_up)
    form = FollowUpForm(data, follow_up=follow_up, sections=sections)
    changes = []
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_services.save_follow_up(
                user, follow_up, form.cleaned_data["version"], form.to_input()
            )
        except EditConflict as conflict:
            # Keep what the user typed, now against the follow-up as it stands, with
            # what the other person changed listed above the form.
            current = cast(FollowUp, conflict.record)
            sections = follow_up_queries.draft_sections(user, current)
            form = FollowUpForm(
                _rebound(form.data, current.version), follow_up=current, sections=sections
            )
            form.is_valid()
            _refuse_on(form, conflict)
            changes = conflict.changes
        except ValidationError as error:
            _refuse_on(form, error)
        else:
            messages.success(request, _("The follow-up was saved."))
            return HttpResponseRedirect(detail_url)
    return _edit_page(
        request, body, year, follow_up, form=form, goal_fields=form.goal_fields(), changes=changes
    )


def _form_as_it_stands(
    request: HttpRequest, user: access.AnyUser, body: Body, year: int, follow_up: FollowUp
) -> HttpResponse:
    """The form not yet filled in, written once for each state of what it shows.

    Its fields are kept under ``form_key`` (``programme.queries.follow_up_keys``); the
    rows are read and the form is made only when the cache has not got them: the
    template touches ``form`` and ``goal_fields`` only then.
    """

    @functools.cache
    def made() -> FollowUpForm:
        sections = follow_up_queries.draft_sections(user, follow_up)
        return FollowUpForm(None, follow_up=follow_up, sections=sections)

    return _edit_page(
        request,
        body,
        year,
        follow_up,
        form=SimpleLazyObject(made),
        goal_fields=SimpleLazyObject(lambda: made().goal_fields()),
        form_key=follow_up_keys.form_key(user, body, year, follow_up),
    )


def _edit_page(
    request: HttpRequest, body: Body, year: int, follow_up: FollowUp, **parts: object
) -> HttpResponse:
    """The form page; ``parts``: the form, its goal_fields, and changes or form_key."""
    context = {"body": body, "year": year, "follow_up": follow_up, "states": FollowUpState}
    return render(
        request,
        "programme/follow_ups/edit.html",
        context | {"changes": (), "form_key": None} | parts,
    )


def _version_or_refuse(request: HttpRequest, form: VersionedForm) -> int | None:
    """The version a button's form names, or None after telling the user it was missing."""
    if form.is_valid():
        return int(form.cleaned_data["version"])
    for message in form.errors.get("version", []):
        messages.error(request, str(message))
    return None


@dataclass(frozen=True)
class _Step:
    """A step of the workflow that a confirmation page asks about before it is taken."""

    template: str
    summarise: Callable[[access.AnyUser, FollowUp], FollowUpSummary]
    take: Callable[[access.AnyUser, FollowUp, int], FollowUp]
    # What the person is told once it is taken (a lazy translation).
    done: object


def _seen_version(request: HttpRequest, follow_up: FollowUp) -> int:
    """The version the button that led here named, or the one the follow-up stands at.

    The follow-up's page and SLK's review send the version they showed; a form kept
    when the session ended names the one it was posted with.
    """
    form = TransitionForm(kept_form_data(request) or request.GET)
    return int(form.cleaned_data["version"]) if form.is_valid() else follow_up.version


def _confirm(
    request: HttpRequest,
    step: _Step,
    follow_up: FollowUp,
    seen_version: int,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    """A confirmation page: what the step does, what the follow-up holds, and its button.

    When the follow-up changed after the person opened it, the changes are listed above
    the button, which then names the version they have now seen.
    """
    if conflict is not None:
        changes: object = conflict.changes
    elif seen_version != follow_up.version:
        changes = follow_up_queries.follow_up_changes_since(follow_up, seen_version)
    else:
        changes = ()
    body, year = follow_up.plan.body, follow_up.plan.year
    return render(
        request,
        step.template,
        {
            "body": body,
            "year": year,
            "follow_up": follow_up,
            "summary": step.summarise(_user(request), follow_up),
            "form": TransitionForm(initial={"version": follow_up.version}),
            "changes": changes,
            "refusal": conflict.message if conflict is not None else "",
            "detail_url": _url("follow-up-detail", body, year, follow_up.period),
            "review_url": _url("follow-up-review", body, year, follow_up.period),
        },
    )


def _ask_or_take(request: HttpRequest, step: _Step, follow_up: FollowUp, back: str) -> HttpResponse:
    """GET: the confirmation page. POST: take the step at the version the person saw.

    A stale version asks again, with the changes listed; any other refusal leads to
    ``back`` with the reason; a step taken leads to the follow-up's page.
    """
    if request.method == "GET":
        return _confirm(request, step, follow_up, _seen_version(request, follow_up))
    version = _version_or_refuse(request, TransitionForm(request.POST))
    if version is None:
        return HttpResponseRedirect(back)
    try:
        step.take(_user(request), follow_up, version)
    except EditConflict as conflict:
        current = cast(FollowUp, conflict.record)
        current.plan.body = follow_up.plan.body
        return _confirm(request, step, current, version, conflict)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(back)
    messages.success(request, str(step.done))
    return HttpResponseRedirect(
        _url("follow-up-detail", follow_up.plan.body, follow_up.plan.year, follow_up.period)
    )


SUBMIT = _Step(
    "programme/follow_ups/confirm_submit.html",
    summary_queries.submission_summary,
    workflow.submit_follow_up,
    _("The follow-up was submitted to SLK."),
)
APPROVE = _Step(
    "programme/follow_ups/confirm_approve.html",
    summary_queries.approval_summary,
    workflow.approve_follow_up,
    _("The follow-up was approved and is now locked."),
)


@require_http_methods(["GET", "POST"])
def follow_up_submit(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """The body's administrator submits the follow-up to SLK, after a page that asks.

    The GET is the question: what submitting does, who is told, what can be undone,
    and a summary of the report. The POST submits the version the person saw.
    """
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug, access.Action.CHANGE)
    follow_up = follow_up_queries.follow_up_or_404(user, body, year, kind)
    follow_up.plan.body = body
    detail_url = _url("follow-up-detail", body, year, kind)
    if request.method == "GET" and not follow_up.is_editable_by_body:
        messages.info(
            request,
            _("The follow-up cannot be submitted now: %(state)s.")
            % {"state": follow_up.get_state_display()},
        )
        return HttpResponseRedirect(detail_url)
    return _ask_or_take(request, SUBMIT, follow_up, detail_url)


def _review_target(request: HttpRequest, slug: str, year: int, period: str) -> FollowUp:
    """The follow-up SLK reviews: 404 if the user may not see it, 403 if not SLK."""
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug)
    if not access.is_slk_reviewer(user):
        raise PermissionDenied
    follow_up = follow_up_queries.follow_up_or_404(user, body, year, kind)
    follow_up.plan.body = body
    return follow_up


def _render_review(
    request: HttpRequest,
    follow_up: FollowUp,
    judgement_form: SlkJudgementForm | None = None,
    return_form: ReturnForm | None = None,
    changes: object = (),
) -> HttpResponse:
    """SLK's review page, with fresh forms where none was refused.

    With SLK's judgements not filled in, the goals' part is kept written under
    ``review_key`` (``programme.queries.follow_up_keys``): the rows are read and the form
    is made only when the cache has not got it.
    """
    user = _user(request)
    body = follow_up.plan.body

    @functools.cache
    def judgements() -> list[GoalJudgement]:
        return review_queries.review_sections(user, follow_up)

    @functools.cache
    def made() -> SlkJudgementForm:
        return SlkJudgementForm(follow_up=follow_up, judgements=judgements())

    key = None
    if judgement_form is None:
        key = follow_up_keys.review_key(user, body, follow_up.plan.year, follow_up)
    return render(
        request,
        "programme/follow_ups/review.html",
        {
            "body": body,
            "year": follow_up.plan.year,
            "follow_up": follow_up,
            "is_reviewable": follow_up.state == FollowUpState.SUBMITTED,
            "judgement_form": judgement_form or SimpleLazyObject(made),
            "review_key": key,
            "return_form": return_form or ReturnForm(initial={"version": follow_up.version}),
            "approve_form": TransitionForm(initial={"version": follow_up.version}),
            # Called by the template only when it writes the goals' part.
            "disagreements": lambda: sum(1 for row in judgements() if row.disagrees),
            "history": follow_up_queries.follow_up_history(
                follow_up, access.may_see_confidential(user, follow_up.plan.body)
            ),
            "changes": changes,
            "states": FollowUpState,
        },
    )


@require_http_methods(["GET", "POST"])
def follow_up_review(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """SLK's review: its own judgement of each goal beside the body's, return or approve."""
    user = _user(request)
    follow_up = _review_target(request, slug, year, period)
    data = kept_form_data(request)
    if data is None:
        return _render_review(request, follow_up)
    judgements = review_queries.review_sections(user, follow_up)
    form = SlkJudgementForm(data, follow_up=follow_up, judgements=judgements)
    changes: object = ()
    # Kept data (after the session ended) is shown for checking, saved only when posted.
    if form.is_valid() and request.method == "POST":
        try:
            workflow.record_slk_judgements(
                user, follow_up, form.to_input(), form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            current = cast(FollowUp, conflict.record)
            current.plan.body = follow_up.plan.body
            follow_up = current
            form = SlkJudgementForm(
                _rebound(form.data, current.version),
                follow_up=current,
                judgements=review_queries.review_sections(user, current),
            )
            form.is_valid()
            _refuse_on(form, conflict)
            changes = conflict.changes
        except ValidationError as error:
            _refuse_on(form, error)
        else:
            messages.success(request, _("SLK's judgements were saved."))
            return HttpResponseRedirect(request.path)
    return _render_review(request, follow_up, judgement_form=form, changes=changes)


@require_POST
def follow_up_return(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """SLK returns a submitted follow-up to the body with a comment."""
    user = _user(request)
    follow_up = _review_target(request, slug, year, period)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            workflow.return_follow_up(
                user, follow_up, form.cleaned_data["comment"], form.cleaned_data["version"]
            )
        except (EditConflict, ValidationError) as error:
            _refuse_on(form, error)
        else:
            messages.success(request, _("The follow-up was returned to the body."))
            return HttpResponseRedirect(
                _url("follow-up-detail", follow_up.plan.body, year, follow_up.period)
            )
    return _render_review(request, follow_up, return_form=form)


@require_http_methods(["GET", "POST"])
def follow_up_approve(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """SLK approves a submitted follow-up, which locks it, after a page that asks.

    The GET is the question: what approving does, who is told, that it cannot be
    undone, and a summary with SLK's judgements. The POST approves the version SLK saw.
    """
    follow_up = _review_target(request, slug, year, period)
    review_url = _url("follow-up-review", follow_up.plan.body, year, follow_up.period)
    if request.method == "GET" and follow_up.state != FollowUpState.SUBMITTED:
        messages.info(
            request,
            _("The follow-up cannot be approved now: %(state)s.")
            % {"state": follow_up.get_state_display()},
        )
        return HttpResponseRedirect(review_url)
    return _ask_or_take(request, APPROVE, follow_up, review_url)


@require_GET
def follow_up_export(request: HttpRequest, slug: str, year: int, period: str) -> HttpResponse:
    """One follow-up's snapshot as an Excel file, with only the rows the user may see."""
    user = _user(request)
    kind = follow_up_queries.period_or_404(period)
    body = access.get_body_or_404(user, slug)
    follow_up = follow_up_queries.follow_up_or_404(user, body, year, kind)
    sections = follow_up_queries.snapshot_sections(user, follow_up)
    return excel.xlsx_response(
        follow_up_exports.follow_up_workbook(body, follow_up, sections),
        follow_up_exports.follow_up_filename(body, follow_up),
    )
