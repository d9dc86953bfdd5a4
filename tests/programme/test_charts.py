"""Server-rendered SVG charts and the city's sentence about the council goal."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from programme import charts, judgement_charts
from programme.queries.judgements import (
    BodyGroup,
    CouncilGoalCount,
    JudgementCounts,
    council_goal_sentence,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed to be inline SVG at all."""
    return ET.fromstring(svg)


# --- The sentence ---------------------------------------------------------------------------


def test_the_2022_figures_read_as_the_annual_report_writes_them():
    counts = JudgementCounts(fully_met=23, partly_met=7)

    with translation.override("sv"):
        sentence = council_goal_sentence(BodyGroup.COMMITTEES, counts)

    assert sentence == "23 av 30 nämnder bedömer att målet uppnås helt och 7 delvis"


def test_the_2020_figures_name_the_committee_that_judged_the_goal_not_met():
    counts = JudgementCounts(fully_met=17, partly_met=11, not_met=1)

    with translation.override("sv"):
        sentence = council_goal_sentence(BodyGroup.COMMITTEES, counts)

    assert sentence == "17 av 29 nämnder bedömer att målet uppnås helt, 11 delvis och 1 inte alls"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (JudgementCounts(fully_met=1), "1 av 1 nämnd bedömer att målet uppnås helt"),
        (JudgementCounts(fully_met=2), "2 av 2 nämnder bedömer att målet uppnås helt"),
        (
            JudgementCounts(fully_met=0, not_met=1),
            "0 av 1 nämnd bedömer att målet uppnås helt och 1 inte alls",
        ),
        (
            JudgementCounts(fully_met=3, not_met=1, not_assessed=1),
            "3 av 5 nämnder bedömer att målet uppnås helt och 1 inte alls",
        ),
    ],
)
def test_the_committee_sentence_follows_the_total_in_number(counts: JudgementCounts, expected: str):
    with translation.override("sv"):
        assert council_goal_sentence(BodyGroup.COMMITTEES, counts) == expected


def test_companies_are_counted_as_companies():
    with translation.override("sv"):
        sentence = council_goal_sentence(
            BodyGroup.COMPANIES, JudgementCounts(fully_met=4, partly_met=2)
        )

    assert sentence == "4 av 6 bolag bedömer att målet uppnås helt och 2 delvis"


def test_with_no_judgement_the_sentence_says_so():
    with translation.override("sv"):
        committees = council_goal_sentence(BodyGroup.COMMITTEES, JudgementCounts())
        companies = council_goal_sentence(BodyGroup.COMPANIES, JudgementCounts())

    assert committees == "Ingen nämnd har bedömt kommunfullmäktiges mål ännu."
    assert companies == "Inget bolag har bedömt kommunfullmäktiges mål ännu."


def test_the_sentence_reads_in_english_too():
    with translation.override("en"):
        sentence = council_goal_sentence(
            BodyGroup.COMMITTEES, JudgementCounts(fully_met=23, partly_met=7)
        )

    assert sentence == "23 of 30 committees judge that the goal is fully met and 7 partly"


# --- The SVG --------------------------------------------------------------------------------


def two_bars() -> str:
    with translation.override("sv"):
        return charts.stacked_bar_chart(
            chart_id="test-chart",
            title="Bedömningar",
            summary="Sammanfattning.",
            series=judgement_charts.judgement_series(),
            bars=[
                charts.Bar(label="Beredskap", values=[6, 2, 0, 1]),
                charts.Bar(label="Säkerhetsskydd", values=[1, 0, 3, 0]),
            ],
        )


def test_a_chart_is_an_image_named_by_its_title_and_description():
    svg = parse(two_bars())

    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "test-chart-title test-chart-desc"
    title, desc = svg[0], svg[1]
    assert title.tag == f"{SVG}title" and title.get("id") == "test-chart-title"
    assert title.text == "Bedömningar"
    assert desc.tag == f"{SVG}desc" and desc.get("id") == "test-chart-desc"


def test_the_description_gives_every_figure_in_words():
    desc = parse(two_bars())[1].text or ""

    assert desc.startswith("Sammanfattning.")
    assert "Beredskap: helt uppfyllt 6, delvis uppfyllt 2, inte uppfyllt 0, inte bedömt 1." in desc
    assert "Säkerhetsskydd: helt uppfyllt 1, delvis uppfyllt 0, inte uppfyllt 3" in desc


def test_bars_are_scaled_to_the_longest_and_empty_segments_left_out():
    svg = parse(two_bars())

    rects = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("height") == "20"]
    widths = [float(rect.get("width") or 0) for rect in rects]
    # The first bar (9) has three segments, the second (4) two: no zero-width rectangles.
    assert len(rects) == 5
    assert sum(widths[:3]) == pytest.approx(charts.WIDTH - charts.TOTAL_SPACE, abs=0.5)
    assert sum(widths[3:]) == pytest.approx(sum(widths[:3]) * 4 / 9, abs=0.5)
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Helt uppfyllt" in texts and "Beredskap" in texts
    assert "9" in texts and "4" in texts


def test_a_chart_has_no_script_style_or_outside_reference():
    svg = two_bars()

    assert "<script" not in svg
    assert "style=" not in svg
    assert not re.search(r"(href|src)=", svg)


def test_labels_are_escaped():
    svg = charts.stacked_bar_chart(
        chart_id="x",
        title="<b>T</b>",
        summary="S & S",
        series=judgement_charts.judgement_series(),
        bars=[charts.Bar(label='<script>alert("x")</script>', values=[1, 0, 0, 0])],
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)


def test_a_chart_of_nothing_draws_no_bars():
    svg = parse(
        charts.stacked_bar_chart(
            chart_id="empty",
            title="Tomt",
            summary="",
            series=judgement_charts.judgement_series(),
            bars=[charts.Bar(label="Beredskap", values=[0, 0, 0, 0])],
        )
    )

    assert [rect for rect in svg.iter(f"{SVG}rect") if rect.get("height") == "20"] == []


def test_the_council_chart_has_a_bar_for_committees_and_one_for_companies():
    council = [
        CouncilGoalCount(BodyGroup.COMMITTEES, JudgementCounts(fully_met=23, partly_met=7)),
        CouncilGoalCount(BodyGroup.COMPANIES, JudgementCounts(fully_met=5, not_met=1)),
    ]

    with translation.override("sv"):
        svg = parse(judgement_charts.council_goal_chart(council))

    desc = svg[1].text or ""
    assert "23 av 30 nämnder bedömer att målet uppnås helt och 7 delvis." in desc
    assert "5 av 6 bolag bedömer att målet uppnås helt och 1 inte alls." in desc
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Nämnder" in labels and "Bolag" in labels
