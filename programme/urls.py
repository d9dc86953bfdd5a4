"""URLs of the programme pages (the start page is named in ``config.urls``).

Every address here must have a row in the access matrix (tests/access/test_access_matrix.py).
"""

from __future__ import annotations

from django.urls import path

from programme.views import access_log as access_log_views
from programme.views import account, duties
from programme.views import follow_ups as follow_up_views
from programme.views import maintenance as maintenance_views
from programme.views import overview as overview_views
from programme.views import plan_history as plan_history_views
from programme.views import plan_records as plan_record_views
from programme.views import plans as plan_views
from programme.views import programmes as programme_views
from programme.views import year_settings as year_settings_views

app_name = "programme"

urlpatterns = [
    path("atkomstlogg/", access_log_views.access_log, name="access-log"),
    path("program/", programme_views.programme_list, name="list"),
    path("program/<slug:slug>/", programme_views.programme_detail, name="detail"),
    path("namnder/", programme_views.body_list, name="body-list"),
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
    # --- plans: a body's plans, goals, activities, indicators, carry-over issues ---
    path("namnder/<slug:slug>/planer/", plan_views.plan_list, name="plan-list"),
    path("namnder/<slug:slug>/planer/<int:year>/", plan_views.plan_detail, name="plan-detail"),
    path(
        "namnder/<slug:slug>/planer/<int:year>/skapa/",
        plan_views.plan_create,
        name="plan-create",
    ),
    path(
        "namnder/<slug:slug>/planer/<int:year>/kopiera/",
        plan_views.plan_copy,
        name="plan-copy",
    ),
    path(
        "namnder/<slug:slug>/planer/<int:year>/mal/nytt/",
        plan_views.goal_create,
        name="goal-create",
    ),
    path("planer/mal/<int:pk>/andra/", plan_views.goal_edit, name="goal-edit"),
    *(
        path(f"planer/{part}/<int:pk>/", plan_record_views.record_detail, {"kind": kind}, name)
        for part, kind, name in (
            ("mal", "goal", "goal-detail"),
            ("aktiviteter", "activity", "activity-detail"),
            ("indikatorer", "indicator", "indicator-detail"),
        )
    ),
    path(
        "planer/mal/<int:pk>/historik/",
        plan_history_views.record_history,
        {"kind": "goal"},
        name="goal-history",
    ),
    path(
        "planer/aktiviteter/<int:pk>/historik/",
        plan_history_views.record_history,
        {"kind": "activity"},
        name="activity-history",
    ),
    path(
        "planer/indikatorer/<int:pk>/historik/",
        plan_history_views.record_history,
        {"kind": "indicator"},
        name="indicator-history",
    ),
    path("planer/mal/<int:pk>/ta-bort/", plan_views.goal_delete, name="goal-delete"),
    path(
        "planer/mal/<int:pk>/aktiviteter/ny/",
        plan_views.activity_create,
        name="activity-create",
    ),
    path("planer/aktiviteter/<int:pk>/andra/", plan_views.activity_edit, name="activity-edit"),
    path(
        "planer/aktiviteter/<int:pk>/ta-bort/",
        plan_views.activity_delete,
        name="activity-delete",
    ),
    path(
        "planer/mal/<int:pk>/indikatorer/ny/",
        plan_views.indicator_create,
        name="indicator-create",
    ),
    path("planer/indikatorer/<int:pk>/andra/", plan_views.indicator_edit, name="indicator-edit"),
    path(
        "planer/indikatorer/<int:pk>/ta-bort/",
        plan_views.indicator_delete,
        name="indicator-delete",
    ),
    path(
        "planer/overforingar/<int:pk>/klar/",
        plan_views.carry_over_resolve,
        name="carry-over-resolve",
    ),
    # --- overview: SLK's follow-up overview and the Excel exports ---
    path(
        "uppfoljning/",
        overview_views.follow_up_overview_current,
        name="follow-up-overview-current",
    ),
    path(
        "uppfoljning/<int:year>/<str:period>/",
        overview_views.follow_up_overview,
        name="follow-up-overview",
    ),
    path(
        "uppfoljning/<int:year>/<str:period>/export.xlsx",
        overview_views.follow_up_overview_export,
        name="follow-up-overview-export",
    ),
    path(
        "namnder/<slug:slug>/planer/<int:year>/export.xlsx",
        overview_views.plan_export,
        name="plan-export",
    ),
    path(
        "aktiviteter/<int:year>/export.xlsx",
        overview_views.activity_export,
        name="activity-export",
    ),
    path(
        "uppdrag/<int:year>/export.xlsx",
        overview_views.duty_overview_export,
        name="duty-overview-export",
    ),
    # --- end of overview ---
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
    # --- data: SLK's yearly settings, deadlines and the council goal (year_settings) ---
    path(
        "forvaltning/ar/<int:year>/",
        year_settings_views.year_settings_page,
        name="year-settings",
    ),
    path(
        "forvaltning/ar/<int:year>/indikatorer/ny/",
        year_settings_views.council_indicator_create,
        name="council-indicator-create",
    ),
    path(
        "forvaltning/indikatorer/<int:pk>/andra/",
        year_settings_views.council_indicator_edit,
        name="council-indicator-edit",
    ),
    path(
        "forvaltning/indikatorer/<int:pk>/ta-bort/",
        year_settings_views.council_indicator_delete,
        name="council-indicator-delete",
    ),
    # --- follow_ups: a body's follow-up of one period, its form, and SLK's review ---
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/",
        follow_up_views.follow_up_detail,
        name="follow-up-detail",
    ),
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/starta/",
        follow_up_views.follow_up_start,
        name="follow-up-start",
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
    path(
        "namnder/<slug:slug>/uppfoljning/<int:year>/<str:period>/export.xlsx",
        follow_up_views.follow_up_export,
        name="follow-up-export",
    ),
]
