"""URLs of the programme pages (the start page is named in ``config.urls``).

Every address here must have a row in the access matrix (tests/test_access_matrix.py).
"""

from __future__ import annotations

from django.urls import path

from programme.views import account, duties, pages
from programme.views import follow_ups as follow_up_views
from programme.views import maintenance as maintenance_views

app_name = "programme"

urlpatterns = [
    path("program/", pages.programme_list, name="list"),
    path("program/<slug:slug>/", pages.programme_detail, name="detail"),
    path("namnder/", pages.body_list, name="body-list"),
    # --- the user's own page (account) ---
    path("konto/", account.account, name="account"),
    # --- programme duties and their evidence files (duties) ---
    path("namnder/<slug:slug>/uppdrag/", duties.duty_list, name="duty-list"),
    path("namnder/<slug:slug>/uppdrag/<int:year>/", duties.duty_checklist, name="duty-checklist"),
    path(
        "namnder/<slug:slug>/uppdrag/<int:year>/<str:duty>/",
        duties.duty_detail,
        name="duty-detail",
    ),
    path(
        "namnder/<slug:slug>/uppdrag/<int:year>/<str:duty>/andra/",
        duties.duty_edit,
        name="duty-edit",
    ),
    path(
        "namnder/<slug:slug>/uppdrag/<int:year>/<str:duty>/bevis/",
        duties.evidence_upload,
        name="evidence-upload",
    ),
    path("bevis/<int:pk>/", duties.evidence_download, name="evidence-download"),
    path("bevis/<int:pk>/ta-bort/", duties.evidence_delete, name="evidence-delete"),
    path("uppdrag/<int:year>/", duties.duty_overview, name="duty-overview"),
    # --- SLK's maintenance of programme versions and bodies (maintenance) ---
    path(
        "forvaltning/program/nytt/",
        maintenance_views.programme_create,
        name="programme-create",
    ),
    path(
        "forvaltning/program/<slug:slug>/andra/",
        maintenance_views.programme_edit,
        name="programme-edit",
    ),
    path(
        "forvaltning/program/<slug:slug>/fokusomraden/nytt/",
        maintenance_views.focus_area_create,
        name="focus-area-create",
    ),
    path(
        "forvaltning/fokusomraden/<int:pk>/andra/",
        maintenance_views.focus_area_edit,
        name="focus-area-edit",
    ),
    path("forvaltning/namnder/ny/", maintenance_views.body_create, name="body-create"),
    path(
        "forvaltning/namnder/sammanslagning/",
        maintenance_views.body_merge,
        name="body-merge",
    ),
    path(
        "forvaltning/namnder/<slug:slug>/andra/",
        maintenance_views.body_edit,
        name="body-edit",
    ),
    # --- follow_ups: a body's follow-up of one period, its form, and SLK's review ---
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/",
        follow_up_views.follow_up_detail,
        name="follow-up-detail",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/andra/",
        follow_up_views.follow_up_edit,
        name="follow-up-edit",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/skicka-in/",
        follow_up_views.follow_up_submit,
        name="follow-up-submit",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/granskning/",
        follow_up_views.follow_up_review,
        name="follow-up-review",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/skicka-tillbaka/",
        follow_up_views.follow_up_return,
        name="follow-up-return",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/godkann/",
        follow_up_views.follow_up_approve,
        name="follow-up-approve",
    ),
]
