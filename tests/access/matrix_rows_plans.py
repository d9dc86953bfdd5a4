"""Access-matrix rows of the plan pages: goals, activities, indicators, carry-over issues.

Body A's plan for the year is read by its members and SLK; only body A's administrators
change it (a reader and SLK get 403). The confidential goal and activity, and the issue
about the confidential goal, are not found (404) by body A's reader, as by everyone
outside the body; SLK sees them but may not change them (403). Buttons that only take a
POST answer 405 to a GET.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.access.matrix_support import (
    CHANGES_A,
    CHANGES_A_CONFIDENTIAL,
    SEES_A,
    SEES_A_CONFIDENTIAL,
    Row,
    World,
    answers,
    body_a_slug,
    plan_pk,
    programme_url,
    this_year,
)

# The delete pages and the resolve button are asked for real by body A's administrator,
# last: the POST deletes or settles, and leads back to the plan.
ADMIN_A_DONE = {"admin_a": 302}
# A saved record is at version 1 in the world; a delete names the version it saw.
VERSION_ONE = {"version": "1"}


def _edit_rows(kind: str, attribute: str, confidential: bool) -> list[Row]:
    """The edit and delete rows of one record of the plan world."""
    key = " (confidential)" if confidential else ""
    changes = CHANGES_A_CONFIDENTIAL if confidential else CHANGES_A
    return [
        Row(
            f"programme:{kind}-edit{key}",
            f"programme:{kind}-edit",
            programme_url(f"{kind}-edit", pk=plan_pk(attribute)),
            answers(404, **changes),
            # An empty form is refused and shown again with its errors.
            answers(404, **changes),
        ),
        Row(
            f"programme:{kind}-delete{key}",
            f"programme:{kind}-delete",
            programme_url(f"{kind}-delete", pk=plan_pk(attribute)),
            answers(404, **changes),
            answers(404, **(changes | ADMIN_A_DONE)),
            post_data=VERSION_ONE,
            last="admin_a",
        ),
    ]


def _history_row(kind: str, attribute: str, confidential: bool, page: str = "history") -> Row:
    """A record's history page (or its own page): read by whoever sees the record, a GET only.

    Body A's reader reads the open and internal records' histories; another body's
    administrator and an official find none (404), like everyone outside the body.
    """
    key = " (confidential)" if confidential else ""
    return Row(
        f"programme:{kind}-{page}{key}",
        f"programme:{kind}-{page}",
        programme_url(f"{kind}-{page}", pk=plan_pk(attribute)),
        answers(404, **(SEES_A_CONFIDENTIAL if confidential else SEES_A)),
        answers(405),
    )


def _create_row(kind: str, attribute: str, confidential: bool) -> Row:
    """The row of a form that adds an activity or indicator under one of A's goals."""
    key = " (confidential goal)" if confidential else ""
    changes: dict[str, int] = CHANGES_A_CONFIDENTIAL if confidential else CHANGES_A
    return Row(
        f"programme:{kind}-create{key}",
        f"programme:{kind}-create",
        programme_url(f"{kind}-create", pk=plan_pk(attribute)),
        answers(404, **changes),
        answers(404, **changes),
    )


def _plan_button(name: str) -> Row:
    """A button that makes or copies body A's plan: refused, as the plan exists already."""
    return Row(
        f"programme:{name}",
        f"programme:{name}",
        programme_url(name, slug=body_a_slug, year=this_year),
        answers(405),
        # The administrator's refusal is a message on the plan page it leads back to.
        answers(404, **(CHANGES_A | ADMIN_A_DONE)),
    )


def _issue_url(attribute: str) -> Callable[[World], str]:
    return programme_url("carry-over-resolve", pk=plan_pk(attribute))


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    return [
        Row(
            "programme:plan-list",
            "programme:plan-list",
            programme_url("plan-list", slug=body_a_slug),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:plan-detail",
            "programme:plan-detail",
            programme_url("plan-detail", slug=body_a_slug, year=this_year),
            answers(404, **SEES_A),
        ),
        _plan_button("plan-create"),
        _plan_button("plan-copy"),
        Row(
            "programme:goal-create",
            "programme:goal-create",
            programme_url("goal-create", slug=body_a_slug, year=this_year),
            answers(404, **CHANGES_A),
            answers(404, **CHANGES_A),
        ),
        *_edit_rows("goal", "goal_a", confidential=False),
        *_edit_rows("goal", "confidential_goal_a", confidential=True),
        _create_row("activity", "goal_a", confidential=False),
        _create_row("activity", "confidential_goal_a", confidential=True),
        *_edit_rows("activity", "activity_a", confidential=False),
        *_edit_rows("activity", "confidential_activity_a", confidential=True),
        _create_row("indicator", "goal_a", confidential=False),
        _create_row("indicator", "confidential_goal_a", confidential=True),
        *_edit_rows("indicator", "indicator_a", confidential=False),
        _history_row("goal", "goal_a", confidential=False),
        _history_row("goal", "confidential_goal_a", confidential=True),
        _history_row("activity", "activity_a", confidential=False),
        _history_row("activity", "confidential_activity_a", confidential=True),
        _history_row("indicator", "indicator_a", confidential=False),
        _history_row("goal", "goal_a", confidential=False, page="detail"),
        _history_row("goal", "confidential_goal_a", confidential=True, page="detail"),
        _history_row("activity", "activity_a", confidential=False, page="detail"),
        _history_row("activity", "confidential_activity_a", confidential=True, page="detail"),
        _history_row("indicator", "indicator_a", confidential=False, page="detail"),
        Row(
            "programme:carry-over-resolve",
            "programme:carry-over-resolve",
            _issue_url("issue_a"),
            answers(405),
            answers(404, **(CHANGES_A | ADMIN_A_DONE)),
            last="admin_a",
        ),
        Row(
            "programme:carry-over-resolve (confidential goal)",
            "programme:carry-over-resolve",
            _issue_url("confidential_issue_a"),
            answers(405),
            answers(404, **(CHANGES_A_CONFIDENTIAL | ADMIN_A_DONE)),
            last="admin_a",
        ),
    ]
