"""The Django admin for system administrators: programme versions and bodies."""

from __future__ import annotations

from django.contrib import admin

from programme.models import Body, FocusArea, FocusAreaSuccession, GoalArea, Programme


class GoalAreaInline(admin.TabularInline[GoalArea, Programme]):
    model = GoalArea
    extra = 0


class FocusAreaInline(admin.StackedInline[FocusArea, Programme]):
    model = FocusArea
    extra = 0
    filter_horizontal = ["goal_areas"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "kind", "first_year", "last_year", "status", "supersedes"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "registration_number"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GoalAreaInline, FocusAreaInline]


class FocusAreaSuccessionInline(admin.TabularInline[FocusAreaSuccession, FocusArea]):
    model = FocusAreaSuccession
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin[FocusArea]):
    list_display = ["__str__", "programme", "position"]
    list_filter = ["programme"]
    search_fields = ["title", "programme__name"]
    inlines = [FocusAreaSuccessionInline]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin[Body]):
    list_display = ["name", "kind", "administration_name", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "administration_name"]
    filter_horizontal = ["predecessors"]
    prepopulated_fields = {"slug": ["name"]}
