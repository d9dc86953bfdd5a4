"""Benchmark: a referral round's board, compilation pages, Excel file and PDF, in process.

    .venv/bin/python bench/referrals.py [--database ppm_referral_bench] [--reuse]
                                        [--size 40x15] [--small 10x5] [--requests 20]

Creates the PostgreSQL database ``--database`` (dropped first if it exists, kept with
``--reuse``) beside the server ``--postgres`` names, migrates it and loads the real
programme data and the historical referral rounds (``load_programme_data``,
``load_referral_history``). It then makes two rounds on the programme version in force,
``--size`` (responses × statements: 40 × 15) and ``--small`` (10 × 5): every body that
exists this year is asked, and where there are fewer bodies than responses, synthetic
bodies named "… (syntetisk, benchmark)" make up the number. Each body has a submitted
response whose statements are spread over the round's six sections with every stance,
and SLK has recorded a disposition of every statement. The rows are written with the
ORM (``bulk_create``: no history rows), not through the services.

Signed in as an SLK reviewer, it reads through Django's test client, in this process:
the round page with SLK's board (``remiss:round-detail``) and the compilation page of
the round's first section (``remiss:compilation-section``) — CPU milliseconds
(``time.process_time``: this process, not PostgreSQL's) as the median of ``--requests``
warm requests, wall milliseconds likewise, and the queries of one request
(``CaptureQueriesContext``) at both sizes — then the Excel file of the compilation
(``remiss:compilation-export``, after one untimed download) and the full compilation PDF
from the request (``request_compilation_pdf``) to the run done with its file stored
(the worker's ``render_run``, called in this process, as ``bench/report_child.py`` does).
It prints a table and which targets were met or missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import _environment, _make_database, _manage  # noqa: E402

PYTHON = sys.executable

TARGET_CPU_MS = 25.0
TARGET_FILE_S = 30.0
FREE_SECTIONS = ("Genomförande och uppföljning", "Övriga synpunkter")
SYNTHETIC = "(syntetisk, benchmark)"
# A paragraph of the length a statement in the seed responses has (about 400 characters).
TEXT = (
    "Nämnden ser positivt på att avsnittet tydliggör ansvarsfördelningen mellan stadens "
    "nämnder och bolag, men anser att uppföljningen behöver kopplas till de indikatorer som "
    "redan rapporteras i stadens ledningssystem. Förvaltningen föreslår att skrivningen om "
    "samverkan med polis och civilsamhälle förtydligas, och att de resurser som krävs för "
    "det lokala trygghetsarbetet anges för varje år av programperioden ({n})."
)


def main() -> None:
    """Make the data, measure, print the figures and the targets met or missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument("--database", default="ppm_referral_bench", help="the bench database")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    parser.add_argument("--size", default="40x15", help="responses × statements of the round")
    parser.add_argument("--small", default="10x5", help="the second, smaller round")
    parser.add_argument("--requests", type=int, default=20, help="warm requests a page")
    parser.add_argument("--exports", type=int, default=3, help="timed Excel downloads")
    parser.add_argument("--pdfs", type=int, default=2, help="PDF renders (the first is cold)")
    parser.add_argument("--pages-only", action="store_true", help="the two pages, not the files")
    parser.add_argument("--profile", type=int, default=0, help="profile N requests of each page")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="ppm-referral-bench-")
    try:
        env = _environment(args, var_dir)
        _make_database(args, env, fill=_load_referral_history)
        os.environ.update(env)
        import django

        django.setup()
        _bench(args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _load_referral_history(args: argparse.Namespace, env: dict[str, str]) -> None:
    """The five seed responses as historical rounds (the rounds measured are added later)."""
    print(" ", _manage(env, "load_referral_history"))


# --- The rounds ---------------------------------------------------------------------------


def _reviewer() -> Any:
    """An SLK reviewer, made once in the bench database."""
    from django.contrib.auth.models import User

    from programme.models import GlobalRole, GlobalRoleKind

    user, _ = User.objects.get_or_create(username="bench-slk", defaults={"first_name": "Bench"})
    GlobalRole.objects.get_or_create(user=user, role=GlobalRoleKind.SLK_REVIEWER)
    return user


def _bodies(count: int, year: int) -> tuple[list[Any], int]:
    """``count`` bodies: every one that exists in ``year`` first, then synthetic ones.

    Returns the bodies and how many of them are synthetic.
    """
    from programme.models import Body, BodyKind
    from programme.sorting import swedish_sort_key

    real = sorted(
        Body.objects.existing_in(year).exclude(name__endswith=SYNTHETIC),
        key=lambda body: swedish_sort_key(body.name),
    )
    chosen = real[:count]
    synthetic = count - len(chosen)
    for number in range(1, synthetic + 1):
        body, _ = Body.objects.get_or_create(
            slug=f"benchmark-syntetisk-{number:02d}",
            defaults={
                "name": f"Nämnd {number:02d} {SYNTHETIC}",
                "kind": BodyKind.SPECIALIST_COMMITTEE,
            },
        )
        chosen.append(body)
    return chosen, synthetic


def _drop_round(referral: Any) -> None:
    """Remove a bench round and everything under it (its report runs too)."""
    from remiss.models import Response
    from reporting.models import ReportRun

    ReportRun.objects.filter(referral=referral).delete()
    Response.objects.filter(referral=referral).delete()
    referral.delete()


@dataclass(frozen=True)
class Round:
    """A bench round and what it holds."""

    referral: Any
    responses: int
    statements: int
    synthetic: int
    first_section: Any


def _make_round(programme: Any, responses: int, per_response: int) -> Round:
    """The round of ``responses`` submitted responses of ``per_response`` statements each.

    Kept when a round of that size is there already with every disposition; made afresh
    otherwise.
    """
    from django.db import transaction
    from django.utils import timezone

    from programme.models import Confidentiality, FocusArea
    from remiss.models import (
        DispositionOutcome,
        Invitation,
        Referral,
        ReferralSection,
        Response,
        ResponseState,
        Signatory,
        Stance,
        Statement,
    )
    from remiss.models.compilation import OUTCOMES_NEEDING_REASON, Disposition

    today = timezone.localdate()
    bodies, synthetic = _bodies(responses, today.year)
    number = f"BENCH {today.year}/{responses}x{per_response}"
    existing = Referral.objects.filter(registration_number=number).first()
    wanted = responses * per_response
    if existing is not None:
        held = Disposition.objects.filter(statement__response__referral=existing).count()
        if held == wanted and existing.responses.count() == responses:
            first = existing.sections.order_by("position").first()
            return Round(existing, responses, wanted, synthetic, first)
        _drop_round(existing)
    with transaction.atomic():
        referral = Referral.objects.create(
            registration_number=number,
            title=f"Benchmark: {responses} svar med {per_response} ställningstaganden",
            programme=programme,
            sender_name="Kommunstyrelsen",
            sent_on=today - datetime.timedelta(days=60),
            deadline=today + datetime.timedelta(days=30),
        )
        areas = FocusArea.objects.filter(programme=programme).order_by("position")
        sections = [
            ReferralSection(referral=referral, position=index, focus_area=area)
            for index, area in enumerate(areas, start=1)
        ]
        sections += [
            ReferralSection(referral=referral, position=len(sections) + index, title=title)
            for index, title in enumerate(FREE_SECTIONS, start=1)
        ]
        sections = ReferralSection.objects.bulk_create(sections)
        Invitation.objects.bulk_create(
            Invitation(referral=referral, body=body, invited_on=referral.sent_on) for body in bodies
        )
        answers = Response.objects.bulk_create(
            Response(
                referral=referral,
                body=body,
                confidentiality=Confidentiality.INTERNAL,
                state=ResponseState.SUBMITTED,
                written_by=f"{body.name}s förvaltning",
                document_date=today - datetime.timedelta(days=20),
                summary="<p>" + TEXT.format(n="sammanfattning") + "</p>",
                views="<p>" + TEXT.format(n="synpunkter") + "</p>",
                meeting_date=today - datetime.timedelta(days=10),
                decision_text="<p>Nämnden överlämnar tjänsteutlåtandet som svar på remissen.</p>",
                minutes_paragraph="§ 12",
                submitted_at=timezone.now(),
            )
            for body in bodies
        )
        Signatory.objects.bulk_create(
            Signatory(response=answer, position=1, name="Anna Andersson", title="Förvaltningschef")
            for answer in answers
        )
        stances, levels = list(Stance), list(Confidentiality)
        statements = Statement.objects.bulk_create(
            Statement(
                response=answer,
                section=sections[(index + position) % len(sections)],
                position=position,
                stance=stances[(index * 3 + position) % len(stances)],
                text="<p>" + TEXT.format(n=f"punkt {position}") + "</p>",
                # Mostly open, some internal, a few confidential: SLK reads every one.
                confidentiality=levels[0 if position % 5 else 1 + (index + position) % 2],
            )
            for index, answer in enumerate(answers)
            for position in range(1, per_response + 1)
        )
        outcomes = list(DispositionOutcome)
        Disposition.objects.bulk_create(
            Disposition(
                statement=statement,
                outcome=(outcome := outcomes[index % len(outcomes)]),
                reason=(
                    "Synpunkten har beaktats i avsnittets nya lydelse."
                    if outcome not in OUTCOMES_NEEDING_REASON
                    else "Frågan hanteras i stadens budget och inte i programmet."
                ),
            )
            for index, statement in enumerate(statements)
        )
    return Round(referral, responses, len(statements), synthetic, sections[0])


# --- Measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFigures:
    """A page read warm: medians of CPU and wall milliseconds, and its queries."""

    cpu_ms: float
    wall_ms: float
    queries: int
    size: int


def _measure(client: Any, url: str, requests: int) -> PageFigures:
    """Read ``url`` three times untimed, once counting queries, then ``requests`` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        answer = client.get(url)
        if answer.status_code != 200:
            raise SystemExit(f"{url} answered {answer.status_code}")
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    # Counted now: the next request empties the log the capture reads from.
    queries = len(captured)
    cpu, wall = [], []
    for _ in range(requests):
        started_cpu, started = time.process_time(), time.perf_counter()
        client.get(url)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return PageFigures(
        statistics.median(cpu), statistics.median(wall), queries, len(answer.content)
    )


def _time_export(client: Any, url: str, rounds: int) -> tuple[float, list[float], int]:
    """Seconds of the first download (cold: imports openpyxl), then of each of ``rounds``."""
    started = time.perf_counter()
    first = client.get(url)
    cold = time.perf_counter() - started
    if first.status_code != 200:
        raise SystemExit(f"{url} answered {first.status_code}")
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return cold, timings, len(first.content)


@dataclass(frozen=True)
class PdfFigures:
    """One compilation PDF, from the request to the run done."""

    seconds: float
    cpu_seconds: float
    request_seconds: float
    pages: int
    size: int


def _render_pdf(user: Any, referral: Any) -> PdfFigures:
    """Ask for the full compilation PDF as SLK and render the run in this process."""
    from django.conf import settings
    from django.utils import translation

    from programme.access import Audience
    from reporting.models import ReportRun
    from reporting.services.referral import request_compilation_pdf
    from reporting.services.reports import render_run

    # A run of the same inputs would be joined, not rendered: the bench's own go first.
    ReportRun.objects.filter(referral=referral).delete()
    queued: list[int] = []
    started_cpu, started = time.process_time(), time.perf_counter()
    with translation.override(settings.LANGUAGE_CODE):
        request_compilation_pdf(user, referral, Audience.FULL, enqueue=queued.append)
    asked = time.perf_counter() - started
    if len(queued) != 1:
        raise SystemExit("request_compilation_pdf queued no new run")
    done = render_run(queued[0])
    seconds = time.perf_counter() - started
    if done is None or not done.file_name:
        raise SystemExit(f"run {queued[0]} was not rendered: {done and done.error}")
    return PdfFigures(
        seconds, time.process_time() - started_cpu, asked, done.pages or 0, done.size or 0
    )


def _bench(args: argparse.Namespace) -> None:
    from django.test import Client
    from django.urls import reverse

    from programme.models import Programme

    programme = Programme.objects.order_by("-first_year", "-pk").first()
    if programme is None:
        raise SystemExit("No programme version: load_programme_data first.")
    user = _reviewer()
    client = Client()
    client.force_login(user)
    sizes = [[int(n) for n in size.lower().split("x")] for size in (args.size, args.small)]
    rounds = [_make_round(programme, *size) for size in sizes]
    big = rounds[0]
    print(
        f"Rounds on {programme.name}: "
        + "; ".join(f"{r.responses} responses × {r.statements // r.responses}" for r in rounds)
        + f"; {big.referral.sections.count()} sections; {os.cpu_count()} cores."
    )
    if big.synthetic:
        print(
            f"Only {big.responses - big.synthetic} bodies exist this year: "
            f"{big.synthetic} synthetic bodies {SYNTHETIC} make up {big.responses}."
        )
    pages: dict[tuple[str, int], PageFigures] = {}
    for round_ in rounds:
        for name, url in _urls(round_).items():
            pages[name, round_.statements] = _measure(client, url, args.requests)
    if args.profile:
        for name, url in _urls(big).items():
            _profile(client, name, url, args.profile)
    if args.pages_only:
        _report(args, rounds, pages, None, [])
        return
    export_url = reverse("remiss:compilation-export", kwargs={"pk": big.referral.pk})
    cold, exports, export_size = _time_export(client, export_url, args.exports)
    pdfs = [_render_pdf(user, big.referral) for _ in range(args.pdfs)]
    _report(args, rounds, pages, (cold, exports, export_size), pdfs)


def _urls(round_: Round) -> dict[str, str]:
    """The two pages measured: the round page with the board, the first section's page."""
    from django.urls import reverse

    pk = round_.referral.pk
    return {
        "board": reverse("remiss:round-detail", kwargs={"pk": pk}),
        "section": reverse(
            "remiss:compilation-section", kwargs={"pk": pk, "section_pk": round_.first_section.pk}
        ),
    }


def _profile(client: Any, name: str, url: str, requests: int) -> None:
    """Print where ``requests`` warm requests of ``url`` spend CPU time (cProfile)."""
    import cProfile
    import pstats

    client.get(url)
    profiler = cProfile.Profile(time.process_time)
    for _ in range(requests):
        profiler.runcall(client.get, url)
    print(f"\nProfile of {requests} requests of the {name} page ({url}):")
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(60)


def _report(
    args: argparse.Namespace,
    rounds: list[Round],
    pages: dict[tuple[str, int], PageFigures],
    export: tuple[float, list[float], int] | None,
    pdfs: list[PdfFigures],
) -> None:
    """Print the table and the targets met or missed."""
    labels = {
        "board": "round page with SLK's board (remiss:round-detail)",
        "section": "compilation section page (remiss:compilation-section)",
    }
    missed: list[str] = []
    print(f"\nIn process, Django test client, SLK reviewer; medians of {args.requests} warm")
    print(f"{'page':<56} {'round':>10} {'rows':>5} {'CPU ms':>7} {'wall ms':>8} {'queries':>8}")
    for name, label in labels.items():
        counts = set()
        for round_ in rounds:
            figures = pages[name, round_.statements]
            counts.add(figures.queries)
            shape = f"{round_.responses}×{round_.statements // round_.responses}"
            rows = round_.responses if name == "board" else _section_rows(round_)
            print(
                f"{label:<56} {shape:>10} {rows:>5} {figures.cpu_ms:7.1f} "
                f"{figures.wall_ms:8.1f} {figures.queries:8d}"
            )
            if figures.cpu_ms > TARGET_CPU_MS:
                missed.append(
                    f"{label}, {shape}: {figures.cpu_ms:.1f} ms CPU > {TARGET_CPU_MS:.0f}"
                )
        if len(counts) > 1:
            missed.append(f"{label}: queries change with the size ({sorted(counts)})")
    if export is not None:
        missed += _report_files(rounds[0], export, pdfs)
    print(
        f"\nTargets: ≤ {TARGET_CPU_MS:.0f} ms CPU warm and queries constant in the number of "
        f"statements (board, section page); Excel file and PDF ≤ {TARGET_FILE_S:.0f} s: ",
        end="",
    )
    print("all met." if not missed else "missed:\n  " + "\n  ".join(missed))


def _report_files(
    big: Round, export: tuple[float, list[float], int], pdfs: list[PdfFigures]
) -> list[str]:
    """Print the Excel file's and the PDF's figures; return the targets they missed."""
    missed: list[str] = []
    cold, timings, size = export
    print(
        f"\nExcel file of the compilation (remiss:compilation-export), {big.statements} rows, "
        f"{size / 1024:.0f} kB: first {cold:.2f} s, then median {statistics.median(timings):.2f} s,"
        f" slowest {max(timings):.2f} s"
    )
    if max(cold, *timings) > TARGET_FILE_S:
        missed.append(f"Excel file: {max(cold, *timings):.1f} s > {TARGET_FILE_S:.0f} s")
    for index, pdf in enumerate(pdfs):
        print(
            f"Compilation PDF, full, {'first (cold)' if index == 0 else 'again (warm)'}: "
            f"{pdf.seconds:.2f} s from the request to the run done ({pdf.cpu_seconds:.2f} s CPU;"
            f" the request {pdf.request_seconds:.2f} s), {pdf.pages} pages, "
            f"{pdf.size / 1024:.0f} kB"
        )
        if pdf.seconds > TARGET_FILE_S:
            missed.append(f"compilation PDF: {pdf.seconds:.1f} s > {TARGET_FILE_S:.0f} s")
    return missed


def _section_rows(round_: Round) -> int:
    """How many statements the first section's page shows."""
    return int(round_.first_section.statements.count())


if __name__ == "__main__":
    main()
