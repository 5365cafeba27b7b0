"""Ledger rules on a frozen clock: lights, publishing, locking, targets, notices, instructions, reminders, audit."""
import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection

from luoshi.ledger import services
from luoshi.ledger.models import (AuditEntry, Light, LightPolicy, ProgressReport, SupervisionNotice, Target,
                                  Task)

D = dt.date
START = D(2021, 1, 4)


def light_on(task, day):
    return services.compute_light(task, day)


# --- lights -------------------------------------------------------------------------------

def test_fresh_task_is_green(make_task):
    task = make_task(deadline=D(2021, 12, 31))
    assert light_on(task, D(2021, 1, 20)) == (Light.GREEN, "按计划推进")


def test_one_missed_report_turns_yellow_two_turn_red(make_task):
    task = make_task(deadline=D(2021, 12, 31))  # monthly cadence, 5 grace days
    assert light_on(task, START + dt.timedelta(days=35))[0] == Light.GREEN
    light, reason = light_on(task, START + dt.timedelta(days=36))
    assert (light, reason) == (Light.YELLOW, "本期进度未填报")
    light, reason = light_on(task, START + dt.timedelta(days=66))
    assert light == Light.RED and "连续2期未填报" in reason


def test_report_resets_missed_reports(make_task, county):
    task = make_task(deadline=D(2099, 12, 31))
    services.report_progress(task, county.clerk_a, 20, "已签约两个项目")
    task.refresh_from_db()
    # the report was made "now"; count from its local date
    reported = task.last_report_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert light_on(task, reported + dt.timedelta(days=30))[0] == Light.GREEN


def test_overdue_is_red(make_task):
    task = make_task(deadline=D(2021, 3, 31))
    light, reason = light_on(task, D(2021, 4, 2))
    assert light == Light.RED and reason == "已超期2天"


def test_due_soon_and_behind_the_straight_line_is_yellow(make_task, county):
    task = make_task(deadline=D(2021, 3, 31))
    task.progress = 40
    task.last_report_at = None
    task.start_date = D(2021, 3, 1)
    # 2021-03-20: 19/30 of the time gone (63%), progress 40% (> 10 points behind), 11 days left (≤ 15)
    light, reason = light_on(task, D(2021, 3, 20))
    assert light == Light.YELLOW and "落后于时间进度63%" in reason
    task.progress = 60  # within the 10-point tolerance
    assert light_on(task, D(2021, 3, 20))[0] == Light.GREEN


def test_thresholds_are_data(make_task):
    task = make_task(deadline=D(2021, 12, 31))
    day = START + dt.timedelta(days=66)
    assert light_on(task, day)[0] == Light.RED
    LightPolicy.objects.create(name="宽松", red_missed_reports=3)
    assert light_on(task, day)[0] == Light.YELLOW


def test_done_tasks_are_green_even_when_overdue(make_task, county):
    task = make_task(deadline=D(2021, 3, 31))
    services.report_progress(task, county.clerk_a, 100, "全部完成", done=True)
    task.refresh_from_db()
    assert task.status == Task.Status.REPORTED_DONE
    assert light_on(task, D(2021, 5, 1))[0] == Light.GREEN


def test_refresh_lights_stores_every_colour(make_task):
    green = make_task(deadline=D(2021, 12, 31))
    red = make_task(deadline=D(2021, 2, 1))
    assert services.refresh_lights(D(2021, 2, 10)) >= 1
    green.refresh_from_db()
    red.refresh_from_db()
    assert (green.light, red.light) == (Light.YELLOW, Light.RED)  # green missed its first monthly report


# --- publishing ---------------------------------------------------------------------------

def test_create_tasks_numbers_and_targets(county, make_task):
    task = make_task(targets=[{"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个",
                               "placeholder": True},
                              {"text": "绿化覆盖率达到40%", "metric": "绿化覆盖率", "value": 40, "unit": "%"}])
    assert task.code == "2021-0001"
    blank, fixed = task.targets.order_by("id")
    assert blank.state == Target.State.BLANK and blank.value is None and blank.is_open
    assert fixed.state == Target.State.FIXED and fixed.value == 40 and not fixed.is_open
    assert make_task().code == "2021-0002"


def test_publish_is_all_or_nothing(county):
    from luoshi.ledger.models import Document

    doc = Document.objects.create(title="讲话", text="……", uploaded_by=county.office)
    rows = [{"title": "抓招商", "lead_unit": county.commerce.pk},
            {"title": "抓项目", "lead_unit": "不存在的局"},
            {"title": "", "lead_unit": county.ndrc.pk},
            {"title": "抓环境", "lead_unit": county.ndrc.pk, "deadline": "2021-13-40"}]
    with pytest.raises(services.PublishError) as err:
        services.publish_document(doc, rows, county.office, on=START)
    assert set(err.value.errors) == {1, 2, 3}
    assert "不存在的局" in err.value.errors[1][0]
    assert "第2行" in str(err.value)
    assert Task.objects.count() == 0
    doc.refresh_from_db()
    assert doc.status == Document.Status.DRAFT
    tasks = services.publish_document(doc, rows[:1], county.office, on=START)
    doc.refresh_from_db()
    assert doc.status == Document.Status.PUBLISHED and tasks[0].document == doc
    with pytest.raises(services.PublishError):
        services.publish_document(doc, rows[:1], county.office, on=START)


def test_only_the_office_publishes(county):
    from luoshi.ledger.models import Document

    doc = Document.objects.create(title="讲话", text="……", uploaded_by=county.office)
    with pytest.raises(PermissionDenied):
        services.publish_document(doc, [{"title": "x", "lead_unit": county.commerce.pk}], county.clerk_a)


def test_units_by_name_and_co_units_without_the_lead(county):
    [task] = services.create_tasks([{"title": "抓招商", "lead_unit": "商务局",
                                     "co_units": ["商务局", county.ndrc.pk]}], county.office, on=START)
    assert task.lead_unit == county.commerce
    assert list(task.co_units.all()) == [county.ndrc]


# --- optimistic locking -------------------------------------------------------------------

def test_second_editor_gets_a_conflict_and_nothing_is_overwritten(make_task, county):
    task = make_task()
    mine, theirs = Task.objects.get(pk=task.pk), Task.objects.get(pk=task.pk)
    services.update_task(theirs, county.office, theirs.version, title="他人的修改")
    with pytest.raises(services.Conflict) as err:
        services.update_task(mine, county.office, mine.version, title="我的修改")
    assert err.value.current.title == "他人的修改"
    task.refresh_from_db()
    assert task.title == "他人的修改" and task.version == 2


def test_a_report_in_between_also_conflicts(make_task, county):
    task = make_task()
    services.report_progress(task, county.clerk_a, 30, "推进中")
    with pytest.raises(services.Conflict):
        services.update_task(task, county.office, 1, deadline=D(2021, 11, 30))


def test_update_records_before_and_after(make_task, county):
    task = make_task()
    services.update_task(task, county.office, 1, deadline=D(2021, 10, 31), co_units=[county.ndrc])
    entry = AuditEntry.objects.filter(task=task, action="修改任务").get()
    assert entry.changes["deadline"] == ["2021-12-31", "2021-10-31"]
    assert entry.changes["co_units"] == [[], ["发展改革委"]]
    assert entry.actor == county.office


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_one_wins(county, make_task):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the row lock path is exercised on PostgreSQL")
    task = make_task()
    results = []

    def edit(title):
        try:
            services.update_task(Task.objects.get(pk=task.pk), county.office, 1, title=title)
            results.append("ok")
        except services.Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(f"修改{i}",)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results) == ["conflict", "ok"]
    assert Task.objects.get(pk=task.pk).version == 2


# --- progress -----------------------------------------------------------------------------

def test_progress_rules(make_task, county):
    task = make_task(co=[county.town_b])
    for bad, field in [(101, "percent"), ("x", "percent"), (-1, "percent")]:
        with pytest.raises(services.LedgerError) as err:
            services.report_progress(task, county.clerk_a, bad, "文字")
        assert err.value.field == field
    with pytest.raises(services.LedgerError):
        services.report_progress(task, county.clerk_a, 10, "  ")
    with pytest.raises(services.LedgerError):  # a co-unit cannot declare the whole task done
        services.report_progress(task, county.clerk_b, 100, "完成", done=True)
    services.report_progress(task, county.clerk_b, 30, "配合完成选址")  # co-unit reports its part
    with pytest.raises(PermissionDenied):
        services.report_progress(task, county.clerk_commerce, 30, "不是我的任务")
    task.refresh_from_db()
    assert (task.progress, task.status, task.version) == (0, Task.Status.IN_PROGRESS, 2)
    assert ProgressReport.objects.get().unit == county.town_b
    services.report_progress(task, county.office, 40, "督查室代填")  # on the lead unit's behalf
    task.refresh_from_db()
    assert task.progress == 40 and task.reports.first().unit == county.town_a


def test_attachment_limits(make_task, county, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = make_task()
    with pytest.raises(services.LedgerError) as err:
        services.report_progress(task, county.clerk_a, 10, "见附件", files=[SimpleUploadedFile("a.exe", b"MZ")])
    assert "a.exe" in err.value.message
    settings.LUOSHI_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(services.LedgerError):
        services.report_progress(task, county.clerk_a, 10, "见附件", files=[SimpleUploadedFile("a.png", b"x" * 11)])
    assert ProgressReport.objects.count() == 0
    settings.LUOSHI_ATTACHMENT_MAX_BYTES = 1000
    report = services.report_progress(task, county.clerk_a, 10, "见附件",
                                      files=[SimpleUploadedFile("现场.png", b"\x89PNG....")])
    assert report.attachments.get().name == "现场.png"


def test_verify_and_return(make_task, county):
    task = make_task()
    with pytest.raises(services.LedgerError):
        services.verify_task(task, county.office)
    services.report_progress(task, county.clerk_a, 100, "完成", done=True)
    with pytest.raises(services.LedgerError):
        services.return_task(task, county.office, "")
    task = services.return_task(task, county.office, "佐证材料不全")
    assert task.status == Task.Status.RETURNED
    services.report_progress(task, county.clerk_a, 100, "补充材料", done=True)
    task = services.verify_task(Task.objects.get(pk=task.pk), county.office)
    assert task.status == Task.Status.VERIFIED
    with pytest.raises(services.LedgerError):
        services.report_progress(task, county.clerk_a, 100, "再报")


# --- targets ------------------------------------------------------------------------------

def test_blank_target_filled_by_lead_unit_and_confirmed_by_office(make_task, county):
    task = make_task(lead=county.commerce, co=[county.town_a],
                     targets=[{"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个",
                               "placeholder": True}])
    target = task.targets.get()
    with pytest.raises(PermissionDenied):  # a co-unit does not fill the lead unit's target
        services.fill_target(target, county.clerk_a, 8)
    with pytest.raises(services.LedgerError):
        services.fill_target(target, county.clerk_commerce, "八")
    target = services.fill_target(target, county.clerk_commerce, 8)
    assert target.state == Target.State.FILLED and target.is_open
    services.return_target(target, county.office, "目标偏低")
    seen = services.fill_target(target, county.clerk_commerce, "10")
    services.fill_target(target, county.clerk_commerce, "12")  # changed while the office looks at 10
    with pytest.raises(services.Conflict):
        services.confirm_target(target, county.office, version=seen.version)
    target = services.fill_target(target, county.clerk_commerce, "10")
    services.confirm_target(target, county.office, version=target.version)
    target.refresh_from_db()
    assert (target.value, target.state, target.is_open) == (10, Target.State.CONFIRMED, False)
    assert target.display() == "引进亿元以上项目 10个"
    with pytest.raises(services.LedgerError):
        services.fill_target(target, county.clerk_commerce, 12)
    actions = list(AuditEntry.objects.filter(task=task).values_list("action", flat=True))
    assert actions.count("填报目标值") == 4 and "确认目标值" in actions and "退回目标值" in actions


# --- notices and instructions -------------------------------------------------------------

def test_notices_are_numbered_per_year_and_escalate(make_task, county):
    task = make_task(deadline=D(2021, 2, 1))
    with pytest.raises(services.LedgerError):  # green tasks need no notice
        services.issue_notice(task, county.office, "进度滞后", on=D(2021, 1, 10))
    services.refresh_lights(D(2021, 2, 10))
    task.refresh_from_db()
    first = services.issue_notice(task, county.office, "已超期", on=D(2021, 2, 10))
    second = services.issue_notice(task, county.office, "仍未完成", on=D(2021, 2, 20))
    assert (first.number, second.number) == ("督办〔2021〕1号", "督办〔2021〕2号")
    assert first.reply_due == D(2021, 2, 15) and first.unit == county.town_a
    with pytest.raises(PermissionDenied):
        services.reply_notice(first, county.clerk_b, "不是我们的")
    services.reply_notice(first, county.clerk_a, "已加派人手，月底完成")
    assert services.escalate_notices(D(2021, 2, 28)) == [second]
    assert services.escalate_notices(D(2021, 3, 1)) == []  # once only
    second.refresh_from_db()
    assert second.status == SupervisionNotice.Status.ESCALATED


def test_instruction_tracked_to_a_reply(make_task, county):
    task = make_task(leader=county.leader)
    with pytest.raises(PermissionDenied):  # a leader not in charge of this task
        services.give_instruction(county.leader2, task, "抓紧", county.town_a, D(2030, 1, 1))
    with pytest.raises(services.LedgerError):
        services.give_instruction(county.leader, task, "抓紧", county.town_a, D(2000, 1, 1))
    instruction = services.give_instruction(county.leader, task, "请本周内拿出方案", county.town_a.pk, D(2030, 1, 1))
    assert instruction.subject == task
    with pytest.raises(PermissionDenied):
        services.reply_instruction(instruction, county.clerk_b, "收到")
    services.reply_instruction(instruction, county.clerk_a, "方案已报送")
    assert instruction.status == instruction.Status.REPLIED
    assert AuditEntry.objects.filter(task=task, action="答复批示").exists()


# --- reminders ----------------------------------------------------------------------------

def test_reminders_are_sent_once(make_task, county):
    make_task(deadline=D(2021, 3, 5))
    make_task(deadline=D(2021, 2, 20))
    make_task(deadline=D(2021, 12, 31))
    assert services.send_reminders(D(2021, 3, 1)) == 2  # one overdue, one due within 7 days
    assert services.send_reminders(D(2021, 3, 1)) == 0
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"clerk_a@example.cn", "head_a@example.cn"} or all(
        set(m.to) == {"clerk_a@example.cn", "head_a@example.cn"} for m in mail.outbox)
    assert any("已超期" in m.subject for m in mail.outbox)


def test_escalation_mails_the_leader_once(make_task, county):
    task = make_task(deadline=D(2021, 2, 1), leader=county.leader)
    services.refresh_lights(D(2021, 2, 10))
    task.refresh_from_db()
    services.issue_notice(task, county.office, "已超期", on=D(2021, 2, 10))
    mail.outbox.clear()
    services.send_reminders(D(2021, 2, 20))
    services.send_reminders(D(2021, 2, 21))
    to_leader = [m for m in mail.outbox if m.to == ["leader@example.cn"]]
    assert len(to_leader) == 1 and "逾期未答复" in to_leader[0].subject


# --- audit --------------------------------------------------------------------------------

def test_audit_is_append_only(make_task, county):
    task = make_task()
    entry = AuditEntry.objects.filter(task=task).first()
    entry.action = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(task=task).update(action="篡改")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "发布任务"


def test_units_by_alias_and_every_bad_deadline_reported(county):
    [task] = services.create_tasks([{"title": "抓项目", "lead_unit": "发改委", "co_units": ["县商务局"]}],
                                   county.office, on=START)
    assert (task.lead_unit, list(task.co_units.all())) == (county.ndrc, [county.commerce])
    rows = [{"title": "a", "lead_unit": "商务局", "deadline": "2020-12-01"},
            {"title": "b", "lead_unit": "商务局", "deadline": "2020-12-02"}]
    with pytest.raises(services.PublishError) as err:
        services.create_tasks(rows, county.office, on=START)
    assert set(err.value.errors) == {0, 1} and "早于交办日期" in err.value.errors[1][0]


def test_codes_keep_counting_past_four_digits(county, make_task):
    task = make_task()
    Task.objects.filter(pk=task.pk).update(code="2021-9999")
    assert services.next_task_codes(2021, 2) == ["2021-10000", "2021-10001"]


def test_a_notice_sees_the_light_of_today_not_the_stored_one(make_task, county):
    task = make_task(deadline=D(2021, 2, 1))
    assert task.light == Light.GREEN  # stored at publication, not refreshed since
    notice = services.issue_notice(task, county.office, "已超期", on=D(2021, 2, 10))
    assert notice.light == Light.RED


@pytest.mark.parametrize("due", [D(1, 1, 1), "0001-01-01", D(2021, 1, 3)])
def test_a_milestone_before_the_task_was_assigned_is_refused(make_task, county, due):
    """0001-01-01 was taken (and lit the task yellow): a step before the assignment can never be on time."""
    task = make_task(deadline=D(2021, 12, 31), on=D(2021, 1, 4))
    with pytest.raises(services.LedgerError) as refused:
        services.add_milestone(task, county.office, "完成选址", due)
    assert (refused.value.message, refused.value.field) == ("节点计划时间不能早于交办日期 2021-01-04", "due")
    assert not task.milestones.exists()
    assert services.add_milestone(task, county.office, "完成选址", D(2021, 1, 4)).due == D(2021, 1, 4)


def test_a_milestone_of_a_task_without_a_deadline_lies_before_2101(make_task, county):
    task = make_task()
    task.deadline = None
    task.save()
    with pytest.raises(services.LedgerError) as refused:
        services.add_milestone(task, county.office, "完成选址", D(9999, 12, 31))
    assert (refused.value.message, refused.value.field) == ("节点计划时间应在 2000–2100 年之间", "due")
    assert services.add_milestone(task, county.office, "完成选址", D(2100, 12, 31)).due == D(2100, 12, 31)


def test_a_late_milestone_turns_yellow_until_done(make_task, county, settings):
    settings.LUOSHI_TODAY = "2021-03-10"
    task = make_task(deadline=D(2021, 12, 31))
    services.report_progress(task, county.clerk_a, 20, "完成选址")
    with pytest.raises(services.LedgerError):
        services.add_milestone(task, county.office, "开工", D(2022, 1, 1))  # after the deadline
    with pytest.raises(PermissionDenied):
        services.add_milestone(task, county.clerk_a, "开工", D(2021, 3, 1))
    milestone = services.add_milestone(task, county.office, "完成征地", D(2021, 3, 1))
    task.refresh_from_db()
    assert (task.light, task.light_reason) == (Light.YELLOW, "节点“完成征地”已逾期9天")
    with pytest.raises(PermissionDenied):  # the co-unit or another unit cannot tick the lead unit's step
        services.complete_milestone(milestone, county.clerk_b)
    services.complete_milestone(milestone, county.clerk_a)
    task.refresh_from_db()
    assert task.light == Light.GREEN
    assert AuditEntry.objects.filter(task=task, action="完成节点").exists()
