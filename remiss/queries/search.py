"""What the search page reads: the responses and statements the user may read that match.

Access first, search second: both querysets go through ``programme.access.restrict``
(through ``remiss.queries.responses``) before any text is matched, so a response of
another body, or a confidential statement a reader may not see, is never matched,
counted or excerpted.

On PostgreSQL the search is full-text with the Swedish configuration (so "samverkan"
also finds "samverka"): the response's standard sections are weighted (its views and
summary above the rest), ranked with ``SearchRank`` and excerpted with ``ts_headline``.
No vector is stored: migration ``0004_search_indexes`` puts a GIN index on the very
expressions the search filters on (``response_vector``, ``statement_vector``), since
computing every response's vector per search was measured at about 2.5 ms per seed
response and grows with every round; ranks and excerpts are computed for the matches
only. On SQLite every word must occur (``icontains``) in one of the texts, the hits
are ordered by the round's date (newest first), and the excerpt is cut around the
first match.

Once SLK has published a round's compilation, its open statements, as the publication
keeps them, are found by everyone with a role (read through
``access.for_general_report``, the rule for open records); a hit among them leads to the
published compilation. A user who reads a body's own responses finds that body's
statements there, not twice.

Three queries per search, however many hits: one for the responses, one for the
statements, one for the published statements, each limited to ``MAX_RESULTS`` rows with
the number of all matches counted in the same query (a window count).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import reduce
from operator import add, and_, or_

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import Count, F, Func, Q, QuerySet, TextField, Value, Window
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from programme import access, report_access
from programme.access import AnyUser
from programme.models import Body
from remiss.models import RESPONSE_SECTIONS, PublishedStatement, Referral, Response, Statement
from remiss.queries.responses import responses_for, visible_statements

# A shorter query finds everything and means nothing.
MIN_LENGTH = 2
# Longer queries are cut here: nobody types more, and the words are matched one by one.
MAX_LENGTH = 200
# The hits a page shows; the count says how many there were in all.
MAX_RESULTS = 50
# The text search configuration of the language the responses are written in.
CONFIG = "swedish"

# The weight of each standard section: the administration's views and the summary say
# what the body thinks; the proposed decision and the matter come next.
SECTION_WEIGHTS = {
    "views": "A",
    "summary": "A",
    "proposal": "B",
    "matter": "B",
    "background": "C",
    "preparation": "C",
    "equality_analysis": "C",
    "attachments": "D",
}

# ts_headline marks the matches with these; they become <mark> once the text is escaped.
# Private-use characters, so no text of a response holds them.
START, STOP = "\ue000", "\ue001"
# The length of the excerpt on SQLite, in characters on each side of the first match.
EXCERPT_CONTEXT = 120


@dataclass
class Hit:
    """One response or statement that matches, as the results list shows it.

    A statement of the published compilation (``PublishedStatement``) comes without its
    response, which the user may not read: only its body, round and text are shown.
    """

    response: Response | None
    statement: Statement | PublishedStatement | None
    snippet: SafeString
    rank: float

    @property
    def published(self) -> bool:
        """Whether the hit is a statement of a published compilation."""
        return isinstance(self.statement, PublishedStatement)

    @property
    def body(self) -> Body:
        if isinstance(self.statement, PublishedStatement):
            return self.statement.body
        assert self.response is not None
        return self.response.body

    @property
    def referral(self) -> Referral:
        if isinstance(self.statement, PublishedStatement):
            return self.statement.publication.referral
        assert self.response is not None
        return self.response.referral

    @property
    def url(self) -> str:
        """The response's page, at the statement where the hit is one; the published
        compilation at the statement for a statement found there."""
        if isinstance(self.statement, PublishedStatement):
            url = reverse("remiss:compilation-published", kwargs={"pk": self.referral.pk})
            return f"{url}#published-{self.statement.pk}"
        url = reverse(
            "remiss:response-detail",
            kwargs={"referral": self.referral.pk, "slug": self.body.slug},
        )
        if self.statement is not None:
            return f"{url}#statement-{self.statement.pk}"
        return url


@dataclass
class SearchResult:
    """What the search page shows: the query, the hits, and how many matched in all."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    searched: bool = False

    @property
    def too_short(self) -> bool:
        """Whether a query was given but is too short to search for."""
        return bool(self.query) and not self.searched

    @property
    def truncated(self) -> bool:
        """Whether more matched than the page shows."""
        return self.total > len(self.hits)


def on_postgresql() -> bool:
    """Whether the database is PostgreSQL, which has the Swedish full-text search."""
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def clean_query(raw: str) -> str:
    """The query as searched for: spaces collapsed, cut at ``MAX_LENGTH``."""
    return " ".join(raw.split())[:MAX_LENGTH].strip()


def search(user: AnyUser, raw: str) -> SearchResult:
    """The responses and statements the user may read that match ``raw``, best first.

    Nothing is searched for a query shorter than ``MIN_LENGTH`` characters. At most
    ``MAX_RESULTS`` hits, with the number of all matches; two queries.
    """
    query = clean_query(raw)
    result = SearchResult(query=query)
    if len(query) < MIN_LENGTH:
        return result
    responses = responses_for(user).select_related("referral__programme").order_by()
    statements = (
        visible_statements(user)
        .select_related("response__referral__programme", "section__focus_area")
        .order_by()
    )
    published = published_statements(user)
    if on_postgresql():
        found = [
            _full_text_responses(responses, query),
            _full_text_statements(statements, query),
            _full_text_published(published, query),
        ]
    else:
        words = _words(query)
        found = [
            _plain_responses(responses, words),
            _plain_statements(statements, words),
            _plain_published(published, words),
        ]
    hits: list[Hit] = []
    for hits_of_kind, total in found:
        hits.extend(hits_of_kind)
        result.total += total
    if on_postgresql():
        hits.sort(key=lambda hit: -hit.rank)
    else:
        hits.sort(key=_by_round_date)
    result.hits = hits[:MAX_RESULTS]
    result.searched = True
    return result


def published_statements(user: AnyUser) -> QuerySet[PublishedStatement]:
    """The open statements of the published compilations, of bodies the user does not read.

    Everyone with a role reads the published compilations; their statements are read
    through the rule for open records. SLK, and a body's members for their own body,
    find the statements themselves instead.
    """
    if access.is_slk_reviewer(user) or not report_access.has_any_role(user):
        return PublishedStatement.objects.none()
    return (
        access.for_general_report(
            PublishedStatement.objects.filter(publication__superseded_at__isnull=True)
        )
        .exclude(body__in=access.bodies_for(user, access.Action.VIEW))
        .select_related("publication__referral__programme", "section__focus_area", "body")
        .order_by()
    )


# --- PostgreSQL: full-text search with the Swedish configuration --------------------------


def response_vector() -> SearchVector:
    """A response's standard sections, weighted (migration 0004_search_indexes indexes it)."""
    return reduce(
        add,
        (
            SearchVector(name, weight=SECTION_WEIGHTS[name], config=CONFIG)
            for name in RESPONSE_SECTIONS
        ),
    )


def statement_vector() -> SearchVector:
    """A statement's text (migration 0004_search_indexes indexes it)."""
    return SearchVector("text", weight="A", config=CONFIG)


def _response_text() -> Concat:
    """Every section's text, one after the other, for the excerpt."""
    parts: list[F | Value] = []
    for name in RESPONSE_SECTIONS:
        parts.extend([F(name), Value("\n")])
    return Concat(*parts, output_field=TextField())


# The entities a cleaned rich text holds, read back in this order (``&amp;`` last, so
# "&amp;lt;" stays the text "&lt;" a person typed).
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&amp;", "&"))


def _without_tags(expression: F | Concat) -> Func:
    """The text as a reader sees it, for the excerpt only: the rich-text tags replaced by
    spaces and the entities read back (the search's vector ignores both by itself)."""
    text = Func(
        expression,
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    for entity, character in ENTITIES:
        text = Func(
            text, Value(entity), Value(character), function="replace", output_field=TextField()
        )
    return text


def _headline(expression: F | Concat, search_query: SearchQuery) -> SearchHeadline:
    return SearchHeadline(
        _without_tags(expression),
        search_query,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _full_text_responses(responses: QuerySet[Response], query: str) -> tuple[list[Hit], int]:
    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    rows = list(
        responses.annotate(
            search=response_vector(),
            rank=SearchRank(response_vector(), search_query, normalization=1),
            headline=_headline(_response_text(), search_query),
            matches=Window(Count("pk")),
        )
        .filter(search=search_query)
        .defer(*RESPONSE_SECTIONS)
        .order_by("-rank", "pk")[:MAX_RESULTS]
    )
    hits = [Hit(row, None, _marked(row.headline), row.rank) for row in rows]
    return hits, rows[0].matches if rows else 0


def _full_text_statements(statements: QuerySet[Statement], query: str) -> tuple[list[Hit], int]:
    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    vector = statement_vector()
    rows = list(
        statements.annotate(
            search=vector,
            rank=SearchRank(vector, search_query, normalization=1),
            headline=_headline(F("text"), search_query),
            matches=Window(Count("pk")),
        )
        .filter(search=search_query)
        .order_by("-rank", "pk")[:MAX_RESULTS]
    )
    hits = [Hit(row.response, row, _marked(row.headline), row.rank) for row in rows]
    return hits, rows[0].matches if rows else 0


def _full_text_published(
    published: QuerySet[PublishedStatement], query: str
) -> tuple[list[Hit], int]:
    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    vector = statement_vector()
    rows = list(
        published.annotate(
            search=vector,
            rank=SearchRank(vector, search_query, normalization=1),
            headline=_headline(F("text"), search_query),
            matches=Window(Count("pk")),
        )
        .filter(search=search_query)
        .order_by("-rank", "pk")[:MAX_RESULTS]
    )
    hits = [Hit(None, row, _marked(row.headline), row.rank) for row in rows]
    return hits, rows[0].matches if rows else 0


def _marked(headline: str) -> SafeString:
    """The headline escaped, with the matches ts_headline marked as <mark>.

    The headline is made from the text without tags and with its entities read back
    (``_without_tags``), so it is escaped once here.
    """
    text = escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(text)


# --- SQLite: every word, case-insensitively, in any of the texts ---------------------------


def _words(query: str) -> list[str]:
    """The query's words, without the quotes and operators of a web search, once each."""
    words = re.findall(r"\w[\w\-/:.]*\w|\w", query)
    return list(dict.fromkeys(word.lower() for word in words))


def _spellings(word: str) -> list[str]:
    """The word in lower case and capitalised: SQLite folds the case of ASCII letters
    only, so "älvsjö" would not find "Älvsjö" by itself."""
    return list(dict.fromkeys([word.lower(), word.capitalize()]))


def _contains(names: tuple[str, ...], word: str) -> Q:
    """Rows where one of the fields ``names`` holds ``word``."""
    return reduce(
        or_,
        (Q(**{f"{name}__icontains": spelling}) for name in names for spelling in _spellings(word)),
    )


def _plain_responses(responses: QuerySet[Response], words: list[str]) -> tuple[list[Hit], int]:
    if not words:
        return [], 0
    matching = responses.filter(reduce(and_, (_contains(RESPONSE_SECTIONS, w) for w in words)))
    rows = list(
        matching.annotate(matches=Window(Count("pk"))).order_by(*_round_order(), "body__name")[
            :MAX_RESULTS
        ]
    )
    hits = []
    for row in rows:
        text = next(
            (
                getattr(row, name)
                for name in RESPONSE_SECTIONS
                if _first_match(getattr(row, name), words) >= 0
            ),
            "",
        )
        hits.append(Hit(row, None, excerpt(text, words), 0.0))
    return hits, rows[0].matches if rows else 0


def _plain_statements(statements: QuerySet[Statement], words: list[str]) -> tuple[list[Hit], int]:
    if not words:
        return [], 0
    matching = statements.filter(reduce(and_, (_contains(("text",), w) for w in words)))
    rows = list(
        matching.annotate(matches=Window(Count("pk"))).order_by(
            *_round_order("response__"), "response__body__name", "position"
        )[:MAX_RESULTS]
    )
    hits = [Hit(row.response, row, excerpt(row.text, words), 0.0) for row in rows]
    return hits, rows[0].matches if rows else 0


def _plain_published(
    published: QuerySet[PublishedStatement], words: list[str]
) -> tuple[list[Hit], int]:
    if not words:
        return [], 0
    matching = published.filter(reduce(and_, (_contains(("text",), w) for w in words)))
    rows = list(
        matching.annotate(matches=Window(Count("pk"))).order_by(
            *_round_order("publication__"), "body__name", "position"
        )[:MAX_RESULTS]
    )
    hits = [Hit(None, row, excerpt(row.text, words), 0.0) for row in rows]
    return hits, rows[0].matches if rows else 0


def _round_order(prefix: str = "") -> tuple[OrderBy, OrderBy, OrderBy, str]:
    """The newest round first: by the version it refers to, then by its date (the deadline,
    else the day it was sent; a round loaded as history may have neither)."""
    return (
        F(f"{prefix}referral__programme__first_year").desc(),
        Coalesce(f"{prefix}referral__deadline", f"{prefix}referral__sent_on").desc(nulls_last=True),
        F(f"{prefix}referral__sent_on").desc(nulls_last=True),
        f"-{prefix}referral__pk",
    )


def _by_round_date(hit: Hit) -> tuple[int, int, int, int, str, int, int]:
    """The SQLite order across both kinds, as ``_round_order``; then body, then position."""
    referral = hit.referral
    date = referral.deadline or referral.sent_on
    sent = referral.sent_on.toordinal() if referral.sent_on else 0
    position = hit.statement.position if hit.statement else 0
    return (
        -referral.programme.first_year,
        -(date.toordinal() if date else 0),
        -sent,
        -referral.pk,
        hit.body.name,
        hit.response.pk if hit.response else 0,
        position,
    )


def _first_match(text: str, words: list[str]) -> int:
    """Where the first of ``words`` occurs in ``text`` (case folded), or -1."""
    folded = text.casefold()
    found = [index for index in (folded.find(word.casefold()) for word in words) if index >= 0]
    return min(found) if found else -1


def plain_text(text: str) -> str:
    """Stored rich text as the words a reader sees: tags dropped, entities read back."""
    return html.unescape(strip_tags(text.replace("<", " <")))


def excerpt(text: str, words: list[str]) -> SafeString:
    """About ``EXCERPT_CONTEXT`` characters each side of the first match, escaped, with
    every occurrence of the words marked. ``text`` is rich text or plain."""
    text = plain_text(text)
    start = max(_first_match(text, words), 0)
    begin = max(start - EXCERPT_CONTEXT, 0)
    end = min(start + EXCERPT_CONTEXT, len(text))
    if begin > 0:
        space = text.find(" ", begin, start)
        begin = space + 1 if space >= 0 else begin
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = " ".join(text[begin:end].split())
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    marked: list[str] = []
    last = 0
    for match in pattern.finditer(piece):
        marked.append(escape(piece[last : match.start()]))
        marked.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    marked.append(escape(piece[last:]))
    before = "… " if begin > 0 else ""
    after = " …" if end < len(text) else ""
    return mark_safe(before + "".join(marked) + after)
