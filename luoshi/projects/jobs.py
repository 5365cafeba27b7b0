"""Key projects' background jobs: a big project list to import, the daily project reminders."""
import datetime as dt

from django.urls import reverse

from luoshi.jobs.services import Outcome, job_task, run_import

from . import excel, services


@job_task
def import_projects(job):
    """All rows or none: every project is created in one transaction (excel.import_projects)."""
    result = run_import(job, excel.import_projects, "项目", on=dt.date.fromisoformat(job.params["on"]))
    return Outcome(f"已导入 {len(result.projects)} 个项目", reverse("project-list"))


@job_task
def project_reminders(job):
    """Idempotent: a problem is escalated (and its leader mailed) once, however often this runs."""
    result = services.send_reminders(dt.date.fromisoformat(job.params["on"]))
    return Outcome(f"重点项目灯色变化 {result['lights_changed']} 个，协调事项提级 {result['escalated']} 项。")
