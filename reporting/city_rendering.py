"""The city-wide report's parts as HTML, and its PDF metadata.

The report is rendered in parts that are joined afterwards: the overview first, then one
part per body. Like ``reporting.rendering`` this module reads only the inputs
(``reporting.queries.city_inputs``): no query, no access decision. The overview reads the
top-level facts, ``inputs["overview"]`` and the table of contents it is given; a body's
part reads the top-level facts and that body's entry, nothing of the other bodies, so
the part can be reused while its body's entry stays the same.

The charts are SVG drawn by ``programme.charts`` and shown as data-URL images inside
``<figure>``: the ``alt`` text gives every figure, and a table beside each chart gives
the same numbers.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from programme import charts
from programme.charts import Bar, Series
from programme.judgement_charts import judgement_series
from programme.models import ActivityStatus, Audience, Judgement
from programme.numbers import number_text
from programme.queries.judgements import BodyGroup
from reporting import pdf
from reporting.queries.city_inputs import Inputs
from reporting.rendering import STATUS_SERIES

JUDGEMENT_KEYS = list(Judgement.values)
STATUS_KEYS = list(STATUS_SERIES)


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _number(value: str | None) -> str:
    return number_text(Decimal(value)) if value is not None else ""


def _stacked(chart_id: str, title: str, series: list[Series], bars: list[Bar]) -> dict[str, str]:
    """A stacked bar chart as an image, with every figure in its text alternative."""
    svg = str(
        charts.stacked_bar_chart(
            chart_id=chart_id, title=title, summary=title, series=series, bars=bars
        )
    )
    return {
        "src": _data_url(svg),
        "alt": f"{title}. {charts.describe(series, bars)}",
        "caption": title,
    }


def _status_series() -> list[Series]:
    labels = dict(_status_labels())
    return [
        Series(label=capfirst(labels[key]), fill=fill, ink=ink)
        for key, (fill, ink) in STATUS_SERIES.items()
    ]


def _status_labels() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in ActivityStatus.choices]


def _judgement_chart(group: BodyGroup, rows: list[Inputs]) -> dict[str, str] | None:
    """The group's goal judgements per focus area, the areas without any left out."""
    bars = [
        Bar(label=row["area"], values=[row[key] for key in JUDGEMENT_KEYS])
        for row in rows
        if row["total"]
    ]
    if not bars:
        return None
    title = gettext("Goal judgements of the %(group)s per focus area") % {"group": group.label}
    return _stacked(f"malbedomningar-{group.value}", title, judgement_series(), bars)


def _groups(overview: Inputs) -> list[Inputs]:
    """Per body group: its judgements in all and per focus area, its indicators, a chart."""
    found = []
    for group in BodyGroup:
        rows = [
            {"area": area["label"], "programme": area["programme"], **area["judgements"][group]}
            for area in overview["focus_areas"]
        ]
        counted = [row for row in overview["approval"] if row["group"] == group]
        found.append(
            {
                "key": group.value,
                "label": str(group.label),
                "bodies": len(counted),
                "counted": sum(1 for row in counted if row["counted"]),
                "judgements": overview["judgements"][group],
                "indicators": overview["indicators"][group],
                "rows": rows,
                "chart": _judgement_chart(group, rows),
            }
        )
    return found


def _council_chart(council: Inputs) -> dict[str, str] | None:
    judged = [row for row in council["judgements"] if row["total"]]
    if not judged:
        return None
    bars = [
        Bar(label=capfirst(row["label"]), values=[row[key] for key in JUDGEMENT_KEYS])
        for row in judged
    ]
    title = gettext("Judgements of the council goal")
    return _stacked("radets-mal", title, judgement_series(), bars)


def _activity_chart(overview: Inputs) -> dict[str, str] | None:
    kinds = [row for row in overview["activities"] if row["total"]]
    if not kinds:
        return None
    bars = [
        Bar(
            label=capfirst(row["kind_label"]),
            values=[count["count"] for count in row["counts"]],
        )
        for row in kinds
    ]
    title = gettext("The activities' status per body kind")
    return _stacked("aktiviteter-per-slag", title, _status_series(), bars)


def _indicator_chart(index: int, indicator: Inputs) -> dict[str, str]:
    """A council indicator's target and outcome as two bars, with their words."""
    unit = indicator["unit"]
    not_reported = gettext("not reported")
    values = [
        charts.Value(
            label=label,
            value=float(value) if value is not None else None,
            text=f"{_number(value)} {unit}".strip() if value is not None else not_reported,
            fill=fill,
        )
        for label, value, fill in (
            (gettext("Target"), indicator["target"], "#1e6b34"),
            (gettext("Outcome"), indicator["outcome"], "#0b5394"),
        )
    ]
    words = "; ".join(f"{item.label.lower()} {item.text}" for item in values)
    alt = gettext("%(indicator)s: %(figures)s.") % {
        "indicator": indicator["name"],
        "figures": words,
    }
    title = gettext("Target and outcome: %(indicator)s") % {"indicator": indicator["name"]}
    svg = charts.value_bar_chart(
        chart_id=f"radets-indikator-{index}", title=title, summary=alt, values=values
    )
    return {"src": _data_url(svg), "alt": alt, "caption": title}


def _council(council: Inputs | None) -> Inputs | None:
    if council is None:
        return None
    indicators = [
        {
            **indicator,
            "target_text": _number(indicator["target"]),
            "outcome_text": _number(indicator["outcome"]),
            "chart": _indicator_chart(index, indicator),
        }
        for index, indicator in enumerate(council["indicators"], start=1)
    ]
    return {**council, "indicators": indicators, "chart": _council_chart(council)}


def _activity_rows(overview: Inputs) -> list[Inputs]:
    """Each focus area's activities per body kind, the kinds without any left out."""
    return [
        {"area": area["label"], "key": area["key"], "kinds": kinds}
        for area in overview["focus_areas"]
        for kinds in [[row for row in area["activities"] if row["total"]]]
    ]


def overview_html(inputs: Inputs, language: str, contents: list[dict[str, Any]]) -> str:
    """The overview part: summary, council goal, focus areas, approval list, contents.

    ``contents`` lists each body part as ``{"key", "title", "page"}``, ``page`` being
    its first page in the joined file; the overview part comes first, from page 1.
    """
    with translation.override(language):
        overview = inputs["overview"]
        return render_to_string(
            "reporting/city_overview.html",
            {
                "report": inputs,
                "overview": overview,
                "contents": [{**entry, "href": pdf.part_link(entry["key"])} for entry in contents],
                "groups": _groups(overview),
                "judgement_keys": JUDGEMENT_KEYS,
                "judgement_labels": [str(label) for _key, label in Judgement.choices],
                "status_labels": [label for _key, label in _status_labels()],
                "activity_chart": _activity_chart(overview),
                "activity_rows": _activity_rows(overview),
                "council": _council(overview["council_goal"]),
                "is_general": inputs["audience"] == Audience.GENERAL,
                "stylesheet": pdf.asset_url("report.css"),
            },
        )


def body_html(inputs: Inputs, body: Inputs, language: str) -> str:
    """One body's part: a complete document whose h1 is the body's name.

    Reads the top-level facts of ``inputs`` and ``body`` only (never ``overview`` or
    ``bodies``), so it may be given the inputs without them.
    """
    with translation.override(language):
        indicators = [
            {
                **indicator,
                "target_text": _number(indicator["target"]),
                "value_text": _number(indicator["value"]),
            }
            for indicator in body["indicators"]
        ]
        return render_to_string(
            "reporting/city_body.html",
            {
                "report": inputs,
                "body": body,
                "indicators": indicators,
                "is_general": inputs["audience"] == Audience.GENERAL,
                "stylesheet": pdf.asset_url("report.css"),
            },
        )


def city_pdf_meta(inputs: Inputs, language: str, audience: Audience) -> pdf.PdfMeta:
    """The joined file's title, author, subject and keywords, and what its footer says.

    The file SLK publishes is the very file SLK read (publishing renders nothing), so no
    page says "draft": until it is published only SLK reads it, and its file name says
    so. The full variant, never published, says on every page that it is SLK's only.
    """
    with translation.override(language):
        notes = []
        if Audience(audience) == Audience.FULL:
            notes.append(gettext("Full variant – for SLK only"))
        return pdf.PdfMeta(
            title=inputs["title"],
            author=gettext("City Executive Office"),
            subject=gettext(
                "%(period)s %(year)s of the City of Stockholm's safety and security work, "
                "across all bodies, %(audience)s variant"
            )
            % {
                "period": capfirst(inputs["period_label"]),
                "year": inputs["year"],
                "audience": inputs["audience_label"],
            },
            keywords=(
                gettext("City of Stockholm"),
                str(inputs["year"]),
                str(inputs["period_label"]),
                str(inputs["audience_label"]),
            ),
            language=language,
            footer_note=" · ".join(notes),
            page_label=gettext("page {page} of {pages}"),
        )
