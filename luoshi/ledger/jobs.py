"""The ledger's background jobs: a big document to decompose, a big ledger to import, the daily reminders."""
import datetime as dt

from django.urls import reverse

from luoshi.jobs.services import JobFailed, Outcome, job_task, run_import
from luoshi.projects import services as projects

from . import documents, excel, services


def _day(value):
    return dt.date.fromisoformat(value) if value else None


@job_task
def decompose_document(job):
    with job.upload.open("rb") as f:
        data = f.read()
    try:
        document, warnings = documents.decompose_upload(data, job.title, _day(job.params.get("doc_date")),
                                                        job.started_by, progress=job.progress)
    except documents.UploadProblem as e:
        raise JobFailed(str(e)) from None
    return Outcome(f"已分解“{document.title}”：{len(document.result.get('tasks', []))} 条任务，请逐条核对后发布",
                   reverse("document-detail", args=[document.pk]), warnings)


@job_task
def import_ledger(job):
    """All rows or none: the tasks are created in one transaction (services.create_tasks)."""
    result = run_import(job, excel.import_ledger, "任务", on=_day(job.params["on"]))
    return Outcome(f"已导入 {len(result.tasks)} 项任务", reverse("task-list"))


@job_task
def send_reminders(job):
    """Idempotent rather than one transaction: every reminder is logged before it is sent, so a run cut short and
    run again sends each reminder once."""
    on = _day(job.params["on"])
    sent = services.send_reminders(on, progress=job.progress)
    project_run = projects.send_reminders(on)  # the daily job covers key projects too
    return Outcome(f"{on}：发送提醒 {sent} 条；重点项目协调事项提级 {project_run['escalated']} 件")
