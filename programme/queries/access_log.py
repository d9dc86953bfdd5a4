"""What the access log page reads: who opened which confidential record, newest first."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from programme.models import AccessLogEntry

# Entries on one page of the log.
PAGE_SIZE = 100


def access_log_page(number: str | int | None) -> Page[AccessLogEntry]:
    """One page of the access log, newest first, with each entry's body (two queries)."""
    entries: QuerySet[AccessLogEntry] = AccessLogEntry.objects.select_related("body").order_by(
        "-at", "-pk"
    )
    return Paginator(entries, PAGE_SIZE).get_page(number)
