"""URLs of the programme pages (the start page is named in ``config.urls``).

Every address here must have a row in the access matrix (tests/test_access_matrix.py).
"""

from __future__ import annotations

from django.urls import path

from programme.views import pages

app_name = "programme"

urlpatterns = [
    path("program/", pages.programme_list, name="list"),
    path("program/<slug:slug>/", pages.programme_detail, name="detail"),
    path("namnder/", pages.body_list, name="body-list"),
    # --- the user's own page (account) ---
    # --- programme duties and their evidence files (duties) ---
    # --- SLK's maintenance of programme versions and bodies (maintenance) ---
]
