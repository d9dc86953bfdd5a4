"""Access-matrix rows of the follow-up pages and the review workflow.

``follow_up_a`` is body A's T1 follow-up, a draft; its T2 is not started. Its members
and SLK read them; only body A's administrators start and change them (a reader and SLK
get 403 on starting, the form and the submit, and on the page that asks before it); only
SLK reviews, returns and approves (body A's members get 403). Everyone else gets 404:
another body's follow-up, like any of its records, is not found.
"""

from __future__ import annotations

from collections.abc import Callable

from programme.models import FollowUpPeriod
from tests.access.matrix_support import (
    CHANGES_A,
    SEES_A,
    Row,
    World,
    answers,
    body_a_slug,
    programme_url,
    this_year,
)

# SLK reviews body A's follow-up; body A's members see it but may not review it.
REVIEWS_A = {"admin_a": 403, "reader_a": 403, "slk": 200}


def period_of(period: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        return period

    return build


def follow_up_url(name: str, period: str = FollowUpPeriod.T1) -> Callable[[World], str]:
    """The address of one of body A's follow-ups (``follow_up_a`` is its T1)."""
    return programme_url(name, slug=body_a_slug, year=this_year, period=period_of(period))


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    return [
        Row(
            # The snapshot as an Excel file: for whoever may read the follow-up.
            "programme:follow-up-export",
            "programme:follow-up-export",
            follow_up_url("follow-up-export"),
            answers(404, **SEES_A),
        ),
        Row(
            # No follow-up of T2 yet: nothing to export.
            "programme:follow-up-export (not started)",
            "programme:follow-up-export",
            follow_up_url("follow-up-export", FollowUpPeriod.T2),
            answers(404),
        ),
        Row(
            "programme:follow-up-detail",
            "programme:follow-up-detail",
            follow_up_url("follow-up-detail"),
            answers(404, **SEES_A),
        ),
        Row(
            # T2 is not started: the page says so to those who may see the plan.
            "programme:follow-up-detail (not started)",
            "programme:follow-up-detail",
            follow_up_url("follow-up-detail", FollowUpPeriod.T2),
            answers(404, **SEES_A),
        ),
        Row(
            # Starting T2 (not started) is a POST for body A's administrators: it makes the
            # follow-up and leads to its form; opening the address does nothing.
            "programme:follow-up-start",
            "programme:follow-up-start",
            follow_up_url("follow-up-start", FollowUpPeriod.T2),
            answers(405),
            answers(404, **(CHANGES_A | {"admin_a": 302})),
            last="admin_a",
        ),
        Row(
            "programme:follow-up-edit",
            "programme:follow-up-edit",
            follow_up_url("follow-up-edit"),
            answers(404, **CHANGES_A),
            # An empty form is refused (no version) and shown again with its errors.
            answers(404, **CHANGES_A),
        ),
        Row(
            # Opening the address asks the administrator first: what submitting does and
            # a summary of the report (a reader and SLK may see it but not submit it).
            "programme:follow-up-submit",
            "programme:follow-up-submit",
            follow_up_url("follow-up-submit"),
            answers(404, **CHANGES_A),
            # Without a version nothing is submitted; the administrator is led back to
            # the follow-up, where the refusal is shown.
            answers(404, **(CHANGES_A | {"admin_a": 302})),
            last="admin_a",
        ),
        Row(
            "programme:follow-up-review",
            "programme:follow-up-review",
            follow_up_url("follow-up-review"),
            answers(404, **REVIEWS_A),
            # An empty form is refused (no version) and shown again with its errors.
            answers(404, **REVIEWS_A),
        ),
        Row(
            "programme:follow-up-return",
            "programme:follow-up-return",
            follow_up_url("follow-up-return"),
            answers(405),
            # Without a comment nothing is returned; the review page shows why.
            answers(404, **REVIEWS_A),
        ),
        Row(
            # Opening the address asks SLK first; a draft has nothing to approve, so SLK
            # is led back to the review, which says why.
            "programme:follow-up-approve",
            "programme:follow-up-approve",
            follow_up_url("follow-up-approve"),
            answers(404, **(REVIEWS_A | {"slk": 302})),
            # A draft cannot be approved: SLK is led back to the review with the refusal.
            answers(404, **(REVIEWS_A | {"slk": 302})),
            last="slk",
        ),
    ]
