"""Faults against real processes (tests/ops/live.py): kill -9 the server during a document publish and the worker
during an import and an evaluation run, restart them, and find nothing half written and no job left 'running';
request SLA clocks identical after a server restart; the reminder job, run twice and twice at once, sends each
mail once.

Each kill lands at a known point inside the operation's transaction: LUOSHI_PAUSE_AT (luoshi/faults.py) makes the
process stop there and say so, and the test kills it then, not after a sleep. On an SQLite file, and on a
PostgreSQL database of its own when DATABASE_URL points to PostgreSQL.
"""
import datetime as dt
import io
import json
import random
import re
import sys
import threading
from email import message_from_bytes, policy

import pytest
from openpyxl import Workbook

from luoshi.jobs.services import INTERRUPTED

from .live import SPEECH_ROWS, Databases, Site, wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kill -9 needs POSIX signals")

# a failed job's own records change (that is the point); everything else must be exactly as before
JOB_RECORDS = ("django_session", "jobs_job", "django_tasks_database_dbtaskresult")


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    databases = Databases(tmp_path_factory.mktemp("county"))
    yield databases
    databases.close()


@pytest.fixture
def site(databases, tmp_path):
    db = databases.copy()
    site = Site(db, databases.county, tmp_path)
    yield site
    site.close()
    databases.drop(db)


def job_of(response):
    status, location, body = response
    assert status == 302 and location.startswith("/jobs/"), (status, location, body[:2000])
    return int(location.split("/")[2])


def interrupted(site, job, worker_start):
    """The dead worker left its job 'running'; the next worker to start on this host declares it interrupted."""
    assert site.job(job)["status"] == "running"
    worker_start()
    assert site.wait_job(job) == {"status": "failed", "error": INTERRUPTED, "summary": "", "result_url": ""}
    assert site.db.rows("SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status") == [
        ("FAILED", 1)]
    page = json.loads(site.request("GET", f"/jobs/{job}/status.json")[2])
    assert page["finished"] and "处理被中断" in page["card"] and "请重新提交" in page["card"]


# --- publish: the server killed -----------------------------------------------------------------------------

def publish_form(county):
    fields = [("form-TOTAL_FORMS", SPEECH_ROWS), ("form-INITIAL_FORMS", SPEECH_ROWS), ("form-MIN_NUM_FORMS", 0),
              ("form-MAX_NUM_FORMS", 1000)]
    for i in range(SPEECH_ROWS):
        fields += [(f"form-{i}-include", "on"), (f"form-{i}-title", f"第{i}项工作"),
                   (f"form-{i}-text", f"第{i}项工作要抓落实。"), (f"form-{i}-lead_unit", county["township"]),
                   (f"form-{i}-deadline", "2021-12-31")]
    return fields


def test_server_killed_mid_publish_leaves_the_draft_as_it_was(site):
    server = site.server(pause="tasks_written")
    document = site.county["document"]
    url = f"/documents/{document}/"
    before = site.db.checksum()
    last_code = site.db.scalar("SELECT max(code) FROM ledger_task")
    answered, cut = [], []

    def publish():
        try:
            answered.append(site.request("POST", url, publish_form(site.county)))
        except OSError as e:  # the server died under the request
            cut.append(e)
    posting = threading.Thread(target=publish)
    posting.start()
    site.wait_paused(server, answered)  # 40 tasks with their audit rows written, the document not yet: uncommitted
    server.kill9()
    posting.join()
    assert cut and not answered  # the clerk's browser got no answer
    assert site.db.checksum() == before
    assert site.db.scalar("SELECT status FROM ledger_document WHERE id = %s", document) == "draft"

    site.server()  # restarted: the clerk publishes again, and the list goes out whole, numbered on from before
    assert site.request("POST", url, publish_form(site.county))[:2] == (302, url)
    codes = [c for (c,) in site.db.rows("SELECT code FROM ledger_task WHERE document_id = %s ORDER BY code",
                                        document)]
    first = int(last_code.split("-")[1]) + 1
    assert codes == [f"2021-{n:04d}" for n in range(first, first + SPEECH_ROWS)]
    assert site.db.scalar("SELECT status FROM ledger_document WHERE id = %s", document) == "published"


# --- an import: the worker killed ---------------------------------------------------------------------------

def ledger_workbook(county, rows=80):
    """Tasks with long descriptions (CJK that compresses poorly): over the 16 KB a request imports by itself."""
    rng = random.Random(8)
    wb = Workbook()
    ws = wb.active
    ws.title = "任务台账"
    ws.append(["任务内容", "牵头单位", "完成时限"])
    for i in range(rows):
        filler = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(200))
        ws.append([f"第{i}项导入任务，{filler}", county["unit_names"][i % len(county["unit_names"])], "2021-12-31"])
    out = io.BytesIO()
    wb.save(out)
    assert out.tell() > 16 * 1024
    return out.getvalue()


def test_worker_killed_mid_import_leaves_nothing_and_the_job_says_so(site):
    site.server()
    worker = site.worker(pause="tasks_written")
    upload = {"file": ("台账.xlsx", ledger_workbook(site.county))}
    before = site.db.checksum(skip=JOB_RECORDS)
    tasks = site.db.scalar("SELECT count(*) FROM ledger_task")
    job = job_of(site.request("POST", "/ledger/import/", files=upload))
    site.wait_paused(worker)  # 80 tasks written inside the import's transaction
    worker.kill9()
    assert site.db.checksum(skip=JOB_RECORDS) == before
    interrupted(site, job, site.worker)
    assert site.db.checksum(skip=JOB_RECORDS) == before

    again = job_of(site.request("POST", "/ledger/import/", files=upload))  # the clerk uploads it again
    assert site.wait_job(again) == {"status": "done", "error": "", "summary": "已导入 80 项任务",
                                    "result_url": "/tasks/"}
    assert site.db.scalar("SELECT count(*) FROM ledger_task") == tasks + 80
    assert site.db.scalar("SELECT count(DISTINCT code) FROM ledger_task") == tasks + 80


# --- an evaluation run: the worker killed -------------------------------------------------------------------

def test_worker_killed_mid_evaluation_run_leaves_no_run(site):
    site.server()
    worker = site.worker(pause="run_values_written")
    form = [("group", "township"), ("period", "2021"), ("method", "weighted"), ("normalisation", "minmax")]
    before = site.db.checksum(skip=JOB_RECORDS)
    job = job_of(site.request("POST", "/evaluation/", form))
    site.wait_paused(worker)  # every unit's frozen values written, the scores not yet: one transaction
    worker.kill9()
    assert site.db.checksum(skip=JOB_RECORDS) == before
    assert site.db.scalar("SELECT count(*) FROM evaluation_run") == 0
    interrupted(site, job, site.worker)

    again = job_of(site.request("POST", "/evaluation/", form))
    done = site.wait_job(again)
    run = site.db.scalar("SELECT id FROM evaluation_run")
    assert done == {"status": "done", "error": "", "summary": "已生成“2021年度乡镇（街道）考核”（草稿），核对后发布",
                    "result_url": f"/evaluation/runs/{run}/"}
    units = site.county["townships"]
    assert site.db.scalar("SELECT count(*) FROM evaluation_score WHERE run_id = %s", run) == units
    assert site.db.scalar("SELECT count(*) FROM evaluation_runvalue WHERE run_id = %s", run) == units * 2
    assert b"2021" in site.request("GET", f"/evaluation/runs/{run}/")[2]


# --- SLA clocks across a restart ----------------------------------------------------------------------------

def clocks(site):
    """Every request's clock as the API shows it."""
    status, _, body = site.request("GET", "/api/service/requests?page_size=100", token=site.county["token"])
    assert status == 200, body[:500]
    items = json.loads(body)["items"]
    return {r["number"]: (r["status"], r["dispatched_at"], r["sign_due"], r["reply_due"]) for r in items}


def to_ms(moment):
    """An ISO moment as a datetime to the millisecond: what the API's JSON carries."""
    if moment is None:
        return None
    t = dt.datetime.fromisoformat(moment)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


CLOCKS_FROM_EVENTS = """
import json
from luoshi.service.models import ServiceRequest
from luoshi.service.services import clock_of
iso = lambda t: t and t.isoformat()
print(json.dumps({r.number: [iso(c.dispatched_at), iso(c.sign_due), iso(c.reply_due)]
                  for r in ServiceRequest.objects.prefetch_related("events") for c in [clock_of(r.events.all())]}))
"""


def test_request_clocks_identical_after_server_restart(site):
    server = site.server()
    token, township = site.county["token"], site.county["township"]
    status, _, body = site.request("POST", "/api/service/requests", token=token, payload={
        "category": site.county["category"], "description": "村口路灯不亮，夜间出行不便", "address": "西街村口",
        "contact_name": "王先生", "contact_phone": "13800001234"})
    assert status == 201, body[:500]
    new = json.loads(body)["id"]
    dispatched = site.request("POST", f"/api/service/requests/{new}/dispatch", token=token, payload={"unit": township})
    assert dispatched[0] == 200, dispatched[2][:500]
    before = clocks(site)
    ranking = site.request("GET", "/api/service/rankings?month=2021-06", token=token)[2]
    assert len(before) == 41 and sum(1 for c in before.values() if c[3]) > 10  # most are running or stopped clocks

    server.kill9()
    site.server()
    assert clocks(site) == before
    assert site.request("GET", "/api/service/rankings?month=2021-06", token=token)[2] == ranking
    # and they are what the stored events give, recomputed by a process that served nothing
    shell = site.manage("shell", "-v0", "-c", CLOCKS_FROM_EVENTS)
    out, err = shell.communicate()
    assert shell.returncode == 0, err
    recomputed = {n: tuple(map(to_ms, c)) for n, c in json.loads(out).items()}
    assert {n: tuple(map(to_ms, c[1:])) for n, c in before.items()} == recomputed


# --- duplicate checks: the worker killed ---------------------------------------------------------------------

def test_worker_killed_mid_duplicate_check_leaves_the_checks_pending(site):
    """API intakes leave their duplicate check to the worker. Killed with the flags written but not committed,
    the worker leaves every check pending and no flag; the next worker flags the later request once."""
    site.server()
    token = site.county["token"]
    numbers = []
    for text in ("西街村口路灯不亮，夜间出行不便", "西街村口路灯不亮了，夜间出行不便"):
        status, _, body = site.request("POST", "/api/service/requests", token=token, payload={
            "category": site.county["category"], "description": text, "address": "西街村口",
            "contact_name": "王先生", "contact_phone": "13800001234"})
        assert status == 201, body[:500]
        numbers.append(json.loads(body)["number"])
    flags = ("SELECT r.number, d.number FROM service_servicerequest r LEFT JOIN service_servicerequest d "
             "ON d.id = r.duplicate_of_id WHERE r.number IN (%s, %s) ORDER BY r.id")
    pending = "SELECT count(*) FROM service_pendingduplicatecheck"
    assert site.db.rows(flags, *numbers) == [(numbers[0], None), (numbers[1], None)]
    assert site.db.scalar(pending) == 2

    worker = site.worker(pause="duplicates_flagged")
    site.wait_paused(worker)
    worker.kill9()
    assert site.db.rows(flags, *numbers) == [(numbers[0], None), (numbers[1], None)]
    assert site.db.scalar(pending) == 2

    site.worker()
    wait_for(lambda: site.db.scalar(pending) == 0, "the next worker checking the requests")
    assert site.db.rows(flags, *numbers) == [(numbers[0], None), (numbers[1], numbers[0])]


# --- the reminder job, again and at once --------------------------------------------------------------------

def mails(site):
    """(subject, recipients) of every mail sent, read back from the file backend's files."""
    sent = []
    for path in sorted((site.workdir / "mail").glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                message = message_from_bytes(chunk.strip(), policy=policy.default)
                sent.append((str(message["subject"]), str(message["to"])))
    return sent


def reminders(site, *args):
    """Run send_reminders once per argument tuple, all started together; the number each says it sent."""
    processes = [site.manage("send_reminders", "--skip-checks", *a) for a in args]
    counts = []
    for process in processes:
        out, err = process.communicate()
        assert process.returncode == 0, err
        counts.append(int(re.search(r"发送提醒 (\d+) 条", out).group(1)))
    return counts


def test_reminder_job_run_twice_and_twice_at_once_sends_each_mail_once(site):
    [first] = reminders(site, ())
    assert first >= 2  # the two seeded tasks due within the week, maybe more of the county's
    assert len(mails(site)) == len(set(mails(site))) == first
    assert reminders(site, ()) == [0]
    assert len(mails(site)) == first

    # five days on, two runs at once: the two seeded tasks are overdue now, a third is due soon, and the 督办单 due
    # on the 18th goes to the leader; each mail once, the escalation audited once
    later = ("--date", "2021-07-20")
    runs = reminders(site, later, later)
    assert sum(runs) >= 4 and len(mails(site)) == len(set(mails(site))) == first + sum(runs)
    assert any("逾期未答复" in subject for subject, _ in mails(site))
    assert site.db.scalar("SELECT count(*) FROM ledger_auditentry WHERE action = %s", "督办单逾期提级") == \
        site.db.scalar("SELECT count(*) FROM ledger_supervisionnotice WHERE status = %s", "escalated") >= 1
    assert len(mails(site)) == site.db.scalar("SELECT count(*) FROM ledger_reminderlog")
    assert site.db.rows("SELECT kind, status, count(*) FROM jobs_job GROUP BY kind, status") == [
        ("reminders", "done", 4)]
