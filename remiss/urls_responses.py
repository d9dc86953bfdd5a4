"""URLs of the referral responses pages, included by remiss/urls.py (namespace "remiss")."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
