#!/usr/bin/env python3
"""Evaluation benchmark: an annual run over 2,000 units with 100,000 tasks and 1,000,000 requests, in a
temporary SQLite database.

    .venv/bin/python bench/evaluation.py          # BENCH_UNITS, BENCH_TASKS, BENCH_REQUESTS to scale

Generates 2,000 townships; 100,000 tasks with ~250,000 progress reports and 5,000 supervision notices;
5,000 key projects with 12 monthly reports; 1,000,000 requests in SQL with their per-unit per-day counters
(grouped once here, as the services would have counted them event by event). Then prints, beside two
baselines measured in the same run:
- baseline A: one bare GROUP BY over the tasks and one over the request counters (the floor: reading the data);
- baseline B: one indicator (task on-time rate) computed the naive way, two queries per unit;
- the annual run: nine computed indicators, three entered ones, frozen (22,000+ values) and scored — target ≤ 10 s;
- a unit's breakdown page, the bulletin (.docx) and the county review (.md).
"""
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TMP = tempfile.mkdtemp(prefix="luoshi-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
os.environ["LUOSHI_TODAY"] = "2022-01-10"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from luoshi.evaluation import documents, services  # noqa: E402
from luoshi.evaluation.demo import COMMON  # noqa: E402
from luoshi.evaluation.models import Indicator, IndicatorValue, SelfAssessment  # noqa: E402
from luoshi.ledger.models import ProgressReport, SupervisionNotice, Task  # noqa: E402
from luoshi.org.models import Person, Unit  # noqa: E402
from luoshi.projects.models import MonthlyReport, Project  # noqa: E402
from luoshi.service.models import ServiceCategory  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", "2000"))
TASKS = int(os.environ.get("BENCH_TASKS", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000000"))
PROJECTS = 5000
YEAR = 2021
TARGET_S = 10


def aware(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build():
    rng = random.Random(6)
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    office_unit = Unit.objects.create(name="督查室", kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name="县领导", kind=Unit.Kind.LEADERSHIP)
    units = Unit.objects.bulk_create([Unit(name=f"乡镇{i:04d}", kind=Unit.Kind.TOWNSHIP, order=i)
                                      for i in range(UNITS)])
    office = User.objects.create_user("office", password="x")
    Person.objects.create(user=office, name="督查员", unit=office_unit, role=Person.Role.OFFICE)
    leader = Person.objects.create(user=User.objects.create_user("leader"), name="领导", unit=leadership,
                                   role=Person.Role.LEADER)
    ids = [u.pk for u in units]

    # tasks over the year: two thirds done (most on time), the rest open; monthly reports on most
    start = dt.date(YEAR, 1, 4)
    tasks = []
    for i in range(TASKS):
        deadline = start + dt.timedelta(days=rng.randint(20, 361))
        status = rng.choices(["verified", "reported_done", "in_progress"], [5, 1, 3])[0]
        tasks.append(Task(code=f"{YEAR}-{i:06d}", title=f"任务{i}", text="任务内容", lead_unit_id=rng.choice(ids),
                          start_date=start, deadline=deadline, status=status, light=rng.choice(["red", "green"]),
                          light_reason="已超期" if i % 7 == 0 else "按计划推进"))
    Task.objects.bulk_create(tasks, batch_size=5000)
    reports = []
    for pk, unit, deadline, status in Task.objects.values_list("pk", "lead_unit", "deadline", "status"):
        months = (deadline - start).days // 30
        for m in range(months):
            if rng.random() < 0.85:
                reports.append(ProgressReport(task_id=pk, unit_id=unit, author=office, percent=min(99, 10 * (m + 1)),
                                              text="按节点推进", created_at=aware(start + dt.timedelta(days=30 * m + 25))))
        if status != "in_progress":
            late = rng.random() < 0.15
            reports.append(ProgressReport(task_id=pk, unit_id=unit, author=office, percent=100, text="已完成",
                                          done=True, created_at=aware(deadline + dt.timedelta(days=5 if late else -3))))
        if len(reports) >= 50000:
            ProgressReport.objects.bulk_create(reports, batch_size=5000)
            reports = []
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    task_ids = list(Task.objects.filter(status="in_progress").values_list("pk", "lead_unit")[:5000])
    SupervisionNotice.objects.bulk_create([
        SupervisionNotice(year=YEAR, seq=n, task_id=pk, unit_id=unit, light="red", reason="逾期", issued_by=office,
                          reply_due=dt.date(YEAR, 12, 31), status=rng.choice(["open", "replied", "escalated"]))
        for n, (pk, unit) in enumerate(task_ids, start=1)], batch_size=5000)
    SupervisionNotice.objects.update(issued_at=aware(dt.date(YEAR, 9, 1)))

    # key projects located in the townships, 12 monthly reports each
    Project.objects.bulk_create([Project(
        name=f"重点项目{i:05d}", category="industry", township_id=rng.choice(ids), leader=leader,
        lead_unit=office_unit, total_investment=Decimal(rng.randint(1000, 200000)),
        annual_investment=Decimal(rng.randint(100, 1000)), registered_on=start) for i in range(PROJECTS)],
        batch_size=1000)
    MonthlyReport.objects.bulk_create([
        MonthlyReport(project_id=pk, month=dt.date(YEAR, m, 1), investment=Decimal(rng.randint(0, 120)),
                      year_to_date=0, progress="主体施工", author=office)
        for pk in Project.objects.values_list("pk", flat=True) for m in range(1, 13)], batch_size=5000)

    generate_requests(ids)

    # indicators (the demo's set) and the entered values: ratings, honours, self-assessments
    for order, (code, name, source, metric, direction, role, weight, cap, points, label) in enumerate(COMMON):
        Indicator.objects.create(group="township", code=code, name=name, source=source, metric=metric,
                                 direction=direction, role=role, weight=weight, cap=cap, points=points,
                                 unit_label=label, order=order)
    rating = Indicator.objects.get(code="rating")
    honours = Indicator.objects.get(code="honours")
    IndicatorValue.objects.bulk_create(
        [IndicatorValue(indicator=rating, unit_id=u, period=str(YEAR), value=rng.randint(70, 99)) for u in ids]
        + [IndicatorValue(indicator=honours, unit_id=u, period=str(YEAR), value=rng.randint(0, 2)) for u in ids])
    SelfAssessment.objects.bulk_create([SelfAssessment(unit_id=u, period=str(YEAR), score=rng.randint(70, 100),
                                                       answers=[], submitted_by=office) for u in ids])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return office


def generate_requests(unit_ids):
    """REQUESTS requests over the year in one INSERT … SELECT, then their per-unit per-day counters."""
    category = ServiceCategory.objects.create(service_code="roads", name="道路设施")
    low, count = min(unit_ids), len(unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {REQUESTS})
            INSERT INTO service_servicerequest (number, token, channel, category_id, urgency, description, address,
                contact_name, contact_phone, attributes, created_at, updated_at, status, suggestion_reason, unit_id,
                first_unit_id, dispatched_at, sign_due, reply_due, extension_pending, rating)
            SELECT 'B-' || n, lower(hex(randomblob(16))), 'web', {category.pk}, 'ordinary', '道路坑洼', '',
                '张三', '13800000000', '{{}}', t, t,
                CASE WHEN n % 100 = 0 THEN 'signed' WHEN n % 5 = 0 THEN 'closed' ELSE 'resolved' END,
                '', u, u, t, datetime(t, '+24 hours'), datetime(t, '+168 hours'), 0,
                CASE WHEN n % 3 = 0 THEN 'satisfied' WHEN n % 3 = 1 THEN 'basically' ELSE '' END
            FROM (SELECT n, {low} + (n * 7919) % {count} AS u,
                         datetime('{YEAR}-01-01 00:00:00', '+' || (n % 365) || ' days', '+' || (n % 600) || ' minutes') AS t
                  FROM g)
        """)
        cursor.execute("""
            INSERT INTO service_unitdaystats (unit_id, day, dispatched, responded, concluded, resolved,
                concluded_on_time, rated, satisfied, basically_satisfied, unsatisfied)
            SELECT unit_id, date(created_at, '+8 hours'), count(*), sum(id % 10 > 0), sum(status <> 'signed'),
                sum(status = 'resolved'), sum(status <> 'signed' AND id % 7 > 0), sum(rating <> ''),
                sum(rating = 'satisfied'), sum(rating = 'basically'), 0
            FROM service_servicerequest GROUP BY 1, 2
        """)


def timed(fn, runs=3):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    started = time.perf_counter()
    office = build()
    from luoshi.service.models import ServiceRequest, UnitDayStats
    print(f"built {Unit.objects.filter(kind='township').count():,} units, {Task.objects.count():,} tasks, "
          f"{ProgressReport.objects.count():,} reports, {SupervisionNotice.objects.count():,} notices, "
          f"{Project.objects.count():,} projects, {ServiceRequest.objects.count():,} requests "
          f"({UnitDayStats.objects.count():,} day counters) in {time.perf_counter() - started:.0f} s "
          f"({connection.vendor})")

    def floor():
        list(Task.objects.order_by().values_list("lead_unit").annotate(n=Count("id")))
        with connection.cursor() as cursor:
            cursor.execute("SELECT unit_id, SUM(dispatched) FROM service_unitdaystats GROUP BY unit_id")
            cursor.fetchall()

    def naive_on_time():
        """Task on-time rate, two queries per unit."""
        rates = {}
        for unit in Unit.objects.filter(kind="township"):
            due = Task.objects.filter(lead_unit=unit, deadline__year=YEAR)
            n = due.count()
            done = ProgressReport.objects.filter(task__in=due, done=True).values("task").distinct().count()
            rates[unit.pk] = done / n if n else None
        return rates

    def annual_run():
        return services.create_run(office, "township", str(YEAR), as_of=dt.date(YEAR, 12, 31))

    floor_s, _ = timed(floor)
    naive_s, _ = timed(naive_on_time, runs=1)
    run_s, run = timed(annual_run)
    values = run.values.count()
    unit = run.scores.order_by("rank").last().unit_id
    client = Client()
    client.force_login(office)
    page_s, _ = timed(lambda: client.get(f"/evaluation/runs/{run.pk}/units/{unit}/"))
    ranking_s, _ = timed(lambda: client.get(f"/evaluation/runs/{run.pk}/"))
    bulletin_s, _ = timed(lambda: documents.bulletin(run))
    review_s, _ = timed(lambda: documents.review_markdown(run))
    print(f"baseline A  bare GROUP BY over tasks + request counters   {floor_s * 1000:9.0f} ms")
    print(f"baseline B  one indicator, 2 queries per unit ({UNITS:,} units) {naive_s * 1000:9.0f} ms")
    print(f"annual run  {len(run.config['indicators'])} indicators × {UNITS:,} units, {values:,} values frozen + scored "
          f"{run_s * 1000:9.0f} ms  (target ≤ {TARGET_S} s) {'OK' if run_s <= TARGET_S else 'SLOW'}")
    print(f"ranking page ({UNITS:,} rows)                              {ranking_s * 1000:9.0f} ms")
    print(f"breakdown page (last unit)                                {page_s * 1000:9.0f} ms")
    print(f"bulletin .docx                                            {bulletin_s * 1000:9.0f} ms")
    print(f"county review .md                                         {review_s * 1000:9.0f} ms")


if __name__ == "__main__":
    main()
