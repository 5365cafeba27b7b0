from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from luoshi.org.admin import ReadOnlyAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Read-only: jobs are started from the pages and commands that own them; the traceback of a crashed one is on
    its django-tasks result."""

    list_display = ["id", "kind", "title", "status", "started_by", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary", "error"]
    readonly_fields = ["task_result"]

    @admin.display(description=_("django-tasks 运行记录"))
    def task_result(self, job):
        if not job.task_result_id:
            return "—"
        url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[job.task_result_id])
        return format_html('<a href="{}">{}</a>', url, job.task_result_id)
