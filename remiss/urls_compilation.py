"""URLs of the referral compilation pages, included by remiss/urls.py (namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
