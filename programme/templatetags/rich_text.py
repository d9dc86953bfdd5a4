"""The ``rich_text`` filter: stored rich text shown as sanitised HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from programme.rich_text import render_rich_text

register = template.Library()


@register.filter(name="rich_text")
def rich_text(value: str | None) -> SafeString:
    """Show rich text cleaned by nh3, plain text with its paragraphs and line breaks."""
    return render_rich_text(value or "")
