"""Asking for a report, rendering it in the worker, and sweeping up runs whose worker vanished.

``request_report`` runs in the web request: it asks the access module which variants the
user may have, collects the inputs, and either joins the live run with the same inputs
(nothing is rendered again) or creates a run and hands it to the worker once the
transaction has committed. ``render_run`` runs in the worker, ``sweep_runs`` in beat.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from programme import access, report_access
from programme.models import Audience, FollowUp
from reporting import pdf, rendering, storage
from reporting.models import ReportRequest, ReportRun, ReportScope, RunState
from reporting.queries.report_inputs import report_inputs, report_title

logger = logging.getLogger(__name__)

# The progress a run shows is written at most this often (seconds).
PROGRESS_INTERVAL = 0.3
# A run is given up after this many attempts: a report that kills its worker every time
# is handed back by the broker each time, and would otherwise be tried for ever. Above
# the task's retries on transient errors (six attempts), with room for two lost workers.
MAX_ATTEMPTS = 8


def file_title(inputs: dict[str, object], title: str, audience: Audience) -> str:
    """The Swedish (or English) file name a download gets, without ".pdf"."""
    body = inputs["body"]["name"]  # type: ignore[index]
    name = f"{title} – {body}"
    if audience == Audience.FULL:
        name += " (" + translation.gettext("full") + ")"
    elif audience == Audience.MEMBERS:
        name += " (" + translation.gettext("for the body's readers") + ")"
    if not inputs["approved"]:
        # A draft must not travel under the name of the approved report.
        name += " (" + translation.pgettext("file name", "draft") + ")"
    return name.replace("/", "-")


def request_report(
    user: access.AnyUser,
    follow_up: FollowUp,
    audience: Audience,
    enqueue: Callable[[int], None] | None = None,
) -> ReportRequest:
    """Ask for the follow-up's report for ``audience``; returns the request with its run.

    A variant the user may not read answers 404, as the report's page does. When a run
    with the same inputs is queued, running or done, the request joins it and nothing is
    rendered again; otherwise a new run is queued and given to the worker after commit.
    """
    if audience not in report_access.report_audiences(user, [follow_up])[follow_up.pk]:
        raise Http404
    language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        inputs = report_inputs(follow_up, audience)
        title = report_title(inputs)
        name = file_title(inputs, title, audience)
    digest = rendering.input_hash(inputs, audience.value, language, follow_up.pk)
    send = enqueue if enqueue is not None else _enqueue
    with transaction.atomic():
        run = ReportRun.objects.exclude(state=RunState.FAILED).filter(input_hash=digest).first()
        joined = run is not None
        if run is None:
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        follow_up=follow_up,
                        audience=audience,
                        language=language,
                        title=title,
                        file_title=name,
                        inputs=inputs,
                        input_hash=digest,
                    )
            except IntegrityError:
                # Someone asked for the same inputs at the same moment: join their run.
                run = ReportRun.objects.exclude(state=RunState.FAILED).get(input_hash=digest)
                joined = True
        request = ReportRequest.objects.create(
            run=run, requested_by=cast(User, user), joined=joined
        )
        if not joined:
            run_id = run.pk
            transaction.on_commit(lambda: send(run_id))
    return request


def _enqueue(run_id: int) -> None:
    """Hand the run to the worker; a broker that refuses it fails the run at once."""
    from reporting.tasks import render_report

    try:
        render_report.delay(run_id)
    except Exception as error:  # the broker's many kinds of refusal
        logger.exception("Run %s could not be queued", run_id)
        fail_run(
            run_id, translation.gettext("The run could not be queued: %(error)s") % {"error": error}
        )


# --- In the worker -----------------------------------------------------------------------


def progress_text(step: str, page: int | None) -> str:
    """What the report's page says of a step of the rendering, in the active language.

    The steps are WeasyPrint's own progress messages (and the PDF module's last two);
    a page being laid out is named by its number.
    """
    if page is not None:
        return translation.gettext("Laying out page %(page)s…") % {"page": page}
    lowered = step.lower()
    if "page numbers" in lowered:
        return translation.gettext("Adding the page numbers…")
    if "finishing" in lowered:
        return translation.gettext("Making the file accessible and archivable…")
    if "creating pdf" in lowered or "metadata" in lowered:
        return translation.gettext("Writing the PDF file…")
    return translation.gettext("Reading the report's content…")


class _Progress:
    """WeasyPrint's progress written to the run: each step's first word at once, then
    at most every ``PROGRESS_INTERVAL`` (a page laid out is written when it begins)."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last = 0.0
        self.shown = ""
        self.lock = threading.Lock()

    def __call__(self, step: str, page: int | None) -> None:
        text = progress_text(step, page)
        now = time.monotonic()
        with self.lock:
            first_page = page == 1 and self.shown != text
            if text == self.shown or (now - self.last < PROGRESS_INTERVAL and not first_page):
                return
            self.last = now
            self.shown = text
        ReportRun.objects.filter(pk=self.run_id, state=RunState.RUNNING).update(
            progress=text[:200], progress_page=page
        )


def _claim(run_id: int) -> ReportRun | None:
    """Mark the run running for this attempt; None when it is already done or failed.

    A running run is taken again: a task redelivered after its worker died finds it so.
    """
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state in (RunState.DONE, RunState.FAILED):
            return None
        if run.attempts >= MAX_ATTEMPTS:
            run.state = RunState.FAILED
            run.finished_at = timezone.now()
            run.error = translation.gettext(
                "The rendering was tried %(attempts)s times and stopped each time."
            ) % {"attempts": run.attempts}
            run.save(update_fields=["state", "finished_at", "error"])
            return None
        run.state = RunState.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.progress = ""
        run.progress_page = None
        run.save(update_fields=["state", "started_at", "attempts", "progress", "progress_page"])
        return run


def render_run(run_id: int) -> ReportRun | None:
    """Render the run's report, store the file and mark the run done. Safe to run twice.

    The HTML is made by the run's scope from its kept inputs: a body's follow-up report,
    or a referral round's compilation or reply (``reporting.services.referral``).

    Returns the run, or None when there was nothing to do (done, failed or gone).
    """
    run = _claim(run_id)
    if run is None:
        return None
    began = time.monotonic()
    with translation.override(run.language):
        if run.is_referral:
            from reporting.services.referral import referral_html

            html, meta = referral_html(run)
        else:
            html = rendering.report_html(run.inputs, run.language)
            meta = rendering.pdf_meta(run.inputs, run.title, run.language)
        rendered = pdf.render_pdf(html, meta, progress=_Progress(run_id))
    sha256 = hashlib.sha256(rendered.data).hexdigest()
    stored = storage.store(rendered.data, sha256, run_id)
    seconds = time.monotonic() - began
    with transaction.atomic():
        current = ReportRun.objects.select_for_update().get(pk=run_id)
        if current.state != RunState.RUNNING:
            # Swept as failed meanwhile: the file stays (content-addressed, harmless).
            return current
        current.state = RunState.DONE
        current.finished_at = timezone.now()
        current.render_seconds = seconds
        current.file_name = stored.name
        current.sha256 = stored.sha256
        current.size = stored.size
        current.pages = rendered.pages
        current.progress = ""
        current.error = ""
        current.save()
    logger.info("Report run %s rendered: %d pages in %.2f s", run_id, rendered.pages, seconds)
    return current


def fail_run(run_id: int, error: str) -> None:
    """Mark a queued or running run failed with ``error``; it may then be asked again."""
    ReportRun.objects.filter(pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.FAILED, error=error[:2000], finished_at=timezone.now()
    )


@dataclass(frozen=True)
class Sweep:
    """What a sweep did."""

    failed_running: int
    failed_queued: int
    removed_files: int


def sweep_runs(now: datetime.datetime | None = None) -> Sweep:
    """Fail runs whose worker vanished, and remove temporary files left behind.

    A run still running past the task's time limit (plus a minute) lost its worker; a
    run queued for a day was lost by its broker. Both may be asked again.
    """
    now = now or timezone.now()
    limit = datetime.timedelta(seconds=settings.REPORT_TIME_LIMIT + 60)
    with translation.override(settings.LANGUAGE_CODE):
        # A city-wide run waits for its parts, which may queue behind other work; its
        # own sweep (``city.sweep_parts``) looks at the parts and the joining instead.
        running = (
            ReportRun.objects.filter(state=RunState.RUNNING, started_at__lt=now - limit)
            .exclude(scope=ReportScope.CITY)
            .update(
                state=RunState.FAILED,
                finished_at=now,
                error=translation.gettext(
                    "The rendering did not finish within its time limit; its worker stopped."
                ),
            )
        )
        queued = ReportRun.objects.filter(
            state=RunState.QUEUED, queued_at__lt=now - datetime.timedelta(days=1)
        ).update(
            state=RunState.FAILED,
            finished_at=now,
            error=translation.gettext("No worker took the run within a day."),
        )
    removed = storage.remove_stale_incoming(limit, now)
    return Sweep(failed_running=running, failed_queued=queued, removed_files=removed)
