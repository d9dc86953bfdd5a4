"""App configuration of the site as a whole."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SystemAdminConfig(AdminConfig):
    """Installs ``config.admin_site.SystemAdminSite`` as the default admin site.

    It is also the site's only app configuration of its own, so it connects the
    site-wide signal receivers at start-up.
    """

    default_site = "config.admin_site.SystemAdminSite"

    def ready(self) -> None:
        """Discover the admin modules, then connect the sign-in receiver of the middleware.

        ``config.middleware`` is otherwise imported only when the first request builds
        the middleware chain; a sign-in before that (a management command, a test that
        calls ``login`` directly) would miss the receiver.
        """
        super().ready()
        from config import middleware  # noqa: F401
