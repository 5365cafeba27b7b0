"""Key projects' background jobs: a big project list to import, the daily project reminders."""
import datetime as dt

from django.urls import reverse

from luoshi.jobs.services import JobFailed, Outcome, job_task

from . import excel, services


@job_task
def import_projects(job):
    """All rows or none: every project is created in one transaction (excel.import_projects)."""
    try:
        with job.upload.open("rb") as upload:
            result = excel.import_projects(upload, job.started_by, on=dt.date.fromisoformat(job.params["on"]),
                                           progress=job.progress)
    except excel.ImportRejected as e:
        raise JobFailed(str(e)) from None
    if not result.ok:
        raise JobFailed(f"“{job.title}”有 {len(result.errors)} 处错误，整表未导入；请在 Excel 中修改后重新上传",
                        [(e.row, e.column, e.message) for e in result.errors])
    return Outcome(f"已导入 {len(result.projects)} 个项目", reverse("project-list"))


@job_task
def project_reminders(job):
    """Idempotent: a problem is escalated (and its leader mailed) once, however often this runs."""
    result = services.send_reminders(dt.date.fromisoformat(job.params["on"]))
    return Outcome(f"重点项目灯色变化 {result['lights_changed']} 个，协调事项提级 {result['escalated']} 项。")
