"""The demo county's key projects and 招商 pipeline, January to mid-July 2021.

Loaded on top of the demo county (luoshi.org.demo): ~40 projects named after the speech, each moved through its
stages, monthly reports and problems by the project services on the demo clock, and ~60 leads with funds in
place. A fixed seed makes every load the same.
"""
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from luoshi.org.demo import DEMO_TODAY, demo_clock
from luoshi.org.models import Person, Unit

from . import services
from .models import Lead, Programme, Project, Stage, StageItem

SEED = 20210104
REGISTERED = dt.date(2021, 1, 4)
THIRTY = "三十工程"
TEN = "十件民生实事"
PROGRAMMES = [(THIRTY, "年度续建、新建的 30 个重点项目，统领项目建设"),
              (TEN, "年度十件民生实事项目")]

# what happens to a project in the first half of 2021:
#   built – under construction all along; finished – completed in June; started – from 引进 to 开工 by June;
#   preparing – 前期 since March, 开工 planned later (on time / within 15 days / already overdue);
#   introduced – still 引进; lapsed – stopped reporting after March; missed – June report not filed
KINDS = {
    "built": (Stage.CONSTRUCTION, None, "2022-12-31"), "finished": (Stage.CONSTRUCTION, None, "2021-06-30"),
    "started": (Stage.INTRODUCED, "2021-06-30", "2022-12-31"),
    "preparing": (Stage.INTRODUCED, "2021-10-31", "2023-06-30"),
    "due_soon": (Stage.INTRODUCED, "2021-07-25", "2022-12-31"), "late": (Stage.INTRODUCED, "2021-06-30", "2022-12-31"),
    "introduced": (Stage.INTRODUCED, "2022-03-31", "2023-12-31"), "lapsed": (Stage.CONSTRUCTION, None, "2022-06-30"),
    "missed": (Stage.CONSTRUCTION, None, "2022-10-31"),
}

# (name, category, programme, township, lead unit, leader login, total 万元, kind)
PROJECTS = [
    ("黄河大桥", "infrastructure", THIRTY, "西虢镇", "交通运输局", "fuxianzhang3", 185000, "built"),
    ("S237（捏掌至里村段）", "infrastructure", THIRTY, "槐树乡", "交通运输局", "fuxianzhang3", 42000, "built"),
    ("城区道路改造提升", "infrastructure", THIRTY, "会昌街道", "住建局", "fuxianzhang3", 26000, "late"),
    ("吉祥湖水秀", "culture_tourism", THIRTY, "韩愈街道", "城管局", "fuxianzhang3", 12000, "due_soon"),
    ("城市广场", "infrastructure", THIRTY, "大定街道", "住建局", "fuxianzhang3", 9800, "preparing"),
    ("集中供暖扩面", "livelihood", TEN, "河雍街道", "城管局", "fuxianzhang3", 15600, "built"),
    ("老旧小区改造", "livelihood", TEN, "会昌街道", "住建局", "fuxianzhang3", 21000, "missed"),
    ("新一中", "livelihood", TEN, "大定街道", "教育局", "fuxianzhang5", 56000, "finished"),
    ("第一人民医院", "livelihood", TEN, "河雍街道", "卫健委", "fuxianzhang5", 68000, "built"),
    ("妇幼保健院迁建", "livelihood", TEN, "韩愈街道", "卫健委", "fuxianzhang5", 32000, "built"),
    ("中医院传染病区", "livelihood", TEN, "会昌街道", "卫健委", "fuxianzhang5", 8600, "lapsed"),
    ("老年健身园", "livelihood", TEN, "河雍街道", "民政局", "fuxianzhang5", 1800, "started"),
    ("全民健身中心", "livelihood", TEN, "大定街道", "教育局", "fuxianzhang5", 16500, "preparing"),
    ("农村慈善幸福院", "livelihood", TEN, "谷旦镇", "民政局", "fuxianzhang5", 2400, "finished"),
    ("韩愈文化产业园", "culture_tourism", THIRTY, "韩愈街道", "文广旅局", "fuxianzhang1", 120000, "preparing"),
    ("黄河文化产业园", "culture_tourism", THIRTY, "化工镇", "文广旅局", "fuxianzhang1", 95000, "introduced"),
    ("桑坡·记忆特色小镇", "culture_tourism", THIRTY, "西虢镇", "文广旅局", "fuxianzhang1", 36000, "built"),
    ("老家莫沟景区提升", "culture_tourism", THIRTY, "槐树乡", "文广旅局", "fuxianzhang1", 8000, "started"),
    ("城市中心商业综合体", "services", THIRTY, "会昌街道", "商务局", "fuxianzhang1", 150000, "introduced"),
    ("进口肉类口岸", "services", THIRTY, "化工镇", "商务局", "fuxianzhang1", 23000, "finished"),
    ("保税物流中心", "services", THIRTY, "化工镇", "商务局", "fuxianzhang1", 48000, "late"),
    ("御捷电动汽车量产", "industry", THIRTY, "化工镇", "产业集聚区管委会", "fuxianzhang2", 260000, "built"),
    ("晶能电源二期", "industry", THIRTY, "化工镇", "产业集聚区管委会", "fuxianzhang2", 85000, "started"),
    ("皓泽电子光学模组", "industry", THIRTY, "化工镇", "工信局", "fuxianzhang2", 60000, "built"),
    ("拓思环保装备", "industry", THIRTY, "南庄镇", "产业集聚区管委会", "fuxianzhang2", 30000, "finished"),
    ("中内凯思国六钢质活塞扩产", "industry", THIRTY, "化工镇", "工信局", "fuxianzhang2", 45000, "built"),
    ("中原内配智能制造", "industry", THIRTY, "化工镇", "工信局", "fuxianzhang2", 52000, "due_soon"),
    ("隆丰皮草产业园", "industry", THIRTY, "南庄镇", "工信局", "fuxianzhang2", 40000, "lapsed"),
    ("广济药业原料药", "industry", THIRTY, "城伯镇", "工信局", "fuxianzhang2", 33000, "preparing"),
    ("四川大学孟州制革清洁技术研究院", "industry", THIRTY, "南庄镇", "科技局", "fuxianzhang2", 12000, "built"),
    ("种子产业园", "agriculture", None, "赵和镇", "农业农村局", "fuxianzhang4", 15000, "preparing"),
    ("花生产业园", "agriculture", None, "谷旦镇", "农业农村局", "fuxianzhang4", 9000, "started"),
    ("食用菌产业园", "agriculture", None, "城伯镇", "农业农村局", "fuxianzhang4", 7000, "introduced"),
    ("毛皮园区污水治理", "ecology", THIRTY, "南庄镇", "生态环境局", "fuxianzhang4", 18000, "late"),
    ("河道综合治理", "ecology", None, "赵和镇", "水利局", "fuxianzhang4", 22000, "built"),
    ("农村污水治理", "ecology", None, "槐树乡", "生态环境局", "fuxianzhang4", 14000, "missed"),
    ("二污厂扩容提标", "ecology", THIRTY, "河雍街道", "住建局", "fuxianzhang4", 19000, "started"),
    ("廊道绿化", "ecology", None, "西虢镇", "自然资源局", "fuxianzhang4", 6000, "built"),
    ("王园线人居环境示范带", "ecology", None, "城伯镇", "农业农村局", "fuxianzhang4", 5000, "preparing"),
    ("城区工业企业退城入园", "industry", None, "会昌街道", "发展改革委", "fuxianzhang1", 70000, "introduced"),
]

# (stage finished, day): the team ticks the stage's required items and moves on
STAGE_MOVES = {
    "started": [(Stage.INTRODUCED, dt.date(2021, 2, 26)), (Stage.PREPARATION, dt.date(2021, 6, 18))],
    "preparing": [(Stage.INTRODUCED, dt.date(2021, 3, 19))], "due_soon": [(Stage.INTRODUCED, dt.date(2021, 3, 5))],
    "late": [(Stage.INTRODUCED, dt.date(2021, 3, 12))], "finished": [(Stage.CONSTRUCTION, dt.date(2021, 6, 25))],
}
PROGRESS = {
    Stage.INTRODUCED: ["完成项目选址踏勘，对接投资方。", "编制项目建议书，开展投资测算。"],
    Stage.PREPARATION: ["办理立项、用地预审手续。", "开展环评、能评编制，规划方案报审。", "施工图设计审查中。"],
    Stage.CONSTRUCTION: ["主体结构施工，完成工程量约{n}%。", "设备基础施工，钢结构吊装。", "桩基施工完成{n}根。",
                         "二次结构及安装工程推进。"],
    Stage.COMPLETED: ["设备调试，试生产运行。"],
}
PROBLEMS = [
    ("land", "临时用地指标未落实，影响施工便道建设", "自然资源局"),
    ("utilities", "施工用电增容未完成，需协调供电部门", "发展改革委"),
    ("environment", "环评批复待市生态环境局审批", "生态环境局"),
    ("site", "周边群众阻工，需属地协调", None),  # None: the project's township
    ("permits", "施工许可证办理缺少消防审查意见", "住建局"),
    ("funding", "专项债资金拨付滞后", "财政局"),
]

INVESTORS = ["深圳", "上海", "江苏", "浙江", "广东", "北京", "山东", "郑州", "洛阳", "香港", "新加坡", "德国"]
INDUSTRIES = [("新能源电池材料", "电子信息"), ("汽车零部件", "装备制造"), ("光学元件", "电子信息"),
              ("皮革精深加工", "皮革制造"), ("生物医药中间体", "生物化工"), ("冷链物流", "保税经济"),
              ("智能装备", "装备制造"), ("食品加工", "农产品加工"), ("电镀集中区", "电镀"), ("文旅综合体", "文化旅游")]
FOREIGN = {"香港": "HKD", "新加坡": "USD", "德国": "EUR"}
HOME = {"郑州", "洛阳"}


def load(people=None, units=None):
    """Load the projects and pipeline into the demo county (people by login, units by name); returns a summary."""
    people = people or {p.user.username: p for p in Person.objects.select_related("user", "unit")}
    units = units or {u.name: u for u in Unit.objects.all()}
    rng = random.Random(SEED)
    with transaction.atomic():
        with demo_clock(REGISTERED, hour=9):
            for order, (name, description) in enumerate(PROGRAMMES, start=1):
                Programme.objects.get_or_create(name=name, defaults={"description": description, "order": order})
        for spec in PROJECTS:
            _project(spec, people, units, rng)
        leads = _pipeline(people, units, rng)
        with demo_clock(DEMO_TODAY, hour=18):
            escalated = services.escalate_problems(DEMO_TODAY)
            services.refresh_lights(DEMO_TODAY)
    lights = {light: Project.objects.filter(light=light).count() for light in ("red", "yellow", "green")}
    return {"projects": Project.objects.count(), "leads": len(leads), "escalated_problems": len(escalated),
            "project_lights": lights}


def _clerk(unit, people):
    return next(p.user for p in people.values() if p.unit_id == unit.pk and p.role == Person.Role.UNIT_CLERK)


def _on(day, action, *args, **kwargs):
    with demo_clock(day):
        return action(*args, **kwargs)


def _finish_stage(project, stage, day, clerk):
    for item in StageItem.objects.filter(stage=stage, required=True):
        _on(day, services.mark_item_done, project, clerk, item, day)
    return _on(day, services.advance_stage, project, clerk)


def _project(spec, people, units, rng):
    name, category, programme, township, lead_name, leader, total, kind = spec
    stage, planned_construction, planned_completion = KINDS[kind]
    lead_unit, town = units[lead_name], units[township]
    clerk = _clerk(lead_unit, people)
    annual = Decimal(round(total * rng.uniform(0.2, 0.45))) if stage == Stage.CONSTRUCTION or kind == "started" \
        else Decimal(round(total * rng.uniform(0.02, 0.1)))
    members = [people[p].pk for p in people if people[p].unit_id in (lead_unit.pk, town.pk)
               and people[p].role == Person.Role.UNIT_CLERK]
    project = _on(REGISTERED, services.create_project, people["office"].user, name=name, category=category,
                  programme=programme, township=town, lead_unit=lead_unit, leader=people[leader], members=members,
                  owner=f"{name.split('（')[0]}项目公司" if category in ("industry", "services") else lead_unit.name,
                  service_officer=people["shangwu_head"] if category == "industry" else None,
                  total_investment=total, annual_investment=annual, stage=stage,
                  provincial_key=total >= 100000, city_key=total >= 30000,
                  planned_preparation="2021-03-31" if stage == Stage.INTRODUCED and kind != "introduced" else (
                      "2021-09-30" if kind == "introduced" else None),
                  planned_construction=planned_construction, planned_completion=planned_completion)
    moves = dict(STAGE_MOVES.get(kind, []))
    months = range(1, 4) if kind == "lapsed" else range(1, 6) if kind == "missed" else range(1, 7)
    for month in months:
        day = dt.date(2021, month + 1, rng.randint(1, 6))
        current = Project.objects.get(pk=project.pk)
        for done_stage, when in list(moves.items()):  # stages finished during the month come before its report
            if when < day and current.stage == done_stage:
                current = _finish_stage(current, done_stage, when, clerk)
        share = {Stage.CONSTRUCTION: rng.uniform(0.6, 1.4), Stage.PREPARATION: rng.uniform(0.05, 0.3)}.get(
            current.stage, 0)
        investment = (annual / 12 * Decimal(share)).quantize(Decimal("0.01"))
        text = rng.choice(PROGRESS[current.stage]).format(n=rng.randint(20, 90))
        _on(day, services.report_month, current, clerk, f"2021-{month:02d}", investment, f"{month}月：{text}")
    if kind in ("late", "lapsed", "built") and rng.random() < 0.7 or kind == "missed":
        _problem(project, clerk, people, units, town, rng)


def _problem(project, clerk, people, units, town, rng):
    category, text, unit_name = rng.choice(PROBLEMS)
    unit = units[unit_name] if unit_name else town
    raised = dt.date(2021, rng.choice([5, 6]), rng.randint(8, 20))
    problem = _on(raised, services.raise_problem, project, clerk, category, text, unit,
                  raised + dt.timedelta(days=rng.choice([10, 15, 20])))
    outcome = rng.choice(["open", "replied", "closed"])
    if outcome != "open" and problem.deadline < DEMO_TODAY:
        answered = problem.deadline - dt.timedelta(days=2)
        _on(answered, services.reply_problem, problem, _clerk(unit, people), "已召开协调会，明确解决时限，正在落实。")
        if outcome == "closed":
            _on(answered + dt.timedelta(days=1), services.close_problem, problem, clerk)


def _pipeline(people, units, rng):
    """~60 leads: most signed in 2021, some registered, started or producing, a few converted; funds by month."""
    commerce, townships = units["商务局"], [u for u in units.values() if u.is_township]
    stages = list(Lead.Stage)
    leads = []
    for i in range(60):
        place = INVESTORS[i % len(INVESTORS)]
        product, industry = INDUSTRIES[i % len(INDUSTRIES)]
        unit = commerce if i % 3 else townships[i % len(townships)]
        clerk = _clerk(unit, people)
        currency = FOREIGN.get(place, "CNY")
        source = Lead.Source.ABROAD if currency != "CNY" else (
            Lead.Source.HOME_PROVINCE if place in HOME else Lead.Source.OTHER_PROVINCE)
        amount = Decimal(rng.choice([3000, 5000, 8000, 12000, 20000, 30000, 50000, 100000]))
        if currency != "CNY":
            amount = (amount / Decimal({"USD": "6.5", "EUR": "7.8", "HKD": "0.83"}[currency])).quantize(Decimal(1))
        created = dt.date(2021, 1, rng.randint(5, 28))
        lead = _on(created, services.create_lead, clerk, f"{place}{product}项目", f"{place}某{industry}企业", amount,
                   source, unit, currency=currency, industry=industry, leader=people["fuxianzhang1"])
        reached = stages[min(4, int(rng.triangular(0, 5, 1)))]
        day = created
        for stage in stages[1:stages.index(reached) + 1]:
            day = min(day + dt.timedelta(days=rng.randint(20, 50)), DEMO_TODAY)
            lead = _on(day, services.advance_lead, lead, clerk)
        if lead.signed_on:
            month = lead.signed_on.replace(day=1)
            while month < DEMO_TODAY.replace(day=1) and rng.random() < 0.8:
                funds = (lead.amount * Decimal(rng.uniform(0.05, 0.2))).quantize(Decimal("0.01"))
                _on(max(month.replace(day=28), lead.signed_on), services.add_funds, lead, clerk, month, funds)
                month = (month + dt.timedelta(days=32)).replace(day=1)
        leads.append(lead)
    for lead in [lead for lead in leads if lead.stage == Lead.Stage.SIGNED and lead.amount_cny >= 10000][:2]:
        _on(DEMO_TODAY - dt.timedelta(days=3), services.convert_lead, lead, people["office"].user,
            people["fuxianzhang2"], "industry", lead_unit=units["产业集聚区管委会"])
    return leads
