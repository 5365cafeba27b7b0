#!/usr/bin/env python3
"""Month-end load: 2,000 units submitting progress reports at once, against gunicorn on PostgreSQL, beside a bare
insert in the same run. Run by hand only:

    .venv/bin/python bench/monthend.py        # PostgreSQL on localhost (BENCH_ADMIN_URL to create the database)

1. Creates the database `luoshi_monthend` (dropped first), migrates, and runs `luoshi gen` for BENCH_UNITS (2,000)
   units with BENCH_TASKS (20,000) tasks and no requests; gives every unit's clerk an API token.
2. Starts gunicorn (BENCH_WORKERS sync workers, default 2 × cores + 1) with this file's WSGI app: the whole site
   plus /bare/, which inserts one row with a plain INSERT through Django's connection (the floor).
3. BENCH_CONCURRENCY (64) client threads with keep-alive connections:
   a. bare: one POST /bare/ per report to come;
   b. month-end: every unit reports on BENCH_REPORTS_PER_UNIT (5) of its open tasks —
      POST /api/tasks/{id}/reports with the clerk's token — units interleaved so all 2,000 report at once.
4. Prints throughput, p50/p99 and errors for both, and checks that every report was stored exactly once
   (each carries a unique marker; no duplicates, none missing, none extra).
"""
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "luoshi_monthend"
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@localhost:5432/test")
DB_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
UNITS = int(os.environ.get("BENCH_UNITS", "2000"))
TASKS = int(os.environ.get("BENCH_TASKS", "20000"))
PER_UNIT = int(os.environ.get("BENCH_REPORTS_PER_UNIT", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
MARK = "monthend"


# --- the app gunicorn serves --------------------------------------------------------------------------------

def _make_app():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    from django.core.wsgi import get_wsgi_application

    site = get_wsgi_application()
    from django.db import connection

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/bare/":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_bare (body, at) VALUES (%s, now()) RETURNING id", [body.decode()])
                pk = cursor.fetchone()[0]
            out = json.dumps({"id": pk}).encode()
            start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
            return [out]
        return site(environ, start_response)

    return app


if os.environ.get("MONTHEND_SERVE") == "1":
    application = _make_app()


# --- setup --------------------------------------------------------------------------------------------------

def run(cmd, **env):
    subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=True)


def setup():
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB_NAME}")
    py = str(ROOT / ".venv" / "bin" / "python")
    run([py, "manage.py", "migrate", "-v0"], DATABASE_URL=DB_URL)
    started = time.monotonic()
    run([py, "-m", "luoshi.cli", "gen", f"--units={UNITS}", f"--tasks={TASKS}", "--requests=0", "--projects=0",
         "--quiet"], DATABASE_URL=DB_URL)
    print(f"generated {UNITS:,} units and {TASKS:,} tasks in {time.monotonic() - started:.0f} s")

    os.environ["DATABASE_URL"] = DB_URL
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    import django

    django.setup()
    from django.db import connection

    from luoshi.ledger.models import Task
    from luoshi.org.models import ApiToken, Person

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz)")
    clerks = {p.unit_id: p.user_id for p in Person.objects.filter(role=Person.Role.UNIT_CLERK)}
    tokens = {u: f"monthend{u:012d}" for u in clerks}
    ApiToken.objects.bulk_create([ApiToken(user_id=clerks[u], key=tokens[u], name="monthend") for u in clerks])
    per_unit = {}
    for pk, unit in (Task.objects.filter(status__in=["assigned", "in_progress", "returned"], lead_unit__in=list(clerks))
                     .order_by("lead_unit", "pk").values_list("pk", "lead_unit")):
        if len(per_unit.setdefault(unit, [])) < PER_UNIT:
            per_unit[unit].append(pk)
    # interleave: the first report of every unit, then the second of every unit, …
    jobs = []
    for round_ in range(PER_UNIT):
        for unit, tasks in per_unit.items():
            if round_ < len(tasks):
                jobs.append((unit, tasks[round_], tokens[unit]))
    connection.close()
    return jobs


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port):
    env = {**os.environ, "MONTHEND_SERVE": "1", "DATABASE_URL": DB_URL, "DEBUG": "0", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(ROOT / "bench"),
                             "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "120",
                             "--log-level", "warning", "monthend:application"], env=env, cwd=ROOT / "bench")
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


# --- load ---------------------------------------------------------------------------------------------------

def load(port, requests):
    """requests: [(path, headers, body)] → (seconds, latencies ms, statuses)."""
    q = queue.Queue()
    for r in requests:
        q.put(r)
    latencies, statuses, lock = [], {}, threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, codes = [], {}
        while True:
            try:
                path, headers, body = q.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                code = "conn-error"
            mine.append((time.perf_counter() - t0) * 1000)
            codes[code] = codes.get(code, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def p(values, q):
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else (values or [0])[0]


def main():
    jobs = setup()
    print(f"{len(jobs):,} reports to file: {len({u for u, _, _ in jobs}):,} units × up to {PER_UNIT}")
    port = free_port()
    server = start_gunicorn(port)
    try:
        bare = [("/bare/", {"Content-Type": "text/plain"}, f"{MARK} {u} {t}".encode()) for u, t, _ in jobs]
        reports = [(f"/api/tasks/{t}/reports",
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    json.dumps({"percent": 50, "text": f"{MARK} {u} {t} 本月按计划推进"}, ensure_ascii=False).encode())
                   for u, t, token in jobs]
        load(port, bare[:200] + reports[:0])  # warm the workers' connections
        results = {"bare insert (POST /bare/)": load(port, bare),
                   "month-end report (POST /api/tasks/{id}/reports)": load(port, reports)}
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"\ngunicorn {WORKERS} sync workers · {CONCURRENCY} client connections · PostgreSQL · {len(jobs):,} each")
    print(f"{'':48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  statuses")
    rates = []
    for name, (seconds, lat, statuses) in results.items():
        rates.append(len(lat) / seconds)
        print(f"{name:48} {len(lat) / seconds:8.0f} {p(lat, 50):8.1f} {p(lat, 99):8.1f} {max(lat):8.1f}  {statuses}")
    print(f"{'report / bare':48} {rates[1] / rates[0]:8.0%}")

    # every report stored exactly once
    from django.db import connection
    from django.db.models import Count

    from luoshi.ledger.models import ProgressReport

    connection.close()
    stored = (ProgressReport.objects.filter(text__startswith=MARK + " ").values("text")
              .annotate(n=Count("id")).values_list("text", "n"))
    found = dict(stored)
    expected = {f"{MARK} {u} {t} 本月按计划推进" for u, t, _ in jobs}
    duplicates = sum(1 for n in found.values() if n > 1)
    missing, extra = len(expected - set(found)), len(set(found) - expected)
    created = results["month-end report (POST /api/tasks/{id}/reports)"][2].get(201, 0)
    print(f"\nstored {sum(found.values()):,} reports for {len(expected):,} submitted ({created:,} answered 201): "
          f"{duplicates} duplicated, {missing} missing, {extra} unexpected — "
          f"{'every report stored exactly once' if not (duplicates or missing or extra) else 'NOT exactly once'}")


if __name__ == "__main__":
    main()
