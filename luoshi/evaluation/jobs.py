"""The evaluation's background jobs: making or re-making a run (freezing and scoring every unit's inputs), and a
big statistics import."""
import datetime as dt

from django.urls import reverse

from luoshi.jobs.services import JobFailed, Outcome, job_task, run_import

from . import excel, services
from .models import Run


@job_task
def create_run(job):
    """The run and all its rows are stored in one transaction (services.create_run)."""
    p = job.params
    try:
        run = services.create_run(job.started_by, p["group"], p["period"], p["method"], p["normalisation"],
                                  as_of=dt.date.fromisoformat(p["as_of"]), progress=job.progress)
    except services.EvaluationError as e:
        raise JobFailed(e.message) from None
    return Outcome(f"已生成“{run.title}”（草稿），核对后发布", reverse("evaluation-run", args=[run.pk]))


@job_task
def refresh_run(job):
    """The old rows are replaced by the new in one transaction (services.refresh_run)."""
    try:
        run = services.refresh_run(Run.objects.get(pk=job.params["run"]), job.started_by, progress=job.progress)
    except (services.EvaluationError, Run.DoesNotExist) as e:
        raise JobFailed(getattr(e, "message", "该考核已被删除")) from None
    return Outcome(f"已按当前数据重新生成“{run.title}”", reverse("evaluation-run", args=[run.pk]))


@job_task
def import_values(job):
    period = job.params["period"]
    try:
        result = run_import(job, excel.import_values, "数据", period)
    except services.EvaluationError as e:
        raise JobFailed(e.message) from None
    return Outcome(f"已导入 {result.saved} 条考核数据（{period}）", reverse("evaluation-import"))
