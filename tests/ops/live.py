"""Real processes for the fault tests: a small county in its own database (an SQLite file, or a PostgreSQL database
of its own when DATABASE_URL points to PostgreSQL), `manage.py runserver` and `manage.py db_worker` started and
killed like in production, HTTP as a browser sends it, and the database read directly (no Django in between).
"""
import contextlib
import hashlib
import io
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2021-07-15"  # the county's data are for 2021; every process runs on this frozen date
CSRF = "faulttestcsrfsecret0123456789abc"  # any 32 characters: Django compares the cookie with the header
SPEECH_ROWS = 40  # rows of the draft responsibility list the publish test posts


def seed(out):
    """Run inside `manage.py shell` against a migrated, empty database: the county, the office's session and API
    token, evaluation indicators and a draft document; what the tests need to know goes to the JSON file `out`."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from luoshi.evaluation.models import Indicator
    from luoshi.ledger import services
    from luoshi.ledger.models import Document, Light, SupervisionNotice
    from luoshi.org.models import ApiToken, Person, Unit
    from luoshi.service.models import ServiceCategory

    call_command("gen", units=8, tasks=20, requests=40, projects=3, quiet=True, stdout=io.StringIO())
    office = User.objects.get(username="office")
    session = SessionStore()
    session[SESSION_KEY], session[HASH_SESSION_KEY] = str(office.pk), office.get_session_auth_hash()
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.create()
    township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("pk").first()
    for code, metric, weight in (("tasks", Indicator.Metric.TASKS_ON_TIME, 60),
                                 ("reports", Indicator.Metric.REPORTS_ON_TIME, 40)):
        Indicator.objects.create(group="township", code=code, name=metric.label, source=Indicator.Source.COMPUTED,
                                 metric=metric, weight=weight)
    # due within the reminder window of the frozen date: the reminder job has mail to send
    leader = Person.objects.filter(role=Person.Role.LEADER).order_by("pk").first()
    due = services.create_tasks([{"title": f"临期任务{day}", "lead_unit": township.pk, "leader": leader.pk,
                                  "deadline": dt.date(2021, 7, day)} for day in (18, 19, 25)],
                                office, on=dt.date(2021, 7, 1))
    # a 督办单 due on the 18th and unanswered: escalated to the leader on the 20th
    SupervisionNotice.objects.create(year=2021, seq=SupervisionNotice.objects.count() + 1, task=due[0],
                                     unit=township, light=Light.YELLOW, reason="进度滞后", reply_due=dt.date(2021, 7, 18),
                                     issued_by=office)
    document = Document.objects.create(title="讲话", text="要抓落实。", uploaded_by=office, result={"tasks": [
        {"text": f"第{i}项工作要抓落实。", "start": 0, "end": 5} for i in range(SPEECH_ROWS)]})
    Path(out).write_text(json.dumps({
        "session": session.session_key, "token": ApiToken.objects.create(user=office).key,
        "document": document.pk, "township": township.pk,
        "townships": Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET]).count(),
        "unit_names": list(Unit.objects.exclude(kind__in=[Unit.Kind.OFFICE, Unit.Kind.LEADERSHIP])
                           .values_list("name", flat=True)),
        "category": ServiceCategory.objects.order_by("pk").values_list("service_code", flat=True).first(),
    }))


def wait_for(condition, what, timeout=90):
    """Poll until condition() is true; the deadline only keeps a broken run from hanging forever."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- databases --------------------------------------------------------------------------------------------

class Database:
    """A database the processes share, read here with the driver alone (sqlite3 / psycopg)."""

    def __init__(self, url):
        self.url = url
        self.sqlite = url.startswith("sqlite")
        self.path = urllib.parse.urlparse(url).path if self.sqlite else None

    def rows(self, sql, *params):
        if self.sqlite:
            with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as c:
                return c.execute(sql.replace("%s", "?"), params).fetchall()
        with psycopg.connect(self.url, autocommit=True) as c:
            return c.execute(sql, params).fetchall()

    def scalar(self, sql, *params):
        rows = self.rows(sql, *params)
        return rows[0][0] if rows else None

    def tables(self):
        if self.sqlite:
            names = self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        else:
            names = self.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return [name for (name,) in names]

    def checksum(self, skip=("django_session",)):
        """{table: (rows, digest of every row)}: equal before and after means nothing was added, lost or changed."""
        sums = {}
        for table in self.tables():
            if table not in skip:
                rows = sorted(repr(r) for r in self.rows(f'SELECT * FROM "{table}"'))
                sums[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return sums


class Databases:
    """The county, migrated and seeded once; each test gets a copy of it."""

    def __init__(self, workdir):
        self.workdir, self.n = Path(workdir), 0
        base = os.environ.get("DATABASE_URL", "")
        self.postgres = base.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urllib.parse.urlparse(base)
            self._server = parts._replace(path="/postgres").geturl()
            self._url = lambda name: parts._replace(path=f"/{name}").geturl()
            self.template = f"luoshi_faults_{os.getpid()}_template"
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)', f'CREATE DATABASE "{self.template}"')
            url = self._url(self.template)
        else:
            url = f"sqlite:///{self.workdir / 'template.sqlite3'}"
        out = self.workdir / "county.json"
        try:
            run([sys.executable, "manage.py", "shell", "-v0", "-c", "from django.core.management import call_command; "
                 f"call_command('migrate', verbosity=0); from tests.ops.live import seed; seed({str(out)!r})"],
                environment(url, self.workdir))
        except BaseException:
            self.close()
            raise
        self.county = json.loads(out.read_text())

    def _admin(self, *statements):
        with psycopg.connect(self._server, autocommit=True) as c:
            for statement in statements:
                c.execute(statement)

    def copy(self):
        self.n += 1
        if self.postgres:
            name = f"luoshi_faults_{os.getpid()}_{self.n}"
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                        f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            return Database(self._url(name))
        path = self.workdir / f"county{self.n}.sqlite3"
        shutil.copy(self.workdir / "template.sqlite3", path)
        return Database(f"sqlite:///{path}")

    def drop(self, database):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{urllib.parse.urlparse(database.url).path[1:]}" WITH (FORCE)')

    def close(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def environment(url, workdir, **extra):
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(Path(workdir) / "media"), "LUOSHI_TODAY": TODAY,
            "DEBUG": "1", "PYTHONUNBUFFERED": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(Path(workdir) / "mail"), **extra}


def run(args, env):
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(args[:4])} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


# --- processes ----------------------------------------------------------------------------------------------

class Process:
    def __init__(self, args, env, log):
        self.log = log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def output(self):
        return Path(self.log).read_text(errors="replace")[-4000:]

    def kill9(self):
        os.kill(self.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self):
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()


class Site:
    """One test's county: its database, the processes serving it, and an office clerk's browser."""

    def __init__(self, db, county, workdir):
        self.db, self.county, self.workdir = db, county, Path(workdir)
        self.processes, self.port = [], None
        (self.workdir / "mail").mkdir(parents=True, exist_ok=True)

    def env(self, pause=None):
        paused = {"LUOSHI_PAUSE_AT": f"{pause}:{self.marker}"} if pause else {}
        return environment(self.db.url, self.workdir, **paused)

    @property
    def marker(self):
        return self.workdir / "paused"

    def _start(self, args, pause, log):
        self.marker.unlink(missing_ok=True)
        process = Process([sys.executable, "manage.py", *args], self.env(pause), self.workdir / log)
        self.processes.append(process)
        return process

    def server(self, pause=None):
        """`runserver --noreload`: one process, so kill -9 takes every request it is serving with it."""
        self.port = free_port()
        server = self._start(["runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"], pause,
                             "server.log")

        def answers():
            assert server.alive(), server.output()
            try:
                return self.request("GET", "/login/")[0] == 200
            except OSError:
                return False
        wait_for(answers, "the server answering")
        return server

    def worker(self, pause=None):
        return self._start(["db_worker", "--skip-checks", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
                           pause, "worker.log")

    def manage(self, *args):
        """A management command, started (not waited for)."""
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_paused(self, process, answered=()):
        """The process has reached its pause point (inside its transaction) and waits there to be killed.
        answered: responses to the request that should have paused it (then it did not)."""
        def reached():
            assert process.alive(), f"exited before its pause point:\n{process.output()}"
            assert not answered, f"answered instead of pausing: {answered[0][:2]} {answered[0][2][:3000]!r}"
            return self.marker.exists() and self.marker.read_text() == str(process.pid)
        wait_for(reached, "the process reaching its pause point")

    def wait_job(self, job_id):
        def finished():
            job = self.job(job_id)
            return job if job["status"] in ("done", "failed") else None
        return wait_for(finished, f"job #{job_id} finishing")

    def job(self, job_id):
        status, error, summary, url = self.db.rows(
            "SELECT status, error, summary, result_url FROM jobs_job WHERE id = %s", job_id)[0]
        return {"status": status, "error": error, "summary": summary, "result_url": url}

    # --- HTTP as the office's browser --------------------------------------------------------------------

    def request(self, method, path, fields=(), files=None, token=None, payload=None):
        """(status, Location, body). Signed in as the office through the seeded session (or the API token)."""
        headers = {"Cookie": f"sessionid={self.county['session']}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
        body = None
        if token:
            headers = {"Authorization": f"Bearer {token}"}
        if payload is not None:
            body, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
        elif files:
            boundary = uuid.uuid4().hex
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                     for k, v in fields]
            parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                      f'Content-Type: application/octet-stream\r\n\r\n'.encode() + data + b"\r\n"
                      for k, (name, data) in files.items()]
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif method == "POST":
            body = urllib.parse.urlencode(list(fields)).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            return response.status, response.getheader("Location"), response.read()
        finally:
            connection.close()

    def close(self):
        for process in self.processes:
            process.stop()
