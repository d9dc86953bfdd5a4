"""Access-matrix rows of SLK's follow-up overview and the Excel exports."""

from __future__ import annotations

from tests.access.matrix_support import (
    SEES_A,
    Row,
    World,
    answers,
    body_a_slug,
    body_b_slug,
    programme_url,
    this_year,
)


def t1(world: World) -> str:
    return "t1"


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    slk_only = answers(403, slk=200)
    return [
        Row(
            "programme:follow-up-overview-current",
            "programme:follow-up-overview-current",
            programme_url("follow-up-overview-current"),
            # SLK is led on to the period due next.
            answers(403, slk=302),
        ),
        Row(
            "programme:follow-up-overview",
            "programme:follow-up-overview",
            programme_url("follow-up-overview", year=this_year, period=t1),
            slk_only,
        ),
        Row(
            "programme:follow-up-overview-export",
            "programme:follow-up-overview-export",
            programme_url("follow-up-overview-export", year=this_year, period=t1),
            slk_only,
        ),
        Row(
            "programme:plan-export",
            "programme:plan-export",
            programme_url("plan-export", slug=body_a_slug, year=this_year),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:plan-export (body B)",
            "programme:plan-export",
            programme_url("plan-export", slug=body_b_slug, year=this_year),
            answers(404, admin_b=200, slk=200),
        ),
        # Everyone signed in gets the activities they may see: none, for those without
        # a body (tests/programme/test_exports.py shows which rows each reader gets).
        Row(
            "programme:activity-export",
            "programme:activity-export",
            programme_url("activity-export", year=this_year),
            answers(200),
        ),
        Row(
            "programme:duty-overview-export",
            "programme:duty-overview-export",
            programme_url("duty-overview-export", year=this_year),
            slk_only,
        ),
    ]
