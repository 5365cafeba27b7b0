"""The demo county's evaluation: indicators for townships and departments, June 2021 ratings, honours and
self-assessments, published monthly runs for May and June 2021, and a draft annual 2021 run as of the demo date.

Call `load()` after the ledger, projects and requests demos; values come from a fixed seed.
"""
import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from luoshi.org.demo import DEMO_TODAY, demo_clock

from . import services
from .models import FIVE_QUESTIONS, Group, Indicator

SEED = 2021
Metric = Indicator.Metric

# (code, name, source, metric, direction, role, weight, cap, points, unit label)
COMMON = [
    ("tasks", "任务按时完成率", "computed", Metric.TASKS_ON_TIME, "benefit", "scored", 30, None, None, "%"),
    ("reports", "进度填报及时率", "computed", Metric.REPORTS_ON_TIME, "benefit", "scored", 15, None, None, "%"),
    ("notices", "被督办次数", "computed", Metric.NOTICES, "cost", "scored", 10, 10, None, "次"),
    ("investment", "重点项目投资完成率", "computed", Metric.PROJECT_INVESTMENT, "benefit", "scored", 15, 150, None, "%"),
    ("response", "诉求响应率", "computed", Metric.REQUEST_RESPONSE, "benefit", "scored", 5, None, None, "%"),
    ("resolution", "诉求解决率", "computed", Metric.REQUEST_RESOLUTION, "benefit", "scored", 5, None, None, "%"),
    ("satisfaction", "诉求满意率", "computed", Metric.REQUEST_SATISFACTION, "benefit", "scored", 5, None, None, "%"),
    ("rating", "领导评价", "rating", "", "benefit", "scored", 10, None, None, "分"),
    ("self", "“五个问一问”自评", "self_assessment", "", "benefit", "scored", 5, None, None, "分"),
    ("honours", "省级以上表彰", "imported", "", "benefit", "bonus", 0, 3, 1, "项"),
    ("accidents", "安全生产和信访责任事项", "imported", "", "cost", "penalty", 0, 6, 2, "起"),
]
ANSWERS = ["对照要求认真查摆，业务学习还需加强，已制定学习计划。", "攻坚任务均按节点推进，没有出现停一停、歇一歇的思想。",
           "上级部署已逐项建立台账，个别事项进度滞后，正在督促。", "坚持每周走访群众，诉求件件有回音。",
           "开展作风整顿，窗口服务已实行首问负责制。"]


def _indicators():
    for group in Group.values:
        for order, (code, name, source, metric, direction, role, weight, cap, points, label) in enumerate(
                COMMON, start=1):
            Indicator.objects.create(group=group, code=code, name=name, source=source, metric=metric,
                                     direction=direction, role=role, weight=weight, cap=cap, points=points,
                                     unit_label=label, order=order)


def load():
    """Returns a summary dict."""
    rng = random.Random(SEED)
    office = User.objects.get(username="office")
    with transaction.atomic(), demo_clock(DEMO_TODAY, hour=9):
        _indicators()
        for group in Group.values:
            units = services.units_of(group)
            rating = Indicator.objects.get(group=group, code="rating")
            for period in ("2021-05", "2021-06", "2021"):
                services.save_ratings(office, rating, period, {u.pk: rng.randint(78, 98) for u in units})
                rows = []
                for code in ("honours", "accidents"):
                    indicator = Indicator.objects.get(group=group, code=code)
                    rows += [(indicator, u, Decimal(rng.choice([0, 0, 0, 1, 1, 2])), "演示数据") for u in units]
                services.save_values(office, period, rows)
            for unit in units:
                clerk = unit.people.filter(role="unit_clerk").select_related("user").first()
                if clerk is None:
                    continue
                for period in ("2021-06", "2021"):
                    answers = [(ANSWERS[i], rng.randint(14, 20)) for i in range(len(FIVE_QUESTIONS))]
                    services.save_self_assessment(clerk.user, unit, period, answers)
        runs = []
        for group in Group.values:
            for period, day in (("2021-05", dt.date(2021, 5, 31)), ("2021-06", dt.date(2021, 6, 30))):
                run = services.create_run(office, group, period, as_of=day)
                runs.append(services.publish_run(run, office))
            runs.append(services.create_run(office, group, "2021", as_of=DEMO_TODAY))
    return {"indicators": Indicator.objects.count(), "runs": len(runs)}
