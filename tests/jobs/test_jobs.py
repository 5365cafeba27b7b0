"""Background jobs: the status page and its JSON, who may see a job, progress, failures the user can read, a crash
that writes nothing, a job never run twice, and jobs of dead workers declared interrupted. The worker is
django-tasks-db's own (run_jobs), on the test database."""
import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from luoshi.jobs import services
from luoshi.jobs.models import Job
from luoshi.ledger import jobs as ledger_jobs
from luoshi.ledger.models import AuditEntry, Task
from tests.ledger.test_i18n import HAN, TRANSLATED


@pytest.fixture(autouse=True)
def everything_to_the_worker(settings):
    settings.LUOSHI_INLINE_IMPORT_BYTES = 0


def ledger(*rows, name="台账.xlsx"):
    wb = Workbook()
    wb.active.title = "任务台账"
    wb.active.append(["任务内容", "牵头单位", "完成时限"])
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def start_import(client, county, upload):
    client.force_login(county.office)
    response = client.post("/ledger/import/", {"file": upload})
    job = Job.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_big_import_is_queued_then_done_with_a_link(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31"), ("整治河道", "商务局", "")))
    assert (job.kind, job.status, job.title, job.started_by) == ("ledger_import", "queued", "台账.xlsx", county.office)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "排队中" in page and f'data-job="/jobs/{job.pk}/status.json"' in page and 'http-equiv="refresh"' in page
    assert "前面还有 0 项后台处理" in page
    assert client.get(f"/jobs/{job.pk}/status.json").json()["finished"] is False
    assert not Task.objects.exists()

    run_jobs()
    status = client.get(f"/jobs/{job.pk}/status.json").json()
    assert status["status"] == "done" and status["finished"] and status["percent"] == 100
    assert status["summary"] == "已导入 2 项任务" and status["result_url"] == "/tasks/"
    assert 'href="/tasks/"' in status["card"] and "查看结果" in status["card"] and "查看结果" in status["row"]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and 'http-equiv="refresh"' not in page
    assert Task.objects.count() == 2
    job.refresh_from_db()
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "SUCCESSFUL"
    # the page that started it lists it
    assert f'href="/jobs/{job.pk}/"' in client.get("/ledger/import/").content.decode()


def test_row_errors_fail_the_job_and_are_listed(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31"), ("", "不存在的局", "明年")))
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and job.error.startswith("“台账.xlsx”有 3 处错误，未导入任何任务")
    assert ["3", "牵头单位", "单位“不存在的局”不存在，请写系统中的单位名称或简称"] in [
        [str(row), column, message] for row, column, message in job.details["errors"]]
    card = client.get(f"/jobs/{job.pk}/status.json").json()["card"]
    assert "第 3 行" in card and "不存在的局" in card and 'role="alert"' in card
    assert '<a class="button" href="/ledger/import/">重新提交</a>' in card
    assert not Task.objects.exists()


def test_an_unreadable_file_fails_with_its_reason(client, county, run_jobs):
    job = start_import(client, county, SimpleUploadedFile("坏.xlsx", b"PK not really"))
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "文件已损坏或不是有效的 Excel（.xlsx）文件")


def test_a_crash_writes_nothing_and_says_whom_to_tell(client, county, run_jobs):
    """The upload went missing before the worker read it (MEDIA_ROOT not shared between hosts): an error no rule
    foresaw. The user reads a message with the job's number; the traceback is on the task result."""
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31")))
    os.remove(job.upload.path)
    audits = AuditEntry.objects.count()
    run_jobs()
    job.refresh_from_db()
    assert job.status == "failed" and f"#{job.pk}" in job.error and "未留下不完整的数据" in job.error
    result = DBTaskResult.objects.get(pk=job.task_result_id)
    assert result.status == "FAILED" and "FileNotFoundError" in result.traceback
    assert not Task.objects.exists() and AuditEntry.objects.count() == audits


def test_a_job_is_never_run_twice(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31")))
    run_jobs()
    assert ledger_jobs.import_ledger.call(job.pk) == "done"  # run again by mistake: it does nothing
    assert Task.objects.count() == 1


def test_who_sees_a_job(client, county):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31")))
    for user in (county.head, county.clerk_a):
        client.force_login(user)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/status.json").status_code == 404
    client.logout()
    assert client.get(f"/jobs/{job.pk}/status.json")["Location"].startswith("/login/")


def test_progress_is_written_a_hundred_times_at_most(county):
    job = Job.objects.create(kind=Job.Kind.LEDGER_IMPORT, title="台账.xlsx", started_by=county.office)
    with CaptureQueriesContext(connection) as queries:
        for i in range(3000):
            job.progress(i, 3000, "逐行检查")
        job.progress(0, 0, "写入 3000 项任务")
    assert len(queries) == 101
    job.refresh_from_db()
    assert (job.done, job.total, job.step) == (0, 0, "写入 3000 项任务")


# --- jobs of dead workers -------------------------------------------------------------------------------

def claimed(county, worker, started=None):
    """A queued job whose task a worker `worker` has claimed, as db_worker does."""
    job = services.start(ledger_jobs.send_reminders, Job.Kind.REMINDERS, county.office, "2021-07-15",
                         on="2021-07-15")
    result = DBTaskResult.objects.get(pk=job.task_result_id)
    result.claim(worker)
    if started:
        DBTaskResult.objects.filter(pk=result.pk).update(started_at=started)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    return job


def dead_pid():
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(exited.stdout)


def test_jobs_of_dead_workers_are_declared_interrupted(county, settings):
    host = services.worker_id().rpartition(":")[0]
    long_ago = timezone.now() - dt.timedelta(seconds=settings.LUOSHI_JOB_TIMEOUT_SECONDS + 60)
    dead = claimed(county, f"{host}:{dead_pid()}")
    live = claimed(county, f"{host}:{os.getppid()}")
    silent = claimed(county, "another-host:4242", started=long_ago)
    elsewhere = claimed(county, "another-host:4243")
    assert {job.pk for job in services.recover_interrupted()} == {dead.pk, silent.pk}
    for job in (dead, silent):
        job.refresh_from_db()
        assert (job.status, job.error) == ("failed", services.INTERRUPTED) and job.finished_at
        assert DBTaskResult.objects.get(pk=job.task_result_id).status == "FAILED"
    for job in (live, elsewhere):
        job.refresh_from_db()
        assert job.status == "running" and DBTaskResult.objects.get(pk=job.task_result_id).status == "RUNNING"
    assert services.recover_interrupted() == []


# --- in English ------------------------------------------------------------------------------------------

JOB_TEMPLATES = sorted((settings.BASE_DIR / "luoshi" / "jobs" / "templates" / "jobs").glob("*.html"))


def test_the_job_page_in_english(client, county, run_jobs):
    job = start_import(client, county, ledger(("修建村道", "河阳镇", "2030-12-31")))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Import a task ledger：台账.xlsx" in html and "Queued" in html and "This page refreshes itself" in html
    run_jobs()
    card = client.get(f"/jobs/{job.pk}/status.json").json()["card"]
    assert "Done" in card and "View the result" in card and "Submitted by " in card
    assert "已完成" not in card and "查看结果" not in card


@pytest.mark.parametrize("path", JOB_TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_untranslated_chinese(path):
    text = path.read_text(encoding="utf-8")
    assert "{% load i18n" in text
    assert not [line for line in TRANSLATED.sub("", text).splitlines() if HAN.search(line)]
