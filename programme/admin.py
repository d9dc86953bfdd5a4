"""The Django admin for system administrators: users, their global roles and memberships.

Programme versions and bodies are maintained by SLK in the product's own pages; body
records are never shown here, so every read of them goes through ``programme.access``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from programme.locking import EditConflict, check_version, lock_one
from programme.models import GlobalRole, Membership

User = get_user_model()


class VersionCheckedForm(forms.ModelForm):
    """An admin form that names the version it was opened at, as the product's forms do.

    A change saved from an older version is refused with what the other person changed;
    a saved change raises the version. The admin runs each save in a transaction, so
    the row is locked from the check to the write.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None or not self.has_changed():
            return cleaned
        seen = cleaned.get("seen_version")
        if seen is None:
            raise forms.ValidationError(
                _("The form is missing the version it was opened at. Open the page again.")
            )
        current = lock_one(type(self.instance).objects.all(), self.instance.pk)
        try:
            check_version(current, seen)
        except EditConflict as conflict:
            lines = [conflict.message]
            for entry in conflict.changes:
                for change in entry.changes:
                    lines.append(f"{entry.who}: {change.field}: {change.old} → {change.new}")
            raise forms.ValidationError(lines) from None
        return cleaned

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is not None and self.has_changed():
            self.instance.version = self.instance.version + 1
        return super().save(commit)


class MembershipInline(admin.TabularInline[Membership, Membership]):
    model = Membership
    form = VersionCheckedForm
    extra = 0


class GlobalRoleInline(admin.TabularInline[GlobalRole, GlobalRole]):
    model = GlobalRole
    form = VersionCheckedForm
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
    form = VersionCheckedForm
    list_display = ["user", "body", "role"]
    list_filter = ["role", "body__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "body__name"]
    autocomplete_fields = ["user"]


@admin.register(GlobalRole)
class GlobalRoleAdmin(SimpleHistoryAdmin):
    form = VersionCheckedForm
    list_display = ["user", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
