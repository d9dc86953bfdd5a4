"""The city-wide report's parts rendered to PDF once each and read back with pdftotext."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from django.utils import translation

from programme.models import Audience
from reporting import city_rendering, pdf, rendering
from reporting.queries.city_inputs import city_report_inputs
from tests.reporting.conftest import CITY_PREDECESSOR, CITY_YEAR, CityWorld
from tests.reporting.pdf_support import page_text

pytestmark = pytest.mark.django_db


def _render(html: str, meta: pdf.PdfMeta, path: Path) -> str:
    rendered = pdf.render_pdf(html, meta)
    path.write_bytes(rendered.data)
    return page_text(path)


def test_each_part_renders_to_a_pdf_with_its_text(city_world: CityWorld, tmp_path: Path):
    translation.activate("sv")
    inputs = city_report_inputs(CITY_YEAR, "annual", Audience.GENERAL)
    bodies = [body for body in inputs["bodies"] if body["state"] != "not_started"]
    bodies.append(next(body for body in inputs["bodies"] if body["key"] == "bromma"))
    contents = [
        {"key": body["key"], "title": body["name"], "page": 40 + index}
        for index, body in enumerate(inputs["bodies"])
    ]
    meta = city_rendering.city_pdf_meta(inputs, "sv", Audience.GENERAL)

    overview_html = city_rendering.overview_html(inputs, "sv", contents)
    overview = _render(overview_html, meta, tmp_path / "oversikt.pdf")
    assert "2 av 3 nämnder bedömer att målet uppnås helt och 1 delvis" in overview
    assert "0 av 1 bolag bedömer att målet uppnås helt och 1 inte alls" in overview
    assert "Andel invånare som känner sig trygga" in overview
    assert re.search(r"Järva stadsdelsnämnd \.+ \d+", overview)
    assert "Ej påbörjad" in overview and "Återsänd" in overview
    assert pdf.part_link("jarva") in overview_html
    # Every chart has its text alternative, with its figures, and a table beside it.
    images = re.findall(r"<img [^>]*>", overview_html)
    assert images and all(' alt="' in image for image in images)
    assert "Nämnder: helt uppfyllt 2, delvis uppfyllt 1" in overview_html

    jarva = next(body for body in bodies if body["key"] == "jarva")
    for body in bodies:
        text = _render(city_rendering.body_html(inputs, body, "sv"), meta, tmp_path / "del.pdf")
        assert body["name"] in text
        assert body["state_label"].capitalize() in text
        with pikepdf.open(tmp_path / "del.pdf") as document, document.open_outline() as outline:
            assert outline.root[0].title == body["name"]
        if body is jarva:
            assert "Tryggare centrum i Järva" in text and CITY_PREDECESSOR in text
            assert "/rapporter/jarva/2025/annual/allman/" in text
            assert "Färre bränder i skolmiljö" not in text
            assert "Skydd av samhällsviktig verksamhet" not in text


def test_the_footer_says_the_full_variant_is_slks_and_no_page_says_draft():
    translation.activate("en")
    inputs = {
        "title": "The city's annual report 2025 – safety and security",
        "year": 2025,
        "period_label": "annual report",
        "audience_label": "general",
    }

    draft = city_rendering.city_pdf_meta(inputs, "en", Audience.GENERAL)
    full = city_rendering.city_pdf_meta(inputs, "en", Audience.FULL)

    # The general file SLK publishes is the file SLK read: nothing in it says "draft".
    assert draft.footer_note == ""
    assert full.footer_note == "Full variant – for SLK only"
    assert draft.author == "City Executive Office"
    assert draft.title == inputs["title"]


def test_the_city_report_code_is_part_of_every_reports_fingerprint():
    names = {path.name for path in rendering.CODE_FILES}
    assert {"city_inputs.py", "city_rendering.py", "judgement_charts.py"} <= names
