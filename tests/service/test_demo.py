"""The demo requests: loaded on top of the demo county, every state present, rankings with a spread."""
import datetime as dt

import pytest

from luoshi.org import demo as county_demo
from luoshi.service import demo, rates
from luoshi.service.models import Enterprise, ServiceRequest


@pytest.mark.django_db
def test_demo_requests():
    county_demo.load()
    summary = demo.load()
    assert summary["requests"] == demo.REQUESTS and summary["enterprises"] == 20
    assert not Enterprise.objects.filter(is_key=True, officer=None).exists()
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == set(ServiceRequest.Status.values)
    assert ServiceRequest.objects.filter(events__kind="reopened").exists()
    assert ServiceRequest.objects.filter(duplicate_of__isnull=False).exists()
    townships = rates.monthly_ranking(dt.date(2021, 6, 1), "township", now=demo.DEMO_NOW)
    composites = {round(r.composite, 2) for r in townships if r.composite is not None}
    assert len(composites) > 3
    with pytest.raises(demo.AlreadyLoaded):
        demo.load()
