"""Role × endpoint matrix for the JSON API on a task of unit A (河阳镇, co-unit 商务局, leader 李副县长).

A role that cannot see an object gets 404 (the same as a missing id), a role that sees it but may not
act gets 403, and after any refusal nothing in the ledger has changed.
"""
import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from luoshi.evaluation.models import Indicator, Run
from luoshi.jobs.models import Job
from luoshi.ledger import services
from luoshi.ledger.models import AuditEntry, Document, Instruction, ProgressReport, SupervisionNotice, Target, Task
from luoshi.org.models import ApiToken

ROLES = ["office", "head", "leader", "leader2", "clerk_a", "clerk_co", "clerk_b", "anon"]


@pytest.fixture
def world(county, make_task):
    """Task of unit A, red (overdue), with a blank and a filled target, an open notice and instruction."""
    c = county
    c.users = {"office": c.office, "head": c.head, "leader": c.leader, "leader2": c.leader2,
               "clerk_a": c.clerk_a, "clerk_co": c.clerk_commerce, "clerk_b": c.clerk_b, "anon": None}
    c.task = make_task(co=[c.commerce], targets=[{"text": "引进亿元以上项目**个", "placeholder": True},
                                                  {"text": "签约项目**个", "placeholder": True}])
    c.other = make_task(lead=c.town_b, leader=c.leader2, title="西虢镇的任务")
    services.refresh_lights()
    c.task.refresh_from_db()
    c.blank, c.filled = c.task.targets.all()
    services.fill_target(c.filled, c.clerk_a, "8")
    c.notice = services.issue_notice(c.task, c.office, "进度滞后")
    c.instruction = services.give_instruction(c.leader, c.task, "抓紧推进", c.town_a,
                                              timezone.localdate() + dt.timedelta(days=10))
    c.document = Document.objects.create(title="讲话", text="……", uploaded_by=c.office)
    Indicator.objects.create(group="township", code="tasks", name="任务按时完成率", source="computed",
                             metric="tasks_on_time", weight=100)
    c.job = Job.objects.create(kind=Job.Kind.EVALUATION_RUN, title="2021年乡镇考核", started_by=c.office)
    return c


def call(user, method, path, body=None):
    client, headers = Client(), {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.get_or_create(user=user, name="test")[0].key
    if body is not None:
        return getattr(client, method)("/api/" + path, json.dumps(body), content_type="application/json", **headers)
    return getattr(client, method)("/api/" + path, **headers)


def report_done(w):
    services.report_progress(w.task, w.clerk_a, 100, "已完成", done=True)


def snapshot(w):
    """Everything a refused request might have changed."""
    task = Task.objects.get(pk=w.task.pk)
    return {
        "task": (task.version, task.title, task.status, task.progress, task.deadline, task.lead_unit_id),
        "targets": list(Target.objects.filter(task=task).values_list("state", "value", "version")),
        "notice": SupervisionNotice.objects.filter(pk=w.notice.pk).values_list("status", "reply").get(),
        "instruction": Instruction.objects.filter(pk=w.instruction.pk).values_list("status", "reply").get(),
        "document": Document.objects.filter(pk=w.document.pk).values_list("status", flat=True).get(),
        "counts": (Task.objects.count(), ProgressReport.objects.count(), SupervisionNotice.objects.count(),
                   Instruction.objects.count(), AuditEntry.objects.count(), Job.objects.count(), Run.objects.count()),
    }


SEES = {"office": 200, "head": 200, "leader": 200, "leader2": 404, "clerk_a": 200, "clerk_co": 200,
        "clerk_b": 404, "anon": 401}
OFFICE_ONLY = {"office": 200, "head": 403, "leader": 403, "leader2": 404, "clerk_a": 403, "clerk_co": 403,
               "clerk_b": 404, "anon": 401}
EVERYONE = {role: 200 for role in ROLES} | {"anon": 401}


def row(w):
    return {"title": "新任务", "lead_unit": w.town_a.pk, "deadline": "2031-06-30"}


# name: (method, path, body, expected status per role, prepare)
ENDPOINTS = {
    "units": ("get", lambda w: "units", None, EVERYONE, None),
    "me": ("get", lambda w: "me", None, EVERYONE, None),
    "people": ("get", lambda w: "people?role=leader", None, EVERYONE, None),
    "list tasks": ("get", lambda w: "tasks", None, EVERYONE, None),
    "list notices": ("get", lambda w: "notices", None, EVERYONE, None),
    "list instructions": ("get", lambda w: "instructions", None, EVERYONE, None),
    "read task": ("get", lambda w: f"tasks/{w.task.pk}", None, SEES, None),
    "read reports": ("get", lambda w: f"tasks/{w.task.pk}/reports", None, SEES, None),
    "read audit": ("get", lambda w: f"tasks/{w.task.pk}/audit", None, SEES, None),
    "create task": ("post", lambda w: "tasks", row, {r: 403 for r in ROLES} | {"office": 201, "anon": 401}, None),
    "edit task": ("patch", lambda w: f"tasks/{w.task.pk}", lambda w: {"version": w.task.version, "title": "改"},
                  OFFICE_ONLY, None),
    "report progress": ("post", lambda w: f"tasks/{w.task.pk}/reports", {"percent": 50, "text": "推进中"},
                        OFFICE_ONLY | {"office": 201, "clerk_a": 201, "clerk_co": 201}, None),
    "verify task": ("post", lambda w: f"tasks/{w.task.pk}/verify", None, OFFICE_ONLY, report_done),
    "return task": ("post", lambda w: f"tasks/{w.task.pk}/return", {"reason": "佐证不足"}, OFFICE_ONLY, report_done),
    "fill target": ("post", lambda w: f"targets/{w.blank.pk}/fill", {"value": "5"},
                    OFFICE_ONLY | {"clerk_a": 200}, None),
    "confirm target": ("post", lambda w: f"targets/{w.filled.pk}/confirm", None, OFFICE_ONLY, None),
    "return target": ("post", lambda w: f"targets/{w.filled.pk}/return", {"note": "偏低"}, OFFICE_ONLY, None),
    "issue notice": ("post", lambda w: f"tasks/{w.task.pk}/notices", {"reason": "仍未推进"},
                     OFFICE_ONLY | {"office": 201}, None),
    # the notice goes to the lead unit: the co-unit does not see it at all
    "reply notice": ("post", lambda w: f"notices/{w.notice.pk}/reply", {"reply": "已整改"},
                     OFFICE_ONLY | {"office": 403, "clerk_a": 200, "clerk_co": 404}, None),
    "give instruction": ("post", lambda w: f"tasks/{w.task.pk}/instructions",
                         lambda w: {"text": "加快", "due": str(timezone.localdate() + dt.timedelta(days=5))},
                         OFFICE_ONLY | {"office": 403, "head": 201, "leader": 201}, None),
    "reply instruction": ("post", lambda w: f"instructions/{w.instruction.pk}/reply", {"reply": "已落实"},
                          OFFICE_ONLY | {"office": 403, "clerk_a": 200, "clerk_co": 404}, None),
    "publish document": ("post", lambda w: f"documents/{w.document.pk}/publish", lambda w: {"rows": [row(w)]},
                         {r: 404 for r in ROLES} | {"office": 201, "anon": 401}, None),
    # making a run is queued (202), the job is its starter's and the office's
    "create run": ("post", lambda w: "evaluation/runs", {"group": "township", "period": "2021"},
                   {r: 403 for r in ROLES} | {"office": 202, "anon": 401}, None),
    "list jobs": ("get", lambda w: "jobs", None, EVERYONE, None),
    "read job": ("get", lambda w: f"jobs/{w.job.pk}", None, {r: 404 for r in ROLES} | {"office": 200, "anon": 401},
                 None),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_matrix(world, endpoint, role):
    method, path, body, expected, prepare = ENDPOINTS[endpoint]
    if prepare:
        prepare(world)
        world.task.refresh_from_db()
    before = snapshot(world)
    response = call(world.users[role], method, path(world), body(world) if callable(body) else body)
    assert response.status_code == expected[role], response.content.decode()
    if response.status_code >= 400:
        assert snapshot(world) == before
        assert set(response.json()) >= {"detail"}
        assert str(world.task.title) not in response.content.decode()


@pytest.mark.parametrize("role", ["leader2", "clerk_b"])
def test_404_for_another_units_task_is_the_404_for_a_missing_id(world, role):
    user = world.users[role]
    missing = Task.objects.order_by("-pk").first().pk + 1000
    for template in ["tasks/{}", "tasks/{}/reports", "tasks/{}/audit"]:
        theirs, nothing = call(user, "get", template.format(world.task.pk)), call(user, "get", template.format(missing))
        assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)
    theirs = call(user, "post", f"targets/{world.blank.pk}/fill", {"value": 1})
    nothing = call(user, "post", f"targets/{world.blank.pk + 1000}/fill", {"value": 1})
    assert (theirs.status_code, theirs.content) == (nothing.status_code, nothing.content)


VISIBLE = {"office": True, "head": True, "leader": True, "leader2": False, "clerk_a": True, "clerk_co": True,
           "clerk_b": False}


@pytest.mark.parametrize("role", VISIBLE)
def test_lists_never_contain_tasks_outside_scope(world, role):
    user = world.users[role]
    ids = {t["id"] for t in call(user, "get", "tasks?page_size=100").json()["items"]}
    assert (world.task.pk in ids) == VISIBLE[role]
    assert ids <= set(services.scope.tasks_for(user).values_list("pk", flat=True))
    # filtering by another unit does not open a door
    by_unit = call(user, "get", f"tasks?unit={world.town_a.pk}").json()["items"]
    assert {t["id"] for t in by_unit} == ({world.task.pk} if VISIBLE[role] else set())


@pytest.mark.parametrize("role,sees_notice,sees_instruction", [
    ("office", True, True), ("head", True, True), ("leader", True, True), ("leader2", False, False),
    ("clerk_a", True, True), ("clerk_co", False, False), ("clerk_b", False, False)])
def test_notice_and_instruction_lists_follow_scope(world, role, sees_notice, sees_instruction):
    user = world.users[role]
    notices = call(user, "get", "notices").json()["items"]
    instructions = call(user, "get", "instructions").json()["items"]
    assert bool(notices) == sees_notice
    assert bool(instructions) == sees_instruction
    detail = call(user, "get", f"tasks/{world.task.pk}")
    if detail.status_code == 200:
        assert bool(detail.json()["notices"]) == sees_notice
        assert bool(detail.json()["instructions"]) == sees_instruction


def test_concurrent_edit_is_a_conflict_and_the_second_change_is_not_applied(world):
    first = call(world.office, "get", f"tasks/{world.task.pk}").json()
    second = call(world.office, "get", f"tasks/{world.task.pk}").json()
    assert first["version"] == second["version"]

    saved = call(world.office, "patch", f"tasks/{world.task.pk}", {"version": first["version"], "title": "甲的修改"})
    assert saved.status_code == 200
    assert saved.json()["version"] == first["version"] + 1

    lost = call(world.office, "patch", f"tasks/{world.task.pk}",
                {"version": second["version"], "title": "乙的修改", "deadline": "2030-01-01"})
    assert lost.status_code == 409
    body = lost.json()
    assert "他人修改" in body["detail"]
    assert body["current"]["title"] == "甲的修改"
    assert body["current"]["version"] == saved.json()["version"]
    task = Task.objects.get(pk=world.task.pk)
    assert (task.title, task.deadline) == ("甲的修改", dt.date(2021, 12, 31))

    # with the current version the second person's change goes through
    retry = call(world.office, "patch", f"tasks/{world.task.pk}",
                 {"version": body["current"]["version"], "title": "乙的修改"})
    assert retry.status_code == 200 and retry.json()["title"] == "乙的修改"
