"""The ``number`` filter: a stored number as a person types it ("62,5", not "62,50")."""

from __future__ import annotations

from typing import Any

from django import template

from programme.numbers import shown_number

register = template.Library()


@register.filter(name="number")
def number(value: Any) -> str:
    """``value`` without needless zeros and with the language's decimal sign; "" for none.

    Nothing stored gives the empty string, so ``|number|default:"–"`` shows a dash.
    """
    return shown_number(value)
