"""The history pages as people read them: names, local time, what changed, no noise.

Through the test client, in Swedish: a plan record's history page, a duty's page with
its evidence files uploaded and removed, and a follow-up's page with its outcomes,
judgements and steps; each at a fixed number of queries however long its history.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from programme.history import history_for
from programme.history_display import written_moment
from programme.history_rows import history_with_rows
from programme.locking import save_next_version
from programme.models import (
    ActivityStatus,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    IndicatorOutcome,
    Judgement,
)
from programme.queries import follow_ups as follow_up_queries
from programme.services import duties as duty_services
from programme.services import follow_up_workflow as workflow
from programme.services import follow_ups as follow_up_services
from programme.services import plan_records
from programme.services.follow_ups import ActivityInput, FollowUpInput, JudgementInput, OutcomeInput
from tests.access.matrix_support import PlanWorld, make_plan_world
from tests.conftest import Cast
from tests.programme.test_evidence import pdf_bytes
from tests.programme.test_evidence import private_dir as private_dir

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
DUTY_YEAR = 2024


def client_for(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def text_of(response: Any) -> str:
    """The page as text, tags and runs of whitespace collapsed."""
    assert response.status_code == 200
    without_tags = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", without_tags)


def history_part(response: Any) -> str:
    """The page's history section as HTML, runs of whitespace collapsed."""
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<section class="history"')
    return re.sub(r"\s+", " ", html[start : html.index("</section>", start)])


def rows_of(history_html: str) -> list[str]:
    """Each entry of a history table as text: when, who, what, changes."""
    body = history_html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in body.split("</tr>")
        if "<td" in row
    ]


@pytest.fixture
def world(cast: Cast) -> PlanWorld:
    focus_area = (
        FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024")
        .order_by("position")
        .first()
    )
    assert focus_area is not None
    return make_plan_world(cast, YEAR, focus_area)


def activity_history_url(pk: int) -> str:
    return reverse("programme:activity-history", kwargs={"pk": pk})


def goal_history_url(pk: int) -> str:
    return reverse("programme:goal-history", kwargs={"pk": pk})


def duty_url(record: DutyRecord) -> str:
    return reverse(
        "programme:duty-detail",
        kwargs={"slug": record.body.slug, "year": record.year, "duty": record.duty},
    )


def follow_up_url(period: str = FollowUpPeriod.T1) -> str:
    return reverse(
        "programme:follow-up-detail", kwargs={"slug": "jarva", "year": YEAR, "period": period}
    )


# --- Who, when, what ---------------------------------------------------------------------


def test_a_change_names_the_person_the_local_minute_and_the_field(cast: Cast, world: PlanWorld):
    activity = world.activity_a
    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"status": ActivityStatus.DELAYED}
    )
    newest = activity.history.order_by("-history_date").first()

    part = history_part(client_for(cast, "admin_a").get(activity_history_url(activity.pk)))

    with translation.override("sv"):
        moment = written_moment(newest.history_date)
    local = timezone.localtime(newest.history_date)
    assert moment.endswith(f"kl. {local:%H.%M}")
    [row, *_older] = rows_of(part)
    assert row == f"{moment} Amira Järvaadministratör Ändrad Status: planerad → försenad"
    assert "admin_a" not in part and "None" not in part
    assert "UTC" not in part and "+00:00 " not in part


def test_a_person_without_a_name_is_named_by_account_and_nobody_is_none(
    cast: Cast, world: PlanWorld
):
    nameless = User.objects.create_user("kontot")
    goal = world.goal_a
    goal._history_user = nameless  # type: ignore[attr-defined]
    goal.title = "Nytt namn på målet"
    goal.version += 1
    goal.save()
    del goal._history_user  # type: ignore[attr-defined]
    goal.title = "Målet utan någon bakom"
    goal.version += 1
    goal.save()  # no one recorded: a change by the system

    whos = [entry.who for entry in history_for(goal)]

    assert whos[:2] == ["systemet", "kontot"]
    assert all(who and who != "None" for who in whos)


def test_an_entry_without_a_visible_change_is_left_out(cast: Cast, world: PlanWorld):
    activity = world.activity_a
    before = len(history_for(activity))
    save_next_version(activity, cast.admin_a)  # only the version counter moves
    activity.description = f"<p>{activity.description}</p>"  # only markup changes
    save_next_version(activity, cast.admin_a)

    entries = history_for(activity)
    part = history_part(client_for(cast, "admin_a").get(activity_history_url(activity.pk)))

    assert activity.history.count() == before + 2
    assert len(entries) == before
    assert all(entry.changes for entry in entries if entry.what == "ändrad")
    assert all(not row.endswith("Ändrad") for row in rows_of(part))


def test_technical_fields_are_never_listed(cast: Cast, world: PlanWorld):
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    follow_up = workflow.approve_follow_up(cast.slk, follow_up, follow_up.version)

    with translation.override("en"):
        fields = {
            change.field
            for entry in follow_up_queries.follow_up_history(follow_up, True)
            for change in entry.changes
        }
    part = history_part(client_for(cast, "slk").get(follow_up_url()))

    assert "state" in fields
    for technical in (
        "version",
        "id",
        "submitted at",
        "submitted by",
        "reviewed at",
        "reviewed by",
    ):
        assert technical not in fields
    for label in ("Version", "Inlämnad av", "Granskad av", "Inlämnad den"):
        assert f"{label}:" not in part


# --- Rich text ---------------------------------------------------------------------------


def test_rich_text_is_shown_as_text_and_a_long_text_opens_in_full(cast: Cast, world: PlanWorld):
    goal = world.goal_a
    long_text = "<p>Första stycket om tryggheten.</p><p>" + "Mycket mer text. " * 20 + "Slut.</p>"
    plan_records.update_goal(cast.admin_a, goal, goal.version, {"description": long_text})

    part = history_part(client_for(cast, "admin_a").get(goal_history_url(goal.pk)))

    assert "&lt;p&gt;" not in part and "<p>Första" not in part
    details = part[part.index("<details>") : part.index("</details>")]
    summary = details[: details.index("</summary>")]
    assert "Första stycket om tryggheten. Mycket mer text." in summary
    assert "…" in summary and "Slut." not in summary
    assert "Första stycket om tryggheten.<br>Mycket mer text." in details
    assert "Slut." in details


# --- Evidence in the duty's history ------------------------------------------------------


@pytest.fixture
def duty(cast: Cast, private_dir: Path) -> DutyRecord:
    return DutyRecord.objects.create(
        body=cast.body_a,
        year=DUTY_YEAR,
        duty=DutyKind.CRISIS_PLAN,
        confidentiality=Confidentiality.INTERNAL,
        status=DutyStatus.MET,
    )


def upload(cast: Cast, record: DutyRecord, name: str) -> EvidenceFile:
    return duty_services.add_evidence_file(
        user=cast.admin_a,
        record=record,
        uploaded=SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf"),
    )


def test_evidence_uploaded_and_removed_appears_in_the_duty_history(
    cast: Cast, duty: DutyRecord, django_capture_on_commit_callbacks: Any
):
    kept = upload(cast, duty, "krisplan-2024.pdf")
    removed = upload(cast, duty, "utkast.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        duty_services.delete_evidence_file(user=cast.slk, evidence=removed)

    rows = rows_of(history_part(client_for(cast, "admin_a").get(duty_url(duty))))

    uploaded = [row for row in rows if "Underlag uppladdat" in row]
    gone = [row for row in rows if "Underlag borttaget" in row]
    assert len(uploaded) == 2 and len(gone) == 1
    assert "Sara Stadsledningskontoret Underlag borttaget Fil: utkast.pdf → (tomt)" in gone[0]
    assert any(
        "Amira Järvaadministratör Underlag uppladdat Fil: (tomt) → krisplan-2024.pdf" in row
        for row in uploaded
    )
    assert rows.index(gone[0]) == 0  # newest first
    assert kept.original_name == "krisplan-2024.pdf"


def test_a_reader_does_not_read_the_file_names_of_a_confidential_duty(cast: Cast, duty: DutyRecord):
    duty.confidentiality = Confidentiality.CONFIDENTIAL
    save_next_version(duty, cast.admin_a)
    upload(cast, duty, "hemlig-analys.pdf")

    shown = history_with_rows(duty, sees_confidential=False)
    every = history_with_rows(duty, sees_confidential=True)

    names = [change.new for entry in shown for change in entry.changes]
    assert "hemlig-analys.pdf" not in names
    assert "hemlig-analys.pdf" in [change.new for entry in every for change in entry.changes]


# --- The follow-up's outcomes, judgements and steps --------------------------------------


def report(follow_up: FollowUp, value: str, judgement: str, comment: str = "") -> FollowUpInput:
    return FollowUpInput(
        narrative="Arbetet går enligt plan.",
        activities={
            row.activity_id: ActivityInput(status=ActivityStatus.ONGOING, comment=comment)
            for row in follow_up.activity_reports.all()
        },
        outcomes={row.indicator_id: OutcomeInput(value=value) for row in follow_up.outcomes.all()},
        judgements={
            row.goal_id: JudgementInput(judgement=judgement, motivation="Enligt plan.")
            for row in follow_up.goal_judgements.all()
        },
    )


def test_a_follow_ups_history_shows_outcomes_judgements_and_steps(cast: Cast, world: PlanWorld):
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up = follow_up_services.save_follow_up(
        cast.admin_a, follow_up, follow_up.version, report(follow_up, "62,5", Judgement.PARTLY_MET)
    )
    follow_up = workflow.submit_follow_up(cast.admin_a, follow_up, follow_up.version)
    follow_up = workflow.return_follow_up(
        cast.slk, follow_up, "<p>Motivera <em>bedömningen</em>.</p>", follow_up.version
    )

    page = text_of(client_for(cast, "admin_a").get(follow_up_url()))
    history = page[page.index("Historik") :]

    indicator = IndicatorOutcome.objects.get(follow_up=follow_up, indicator=world.indicator_a)
    assert f"Utfall ändrat: {indicator.name}" in history
    assert "Utfall: (tomt) → 62,5" in history
    with translation.override("sv"):
        before, after = str(Judgement.NOT_ASSESSED.label), str(Judgement.PARTLY_MET.label)
    assert f"Nämndens bedömning: {before} → {after}" in history
    assert "Aktivitet ändrad: " in history
    assert "Status: planerad → pågående" in history
    # Its steps, by whom, with SLK's comment as text.
    assert "Sara Stadsledningskontoret Återsänd" in history
    assert "SLK:s kommentar: (tomt) → Motivera bedömningen." in history
    assert "Amira Järvaadministratör Inlämnad" in history
    assert "<p>" not in history and "&lt;" not in history


def test_a_reader_does_not_read_the_changes_of_a_confidential_row(cast: Cast, world: PlanWorld):
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    follow_up_services.save_follow_up(
        cast.admin_a,
        follow_up,
        follow_up.version,
        report(follow_up, "7", Judgement.FULLY_MET, comment="Hemlig kommentar"),
    )
    secret = world.confidential_activity_a.title

    shown = " ".join(
        f"{entry.what} {change.old} {change.new}"
        for entry in follow_up_queries.follow_up_history(follow_up, False)
        for change in entry.changes
    )
    every = " ".join(
        f"{entry.what} {change.old} {change.new}"
        for entry in follow_up_queries.follow_up_history(follow_up, True)
        for change in entry.changes
    )

    assert secret in every and secret not in shown
    assert world.activity_a.title in shown


# --- Queries, at two lengths of history --------------------------------------------------


def lengthen_activity(cast: Cast, world: PlanWorld, times: int) -> None:
    activity = world.activity_a
    for n in range(times):
        activity = plan_records.update_activity(
            cast.admin_a, activity, activity.version, {"title": f"Trygghetsvandringar {n}"}
        )


@pytest.mark.parametrize("changes", [1, 25])
def test_the_plan_history_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, changes: int
):
    lengthen_activity(cast, world, changes)
    client = client_for(cast, "admin_a")
    client.get(activity_history_url(world.activity_a.pk))  # warms the content-type cache

    with django_assert_num_queries(PLAN_HISTORY_QUERIES):
        response = client.get(activity_history_url(world.activity_a.pk))

    assert len(rows_of(history_part(response))) >= changes


# Session and user, the record with its plan and body, the access checks, the history's
# rows, its focus areas (a many-to-many field), the goal's levels and the names.
PLAN_HISTORY_QUERIES = 8


@pytest.mark.parametrize("files", [1, 12])
def test_the_duty_page_reads_in_a_fixed_number_of_queries_however_many_files_came_and_went(
    cast: Cast,
    duty: DutyRecord,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
    files: int,
):
    for n in range(files):
        evidence = upload(cast, duty, f"fil-{n}.pdf")
        if n % 2:
            with django_capture_on_commit_callbacks(execute=True):
                duty_services.delete_evidence_file(user=cast.admin_a, evidence=evidence)
    client = client_for(cast, "admin_a")
    client.get(duty_url(duty))

    with django_assert_num_queries(DUTY_PAGE_QUERIES):
        response = client.get(duty_url(duty))

    assert len([row for row in rows_of(history_part(response)) if "Underlag" in row]) == (
        files + files // 2
    )


# The duty page's own queries and one for its evidence files' history (with their users).
DUTY_PAGE_QUERIES = 8


@pytest.mark.parametrize("saves", [1, 6])
def test_the_follow_up_page_reads_in_a_fixed_number_of_queries_however_long_its_history(
    cast: Cast, world: PlanWorld, django_assert_num_queries: Any, saves: int
):
    follow_up = follow_up_services.start_follow_up(cast.admin_a, world.plan_a, FollowUpPeriod.T1)
    for n in range(saves):
        follow_up = follow_up_services.save_follow_up(
            cast.admin_a, follow_up, follow_up.version, report(follow_up, str(n), Judgement.NOT_MET)
        )
    client = client_for(cast, "reader_a")
    client.get(follow_up_url())

    with django_assert_num_queries(FOLLOW_UP_PAGE_QUERIES):
        response = client.get(follow_up_url())

    assert text_of(response).count("Utfall ändrat") == saves


FOLLOW_UP_PAGE_QUERIES = 13


@pytest.mark.parametrize("saves", [1, 15])
def test_the_referral_response_history_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_num_queries: Any, saves: int
):
    from remiss.services import responses as response_services
    from tests.remiss.test_responses import make_round

    round_ = make_round(cast)
    response = response_services.start_response(cast.admin_a, round_.referral, cast.body_a)
    for n in range(saves):
        response = response_services.save_response(
            cast.admin_a, response, response.version, {"summary": f"<p>Sammanfattning {n}</p>"}
        )
    url = reverse(
        "remiss:response-history", kwargs={"referral": round_.referral.pk, "slug": "jarva"}
    )
    client = client_for(cast, "reader_a")
    client.get(url)

    with django_assert_num_queries(RESPONSE_HISTORY_QUERIES):
        response_page = client.get(url)

    part = history_part(response_page)
    assert f"Sammanfattning {saves - 1}" in part
    assert "&lt;p&gt;" not in part and "Version:" not in part
    assert len([row for row in rows_of(part) if "Sammanfattning" in row]) == saves


# Session and user, the response with its round and body, the access checks, the history's
# rows with their users, and the levels the reader may see.
RESPONSE_HISTORY_QUERIES = 6
