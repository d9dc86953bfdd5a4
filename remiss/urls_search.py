"""URLs of the search across responses and statements, included by remiss/urls.py
(namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern, path

from remiss.views import search

urlpatterns: list[URLPattern] = [
    path("remisser/sok/", search.search, name="search"),
]
