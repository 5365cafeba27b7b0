#!/usr/bin/env python3
"""Page benchmark: the leader cockpit and a unit workbench at county scale. Run by hand only:

    .venv/bin/python bench/pages.py              # PostgreSQL database luoshi_bench_pages when localhost answers,
    BENCH_DB=sqlite .venv/bin/python bench/pages.py   # else (or so) a temporary SQLite file

Builds 2,000 units, 100,000 tasks (a third with a co-unit), blank targets, notices, instructions, 1,000 key
projects with their 月调度 and 1,000,000 requests with their per-unit day counters, then measures server time
through the Django test client (many iterations, p50/p95) beside a baseline from the same run: `SELECT 1` and the
login page (the request cycle and a template, no figures). Target: p95 ≤ 200 ms. BENCH_REQUESTS sets the
number of requests, BENCH_RUNS the iterations per page.
"""
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNITS, TASKS = 2000, 100_000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
PG_ADMIN = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@localhost:5432/postgres")
PG_NAME = "luoshi_bench_pages"  # not bench/requests.py's luoshi_bench, which that bench drops and recreates
AREAS = ["项目为王", "产业转型", "创新驱动", "精致城市", "乡村振兴", "生态", "保障", ""]


TMP = tempfile.mkdtemp(prefix="luoshi-bench-pages-")  # the SQLite file (half a gigabyte), removed at the end


def choose_database():
    if os.environ.get("BENCH_DB") != "sqlite":
        try:
            import psycopg
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_NAME}")
            return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_NAME
        except Exception as error:  # noqa: BLE001 — any failure means: use SQLite
            print(f"PostgreSQL not usable ({error.__class__.__name__}); SQLite instead")
    return f"sqlite:///{TMP}/bench.sqlite3"


os.environ["DATABASE_URL"] = choose_database()
os.environ["DJANGO_SETTINGS_MODULE"] = "luoshi.settings"
os.environ["LUOSHI_TODAY"] = "2021-07-15"
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from luoshi.cockpit import services as cockpit  # noqa: E402
from luoshi.ledger.models import Instruction, Light, SupervisionNotice, Target, Task  # noqa: E402
from luoshi.org.models import Person, Unit  # noqa: E402
from luoshi.projects.models import MonthlyReport, Project, Stage  # noqa: E402
from luoshi.service.models import ServiceCategory  # noqa: E402

ON = dt.date(2021, 7, 15)


def build():
    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    office_unit = Unit.objects.create(name="督查室", kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name="县领导", kind=Unit.Kind.LEADERSHIP)
    units = Unit.objects.bulk_create(
        [Unit(name=f"乡镇{i:04d}", kind=Unit.Kind.TOWNSHIP, order=i) for i in range(UNITS // 5)]
        + [Unit(name=f"部门{i:04d}", kind=Unit.Kind.DEPARTMENT, order=i) for i in range(UNITS - UNITS // 5)])
    unit_ids = [u.pk for u in Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.DEPARTMENT])]

    def person(login, unit, role, **kw):
        user = User.objects.create_user(login, password="x")
        return Person.objects.create(user=user, name=login, unit=unit, role=role, **kw)

    office = person("office", office_unit, Person.Role.OFFICE)
    person("head", leadership, Person.Role.LEADER, oversees_all=True)
    leaders = [person(f"leader{i}", leadership, Person.Role.LEADER) for i in range(6)]
    clerk = person("clerk", units[0], Person.Role.UNIT_CLERK)

    lights = [Light.RED] * 1 + [Light.YELLOW] * 2 + [Light.GREEN] * 7
    tasks = []
    for i in range(TASKS):
        deadline = ON + dt.timedelta(days=rng.randint(-150, 170))
        light = Light.RED if deadline < ON else rng.choice(lights)
        tasks.append(Task(code=f"B-{i:06d}", area=AREAS[i % len(AREAS)], title=f"任务{i}", text=f"任务内容{i}",
                          lead_unit_id=rng.choice(unit_ids), leader=rng.choice(leaders),
                          start_date=dt.date(2021, 1, 4), deadline=deadline, progress=rng.randint(0, 100),
                          status=Task.Status.IN_PROGRESS, light=light, light_reason="bench"))
    # the clerk's unit leads a realistic share and shares a few more as a co-unit
    for task in tasks[:60]:
        task.lead_unit_id = units[0].pk
    Task.objects.bulk_create(tasks, batch_size=2000)
    through = Task.co_units.through
    task_ids = list(Task.objects.values_list("pk", "lead_unit_id"))
    through.objects.bulk_create([through(task_id=pk, unit_id=rng.choice(unit_ids)) for pk, _ in task_ids[::3]],
                                batch_size=5000, ignore_conflicts=True)
    Target.objects.bulk_create([Target(task_id=pk, text="引进亿元以上项目**个", metric="引进亿元以上项目", unit="个",
                                       placeholder=True, state=rng.choice(["blank", "filled", "confirmed"]))
                                for pk, _ in task_ids[::20]], batch_size=5000)
    SupervisionNotice.objects.bulk_create([
        SupervisionNotice(year=2021, seq=n + 1, task_id=pk, unit_id=lead, light=Light.RED, reason="bench",
                          reply_due=ON, issued_by=office.user, status=rng.choice(["open", "replied", "escalated"]))
        for n, (pk, lead) in enumerate(task_ids[::50])], batch_size=2000)
    ct = ContentType.objects.get_for_model(Task)
    Instruction.objects.bulk_create([
        Instruction(leader=rng.choice(leaders), content_type=ct, object_id=pk, text="请加快推进", unit_id=lead,
                    due=ON + dt.timedelta(days=rng.randint(-20, 20)), status=rng.choice(["open", "replied"]))
        for pk, lead in task_ids[::100]], batch_size=2000)
    Project.objects.bulk_create([
        Project(name=f"项目{i}", category="industry", lead_unit_id=rng.choice(unit_ids), leader=rng.choice(leaders),
                total_investment=rng.randint(5000, 500000), annual_investment=rng.randint(1000, 50000),
                stage=rng.choice(list(Stage)), registered_on=dt.date(2020, 6, 1),
                completed_investment=rng.randint(0, 5000)) for i in range(1000)], batch_size=1000)
    MonthlyReport.objects.bulk_create([
        MonthlyReport(project_id=pk, month=dt.date(2021, m, 1), investment=500, year_to_date=500 * m, progress="推进中",
                      author=office.user) for pk in Project.objects.values_list("pk", flat=True) for m in range(1, 7)],
        batch_size=5000)
    category = ServiceCategory.objects.create(service_code="roads", name="道路设施")
    started = time.monotonic()
    generate_requests(category.pk, [u.pk for u in units[: UNITS // 5]] + [u.pk for u in units[UNITS // 5::40]])
    print(f"{REQUESTS:,} requests generated in SQL in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        # what autovacuum does on a live database: statistics, and (PostgreSQL) the visibility map that lets the
        # grouped counts read their indexes alone
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return clerk


def generate_requests(category_id, unit_ids):
    """REQUESTS requests over 2021-01..07 (98 % concluded), then their day counters grouped once, as the services
    would have counted them event by event. One INSERT … SELECT per table; the SQL differs only in dialect."""
    pg = connection.vendor == "postgresql"
    if pg:
        series = f"SELECT g FROM generate_series(1, {REQUESTS}) AS g"
        at = "timestamptz '2021-01-01 08:00+08' + (g % 196) * interval '1 day' + (g % 600) * interval '1 minute'"
        plus, token, false = (lambda t, h: f"{t} + interval '{h} hours'"), "gen_random_uuid()", "false"
        day = "(created_at AT TIME ZONE 'Asia/Shanghai')::date"
    else:
        series = f"WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {REQUESTS}) SELECT g FROM s"
        at = "datetime('2021-01-01 00:00', '+' || (g % 196) || ' days', '+' || (g % 600) || ' minutes')"
        plus, token, false = (lambda t, h: f"datetime({t}, '+{h} hours')"), "lower(hex(randomblob(16)))", "0"
        day = "date(created_at, '+8 hours')"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_units (i integer PRIMARY KEY, unit_id integer)")
        cursor.executemany("INSERT INTO bench_units VALUES (%s, %s)", list(enumerate(unit_ids)))
        # no parameters below: the % signs are SQL's modulo
        cursor.execute(f"""
            INSERT INTO service_servicerequest (number, token, channel, category_id, urgency, description, address,
                contact_name, contact_phone, attributes, created_at, updated_at, status, suggestion_reason, unit_id,
                first_unit_id, dispatched_at, sign_due, reply_due, extension_pending, rating)
            SELECT 'B-' || g, {token}, 'web', {category_id}, 'ordinary', '道路坑洼' || g, '', '张三', '13800000000',
                '{{}}', t, {plus('t', 72)},
                CASE WHEN g % 50 = 0 THEN 'signed' WHEN g % 5 = 0 THEN 'closed' ELSE 'resolved' END,
                '', u, u, t, {plus('t', 24)}, {plus('t', 168)}, {false},
                CASE WHEN g % 3 = 0 THEN 'satisfied' WHEN g % 3 = 1 THEN 'basically' ELSE '' END
            FROM (SELECT g, b.unit_id AS u, {at} AS t FROM ({series}) AS gs
                  JOIN bench_units AS b ON b.i = g % {len(unit_ids)}) AS r
        """)
        cursor.execute(f"""
            INSERT INTO service_unitdaystats (unit_id, day, dispatched, responded, concluded, resolved,
                concluded_on_time, rated, satisfied, basically_satisfied, unsatisfied)
            SELECT unit_id, {day}, count(*), sum(CASE WHEN id % 10 > 0 THEN 1 ELSE 0 END),
                sum(CASE WHEN status <> 'signed' THEN 1 ELSE 0 END), sum(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END),
                sum(CASE WHEN status <> 'signed' AND id % 7 > 0 THEN 1 ELSE 0 END),
                sum(CASE WHEN rating <> '' THEN 1 ELSE 0 END), sum(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END),
                sum(CASE WHEN rating = 'basically' THEN 1 ELSE 0 END), 0
            FROM service_servicerequest GROUP BY 1, 2
        """)


def timed(fn, runs=RUNS, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def page(client, path):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return get


def select_one():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def main():
    started = time.monotonic()
    clerk = build()
    print(f"{connection.vendor}: {Unit.objects.count():,} units, {Task.objects.count():,} tasks "
          f"({Task.co_units.through.objects.count():,} co-unit links), built in {time.monotonic() - started:.0f} s")
    clients = {}
    for login in ("head", "leader0", "clerk"):
        clients[login] = Client()
        clients[login].force_login(User.objects.get(username=login))
    anonymous = Client()
    head, leader = User.objects.get(username="head"), User.objects.get(username="leader0")
    rows = [
        ("baseline: SELECT 1", select_one),
        ("baseline: login page (no figures)", page(anonymous, "/login/")),
        ("cockpit, county head (every task)", page(clients["head"], "/cockpit/")),
        ("cockpit, leader in charge", page(clients["leader0"], "/cockpit/")),
        (f"workbench, unit clerk ({Task.objects.filter(lead_unit=clerk.unit).count()} led tasks)",
         page(clients["clerk"], "/workbench/")),
        ("  figure: lights by area", lambda: cockpit.lights_by_area(head)),
        ("  figure: lights by unit (lead + co)", lambda: cockpit.lights_by_unit(head, limit=15)),
        ("  figure: ten reddest", lambda: cockpit.reddest(head)),
        ("  figure: follow-ups", lambda: cockpit.follow_ups(head)),
        ("  figure: projects", lambda: cockpit.projects(head)),
        ("  figure: requests", lambda: cockpit.requests(head)),
        ("  figure: lights by area, leader", lambda: cockpit.lights_by_area(leader)),
    ]
    print(f"\n{'':44}{'p50 ms':>9}{'p95 ms':>9}   ({RUNS} runs, target p95 ≤ 200 ms)")
    for label, fn in rows:
        p50, p95 = timed(fn)
        print(f"{label:44}{p50:9.1f}{p95:9.1f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
