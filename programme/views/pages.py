"""The programme pages: thin views that read through ``programme.queries`` and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from programme import access, queries


def start(request: HttpRequest) -> HttpResponse:
    """The start page: the versions in force and the way to everything else."""
    return render(
        request, "programme/start.html", {"programmes_in_force": queries.programmes_in_force()}
    )


def programme_list(request: HttpRequest) -> HttpResponse:
    """Every programme version and how they follow each other."""
    return render(
        request,
        "programme/programme_list.html",
        {"programmes": queries.programme_versions()},
    )


def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One programme version: goal areas, focus areas and the lineage of both."""
    programme = queries.get_programme_for_page(slug)
    return render(
        request,
        "programme/programme_detail.html",
        {"programme": programme},
    )


def body_list(request: HttpRequest) -> HttpResponse:
    """Every body, grouped by kind, with the mergers and renames that shaped it."""
    groups = queries.bodies_by_kind()
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
