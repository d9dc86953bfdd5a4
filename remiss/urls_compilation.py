"""URLs of the referral compilation pages, included by remiss/urls.py (namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern, path

from remiss.views import compilation as views

urlpatterns: list[URLPattern] = [
    path("remisser/<int:pk>/sammanstallning/", views.compilation, name="compilation"),
    path(
        "remisser/<int:pk>/sammanstallning/excel/",
        views.compilation_export,
        name="compilation-export",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/publicera/",
        views.compilation_publish,
        name="compilation-publish",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/publicerad/",
        views.compilation_published,
        name="compilation-published",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/publicerad/excel/",
        views.compilation_published_export,
        name="compilation-published-export",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/pdf/<str:audience>/",
        views.compilation_pdf,
        name="compilation-pdf",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/pdf/<str:audience>/skapa/",
        views.compilation_pdf_request,
        name="compilation-pdf-request",
    ),
    path(
        "remisser/<int:referral>/svar/<slug:slug>/aterkoppling/",
        views.reply_pdf,
        name="reply-pdf",
    ),
    path(
        "remisser/<int:referral>/svar/<slug:slug>/aterkoppling/skapa/",
        views.reply_pdf_request,
        name="reply-pdf-request",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/utlatanden/<int:statement_pk>/",
        views.compilation_disposition,
        name="compilation-disposition",
    ),
    path(
        "remisser/<int:pk>/sammanstallning/<int:section_pk>/",
        views.compilation_section,
        name="compilation-section",
    ),
]
