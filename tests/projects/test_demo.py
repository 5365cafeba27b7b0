"""The demo projects and pipeline load on top of the demo county, on its 2021 clock, with every light colour."""
import datetime as dt

import pytest
from django.utils import timezone

from luoshi.ledger.models import AuditEntry
from luoshi.org import demo as county_demo
from luoshi.projects import demo
from luoshi.projects.models import FundsInPlace, Lead, MonthlyReport, Problem, Project, Stage


@pytest.fixture
def loaded(db):
    county_demo.load()
    return demo.load()


def test_demo_projects_and_pipeline(loaded):
    summary = loaded
    assert summary["projects"] == Project.objects.count() == len(demo.PROJECTS) + 2  # two leads were converted
    assert Project.objects.filter(name="S237（捏掌至里村段）", programme__name="三十工程").exists()
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Project.objects.values_list("light", flat=True)) == {"red", "yellow", "green"}
    months = set(MonthlyReport.objects.dates("month", "month"))
    assert months == {dt.date(2021, m, 1) for m in range(1, 7)}
    assert 55 <= Lead.objects.count() <= 65 and set(Lead.objects.values_list("stage", flat=True)) == set(
        Lead.Stage.values)
    assert set(Lead.objects.values_list("source", flat=True)) == set(Lead.Source.values)
    assert FundsInPlace.objects.exists() and Lead.objects.exclude(project=None).count() == 2
    assert set(Problem.objects.values_list("status", flat=True)) == set(Problem.Status.values)
    assert summary["escalated_problems"] == Problem.objects.exclude(escalated_at=None).count() > 0
    start, end = (timezone.make_aware(dt.datetime(2021, 1, 4)), timezone.make_aware(dt.datetime(2021, 7, 16)))
    assert not AuditEntry.objects.exclude(at__range=(start, end)).exists()
    bridge = Project.objects.get(name="黄河大桥")
    assert bridge.completed_investment == sum(r.investment for r in bridge.reports.all()) > 0
