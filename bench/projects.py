#!/usr/bin/env python3
"""Key-project benchmark: 5,000 projects × 36 months of 月调度 in a temporary SQLite database.

    .venv/bin/python bench/projects.py

Prints, beside a bare `SELECT count(*)` over the reports measured in the same run:
- the monthly scheduling export (.xlsx, every project) — target ≤ 1 s;
- the first page of the project list through the Django test client, as the office — target ≤ 200 ms.
"""
import datetime as dt
import io
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
os.environ["LUOSHI_TODAY"] = "2021-07-15"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from luoshi.org.models import Person, Unit  # noqa: E402
from luoshi.projects import excel  # noqa: E402
from luoshi.projects.models import MonthlyReport, Problem, Programme, Project, Stage  # noqa: E402

PROJECTS = 5000
MONTHS = [dt.date(2019 + m // 12, m % 12 + 1, 1) for m in range(36)]  # 2019-01 … 2021-12
EXPORT_MONTH = dt.date(2021, 6, 1)


def build():
    rng = random.Random(4)
    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    office_unit = Unit.objects.create(name="督查室", kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name="县领导", kind=Unit.Kind.LEADERSHIP)
    towns = Unit.objects.bulk_create([Unit(name=f"乡镇{i}", kind=Unit.Kind.TOWNSHIP) for i in range(12)])
    depts = Unit.objects.bulk_create([Unit(name=f"部门{i}", kind=Unit.Kind.DEPARTMENT) for i in range(30)])
    office = User.objects.create_user("office", password="x")
    Person.objects.create(user=office, name="督查员", unit=office_unit, role=Person.Role.OFFICE)
    leaders = [Person.objects.create(user=User.objects.create_user(f"leader{i}"), name=f"领导{i}", unit=leadership,
                                     role=Person.Role.LEADER) for i in range(6)]
    programmes = [Programme.objects.create(name="三十工程"), Programme.objects.create(name="十件民生实事")]
    Project.objects.bulk_create([Project(
        name=f"重点项目{i:05d}", category=rng.choice(Project.Category.values), programme=rng.choice(programmes + [None]),
        township=rng.choice(towns), leader=rng.choice(leaders), lead_unit=rng.choice(depts),
        total_investment=Decimal(rng.randint(1000, 200000)), annual_investment=Decimal(rng.randint(100, 1000)),
        stage=rng.choice(Stage.values), registered_on=MONTHS[0], light=rng.choice(["red", "yellow", "green"]),
    ) for i in range(PROJECTS)], batch_size=1000)
    reports, totals = [], {}
    for project_id in Project.objects.values_list("pk", flat=True):
        ytd = Decimal(0)
        for month in MONTHS:
            investment = Decimal(rng.randint(0, 500))
            ytd = investment if month.month == 1 else ytd + investment
            reports.append(MonthlyReport(project_id=project_id, month=month, investment=investment, year_to_date=ytd,
                                         progress="主体施工", author=office))
            totals[project_id] = totals.get(project_id, 0) + investment
        if len(reports) >= 20000:
            MonthlyReport.objects.bulk_create(reports, batch_size=5000)
            reports = []
    MonthlyReport.objects.bulk_create(reports, batch_size=5000)
    Problem.objects.bulk_create([Problem(project_id=pk, category="land", text="临时用地未批", unit=rng.choice(depts),
                                         deadline=dt.date(2021, 7, 1), raised_by=office)
                                 for pk in rng.sample(list(totals), 500)])
    projects = list(Project.objects.only("pk"))
    for p in projects:
        p.completed_investment, p.last_report_month = totals[p.pk], MONTHS[-1]
    Project.objects.bulk_update(projects, ["completed_investment", "last_report_month"], batch_size=1000)
    return office


def timed(fn, runs=5, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    started = time.perf_counter()
    office = build()
    print(f"built {Project.objects.count():,} projects, {MonthlyReport.objects.count():,} monthly reports "
          f"in {time.perf_counter() - started:.1f} s ({connection.vendor})")

    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM projects_monthlyreport")
            cursor.fetchone()

    def export():
        excel.export_monthly(Project.objects.all(), EXPORT_MONTH, io.BytesIO())

    client = Client()
    client.force_login(office)

    def first_page():
        response = client.get("/projects/")
        assert response.status_code == 200 and "重点项目00000" in response.content.decode()

    baseline = timed(count)
    export_s = timed(export, runs=3)
    page_s = timed(first_page, runs=10)
    print(f"baseline  SELECT count(*) over reports     {baseline * 1000:8.1f} ms")
    print(f"export    月调度表 {EXPORT_MONTH:%Y-%m}, {PROJECTS:,} rows   {export_s * 1000:8.1f} ms  "
          f"(target ≤ 1000 ms) {'OK' if export_s <= 1 else 'SLOW'}")
    print(f"list page /projects/ first page (50)     {page_s * 1000:8.1f} ms  "
          f"(target ≤ 200 ms) {'OK' if page_s <= 0.2 else 'SLOW'}")


if __name__ == "__main__":
    main()
