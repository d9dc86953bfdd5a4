"""The ``rich_text`` filter: stored rich text shown as the clean HTML it was saved as."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from programme.rich_text import render_rich_text

register = template.Library()


@register.filter(name="rich_text")
def rich_text(value: str | None) -> SafeString:
    """Show rich text: a stored value as it was cleaned on save, any other string cleaned now."""
    return render_rich_text(value or "")
