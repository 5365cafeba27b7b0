"""The per-process rule cache: an edit (or a delete) applies to the very next request in this process, another
process's edit within CHECK_SECONDS, and a rolled-back edit never."""
import pytest
from django.db import connection, transaction

from luoshi.org.models import ApiToken
from luoshi.service import routing, rules
from luoshi.service.models import PlaceKeyword, RequestPolicy, RoutingRule, RuleVersion, ServiceCategory


def test_editing_a_routing_rule_routes_the_next_request_by_it(svc):
    assert svc.submit(category=svc.water, description="招商项目停水", address="某小区").suggested_unit == svc.commerce
    rule = RoutingRule.objects.get(keyword="招商")
    rule.unit = svc.ndrc
    rule.save()
    assert svc.submit(category=svc.water, description="招商项目停水", address="某小区").suggested_unit == svc.ndrc
    rule.delete()
    assert svc.submit(category=svc.water, description="招商项目停水", address="某小区").suggested_unit == \
        svc.office_unit


def test_place_keywords_categories_and_policy_are_reloaded(svc):
    assert routing.township_of("城关村口") == (None, "")
    PlaceKeyword.objects.create(keyword="城关村", township=svc.town_b)
    assert routing.township_of("城关村口") == (svc.town_b, "城关村")
    svc.water.active = False
    svc.water.save()
    assert "water" not in rules.current().by_code
    RequestPolicy.objects.create(name="新规则", duplicate_metres=50)
    assert rules.current().policy.duplicate_metres == 50


@pytest.mark.django_db(transaction=True)
def test_cached_outside_a_transaction_and_reloaded_when_another_process_edits(svc, monkeypatch):
    monkeypatch.setattr(rules, "CHECK_SECONDS", 3600)
    cached = rules.current()
    assert rules.current() is cached  # no query while fresh
    # another process: the rule changes and so does the stamp, but no signal reaches this one
    RoutingRule.objects.filter(keyword="招商").update(unit=svc.ndrc)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {RuleVersion._meta.db_table} SET value = value + 1")
    assert routing.suggest(svc.water, "招商项目停水").unit == svc.commerce  # until the next check
    monkeypatch.setattr(rules, "CHECK_SECONDS", 0)
    assert routing.suggest(svc.water, "招商项目停水").unit == svc.ndrc
    assert rules.current() is not cached


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_is_never_served(svc, monkeypatch):
    monkeypatch.setattr(rules, "CHECK_SECONDS", 3600)
    assert routing.suggest(svc.water, "招商项目停水").unit == svc.commerce
    with pytest.raises(RuntimeError), transaction.atomic():
        RoutingRule.objects.filter(keyword="招商").update(unit=svc.ndrc)
        ServiceCategory.objects.get(service_code="water").save()  # any watched save: new stamp, copy dropped
        assert routing.suggest(svc.water, "招商项目停水").unit == svc.ndrc  # the transaction sees its edit
        raise RuntimeError
    assert routing.suggest(svc.water, "招商项目停水").unit == svc.commerce


@pytest.mark.django_db(transaction=True)
def test_a_remembered_api_key_stops_working_when_deleted_or_its_user_deactivated(svc, client, monkeypatch):
    monkeypatch.setattr(rules, "CHECK_SECONDS", 3600)
    data = {"service_code": "water", "address_string": "河阳镇", "description": "停水", "phone": "13812345678"}

    def post(key):
        return client.post("/open311/v2/requests.json", {**data, "api_key": key}).status_code

    key = ApiToken.objects.create(user=svc.office, name="a").key
    assert post(key) == 201
    assert rules.api_user_id(key) == svc.office.pk and key in rules.current().api_users  # remembered
    svc.office.is_active = False
    svc.office.save()
    assert post(key) == 403
    svc.office.is_active = True
    svc.office.save()
    assert post(key) == 201
    ApiToken.objects.filter(key=key).delete()
    assert post(key) == 403
