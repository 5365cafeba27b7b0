"""Request fixtures: categories, routing rules, an enterprise with its officer, and a movable clock."""
import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from luoshi.service import rules, services
from luoshi.service.models import (PlaceKeyword, RoutingRule, ServiceCategory, ServiceOfficer, ServiceRequest,
                                   Enterprise, credit_check_char)

PHONE = "13812345678"


class Clock:
    """timezone.now() under the test's control: `clock.at(...)`, `clock.advance(hours=...)`."""

    def __init__(self):
        self.now = timezone.make_aware(dt.datetime(2021, 3, 1, 9, 0))

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)

    def at(self, *args):
        self.now = timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: c.now):
        yield c


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters live in the cache
    rules.forget()  # and the rules this process cached from another test's (flushed) database
    yield
    cache.clear()


def credit_code(first17="91410883MA44XQ0T1"):
    return first17 + credit_check_char(first17)


@pytest.fixture
def svc(county):
    """Categories (roads with a required attribute, water with a 24 h default, business), routing rules (roads →
    属地, business and the keyword 招商 → 商务局, 发改 → 发展改革委), place keywords for both townships, and an
    officer (李副县长) serving the key enterprise 中原内配 in 河阳镇. `svc.submit(...)` files a request."""
    c = county
    c.roads = ServiceCategory.objects.create(service_code="roads", name="道路设施", group="城市管理",
                                             attributes=[{"code": "kind", "description": "问题类型", "datatype":
                                                          "singlevaluelist", "required": True, "variable": True,
                                                          "order": 1, "values": [{"key": "pothole", "name": "坑洼"},
                                                                                 {"key": "cover", "name": "井盖"}]}])
    c.water = ServiceCategory.objects.create(service_code="water", name="供水", group="水电气暖", deadline_hours=24)
    c.business = ServiceCategory.objects.create(service_code="business", name="营商环境", group="企业服务")
    RoutingRule.objects.create(category=c.roads)  # 属地
    RoutingRule.objects.create(category=c.business, unit=c.commerce)
    RoutingRule.objects.create(keyword="招商", unit=c.commerce)
    RoutingRule.objects.create(keyword="发改", unit=c.ndrc)
    PlaceKeyword.objects.create(keyword="河阳", township=c.town_a)
    PlaceKeyword.objects.create(keyword="西虢", township=c.town_b)
    c.officer = ServiceOfficer.objects.create(person=c.leader.person)
    c.firm = Enterprise.objects.create(name="中原内配", credit_code=credit_code(), township=c.town_a,
                                       industry="汽车零部件", is_key=True, officer=c.officer)

    def submit(category=None, description="河阳镇人民路有个大坑，车辆经过很危险", address="河阳镇人民路12号",
               phone=PHONE, name="张三", channel=ServiceRequest.Channel.WEB, **kw):
        kw.setdefault("attributes", {"kind": "pothole"} if (category or c.roads) == c.roads else {})
        return services.submit_request(category=category or c.roads, description=description, address=address,
                                       contact_name=name, contact_phone=phone, channel=channel, **kw)

    c.submit = submit
    return c
