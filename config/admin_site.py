"""The Django admin, for system administrators only.

Everyone else, SLK included, works in the product's own pages, where every read goes
through ``programme.access``. A signed-in user without the role gets 403 from every
admin address; an anonymous visitor is sent to the site's own sign-in page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from programme import access

_EVERY_ACTION = ("add", "change", "delete", "view")
# django-axes' records are written by axes itself: the administrator reads them, and
# deletes an access attempt to lift a lockout.
_READ_AND_DELETE = ("view", "delete")

# The model permissions the system administrator role carries, and the apps they are in.
SYSTEM_ADMINISTRATOR_PERMISSIONS = frozenset(
    [f"auth.{action}_user" for action in _EVERY_ACTION]
    + [f"programme.{action}_membership" for action in _EVERY_ACTION]
    + [f"programme.{action}_globalrole" for action in _EVERY_ACTION]
    + [
        f"axes.{action}_{model}"
        for action in _READ_AND_DELETE
        for model in ("accessattempt", "accesslog", "accessfailurelog")
    ]
)
SYSTEM_ADMINISTRATOR_APPS = frozenset(
    name.split(".")[0] for name in SYSTEM_ADMINISTRATOR_PERMISSIONS
)

# django-axes ships no Swedish; these are its admin's names, marked here so that our
# catalogue carries their translations.
AXES_ADMIN_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
)


class SystemAdministratorBackend:
    """Gives the system administrator role the model permissions the admin asks for.

    The role, not a hand-kept list of permission rows, decides who manages users,
    memberships, global roles and sign-in lockouts. It answers only model-level
    questions: object permissions on bodies stay with guardian and ``programme.access``.
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """Never signs anyone in; it only answers permission questions."""
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """One of the admin's model permissions, for an active system administrator."""
        if obj is not None or perm not in SYSTEM_ADMINISTRATOR_PERMISSIONS:
            return False
        return access.is_system_administrator(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        """Whether the admin index lists the app for this user."""
        return app_label in SYSTEM_ADMINISTRATOR_APPS and access.is_system_administrator(user_obj)


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

    def get_urls(self) -> list[URLPattern | URLResolver]:
        """The admin's addresses, each sending an anonymous visitor to the site's sign-in.

        Django names its own sign-in page on the site-wide views (the index, sign-out)
        for ``LoginRequiredMiddleware``; that would cost a second redirect.
        """
        patterns = super().get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern) and hasattr(pattern.callback, "login_url"):
                pattern.callback.login_url = settings.LOGIN_URL
        return patterns

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The site has one sign-in page; the admin's own is not used."""
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        return redirect_to_login(request.GET.get("next", reverse("admin:index")))
