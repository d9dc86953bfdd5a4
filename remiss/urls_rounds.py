"""URLs of the referral rounds pages, included by remiss/urls.py (namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern, path

from remiss.views import rounds

urlpatterns: list[URLPattern] = [
    path("remisser/", rounds.round_list, name="round-list"),
    path("remisser/ny/", rounds.round_create, name="round-create"),
    path("remisser/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("remisser/<int:pk>/utkast/", rounds.round_draft, name="round-draft"),
    path("remisser/<int:pk>/namnder/", rounds.round_add_bodies, name="round-add-bodies"),
    path("remisser/<int:pk>/stang/", rounds.round_close, name="round-close"),
    path("remisser/<int:pk>/avstar/<slug:slug>/", rounds.round_decline, name="round-decline"),
    path(
        "remisser/<int:pk>/avstar/<slug:slug>/angra/",
        rounds.round_withdraw_decline,
        name="round-withdraw-decline",
    ),
]
