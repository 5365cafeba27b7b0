"""Starting, running and recovering background jobs.

A module's job is a function `f(job)` decorated with `@job_task`: it reads its inputs from the Job (params, the
uploaded file), reports progress through `job.progress`, keeps its writes in one transaction (or makes them
idempotent), and returns an Outcome or raises JobFailed with a message for the user. `start` queues it.
"""
import functools
import os
import socket
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from luoshi.ledger.scope import is_office
from luoshi.sheets import ImportRejected

from .models import Job

CRASHED = "处理时出错，已中止，未留下不完整的数据，可以重新提交；如再次出错，请将编号 #{id} 告知系统管理员。"
INTERRUPTED = "处理被中断（服务器重启或进程被终止），未留下不完整的数据，请重新提交。"


def no_progress(done, total, step):
    """The progress callback of work run outside a job."""


class JobFailed(Exception):
    """The job could not do what was asked and wrote nothing: `message` says why, in Chinese; `errors` are an
    import's (row, column, message)."""

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.message, self.errors = message, [list(e) for e in errors]


@dataclass
class Outcome:
    summary: str
    url: str = ""
    warnings: list = field(default_factory=list)


def run_import(job, importer, what, *args, **kwargs):
    """An Excel import on the worker, all rows or none: `importer(upload, user, *args, progress=…, **kwargs)`.
    An unreadable file, or rows at fault (listed for the user), fail the job; returns the importer's result."""
    try:
        with job.upload.open("rb") as upload:
            result = importer(upload, job.started_by, *args, progress=job.progress, **kwargs)
    except ImportRejected as e:
        raise JobFailed(str(e)) from None
    if not result.ok:
        raise JobFailed(f"“{job.title}”有 {len(result.errors)} 处错误，未导入任何{what}；请在 Excel 中修改后重新上传",
                        [(e.row, e.column, e.message) for e in result.errors])
    return result


class Interrupted(Exception):
    """Recorded on a task whose worker died while running it."""


def job_task(func):
    """The django-tasks task running `func(job)` for a Job id, recording its start, outcome or failure."""

    @functools.wraps(func)
    def run(job_id):
        # queued → running once: a job already run, or declared interrupted, is never run (again)
        if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING,
                                                                             started_at=timezone.now()):
            return Job.objects.get(pk=job_id).status
        job = Job.objects.get(pk=job_id)
        try:
            outcome = func(job)
        except JobFailed as e:
            job.finish(Job.Status.FAILED, error=e.message, details={"errors": e.errors})
        except Exception:
            job.finish(Job.Status.FAILED, error=CRASHED.format(id=job.pk))
            raise  # the traceback goes to the task result (admin), not to the user
        else:
            job.finish(Job.Status.DONE, summary=outcome.summary[:300], result_url=outcome.url,
                       details={"warnings": outcome.warnings}, done=job.total)
        return job.status

    return task(run)


def worker_id():
    """host:pid, so a worker starting on the same host can tell a dead worker's jobs from a live one's."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


def start(job_task, kind, user, title, *, upload=None, run_here=False, **params):
    """Queue a job. The Job row, its uploaded file and the django-tasks row are created together: a worker never
    sees one without the other. run_here: claim it for this process (a cron command), then run it now."""
    with transaction.atomic():
        job = Job(kind=kind, title=title[:200], started_by=user if user and user.is_authenticated else None,
                  params=params)
        if upload is not None:
            job.upload.save(os.path.basename(upload.name), upload, save=False)
        job.save()
        result = job_task.enqueue(job.pk)
        job.task_result_id = str(result.id)
        job.save(update_fields=["task_result_id"])
        if run_here:
            result.db_result.claim(worker_id())
    if run_here:
        _worker().run_task(result.db_result)
        job.refresh_from_db()
    return job


def run_for_command(command, job_task, kind, title, enqueue, **params):
    """A management command's job (cron): run in the command's process, which waits and exits non-zero if it
    failed, or with enqueue left to the worker. Either way the office sees the run among the jobs."""
    job = start(job_task, kind, None, title, run_here=not enqueue, **params)
    if enqueue:
        command.stdout.write(f"已交给后台处理：#{job.pk}")
    elif job.status == Job.Status.FAILED:
        raise CommandError(job.error)
    else:
        command.stdout.write(job.summary)
    return job


def _worker():
    return Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                  max_tasks=None, worker_id=worker_id(), excluded_queue_names=[])


def _gone(worker, started_at, now):
    """Whether the process named `worker` (host:pid) that started a task at started_at can no longer finish it."""
    host, _, pid = worker.rpartition(":")
    if host == socket.gethostname()[:50] and pid.isdigit():
        if int(pid) == os.getpid():  # a restarted worker may get its predecessor's pid (containers)
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, under another user
            return False
        return False
    # another host's worker: trusted until the timeout
    return started_at is None or (now - started_at).total_seconds() > settings.LUOSHI_JOB_TIMEOUT_SECONDS


def recover_interrupted():
    """Tasks left running by a process that died (kill -9, power loss, out of memory): their transaction rolled
    back with the process, so nothing is half written; mark them failed so no job shows 'running' forever.
    Returns the jobs marked. Called when a worker starts."""
    now, marked = timezone.now(), []
    for result in DBTaskResult.objects.running():
        if not _gone(result.worker_ids[-1] if result.worker_ids else "", result.started_at, now):
            continue
        with transaction.atomic():
            result.set_failed(Interrupted(f"worker {result.worker_ids} gone"))
            jobs = Job.objects.filter(task_result_id=str(result.id), status__in=[Job.Status.QUEUED,
                                                                                 Job.Status.RUNNING])
            marked += list(jobs)
            jobs.update(status=Job.Status.FAILED, error=INTERRUPTED, finished_at=now)
    return marked


# --- who sees which jobs ------------------------------------------------------------------------------

def jobs_for(user):
    """The office sees every job (they work as one team, and cron's have no starter); others their own."""
    if is_office(user):
        return Job.objects.all()
    if user and user.is_authenticated:
        return Job.objects.filter(started_by=user)
    return Job.objects.none()


def recent(user, *kinds, limit=5):
    return jobs_for(user).filter(kind__in=kinds).select_related("started_by__person")[:limit]
