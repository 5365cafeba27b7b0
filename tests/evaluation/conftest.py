"""Indicators for the test county's townships and departments, and a helper that runs an evaluation."""
import datetime as dt
from decimal import Decimal

import pytest


@pytest.fixture
def indicators(county):
    """Townships: tasks on time (40), notices (cost, 20), leader rating (20), self-assessment (20),
    a bonus for provincial honours (2 points each, at most 3) and an imported statistic."""
    from luoshi.evaluation.models import Indicator

    def add(code, name, source, **kw):
        return Indicator.objects.create(group="township", code=code, name=name, source=source, **kw)

    return {
        "tasks": add("tasks", "任务按时完成率", "computed", metric="tasks_on_time", weight=40, unit_label="%"),
        "notices": add("notices", "被督办次数", "computed", metric="notices", direction="cost", weight=20,
                       unit_label="次"),
        "rating": add("rating", "领导评价", "rating", weight=20, unit_label="分"),
        "self": add("self", "五个问一问自评", "self_assessment", weight=20, unit_label="分"),
        "honours": add("honours", "省级表彰", "imported", role="bonus", points=Decimal(2), cap=Decimal(3),
                       unit_label="项"),
    }


@pytest.fixture
def graded(county, make_task, indicators):
    """By 2021-06-30: 河阳镇 finished its June task on time; 西虢镇's is overdue and got a notice."""
    from luoshi.evaluation import services
    from luoshi.ledger import services as ledger
    from luoshi.org.demo import demo_clock

    done = make_task(lead=county.town_a, deadline=dt.date(2021, 6, 20), title="河阳镇六月任务")
    late = make_task(lead=county.town_b, deadline=dt.date(2021, 6, 20), title="西虢镇六月任务")
    with demo_clock(dt.date(2021, 6, 18)):
        ledger.report_progress(done, county.clerk_a, 100, "已完成", done=True)
    with demo_clock(dt.date(2021, 6, 25)):
        ledger.refresh_lights(on=dt.date(2021, 6, 25))
        late.refresh_from_db()
        notice = ledger.issue_notice(late, county.office, "逾期未完成", on=dt.date(2021, 6, 25))
    services.save_ratings(county.office, indicators["rating"], "2021-06",
                          {county.town_a.pk: "90", county.town_b.pk: "80"})
    return {"done": done, "late": late, "notice": notice}
