"""The real data in fixtures/: held to the seed documents, and loaded idempotently."""

from __future__ import annotations

import datetime
import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.utils import timezone

from programme.models import (
    Assembly,
    Body,
    BodyKind,
    FocusArea,
    FocusAreaSuccession,
    GoalArea,
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from programme.services.fixtures import LoadResult, load_programme_data

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

OLD_2013 = "trygghets-och-sakerhetsprogram-2013-2016"
PROGRAMME_2018 = "trygghets-och-sakerhetsprogram-2018-2021"
SAFETY_2020 = "trygghetsprogram-2020-2023"
SECURITY_2020 = "sakerhetsprogram-2020-2023"
SECURITY_2024 = "sakerhetsprogram-2024"

SEED_000 = "000_86afc72c440f316c.txt"
SEED_001 = "001_1d09d7780e0b6f9f.txt"
SEED_004 = "004_4a88a8f610060b67.txt"


def normalise(text: str) -> str:
    """Lower case, one kind of dash, no Markdown emphasis, single spaces."""
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\xa0", " ")
    text = text.replace("**", "")
    return re.sub(r"\s+", " ", text).strip()


def dehyphenate(text: str) -> str:
    """Join words the PDF extraction split with a hyphen at a line break."""
    return re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)


def found_in(needle: str, text: str) -> bool:
    """Whether ``needle`` occurs in ``text``, as extracted or with hyphenation joined."""
    wanted = normalise(needle)
    return wanted in normalise(text) or wanted in normalise(dehyphenate(text))


def seed_text(name: str) -> str:
    """One seed document, read from settings.SEEDS_DIR."""
    return (Path(settings.SEEDS_DIR) / name).read_text(encoding="utf-8")


def table_dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every programme table, many-to-many tables included, in key order."""
    models: list[type[Model]] = [
        Programme,
        GoalArea,
        FocusArea,
        FocusArea.goal_areas.through,
        FocusAreaSuccession,
        Body,
        Body.predecessors.through,
    ]
    return {
        model._meta.db_table: list(model._default_manager.order_by("pk").values())
        for model in models
    }


def copy_fixtures(target: Path) -> Path:
    """A copy of the real fixture files that a test may edit."""
    for name in ("programmes.toml", "bodies.toml"):
        shutil.copy(FIXTURES_DIR / name, target / name)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact, unique piece of a fixture file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def refused_load(fixtures: Path) -> str:
    """Run the loader on ``fixtures``, expect a refusal that changes nothing; its message."""
    before = table_dump()
    with pytest.raises(CommandError) as error:
        call_command("load_programme_data", "--fixtures", str(fixtures), stdout=StringIO())
    assert table_dump() == before
    return str(error.value)


def focus_titles(slug: str) -> list[str]:
    """The focus-area titles of one version, in order."""
    return list(
        FocusArea.objects.filter(programme__slug=slug)
        .order_by("position")
        .values_list("title", flat=True)
    )


# Loading


def test_loading_twice_leaves_exactly_the_same_rows(loaded_data: LoadResult) -> None:
    before = table_dump()

    load_programme_data(FIXTURES_DIR)

    assert table_dump() == before
    # Only the focus-area/goal-area links are empty: no document gives them.
    assert [table for table, rows in before.items() if not rows] == [
        FocusArea.goal_areas.through._meta.db_table
    ]


def test_command_prints_one_line_of_counts(db: None) -> None:
    out = StringIO()

    call_command("load_programme_data", "--fixtures", str(FIXTURES_DIR), stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "5 programme versions" in lines[0]
    assert "4 goal areas" in lines[0]
    assert "36 bodies" in lines[0]


def test_second_command_run_changes_nothing(loaded_data: LoadResult) -> None:
    before = table_dump()

    call_command("load_programme_data", stdout=StringIO())

    assert table_dump() == before


def test_reordered_focus_areas_keep_their_rows(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    ids = dict(FocusArea.objects.filter(programme__slug=SAFETY_2020).values_list("title", "pk"))
    edit(
        fixtures / "programmes.toml",
        '[[programmes.trygghetsprogram-2020-2023.focus_areas]]\ntitle = "Förebyggande arbete"\n',
        "",
    )
    edit(
        fixtures / "programmes.toml",
        'title = "Stadsutveckling"\n\n\n',
        'title = "Stadsutveckling"\n\n'
        "[[programmes.trygghetsprogram-2020-2023.focus_areas]]\n"
        'title = "Förebyggande arbete"\n\n\n',
    )

    load_programme_data(fixtures)

    assert focus_titles(SAFETY_2020) == [
        "Arbete i stadens offentliga miljö",
        "Riktade sociala insatser",
        "Stadsutveckling",
        "Förebyggande arbete",
    ]
    assert (
        dict(FocusArea.objects.filter(programme__slug=SAFETY_2020).values_list("title", "pk"))
        == ids
    )


def test_focus_areas_and_successions_the_fixture_drops_are_removed(
    loaded_data: LoadResult, tmp_path: Path
) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "programmes.toml",
        "[[programmes.sakerhetsprogram-2020-2023.focus_areas.successors]]\n"
        'programme = "sakerhetsprogram-2024"\ntitle = "Beredskap"\n\n'
        "[[programmes.sakerhetsprogram-2020-2023.focus_areas]]\nnumber = 2\n",
        "[[programmes.sakerhetsprogram-2020-2023.focus_areas]]\nnumber = 2\n",
    )
    edit(
        fixtures / "programmes.toml",
        'programme = "sakerhetsprogram-2024"\ntitle = "Personsäkerhet"\nnote',
        "note",
    )
    # Personsäkerhet is the file's last table: cut it off.
    text = (fixtures / "programmes.toml").read_text(encoding="utf-8")
    last = text.index("[[programmes.sakerhetsprogram-2024.focus_areas]]\nnumber = 4")
    (fixtures / "programmes.toml").write_text(text[:last], encoding="utf-8")
    crisis = FocusArea.objects.get(programme__slug=SECURITY_2020, title="Krisberedskap")

    result = load_programme_data(fixtures)

    assert focus_titles(SECURITY_2024) == [
        "Beredskap",
        "Säkerhetsskydd",
        "Olycksförebyggande arbete",
    ]
    assert not crisis.successions.exists()
    assert result.removed > 0
    assert not FocusAreaSuccession.objects.filter(successor__title="Personsäkerhet").exists()


# Bad input


def test_missing_key_is_refused_naming_file_and_entry(
    loaded_data: LoadResult, tmp_path: Path
) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(fixtures / "programmes.toml", 'name = "Stockholms stads säkerhetsprogram"\n', "")

    message = refused_load(fixtures)

    assert "programmes.toml" in message
    assert "[programmes.sakerhetsprogram-2024]" in message
    assert 'missing key "name"' in message


def test_unknown_slug_is_refused_naming_file_and_entry(
    loaded_data: LoadResult, tmp_path: Path
) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "programmes.toml",
        'supersedes = "sakerhetsprogram-2020-2023"',
        'supersedes = "sakerhetsprogram-1999"',
    )

    message = refused_load(fixtures)

    assert "programmes.toml" in message
    assert "[programmes.sakerhetsprogram-2024]" in message
    assert "sakerhetsprogram-1999" in message


def test_unknown_successor_focus_area_is_refused(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "programmes.toml",
        'title = "Olycksförebyggande arbete"\n\n[[',
        'title = "Olyckor"\n\n[[',
    )

    message = refused_load(fixtures)

    assert "[programmes.sakerhetsprogram-2020-2023] focus area 4" in message
    assert 'no focus area "Olyckor"' in message


def test_bad_kind_is_refused_naming_file_and_entry(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "bodies.toml",
        '[bodies.stockholms-hamn]\nkind = "company_board"',
        '[bodies.stockholms-hamn]\nkind = "bolag"',
    )

    message = refused_load(fixtures)

    assert "bodies.toml" in message
    assert "[bodies.stockholms-hamn]" in message
    assert '"bolag"' in message


def test_error_found_while_writing_rolls_back_everything(
    loaded_data: LoadResult, tmp_path: Path
) -> None:
    fixtures = copy_fixtures(tmp_path)
    # A change the loader would make, followed by a body that ends before it begins,
    # which only the model's own checks find, after the programmes are written.
    edit(
        fixtures / "programmes.toml",
        'name = "Trygghets- och säkerhetsprogram för Stockholms stad 2013–2016"',
        'name = "Trygghets- och säkerhetsprogram 2013–2016"',
    )
    edit(
        fixtures / "bodies.toml",
        'valid_from = 2023-07-01\npredecessors = ["rinkeby-kista"',
        'valid_from = 2023-07-01\nvalid_to = 2023-06-30\npredecessors = ["rinkeby-kista"',
    )

    message = refused_load(fixtures)

    assert "bodies.toml" in message
    assert "[bodies.jarva]" in message


def test_repeated_focus_area_number_is_refused(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "programmes.toml",
        'number = 2\ntitle = "Civilt försvar"',
        'number = 1\ntitle = "Civilt försvar"',
    )

    assert re.search(
        r"sakerhetsprogram-2020-2023\] focus area 2 .*number 1", refused_load(fixtures)
    )


def test_misspelt_key_is_refused(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(fixtures / "bodies.toml", 'name = "Kommunstyrelsen"', 'namn = "Kommunstyrelsen"')

    assert re.search(r"\[bodies\.kommunstyrelsen\]: missing key \"name\"", refused_load(fixtures))


def test_superseding_in_a_circle_is_refused(loaded_data: LoadResult, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "programmes.toml",
        'registration_number = "307-643/2012"\n',
        'registration_number = "307-643/2012"\nsupersedes = "sakerhetsprogram-2024"\n',
    )

    assert re.search("circle", refused_load(fixtures))


def test_bad_input_on_an_empty_database_leaves_it_empty(db: None, tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit(
        fixtures / "bodies.toml",
        'predecessors = ["norrmalm", "ostermalm"]',
        'predecessors = ["city"]',
    )

    assert re.search(r"\[bodies\.norra-innerstaden\].*\"city\"", refused_load(fixtures))

    assert not Programme.objects.exists()
    assert not Body.objects.exists()


def test_missing_fixtures_directory_is_refused(db: None, tmp_path: Path) -> None:
    assert re.search(r"programmes\.toml: file not found", refused_load(tmp_path))


# The programme versions against the seed documents


def test_2018_2021_has_four_goal_areas_and_five_focus_areas(loaded_data: LoadResult) -> None:
    programme = Programme.objects.get(slug=PROGRAMME_2018)

    assert programme.goal_areas.count() == 4
    assert list(programme.focus_areas.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_revised_security_programme_has_four_focus_areas(loaded_data: LoadResult) -> None:
    programme = Programme.objects.get(slug=SECURITY_2024)

    assert list(programme.focus_areas.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert not programme.goal_areas.exists()


@pytest.mark.parametrize("seed", [SEED_000, SEED_004])
def test_2018_2021_goal_and_focus_area_names_are_in_the_seed(
    loaded_data: LoadResult, seed: str
) -> None:
    text = seed_text(seed)
    programme = Programme.objects.get(slug=PROGRAMME_2018)
    names = [area.name for area in programme.goal_areas.all()]
    names += [area.title for area in programme.focus_areas.all()]

    missing = [name for name in names if not found_in(name, text)]

    assert len(names) == 9
    assert missing == []


def test_revised_security_programme_focus_areas_are_in_seed_001(loaded_data: LoadResult) -> None:
    text = seed_text(SEED_001)
    areas = list(Programme.objects.get(slug=SECURITY_2024).focus_areas.all())

    assert [area for area in areas if not found_in(area.title, text)] == []
    assert [area for area in areas if not found_in(f"{area.number}. {area.title}", text)] == []


def test_revised_security_programme_descriptions_are_seed_001s_text(
    loaded_data: LoadResult,
) -> None:
    text = seed_text(SEED_001)
    areas = list(Programme.objects.get(slug=SECURITY_2024).focus_areas.all())

    assert all(area.description for area in areas)
    assert [area.title for area in areas if not found_in(area.description, text)] == []
    assert all("\n" not in area.description for area in areas)


def test_no_focus_area_has_text_no_document_gives(loaded_data: LoadResult) -> None:
    undocumented = FocusArea.objects.exclude(programme__slug=SECURITY_2024)

    assert list(undocumented.exclude(description="").values_list("title", flat=True)) == []
    assert not FocusArea.objects.exclude(goals="").exists()
    assert not FocusArea.objects.exclude(working_methods="").exists()


def test_2018_2021_focus_areas_are_not_linked_to_goal_areas(loaded_data: LoadResult) -> None:
    # The documents do not say which goal areas each focus area bears on.
    assert not FocusArea.goal_areas.through._default_manager.exists()


def test_security_2020_has_five_numbered_and_safety_2020_four_unnumbered_areas(
    loaded_data: LoadResult,
) -> None:
    security = FocusArea.objects.filter(programme__slug=SECURITY_2020)
    safety = FocusArea.objects.filter(programme__slug=SAFETY_2020)

    assert list(security.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert focus_titles(SAFETY_2020) == [
        "Arbete i stadens offentliga miljö",
        "Förebyggande arbete",
        "Riktade sociala insatser",
        "Stadsutveckling",
    ]
    assert list(safety.values_list("number", flat=True)) == [None] * 4


def test_versions_carry_the_facts_the_documents_give(loaded_data: LoadResult) -> None:
    versions = {programme.slug: programme for programme in Programme.objects.all()}

    assert versions[OLD_2013].registration_number == "307-643/2012"
    assert versions[PROGRAMME_2018].registration_number == "171-1309/2017"
    assert versions[PROGRAMME_2018].subtitle == "För ett tryggare och säkrare Stockholm"
    assert versions[PROGRAMME_2018].adopted_on is None
    assert versions[PROGRAMME_2018].adoption_year == 2018
    assert versions[SAFETY_2020].registration_number == "KS 2020/1939"
    assert versions[SAFETY_2020].adopted_on == datetime.date(2021, 4, 12)
    assert versions[SECURITY_2020].adopted_on == datetime.date(2020, 3, 23)
    assert versions[SECURITY_2024].adoption_year == 2024
    assert versions[SECURITY_2024].period_label == "2024–"
    assert versions[SECURITY_2024].name == "Stockholms stads säkerhetsprogram"
    assert [versions[slug].kind for slug in (OLD_2013, PROGRAMME_2018)] == [
        ProgrammeKind.SAFETY_AND_SECURITY
    ] * 2
    assert versions[SAFETY_2020].kind == ProgrammeKind.SAFETY
    assert versions[SECURITY_2020].kind == versions[SECURITY_2024].kind == ProgrammeKind.SECURITY
    adopted_by = {slug: programme.adopted_by for slug, programme in versions.items()}
    assert adopted_by == {
        OLD_2013: "",
        PROGRAMME_2018: Assembly.CITY_COUNCIL,
        SAFETY_2020: Assembly.CITY_COUNCIL,
        SECURITY_2020: Assembly.CITY_COUNCIL,
        SECURITY_2024: Assembly.CITY_COUNCIL,
    }


def test_lineage_runs_from_2013_to_the_revised_security_programme(
    loaded_data: LoadResult,
) -> None:
    supersedes = dict(Programme.objects.values_list("slug", "supersedes__slug"))

    assert supersedes == {
        OLD_2013: None,
        PROGRAMME_2018: OLD_2013,
        SAFETY_2020: PROGRAMME_2018,
        SECURITY_2020: PROGRAMME_2018,
        SECURITY_2024: SECURITY_2020,
    }


def test_only_versions_no_later_one_supersedes_are_in_force(loaded_data: LoadResult) -> None:
    superseded = set(
        Programme.objects.filter(superseded_by__isnull=False).values_list("slug", flat=True)
    )
    in_force = set(
        Programme.objects.filter(status=ProgrammeStatus.ADOPTED).values_list("slug", flat=True)
    )

    assert in_force == {SAFETY_2020, SECURITY_2024}
    assert superseded == {OLD_2013, PROGRAMME_2018, SECURITY_2020}
    assert (
        set(
            Programme.objects.filter(status=ProgrammeStatus.SUPERSEDED).values_list(
                "slug", flat=True
            )
        )
        == superseded
    )


# Where each focus area's content went (the table in the seeds README)


def successor_titles(area: FocusArea, slug: str) -> set[str]:
    """The titles of focus areas of version ``slug`` that ``area``'s content reaches."""
    reached: set[str] = set()
    for succession in area.successions.select_related("successor__programme"):
        successor = succession.successor
        if successor is None:
            continue
        if successor.programme.slug == slug:
            reached.add(successor.title)
        reached |= successor_titles(successor, slug)
    return reached


def notes_along(area: FocusArea) -> list[str]:
    """Every note on the way from ``area`` through all its successors."""
    notes: list[str] = []
    for succession in area.successions.select_related("successor"):
        if succession.note:
            notes.append(succession.note)
        if succession.successor is not None:
            notes += notes_along(succession.successor)
    return notes


README_TABLE = {
    1: ({"Förebygga olyckor"}, {"Olycksförebyggande arbete"}),
    2: (set(), set()),
    3: ({"Förebygga otillåten påverkan samt hot och våld mot anställda"}, {"Personsäkerhet"}),
    4: ({"Krisberedskap", "Civilt försvar"}, {"Beredskap"}),
    5: ({"Säkerhetsskydd och informationssäkerhet"}, {"Säkerhetsskydd"}),
}


@pytest.mark.parametrize("number", sorted(README_TABLE))
def test_successions_from_2018_2021_reach_the_readme_columns(
    loaded_data: LoadResult, number: int
) -> None:
    area = FocusArea.objects.get(programme__slug=PROGRAMME_2018, number=number)
    in_2020, in_2024 = README_TABLE[number]

    assert successor_titles(area, SECURITY_2020) == in_2020
    assert successor_titles(area, SECURITY_2024) == in_2024


def test_crime_prevention_went_to_the_whole_safety_programme(loaded_data: LoadResult) -> None:
    area = FocusArea.objects.get(programme__slug=PROGRAMME_2018, number=2)

    assert successor_titles(area, SAFETY_2020) == set(focus_titles(SAFETY_2020))
    assert all(
        "Hela trygghetsprogrammet" in succession.note for succession in area.successions.all()
    )


def test_content_that_left_the_lineage_is_recorded_in_notes(loaded_data: LoadResult) -> None:
    improper_influence = FocusArea.objects.get(programme__slug=PROGRAMME_2018, number=3)
    security_protection = FocusArea.objects.get(programme__slug=PROGRAMME_2018, number=5)

    assert any(
        "otillåten påverkan" in note and "trygghetsprogram" in note
        for note in notes_along(improper_influence)
    )
    assert any(
        "informationssäkerhet" in note and "kvalitetsprogram" in note
        for note in notes_along(security_protection)
    )
    assert FocusAreaSuccession.objects.filter(successor__isnull=True).count() == 2


def test_successions_link_only_to_the_directly_following_version(loaded_data: LoadResult) -> None:
    successions = FocusAreaSuccession.objects.filter(successor__isnull=False).select_related(
        "source__programme", "successor__programme"
    )

    assert successions.count() == 14
    for succession in successions:
        assert succession.successor is not None
        assert succession.successor.programme.supersedes_id == succession.source.programme_id


# Bodies


def district_committees_on(day: datetime.date) -> set[str]:
    """The district committees that existed on ``day``."""
    return set(
        Body.objects.active_on(day)
        .filter(kind=BodyKind.DISTRICT_COMMITTEE)
        .values_list("slug", flat=True)
    )


def test_eleven_district_committees_exist_today(loaded_data: LoadResult) -> None:
    assert len(district_committees_on(timezone.localdate())) == 11


def test_fourteen_district_committees_existed_until_mid_2020(loaded_data: LoadResult) -> None:
    assert len(district_committees_on(datetime.date(2020, 6, 30))) == 14
    assert len(district_committees_on(datetime.date(2020, 7, 1))) == 13
    assert len(district_committees_on(datetime.date(2023, 6, 30))) == 13
    assert len(district_committees_on(datetime.date(2023, 7, 1))) == 11


@pytest.mark.parametrize(
    ("merged", "day", "predecessors"),
    [
        ("hagersten-alvsjo", datetime.date(2020, 7, 1), {"hagersten-liljeholmen", "alvsjo"}),
        ("jarva", datetime.date(2023, 7, 1), {"rinkeby-kista", "spanga-tensta"}),
        ("norra-innerstaden", datetime.date(2023, 7, 1), {"norrmalm", "ostermalm"}),
    ],
)
def test_merged_district_committees_keep_their_predecessors(
    loaded_data: LoadResult, merged: str, day: datetime.date, predecessors: set[str]
) -> None:
    body = Body.objects.get(slug=merged)

    assert body.valid_from == day
    assert body.valid_to is None
    assert set(body.predecessors.values_list("slug", flat=True)) == predecessors
    for predecessor in body.predecessors.all():
        assert predecessor.valid_to == day - datetime.timedelta(days=1)
        assert list(predecessor.successors.all()) == [body]


def test_jarva_names_itself_as_in_seed_001(loaded_data: LoadResult) -> None:
    jarva = Body.objects.get(slug="jarva")

    assert found_in(jarva.name, seed_text(SEED_001))
    assert found_in(jarva.administration_name, seed_text(SEED_001))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Kulturnämnden", BodyKind.SPECIALIST_COMMITTEE),
        ("Järva stadsdelsnämnd", BodyKind.DISTRICT_COMMITTEE),
        ("Hägersten-Liljeholmens stadsdelsnämnd", BodyKind.DISTRICT_COMMITTEE),
        ("Hägersten-Älvsjö stadsdelsnämnd", BodyKind.DISTRICT_COMMITTEE),
        ("Skärholmens stadsdelsnämnd", BodyKind.DISTRICT_COMMITTEE),
        ("Stadsbyggnadsnämnden", BodyKind.SPECIALIST_COMMITTEE),
        ("Trafiknämnden", BodyKind.SPECIALIST_COMMITTEE),
        ("Miljö- och hälsoskyddsnämnden", BodyKind.SPECIALIST_COMMITTEE),
        ("Kommunstyrelsen", BodyKind.EXECUTIVE_BOARD),
        ("S:t Erik Försäkrings AB", BodyKind.COMPANY_BOARD),
    ],
)
def test_bodies_the_seeds_name_are_there(
    loaded_data: LoadResult, name: str, kind: BodyKind
) -> None:
    assert Body.objects.get(name=name).kind == kind


def test_body_counts_by_kind(loaded_data: LoadResult) -> None:
    counts = {kind: Body.objects.filter(kind=kind).count() for kind in BodyKind}

    assert counts == {
        BodyKind.DISTRICT_COMMITTEE: 17,
        BodyKind.SPECIALIST_COMMITTEE: 12,
        BodyKind.COMPANY_BOARD: 6,
        BodyKind.EXECUTIVE_BOARD: 1,
    }
    assert Body.objects.get(kind=BodyKind.EXECUTIVE_BOARD).administration_name == (
        "Stadsledningskontoret"
    )
    assert not Body.objects.filter(kind=BodyKind.COMPANY_BOARD).exclude(administration_name="")


@pytest.mark.parametrize("not_a_body", ["Finansroteln", "Stadsarkivet", "kommunfullmäktige"])
def test_what_the_index_says_is_not_a_body_is_not_one(
    loaded_data: LoadResult, not_a_body: str
) -> None:
    assert not Body.objects.filter(name__icontains=not_a_body).exists()
    assert not Body.objects.filter(administration_name__icontains=not_a_body).exists()


def test_loading_only_into_an_empty_database_keeps_slks_changes(loaded_data: LoadResult) -> None:
    Body.objects.filter(slug="bromma").update(name="Bromma stadsdelsnämnd (ändrad av SLK)")
    out = StringIO()

    call_command("load_programme_data", "--if-empty", stdout=out)

    assert Body.objects.get(slug="bromma").name == "Bromma stadsdelsnämnd (ändrad av SLK)"
    assert "nothing loaded" in out.getvalue()


def test_loading_into_an_empty_database_with_if_empty_loads_everything(db: None) -> None:
    call_command("load_programme_data", "--if-empty", stdout=StringIO())

    assert Programme.objects.count() == 5
    assert Body.objects.count() == 36
