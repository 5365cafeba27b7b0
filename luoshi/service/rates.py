"""The rates of a unit over a period, and the monthly ranking, from the per-unit per-day counters.

Definitions (the same words are in docs/requests.md):

- response rate = responded within the sign-for limit / dispatched. Each dispatch to a unit counts once, on the
  day of the dispatch; signing for it (or returning it, which is also an answer) before the sign-for deadline
  counts as responded on that same dispatch day, so a month's numerator and denominator are the same requests.
- resolution rate = resolved / closed, where "closed" is every request concluded in the period (办结: resolved
  or closed unresolved with an explanation), counted on the day of conclusion for the handling unit.
- satisfaction rate = (w₁·satisfied + w₂·basically satisfied + w₃·unsatisfied) / rated, weights from
  RequestPolicy (defaults 1, 0.8, 0), counted on the day of the rating.
- on-time rate = closed on time / (closed + open overdue). Closed on time: concluded, and the reply came before
  the reply deadline (extensions included). Open overdue: not yet replied and its reply deadline fell in the
  period before now. Becoming overdue is not an event, so this one term is counted over the open requests only
  (index on status, reply_due), never over all requests.
- composite = the weighted mean of the four rates (RequestPolicy weights); a rate with nothing to measure
  (zero denominator) is left out and the other weights are scaled up.

A request that is reopened after an unsatisfied rating takes back its conclusion (−1 on the day it was counted),
so it is counted closed once, when it is finally closed.
"""
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from luoshi.org.models import Unit

from . import rules
from .models import AWAITING_REPLY, ServiceRequest, UnitDayStats

COUNTERS = ["dispatched", "responded", "concluded", "resolved", "concluded_on_time", "rated", "satisfied",
            "basically_satisfied", "unsatisfied"]
TOWNSHIPS = [Unit.Kind.TOWNSHIP, Unit.Kind.STREET]
DEPARTMENTS = [Unit.Kind.DEPARTMENT]


def bump(unit_id, day, **counts):
    """Add to a unit's counters for a day in one statement (insert or add), inside the caller's transaction."""
    if unit_id is None or not any(counts.values()):
        return
    unknown = set(counts) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters {unknown}")
    table = connection.ops.quote_name(UnitDayStats._meta.db_table)
    cols = ", ".join(COUNTERS)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counts)
    sql = (f"INSERT INTO {table} (unit_id, day, {cols}) VALUES (%s, %s, {', '.join(['%s'] * len(COUNTERS))}) "
           f"ON CONFLICT (unit_id, day) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_id, day, *[counts.get(c, 0) for c in COUNTERS]])


def local_day(moment):
    return timezone.localtime(moment).date()


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


@dataclass
class UnitRates:
    unit: Unit
    dispatched: int = 0
    responded: int = 0
    concluded: int = 0
    resolved: int = 0
    concluded_on_time: int = 0
    open_overdue: int = 0
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    response_rate: float = None
    resolution_rate: float = None
    satisfaction_rate: float = None
    on_time_rate: float = None
    composite: float = None
    rank: int = None

    def compute(self, policy):
        self.response_rate = _ratio(self.responded, self.dispatched)
        self.resolution_rate = _ratio(self.resolved, self.concluded)
        self.satisfaction_rate = _ratio(policy.weight_satisfied * self.satisfied
                                        + policy.weight_basically_satisfied * self.basically_satisfied
                                        + policy.weight_unsatisfied * self.unsatisfied, self.rated)
        self.on_time_rate = _ratio(self.concluded_on_time, self.concluded + self.open_overdue)
        weighted = [(policy.composite_response, self.response_rate),
                    (policy.composite_resolution, self.resolution_rate),
                    (policy.composite_satisfaction, self.satisfaction_rate),
                    (policy.composite_on_time, self.on_time_rate)]
        weights = sum(w for w, rate in weighted if rate is not None)
        self.composite = (sum(w * rate for w, rate in weighted if rate is not None) / weights) if weights else None
        return self


def month_range(month):
    """(first day, last day) of the month of a date."""
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def unit_rates(kinds, start, end, policy=None, now=None):
    """Every unit of the kinds with its counts and rates for the days start..end (inclusive), best first.
    Units with nothing to measure come last, unranked."""
    policy = policy or rules.current().policy
    now = now or timezone.now()
    units = {u.pk: UnitRates(u) for u in Unit.objects.filter(kind__in=kinds)}
    sums = (UnitDayStats.objects.filter(day__range=(start, end), unit__kind__in=kinds)
            .values("unit").annotate(**{c: Sum(c) for c in COUNTERS}))
    for row in sums:
        for c in COUNTERS:
            setattr(units[row["unit"]], c, row[c] or 0)
    tz = timezone.get_current_timezone()
    period_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    period_end = min(now, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    overdue = (ServiceRequest.objects.filter(status__in=AWAITING_REPLY, reply_due__gte=period_start,
                                             reply_due__lt=period_end, unit__kind__in=kinds)
               .values("unit").annotate(n=Count("id")))
    for row in overdue:
        units[row["unit"]].open_overdue = row["n"]
    rows = [r.compute(policy) for r in units.values()]
    ranked = sorted((r for r in rows if r.composite is not None), key=lambda r: (-r.composite, r.unit.order))
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    return ranked + sorted((r for r in rows if r.composite is None), key=lambda r: (r.unit.order, r.unit.name))


def monthly_ranking(month, kind="township", now=None):
    start, end = month_range(month)
    return unit_rates(TOWNSHIPS if kind == "township" else DEPARTMENTS, start, end, now=now)
