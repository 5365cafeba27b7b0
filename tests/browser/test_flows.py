"""The main flows in a real browser: the office publishes a speech, a township clerk reports on a phone, the
leader's cockpit follows, user text stays text, a citizen files and tracks a request. Screenshots go to
test-output/screenshots/ (the README's come from here)."""
import datetime as dt
import re
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, fits, login, shot

SPEECH = Path(__file__).resolve().parents[2] / "luoshi" / "org" / "demo_data" / "speech-county-work-retreat-2020.txt"
XSS = '<img src=x onerror=alert("xss")><script>alert("xss")</script>'


def quiet_task(unit_name, title, area="乡村振兴"):
    """A task of the unit assigned in April that never reported: red on the demo's day for missed reports."""
    from luoshi.ledger import services
    from luoshi.org.models import Person, Unit

    unit = Unit.objects.get(name=unit_name)
    leader = Person.objects.get(user__username="fuxianzhang1")
    office = Person.objects.get(user__username="office").user
    task = services.create_tasks([{"title": title, "text": title, "area": area, "lead_unit": unit.pk,
                                   "leader": leader.pk, "deadline": dt.date(2021, 12, 31)}],
                                 office, on=dt.date(2021, 4, 1))[0]
    services.refresh_lights(tasks=type(task).objects.filter(pk=task.pk))
    task.refresh_from_db()
    assert task.light == "red", task.light_reason
    return task


def report_on_phone(page, title, percent="50%", sentence="已完成排查整治，正在组织验收。"):
    """On the workbench itself: tap the task's 填报, tap a quick percent, write one sentence, send."""
    card = page.locator("ul.tasks > li", has_text=title)
    card.locator("summary", has_text="填报").click()
    card.get_by_text(percent, exact=True).click()
    card.get_by_label("进展情况").fill(sentence)
    card.get_by_role("button", name="提交填报").click()
    page.wait_for_load_state()


def test_office_uploads_corrects_and_publishes_the_speech(open_page, demo, settings):
    """(1) The day after the meeting, upload the sample speech, see outline and draft rows beside their sources,
    change a suggested lead unit, leave out the rows the text names no unit for, publish; the task carries the
    corrected unit."""
    from luoshi.ledger.models import Document

    settings.LUOSHI_TODAY = "2020-12-21"  # the speech's time limits (春节前, 3月底前) are still ahead
    page = open_page(DESKTOP)
    login(page, "office")
    page.goto("/documents/upload/")
    page.set_input_files("input[type=file]", str(SPEECH))
    page.fill("#id_doc_date", "2020-12-20")
    page.get_by_role("button", name="上传并分解").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    # the preview: outline on the left, each draft row beside its source sentence
    assert page.get_by_role("navigation", name="提纲").locator("li").count() > 3
    first = page.locator("article#row-0")
    assert first.locator("mark").inner_text().strip()
    shot(page, "1-office-preview", full_page=False)

    lead = first.locator("select[name$='-lead_unit']")
    suggested = lead.locator("option:checked").inner_text()
    corrected = "工信局" if suggested != "工信局" else "科技局"
    lead.select_option(label=corrected)
    for row in page.locator("article.draft-row").all():
        if not row.locator("select[name$='-lead_unit']").input_value():
            row.locator("input[name$='-include']").uncheck()
    first.scroll_into_view_if_needed()
    shot(page, "1-office-corrected", full_page=False)
    page.get_by_role("button", name="发布勾选的任务").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()
    assert page.locator(".msg", has_text="已发布").is_visible()
    shot(page, "1-office-published")

    document = Document.objects.order_by("-id").first()
    assert document.status == "published"
    task = document.tasks.order_by("source_start").first()
    assert task.lead_unit.name == corrected
    assert page.locator("ul.tasks li", has_text=task.title).filter(has_text=corrected).count() >= 1


def test_township_clerk_reports_progress_on_a_phone(open_page, demo):
    """(2) 西虢镇's clerk on a 390 px phone: red tasks come first on the workbench; a quick percent and a sentence
    turn the quiet one green."""
    task = quiet_task("西虢镇", "整治农村人居环境示范村")
    page = open_page(PHONE)
    login(page, "xiguo")
    assert page.url.endswith("/workbench/")
    assert fits(page, PHONE["width"])
    lights = page.locator("ul.tasks > li .light").all_inner_texts()
    assert lights == sorted(lights, key=["红灯", "黄灯", "绿灯"].index)
    assert "红灯" in page.locator("ul.tasks > li", has_text=task.title).inner_text()
    shot(page, "2-clerk-workbench", full_page=False)

    report_on_phone(page, task.title)
    assert page.url.endswith("/workbench/")  # back where the clerk was, ready for the next task
    assert page.locator(".msg", has_text="进度 50%").is_visible()
    assert page.locator("ul.tasks > li", has_text=task.title).locator(".light").inner_text() == "绿灯"
    assert fits(page, PHONE["width"])
    shot(page, "2-clerk-reported", full_page=False)
    task.refresh_from_db()
    assert (task.light, task.progress) == ("green", 50)


def test_leader_cockpit_shows_the_report(open_page, demo):
    """(3) The county head's cockpit: the red count is a link to exactly those tasks; after the clerk's report it
    is one less, and the area's red number too."""
    from luoshi.ledger.models import Task

    task = quiet_task("西虢镇", "整治农村人居环境示范村", area="乡村振兴")
    leader = open_page(DESKTOP)
    login(leader, "xianzhang")
    leader.goto("/cockpit/")
    red = int(leader.locator("#kpi-red .value").inner_text())
    assert red == Task.objects.filter(light="red").count()
    area_red = leader.get_by_role("link", name=re.compile(r"^乡村振兴 红灯 \d+ 项$"))
    area_before = int(area_red.inner_text())
    assert leader.locator("ol.reddest", has_text=task.title).count() == 1
    leader.wait_for_function("document.querySelector('#area-chart canvas') !== null")
    shot(leader, "cockpit", full_page=False)
    shot(leader, "3-cockpit-before")

    clerk = open_page(PHONE)
    login(clerk, "xiguo")
    report_on_phone(clerk, task.title)

    leader.reload()
    assert int(leader.locator("#kpi-red .value").inner_text()) == red - 1
    assert int(area_red.inner_text()) == area_before - 1
    assert leader.locator("ol.reddest", has_text=task.title).count() == 0
    shot(leader, "3-cockpit-after")
    # every number opens the records behind it: the red count → the task list with as many rows
    leader.locator("#kpi-red").click()
    leader.wait_for_url(re.compile(r"/tasks/\?light=red"))
    assert leader.get_by_text(f"共 {red - 1} 项").is_visible()
    shot(leader, "3-cockpit-click-through", full_page=False)

    phone = open_page(PHONE)
    login(phone, "xianzhang")
    phone.goto("/cockpit/")
    assert fits(phone, PHONE["width"])
    shot(phone, "3-cockpit-phone")


def test_xss_in_a_task_title_shows_as_text(open_page, demo):
    """(4) A title and an area holding markup are shown as typed on the cockpit (list, table, chart data), the task
    list and the task page; no dialog fires (open_page fails the test if one does)."""
    task = quiet_task("西虢镇", XSS, area=XSS[:50])
    page = open_page(DESKTOP)
    login(page, "office")
    for path in ["/cockpit/", "/tasks/?q=onerror", f"/tasks/{task.pk}/"]:
        page.goto(path)
        assert page.get_by_text(XSS, exact=False).first.is_visible(), path
        assert page.locator("img[src=x]").count() == 0
    page.goto("/cockpit/")
    assert page.get_by_role("row", name=re.compile(re.escape(XSS[:50]))).count() == 1
    page.wait_for_function("document.querySelector('#area-chart canvas') !== null")
    shot(page, "4-xss-cockpit")


def test_citizen_files_a_request_and_tracks_it(open_page, demo):
    """(5) On the public page, with no account, on a phone: file a request, get its number, track it with the
    number and the phone's last four digits; once the office dispatches it, the tracking shows the unit."""
    from django.contrib.auth.models import User
    from django.core.cache import cache

    from luoshi.org.models import Unit
    from luoshi.service import services
    from luoshi.service.models import ServiceCategory, ServiceRequest

    cache.clear()  # the public pages' rate limits count in the cache
    ServiceCategory.objects.get_or_create(service_code="water", defaults={"name": "供水", "deadline_hours": 24})
    page = open_page(PHONE)
    page.goto("/service/submit/")
    page.get_by_label("诉求类别").select_option(label="供水")
    page.get_by_label("诉求内容").fill("西虢镇东街自来水停水两天，至今没有通知何时恢复。")
    page.get_by_label("地址").fill("西虢镇东街12号")
    page.get_by_label("联系人").fill("王先生")
    page.get_by_label("手机号码").fill("13812345678")
    assert fits(page, PHONE["width"])
    shot(page, "5-citizen-form")
    page.get_by_role("button", name="提交").click()
    number = page.locator("main strong").inner_text()
    shot(page, "5-citizen-number")

    request = ServiceRequest.objects.get(number=number)
    services.dispatch(request, User.objects.get(username="office"), Unit.objects.get(name="西虢镇"))
    page.goto("/service/track/")
    page.get_by_label("诉求编号").fill(number)
    page.get_by_label("手机号后四位").fill("5678")
    page.get_by_role("button", name="查询").click()
    card = page.locator("article.card")
    assert number in card.inner_text() and "西虢镇" in card.inner_text()
    assert "13812345678" not in page.content()  # the phone is masked even for its owner's lookup
    shot(page, "5-citizen-tracked")
