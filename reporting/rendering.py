"""A report's inputs made into HTML and PDF metadata, and the fingerprint of everything else.

The renderer reads only the inputs (``reporting.queries.report_inputs``): no query, no
access decision, nothing that could differ between the web process that hashed the
inputs and the worker that prints them. What else changes the file (the templates, this
code, the chart code, WeasyPrint, the fonts and the static files the PDF module may
read) is summed up by ``fingerprint``, which is part of every run's input hash.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from programme import charts
from programme.charts import Bar, Series
from programme.models import ActivityStatus
from programme.numbers import number_text
from reporting import pdf
from reporting.queries.report_inputs import Inputs

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "reporting"
CODE_FILES = (
    Path(__file__),
    Path(__file__).parent / "queries" / "report_inputs.py",
    Path(__file__).parent / "queries" / "report_rows.py",
    Path(__file__).parent / "queries" / "city_inputs.py",
    Path(__file__).parent / "queries" / "referral_inputs.py",
    Path(__file__).parent / "city_rendering.py",
    Path(charts.__file__).parent / "judgement_charts.py",
    Path(charts.__file__),
    Path(charts.__file__).parent / "numbers.py",
    Path(charts.__file__).parent / "rich_text.py",
)
# The translations give the report its headings and labels (and Django's its month names).
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"

# Activity status fills, each readable with its ink (WCAG AA), in the statuses' order.
STATUS_SERIES: dict[str, tuple[str, str]] = {
    ActivityStatus.PLANNED: ("#5f6670", "#ffffff"),
    ActivityStatus.ONGOING: ("#0b5394", "#ffffff"),
    ActivityStatus.DONE: ("#1e6b34", "#ffffff"),
    ActivityStatus.DELAYED: ("#f2c230", "#1a1a1a"),
    ActivityStatus.CANCELLED: ("#a4000f", "#ffffff"),
}


@cache
def fingerprint() -> str:
    """SHA-256 over the templates, the code and the PDF environment (once per process)."""
    digest = hashlib.sha256()
    files = sorted(TEMPLATE_DIR.rglob("*")) + list(CODE_FILES) + sorted(LOCALE_DIR.rglob("*.mo"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update(pdf.environment_fingerprint().encode())
    digest.update(f"django {django.get_version()}".encode())
    return digest.hexdigest()


def input_hash(inputs: Inputs, audience: str, language: str, follow_up_id: int) -> str:
    """The hash that names a run: its follow-up, inputs, variant, language and ``fingerprint``.

    The follow-up is part of it: two bodies' drafts may print the same, and a run
    answers one follow-up's page and access rule only.
    """
    payload = json.dumps(
        {
            "follow_up": follow_up_id,
            "inputs": inputs,
            "audience": audience,
            "language": language,
            "fingerprint": fingerprint(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def city_input_hash(inputs: Inputs, year: int, period: str, audience: str, language: str) -> str:
    """The hash that names a city-wide run: what it prints, its year, period, variant,
    language and ``fingerprint``."""
    payload = json.dumps(
        {
            "scope": "city",
            "year": year,
            "period": period,
            "inputs": inputs,
            "audience": audience,
            "language": language,
            "fingerprint": fingerprint(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _moment(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _number(value: str | None) -> str:
    return number_text(Decimal(value)) if value is not None else ""


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _indicator_chart(goal_index: int, index: int, indicator: dict[str, Any]) -> dict[str, str]:
    """An indicator's bars (baseline, target, outcome, women, men) and their words."""
    unit = indicator["unit"]
    not_reported = gettext("not reported")
    rows = [
        (gettext("Baseline"), indicator["baseline"]),
        (gettext("Target"), indicator["target"]),
        (gettext("Outcome"), indicator["value"]),
    ]
    if indicator["by_sex"]:
        rows += [
            (gettext("Women"), indicator["value_women"]),
            (gettext("Men"), indicator["value_men"]),
        ]
    fills = ["#5f6670", "#1e6b34", "#0b5394", "#6a3d9a", "#8a4b08"]
    values = [
        charts.Value(
            label=label,
            value=float(value) if value is not None else None,
            text=f"{_number(value)} {unit}".strip() if value is not None else not_reported,
            fill=fill,
        )
        for (label, value), fill in zip(rows, fills, strict=False)
    ]
    words = "; ".join(f"{item.label.lower()} {item.text}" for item in values)
    alt = gettext("%(indicator)s: %(figures)s.") % {
        "indicator": indicator["name"],
        "figures": words,
    }
    title = gettext("Target and outcome: %(indicator)s") % {"indicator": indicator["name"]}
    svg = charts.value_bar_chart(
        chart_id=f"indikator-{goal_index}-{index}", title=title, summary=alt, values=values
    )
    return {"src": _data_url(svg), "alt": alt, "caption": title}


def _status_chart(inputs: Inputs) -> dict[str, str] | None:
    """The activities' statuses per goal as one stacked bar each, with its words."""
    goals = [goal for goal in inputs["goals"] if goal["activities"]]
    if not goals:
        return None
    labels = {row["key"]: row["label"] for row in inputs["activity_counts"]}
    series = [
        Series(label=str(labels[key]).capitalize(), fill=fill, ink=ink)
        for key, (fill, ink) in STATUS_SERIES.items()
    ]
    bars = [
        Bar(
            label=goal["title"],
            values=[
                sum(1 for activity in goal["activities"] if activity["status"] == key)
                for key in STATUS_SERIES
            ],
        )
        for goal in goals
    ]
    title = gettext("The activities' status per goal")
    svg = str(
        charts.stacked_bar_chart(
            chart_id="aktivitetsstatus", title=title, summary=title, series=series, bars=bars
        )
    )
    return {
        "src": _data_url(svg),
        "alt": f"{title}. {charts.describe(series, bars)}",
        "caption": title,
    }


def _context(inputs: Inputs) -> dict[str, Any]:
    goals = []
    for goal_index, goal in enumerate(inputs["goals"], start=1):
        activities = [
            {
                **activity,
                "starts_on": _date(activity["starts_on"]),
                "ends_on": _date(activity["ends_on"]),
            }
            for activity in goal["activities"]
        ]
        indicators = [
            {
                **indicator,
                "baseline_text": _number(indicator["baseline"]),
                "target_text": _number(indicator["target"]),
                "value_text": _number(indicator["value"]),
                "women_text": _number(indicator["value_women"]),
                "men_text": _number(indicator["value_men"]),
                "chart": _indicator_chart(goal_index, index, indicator),
            }
            for index, indicator in enumerate(goal["indicators"], start=1)
        ]
        goals.append(
            {**goal, "number": goal_index, "activities": activities, "indicators": indicators}
        )
    duties = [{**duty, "completed_on": _date(duty["completed_on"])} for duty in inputs["duties"]]
    return {
        "report": inputs,
        "goals": goals,
        "duties": duties,
        "submitted_at": _moment(inputs["submitted_at"]),
        "reviewed_at": _moment(inputs["reviewed_at"]),
        "status_chart": _status_chart(inputs),
        "is_general": inputs["audience"] == "general",
        "draft_note": draft_note(inputs),
        "stylesheet": pdf.asset_url("report.css"),
    }


def draft_note(inputs: Inputs) -> str:
    """What every page's footer says of a report whose follow-up is not approved."""
    return "" if inputs["approved"] else gettext("Draft – not approved")


def report_html(inputs: Inputs, language: str) -> str:
    """The report's HTML, in ``language``."""
    with translation.override(language):
        return render_to_string("reporting/follow_up_report.html", _context(inputs))


def pdf_meta(inputs: Inputs, title: str, language: str) -> pdf.PdfMeta:
    """The PDF's title, author, subject and keywords, and what its header and footer say."""
    with translation.override(language):
        body = inputs["body"]["name"]
        return pdf.PdfMeta(
            title=f"{title} – {body}",
            author=body,
            subject=gettext("%(period)s %(year)s of %(body)s, %(audience)s variant")
            % {
                "period": inputs["period_label"],
                "year": inputs["year"],
                "body": body,
                "audience": inputs["audience_label"],
            },
            keywords=(body, str(inputs["year"]), str(inputs["period_label"])),
            language=language,
            footer_note=draft_note(inputs),
            page_label=gettext("page {page} of {pages}"),
        )


# --- A referral round's outputs: the compilation and the replies ---------------------------


def referral_input_hash(
    scope: str, subject: dict[str, int], inputs: Inputs, audience: str, language: str
) -> str:
    """The hash that names a referral output's run: its scope, its subject (the round, and
    for a reply the body), what it prints, its variant, language and ``fingerprint``."""
    payload = json.dumps(
        {
            "scope": scope,
            "subject": subject,
            "inputs": inputs,
            "audience": audience,
            "language": language,
            "fingerprint": fingerprint(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _referral_context(inputs: Inputs) -> dict[str, Any]:
    referral = inputs["referral"]
    response = inputs.get("response") or {}
    return {
        "report": inputs,
        "referral": referral,
        "sent_on": _date(referral["sent_on"]),
        "deadline": _date(referral["deadline"]),
        "published_on": _date(inputs["published_on"]),
        "document_date": _date(response.get("document_date")),
        "meeting_date": _date(response.get("meeting_date")),
        "is_general": inputs["audience"] == "general",
        "stylesheet": pdf.asset_url("report.css"),
    }


def compilation_html(inputs: Inputs, language: str) -> str:
    """The compilation's HTML, in ``language``."""
    with translation.override(language):
        return render_to_string("reporting/compilation_report.html", _referral_context(inputs))


def reply_html(inputs: Inputs, language: str) -> str:
    """A reply's HTML, in ``language``."""
    with translation.override(language):
        return render_to_string("reporting/referral_reply.html", _referral_context(inputs))


def referral_pdf_meta(inputs: Inputs, title: str, language: str) -> pdf.PdfMeta:
    """The PDF metadata of a compilation or a reply: the title names the round (and the body)."""
    with translation.override(language):
        referral = inputs["referral"]
        number = referral["registration_number"]
        author = gettext("SLK")
        if inputs["kind"] == "reply":
            full_title = f"{title} – {inputs['body']['name']}"
            keywords: tuple[str, ...] = (inputs["body"]["name"], referral["title"])
        else:
            full_title = title
            keywords = (referral["title"], referral["programme"])
        return pdf.PdfMeta(
            title=full_title,
            author=author,
            subject=f"{referral['title']} ({number})" if number else referral["title"],
            keywords=(*keywords, number) if number else keywords,
            language=language,
            page_label=gettext("page {page} of {pages}"),
        )
