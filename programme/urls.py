"""URLs of the programme pages."""

from __future__ import annotations

from django.urls import path
from django.views.generic import TemplateView

app_name = "programme"

urlpatterns: list = []
