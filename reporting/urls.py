"""URLs of the reports pages.

Every address here must have a row in the access matrix (tests/access/test_access_matrix.py).
"""

from __future__ import annotations

from django.urls import path

from reporting.views import city, reports

app_name = "reporting"

urlpatterns = [
    path("rapporter/", reports.report_list, name="list"),
    # Before a body's reports: "staden" would otherwise be taken for a body's slug.
    path(
        "rapporter/staden/<int:year>/<str:period>/<str:audience>/",
        city.city_report_detail,
        name="city-report",
    ),
    path(
        "rapporter/staden/<int:year>/<str:period>/<str:audience>/bestall/",
        city.city_report_request,
        name="city-report-request",
    ),
    path("rapporter/staden/publicera/<int:pk>/", city.city_report_publish, name="city-publish"),
    path("rapporter/staden/<int:year>/datum/", city.city_report_schedule, name="city-schedule"),
    path(
        "rapporter/<slug:slug>/<int:year>/<str:period>/<str:audience>/",
        reports.report_detail,
        name="report",
    ),
    path(
        "rapporter/<slug:slug>/<int:year>/<str:period>/<str:audience>/bestall/",
        reports.report_request,
        name="report-request",
    ),
    path("rapporter/filer/<int:pk>/", reports.report_download, name="download"),
]
