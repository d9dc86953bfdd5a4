"""The city-wide report: asked for by SLK, rendered in parts by any number of workers, joined.

``request_city_report`` runs in the web request: it collects the inputs of every part
(``reporting.queries.city_inputs``), hashes them and joins the live run with the same
hash or queues a new one. In the worker, ``plan_run`` lists the run's parts: the body
parts whose hash a part already carries are reused (rendered once, whichever run asked
first), the others are queued, each as its own task, so two worker processes render two
parts at once. Whoever finishes a run's last part queues the joining
(``assemble_run``), which renders the overview last (its table of contents needs every
part's first page), joins the parts with their structure trees (``pdf.assemble``),
stamps the page numbers and stores the file. Everything is collected through the
database rows (``RunPart``, ``ReportPart``); no result backend is needed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone, translation

from programme import report_access
from programme.access import AnyUser
from programme.models import Audience
from reporting import city_rendering, pdf, rendering, storage
from reporting.models import (
    PartKind,
    ReportPart,
    ReportRequest,
    ReportRun,
    ReportScope,
    RunPart,
    RunState,
)
from reporting.queries.city_inputs import city_report_inputs, city_report_title
from reporting.services.reports import MAX_ATTEMPTS, fail_run

logger = logging.getLogger(__name__)

Inputs = dict[str, Any]
# The overview is rendered again when its own page count turned out other than assumed.
OVERVIEW_ATTEMPTS = 3


@dataclass(frozen=True)
class Dispatch:
    """How the service hands work to the worker (Celery tasks, or a test's own calls)."""

    part: Callable[[int], object]
    assemble: Callable[[int], object]
    plan: Callable[[int], object]


def celery_dispatch() -> Dispatch:
    """The worker's tasks, sent to the broker; one the broker refuses fails its run at once
    (or its part, and the runs waiting for it), so nobody waits for a run never queued."""
    from reporting import tasks

    def send(task: Any, pk: int, fail: Callable[[int, str], None]) -> None:
        try:
            task.delay(pk)
        except Exception as error:  # the broker's many kinds of refusal
            logger.exception("Task %s for %s could not be queued", task.name, pk)
            with translation.override(settings.LANGUAGE_CODE):
                fail(
                    pk,
                    translation.gettext("The run could not be queued: %(error)s")
                    % {"error": error},
                )

    return Dispatch(
        part=lambda part_id: send(tasks.render_report_part, part_id, fail_part),
        assemble=lambda run_id: send(tasks.assemble_city_report, run_id, fail_run),
        plan=lambda run_id: send(tasks.plan_city_report, run_id, fail_run),
    )


def _dispatch(dispatch: Dispatch | None) -> Dispatch:
    return dispatch if dispatch is not None else celery_dispatch()


def city_file_title(title: str, audience: Audience, published: bool) -> str:
    """The file name a download gets, without ".pdf"."""
    name = title
    if audience == Audience.FULL:
        name += " (" + translation.gettext("full") + ")"
    if not published:
        name += " (" + translation.pgettext("file name", "draft") + ")"
    return name.replace("/", "-")


def _shared(inputs: Inputs) -> Inputs:
    """What every part may read besides its own entry: the inputs but the parts' own."""
    return {key: value for key, value in inputs.items() if key not in ("overview", "bodies")}


def _hash(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def part_hash(kind: str, key: str, content: object, audience: str, language: str) -> str:
    """The hash of one part: its kind, its own inputs, the variant, language and fingerprint."""
    return _hash(
        {
            "kind": kind,
            "key": key,
            "content": content,
            "audience": audience,
            "language": language,
            "fingerprint": rendering.fingerprint(),
        }
    )


def request_city_report(
    user: AnyUser,
    year: int,
    period: str,
    audience: Audience,
    dispatch: Dispatch | None = None,
) -> ReportRequest:
    """Ask for the city-wide report of ``year`` and ``period`` for ``audience`` (SLK only).

    A variant the user may not ask for answers 404. Unchanged inputs join the live or
    finished run; otherwise a run is queued and planned by the worker after commit.
    """
    if not report_access.may_ask_city_report(user) or audience not in (
        Audience.FULL,
        Audience.GENERAL,
    ):
        raise Http404
    language = translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        inputs = city_report_inputs(year, period, audience)
        title = city_report_title(year, period)
        name = city_file_title(title, audience, published=False)
    digest = rendering.city_input_hash(inputs, year, period, audience.value, language)
    send = _dispatch(dispatch)
    with transaction.atomic():
        run = ReportRun.objects.exclude(state=RunState.FAILED).filter(input_hash=digest).first()
        joined = run is not None
        if run is None:
            try:
                with transaction.atomic():
                    run = ReportRun.objects.create(
                        scope=ReportScope.CITY,
                        year=year,
                        period=period,
                        audience=audience,
                        language=language,
                        title=title,
                        file_title=name,
                        inputs=inputs,
                        input_hash=digest,
                    )
            except IntegrityError:
                run = ReportRun.objects.exclude(state=RunState.FAILED).get(input_hash=digest)
                joined = True
        request = ReportRequest.objects.create(
            run=run, requested_by=cast(User, user), joined=joined
        )
        if not joined:
            run_id = run.pk
            transaction.on_commit(lambda: send.plan(run_id))
    return request


# --- In the worker -----------------------------------------------------------------------


def _claim_run(run_id: int) -> ReportRun | None:
    """Mark the run running for this attempt; None when it is done, failed or gone."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state in (RunState.DONE, RunState.FAILED):
            return None
        if run.attempts >= MAX_ATTEMPTS:
            _fail_locked(run, translation.gettext("The rendering was tried too many times."))
            return None
        if run.state == RunState.QUEUED:
            run.started_at = timezone.now()
        run.state = RunState.RUNNING
        run.attempts += 1
        run.save(update_fields=["state", "started_at", "attempts"])
        return run


def _fail_locked(run: ReportRun, error: str) -> None:
    run.state = RunState.FAILED
    run.finished_at = timezone.now()
    run.error = error[:2000]
    run.save(update_fields=["state", "finished_at", "error"])


def plan_run(run_id: int, dispatch: Dispatch | None = None) -> list[int]:
    """List the run's body parts, reusing every part already made; queue the rest.

    Safe to run twice. Returns the ids of the parts queued now. When every part is
    already there the joining is queued at once.
    """
    run = _claim_run(run_id)
    if run is None:
        return []
    send = _dispatch(dispatch)
    inputs = run.inputs
    shared = _shared(inputs)
    queued: list[int] = []
    with transaction.atomic():
        if not RunPart.objects.filter(run=run).exists():
            for position, body in enumerate(inputs["bodies"], start=1):
                content = {"shared": shared, "body": body}
                digest = part_hash(PartKind.BODY, body["key"], content, run.audience, run.language)
                part, created = _part_for(PartKind.BODY, body["key"], digest)
                RunPart.objects.create(run=run, part=part, position=position)
                if created:
                    queued.append(part.pk)
        else:
            # Planned before (a redelivered task): queue again what never finished.
            queued = list(
                ReportPart.objects.filter(run_parts__run=run, state=RunState.QUEUED).values_list(
                    "pk", flat=True
                )
            )
        transaction.on_commit(lambda: _send_parts(send, queued))
    transaction.on_commit(lambda: _assemble_if_ready(run_id, send))
    _write_progress(run_id)
    return queued


def _send_parts(send: Dispatch, part_ids: list[int]) -> None:
    for part_id in part_ids:
        send.part(part_id)


def _part_for(kind: str, key: str, digest: str) -> tuple[ReportPart, bool]:
    """The live part with this hash, or a new queued one (created: True)."""
    part = ReportPart.objects.exclude(state=RunState.FAILED).filter(input_hash=digest).first()
    if part is not None:
        return part, False
    try:
        with transaction.atomic():
            return ReportPart.objects.create(kind=kind, key=key, input_hash=digest), True
    except IntegrityError:
        return ReportPart.objects.exclude(state=RunState.FAILED).get(input_hash=digest), False


def _claim_part(part_id: int) -> ReportPart | None:
    with transaction.atomic():
        part = ReportPart.objects.select_for_update().filter(pk=part_id).first()
        if part is None or part.state in (RunState.DONE, RunState.FAILED):
            return None
        if part.attempts >= MAX_ATTEMPTS:
            part.state = RunState.FAILED
            part.error = "too many attempts"
            part.save(update_fields=["state", "error"])
            return None
        part.state = RunState.RUNNING
        part.started_at = timezone.now()
        part.attempts += 1
        part.save(update_fields=["state", "started_at", "attempts"])
        return part


def render_part(part_id: int, dispatch: Dispatch | None = None) -> ReportPart | None:
    """Render one body part and store it; then queue the joining of every run it completes.

    Safe to run twice; returns the part, or None when there was nothing to do.
    """
    part = _claim_part(part_id)
    if part is None:
        return None
    run_part = RunPart.objects.filter(part=part).select_related("run").order_by("-run_id").first()
    if run_part is None:
        # No run needs it any longer (never happens while runs keep their parts).
        ReportPart.objects.filter(pk=part_id).update(state=RunState.FAILED, error="orphaned")
        return None
    run = run_part.run
    body = run.inputs["bodies"][run_part.position - 1]
    began = time.monotonic()
    with translation.override(run.language):
        html = city_rendering.body_html(_shared(run.inputs), body, run.language)
        rendered = pdf.render_part(html, _part_meta(run, body.get("name") or body["key"]))
    _store_part(part_id, rendered, time.monotonic() - began)
    for run_id in RunPart.objects.filter(part_id=part_id).values_list("run_id", flat=True):
        _write_progress(run_id)
        _assemble_if_ready(run_id, _dispatch(dispatch))
    return ReportPart.objects.get(pk=part_id)


def _part_meta(run: ReportRun, title: str) -> pdf.PdfMeta:
    return pdf.PdfMeta(
        title=title,
        author=run.title,
        subject=run.title,
        keywords=(str(run.year), run.period),
        language=run.language,
    )


def _store_part(part_id: int, rendered: pdf.RenderedPart, seconds: float) -> None:
    sha256 = hashlib.sha256(rendered.data).hexdigest()
    stored = storage.store(rendered.data, sha256, part_id)
    ReportPart.objects.filter(pk=part_id, state=RunState.RUNNING).update(
        state=RunState.DONE,
        finished_at=timezone.now(),
        render_seconds=seconds,
        file_name=stored.name,
        sha256=stored.sha256,
        pages=len(rendered.geometries),
        geometries=[list(geometry) for geometry in rendered.geometries],
        error="",
    )


def fail_part(part_id: int, error: str) -> None:
    """Mark the part failed, and with it every run still waiting for it."""
    ReportPart.objects.filter(pk=part_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    for run_id in RunPart.objects.filter(part_id=part_id).values_list("run_id", flat=True):
        fail_run(run_id, error)


def _write_progress(run_id: int) -> None:
    parts = RunPart.objects.filter(run_id=run_id)
    total = parts.count()
    done = parts.filter(part__state=RunState.DONE).count()
    text = translation.gettext("%(done)s of %(total)s bodies' parts ready…") % {
        "done": done,
        "total": total,
    }
    ReportRun.objects.filter(pk=run_id, state=RunState.RUNNING, assembly_queued=False).update(
        progress=text[:200]
    )


def _assemble_if_ready(run_id: int, send: Dispatch) -> None:
    """Queue the run's joining once, when its last part is done."""
    waiting = RunPart.objects.filter(run_id=run_id).exclude(part__state=RunState.DONE)
    if waiting.exists():
        return
    claimed = ReportRun.objects.filter(
        pk=run_id, state=RunState.RUNNING, assembly_queued=False
    ).update(assembly_queued=True, progress=translation.gettext("Putting the report together…"))
    if claimed:
        send.assemble(run_id)


def assemble_run(run_id: int) -> ReportRun | None:
    """Render the overview, join it with the body parts, stamp and store the file.

    Safe to run twice: a run already done is left as it is.
    """
    run = ReportRun.objects.filter(pk=run_id, state=RunState.RUNNING).first()
    if run is None:
        return None
    rows = list(RunPart.objects.filter(run=run).select_related("part").order_by("position"))
    if any(row.part.state != RunState.DONE for row in rows):
        raise RuntimeError(f"run {run_id} has parts that are not done")
    bodies = run.inputs["bodies"]
    with translation.override(run.language):
        overview, overview_rendered = _overview(run, rows, bodies)
        parts: list[tuple[str, pdf.RenderedPart]] = [("overview", overview_rendered)]
        parts += [(row.part.key, _load_part(row.part)) for row in rows]
        meta = city_rendering.city_pdf_meta(run.inputs, run.language, Audience(run.audience))
        rendered = pdf.assemble(parts, meta)
    sha256 = hashlib.sha256(rendered.data).hexdigest()
    stored = storage.store(rendered.data, sha256, run_id)
    with transaction.atomic():
        current = ReportRun.objects.select_for_update().get(pk=run_id)
        if current.state != RunState.RUNNING:
            return current
        current.state = RunState.DONE
        current.finished_at = timezone.now()
        # From the run's start: its parts, the overview and the joining.
        current.render_seconds = (
            current.finished_at - (current.started_at or current.queued_at)
        ).total_seconds()
        current.file_name = stored.name
        current.sha256 = stored.sha256
        current.size = stored.size
        current.pages = rendered.pages
        current.progress = ""
        current.error = ""
        current.save()
    logger.info(
        "City-wide run %s joined: %d parts, %d pages (overview %s)",
        run_id,
        len(parts),
        rendered.pages,
        overview.pk,
    )
    return current


def _overview(
    run: ReportRun, rows: list[RunPart], bodies: list[Inputs]
) -> tuple[ReportPart, pdf.RenderedPart]:
    """The overview part, whose contents give each body part's first page in the file.

    Its own page count is assumed (the last overview's of the same report, else of any,
    else 2) and the overview rendered again when the assumption was wrong.
    """
    # The last overview of this report, else of any (another year's is close): a right
    # guess saves rendering the overview twice.
    overviews = ReportPart.objects.filter(kind=PartKind.OVERVIEW, state=RunState.DONE)
    previous = (
        overviews.filter(key=_overview_key(run)).order_by("-finished_at").first()
        or overviews.order_by("-finished_at").first()
    )
    assumed = previous.pages if previous is not None and previous.pages else 2
    for _attempt in range(OVERVIEW_ATTEMPTS):
        contents = []
        page = assumed + 1
        for row, body in zip(rows, bodies, strict=True):
            contents.append(
                {"key": row.part.key, "title": body.get("name") or row.part.key, "page": page}
            )
            page += row.part.pages or 0
        content = {"inputs": run.inputs["overview"], "shared": _shared(run.inputs)}
        content["contents"] = contents
        digest = part_hash(
            PartKind.OVERVIEW, _overview_key(run), content, run.audience, run.language
        )
        part, rendered = _overview_part(run, digest, contents)
        if len(rendered.geometries) == assumed:
            return part, rendered
        assumed = len(rendered.geometries)
    raise RuntimeError(f"the overview of run {run.pk} does not settle on a page count")


def _overview_key(run: ReportRun) -> str:
    return f"overview-{run.year}-{run.period}-{run.audience}"


def _overview_part(
    run: ReportRun, digest: str, contents: list[dict[str, Any]]
) -> tuple[ReportPart, pdf.RenderedPart]:
    """The overview for these contents: the stored one with this hash, or rendered now."""
    existing = ReportPart.objects.filter(input_hash=digest, state=RunState.DONE).first()
    if existing is not None:
        return existing, _load_part(existing)
    part, _created = _part_for(PartKind.OVERVIEW, _overview_key(run), digest)
    html = city_rendering.overview_html(run.inputs, run.language, contents)
    began = time.monotonic()
    rendered = pdf.render_part(html, _part_meta(run, run.title))
    ReportPart.objects.filter(pk=part.pk, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    _store_part(part.pk, rendered, time.monotonic() - began)
    return ReportPart.objects.get(pk=part.pk), rendered


def _load_part(part: ReportPart) -> pdf.RenderedPart:
    with storage.report_storage().open(part.file_name, "rb") as handle:
        data = handle.read()
    geometries = [
        cast(pdf.PageGeometry, tuple(float(value) for value in row)) for row in part.geometries
    ]
    return pdf.RenderedPart(data=data, geometries=geometries)
