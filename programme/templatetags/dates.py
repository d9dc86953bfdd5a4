"""Dates and moments in Swedish words on every page: "1 maj 2027", "1 maj 2027 kl. 14.05".

The filters write what ``programme.history_display`` writes in messages and histories,
so a date reads the same wherever it is shown. Machine contexts (a ``datetime``
attribute, a date field's value, a file name) keep their ISO form.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from programme.history_display import written_date as written_day
from programme.history_display import written_moment as written_time

register = template.Library()


@register.filter(name="written_date")
def written_date(value: date | datetime | None) -> str:
    """A date (or a moment's local day) in words; "" for none, so ``|default`` applies."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return written_day(value)


@register.filter(name="written_moment")
def written_moment(value: datetime | None) -> str:
    """A moment in local time to the minute, in words; "" for none."""
    if value is None or value == "":
        return ""
    return written_time(value)
