"""Rich text that people write: cleaned with nh3 once, when it is stored, and shown as kept.

Narratives, situation pictures, descriptions, comments and motivations may carry a
little formatting (paragraphs, line breaks, emphasis, lists, links, two heading levels
and quotations). Anything else, scripts, styles, event handlers and unknown tags, is
removed; plain text with line breaks is kept as it was typed.

The one place that cleans is the model field: ``RichTextField`` cleans its value on every
write (``save``, ``bulk_create``, ``bulk_update``, ``update``), whatever the service or
the browser sent, and a value it reads back from the database is a ``CleanHTML``. The
``rich_text`` filter shows a ``CleanHTML`` as it is and cleans anything else, so a page
never cleans again what was cleaned when it was saved, and never shows a string that was
not. Rows written before the field cleaned were cleaned by a data migration
(``programme/migrations/0008_clean_rich_text.py``, ``remiss/migrations/0006_clean_rich_text.py``).

People write it in an editor (django-prose-editor, served from our own static files and
started by ``static/js/rich_text.js``) that offers only what is kept here; without
JavaScript the same field is a plain text area.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import nh3
from django import forms
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import BaseExpression
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.utils import translation
from django.utils.html import format_html, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# The heading levels the editor offers: the page's own headings take h1 and h2.
HEADING_LEVELS = (3, 4)


class CleanHTML(str):
    """Text that ``clean_rich_text`` has made (or that a rich-text column stored): safe to show."""

    __slots__ = ()


def clean_rich_text(value: str) -> CleanHTML:
    """``value`` with every tag, attribute and link scheme outside the allowed few removed."""
    return CleanHTML(
        nh3.clean(
            str(value).strip(),
            tags=set(ALLOWED_TAGS),
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(ALLOWED_URL_SCHEMES),
            link_rel="noopener noreferrer",
        )
    )


def render_rich_text(value: str) -> SafeString:
    """Rich text as HTML: cleaned unless it was cleaned when stored; plain text in paragraphs."""
    cleaned = value if isinstance(value, CleanHTML) else clean_rich_text(value or "")
    if "<" not in cleaned:
        # Clean text has every ``<`` escaped but its tags': without one it is plain text,
        # already escaped, and ``linebreaks`` only adds the paragraphs and the breaks.
        return mark_safe(linebreaks(cleaned))
    return mark_safe(cleaned)


class RichTextField(models.TextField):
    """A text column that stores only clean rich text, whichever way it is written.

    In the database it is a plain text column, and migrations see a ``TextField``: what
    it adds is the cleaning on the way in and the ``CleanHTML`` mark on the way out.
    """

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is not None and not isinstance(value, CleanHTML):
            value = clean_rich_text(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        # ``update()`` and ``bulk_update()`` pass values here without ``pre_save``.
        if value is not None and not isinstance(value, CleanHTML | BaseExpression):
            value = clean_rich_text(value)
        return super().get_db_prep_save(value, connection)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return value if value is None else CleanHTML(value)


def editor_labels() -> dict[str, str]:
    """The editor's words in the user's language: its toolbar, its link dialogue."""
    return {
        "toolbar": _("Text formatting"),
        "bold": _("Bold"),
        "italic": _("Italic"),
        "bulletList": _("Bulleted list"),
        "orderedList": _("Numbered list"),
        "heading3": _("Section heading"),
        "heading4": _("Subheading"),
        "paragraph": _("Paragraph"),
        "blockquote": _("Quotation"),
        "link": _("Link"),
        "unlink": _("Remove link"),
        "history:undo": _("Undo"),
        "history:redo": _("Redo"),
        # The link dialogue's own words, in the editor's English.
        "URL": _("Web address"),
        "Title": _("Link title"),
        "Edit Link": _("Link"),
        "Update": _("Save link"),
        "Cancel": _("Cancel"),
    }


@functools.lru_cache(maxsize=16)
def _editor_config(language: str | None) -> str:
    """The editor's settings as JSON in ``language`` (the same on every field of a page)."""
    with translation.override(language):
        config = {"headingLevels": HEADING_LEVELS, "labels": editor_labels()}
        return json.dumps(config, separators=(",", ":"), ensure_ascii=False)


class RichTextarea(forms.Textarea):
    """A text area that the editor takes over when JavaScript runs; a plain one without it.

    The widget names its own script (a static file, so the strict content security policy
    holds), which loads the editor and its style sheet once however many fields a page
    has: the forms that use it need no change to their pages. It is written out here, not
    through a template, as the plain text area's template would write it.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"rows": 6, **(attrs or {})})

    def editor_config(self) -> str:
        """What the script needs: the heading levels offered and the words of the toolbar."""
        return _editor_config(get_language())

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        widget_attrs = {**widget["attrs"], "data-rich-text-editor": self.editor_config()}
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea><script type="module" src="{}"></script>',
            widget["name"],
            flatatt(widget_attrs),
            widget["value"] or "",
            static("js/rich_text.js"),
        )


def clean_stored_rich_text(apps: Any, app_label: str, columns: dict[str, tuple[str, ...]]) -> int:
    """Clean the stored rich text of ``columns`` ({model name: fields}) and of its history.

    For the data migrations that clean what was written before ``RichTextField`` cleaned
    on save; ``apps`` is the migration's, whose fields are plain text fields. Only rows
    whose text changes are written. Returns how many rows were.
    """
    written = 0
    for model_name, fields in columns.items():
        for name in (model_name, f"Historical{model_name}"):
            try:
                model = apps.get_model(app_label, name)
            except LookupError:
                continue
            key = model._meta.pk.attname
            changed = []
            for row in model._default_manager.only(key, *fields).order_by(key).iterator():
                values = {field: getattr(row, field) for field in fields}
                cleaned = {
                    field: str(clean_rich_text(value)) if value else value
                    for field, value in values.items()
                }
                if cleaned != values:
                    for field, value in cleaned.items():
                        setattr(row, field, value)
                    changed.append(row)
            model._default_manager.bulk_update(changed, fields, batch_size=500)
            written += len(changed)
    return written
