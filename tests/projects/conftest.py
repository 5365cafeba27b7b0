"""Projects fixtures: the county's two key projects, one per township, and a lead of 商务局."""
import datetime as dt

import pytest

from luoshi.projects import services
from luoshi.projects.models import Programme

ON = dt.date(2021, 3, 1)


@pytest.fixture
def frozen(settings):
    """The ledger's today is 2021-07-15 (the demo county's clock)."""
    settings.LUOSHI_TODAY = "2021-07-15"
    return dt.date(2021, 7, 15)


@pytest.fixture
def make_project(county):
    def make(name="黄河大桥", lead=None, leader=None, members=(), on=ON, **fields):
        values = {"category": "infrastructure", "total_investment": "120000", "annual_investment": "30000",
                  "planned_preparation": dt.date(2021, 4, 30), "planned_construction": dt.date(2021, 9, 30),
                  "planned_completion": dt.date(2023, 12, 31), **fields}
        return services.create_project(county.office, name=name, lead_unit=lead or county.town_a,
                                       leader=(leader or county.leader).person, members=members, on=on, **values)
    return make


@pytest.fixture
def project(county, make_project):
    """黄河大桥: lead unit 河阳镇, in 李副县长's charge, 商务局's clerk on the team, programme 三十工程."""
    Programme.objects.create(name="三十工程")
    return make_project(members=[county.clerk_commerce.person], programme="三十工程")


@pytest.fixture
def other_project(county, make_project):
    """S237 in 西虢镇, in 赵副县长's charge."""
    return make_project(name="S237（捏掌至里村段）", lead=county.town_b, leader=county.leader2)


@pytest.fixture
def lead(county):
    return services.create_lead(county.office, "晶能电源二期", "晶能电源有限公司", "50000", "省外", county.commerce)


@pytest.fixture
def other_lead(county):
    return services.create_lead(county.office, "西虢食品加工", "某食品公司", "3000", "本省", county.town_b)
