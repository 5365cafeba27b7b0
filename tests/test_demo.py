"""manage.py load_demo: the demo county loads quickly into an empty database, once, with every light colour
and a working login for every role."""
import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from luoshi.ledger import scope
from luoshi.ledger.models import (AuditEntry, Document, Instruction, Light, ProgressReport, SupervisionNotice, Target,
                                  Task, UnitRule)
from luoshi.org import demo
from luoshi.org.models import ApiToken, Person, Unit



def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_county(db):
    """The county and its ledger only (projects, requests and evaluation have demo tests of their own)."""
    return demo.load()


def test_the_command_loads_everything_once(db, settings):
    settings.DEBUG = True  # the command refuses to load public demo passwords into a production database
    # (its time is a figure for the closing note, not an assertion: these machines are shared and noisy)
    output = load_demo()
    assert "演示县已加载" in output and "重点项目" in output and "诉求" in output
    counts = [m.objects.count() for m in (Unit, User, Task, ProgressReport, AuditEntry)]
    assert "未加载演示数据" in load_demo()
    assert [m.objects.count() for m in (Unit, User, Task, ProgressReport, AuditEntry)] == counts


def test_county_units_and_people(demo_county):
    assert Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET]).count() == len(demo.TOWNSHIPS)
    assert Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).count() == len(demo.DEPARTMENTS) >= 25
    for unit in Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET, Unit.Kind.DEPARTMENT]):
        roles = set(unit.people.values_list("role", flat=True))
        assert roles == {Person.Role.UNIT_CLERK, Person.Role.UNIT_HEAD}, unit
    leaders = Person.objects.filter(role=Person.Role.LEADER)
    assert leaders.count() == 6 and list(leaders.filter(oversees_all=True).values_list("user__username", flat=True)) \
        == ["xianzhang"]
    assert Unit.objects.get(name="发展改革委").aliases.startswith("发展和改革委员会")
    assert UnitRule.objects.filter(keyword="招商", lead_unit__name="商务局").exists()


@pytest.mark.parametrize("username, role", [
    ("office", Person.Role.OFFICE), ("office_head", Person.Role.OFFICE), ("xianzhang", Person.Role.LEADER),
    ("fuxianzhang1", Person.Role.LEADER), ("shangwu", Person.Role.UNIT_CLERK), ("xiguo", Person.Role.UNIT_CLERK),
    ("xiguo_head", Person.Role.UNIT_HEAD),
])
def test_every_role_logs_in_with_the_demo_password(client, demo_county, username, role):
    assert client.login(username=username, password=demo.PASSWORD)
    assert User.objects.get(username=username).person.role == role


def test_what_each_role_sees(demo_county):
    def visible(username):
        return scope.tasks_for(User.objects.get(username=username))

    total = Task.objects.count()
    assert visible("office").count() == visible("xianzhang").count() == total
    deputy = Person.objects.get(user__username="fuxianzhang1")
    assert 0 < visible("fuxianzhang1").count() < total
    assert set(visible("fuxianzhang1").values_list("leader", flat=True)) == {deputy.pk}
    commerce = Unit.objects.get(name="商务局")
    for task in visible("shangwu"):
        assert task.lead_unit == commerce or commerce in task.co_units.all()
    assert visible("shangwu").filter(lead_unit=commerce).exists()
    assert visible("xiguo").exists() and visible("xiguo").count() == visible("xiguo_head").count() < total


def test_api_token_for_each_role(demo_county):
    roles = set(ApiToken.objects.values_list("user__person__role", flat=True))
    assert roles == set(Person.Role.values)
    assert ApiToken.objects.filter(key="demo-token-office", user__username="office").exists()


def test_speech_published_with_history(demo_county):
    document = Document.objects.get()
    assert document.status == Document.Status.PUBLISHED and document.doc_date == dt.date(2020, 12, 20)
    tasks = Task.objects.all()
    assert tasks.count() >= 20
    office = Unit.objects.get(kind=Unit.Kind.OFFICE)
    for task in tasks:
        assert document.text[task.source_start:task.source_end] == task.source_text
        assert task.lead_unit != office and task.leader is not None
        assert task.start_date == demo.PUBLISH_DAY and dt.date(2021, 1, 4) <= task.deadline <= dt.date(2021, 12, 31)
    invest = tasks.get(text__contains="招商引资突破年")
    assert invest.lead_unit.name == "商务局" and invest.leader.user.username == "fuxianzhang1"
    assert {Light.RED, Light.YELLOW, Light.GREEN} <= set(tasks.values_list("light", flat=True))
    assert set(tasks.values_list("status", flat=True)) >= {Task.Status.IN_PROGRESS, Task.Status.VERIFIED}
    assert set(Target.objects.filter(placeholder=True).values_list("state", flat=True)) == set(
        Target.State.values) - {Target.State.FIXED}
    assert set(SupervisionNotice.objects.values_list("status", flat=True)) == set(SupervisionNotice.Status.values)
    assert set(Instruction.objects.values_list("status", flat=True)) == set(Instruction.Status.values)


def test_history_is_dated_in_2021(demo_county):
    as_of = timezone.make_aware(dt.datetime.combine(demo.DEMO_TODAY, dt.time(23, 59)))
    start = timezone.make_aware(dt.datetime(2021, 1, 4))
    for model, field in [(ProgressReport, "created_at"), (AuditEntry, "at"), (SupervisionNotice, "issued_at"),
                         (Instruction, "created_at")]:
        assert not model.objects.exclude(**{f"{field}__range": (start, as_of)}).exists(), model
    months = {r.month for r in ProgressReport.objects.dates("created_at", "month")}
    assert months >= {1, 2, 3, 4, 5, 6}


def test_same_county_every_time(db):
    def snapshot():
        with transaction.atomic():
            demo.load()
            tasks = list(Task.objects.order_by("code").values_list("code", "lead_unit__name", "progress", "light"))
            reports = list(ProgressReport.objects.order_by("created_at", "task__code").values_list("percent", "text"))
            transaction.set_rollback(True)  # back to an empty database for the second load
        return tasks, reports

    assert snapshot() == snapshot()


def test_refuses_a_non_empty_database(county, settings):
    settings.DEBUG = True
    assert "未加载演示数据" in load_demo()
    assert not Task.objects.exists() and not User.objects.filter(username="xianzhang").exists()


def test_refuses_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="生产环境"):
        load_demo()
    assert not Unit.objects.exists()
