"""Cockpit figures on a small county, who may open it, and that every number leads to the rows it counts."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from luoshi.cockpit import services
from luoshi.ledger import services as ledger
from luoshi.ledger.models import Instruction, Light, Target, Task

ON = dt.date(2021, 7, 15)


@pytest.fixture
def ledger_county(county, make_task, settings):
    """Tasks in two areas and four units; some red (missed reports or overdue), one shared with a co-unit."""
    settings.LUOSHI_TODAY = ON.isoformat()
    c = county
    c.quiet = make_task(title="农村人居环境整治", area="乡村振兴", lead=c.town_a, co=[c.town_b], leader=c.leader)
    c.overdue = make_task(title="春节前完成清欠", area="保障", lead=c.commerce, deadline=dt.date(2021, 2, 10),
                          leader=c.leader2)
    c.fine = make_task(title="招商引资突破年", area="项目为王", lead=c.commerce, on=dt.date(2021, 7, 1),
                       targets=[{"text": "引进亿元以上项目**个", "metric": "引进亿元以上项目", "unit": "个",
                                 "placeholder": True}])
    c.other = make_task(title="重点项目前期", area="项目为王", lead=c.ndrc, co=[c.town_b], on=dt.date(2021, 7, 1))
    ledger.refresh_lights(on=ON)
    for task in (c.quiet, c.overdue, c.fine, c.other):
        task.refresh_from_db()
    assert [c.quiet.light, c.overdue.light, c.fine.light, c.other.light] == ["red", "red", "green", "green"]
    return c


def test_lights_by_area_in_the_speech_order(ledger_county):
    rows = services.lights_by_area(ledger_county.head)
    assert [(r.label, r.red, r.yellow, r.green) for r in rows] == [
        ("项目为王", 0, 0, 2), ("乡村振兴", 1, 0, 0), ("保障", 1, 0, 0)]
    assert rows[1].links["red"] == "/tasks/?light=red&area=%E4%B9%A1%E6%9D%91%E6%8C%AF%E5%85%B4"


def test_lights_by_unit_count_lead_and_co_units_reddest_first(ledger_county):
    c = ledger_county
    rows, count = services.lights_by_unit(c.head)
    assert count == 4
    by_unit = {r.label: (r.red, r.green) for r in rows}
    assert by_unit == {"河阳镇": (1, 0), "西虢镇": (1, 1), "商务局": (1, 1), "发展改革委": (0, 1)}
    assert rows[-1].label == "发展改革委"
    assert services.lights_by_unit(c.head, limit=2)[0][:1] == rows[:1]


def test_a_leader_in_charge_counts_only_the_tasks_in_charge(ledger_county):
    c = ledger_county
    # 李副县长 has every task but 赵副县长's overdue one (保障)
    assert [(r.label, r.red, r.total) for r in services.lights_by_area(c.leader)] == [("项目为王", 0, 2),
                                                                                      ("乡村振兴", 1, 1)]
    assert [t.title for t in services.reddest(c.leader)] == ["农村人居环境整治"]
    assert [t.title for t in services.reddest(c.leader2)] == ["春节前完成清欠"]


def test_reddest_red_first_most_overdue_first(ledger_county, make_task):
    c = ledger_county
    later = make_task(title="年底前完成", lead=c.town_b, deadline=dt.date(2021, 6, 30))
    ledger.refresh_lights(on=ON)
    items = services.reddest(c.head)
    assert [t.title for t in items] == ["春节前完成清欠", "年底前完成", "农村人居环境整治"]
    assert [t.days_overdue for t in items] == [155, 15, 0]


def test_follow_ups_and_the_records_behind_them(ledger_county, client):
    c = ledger_county
    ledger.issue_notice(c.quiet, c.office, "连续未填报", reply_due=ON + dt.timedelta(days=5), on=ON)
    instruction = ledger.give_instruction(c.head, c.overdue, "请尽快办结", c.commerce, ON)
    Instruction.objects.filter(pk=instruction.pk).update(due=ON - dt.timedelta(days=1))  # a day has passed
    figures = {label: (n, href) for label, n, href in services.follow_ups(c.head)}
    assert figures["目标值待填报"][0] == 1 and figures["督办单待答复"][0] == 1
    assert figures["批示待落实"][0] == 1 and figures["批示已超期"][0] == 1
    client.force_login(c.head)
    for label in ("目标值待填报", "督办单待答复", "批示已超期"):
        n, href = figures[label]
        page = client.get(href).content.decode()
        assert f"共 {n} 项" in page, label
    assert "引进亿元以上项目" in client.get(figures["目标值待填报"][1]).content.decode()
    assert client.get(figures["目标值待确认"][1]).content.decode().count("共 0 项") == 1


@pytest.mark.parametrize("who, status", [("office", 200), ("head", 200), ("leader", 200), ("clerk_a", 403),
                                         ("head_a", 403), ("clerk_commerce", 403)])
def test_leaders_and_the_office_only(ledger_county, client, who, status):
    client.force_login(getattr(ledger_county, who))
    for url in (reverse("cockpit"), reverse("cockpit-units"), reverse("cockpit-records", args=["notices"])):
        assert client.get(url).status_code == status, url


def test_anonymous_goes_to_login(client):
    assert client.get(reverse("cockpit")).url.startswith(reverse("login"))


def test_every_task_count_on_the_page_is_the_task_lists_count(ledger_county, client):
    """Follow each task-list link on the cockpit: the list says 共 N 项 for the N the link shows."""
    client.force_login(ledger_county.head)
    page = client.get(reverse("cockpit")).content.decode()
    links = re.findall(r'<a href="(/tasks/\?[^"]+)"[^>]*>(?:\s*<span class="label">[^<]*</span>\s*<strong '
                       r'class="value">)?(\d+)', page)
    assert len(links) >= 20
    for href, n in links:
        listed = client.get(href.replace("&amp;", "&")).content.decode()
        assert f"共 {n} 项" in listed, href


def test_user_text_is_escaped_and_chart_data_is_json(ledger_county, make_task, client):
    payload = "<script>alert(1)</script>"
    make_task(title=payload, area=payload, lead=ledger_county.town_a, deadline=dt.date(2021, 3, 1))
    ledger.refresh_lights(on=ON)
    client.force_login(ledger_county.office)
    page = client.get(reverse("cockpit")).content.decode()
    assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '"\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"' in page  # json_script escapes it in the data


def test_units_page_lists_every_unit(ledger_county, client):
    client.force_login(ledger_county.office)
    page = client.get(reverse("cockpit-units")).content.decode()
    assert all(name in page for name in ("河阳镇", "西虢镇", "商务局", "发展改革委"))


def test_projects_and_requests_sections_render_empty(ledger_county, client):
    client.force_login(ledger_county.head)
    page = client.get(reverse("cockpit")).content.decode()
    assert "重点项目" in page and "企业和群众诉求" in page
    assert Target.objects.filter(placeholder=True).count() == 1 and Task.objects.filter(light=Light.RED).exists()
