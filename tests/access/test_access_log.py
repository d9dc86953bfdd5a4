"""Opening a confidential record or downloading its evidence is logged; the log never changes.

And a record's history shows a reader no value written while the record, or the goal
above it, was confidential.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.models import (
    AccessAction,
    AccessLogEntry,
    Activity,
    Confidentiality,
    DutyKind,
    DutyStatus,
    FocusArea,
    LogIsPermanent,
)
from programme.services import duties as duty_services
from programme.services import plan_records
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").first()
    assert area is not None
    return make_plan_world(cast, YEAR, area)


def signed_in(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def history_url(kind: str, pk: int) -> str:
    return reverse(f"programme:{kind}-history", kwargs={"pk": pk})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_opening_a_confidential_records_history_is_logged_and_an_open_ones_is_not(
    cast: Cast, world: PlanWorld
):
    assert signed_in(cast, "reader_a").get(history_url("goal", world.goal_a.pk)).status_code == 200
    assert not AccessLogEntry.objects.exists()

    for persona in ("admin_a", "slk"):
        response = signed_in(cast, persona).get(
            history_url("activity", world.confidential_activity_a.pk)
        )
        assert response.status_code == 200

    entries = list(AccessLogEntry.objects.order_by("pk"))
    assert [(e.username, e.action, e.record_kind, e.record_id, e.body) for e in entries] == [
        (name, AccessAction.OPENED, "aktivitet", world.confidential_activity_a.pk, cast.body_a)
        for name in ("admin_a", "slk")
    ]


def test_a_record_under_a_confidential_goal_is_logged_as_confidential(cast: Cast, world: PlanWorld):
    activity = Activity.objects.create(
        goal=world.confidential_goal_a, title="Öppen under hemligt", confidentiality="open"
    )

    signed_in(cast, "slk").get(history_url("activity", activity.pk))

    assert AccessLogEntry.objects.get().record_id == activity.pk


def test_opening_a_confidential_duty_and_downloading_its_evidence_are_logged(cast: Cast):
    record = duty_services.save_duty_record(
        user=cast.admin_a,
        body=cast.body_a,
        year=YEAR,
        duty=DutyKind.RISK_ANALYSIS,
        status=DutyStatus.IN_PROGRESS,
        confidentiality=Confidentiality.CONFIDENTIAL,
        seen_version=0,
    )
    evidence = duty_services.add_evidence_file(
        user=cast.admin_a,
        record=record,
        uploaded=SimpleUploadedFile("analys.pdf", PDF, content_type="application/pdf"),
    )
    client = signed_in(cast, "admin_a")

    page = client.get(
        reverse(
            "programme:duty-detail",
            kwargs={"slug": cast.body_a.slug, "year": YEAR, "duty": record.duty},
        )
    )
    download = client.get(reverse("programme:evidence-download", kwargs={"pk": evidence.pk}))

    assert page.status_code == 200 and download.status_code == 200
    assert list(AccessLogEntry.objects.order_by("pk").values_list("action", "record_id")) == [
        (AccessAction.OPENED, record.pk),
        (AccessAction.DOWNLOADED, record.pk),
    ]


def test_slk_and_system_administrators_read_the_log_in_the_product(cast: Cast, world: PlanWorld):
    signed_in(cast, "admin_a").get(history_url("goal", world.confidential_goal_a.pk))

    for persona in ("slk", "sysadmin"):
        page = text_of(signed_in(cast, persona).get(reverse("programme:access-log")))
        assert "Åtkomst till konfidentiella uppgifter" in page
        assert "admin_a" in page and "Öppnade" in page and "Järva stadsdelsnämnd" in page
        # The log names the record by kind and number, never by its text.
        assert world.confidential_goal_a.title not in page
    for persona in ("admin_a", "reader_a", "official"):
        assert signed_in(cast, persona).get(reverse("programme:access-log")).status_code == 403


def test_nobody_can_change_or_remove_the_log(cast: Cast, world: PlanWorld):
    signed_in(cast, "slk").get(history_url("goal", world.confidential_goal_a.pk))
    entry = AccessLogEntry.objects.get()

    entry.username = "någon annan"
    with pytest.raises(LogIsPermanent):
        entry.save()
    with pytest.raises(LogIsPermanent):
        entry.delete()
    with pytest.raises(LogIsPermanent):
        AccessLogEntry.objects.update(username="någon annan")
    with pytest.raises(LogIsPermanent):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get().username == "slk"
    assert AccessLogEntry not in admin.site._registry


def test_a_records_history_shows_a_reader_nothing_written_while_it_was_confidential(
    cast: Cast, world: PlanWorld
):
    activity = world.activity_a  # internal, under an open goal
    goal = world.goal_a
    plan_records.update_activity(
        cast.admin_a, activity, 1, {"confidentiality": Confidentiality.CONFIDENTIAL}
    )
    plan_records.update_activity(cast.admin_a, activity, 2, {"description": "Hemlig plats A"})
    plan_records.update_activity(
        cast.admin_a, activity, 3, {"confidentiality": Confidentiality.INTERNAL}
    )
    # Its goal, confidential for a while: what the activity said then stays hidden too.
    plan_records.update_goal(cast.admin_a, goal, 1, {"confidentiality": "confidential"})
    plan_records.update_activity(cast.admin_a, activity, 4, {"responsible_unit": "Hemlig enhet"})
    plan_records.update_goal(cast.admin_a, goal, 2, {"confidentiality": "open"})
    plan_records.update_activity(cast.admin_a, activity, 5, {"title": "Trygghetsvandringar 2"})

    reader = text_of(signed_in(cast, "reader_a").get(history_url("activity", activity.pk)))
    administrator = text_of(signed_in(cast, "admin_a").get(history_url("activity", activity.pk)))

    assert "Hemlig plats A" not in reader
    assert "Hemlig enhet" not in reader
    assert "Trygghetsvandringar → Trygghetsvandringar 2" in reader  # written while internal
    assert reader.count("Ändrad") == 5  # every change is there, who and when
    assert "Hemlig plats A" in administrator and "Hemlig enhet" in administrator


def test_a_value_older_than_the_history_shown_keeps_its_level(cast: Cast, world: PlanWorld):
    from programme.history import HISTORY_LIMIT, history_for

    goal = world.goal_a
    plan_records.update_goal(
        cast.admin_a,
        goal,
        1,
        {"confidentiality": Confidentiality.CONFIDENTIAL, "description": "<p>Hemligt förr</p>"},
    )
    plan_records.update_goal(cast.admin_a, goal, 2, {"confidentiality": Confidentiality.OPEN})
    version = 3
    for n in range(HISTORY_LIMIT + 5):
        plan_records.update_goal(cast.admin_a, goal, version, {"title": f"Mål {n}"})
        version += 1
    plan_records.update_goal(cast.admin_a, goal, version, {"description": "<p>Nytt</p>"})
    goal.refresh_from_db()

    shown = [
        (change.old, change.new)
        for entry in history_for(goal, sees_confidential=False)
        for change in entry.changes
    ]
    every = [
        (change.old, change.new)
        for entry in history_for(goal, sees_confidential=True)
        for change in entry.changes
    ]

    assert ("Hemligt förr", "Nytt") in every  # rich text shown as its words
    assert not any("Hemligt" in old or "Hemligt" in new for old, new in shown)
    assert ("Mål 0", "Mål 1") in shown or any(new == f"Mål {HISTORY_LIMIT}" for _, new in shown)
