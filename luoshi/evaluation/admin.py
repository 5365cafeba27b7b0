from django.contrib import admin

from luoshi.org.admin import ReadOnlyAdmin

from .models import Indicator, IndicatorValue, Run, SelfAssessment


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Indicators and weights are data the office changes; runs keep the settings they were computed with."""

    list_display = ["name", "group", "source", "metric", "direction", "role", "weight", "cap", "points", "order",
                    "active"]
    list_editable = ["weight", "cap", "points", "order", "active"]
    list_filter = ["group", "source", "role", "active"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["unit", "indicator", "period", "value", "note", "entered_at"]
    list_filter = ["period", "indicator"]
    raw_id_fields = ["unit"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "score", "submitted_at"]
    list_filter = ["period"]
    readonly_fields = ["answers", "score", "submitted_by"]


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    """Read-only: runs are made, re-made and published through the evaluation pages, where the rules live."""

    list_display = ["title", "group", "kind", "method", "as_of", "status", "published_at"]
    list_filter = ["group", "kind", "status"]
