from django.contrib import admin

from luoshi.org.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (ExchangeRate, FundsInPlace, Lead, MonthlyReport, Problem, Programme, Project, ProjectItem,
                     StageItem, TargetBinding)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "order"]


@admin.register(StageItem)
class StageItemAdmin(admin.ModelAdmin):
    list_display = ["stage", "name", "required", "order"]
    list_filter = ["stage", "required"]
    list_editable = ["required", "order"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "name", "rate"]


class ProjectItemInline(ReadOnlyInline):
    model = ProjectItem


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "category", "programme", "stage", "leader", "lead_unit", "total_investment",
                    "completed_investment", "light"]
    list_filter = ["light", "stage", "category", "programme"]
    search_fields = ["name", "owner"]
    autocomplete_fields = ["lead_unit", "township"]
    filter_horizontal = ["members"]
    inlines = [ProjectItemInline]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["project", "month", "investment", "year_to_date"]
    raw_id_fields = ["project"]


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["project", "category", "unit", "deadline", "status", "escalated_at"]
    list_filter = ["status", "category"]
    raw_id_fields = ["project"]


class FundsInline(ReadOnlyInline):
    model = FundsInPlace


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ["name", "investor", "stage", "source", "amount", "currency", "amount_cny", "unit"]
    list_filter = ["stage", "source"]
    search_fields = ["name", "investor"]
    inlines = [FundsInline]


@admin.register(TargetBinding)
class TargetBindingAdmin(admin.ModelAdmin):
    list_display = ["target", "figure", "year"]
    raw_id_fields = ["target"]
