"""Excel export (content, filters, scope) and import (happy path, per-row errors, broken files)."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from luoshi import sheets
from luoshi.ledger import excel, services
from luoshi.ledger.models import Light, Target, Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def ledger_today(settings):
    """Imports check deadlines against the ledger's today; these ledgers are for 2021."""
    settings.LUOSHI_TODAY = "2021-01-04"


def download(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("ledger-export"), params)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return wb["任务台账"]


def rows_of(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]


def sheet(rows, header=("序号", "所属章节", "任务内容", "目标值", "完成时限", "牵头单位", "责任单位", "分管领导"),
          name="台账.xlsx", title_rows=()):
    wb = Workbook()
    ws = wb.active
    for r in title_rows:
        ws.append(r)
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


@pytest.fixture
def ledger(county, make_task):
    """Three tasks: 商务局 (with a blank target), 河阳镇 (co-unit 西虢镇), 西虢镇 (red, other leader)."""
    commerce = make_task(lead=county.commerce, co=[county.ndrc], title="招商引资",
                         text="确保2021年引进亿元以上项目**个", section="一要坚持项目为王",
                         source_text="确保2021年引进亿元以上项目**个，实际利用省外资金**亿元。",
                         targets=[{"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个",
                                   "placeholder": True},
                                  {"text": "实际利用省外资金50亿元", "metric": "实际利用省外资金", "value": 50,
                                   "unit": "亿元"}])
    town = make_task(lead=county.town_a, co=[county.town_b], title="人居环境整治", deadline=dt.date(2021, 6, 30))
    red = make_task(lead=county.town_b, leader=county.leader2, title="两委换届", deadline=dt.date(2021, 2, 11))
    Task.objects.filter(pk=red.pk).update(light=Light.RED, light_reason="已超期10天")
    return {"commerce": commerce, "town": town, "red": red}


def test_export_columns_and_content(client, county, ledger):
    ws = download(client, county.office)
    assert ws.title == "任务台账"
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == [title for title, _ in excel.EXPORT_COLUMNS]
    assert ws.column_dimensions["D"].width == 50
    rows = {r["编号"]: r for r in rows_of(ws)}
    assert len(rows) == 3
    row = rows[ledger["commerce"].code]
    assert row["牵头单位"] == "商务局" and row["责任单位"] == "发展改革委"
    assert row["分管领导"] == "李副县长" and row["所属章节"] == "一要坚持项目为王"
    assert row["目标值"] == "引进亿元以上项目 **个（待填报）；实际利用省外资金 50亿元"
    assert row["依据原文"].startswith("确保2021年")
    assert row["完成时限"].date() == dt.date(2021, 12, 31)
    assert row["状态"] == "已交办" and row["红黄绿灯"] in ("绿灯", "黄灯", "红灯")


def test_export_marks_blank_targets_and_lights(client, county, ledger):
    ws = download(client, county.office)
    header = [c.value for c in ws[1]]
    target_col, light_col = header.index("目标值"), header.index("红黄绿灯")
    by_code = {row[1].value: row for row in ws.iter_rows(min_row=2)}
    assert by_code[ledger["commerce"].code][target_col].fill.fgColor.rgb == "FFFFFF00"
    assert by_code[ledger["town"].code][target_col].fill.fgColor.rgb != "FFFFFF00"
    red_cell = by_code[ledger["red"].code][light_col]
    assert red_cell.value == "红灯" and red_cell.fill.fgColor.rgb == excel.LIGHT_FILLS[Light.RED].fgColor.rgb


def test_filled_target_shows_value_until_confirmed(client, county, ledger):
    target = ledger["commerce"].targets.get(placeholder=True)
    services.fill_target(target, county.clerk_commerce, 8)
    row = next(r for r in rows_of(download(client, county.office)) if r["编号"] == ledger["commerce"].code)
    assert "引进亿元以上项目 8个（待确认）" in row["目标值"]


@pytest.mark.parametrize("params, titles", [
    (lambda c: {"unit": c.town_b.pk}, {"人居环境整治", "两委换届"}),  # lead or co-unit
    (lambda c: {"light": "red"}, {"两委换届"}),
    (lambda c: {"leader": c.leader2.person.pk}, {"两委换届"}),
    (lambda c: {"status": "verified"}, set()),
    (lambda c: {"light": "purple", "unit": "x"}, {"招商引资", "人居环境整治", "两委换届"}),  # nonsense is ignored
])
def test_export_filters(client, county, ledger, params, titles):
    rows = rows_of(download(client, county.office, **params(county)))
    assert {Task.objects.get(code=r["编号"]).title for r in rows} == titles


def test_clerk_exports_only_own_unit(client, county, ledger):
    rows = rows_of(download(client, county.clerk_commerce))
    assert [r["编号"] for r in rows] == [ledger["commerce"].code]
    # a filter for another unit cannot widen the scope
    assert rows_of(download(client, county.clerk_commerce, unit=county.town_a.pk)) == []


def test_leader_exports_tasks_in_charge(client, county, ledger):
    assert [r["编号"] for r in rows_of(download(client, county.leader2))] == [ledger["red"].code]
    assert len(rows_of(download(client, county.head))) == 3


def test_export_requires_login(client, ledger):
    response = client.get(reverse("ledger-export"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_export_is_a_single_query_per_chunk(county, make_task, django_assert_max_num_queries):
    for i in range(20):
        make_task(lead=county.town_a, co=[county.commerce], title=f"任务{i}")
    out = io.BytesIO()
    with django_assert_max_num_queries(4):  # tasks, co-units, targets: not one per row
        assert excel.export_ledger(Task.objects.all(), out) == 20


# --- import -------------------------------------------------------------------------------


def post(client, user, upload):
    client.force_login(user)
    return client.post(reverse("ledger-import"), {"file": upload})


def test_import_creates_all_rows_with_aliases(client, county):
    upload = sheet([
        (1, "一要坚持项目为王", "持续开展招商引资突破年活动，确保引进亿元以上项目**个",
         "引进亿元以上项目**个（待填报）；实际利用省外资金50亿元", "2021-12-31", "县商务局", "发改委、河阳镇", "李副县长"),
        (2, "", "打造农村人居环境整治示范带", 3, dt.datetime(2021, 9, 30), "西虢镇", "", ""),
    ], title_rows=[("2021年重点工作任务分解表",)])
    response = post(client, county.office, upload)
    assert response.status_code == 302
    tasks = list(Task.objects.order_by("code"))
    assert len(tasks) == 2
    first, second = tasks
    assert first.lead_unit == county.commerce and set(first.co_units.all()) == {county.ndrc, county.town_a}
    assert first.leader == county.leader.person and first.section == "一要坚持项目为王"
    assert first.title == "持续开展招商引资突破年活动"
    blank, fixed = first.targets.order_by("id")
    assert blank.placeholder and blank.state == Target.State.BLANK and blank.metric == "引进亿元以上项目"
    assert fixed.value == 50 and fixed.unit == "亿元"
    assert second.deadline == dt.date(2021, 9, 30) and second.targets.get().value == 3


def test_import_success_message(client, county):
    post(client, county.office, sheet([(1, "", "任务一", "", "", "商务局", "", "")]))
    response = client.get(reverse("ledger-import"))
    assert "已导入 1 项任务" in response.content.decode()


def test_import_reports_every_bad_row_and_writes_nothing(client, county):
    upload = sheet([
        (1, "", "好的一行", "", "2021-12-31", "商务局", "", ""),
        (2, "", "", "", "", "商务局", "", ""),
        (3, "", "单位写错", "", "", "公安局", "西虢镇、不存在局", ""),
        (4, "", "日期写错", "", "2021-13-45", "商务局", "", ""),
        (5, "", "目标写错", "很多个", "", "商务局", "", "王县长"),
    ])
    response = post(client, county.office, upload)
    assert response.status_code == 400
    assert Task.objects.count() == 0
    errors = [(e.row, e.column) for e in response.context["errors"]]
    assert errors == [(3, "任务内容"), (4, "牵头单位"), (4, "责任单位"), (5, "完成时限"), (6, "分管领导"),
                      (6, "目标值")]
    page = response.content.decode()
    assert "单位“公安局”不存在" in page and "未导入任何任务" in page and "第 5 行" in page


def test_import_service_row_errors_map_to_sheet_rows(county):
    result = excel.import_ledger(sheet([(1, "", "早于今天", "", "2021-01-01", "商务局", "", "")]),
                                 county.office, on=dt.date(2021, 3, 1))
    assert not result.ok and result.errors[0].row == 2 and "早于" in result.errors[0].message
    assert Task.objects.count() == 0


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("台账.xlsx", b"PK\x03\x04 this is not really a workbook", content_type=XLSX),
     "文件已损坏或不是有效的 Excel（.xlsx）文件"),
    (SimpleUploadedFile("台账.xlsx", b"just text", content_type=XLSX), "文件已损坏或不是有效的 Excel（.xlsx）文件"),
    (SimpleUploadedFile("台账.xls", b"\xd0\xcf\x11\xe0", content_type="application/vnd.ms-excel"), "另存为 .xlsx"),
    (SimpleUploadedFile("台账.csv", b"a,b", content_type="text/csv"), "请上传 Excel（.xlsx）文件"),
])
def test_import_rejects_files_that_are_not_ledgers(client, county, upload, message):
    response = post(client, county.office, upload)
    assert response.status_code == 400 and message in response.content.decode()
    assert Task.objects.count() == 0


def test_import_rejects_missing_header_and_big_files(client, county, monkeypatch):
    response = post(client, county.office, sheet([("x", "y")], header=("名称", "单位")))
    assert "没有找到表头" in response.content.decode()
    monkeypatch.setattr(sheets, "MAX_BYTES", 100)
    response = post(client, county.office, sheet([(1, "", "任务", "", "", "商务局", "", "")]))
    assert "文件超过" in response.content.decode()
    assert Task.objects.count() == 0


def test_import_is_for_the_office_only(client, county):
    for user in (county.clerk_a, county.leader, county.head):
        response = post(client, user, sheet([(1, "", "任务", "", "", "河阳镇", "", "")]))
        assert response.status_code == 403
        client.force_login(user)
        assert client.get(reverse("ledger-import")).status_code == 403
    assert Task.objects.count() == 0


def test_template_round_trips(client, county):
    client.force_login(county.office)
    response = client.get(reverse("ledger-import-template"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["任务台账", "填写说明"]
    header = [c.value for c in wb["任务台账"][1]]
    with pytest.raises(excel.ImportRejected, match="没有任务行"):  # the empty template imports nothing
        excel.import_ledger(upload_of(wb), county.office)
    row = dict.fromkeys(header, "")
    row.update({"任务内容": "引进亿元以上项目", "目标值": "引进亿元以上项目**个", "牵头单位": "商务局"})
    wb["任务台账"].append([row[h] for h in header])
    result = excel.import_ledger(upload_of(wb), county.office)
    assert result.ok and result.tasks[0].lead_unit == county.commerce


def upload_of(wb):
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("模板.xlsx", out.getvalue(), content_type=XLSX)


def test_export_can_be_imported_again(client, county, ledger):
    client.force_login(county.office)
    content = b"".join(client.get(reverse("ledger-export")).streaming_content)
    result = excel.import_ledger(SimpleUploadedFile("导出.xlsx", content), county.office, on=dt.date(2021, 1, 4))
    assert result.ok, result.errors
    assert Task.objects.count() == 6
    copy = Task.objects.filter(lead_unit=county.commerce).order_by("-code").first()
    assert [t.placeholder for t in copy.targets.order_by("id")] == [True, False]


@pytest.mark.parametrize("cell, expected", [
    ("引进亿元以上项目**个", [("引进亿元以上项目", None, "个", True)]),
    ("新增高新技术企业X家；城区绿化覆盖率40%", [("新增高新技术企业", None, "家", True),
                                       ("城区绿化覆盖率", "40", "%", False)]),
    (8, [("", "8", "", False)]),
    ("", []),
])
def test_parse_targets(cell, expected):
    parsed = excel.parse_targets(cell)
    assert [(t.get("metric", ""), t.get("value"), t.get("unit", ""), t.get("placeholder", False))
            for t in parsed] == expected


@pytest.mark.parametrize("cell", ["很多", "-3个", "10家，总数达到35家", "投资100000000000000亿元", 1e15])
def test_parse_targets_rejects(cell):
    with pytest.raises(ValueError):
        excel.parse_targets(cell)


@pytest.mark.parametrize("cell, expected", [
    ("2021-06-30", dt.date(2021, 6, 30)), ("2021/6/30", dt.date(2021, 6, 30)),
    ("2021年6月30日", dt.date(2021, 6, 30)), (dt.datetime(2021, 6, 30), dt.date(2021, 6, 30)), ("", None),
])
def test_parse_date(cell, expected):
    assert excel.parse_date(cell) == expected


def test_export_narrows_like_the_task_list(client, county, make_task):
    make_task(title="招商引资突破年", area="项目为王")
    make_task(title="农村人居环境整治", area="乡村振兴")
    client.force_login(county.office)
    for params, expected in [({"q": "招商"}, 1), ({"area": "乡村振兴"}, 1), ({"light": "nonsense", "q": "农村"}, 1),
                             ({}, 2)]:
        response = client.get(reverse("ledger-export"), params)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet.max_row - 1 == expected, params
