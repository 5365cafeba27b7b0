"""The cockpit's figures (领导驾驶舱), read-only.

Every figure is a grouped query over indexed columns (or the requests module's day counters), scoped to what the
viewer may see, and carries the address of the records behind it: a number on the cockpit is a link to exactly
the rows it counts. Views only render what these functions return.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone

from luoshi.ledger import scope
from luoshi.ledger.models import Instruction, Light, SupervisionNotice, Target, Task
from luoshi.ledger.services import today
from luoshi.org.models import Unit

# the speech's priority areas, in the speech's order; other areas follow alphabetically
AREAS = ["项目为王", "产业转型", "创新驱动", "精致城市", "乡村振兴", "生态", "保障"]
LIGHTS = [Light.RED, Light.YELLOW, Light.GREEN]
OPEN_NOTICE = [SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ESCALATED]
TRENDS_MONTHS = 6


def may_view(user):
    """Leaders and the office; unit staff have their workbench instead."""
    person = scope.person_of(user)
    return scope.is_office(user) or bool(person and person.is_leader)


def link(name, **params):
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


@dataclass
class Lights:
    """Task counts by light for one area or unit, with the task list address of each count."""

    key: object
    label: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    links: dict = field(default_factory=dict)

    @property
    def total(self):
        return self.red + self.yellow + self.green

    def cells(self):
        """(light, count, link) in red → green order, for templates."""
        return [(light, getattr(self, light), self.links.get(light)) for light in [*LIGHTS, "total"]]

    def add(self, light, n):
        setattr(self, light, getattr(self, light) + n)


def _leader_of(user):
    """The leader whose tasks are counted, or None when the viewer sees every task."""
    return None if scope.sees_all(user) else scope.person_of(user)


def _tasks(leader):
    return Task.objects.filter(leader=leader) if leader else Task.objects.all()


def with_links(row, **params):
    """The task list is scoped to the viewer as this count is, so the same filters give the same rows."""
    for light in LIGHTS:
        row.links[light] = link("task-list", light=light, **params)
    row.links["total"] = link("task-list", **params)
    return row


def lights_by_area(user):
    """One grouped query: (area, light) → count. Tasks without an area are counted but have no list of their own."""
    leader = _leader_of(user)
    rows = {}
    for r in _tasks(leader).order_by().values("area", "light").annotate(n=Count("*")):
        rows.setdefault(r["area"], Lights(r["area"], r["area"] or "未分领域")).add(r["light"], r["n"])
    order = {area: i for i, area in enumerate(AREAS)}
    result = sorted(rows.values(), key=lambda r: (r.key == "", order.get(r.key, len(AREAS)), r.key))
    for row in result:
        if row.key:
            with_links(row, area=row.key)
    return result


def lights_by_unit(user, limit=None):
    """(unit, light) → count, reddest units first. A unit counts the tasks it leads and those it shares as a
    co-unit, as its workbench and the task list's unit filter do: two grouped queries, the second over the
    co-unit table only (a co-unit that is also the lead is counted once)."""
    leader = _leader_of(user)
    counts = {}
    for r in _tasks(leader).order_by().values("lead_unit", "light").annotate(n=Count("*")):
        counts.setdefault(r["lead_unit"], {}).setdefault(r["light"], 0)
        counts[r["lead_unit"]][r["light"]] += r["n"]
    co = Task.co_units.through.objects.exclude(task__lead_unit=F("unit"))
    if leader:
        co = co.filter(task__leader=leader)
    for r in co.order_by().values("unit", "task__light").annotate(n=Count("*")):
        counts.setdefault(r["unit"], {}).setdefault(r["task__light"], 0)
        counts[r["unit"]][r["task__light"]] += r["n"]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1].get(Light.RED, 0), -kv[1].get(Light.YELLOW, 0), kv[0]))
    if limit:
        ranked = ranked[:limit]
    names = Unit.objects.in_bulk([pk for pk, _ in ranked])
    rows = []
    for pk, by_light in ranked:
        row = Lights(pk, names[pk].name, **{light: by_light.get(light, 0) for light in LIGHTS})
        rows.append(with_links(row, unit=pk))
    return rows, len(counts)


def reddest(user, n=10):
    """The n reddest tasks: red before yellow, the most overdue (earliest deadline) first."""
    tasks = _tasks(_leader_of(user)).exclude(status__in=Task.DONE)
    order = [F("deadline").asc(nulls_last=True), "code"]
    # sort narrow (id, deadline, code) rows, then read the few whole rows: 2–3× faster on 100,000 tasks
    ids = list(tasks.filter(light=Light.RED).order_by(*order).values_list("pk", flat=True)[:n])
    if len(ids) < n:
        ids += list(tasks.filter(light=Light.YELLOW).order_by(*order).values_list("pk", flat=True)[:n - len(ids)])
    found = Task.objects.select_related("lead_unit", "leader").in_bulk(ids)
    items = [found[pk] for pk in ids]
    on = today()
    for task in items:
        task.days_overdue = (on - task.deadline).days if task.deadline and on > task.deadline else 0
    return items


# --- the records behind the counts that the task list cannot filter ---------------------------

def open_targets(user):
    """Blank targets (**个) the office is still waiting for: not filled, returned, or filled but not confirmed."""
    leader = _leader_of(user)
    targets = Target.objects.filter(placeholder=True).exclude(state=Target.State.CONFIRMED)
    return targets.filter(task__leader=leader) if leader else targets


def open_notices(user):
    return scope.notices_for(user).filter(status__in=OPEN_NOTICE)


def open_instructions(user):
    return scope.instructions_for(user).filter(status=Instruction.Status.OPEN)


RECORDS = {  # kind → (title, queryset of the viewer's records)
    "targets": ("待填报、待确认的目标值", open_targets),
    "notices": ("未办结的督办单", open_notices),
    "instructions": ("待落实的领导批示", open_instructions),
}


def follow_ups(user):
    """The counts of what is still open: blanks by state, notices open/escalated, instructions open/overdue."""
    by_state = dict(open_targets(user).order_by().values_list("state").annotate(n=Count("*")))
    notices = dict(open_notices(user).order_by().values_list("status").annotate(n=Count("*")))
    instructions = open_instructions(user)
    records = reverse("cockpit-records", args=["targets"])
    notice_list = reverse("cockpit-records", args=["notices"])
    instruction_list = reverse("cockpit-records", args=["instructions"])
    return [
        ("目标值待填报", by_state.get(Target.State.BLANK, 0) + by_state.get(Target.State.RETURNED, 0),
         f"{records}?state=blank"),
        ("目标值待确认", by_state.get(Target.State.FILLED, 0), f"{records}?state=filled"),
        ("督办单待答复", notices.get(SupervisionNotice.Status.OPEN, 0), f"{notice_list}?status=open"),
        ("督办单已提级", notices.get(SupervisionNotice.Status.ESCALATED, 0), f"{notice_list}?status=escalated"),
        ("批示待落实", instructions.count(), instruction_list),
        ("批示已超期", instructions.filter(due__lt=today()).count(), f"{instruction_list}?overdue=1"),
    ]


def records(user, kind, params):
    """The rows behind one follow-up count, filtered as its link says."""
    title, rows = RECORDS[kind]
    rows = rows(user)
    if kind == "targets":
        state = params.get("state")
        if state == "blank":
            rows, title = rows.filter(state__in=[Target.State.BLANK, Target.State.RETURNED]), "待填报的目标值"
        elif state == "filled":
            rows, title = rows.filter(state=Target.State.FILLED), "待确认的目标值"
        return title, rows.select_related("task__lead_unit").order_by("task__lead_unit__name", "id")
    if kind == "notices":
        status = params.get("status")
        if status in OPEN_NOTICE:
            rows = rows.filter(status=status)
            title = dict(SupervisionNotice.Status.choices)[status] + "的督办单"
        return title, rows.select_related("task", "unit").order_by("reply_due", "id")
    if params.get("overdue"):
        rows, title = rows.filter(due__lt=today()), "已超期的领导批示"
    return title, rows.select_related("leader", "unit", "content_type").order_by("due", "id")


# --- key projects (luoshi.projects) -----------------------------------------------------------

def projects(user):
    """Projects by stage with planned and completed investment (万元), this year's plan against the monthly
    reports, project lights, and the 招商 pipeline against the speech's targets bound to live figures."""
    from luoshi.projects import scope as project_scope
    from luoshi.projects import services as project_services
    from luoshi.projects.models import Lead, MonthlyReport, Stage, TargetBinding

    visible = project_scope.projects_for(user)
    sums = {r["stage"]: r for r in visible.order_by().values("stage").annotate(
        n=Count("*"), total=Sum("total_investment"), annual=Sum("annual_investment"),
        done=Sum("completed_investment"))}
    stages = [{"stage": stage.value, "label": stage.label, "count": sums.get(stage, {}).get("n", 0),
               "total": sums.get(stage, {}).get("total") or Decimal(0),
               "annual": sums.get(stage, {}).get("annual") or Decimal(0),
               "done": sums.get(stage, {}).get("done") or Decimal(0),
               "link": link("project-list", stage=stage.value)} for stage in Stage]
    lights = dict(visible.order_by().values_list("light").annotate(n=Count("*")))
    year = today().year
    annual = sum(s["annual"] for s in stages)
    monthly = dict(MonthlyReport.objects.filter(project__in=visible, month__year=year).order_by()
                   .values_list("month__month").annotate(s=Sum("investment")))
    curve, running = [], Decimal(0)
    last = max(monthly, default=0)
    for month in range(1, 13):
        running += monthly.get(month, 0)
        curve.append({"month": month, "planned": float(round(annual * month / 12, 2)),
                      "done": float(running) if month <= last else None})
    bindings = (TargetBinding.objects.filter(target__task__in=_tasks(_leader_of(user)))
                .select_related("target__task").order_by("target__task__code", "target_id"))
    pipeline = []
    for binding in bindings:
        target = binding.target
        actual = project_services.actual_for(target)
        share = round(100 * actual / target.value) if target.value and actual is not None else None
        pipeline.append({"label": binding.get_figure_display(), "target": target, "actual": actual, "share": share,
                         "link": reverse("task-detail", args=[target.task_id])})
    leads = dict(project_scope.leads_for(user).order_by().values_list("stage").annotate(n=Count("*")))
    return {
        "stages": stages, "year": year, "annual": annual, "curve": curve,
        "year_done": running,
        "lights": [(light, lights.get(light, 0), link("project-list", light=light)) for light in LIGHTS],
        "pipeline": pipeline,
        "leads": [(stage.label, leads.get(stage, 0)) for stage in Lead.Stage],
        "leads_link": reverse("lead-board"),
    }


# --- enterprise and citizen requests (luoshi.service) -----------------------------------------

def _months_back(month, n):
    months = [month]
    for _ in range(n - 1):
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    return months


def requests(user, now=None):
    """County-wide monthly rates (from the per-unit day counters) for the last months, this month's township
    ranking, and the viewer's open requests by status."""
    from luoshi.service import rates
    from luoshi.service import scope as service_scope
    from luoshi.service.models import AWAITING_REPLY, OPEN_STATUSES, RequestPolicy, ServiceRequest, UnitDayStats

    now = now or timezone.now()
    month = today().replace(day=1)
    tz = timezone.get_current_timezone()
    policy = RequestPolicy.current()
    trend = []
    # one small query per month over the (day, unit) index: no per-row date truncation (a Python function on SQLite)
    for m in _months_back(month, TRENDS_MONTHS):
        first, last = rates.month_range(m)
        sums = UnitDayStats.objects.filter(day__range=(first, last)).aggregate(**{c: Sum(c) for c in rates.COUNTERS})
        # becoming overdue is no event, so this one term is counted over the open requests (index status, reply_due)
        until = min(now, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        overdue = ServiceRequest.objects.filter(
            status__in=AWAITING_REPLY, reply_due__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            reply_due__lt=until).count()
        counts = rates.UnitRates(None, **{c: sums[c] or 0 for c in rates.COUNTERS},
                                 open_overdue=overdue).compute(policy)
        trend.append({"month": f"{m:%Y-%m}", "dispatched": counts.dispatched,
                      **{name: None if getattr(counts, name) is None else round(100 * getattr(counts, name), 1)
                         for name in ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")}})
    ranking = [r for r in rates.monthly_ranking(month, "township", now=now) if r.rank is not None]
    by_status = dict(service_scope.requests_for(user).filter(status__in=OPEN_STATUSES).order_by()
                     .values_list("status").annotate(n=Count("*")))
    labels = dict(ServiceRequest.Status.choices)
    return {
        "month": month, "trend": trend,
        "ranking": [{"rank": r.rank, "unit": r.unit.name, "composite": round(100 * r.composite, 1),
                     "dispatched": r.dispatched, "link": link("service-requests", unit=r.unit.pk)}
                    for r in ranking[:10]],
        "ranked": len(ranking),
        "ranking_link": link("service-rankings", month=f"{month:%Y-%m}"),
        "open": [(labels[s], by_status.get(s, 0), link("service-requests", status=s)) for s in OPEN_STATUSES],
    }
