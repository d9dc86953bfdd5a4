"""The standard sections of a tjänsteutlåtande: where each heading stands and what its text is.

A heading is known by its words (``SECTION_HEADINGS``), however it is marked: plain,
bold, a Markdown heading, a Word heading style. A section's text runs from its heading
to the next standard heading, without the letterhead and signature lines inside it;
headings inside a section (``subheadings``) keep a paragraph of their own.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from remiss.document_text import is_page_marker, join_lines
from remiss.reading.layout import text_of

# Each section's headings as documents write them (lower case, without a closing colon).
SECTION_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("proposal", r"(?:[a-zåäö-]+ )?förslag till beslut"),
        ("summary", r"sammanfattning"),
        ("background", r"bakgrund|underlag för beslut"),
        ("preparation", r"ärendets beredning|beredning"),
        ("matter", r"ärendet(?: [-–] .*)?|remissen|remissen i sammanfattning|ärendebeskrivning"),
        (
            "views",
            r"(?:[a-zåäö-]+ )?synpunkter(?: och förslag)?|"
            r"(?:förvaltningens|förvaltningarnas|kontorets) (?:bedömning|synpunkter)",
        ),
        (
            "equality_analysis",
            r"jämställdhetsanalys|barnrättsanalys|jämställdhets- och barnrättsanalys|"
            r"jämställdhets- och barnkonsekvensanalys|barnkonsekvensanalys",
        ),
        ("attachments", r"bilagor|bilaga"),
    )
)
# A heading inside a section is at most this long, over one or two lines.
SUBHEADING_LENGTH = 80
# Words a heading that goes on to a second line may end with.
RUNS_ON = ("och", "samt", "för", "mot", "av", "i", "till", "med", "om", "på", "eller", "–", "-")
SENTENCE_ENDS = (".", "!", "?", ":", ";", ",")


def section_of_heading(text: str) -> str | None:
    """The standard section a line is the heading of, or None."""
    words = text.strip().rstrip(":").strip().lower()
    if not words or len(words) > SUBHEADING_LENGTH:
        return None
    for name, pattern in SECTION_HEADINGS:
        if pattern.fullmatch(words):
            return name
    return None


@dataclass(frozen=True)
class SectionText:
    """A standard section as found: its heading, where it stands, and its text."""

    name: str
    heading: str
    heading_line: int
    ranges: tuple[tuple[int, int], ...]
    subheadings: tuple[int, ...]
    text: str


def headings(lines: Sequence[str], skipped: Collection[int]) -> list[tuple[int, str]]:
    """The lines that are standard headings, each section's first heading only, in order."""
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if number in skipped:
            continue
        name = section_of_heading(text_of(line))
        if name is not None and name not in seen:
            seen.add(name)
            found.append((number, name))
    return found


def _ranges(
    first: int, last: int, skipped: Collection[int], lines: Sequence[str]
) -> list[tuple[int, int]]:
    """The runs of lines from ``first`` to ``last`` outside ``skipped``, without blank ends."""
    ranges: list[tuple[int, int]] = []
    start: int | None = None
    for number in range(first, last + 2):
        inside = number <= last and number not in skipped
        if inside and start is None:
            start = number
        elif not inside and start is not None:
            ranges.append((start, number - 1))
            start = None
    trimmed = []
    for start, end in ranges:
        while start <= end and not _has_text(lines[start - 1]):
            start += 1
        while end >= start and not _has_text(lines[end - 1]):
            end -= 1
        if start <= end:
            trimmed.append((start, end))
    return trimmed


def _has_text(line: str) -> bool:
    text = text_of(line)
    return bool(text) and not is_page_marker(text)


def _starts_paragraph(lines: Sequence[str], number: int, first: int) -> bool:
    """Whether line ``number`` follows an empty line, a page marker, a sentence's end, or is
    ``first``."""
    if number == first:
        return True
    before = text_of(lines[number - 2])
    return not before or is_page_marker(before) or before.endswith((".", "!", "?", ":"))


def _line_width(lines: Sequence[str]) -> int:
    """How long a full printed line of the document is (a high percentile of the lengths)."""
    lengths = sorted(len(text_of(line)) for line in lines if text_of(line))
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.75)]


def subheadings(lines: Sequence[str], ranges: Sequence[tuple[int, int]]) -> list[int]:
    """The headings inside a section's text: short lines that stand over the text below them.

    Such a line starts a paragraph, ends without punctuation, is not a list item nor
    written in lower case, and the line below it starts with a capital. A heading that
    ends in a word such as "och" goes on to the next line.
    """
    width = _line_width(lines)
    inside = {number for first, last in ranges for number in range(first, last + 1)}
    found: list[int] = []
    for first, last in ranges:
        number = first
        while number <= last:
            group = _heading_group(lines, number, first, last, inside, width)
            if group:
                found.extend(group)
                number = group[-1] + 1
            else:
                number += 1
    return found


def _heading_group(
    lines: Sequence[str], number: int, first: int, last: int, inside: set[int], width: int
) -> list[int]:
    text = text_of(lines[number - 1])
    if (
        not text
        or is_page_marker(text)
        or not (text[0].isupper() or text[0].isdigit())
        or re.match(r"^[-•]\s", text)
        or text.endswith(SENTENCE_ENDS)
        or not _starts_paragraph(lines, number, first)
    ):
        return []
    group = [number]
    heading = text
    while heading.split()[-1].lower() in RUNS_ON or heading.endswith("-"):
        following = number + len(group)
        if following > last or following not in inside:
            return []
        more = text_of(lines[following - 1])
        if not more or more.endswith(SENTENCE_ENDS):
            return []
        group.append(following)
        heading = f"{heading} {more}"
    below = group[-1] + 1
    if below > last:
        return []
    next_text = text_of(lines[below - 1])
    if not next_text or not next_text[0].isupper():
        return []
    if heading.count("(") != heading.count(")") or heading.count("”") % 2:
        # A parenthesis or quotation left open runs on into the next line.
        return []
    if len(heading) > SUBHEADING_LENGTH:
        return []
    numbered = re.match(r"^\d+[.)]\s", text)
    if numbered and re.match(r"^\d+[.)]\s", next_text):
        # A numbered list, not numbered headings.
        return []
    if len(group) == 1 and len(text) > width * 0.9 and not numbered:
        return []
    return group


def section_texts(
    lines: Sequence[str], skipped: Collection[int]
) -> tuple[list[SectionText], set[int]]:
    """Each standard section found, with its text; and every line the sections hold."""
    found = headings(lines, skipped)
    sections: list[SectionText] = []
    placed: set[int] = set()
    for index, (number, name) in enumerate(found):
        end = found[index + 1][0] - 1 if index + 1 < len(found) else len(lines)
        ranges = _ranges(number + 1, end, skipped, lines)
        placed.add(number)
        if not ranges:
            continue
        inner = subheadings(lines, ranges)
        text = join_lines(lines, ranges, subheadings=inner)
        for first, last in ranges:
            placed.update(range(first, last + 1))
        if text:
            sections.append(
                SectionText(
                    name=name,
                    heading=text_of(lines[number - 1]),
                    heading_line=number,
                    ranges=tuple(ranges),
                    subheadings=tuple(inner),
                    text=text,
                )
            )
    return sections, placed
