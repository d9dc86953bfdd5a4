"""E-mail notifications of a follow-up's review: who hears of which step, and only once.

A body's administrators hear when SLK returns their follow-up (with SLK's comment) or
approves it; SLK's reviewers hear when a follow-up is submitted, at once or in one
e-mail a day that lists the day's submissions. Each person chooses per kind on the
account page (``save_notification_settings``); without a choice every kind comes at once.

After commit, by id. The workflow's services call ``notify_after_commit`` inside their
transaction; the worker gets the follow-up's id, the kind and the version the step gave
the follow-up only once the step has committed, so a step rolled back sends nothing.
The version names the step: the follow-up's history holds it as it stood then, so the
e-mail tells of that step even when the follow-up has moved on since.

Once and only once, as ``programme.reminders`` does it: each e-mail is claimed by a
``NotificationSent`` row whose unique constraint decides between two runs, and sent in
the same transaction, so a failed send rolls its claim back and the retry sends it.

Who may still hear. The recipients are read when the worker sends, not when the step
was taken: an account made inactive, a membership ended or a reviewer's role taken
away since means no e-mail, and so does a missing address. Each recipient must still
be let through ``programme.access`` to the follow-up.
"""

from __future__ import annotations

import datetime
import html
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programme import access
from programme.history_display import written_date
from programme.locking import (
    EditConflict,
    SeenVersion,
    changes_since,
    check_version,
    for_update,
    save_new_or_next_version,
)
from programme.models import (
    DIGEST_KINDS,
    BodyRole,
    Delivery,
    FollowUp,
    FollowUpState,
    GlobalRoleKind,
    NotificationKind,
    NotificationSent,
    NotificationSettings,
)
from programme.reminders import SEND_ERRORS

logger = logging.getLogger(__name__)

# The state a step leaves the follow-up in, for each kind.
STATE_AFTER: dict[NotificationKind, FollowUpState] = {
    NotificationKind.FOLLOW_UP_SUBMITTED: FollowUpState.SUBMITTED,
    NotificationKind.FOLLOW_UP_RETURNED: FollowUpState.RETURNED,
    NotificationKind.FOLLOW_UP_APPROVED: FollowUpState.APPROVED,
}
# Who hears of each kind: SLK's reviewers of submissions, the body's administrators of
# SLK's answer.
FOR_REVIEWERS = frozenset({NotificationKind.FOLLOW_UP_SUBMITTED})
FOR_ADMINISTRATORS = frozenset(
    {NotificationKind.FOLLOW_UP_RETURNED, NotificationKind.FOLLOW_UP_APPROVED}
)


# --- What a person chooses ---------------------------------------------------------------


def kinds_for(is_slk_reviewer: bool, administers_a_body: bool) -> list[NotificationKind]:
    """The kinds of notification that concern a person with these roles, in page order."""
    return [
        kind
        for kind in NotificationKind
        if (kind in FOR_REVIEWERS and is_slk_reviewer)
        or (kind in FOR_ADMINISTRATORS and administers_a_body)
    ]


def deliveries_for(kind: NotificationKind) -> list[Delivery]:
    """The ways ``kind`` may reach a person: a daily digest only where one is kept."""
    return [
        delivery
        for delivery in Delivery
        if delivery != Delivery.DAILY_DIGEST or kind in DIGEST_KINDS
    ]


def save_notification_settings(
    user: User,
    choices: Mapping[NotificationKind, Delivery],
    seen_version: SeenVersion,
) -> NotificationSettings:
    """Keep how ``user`` wants each kind in ``choices``; the kinds not named stay as they were.

    ``seen_version`` is the version the form showed (0 when the person had never saved).
    """
    for kind, delivery in choices.items():
        if delivery not in deliveries_for(kind):
            raise ValidationError(
                {kind.value: [str(_("This kind of notification has no daily digest."))]}
            )
    with transaction.atomic():
        current = for_update(NotificationSettings.objects.filter(user=user)).first()
        if current is None:
            current = NotificationSettings(user=user)
        else:
            check_version(current, seen_version)
        for kind, delivery in choices.items():
            setattr(current, kind.value, delivery.value)
        try:
            with transaction.atomic():
                save_new_or_next_version(current, user)
        except IntegrityError:
            # Another tab saved the person's first choice at the same moment.
            other = NotificationSettings.objects.get(user=user)
            raise EditConflict(other, changes_since(other, 0)) from None
    return current


# --- After a step commits ----------------------------------------------------------------


def notify_after_commit(kind: NotificationKind, follow_up: FollowUp) -> None:
    """Once the current transaction commits, hand the step just taken to the worker.

    Call inside the step's transaction, after the follow-up was saved with its new
    version. Nothing is queued if the transaction rolls back.
    """
    follow_up_id, version = follow_up.pk, follow_up.version
    transaction.on_commit(lambda: enqueue(kind, follow_up_id, version))


def enqueue(kind: NotificationKind, follow_up_id: int, version: int) -> None:
    """Queue the step's notifications; a broker that refuses is logged, the step stands."""
    from programme.tasks import send_follow_up_notifications

    try:
        send_follow_up_notifications.delay(follow_up_id, kind.value, version)
    except Exception:  # the broker's many kinds of refusal: the step is already committed
        logger.exception(
            "The notifications (%s) of follow-up %s, version %s, could not be queued.",
            kind.value,
            follow_up_id,
            version,
        )


# --- In the worker: who still hears --------------------------------------------------------


def _with_address(users: QuerySet[User]) -> QuerySet[User]:
    return users.filter(is_active=True).exclude(email="").order_by("email", "pk")


def administrators_to_notify(follow_up: FollowUp, kind: NotificationKind) -> list[User]:
    """The body's active administrators with an address who have not turned ``kind`` off
    and who may still change the follow-up."""
    users = _with_address(
        User.objects.filter(
            memberships__body_id=follow_up.plan.body_id,
            memberships__role=BodyRole.ADMINISTRATOR,
        )
    ).exclude(**{f"notification_settings__{kind.value}": Delivery.OFF})
    return [user for user in users if _may_open(user, [follow_up.pk], access.Action.CHANGE)]


def reviewers_to_notify(kind: NotificationKind, delivery: Delivery) -> list[User]:
    """SLK's active reviewers with an address who want ``kind`` by ``delivery``."""
    users = _with_address(User.objects.filter(global_roles__role=GlobalRoleKind.SLK_REVIEWER))
    lookup = f"notification_settings__{kind.value}"
    if delivery == Delivery.AT_ONCE:
        # No settings row means at once.
        users = users.exclude(**{f"{lookup}__in": [Delivery.OFF, Delivery.DAILY_DIGEST]})
    else:
        users = users.filter(**{lookup: delivery})
    return [user for user in users if access.is_slk_reviewer(user)]


def _may_open(user: User, follow_up_ids: Iterable[int], action: access.Action) -> bool:
    """Whether ``user`` may still open every one of the follow-ups."""
    wanted = set(follow_up_ids)
    allowed = access.restrict(FollowUp.objects.filter(pk__in=wanted), user, action)
    return set(allowed.values_list("pk", flat=True)) == wanted


# --- In the worker: what they read ---------------------------------------------------------


def swedish_date(moment: datetime.datetime | datetime.date) -> str:
    """A date in words in the active language ("1 maj 2027"), a moment in Stockholm time."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return written_date(moment)


def plain_text(rich: str) -> str:
    """Cleaned rich text as plain text: paragraphs and list items on lines of their own."""
    marked = re.sub(r"(?i)<br\s*/?>|</(?:p|li|h\d|blockquote|div)>", "\n", rich)
    marked = re.sub(r"(?i)<li[^>]*>", "– ", marked)
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _follow_up_address(follow_up: FollowUp, name: str) -> str:
    return _absolute(
        reverse(
            f"programme:{name}",
            kwargs={
                "slug": follow_up.plan.body.slug,
                "year": follow_up.plan.year,
                "period": follow_up.period,
            },
        )
    )


def _follow_up_values(follow_up: FollowUp, capitalised: bool = False) -> dict[str, Any]:
    period = follow_up.get_period_display()
    return {
        "body": follow_up.plan.body.name,
        "period": capfirst(period) if capitalised else period,
        "year": follow_up.plan.year,
    }


SUBJECTS = {
    NotificationKind.FOLLOW_UP_SUBMITTED: _("Submitted for review: %(period)s %(year)s, %(body)s"),
    NotificationKind.FOLLOW_UP_RETURNED: _("Returned by SLK: %(period)s %(year)s, %(body)s"),
    NotificationKind.FOLLOW_UP_APPROVED: _(
        "Approved and locked by SLK: %(period)s %(year)s, %(body)s"
    ),
}


def compose_step(kind: NotificationKind, follow_up: FollowUp, step: Any) -> tuple[str, str]:
    """The subject and text of the e-mail about one step (``step``: the follow-up's
    history row of that version), in Swedish."""
    with translation.override(settings.LANGUAGE_CODE):
        values = _follow_up_values(follow_up)
        on = step.submitted_at if kind == NotificationKind.FOLLOW_UP_SUBMITTED else step.reviewed_at
        context = {
            **values,
            "date": swedish_date(on or step.history_date),
            "comment": plain_text(step.review_comment),
            "url": _follow_up_address(
                follow_up, "follow-up-review" if kind in FOR_REVIEWERS else "follow-up-detail"
            ),
            "account_url": _absolute(reverse("programme:account")),
        }
        text = render_to_string(f"programme/emails/{kind.value}.txt", context)
        subject = str(SUBJECTS[kind]) % _follow_up_values(follow_up, capitalised=True)
        return subject, text.strip() + "\n"


def compose_digest(day: datetime.date, follow_ups: Sequence[FollowUp]) -> tuple[str, str]:
    """The subject and text of a reviewer's daily digest of ``day``'s submissions."""
    with translation.override(settings.LANGUAGE_CODE):
        count = len(follow_ups)
        values = {"date": swedish_date(day), "count": count}
        subject = ngettext(
            "Submitted on %(date)s: %(count)d follow-up to review",
            "Submitted on %(date)s: %(count)d follow-ups to review",
            count,
        )
        items = [
            {
                **_follow_up_values(f, capitalised=True),
                "url": _follow_up_address(f, "follow-up-review"),
            }
            for f in follow_ups
        ]
        context = {
            **values,
            "items": items,
            "account_url": _absolute(reverse("programme:account")),
        }
        text = render_to_string("programme/emails/follow_up_submitted_digest.txt", context)
        return subject % values, text.strip() + "\n"


# --- In the worker: sending ----------------------------------------------------------------


@dataclass
class NotificationRun:
    """What one run did: addresses written to, and those whose sending failed (to retry)."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _claim_and_send(claim: NotificationSent, subject: str, text: str, run: NotificationRun) -> None:
    """Claim one e-mail and send it in one transaction; a claimed one is someone else's."""
    message = EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [claim.address])
    try:
        with transaction.atomic():
            claim.save()
            message.send(fail_silently=False)
    except IntegrityError:
        return
    except SEND_ERRORS:
        logger.exception("Sending the notification (%s) to %s failed.", claim.kind, claim.address)
        run.failed.append(claim.address)
        return
    run.sent.append(claim.address)


def _step_of(follow_up_id: int, kind: NotificationKind, version: int) -> Any:
    """The follow-up's history row of ``version``, if it is the step ``kind`` names."""
    step = FollowUp.history.filter(id=follow_up_id, version=version).order_by("-history_id").first()
    if step is None or step.state != STATE_AFTER[kind]:
        return None
    return step


def send_step_notifications(
    follow_up_id: int, kind: NotificationKind, version: int
) -> NotificationRun:
    """Send each e-mail about the step that gave the follow-up ``version``, once each.

    Safe to run again and at the same time as another run. A follow-up gone since, or a
    version that is not such a step, sends nothing.
    """
    run = NotificationRun()
    follow_up = FollowUp.objects.select_related("plan__body").filter(pk=follow_up_id).first()
    step = _step_of(follow_up_id, kind, version) if follow_up else None
    if follow_up is None or step is None:
        logger.warning(
            "No notification (%s) of follow-up %s, version %s: no such step.",
            kind.value,
            follow_up_id,
            version,
        )
        return run
    if kind in FOR_REVIEWERS:
        recipients = reviewers_to_notify(kind, Delivery.AT_ONCE)
    else:
        recipients = administrators_to_notify(follow_up, kind)
    subject, text = compose_step(kind, follow_up, step)
    for user in recipients:
        claim = NotificationSent(
            recipient=user,
            kind=kind,
            follow_up=follow_up,
            follow_up_version=version,
            address=user.email,
        )
        _claim_and_send(claim, subject, text, run)
    return run


def submitted_on(day: datetime.date) -> list[FollowUp]:
    """The follow-ups submitted on ``day`` (Stockholm time), by body and period.

    Every submission leaves its moment in the follow-up's history, so one submitted,
    returned and submitted again the same day is listed once, and one returned since
    still counts as submitted that day.
    """
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    ids = (
        FollowUp.history.filter(
            state=FollowUpState.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
        )
        .values_list("id", flat=True)
        .distinct()
    )
    return sorted(
        FollowUp.objects.select_related("plan__body").filter(pk__in=list(ids)),
        key=lambda f: (f.plan.body.name, f.plan.year, f.period),
    )


def send_digests(day: datetime.date) -> NotificationRun:
    """Send each reviewer who chose a daily digest one e-mail listing ``day``'s submissions.

    Nothing when nobody submitted that day. Once per reviewer and day, however often
    it runs.
    """
    run = NotificationRun()
    follow_ups = submitted_on(day)
    if not follow_ups:
        return run
    kind = NotificationKind.FOLLOW_UP_SUBMITTED
    subject, text = compose_digest(day, follow_ups)
    ids = [f.pk for f in follow_ups]
    for user in reviewers_to_notify(kind, Delivery.DAILY_DIGEST):
        if not _may_open(user, ids, access.Action.VIEW):
            continue
        claim = NotificationSent(recipient=user, kind=kind, digest_day=day, address=user.email)
        _claim_and_send(claim, subject, text, run)
    return run


def yesterday() -> datetime.date:
    """The day before today in Stockholm: the day a morning digest tells of."""
    return timezone.localdate() - datetime.timedelta(days=1)
