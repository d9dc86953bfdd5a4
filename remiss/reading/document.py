"""Reading a tjänsteutlåtande's lines into what a draft response needs, with the evidence.

``read_document`` is the one entry point: lines in (from text, Word or PDF, see
``remiss.reading.formats``), a ``Reading`` out, which ``to_data`` turns into plain data
to keep. Nothing here touches the database: the round's sections come in as
``statements.Target``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from remiss.document_text import is_page_marker, join_lines
from remiss.reading.facts import Facts, read_facts
from remiss.reading.layout import (
    Signature,
    letterhead_blocks,
    signature_lines,
    signatures,
    single_spaced,
    text_of,
)
from remiss.reading.sections import SectionText, headings, section_texts
from remiss.reading.statements import Proposal, Target, propose_statements, stems

# Sections whose passages are not the administration's views of the draft.
NOT_VIEWS = frozenset({"proposal", "attachments", "preparation"})


@dataclass
class Reading:
    """What the importer found in one document."""

    lines: list[str]
    sections: list[SectionText]
    facts: Facts
    signatures: list[Signature]
    proposals: list[Proposal]
    not_placed: list[tuple[int, int, str]]


def _paragraphs(lines: Sequence[str], section: SectionText) -> list[tuple[str, int, int, str, str]]:
    """A section's paragraphs with their first and last lines and the heading above each."""
    heading_lines = {number: text_of(lines[number - 1]) for number in section.subheadings}
    texts = section.text.split("\n\n")
    numbers = [n for first, last in section.ranges for n in range(first, last + 1)]
    found: list[tuple[str, int, int, str, str]] = []
    position = 0
    heading = ""
    for paragraph in texts:
        flat = " ".join(paragraph.split())
        start = next(
            (
                index
                for index in range(position, len(numbers))
                if _opens(flat, text_of(lines[numbers[index] - 1]))
            ),
            position,
        )
        end, covered = start, 0
        while end < len(numbers) and covered < len(flat):
            covered += len(text_of(lines[numbers[end] - 1])) + 1
            end += 1
        first_line = numbers[min(start, len(numbers) - 1)]
        last_line = numbers[min(max(start, end - 1), len(numbers) - 1)]
        position = max(end, start + 1)
        if first_line in heading_lines:
            heading = " ".join(
                heading_lines[n] for n in sorted(heading_lines) if first_line <= n <= last_line
            )
            continue
        found.append((paragraph, first_line, last_line, heading, section.name))
    return found


def _repeats(proposal: Proposal, proposals: Sequence[Proposal]) -> bool:
    """Whether most of a proposal's words already stand in one of ``proposals``."""
    words = {w for _word, w in stems(proposal.text)}
    if not words:
        return True
    return any(
        len(words & {w for _word, w in stems(other.text)}) >= 0.6 * len(words)
        for other in proposals
    )


def _opens(paragraph: str, line: str) -> bool:
    """Whether a paragraph starts with the words of a line."""
    return bool(line) and not is_page_marker(line) and paragraph.startswith(line[:24])


def _not_placed(lines: Sequence[str], placed: set[int]) -> list[tuple[int, int, str]]:
    """The runs of lines with words that no section, signature or fact took."""
    runs: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines, start=1):
        text = text_of(line)
        if not text or is_page_marker(text) or number in placed:
            continue
        if runs and runs[-1][1] == number - 1:
            first, _last, words = runs[-1]
            runs[-1] = (first, number, f"{words}\n{text}")
        else:
            runs.append((number, number, text))
    return runs


def read_document(
    raw_lines: Sequence[str], targets: Sequence[Target] = (), round_number: str = ""
) -> Reading:
    """Sections, facts, signatories and proposed statements of a document's lines."""
    lines = single_spaced(raw_lines)
    found_signatures = signatures(lines)
    signed = signature_lines(found_signatures)
    stops = {number for number, _name in headings(lines, signed)}
    blocks = letterhead_blocks(lines, stops)
    in_letterhead = {n for block in blocks for n in block.lines()}
    sections, placed = section_texts(lines, in_letterhead | signed)
    facts = read_facts(lines, blocks, round_number, signed)
    views = [s for s in sections if s.name == "views"]
    sources = views or [s for s in sections if s.name not in NOT_VIEWS]
    if sources:
        paragraphs = [p for section in sources for p in _paragraphs(lines, section)]
    else:
        whole = [n for n in range(1, len(lines) + 1) if n not in in_letterhead | signed]
        text = join_lines(lines, [(whole[0], whole[-1])]) if whole else ""
        paragraphs = [(p, whole[0], whole[-1], "", "") for p in text.split("\n\n") if p]
    proposals = propose_statements(paragraphs, targets)
    if views:
        # The summary and the analyses may take a stance the views do not repeat.
        others = [s for s in sections if s.name in ("summary", "equality_analysis")]
        extra = propose_statements(
            [p for section in others for p in _paragraphs(lines, section)],
            targets,
            stated_only=True,
        )
        proposals += [p for p in extra if not _repeats(p, proposals)]
    placed |= signed | facts.used_lines | {fact.line for fact in facts.values.values()}
    return Reading(
        lines=list(lines),
        sections=sections,
        facts=facts,
        signatures=found_signatures,
        proposals=proposals,
        not_placed=_not_placed(lines, placed),
    )


def to_data(reading: Reading) -> dict[str, Any]:
    """The reading as plain data (JSON), to keep with the import."""
    data = asdict(reading)
    data["facts"]["used_lines"] = sorted(reading.facts.used_lines)
    return data
