"""Asking for a referral round's outputs: the compilation's PDF and the reply to a body.

Both go through the reports' pipeline: the inputs are collected as JSON through the
access module (``reporting.queries.referral_inputs``), hashed with the templates and the
code (``rendering.referral_input_hash``); a queued, running or finished run with the same
hash answers the request, and otherwise a new run goes to ``render_report`` after
commit. The worker renders it by its scope (``reporting.services.reports.render_run``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation

from programme import access
from programme.access import Audience
from remiss.models import Referral, Response
from reporting import rendering
from reporting.models import ReportRequest, ReportRun, ReportScope, RunState
from reporting.queries import referral_inputs as inputs_of


@dataclass(frozen=True)
class Asked:
    """What a referral output's run is made from, and how it is named."""

    scope: ReportScope
    referral: Referral
    respondent_id: int | None
    audience: Audience
    language: str
    inputs: dict[str, Any]
    title: str
    file_title: str
    input_hash: str


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def compilation_asked(referral: Referral, audience: Audience, language: str) -> Asked:
    """The compilation's inputs for ``audience`` now, with their hash and names."""
    with translation.override(language):
        inputs = inputs_of.compilation_inputs(referral, audience)
        title = inputs_of.compilation_title(inputs)
        name = title
        if audience == Audience.FULL:
            name += " (" + translation.gettext("full") + ")"
        if inputs["published_on"] is None:
            name += " (" + translation.pgettext("file name", "draft") + ")"
    digest = rendering.referral_input_hash(
        ReportScope.COMPILATION, {"referral": referral.pk}, inputs, audience.value, language
    )
    return Asked(
        scope=ReportScope.COMPILATION,
        referral=referral,
        respondent_id=None,
        audience=audience,
        language=language,
        inputs=inputs,
        title=title,
        file_title=name.replace("/", "-"),
        input_hash=digest,
    )


def reply_asked(response: Response, audience: Audience, language: str) -> Asked:
    """The reply's inputs for ``audience`` now, with their hash and names."""
    with translation.override(language):
        inputs = inputs_of.reply_inputs(response, audience)
        title = inputs_of.reply_title(inputs)
        name = f"{title} – {response.body.name}"
        number = response.referral.registration_number
        if number:
            name += f" – {number}"
        if audience == Audience.MEMBERS:
            name += " (" + translation.gettext("for the body's readers") + ")"
    digest = rendering.referral_input_hash(
        ReportScope.REPLY,
        {"referral": response.referral_id, "body": response.body_id},
        inputs,
        audience.value,
        language,
    )
    return Asked(
        scope=ReportScope.REPLY,
        referral=response.referral,
        respondent_id=response.body_id,
        audience=audience,
        language=language,
        inputs=inputs,
        title=title,
        file_title=name.replace("/", "-"),
        input_hash=digest,
    )


def live_run(asked: Asked) -> ReportRun | None:
    """The newest run made from exactly these inputs (a failed one too), if any; no write."""
    return (
        ReportRun.objects.filter(input_hash=asked.input_hash).order_by("-queued_at", "-pk").first()
    )


def _join_or_queue(
    user: access.AnyUser, asked: Asked, enqueue: Callable[[int], None] | None
) -> ReportRequest:
    """Join the live run of these inputs, or create one and queue it after commit."""
    if enqueue is None:
        from reporting.services.reports import _enqueue

        enqueue = _enqueue
    send = enqueue
    with transaction.atomic():
        live = ReportRun.objects.exclude(state=RunState.FAILED)
        run = live.filter(input_hash=asked.input_hash).first()
        joined = run is not None
        if run is None:
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        scope=asked.scope,
                        referral=asked.referral,
                        respondent_id=asked.respondent_id,
                        audience=asked.audience,
                        language=asked.language,
                        title=asked.title,
                        file_title=asked.file_title,
                        inputs=asked.inputs,
                        input_hash=asked.input_hash,
                    )
            except IntegrityError:
                # Someone asked for the same inputs at the same moment: join their run.
                run = live.get(input_hash=asked.input_hash)
                joined = True
        request = ReportRequest.objects.create(
            run=run, requested_by=cast(User, user), joined=joined
        )
        if not joined:
            run_id = run.pk
            transaction.on_commit(lambda: send(run_id))
    return request


def request_compilation_pdf(
    user: access.AnyUser,
    referral: Referral,
    audience: Audience,
    enqueue: Callable[[int], None] | None = None,
) -> ReportRequest:
    """Ask for the compilation's PDF for ``audience``: SLK full or general, anyone with a
    role the general one once published; 404 otherwise."""
    if audience not in inputs_of.compilation_audiences(user, referral):
        raise Http404
    return _join_or_queue(user, compilation_asked(referral, audience, _language()), enqueue)


def request_reply(
    user: access.AnyUser, response: Response, enqueue: Callable[[int], None] | None = None
) -> ReportRequest:
    """Ask for the reply to ``response`` ("Så har era synpunkter hanterats"), in the variant
    the user may have (``referral_inputs.reply_audience``); 404 when none."""
    audience = inputs_of.reply_audience(user, response)
    if audience is None:
        raise Http404
    return _join_or_queue(user, reply_asked(response, audience, _language()), enqueue)


def referral_html(run: ReportRun) -> tuple[str, Any]:
    """A referral output's HTML and PDF metadata from the run's kept inputs (the worker)."""
    if run.scope == ReportScope.COMPILATION:
        html = rendering.compilation_html(run.inputs, run.language)
    else:
        html = rendering.reply_html(run.inputs, run.language)
    return html, rendering.referral_pdf_meta(run.inputs, run.title, run.language)
