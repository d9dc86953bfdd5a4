"""Proposed statements: the passages of the administration's views, each with a stance and a target.

A passage is a paragraph of "förvaltningens synpunkter" (or of the whole text where it
has no such heading), split where the writer turns to another stance ("Förvaltningen
ser positivt på ... Förvaltningen önskar dock ..."). Its stance comes from its wording
and its target, a section of the draft, from the heading above it, a focus area named
by number ("fokusområde två"), or the words the draft's own sections use. Each guess
keeps the words that led to it; a person confirms or corrects every one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Wording and the stance it signals, strongest first within each stance.
STANCE_WORDING: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (stance, re.compile(pattern, re.IGNORECASE))
    for stance, pattern in (
        (
            "objects",
            r"\bavstyrker\b|\bmotsätter sig\b|\bställer sig (?:negativ|inte bakom)|"
            r"\bkan inte ställa sig bakom|\bavvisar\b|\binvänder mot\b",
        ),
        (
            "asks_for_clarification",
            r"\bbör (?:det )?(?:framgå|förtydligas|tydliggöras)|\bframgå tydligare|"
            r"\bframgår (?:dock )?inte\b|\bbehöver förtydligas",
        ),
        (
            "proposes_change",
            r"\bföreslår (?:därför )?att (?!nämnden|stadsdelsnämnden)|\bbör\b|\bborde\b|"
            r"\bsaknar\b|\bbehöver (?:utvecklas|kompletteras|ändras)|\bmåste\b|"
            r"\b(?:kan|skulle) vara bra att\b",
        ),
        (
            "asks_for_clarification",
            r"\bförtydlig(?!at\b|ats\b|ade\b)\w*|\btydliggör\w*|\btydligare\b|\boklart\b",
        ),
        (
            "supports_with_remarks",
            r"\bvill (?:dock )?(?:\w+ )?(?:trycka på|betona|understryka|lyfta)\b",
        ),
        (
            "supports",
            r"\bställer sig (?:positiv|bakom)|\bser positivt\b|\btillstyrker\b|"
            r"\bvälkomnar\b|\binstämmer\b|\bpositiv\w* till\b|\bdelar \w+ uppfattning|"
            r"\bser inga hinder\b|\bär (?:bra|positivt|tydlig)\b|\bbra (?:att|sätt)\b|"
            r"\bväl genomarbetat\b",
        ),
    )
)
# Wording about the programme as a whole: adopting it, or the response handed over.
WHOLE_PROGRAMME = re.compile(
    r"\bser inga hinder\b|\bställer sig bakom (?:programmet|förslaget)|"
    r"\bprogrammet (?:antas|godkänns)|förslag till [^.]{0,80}program[^.]{0,30} är positiv|"
    r"\bförslaget om ett nytt program\b|\bprogrammet är väl genomarbetat",
    re.IGNORECASE,
)
# A sentence that qualifies what came before: "dock", "men".
REMARK = re.compile(r"\bdock\b|\bmen\b|\bäven om\b", re.IGNORECASE)
# A sentence in which the writer speaks for itself may start a new statement.
WRITER_SPEAKS = re.compile(
    r"^(?:Vidare |Därtill |Samtidigt )?(?:[A-ZÅÄÖ][\wåäö-]+s? )?"
    r"(?:[\wåäö-]*[Ff]örvaltning(?:en|arna)?|[A-ZÅÄÖ][\wåäö-]+ stadsdelsförvaltning|Vi)\b"
)
CONCLUSION = re.compile(r"\bdärför\b|\bsåledes\b|\balltså\b", re.IGNORECASE)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ”\"(])")
NUMBER_WORDS = {"ett": 1, "en": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7}
FOCUS_NUMBER = re.compile(r"\bfokusområde (\d|ett|två|tre|fyra|fem|sex|sju)\b", re.IGNORECASE)
# Words too common in these documents to say what a passage is about.
_COMMON = (
    "och att för i på av som det den de en ett till med om är ska samt mot eller inte "
    "stadens staden stockholms stad programmet programmets program arbete arbetet "
    "förvaltningen nämnder nämnderna bolag trygghets säkerhets trygghet säkerhet "
    "brottsförebyggande trygghetsskapande"
)
STOPWORDS = frozenset(_COMMON.split())
STEMMER = snowballstemmer.stemmer("swedish")


@dataclass(frozen=True)
class Target:
    """A section of the draft a statement may address: its key, its title, its focus area's
    number in the programme, and whether it stands for the programme as a whole."""

    key: str
    title: str
    number: int | None = None
    whole: bool = False


@dataclass(frozen=True)
class Proposal:
    """A proposed statement with its stance, its target and the words behind each guess."""

    text: str
    stance: str
    stance_words: str
    target: str | None
    target_words: str
    first_line: int
    last_line: int
    source: str


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The Swedish stem of one lower-case word."""
    return str(STEMMER.stemWord(word))


def stems(text: str) -> list[tuple[str, str]]:
    """The content words of ``text`` with their stems (stopwords and short words left out)."""
    found = []
    for word in re.findall(r"[a-zåäöéü]+(?:-[a-zåäöéü]+)*", text.lower()):
        if word in STOPWORDS or len(word) < 3:
            continue
        found.append((word, stem(word)))
    return found


def sentence_stance(sentence: str) -> tuple[str, str] | None:
    """The stance a sentence's wording signals, with the words; the first stance listed wins."""
    for stance, pattern in STANCE_WORDING:
        match = pattern.search(sentence)
        if match:
            return stance, match[0]
    return None


def _combined(sentences: Sequence[str]) -> tuple[str, str]:
    """The stance of a passage, with the words that gave it.

    The writer's own conclusion ("anser därför") decides; else the first stance taken,
    where support followed by "dock" or "men" is support with remarks, or a proposed
    change when the remark says something must or should change.
    """
    stated = [(s, found) for s in sentences if (found := sentence_stance(s)) is not None]
    if not stated:
        return "", ""
    for sentence, (stance, words) in stated:
        if CONCLUSION.search(sentence) and WRITER_SPEAKS.match(sentence):
            return stance, words
    first_sentence, (stance, words) = stated[0]
    if stance != "supports":
        return stance, words
    for sentence in sentences:
        remark = REMARK.search(sentence)
        if remark is None:
            continue
        tail = sentence[remark.end() :] if sentence is first_sentence else sentence
        other = sentence_stance(tail)
        if other is not None and other[0] == "proposes_change":
            return other[0], f"{words} … {remark[0]} … {other[1]}"
        if sentence is not first_sentence or remark[0].lower() == "dock" or other is not None:
            return "supports_with_remarks", f"{words} … {remark[0]}"
    return stance, words


def split_passage(paragraph: str, targets: Sequence[Target] = ()) -> list[list[str]]:
    """A paragraph's sentences, grouped where the writer turns to another stance or subject.

    A sentence in which the writer speaks starts a new group when its stance differs
    from the group's, or when it plainly addresses another section of the draft; a
    conclusion ("därför") stays with what it concludes.
    """
    groups: list[list[str]] = []
    stance: str | None = None
    subject: str | None = None
    for sentence in SENTENCE_SPLIT.split(" ".join(paragraph.split())):
        found = sentence_stance(sentence)
        own = _plain_target(sentence, targets)
        writer = bool(WRITER_SPEAKS.match(sentence)) and not CONCLUSION.search(sentence)
        turns = bool(groups) and (
            (writer and stance is not None and found is not None and found[0] != stance)
            or (writer and own is not None and own != subject and len(groups[-1]) > 1)
        )
        if not groups or turns:
            groups.append([sentence])
            stance = found[0] if found else None
            subject = own
        else:
            groups[-1].append(sentence)
            stance = stance or (found[0] if found else None)
            subject = subject or own
    return groups


def _plain_target(sentence: str, targets: Sequence[Target]) -> str | None:
    """The section one sentence plainly addresses by its words alone, if any."""
    words = stems(sentence)
    best: tuple[float, str | None] = (0.0, None)
    for target in targets:
        score, _matched = _overlap(words, target, targets)
        if score > best[0]:
            best = (score, target.key)
    return best[1] if best[0] >= 0.9 else None


def _target_of(
    sentences: Sequence[str], heading: str, targets: Sequence[Target], overall: bool = False
) -> tuple[str | None, str]:
    """The section a passage most likely addresses, and the words that say so.

    In order: a focus area named by its number, the programme as a whole ("ser inga
    hinder för att programmet antas"), the heading above the passage, then the words of
    the passage, its first sentence counting twice.
    """
    if not targets:
        return None, ""
    text = " ".join(sentences)
    number = FOCUS_NUMBER.search(text)
    if number:
        value = NUMBER_WORDS.get(number[1].lower()) or int(number[1])
        for target in targets:
            if target.number == value:
                return target.key, number[0]
    whole = next((target for target in targets if target.whole), None)
    whole_words = WHOLE_PROGRAMME.search(text)
    if whole is not None and whole_words is not None:
        return whole.key, whole_words[0]
    if whole is not None and overall:
        # A summary or an analysis speaks of the programme as a whole.
        return whole.key, ""
    if heading:
        scored = _best(stems(heading), targets)
        if scored[1] is not None and scored[0] >= 0.5:
            return scored[1].key, ", ".join(dict.fromkeys(scored[2]))
    first = stems(sentences[0]) if sentences else []
    everything = stems(text)
    totals: dict[str, tuple[float, list[str]]] = {}
    for target in targets:
        head_score, head_words = _overlap(first, target, targets)
        all_score, all_words = _overlap(everything, target, targets)
        totals[target.key] = (2 * head_score + all_score, head_words + all_words)
    key, (score, words) = max(totals.items(), key=lambda item: item[1][0])
    if score >= 1.0:
        return key, ", ".join(dict.fromkeys(words))
    return (whole.key, "") if whole else (None, "")


def _best(
    words: Sequence[tuple[str, str]], targets: Sequence[Target]
) -> tuple[float, Target | None, list[str]]:
    best: tuple[float, Target | None, list[str]] = (0.0, None, [])
    for target in targets:
        score, matched = _overlap(words, target, targets)
        if score > best[0]:
            best = (score, target, matched)
    return best


def _title_stems(target: Target) -> list[str]:
    return [s for _w, s in stems(target.title)]


def _overlap(
    words: Sequence[tuple[str, str]], target: Target, targets: Sequence[Target]
) -> tuple[float, list[str]]:
    """How much of the target's title the words cover, rarer title words counting more."""
    title = list(dict.fromkeys(_title_stems(target)))
    if not title or target.whole:
        return 0.0, []
    matched: list[str] = []
    score = 0.0
    for title_stem in title:
        hits = [word for word, s in words if _same(s, title_stem)]
        if hits:
            sharing = sum(1 for other in targets if title_stem in _title_stems(other))
            score += 1.0 / sharing
            matched.append(hits[0])
    # A title covered whole says more than part of a longer one.
    return score / len(title) + 0.25 * max(len(matched) - 1, 0), matched


def _same(word_stem: str, title_stem: str) -> bool:
    """Whether a word is the title word, or a compound of it ("samordningsansvar", "ansvar")."""
    if word_stem == title_stem:
        return True
    return len(title_stem) >= 4 and (
        word_stem.startswith(title_stem)
        or (len(title_stem) >= 5 and word_stem.endswith(title_stem))
    )


def propose_statements(
    paragraphs: Sequence[tuple[str, int, int, str, str]],
    targets: Sequence[Target],
    stated_only: bool = False,
) -> list[Proposal]:
    """The proposed statements of the passages, each with its guessed stance and target.

    ``paragraphs`` are (text, first line, last line, the heading above it, the section
    it stands in). A passage whose wording takes no stance is proposed with none, for
    the person to judge; with ``stated_only`` it is left out.
    """
    proposals: list[Proposal] = []
    for paragraph, first, last, heading, source in paragraphs:
        for group in split_passage(paragraph, targets):
            stance, words = _combined(group)
            if not stance and stated_only:
                continue
            target, target_words = _target_of(group, heading, targets, stated_only)
            proposals.append(
                Proposal(
                    text=" ".join(group),
                    stance=stance,
                    stance_words=words,
                    target=target,
                    target_words=target_words,
                    first_line=first,
                    last_line=last,
                    source=source,
                )
            )
    return proposals
