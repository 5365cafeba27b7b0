"""Shared fixtures: a small county with one person per role, and a task factory."""
import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LUOSHI_TODAY = ""
    # hashing real passwords costs most of a test's time; the hasher is not what is tested
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db):
    """Two townships, two departments, the office, and a person for every role.

    Returns a namespace: units (by short key), users (by role key), each user has .person.
    """
    from django.contrib.auth.models import User

    from luoshi.org.models import Person, Unit

    class County:
        pass

    c = County()
    c.office_unit = Unit.objects.create(name="县委县政府督查室", kind=Unit.Kind.OFFICE)
    c.leadership = Unit.objects.create(name="县领导", kind=Unit.Kind.LEADERSHIP)
    c.town_a = Unit.objects.create(name="河阳镇", kind=Unit.Kind.TOWNSHIP)
    c.town_b = Unit.objects.create(name="西虢镇", kind=Unit.Kind.TOWNSHIP)
    c.commerce = Unit.objects.create(name="商务局", kind=Unit.Kind.DEPARTMENT, aliases="县商务局")
    c.ndrc = Unit.objects.create(name="发展改革委", kind=Unit.Kind.DEPARTMENT, aliases="发改委")

    def person(username, name, unit, role, **kw):
        user = User.objects.create_user(username, f"{username}@example.cn", "pw-" + username)
        Person.objects.create(user=user, name=name, unit=unit, role=role, **kw)
        return user

    c.office = person("office", "王督查", c.office_unit, Person.Role.OFFICE)
    c.head = person("head", "张县长", c.leadership, Person.Role.LEADER, oversees_all=True)
    c.leader = person("leader", "李副县长", c.leadership, Person.Role.LEADER)
    c.leader2 = person("leader2", "赵副县长", c.leadership, Person.Role.LEADER)
    c.clerk_a = person("clerk_a", "河阳专干", c.town_a, Person.Role.UNIT_CLERK)
    c.head_a = person("head_a", "河阳书记", c.town_a, Person.Role.UNIT_HEAD)
    c.clerk_b = person("clerk_b", "西虢专干", c.town_b, Person.Role.UNIT_CLERK)
    c.clerk_commerce = person("clerk_commerce", "商务局联络员", c.commerce, Person.Role.UNIT_CLERK)
    return c


@pytest.fixture
def make_task(county):
    """make_task(lead=unit, co=[units], leader=user, deadline=date, **fields) → a published Task."""
    from luoshi.ledger import services

    def make(lead=None, co=(), leader=None, deadline=None, on=None, targets=(), **fields):
        row = {
            "title": fields.pop("title", "持续开展招商引资突破年活动"),
            "lead_unit": (lead or county.town_a).pk,
            "co_units": [u.pk for u in co],
            "leader": leader.person.pk if leader else county.leader.person.pk,
            "deadline": deadline or dt.date(2021, 12, 31),
            "targets": list(targets),
            **fields,
        }
        return services.create_tasks([row], county.office, on=on or dt.date(2021, 1, 4))[0]

    return make


@pytest.fixture
def run_jobs(db):
    """run_jobs() runs every queued background job here: claimed and run by db_worker's own Worker, without its
    loop (which closes a connection inside a transaction: the test's, on PostgreSQL)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])

    def run():
        while (queued := DBTaskResult.objects.ready().first()) is not None:
            queued.claim("test")
            worker.run_task(queued)

    return run
