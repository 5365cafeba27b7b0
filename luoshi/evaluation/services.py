"""Evaluation rules: what each computed indicator measures, freezing a run's inputs, scoring, publishing.

Every computed indicator is a few grouped queries over all units of the group at once (never a query per
unit), returning per unit a raw value and the records behind it. A run copies those values (RunValue) and
the indicator settings (Run.config) and scores only from the copies: `compute` never reads live data.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone, translation

from luoshi import faults
from luoshi.jobs.services import no_progress
from luoshi.ledger.models import Light, ProgressReport, SupervisionNotice, Task
from luoshi.ledger.services import LedgerError, audit, check_year, today
from luoshi.org.models import Unit
from luoshi.projects.models import MonthlyReport, Project

from . import schemes, scope
from .models import (FIVE_QUESTIONS, GROUP_KINDS, QUESTION_MAX, Group, Indicator, IndicatorValue, Run, RunValue,
                     Score, SelfAssessment, period_kind, period_range)

Metric = Indicator.Metric


class EvaluationError(LedgerError):
    """A rule was broken; the message is Chinese (the API answers it as 422 like every LedgerError)."""


@dataclass
class Measure:
    raw: float = None  # None: nothing to measure for this unit in the period
    detail: dict = field(default_factory=dict)


def _moment(day):
    """The start of a local day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _pct(numerator, denominator):
    return None if not denominator else round(100 * numerator / denominator, 4)


@dataclass
class Window:
    """What a metric looks at: the units of a group, the period's days up to `end` (the as-of day)."""

    group: str
    units: list
    start: dt.date
    end: dt.date  # min(period end, as of)
    period_end: dt.date

    @property
    def ids(self):
        return [u.pk for u in self.units]

    @property
    def moments(self):
        return _moment(self.start), _moment(self.end + dt.timedelta(days=1))


# --- computed indicators ------------------------------------------------------------------------

def tasks_on_time(w):
    """Tasks led by the unit whose deadline fell in the period: the share reported done by the deadline.
    Records: the tasks that were not."""
    due = Task.objects.filter(lead_unit__in=w.ids, deadline__range=(w.start, w.end))
    counts = dict(due.order_by().values_list("lead_unit").annotate(n=Count("id")))
    done_in_time = (ProgressReport.objects.filter(done=True, task__in=due.filter(status__in=Task.DONE))
                    .annotate(day=TruncDate("created_at")).filter(day__lte=F("task__deadline")))
    on_time = dict(done_in_time.order_by().values_list("task__lead_unit").annotate(n=Count("task", distinct=True)))
    late = {}
    for unit, pk, code, title in (due.exclude(pk__in=done_in_time.values("task")).order_by("deadline", "code")
                                  .values_list("lead_unit", "id", "code", "title")):
        late.setdefault(unit, []).append([pk, f"{code} {title}"])
    return {u: Measure(_pct(on_time.get(u, 0), counts.get(u, 0)),
                       {"numerator": on_time.get(u, 0), "denominator": counts.get(u, 0),
                        "explain": "截止日在期内的牵头任务中按期报完成的",
                        "records": {"tasks": late.get(u, [])}, "records_label": "未按期完成的任务"})
            for u in w.ids}


def reports_on_time(w):
    """Progress reports the lead unit filed in the period against those due: each open task needs one report
    per cadence (active days ÷ cadence, rounded); a task counts at most the reports it needed, so reporting
    twice on one task does not cover another. Records: the tasks short of reports."""
    start_m, end_m = w.moments
    tasks = (Task.objects.filter(lead_unit__in=w.ids, start_date__lte=w.end)
             .filter(Q(deadline__isnull=True) | Q(deadline__gte=w.start))
             .values_list("id", "lead_unit", "code", "title", "start_date", "deadline", "cadence", "status",
                          "last_report_at"))
    filed = dict(ProgressReport.objects.filter(task__lead_unit__in=w.ids, created_at__gte=start_m,
                                               created_at__lt=end_m, unit=F("task__lead_unit"))
                 .order_by().values_list("task").annotate(n=Count("id")))
    needed, made, short = {}, {}, {}
    for pk, unit, code, title, start_date, deadline, cadence, status, last_report in tasks:
        active_end = min(w.end, deadline or w.end)
        if status in Task.DONE and last_report:
            active_end = min(active_end, timezone.localtime(last_report).date())
        days = (active_end - max(w.start, start_date)).days + 1
        expected = round(days / cadence) if days > 0 else 0
        if not expected:
            continue
        got = min(filed.get(pk, 0), expected)
        needed[unit] = needed.get(unit, 0) + expected
        made[unit] = made.get(unit, 0) + got
        if got < expected:
            short.setdefault(unit, []).append([pk, f"{code} {title}（应报{expected}次，报{got}次）"])
    return {u: Measure(_pct(made.get(u, 0), needed.get(u, 0)),
                       {"numerator": made.get(u, 0), "denominator": needed.get(u, 0),
                        "explain": "期内应填报进度次数中按周期填报的",
                        "records": {"tasks": short.get(u, [])}, "records_label": "漏报进度的任务"})
            for u in w.ids}


def notices(w):
    """督办单 issued to the unit in the period (a cost). Records: the notices."""
    start_m, end_m = w.moments
    found = {}
    for unit, task, year, seq in (SupervisionNotice.objects.filter(unit__in=w.ids, issued_at__gte=start_m,
                                                                   issued_at__lt=end_m)
                                  .order_by("year", "seq").values_list("unit", "task", "year", "seq")):
        found.setdefault(unit, []).append([task, f"督办〔{year}〕{seq}号"])
    return {u: Measure(len(found.get(u, [])), {"explain": "期内收到的督办单",
                                                "records": {"notices": found.get(u, [])},
                                                "records_label": "督办单"})
            for u in w.ids}


def _full_months(start, end):
    """The months of the period whose last day is on or before `end` (their 月调度 is due)."""
    months, month = [], start.replace(day=1)
    while True:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        if following - dt.timedelta(days=1) > end:
            return months
        months.append(month)
        month = following


def project_investment(w):
    """Key projects' investment completed in the period's full months against the annual plan pro rata.
    Townships answer for the projects located in them, departments for those they lead.
    Records: projects behind their pro-rata plan."""
    months = _full_months(w.start, w.end)
    unit_field = "township" if w.group == Group.TOWNSHIP else "lead_unit"
    projects = (Project.objects.filter(**{f"{unit_field}__in": w.ids}, annual_investment__gt=0)
                .values_list("id", unit_field, "name", "annual_investment"))
    done = dict(MonthlyReport.objects.filter(**{f"project__{unit_field}__in": w.ids}, month__in=months)
                .order_by().values_list("project").annotate(n=Sum("investment"))) if months else {}
    planned, completed, behind = {}, {}, {}
    share = Decimal(len(months)) / 12
    for pk, unit, name, annual in projects:
        plan, got = annual * share, done.get(pk) or Decimal(0)
        planned[unit] = planned.get(unit, 0) + float(plan)
        completed[unit] = completed.get(unit, 0) + float(got)
        if got < plan:
            behind.setdefault(unit, []).append([pk, f"{name}（完成{got:.0f}万元，计划{plan:.0f}万元）"])
    return {u: Measure(_pct(completed.get(u, 0), planned.get(u, 0)),
                       {"numerator": round(completed.get(u, 0), 2), "denominator": round(planned.get(u, 0), 2),
                        "explain": f"重点项目完成投资 ÷ 年度计划投资 × {len(months)}/12（万元）",
                        "records": {"projects": behind.get(u, [])}, "records_label": "投资进度滞后的项目"})
            for u in w.ids}


def _request_rates(w):
    """The requests module's rates for the group (read-only: its per-unit per-day counters)."""
    from luoshi.service.models import AWAITING_REPLY, ServiceRequest
    from luoshi.service.rates import unit_rates
    rates = {r.unit.pk: r for r in unit_rates(GROUP_KINDS[w.group], w.start, w.end, now=w.moments[1])}
    start_m, end_m = w.moments
    overdue = {}
    for unit, pk, number in (ServiceRequest.objects.filter(status__in=AWAITING_REPLY, reply_due__gte=start_m,
                                                           reply_due__lt=end_m, unit__in=w.ids)
                             .order_by("reply_due").values_list("unit", "id", "number")):
        overdue.setdefault(unit, []).append([pk, f"{number}（逾期未答复）"])
    return rates, overdue


REQUEST_RATES = {  # metric → (rate attribute, numerator, denominator, what it counts)
    Metric.REQUEST_RESPONSE: ("response_rate", "responded", "dispatched", "派单后按时签收（或退单）的"),
    Metric.REQUEST_RESOLUTION: ("resolution_rate", "resolved", "concluded", "办结诉求中已解决的"),
    Metric.REQUEST_SATISFACTION: ("satisfaction_rate", None, "rated", "评价诉求的加权满意度"),
    Metric.REQUEST_ON_TIME: ("on_time_rate", "concluded_on_time", None, "按时办结 ÷（办结 + 逾期未办）"),
}


def request_metric(metric):
    attr, numerator, denominator, explain = REQUEST_RATES[metric]

    def measure(w, cache):
        if "requests" not in cache:
            cache["requests"] = _request_rates(w)
        rates, overdue = cache["requests"]
        result = {}
        for u in w.ids:
            r = rates.get(u)
            rate = getattr(r, attr) if r else None
            detail = {"explain": explain, "records_label": "逾期未答复的诉求",
                      "records": {"requests": overdue.get(u, [])}}
            if r:
                detail["numerator"] = getattr(r, numerator) if numerator else None
                detail["denominator"] = (getattr(r, denominator) if denominator
                                         else r.concluded + r.open_overdue)
            result[u] = Measure(None if rate is None else round(100 * rate, 4), detail)
        return result

    return measure


METRICS = {
    Metric.TASKS_ON_TIME: lambda w, cache: tasks_on_time(w),
    Metric.REPORTS_ON_TIME: lambda w, cache: reports_on_time(w),
    Metric.NOTICES: lambda w, cache: notices(w),
    Metric.PROJECT_INVESTMENT: lambda w, cache: project_investment(w),
    **{m: request_metric(m) for m in REQUEST_RATES},
}

RECORD_URLS = {"tasks": "task-detail", "notices": "task-detail", "projects": "project-detail",
               "requests": "service-request"}


def record_links(records):
    """{kind: [[id, label]]} → [(label, url path)] for the breakdown and the review."""
    return [(label, reverse(RECORD_URLS[kind], args=[pk])) for kind, rows in records.items() for pk, label in rows]


# --- freezing a run -------------------------------------------------------------------------------

def indicator_config(indicator):
    def number(value):
        return None if value is None else float(value)
    return {"id": indicator.pk, "code": indicator.code, "name": indicator.name, "source": indicator.source,
            "metric": indicator.metric, "direction": indicator.direction, "role": indicator.role,
            "weight": number(indicator.weight), "cap": number(indicator.cap), "points": number(indicator.points),
            "unit_label": indicator.unit_label}


def units_of(group):
    return list(Unit.objects.filter(kind__in=GROUP_KINDS[group]).order_by("order", "name"))


def _entered(indicator, period, ids):
    if indicator.source == Indicator.Source.SELF_ASSESSMENT:
        rows = SelfAssessment.objects.filter(unit__in=ids, period=period).values_list("unit", "score")
        label = "“五个问一问”自评分"
    else:
        rows = IndicatorValue.objects.filter(indicator=indicator, unit__in=ids, period=period).values_list(
            "unit", "value")
        label = "导入的统计数据" if indicator.source == Indicator.Source.IMPORTED else "领导评价分"
    values = dict(rows)
    return {u: Measure(None if values.get(u) is None else float(values[u]), {"explain": label}) for u in ids}


def _facts(w):
    """What the bulletin lists per unit, frozen with the run: red tasks led, unanswered notices in the period."""
    start_m, end_m = w.moments
    facts = {u: {"red_tasks": [], "open_notices": []} for u in w.ids}
    for unit, pk, code, title, reason in (Task.objects.filter(lead_unit__in=w.ids, light=Light.RED)
                                          .exclude(status__in=Task.DONE).order_by("deadline", "code")
                                          .values_list("lead_unit", "id", "code", "title", "light_reason")):
        facts[unit]["red_tasks"].append([pk, f"{code} {title}", reason])
    for unit, task, year, seq, status in (
            SupervisionNotice.objects.filter(unit__in=w.ids, issued_at__gte=start_m, issued_at__lt=end_m)
            .exclude(status=SupervisionNotice.Status.REPLIED).order_by("year", "seq")
            .values_list("unit", "task", "year", "seq", "status")):
        with translation.override(settings.LANGUAGE_CODE):  # frozen for every reader: in the site's language
            label = str(SupervisionNotice.Status(status).label)
        facts[unit]["open_notices"].append([task, f"督办〔{year}〕{seq}号", label])
    return facts


def freeze(run, progress=no_progress):
    """Copy every input of the run (unsaved): one RunValue per unit and indicator, a Score row per unit carrying
    the facts the bulletin lists."""
    start, period_end = run.range
    units = units_of(run.group)
    w = Window(run.group, units, start, min(period_end, run.as_of), period_end)
    cache, values = {}, []
    items = run.config["indicators"]
    for i, item in enumerate(items):
        progress(i, len(items) + 1, f"冻结指标数据：{item['name']}")
        indicator = Indicator(**{k: item[k] for k in ("source", "metric")}, pk=item["id"])
        if item["source"] == Indicator.Source.COMPUTED:
            measures = METRICS[item["metric"]](w, cache)
        else:
            measures = _entered(indicator, run.period, w.ids)
        values += [RunValue(run=run, unit_id=u, indicator_id=item["id"], code=item["code"], raw=m.raw,
                            detail=m.detail) for u, m in measures.items()]
    progress(len(items), len(items) + 1, "汇总通报事项")
    facts = _facts(w)
    scores = [Score(run=run, unit=u, unit_name=u.name, score=0, rank=0, facts=facts[u.pk]) for u in units]
    return values, scores


# --- scoring from the frozen copies ---------------------------------------------------------------

def _impute(raws):
    """Units with nothing to measure are scored at the mean of those measured (0 if nobody was)."""
    known = [x for x in raws if x is not None]
    mean = sum(known) / len(known) if known else 0.0
    return [mean if x is None else x for x in raws]


def compute(config, method, normalisation, unit_ids, raw):
    """Scores from frozen inputs only. raw: {(unit_id, code): value or None}.

    Returns ({unit_id: score}, {(unit_id, code): (used, normalised, weight, contribution, extra)}, distances,
    entropy shifts)."""
    scored = [i for i in config if i["role"] == Indicator.Role.SCORED]
    adjust = [i for i in config if i["role"] != Indicator.Role.SCORED]
    matrix_cols = []
    for item in scored:
        column = _impute([raw[(u, item["code"])] for u in unit_ids])
        if item["cap"] is not None:
            column = [min(x, item["cap"]) for x in column]
        matrix_cols.append(column)
    matrix = [list(row) for row in zip(*matrix_cols)] if matrix_cols else [[] for _ in unit_ids]
    directions = [i["direction"] for i in scored]
    parts, distances, shifts = {}, {}, {}
    if method == Run.Method.TOPSIS and scored:
        result = schemes.entropy_topsis(matrix, directions)
        shifts = {scored[j]["code"]: d for j, d in result.shifts.items()}
        for r, u in enumerate(unit_ids):
            distances[u] = (result.distance_best[r], result.distance_worst[r])
            for j, item in enumerate(scored):
                parts[(u, item["code"])] = (matrix[r][j], result.normalised[r][j], result.weights[j], None,
                                            {"square_best": result.squares_best[r][j],
                                             "square_worst": result.squares_worst[r][j]})
    else:
        result = schemes.weighted_sum(matrix, [i["weight"] for i in scored], directions, normalisation)
        for r, u in enumerate(unit_ids):
            for j, item in enumerate(scored):
                parts[(u, item["code"])] = (matrix[r][j], result.normalised[r][j], result.weights[j],
                                            result.contributions[r][j], {})
    scores = {u: result.scores[r] if scored else 0.0 for r, u in enumerate(unit_ids)}
    for item in adjust:
        sign = 1 if item["role"] == Indicator.Role.BONUS else -1
        for u in unit_ids:
            value = raw[(u, item["code"])]
            points = sign * schemes.adjustment(value, item["points"], item["cap"])
            parts[(u, item["code"])] = (value, None, item["points"], points, {})
            scores[u] += points
    return scores, parts, distances, shifts


def _ranks(scores, order):
    """Competition ranking (1, 2, 2, 4) on scores rounded to 4 decimals; ties listed in unit order."""
    ranked = sorted(scores, key=lambda u: (-round(scores[u], 4), order[u]))
    ranks, previous = {}, None
    for position, u in enumerate(ranked, start=1):
        key = round(scores[u], 4)
        ranks[u] = ranks[previous] if previous is not None and key == round(scores[previous], 4) else position
        previous = u
    return ranks


def previous_run(run):
    """The last published run of the same group and kind before this one's period."""
    return (Run.objects.filter(group=run.group, kind=run.kind, status=Run.Status.PUBLISHED, period__lt=run.period)
            .exclude(pk=run.pk).order_by("-period", "-id").first())


def _check_draft(run):
    if run.is_published:
        raise EvaluationError("已发布的考核结果不能再修改")


def _score(run, values, scores):
    """Score frozen rows in memory: fills normalised values, contributions, ranks and the run's config notes."""
    unit_ids = [s.unit_id for s in scores]  # in unit order
    raw = {(v.unit_id, v.code): v.raw for v in values}
    totals, parts, distances, shifts = compute(run.config["indicators"], run.method, run.normalisation, unit_ids,
                                               raw)
    for v in values:
        used, normalised, weight, contribution, extra = parts[(v.unit_id, v.code)]
        v.used, v.normalised, v.weight, v.contribution = used, normalised, weight, contribution
        v.detail = {**v.detail, **extra}
    ranks = _ranks(totals, {u: i for i, u in enumerate(unit_ids)})
    before = previous_run(run)
    previous = dict(before.scores.values_list("unit", "rank")) if before else {}
    for s in scores:
        s.score, s.rank, s.previous_rank = round(totals[s.unit_id], 6), ranks[s.unit_id], previous.get(s.unit_id)
        s.distance_best, s.distance_worst = distances.get(s.unit_id, (None, None))
    run.config = {**run.config, "entropy_shifts": shifts, "previous_run": before.pk if before else None}


def _freeze_and_score(run, progress):
    """The run's rows, frozen and scored in memory. Only reads: it runs before the transaction that stores them,
    so the database's write lock is held for the inserts alone and the progress can be seen meanwhile."""
    values, scores = freeze(run, progress)
    progress(0, 0, "计分、排名")
    _score(run, values, scores)
    progress(0, 0, "保存考核结果")
    return values, scores


def _store(run, values, scores):
    """Inside the caller's transaction: a run is stored whole or not at all."""
    RunValue.objects.bulk_create(values, batch_size=2000)
    faults.pause_at("run_values_written")
    Score.objects.bulk_create(scores, batch_size=2000)


def recompute(run):
    """{unit_id: score} from the run's frozen values and config alone: a published run reproduces exactly."""
    unit_ids = [s.unit_id for s in run.scores.select_related("unit").order_by("unit__order", "unit__name")]
    raw = {(u, code): x for u, code, x in run.values.values_list("unit", "code", "raw")}
    return compute(run.config["indicators"], run.method, run.normalisation, unit_ids, raw)[0]


# --- the office's actions -------------------------------------------------------------------------

def check_run(user, group, period, method=Run.Method.WEIGHTED, normalisation=Run.Normalisation.MINMAX, as_of=None):
    """Whether a run can be made, before anything is computed: (period kind, data as of, active indicators)."""
    scope.require(scope.can_manage(user))
    if group not in Group.values:
        raise EvaluationError("请选择考核对象（乡镇或部门）", "group")
    if method not in Run.Method.values:
        raise EvaluationError("请选择计分方法", "method")
    if normalisation not in Run.Normalisation.values:
        raise EvaluationError("请选择标准化方法", "normalisation")
    check_period(period)
    kind, (start, end) = period_kind(period), period_range(period)
    as_of = min(end, as_of or today())
    if as_of < start:
        raise EvaluationError(f"考核期间 {period} 尚未开始", "period")
    indicators = list(Indicator.objects.filter(group=group, active=True))
    if not any(i.role == Indicator.Role.SCORED for i in indicators):
        raise EvaluationError("该考核对象还没有启用的计分指标", "group")
    return kind, as_of, indicators


def create_run(user, group, period, method=Run.Method.WEIGHTED, normalisation=Run.Normalisation.MINMAX, as_of=None,
               progress=no_progress):
    """Freeze the inputs of a period for a group and score them; the run stays a draft until published."""
    kind, as_of, indicators = check_run(user, group, period, method, normalisation, as_of)
    run = Run(group=group, period=period, kind=kind, method=method, normalisation=normalisation, as_of=as_of,
              created_by=user, config={"indicators": [indicator_config(i) for i in indicators]})
    values, scores = _freeze_and_score(run, progress)
    with transaction.atomic():
        run.save()
        _store(run, values, scores)
        audit(user, run, "生成考核", {"period": (None, period), "as_of": (None, as_of)})
    return run


def refresh_run(run, user, progress=no_progress):
    """Re-freeze a draft from today's data and indicator settings (a published run never changes)."""
    scope.require(scope.can_manage(user))
    _check_draft(run)
    fresh = Run.objects.get(pk=run.pk)
    fresh.as_of = min(fresh.range[1], today())
    fresh.config = {"indicators": [indicator_config(i) for i in Indicator.objects.filter(group=run.group,
                                                                                         active=True)]}
    values, scores = _freeze_and_score(fresh, progress)
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        _check_draft(run)  # published while it was being computed: it stays as published
        run.values.all().delete()
        run.scores.all().delete()
        run.as_of, run.config = fresh.as_of, fresh.config
        run.save(update_fields=["as_of", "config"])
        _store(run, values, scores)
        audit(user, run, "重新生成考核", {"as_of": (None, run.as_of)})
    return run


def _refresh_previous(run):
    """Another run may have been published since this draft was scored: take the change from the latest one."""
    before = previous_run(run)
    previous = dict(before.scores.values_list("unit", "rank")) if before else {}
    changed = [s for s in run.scores.all() if s.previous_rank != previous.get(s.unit_id)]
    for s in changed:
        s.previous_rank = previous.get(s.unit_id)
    Score.objects.bulk_update(changed, ["previous_rank"], batch_size=2000)
    run.config = {**run.config, "previous_run": before.pk if before else None}
    run.save(update_fields=["config"])


def publish_run(run, user):
    scope.require(scope.can_manage(user))
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        _check_draft(run)
        _refresh_previous(run)
        run.status, run.published_by, run.published_at = Run.Status.PUBLISHED, user, timezone.now()
        run.save(update_fields=["status", "published_by", "published_at"])
        audit(user, run, "发布考核结果", {"status": (Run.Status.DRAFT, run.status)})
    return run


def delete_run(run, user):
    scope.require(scope.can_manage(user))
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        _check_draft(run)
        audit(user, run, "删除考核草稿")
        run.delete()


# --- reading a run --------------------------------------------------------------------------------

@dataclass
class Line:
    """One indicator of a unit's breakdown."""

    item: dict  # the indicator as frozen in the run's config
    value: RunValue
    rank: int  # the unit's place among the group on this indicator (1 = best)
    links: list

    @property
    def imputed(self):
        return self.value.raw is None and self.item["role"] == Indicator.Role.SCORED


def indicator_ranks(run, code, direction):
    """{unit_id: place on one indicator}; units without a value share the last place."""
    rows = list(run.values.filter(code=code).values_list("unit", "raw"))
    measured = sorted((r for r in rows if r[1] is not None), key=lambda r: r[1],
                      reverse=direction == Indicator.Direction.BENEFIT)
    ranks = {}
    for position, (u, x) in enumerate(measured, start=1):
        ranks[u] = ranks[measured[position - 2][0]] if position > 1 and x == measured[position - 2][1] else position
    last = len(measured) + 1
    return {u: ranks.get(u, last) for u, _ in rows}


def breakdown(run, unit_id):
    """(score, lines): every indicator of a unit in the run, with its records. The lines of a weighted run add
    up to the score; a TOPSIS run's squared distances add up to its distances squared."""
    score = run.scores.select_related("unit").get(unit=unit_id)
    values = {v.code: v for v in run.values.filter(unit=unit_id)}
    lines = []
    for item in run.config["indicators"]:
        v = values[item["code"]]
        rank = indicator_ranks(run, item["code"], item["direction"])[unit_id]
        lines.append(Line(item, v, rank, record_links(v.detail.get("records", {}))))
    return score, lines


# --- values that are entered --------------------------------------------------------------------

def check_period(period, field="period"):
    """`period` if it is a well-formed period within the ledger's years (the metrics' day and time arithmetic
    overflows near year 1), else an EvaluationError naming `field`."""
    try:
        start, _ = period_range(period)
    except ValueError as e:
        raise EvaluationError(str(e), field) from None
    check_year(start, field, "考核期间", EvaluationError)
    return period


def number(value, field, low=None, high=None):
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise EvaluationError(f"“{value}”不是数字", field) from None
    if not result.is_finite() or abs(result) >= Decimal(10) ** 12:
        raise EvaluationError(f"“{value}”不是有效数字或超出范围", field)
    if (low is not None and result < low) or (high is not None and result > high):
        raise EvaluationError(f"数值应在 {low}–{high} 之间", field)
    return result.quantize(Decimal("0.0001"))


def save_values(user, period, rows):
    """rows: [(indicator, unit, Decimal value, note)] for imported or rated indicators; all saved or none."""
    with transaction.atomic():
        for indicator, unit, value, note in rows:
            IndicatorValue.objects.update_or_create(indicator=indicator, unit=unit, period=period,
                                                    defaults={"value": value, "note": note[:200],
                                                              "entered_by": user})
        if rows:
            audit(user, rows[0][0], "录入考核指标数据", {"period": (None, period), "rows": (0, len(rows))})


def save_ratings(user, indicator, period, ratings):
    """A leader rating (0–100) for each unit of the indicator's group: {unit_id: value or ""}."""
    scope.require(scope.can_rate(user))
    if indicator.source != Indicator.Source.RATING:
        raise EvaluationError("该指标不是领导评价指标", "indicator")
    check_period(period)
    units = {u.pk: u for u in units_of(indicator.group)}
    rows = []
    for unit_id, value in ratings.items():
        if unit_id not in units:
            raise EvaluationError("单位不在该指标的考核对象中", "unit")
        if value not in (None, ""):
            rows.append((indicator, units[unit_id], number(value, f"unit-{unit_id}", 0, 100), ""))
    save_values(user, period, rows)
    return len(rows)


def save_self_assessment(user, unit, period, answers):
    """“五个问一问”: five (answer, score 0–20) pairs from the unit itself; the score is their sum."""
    scope.require(scope.can_self_assess(user, unit.pk))
    check_period(period)
    if len(answers) != len(FIVE_QUESTIONS):
        raise EvaluationError("请逐一回答五个问题", "answers")
    cleaned = []
    for i, (answer, score) in enumerate(answers, start=1):
        answer = (answer or "").strip()
        if not answer:
            raise EvaluationError(f"请回答第{i}问", f"answer{i}")
        cleaned.append({"answer": answer[:2000], "score": float(number(score, f"score{i}", 0, QUESTION_MAX))})
    total = Decimal(str(sum(a["score"] for a in cleaned))).quantize(Decimal("0.1"))
    with transaction.atomic():
        row, _ = SelfAssessment.objects.update_or_create(unit=unit, period=period, defaults={
            "answers": cleaned, "score": total, "submitted_by": user})
        audit(user, row, "提交“五个问一问”自评", {"score": (None, total)})
    return row
