"""Rich text that people write: sanitised with nh3 before it is stored and again when shown.

Narratives, situation pictures, descriptions, comments and motivations may carry a
little formatting (paragraphs, line breaks, emphasis, lists, links). Anything else,
scripts, styles, event handlers and unknown tags, is removed; plain text with line
breaks is kept as it was typed.
"""

from __future__ import annotations

import nh3
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_rich_text(value: str) -> str:
    """``value`` with every tag, attribute and link scheme outside the allowed few removed."""
    return nh3.clean(
        value.strip(),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def render_rich_text(value: str) -> SafeString:
    """Stored rich text as HTML: cleaned again, and plain text given its paragraphs."""
    cleaned = clean_rich_text(value or "")
    if not nh3.is_html(cleaned):
        # nh3 has escaped the text already; linebreaks only adds paragraphs and breaks.
        return mark_safe(linebreaks(cleaned))
    return mark_safe(cleaned)
