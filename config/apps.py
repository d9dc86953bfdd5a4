"""App configuration of the site as a whole."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class SystemAdminConfig(AdminConfig):
    """Installs ``config.admin_site.SystemAdminSite`` as the default admin site."""

    default_site = "config.admin_site.SystemAdminSite"
