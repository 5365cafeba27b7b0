"""The 月调度 table: export columns and figures, import with per-row errors (all or nothing), round trip."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from luoshi.projects import excel, services
from luoshi.projects.models import Problem, Programme, Project

FIELDS = ["name", "category", "programme__name", "township__name", "owner", "leader__name", "lead_unit__name",
          "total_investment", "annual_investment", "stage", "provincial_key", "city_key", "planned_preparation",
          "planned_construction", "planned_completion"]


def upload(data, name="项目.xlsx"):
    return SimpleUploadedFile(name, data)


def exported(projects, month):
    out = io.BytesIO()
    excel.export_monthly(projects, month, out)
    return out.getvalue()


def test_monthly_table(county, project, other_project, frozen):
    services.report_month(project, county.clerk_a, "2021-05", "3000", "桩基")
    services.report_month(project, county.clerk_a, "2021-06", "4500", "主墩")
    services.raise_problem(project, county.clerk_a, "用地", "临时用地未批", county.ndrc, "2021-07-30")
    closed = services.raise_problem(project, county.clerk_a, "环评", "已解决的", county.ndrc, "2021-07-30")
    Problem.objects.filter(pk=closed.pk).update(status=Problem.Status.CLOSED)
    ws = load_workbook(io.BytesIO(exported(Project.objects.all(), dt.date(2021, 6, 1))), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "重点项目月调度表（2021年6月）"
    assert list(rows[1][:10]) == ["项目名称", "总投资（万元）", "年度计划（万元）", "本月完成（万元）", "累计完成（万元）",
                                  "完成率", "当前阶段", "存在问题", "责任领导", "责任单位"]
    bridge = rows[2]
    assert bridge[:10] == ("黄河大桥", 120000, 30000, 4500, 7500, 0.25, "项目引进", "用地：临时用地未批", "李副县长", "河阳镇")
    assert rows[3][:6] == ("S237（捏掌至里村段）", 120000, 30000, 0, 0, 0)
    # a month without a report: nothing this month, the year-to-date as of the month before
    july = list(load_workbook(io.BytesIO(exported(Project.objects.all(), dt.date(2021, 7, 1))), read_only=True)
                .active.iter_rows(values_only=True))
    assert july[2][3:5] == (0, 7500)


def test_round_trip_gives_the_same_projects(county, project, make_project, frozen):
    Programme.objects.create(name="十件民生实事")
    make_project(name="妇幼保健院迁建", category="livelihood", programme="十件民生实事", township=county.town_b,
                 owner="卫健委", provincial_key=True, city_key=True, stage="前期准备", annual_investment="0",
                 total_investment="38000.5")
    make_project(name="桑坡·记忆特色小镇", category="culture_tourism", lead=county.commerce, leader=county.leader2,
                 planned_preparation=None, planned_construction=None, planned_completion=None)
    before = list(Project.objects.order_by("name").values_list(*FIELDS))
    data = exported(Project.objects.all(), dt.date(2021, 6, 1))
    Project.objects.all().delete()
    result = excel.import_projects(upload(data), county.office)
    assert result.ok, result.errors
    assert list(Project.objects.order_by("name").values_list(*FIELDS)) == before


def sheet(*rows, header=("项目名称", "项目类别", "总投资", "责任领导", "责任单位", "当前阶段", "纳入省重点")):
    wb = Workbook()
    wb.active.append(["某县重点项目清单"])
    wb.active.append(list(header))
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_reports_every_bad_row_and_writes_nothing(county, project):
    data = sheet(("第一人民医院", "社会民生", 52000, "李副县长", "卫健委", "开工建设", "是"),
                 ("中医院传染病区", "医疗", 8000, "李副县长", "发改委", "", ""),
                 ("韩愈文化产业园", "文化旅游", "很多", "李副县长", "发改委", "", ""),
                 ("黄河大桥", "基础设施", 1, "李副县长", "发改委", "", ""),
                 ("吉祥湖水秀", "文化旅游", 1, "王五", "发改委", "", ""),
                 ("城市中心商业综合体", "现代服务业", 1, "李副县长", "发改委", "", "也许"),
                 ("城市中心商业综合体", "现代服务业", 1, "李副县长", "发改委", "", ""))
    result = excel.import_projects(upload(data), county.office)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "责任单位"), (4, "项目类别"), (5, "总投资"), (6, "项目名称"), (7, "责任领导"), (8, "纳入省重点"), (9, "项目名称")]
    assert result.errors[0].message == "责任单位“卫健委”不存在"
    assert result.errors[-1].message == "与第8行重复"
    assert list(Project.objects.values_list("name", flat=True)) == ["黄河大桥"]


def test_import_a_good_list(county, frozen):
    data = sheet(("第一人民医院", "社会民生", 52000, "李副县长", "发改委", "开工建设", "是"),
                 ("新一中", "社会民生", 56000.5, "赵副县长", "河阳镇", "", ""))
    result = excel.import_projects(upload(data), county.office)
    assert result.ok and len(result.projects) == 2
    hospital = Project.objects.get(name="第一人民医院")
    assert (hospital.stage, hospital.provincial_key, hospital.entered_construction) == ("construction", True, frozen)
    assert Project.objects.get(name="新一中").total_investment == Decimal("56000.50")


@pytest.mark.parametrize("name, data, message", [
    ("a.xls", b"x", "另存为 .xlsx"),
    ("a.xlsx", b"not a zip", "已损坏"),
    ("a.xlsx", None, "没有找到表头"),
])
def test_unreadable_files_are_rejected(county, name, data, message):
    if data is None:
        data = sheet(("x",), header=("名称",))
    with pytest.raises(excel.ImportRejected, match=message):
        excel.import_projects(upload(data, name), county.office)


def test_import_and_export_pages(client, county, project, frozen):
    client.force_login(county.office)
    response = client.get("/projects/export.xlsx?month=2021-06")
    assert response.status_code == 200 and "202106" in response["Content-Disposition"]
    bad = client.post("/projects/import/", {"file": upload(sheet(("x", "工业", 1, "无名", "发改委", "", "")))})
    assert bad.status_code == 400 and "责任领导“无名”不存在" in bad.content.decode()
    good = client.post("/projects/import/", {"file": upload(sheet(("新一中", "工业", 1, "李副县长", "发改委", "", "")))})
    assert good.status_code == 302 and Project.objects.filter(name="新一中").exists()
    client.force_login(county.clerk_b)  # another township's clerk exports only what they see: nothing
    rows = list(load_workbook(io.BytesIO(b"".join(client.get("/projects/export.xlsx").streaming_content)),
                              read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 2


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2101-01", "garbage"])
def test_export_of_a_month_outside_2000_2100_is_last_months(client, county, project, frozen, month):
    """?month=9999-12 exported an empty “9999年12月” table: a month the ledger does not take (month_of) is ignored
    like a malformed one, and the 月调度 is last month's."""
    client.force_login(county.office)
    response = client.get(f"/projects/export.xlsx?month={month}")
    assert response.status_code == 200 and response["Content-Disposition"].endswith("202106.xlsx")
    title = next(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active.values)[0]
    assert title == "重点项目月调度表（2021年6月）"


def test_a_big_list_is_imported_by_the_worker(client, county, frozen, run_jobs, settings):
    from luoshi.jobs.models import Job

    settings.LUOSHI_INLINE_IMPORT_BYTES = 0
    client.force_login(county.office)
    data = sheet(("第一人民医院", "社会民生", 52000, "李副县长", "发改委", "开工建设", "是"))
    response = client.post("/projects/import/", {"file": upload(data)})
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.params == {"on": "2021-07-15"}
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.summary, job.result_url) == ("done", "已导入 1 个项目", "/projects/")
    assert Project.objects.get().entered_construction == frozen
