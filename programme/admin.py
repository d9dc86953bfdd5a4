"""The Django admin for system administrators: users, their global roles and memberships.

Programme versions and bodies are maintained by SLK in the product's own pages; body
records are never shown here, so every read of them goes through ``programme.access``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from programme.models import GlobalRole, Membership

User = get_user_model()


class MembershipInline(admin.TabularInline[Membership, Membership]):
    model = Membership
    extra = 0


class GlobalRoleInline(admin.TabularInline[GlobalRole, GlobalRole]):
    model = GlobalRole
    extra = 0


admin.site.unregister(User)


@admin.register(User)
class UserWithRolesAdmin(UserAdmin):
    """Django's user admin, with the user's global roles and memberships on the same page."""

    inlines = [GlobalRoleInline, MembershipInline]
    # No superuser flag, groups or model permissions: access comes from roles and
    # memberships only, and a superuser would pass guardian's per-object checks.
    # ``is_staff`` follows the system administrator role (programme.signals).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ["username", "first_name", "last_name", "email", "is_active", "last_login"]
    list_filter = ["is_active", "global_roles__role", "memberships__role"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "body", "role"]
    list_filter = ["role", "body__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "body__name"]
    autocomplete_fields = ["user"]


@admin.register(GlobalRole)
class GlobalRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
