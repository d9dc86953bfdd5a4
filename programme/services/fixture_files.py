"""Reading and checking the programme fixture files (TOML) before anything is written."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models

from programme.models import (
    Assembly,
    BodyKind,
    ProgrammeKind,
    ProgrammeStatus,
)

PROGRAMMES_FILE = "programmes.toml"


BODIES_FILE = "bodies.toml"


class FixtureError(Exception):
    """Bad fixture input: says which file and which entry, and what is wrong."""

    def __init__(self, path: Path, entry: str, message: str) -> None:
        """Keep the parts so callers can show them; the text joins them."""
        self.path = path
        self.entry = entry
        self.message = message
        where = f"{path}: {entry}" if entry else str(path)
        super().__init__(f"{where}: {message}")


@dataclass
class SuccessionSpec:
    """A succession as the fixture gives it: a later focus area and/or a note."""

    entry: str
    programme: str | None
    title: str | None
    note: str


@dataclass
class FocusAreaSpec:
    """A focus area as the fixture gives it."""

    entry: str
    title: str
    number: int | None
    description: str
    goals: str
    working_methods: str
    goal_areas: list[str]
    successors: list[SuccessionSpec] = field(default_factory=list)


@dataclass
class ProgrammeSpec:
    """A programme version as the fixture gives it, with its goal and focus areas."""

    entry: str
    slug: str
    values: dict[str, Any]
    supersedes: str | None
    goal_areas: list[str]
    goal_area_entries: list[str]
    focus_areas: list[FocusAreaSpec]


@dataclass
class BodySpec:
    """A body as the fixture gives it."""

    entry: str
    slug: str
    values: dict[str, Any]
    predecessors: list[str]


class Entry:
    """One table of a fixture file, read with checks that name the file and the entry."""

    def __init__(self, path: Path, entry: str, table: object) -> None:
        """Refuse anything that is not a table."""
        if not isinstance(table, dict):
            raise FixtureError(path, entry, "must be a table")
        self.path = path
        self.entry = entry
        self.table: dict[str, object] = table
        self.read: set[str] = set()

    def error(self, message: str) -> FixtureError:
        """An error about this entry."""
        return FixtureError(self.path, self.entry, message)

    def _get(self, key: str, required: bool) -> object:
        """The raw value of ``key``, or None where it is optional and missing."""
        self.read.add(key)
        if key not in self.table:
            if required:
                raise self.error(f'missing key "{key}"')
            return None
        return self.table[key]

    def text(self, key: str, required: bool = False) -> str:
        """A string, stripped; empty where optional and missing."""
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(f'"{key}" must be a string')
        value = value.strip()
        if required and not value:
            raise self.error(f'"{key}" must not be empty')
        return value

    def optional_text(self, key: str) -> str | None:
        """A non-empty string, or None where missing."""
        if key not in self.table:
            self.read.add(key)
            return None
        return self.text(key, required=True)

    def integer(self, key: str, required: bool = False) -> int | None:
        """A whole number (not a boolean), or None where optional and missing."""
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f'"{key}" must be a whole number')
        return value

    def date(self, key: str) -> datetime.date | None:
        """A TOML date (not a date-time), or None where missing."""
        value = self._get(key, required=False)
        if value is None:
            return None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise self.error(f'"{key}" must be a date such as 2020-07-01')
        return value

    def choice(self, key: str, choices: type[models.TextChoices], required: bool = False) -> str:
        """One of the values of ``choices``; empty where optional and missing."""
        value = self.text(key, required)
        if value and value not in choices.values:
            allowed = ", ".join(str(choice) for choice in choices.values)
            raise self.error(f'"{key}" is "{value}", which is not one of: {allowed}')
        return value

    def strings(self, key: str) -> list[str]:
        """A list of non-empty strings; empty where missing."""
        value = self._get(key, required=False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(f'"{key}" must be a list of non-empty strings')
        return [item.strip() for item in value]

    def tables(self, key: str) -> list[object]:
        """A list of tables (TOML's ``[[...]]``); empty where missing."""
        value = self._get(key, required=False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f'"{key}" must be a list of tables')
        return value

    def finish(self) -> None:
        """Refuse keys nobody read: they are typing mistakes."""
        unknown = sorted(set(self.table) - self.read)
        if unknown:
            raise self.error("unknown key(s): " + ", ".join(f'"{key}"' for key in unknown))


def read_toml(path: Path, top_key: str) -> dict[str, object]:
    """The table under ``top_key`` of a TOML file, or a clear error."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        raise FixtureError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise FixtureError(path, "", f"not valid TOML: {error}") from error
    unknown = sorted(set(document) - {top_key})
    if unknown:
        raise FixtureError(path, "", "unknown top-level key(s): " + ", ".join(unknown))
    tables = document.get(top_key, {})
    if not isinstance(tables, dict):
        raise FixtureError(path, top_key, "must be a table of tables keyed by slug")
    return tables


def check_slug(path: Path, entry: str, slug: str) -> None:
    """Refuse a key that cannot serve as a slug."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise FixtureError(
            path, entry, "the key must be a slug (letters, digits, hyphens, underscores)"
        ) from None


def read_programmes(path: Path) -> list[ProgrammeSpec]:
    """Read and check the programme versions file; each comes after the one it supersedes."""
    specs: list[ProgrammeSpec] = []
    for slug, table in read_toml(path, "programmes").items():
        entry = Entry(path, f"[programmes.{slug}]", table)
        check_slug(path, entry.entry, slug)
        adopted_on = entry.date("adopted_on")
        adopted_year = entry.integer("adopted_year")
        if adopted_on is not None and adopted_year is not None:
            raise entry.error('give either "adopted_on" or "adopted_year", not both')
        values: dict[str, Any] = {
            "name": entry.text("name", required=True),
            "subtitle": entry.text("subtitle"),
            "kind": entry.choice("kind", ProgrammeKind, required=True),
            "first_year": entry.integer("first_year", required=True),
            "last_year": entry.integer("last_year"),
            "registration_number": entry.text("registration_number"),
            "adopted_on": adopted_on,
            "adopted_year": adopted_year,
            "adopted_by": entry.choice("adopted_by", Assembly),
            "status": entry.choice("status", ProgrammeStatus, required=True),
            "summary": entry.text("summary"),
        }
        supersedes = entry.optional_text("supersedes")
        goal_areas: list[str] = []
        goal_area_entries: list[str] = []
        for position, goal_table in enumerate(entry.tables("goal_areas"), start=1):
            goal_entry = Entry(path, f"{entry.entry} goal area {position}", goal_table)
            name = goal_entry.text("name", required=True)
            goal_entry.finish()
            if name in goal_areas:
                raise goal_entry.error(f'goal area "{name}" is listed twice')
            goal_areas.append(name)
            goal_area_entries.append(goal_entry.entry)
        focus_areas = [
            read_focus_area(path, f"{entry.entry} focus area {position}", focus_table)
            for position, focus_table in enumerate(entry.tables("focus_areas"), start=1)
        ]
        entry.finish()
        check_focus_areas(path, focus_areas, goal_areas)
        specs.append(
            ProgrammeSpec(
                entry=entry.entry,
                slug=slug,
                values=values,
                supersedes=supersedes,
                goal_areas=goal_areas,
                goal_area_entries=goal_area_entries,
                focus_areas=focus_areas,
            )
        )
    check_programme_references(path, specs)
    return in_lineage_order(path, specs)


def read_focus_area(path: Path, where: str, table: object) -> FocusAreaSpec:
    """Read and check one focus area with its successions."""
    entry = Entry(path, where, table)
    title = entry.text("title", required=True)
    entry.entry = f'{where} ("{title}")'
    spec = FocusAreaSpec(
        entry=entry.entry,
        title=title,
        number=entry.integer("number"),
        description=entry.text("description"),
        goals=entry.text("goals"),
        working_methods=entry.text("working_methods"),
        goal_areas=entry.strings("goal_areas"),
    )
    for index, succession_table in enumerate(entry.tables("successors"), start=1):
        succession = Entry(path, f"{entry.entry} successor {index}", succession_table)
        spec.successors.append(
            SuccessionSpec(
                entry=succession.entry,
                programme=succession.optional_text("programme"),
                title=succession.optional_text("title"),
                note=succession.text("note"),
            )
        )
        succession.finish()
    entry.finish()
    return spec


def check_focus_areas(path: Path, focus_areas: list[FocusAreaSpec], goal_areas: list[str]) -> None:
    """Refuse repeated titles or numbers and links to goal areas the version lacks."""
    titles: set[str] = set()
    numbers: set[int] = set()
    for spec in focus_areas:
        if spec.title in titles:
            raise FixtureError(path, spec.entry, f'focus area "{spec.title}" is listed twice')
        titles.add(spec.title)
        if spec.number is not None:
            if spec.number < 1:
                raise FixtureError(path, spec.entry, '"number" must be 1 or more')
            if spec.number in numbers:
                raise FixtureError(path, spec.entry, f"number {spec.number} is used twice")
            numbers.add(spec.number)
        for name in spec.goal_areas:
            if name not in goal_areas:
                raise FixtureError(path, spec.entry, f'unknown goal area "{name}"')


def check_programme_references(path: Path, specs: list[ProgrammeSpec]) -> None:
    """Refuse references to versions or focus areas the fixture does not define."""
    titles_by_slug = {spec.slug: {area.title for area in spec.focus_areas} for spec in specs}
    for spec in specs:
        if spec.supersedes is not None and spec.supersedes not in titles_by_slug:
            raise FixtureError(
                path, spec.entry, f'"supersedes" names unknown programme "{spec.supersedes}"'
            )
        for area in spec.focus_areas:
            # A succession is known by its successor, or by its note where it has none.
            targets: set[tuple[str | None, str]] = set()
            for succession in area.successors:
                check_succession(path, succession, spec.slug, area.title, titles_by_slug)
                key = (
                    (succession.programme, succession.title or "")
                    if succession.programme
                    else (None, succession.note)
                )
                if key in targets:
                    raise FixtureError(
                        path, succession.entry, "the same succession is listed twice"
                    )
                targets.add(key)


def check_succession(
    path: Path,
    succession: SuccessionSpec,
    source_slug: str,
    source_title: str,
    titles_by_slug: Mapping[str, set[str]],
) -> None:
    """Refuse a succession that names nothing, or names a focus area that does not exist."""
    if (succession.programme is None) != (succession.title is None):
        raise FixtureError(
            path, succession.entry, 'give both "programme" and "title" of the successor, or neither'
        )
    if succession.programme is None:
        if not succession.note:
            raise FixtureError(
                path,
                succession.entry,
                'name the successor focus area or say in "note" where it went',
            )
        return
    if succession.programme not in titles_by_slug:
        raise FixtureError(path, succession.entry, f'unknown programme "{succession.programme}"')
    if succession.title not in titles_by_slug[succession.programme]:
        raise FixtureError(
            path,
            succession.entry,
            f'programme "{succession.programme}" has no focus area "{succession.title}"',
        )
    if (succession.programme, succession.title) == (source_slug, source_title):
        raise FixtureError(path, succession.entry, "a focus area cannot succeed itself")


def in_lineage_order(path: Path, specs: list[ProgrammeSpec]) -> list[ProgrammeSpec]:
    """The versions ordered so that each comes after the version it supersedes."""
    by_slug = {spec.slug: spec for spec in specs}
    ordered: list[ProgrammeSpec] = []
    placed: set[str] = set()
    for spec in specs:
        trail: list[ProgrammeSpec] = []
        current: ProgrammeSpec | None = spec
        while current is not None and current.slug not in placed:
            if any(item.slug == current.slug for item in trail):
                raise FixtureError(
                    path, current.entry, "the versions supersede each other in a circle"
                )
            trail.append(current)
            current = by_slug[current.supersedes] if current.supersedes else None
        for item in reversed(trail):
            placed.add(item.slug)
            ordered.append(item)
    return ordered


def read_bodies(path: Path) -> list[BodySpec]:
    """Read and check the bodies file."""
    specs: list[BodySpec] = []
    for slug, table in read_toml(path, "bodies").items():
        entry = Entry(path, f"[bodies.{slug}]", table)
        check_slug(path, entry.entry, slug)
        values: dict[str, Any] = {
            "kind": entry.choice("kind", BodyKind, required=True),
            "name": entry.text("name", required=True),
            "administration_name": entry.text("administration"),
            "valid_from": entry.date("valid_from"),
            "valid_to": entry.date("valid_to"),
        }
        predecessors = entry.strings("predecessors")
        entry.finish()
        specs.append(BodySpec(entry.entry, slug, values, predecessors))
    slugs = {spec.slug for spec in specs}
    for spec in specs:
        for predecessor in spec.predecessors:
            if predecessor not in slugs:
                raise FixtureError(path, spec.entry, f'unknown predecessor "{predecessor}"')
            if predecessor == spec.slug:
                raise FixtureError(path, spec.entry, "a body cannot be its own predecessor")
    return specs
