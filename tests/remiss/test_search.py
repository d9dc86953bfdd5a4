"""The search across responses and statements, over the five seed responses loaded as history.

Access first: a user finds only what the access module lets the user read. On PostgreSQL
the search is full-text with the Swedish configuration (the tests marked postgres hold
its stemming and ranking; the suite runs them there, and deselects them on SQLite on
purpose). The plain fallback is forced with ``on_postgresql`` patched to False, so its
tests run on both databases.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from programme.models import Confidentiality
from programme.services.fixtures import LoadResult
from remiss.models import Response, Stance, Statement
from remiss.queries import search as queries
from remiss.services.referral_history import HistoryResult
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SEARCH = reverse("remiss:search")
# A word only Järva's response holds (risk- och sårbarhetsanalyser, RSA).
JARVA_ONLY = "sårbarhetsanalyser"
# A statement of Järva's (on "Beredskap") and the word that finds it.
ON_CALL = "kontorstid"


@pytest.fixture
def referral_history(history_for_module: HistoryResult, loaded_data: LoadResult) -> HistoryResult:
    """Every test here reads the history: it is loaded once for the module."""
    return history_for_module


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def jarva(history: HistoryResult) -> Response:
    return Response.objects.select_related("body", "referral").get(body__slug="jarva")


def on_call_statement() -> Statement:
    return Statement.objects.get(response__body__slug="jarva", text__contains=ON_CALL)


def found(user: Any, query: str) -> queries.SearchResult:
    return queries.search(user, query)


def bodies_found(result: queries.SearchResult) -> set[str]:
    return {hit.body.slug for hit in result.hits}


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQLite fallback, whichever database runs the test."""
    monkeypatch.setattr(queries, "on_postgresql", lambda: False)


# --- Empty and short queries --------------------------------------------------------------


@pytest.mark.parametrize("query", ["", " ", "a", " b  "])
def test_an_empty_or_short_query_searches_nothing(
    cast: Cast, referral_history: HistoryResult, query: str, django_assert_num_queries: Any
):
    with django_assert_num_queries(0):
        result = found(cast.slk, query)

    assert result.hits == [] and result.total == 0
    assert result.searched is False
    assert result.too_short is bool(query.strip())


def test_the_page_says_a_short_query_is_too_short(cast: Cast, referral_history: HistoryResult):
    page = client_for(cast.slk).get(SEARCH, {"q": "s"})

    assert page.status_code == 200
    assert page.context["result"].too_short
    assert 'aria-invalid="true"' in page.content.decode()


def test_the_empty_page_shows_the_form(cast: Cast):
    page = client_for(cast.reader_a).get(SEARCH)

    assert page.status_code == 200
    assert 'name="q"' in page.content.decode()
    assert page.context["result"].searched is False


def test_the_referral_list_links_the_search_form(cast: Cast):
    page = client_for(cast.official).get(reverse("remiss:round-list")).content.decode()

    assert f'action="{SEARCH}"' in page


# --- Access: restrict first, then search ------------------------------------------------


@pytest.mark.parametrize("mode", ["database", "plain"])
def test_slk_finds_every_body(
    cast: Cast, referral_history: HistoryResult, mode: str, request: pytest.FixtureRequest
):
    if mode == "plain":
        request.getfixturevalue("plain")

    result = found(cast.slk, "förvaltningen")

    assert bodies_found(result) == {"jarva", "skarholmen", "kulturnamnden", "hagersten-alvsjo"}
    assert found(cast.slk, JARVA_ONLY).hits


@pytest.mark.parametrize("mode", ["database", "plain"])
def test_another_bodys_administrator_finds_nothing_of_jarvas_response(
    cast: Cast, referral_history: HistoryResult, mode: str, request: pytest.FixtureRequest
):
    if mode == "plain":
        request.getfixturevalue("plain")

    assert found(cast.admin_b, JARVA_ONLY).total == 0
    assert found(cast.admin_b, ON_CALL).total == 0
    # Skärholmen's own response is found.
    assert bodies_found(found(cast.admin_b, "förvaltningen")) == {"skarholmen"}


@pytest.mark.parametrize("mode", ["database", "plain"])
def test_a_reader_does_not_find_a_confidential_statement(
    cast: Cast, referral_history: HistoryResult, mode: str, request: pytest.FixtureRequest
):
    if mode == "plain":
        request.getfixturevalue("plain")
    secret = on_call_statement()
    Statement.objects.filter(pk=secret.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)

    reader = [hit.statement for hit in found(cast.reader_a, ON_CALL).hits if hit.statement]
    admin = [hit.statement for hit in found(cast.admin_a, ON_CALL).hits if hit.statement]
    slk = [hit.statement for hit in found(cast.slk, ON_CALL).hits if hit.statement]

    assert secret not in reader
    assert secret in admin and secret in slk


@pytest.mark.parametrize("mode", ["database", "plain"])
def test_a_reader_finds_nothing_of_a_confidential_response(
    cast: Cast, referral_history: HistoryResult, mode: str, request: pytest.FixtureRequest
):
    if mode == "plain":
        request.getfixturevalue("plain")
    response = jarva(referral_history)
    assert found(cast.reader_a, JARVA_ONLY).total > 0
    Response.objects.filter(pk=response.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)

    assert found(cast.reader_a, JARVA_ONLY).total == 0
    assert found(cast.reader_a, ON_CALL).total == 0
    assert found(cast.admin_a, JARVA_ONLY).total > 0


@pytest.mark.parametrize("persona", ["official", "no_role", "sysadmin"])
def test_users_who_read_no_body_get_an_empty_page(
    cast: Cast, referral_history: HistoryResult, persona: str
):
    page = client_for(cast.by_name(persona)).get(SEARCH, {"q": "förvaltningen"})

    assert page.status_code == 200
    assert page.context["result"].searched
    assert page.context["result"].hits == []
    assert page.context["result"].total == 0


def test_anonymous_visitors_are_sent_to_sign_in(referral_history: HistoryResult):
    page = Client().get(SEARCH, {"q": "förvaltningen"})

    assert page.status_code == 302


def test_the_search_takes_get_only(cast: Cast):
    assert client_for(cast.slk).post(SEARCH, {"q": "förvaltningen"}).status_code == 405


# --- What a hit shows and links to ---------------------------------------------------------


def test_a_statement_hit_links_to_its_anchor_with_its_section_and_stance(
    cast: Cast, referral_history: HistoryResult
):
    statement = on_call_statement()
    page = client_for(cast.admin_a).get(SEARCH, {"q": ON_CALL})
    content = page.content.decode()
    response_url = reverse(
        "remiss:response-detail",
        kwargs={"referral": statement.response.referral_id, "slug": "jarva"},
    )

    assert f'href="{response_url}#statement-{statement.pk}"' in content
    assert f'href="{response_url}"' in content
    assert "Beredskap" in content
    assert str(Stance.SUPPORTS_WITH_REMARKS.label).capitalize() in content
    assert "<mark>" in content


@pytest.mark.parametrize("mode", ["database", "plain"])
def test_the_snippet_is_escaped(
    cast: Cast, referral_history: HistoryResult, mode: str, request: pytest.FixtureRequest
):
    if mode == "plain":
        request.getfixturevalue("plain")
    Statement.objects.filter(pk=on_call_statement().pk).update(
        text="Efter kontorstid & x < y <img src=x onerror=alert(1)> gäller andra regler."
    )

    content = client_for(cast.admin_a).get(SEARCH, {"q": ON_CALL}).content.decode()

    # Stored cleaned (the tag gone, the characters as entities) and shown escaped once.
    assert "<img" not in content and "&amp;amp;" not in content
    assert "<mark>kontorstid</mark> &amp; x &lt; y" in content


def test_the_plain_excerpt_marks_every_word_and_escapes_the_rest():
    # As rich text is stored: cleaned, with its entities.
    text = "<p>" + "x " * 200 + "Samverkan &lt;med&gt; andra aktörer &amp; samverkan igen "
    text += "y " * 200 + "</p>"

    snippet = queries.excerpt(text, ["samverkan"])

    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count("<mark>") == 2
    assert "<mark>Samverkan</mark> &lt;med&gt;" in snippet
    assert "&amp;" in snippet
    assert len(snippet) < 400


def test_the_count_says_how_many_matched_beyond_the_page(
    cast: Cast, referral_history: HistoryResult, monkeypatch: pytest.MonkeyPatch
):
    everything = found(cast.slk, "förvaltningen")
    monkeypatch.setattr(queries, "MAX_RESULTS", 3)

    result = found(cast.slk, "förvaltningen")

    assert len(result.hits) == 3
    assert result.total == everything.total > 3
    assert result.truncated


# --- The fallback: every word, any case --------------------------------------------------


def test_the_fallback_needs_every_word(cast: Cast, referral_history: HistoryResult, plain: None):
    both = found(cast.slk, "kontorstid krisstöd")
    one_missing = found(cast.slk, "kontorstid xylofon")

    assert both.total > 0
    assert {hit.body.slug for hit in both.hits} == {"jarva"}
    assert one_missing.total == 0


def test_the_fallback_ignores_case_also_of_swedish_letters(
    cast: Cast, referral_history: HistoryResult, plain: None
):
    # Hägersten-Älvsjö's response says "Överenskommelsen", at the start of a sentence.
    lower = found(cast.slk, "överenskommelsen")
    upper = found(cast.slk, "ÖVERENSKOMMELSEN")

    assert "hagersten-alvsjo" in bodies_found(lower)
    assert lower.total == upper.total
    assert found(cast.slk, "KONTORSTID").total > 0


def test_the_fallback_orders_by_the_rounds_date(
    cast: Cast, referral_history: HistoryResult, plain: None
):
    hits = found(cast.slk, "förvaltningen").hits
    # The 2024 round, loaded as history, has no date: its version places it first.
    years = [hit.referral.programme.first_year for hit in hits]
    deadlines = [hit.referral.deadline for hit in hits if hit.referral.deadline]

    assert years == sorted(years, reverse=True)
    assert deadlines == sorted(deadlines, reverse=True)
    assert hits[0].body.slug == "jarva"


# --- PostgreSQL: Swedish full-text search --------------------------------------------------


@pytest.mark.postgres
def test_swedish_stemming_finds_other_forms_of_a_word(cast: Cast, referral_history: HistoryResult):
    # "samverkan" finds the responses that say "samverka" as well.
    samverkan = found(cast.slk, "samverkan")
    # The seeds of 2017 and 2021 say "brottsförebyggande"; the search says it differently.
    crime = found(cast.slk, "brottsförebyggandet")

    assert "jarva" in bodies_found(samverkan)
    assert {"skarholmen", "hagersten-alvsjo", "kulturnamnden"} <= bodies_found(crime)
    assert "jarva" not in bodies_found(crime)


@pytest.mark.postgres
def test_a_web_search_query_excludes_and_quotes(cast: Cast, referral_history: HistoryResult):
    def responses(result: queries.SearchResult) -> set[str]:
        return {hit.body.slug for hit in result.hits if hit.statement is None}

    with_jarva = found(cast.slk, "förvaltningen")
    without_jarva = found(cast.slk, f"förvaltningen -{JARVA_ONLY}")
    phrase = found(cast.slk, '"geografiskt områdesansvar"')
    reversed_phrase = found(cast.slk, '"områdesansvar geografiskt"')

    assert "jarva" in responses(with_jarva)
    assert "jarva" not in responses(without_jarva)
    assert "jarva" in responses(phrase)
    assert "jarva" not in responses(reversed_phrase)


@pytest.mark.postgres
def test_hits_are_ranked_with_the_views_and_summary_weighted_higher(
    cast: Cast, referral_history: HistoryResult
):
    result = found(cast.slk, "samverkan")
    ranks = [hit.rank for hit in result.hits]

    assert ranks == sorted(ranks, reverse=True)
    assert all(rank > 0 for rank in ranks)
    assert queries.SECTION_WEIGHTS["views"] == queries.SECTION_WEIGHTS["summary"] == "A"


@pytest.mark.postgres
def test_the_headline_marks_the_stemmed_match(cast: Cast, referral_history: HistoryResult):
    hit = next(hit for hit in found(cast.slk, "kontorstiden").hits if hit.statement)

    assert "<mark>kontorstid</mark>" in hit.snippet


# --- Queries --------------------------------------------------------------------------------


# The session and user, the roles and memberships of the menu, the responses and the
# statements; for anyone but SLK, the user's grants (read once; the filters name the
# bodies), whether the user has a role at all and the published compilations'
# statements. A user with no body has no responses or statements of its own to read.
PAGE_QUERIES = {"slk": 6, "admin_a": 8, "reader_a": 8, "official": 5}


@pytest.mark.parametrize("persona", sorted(PAGE_QUERIES))
def test_the_search_page_reads_in_a_fixed_number_of_queries(
    cast: Cast, referral_history: HistoryResult, persona: str, django_assert_num_queries: Any
):
    client = client_for(cast.by_name(persona))
    client.get(SEARCH, {"q": "förvaltningen"})  # warms the content types guardian reads

    for query in ("förvaltningen", "förvaltningen samverkan kontorstid"):
        with django_assert_num_queries(PAGE_QUERIES[persona]):
            page = client.get(SEARCH, {"q": query})
        assert page.status_code == 200


def test_a_search_is_two_queries(
    cast: Cast, referral_history: HistoryResult, django_assert_num_queries: Any
):
    queries.search(cast.slk, "xy")  # reads the user's roles once
    with django_assert_num_queries(2):
        queries.search(cast.slk, "förvaltningen")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("kind", "index"),
    [("responses", "remiss_response_search"), ("statements", "remiss_statement_search")],
)
def test_the_planner_can_use_the_search_indexes(cast: Cast, kind: str, index: str):
    # The indexes hold the very expressions the search filters on: with sequential and
    # plain index scans discouraged, the plan of the search's filter names the index.
    search_query = SearchQuery("samverkan", config=queries.CONFIG, search_type="websearch")
    queryset: QuerySet[Any] = (
        Response.objects.annotate(search=queries.response_vector())
        if kind == "responses"
        else Statement.objects.annotate(search=queries.statement_vector())
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.filter(search=search_query).order_by().values("pk").explain()

    assert index in plan
