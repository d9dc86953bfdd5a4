"""Charts drawn on the server as inline SVG: no JavaScript, no external files.

Each chart is an ``<svg role="img">`` whose ``<title>`` and ``<desc>`` say what it shows
and every figure in it, so a screen reader hears the data; the pages also print the same
figures in a table beside the chart. Colours come with a legend and with the figures
written in the bars, never colour alone. Presentation attributes, not style attributes,
so the strict CSP holds and the same SVG works in a PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 20
ROW_GAP = 12
LEGEND_ROW = 20
TOTAL_SPACE = 48  # room after the longest bar for its total
MIN_SEGMENT_FOR_FIGURE = 18  # narrower segments leave their figure to the title and table


@dataclass(frozen=True)
class Series:
    """One kind of value in a stacked bar, with its fill and the ink that reads on it."""

    label: str
    fill: str
    ink: str


@dataclass(frozen=True)
class Bar:
    """One bar: its label and one value per series."""

    label: str
    values: Sequence[int]

    @property
    def total(self) -> int:
        """The bar's whole length in counts."""
        return sum(self.values)


def describe(series: Sequence[Series], bars: Sequence[Bar]) -> str:
    """Every figure of the chart in words, bar by bar, for its ``<desc>``."""
    parts = []
    for bar in bars:
        figures = ", ".join(
            f"{item.label.lower()} {value}" for item, value in zip(series, bar.values, strict=True)
        )
        parts.append(f"{bar.label}: {figures}.")
    return " ".join(parts)


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    series: Sequence[Series],
    bars: Sequence[Bar],
) -> SafeString:
    """Horizontal stacked bars, one per ``bars``, scaled to the longest, with a legend.

    ``summary`` opens the ``<desc>``; every figure follows it there (see ``describe``).
    """
    legend_height = LEGEND_ROW * len(series) + ROW_GAP
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = legend_height + row_height * len(bars) + ROW_GAP
    longest = max((bar.total for bar in bars), default=0)
    scale = (WIDTH - TOTAL_SPACE) / longest if longest else 0.0
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{}" role="img" '
            'aria-labelledby="{} {}" viewBox="0 0 {} {}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" font-family="{}" font-size="13">',
            chart_id,
            title_id,
            desc_id,
            WIDTH,
            height,
            FONT,
        ),
        format_html('<title id="{}">{}</title>', title_id, title),
        format_html(
            '<desc id="{}">{}</desc>', desc_id, f"{summary} {describe(series, bars)}".strip()
        ),
    ]
    for index, item in enumerate(series):
        y = index * LEGEND_ROW
        parts.append(
            format_html(
                '<g class="chart-legend"><rect x="0" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="20" y="{}" fill="#1a1a1a">{}</text></g>',
                y + 2,
                item.fill,
                y + 13,
                item.label,
            )
        )
    for row, bar in enumerate(bars):
        top = legend_height + row * row_height
        bar_top = top + LABEL_HEIGHT
        parts.append(
            format_html(
                '<text class="chart-label" x="0" y="{}" fill="#1a1a1a">{}</text>',
                top + 13,
                bar.label,
            )
        )
        x = 0.0
        for item, value in zip(series, bar.values, strict=True):
            if not value:
                continue
            width = value * scale
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    f"{x:.1f}",
                    bar_top,
                    f"{width:.1f}",
                    BAR_HEIGHT,
                    item.fill,
                )
            )
            if width >= MIN_SEGMENT_FOR_FIGURE:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" fill="{}" text-anchor="middle">{}</text>',
                        f"{x + width / 2:.1f}",
                        bar_top + 15,
                        item.ink,
                        value,
                    )
                )
            x += width
        parts.append(
            format_html(
                '<text class="chart-total" x="{}" y="{}" fill="#1a1a1a">{}</text>',
                f"{x + 6:.1f}",
                bar_top + 15,
                bar.total,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class Value:
    """One bar of a value chart: its label, its value (None: not reported) and its fill."""

    label: str
    value: float | None
    text: str
    fill: str = "#0b5394"


VALUE_LABEL_WIDTH = 150


def value_bar_chart(*, chart_id: str, title: str, summary: str, values: Sequence[Value]) -> str:
    """Horizontal bars of values in one unit (an indicator's baseline, target, outcome).

    Bars start at zero (or at the lowest negative value) and are scaled to the largest;
    each carries its figure as text. A value not reported gets no bar and says so.
    Returns standalone SVG markup, for an ``<img>`` or inline use.
    """
    numbers = [item.value for item in values if item.value is not None]
    low = min([0.0, *numbers])
    high = max([0.0, *numbers])
    span = (high - low) or 1.0
    plot = WIDTH - VALUE_LABEL_WIDTH - TOTAL_SPACE
    row_height = BAR_HEIGHT + ROW_GAP
    height = row_height * len(values) + ROW_GAP
    zero = VALUE_LABEL_WIDTH + (0 - low) / span * plot
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{}-title" '
            'viewBox="0 0 {} {}" width="{}" height="{}" font-family="DejaVu Sans, sans-serif" '
            'font-size="13">',
            chart_id,
            WIDTH,
            height,
            WIDTH,
            height,
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html("<desc>{}</desc>", summary),
    ]
    for row, item in enumerate(values):
        top = ROW_GAP + row * row_height
        parts.append(
            format_html('<text x="0" y="{}" fill="#1a1a1a">{}</text>', top + 15, item.label)
        )
        if item.value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="#1a1a1a">{}</text>',
                    f"{zero + 4:.1f}",
                    top + 15,
                    item.text,
                )
            )
            continue
        start = VALUE_LABEL_WIDTH + (min(item.value, 0.0) - low) / span * plot
        width = abs(item.value) / span * plot
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="#1a1a1a">{}</text>',
                f"{start:.1f}",
                top,
                f"{max(width, 1.0):.1f}",
                BAR_HEIGHT,
                item.fill,
                f"{start + max(width, 1.0) + 6:.1f}",
                top + 15,
                item.text,
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="0" y2="{}" stroke="#1a1a1a" stroke-width="1"/></svg>',
            f"{zero:.1f}",
            f"{zero:.1f}",
            height,
        )
    )
    return "".join(parts)
