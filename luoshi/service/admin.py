"""The office edits the rules here: categories (Open311 services), routing rules, place keywords, deadlines,
the policy (duplicates, weights); and the enterprises with their chief service officers. Requests are read
only: they change through the services, so events and counters stay in step."""
from django.contrib import admin

from luoshi.org.admin import ReadOnlyAdmin

from .models import (
    DeadlineRule,
    Enterprise,
    OfficerVisit,
    PlaceKeyword,
    RequestEvent,
    RequestPolicy,
    RoutingRule,
    ServiceCategory,
    ServiceOfficer,
    ServiceRequest,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["service_code", "name", "group", "deadline_hours", "active", "order"]
    list_editable = ["deadline_hours", "active", "order"]
    search_fields = ["service_code", "name", "keywords"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "keyword", "unit", "priority", "active"]
    list_filter = ["active", "category"]
    search_fields = ["keyword", "unit__name"]


@admin.register(PlaceKeyword)
class PlaceKeywordAdmin(admin.ModelAdmin):
    list_display = ["keyword", "township"]
    search_fields = ["keyword", "township__name"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sign_hours", "reply_hours"]


@admin.register(RequestPolicy)
class RequestPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "duplicate_metres", "duplicate_days", "duplicate_similarity",
                    "weight_basically_satisfied"]


@admin.register(ServiceOfficer)
class ServiceOfficerAdmin(admin.ModelAdmin):
    list_display = ["person", "appointed_on", "active"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "township", "industry", "is_key", "officer"]
    list_filter = ["is_key", "township"]
    search_fields = ["name", "credit_code"]


@admin.register(OfficerVisit)
class OfficerVisitAdmin(admin.ModelAdmin):
    list_display = ["date", "officer", "enterprise"]


class EventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "unit", "actor", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "category", "status", "unit", "created_at"]
    list_filter = ["status", "channel", "category"]
    search_fields = ["number"]
    inlines = [EventInline]
