"""Projects API: happy paths, errors as the ledger API formats them, and the 409 on a stale version."""
import json

import pytest
from django.test import Client

from luoshi.ledger.models import AuditEntry
from luoshi.org.models import ApiToken
from luoshi.projects import services
from luoshi.projects.models import Lead, Problem, Project, Stage, StageItem


def call(user, method, path, body=None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = "Bearer " + ApiToken.objects.get_or_create(user=user, name="test")[0].key
    if body is not None:
        return getattr(Client(), method)("/api/" + path, json.dumps(body), content_type="application/json", **headers)
    return getattr(Client(), method)("/api/" + path, **headers)


def test_schema_lists_the_project_paths(db):
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ["/api/projects", "/api/projects/{project_id}", "/api/projects/{project_id}/advance",
                 "/api/projects/{project_id}/items/{item_id}/done", "/api/projects/{project_id}/reports",
                 "/api/projects/{project_id}/problems", "/api/projects/problems",
                 "/api/projects/problems/{problem_id}/reply",
                 "/api/projects/problems/{problem_id}/close", "/api/projects/{project_id}/audit", "/api/leads",
                 "/api/leads/{lead_id}/advance", "/api/leads/{lead_id}/convert", "/api/leads/{lead_id}/funds",
                 "/api/live-figures"]:
        assert path in paths, path


def test_schema_keeps_apart_choices_and_bodies_that_share_a_class_name(db):
    """Stage and Lead.Stage, Project.Category and Problem.Category, the monthly report and the task's progress
    report, the problem's reply and a notice's reply each shared one name, so one of each pair was published for
    both (the fuzzer read a lead's stage "talking" as invalid)."""
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    for name, choices in [("ProjectStage", Stage), ("LeadStage", Lead.Stage), ("ProjectCategory", Project.Category),
                          ("ProblemCategory", Problem.Category), ("ProblemStatus", Problem.Status)]:
        assert components[name]["enum"] == choices.values, name
    assert components["LeadOut"]["properties"]["stage"]["$ref"].endswith("/LeadStage")
    assert components["ProjectOut"]["properties"]["stage"]["$ref"].endswith("/ProjectStage")
    assert components["ProblemOut"]["properties"]["category"]["$ref"].endswith("/ProblemCategory")

    def body(path):
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return components[ref.rsplit("/", 1)[1]]

    assert set(body("/api/projects/{project_id}/reports")["required"]) == {"month", "investment", "progress"}
    assert body("/api/projects/problems/{problem_id}/reply")["required"] == ["reply"]
    listed = schema["paths"]["/api/projects/{project_id}/reports"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/MonthlyReportOut")


def test_create_list_and_filter(county, project, other_project):
    response = call(county.office, "post", "projects", {
        "name": "新一中", "category": "livelihood", "leader": county.leader.person.pk, "lead_unit": "发改委",
        "total_investment": "56000", "annual_investment": "20000", "members": [county.clerk_a.person.pk],
        "township": "河阳镇", "planned_construction": "2021-09-30"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_unit"]["name"] == "发展改革委" and body["total_investment"] == "56000.00"
    assert body["members"][0]["name"] == "河阳专干" and body["stage"] == "introduced"
    assert [i["name"] for i in body["checklist"] if i["stage"] == "introduced"][:2] == ["签订投资协议", "项目赋码（备案）"]
    listed = call(county.office, "get", "projects?category=livelihood").json()
    assert [p["name"] for p in listed["items"]] == ["新一中"]
    assert call(county.office, "get", "projects?q=S237").json()["count"] == 1


def test_create_errors_are_422_with_the_field(county, project):
    response = call(county.office, "post", "projects", {
        "name": "黄河大桥", "category": "industry", "leader": county.leader.person.pk, "lead_unit": county.town_a.pk,
        "total_investment": "1"})
    assert response.status_code == 422
    assert response.json() == {"detail": "项目“黄河大桥”已存在", "field": "name"}
    response = call(county.office, "post", "projects", {
        "name": "x", "category": "industry", "leader": "没有这个人", "lead_unit": county.town_a.pk,
        "total_investment": "1"})
    assert response.json() == {"detail": "责任领导“没有这个人”不存在", "field": "leader"}
    assert call(county.clerk_a, "post", "projects", {
        "name": "y", "category": "industry", "leader": county.leader.person.pk, "lead_unit": county.town_a.pk,
        "total_investment": "1"}).status_code == 403


def test_patch_with_a_stale_version_is_409(county, project):
    ok = call(county.office, "patch", f"projects/{project.pk}", {"version": project.version, "city_key": True})
    assert ok.status_code == 200 and ok.json()["city_key"] and ok.json()["version"] == project.version + 1
    stale = call(county.office, "patch", f"projects/{project.pk}", {"version": project.version, "owner": "交投公司"})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("该记录已被他人修改") and stale.json()["current"]["city_key"] is True
    assert Project.objects.get(pk=project.pk).owner == ""


def test_stage_items_reports_and_problems(county, project, frozen):
    gate = call(county.clerk_a, "post", f"projects/{project.pk}/advance")
    assert gate.status_code == 422 and "签订投资协议" in gate.json()["detail"]
    for item in StageItem.objects.filter(stage=Stage.INTRODUCED, required=True):
        done = call(county.clerk_a, "post", f"projects/{project.pk}/items/{item.pk}/done", {})
        assert done.status_code == 200
    assert call(county.clerk_a, "post", f"projects/{project.pk}/advance").json()["stage"] == "preparation"

    report = call(county.clerk_a, "post", f"projects/{project.pk}/reports",
                  {"month": "2021-06", "investment": "1234.5", "progress": "完成桩基 40 根"})
    assert report.status_code == 201 and report.json()["year_to_date"] == "1234.50"
    assert call(county.clerk_a, "post", f"projects/{project.pk}/reports",
                {"month": "2021-6", "investment": "1", "progress": "x"}).status_code == 422
    assert len(call(county.leader, "get", f"projects/{project.pk}/reports").json()) == 1

    problem = call(county.clerk_a, "post", f"projects/{project.pk}/problems", {
        "category": "land", "text": "临时用地未批", "unit": "商务局", "deadline": "2021-07-31"})
    assert problem.status_code == 201
    pk = problem.json()["id"]
    assert [p["id"] for p in call(county.clerk_commerce, "get", "projects/problems").json()["items"]] == [pk]
    assert call(county.clerk_b, "post", f"projects/problems/{pk}/reply", {"reply": "x"}).status_code == 404
    replied = call(county.clerk_commerce, "post", f"projects/problems/{pk}/reply", {"reply": "已协调自然资源局"})
    assert replied.json()["status"] == "replied"
    assert call(county.clerk_a, "post", f"projects/problems/{pk}/close").json()["status"] == "closed"
    actions = [e["action"] for e in call(county.office, "get", f"projects/{project.pk}/audit").json()]
    assert actions[0] == "办结协调事项" and actions[-1] == "新建项目" and "进入下一阶段" in actions


def test_reports_that_would_overflow_the_totals_are_422_and_change_nothing(county, project, frozen):
    """Each month fits MONEY (12 digits before the point) but their sum did not: a 500 from PostgreSQL, and on
    SQLite a stored total it could not read back, so the project itself then gave 500s."""
    most = "999999999999.99"
    assert call(county.clerk_a, "post", f"projects/{project.pk}/reports",
                {"month": "2021-05", "investment": most, "progress": "x"}).status_code == 201
    over = call(county.clerk_a, "post", f"projects/{project.pk}/reports",
                {"month": "2021-06", "investment": "1", "progress": "x"})
    assert over.status_code == 422 and over.json()["field"] == "investment"
    assert [r["month"] for r in call(county.office, "get", f"projects/{project.pk}/reports").json()] == ["2021-05-01"]
    assert call(county.office, "get", f"projects/{project.pk}").json()["completed_investment"] == most
    # correcting the same month replaces its amount, so it still fits
    assert call(county.clerk_a, "post", f"projects/{project.pk}/reports",
                {"month": "2021-05", "investment": most, "progress": "更正"}).status_code == 201


def test_amounts_whose_conversion_to_cny_would_overflow_are_422(county, lead, frozen):
    body = {"name": "外资", "investor": "外资", "amount": "999999999999.99", "currency": "USD", "source": "abroad",
            "unit": county.commerce.pk}
    refused = call(county.office, "post", "leads", body)
    assert refused.status_code == 422 and refused.json()["field"] == "amount"
    assert not Lead.objects.filter(name="外资").exists()
    dollars = services.create_lead(county.office, "美元项目", "外资", "100", "abroad", county.commerce, currency="USD")
    services.advance_lead(dollars, county.office)
    funds = call(county.office, "post", f"leads/{dollars.pk}/funds", {"month": "2021-07", "amount": "999999999999.99"})
    assert funds.status_code == 422 and funds.json()["field"] == "amount"
    assert call(county.office, "get", f"leads/{dollars.pk}/funds").json() == []


def test_leads_funds_conversion_and_figures(county, lead, other_lead, frozen):
    created = call(county.clerk_commerce, "post", "leads", {
        "name": "进口肉类深加工", "investor": "外资", "amount": "2000", "currency": "USD", "source": "abroad",
        "unit": county.commerce.pk})
    assert created.status_code == 201 and created.json()["above_100m"] and created.json()["amount_cny"] == "13000.00"
    listed = call(county.clerk_commerce, "get", "leads").json()
    assert {item["name"] for item in listed["items"]} == {"晶能电源二期", "进口肉类深加工"}
    assert call(county.clerk_commerce, "get", "leads?above_100m=false").json()["count"] == 0
    assert call(county.clerk_commerce, "post", f"leads/{other_lead.pk}/advance").status_code == 404

    signed = call(county.clerk_commerce, "post", f"leads/{lead.pk}/advance").json()
    assert signed["stage"] == "signed" and signed["signed_on"] == "2021-07-15"
    funds = call(county.clerk_commerce, "post", f"leads/{lead.pk}/funds", {"month": "2021-07", "amount": "8000"})
    assert funds.status_code == 201
    assert call(county.clerk_commerce, "get", f"leads/{lead.pk}/funds").json()[0]["amount_cny"] == "8000.00"
    converted = call(county.office, "post", f"leads/{lead.pk}/convert",
                     {"leader": county.leader.person.pk, "category": "industry"})
    assert converted.status_code == 201 and converted.json()["owner"] == "晶能电源有限公司"
    assert Lead.objects.get(pk=lead.pk).project_id == converted.json()["id"]

    figures = {f["figure"]: f["value"] for f in call(county.leader, "get", "live-figures").json()}
    assert figures["signed_major_leads"] == "1" and figures["funds_other_province"] == "0.80"
    assert call(county.leader, "get", "live-figures?year=1800").status_code == 422


# --- role × endpoint ------------------------------------------------------------------------

@pytest.fixture
def world(county, project, lead, frozen):
    problem = services.raise_problem(project, county.clerk_a, "land", "临时用地未批", county.commerce, "2021-07-30")
    return {"project": project.pk, "problem": problem.pk, "lead": services.advance_lead(lead, county.office).pk,
            "item": StageItem.objects.filter(stage="introduced").first().pk}


def snapshot():
    return (list(Project.objects.values_list("stage", "version", "owner", "completed_investment")),
            list(Problem.objects.values_list("status", "reply")), list(Lead.objects.values_list("stage", "project")),
            AuditEntry.objects.count())


READ = {"office": 200, "head": 200, "leader": 200, "leader2": 404, "clerk_a": 200, "clerk_commerce": 200,
        "clerk_b": 404, "anon": 401}
API = [
    ("get", "projects/{project}", None, READ),
    ("get", "projects/{project}/reports", None, READ),
    ("get", "projects/{project}/audit", None, READ),
    ("get", "leads/{lead}/funds", None, {**READ, "leader": 404, "clerk_a": 404}),
    ("patch", "projects/{project}", {"version": 1, "owner": "x"}, {**READ, "office": 200, "head": 403, "leader": 403,
                                                                    "clerk_a": 403, "clerk_commerce": 403}),
    ("post", "projects/{project}/reports", {"month": "2021-06", "investment": "1", "progress": "x"},
     {**READ, "office": 201, "head": 403, "leader": 403, "clerk_a": 201, "clerk_commerce": 201}),
    ("post", "projects/{project}/items/{item}/done", {}, {**READ, "head": 403, "leader": 403}),
    ("post", "projects/problems/{problem}/reply", {"reply": "已协调"},
     {**READ, "office": 403, "head": 403, "leader": 403, "clerk_a": 403}),
    ("post", "leads/{lead}/advance", None, {**READ, "head": 403, "leader": 404, "clerk_a": 404}),
    ("post", "leads/{lead}/convert", {"leader": "李副县长", "category": "industry"},
     {**READ, "office": 201, "head": 403, "leader": 404, "clerk_a": 404, "clerk_commerce": 403}),
]


@pytest.mark.parametrize("role", list(READ))
@pytest.mark.parametrize("method, path, body, expected", API, ids=[f"{m} {p}" for m, p, _, _ in API])
def test_api_matrix(county, world, role, method, path, body, expected):
    user = None if role == "anon" else getattr(county, role)
    before = snapshot()
    response = call(user, method, path.format(**world), body)
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400:
        assert "detail" in response.json()
        assert snapshot() == before
