"""The programme and body pages: thin views that read through ``programme.queries`` and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programme import access
from programme.queries import bodies as body_queries
from programme.queries import programmes as programme_queries
from programme.queries import start as start_queries


def start(request: HttpRequest) -> HttpResponse:
    """The start page: what the person has to do, by role, and the versions in force."""
    page = start_queries.start_page(request.user)
    return render(request, "programme/start.html", {"page": page, "year": page.year})


def programme_list(request: HttpRequest) -> HttpResponse:
    """Every programme version and how they follow each other."""
    return render(
        request,
        "programme/programme_list.html",
        {"programmes": programme_queries.programme_versions()},
    )


def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One programme version: goal areas, focus areas and the lineage of both."""
    programme = programme_queries.get_programme_for_page(slug)
    return render(
        request,
        "programme/programme_detail.html",
        {"programme": programme},
    )


def body_list(request: HttpRequest) -> HttpResponse:
    """Every body, grouped by kind, with the mergers and renames that shaped it."""
    groups = body_queries.bodies_by_kind()
    bodies = [body for group in groups for body in (*group.active, *group.former)]
    return render(
        request,
        "programme/body_list.html",
        {
            "groups": groups,
            # Each body whose records the user may read links to its duties.
            "readable_body_ids": access.readable_body_ids(request.user, bodies),
        },
    )
