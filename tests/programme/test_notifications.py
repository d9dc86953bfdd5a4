"""E-mail notifications of a follow-up's review: who hears of which step, once, in Swedish.

Body A (Järva) has an administrator (admin_a) and a reader (reader_a); body B's
administrator (admin_b) and SLK's reviewer (slk) complete the cast. Each test gives them
addresses. The workflow's steps run through the services; their on-commit callbacks are
run by ``django_capture_on_commit_callbacks`` and the task runs eagerly in this process
(``eager_tasks``), so the path is the product's own: service, on commit, task, e-mail.
"""

from __future__ import annotations

import datetime
import email.message
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.celery import app
from programme import tasks
from programme.models import (
    Delivery,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    GlobalRole,
    GlobalRoleKind,
    Membership,
    NotificationKind,
    NotificationSent,
    NotificationSettings,
)
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import notifications
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
SITE = "https://program.example.se"


@pytest.fixture(autouse=True)
def site_address(settings: Any) -> None:
    settings.SITE_URL = SITE


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks queued with ``delay`` run at once in this process, as a worker would run them."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def addresses(cast: Cast) -> Cast:
    """Every persona with an e-mail address of its own."""
    for name in ("admin_a", "admin_b", "reader_a", "slk", "official"):
        user = cast.by_name(name)
        user.email = f"{name}@example.se"
        user.save(update_fields=["email"])
    return cast


@pytest.fixture
def world(addresses: Cast) -> PlanWorld:
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    return make_plan_world(addresses, YEAR, focus_area)


@pytest.fixture
def started(cast: Cast, world: PlanWorld) -> FollowUp:
    """Body A's T1 follow-up, started by its administrator."""
    return follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)


Step = Callable[[FollowUp], FollowUp]


@pytest.fixture
def take(
    eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> Callable[[Step, FollowUp], FollowUp]:
    """Take a workflow step and run what it leaves for after commit (the task, eagerly)."""

    def run(step: Step, follow_up: FollowUp) -> FollowUp:
        with django_capture_on_commit_callbacks(execute=True):
            return step(follow_up)

    return run


def submit(cast: Cast) -> Step:
    return lambda f: workflow.submit_follow_up(cast.admin_a, f, f.version)


def give_back(cast: Cast, comment: str = "<p>Komplettera målen &amp; utfallen.</p>") -> Step:
    return lambda f: workflow.return_follow_up(cast.slk, f, comment, f.version)


def approve(cast: Cast) -> Step:
    return lambda f: workflow.approve_follow_up(cast.slk, f, f.version)


def sent() -> list[tuple[str, str]]:
    """Each e-mail sent: (recipient, subject), in order."""
    return [(", ".join(message.to), str(message.subject)) for message in mail.outbox]


def choose(user: User, **deliveries: Delivery) -> None:
    """Save ``user``'s choice of delivery per kind, as the account page does."""
    current = NotificationSettings.objects.filter(user=user).first()
    notifications.save_notification_settings(
        user,
        {NotificationKind(kind): delivery for kind, delivery in deliveries.items()},
        current.version if current else 0,
    )


# --- Who gets which e-mail -----------------------------------------------------------------


def test_a_submission_goes_to_slks_reviewers_only(cast: Cast, started: FollowUp, take: Any):
    take(submit(cast), started)

    assert sent() == [
        (
            "slk@example.se",
            f"Inlämnad för granskning: Tertialrapport 1 {YEAR}, Järva stadsdelsnämnd",
        )
    ]


def test_a_return_goes_to_the_bodys_administrators_with_slks_comment(
    cast: Cast, started: FollowUp, take: Any
):
    follow_up = take(submit(cast), started)
    mail.outbox.clear()

    take(give_back(cast), follow_up)

    [message] = mail.outbox
    assert message.to == ["admin_a@example.se"]
    assert (
        message.subject
        == f"Återsänd av stadsledningskontoret: Tertialrapport 1 {YEAR}, Järva stadsdelsnämnd"
    )
    assert "Komplettera målen & utfallen." in message.body
    assert "<p>" not in message.body and "&amp;" not in message.body


def test_an_approval_goes_to_the_bodys_administrators(cast: Cast, started: FollowUp, take: Any):
    follow_up = take(submit(cast), started)
    mail.outbox.clear()

    take(approve(cast), follow_up)

    assert sent() == [
        ("admin_a@example.se", f"Godkänd och låst: Tertialrapport 1 {YEAR}, Järva stadsdelsnämnd")
    ]


def test_every_step_of_a_round_trip_is_told_once(cast: Cast, started: FollowUp, take: Any):
    follow_up = take(submit(cast), started)
    follow_up = take(give_back(cast), follow_up)
    follow_up = take(submit(cast), follow_up)
    take(approve(cast), follow_up)

    assert [subject.split(":")[0] for _to, subject in sent()] == [
        "Inlämnad för granskning",
        "Återsänd av stadsledningskontoret",
        "Inlämnad för granskning",
        "Godkänd och låst",
    ]
    assert NotificationSent.objects.count() == 4


def test_the_email_is_swedish_dated_in_words_linked_and_signed(
    cast: Cast, started: FollowUp, take: Any
):
    follow_up = take(submit(cast), started)
    mail.outbox.clear()
    take(approve(cast), follow_up)

    [message] = mail.outbox
    today = timezone.localdate()
    month = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december"][today.month - 1]  # fmt: skip
    assert f"den {today.day} {month} {today.year}" in message.body
    assert f"{SITE}/namnder/{cast.body_a.slug}/uppfoljning/{YEAR}/t1/" in message.body, message.body
    assert "Stockholms stads trygghets- och säkerhetsprogram" in message.body
    assert f"{SITE}/konto/" in message.body
    assert message.body.startswith("Hej!\n\n")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", str(message.body))
    # Plain text, one part, no HTML.
    assert message.message().get_content_type() == "text/plain"


def test_the_reviewer_is_linked_to_the_review_page(cast: Cast, started: FollowUp, take: Any):
    take(submit(cast), started)

    [message] = mail.outbox
    assert f"{SITE}/namnder/{cast.body_a.slug}/uppfoljning/{YEAR}/t1/granskning/" in message.body


# --- Exactly once --------------------------------------------------------------------------


def test_the_task_run_twice_sends_each_email_once(cast: Cast, started: FollowUp, take: Any):
    second_admin = User.objects.create_user("admin2", email="admin2@example.se")
    Membership.objects.create(user=second_admin, body=cast.body_a, role="administrator")
    follow_up = take(submit(cast), started)
    follow_up = take(approve(cast), follow_up)
    mail.outbox.clear()

    again = tasks.send_follow_up_notifications(
        follow_up.pk, NotificationKind.FOLLOW_UP_APPROVED, follow_up.version
    )

    assert again == {"sent": 0, "failed": 0}
    assert mail.outbox == []
    assert sorted(
        NotificationSent.objects.filter(kind=NotificationKind.FOLLOW_UP_APPROVED).values_list(
            "address", flat=True
        )
    ) == ["admin2@example.se", "admin_a@example.se"]


def test_a_failed_send_is_not_recorded_and_the_retry_sends_it(
    cast: Cast, started: FollowUp, take: Any, monkeypatch: pytest.MonkeyPatch
):
    follow_up = take(submit(cast), started)
    follow_up = workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr(mail.EmailMessage, "send", refuse)
        run = notifications.send_step_notifications(
            follow_up.pk, NotificationKind.FOLLOW_UP_APPROVED, follow_up.version
        )
    assert run.failed == ["admin_a@example.se"]
    assert not NotificationSent.objects.filter(kind=NotificationKind.FOLLOW_UP_APPROVED).exists()

    retried = notifications.send_step_notifications(
        follow_up.pk, NotificationKind.FOLLOW_UP_APPROVED, follow_up.version
    )
    assert retried.sent == ["admin_a@example.se"]


def test_a_rolled_back_step_sends_nothing(
    cast: Cast, started: FollowUp, eager_tasks: None, django_capture_on_commit_callbacks: Any
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.submit_follow_up(cast.admin_a, started, started.version)
        raise RuntimeError("something after the submission failed")

    assert callbacks == []
    assert mail.outbox == []
    assert not NotificationSent.objects.exists()


def test_the_task_is_queued_after_commit_with_ids_only(
    cast: Cast,
    started: FollowUp,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
):
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.send_follow_up_notifications, "delay", lambda *args: queued.append(args)
    )

    with django_capture_on_commit_callbacks() as callbacks:
        follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)
    assert queued == []  # not before the commit

    for callback in callbacks:
        callback()
    assert queued == [(follow_up.pk, "follow_up_submitted", follow_up.version)]


def test_a_version_that_is_not_such_a_step_sends_nothing(cast: Cast, started: FollowUp):
    follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)

    run = notifications.send_step_notifications(
        follow_up.pk, NotificationKind.FOLLOW_UP_APPROVED, follow_up.version
    )

    assert run.sent == [] and mail.outbox == []


# --- Who no longer hears ---------------------------------------------------------------------


def test_nothing_goes_to_whoever_turned_the_kind_off(cast: Cast, started: FollowUp, take: Any):
    choose(cast.slk, follow_up_submitted=Delivery.OFF)
    choose(cast.admin_a, follow_up_returned=Delivery.OFF)

    follow_up = take(submit(cast), started)
    follow_up = take(give_back(cast), follow_up)
    follow_up = take(submit(cast), follow_up)
    take(approve(cast), follow_up)

    assert sent() == [
        ("admin_a@example.se", f"Godkänd och låst: Tertialrapport 1 {YEAR}, Järva stadsdelsnämnd")
    ]


@pytest.mark.parametrize(
    "change",
    ["inactive", "no address", "membership ended", "made a reader"],
)
def test_nothing_goes_to_an_administrator_who_may_no_longer_hear(
    cast: Cast, started: FollowUp, take: Any, change: str
):
    follow_up = take(submit(cast), started)
    admin = cast.admin_a
    if change == "inactive":
        admin.is_active = False
        admin.save(update_fields=["is_active"])
    elif change == "no address":
        admin.email = ""
        admin.save(update_fields=["email"])
    elif change == "membership ended":
        Membership.objects.get(user=admin, body=cast.body_a).delete()
    else:
        membership = Membership.objects.get(user=admin, body=cast.body_a)
        membership.role = "reader"
        membership.save()
    mail.outbox.clear()

    take(approve(cast), follow_up)

    assert mail.outbox == []


def test_a_step_taken_before_the_change_is_not_told_after_it(
    cast: Cast, started: FollowUp, eager_tasks: None, django_capture_on_commit_callbacks: Any
):
    # The step commits; the worker gets to it only after the membership has ended.
    with django_capture_on_commit_callbacks() as callbacks:
        follow_up = workflow.submit_follow_up(cast.admin_a, started, started.version)
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)
    Membership.objects.get(user=cast.admin_a, body=cast.body_a).delete()

    for callback in callbacks:
        callback()

    assert mail.outbox == []


def test_a_former_reviewer_hears_nothing(cast: Cast, started: FollowUp, take: Any):
    GlobalRole.objects.filter(user=cast.slk, role=GlobalRoleKind.SLK_REVIEWER).delete()

    take(submit(cast), started)

    assert mail.outbox == []


# --- The daily digest --------------------------------------------------------------------------


def digest_messages() -> list[email.message.Message]:
    return [m.message() for m in mail.outbox if "att granska" in m.subject]


def test_a_reviewer_who_chose_the_digest_gets_no_email_at_once(
    cast: Cast, started: FollowUp, take: Any
):
    choose(cast.slk, follow_up_submitted=Delivery.DAILY_DIGEST)

    take(submit(cast), started)

    assert mail.outbox == []


def test_the_digest_lists_the_days_submissions_once_and_is_sent_once(
    cast: Cast, world: PlanWorld, take: Any
):
    other_reviewer = User.objects.create_user("granskare2", email="granskare2@example.se")
    GlobalRole.objects.create(user=other_reviewer, role=GlobalRoleKind.SLK_REVIEWER)
    choose(cast.slk, follow_up_submitted=Delivery.DAILY_DIGEST)
    t1 = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    t1 = take(submit(cast), t1)
    t1 = take(give_back(cast), t1)
    take(submit(cast), t1)  # submitted twice today: listed once
    body_b = follow_up_services.start_follow_up(cast.admin_b, world.plan_b, FollowUpPeriod.T1)
    take(lambda f: workflow.submit_follow_up(cast.admin_b, f, f.version), body_b)
    mail.outbox.clear()
    today = timezone.localdate()

    first = tasks.send_notification_digests(today.isoformat())
    second = tasks.send_notification_digests(today.isoformat())

    assert (first, second) == ({"sent": 1, "failed": 0}, {"sent": 0, "failed": 0})
    [message] = mail.outbox
    assert message.to == ["slk@example.se"]  # the other reviewer had each at once
    assert message.subject.startswith("Inlämnade ")
    assert message.subject.endswith(": 2 uppföljningar att granska")
    assert message.body.count("Järva stadsdelsnämnd, Tertialrapport 1") == 1
    assert message.body.count("Skärholmens stadsdelsnämnd, Tertialrapport 1") == 1
    assert f"{SITE}/namnder/{cast.body_b.slug}/uppfoljning/{YEAR}/t1/granskning/" in message.body
    assert NotificationSent.objects.filter(digest_day=today).count() == 1


def test_the_digest_of_a_day_without_submissions_sends_nothing(
    cast: Cast, started: FollowUp, take: Any
):
    choose(cast.slk, follow_up_submitted=Delivery.DAILY_DIGEST)
    take(submit(cast), started)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    assert tasks.send_notification_digests(yesterday.isoformat()) == {"sent": 0, "failed": 0}
    assert mail.outbox == []


def test_the_digest_runs_daily_for_the_day_before_by_default(
    cast: Cast, started: FollowUp, take: Any, settings: Any
):
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == tasks.send_notification_digests.name
    assert entry["schedule"].hour == {settings.REMINDER_HOUR}
    assert notifications.yesterday() == timezone.localdate() - datetime.timedelta(days=1)


# --- The settings ----------------------------------------------------------------------------


def test_without_a_choice_every_kind_comes_at_once(addresses: Cast):
    cast = addresses
    assert not NotificationSettings.objects.filter(user=cast.admin_a).exists()
    assert notifications.reviewers_to_notify(
        NotificationKind.FOLLOW_UP_SUBMITTED, Delivery.AT_ONCE
    ) == [cast.slk]


def test_returns_and_approvals_have_no_digest(cast: Cast):
    with pytest.raises(ValidationError, match="ingen daglig sammanställning"):
        choose(cast.admin_a, follow_up_returned=Delivery.DAILY_DIGEST)

    assert not NotificationSettings.objects.filter(user=cast.admin_a).exists()


def test_saving_keeps_the_kinds_not_named_and_bumps_the_version(cast: Cast):
    choose(cast.admin_a, follow_up_returned=Delivery.OFF)
    choose(cast.admin_a, follow_up_approved=Delivery.OFF)

    saved = NotificationSettings.objects.get(user=cast.admin_a)
    assert (saved.follow_up_returned, saved.follow_up_approved, saved.version) == (
        Delivery.OFF,
        Delivery.OFF,
        2,
    )
