"""Reading and checking the referral history files (fixtures/remiss/) before anything is written.

``rounds.toml`` gives the rounds and their sections, ``responses.toml`` each response
with the line ranges of its sections in its seed text, its signatories and statements.
Everything is read and checked here, against the files alone; the loader
(``remiss.services.referral_history``) checks it against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from programme.services.fixture_files import Entry, FixtureError, check_slug, read_toml
from remiss.document_text import heading_before, join_lines
from remiss.models import RESPONSE_SECTIONS, Stance

REFERRALS_DIR = "remiss"


ROUNDS_FILE = "rounds.toml"


RESPONSES_FILE = "responses.toml"


LINE_SPACINGS = ("single", "double")


@dataclass(frozen=True)
class SectionSpec:
    """A section of a round's draft: a focus area of the version referred, or a free title."""

    entry: str
    focus_area: str | None
    title: str | None

    @property
    def name(self) -> str:
        """How statements in the files name the section."""
        return self.focus_area or self.title or ""


@dataclass(frozen=True)
class RoundSpec:
    """A referral round as the file gives it."""

    entry: str
    key: str
    programme: str
    sender_body: str | None
    values: dict[str, Any]
    sections: list[SectionSpec]


@dataclass(frozen=True)
class StatementSpec:
    """A statement: the section it addresses, its stance and its text, quoted from the seed."""

    entry: str
    section: str
    stance: str
    text: str


@dataclass(frozen=True)
class ResponseSpec:
    """A historical response as the file gives it, with its section texts read from its seed."""

    entry: str
    key: str
    round: str
    body: str
    seed: Path
    values: dict[str, Any]
    signatories: list[tuple[str, str]]
    statements: list[StatementSpec]


def read_rounds(path: Path) -> list[RoundSpec]:
    """Read and check the rounds file."""
    specs: list[RoundSpec] = []
    for key, table in read_toml(path, "rounds").items():
        check_slug(path, f"rounds.{key}", key)
        entry = Entry(path, f"rounds.{key}", table)
        values = {
            "registration_number": entry.text("registration_number"),
            "title": entry.text("title", required=True),
            "sender_name": entry.text("sender", required=True),
            "sent_on": entry.date("sent_on"),
            "deadline": entry.date("deadline"),
        }
        spec = RoundSpec(
            entry=entry.entry,
            key=key,
            programme=entry.text("programme", required=True),
            sender_body=entry.optional_text("sender_body"),
            values=values,
            sections=[
                _read_section(path, f"{entry.entry}.sections[{index}]", section)
                for index, section in enumerate(entry.tables("sections"), start=1)
            ],
        )
        entry.finish()
        if not spec.sections:
            raise entry.error("a round needs at least one section")
        names = [section.name for section in spec.sections]
        doubled = sorted({name for name in names if names.count(name) > 1})
        if doubled:
            raise entry.error("sections listed twice: " + ", ".join(doubled))
        specs.append(spec)
    numbers = [spec.values["registration_number"] for spec in specs]
    for spec in specs:
        number = spec.values["registration_number"]
        if number and numbers.count(number) > 1:
            raise FixtureError(path, spec.entry, f'registration number "{number}" given twice')
    return specs


def _read_section(path: Path, where: str, table: object) -> SectionSpec:
    """One section: a focus area's title, or a title of its own, never both."""
    entry = Entry(path, where, table)
    spec = SectionSpec(
        entry=where,
        focus_area=entry.optional_text("focus_area"),
        title=entry.optional_text("title"),
    )
    entry.finish()
    if (spec.focus_area is None) == (spec.title is None):
        raise entry.error('give either "focus_area" or "title"')
    return spec


def read_responses(path: Path, rounds: list[RoundSpec]) -> list[ResponseSpec]:
    """Read and check the responses file; section texts are read from each seed file."""
    sections = {spec.key: {section.name for section in spec.sections} for spec in rounds}
    specs: list[ResponseSpec] = []
    seen: set[tuple[str, str]] = set()
    for key, table in read_toml(path, "responses").items():
        check_slug(path, f"responses.{key}", key)
        entry = Entry(path, f"responses.{key}", table)
        round_key = entry.text("round", required=True)
        if round_key not in sections:
            raise entry.error(f'round "{round_key}" is not in {ROUNDS_FILE}')
        body = entry.text("body", required=True)
        if (round_key, body) in seen:
            raise entry.error(f'a second response of "{body}" to "{round_key}"')
        seen.add((round_key, body))
        seed = path.parent / entry.text("seed", required=True)
        values = _read_values(entry)
        values.update(_read_section_texts(entry, seed))
        statements = [
            _read_statement(path, f"{entry.entry}.statements[{index}]", item, sections[round_key])
            for index, item in enumerate(entry.tables("statements"), start=1)
        ]
        signatories = [
            _read_signatory(path, f"{entry.entry}.signatories[{index}]", item)
            for index, item in enumerate(entry.tables("signatories"), start=1)
        ]
        entry.finish()
        specs.append(
            ResponseSpec(
                entry=entry.entry,
                key=key,
                round=round_key,
                body=body,
                seed=seed,
                values=values,
                signatories=signatories,
                statements=statements,
            )
        )
    return specs


def _read_values(entry: Entry) -> dict[str, Any]:
    """The facts of a response the document states, as the file gives them."""
    return {
        "written_by": entry.text("written_by"),
        "registration_number": entry.text("registration_number"),
        "document_date": entry.date("document_date"),
        "unions_consulted_on": entry.date("unions_consulted_on"),
        "meeting_date": entry.date("meeting_date"),
        "decision_text": entry.text("decision_text"),
        "minutes_paragraph": entry.text("minutes_paragraph"),
        "case_officer_name": entry.text("case_officer_name"),
        "case_officer_phone": entry.text("case_officer_phone"),
        "case_officer_email": entry.text("case_officer_email"),
    }


def _read_section_texts(entry: Entry, seed: Path) -> dict[str, str]:
    """Each standard section's text, read from the seed by its line ranges."""
    spacing = entry.text("line_spacing", required=True)
    if spacing not in LINE_SPACINGS:
        raise entry.error(f'"line_spacing" must be one of: {", ".join(LINE_SPACINGS)}')
    try:
        lines = seed.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise entry.error(f"seed file {seed.name} not found") from None
    tables = _raw(entry, "sections")
    if not isinstance(tables, dict):
        raise entry.error('"sections" must be a table of the standard sections')
    unknown = sorted(set(tables) - set(RESPONSE_SECTIONS))
    if unknown:
        raise entry.error(
            "unknown section(s): " + ", ".join(unknown) + "; known: " + ", ".join(RESPONSE_SECTIONS)
        )
    texts = dict.fromkeys(RESPONSE_SECTIONS, "")
    for name, table in tables.items():
        section = Entry(entry.path, f"{entry.entry}.sections.{name}", table)
        heading = section.text("heading", required=True)
        ranges = _line_ranges(section, len(lines))
        subheadings = _raw(section, "subheadings", required=False) or []
        section.finish()
        if not isinstance(subheadings, list) or not all(
            isinstance(number, int) and any(first <= number <= last for first, last in ranges)
            for number in subheadings
        ):
            raise section.error('"subheadings" must list line numbers inside the ranges')
        found = heading_before(lines, ranges[0][0])
        if found != " ".join(heading.split()):
            raise section.error(
                f'the line before line {ranges[0][0]} of {seed.name} reads "{found}", '
                f'not the heading "{heading}"'
            )
        texts[name] = join_lines(lines, ranges, spacing == "double", subheadings)
        if not texts[name]:
            raise section.error(f"the lines hold no text in {seed.name}")
    return texts


def _raw(entry: Entry, key: str, required: bool = True) -> Any:
    """A value of a shape ``Entry`` has no reader for, marked as read; checked by the caller."""
    entry.read.add(key)
    if required and key not in entry.table:
        raise entry.error(f'missing key "{key}"')
    return entry.table.get(key)


def _line_ranges(section: Entry, line_count: int) -> list[tuple[int, int]]:
    """The ``lines`` of a section: pairs of first and last line, in order, inside the file."""
    value = _raw(section, "lines")
    ranges: list[tuple[int, int]] = []
    if isinstance(value, list):
        for pair in value:
            if (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(number, int) and not isinstance(number, bool) for number in pair)
            ):
                ranges.append((pair[0], pair[1]))
    if not ranges or len(ranges) != len(value or []):
        raise section.error('"lines" must be a list of [first, last] line numbers')
    previous = 0
    for first, last in ranges:
        if not previous < first <= last <= line_count:
            raise section.error(
                f"line ranges must be in order, not overlap, and lie within the "
                f"{line_count} lines of the file"
            )
        previous = last
    return ranges


def _read_statement(path: Path, where: str, table: object, sections: set[str]) -> StatementSpec:
    """One statement, addressing a section of its round."""
    entry = Entry(path, where, table)
    spec = StatementSpec(
        entry=where,
        section=entry.text("section", required=True),
        stance=entry.choice("stance", Stance, required=True),
        text=entry.text("text", required=True),
    )
    entry.finish()
    if spec.section not in sections:
        raise entry.error(f'the round has no section "{spec.section}"')
    return spec


def _read_signatory(path: Path, where: str, table: object) -> tuple[str, str]:
    """One signatory: name and title, as written."""
    entry = Entry(path, where, table)
    signatory = (entry.text("name", required=True), entry.text("title"))
    entry.finish()
    return signatory
