"""JSON API: each endpoint's happy path and its error paths (who may act is in tests/test_api_matrix.py)."""
import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ConfigError

from luoshi.ledger import services
from luoshi.api import LuoshiAPI
from luoshi.ledger.models import (AuditEntry, Document, Instruction, Milestone, ProgressReport, SupervisionNotice,
                                  Target, Task)
from luoshi.org.models import ApiToken


def call(user, method, path, body=None, **extra):
    if user is not None:
        extra["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.get_or_create(user=user, name="test")[0].key
    if body is not None:
        return getattr(Client(), method)("/api/" + path, json.dumps(body), content_type="application/json", **extra)
    return getattr(Client(), method)("/api/" + path, **extra)


def later(days=10):
    return str(timezone.localdate() + dt.timedelta(days=days))


@pytest.fixture
def task(county, make_task):
    return make_task(co=[county.commerce], targets=[{"text": "引进亿元以上项目**个", "placeholder": True},
                                                     {"text": "新增规上企业", "metric": "新增规上企业", "value": 12,
                                                      "unit": "家"}])


@pytest.fixture
def red_task(task):
    services.refresh_lights()  # the deadline (2021) is long past
    task.refresh_from_db()
    return task


# --- schema and auth ----------------------------------------------------------------------

def test_openapi_schema_loads_and_lists_every_path(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "落实 Luoshi API"
    for path in ["/api/units", "/api/me", "/api/people", "/api/tasks", "/api/tasks/{task_id}",
                 "/api/tasks/{task_id}/reports", "/api/tasks/{task_id}/verify", "/api/tasks/{task_id}/return",
                 "/api/tasks/{task_id}/audit", "/api/targets/{target_id}/fill", "/api/targets/{target_id}/confirm",
                 "/api/targets/{target_id}/return", "/api/notices", "/api/tasks/{task_id}/notices",
                 "/api/notices/{notice_id}/reply", "/api/instructions", "/api/tasks/{task_id}/instructions",
                 "/api/instructions/{instruction_id}/reply", "/api/documents/{document_id}/publish"]:
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/tasks/{task_id}"]) == {"get", "patch"}
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()
    # every $ref points at a schema that exists
    refs = {r.rsplit("/", 1)[1] for r in _refs(schema)}
    assert refs <= set(schema["components"]["schemas"])
    assert Client().get("/api/docs").status_code == 200


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_anonymous_bad_and_inactive_tokens_are_401(county, task):
    assert call(None, "get", "tasks").status_code == 401
    assert call(None, "post", f"tasks/{task.pk}/reports", {"percent": 1, "text": "x"}).status_code == 401
    response = Client().get("/api/tasks", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录或提供有效的 API 令牌"}
    assert Client().get("/api/tasks", HTTP_AUTHORIZATION="Basic abc").status_code == 401
    key = ApiToken.objects.create(user=county.clerk_a).key
    User.objects.filter(pk=county.clerk_a.pk).update(is_active=False)
    assert Client().get("/api/tasks", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_session_auth_reads_and_needs_csrf_to_write(county, task):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.clerk_a)
    assert client.get(f"/api/tasks/{task.pk}").status_code == 200
    body = json.dumps({"percent": 30, "text": "已开工"})
    refused = client.post(f"/api/tasks/{task.pk}/reports", body, content_type="application/json")
    assert refused.status_code == 403
    assert not ProgressReport.objects.exists()
    client.get("/login/")  # the login page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(f"/api/tasks/{task.pk}/reports", body, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def _schema():
    return Client().get("/api/openapi.json").json()


def test_every_operation_declares_the_errors_of_the_apis_own_layers(db):
    """Auth (401), input validation (422), a body that is not JSON (400), CSRF on a session (403): any operation
    may give them, so each declares them, with the Error body they have."""
    operations = [(method, path, op) for path, ops in _schema()["paths"].items() for method, op in ops.items()]
    assert len(operations) > 60
    for method, path, operation in operations:
        codes = set(operation["responses"])
        assert "401" in codes, (method, path)
        assert ("422" in codes) >= bool(operation.get("parameters") or "requestBody" in operation), (method, path)
        assert ("400" in codes) >= ("requestBody" in operation), (method, path)
        assert ("403" in codes) >= (method != "get"), (method, path)
        assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
    assert call(None, "get", "me").json() == {"detail": "请先登录或提供有效的 API 令牌"}


def test_conflicts_are_declared_with_the_current_object(db):
    schema = _schema()
    paths, components = schema["paths"], schema["components"]["schemas"]

    def conflict(path, method):
        return paths[path][method]["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]

    assert conflict("/api/tasks/{task_id}", "patch").endswith("/TaskConflictOut")
    assert components["TaskConflictOut"]["properties"]["current"]["$ref"].endswith("/TaskDetail")
    for path in ["/api/targets/{target_id}/confirm", "/api/targets/{target_id}/return"]:
        assert conflict(path, "post").endswith("/TargetConflictOut")
    assert components["TargetConflictOut"]["properties"]["current"]["$ref"].endswith("/TargetOut")


def test_each_models_choices_have_a_name_of_their_own_in_the_schema(db):
    """Task.Status, SupervisionNotice.Status … were all published as one "Status" holding the last one's values."""
    schema = _schema()
    components = schema["components"]["schemas"]
    assert "Status" not in components
    for name, choices in [("TaskStatus", Task.Status), ("NoticeStatus", SupervisionNotice.Status),
                          ("InstructionStatus", Instruction.Status)]:
        assert components[name]["enum"] == choices.values
    assert components["TaskOut"]["properties"]["status"]["$ref"].endswith("/TaskStatus")
    assert components["NoticeOut"]["properties"]["status"]["$ref"].endswith("/NoticeStatus")
    notice_filter = next(p for p in schema["paths"]["/api/notices"]["get"]["parameters"] if p["name"] == "status")
    assert {"$ref": "#/components/schemas/NoticeStatus"} in notice_filter["schema"]["anyOf"]


def test_two_different_schemas_with_one_name_are_refused():
    def router_with(field):
        Thing = type("Thing", (Schema,), {"__annotations__": {field: int}})  # same name, different fields
        router = Router()
        router.get(f"/{field}", response=Thing)(lambda request: None)
        return router

    api = LuoshiAPI(urls_namespace="two-things")
    api.add_router("", router_with("a"))
    api.add_router("", router_with("b"))
    with pytest.raises(ConfigError, match="'Thing'"):
        api.get_openapi_schema(path_prefix="")


@pytest.mark.parametrize("method,path,body,field,detail", [
    ("get", "tasks?unit=abc", None, "unit", "unit：应为整数"),
    ("get", "tasks?page_size=5000", None, "page_size", "page_size：不能大于 1000"),
    ("get", "notices?status=lost", None, "status", "status：取值无效，可选：open、replied、escalated"),
    ("patch", "tasks/{task}", {"version": 1, "title": ""}, "title", "title：不能为空"),
    ("patch", "tasks/{task}", {"title": "x"}, "version", "version：必填"),
    ("patch", "tasks/{task}", {"version": 1, "cadence": 8}, "cadence", "cadence：取值无效，可选：7、15、30、91"),
    ("post", "tasks", {"co_units": [0]}, "co_units[0]", "co_units[0]：应为 id（正整数）或名称"),
    ("post", "tasks", {"targets": [{"value": "很多"}]}, "targets[0].value", "targets[0].value：应为数字"),
    ("post", "tasks", {"deadline": "2021-13-01"}, "deadline", "deadline：应为日期，如 2021-06-30"),
    ("post", "tasks/{task}/reports", {"text": "x"}, "percent", "percent：必填"),
    ("post", "tasks/{task}/reports", {"percent": 50, "text": "x", "done": "也许"}, "done", "done：应为 true 或 false"),
    ("post", "tasks/{task}/reports", {"percent": "x", "text": 1}, "percent", "percent：应为整数（另有 1 处错误）"),
])
def test_input_that_does_not_fit_the_schema_is_422_in_chinese_naming_the_field(county, task, method, path, body,
                                                                                field, detail):
    response = call(county.office, method, path.format(task=task.pk), body)
    assert response.status_code == 422
    assert response.json() == {"detail": detail, "field": field}


@pytest.mark.parametrize("method,path,body,field", [
    ("get", "tasks?q=%00", None, "q"),
    ("get", "tasks?area=a%00", None, "area"),
    ("get", "projects?q=%00", None, "q"),
    ("get", "service/requests?category=%00", None, "category"),
    ("post", "tasks/{task}/reports", {"percent": 10, "text": "已\x00开工"}, "text"),
    ("post", "tasks/{task}/reports", {"percent": 10, "text": "已\ud800开工"}, "text"),
    ("post", "tasks", {"title": "x", "lead_unit": "河阳\x00镇"}, "lead_unit"),
    ("post", "tasks", {"title": "x", "lead_unit": "河阳镇", "targets": [{"text": "\x00"}]}, "targets[0].text"),
    ("post", "service/requests", {"category": "roads", "description": "路灯不亮", "contact_name": "张三",
                                  "contact_phone": "13812345678", "attributes": {"k\x00": 1}}, "attributes"),
])
def test_text_no_database_can_store_is_422_naming_the_field(county, task, method, path, body, field):
    """NUL is refused by PostgreSQL and lone surrogates by both databases' UTF-8: that was a 500."""
    before = (Task.objects.count(), ProgressReport.objects.count())
    response = call(county.office, method, path.format(task=task.pk), body)
    assert response.status_code == 422
    assert response.json() == {"detail": f"{field}：不能包含空字符（\\u0000）或无效的 Unicode 字符", "field": field}
    assert (Task.objects.count(), ProgressReport.objects.count()) == before


def test_a_token_or_session_cookie_no_database_can_store_is_401(county):
    assert Client().get("/api/tasks", HTTP_AUTHORIZATION="Bearer abc\x00def").status_code == 401
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert client.get("/api/tasks").status_code == 401


# --- org ----------------------------------------------------------------------------------

def test_units_me_and_people(county):
    units = call(county.clerk_b, "get", "units").json()
    assert {u["name"] for u in units} >= {"河阳镇", "西虢镇", "商务局"}
    assert [u["name"] for u in call(county.clerk_b, "get", "units?kind=department").json()] == ["发展改革委", "商务局"]
    assert call(county.clerk_b, "get", "units?kind=planet").status_code == 422

    me = call(county.clerk_a, "get", "me").json()
    assert me["username"] == "clerk_a"
    assert me["person"]["unit"]["name"] == "河阳镇"
    assert me["person"]["role"] == "unit_clerk"
    assert (me["oversees_all"], me["is_office"]) == (False, False)
    assert call(county.head, "get", "me").json()["oversees_all"] is True
    assert call(county.office, "get", "me").json()["is_office"] is True

    leaders = call(county.clerk_a, "get", "people?role=leader").json()
    assert {p["name"] for p in leaders} == {"张县长", "李副县长", "赵副县长"}
    assert "phone" not in leaders[0]
    # a clerk sees the leaders and their own unit, not other townships' staff
    seen = {p["name"] for p in call(county.clerk_a, "get", "people").json()}
    assert "河阳书记" in seen and "西虢专干" not in seen
    assert "西虢专干" in {p["name"] for p in call(county.office, "get", "people").json()}


# --- tasks: list and read -----------------------------------------------------------------

def test_list_tasks_paginated_by_deadline_with_filters(county, make_task):
    late = make_task(title="甲 乡村振兴", deadline=dt.date(2021, 12, 31), area="乡村振兴")
    soon = make_task(title="乙 项目为王", deadline=dt.date(2021, 3, 31), area="项目为王", co=[county.commerce])
    other = make_task(title="丙 西虢镇", lead=county.town_b, leader=county.leader2, deadline=dt.date(2021, 6, 30))
    Task.objects.filter(pk=other.pk).update(light="red")

    body = call(county.office, "get", "tasks").json()
    assert body["count"] == 3
    assert [t["id"] for t in body["items"]] == [soon.pk, other.pk, late.pk]
    first = body["items"][0]
    assert first["lead_unit"]["name"] == "河阳镇"
    assert first["co_units"] == [{"id": county.commerce.pk, "name": "商务局"}]
    assert first["leader"]["name"] == "李副县长"
    assert first["deadline"] == "2021-03-31"

    def ids(query):
        return [t["id"] for t in call(county.office, "get", "tasks?" + query).json()["items"]]

    assert ids(f"unit={county.commerce.pk}") == [soon.pk]
    assert ids(f"unit={county.town_b.pk}") == [other.pk]
    assert ids("light=red") == [other.pk]
    assert ids(f"leader={county.leader2.person.pk}") == [other.pk]
    assert ids("status=assigned") == [soon.pk, other.pk, late.pk]
    assert ids("status=verified") == []
    assert ids("area=乡村振兴") == [late.pk]
    assert ids("q=西虢") == [other.pk]
    assert ids(f"q={soon.code}") == [soon.pk]
    page = call(county.office, "get", "tasks?page=2&page_size=2").json()
    assert page["count"] == 3 and [t["id"] for t in page["items"]] == [late.pk]
    assert call(county.office, "get", "tasks?page=99").json()["items"] == []


@pytest.mark.parametrize("query", ["light=purple", "unit=abc", "unit=0", f"unit={10**30}", "status=done",
                                   "page=0", f"page={10**18}", "page_size=-1", "leader=x", "q=" + "字" * 101])
def test_list_tasks_bad_filters_are_422(county, task, query):
    response = call(county.office, "get", "tasks?" + query)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_unknown_unit_filter_is_just_empty(county, task):
    assert call(county.office, "get", "tasks?unit=999999").json() == {"items": [], "count": 0}


def test_read_task_with_targets_units_milestones_reports_notices_instructions(county, red_task):
    Milestone.objects.create(task=red_task, title="完成签约", due=dt.date(2021, 6, 30))
    services.report_progress(red_task, county.clerk_a, 40, "签约3个")
    services.issue_notice(red_task, county.office, "进度滞后")
    services.give_instruction(county.leader, red_task, "抓紧", county.town_a, later())

    body = call(county.clerk_a, "get", f"tasks/{red_task.pk}").json()
    assert body["code"] == red_task.code and body["text"] == red_task.text
    assert body["version"] == Task.objects.get(pk=red_task.pk).version
    assert body["co_units"][0]["name"] == "商务局"
    blank, fixed = body["targets"]
    assert (blank["placeholder"], blank["state"], blank["value"], blank["display"]) == (
        True, "blank", None, "引进亿元以上项目**个")
    assert (fixed["value"], fixed["display"]) == ("12", "新增规上企业 12家")
    assert body["milestones"] == [{"id": body["milestones"][0]["id"], "title": "完成签约", "due": "2021-06-30",
                                   "done_on": None}]
    assert body["reports"][0]["percent"] == 40 and body["reports"][0]["author"] == "河阳专干"
    assert body["progress"] == 40 and body["status"] == "in_progress"
    assert body["light"] == "red"
    assert body["notices"][0]["number"].startswith("督办〔")
    assert body["instructions"][0]["leader"]["name"] == "李副县长"
    assert body["instructions"][0]["task_id"] == red_task.pk


@pytest.mark.parametrize("path", ["tasks/999999", "tasks/0", "tasks/abc", f"tasks/{10**30}", "tasks/-1"])
def test_read_missing_or_malformed_task_id(county, path):
    assert call(county.office, "get", path).status_code in (404, 422)


# --- tasks: create and edit ---------------------------------------------------------------

def test_office_creates_a_task(county):
    response = call(county.office, "post", "tasks", {
        "title": "引进亿元以上项目", "text": "确保引进亿元以上项目**个", "area": "项目为王",
        "lead_unit": county.commerce.pk, "co_units": [county.ndrc.pk, "河阳镇", county.commerce.pk],
        "leader": county.leader.person.pk, "deadline": "2031-12-31",
        "targets": [{"text": "引进亿元以上项目**个", "placeholder": True},
                    {"text": "到位资金", "metric": "到位资金", "value": "12.5", "unit": "亿元"}]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_unit"]["name"] == "商务局"
    assert {u["name"] for u in body["co_units"]} == {"发展改革委", "河阳镇"}  # the lead is not its own co-unit
    assert body["deadline"] == "2031-12-31" and body["version"] == 1
    assert [t["value"] for t in body["targets"]] == [None, "12.5"]
    assert AuditEntry.objects.filter(task_id=body["id"], action="发布任务").exists()


def test_create_task_lead_unit_by_name(county):
    response = call(county.office, "post", "tasks", {"text": "做好招商", "lead_unit": "商务局"})
    assert response.status_code == 201
    assert response.json()["title"] == "做好招商"


@pytest.mark.parametrize("body,fragment", [
    ({"title": "x", "lead_unit": 999999}, "不存在"),
    ({"title": "x", "lead_unit": "火星局"}, "不存在"),
    ({"title": "x"}, "未指定单位"),
    ({"title": "", "lead_unit": "商务局"}, "不能为空"),
    ({"title": "x", "lead_unit": "商务局", "leader": "王督查"}, "分管领导"),
    ({"title": "x", "lead_unit": "商务局", "co_units": [999999]}, "不存在"),
    ({"title": "x", "lead_unit": "商务局", "deadline": "2001-01-01"}, "早于交办日期"),
])
def test_create_task_rule_errors_are_422_per_row(county, body, fragment):
    response = call(county.office, "post", "tasks", body)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert fragment in " ".join(response.json()["errors"]["0"])
    assert not Task.objects.exists()
    # the rows' errors are part of the declared Error, not an extra the schema does not know
    error = Client().get("/api/openapi.json").json()["components"]["schemas"]["Error"]
    assert error["properties"]["errors"]["anyOf"][0]["additionalProperties"]["items"] == {"type": "string"}


@pytest.mark.parametrize("body", [
    {"title": "x", "lead_unit": "商务局", "deadline": "2021-02-30"},
    {"title": "x", "lead_unit": "商务局", "deadline": "明年"},
    {"title": "x", "lead_unit": "商务局", "targets": [{"text": "t", "value": "1e30"}]},
    {"title": "x", "lead_unit": "商务局", "targets": [{"text": "t", "value": "NaN"}]},
    {"title": "x", "lead_unit": "商务局", "targets": [{"text": "t", "value": "很多"}]},
    {"title": "x", "lead_unit": 10**30},
    {"title": ["x"], "lead_unit": "商务局"},
    {"title": "x", "lead_unit": "商务局", "co_units": "商务局,河阳镇"},
])
def test_create_task_malformed_input_is_422(county, body):
    response = call(county.office, "post", "tasks", body)
    assert response.status_code == 422
    assert not Task.objects.exists()


def test_create_task_not_json_is_an_error_not_a_500(county):
    response = Client().post("/api/tasks", "{not json", content_type="application/json",
                             HTTP_AUTHORIZATION="Bearer " + ApiToken.objects.create(user=county.office).key)
    assert response.status_code == 400
    assert response.json() == {"detail": "请求体不是有效的 JSON", "field": None}


@pytest.mark.parametrize("field,limit", [("title", 200), ("section", 200), ("area", 50)])
def test_create_task_refuses_what_is_longer_than_the_model_instead_of_cutting_it(county, field, limit):
    body = {"title": "新任务", "lead_unit": county.town_a.pk, "deadline": "2031-06-30", field: "长" * (limit + 1)}
    response = call(county.office, "post", "tasks", body)
    assert response.status_code == 422
    assert response.json() == {"detail": f"{field}：不超过 {limit} 个字", "field": field}
    assert not Task.objects.exists()
    body[field] = "长" * limit
    assert call(county.office, "post", "tasks", body).json()[field] == "长" * limit


def test_office_edits_a_task(county, task):
    response = call(county.office, "patch", f"tasks/{task.pk}", {
        "version": task.version, "title": "新标题", "deadline": "2031-06-30", "lead_unit": county.commerce.pk,
        "co_units": [county.ndrc.pk, county.commerce.pk], "leader": None, "cadence": 15})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["deadline"], body["lead_unit"]["name"], body["leader"], body["cadence"]) == (
        "新标题", "2031-06-30", "商务局", None, 15)
    assert [u["name"] for u in body["co_units"]] == ["发展改革委"]
    assert body["version"] == task.version + 1
    entry = AuditEntry.objects.get(task=task, action="修改任务")
    assert entry.changes["title"] == ["持续开展招商引资突破年活动", "新标题"]
    audit = call(county.office, "get", f"tasks/{task.pk}/audit").json()
    assert [a["action"] for a in audit] == ["修改任务", "发布任务"]
    assert audit[0]["actor"] == "王督查"


def test_edit_without_changes_keeps_the_version(county, task):
    body = call(county.office, "patch", f"tasks/{task.pk}", {"version": task.version, "title": task.title}).json()
    assert body["version"] == task.version


@pytest.mark.parametrize("body,field", [
    ({"title": "x"}, None),  # no version
    ({"version": "one", "title": "x"}, None),
    ({"version": 1, "title": None}, None),
    ({"version": 1, "title": ""}, None),
    ({"version": 1, "title": "长" * 201}, None),
    ({"version": 1, "lead_unit": None}, None),
    ({"version": 1, "lead_unit": 999999}, "lead_unit"),
    ({"version": 1, "lead_unit": 10**30}, None),
    ({"version": 1, "leader": 999999}, "leader"),
    ({"version": 1, "co_units": [999999]}, "co_units"),
    ({"version": 1, "deadline": "2020-01-01"}, "deadline"),  # before the assignment date
    ({"version": 1, "deadline": "2021-13-01"}, None),
    ({"version": 1, "cadence": 8}, None),
])
def test_edit_bad_input_is_422_and_nothing_changes(county, task, body, field):
    response = call(county.office, "patch", f"tasks/{task.pk}", body)
    assert response.status_code == 422, response.content
    if field:
        assert response.json()["field"] == field
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.version, fresh.title, fresh.deadline, fresh.lead_unit_id) == (
        task.version, task.title, task.deadline, task.lead_unit_id)


def test_leader_must_be_a_leader(county, task):
    response = call(county.office, "patch", f"tasks/{task.pk}", {"version": 1, "leader": county.clerk_a.person.pk})
    assert response.status_code == 422 and response.json()["field"] == "leader"


def test_stale_version_is_409_with_the_current_task(county, task):
    services.update_task(task, county.office, task.version, title="别人先改了")
    response = call(county.office, "patch", f"tasks/{task.pk}", {"version": task.version, "title": "我的修改"})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "该记录已被他人修改，请查看最新内容后重新提交"
    assert body["current"]["title"] == "别人先改了" and body["current"]["version"] == task.version + 1
    assert Task.objects.get(pk=task.pk).title == "别人先改了"


# --- progress, verify, return -------------------------------------------------------------

def test_report_progress_and_list_reports(county, task):
    response = call(county.clerk_a, "post", f"tasks/{task.pk}/reports", {"percent": 35, "text": "已签约2个"})
    assert response.status_code == 201
    assert response.json()["unit"]["name"] == "河阳镇" and response.json()["percent"] == 35
    call(county.clerk_commerce, "post", f"tasks/{task.pk}/reports", {"percent": 50, "text": "商务局配合"})
    reports = call(county.office, "get", f"tasks/{task.pk}/reports").json()
    assert [(r["unit"]["name"], r["percent"]) for r in reports] == [("商务局", 50), ("河阳镇", 35)]
    fresh = Task.objects.get(pk=task.pk)
    # the co-unit's 50% is its part; the task's progress is the lead unit's figure
    assert (fresh.progress, fresh.status, fresh.version) == (35, "in_progress", task.version + 2)


@pytest.mark.parametrize("body,field", [
    ({"percent": 150, "text": "x"}, "percent"),
    ({"percent": -1, "text": "x"}, "percent"),
    ({"percent": 10**30, "text": "x"}, "percent"),
    ({"percent": 10, "text": "  "}, "text"),
    ({"percent": "很多", "text": "x"}, None),
    ({"text": "x"}, None),
    ({"percent": 10}, None),
])
def test_report_bad_input_is_422(county, task, body, field):
    response = call(county.clerk_a, "post", f"tasks/{task.pk}/reports", body)
    assert response.status_code == 422
    if field:
        assert response.json()["field"] == field
    assert not ProgressReport.objects.exists()


def test_only_the_lead_unit_reports_done(county, task):
    response = call(county.clerk_commerce, "post", f"tasks/{task.pk}/reports", {"percent": 100, "text": "完成",
                                                                                   "done": True})
    assert response.status_code == 422 and response.json()["field"] == "done"


def test_verify_and_return(county, task):
    assert call(county.office, "post", f"tasks/{task.pk}/verify").status_code == 422  # not reported done
    call(county.clerk_a, "post", f"tasks/{task.pk}/reports", {"percent": 100, "text": "完成", "done": True})
    assert call(county.office, "post", f"tasks/{task.pk}/return", {"reason": " "}).json()["field"] == "reason"
    returned = call(county.office, "post", f"tasks/{task.pk}/return", {"reason": "缺少佐证"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    call(county.clerk_a, "post", f"tasks/{task.pk}/reports", {"percent": 100, "text": "补充佐证", "done": True})
    verified = call(county.office, "post", f"tasks/{task.pk}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    again = call(county.clerk_a, "post", f"tasks/{task.pk}/reports", {"percent": 100, "text": "再报"})
    assert again.status_code == 422 and "已核销" in again.json()["detail"]


# --- targets ------------------------------------------------------------------------------

def test_fill_confirm_and_return_targets(county, task):
    blank, fixed = task.targets.all()
    filled = call(county.clerk_a, "post", f"targets/{blank.pk}/fill", {"value": 8, "note": "按去年基数"})
    assert filled.status_code == 200
    assert (filled.json()["value"], filled.json()["state"], filled.json()["display"]) == (
        "8", "filled", "引进亿元以上项目8个")
    returned = call(county.office, "post", f"targets/{blank.pk}/return", {"note": "偏低"})
    assert returned.json()["state"] == "returned"
    call(county.clerk_a, "post", f"targets/{blank.pk}/fill", {"value": "10"})
    confirmed = call(county.office, "post", f"targets/{blank.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert call(county.clerk_a, "post", f"targets/{blank.pk}/fill", {"value": 11}).status_code == 422
    assert call(county.clerk_a, "post", f"targets/{fixed.pk}/fill", {"value": 11}).status_code == 422
    assert call(county.office, "post", f"targets/{fixed.pk}/confirm").status_code == 422
    assert call(county.office, "post", f"targets/{fixed.pk}/return", {"note": "x"}).status_code == 422


@pytest.mark.parametrize("body", [{"value": -1}, {"value": "很多"}, {"value": "1e30"}, {"value": "Infinity"},
                                  {"value": None}, {}, {"value": 1, "note": "长" * 201}])
def test_fill_target_bad_values_are_422(county, task, body):
    blank = task.targets.first()
    assert call(county.clerk_a, "post", f"targets/{blank.pk}/fill", body).status_code == 422
    blank.refresh_from_db()
    assert (blank.state, blank.value) == (Target.State.BLANK, None)


def test_return_target_needs_a_reason(county, task):
    blank = task.targets.first()
    services.fill_target(blank, county.clerk_a, 3)
    response = call(county.office, "post", f"targets/{blank.pk}/return", {"note": ""})
    assert response.status_code == 422 and response.json()["field"] == "note"


# --- supervision notices ------------------------------------------------------------------

def test_issue_list_and_reply_notice(county, red_task):
    issued = call(county.office, "post", f"tasks/{red_task.pk}/notices",
                  {"reason": "超期未完成", "requirement": "5日内答复", "reply_due": later(5)})
    assert issued.status_code == 201
    notice = issued.json()
    assert notice["number"] == f"督办〔{timezone.localdate().year}〕1号"
    assert (notice["unit"]["name"], notice["light"], notice["status"]) == ("河阳镇", "red", "open")
    assert notice["task"]["code"] == red_task.code

    listed = call(county.clerk_a, "get", "notices").json()
    assert [n["id"] for n in listed["items"]] == [notice["id"]]
    assert call(county.clerk_a, "get", "notices?status=replied").json()["count"] == 0
    assert call(county.clerk_a, "get", f"notices?task={red_task.pk}").json()["count"] == 1
    assert call(county.clerk_a, "get", "notices?status=lost").status_code == 422

    assert call(county.clerk_a, "post", f"notices/{notice['id']}/reply", {"reply": ""}).json()["field"] == "reply"
    replied = call(county.clerk_a, "post", f"notices/{notice['id']}/reply", {"reply": "已制定整改方案"})
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    again = call(county.clerk_a, "post", f"notices/{notice['id']}/reply", {"reply": "再答"})
    assert again.status_code == 422 and "已答复" in again.json()["detail"]


@pytest.mark.parametrize("body,field", [
    ({"reason": ""}, "reason"),
    ({"reason": "x", "reply_due": "2020-01-01"}, "reply_due"),
    ({"reason": "x", "reply_due": "下周"}, None),
    ({}, None),
])
def test_issue_notice_bad_input(county, red_task, body, field):
    response = call(county.office, "post", f"tasks/{red_task.pk}/notices", body)
    assert response.status_code == 422
    if field:
        assert response.json()["field"] == field


def test_green_task_needs_no_notice(county, make_task):
    today = timezone.localdate()
    task = make_task(on=today, deadline=today + dt.timedelta(days=200))
    response = call(county.office, "post", f"tasks/{task.pk}/notices", {"reason": "x"})
    assert response.status_code == 422 and "绿灯" in response.json()["detail"]


# --- leader instructions ------------------------------------------------------------------

def test_give_list_and_reply_instruction(county, task):
    given = call(county.leader, "post", f"tasks/{task.pk}/instructions", {"text": "请商务局牵头推进",
                                                                           "unit": county.commerce.pk,
                                                                           "due": later()})
    assert given.status_code == 201
    body = given.json()
    assert (body["unit"]["name"], body["task_id"], body["status"]) == ("商务局", task.pk, "open")
    default = call(county.leader, "post", f"tasks/{task.pk}/instructions", {"text": "抓紧", "due": later()})
    assert default.json()["unit"]["name"] == "河阳镇"  # the lead unit unless named

    assert [i["id"] for i in call(county.clerk_commerce, "get", "instructions").json()["items"]] == [body["id"]]
    assert call(county.leader, "get", "instructions?status=open").json()["count"] == 2
    assert call(county.leader, "get", "instructions?status=lost").status_code == 422
    replied = call(county.clerk_commerce, "post", f"instructions/{body['id']}/reply", {"reply": "已对接3家企业"})
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert call(county.clerk_commerce, "post", f"instructions/{body['id']}/reply",
                {"reply": "再答"}).status_code == 422


@pytest.mark.parametrize("body,field", [
    ({"text": "", "due": "2099-01-01"}, "text"),
    ({"text": "x", "due": "2020-01-01"}, "due"),
    ({"text": "x", "due": "2099-01-01", "unit": 999999}, "unit"),
    ({"text": "x", "due": "2099-01-01", "unit": 10**30}, None),
    ({"text": "x"}, None),
])
def test_give_instruction_bad_input(county, task, body, field):
    response = call(county.leader, "post", f"tasks/{task.pk}/instructions", body)
    assert response.status_code == 422
    if field:
        assert response.json()["field"] == field


# --- publishing a document ----------------------------------------------------------------

@pytest.fixture
def document(county):
    return Document.objects.create(title="县委经济工作会议讲话", text="……", uploaded_by=county.office)


def test_publish_document(county, document):
    rows = [{"title": "招商引资", "lead_unit": "商务局", "deadline": "2031-12-31", "start": 0, "end": 4,
             "source_text": "招商引资"},
            {"title": "乡村振兴", "lead_unit": county.town_a.pk, "co_units": ["西虢镇"]}]
    response = call(county.office, "post", f"documents/{document.pk}/publish", {"rows": rows})
    assert response.status_code == 201
    assert [t["title"] for t in response.json()] == ["招商引资", "乡村振兴"]
    assert Task.objects.get(title="招商引资").source_text == "招商引资"
    document.refresh_from_db()
    assert document.status == Document.Status.PUBLISHED
    again = call(county.office, "post", f"documents/{document.pk}/publish", {"rows": rows})
    assert again.status_code == 422 and "重复发布" in again.json()["detail"]
    assert Task.objects.count() == 2


def test_publish_is_all_or_nothing(county, document):
    rows = [{"title": "好的一行", "lead_unit": "商务局"}, {"title": "坏的一行", "lead_unit": "火星局"},
            {"title": "", "lead_unit": "商务局"}]
    response = call(county.office, "post", f"documents/{document.pk}/publish", {"rows": rows})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"1", "2"}
    assert not Task.objects.exists()
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT


def test_publish_nothing_or_missing_document(county, document):
    assert call(county.office, "post", f"documents/{document.pk}/publish", {"rows": []}).status_code == 422
    assert call(county.office, "post", "documents/999999/publish", {"rows": []}).status_code == 404
    assert call(county.office, "post", f"documents/{document.pk}/publish", {"rows": "x"}).status_code == 422


# --- found in services while building the API ---------------------------------------------

def test_services_reject_a_target_value_the_column_cannot_hold(county, task):
    blank = task.targets.first()
    with pytest.raises(services.LedgerError):
        services.fill_target(blank, county.clerk_a, "1e30")


def test_confirming_a_target_changed_since_it_was_read_conflicts(county, task):
    blank = task.targets.filter(placeholder=True).first()
    seen = call(county.clerk_a, "post", f"targets/{blank.pk}/fill", {"value": 8}).json()
    call(county.clerk_a, "post", f"targets/{blank.pk}/fill", {"value": 3})
    response = call(county.office, "post", f"targets/{blank.pk}/confirm?version={seen['version']}")
    assert response.status_code == 409 and float(response.json()["current"]["value"]) == 3
    assert call(county.office, "post", f"targets/{blank.pk}/confirm").status_code == 200


def test_a_target_bound_to_a_live_figure_shows_its_actual(county, task, settings):
    from luoshi.projects import services as projects

    settings.LUOSHI_TODAY = "2021-06-30"
    blank = task.targets.get(placeholder=True)
    assert call(county.office, "get", f"tasks/{task.pk}").json()["targets"][0]["actual"] is None
    projects.bind_target(county.office, blank, "signed_major_leads", 2021)
    lead = projects.create_lead(county.office, "新能源电池项目", "某电池公司", 50000, "other_province",
                                county.commerce)
    projects.advance_lead(lead, county.office)  # 洽谈 → 签约
    targets = call(county.office, "get", f"tasks/{task.pk}").json()["targets"]
    assert [t["actual"] for t in targets] == ["1", None]


def test_a_milestone_before_the_task_was_assigned_is_422_naming_due(county, task):
    response = call(county.office, "post", f"tasks/{task.pk}/milestones", {"title": "完成征地", "due": "0001-01-01"})
    assert response.status_code == 422
    assert response.json() == {"detail": "节点计划时间不能早于交办日期 2021-01-04", "field": "due"}
    assert not task.milestones.exists()


def test_milestones_added_by_the_office_done_by_the_lead_unit(county, task):
    assert call(county.clerk_a, "post", f"tasks/{task.pk}/milestones",
                {"title": "完成征地", "due": "2021-03-01"}).status_code == 403
    response = call(county.office, "post", f"tasks/{task.pk}/milestones", {"title": "完成征地", "due": "2021-03-01"})
    assert response.status_code == 201
    done = f"tasks/{task.pk}/milestones/{response.json()['id']}/done"
    assert call(county.clerk_b, "post", done).status_code == 404
    assert call(county.clerk_a, "post", done).json()["done_on"]
    assert call(county.clerk_a, "post", done).status_code == 422  # done once
