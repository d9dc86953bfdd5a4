"""The site's URLs."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from config.accessibility import accessibility_statement
from config.forms import SignInForm
from programme.views import programmes as programme_views

urlpatterns = [
    # Named without a namespace: LOGIN_REDIRECT_URL refers to it as "start".
    path("", programme_views.start, name="start"),
    path("", include("programme.urls")),
    path("", include("reporting.urls")),
    path("", include("remiss.urls")),
    path("logga-in/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    # The sign-in page offers the language switch too, so it must work before sign-in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Open to everyone, signed in or not (lag 2018:1937).
    path("tillganglighet/", accessibility_statement, name="accessibility"),
    path("admin/", admin.site.urls),
]
