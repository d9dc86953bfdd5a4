"""The lines of a document as its text gives them, with the layout that is not the text marked.

A tjänsteutlåtande reaches the reader as lines: a PDF's printed lines, a Word file's
paragraphs, or pasted text. Text extracted from a PDF may put an empty line after every
printed line (double spacing); it is made single-spaced here, so that an empty line
always ends a paragraph. The letterhead (handläggare, till, dnr, dates, the address) and
the signatures are blocks of short lines that can stand anywhere, even in the middle of
a section: they are found here so the sections can leave them out and the facts can be
read from them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from remiss.document_text import clean_line, is_page_marker

# Share of text lines followed by an empty line above which a text is double-spaced.
DOUBLE_SPACED_SHARE = 0.6
# A line of a letterhead or a signature is at most this long.
SHORT_LINE = 45
# The first line of a letterhead block.
LETTERHEAD_START = re.compile(
    r"^(?:handläggare|till|från|tjänsteutlåtande|utlåtande|yttrande|dnr\b|diarienummer|"
    r"datum|kopia till|sida \d)\b",
    re.IGNORECASE,
)
# Titles a signatory of a tjänsteutlåtande carries.
TITLE_WORD = re.compile(
    r"(?:t\.?f\.?\s+|tillförordnad\s+|biträdande\s+)?"
    r"(?:[a-zåäö]+-)?(?:stadsdelsdirektör|förvaltningschef|avdelningschef|direktör|"
    r"stadsdirektör|kulturdirektör|enhetschef|kanslichef|verksamhetschef|stabschef|"
    r"stadsarkivarie|sektionschef|chef|kontorschef)",
    re.IGNORECASE,
)
NAME_WORD = re.compile(r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?$")
# A letterhead line never ends a sentence or a clause (a heading may end with a colon).
CLAUSE_ENDS = (".", "!", "?", ",", ";")


def single_spaced(lines: Sequence[str]) -> list[str]:
    """The lines with the empty line after every printed line removed, if the text has them.

    In such a text a paragraph ends at a line holding only spaces; that line becomes the
    empty line here. Other texts come back as they are, with tabs and no-break spaces as spaces.
    """
    cleaned = [line.replace("\t", " ").replace("\u00a0", " ").rstrip("\r\n") for line in lines]
    text_lines = [i for i, line in enumerate(cleaned) if line.strip()]
    if len(text_lines) < 4:
        return cleaned
    followed = sum(1 for i in text_lines if i + 1 < len(cleaned) and cleaned[i + 1] == "")
    mean_length = sum(len(cleaned[i].strip()) for i in text_lines) / len(text_lines)
    # Text from a PDF keeps the printed lines; one line per paragraph is not double spacing.
    if followed / len(text_lines) < DOUBLE_SPACED_SHARE or mean_length > 100:
        return cleaned
    return [("" if not line.strip() else line) for line in cleaned if line != ""]


def text_of(line: str) -> str:
    """A line without Markdown marks and surrounding space, spaces inside kept single."""
    return " ".join(clean_line(line).split())


def is_short(text: str) -> bool:
    """Whether a line is short enough to be part of a letterhead or a signature."""
    return 0 < len(text) <= SHORT_LINE


@dataclass(frozen=True)
class Block:
    """Lines that are layout, not text: first and last line (counted from 1)."""

    first: int
    last: int

    def lines(self) -> range:
        """The line numbers of the block."""
        return range(self.first, self.last + 1)


@dataclass(frozen=True)
class Signature:
    """A signatory as the signature block gives them, with the lines they stand on."""

    name: str
    title: str
    first: int
    last: int


def letterhead_blocks(lines: Sequence[str], stops: Collection[int] = ()) -> list[Block]:
    """The letterhead blocks: from a line such as "Handläggare" or "Dnr ..." over short lines.

    A block runs on over short lines and single empty lines and ends before the first
    long line, before a line that ends a sentence, or before a line of ``stops`` (the
    standard headings).
    """
    blocks: list[Block] = []
    number = 1
    while number <= len(lines):
        text = text_of(lines[number - 1])
        if not (
            is_short(text)
            and text[0].isupper()
            and LETTERHEAD_START.match(text)
            and not text.endswith(CLAUSE_ENDS)
        ):
            number += 1
            continue
        last = number
        probe = number + 1
        while probe <= len(lines):
            following = text_of(lines[probe - 1])
            if probe in stops:
                break
            if not following or is_page_marker(following):
                if probe + 1 <= len(lines) and not text_of(lines[probe]):
                    break
                probe += 1
                continue
            if not is_short(following) or following.endswith((".", "!", "?", ";")):
                break
            last = probe
            probe += 1
        blocks.append(Block(number, last))
        number = last + 1
    return blocks


def _title_line(text: str) -> list[str] | None:
    """The titles on a line made only of titles (one, or several side by side), else None."""
    found: list[str] = []
    rest = text
    while rest:
        match = TITLE_WORD.match(rest)
        if match is None:
            return None
        found.append(match.group(0))
        rest = rest[match.end() :].strip()
    return found or None


def _names(raw: str, count: int) -> list[str] | None:
    """``count`` names on one line, split at wide spaces or evenly by words; None if not names."""
    parts = [part.strip() for part in re.split(r"\s{2,}", clean_line(raw)) if part.strip()]
    if len(parts) != count:
        words = " ".join(parts).split()
        if len(words) < 2 * count or len(words) % count:
            return None
        size = len(words) // count
        parts = [" ".join(words[i * size : (i + 1) * size]) for i in range(count)]
    for part in parts:
        words = part.split()
        if not 2 <= len(words) <= 4 or not all(NAME_WORD.match(word) for word in words):
            return None
    return parts


def signatures(lines: Sequence[str]) -> list[Signature]:
    """The signatories: a line of names directly above a line of their titles.

    Several people may sign side by side, names on one line and titles on the next; a
    line below the titles naming their administration belongs to the block too.
    """
    found: list[Signature] = []
    for number in range(2, len(lines) + 1):
        text = text_of(lines[number - 1])
        titles = _title_line(text) if len(text) <= 2 * SHORT_LINE else None
        if not titles:
            continue
        names = _names(lines[number - 2], len(titles))
        if names is None:
            continue
        last = number
        if number < len(lines):
            below = text_of(lines[number])
            if below and re.search(r"förvaltning|kontor", below) and not below.endswith("."):
                last = number + 1
        for name, title in zip(names, titles, strict=True):
            found.append(Signature(name=name, title=title, first=number - 1, last=last))
    return found


def signature_lines(found: Sequence[Signature]) -> set[int]:
    """Every line of the signature blocks."""
    return {number for s in found for number in range(s.first, s.last + 1)}
