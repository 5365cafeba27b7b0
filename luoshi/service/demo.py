"""The demo county's enterprises, chief service officers and half a year of requests (Jan–Jul 2021).

Call `load()` after luoshi.org.demo.load() has created the county. Everything goes through the services on a
moving clock, so events, deadlines and counters are what real use would leave; units differ in how fast and how
well they answer, so the monthly rankings have a spread. A fixed seed: every load is the same.
"""
import datetime as dt
import random
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from luoshi.org.models import Person, Unit

from . import services
from .models import (Enterprise, OfficerVisit, PlaceKeyword, RoutingRule, ServiceCategory, ServiceOfficer,
                     ServiceRequest, Urgency, credit_check_char, CREDIT_CHARS)

SEED = 20210715
FIRST_DAY = dt.date(2021, 1, 4)
DEMO_NOW = timezone.make_aware(dt.datetime(2021, 7, 15, 18, 0))  # the county demo's today, evening
REQUESTS = 300

# (service_code, name, group, deadline hours, keywords, handling unit or None for 属地, description templates)
CATEGORIES = [
    ("roads", "道路设施", "城乡建设", 168, "道路,坑洼,井盖", None,
     ["{place}路面坑洼，雨天积水，车辆经过很危险", "{place}井盖缺失，夜间行人容易踩空", "{place}道路破损多日无人修"]),
    ("streetlight", "路灯照明", "城乡建设", 72, "路灯", "城管局",
     ["{place}路灯不亮已一周，晚上出行不便", "{place}路灯白天常亮，浪费电"]),
    ("water", "供水", "水电气暖", 24, "停水,水压", "住建局",
     ["{place}停水两天了，没有提前通知", "{place}自来水发黄有异味", "{place}水压太低，楼上用不上水"]),
    ("power", "供电", "水电气暖", 24, "停电,电压", "发展改革委",
     ["{place}频繁停电，影响生产生活", "{place}电压不稳，电器损坏"]),
    ("sanitation", "环境卫生", "城乡建设", 168, "垃圾,卫生", None,
     ["{place}垃圾堆放多日无人清运，气味很大", "{place}公厕卫生差，长期无人打扫"]),
    ("noise", "噪音扰民", "生态环境", 72, "噪音,施工", "生态环境局",
     ["{place}工地夜间施工，噪音扰民", "{place}商铺音响声音太大，影响休息"]),
    ("pollution", "环境污染", "生态环境", 168, "污染,排放,异味", "生态环境局",
     ["{place}有企业偷排废水，河沟发黑", "{place}附近工厂排放刺鼻气体"]),
    ("wages", "欠薪维权", "民生保障", 168, "欠薪,工资", "人社局",
     ["在{place}工地务工，工资被拖欠三个月", "{place}一家企业拖欠工人工资"]),
    ("market", "市场监管", "民生保障", 168, "食品,价格,假冒", "市场监管局",
     ["{place}一家超市销售过期食品", "{place}农贸市场缺斤短两"]),
    ("approval", "审批服务", "企业服务", 168, "审批,办证,手续", "政务服务和大数据管理局",
     ["企业在{place}的项目审批材料已交齐，一个月未办结", "企业办理施工许可，窗口要求重复提交材料"]),
    ("land", "用地规划", "企业服务", 360, "用地,规划,土地", "自然资源局",
     ["企业在{place}扩建，用地指标迟迟未落实", "企业厂区规划调整申请久拖未决"]),
    ("business", "营商环境", "企业服务", 168, "营商,融资,招工", "工信局",
     ["企业反映{place}厂区门口道路被占，货车进出困难", "企业用工缺口大，希望协助招工", "企业融资难，希望协调银行贷款"]),
]
KEYWORD_RULES = [("欠薪", "人社局"), ("拖欠工资", "人社局"), ("井盖", "城管局"), ("审批", "政务服务和大数据管理局"),
                 ("招工", "人社局"), ("贷款", "财政局")]
VILLAGES = {"会昌街道": ["会昌路", "韩愈大街"], "大定街道": ["大定路", "商业街"], "河雍街道": ["河雍路", "人民路"],
            "韩愈街道": ["韩园路", "文化街"], "西虢镇": ["西虢村", "上段村"], "化工镇": ["化工村", "东坡村"],
            "南庄镇": ["桑坡村", "南庄村"], "城伯镇": ["城伯村", "冶墙村"], "谷旦镇": ["谷旦村", "大宋庄"],
            "赵和镇": ["赵和村", "东王庄"], "槐树乡": ["槐树村", "苗庄村"]}
# (name, industry, township, key enterprise)
ENTERPRISES = [
    ("中原内配集团股份有限公司", "汽车零部件", "西虢镇", True), ("隆丰皮草企业有限公司", "皮毛加工", "南庄镇", True),
    ("广济药业（孟州）有限公司", "医药制造", "化工镇", True), ("晶能电源科技有限公司", "新能源电池", "河雍街道", True),
    ("皓泽电子科技有限公司", "电子元件", "大定街道", True), ("御捷电动汽车有限公司", "新能源汽车", "西虢镇", True),
    ("拓思环保科技有限公司", "环保设备", "化工镇", True), ("桑坡皮毛制品有限公司", "皮毛加工", "南庄镇", True),
    ("中维化纤股份有限公司", "化学纤维", "化工镇", True), ("金谷食品有限公司", "食品加工", "谷旦镇", True),
    ("恒信汽车配件有限公司", "汽车零部件", "西虢镇", True), ("大成铝业有限公司", "有色金属", "城伯镇", True),
    ("华兴玻璃制品有限公司", "建材", "赵和镇", False), ("宏达纺织有限公司", "纺织", "韩愈街道", False),
    ("盛源机械制造有限公司", "装备制造", "会昌街道", False), ("福瑞达生物科技有限公司", "生物医药", "化工镇", False),
    ("万嘉物流有限公司", "物流", "河雍街道", False), ("豫丰农业科技有限公司", "农业", "槐树乡", False),
    ("新盛建材有限公司", "建材", "城伯镇", False), ("天宝食品有限公司", "食品加工", "谷旦镇", False),
]
OFFICERS = ["fuxianzhang1", "fuxianzhang2", "fuxianzhang3", "fuxianzhang4", "fuxianzhang5", "shangwu_head",
            "gongxin_head", "fagai_head"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海涛", "丽", "伟", "红梅", "军", "静", "磊", "娟", "涛", "敏"]
REPLIES = {True: ["已现场核实并处理完毕，问题已解决。", "已协调相关单位整改到位，并电话回复诉求人。",
                  "已安排专人处理，现已恢复正常。"],
           False: ["经核实，该问题需列入年度计划统筹解决，已向诉求人解释说明。",
                   "涉及历史遗留问题，已向诉求人说明政策依据和后续安排。"]}


class AlreadyLoaded(Exception):
    """Requests exist already; the demo requests load only once."""


@contextmanager
def clock_at(moment):
    """Everything inside happens at `moment` (services stamp events with timezone.now())."""
    with mock.patch("django.utils.timezone.now", return_value=moment), \
            override_settings(LUOSHI_TODAY=timezone.localtime(moment).date().isoformat()):
        yield


def credit_code(rng):
    first17 = "91410883" + "".join(rng.choice(CREDIT_CHARS) for _ in range(9))
    return first17 + credit_check_char(first17)


def load():
    """Categories, routing rules, place keywords, enterprises, officers, visits and ~300 requests."""
    if ServiceCategory.objects.exists() or ServiceRequest.objects.exists():
        raise AlreadyLoaded
    rng = random.Random(SEED)
    units = {u.name: u for u in Unit.objects.all()}
    with transaction.atomic():
        categories = _rules(units)
        officers, enterprises = _enterprises(units, rng)
        counts = _requests(units, categories, enterprises, rng)
    return {"categories": len(categories), "enterprises": len(enterprises), "officers": len(officers), **counts}


def _rules(units):
    categories = {}
    for order, (code, name, group, hours, keywords, unit, _) in enumerate(CATEGORIES, start=1):
        attributes = []
        if code == "roads":
            attributes = [{"code": "kind", "description": "问题类型", "datatype": "singlevaluelist",
                           "required": False, "variable": True, "order": 1,
                           "values": [{"key": "pothole", "name": "坑洼"}, {"key": "cover", "name": "井盖"},
                                      {"key": "other", "name": "其他"}]}]
        categories[code] = ServiceCategory.objects.create(service_code=code, name=name, group=group,
                                                          deadline_hours=hours, keywords=keywords, order=order,
                                                          attributes=attributes)
        RoutingRule.objects.create(category=categories[code], unit=units[unit] if unit else None)
    for keyword, unit in KEYWORD_RULES:
        RoutingRule.objects.create(keyword=keyword, unit=units[unit])
    for township, places in VILLAGES.items():
        unit = units[township]
        words = {township, unit.short_name, *places} - {""}
        for word in words:
            PlaceKeyword.objects.get_or_create(keyword=word, defaults={"township": unit})
    return categories


def _enterprises(units, rng):
    people = {p.user.username: p for p in Person.objects.select_related("user")}
    officers = [ServiceOfficer.objects.create(person=people[login], appointed_on=dt.date(2021, 1, 4))
                for login in OFFICERS]
    enterprises = []
    for i, (name, industry, township, key) in enumerate(ENTERPRISES):
        officer = officers[i % len(officers)] if key or i % 2 == 0 else None
        enterprises.append(Enterprise.objects.create(name=name, credit_code=credit_code(rng), industry=industry,
                                                     township=units[township], is_key=key, officer=officer))
    for enterprise in enterprises:
        if enterprise.officer is None:
            continue
        for month in rng.sample(range(1, 8), 3):
            OfficerVisit.objects.create(officer=enterprise.officer, enterprise=enterprise,
                                        date=dt.date(2021, month, rng.randint(1, 28)),
                                        notes=rng.choice(["走访了解生产经营情况，企业反映用工紧张。",
                                                          "协调解决厂区周边道路和供电问题。",
                                                          "宣讲惠企政策，帮助申报技改资金。"]))
    return officers, enterprises


def _staff(units):
    """Each unit's clerk, and the office clerk (the operator and dispatcher)."""
    clerks = {}
    for person in Person.objects.select_related("user", "unit"):
        if person.role == Person.Role.UNIT_CLERK:
            clerks.setdefault(person.unit_id, person.user)
        if person.role == Person.Role.OFFICE:
            clerks.setdefault("office", person.user)
    clerks.setdefault(next(u for u in units.values() if u.kind == Unit.Kind.OFFICE).pk, clerks["office"])
    return clerks


def _requests(units, categories, enterprises, rng):
    staff = _staff(units)
    office = staff["office"]
    # how each unit works: hours to sign for, the share of the reply time it uses, how often it solves
    quality = {u.pk: rng.choice([(2, 0.3, 0.9), (6, 0.6, 0.8), (20, 0.9, 0.7), (30, 1.2, 0.55)])
               for u in units.values()}
    span = (DEMO_NOW.date() - FIRST_DAY).days
    starts = sorted(timezone.make_aware(dt.datetime.combine(FIRST_DAY + dt.timedelta(days=rng.randrange(span)),
                                                            dt.time(rng.randint(8, 19), rng.randrange(60))))
                    for _ in range(REQUESTS))
    counts = {"requests": 0, "merged": 0}
    previous = []
    for index, start in enumerate(starts):
        # the last few weeks' requests stop part way, so the board and inboxes have every kind of work
        stop = STOPS[index % len(STOPS)] if index >= REQUESTS - 3 * len(STOPS) else None
        category = rng.choice(list(categories.values()))
        township = rng.choice(list(VILLAGES))
        place = f"{township}{rng.choice(VILLAGES[township])}"
        template = rng.choice(next(c[6] for c in CATEGORIES if c[0] == category.service_code))
        enterprise = rng.choice(enterprises) if category.group == "企业服务" else None
        duplicate_source = previous[-1] if previous and rng.random() < 0.06 else None
        if duplicate_source is not None:  # someone else reports the same thing
            category, place = duplicate_source.category, duplicate_source.address
            description = duplicate_source.description + "，希望尽快处理"
        else:
            description = template.format(place=place)
        with clock_at(start):
            req = services.submit_request(
                category=category, description=description, address=place, channel=rng.choice(
                    [ServiceRequest.Channel.WEB, ServiceRequest.Channel.PHONE, ServiceRequest.Channel.PHONE]),
                contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                contact_phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                urgency=rng.choices(Urgency.values, [1, 8, 1])[0], enterprise=enterprise,
                user=office if rng.random() < 0.6 else None)
        counts["requests"] += 1
        previous.append(req)
        if req.duplicate_of_id and rng.random() < 0.7:
            with clock_at(start + dt.timedelta(minutes=30)):
                services.merge(req, office, req.duplicate_of)
            counts["merged"] += 1
            continue
        _handle(req, start, units, staff, quality, rng, stop)
    return counts


STOPS = ["submitted", "dispatched", "returned", "signed", "contacted", "replied"]


def _handle(req, start, units, staff, quality, rng, stop=None):
    """Walk one request as far as the demo's today allows, or up to the status `stop`."""
    office = staff["office"]
    moment = start + dt.timedelta(hours=rng.uniform(0.5, 4))

    def step(hours):
        nonlocal moment
        moment += dt.timedelta(hours=hours)
        return moment < DEMO_NOW

    if moment >= DEMO_NOW or stop == "submitted":
        return
    unit = req.suggested_unit if rng.random() < 0.85 else rng.choice(
        [u for u in units.values() if u.kind in (Unit.Kind.TOWNSHIP, Unit.Kind.STREET)])
    with clock_at(moment):
        services.dispatch(req, office, unit)
    if stop == "dispatched":
        return
    for round_ in range(2):
        sign_hours, reply_share, solve = quality[unit.pk]
        clerk = staff[unit.pk]
        if round_ == 0:
            if not step(rng.uniform(0.3, 2) * sign_hours):
                return
            if rng.random() < 0.05 or stop == "returned":
                with clock_at(moment):
                    services.return_request(req, clerk, "经核实不属于本单位职责范围")
                if stop == "returned" or not step(rng.uniform(4, 30)):
                    return
                unit = rng.choice([u for u in units.values() if u.kind == Unit.Kind.DEPARTMENT])
                with clock_at(moment):
                    services.dispatch(req, office, unit, "退单理由成立，改派")
                if not step(rng.uniform(1, 10)):
                    return
                sign_hours, reply_share, solve = quality[unit.pk]
                clerk = staff[unit.pk]
            with clock_at(moment):
                services.sign(req, clerk)
            if stop == "signed":
                return
            if (rng.random() < 0.5 or stop == "contacted") and step(rng.uniform(1, 12)):
                with clock_at(moment):
                    services.contact(req, clerk, "已电话联系诉求人，了解详细情况")
            if stop == "contacted":
                return
            reply_hours = services.clock_of(req.events.all()).reply_due - moment
            if rng.random() < 0.08:
                with clock_at(moment):
                    services.request_extension(req, clerk, 72, "需协调多个部门，申请延期")
                if not step(rng.uniform(2, 20)):
                    return
                with clock_at(moment):
                    services.decide_extension(req, office, rng.random() < 0.8)
        else:
            reply_hours = dt.timedelta(hours=services.deadline_hours(req.category, req.urgency)[1])
        if not step(max(0.5, reply_hours.total_seconds() / 3600 * reply_share * rng.uniform(0.5, 1.5))):
            return
        resolved = rng.random() < solve
        with clock_at(moment):
            services.reply(req, clerk, rng.choice(REPLIES[resolved]))
        if stop == "replied" or not step(rng.uniform(1, 24)):
            return
        with clock_at(moment):
            services.conclude(req, clerk, resolved)
        if not step(rng.uniform(12, 72)) or rng.random() < 0.15:
            return
        rating = rng.choices(list(services.RATING_COUNTER),
                             [6, 3, 1] if resolved else [1, 3, 4])[0]
        with clock_at(moment):
            services.rate(req, rating, office if rng.random() < 0.5 else None)
        req.refresh_from_db()
        if req.status != ServiceRequest.Status.SIGNED:  # not reopened
            return
