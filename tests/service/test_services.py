"""Request rules: credit codes, routing, deadlines, the clock across a restart, returns, rates, duplicates."""
import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from luoshi.ledger.services import LedgerError
from luoshi.service import rates, routing, services
from luoshi.service.models import (DeadlineRule, Enterprise, PendingDuplicateCheck, RequestEvent, RequestPolicy,
                                   RoutingRule, ServiceRequest, UnitDayStats, Urgency, validate_credit_code)

from .conftest import credit_code

Status = ServiceRequest.Status


def test_credit_code_check_character():
    validate_credit_code("91350100M000100Y43")  # a published example of GB 32100
    validate_credit_code(credit_code())
    for bad in ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100I43"]:
        with pytest.raises(ValidationError):
            validate_credit_code(bad)


@pytest.mark.django_db(transaction=True)
def test_first_numbers_of_a_new_year_at_the_same_moment():
    """CREATE SEQUENCE IF NOT EXISTS is not race-free on PostgreSQL: workers numbering the year's first requests
    together must all get a number, each a different one."""
    if connection.vendor != "postgresql":
        pytest.skip("one counter row on SQLite; the sequence per year is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE IF EXISTS service_request_number_2399")
    services._sequences.discard(2399)
    start, numbers, errors = threading.Barrier(6), [], []

    def number():
        try:
            start.wait()
            numbers.append(services.next_number(2399))
        except Exception as exc:  # noqa: BLE001 — any failure is the finding
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=number) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    with connection.cursor() as cursor:
        cursor.execute("DROP SEQUENCE service_request_number_2399")
    assert errors == [] and sorted(numbers) == [f"2399-{n:06d}" for n in range(1, 7)]


def test_key_enterprise_needs_an_officer(svc):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(name="隆丰皮草", credit_code=credit_code("91410883MA44XQ0T2"), township=svc.town_b,
                                  is_key=True)


# --- routing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("category, description, address, unit, reason", [
    ("roads", "路面塌陷", "西虢镇解放路", "town_b", "属地：地址含“西虢”"),
    ("roads", "河阳有个坑", "", "town_a", "属地：地址含“河阳”"),
    ("business", "企业用电报装慢", "西虢镇", "commerce", "类别“营商环境” → 商务局"),
    ("water", "招商引资项目停水", "河阳镇", "commerce", "关键词“招商”"),
    ("water", "自来水停了三天", "西虢镇新村", "town_b", "属地"),
    ("water", "自来水停了三天", "某某小区", "office_unit", "无匹配规则"),
])
def test_routing_suggests_a_unit_with_the_reason(svc, category, description, address, unit, reason):
    suggestion = routing.suggest(getattr(svc, category), description, address)
    assert suggestion.unit == getattr(svc, unit)
    assert reason in suggestion.reason


def test_category_and_keyword_rule_beats_either_alone(svc):
    RoutingRule.objects.create(category=svc.business, keyword="发改", unit=svc.town_b)
    assert routing.suggest(svc.business, "发改项目审批", "").unit == svc.town_b
    assert routing.suggest(svc.water, "发改项目审批", "").unit == svc.ndrc


def test_intake_stores_the_suggestion_and_dispatch_uses_it(svc):
    req = svc.submit(address="西虢镇解放路")
    assert (req.status, req.suggested_unit, req.number) == (Status.SUBMITTED, svc.town_b, req.number)
    year, seq = req.number.split("-")
    assert len(seq) == 6 and svc.submit().number == f"{year}-{int(seq) + 1:06d}"
    services.dispatch(req, svc.office)
    req.refresh_from_db()
    assert (req.status, req.unit, req.first_unit) == (Status.DISPATCHED, svc.town_b, svc.town_b)


# --- deadlines and the clock ---------------------------------------------------------------------------

def test_default_deadlines(svc):
    assert services.deadline_hours(svc.roads, Urgency.ORDINARY) == (24, 168)
    assert services.deadline_hours(svc.water, Urgency.ORDINARY) == (24, 24)
    assert services.deadline_hours(svc.water, Urgency.EMERGENCY) == (2, 2)
    assert services.deadline_hours(svc.roads, Urgency.COMPLEX) == (24, 360)
    DeadlineRule.objects.create(category=svc.roads, urgency=Urgency.COMPLEX, sign_hours=12, reply_hours=240)
    assert services.deadline_hours(svc.roads, Urgency.COMPLEX) == (12, 240)


def test_clock_is_recomputed_from_events_after_a_restart(svc, clock):
    req = svc.submit()
    clock.advance(hours=1)
    services.dispatch(req, svc.office, svc.town_a)          # 10:00, sign by 10:00 next day, reply in 7 days
    clock.advance(hours=30)                                  # signed late
    services.sign(req, svc.clerk_a)
    services.request_extension(req, svc.clerk_a, 48, "需协调施工单位")
    clock.advance(hours=2)
    services.decide_extension(req, svc.office, approve=True)
    clock.advance(hours=10)
    now = clock.now
    dispatched = now - dt.timedelta(hours=42)

    # a restart: nothing in memory, a fresh query of the stored events
    events = list(RequestEvent.objects.filter(request_id=req.pk))
    fresh = ServiceRequest.objects.get(pk=req.pk)
    recomputed = services.clock_of(events)
    assert recomputed.dispatched_at == dispatched
    assert recomputed.sign_due == fresh.sign_due == dispatched + dt.timedelta(hours=24)
    assert recomputed.reply_due == fresh.reply_due == dispatched + dt.timedelta(hours=168 + 48)
    assert recomputed.responded_at == dispatched + dt.timedelta(hours=30)
    assert recomputed.sign_left(now) is None                 # answered: no countdown
    assert recomputed.reply_left(now) == dt.timedelta(hours=168 + 48 - 42)
    assert UnitDayStats.objects.get(unit=svc.town_a).responded == 0  # signed after the 24 h


def test_emergency_clock_is_two_hours(svc, clock):
    req = svc.submit(category=svc.water, urgency=Urgency.EMERGENCY, description="主管道爆裂")
    services.dispatch(req, svc.office, svc.town_a)
    clock.advance(hours=3)
    assert services.clock_of(req.events.all()).reply_left(clock.now) == dt.timedelta(hours=-1)


# --- handling ---------------------------------------------------------------------------------------

def test_return_once_then_the_office_decides(svc):
    req = svc.submit()
    services.dispatch(req, svc.office, svc.town_b)
    services.return_request(req, svc.clerk_b, "不属于本镇辖区")
    req.refresh_from_db()
    assert req.status == Status.RETURNED
    services.dispatch(req, svc.office, svc.town_b, note="经核实属西虢镇，退单不予认可")  # same unit again
    with pytest.raises(LedgerError, match="退过一次"):
        services.return_request(req, svc.clerk_b, "还是不归我们")
    req.refresh_from_db()
    assert (req.status, req.unit, req.first_unit) == (Status.DISPATCHED, svc.town_b, svc.town_b)


def test_only_the_handling_unit_acts(svc):
    req = svc.submit()
    services.dispatch(req, svc.office, svc.town_a)
    for user in (svc.clerk_b, svc.clerk_commerce, svc.leader):
        with pytest.raises(PermissionDenied):
            services.sign(req, user)
    with pytest.raises(PermissionDenied):
        services.dispatch(req, svc.clerk_a)
    assert ServiceRequest.objects.get(pk=req.pk).status == Status.DISPATCHED


def test_unsatisfied_reopens_once_and_takes_back_the_conclusion(svc):
    req = svc.submit()
    services.dispatch(req, svc.office, svc.town_a)
    services.sign(req, svc.clerk_a)
    services.reply(req, svc.clerk_a, "已回填")
    services.conclude(req, svc.clerk_a, resolved=True)
    stats = lambda: UnitDayStats.objects.get(unit=svc.town_a)  # noqa: E731
    assert (stats().concluded, stats().resolved, stats().concluded_on_time) == (1, 1, 1)
    services.rate(req, ServiceRequest.Rating.UNSATISFIED)
    req.refresh_from_db()
    assert (req.status, req.rating) == (Status.SIGNED, "")
    assert (stats().concluded, stats().resolved, stats().rated, stats().unsatisfied) == (0, 0, 1, 1)
    services.reply(req, svc.clerk_a, "重新修补")
    services.conclude(req, svc.clerk_a, resolved=False)
    services.rate(req, ServiceRequest.Rating.UNSATISFIED)
    req.refresh_from_db()
    assert req.status == Status.CLOSED  # reopened once only
    assert (stats().concluded, stats().resolved, stats().rated) == (1, 0, 2)


# --- rates -------------------------------------------------------------------------------------------

def test_rates_on_a_hand_worked_example(svc, clock):
    """河阳镇 in March 2021: four dispatched; three signed within 24 h, one late (response 3/4); two concluded,
    one resolved (resolution 1/2); ratings satisfied + basically satisfied ((1 + 0.8) / 2 = 0.9); one concluded
    on time, one replied late, one still unanswered past its deadline, one answered but not concluded
    (on time 1 / (2 + 1)); composite with the default
    weights 0.2·0.75 + 0.3·0.5 + 0.3·0.9 + 0.2·(1/3) = 0.63667. 西虢镇 has one request, answered well."""
    clock.at(2021, 3, 2, 9)
    reqs = [svc.submit(description=f"第{i}处路面坑洼，位置{i}号杆", address=f"河阳镇路{i}") for i in range(4)]
    for req in reqs:
        services.dispatch(req, svc.office, svc.town_a)
    clock.advance(hours=2)
    for req in reqs[:3]:
        services.sign(req, svc.clerk_a)
    clock.advance(hours=30)
    services.sign(reqs[3], svc.clerk_a)          # late
    services.reply(reqs[3], svc.clerk_a, "正在协调")  # answered, not yet concluded: neither closed nor overdue
    services.reply(reqs[0], svc.clerk_a, "已修复")  # on time
    services.conclude(reqs[0], svc.clerk_a, resolved=True)
    services.rate(reqs[0], ServiceRequest.Rating.SATISFIED)
    clock.advance(days=8)                         # past the 7 days
    services.reply(reqs[1], svc.clerk_a, "需列入计划，暂无法解决")
    services.conclude(reqs[1], svc.office, resolved=False)
    services.rate(reqs[1], ServiceRequest.Rating.BASICALLY)
    other = svc.submit(description="西虢镇路灯不亮", address="西虢镇")
    services.dispatch(other, svc.office, svc.town_b)
    services.sign(other, svc.clerk_b)
    services.reply(other, svc.clerk_b, "已更换")
    services.conclude(other, svc.clerk_b, resolved=True)
    clock.at(2021, 4, 5, 9)

    town_b, town_a = rates.monthly_ranking(dt.date(2021, 3, 1))[:2]
    assert town_b.unit == svc.town_b and town_b.rank == 1 and town_b.composite == 1.0
    assert town_a.unit == svc.town_a and town_a.rank == 2
    assert (town_a.dispatched, town_a.responded, town_a.concluded, town_a.resolved) == (4, 3, 2, 1)
    assert (town_a.concluded_on_time, town_a.open_overdue, town_a.rated) == (1, 1, 2)
    assert town_a.response_rate == 0.75 and town_a.resolution_rate == 0.5
    assert town_a.satisfaction_rate == pytest.approx(0.9)
    assert town_a.on_time_rate == pytest.approx(1 / 3)
    assert town_a.composite == pytest.approx(0.2 * 0.75 + 0.3 * 0.5 + 0.3 * 0.9 + 0.2 / 3)

    policy = RequestPolicy.current()
    policy.weight_basically_satisfied = 0.5
    policy.save()
    assert rates.monthly_ranking(dt.date(2021, 3, 1))[1].satisfaction_rate == pytest.approx(0.75)
    assert all(r.composite is None for r in rates.monthly_ranking(dt.date(2021, 3, 1), "department"))


# --- duplicates -------------------------------------------------------------------------------------

def test_duplicates_flagged_by_place_time_and_text(svc, clock):
    first = svc.submit(description="人民路与建设路口井盖缺失，晚上很危险", address="", lat=34.9070, long=112.7870)
    near = svc.submit(description="人民路建设路口井盖缺失了，很危险", address="", lat=34.9074, long=112.7872)
    assert near.duplicate_of == first and near.duplicate_score >= 0.35
    assert services.haversine_m(34.9070, 112.7870, 34.9074, 112.7872) < 50
    same_address = svc.submit(description="人民路建设路口井盖缺失", address="河阳镇人民路12号")
    again = svc.submit(description="人民路建设路口的井盖缺失", address="河阳镇人民路12号")
    assert again.duplicate_of == same_address
    assert svc.submit(description="人民路建设路口井盖缺失", address="", lat=34.93, long=112.7870).duplicate_of is None
    assert svc.submit(description="小区噪音扰民，夜里施工", address="河阳镇人民路12号").duplicate_of is None
    assert svc.submit(category=svc.water, description="人民路建设路口井盖缺失",
                      address="河阳镇人民路12号").duplicate_of is None
    clock.advance(days=8)
    assert svc.submit(description="人民路建设路口井盖缺失", address="河阳镇人民路12号").duplicate_of is None


def test_duplicates_found_across_grid_cell_edges(svc):
    """The candidates query probes only the grid cells the radius box covers. An earlier request just inside the
    box's edge, at every position within its own cell (PostgreSQL's cast rounds to the nearest cell), is found
    from either side, along either axis."""
    from luoshi.service.models import NEAR_CELLS_PER_DEGREE as K
    text, apart = "人民路建设路口井盖缺失，晚上很危险", 0.0017  # 189 m north–south, 155 m east–west: inside 200 m
    for i, frac in enumerate([0.02, 0.3, 0.45, 0.5, 0.55, 0.7, 0.98]):
        for axis in (0, 1):
            cell = (34.9 if axis == 0 else 112.78) * K + 20 * i + 100 * axis  # groups kilometres apart
            here = [34.95 + 0.05 * i, 112.70 + 0.05 * axis]  # the other axis
            here[axis] = (int(cell) + frac) / K
            first = svc.submit(description=text, address="", lat=here[0], long=here[1])
            for sign in (-1, 1):
                there = list(here)
                there[axis] += sign * apart
                found = svc.submit(description=text, address="", lat=there[0], long=there[1]).duplicate_of
                assert found == first, (axis, frac, sign)
    if connection.vendor == "postgresql":  # the cells computed in Python are the index's, value for value
        from luoshi.service.models import near_cell
        rows = ServiceRequest.objects.annotate(lat_cell=near_cell("lat"), long_cell=near_cell("long"))
        for lat, long, lat_cell, long_cell in rows.values_list("lat", "long", "lat_cell", "long_cell"):
            assert (lat_cell, long_cell) == (round(lat * K), round(long * K))


def test_machine_channels_leave_the_duplicate_check_to_the_worker(svc):
    """API and Open311 intakes are stored with a pending check; the worker's check flags the later request
    against the earlier one (never the other way round), once; a web or phone intake is checked at once."""
    first = svc.submit(channel=ServiceRequest.Channel.OPEN311)
    later = svc.submit(description="河阳镇人民路有个大坑，很危险", channel=ServiceRequest.Channel.API)
    assert (first.duplicate_of_id, later.duplicate_of_id) == (None, None)
    assert set(PendingDuplicateCheck.objects.values_list("pk", flat=True)) == {first.pk, later.pk}
    found = services.check_pending_duplicates()
    assert found[first.pk] == (None, None) and found[later.pk][0] == first.pk
    later.refresh_from_db()
    assert later.duplicate_of == first and later.duplicate_score == found[later.pk][1] >= 0.35
    assert not PendingDuplicateCheck.objects.exists() and services.check_pending_duplicates() == {}
    for channel in (ServiceRequest.Channel.WEB, ServiceRequest.Channel.PHONE):
        now = svc.submit(description="河阳镇人民路有个大坑，太危险了", channel=channel)
        assert now.duplicate_of_id is not None and not PendingDuplicateCheck.objects.exists()


def test_a_failed_duplicate_check_stays_pending(svc, monkeypatch):
    svc.submit(channel=ServiceRequest.Channel.API)
    later = svc.submit(description="河阳镇人民路有个大坑，很危险", channel=ServiceRequest.Channel.API)

    def fail_on_later(req, policy, real=services.find_duplicate):
        if req.pk == later.pk:
            raise RuntimeError("the database went away")
        return real(req, policy)
    monkeypatch.setattr(services, "find_duplicate", fail_on_later)
    with pytest.raises(RuntimeError):
        services.check_pending_duplicates()
    assert PendingDuplicateCheck.objects.count() == 2
    monkeypatch.undo()
    assert services.check_pending_duplicates()[later.pk][0] is not None
    assert not PendingDuplicateCheck.objects.exists()


def test_a_phone_intake_is_stored_even_when_its_check_fails(svc, monkeypatch):
    """The check after a phone or web intake is a courtesy to the operator: if it fails, the request stands (no
    error for a call already taken) and its check waits for the worker."""
    def fail(req, policy):
        raise DatabaseError("the database went away")
    monkeypatch.setattr(services, "find_duplicate", fail)
    req = svc.submit(channel=ServiceRequest.Channel.PHONE)
    assert ServiceRequest.objects.filter(pk=req.pk).exists() and req.duplicate_of_id is None
    assert list(PendingDuplicateCheck.objects.values_list("pk", flat=True)) == [req.pk]


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_take_the_same_check(svc):
    """PostgreSQL: a check another worker holds (its transaction still open) is skipped, not waited for."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; SKIP LOCKED is PostgreSQL's")
    held = svc.submit(channel=ServiceRequest.Channel.API)
    free = svc.submit(description="自来水停了三天", address="西虢镇新村", channel=ServiceRequest.Channel.API)
    taken, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(PendingDuplicateCheck.objects.select_for_update().filter(pk=held.pk))
                taken.set()
                release.wait(30)
        finally:
            connection.close()
    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert taken.wait(30)
        assert set(services.check_pending_duplicates()) == {free.pk}
    finally:
        release.set()
        thread.join()
    assert set(services.check_pending_duplicates()) == {held.pk}


def test_merged_requester_gets_the_replies(svc):
    first = svc.submit()
    dup = svc.submit(description="河阳镇人民路有个大坑，很危险", phone="13900001111")
    assert dup.duplicate_of == first
    services.dispatch(first, svc.office, svc.town_a)
    services.sign(first, svc.clerk_a)
    services.reply(first, svc.clerk_a, "已安排修补")
    services.merge(dup, svc.office, first)          # the reply so far is copied
    services.conclude(first, svc.clerk_a, resolved=True)
    tracked = services.track(dup.number, "1111")
    assert tracked == dup and tracked.status == Status.MERGED
    assert [e.text for e in tracked.events.filter(kind="replied")] == ["已安排修补"]
    with pytest.raises(LedgerError):
        services.merge(first, svc.office, dup)


def test_replies_fan_out_after_a_merge(svc):
    first = svc.submit()
    dup = svc.submit(description="河阳镇人民路有个大坑，很危险", phone="13900001111")
    services.merge(dup, svc.office, first)
    services.dispatch(first, svc.office, svc.town_a)
    services.sign(first, svc.clerk_a)
    services.reply(first, svc.clerk_a, "已修补完毕")
    assert dup.events.get(kind="replied").data == {"via": first.number}


def test_tracking_needs_number_and_last_four_digits(svc):
    req = svc.submit()
    assert services.track(req.number, "5678") == req
    assert services.track(req.number, "5679") is None
    assert services.track("2021-999999", "5678") is None
    assert services.track(req.number, "") is None


def test_masking():
    assert services.mask_phone("13812345678") == "138****5678"
    assert services.mask_name("张三") == "张*" and services.mask_name("欧阳娜娜") == "欧***"
    assert services.redact("请回电13812345678或0391-8123456") == "请回电138****5678或039****3456"


def test_request_tokens_are_time_ordered_and_unguessable(svc):
    from luoshi.service.models import uuid7
    first = svc.submit()
    tokens = [uuid7() for _ in range(2000)]
    assert first.token.version == 7 and {t.version for t in tokens} == {7}
    assert {t.variant for t in tokens} == {first.token.variant} and len(set(tokens)) == len(tokens)
    stamps = [t.int >> 80 for t in tokens]  # milliseconds since the epoch
    assert stamps == sorted(stamps) and first.token.int >> 80 <= stamps[0]
    assert len({t.int & (1 << 62) - 1 for t in tokens}) == len(tokens)  # the random part differs every time


@pytest.mark.django_db(transaction=True)
def test_intake_statement_is_prepared_once_per_connection_with_a_generic_plan(svc):
    """PostgreSQL plans the intake statement once per connection, not on every request (outside a transaction,
    as under gunicorn); the requests are stored and numbered as ever."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's path")
    connection.close()  # a fresh connection, as a worker starts with
    numbers = [svc.submit(description=f"路灯不亮{i}", address=f"河阳镇人民路{i}号").number for i in range(4)]
    assert len(set(numbers)) == 4 and ServiceRequest.objects.filter(number__in=numbers).count() == 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE 'WITH r AS (INSERT INTO service_servicerequest%%'")
        assert cursor.fetchall() == [(4, 0)]
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
