"""Publishing the city-wide report: SLK's one step that lets officials read a file.

``publish`` takes a finished run of the general variant; the period's earlier
publication is marked superseded, with the date and the publication that replaced it,
and keeps its file, so the archive never loses a version. The file published is the
very file SLK read (same SHA-256): publishing renders nothing.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation

from programme import report_access
from programme.access import AnyUser
from programme.models import Audience
from reporting.models import Publication, ReportRun, ReportScope, RunState
from reporting.queries import city_reports


class PublishRefused(Exception):
    """The run cannot be published (its message says why, in the active language)."""


def publish(user: AnyUser, run_id: int, note: str = "") -> Publication:
    """Publish a finished general run of the city-wide report; officials read it from now.

    Only a current run in the site's language is published. The period's earlier
    publication, if any, is marked superseded with the date and keeps its file. Two
    reviewers publishing at once: the database lets one publication be current, and the
    later one is tried again, so it supersedes the first. Only SLK publishes (404 for
    anyone else).
    """
    if not report_access.may_ask_city_report(user):
        raise Http404
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _publish(user, run_id, note)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _publish(user: AnyUser, run_id: int, note: str) -> Publication:
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.scope != ReportScope.CITY or run.year is None:
        raise Http404
    if run.state != RunState.DONE:
        raise PublishRefused(translation.gettext("Only a finished report can be published."))
    if run.audience != Audience.GENERAL:
        raise PublishRefused(
            translation.gettext("Only the general variant is published; the full one is SLK's.")
        )
    if run.language != settings.LANGUAGE_CODE:
        raise PublishRefused(
            translation.gettext(
                "Only a report in Swedish is published. Switch the language to Swedish and "
                "make the report again."
            )
        )
    if Publication.objects.filter(run=run).exists():
        raise PublishRefused(translation.gettext("This file is already published."))
    if not city_reports.is_current(run):
        raise PublishRefused(
            translation.gettext(
                "The follow-ups have changed since this file was made. Make the report "
                "again and publish the new file."
            )
        )
    earlier = (
        Publication.objects.select_for_update()
        .filter(year=run.year, period=run.period, superseded_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if earlier is not None:
        earlier.superseded_at = now
        earlier.save(update_fields=["superseded_at"])
    publication = Publication.objects.create(
        run=run,
        year=run.year,
        period=run.period,
        published_by=cast(User, user),
        note=note.strip(),
    )
    if earlier is not None:
        earlier.superseded_by = publication
        earlier.save(update_fields=["superseded_by"])
    return publication


def city_run_for_page(user: AnyUser, run_id: int) -> ReportRun:
    """A city-wide run SLK may act on, or 404."""
    run = ReportRun.objects.filter(pk=run_id, scope=ReportScope.CITY).defer("inputs").first()
    if run is None or not report_access.may_ask_city_report(user):
        raise Http404
    return run
