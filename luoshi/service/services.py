"""Request rules: intake, dispatch, handling, rating, extensions, duplicates and merging; the SLA clock;
masking. Views, the API, Open311 and the demo call these; none of them writes request rows directly.

Every transition appends a RequestEvent and moves the unit's day counters in the same transaction.
"""
import datetime as dt
import functools
import logging
import math
import re
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from luoshi import faults
from luoshi.ledger.services import LedgerError, check_attachment
from luoshi.org.models import Unit

from . import routing, rules, scope
from .models import (AWAITING_REPLY, CONCLUDED, NEAR_CELLS_PER_DEGREE, Enterprise, OfficerVisit,
                     PendingDuplicateCheck, RequestAttachment, RequestEvent, RequestSequence, ServiceCategory,
                     ServiceRequest, Urgency)
from .rates import bump, local_day

Status, Kind, Rating = ServiceRequest.Status, RequestEvent.Kind, ServiceRequest.Rating
logger = logging.getLogger(__name__)
DEFAULT_SIGN_HOURS = 24
MAX_DESCRIPTION = 2000
MAX_EXTENSION_HOURS = 30 * 24
URGENCIES, CHANNELS = frozenset(Urgency.values), frozenset(ServiceRequest.Channel.values)  # .values builds a list
# machine channels, where intakes come in bursts: their duplicate check is left to the worker, a moment later; a
# phone operator or a citizen at the web form gets it at once (the operator can tell the caller)
QUEUED_CHECK_CHANNELS = frozenset([ServiceRequest.Channel.API, ServiceRequest.Channel.OPEN311])


# --- privacy ------------------------------------------------------------------------------------

def mask_phone(phone):
    """138****5678: the first three and the last four digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return "****"
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name):
    """张*: the surname only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


_DIGIT_RUN = re.compile(r"(?<!\d)\d[\d\- ]{5,}\d(?!\d)")


def redact(text):
    """Phone-like numbers typed into free text (7+ digits) are masked the same way."""
    def mask(match):
        digits = re.sub(r"\D", "", match.group())
        return mask_phone(digits) if len(digits) >= 7 else match.group()
    return _DIGIT_RUN.sub(mask, text or "")


@dataclass
class Contact:
    name: str
    phone: str
    masked: bool


def contact_for(user, service_request):
    """The requester's name and phone as this user may see them."""
    if scope.can_see_contact(user, service_request):
        return Contact(service_request.contact_name, service_request.contact_phone, False)
    return Contact(mask_name(service_request.contact_name), mask_phone(service_request.contact_phone), True)


def description_for(user, service_request):
    if scope.can_see_contact(user, service_request):
        return service_request.description
    return redact(service_request.description)


# --- the clock ----------------------------------------------------------------------------------

def deadline_hours(category, urgency):
    """(sign-for hours, reply hours) for a new dispatch; see DeadlineRule for the order of precedence."""
    deadlines = rules.current().deadlines
    order = [deadlines.get(k) for k in [(category.pk, urgency), (None, urgency), (category.pk, ""), (None, "")]]
    order = [r for r in order if r is not None]
    sign = order[0].sign_hours if order else DEFAULT_SIGN_HOURS
    reply = next((r.reply_hours for r in order if r.reply_hours), category.deadline_hours)
    return min(sign, reply), reply


@dataclass
class Clock:
    dispatched_at: dt.datetime = None
    sign_due: dt.datetime = None
    reply_due: dt.datetime = None
    responded_at: dt.datetime = None
    replied_at: dt.datetime = None

    def sign_left(self, now):
        if self.sign_due is None or self.responded_at is not None:
            return None
        return self.sign_due - now

    def reply_left(self, now):
        if self.reply_due is None or self.replied_at is not None:
            return None
        return self.reply_due - now

    @property
    def replied_on_time(self):
        return bool(self.replied_at and self.reply_due and self.replied_at <= self.reply_due)


def clock_of(events):
    """The SLA clock from a request's events alone (ordered by time): what survives a restart."""
    clock, reply_hours = Clock(), 0
    for event in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if event.kind == Kind.DISPATCHED:
            reply_hours = event.data["reply_hours"]
            clock = Clock(dispatched_at=event.at, sign_due=event.at + dt.timedelta(hours=event.data["sign_hours"]),
                          reply_due=event.at + dt.timedelta(hours=reply_hours))
        elif event.kind in (Kind.SIGNED, Kind.RETURNED) and clock.responded_at is None:
            clock.responded_at = event.at
        elif event.kind == Kind.REPLIED and clock.replied_at is None and not event.data.get("via"):
            clock.replied_at = event.at
        elif event.kind == Kind.EXTENSION_APPROVED and clock.reply_due:
            clock.reply_due += dt.timedelta(hours=event.data["hours"])
        elif event.kind == Kind.REOPENED:
            clock.replied_at = None
            clock.reply_due = event.at + dt.timedelta(hours=reply_hours)
    return clock


def _event(req, kind, user, at, unit=None, text="", **data):
    return RequestEvent.objects.create(request=req, kind=kind, at=at, text=text, data=data,
                                       actor=user if user is not None and user.is_authenticated else None,
                                       unit=unit if unit is not None else req.unit)


def _locked(req):
    """The request, locked for the transition; its stored status is what the rules check."""
    return ServiceRequest.objects.select_for_update().get(pk=req.pk)


def _require_status(req, allowed, action):
    if req.status not in allowed:
        raise LedgerError(f"诉求当前状态为“{req.get_status_display()}”，不能{action}", "status")


def _refresh_clock(req):
    clock = clock_of(req.events.all())
    req.sign_due, req.reply_due = clock.sign_due, clock.reply_due
    return clock


# --- intake -------------------------------------------------------------------------------------

_sequences = set()  # years whose number sequence this process has seen committed


def _sequence(year):
    """The name of the year's number sequence (PostgreSQL), created on first use."""
    name = f"service_request_number_{int(year)}"  # the year is an int, so no quoting needed
    if year in _sequences and not connection.in_atomic_block:  # a transaction's CREATE may yet roll back
        return name
    committed = not connection.in_atomic_block
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint inside the caller's transaction
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
    except IntegrityError:  # IF NOT EXISTS is not race-free: another process created it at the same moment
        pass
    if committed:
        _sequences.add(year)
    return name


def next_number(year):
    """The next public number of a year, e.g. 2021-000123. Called outside the request's transaction, so a
    rollback later only leaves a gap. On PostgreSQL a sequence per year: nextval never waits for another intake.
    Elsewhere (SQLite, one writer anyway) a counter row."""
    year = int(year)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('{_sequence(year)}')")
            return f"{year}-{cursor.fetchone()[0]:06d}"
        table = connection.ops.quote_name(RequestSequence._meta.db_table)
        with transaction.atomic():
            cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE year = %s RETURNING last", [year])
            row = cursor.fetchone()
            if row is None:
                RequestSequence.objects.create(year=year, last=1)
                row = (1,)
    return f"{year}-{row[0]:06d}"


def clean_phone(phone):
    digits = re.sub(r"[\s\-]", "", phone or "")
    if not re.fullmatch(r"\+?\d{7,15}", digits):
        raise LedgerError("请填写有效的联系电话（7–15位数字）", "contact_phone")
    return digits


def _category(value):
    if isinstance(value, ServiceCategory):
        return value
    found = None
    if value not in (None, ""):
        cached = rules.current()
        found = [c for c in [cached.by_code.get(str(value)), cached.by_pk.get(int(value))
                             if str(value).isdigit() else None] if c is not None]
        found = min(found, key=lambda c: (c.order, c.service_code)) if found else None
    if not found:
        raise LedgerError("请选择诉求类别", "category")
    return found


def _coordinates(lat, long):
    if lat in (None, "") and long in (None, ""):
        return None, None
    try:
        lat, long = float(lat), float(long)
    except (TypeError, ValueError):
        raise LedgerError("坐标应为经纬度数字", "lat") from None
    if not (-90 <= lat <= 90 and -180 <= long <= 180) or math.isnan(lat) or math.isnan(long):
        raise LedgerError("坐标超出范围", "lat")
    return lat, long


def check_attributes(category, values):
    """Open311 attributes: required ones present, single/multi value lists within their keys."""
    values = {str(k): v for k, v in (values or {}).items() if v not in (None, "", [])}
    known = {a["code"]: a for a in category.attributes}
    for code, attribute in known.items():
        if attribute.get("required") and attribute.get("variable", True) and code not in values:
            raise LedgerError(f"请填写“{attribute.get('description', code)}”", f"attribute[{code}]")
    for code, value in values.items():
        attribute = known.get(code)
        if attribute is None:
            raise LedgerError(f"未知的附加字段“{code}”", f"attribute[{code}]")
        keys = {str(v["key"]) for v in attribute.get("values", [])}
        chosen = value if isinstance(value, list) else [value]
        if keys and not {str(v) for v in chosen} <= keys:
            raise LedgerError(f"“{attribute.get('description', code)}”的取值无效", f"attribute[{code}]")
    return values


def submit_request(*, category, description, contact_name, contact_phone, channel, address="", lat=None,
                   long=None, urgency=Urgency.ORDINARY, enterprise=None, attributes=None, files=(), user=None):
    """A new request from any channel: validated, numbered, routed (a suggestion with its reason), checked for
    duplicates, and stored with its first event."""
    category = _category(category)
    description = (description or "").strip()
    if not description:
        raise LedgerError("请填写诉求内容", "description")
    if len(description) > MAX_DESCRIPTION:
        raise LedgerError(f"诉求内容不超过{MAX_DESCRIPTION}字", "description")
    address = (address or "").strip()[:200]
    lat, long = _coordinates(lat, long)
    if not address and lat is None:
        raise LedgerError("请填写地址或位置", "address")
    contact_name = (contact_name or "").strip()
    if not contact_name or len(contact_name) > 50:
        raise LedgerError("请填写联系人姓名（50字以内）", "contact_name")
    contact_phone = clean_phone(contact_phone)
    if urgency not in URGENCIES:
        raise LedgerError("紧急程度无效", "urgency")
    if channel not in CHANNELS:
        raise LedgerError("渠道无效", "channel")
    if enterprise not in (None, "") and not isinstance(enterprise, Enterprise):
        enterprise = Enterprise.objects.filter(pk=enterprise).first() if str(enterprise).isdigit() else None
        if enterprise is None:
            raise LedgerError("企业不存在", "enterprise")
    attributes = check_attributes(category, attributes)
    for f in files:
        check_attachment(f)

    at = timezone.now()
    suggestion = routing.suggest(category, description, address)
    user = user if user is not None and user.is_authenticated else None
    req = ServiceRequest(
        channel=channel, category=category, urgency=urgency, description=description,
        address=address, lat=lat, long=long, contact_name=contact_name, contact_phone=contact_phone,
        enterprise=enterprise or None, attributes=attributes, created_at=at, updated_at=at, received_by=user,
        suggested_unit=suggestion.unit, suggestion_reason=suggestion.reason[:200])
    event = RequestEvent(kind=Kind.SUBMITTED, at=at, text="", data={"channel": channel}, actor=user, unit=None)
    if connection.vendor == "postgresql" and not files:
        _insert_with_event(req, event, local_day(at).year)
    else:
        req.number = next_number(local_day(at).year)
        with transaction.atomic():
            req.save(force_insert=True)
            event.request = req
            event.save(force_insert=True)
            PendingDuplicateCheck.objects.create(request=req)
            for f in files:
                RequestAttachment.objects.create(request=req, file=f, name=f.name[:200], size=f.size)
    if channel not in QUEUED_CHECK_CHANNELS:
        try:
            req.duplicate_of_id, req.duplicate_score = check_pending_duplicates(requests=[req.pk]).get(
                req.pk, (None, None))
        except DatabaseError:  # the request is stored: its check stays pending for the worker
            logger.exception("duplicate check of %s left to the worker", req.number)
    return req


@functools.cache
def _insert_fields(model):
    """The fields of a model's new rows: every concrete field but the key."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert_values(obj, db):
    """The params of a new row, in _insert_fields' order, as Model.save would send them (pre_save, db prep)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), db) for f in _insert_fields(type(obj))]


def _prepares(db):
    """PostgreSQL: whether this connection prepares the hot statements sent through _execute_prepared. It opts in
    on first use outside a transaction, so that its SET lasts for the session."""
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None and not db.in_atomic_block:
        with db.wrap_database_errors:
            raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.prepare_threshold = 5  # any number: prepare=True asks for it at once
    return raw.prepare_threshold is not None


def _execute_prepared(db, sql, params):
    """PostgreSQL: the rows of a hot statement, sent with server-side binding and prepared once per connection
    with a generic plan, so PostgreSQL parses and plans it once, not on every intake. Django binds on the
    client (which cannot prepare) and turns preparing off for connection poolers; only statements sent here
    are prepared, and plan_cache_mode only concerns prepared statements. On a connection that has not opted in
    (_prepares), the statement runs unprepared."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    prepare = _prepares(db)
    with db.wrap_database_errors, ServerBindingCursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=prepare)
        return cursor.fetchall() if cursor.description else []


@functools.cache
def _intake_sql(sequence):
    """(statement, where the number's prefix goes among the request's params, where the request id would go among
    the event's) of an intake numbered from `sequence`: built once per year, not on every intake."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    req_fields, event_fields = _insert_fields(ServiceRequest), _insert_fields(RequestEvent)
    number_at = [f.name for f in req_fields].index("number")
    request_at = [f.name for f in event_fields].index("request")
    req_values = ["%s"] * len(req_fields)
    req_values[number_at] = (f"(SELECT %s || lpad(n::text, greatest(6, length(n::text)), '0') "
                             f"FROM nextval('{sequence}') AS n)")
    event_values = ["%s"] * len(event_fields)
    event_values[request_at] = "(SELECT id FROM r)"
    sql = (f"WITH r AS (INSERT INTO {ServiceRequest._meta.db_table} "
           f"({', '.join(quote(f.column) for f in req_fields)}) VALUES ({', '.join(req_values)}) RETURNING id, number), "
           f"e AS (INSERT INTO {RequestEvent._meta.db_table} ({', '.join(quote(f.column) for f in event_fields)}) "
           f"VALUES ({', '.join(event_values)})), "
           f"p AS (INSERT INTO {PendingDuplicateCheck._meta.db_table} (request_id) SELECT id FROM r) "
           f"SELECT id, number FROM r")
    return sql, number_at, request_at


def _insert_with_event(req, event, year):
    """PostgreSQL: the number, the request, its first event and its pending duplicate check in one statement (one
    round trip, atomic on its own, so no BEGIN/COMMIT either)."""
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: `connection` looks it up again on every attribute
    sql, number_at, request_at = _intake_sql(_sequence(year))
    req.number = ""  # a placeholder: the statement puts the year's next number there
    req_params = _insert_values(req, db)
    req_params[number_at] = f"{year}-"
    event.request_id = 0  # likewise, the new request's id
    event_params = _insert_values(event, db)
    del event_params[request_at]
    req.pk, req.number = _execute_prepared(db, sql, req_params + event_params)[0]
    req._state.adding, req._state.db = False, connection.alias
    event.request = req


# --- duplicates ---------------------------------------------------------------------------------

EARTH_RADIUS_M = 6371008.8
MAX_DUPLICATE_CANDIDATES = 30  # the most recent ones at the place; older repeats are rarer than slow intake


def haversine_m(lat1, long1, lat2, long2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(long2 - long1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _bigrams(text):
    chars = re.sub(r"[\W_]+", "", text or "")
    return {chars[i:i + 2] for i in range(len(chars) - 1)} or ({chars} if chars else set())


def similarity(a, b):
    """Jaccard similarity of character bigrams (Chinese has no spaces to split words on)."""
    return _jaccard(_bigrams(a), _bigrams(b))


def _jaccard(x, y):
    return len(x & y) / len(x | y) if x and y else 0.0


def _cells(low, high):
    """Grid cells whose index value (the coordinate × cells per degree cast to an integer, which PostgreSQL
    rounds half to even, as Python's round does on the same double) can hold a coordinate in low..high."""
    return list(range(round(low * NEAR_CELLS_PER_DEGREE), round(high * NEAR_CELLS_PER_DEGREE) + 1))


MAX_CELLS = 400  # beyond this (a radius of kilometres) the box alone filters what the time window returns

# PostgreSQL: one index probe per grid cell (ORDER BY created_at DESC LIMIT inside each, so the planner takes
# the cell index even when its statistics have not yet seen the newest rows; left to choose over an IN list, it
# would walk (category, created_at) backwards through every recent request of the category), plus one probe
# on the address. The cell expression is written exactly as the index's.
_PG_NEAR = f"""
    SELECT c.* FROM unnest(%s::int[]) AS y(cell) CROSS JOIN unnest(%s::int[]) AS x(cell) CROSS JOIN LATERAL (
        SELECT id, description, address, lat, long, created_at FROM {ServiceRequest._meta.db_table}
        WHERE category_id = %s AND ((lat * {NEAR_CELLS_PER_DEGREE}))::integer = y.cell
          AND ((long * {NEAR_CELLS_PER_DEGREE}))::integer = x.cell AND created_at >= %s AND status <> %s AND id < %s
          AND lat BETWEEN %s AND %s AND long BETWEEN %s AND %s
        ORDER BY created_at DESC LIMIT {MAX_DUPLICATE_CANDIDATES}) AS c"""
_PG_SAME_ADDRESS = f"""
    (SELECT id, description, address, lat, long, created_at FROM {ServiceRequest._meta.db_table}
     WHERE category_id = %s AND address = %s AND created_at >= %s AND status <> %s AND id < %s
     ORDER BY created_at DESC LIMIT {MAX_DUPLICATE_CANDIDATES})"""


def _box(policy, lat):
    """(degrees of latitude, degrees of longitude) of the duplicate radius at this latitude; (None, None)."""
    if lat is None:
        return None, None
    return (policy.duplicate_metres / 111_320,
            policy.duplicate_metres / (111_320 * max(math.cos(math.radians(lat)), 0.01)))


def _pg_candidates_sql(category_id, address, lat, long, dlat, dlong, since, before):
    """(sql, params) of the candidates query on PostgreSQL; None elsewhere, without a location, or when the
    radius spans too many cells."""
    lat_cells = long_cells = ()
    if lat is not None:
        lat_cells, long_cells = _cells(lat - dlat, lat + dlat), _cells(long - dlong, long + dlong)
    if connection.vendor != "postgresql" or len(lat_cells) * len(long_cells) > MAX_CELLS or (
            lat is None and not address):
        return None
    arms, params = [], []
    if lat is not None:
        arms.append(_PG_NEAR)
        params += [lat_cells, long_cells, category_id, since, Status.MERGED, before,
                   lat - dlat, lat + dlat, long - dlong, long + dlong]
    if address:
        arms.append(_PG_SAME_ADDRESS)
        params += [category_id, address, since, Status.MERGED, before]
    return (f"SELECT id, description, address, lat, long FROM (SELECT DISTINCT * FROM ({' UNION ALL '.join(arms)}) "
            f"AS found) AS found ORDER BY created_at DESC LIMIT {MAX_DUPLICATE_CANDIDATES}"), params


def _candidates(category_id, address, lat, long, dlat, dlong, since, before):
    """(id, description, address, lat, long) of the newest requests of the category since `since`, taken in
    before the request `before`, in the box around lat/long or at the address, at most MAX_DUPLICATE_CANDIDATES."""
    query = _pg_candidates_sql(category_id, address, lat, long, dlat, dlong, since, before)
    if query is not None:
        return _execute_prepared(connections[DEFAULT_DB_ALIAS], *query)
    near = Q()
    if lat is not None:
        near |= Q(lat__range=(lat - dlat, lat + dlat), long__range=(long - dlong, long + dlong))
    if address:
        near |= Q(address=address)
    return list(ServiceRequest.objects.filter(near, category_id=category_id, created_at__gte=since, pk__lt=before)
                .exclude(status=Status.MERGED).order_by("-created_at")
                .values_list("pk", "description", "address", "lat", "long")[:MAX_DUPLICATE_CANDIDATES])


def _best_duplicate(candidates, description, address, lat, long, policy):
    """(id, similarity) of the most similar candidate that is close (within the radius, or the same address)
    and similar enough; (None, None)."""
    best, best_score, mine = None, None, _bigrams(description)
    for pk, text, other_address, other_lat, other_long in candidates:
        close = (address and other_address == address) or (
            lat is not None and other_lat is not None
            and haversine_m(lat, long, other_lat, other_long) <= policy.duplicate_metres)
        if not close:
            continue
        score = _jaccard(mine, _bigrams(text))
        if score >= policy.duplicate_similarity and (best_score is None or score > best_score):
            best, best_score = pk, round(score, 3)
    return best, best_score


def find_duplicate(req, policy):
    """(request id, similarity) of the most similar request taken in before `req`, in the same category, at the
    same place (within the policy's metres, or the same address) within the policy's days; or (None, None).
    Index-bounded on PostgreSQL: the grid cells around the point (service_request_near_idx) or the address
    (service_request_address_idx), within those days."""
    if req.lat is None and not req.address:
        return None, None
    dlat, dlong = _box(policy, req.lat)
    since = req.created_at - dt.timedelta(days=policy.duplicate_days)
    candidates = _candidates(req.category_id, req.address, req.lat, req.long, dlat, dlong, since, req.pk)
    return _best_duplicate(candidates, req.description, req.address, req.lat, req.long, policy)


def check_pending_duplicates(limit=200, requests=None):
    """The worker's (and a human channel's intake's) duplicate check: takes up to `limit` pending checks (only
    those of `requests` if given; none another worker holds), flags each request's probable duplicate and deletes
    the checks, in one transaction, so a crash leaves them pending. Returns {request id: (duplicate id,
    similarity)} of the requests checked."""
    pending = PendingDuplicateCheck.objects.order_by("pk")
    if requests is not None:
        pending = pending.filter(pk__in=requests)
    if not pending.exists():  # the worker's idle poll: a read, no transaction (SQLite's would take the write lock)
        return {}
    policy = rules.current().policy
    if connection.vendor == "postgresql":
        _prepares(connections[DEFAULT_DB_ALIAS])  # before the transaction: the candidates query is prepared
    with transaction.atomic():
        ids = list(pending.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
        if not ids:
            return {}
        found = {req.pk: find_duplicate(req, policy) for req in ServiceRequest.objects.filter(pk__in=ids).only(
            "category_id", "description", "address", "lat", "long", "created_at").order_by()}
        flagged = {pk: pair for pk, pair in found.items() if pair[0] is not None}
        if flagged:  # one UPDATE for the batch
            ServiceRequest.objects.filter(pk__in=flagged, duplicate_of=None).update(
                duplicate_of_id=Case(*[When(pk=pk, then=Value(of)) for pk, (of, _) in flagged.items()]),
                duplicate_score=Case(*[When(pk=pk, then=Value(score)) for pk, (_, score) in flagged.items()]))
        faults.pause_at("duplicates_flagged")
        PendingDuplicateCheck.objects.filter(pk__in=ids).delete()
    return found


def merge(duplicate, user, into):
    """The office merges a probable duplicate into the request it repeats: it is handled there, and its
    requester gets every reply (copied now and fanned out later)."""
    scope.require(scope.can_dispatch(user))
    if into.pk == duplicate.pk:
        raise LedgerError("不能与自身合并", "into")
    with transaction.atomic():
        dup, target = _locked(duplicate), _locked(into)
        _require_status(dup, [Status.SUBMITTED], "合并")
        if target.status == Status.MERGED:
            raise LedgerError("目标诉求已合并到其他诉求", "into")
        at = timezone.now()
        dup.status, dup.merged_into, dup.updated_at = Status.MERGED, target, at
        dup.save(update_fields=["status", "merged_into", "updated_at"])
        _event(dup, Kind.MERGED, user, at, text=f"并入 {target.number} 一并办理", into=target.number)
        _event(target, Kind.MERGED, user, at, text=f"合并 {dup.number}", merged=dup.number)
        for reply in target.events.filter(kind=Kind.REPLIED):
            _event(dup, Kind.REPLIED, reply.actor, at, unit=reply.unit, text=reply.text, via=target.number)
    return dup


# --- dispatch and handling ----------------------------------------------------------------------

def dispatch(service_request, user, unit=None, note=""):
    """The office sends a request to a unit (default: the suggestion). After a return this is the office's
    decision: another unit, or the same one again (首接负责), which may not return it a second time."""
    scope.require(scope.can_dispatch(user))
    if unit not in (None, "") and not isinstance(unit, Unit):
        unit = Unit.objects.filter(pk=unit).first() if str(unit).isdigit() and int(unit) < 2**63 else None
        if unit is None:
            raise LedgerError("承办单位不存在", "unit")
    with transaction.atomic():
        req = _locked(service_request)
        _require_status(req, [Status.SUBMITTED, Status.RETURNED], "派单")
        unit = unit or req.suggested_unit or routing.office_unit()
        if unit is None or unit.kind == Unit.Kind.LEADERSHIP:
            raise LedgerError("请选择承办单位", "unit")
        sign_hours, reply_hours = deadline_hours(req.category, req.urgency)
        at = timezone.now()
        req.unit, req.first_unit = unit, req.first_unit or unit
        req.status, req.dispatched_at, req.updated_at = Status.DISPATCHED, at, at
        req.sign_due = at + dt.timedelta(hours=sign_hours)
        req.reply_due = at + dt.timedelta(hours=reply_hours)
        req.save()
        _event(req, Kind.DISPATCHED, user, at, text=(note or "").strip(), sign_hours=sign_hours,
               reply_hours=reply_hours)
        bump(unit.pk, local_day(at), dispatched=1)
    return req


def _handle(service_request, user, allowed, action):
    req = _locked(service_request)
    scope.require(scope.can_handle(user, req))
    _require_status(req, allowed, action)
    return req, timezone.now()


def _count_response(req, at):
    """A first answer (sign-for or return) before the sign-for deadline counts on the dispatch day."""
    if req.status == Status.DISPATCHED and req.sign_due and at <= req.sign_due:
        bump(req.unit_id, local_day(req.dispatched_at), responded=1)


def sign(service_request, user):
    with transaction.atomic():
        req, at = _handle(service_request, user, [Status.DISPATCHED], "签收")
        _count_response(req, at)
        req.status, req.updated_at = Status.SIGNED, at
        req.save(update_fields=["status", "updated_at"])
        _event(req, Kind.SIGNED, user, at)
    return req


def return_request(service_request, user, reason):
    """退单: once per request, with a reason; the office then decides (dispatch again)."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请写明退单理由", "reason")
    with transaction.atomic():
        req, at = _handle(service_request, user, AWAITING_REPLY, "退单")
        if req.events.filter(kind=Kind.RETURNED).exists():
            raise LedgerError("该诉求已退过一次单，请按首接负责办理", "reason")
        _count_response(req, at)
        req.status, req.updated_at = Status.RETURNED, at
        req.save(update_fields=["status", "updated_at"])
        _event(req, Kind.RETURNED, user, at, text=reason)
    return req


def contact(service_request, user, note=""):
    with transaction.atomic():
        req, at = _handle(service_request, user, [Status.SIGNED], "记录联系")
        req.status, req.updated_at = Status.CONTACTED, at
        req.save(update_fields=["status", "updated_at"])
        _event(req, Kind.CONTACTED, user, at, text=(note or "").strip())
    return req


def reply(service_request, user, text):
    """The unit's answer to the requester; it is copied to every request merged into this one."""
    text = (text or "").strip()
    if not text:
        raise LedgerError("请填写答复内容", "text")
    with transaction.atomic():
        req, at = _handle(service_request, user, [Status.SIGNED, Status.CONTACTED], "答复")
        req.status, req.updated_at = Status.REPLIED, at
        req.save(update_fields=["status", "updated_at"])
        _event(req, Kind.REPLIED, user, at, text=text)
        for merged in req.merged.all():
            _event(merged, Kind.REPLIED, user, at, unit=req.unit, text=text, via=req.number)
    return req


def conclude(service_request, user, resolved, note=""):
    """办结: resolved, or closed unresolved (with an explanation already replied). Counted for the handling unit
    today; on time when this round's reply came before the reply deadline."""
    with transaction.atomic():
        req = _locked(service_request)
        scope.require(scope.can_conclude(user, req))
        _require_status(req, [Status.REPLIED], "办结")
        at = timezone.now()
        on_time = clock_of(req.events.all()).replied_on_time
        day = local_day(at)
        req.status, req.updated_at = (Status.RESOLVED if resolved else Status.CLOSED), at
        req.save(update_fields=["status", "updated_at"])
        _event(req, Kind.CONCLUDED, user, at, text=(note or "").strip(), resolved=bool(resolved), on_time=on_time,
               day=day.isoformat())
        bump(req.unit_id, day, concluded=1, resolved=int(bool(resolved)), concluded_on_time=int(on_time))
    return req


RATING_COUNTER = {Rating.SATISFIED: "satisfied", Rating.BASICALLY: "basically_satisfied",
                  Rating.UNSATISFIED: "unsatisfied"}


def rate(service_request, rating, user=None, text=""):
    """The requester (tracking page: user None) or an operator's callback (the office) rates a concluded request.
    The first unsatisfied rating reopens it once: back to the same unit with a fresh reply deadline, and its
    conclusion is taken back from the counters."""
    if user is not None:
        scope.require(scope.can_dispatch(user))
    if rating not in RATING_COUNTER:
        raise LedgerError("请选择满意、基本满意或不满意", "rating")
    with transaction.atomic():
        req = _locked(service_request)
        _require_status(req, CONCLUDED, "评价")
        if req.rating:
            raise LedgerError("本次办理已评价", "rating")
        at = timezone.now()
        req.rating, req.updated_at = rating, at
        _event(req, Kind.RATED, user, at, text=(text or "").strip()[:500], rating=rating)
        bump(req.unit_id, local_day(at), rated=1, **{RATING_COUNTER[rating]: 1})
        if rating == Rating.UNSATISFIED and not req.events.filter(kind=Kind.REOPENED).exists():
            _reopen(req, user, at)
        req.save()
    return req


def _reopen(req, user, at):
    concluded = req.events.filter(kind=Kind.CONCLUDED).order_by("-at", "-id").first()
    bump(concluded.unit_id, dt.date.fromisoformat(concluded.data["day"]), concluded=-1,
         resolved=-int(concluded.data["resolved"]), concluded_on_time=-int(concluded.data["on_time"]))
    _event(req, Kind.REOPENED, user, at, text="诉求人不满意，重新办理")
    req.status, req.rating = Status.SIGNED, ""
    _refresh_clock(req)


def request_extension(service_request, user, hours, reason):
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        raise LedgerError("延期时长应为整数小时", "hours") from None
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise LedgerError(f"延期时长应为 1–{MAX_EXTENSION_HOURS} 小时", "hours")
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请写明延期理由", "reason")
    with transaction.atomic():
        req, at = _handle(service_request, user, AWAITING_REPLY, "申请延期")
        if req.extension_pending:
            raise LedgerError("已有延期申请待督查室审批", "hours")
        req.extension_pending, req.updated_at = True, at
        req.save(update_fields=["extension_pending", "updated_at"])
        _event(req, Kind.EXTENSION_REQUESTED, user, at, text=reason, hours=hours)
    return req


def decide_extension(service_request, user, approve, note=""):
    scope.require(scope.can_dispatch(user))
    with transaction.atomic():
        req = _locked(service_request)
        if not req.extension_pending:
            raise LedgerError("没有待审批的延期申请", "approve")
        asked = req.events.filter(kind=Kind.EXTENSION_REQUESTED).order_by("-at", "-id").first()
        at = timezone.now()
        if approve:
            _event(req, Kind.EXTENSION_APPROVED, user, at, text=(note or "").strip(), hours=asked.data["hours"])
            _refresh_clock(req)
        else:
            _event(req, Kind.EXTENSION_REJECTED, user, at, text=(note or "").strip())
        req.extension_pending, req.updated_at = False, at
        req.save()
    return req


# --- tracking -----------------------------------------------------------------------------------

def track(number, last_digits):
    """The request with this number whose phone ends in these four digits, else None (one answer for a wrong
    number and for wrong digits)."""
    number, last_digits = (number or "").strip(), (last_digits or "").strip()
    found = ServiceRequest.objects.filter(number=number).first() if len(number) <= 20 else None
    expected = found.contact_phone[-4:] if found else "\0\0\0\0"
    matches = constant_time_compare(expected, last_digits) and len(last_digits) == 4
    return found if found and matches else None


# --- officers -----------------------------------------------------------------------------------

def add_visit(officer, user, enterprise, date, notes):
    scope.require(scope.can_visit(user, officer))
    if enterprise.officer_id != officer.pk:
        raise LedgerError("只能记录本人服务企业的走访", "enterprise")
    notes = (notes or "").strip()
    if not notes:
        raise LedgerError("请填写走访情况", "notes")
    if date is None:
        raise LedgerError("请填写走访日期", "date")
    return OfficerVisit.objects.create(officer=officer, enterprise=enterprise, date=date, notes=notes)
