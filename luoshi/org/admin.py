from django.contrib import admin

from .models import ApiToken, Person, Unit


class ReadOnly:
    """For records changed only through their own rules (tasks and their reports, notices, projects, the audit
    trail, requests, evaluation runs): the admin views them, never edits — an edit there would skip the version
    check, the lights and the audit trail."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "aliases"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "unit", "role", "user"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["name", "user__username", "unit__name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at"]
    readonly_fields = ["key"]
