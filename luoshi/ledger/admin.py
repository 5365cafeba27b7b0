from django.contrib import admin

from luoshi.org.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AuditEntry,
    Document,
    Instruction,
    LightPolicy,
    Milestone,
    ProgressReport,
    ReminderLog,
    SupervisionNotice,
    Target,
    Task,
    UnitRule,
)


@admin.register(LightPolicy)
class LightPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "yellow_days", "behind_tolerance", "red_missed_reports", "notice_reply_days"]


@admin.register(UnitRule)
class UnitRuleAdmin(admin.ModelAdmin):
    list_display = ["keyword", "lead_unit", "note"]
    search_fields = ["keyword", "lead_unit__name"]
    autocomplete_fields = ["lead_unit", "co_units"]


class TargetInline(ReadOnlyInline):
    model = Target


class MilestoneInline(ReadOnlyInline):
    model = Milestone


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "lead_unit", "leader", "deadline", "status", "progress", "light"]
    list_filter = ["light", "status", "area", "lead_unit__kind"]
    search_fields = ["code", "title", "text"]
    autocomplete_fields = ["lead_unit", "co_units"]
    inlines = [TargetInline, MilestoneInline]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "doc_date", "status", "created_at"]
    exclude = ["result"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["task", "unit", "percent", "done", "created_at"]
    raw_id_fields = ["task"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "task", "unit", "status", "reply_due"]
    list_filter = ["status", "year"]
    raw_id_fields = ["task"]


@admin.register(Instruction)
class InstructionAdmin(ReadOnlyAdmin):
    list_display = ["leader", "unit", "due", "status", "created_at"]
    list_filter = ["status"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["at", "actor", "action", "object_repr"]
    list_filter = ["action"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):  # a deleted row would send its reminder again
    list_display = ["key", "sent_at"]
