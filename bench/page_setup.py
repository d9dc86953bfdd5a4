"""The pages ``bench/pages.py`` measures: who reads each one, its address, the record to edit.

Runs in the benchmark's own process, with the current code, against the bench database
(after ``django.setup()``). It adds what city scale lacks: three people (a body
administrator, an SLK reviewer, an official) and the administrator's body's duty records
up to ``DUTY_RECORDS``. Duty records are unique per body, year and duty (six a year), so
900 of them span 150 years, most before 2000: the models' validators would refuse such a
year, but the rows are written with ``bulk_create`` (no validation) and the duty list
reads every record of the body.

The pages are returned as plain data (``BenchPage``), so that ``bench/page_cpu.py`` can
measure them with another checkout's code too.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

DUTY_RECORDS = 900
PERSONAS = {
    "administrator": "bench-admin",
    "SLK": "bench-slk",
    "official": "bench-official",
}


@dataclass(frozen=True)
class BenchPage:
    """One page: a short key, what it is, who reads it, its address, and what to edit.

    ``edit_model`` (``app_label.Model``) and ``edit_pk`` name a versioned record the page
    shows; the "first after edit" measurement saves it as its next version before a read.
    """

    key: str
    label: str
    persona: str
    url: str
    edit_model: str
    edit_pk: int
    # False for the yardstick: a page measured to tell the machine's speed, not judged.
    judged: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The page as JSON takes it."""
        return asdict(self)


def _user(username: str) -> Any:
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
    return user


def make_personas(body: Any) -> dict[str, Any]:
    """The administrator of ``body`` (of no other), an SLK reviewer and an official."""
    from programme.models import BodyRole, GlobalRole, GlobalRoleKind, Membership

    admin = _user(PERSONAS["administrator"])
    Membership.objects.filter(user=admin).exclude(body=body).delete()
    Membership.objects.get_or_create(user=admin, body=body, role=BodyRole.ADMINISTRATOR)
    slk = _user(PERSONAS["SLK"])
    GlobalRole.objects.get_or_create(user=slk, role=GlobalRoleKind.SLK_REVIEWER)
    official = _user(PERSONAS["official"])
    GlobalRole.objects.get_or_create(user=official, role=GlobalRoleKind.OFFICIAL)
    return {"administrator": admin, "SLK": slk, "official": official}


def fill_duty_records(body: Any, year: int) -> int:
    """Give ``body`` ``DUTY_RECORDS`` duty records (six a year back from ``year``); the count.

    This year's are left in progress, so that the administrator's start page lists them;
    the older ones are mostly met, at every confidentiality level.
    """
    from programme.models import Confidentiality, DutyKind, DutyRecord, DutyStatus

    kinds, levels = list(DutyKind), list(Confidentiality)
    years = -(-DUTY_RECORDS // len(kinds))
    DutyRecord.objects.bulk_create(
        (
            DutyRecord(
                body=body,
                year=year - offset,
                duty=kind,
                status=DutyStatus.IN_PROGRESS
                if offset == 0
                else (DutyStatus.MET if (offset + index) % 4 else DutyStatus.NOT_STARTED),
                confidentiality=levels[(offset + index) % len(levels)],
                description="Genomförd enligt plan." if offset else "",
            )
            for offset in range(years)
            for index, kind in enumerate(kinds)
        ),
        ignore_conflicts=True,
    )
    return int(DutyRecord.objects.filter(body=body).count())


def bench_pages(today: datetime.date | None = None) -> tuple[list[BenchPage], str]:
    """Every page of the benchmark, with its people and data made; and a line on the data.

    The administrator administers the body of an editable follow-up of this year (so the
    form opens rather than redirecting); that body's plan of the year is the plan page and
    its duty records the duty list. SLK reviews a submitted follow-up (of this year when
    there is one) and reads the overview of the current period.
    """
    from django.db.models import F
    from django.urls import reverse
    from django.utils import timezone

    from programme.models import (
        Activity,
        DutyRecord,
        FollowUp,
        FollowUpState,
        Indicator,
    )
    from programme.queries.year_settings import current_period

    day = today or timezone.localdate()
    year = day.year
    editable = (
        FollowUp.objects.filter(
            plan__year=year, state__in=[FollowUpState.DRAFT, FollowUpState.RETURNED]
        )
        .select_related("plan__body")
        .order_by("-period", "plan__body__name")
    ).first()
    if editable is None:
        raise SystemExit(f"No follow-up of {year} can be edited; regenerate the data.")
    body, plan = editable.plan.body, editable.plan
    make_personas(body)
    duty_count = fill_duty_records(body, year)
    submitted = (
        FollowUp.objects.filter(state=FollowUpState.SUBMITTED)
        .select_related("plan__body")
        .order_by(F("plan__year").desc(), "submitted_at", "pk")
    ).first()
    if submitted is None:
        raise SystemExit("No follow-up is submitted; regenerate the data.")
    oldest_waiting = FollowUp.objects.filter(state=FollowUpState.SUBMITTED).order_by(
        "submitted_at", "pk"
    )[0]
    approved = (
        FollowUp.objects.filter(state=FollowUpState.APPROVED)
        .order_by(F("reviewed_at").desc(nulls_last=True), "-pk")
        .first()
    )
    if approved is None:
        raise SystemExit("No follow-up is approved; regenerate the data.")
    period_year, period = current_period(day)
    in_period = (
        FollowUp.objects.filter(plan__year=period_year, period=period.value).order_by("pk").first()
    )
    this_years_duty = DutyRecord.objects.filter(body=body, year=year).order_by("duty")[0]
    activity = Activity.objects.filter(goal__plan=plan).order_by("goal__position", "position")[0]
    activities = Activity.objects.filter(goal__plan=plan).count()
    indicators = Indicator.objects.filter(goal__plan=plan).count()
    follow_up_kwargs = {"slug": body.slug, "year": year, "period": editable.period}
    review_kwargs = {
        "slug": submitted.plan.body.slug,
        "year": submitted.plan.year,
        "period": submitted.period,
    }
    start = reverse("start")
    pages = [
        # The accessibility statement reads nothing but the layout's own rows: what any
        # page costs on this machine in this run, to read the other figures against.
        BenchPage(
            "yardstick",
            "yardstick: accessibility statement",
            "administrator",
            reverse("accessibility"),
            "programme.DutyRecord",
            this_years_duty.pk,
            judged=False,
        ),
        BenchPage(
            "start-admin",
            "start page, body administrator",
            "administrator",
            start,
            "programme.DutyRecord",
            this_years_duty.pk,
        ),
        BenchPage(
            "start-slk",
            "start page, SLK reviewer",
            "SLK",
            start,
            "programme.FollowUp",
            oldest_waiting.pk,
        ),
        BenchPage(
            "start-official",
            "start page, official",
            "official",
            start,
            "programme.FollowUp",
            approved.pk,
        ),
        BenchPage(
            "plan",
            f"plan page ({activities} activities, {indicators} indicators)",
            "administrator",
            reverse("programme:plan-detail", kwargs={"slug": body.slug, "year": year}),
            "programme.Activity",
            activity.pk,
        ),
        BenchPage(
            "follow-up-form",
            f"follow-up form ({editable.period}, {editable.state})",
            "administrator",
            reverse("programme:follow-up-edit", kwargs=follow_up_kwargs),
            "programme.FollowUp",
            editable.pk,
        ),
        BenchPage(
            "review",
            f"SLK's review page ({submitted.plan.year} {submitted.period})",
            "SLK",
            reverse("programme:follow-up-review", kwargs=review_kwargs),
            "programme.FollowUp",
            submitted.pk,
        ),
        BenchPage(
            "overview",
            f"SLK's overview ({period_year} {period.value})",
            "SLK",
            reverse(
                "programme:follow-up-overview", kwargs={"year": period_year, "period": period.value}
            ),
            "programme.FollowUp",
            in_period.pk if in_period is not None else submitted.pk,
        ),
        BenchPage(
            "duty-list",
            f"duty list ({duty_count} records)",
            "administrator",
            reverse("programme:duty-list", kwargs={"slug": body.slug}),
            "programme.DutyRecord",
            this_years_duty.pk,
        ),
    ]
    data = f"the administrator's body: {body.name}, plan {year}; {duty_count} duty records"
    return pages, data
