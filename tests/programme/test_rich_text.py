"""Rich text is sanitised with nh3: scripts, handlers and unsafe links never survive."""

from __future__ import annotations

from django.template import Context, Template

from programme.rich_text import clean_rich_text, render_rich_text


def test_clean_rich_text_removes_scripts_handlers_and_javascript_links():
    cleaned = clean_rich_text(
        '<p onclick="steal()">Hej<script>alert(1)</script>'
        '<a href="javascript:alert(1)">länk</a><img src=x onerror=alert(1)></p>'
    )

    assert "script" not in cleaned
    assert "onclick" not in cleaned
    assert "javascript" not in cleaned
    assert "<img" not in cleaned
    assert cleaned.startswith("<p>Hej")


def test_clean_rich_text_keeps_the_allowed_formatting():
    cleaned = clean_rich_text(
        "<p><strong>Viktigt</strong> och <em>betonat</em></p><ul><li>ett</li></ul>"
        '<a href="https://start.stockholm/">Stockholm</a>'
    )

    assert "<strong>Viktigt</strong>" in cleaned
    assert "<em>betonat</em>" in cleaned
    assert "<ul><li>ett</li></ul>" in cleaned
    assert 'href="https://start.stockholm/"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_plain_text_keeps_its_paragraphs_and_is_escaped():
    html = render_rich_text("Första stycket om 3 < 5\n\nAndra stycket")

    assert html == "<p>Första stycket om 3 &lt; 5</p>\n\n<p>Andra stycket</p>"


def test_the_template_filter_cleans_what_it_shows():
    template = Template("{% load rich_text %}{{ text|rich_text }}")

    html = template.render(Context({"text": '<p>Ok</p><script>alert("x")</script>'}))

    assert html == "<p>Ok</p>"
