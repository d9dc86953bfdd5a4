"""The facts of a tjänsteutlåtande: registration numbers, dates, the case officer, the writer.

Each fact is read where Swedish municipal documents put it: the letterhead gives the
case officer (Handläggare, Telefon), the committee and its meeting date (Till ...), the
body's own registration number (Tjänsteutlåtande, Dnr ...) and the document's date;
the basis for the decision names the referral's number and its deadline (Remiss av ...,
Remisstid ...); the preparation says when the unions were consulted. Every fact keeps
the line it was read from and the words that led to it.
"""

from __future__ import annotations

import bisect
import datetime
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from remiss.reading.layout import Block, text_of

MONTHS = (
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
)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
WRITTEN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b", re.IGNORECASE)
# A registration number: "dnr 171-1309/2017", "Dnr JÄRVA 2023/665", "KS 2020/1939".
REGISTRATION = re.compile(
    r"(?:\b(?:[Dd]nr|DNR|[Dd]iarienummer)\.?:?\s*(?P<code>[A-ZÅÄÖ]{2,}\s+)?|"
    r"\b(?P<prefix>[A-ZÅÄÖ]{2,})\s+)"
    r"(?P<number>\d{1,4}-\d{1,6}/\d{4}|\d{4}/\d{1,6})\b"
)
PHONE = re.compile(r"^(?:telefon|tel)\.?:?\s*(?P<phone>[\d +()-]{6,})$", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
OFFICER = re.compile(r"^handläggare\b:?\s*(?P<name>.*)$", re.IGNORECASE)
ADDRESSEE = re.compile(r"^till\b:?\s*(?P<name>.*)$", re.IGNORECASE)
DEADLINE = re.compile(r"\bremisstid(?:en)?\b[^.\d]{0,30}", re.IGNORECASE)
UNIONS = re.compile(
    r"\b(?:fackliga|facklig|samverkansgrupp|förvaltningsgrupp|FSG|MBL|arbetsplatsträff)\w*",
    re.IGNORECASE,
)
REFERRAL_WORDS = re.compile(r"\bremiss av\b|\bremisstid", re.IGNORECASE)
# The administration that wrote the document, as its sentences name it.
WRITER = re.compile(
    r"(?P<who>(?:[A-ZÅÄÖ][\wåäöÅÄÖ-]+s? )?[\wåäö-]*förvaltning(?:en)?"
    r"(?: och [A-ZÅÄÖ][\wåäö]+)?)s? (?:anser|ser|föreslår|välkomnar|ställer|delar|tillstyrker|"
    r"avstyrker|vill|önskar|instämmer)\b"
)
ADMINISTRATION_LINE = re.compile(r"^(?:[A-ZÅÄÖ][\w-]+ )+(?:stadsdelsförvaltning|förvaltning)$")
BODY_NAME = re.compile(
    r"\b[A-ZÅÄÖ][\wåäö-]+s? (?:stadsdelsnämnd|nämnd)\b|\b(?!Stadsdels)[A-ZÅÄÖ][a-zåäö]+nämnden\b"
)


@dataclass(frozen=True)
class Fact:
    """A value read from the document, with the line it stands on and the words that gave it."""

    value: str
    line: int
    words: str


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """The first date in ``text`` ("2024-01-23" or "12 januari 2021") and how it is written."""
    candidates: list[tuple[int, datetime.date, str]] = []
    for match in ISO_DATE.finditer(text):
        try:
            day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        candidates.append((match.start(), day, match[0]))
    for match in WRITTEN_DATE.finditer(text):
        try:
            day = datetime.date(int(match[3]), MONTHS.index(match[2].lower()) + 1, int(match[1]))
        except ValueError:
            continue
        candidates.append((match.start(), day, match[0]))
    if not candidates:
        return None
    _start, day, words = min(candidates, key=lambda candidate: candidate[0])
    return day, words


def _fold(text: str) -> str:
    """Lower case without accents (å → a), for comparing a name with an e-mail address."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


@dataclass
class Facts:
    """What the document says besides its sections, each with its evidence."""

    values: dict[str, Fact]
    referral_number: Fact | None
    referral_deadline: Fact | None
    bodies_named: list[Fact]
    other_numbers: list[Fact]
    notes: list[tuple[int, str]]
    used_lines: set[int]


def _window(lines: Sequence[str], number: int, size: int = 3) -> str:
    """Line ``number`` with the lines after it, joined: a sentence may run over lines."""
    return " ".join(text_of(line) for line in lines[number - 1 : number - 1 + size])


def _letterhead_facts(lines: Sequence[str], blocks: Sequence[Block], facts: Facts) -> None:
    for block in blocks:
        texts = [(n, text_of(lines[n - 1])) for n in block.lines()]
        texts = [(n, t) for n, t in texts if t]
        after_addressee = 0
        after_registration = False
        for index, (number, text) in enumerate(texts):
            officer = OFFICER.match(text)
            addressee = ADDRESSEE.match(text)
            phone = PHONE.match(text)
            registration = REGISTRATION.search(text)
            date = (
                parse_date(text)
                if ISO_DATE.fullmatch(text) or WRITTEN_DATE.fullmatch(text)
                else None
            )
            if officer:
                name, name_line = officer["name"].strip(), number
                if not name and index + 1 < len(texts):
                    name_line, name = texts[index + 1]
                if name and not PHONE.match(name):
                    _keep(
                        facts, "case_officer_name", Fact(name, name_line, name), number, name_line
                    )
            elif addressee and addressee["name"].strip() == "":
                after_addressee = 2
                facts.used_lines.add(number)
                continue
            elif phone and "case_officer_phone" not in facts.values:
                value = " ".join(phone["phone"].split())
                _keep(facts, "case_officer_phone", Fact(value, number, text), number)
            elif registration and "registration_number" not in facts.values:
                value = _number_of(registration)
                _keep(facts, "registration_number", Fact(value, number, text), number)
                after_registration = True
            elif date is not None:
                if after_addressee and "meeting_date" not in facts.values:
                    _keep(facts, "meeting_date", Fact(date[0].isoformat(), number, text), number)
                elif "document_date" not in facts.values and (
                    after_registration or not after_addressee
                ):
                    _keep(facts, "document_date", Fact(date[0].isoformat(), number, text), number)
            elif after_addressee and BODY_NAME.search(text):
                facts.bodies_named.append(Fact(text, number, text))
                facts.used_lines.add(number)
            elif ADMINISTRATION_LINE.match(text) and "written_by" not in facts.values:
                _keep(facts, "written_by", Fact(text, number, text), number)
            elif EMAIL.fullmatch(text):
                _officer_email(facts, text, number)
            after_addressee = max(0, after_addressee - 1)


def _keep(facts: Facts, field: str, fact: Fact, *lines: int) -> None:
    facts.values[field] = fact
    facts.used_lines.update(lines)


def _officer_email(facts: Facts, address: str, number: int) -> None:
    """Take an e-mail address as the case officer's only if it carries their name."""
    officer = facts.values.get("case_officer_name")
    local = _fold(address.split("@")[0])
    if officer is not None and any(
        len(part) > 2 and part in local for part in _fold(officer.value).split()
    ):
        _keep(facts, "case_officer_email", Fact(address, number, address), number)
    else:
        facts.notes.append((number, address))


def joined_text(lines: Sequence[str], skipped: Collection[int]) -> tuple[str, list[int]]:
    """The document's lines as one text (``skipped`` lines left empty), and where each starts."""
    starts: list[int] = []
    pieces: list[str] = []
    offset = 0
    for number, line in enumerate(lines, start=1):
        text = "" if number in skipped else text_of(line)
        starts.append(offset)
        pieces.append(text)
        offset += len(text) + 1
    return "\n".join(pieces), starts


def line_at(starts: Sequence[int], offset: int) -> int:
    """The line (counted from 1) that holds character ``offset`` of the joined text."""
    return bisect.bisect_right(starts, offset)


def read_facts(
    lines: Sequence[str],
    blocks: Sequence[Block],
    round_number: str = "",
    skipped: Collection[int] = (),
) -> Facts:
    """Every fact of the document, from its letterhead first and then from its text.

    The text is searched as one: a registration number or a date may be broken over
    two lines.
    """
    facts = Facts({}, None, None, [], [], [], set())
    _letterhead_facts(lines, blocks, facts)
    in_letterhead = {n for block in blocks for n in block.lines()}
    text, starts = joined_text(lines, in_letterhead | set(skipped))
    for match in REGISTRATION.finditer(text):
        value = _number_of(match)
        fact = Fact(value, line_at(starts, match.start()), " ".join(match[0].split()))
        sentence = _sentence_around(text, match.start())
        if facts.referral_number is None and (
            REFERRAL_WORDS.search(sentence) or (round_number and value == round_number)
        ):
            facts.referral_number = fact
        elif all(
            value != known.value for known in [*facts.other_numbers, facts.referral_number] if known
        ):
            facts.other_numbers.append(fact)
    deadline = DEADLINE.search(text)
    if deadline is not None:
        date = parse_date(text[deadline.end() : deadline.end() + 40])
        if date is not None:
            facts.referral_deadline = Fact(
                date[0].isoformat(),
                line_at(starts, deadline.start()),
                " ".join(f"{deadline[0]} {date[1]}".split()),
            )
    for unions in UNIONS.finditer(text):
        sentence_end = text.find(". ", unions.end())
        date = parse_date(text[unions.end() : sentence_end if sentence_end != -1 else None])
        if date is not None:
            at = text.find(date[1], unions.end())
            facts.values["unions_consulted_on"] = Fact(
                date[0].isoformat(), line_at(starts, at), date[1]
            )
            break
    if "written_by" not in facts.values:
        for writer in WRITER.finditer(text):
            who = " ".join(writer["who"].split())
            if who.lower() not in ("förvaltningen", "stadsdelsförvaltningen"):
                facts.values["written_by"] = Fact(
                    who, line_at(starts, writer.start()), " ".join(writer[0].split())
                )
                break
    for body in BODY_NAME.finditer(text):
        name = " ".join(body[0].split())
        if all(named.value != name for named in facts.bodies_named):
            facts.bodies_named.append(Fact(name, line_at(starts, body.start()), name))
    return facts


def _sentence_around(text: str, offset: int) -> str:
    """The sentence of the joined text that holds ``offset``, with the one before it."""
    start = max(text.rfind(". ", 0, max(0, text.rfind(". ", 0, offset))), 0)
    end = text.find(". ", offset)
    return text[start : end if end != -1 else len(text)]


def _number_of(match: re.Match[str]) -> str:
    """A registration number as it is filed: the code and the number, without "dnr"."""
    code = (match["code"] or match["prefix"] or "").strip()
    return f"{code} {match['number']}" if code else match["number"]
