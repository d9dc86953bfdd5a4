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
        """Discover the admin modules, drop groups, connect the middleware's sign-in receiver.

        ``config.middleware`` is otherwise imported only when the first request builds
        the middleware chain; a sign-in before that (a management command, a test that
        calls ``login`` directly) would miss the receiver.
        """
        super().ready()
        from django.contrib import admin
        from django.contrib.auth.models import Group

        from config import middleware  # noqa: F401

        # Roles and memberships, not groups, decide what a user may do; a group page in
        # the admin would only invite permissions that nothing reads.
        if admin.site.is_registered(Group):
            admin.site.unregister(Group)
