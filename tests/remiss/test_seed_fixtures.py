"""The five seed responses, loaded as the historical rounds they answered, held to their texts.

Every section, registration number, date, case officer, signatory and statement of a
loaded response is checked against the seed file it came from (fixtures/remiss/), with
the expectations written out here rather than read from the loader's own data file.
"""

from __future__ import annotations

import datetime
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from programme import access
from programme.access import GeneralUse
from programme.models import Confidentiality
from programme.services.fixture_files import FixtureError
from remiss.models import (
    RESPONSE_SECTIONS,
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralSection,
    ReferralState,
    Response,
    ResponseState,
    Signatory,
    Stance,
    Statement,
)
from remiss.services.referral_history import HistoryResult, load_referral_history
from tests.access.test_general_reports import BODY_MODELS
from tests.conftest import FIXTURES_DIR, Cast
from tests.test_locking_rule import project_models

pytestmark = pytest.mark.django_db

SEEDS = FIXTURES_DIR / "remiss"
REMISS_MODELS = (Referral, ReferralSection, Invitation, Response, Signatory, Statement)
ROUND_2017 = "remiss-2017-trygghets-och-sakerhetsprogram"
ROUND_2021 = "remiss-2021-trygghetsprogram"
ROUND_2024 = "remiss-2024-sakerhetsprogram"

# Seed file, round, body, and each section the seed has: its first and last words.
SEED_SECTIONS: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "000_86afc72c440f316c.txt": (
        ROUND_2017,
        "kulturnamnden",
        {
            "summary": ("Stockholms stads trygghets- och", "i det förebyggande säkerhetsarbetet."),
            "background": ("Remiss av Stockholms stads", "Remisstid 2017-12-01."),
            "matter": ("Stockholms stads trygghets- och", "av stadens samtliga nämnder."),
            "preparation": ("Ärendet har beretts av", "administrativa stab."),
            "views": ("Kulturförvaltningen anser att", "utifrån försäkringsbolagets perspektiv."),
            "equality_analysis": ("Stadens trygghetsmätning visar", "och säkerhetsarbetet."),
            "attachments": ("Remiss av Stockholms stads", "dnr 171-1309/2017"),
        },
    ),
    "004_4a88a8f610060b67.txt": (
        ROUND_2017,
        "skarholmen",
        {
            "proposal": ("Stadsdelsförvaltningen föreslår att", "utgår som styrdokument."),
            "summary": ("Skärholmens stadsdelsnämnd har fått", "som svar på remissen."),
            "background": ("Skärholmens stadsdelsnämnd har fått", "utgår som styrdokument."),
            "matter": ("Kommunfullmäktige har i linje med", "av åtgärder och insatser."),
            "preparation": ("Ärendet har beretts av", "förvaltningens preventionssamordnare."),
            "views": ("Stadsdelsförvaltningen anser att", "som svar på remissen."),
        },
    ),
    "002_1f364216c0b50e56.txt": (
        ROUND_2021,
        "kulturnamnden",
        {
            "summary": ("Stockholms stads trygghetsprogram", "och trygghetsskapande arbetet."),
            "background": ("Remiss av Stockholms stads", "Remisstid 2021-02-21."),
            "matter": ("Stockholms stads trygghetsprogram", "mot ett identifierat problem."),
            "preparation": ("Ärendet har beretts av", "verksamhetsstöd på Stadsarkivet."),
            "views": ("Kulturförvaltningen och Stadsarkivet", "och på Liljeholmskajen."),
        },
    ),
    "003_161d1e13179743f2.txt": (
        ROUND_2021,
        "hagersten-alvsjo",
        {
            "proposal": ("Hägersten-Liljeholmens stadsdelsnämnd godkänner", "svar på remissen."),
            "summary": ("I Stockholms stads budget", "säkerhetsprogram 2018-2021."),
            "background": ("Kommunfullmäktige antog 2018", "2018-2021 ska revideras."),
            "matter": ("I Stockholms stads budget", "samt äldreperspektiv."),
            "preparation": ("Ärendet har beretts inom", "den 12 januari 2021."),
            "views": ("Stockholms stad har stora utmaningar,", "svar på remissen."),
            "attachments": ("Remissunderlag Stockholms stads", "Trygghetsprogram 2020-2023"),
        },
    ),
    "001_1d09d7780e0b6f9f.txt": (
        ROUND_2024,
        "jarva",
        {
            "proposal": ("Stadsdelsnämnden överlämnar", "som svar på remissen."),
            "summary": ("Förvaltningen har mottagit en remiss", "som svar på remissen."),
            "background": ("Kommunstyrelsen har remitterat", "terrordådet på Drottninggatan."),
            "matter": ("Stadsledningskontoret föreslår att", "bilagan till detta ärende."),
            "preparation": ("Ärendet har beretts inom", "med HR-avdelningen."),
            "views": ("Förvaltningen välkomnar den utvidgade", "som svar på remissen."),
            "equality_analysis": ("Säkerhetsprogrammet har inget", "invånare i fokus."),
            "attachments": ("Förslag till Stockholms stads säkerhetsprogram", "säkerhetsprogram"),
        },
    ),
}

# What each document states about itself, exactly; None and "" where it states nothing.
SEED_FACTS: dict[str, dict[str, Any]] = {
    "000_86afc72c440f316c.txt": {"written_by": "Kulturförvaltningen"},
    "004_4a88a8f610060b67.txt": {
        "written_by": "Skärholmens stadsdelsförvaltning",
        "case_officer_name": "Stefano Prestinoni",
        "case_officer_phone": "076 12 24 030",
    },
    "002_1f364216c0b50e56.txt": {"written_by": "Kulturförvaltningen och Stadsarkivet"},
    "003_161d1e13179743f2.txt": {
        "written_by": "Hägersten-Älvsjö stadsdelsförvaltning",
        "unions_consulted_on": datetime.date(2021, 1, 12),
    },
    "001_1d09d7780e0b6f9f.txt": {
        "written_by": "Järva stadsdelsförvaltning",
        "registration_number": "JÄRVA 2023/665",
        "document_date": datetime.date(2024, 1, 23),
        "meeting_date": datetime.date(2024, 2, 22),
        "case_officer_name": "Caroline Teir",
        "case_officer_phone": "08-50802622",
    },
}
FACT_FIELDS = (
    "written_by",
    "registration_number",
    "document_date",
    "unions_consulted_on",
    "meeting_date",
    "decision_text",
    "minutes_paragraph",
    "case_officer_name",
    "case_officer_phone",
    "case_officer_email",
)

SEED_SIGNATORIES = {
    "000_86afc72c440f316c.txt": [],
    "004_4a88a8f610060b67.txt": [
        ("Susanne Leinsköld", "Stadsdelsdirektör"),
        ("Stefano Prestinoni", "Avdelningschef"),
    ],
    "002_1f364216c0b50e56.txt": [],
    "003_161d1e13179743f2.txt": [
        ("Gunilla Davidsson", "stadsdelsdirektör"),
        ("Linda Palo", "avdelningschef"),
    ],
    "001_1d09d7780e0b6f9f.txt": [
        ("Victoria Callenmark", "Stadsdelsdirektör"),
        ("Jonas Eliasson", "Avdelningschef"),
    ],
}

SWEDISH_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def normalised(text: str) -> str:
    """Text as compared: page markers and Markdown marks dropped, all whitespace one space."""
    lines = [line for line in text.splitlines() if not re.fullmatch(r"\s*\(\d+\)\s*", line)]
    joined = re.sub(r"^\s*#+", "", "\n".join(lines), flags=re.MULTILINE).replace("**", "")
    return " ".join(joined.split())


def seed_text(seed: str) -> str:
    return normalised((SEEDS / seed).read_text(encoding="utf-8"))


def response_of(seed: str) -> Response:
    round_key, body, _ = SEED_SECTIONS[seed]
    return Response.objects.get(referral__history_key=round_key, body__slug=body)


def in_seed(value: datetime.date, text: str) -> bool:
    """Whether the seed writes the date, as 2024-01-23 or as "12 januari 2021"."""
    swedish = f"{value.day} {SWEDISH_MONTHS[value.month - 1]} {value.year}"
    return value.isoformat() in text or swedish in text


# --- The rounds -------------------------------------------------------------------------


def test_the_three_rounds_are_loaded_as_closed_history(referral_history: HistoryResult):
    rounds = {
        referral.history_key: referral
        for referral in Referral.objects.select_related("programme", "sender_body")
    }

    assert set(rounds) == {ROUND_2017, ROUND_2021, ROUND_2024}
    facts = {
        key: (
            referral.registration_number,
            referral.programme.slug,
            referral.sender_name,
            referral.sender_body.slug if referral.sender_body else None,
            referral.deadline,
        )
        for key, referral in rounds.items()
    }
    assert facts == {
        ROUND_2017: (
            "171-1309/2017",
            "trygghets-och-sakerhetsprogram-2018-2021",
            "Finansroteln",
            None,
            datetime.date(2017, 12, 1),
        ),
        ROUND_2021: (
            "KS 2020/1939",
            "trygghetsprogram-2020-2023",
            "Kommunstyrelsen",
            "kommunstyrelsen",
            datetime.date(2021, 2, 21),
        ),
        ROUND_2024: ("", "sakerhetsprogram-2024", "Kommunstyrelsen", "kommunstyrelsen", None),
    }
    for referral in rounds.values():
        assert referral.origin == ReferralOrigin.HISTORY and referral.is_history
        assert referral.state == ReferralState.CLOSED
        assert not referral.draft_file


def test_round_numbers_and_deadlines_are_the_seeds(referral_history: HistoryResult):
    assert "dnr 171-1309/2017. Remisstid 2017-12-01." in seed_text("000_86afc72c440f316c.txt")
    assert "(KS 2020/1939). Remisstid 2021-02-21." in seed_text("002_1f364216c0b50e56.txt")
    assert "Svar på remiss från Finansroteln" in seed_text("004_4a88a8f610060b67.txt")
    assert "Svar på remiss från kommunstyrelsen" in seed_text("001_1d09d7780e0b6f9f.txt")


def test_each_round_invites_exactly_the_bodies_that_answered(referral_history: HistoryResult):
    invited = {
        key: set(
            Invitation.objects.filter(referral__history_key=key).values_list(
                "body__slug", flat=True
            )
        )
        for key in (ROUND_2017, ROUND_2021, ROUND_2024)
    }

    assert invited == {
        ROUND_2017: {"kulturnamnden", "skarholmen"},
        ROUND_2021: {"kulturnamnden", "hagersten-alvsjo"},
        ROUND_2024: {"jarva"},
    }
    assert not Invitation.objects.filter(declined=True).exists()


def test_sections_of_a_round_are_its_programmes_focus_areas_and_free_sections(
    referral_history: HistoryResult,
):
    for referral in Referral.objects.all():
        sections = list(referral.sections.select_related("focus_area"))
        assert [section.position for section in sections] == list(range(1, len(sections) + 1))
        focus_areas = [section.focus_area for section in sections if section.focus_area]
        # Every focus area of the version referred is a section, and only those.
        assert {area.pk for area in focus_areas} == set(
            referral.programme.focus_areas.values_list("pk", flat=True)
        )
        assert sections[0].heading == "Programmet som helhet"

    headings = [
        section.heading
        for section in ReferralSection.objects.filter(referral__history_key=ROUND_2017)
    ]
    assert "Genomförande och uppföljning" in headings
    assert "3. Förebygga otillåten påverkan samt hot och våld mot anställda" in headings


# --- The responses ------------------------------------------------------------------------


def test_each_seed_is_a_submitted_open_response_of_its_body(referral_history: HistoryResult):
    assert referral_history.responses == Response.objects.count() == len(SEED_SECTIONS)
    for seed in SEED_SECTIONS:
        response = response_of(seed)
        assert response.state == ResponseState.SUBMITTED and response.is_locked
        assert response.confidentiality == Confidentiality.OPEN


@pytest.mark.parametrize("seed", sorted(SEED_SECTIONS))
def test_sections_are_the_seeds_text_between_its_headings(
    referral_history: HistoryResult, seed: str
):
    response = response_of(seed)
    text = seed_text(seed)
    expected = SEED_SECTIONS[seed][2]

    present = {name for name in RESPONSE_SECTIONS if getattr(response, name)}
    assert present == set(expected)
    for name, (first, last) in expected.items():
        section = getattr(response, name)
        assert normalised(section).startswith(first), name
        assert normalised(section).endswith(last), name
        for paragraph in section.split("\n\n"):
            assert normalised(paragraph) in text, (name, paragraph)


def test_page_markers_and_the_letterhead_are_left_out_of_sections(
    referral_history: HistoryResult,
):
    skarholmen = response_of("004_4a88a8f610060b67.txt")
    jarva = response_of("001_1d09d7780e0b6f9f.txt")

    for name in RESPONSE_SECTIONS:
        assert "(5)" not in getattr(skarholmen, name)
        assert "**" not in getattr(skarholmen, name)
    assert "brottsförebyggande arbete. ( t ex" in skarholmen.views
    assert "Kungsklippan 6" not in jarva.background
    assert "Handläggare" not in jarva.background
    assert "2020-2023.\n\nEnligt stadsledningskontoret" in jarva.background


@pytest.mark.parametrize("seed", sorted(SEED_SECTIONS))
def test_numbers_dates_and_case_officer_are_exactly_the_seeds(
    referral_history: HistoryResult, seed: str
):
    response = response_of(seed)
    text = seed_text(seed)
    facts = SEED_FACTS[seed]

    for name in FACT_FIELDS:
        field: Any = Response._meta.get_field(name)
        empty = None if isinstance(field, models.DateField) else ""
        assert getattr(response, name) == facts.get(name, empty), name
        value = facts.get(name)
        if isinstance(value, datetime.date):
            assert in_seed(value, text), name
        elif value and name != "written_by":
            assert value in text, name


@pytest.mark.parametrize("seed", sorted(SEED_SECTIONS))
def test_signatories_are_the_seeds_in_its_order(referral_history: HistoryResult, seed: str):
    response = response_of(seed)

    signatories = [(person.name, person.title) for person in response.signatories.all()]

    assert signatories == SEED_SIGNATORIES[seed]
    for name, title in signatories:
        assert name in seed_text(seed) and title in seed_text(seed)


# --- The statements ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(SEED_SECTIONS))
def test_statements_quote_the_seed_and_address_a_section_of_its_round(
    referral_history: HistoryResult, seed: str
):
    response = response_of(seed)
    statements = list(response.statements.select_related("section"))

    assert len(statements) >= 3
    assert [statement.position for statement in statements] == list(range(1, len(statements) + 1))
    for statement in statements:
        assert statement.stance in Stance.values
        assert statement.section.referral_id == response.referral_id
        assert statement.confidentiality == Confidentiality.OPEN
        assert normalised(statement.text) in seed_text(seed), statement.text


def test_statements_say_what_the_texts_argue(referral_history: HistoryResult):
    def stance_on(seed: str, heading: str, words: str) -> list[str]:
        return [
            statement.stance
            for statement in response_of(seed).statements.select_related("section__focus_area")
            if statement.section.heading == heading and words in normalised(statement.text)
        ]

    culture_2017 = "000_86afc72c440f316c.txt"
    assert stance_on(
        culture_2017,
        "3. Förebygga otillåten påverkan samt hot och våld mot anställda",
        "två separata fokusområden",
    ) == [Stance.PROPOSES_CHANGE]
    assert stance_on(
        "001_1d09d7780e0b6f9f.txt",
        "Samverkan och geografiskt områdesansvar",
        "vilka kategorier av aktörer",
    ) == [Stance.ASKS_FOR_CLARIFICATION]
    assert stance_on(
        "002_1f364216c0b50e56.txt", "Arbete i stadens offentliga miljö", "”offentlig miljö”"
    ) == [Stance.ASKS_FOR_CLARIFICATION]
    assert stance_on("003_161d1e13179743f2.txt", "Programmet som helhet", "ser inga hinder") == [
        Stance.SUPPORTS
    ]
    assert stance_on("004_4a88a8f610060b67.txt", "2. Förebygga brott", "Tillsammans mot brott") == [
        Stance.ASKS_FOR_CLARIFICATION
    ]
    assert referral_history.statements == Statement.objects.count()


# --- Loading ------------------------------------------------------------------------------


def rows_and_history() -> dict[str, tuple[int, int]]:
    return {
        model.__name__: (model.objects.count(), model.history.count()) for model in REMISS_MODELS
    }


def test_loading_twice_changes_nothing_not_even_the_history(referral_history: HistoryResult):
    before = rows_and_history()

    again = load_referral_history(FIXTURES_DIR)

    assert rows_and_history() == before
    assert again == referral_history and again.removed == 0


def test_loading_again_restores_what_was_changed(referral_history: HistoryResult):
    response = response_of("001_1d09d7780e0b6f9f.txt")
    summary = response.summary
    Response.objects.filter(pk=response.pk).update(summary="ändrad", registration_number="X")
    Statement.objects.create(
        response=response,
        section=response.referral.sections.get(position=1),
        position=99,
        stance=Stance.OBJECTS,
        text="Något som inte står i dokumentet.",
    )

    result = load_referral_history(FIXTURES_DIR)

    response.refresh_from_db()
    assert (response.summary, response.registration_number) == (summary, "JÄRVA 2023/665")
    assert not response.statements.filter(position=99).exists()
    assert result.removed == 1


def test_command_prints_one_line_and_if_empty_loads_nothing_twice(loaded_data: Any):
    out = StringIO()

    call_command("load_referral_history", stdout=out)
    call_command("load_referral_history", "--if-empty", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert "3 historical referral rounds" in lines[0] and "5 responses" in lines[0]
    assert lines[1] == "The database already holds the referral history; nothing loaded."


def test_without_the_programme_data_the_command_says_what_to_run_first(db: None):
    with pytest.raises(CommandError, match="run load_programme_data first"):
        call_command("load_referral_history", stdout=StringIO())
    assert not Referral.objects.exists()


def test_a_heading_that_does_not_match_its_lines_is_refused_and_nothing_is_written(
    loaded_data: Any, tmp_path: Path
):
    shutil.copytree(SEEDS, tmp_path / "remiss")
    responses = tmp_path / "remiss" / "responses.toml"
    text = responses.read_text(encoding="utf-8")
    responses.write_text(text.replace("lines = [[375, 395]]", "lines = [[376, 395]]"), "utf-8")

    with pytest.raises(FixtureError, match=r"kulturnamnden-2017\.sections\.equality_analysis"):
        load_referral_history(tmp_path)
    assert not Referral.objects.exists() and not Response.objects.exists()


def test_a_statement_on_a_section_the_round_lacks_is_refused(loaded_data: Any, tmp_path: Path):
    shutil.copytree(SEEDS, tmp_path / "remiss")
    responses = tmp_path / "remiss" / "responses.toml"
    text = responses.read_text(encoding="utf-8")
    responses.write_text(text.replace('section = "Personsäkerhet"', 'section = "Okänd"'), "utf-8")

    with pytest.raises(FixtureError, match='the round has no section "Okänd"'):
        load_referral_history(tmp_path)


# --- The models answer the locking rule and the access module ----------------------------


def test_the_walks_of_the_locking_rule_and_the_access_module_see_the_models():
    assert set(REMISS_MODELS) <= set(project_models())
    assert {Invitation, Response, Signatory, Statement} <= set(BODY_MODELS)
    assert not {Referral, ReferralSection} & set(BODY_MODELS)


def test_a_bodys_members_see_its_responses_and_no_other_bodys(
    referral_history: HistoryResult, cast: Cast
):
    def bodies_seen(model: type[models.Model], user: Any) -> set[str]:
        path = model.body_path  # type: ignore[attr-defined]
        rows = access.restrict(model._default_manager.all(), user)
        return set(rows.values_list(f"{path}__slug", flat=True))

    for model in (Response, Statement, Signatory, Invitation):
        assert bodies_seen(model, cast.admin_a) == {"jarva"}
        assert bodies_seen(model, cast.admin_b) == {"skarholmen"}
        assert bodies_seen(model, cast.official) == set()
        assert bodies_seen(model, cast.no_role) == set()
    assert bodies_seen(Response, cast.slk) == {
        "kulturnamnden",
        "skarholmen",
        "hagersten-alvsjo",
        "jarva",
    }


def test_a_confidential_statement_stays_with_administrators_and_out_of_general_reports(
    referral_history: HistoryResult, cast: Cast
):
    jarva = response_of("001_1d09d7780e0b6f9f.txt")
    secret = jarva.statements.get(position=1)
    Statement.objects.filter(pk=secret.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)
    every = Statement.objects.filter(response=jarva)

    assert secret in access.restrict(every, cast.admin_a)
    assert secret not in access.restrict(every, cast.reader_a)
    assert secret not in access.for_general_report(every, GeneralUse.COUNTED)
    assert access.for_general_report(every).count() == every.count() - 1
    # A confidential response takes its statements and signatories with it.
    Response.objects.filter(pk=jarva.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)
    assert not access.restrict(every, cast.reader_a).exists()
    assert not access.restrict(Signatory.objects.filter(response=jarva), cast.reader_a).exists()
    assert not access.for_general_report(every, GeneralUse.COUNTED).exists()
