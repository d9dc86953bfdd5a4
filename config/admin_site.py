"""The Django admin, for system administrators only.

Everyone else, SLK included, works in the product's own pages, where every read goes
through ``programme.access``. A signed-in user without the role gets 403 from every
admin address; an anonymous visitor is sent to the site's own sign-in page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme import access


class SystemAdminSite(admin.AdminSite):
    """The admin site, opened only by the system administrator role."""

    site_header = _("System administration")
    site_title = _("System administration")
    index_title = _("Users, roles and memberships")

    def has_permission(self, request: HttpRequest) -> bool:
        """Only active system administrators; ``is_staff`` alone is not enough."""
        user = request.user
        return bool(user.is_active and user.is_staff and access.is_system_administrator(user))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """Every admin page: 403 for a signed-in user without the role, sign-in otherwise."""
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            response: HttpResponse = inner(request, *args, **kwargs)
            return response

        guarded.__dict__.update(inner.__dict__)
        return guarded

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The site has one sign-in page; the admin's own is not used."""
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        return redirect_to_login(request.GET.get("next", reverse("admin:index")))
