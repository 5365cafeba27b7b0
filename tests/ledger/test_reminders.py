"""manage.py send_reminders: lights refreshed, reminders sent once, however often it runs."""
import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from luoshi.jobs.models import Job
from luoshi.ledger import services
from luoshi.ledger.models import Light, ReminderLog, SupervisionNotice, Task



def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_due_soon_and_overdue_reminders_are_sent_once(county, make_task):
    due_soon = make_task(lead=county.town_a, deadline=dt.date(2021, 3, 5))
    overdue = make_task(lead=county.commerce, deadline=dt.date(2021, 2, 20))
    make_task(lead=county.town_b, deadline=dt.date(2021, 12, 31))  # far away: no reminder

    assert "2021-03-01：发送提醒 2 条" in run("--date", "2021-03-01")
    # one mail per task, to everyone in the lead unit
    assert sorted(m.to for m in mail.outbox) == [["clerk_a@example.cn", "head_a@example.cn"],
                                                 ["clerk_commerce@example.cn"]]
    subjects = {m.subject for m in mail.outbox}
    assert any("已超期" in s for s in subjects) and any("将于 2021-03-05 到期" in s for s in subjects)
    assert Task.objects.get(pk=overdue.pk).light == Light.RED

    assert "发送提醒 0 条" in run("--date", "2021-03-01")
    assert "发送提醒 0 条" in run("--date", "2021-03-02")
    assert len(mail.outbox) == 2
    assert ReminderLog.objects.filter(key__startswith=f"due-soon:{due_soon.pk}:").count() == 1


def test_escalation_mails_the_leader_once(county, make_task):
    task = make_task(lead=county.town_a, leader=county.leader, deadline=dt.date(2021, 12, 31))
    Task.objects.filter(pk=task.pk).update(light=Light.YELLOW)
    task.refresh_from_db()
    notice = services.issue_notice(task, county.office, "本期进度未填报", on=dt.date(2021, 3, 1),
                                   reply_due=dt.date(2021, 3, 6))
    run("--date", "2021-03-10")
    run("--date", "2021-03-11")
    notice.refresh_from_db()
    assert notice.status == SupervisionNotice.Status.ESCALATED
    assert [m.to for m in mail.outbox] == [["leader@example.cn"]]


def test_default_date_is_the_ledgers_today(county, make_task, settings):
    make_task(lead=county.town_a, deadline=dt.date(2021, 3, 5))
    settings.LUOSHI_TODAY = "2021-03-01"
    assert "2021-03-01：发送提醒 1 条" in run()


def test_bad_arguments(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "1.3.2021")
    with pytest.raises(CommandError, match="正整数"):
        run("--loop", "0")


def test_loop_runs_until_interrupted(county, make_task, monkeypatch):
    make_task(lead=county.town_a, deadline=dt.date(2021, 3, 5))
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr("luoshi.ledger.management.commands.send_reminders.time.sleep", sleep)
    output = run("--date", "2021-03-01", "--loop", "60")
    assert output.count("发送提醒") == 3 and sleeps == [60, 60, 60] and "已停止" in output
    assert len(mail.outbox) == 1


def test_each_run_is_a_job_the_office_sees(client, county, make_task, run_jobs):
    make_task(lead=county.town_a, deadline=dt.date(2021, 3, 5))
    run("--date", "2021-03-01")
    assert "已交给后台处理" in run("--date", "2021-03-02", "--enqueue")
    assert len(mail.outbox) == 1
    run_jobs()
    first, queued = Job.objects.order_by("id")
    assert (first.status, first.started_by, first.summary) == ("done", None, "2021-03-01：发送提醒 1 条；重点项目协调事项提级 0 件")
    assert (queued.status, queued.summary) == ("done", "2021-03-02：发送提醒 0 条；重点项目协调事项提级 0 件")
    client.force_login(county.office)
    assert f'href="/jobs/{first.pk}/"' in client.get("/console/").content.decode()  # cron's runs too


def test_the_office_sends_reminders_from_the_console(client, county, make_task, run_jobs, settings):
    settings.LUOSHI_TODAY = "2021-03-01"
    make_task(lead=county.town_a, deadline=dt.date(2021, 3, 5))
    client.force_login(county.clerk_a)
    assert client.post("/console/reminders/").status_code == 403
    client.force_login(county.office)
    response = client.post("/console/reminders/")
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/" and job.started_by == county.office
    run_jobs()
    assert len(mail.outbox) == 1 and Job.objects.get().summary.startswith("2021-03-01：发送提醒 1 条")


def test_project_reminders_command_is_a_job(county):
    out = StringIO()
    call_command("project_reminders", stdout=out)
    job = Job.objects.get()
    assert (job.kind, job.status) == ("project_reminders", "done") and out.getvalue().strip() == job.summary
