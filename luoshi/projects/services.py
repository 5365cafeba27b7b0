"""Project and pipeline rules: stage gates, 月调度, lights, 协调事项, leads, live target figures.

Views, the API, the Excel import, the demo and commands call these; none of them writes rows directly.
Errors are the ledger's: LedgerError (Chinese message + field), Conflict (optimistic locking).
"""
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from luoshi.ledger.models import Light, LightPolicy, ReminderLog
from luoshi.ledger.services import (Conflict, LedgerError, apply_edits, audit, check_attachment,  # noqa: F401
                                    month_of, today)
from luoshi.org.models import Person, Unit, unit_names

from . import scope
from .models import (LEAD_STAGE_DATES, YI, ExchangeRate, FundsInPlace, Lead, MonthlyReport, Problem, Programme,
                     Project, ProjectItem, ReportPhoto, Stage, StageItem, TargetBinding, entered_field, next_stage,
                     planned_field)

MONEY_LIMIT = Decimal(10) ** 12  # MONEY holds 12 digits before the point


# --- parsing ------------------------------------------------------------------------------

def money(value, field, label="金额"):
    """A non-negative amount in 万元, to the cent of a 万 (two decimals)."""
    if value in (None, ""):
        raise LedgerError(f"请填写{label}", field)
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise LedgerError(f"{label}“{value}”不是数字", field) from None
    if not number.is_finite() or number < 0 or number >= MONEY_LIMIT:
        raise LedgerError(f"{label}“{value}”应为不小于 0 的有效数字", field)
    return number.quantize(Decimal("0.01"))


def _date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise LedgerError(f"日期“{value}”格式不对，应为 2021-06-30", field) from None


def _unit(value, field, label, names=None):
    if isinstance(value, Unit):
        return value
    if value in (None, ""):
        raise LedgerError(f"请指定{label}", field)
    pk = int(value) if str(value).isdigit() else (names or unit_names()).get(str(value).strip())
    unit = Unit.objects.filter(pk=pk).first() if pk is not None and pk < 2 ** 63 else None
    if unit is None:
        raise LedgerError(f"{label}“{value}”不存在", field)
    return unit


def _person(value, field, label, role=None):
    if value in (None, ""):
        return None
    people = Person.objects.filter(role=role) if role else Person.objects.all()
    if isinstance(value, Person):
        found = people.filter(pk=value.pk).first()
    elif isinstance(value, int) or str(value).isdigit():
        found = people.filter(pk=int(value)).first() if int(value) < 2 ** 63 else None
    else:
        found = people.filter(name=str(value).strip()).first()
    if found is None:
        raise LedgerError(f"{label}“{value}”不存在", field)
    return found


# --- lights -------------------------------------------------------------------------------

def _month_index(day):
    return day.year * 12 + day.month - 1


def missed_reports(project, on, grace_days):
    """Months whose 月调度 is overdue: month M's report is due on the (grace)th day of M+1, missed from the next."""
    if project.stage == Stage.COMPLETED:
        return 0
    first_due = (_month_index(project.last_report_month) + 1 if project.last_report_month
                 else _month_index(project.registered_on))
    latest_overdue = _month_index(on - dt.timedelta(days=grace_days + 1)) - 1
    return max(0, latest_overdue - first_due + 1)


def stage_label(stage):
    return Project._meta.get_field(planned_field(stage)).verbose_name


def compute_light(project, on=None, policy=None, overdue_problems=None):
    """(light, reason): the next stage's planned date, missed 月调度, unanswered overdue 协调事项."""
    on = on or today()
    policy = policy or LightPolicy.current()
    if overdue_problems is None:
        overdue_problems = 0 if project.pk is None else project.problems.filter(
            status=Problem.Status.OPEN, deadline__lt=on).count()
    upcoming = next_stage(project.stage)
    planned = project.planned_date(upcoming) if upcoming else None
    if planned and on > planned:
        return Light.RED, f"{stage_label(upcoming)} {planned:%Y-%m-%d}，已逾期{(on - planned).days}天"
    missed = missed_reports(project, on, policy.report_grace_days)
    if missed >= policy.red_missed_reports:
        return Light.RED, f"连续{missed}个月未报月调度"
    if planned and (planned - on).days <= policy.yellow_days:
        return Light.YELLOW, f"距{stage_label(upcoming)}（{planned:%Y-%m-%d}）还有{(planned - on).days}天"
    if overdue_problems:
        return Light.YELLOW, f"{overdue_problems}项协调事项逾期未答复"
    if missed:
        return Light.YELLOW, "上月月调度未填报"
    return Light.GREEN, "已竣工投产" if project.stage == Stage.COMPLETED else "按计划推进"


def _set_light(project, on=None):
    project.light, project.light_reason = compute_light(project, on)


def refresh_lights(on=None, projects=None):
    """Recompute and store every project's light; returns how many changed."""
    on = on or today()
    policy = LightPolicy.current()
    projects = (projects if projects is not None else Project.objects.all()).annotate(
        overdue=Count("problems", filter=Q(problems__status=Problem.Status.OPEN, problems__deadline__lt=on)))
    changed = []
    for project in projects.iterator(chunk_size=2000):
        light = compute_light(project, on, policy, project.overdue)
        if light != (project.light, project.light_reason):
            project.light, project.light_reason = light
            changed.append(project)
    Project.objects.bulk_update(changed, ["light", "light_reason"], batch_size=1000)
    return len(changed)


# --- creating and editing a project -------------------------------------------------------

EDITABLE = ["name", "category", "programme", "township", "owner", "content", "leader", "lead_unit",
            "service_officer", "total_investment", "annual_investment", "provincial_key", "city_key",
            "planned_preparation", "planned_construction", "planned_completion"]
PLANNED = ["planned_preparation", "planned_construction", "planned_completion"]


def clean_fields(fields, project=None, names=None):
    """Input values (instances, ids or names) → model values; raises LedgerError naming the field."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    values = {}
    for name, value in fields.items():
        if name == "name":
            value = (value or "").strip()
            if not value:
                raise LedgerError("请填写项目名称", "name")
            if len(value) > 100:
                raise LedgerError("项目名称不能超过 100 字", "name")
            taken = Project.objects.filter(name=value).exclude(pk=getattr(project, "pk", None))
            if taken.exists():
                raise LedgerError(f"项目“{value}”已存在", "name")
        elif name == "category":
            value = _choice(value, Project.Category, "category", "项目类别")
        elif name == "programme":
            value = _programme(value)
        elif name == "township":
            value = None if value in (None, "") else _unit(value, "township", "所在乡镇", names)
            if value is not None and not value.is_township:
                raise LedgerError(f"“{value}”不是乡镇或街道", "township")
        elif name == "lead_unit":
            value = _unit(value, "lead_unit", "责任单位", names)
        elif name == "leader":
            value = _person(value, "leader", "责任领导", Person.Role.LEADER)
            if value is None:
                raise LedgerError("请指定责任领导", "leader")
        elif name == "service_officer":
            value = _person(value, "service_officer", "首席服务官")
        elif name in ("total_investment", "annual_investment"):
            value = money(value, name, Project._meta.get_field(name).verbose_name)
        elif name in ("provincial_key", "city_key"):
            value = bool(value)
        elif name in PLANNED:
            value = _date(value, name)
        elif name in ("owner", "content"):
            value = (value or "").strip()
            if name == "owner" and len(value) > 100:
                raise LedgerError("业主单位不能超过 100 字", "owner")
        values[name] = value
    return values


def _choice(value, choices, field, label):
    """A choice by its value or its Chinese label."""
    for key, text in choices.choices:
        if value in (key, text):
            return key
    raise LedgerError(f"{label}“{value}”不在可选范围：{'、'.join(choices.labels)}", field)


def _programme(value):
    if value in (None, ""):
        return None
    if isinstance(value, Programme):
        return value
    text = str(value).strip()
    found = Programme.objects.filter(Q(name=text) | Q(pk=int(text)) if text.isdigit() else Q(name=text)).first()
    if found is None:
        raise LedgerError(f"所属工程“{value}”不存在，请先在系统管理中添加", "programme")
    return found


def _check_plan(project):
    if project.annual_investment > project.total_investment:
        raise LedgerError("年度计划投资不能大于总投资", "annual_investment")
    dates = [(name, getattr(project, name)) for name in PLANNED if getattr(project, name)]
    for (_, before), (name, after) in zip(dates, dates[1:]):
        if after < before:
            raise LedgerError(f"{Project._meta.get_field(name).verbose_name}不能早于前一阶段的计划日期", name)


def _members(values):
    people = [_person(v, "members", "专班成员") for v in values or [] if v not in (None, "")]
    return list(dict.fromkeys(people))


def create_project(user, members=(), stage=Stage.INTRODUCED, on=None, **fields):
    """A new project at its first stage (an imported list may state a later one). Office only."""
    scope.require(scope.can_edit_project(user))
    on = on or today()
    missing = [label for name, label in [("name", "项目名称"), ("category", "项目类别"), ("leader", "责任领导"),
                                         ("lead_unit", "责任单位"), ("total_investment", "总投资")]
               if fields.get(name) in (None, "")]
    if missing:
        raise LedgerError(f"请填写{'、'.join(missing)}", None)
    values = clean_fields(fields)
    stage = _choice(stage, Stage, "stage", "当前阶段")
    project = Project(registered_on=on, stage=stage, **values)
    for later in Stage.values[1:Stage.values.index(stage) + 1]:
        setattr(project, entered_field(later), on)
    _check_plan(project)
    team = _members(members)
    with transaction.atomic():
        _set_light(project, on)
        project.save()
        project.members.set(team)
        audit(user, project, "新建项目", {"stage": (None, project.get_stage_display()),
                                          "total_investment": (None, project.total_investment)})
    return project


def update_project(project, user, version, members=None, **fields):
    """Save edits made on `version`; raises Conflict if someone saved since."""
    scope.require(scope.can_edit_project(user, project))
    values = clean_fields(fields, project)
    team = None if members is None else _members(members)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.version != int(version):
            raise Conflict(current)
        changes = apply_edits(current, values, None if team is None else ("members", team))
        if not changes:
            return current
        _check_plan(current)
        current.version += 1
        _set_light(current)
        current.save()
        audit(user, current, "修改项目", changes)
    return current


# --- stages and checklists ----------------------------------------------------------------

def checklist(project):
    """[(stage value, label, [(StageItem, ProjectItem or None)])] in stage order."""
    done = {row.item_id: row for row in project.items_done.all()}
    items = list(StageItem.objects.all())
    return [(stage.value, stage.label, [(item, done.get(item.pk)) for item in items if item.stage == stage])
            for stage in Stage]


def missing_items(project, stage):
    """Required items of `stage` the project has not done, by name."""
    done = project.items_done.values("item")
    return list(StageItem.objects.filter(stage=stage, required=True).exclude(pk__in=done)
                .values_list("name", flat=True))


def mark_item_done(project, user, item, done_on=None):
    scope.require(scope.can_report(user, project))
    if not isinstance(item, StageItem):
        item = StageItem.objects.filter(pk=item).first() if str(item).isdigit() else None
        if item is None:
            raise LedgerError("阶段事项不存在", "item")
    done_on = _date(done_on, "done_on") or today()
    if done_on > today():
        raise LedgerError("完成日期不能晚于今天", "done_on")
    try:
        with transaction.atomic():
            row = ProjectItem.objects.create(project=project, item=item, done_on=done_on, done_by=user)
    except IntegrityError:
        raise LedgerError(f"“{item.name}”已办结", "item") from None
    audit(user, project, "办结阶段事项", {item.name: (None, done_on)})
    return row


def advance_stage(project, user, on=None):
    """Enter the next stage; the current stage's required items must all be done."""
    scope.require(scope.can_report(user, project))
    on = on or today()
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        upcoming = next_stage(current.stage)
        if upcoming is None:
            raise LedgerError("项目已竣工投产，没有下一阶段", "stage")
        missing = missing_items(current, current.stage)
        if missing:
            raise LedgerError(f"进入“{upcoming.label}”前须办结“{current.get_stage_display()}”阶段的必办事项："
                              f"{'、'.join(missing)}", "stage")
        before = current.get_stage_display()
        current.stage = upcoming
        setattr(current, entered_field(upcoming), on)
        current.version += 1
        _set_light(current, on)
        current.save()
        audit(user, current, "进入下一阶段", {"stage": (before, upcoming.label)})
    return current


# --- 月调度 -------------------------------------------------------------------------------

def report_month(project, user, month, investment, progress, files=()):
    """File (or correct) a month's report; year-to-date figures and the project's totals follow."""
    scope.require(scope.can_report(user, project))
    month = month_of(month)
    if month > today().replace(day=1):
        raise LedgerError("不能填报未来月份", "month")
    investment = money(investment, "investment", "本月完成投资")
    progress = (progress or "").strip()
    if not progress:
        raise LedgerError("请填写形象进度", "progress")
    for f in files:
        check_attachment(f)
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        report = MonthlyReport.objects.filter(project=current, month=month).first()
        before = report.investment if report else None
        _check_totals(current, month.year, investment - (before or 0))
        if report is None:
            report = MonthlyReport(project=current, month=month, year_to_date=0)
        report.investment, report.progress, report.author = investment, progress, user
        report.save()
        for f in files:
            ReportPhoto.objects.create(report=report, file=f, name=f.name[:200], size=f.size)
        _year_to_date(current, month.year)
        current.completed_investment += investment - (before or 0)
        if current.last_report_month is None or month > current.last_report_month:
            current.last_report_month = month
        current.version += 1
        _set_light(current)
        current.save()
        audit(user, current, "填报月调度" if before is None else "更正月调度",
              {f"{month:%Y-%m}完成投资": (before, investment)})
    report.refresh_from_db()
    return report


def _check_totals(project, year, change):
    """The project's total and the year's running total after a report must still fit MONEY: checked before
    anything is written, as PostgreSQL refuses a larger number and SQLite stores one it cannot read back."""
    year_total = MonthlyReport.objects.filter(project=project, month__year=year).aggregate(total=Sum("investment"))
    if max(project.completed_investment, year_total["total"] or 0) + change >= MONEY_LIMIT:
        raise LedgerError("累计完成投资超出可记录的范围，请核对本月完成投资", "investment")


def _year_to_date(project, year):
    """Running totals of the year's reports (a correction changes every later month)."""
    reports = list(MonthlyReport.objects.filter(project=project, month__year=year).order_by("month"))
    total = Decimal(0)
    for report in reports:
        total += report.investment
        report.year_to_date = total
    MonthlyReport.objects.bulk_update(reports, ["year_to_date"])


# --- 协调事项 -----------------------------------------------------------------------------

def raise_problem(project, user, category, text, unit, deadline):
    scope.require(scope.can_report(user, project))
    category = _choice(category, Problem.Category, "category", "类别")
    text = (text or "").strip()
    if not text:
        raise LedgerError("请写明需要协调的问题", "text")
    unit = _unit(unit, "unit", "协调单位")
    deadline = _date(deadline, "deadline")
    if deadline is None or deadline < today():
        raise LedgerError("请填写不早于今天的办理时限", "deadline")
    problem = Problem.objects.create(project=project, category=category, text=text, unit=unit, deadline=deadline,
                                     raised_by=user)
    audit(user, project, "提交协调事项", {"协调事项": (None, f"{unit.name}：{text[:50]}（{deadline}前）")})
    return problem


def reply_problem(problem, user, text):
    scope.require(scope.can_reply_problem(user, problem))
    text = (text or "").strip()
    if not text:
        raise LedgerError("请填写办理情况", "reply")
    if problem.status != Problem.Status.OPEN:
        raise LedgerError(f"该协调事项{problem.get_status_display()}")
    problem.reply, problem.replied_at, problem.status = text, timezone.now(), Problem.Status.REPLIED
    problem.save(update_fields=["reply", "replied_at", "status"])
    audit(user, problem.project, "答复协调事项", {"协调事项": (problem.text[:50], text[:100])})
    _relight(problem.project)
    return problem


def close_problem(problem, user):
    """The team confirms the problem is solved."""
    scope.require(scope.can_report(user, problem.project))
    if problem.status == Problem.Status.CLOSED:
        raise LedgerError("该协调事项已办结")
    before = problem.get_status_display()
    problem.status = Problem.Status.CLOSED
    problem.save(update_fields=["status"])
    audit(user, problem.project, "办结协调事项", {problem.text[:50]: (before, problem.get_status_display())})
    _relight(problem.project)
    return problem


def _relight(project):
    light = compute_light(project)
    if light != (project.light, project.light_reason):
        Project.objects.filter(pk=project.pk).update(light=light[0], light_reason=light[1])
        project.light, project.light_reason = light


def escalate_problems(on=None):
    """Unanswered problems past their deadline go to the project's leader, once (like 督办单)."""
    on = on or today()
    due = Problem.objects.filter(status=Problem.Status.OPEN, deadline__lt=on, escalated_at=None)
    escalated = []
    for problem in due.select_related("project__leader__user", "unit"):
        with transaction.atomic():
            # the filter on escalated_at makes a concurrent run update nothing
            if not Problem.objects.filter(pk=problem.pk, escalated_at=None).update(escalated_at=timezone.now()):
                continue
            audit(None, problem.project, "协调事项逾期提级",
                  {"协调事项": (f"{problem.unit.name}逾期未答复", f"提交{problem.project.leader.name}")})
        escalated.append(problem)
        leader = problem.project.leader
        if leader.user.email:
            _remind_once(f"project-problem:{problem.pk}", f"【落实】协调事项逾期未答复：{problem.project.name}",
                         f"{problem.unit.name} 未在 {problem.deadline} 前答复：{problem.text}", [leader.user.email])
    return escalated


def _remind_once(key, subject, body, recipients):
    """Send unless a reminder with this key was already sent; the log row is written first."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=key, recipients=",".join(recipients))
    except IntegrityError:
        return False
    send_mail(subject, body, None, recipients)
    return True


def send_reminders(on=None):
    """Refresh project lights and escalate overdue problems. Idempotent."""
    on = on or today()
    return {"lights_changed": refresh_lights(on), "escalated": len(escalate_problems(on))}


# --- the pipeline -------------------------------------------------------------------------

def to_cny(amount, currency, field="amount"):
    """万 of a currency → 万元, at the rate table's rate."""
    if currency == "CNY":
        return amount
    rate = ExchangeRate.objects.filter(currency=currency).first()
    if rate is None:
        raise LedgerError(f"币种“{currency}”没有汇率，请先在系统管理中添加", "currency")
    cny = (amount * rate.rate).quantize(Decimal("0.01"))
    if cny >= MONEY_LIMIT:  # fits in its currency, not in 万元 (see _check_totals for why it must fit)
        raise LedgerError(f"折合人民币 {cny} 万元超出可记录的范围，请核对金额和币种", field)
    return cny


def create_lead(user, name, investor, amount, source, unit, currency="CNY", amount_cny=None, leader=None,
                industry="", note=""):
    scope.require(scope.can_work_lead(user))
    name, investor = (name or "").strip(), (investor or "").strip()
    if not name:
        raise LedgerError("请填写项目名称", "name")
    if not investor:
        raise LedgerError("请填写投资方", "investor")
    unit = _unit(unit, "unit", "跟进单位")
    person = scope.person_of(user)
    if not scope.is_office(user) and unit.pk != person.unit_id:
        raise LedgerError("只能登记本单位跟进的项目", "unit")
    currency = (currency or "CNY").strip().upper()
    amount = money(amount, "amount", "投资额")
    lead = Lead(name=name[:100], investor=investor[:100], industry=(industry or "")[:50], amount=amount,
                currency=currency, source=_choice(source, Lead.Source, "source", "资金来源"), unit=unit,
                leader=_person(leader, "leader", "联系领导", Person.Role.LEADER), note=note or "",
                amount_cny=(money(amount_cny, "amount_cny", "折合人民币") if amount_cny not in (None, "")
                            else to_cny(amount, currency)))
    lead.save()
    audit(user, lead, "登记招商项目", {"amount_cny": (None, lead.amount_cny)})
    return lead


def advance_lead(lead, user, on=None):
    """洽谈 → 签约 → 注册 → 开工 → 投产, dating each step."""
    scope.require(scope.can_work_lead(user, lead))
    on = on or today()
    with transaction.atomic():
        current = Lead.objects.select_for_update().get(pk=lead.pk)
        stages = list(Lead.Stage)
        i = stages.index(current.stage)
        if i + 1 == len(stages):
            raise LedgerError("项目已投产，没有下一阶段", "stage")
        upcoming = stages[i + 1]
        before = current.get_stage_display()
        current.stage = upcoming
        setattr(current, LEAD_STAGE_DATES[upcoming], on)
        current.save()
        audit(user, current, "招商项目推进", {"stage": (before, upcoming.label)})
    return current


def add_funds(lead, user, month, amount):
    """A month's funds in place (a second entry for the same month corrects it)."""
    scope.require(scope.can_work_lead(user, lead))
    if lead.stage == Lead.Stage.TALKING:
        raise LedgerError("签约后才能填报到位资金", "month")
    month = month_of(month)
    if month > today().replace(day=1):
        raise LedgerError("不能填报未来月份", "month")
    amount = money(amount, "amount", "到位资金")
    funds, created = FundsInPlace.objects.update_or_create(
        lead=lead, month=month, defaults={"amount": amount, "amount_cny": to_cny(amount, lead.currency)})
    audit(user, lead, "填报到位资金" if created else "更正到位资金", {f"{month:%Y-%m}": (None, amount)})
    return funds


def convert_lead(lead, user, leader, category, lead_unit=None, **fields):
    """A signed lead becomes a key project in one step; the lead keeps a link to it."""
    scope.require(scope.can_edit_project(user))
    if lead.stage == Lead.Stage.TALKING:
        raise LedgerError("洽谈中的项目签约后才能转为重点项目", "stage")
    if lead.project_id:
        raise LedgerError(f"已转为重点项目“{lead.project}”", "project")
    with transaction.atomic():
        project = create_project(user, name=fields.pop("name", lead.name), owner=lead.investor, leader=leader,
                                 category=category, lead_unit=lead_unit or lead.unit,
                                 total_investment=lead.amount_cny, **fields)
        lead.project = project
        lead.save(update_fields=["project"])
        audit(user, lead, "转为重点项目", {"project": (None, project.name)})
    return project


# --- live figures for ledger targets ------------------------------------------------------

def figure_value(figure, year):
    """A live figure for a year, in the unit its label states (个, 亿元, 亿美元)."""
    F = TargetBinding.Figure
    signed = Lead.objects.filter(signed_on__year=year)
    funds = FundsInPlace.objects.filter(month__year=year)
    if figure == F.SIGNED_MAJOR_LEADS:
        return Decimal(signed.filter(amount_cny__gte=YI).count())
    if figure == F.SIGNED_LEADS:
        return Decimal(signed.count())
    if figure == F.PROJECTS_STARTED:
        return Decimal(Project.objects.filter(entered_construction__year=year).count())
    if figure == F.FUNDS_OTHER_PROVINCE:
        total = funds.filter(lead__source=Lead.Source.OTHER_PROVINCE).aggregate(s=Sum("amount_cny"))["s"]
        return ((total or Decimal(0)) / YI).quantize(Decimal("0.01"))
    if figure == F.FUNDS_ABROAD:
        total = funds.filter(lead__source=Lead.Source.ABROAD).aggregate(s=Sum("amount_cny"))["s"] or Decimal(0)
        usd = ExchangeRate.objects.filter(currency="USD").values_list("rate", flat=True).first()
        if not usd:
            raise LedgerError("缺少美元汇率，无法折算境外资金", "figure")
        return (total / usd / YI).quantize(Decimal("0.01"))
    if figure == F.PROJECT_INVESTMENT:
        total = MonthlyReport.objects.filter(month__year=year).aggregate(s=Sum("investment"))["s"]
        return ((total or Decimal(0)) / YI).quantize(Decimal("0.01"))
    raise LedgerError(f"未知的实时指标“{figure}”", "figure")


def actual_for(target, on=None):
    """The actual value of a ledger target bound to a live figure, or None when it is not bound.

    The figure is read in the target's unit when that is 万元 and the figure counts 亿元.
    """
    binding = TargetBinding.objects.filter(target=target).first()
    if binding is None:
        return None
    value = figure_value(binding.figure, binding.year or (on or today()).year)
    if target.unit == "万元" and "亿元" in binding.get_figure_display():
        value *= YI
    return value


def bind_target(user, target, figure, year=None):
    scope.require(scope.is_office(user))
    figure = _choice(figure, TargetBinding.Figure, "figure", "实时指标")
    binding, _ = TargetBinding.objects.update_or_create(target=target, defaults={"figure": figure, "year": year})
    audit(user, target, "关联实时指标", {"figure": (None, binding.get_figure_display())}, task=target.task)
    return binding
