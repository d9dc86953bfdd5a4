"""Rich text is sanitised with nh3 (scripts, handlers and unsafe links never survive) and
written in an editor served from the site's own static files."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template

from programme.rich_text import CleanHTML, RichTextarea, clean_rich_text, render_rich_text


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


# --- The editor: its markup, its fallback and its files ----------------------------------


def test_the_editor_widget_is_a_plain_text_area_with_the_editors_script():
    html = RichTextarea(attrs={"rows": 4}).render(
        "description", CleanHTML("<p>Hej &amp; välkommen</p>"), {"id": "id_description"}
    )

    # Without JavaScript the text area is the field: named, sized and holding the value.
    textarea = re.match(r'<textarea name="description"([^>]*)>', html)
    assert textarea is not None
    assert 'id="id_description"' in textarea[1]
    assert 'rows="4"' in textarea[1]
    assert "&lt;p&gt;Hej &amp;amp; välkommen&lt;/p&gt;</textarea>" in html
    # With JavaScript the module script finds it by its data attribute.
    assert "data-rich-text-editor=" in html
    assert html.endswith('<script type="module" src="/static/js/rich_text.js"></script>')
    # Nothing inline that the content security policy would refuse.
    assert "style=" not in html
    assert "<script>" not in html
    assert 'type="importmap"' not in html


def test_the_editor_is_told_the_toolbars_words_in_the_users_language():
    html = RichTextarea().render("text", "", {"id": "id_text"})

    attribute = re.search(r'data-rich-text-editor="([^"]*)"', html)
    assert attribute is not None
    config = json.loads(html_lib.unescape(attribute[1]))
    assert config["headingLevels"] == [3, 4]
    assert config["labels"]["bold"] == "Fetstil"
    assert config["labels"]["bulletList"] == "Punktlista"
    assert config["labels"]["toolbar"] == "Textformat"


@pytest.mark.parametrize(
    "path",
    [
        "js/rich_text.js",
        "css/rich_text.css",
        "django_prose_editor/editor.js",
        "django_prose_editor/editor.css",
        "django_prose_editor/material-icons.css",
        "django_prose_editor/material-icons.woff2",
    ],
)
def test_the_editors_files_are_static_files_of_the_site(path: str):
    assert finders.find(path) is not None


def test_every_file_the_script_and_style_sheet_name_is_a_static_file():
    script = Path(str(finders.find("js/rich_text.js"))).read_text()
    style = Path(str(finders.find("css/rich_text.css"))).read_text()
    named = re.findall(r'"\.\./([^"]+\.(?:js|css))"', script)

    assert sorted(set(named)) == [
        "css/rich_text.css",
        "django_prose_editor/editor.css",
        "django_prose_editor/editor.js",
        "django_prose_editor/material-icons.css",
    ]
    assert all(finders.find(path) for path in named)
    # Tiptap's inline style element is turned off: its rules are in the style sheet.
    assert "injectCSS: false" in script
    assert ".ProseMirror-gapcursor" in style


def test_the_content_security_policy_stays_strict():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["font-src"] == ["'self'"]
