"""Text extracted from a response's PDF, turned into paragraphs with the words as written.

The extracted text breaks every printed line, may put an empty line after each of them,
carries page markers such as "(5)" and, when converted through Markdown, heading and
bold marks. Joining keeps every word (hyphenation included) and drops only the layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

PAGE_MARKER = re.compile(r"^\(\d+\)$")
# A line that starts an item of a list: "- ", "• ", "1. " or "1) ".
LIST_ITEM = re.compile(r"^(?:[-•]\s|\d+[.)]\s)")
# A page break after one of these ends the paragraph; after anything else the sentence
# runs on over the break.
SENTENCE_ENDS = (".", "!", "?", ":", "”", '"', ")")


def clean_line(line: str) -> str:
    """One line without its surrounding space and Markdown marks (``#`` headings, ``**``)."""
    text = line.replace("**", "").strip()
    return re.sub(r"^#+\s*", "", text).strip()


def is_page_marker(text: str) -> bool:
    """Whether a cleaned line is a page marker such as "(5)"."""
    return bool(PAGE_MARKER.match(text))


def heading_before(lines: Sequence[str], first: int) -> str:
    """The last line with text before line ``first`` (counted from 1), page markers skipped."""
    for number in range(first - 1, 0, -1):
        text = clean_line(lines[number - 1])
        if text and not is_page_marker(text):
            return " ".join(text.split())
    return ""


def join_lines(
    lines: Sequence[str],
    ranges: Iterable[tuple[int, int]],
    double_spaced: bool = False,
    subheadings: Iterable[int] = (),
) -> str:
    """The text of the lines in ``ranges`` (first and last, counted from 1), as paragraphs.

    Paragraphs are separated by an empty line and end where the document leaves one: a
    line with nothing on it or, in a double-spaced text (an empty line after every
    printed line), a line holding only spaces. A range ends a paragraph too, and so does
    a line of ``subheadings``, which stands as a paragraph of its own. List items start
    a line of their own, and a capital after a list ends the list; other lines are
    joined with a space.
    """
    headings = frozenset(subheadings)
    paragraphs: list[list[list[str]]] = []
    current: list[list[str]] = []

    def end_paragraph() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
            current = []

    for first, last in ranges:
        end_paragraph()
        pending_break = False
        after_page_marker = False
        previous_heading: bool | None = None
        for number in range(first, last + 1):
            raw = lines[number - 1]
            text = clean_line(raw)
            if is_page_marker(text):
                # The blank lines around a page marker are the page's, not the text's.
                after_page_marker = True
                pending_break = False
                continue
            if not text:
                if not after_page_marker and not (double_spaced and raw == ""):
                    pending_break = True
                continue
            if after_page_marker:
                after_page_marker = False
                pending_break = bool(current) and current[-1][-1].endswith(SENTENCE_ENDS)
            heading = number in headings
            if previous_heading is not None and heading != previous_heading:
                pending_break = True
            previous_heading = heading
            if current and LIST_ITEM.match(current[-1][0]) and text[0].isupper():
                # A list item's lines run on in lower case; a capital starts the next text.
                pending_break = pending_break or not LIST_ITEM.match(text)
            if pending_break:
                end_paragraph()
                pending_break = False
            if not current or LIST_ITEM.match(text):
                current.append([text])
            else:
                current[-1].append(text)
    end_paragraph()
    return "\n\n".join(
        "\n".join(" ".join(pieces) for pieces in paragraph) for paragraph in paragraphs
    )
