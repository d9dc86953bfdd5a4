"""URLs of the programme pages (the start page is named in ``config.urls``)."""

from __future__ import annotations

from django.urls import path

from programme import views

app_name = "programme"

urlpatterns = [
    path("program/", views.programme_list, name="list"),
    path("program/<slug:slug>/", views.programme_detail, name="detail"),
    path("namnder/", views.body_list, name="body-list"),
]
