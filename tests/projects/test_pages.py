"""Project pages: role × page matrix (another township's clerk gets 404 and changes nothing), the forms' flows."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.ledger.models import AuditEntry
from luoshi.projects import services
from luoshi.projects.models import FundsInPlace, Lead, MonthlyReport, Problem, Project, ProjectItem, StageItem

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ROLES = ["office", "head", "leader", "leader2", "clerk_a", "member", "clerk_b", "clerk_ndrc", "anon"]


@pytest.fixture
def world(county, project, other_project, lead, frozen):
    """黄河大桥 (河阳镇's, 李副县长's, 商务局's clerk on the team) with a photo report and a problem for 发改委;
    商务局's lead, signed."""
    from django.contrib.auth.models import User
    from luoshi.org.models import Person

    user = User.objects.create_user("clerk_ndrc", "ndrc@example.cn", "x")
    Person.objects.create(user=user, name="发改委联络员", unit=county.ndrc, role=Person.Role.UNIT_CLERK)
    county.clerk_ndrc, county.member = user, county.clerk_commerce
    report = services.report_month(project, county.clerk_a, "2021-06", "800", "桩基施工",
                                   [SimpleUploadedFile("现场.png", PNG, "image/png")])
    problem = services.raise_problem(project, county.clerk_a, "用地", "临时用地未批", county.ndrc, "2021-07-30")
    lead = services.advance_lead(lead, county.office)
    return {"project": project, "photo": report.photos.get(), "problem": problem, "lead": lead,
            "item": StageItem.objects.filter(stage="introduced").first()}


def login(client, county, role):
    if role != "anon":
        client.force_login(getattr(county, role))
    return client


def expect(expected, response):
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/login/"), response.status_code
    else:
        assert response.status_code == expected, (response.status_code, response.content[:300])


READERS = {"office": 200, "head": 200, "leader": 200, "leader2": 404, "clerk_a": 200, "member": 200,
           "clerk_b": 404, "clerk_ndrc": 404, "anon": "login"}
LEAD_READERS = {"office": 200, "head": 200, "leader": 404, "leader2": 404, "clerk_a": 404, "member": 200,
                "clerk_b": 404, "clerk_ndrc": 404, "anon": "login"}
EVERYONE = {**{r: 200 for r in ROLES}, "anon": "login"}
OFFICE_ONLY = {**{r: 403 for r in ROLES}, "office": 200, "anon": "login"}
PAGES = {
    "/projects/": EVERYONE,
    "/projects/problems/": EVERYONE,
    "/projects/leads/": EVERYONE,
    "/projects/export.xlsx": EVERYONE,
    "/projects/new/": OFFICE_ONLY,
    "/projects/import/": OFFICE_ONLY,
    "/projects/{project}/": READERS,
    "/projects/{project}/photos/{photo}/": READERS,
    "/projects/leads/{lead}/": LEAD_READERS,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_matrix(client, county, world, page, role):
    expect(PAGES[page][role], login(client, county, role).get(page.format(**{k: v.pk for k, v in world.items()})))


def snapshot():
    return (list(Project.objects.values_list("stage", "version", "light", "owner")),
            MonthlyReport.objects.count(), ProjectItem.objects.count(),
            list(Problem.objects.values_list("status", "reply")), list(Lead.objects.values_list("stage", "project")),
            FundsInPlace.objects.count(), AuditEntry.objects.count())


ACTIONS = {
    # url: (data, {role: status}); roles not listed are refused with 403 (seen) or 404 (not seen)
    "/projects/{project}/report/": {"report-month": "2021-06", "report-investment": "10", "report-progress": "x"},
    "/projects/{project}/advance/": {},
    "/projects/{project}/items/{item}/done/": {},
    "/projects/{project}/problems/": {"problem-category": "land", "problem-text": "x", "problem-deadline": "2021-08-01"},
    "/projects/{project}/edit/": {"project-name": "改名"},
    "/projects/problems/{problem}/reply/": {"r{problem}-reply": "已办"},
    "/projects/problems/{problem}/close/": {},
    "/projects/leads/{lead}/advance/": {},
    "/projects/leads/{lead}/funds/": {"funds-month": "2021-06", "funds-amount": "5"},
    "/projects/leads/{lead}/convert/": {"convert-category": "industry"},
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ["clerk_b", "leader2", "anon"])
def test_outsiders_change_nothing(client, county, world, action, role):
    ids = {k: v.pk for k, v in world.items()}
    before = snapshot()
    data = {k.format(**ids): v for k, v in ACTIONS[action].items()}
    response = login(client, county, role).post(action.format(**ids), data)
    if role == "anon":
        expect("login", response)
    else:
        assert response.status_code == 404, (action, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize("action, role", [
    ("/projects/{project}/report/", "leader"), ("/projects/{project}/advance/", "head"),
    ("/projects/{project}/edit/", "clerk_a"), ("/projects/problems/{problem}/reply/", "clerk_a"),
    ("/projects/leads/{lead}/convert/", "member"), ("/projects/problems/{problem}/close/", "clerk_ndrc"),
])
def test_seeing_is_not_acting(client, county, world, action, role):
    ids = {k: v.pk for k, v in world.items()}
    before = snapshot()
    data = {k.format(**ids): v for k, v in ACTIONS[action].items()}
    assert login(client, county, role).post(action.format(**ids), data).status_code == 403
    assert snapshot() == before


def test_team_member_files_the_monthly_report_with_a_photo(client, county, world):
    client.force_login(county.member)
    project = world["project"]
    response = client.post(f"/projects/{project.pk}/report/", {
        "report-month": "2021-07", "report-investment": "1200", "report-progress": "主墩完成",
        "report-photos": [SimpleUploadedFile("七月.png", PNG, "image/png")]})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.completed_investment == 2000 and project.reports.get(month=dt.date(2021, 7, 1)).photos.exists()
    bad = client.post(f"/projects/{project.pk}/report/", {
        "report-month": "2021-09", "report-investment": "1", "report-progress": "x"})
    assert bad.status_code == 200 and "不能填报未来月份" in bad.content.decode()
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "2021年投资完成" in page and "<polyline" in page and "七月.png" in page and "填报月调度" in page


def test_stage_gate_message_on_the_page(client, county, world):
    client.force_login(county.clerk_a)
    project = world["project"]
    response = client.post(f"/projects/{project.pk}/advance/", follow=True)
    assert "须办结“项目引进”阶段的必办事项：签订投资协议、项目赋码（备案）" in response.content.decode()
    for item in StageItem.objects.filter(stage="introduced", required=True):
        client.post(f"/projects/{project.pk}/items/{item.pk}/done/")
    client.post(f"/projects/{project.pk}/advance/")
    assert Project.objects.get(pk=project.pk).stage == "preparation"


def test_problem_reply_by_the_asked_unit(client, county, world):
    client.force_login(county.clerk_ndrc)
    problem = world["problem"]
    assert "临时用地未批" in client.get("/projects/problems/").content.decode()
    response = client.post(f"/projects/problems/{problem.pk}/reply/", {f"r{problem.pk}-reply": "已报批"})
    assert response.status_code == 302
    assert Problem.objects.get(pk=problem.pk).status == "replied"


def test_office_edit_conflict_keeps_both_versions(client, county, world):
    project = world["project"]
    client.force_login(county.office)
    form = client.get(f"/projects/{project.pk}/").context["edit_form"]
    data = {f"project-{k}": v for k, v in form.initial.items() if v not in (None, False)}
    data["project-leader"] = project.leader_id
    data["project-lead_unit"] = project.lead_unit_id
    data["project-programme"] = project.programme_id
    data["project-members"] = [p.pk for p in project.members.all()]
    services.update_project(project, county.office, data["project-version"], owner="交投集团")  # someone else
    data["project-owner"] = "城投公司"
    response = client.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 409 and "该项目已被他人修改" in response.content.decode()
    assert Project.objects.get(pk=project.pk).owner == "交投集团"
    data["project-version"] = Project.objects.get(pk=project.pk).version
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    assert Project.objects.get(pk=project.pk).owner == "城投公司"


def test_board_and_conversion(client, county, world):
    client.force_login(county.office)
    page = client.get("/projects/leads/").content.decode()
    assert "晶能电源二期" in page and "亿元以上" in page
    response = client.post("/projects/leads/", {
        "lead-name": "孟州保税物流", "lead-investor": "某物流集团", "lead-amount": "800", "lead-currency": "USD",
        "lead-source": "abroad", "lead-unit": county.commerce.pk})
    assert response.status_code == 302
    assert Lead.objects.get(name="孟州保税物流").amount_cny == 5200
    response = client.post(f"/projects/leads/{world['lead'].pk}/convert/", {
        "convert-leader": county.leader.person.pk, "convert-category": "industry"})
    project = Project.objects.get(name="晶能电源二期")
    assert response["Location"] == f"/projects/{project.pk}/"


def test_list_filters(client, county, world, other_project):
    client.force_login(county.office)
    page = client.get("/projects/?township=&stage=introduced&q=S237").content.decode()
    assert "S237" in page and "黄河大桥" not in page
    assert client.get(f"/projects/?programme={world['project'].programme_id}").context["page"].paginator.count == 1
