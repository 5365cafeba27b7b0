"""The demo county: a county-level city in 焦作, Henan, modelled on the sample speech, as of 2021-07-15.

Its units, leaders and staff; the speech published as the 2021 responsibility list; and half a year of
progress reports, filled targets, supervision notices and leader instructions, so every light colour shows.
Everything goes through the ledger services, on a demo clock, so reports, audit entries and notices carry
2021 dates. The data are generated from a fixed seed: every load is the same.
"""
import datetime as dt
import heapq
import itertools
import random
import re
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from luoshi.decompose import decompose, load_unit_rules
from luoshi.ledger import services
from luoshi.ledger.models import Document, Light, LightPolicy, ProgressReport, Target, Task, UnitRule
from luoshi.org.models import ApiToken, Person, Unit, unit_names

PASSWORD = "demo1234"
DOC_DATE = dt.date(2020, 12, 20)
PUBLISH_DAY = dt.date(2021, 1, 4)
DEMO_TODAY = dt.date(2021, 7, 15)  # run the app with LUOSHI_TODAY=2021-07-15 to see the lights as loaded
SEED = 20201220
EMAIL_DOMAIN = "mengzhou.example"
SPEECH = Path(__file__).parent / "demo_data" / "speech-county-work-retreat-2020.txt"
SPEECH_TITLE = "在乡镇办事处和主要经济部门工作务虚会上的讲话提纲"

# (name, kind, short name, aliases, login)
TOWNSHIPS = [
    ("会昌街道", Unit.Kind.STREET, "会昌", "会昌街道办事处,会昌办事处", "huichang"),
    ("大定街道", Unit.Kind.STREET, "大定", "大定街道办事处,大定办事处", "dading"),
    ("河雍街道", Unit.Kind.STREET, "河雍", "河雍街道办事处,河雍办事处", "heyong"),
    ("韩愈街道", Unit.Kind.STREET, "韩愈", "韩愈街道办事处,韩愈办事处", "hanyu"),
    ("西虢镇", Unit.Kind.TOWNSHIP, "西虢", "西虢镇人民政府", "xiguo"),
    ("化工镇", Unit.Kind.TOWNSHIP, "化工", "化工镇人民政府", "huagong"),
    ("南庄镇", Unit.Kind.TOWNSHIP, "南庄", "南庄镇人民政府", "nanzhuang"),
    ("城伯镇", Unit.Kind.TOWNSHIP, "城伯", "城伯镇人民政府", "chengbo"),
    ("谷旦镇", Unit.Kind.TOWNSHIP, "谷旦", "谷旦镇人民政府", "gudan"),
    ("赵和镇", Unit.Kind.TOWNSHIP, "赵和", "赵和镇人民政府", "zhaohe"),
    ("槐树乡", Unit.Kind.TOWNSHIP, "槐树", "槐树乡人民政府", "huaishu"),
]
DEPARTMENTS = [
    ("发展改革委", "发改委", "发展和改革委员会,发改局,市发展改革委,县发展改革委", "fagai"),
    ("商务局", "", "市商务局,县商务局,招商局", "shangwu"),
    ("工信局", "", "工业和信息化局,工业信息化局,市工信局,县工信局", "gongxin"),
    ("科技局", "", "科学技术局,市科技局,县科技局", "keji"),
    ("财政局", "", "市财政局,县财政局", "caizheng"),
    ("自然资源局", "", "自然资源和规划局,自规局,国土局", "ziran"),
    ("住建局", "", "住房和城乡建设局,住建委,市住建局,县住建局", "zhujian"),
    ("城管局", "", "城市管理局,城市管理综合执法局,城管执法局", "chengguan"),
    ("交通运输局", "交通局", "市交通运输局,县交通运输局", "jiaotong"),
    ("农业农村局", "", "农业局,乡村振兴局,农业农村和乡村振兴局", "nongye"),
    ("水利局", "", "市水利局,县水利局", "shuili"),
    ("文广旅局", "", "文化广电和旅游局,文旅局,文化广电旅游局", "wenlv"),
    ("卫健委", "", "卫生健康委员会,卫生健康委,卫健局", "weijian"),
    ("教育局", "", "教体局,教育体育局", "jiaoyu"),
    ("民政局", "", "市民政局,县民政局", "minzheng"),
    ("人社局", "", "人力资源和社会保障局,人力资源社会保障局", "renshe"),
    ("生态环境局", "", "生态环境分局,环保局", "huanbao"),
    ("市场监管局", "", "市场监督管理局", "shichang"),
    ("应急管理局", "应急局", "", "yingji"),
    ("信访局", "", "", "xinfang"),
    ("统计局", "", "", "tongji"),
    ("公安局", "", "", "gongan"),
    ("政务服务和大数据管理局", "大数据局", "政务服务中心,政数局", "zhengwu"),
    ("税务局", "", "市税务局,县税务局", "shuiwu"),
    ("医保局", "", "医疗保障局", "yibao"),
    ("纪委监委", "", "纪委,监委,县纪委监委", "jiwei"),
    ("政法委", "", "县委政法委,市委政法委", "zhengfa"),
    ("组织部", "", "县委组织部,市委组织部", "zuzhi"),
    ("宣传部", "", "县委宣传部,市委宣传部,文明办", "xuanchuan"),
    ("产业集聚区管委会", "产业集聚区", "集聚区管委会,产业集聚区管理委员会,集聚区", "jijuqu"),
]
OFFICE = ("县委县政府督查室", "督查室", "督查局,督查办")
LEADERSHIP = "县领导"
FALLBACK_LEAD = "发展改革委"  # never the office itself: it supervises, it does not carry tasks

# (login, name, title, areas in charge); the first is the principal leader and sees every task
LEADERS = [
    ("xianzhang", "周明远", "县长", []),
    ("fuxianzhang1", "陈立新", "常务副县长（分管发展改革、财政、商务）", ["项目为王"]),
    ("fuxianzhang2", "李卫东", "副县长（分管工业、科技、产业集聚区）", ["产业转型", "创新驱动"]),
    ("fuxianzhang3", "张海峰", "副县长（分管住建、城管、交通、自然资源）", ["精致城市"]),
    ("fuxianzhang4", "赵红梅", "副县长（分管农业农村、水利、生态环境）", ["乡村振兴", "生态"]),
    ("fuxianzhang5", "孙志刚", "副县长（分管教育、卫健、民政、党建联络）", ["保障"]),
]
OFFICE_STAFF = [("office", "刘敏", "督查室干事"), ("office_head", "郭振华", "督查室主任")]
API_TOKENS = ["office", "xianzhang", "xiguo_head", "shangwu"]  # one user of each role

# the speech's priority areas, recognised in its headings
AREAS = [("项目为王", "项目为王"), ("产业转型", "产业转型"), ("创新驱动", "创新驱动"), ("精致城市", "精致城市"),
         ("乡村振兴", "乡村振兴"), ("生态", "生态"), ("保障", "保障"), ("党建", "保障"), ("民生", "保障"),
         ("作风", "保障")]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["建华", "晓东", "丽娟", "国强", "海燕", "志勇", "文静", "红霞", "永刚", "秀兰", "俊杰", "雪梅", "振宇", "亚楠",
         "卫国", "春燕", "明辉", "玉洁", "鹏飞", "慧敏", "长江", "晓燕", "立伟", "佳琪", "德胜", "彩霞", "博文", "婷婷"]


# Where the speech names no time limit, the office sets one when it publishes; spread over the year.
OFFICE_DEADLINES = ["2021-12-31", "2021-06-30", "2021-12-31", "2021-09-30", "2021-12-31", "2021-03-31",
                    "2021-11-30", "2021-07-25", "2021-12-31", "2021-10-31"]
ALL_TOWNSHIPS = "各乡镇（街道）"  # a suggestion the office expands to every township and street office

REPORT_PHRASES = {
    "start": ["已制定工作方案，明确责任分工和时间节点。", "召开专题推进会，细化任务清单，建立工作台账。",
              "完成前期调研摸底，形成问题清单和责任清单。"],
    "middle": ["按节点有序推进，本月完成既定工作量。", "协调解决{issue}问题，工作稳步推进。",
               "开展督导检查{n}次，发现的问题已落实整改。", "与上级主管部门对接{n}次，争取政策和资金支持。"],
    "late": ["主体工作基本完成，正在查漏补缺。", "已进入收尾阶段，正在整理佐证材料。"],
    "done": ["任务已全部完成，佐证材料已上传，申请核销。"],
}
ISSUES = ["用地指标", "资金拨付", "环评手续", "施工协调", "人员配备", "电力接入"]
TARGET_RANGES = {"个": (5, 15), "家": (5, 40), "亿元": (30, 150), "亿美元": (1, 5)}


class AlreadyLoaded(Exception):
    """The database already holds units; the demo only loads into an empty database."""


@contextmanager
def demo_clock(day, hour=10):
    """Everything done inside happens on `day`: the ledger's today and every auto timestamp.

    The demo county lives in 2021; the services stamp created_at/issued_at/audit times with timezone.now()
    and check dates against services.today(), so both are moved rather than rows rewritten afterwards
    (the audit trail is append-only and could not be corrected).
    """
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment), \
            override_settings(LUOSHI_TODAY=day.isoformat()):
        yield


def load():
    """Load the demo county into an empty database; returns a summary dict. Raises AlreadyLoaded."""
    if Unit.objects.exists():
        raise AlreadyLoaded
    rng = random.Random(SEED)
    with transaction.atomic():
        with demo_clock(PUBLISH_DAY, hour=8):
            LightPolicy.objects.create(name="默认规则")
            units = _units()
            people = _people(units, rng)
            rules = _unit_rules(units)
            document, tasks = _publish(units, people)
        history = _history(tasks, people, rng)
        with demo_clock(DEMO_TODAY, hour=18):
            services.escalate_notices(on=DEMO_TODAY)
            services.refresh_lights(on=DEMO_TODAY)
    lights = {light: Task.objects.filter(light=light).count() for light in Light.values}
    return {"units": len(units), "people": len(people), "tasks": len(tasks), "unit_rules": rules, "lights": lights,
            **history}


# --- units and people ---------------------------------------------------------------------------

def _units():
    units = {}
    office = Unit.objects.create(name=OFFICE[0], short_name=OFFICE[1], aliases=OFFICE[2], kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name=LEADERSHIP, kind=Unit.Kind.LEADERSHIP)
    units[office.name], units[leadership.name] = office, leadership
    for order, (name, kind, short, aliases, _) in enumerate(TOWNSHIPS, start=1):
        units[name] = Unit.objects.create(name=name, kind=kind, short_name=short, aliases=aliases, order=order)
    for order, (name, short, aliases, _) in enumerate(DEPARTMENTS, start=1):
        units[name] = Unit.objects.create(name=name, kind=Unit.Kind.DEPARTMENT, short_name=short, aliases=aliases,
                                          order=order)
    return units


def _head_title(unit):
    if unit.kind == Unit.Kind.STREET:
        return "办事处主任"
    if unit.kind == Unit.Kind.TOWNSHIP:
        return "乡长" if unit.name.endswith("乡") else "镇长"
    return {"部": "部长", "局": "局长"}.get(unit.name[-1], "主任")


def _people(units, rng):
    """Every login shares one password hash: hashing is deliberately slow, and the demo has ~80 users."""
    password = make_password(PASSWORD)
    people = {}

    def add(login, name, unit, role, title, **kw):
        user = User.objects.create(username=login, email=f"{login}@{EMAIL_DOMAIN}", password=password,
                                   first_name=name)
        people[login] = Person.objects.create(user=user, name=name, title=title, unit=unit, role=role, **kw)

    for i, (login, name, title, _) in enumerate(LEADERS):
        add(login, name, units[LEADERSHIP], Person.Role.LEADER, title, oversees_all=i == 0)
    for login, name, title in OFFICE_STAFF:
        add(login, name, units[OFFICE[0]], Person.Role.OFFICE, title)
    names = iter(rng.sample([s + g for s in SURNAMES for g in GIVEN], 2 * (len(TOWNSHIPS) + len(DEPARTMENTS))))
    for name, login in [(t[0], t[4]) for t in TOWNSHIPS] + [(d[0], d[3]) for d in DEPARTMENTS]:
        unit = units[name]
        clerk_title = "督查专干" if unit.is_township else "督查联络员"
        add(login, next(names), unit, Person.Role.UNIT_CLERK, clerk_title)
        add(f"{login}_head", next(names), unit, Person.Role.UNIT_HEAD, _head_title(unit))
    User.objects.create(username="admin", email=f"admin@{EMAIL_DOMAIN}", password=password,
                        is_staff=True, is_superuser=True)
    for login in API_TOKENS:
        ApiToken.objects.create(user=people[login].user, key=f"demo-token-{login}", name="演示")
    return people


def _unit_lookup(units):
    """Every way a unit is written (name, short name, aliases) → Unit, as the Excel import resolves them."""
    by_pk = {unit.pk: unit for unit in units.values()}
    return {name: by_pk[pk] for name, pk in unit_names().items()}


def _unit_rules(units):
    """The decomposer's keyword → unit table as editable UnitRule rows; rules naming units the county
    does not have (海关, 开发区管委会…) are left out."""
    names = _unit_lookup(units)
    count = 0
    for rule in load_unit_rules():
        lead = names.get(rule.lead_unit)
        if lead is None:
            continue
        row = UnitRule.objects.create(keyword=rule.keyword, lead_unit=lead, note=rule.note[:200])
        row.co_units.set({names[u] for u in rule.co_units if u in names} - {lead})
        count += 1
    return count


# --- the responsibility list --------------------------------------------------------------------

def area_of(headings, index):
    """The priority area of a heading or its nearest ancestor that names one."""
    while index is not None:
        heading = headings[index]
        area = next((area for word, area in AREAS if word in heading["text"]), "")
        if area:
            return area
        index = heading["parent"]
    return ""


def leader_for(area, people):
    login = next((login for login, _, _, areas in LEADERS if area in areas), LEADERS[0][0])
    return people[login]


def title_of(text):
    """The first clause long enough to name the work (“当前，…”, “下一步，…” open with a mere time word)."""
    clauses = [c for c in re.split(r"[，；。：！？]", text) if c]
    return next((c for c in clauses if len(c) >= 6), clauses[0] if clauses else text)[:60]


def _task_rows(result, units, people):
    """The decomposer's draft as the office publishes it: suggested units resolved (a suggestion that is not a
    county unit, or the office itself, falls back to the 发展改革委), the leader by priority area, and a time limit
    where the speech gives none."""
    names = _unit_lookup(units)
    office, fallback = units[OFFICE[0]], units[FALLBACK_LEAD]
    townships = [u for u in units.values() if u.is_township]
    headings = result["headings"]
    rows = []
    for index, task in enumerate(result["tasks"]):
        lead = names.get(task["lead_unit"])
        if lead is None or lead == office:
            lead = fallback
        co = []
        for name in task["co_units"]:
            for unit in townships if name == ALL_TOWNSHIPS else [names.get(name)]:
                if unit is not None and unit not in (lead, office) and unit not in co:
                    co.append(unit)
        dates = [dt.date.fromisoformat(d["date"]) for d in task["deadlines"] if d["date"]]
        dates = [d for d in dates if d >= PUBLISH_DAY]
        deadline = max(dates) if dates else dt.date.fromisoformat(OFFICE_DEADLINES[index % len(OFFICE_DEADLINES)])
        heading = headings[task["heading"]]["text"] if task["heading"] is not None else ""
        area = area_of(headings, task["heading"])
        rows.append({
            "title": title_of(task["text"]), "text": task["text"],
            "section": heading, "area": area, "lead_unit": lead.pk, "co_units": [u.pk for u in co],
            "leader": leader_for(area, people).pk, "owner_text": task["owner_text"], "deadline": deadline,
            "targets": task["targets"], "start": task["start"], "end": task["end"], "source_text": task["text"],
        })
    return rows


def _publish(units, people):
    text = SPEECH.read_text(encoding="utf-8")
    result = decompose(text, doc_date=DOC_DATE).to_dict()
    office = people["office"].user
    document = Document.objects.create(title=SPEECH_TITLE, doc_date=DOC_DATE,
                                       filename=SPEECH.name, text=text, result=result, uploaded_by=office)
    return document, services.publish_document(document, _task_rows(result, units, people), office, on=PUBLISH_DAY)


# --- half a year of work --------------------------------------------------------------------------

def _report_days(rng, months):
    """One report near the end of each month."""
    return [dt.date(2021, m, rng.randint(22, 28)) for m in months]


def _round5(value):
    return max(0, min(100, 5 * round(value / 5)))


def _plan(task, index, rng):
    """How this task's unit behaved: which months it reported and how far it got.

    Tasks due before the demo day were mostly finished, a third are overdue; those due within the warning window
    are behind; the rest cycle through on-track, lapsed (red) and one-report-missed (yellow).
    """
    deadline = task.deadline
    if deadline <= DEMO_TODAY:
        kind = "overdue" if index % 3 == 1 else "done"
    elif (deadline - DEMO_TODAY).days <= 15:
        kind = "behind"
    else:
        kind = ["steady", "steady", "lapsed", "steady", "missed"][index % 5]
    last_month = {"done": min(deadline.month, 6), "lapsed": rng.choice([2, 3]), "missed": 5}.get(kind, 6)
    days = _report_days(rng, range(1, last_month + 1))
    if kind == "done" and deadline < days[-1]:
        days[-1] = deadline
    percents = []
    for i, day in enumerate(days, start=1):
        expected = services.time_progress(task, day)
        if kind == "behind":
            expected *= 0.45
        elif kind == "overdue":
            expected = min(expected, 85)
        percents.append(max(percents[-1] if percents else 0, _round5(expected + rng.randint(-8, 6))))
    return kind, list(zip(days, percents))


def _report_text(day, percent, rng, done=False):
    stage = "done" if done else "start" if percent <= 25 else "late" if percent >= 80 else "middle"
    phrase = rng.choice(REPORT_PHRASES[stage]).format(issue=rng.choice(ISSUES), n=rng.randint(2, 6))
    return f"{day.month}月份进展：{phrase}当前进度{100 if done else percent}%。"


def _clerk(unit, people):
    return next(p.user for p in people.values() if p.unit_id == unit.pk and p.role == Person.Role.UNIT_CLERK)


def _history(tasks, people, rng):
    """Reports, targets, notices and instructions, run day by day in date order on the demo clock."""
    office = people["office"].user
    events, seq = [], itertools.count()  # a heap of (day, seq, action); an action may schedule later ones

    def at(day, action):
        heapq.heappush(events, (day, next(seq), action))

    plans = {}
    for index, task in enumerate(tasks):
        kind, reports = _plan(task, index, rng)
        plans[task.pk] = kind
        clerk = _clerk(task.lead_unit, people)
        for n, (day, percent) in enumerate(reports, start=1):
            done = kind == "done" and n == len(reports)
            text = _report_text(day, percent, rng, done)
            at(day, lambda t=task, u=clerk, p=percent, x=text, d=done: services.report_progress(
                Task.objects.get(pk=t.pk), u, p, x, done=d))
        if kind == "done" and index % 3 != 1:  # most finished tasks are verified; some wait for the office
            at(reports[-1][0] + dt.timedelta(days=3),
               lambda t=task: services.verify_task(Task.objects.get(pk=t.pk), office))

    _targets(tasks, people, rng, at)
    counts = {"notices": 0, "instructions": 0}
    unnoticed = _notices(tasks, plans, people, at, counts)
    _instructions(tasks, plans, people, at, counts, unnoticed)

    while events:
        day, _, action = heapq.heappop(events)
        with demo_clock(day):
            action()
    return {"reports": ProgressReport.objects.count(), **counts}


def _targets(tasks, people, rng, at):
    """Blank targets: the lead unit fills them in January; the office confirms, returns or has not looked yet."""
    office = people["office"].user
    blanks = [t for task in tasks for t in task.targets.filter(placeholder=True).order_by("id")]
    for i, target in enumerate(blanks):
        outcome = ["confirmed", "filled", "returned", "blank"][i % 4]
        if outcome == "blank":
            continue
        low, high = (40, 90) if "总数" in target.metric + target.text else TARGET_RANGES.get(target.unit, (3, 30))
        value = rng.randint(low, high)
        clerk = _clerk(target.task.lead_unit, people)
        at(dt.date(2021, 1, 15), lambda t=target, u=clerk, v=value: services.fill_target(
            Target.objects.get(pk=t.pk), u, v, note="根据在谈项目和上年基数测算"))
        if outcome == "confirmed":
            at(dt.date(2021, 1, 18), lambda t=target: services.confirm_target(Target.objects.get(pk=t.pk), office))
        elif outcome == "returned":
            at(dt.date(2021, 1, 18), lambda t=target: services.return_target(
                Target.objects.get(pk=t.pk), office, "低于上年实际完成数，请重新测算后填报"))


def _notices(tasks, plans, people, at, counts):
    """督办单 for red tasks: two in June (one answered, after which the unit reports again; one never answered,
    so it is escalated) and one in July, still within its reply time. Returns the red tasks left without one."""
    office = people["office"].user
    june = dt.date(2021, 6, 10)
    red = [t for t in tasks if plans[t.pk] in ("lapsed", "overdue")]
    red_in_june = [t for t in red if plans[t.pk] == "lapsed" or t.deadline < june]

    def issue(task, day, reply=None):
        def action():
            services.refresh_lights(on=day, tasks=Task.objects.filter(pk=task.pk))
            current = Task.objects.get(pk=task.pk)
            notice = services.issue_notice(current, office, f"该任务{current.light_reason}，请说明原因并报送整改措施。",
                                           requirement="5个工作日内书面答复，并补报进度。", on=day)
            if reply:
                clerk = _clerk(current.lead_unit, people)
                reply_day = day + dt.timedelta(days=3)
                at(reply_day, lambda: services.reply_notice(notice, clerk, reply))
                at(reply_day, lambda: services.report_progress(
                    Task.objects.get(pk=task.pk), clerk, min(100, current.progress + 20),
                    f"{reply_day.month}月份进展：按督办要求召开专题会，补齐进度，已制定倒排工期计划。"))
        at(day, action)
        counts["notices"] += 1
        red.remove(task)

    for task, reply in zip(red_in_june, ["已召开专题会议研究，明确专人负责，倒排工期，确保7月底前追上进度。", None]):
        issue(task, june, reply)
    if red:
        issue(red[0], dt.date(2021, 7, 12))
    return red


def _instructions(tasks, plans, people, at, counts, red):
    """Two 批示: the county head on a red task (answered), the executive deputy on a task in his charge (open)."""
    red = red or [t for t in tasks if plans[t.pk] in ("lapsed", "overdue")]
    if red:
        at(dt.date(2021, 7, 5), lambda: _instruct_and_reply(red[-1], people, at))
        counts["instructions"] += 1
    deputy = people["fuxianzhang1"]
    mine = [t for t in tasks if t.leader_id == deputy.pk and plans[t.pk] != "done"]
    if mine:
        at(dt.date(2021, 7, 8), lambda: services.give_instruction(
            deputy.user, Task.objects.get(pk=mine[0].pk), "请抓紧对接在谈项目，确保签约项目尽快落地，月底前报送进展情况。",
            mine[0].lead_unit, dt.date(2021, 7, 31)))
        counts["instructions"] += 1


def _instruct_and_reply(task, people, at):
    instruction = services.give_instruction(
        people["xianzhang"].user, Task.objects.get(pk=task.pk), "此项工作进展滞后，请分管领导牵头召开专题会研究，限期整改到位。",
        task.lead_unit, dt.date(2021, 7, 20))
    at(dt.date(2021, 7, 9), lambda: services.reply_instruction(
        instruction, _clerk(task.lead_unit, people), "已按批示要求召开专题会，制定整改方案，7月底前完成阶段任务。"))
