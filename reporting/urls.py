"""URLs of the reports pages.

Every address here must have a row in the access matrix (tests/access/test_access_matrix.py).
"""

from __future__ import annotations

from django.urls import path

from reporting.views import reports

app_name = "reporting"

urlpatterns = [
    path("rapporter/", reports.report_list, name="list"),
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
