"""Access-matrix rows of the search across referral responses and statements.

Everyone signed in may open the search: what it finds goes through the access module
(tests/remiss/test_search.py holds who finds what), so a user who reads no body's records
gets an empty page, not a refusal. It only reads: a POST is not allowed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from tests.access.matrix_rows_remiss_responses import make_responses
from tests.access.matrix_support import Row, World, answers


def search_url(world: World) -> str:
    """A search for a word of body A's statements, with its response in place."""
    make_responses(world)
    return reverse("remiss:search") + "?" + urlencode({"q": "stöder"})


def rows() -> list[Row]:
    """The search page, with and without a query."""
    return [
        Row(
            "remiss:search",
            "remiss:search",
            search_url,
            answers(200),
            answers(405),
        ),
        Row(
            "remiss:search (no query)",
            "remiss:search",
            lambda w: reverse("remiss:search"),
            answers(200),
        ),
    ]
