"""The yearly report date: on the day SLK sets, the worker renders every body's annual report
and the city-wide draft, and SLK is told by e-mail when they are ready.

``set_render_date`` is SLK's edit (versioned, in the history). Beat calls ``start_due``
every hour: a date that has come is claimed once (under its row lock) and its reports
are asked for in the name of the person who set it, as if that person had pressed each
button, through the same services. The report sweep calls ``notify_finished``, which
sends the e-mail once all those runs are done or failed.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from programme import report_access
from programme.access import AnyUser
from programme.history_display import written_date
from programme.locking import SeenVersion, check_version, for_update, save_new_or_next_version
from programme.models import (
    Audience,
    FollowUp,
    FollowUpPeriod,
    GlobalRole,
    GlobalRoleKind,
)
from programme.years import is_record_year
from reporting.models import ReportRun, ReportSchedule, RunState
from reporting.services import city, reports

logger = logging.getLogger(__name__)


def set_render_date(
    user: AnyUser, year: int, render_on: datetime.date, seen_version: SeenVersion
) -> ReportSchedule:
    """Set (or move) the day the year's reports are rendered. SLK only (404 otherwise).

    A date moved after its reports were made runs again on the new date. Raises
    ``EditConflict`` when someone else changed the date after the form was opened, and
    ``ValidationError`` for a year the product does not keep or a date outside the year
    and the next.
    """
    if not report_access.may_ask_city_report(user):
        raise Http404
    if not is_record_year(year):
        raise ValidationError(
            {"render_on": gettext("Reports are kept for the years the product keeps.")}
        )
    if not year <= render_on.year <= year + 1:
        raise ValidationError(
            {
                "render_on": gettext("Choose a day in %(year)s or %(next)s.")
                % {"year": year, "next": year + 1}
            }
        )
    with transaction.atomic():
        schedule = for_update(ReportSchedule.objects.filter(year=year)).first()
        if schedule is None:
            # Never deleted: a form opened before the date was first set names version 0.
            schedule = ReportSchedule(year=year, render_on=render_on, set_by=cast(User, user))
        else:
            check_version(schedule, seen_version)
            if schedule.render_on != render_on:
                schedule.started_at = None
                schedule.notified_at = None
            schedule.render_on = render_on
            schedule.set_by = cast(User, user)
        save_new_or_next_version(schedule, cast(User, user))
        if schedule.started_at is None:
            schedule.runs.clear()
    return schedule


def _acting_user(schedule: ReportSchedule) -> User | None:
    """Who the reports are asked for: the person who set the date, while still SLK."""
    if schedule.set_by.is_active and report_access.may_ask_city_report(schedule.set_by):
        return schedule.set_by
    role = (
        GlobalRole.objects.filter(role=GlobalRoleKind.SLK_REVIEWER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return role.user if role is not None else None


def start_due(
    today: datetime.date | None = None,
    dispatch: city.Dispatch | None = None,
    enqueue: Callable[[int], None] | None = None,
) -> list[int]:
    """Ask for the reports of every year whose date has come; returns the years started.

    Each year starts once: the claim is made under the schedule's row lock.
    """
    today = today or timezone.localdate()
    started = []
    for schedule_id in ReportSchedule.objects.filter(
        render_on__lte=today, started_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            schedule = (
                for_update(ReportSchedule.objects.filter(pk=schedule_id, started_at__isnull=True))
                .select_related("set_by")
                .first()
            )
            if schedule is None:
                continue
            user = _acting_user(schedule)
            if user is None:
                logger.error("No SLK reviewer to ask for the reports of %s", schedule.year)
                continue
            ReportSchedule.objects.filter(pk=schedule.pk).update(started_at=timezone.now())
            runs = _ask_for_year(user, schedule.year, dispatch, enqueue)
            schedule.runs.add(*runs)
            started.append(schedule.year)
    return started


def _ask_for_year(
    user: User,
    year: int,
    dispatch: city.Dispatch | None,
    enqueue: Callable[[int], None] | None,
) -> list[ReportRun]:
    """Every body's annual report (full) and the city-wide draft (general) of ``year``."""
    runs = []
    with translation.override(settings.LANGUAGE_CODE):
        follow_ups = FollowUp.objects.filter(
            plan__year=year, period=FollowUpPeriod.ANNUAL
        ).select_related("plan__body")
        for follow_up in follow_ups:
            runs.append(reports.request_report(user, follow_up, Audience.FULL, enqueue).run)
        runs.append(
            city.request_city_report(
                user, year, FollowUpPeriod.ANNUAL.value, Audience.GENERAL, dispatch
            ).run
        )
    return runs


def notify_finished(now: datetime.datetime | None = None) -> int:
    """Tell SLK by e-mail of each started year whose runs have all finished; returns how many.

    The claim and the sending share one transaction under the schedule's row lock: a
    sending that fails leaves the year unclaimed, and the next sweep tries again.
    """
    now = now or timezone.now()
    told = 0
    waiting = ReportSchedule.objects.filter(started_at__isnull=False, notified_at__isnull=True)
    for schedule_id in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = for_update(waiting.filter(pk=schedule_id)).first()
            if schedule is None:
                continue
            states = list(schedule.runs.values_list("state", flat=True))
            if any(state in (RunState.QUEUED, RunState.RUNNING) for state in states):
                continue
            _send(schedule, states)
            ReportSchedule.objects.filter(pk=schedule.pk).update(notified_at=now)
            told += 1
    return told


def _send(schedule: ReportSchedule, states: list[str]) -> None:
    recipients = sorted(
        set(
            GlobalRole.objects.filter(role=GlobalRoleKind.SLK_REVIEWER, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        logger.warning("Nobody at SLK to tell that the reports of %s are ready", schedule.year)
        return
    with translation.override(settings.LANGUAGE_CODE):
        done = sum(1 for state in states if state == RunState.DONE)
        failed = sum(1 for state in states if state == RunState.FAILED)
        path = reverse(
            "reporting:city-report",
            kwargs={"year": schedule.year, "period": FollowUpPeriod.ANNUAL, "audience": "allman"},
        )
        values = {
            "year": schedule.year,
            "done": done,
            "total": len(states),
            "failed": failed,
            "date": written_date(schedule.render_on),
        }
        subject = gettext("The annual reports of %(year)s are ready") % values
        paragraphs = [
            gettext("Hello,"),
            gettext(
                "The reports set to be made on %(date)s are ready: %(done)s of %(total)s "
                "files were made, %(failed)s failed."
            )
            % values,
            gettext("The city-wide draft, to read and publish: %(url)s")
            % {"url": f"{settings.SITE_URL}{path}"},
            gettext("Every body's annual report (full variant) is on the reports page: %(url)s")
            % {"url": f"{settings.SITE_URL}{reverse('reporting:list')}?ar={schedule.year}"},
        ]
        if failed:
            paragraphs.append(gettext("A failed report can be asked for again from its page."))
    send_mail(subject, "\n\n".join(paragraphs) + "\n", None, recipients)
