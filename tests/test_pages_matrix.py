"""Role × page matrix for the server-rendered pages: who gets 200, who is sent to login, 403 or 404.

A clerk of another township must never read or change unit A's task, targets, notices or instructions by
guessing ids: 404 (the object is not in their scope), and the data stays as it was.
"""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.ledger import services
from luoshi.ledger.models import Document, Instruction, ProgressReport, SupervisionNotice, Target, Task

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

ROLES = ["office", "head", "leader", "leader2", "clerk_a", "clerk_co", "clerk_b", "anon"]


@pytest.fixture
def world(county, make_task):
    """Unit A (河阳镇) leads a task with 商务局 as co-unit, in 李副县长's charge; it is red, has a blank target,
    a report with a photo, a 督办单 and a 批示 to unit A; plus one draft document."""
    task = make_task(co=[county.commerce], targets=[
        {"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个", "placeholder": True}])
    services.refresh_lights()  # the deadline (2021) has passed: red
    task.refresh_from_db()
    report = services.report_progress(task, county.clerk_a, 30, "已签约两个项目",
                                      [SimpleUploadedFile("现场.png", PNG, "image/png")])
    task.refresh_from_db()
    notice = services.issue_notice(task, county.office, "超期未完成")
    instruction = services.give_instruction(county.leader, task, "请加快进度", county.town_a.pk,
                                            services.today() + dt.timedelta(days=10))
    document = Document.objects.create(title="讲话", text="要抓招商。", result={"tasks": []},
                                       uploaded_by=county.office)
    county.clerk_co = county.clerk_commerce
    return {"task": task, "target": task.targets.get(), "attachment": report.attachments.get(),
            "notice": notice, "instruction": instruction, "document": document}


def login(client, county, role):
    if role != "anon":
        client.force_login(getattr(county, role))
    return client


def expect(status, response):
    if status == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/"), response.status_code
    else:
        assert response.status_code == status, (response.status_code, response.content[:500])


TASK_READERS = {"office": 200, "head": 200, "leader": 200, "leader2": 404, "clerk_a": 200, "clerk_co": 200,
                "clerk_b": 404, "anon": "login"}

PAGES = {
    # page: {role: expected}
    "/": {**{r: 302 for r in ROLES}, "anon": "login"},
    "/console/": {**{r: 403 for r in ROLES}, "office": 200, "anon": "login"},
    "/leader/": {**{r: 403 for r in ROLES}, "office": 200, "head": 200, "leader": 200, "leader2": 200,
                 "anon": "login"},
    "/workbench/": {**{r: 403 for r in ROLES}, "clerk_a": 200, "clerk_co": 200, "clerk_b": 200, "anon": "login"},
    "/tasks/": {**{r: 200 for r in ROLES}, "anon": "login"},
    "/tasks/{task}/": TASK_READERS,
    "/tasks/{task}/attachments/{attachment}/": TASK_READERS,
    "/notices/": {**{r: 200 for r in ROLES}, "anon": "login"},
    "/instructions/": {**{r: 200 for r in ROLES}, "anon": "login"},
    "/documents/": {**{r: 403 for r in ROLES}, "office": 200, "anon": "login"},
    "/documents/upload/": {**{r: 403 for r in ROLES}, "office": 200, "anon": "login"},
    "/documents/{document}/": {**{r: 403 for r in ROLES}, "office": 200, "anon": "login"},
}


def url(template, world):
    return template.format(**{k: v.pk for k, v in world.items()})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_matrix(client, county, world, page, role):
    expect(PAGES[page][role], login(client, county, role).get(url(page, world)))


def test_home_sends_each_role_to_its_page(client, county, world):
    for role, target in [("office", "/console/"), ("head", "/cockpit/"), ("leader", "/cockpit/"),
                         ("clerk_a", "/workbench/")]:
        client.force_login(getattr(county, role))
        assert client.get("/")["Location"] == target


def test_lists_show_only_what_is_in_scope(client, county, world):
    title = world["task"].title
    for role, sees in [("office", True), ("head", True), ("leader", True), ("leader2", False),
                       ("clerk_a", True), ("clerk_co", True), ("clerk_b", False)]:
        login(client, county, role)
        for page in ("/tasks/", "/notices/", "/instructions/"):
            html = client.get(page).content.decode()
            if page == "/instructions/" and role in ("clerk_co", "office", "head") or page == "/notices/" and (
                    role == "clerk_co"):
                continue  # these lists are scoped to the addressed unit / issuing leader, checked below
            assert (title in html) == sees, (role, page)
    login(client, county, "clerk_co")
    assert world["notice"].number not in client.get("/notices/").content.decode()


# --- changes: (url, form data) → expected status per role --------------------------------

def _report(world):
    return url("/tasks/{task}/report/", world), {"report-percent": "60", "report-text": "猜编号改进度"}


def _edit(world):
    t = world["task"]
    return url("/tasks/{task}/edit/", world), {
        "edit-version": t.version, "edit-title": "被改的标题", "edit-text": t.text, "edit-lead_unit": t.lead_unit_id,
        "edit-cadence": t.cadence}


def _fill(world):
    return url("/tasks/{task}/targets/{target}/fill/", world), {f"t{world['target'].pk}-value": "99"}


def _notice_reply(world):
    return url("/notices/{notice}/reply/", world), {f"r{world['notice'].pk}-reply": "已整改"}


def _instruction_reply(world):
    return url("/instructions/{instruction}/reply/", world), {f"r{world['instruction'].pk}-reply": "已落实"}


def _instruct(world):
    return url("/tasks/{task}/instruct/", world), {
        "ins-unit": world["task"].lead_unit_id, "ins-text": "抓紧",
        "ins-due": (services.today() + dt.timedelta(days=5)).isoformat()}


def _publish(world):
    return url("/documents/{document}/", world), {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"}


CHANGES = {
    "report": (_report, {"office": 302, "head": 403, "leader": 403, "leader2": 404, "clerk_a": 302, "clerk_co": 302,
                         "clerk_b": 404, "anon": "login"}),
    "edit": (_edit, {"office": 302, "head": 403, "leader": 403, "leader2": 404, "clerk_a": 403, "clerk_co": 403,
                     "clerk_b": 404, "anon": "login"}),
    "fill-target": (_fill, {"office": 302, "head": 403, "leader": 403, "leader2": 404, "clerk_a": 302,
                            "clerk_co": 403, "clerk_b": 404, "anon": "login"}),
    "reply-notice": (_notice_reply, {"office": 403, "head": 403, "leader": 403, "leader2": 404, "clerk_a": 302,
                                     "clerk_co": 404, "clerk_b": 404, "anon": "login"}),
    "reply-instruction": (_instruction_reply, {"office": 403, "head": 403, "leader": 403, "leader2": 404,
                                               "clerk_a": 302, "clerk_co": 404, "clerk_b": 404, "anon": "login"}),
    "instruct": (_instruct, {"office": 403, "head": 302, "leader": 302, "leader2": 404, "clerk_a": 403,
                             "clerk_co": 403, "clerk_b": 404, "anon": "login"}),
    "publish": (_publish, {"office": 200, "head": 403, "leader": 403, "leader2": 403, "clerk_a": 403,
                           "clerk_co": 403, "clerk_b": 403, "anon": "login"}),
}


def snapshot(world):
    task = Task.objects.get(pk=world["task"].pk)
    return (task.version, task.title, task.progress, ProgressReport.objects.count(),
            Target.objects.get(pk=world["target"].pk).value, SupervisionNotice.objects.get().reply,
            Instruction.objects.order_by("pk").first().reply, Instruction.objects.count(), Task.objects.count())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("change", CHANGES)
def test_change_matrix(client, county, world, change, role):
    make, expected = CHANGES[change][0], CHANGES[change][1][role]
    path, data = make(world)
    before = snapshot(world)
    response = login(client, county, role).post(path, data)
    expect(expected, response)
    if expected != 302:
        assert snapshot(world) == before  # refused: nothing written
    else:
        assert snapshot(world) != before


@pytest.mark.parametrize("path", ["/tasks/{task}/", "/tasks/{task}/report/", "/tasks/{task}/targets/{target}/fill/",
                                  "/notices/{notice}/reply/", "/instructions/{instruction}/reply/"])
def test_other_township_guessing_ids_gets_404_and_nothing_changes(client, county, world, path):
    client.force_login(county.clerk_b)
    before = snapshot(world)
    html = client.get(url(path, world)).content.decode()
    assert world["task"].title not in html
    response = client.post(url(path, world), {"report-percent": "100", "report-text": "x",
                                              f"t{world['target'].pk}-value": "1",
                                              f"r{world['notice'].pk}-reply": "x",
                                              f"r{world['instruction'].pk}-reply": "x"})
    assert response.status_code in (404, 405)
    assert snapshot(world) == before
