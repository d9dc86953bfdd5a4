"""URLs of the referral responses pages, included by remiss/urls.py (namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern, path

from remiss.views import imports as import_views
from remiss.views import responses as views

RESPONSE = "remisser/<int:referral>/svar/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path(RESPONSE, views.response_detail, name="response-detail"),
    path(f"{RESPONSE}starta/", views.response_start, name="response-start"),
    path(f"{RESPONSE}redigera/", views.response_edit, name="response-edit"),
    path(f"{RESPONSE}beslut/", views.response_decision, name="response-decision"),
    path(f"{RESPONSE}undertecknare/", views.response_signatories, name="response-signatories"),
    path(f"{RESPONSE}lamna-in/", views.response_submit, name="response-submit"),
    path(f"{RESPONSE}ateroppna/", views.response_reopen, name="response-reopen"),
    path(f"{RESPONSE}historik/", views.response_history, name="response-history"),
    path(f"{RESPONSE}importera/", import_views.import_start, name="response-import"),
    path("remisser/importer/<int:pk>/", import_views.import_review, name="import-review"),
    path(
        "remisser/importer/<int:pk>/forkasta/",
        import_views.import_discard,
        name="import-discard",
    ),
    path(f"{RESPONSE}stallningstaganden/ny/", views.statement_create, name="statement-create"),
    path(
        "remisser/stallningstaganden/<int:pk>/redigera/",
        views.statement_edit,
        name="statement-edit",
    ),
    path(
        "remisser/stallningstaganden/<int:pk>/ta-bort/",
        views.statement_delete,
        name="statement-delete",
    ),
    path(
        "remisser/stallningstaganden/<int:pk>/flytta/",
        views.statement_move,
        name="statement-move",
    ),
    path(
        "remisser/stallningstaganden/<int:pk>/historik/",
        views.statement_history,
        name="statement-history",
    ),
]
