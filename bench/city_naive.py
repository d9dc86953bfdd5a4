"""The naive rendering of the city-wide benchmark (``bench/city_reports.py``).

The same content as the city-wide report, as one WeasyPrint document: the overview's
HTML with each body's HTML appended (links between parts made links inside the
document), rendered by ``pdf.render_pdf`` once. ``naive_child`` runs in the new process
the benchmark starts (``bench/city_reports.py --naive-child``) and prints its figures as
``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from typing import Any


def naive_child(args: argparse.Namespace) -> None:
    """Render the city-wide report as one WeasyPrint document; print ``RESULT {json}``."""
    steps: dict[str, float] = {}
    mark = time.monotonic()

    def step(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        steps[name] = now - mark
        mark = now

    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from programme.models import Audience
    from reporting import city_rendering, pdf
    from reporting.queries.city_inputs import city_report_inputs

    step("Django set-up")
    audience = Audience(args.audience)
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        inputs = city_report_inputs(args.year, "annual", audience)
        step("inputs")
        html = naive_html(inputs, language, contents(args.year, audience, inputs))
        meta = city_rendering.city_pdf_meta(inputs, language, audience)
        step("HTML")
        rendered = pdf.render_pdf(html, meta)
        step("render_pdf (WeasyPrint, stamp, pikepdf)")
    rendered_at = time.monotonic()
    result = {
        "rendered_at": rendered_at,
        "pages": rendered.pages,
        "size": len(rendered.data),
        "steps": steps,
    }
    print("RESULT " + json.dumps(result))


def contents(year: int, audience: Any, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The overview's contents: each body's first page in the last file the workers made."""
    from reporting.models import ReportRun, RunPart

    run = (
        ReportRun.objects.filter(scope="city", year=year, audience=audience, state="done")
        .order_by("-finished_at")
        .first()
    )
    pages = {}
    if run is not None:
        rows = RunPart.objects.filter(run=run).select_related("part").order_by("position")
        page = (run.pages or 0) - sum(row.part.pages or 0 for row in rows) + 1
        for row in rows:
            pages[row.part.key] = page
            page += row.part.pages or 0
    return [
        {
            "key": body["key"],
            "title": body.get("name") or body["key"],
            "page": pages.get(body["key"], ""),
        }
        for body in inputs["bodies"]
    ]


def naive_html(inputs: dict[str, Any], language: str, contents: list[dict[str, Any]]) -> str:
    """The overview's document with every body's part appended, links made internal."""
    from reporting import city_rendering, pdf

    overview = city_rendering.overview_html(inputs, language, contents)
    sections = []
    for body in inputs["bodies"]:
        document = city_rendering.body_html(inputs, body, language)
        inner = re.search(r"<body[^>]*>(.*)</body>", document, re.DOTALL)
        assert inner is not None
        sections.append(
            f'<section class="city-body" id="del-{body["key"]}" style="break-before: page">'
            f"{inner.group(1)}</section>"
        )
    html = overview.replace("</body>", "".join(sections) + "</body>")
    return html.replace(pdf.PART_LINK_PREFIX, "#del-")
