"""Charts of goal judgements, for SLK's overview and the reports: one bar per focus area
or body group, one segment per judgement, on the stacked bar of ``programme.charts``."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from programme.charts import Bar, Series, stacked_bar_chart
from programme.models import Judgement
from programme.queries.judgements import CouncilGoalCount, JudgementCounts

# Fills with at least 4.5:1 contrast against their ink (WCAG AA for text).
JUDGEMENT_SERIES: dict[str, tuple[str, str]] = {
    Judgement.FULLY_MET: ("#1e6b34", "#ffffff"),
    Judgement.PARTLY_MET: ("#f2c230", "#1a1a1a"),
    Judgement.NOT_MET: ("#a4000f", "#ffffff"),
    Judgement.NOT_ASSESSED: ("#5f6670", "#ffffff"),
}


def judgement_series() -> list[Series]:
    """The four judgements as chart series, labelled in the active language."""
    return [
        Series(label=capfirst(str(label)), fill=fill, ink=ink)
        for (value, label) in Judgement.choices
        for fill, ink in [JUDGEMENT_SERIES[value]]
    ]


def judgement_chart(judgements: Sequence[tuple[object, JudgementCounts]]) -> SafeString:
    """The bodies' goal judgements per focus area, as stacked bars."""
    bars = [Bar(label=str(area), values=counts.as_list()) for area, counts in judgements]
    return stacked_bar_chart(
        chart_id="chart-judgements",
        title=_("Goal judgements per focus area"),
        summary=_(
            "How the bodies judge their goals in each focus area, in submitted and "
            "approved follow-ups."
        ),
        series=judgement_series(),
        bars=bars,
    )


def council_goal_chart(council: Sequence[CouncilGoalCount]) -> SafeString:
    """How committees and, apart, companies judge the council goal, as stacked bars."""
    bars = [
        Bar(label=capfirst(str(count.group.label)), values=count.counts.as_list())
        for count in council
    ]
    return stacked_bar_chart(
        chart_id="chart-council-goal",
        title=_("Judgements of the council goal"),
        summary=" ".join(f"{count.sentence}." for count in council),
        series=judgement_series(),
        bars=bars,
    )
