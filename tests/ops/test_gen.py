"""`luoshi gen` at a tiny size: realistic rows everywhere, counters consistent with the events, refuses a
non-empty database unless --force-append."""
import io

import pytest
from django.core.management import CommandError, call_command

from luoshi.ledger.models import ProgressReport, Target, Task
from luoshi.org.gen import recount_from_events
from luoshi.org.models import Person, Unit
from luoshi.projects.models import MonthlyReport, Project
from luoshi.service import services
from luoshi.service.models import RequestEvent, ServiceRequest, UnitDayStats
from luoshi.service.rates import COUNTERS

pytestmark = pytest.mark.django_db


def gen(*extra, **sizes):
    sizes = {"units": 12, "tasks": 40, "requests": 300, "projects": 6, **sizes}
    out, err = io.StringIO(), io.StringIO()
    args = [f"--{k}={v}" for k, v in sizes.items()]
    call_command("gen", *args, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stored_counters():
    return {(s.unit_id, s.day): [getattr(s, c) for c in COUNTERS] for s in UnitDayStats.objects.all()
            if any(getattr(s, c) for c in COUNTERS)}


def test_tiny_dataset():
    out, err = gen()
    assert "generated" in out and "任务" in err and "█" in err  # the progress bar is on stderr
    assert Unit.objects.filter(kind__in=["township", "street", "department"]).count() == 12
    assert Unit.objects.filter(kind="department").exists() and Unit.objects.filter(name__endswith="镇").exists()
    assert Task.objects.count() == 40 and Project.objects.count() == 6 and ServiceRequest.objects.count() == 300
    assert ProgressReport.objects.exists() and Target.objects.exists() and MonthlyReport.objects.exists()
    assert Person.objects.filter(role="unit_clerk").count() == 12 and Person.objects.filter(role="leader").exists()
    # every request has its submission event; the SLA clock is computable from the events
    assert RequestEvent.objects.filter(kind="submitted").count() == 300
    signed = ServiceRequest.objects.exclude(status="submitted").first()
    assert services.clock_of(signed.events.all()).dispatched_at == signed.dispatched_at
    # report dates are the generated ones, not "now"
    assert ProgressReport.objects.filter(created_at__year=2021).count() == ProgressReport.objects.count()
    # the per-unit-day counters are exactly what the events say
    assert stored_counters() == recount_from_events()
    assert len(set(ServiceRequest.objects.values_list("token", flat=True))) == 300


def test_refuses_non_empty_database_unless_force_append():
    gen(units=3, tasks=2, requests=20, projects=1)
    with pytest.raises(CommandError, match="非空"):
        gen(units=3, tasks=2, requests=20, projects=1)
    gen("--force-append", units=3, tasks=2, requests=20, projects=1)
    assert ServiceRequest.objects.count() == 40 and Task.objects.count() == 4
    assert stored_counters() == recount_from_events()
    # new objects after the generated ones get fresh ids (sequences moved past the given keys)
    assert RequestEvent.objects.order_by("-id").first().id == RequestEvent.objects.count()
