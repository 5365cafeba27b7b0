"""Project rules: stage gates, 月调度 totals, lights on a frozen clock, problem escalation, leads, live figures."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.ledger.models import AuditEntry, Light, ReminderLog
from luoshi.ledger.services import Conflict, LedgerError
from luoshi.projects import services
from luoshi.projects.models import FundsInPlace, Lead, Problem, Project, Stage, StageItem, TargetBinding


def items(stage, required=True):
    return StageItem.objects.filter(stage=stage, required=required)


def finish(project, user, stage):
    for item in items(stage):
        services.mark_item_done(project, user, item, dt.date(2021, 3, 5))


# --- stage gates --------------------------------------------------------------------------

def test_entering_a_stage_needs_the_previous_stages_required_items(county, project, frozen):
    with pytest.raises(LedgerError) as e:
        services.advance_stage(project, county.clerk_a)
    assert "进入“前期准备”前须办结“项目引进”阶段的必办事项：签订投资协议、项目赋码（备案）" in e.value.message
    finish(project, county.clerk_a, Stage.INTRODUCED)  # the optional 注册项目公司 is not needed
    project = services.advance_stage(project, county.clerk_a)
    assert project.stage == Stage.PREPARATION and project.entered_preparation == frozen

    services.mark_item_done(project, county.clerk_a, items(Stage.PREPARATION).get(name="立项"))
    with pytest.raises(LedgerError, match="用地、规划许可、环评、施工许可"):
        services.advance_stage(project, county.clerk_a)
    assert Project.objects.get(pk=project.pk).stage == Stage.PREPARATION


def test_an_item_added_in_admin_gates_every_project(county, project, frozen):
    finish(project, county.office, Stage.INTRODUCED)
    StageItem.objects.create(stage=Stage.INTRODUCED, name="入驻评审", required=True)
    with pytest.raises(LedgerError, match="入驻评审"):
        services.advance_stage(project, county.office)


def test_an_item_is_done_once_and_not_in_the_future(county, project, frozen):
    item = items(Stage.INTRODUCED).first()
    services.mark_item_done(project, county.clerk_a, item)
    with pytest.raises(LedgerError, match="已办结"):
        services.mark_item_done(project, county.clerk_a, item)
    with pytest.raises(LedgerError, match="晚于今天"):
        services.mark_item_done(project, county.clerk_a, items(Stage.INTRODUCED).last(), "2021-08-01")


def test_the_last_stage_has_no_next(county, make_project, frozen):
    project = make_project(stage=Stage.COMPLETED)
    with pytest.raises(LedgerError, match="没有下一阶段"):
        services.advance_stage(project, county.office)


def test_outsiders_may_not_move_a_project(county, project, frozen):
    for user in (county.clerk_b, county.leader2, county.leader, county.head):
        with pytest.raises(PermissionDenied):
            services.advance_stage(project, user)
    with pytest.raises(PermissionDenied):
        services.create_project(county.clerk_a, name="x", category="industry", leader=county.leader.person,
                                lead_unit=county.town_a, total_investment=1)


# --- creating and editing -----------------------------------------------------------------

def test_create_checks_names_and_plans(county, project, make_project):
    with pytest.raises(LedgerError, match="项目“黄河大桥”已存在"):
        make_project()
    with pytest.raises(LedgerError, match="年度计划投资不能大于总投资"):
        make_project(name="新一中", annual_investment="999999")
    with pytest.raises(LedgerError, match="计划竣工投产不能早于"):
        make_project(name="新一中", planned_completion=dt.date(2021, 1, 1))
    with pytest.raises(LedgerError, match="项目类别“桥梁”不在可选范围"):
        make_project(name="新一中", category="桥梁")
    with pytest.raises(LedgerError, match="所属工程“百城提质”不存在"):
        make_project(name="新一中", programme="百城提质")
    assert make_project(name="新一中", category="社会民生").category == Project.Category.LIVELIHOOD


def test_concurrent_edit_conflicts(county, project):
    version = project.version
    services.update_project(project, county.office, version, total_investment="130000")
    with pytest.raises(Conflict) as e:
        services.update_project(project, county.office, version, total_investment="125000")
    assert e.value.current.total_investment == Decimal("130000.00")
    assert Project.objects.get(pk=project.pk).total_investment == Decimal("130000.00")
    entry = AuditEntry.objects.filter(action="修改项目").get()
    assert entry.changes == {"total_investment": ["120000.00", "130000.00"]}


# --- 月调度 -------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_monthly_reports_keep_cumulative_figures(county, project, frozen):
    services.report_month(project, county.clerk_a, "2021-04", "1000", "桩基施工")
    services.report_month(project, county.clerk_commerce, "2021-05", "2500.5", "主墩施工",
                          [SimpleUploadedFile("现场.png", PNG, "image/png")])
    june = services.report_month(project, county.clerk_a, "2021-06", "3000", "箱梁预制")
    assert june.year_to_date == Decimal("6500.50")
    services.report_month(project, county.clerk_a, "2021-04", "1500", "桩基施工（更正）")  # a correction
    project.refresh_from_db()
    june.refresh_from_db()
    assert june.year_to_date == Decimal("7000.50") and project.completed_investment == Decimal("7000.50")
    assert project.last_report_month == dt.date(2021, 6, 1) and project.reports.count() == 3
    assert project.reports.get(month=dt.date(2021, 5, 1)).photos.get().name == "现场.png"


@pytest.mark.parametrize("month, investment, progress, files, message", [
    ("2021-08", "1", "x", [], "不能填报未来月份"),
    ("2021-13", "1", "x", [], "月份“2021-13”格式不对"),
    ("0001-01", "1", "x", [], "月份应在 2000–2100 年之间"),  # was filed as a report of year 1
    ("1999-12", "1", "x", [], "月份应在 2000–2100 年之间"),
    ("2021-06", "-5", "x", [], "应为不小于 0"),
    ("2021-06", "abc", "x", [], "不是数字"),
    ("2021-06", "1", " ", [], "请填写形象进度"),
    ("2021-06", "1", "x", [SimpleUploadedFile("a.exe", b"x")], "类型不支持"),
])
def test_bad_reports_are_refused(county, project, frozen, month, investment, progress, files, message):
    with pytest.raises(LedgerError, match=message):
        services.report_month(project, county.clerk_a, month, investment, progress, files)
    assert not project.reports.exists()


def test_photos_have_the_ledgers_size_limit(county, project, frozen, settings):
    settings.LUOSHI_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(LedgerError, match="超过"):
        services.report_month(project, county.clerk_a, "2021-06", "1", "x", [SimpleUploadedFile("a.png", PNG)])


def test_only_the_team_reports(county, project, frozen):
    with pytest.raises(PermissionDenied):
        services.report_month(project, county.clerk_b, "2021-06", "1", "x")
    with pytest.raises(PermissionDenied):
        services.report_month(project, county.leader, "2021-06", "1", "x")


# --- lights -------------------------------------------------------------------------------

def light(project, day):
    project.refresh_from_db()
    return services.compute_light(project, day)


def test_lights_follow_stage_dates(county, project):
    # registered 2021-03-01; preparation planned for 2021-04-30
    assert light(project, dt.date(2021, 4, 1)) == (Light.GREEN, "按计划推进")
    assert light(project, dt.date(2021, 4, 20)) == (Light.YELLOW, "距计划启动前期（2021-04-30）还有10天")
    assert light(project, dt.date(2021, 5, 3)) == (Light.RED, "计划启动前期 2021-04-30，已逾期3天")


def test_lights_follow_missed_reports(county, make_project, settings):
    settings.LUOSHI_TODAY = "2021-06-30"
    project = make_project(planned_preparation=None, planned_construction=None, planned_completion=None)
    assert light(project, dt.date(2021, 4, 6)) == (Light.GREEN, "按计划推进")  # March due by 04-05
    assert light(project, dt.date(2021, 4, 7)) == (Light.YELLOW, "上月月调度未填报")
    assert light(project, dt.date(2021, 5, 7)) == (Light.RED, "连续2个月未报月调度")
    services.report_month(project, county.clerk_a, "2021-03", "10", "进场")
    services.report_month(project, county.clerk_a, "2021-04", "10", "进场")
    assert light(project, dt.date(2021, 5, 7)) == (Light.GREEN, "按计划推进")


def test_lights_follow_overdue_problems(county, make_project, frozen):
    project = make_project(planned_preparation=None, planned_construction=None, planned_completion=None)
    services.report_month(project, county.clerk_a, "2021-06", "10", "进场")
    services.raise_problem(project, county.clerk_a, "用地", "征地拆迁未完成", county.ndrc, "2021-07-20")
    assert light(project, dt.date(2021, 7, 20)) == (Light.GREEN, "按计划推进")
    assert light(project, dt.date(2021, 7, 21)) == (Light.YELLOW, "1项协调事项逾期未答复")
    assert services.refresh_lights(dt.date(2021, 7, 21)) == 1
    project.refresh_from_db()
    assert project.light == Light.YELLOW


def test_a_completed_project_is_green(county, make_project):
    project = make_project(stage="竣工投产")
    assert light(project, dt.date(2025, 1, 1)) == (Light.GREEN, "已竣工投产")


# --- 协调事项 -----------------------------------------------------------------------------

def test_problem_flow_and_escalation_once(county, project, frozen, settings):
    problem = services.raise_problem(project, county.clerk_a, "水电气", "施工用电未接入", county.ndrc, "2021-07-20")
    assert services.escalate_problems(dt.date(2021, 7, 20)) == []
    escalated = services.escalate_problems(dt.date(2021, 7, 21))
    assert escalated == [problem]
    assert services.escalate_problems(dt.date(2021, 7, 22)) == []  # idempotent
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["leader@example.cn"]
    assert ReminderLog.objects.filter(key=f"project-problem:{problem.pk}").count() == 1
    assert AuditEntry.objects.filter(action="协调事项逾期提级").count() == 1
    problem.refresh_from_db()
    assert problem.escalated_at and problem.status == Problem.Status.OPEN  # the unit must still answer

    ndrc_clerk = county.office  # no ndrc clerk in the county: the office cannot reply for a unit
    with pytest.raises(PermissionDenied):
        services.reply_problem(problem, ndrc_clerk, "已协调")
    with pytest.raises(PermissionDenied):
        services.reply_problem(problem, county.clerk_b, "已协调")


def test_problem_reply_and_close(county, project, frozen):
    problem = services.raise_problem(project, county.clerk_a, "环评", "环评批复未下达", county.commerce, "2021-07-30")
    with pytest.raises(LedgerError, match="不早于今天"):
        services.raise_problem(project, county.clerk_a, "环评", "x", county.commerce, "2021-07-01")
    services.reply_problem(problem, county.clerk_commerce, "已报市局，预计月底批复")
    with pytest.raises(LedgerError, match="已答复"):
        services.reply_problem(problem, county.clerk_commerce, "again")
    with pytest.raises(PermissionDenied):
        services.close_problem(problem, county.clerk_b)
    services.close_problem(problem, county.clerk_a)
    assert Problem.objects.get().status == Problem.Status.CLOSED


# --- leads and live figures ---------------------------------------------------------------

def test_lead_amounts_in_foreign_currency(county):
    lead = services.create_lead(county.office, "保税仓", "港资公司", "1500", "境外", county.commerce, currency="usd")
    assert lead.amount_cny == Decimal("9750.00") and not lead.above_100m
    lead = services.create_lead(county.office, "保税仓二期", "港资公司", "1600", "境外", county.commerce,
                                currency="USD")
    assert lead.amount_cny == Decimal("10400.00") and lead.above_100m
    explicit = services.create_lead(county.office, "皮草园", "外资", "100", "境外", county.commerce, currency="EUR",
                                    amount_cny="800")
    assert explicit.amount_cny == Decimal("800.00")
    with pytest.raises(LedgerError, match="币种“XYZ”没有汇率"):
        services.create_lead(county.office, "x", "y", "1", "境外", county.commerce, currency="XYZ")
    with pytest.raises(LedgerError, match="只能登记本单位"):
        services.create_lead(county.clerk_a, "x", "y", "1", "本省", county.commerce)


def test_lead_stages_funds_and_conversion(county, lead, frozen):
    with pytest.raises(LedgerError, match="签约后才能填报到位资金"):
        services.add_funds(lead, county.clerk_commerce, "2021-06", "100")
    with pytest.raises(LedgerError, match="签约后才能转为重点项目"):
        services.convert_lead(lead, county.office, county.leader.person, "工业")
    lead = services.advance_lead(lead, county.clerk_commerce)
    assert lead.stage == Lead.Stage.SIGNED and lead.signed_on == frozen
    services.add_funds(lead, county.clerk_commerce, "2021-06", "100")
    services.add_funds(lead, county.clerk_commerce, "2021-06", "120")  # corrected
    assert FundsInPlace.objects.get().amount == Decimal("120.00")
    with pytest.raises(PermissionDenied):
        services.convert_lead(lead, county.clerk_commerce, county.leader.person, "工业")
    project = services.convert_lead(lead, county.office, county.leader.person, "工业", programme=None)
    assert (project.name, project.owner, project.total_investment, project.lead_unit) == (
        "晶能电源二期", "晶能电源有限公司", Decimal("50000.00"), county.commerce)
    with pytest.raises(LedgerError, match="已转为重点项目"):
        services.convert_lead(Lead.objects.get(), county.office, county.leader.person, "工业")


def test_live_figures_on_a_frozen_clock(county, make_task, frozen):
    def lead(name, amount, source, signed, currency="CNY"):
        row = services.create_lead(county.office, name, "投资方", amount, source, county.commerce, currency=currency)
        Lead.objects.filter(pk=row.pk).update(stage=Lead.Stage.SIGNED, signed_on=signed)
        return Lead.objects.get(pk=row.pk)

    big = lead("A", "20000", "省外", dt.date(2021, 2, 1))
    lead("B", "10000", "本省", dt.date(2021, 5, 1))  # exactly 1 亿 counts
    lead("C", "9999", "省外", dt.date(2021, 5, 1))
    lead("D", "50000", "省外", dt.date(2020, 12, 1))  # last year
    foreign = lead("E", "2000", "境外", dt.date(2021, 3, 1), currency="USD")
    services.add_funds(big, county.office, "2021-03", "15000")
    services.add_funds(big, county.office, "2020-12", "9000")  # last year's funds
    services.add_funds(foreign, county.office, "2021-04", "500")  # 500万美元 = 3250万元

    task = make_task(targets=[
        {"text": "引进亿元以上项目**个", "placeholder": True, "unit": "个"},
        {"text": "实际利用省外资金**亿元", "placeholder": True, "unit": "亿元"},
        {"text": "境外资金**亿美元", "placeholder": True, "unit": "亿美元"},
        {"text": "省外资金**万元", "placeholder": True, "unit": "万元"},
        {"text": "不关联", "value": 3, "unit": "个"}])
    major, provinces, abroad, in_wan, unbound = task.targets.order_by("id")
    services.bind_target(county.office, major, "signed_major_leads")
    services.bind_target(county.office, provinces, "funds_other_province")
    services.bind_target(county.office, abroad, "funds_abroad")
    services.bind_target(county.office, in_wan, TargetBinding.Figure.FUNDS_OTHER_PROVINCE)
    assert services.actual_for(major) == 3  # A, B, E (1.3亿元)
    assert services.actual_for(provinces) == Decimal("1.50")
    assert services.actual_for(abroad) == Decimal("0.05")
    assert services.actual_for(in_wan) == Decimal("15000")
    assert services.actual_for(unbound) is None
    assert services.actual_for(major, on=dt.date(2020, 12, 31)) == 1  # D
    with pytest.raises(PermissionDenied):
        services.bind_target(county.clerk_a, unbound, "signed_leads")


def test_year_figures_for_projects(county, project, frozen):
    finish(project, county.office, Stage.INTRODUCED)
    project = services.advance_stage(project, county.office)
    finish(project, county.office, Stage.PREPARATION)
    services.advance_stage(project, county.office)
    services.report_month(project, county.clerk_a, "2021-06", "25000", "主体施工")
    assert services.figure_value("projects_started", 2021) == 1
    assert services.figure_value("project_investment", 2021) == Decimal("2.50")
    assert services.figure_value("projects_started", 2020) == 0


def test_lights_in_construction_follow_the_planned_completion(county, make_project):
    project = make_project(stage="开工建设", planned_construction=dt.date(2021, 5, 1),
                           planned_completion=dt.date(2021, 6, 30), on=dt.date(2021, 6, 1))
    assert project.entered_construction == dt.date(2021, 6, 1) and project.entered_preparation == dt.date(2021, 6, 1)
    assert light(project, dt.date(2021, 6, 20)) == (Light.YELLOW, "距计划竣工投产（2021-06-30）还有10天")
    assert light(project, dt.date(2021, 7, 1))[0] == Light.RED
