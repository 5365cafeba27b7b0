"""Ledger rules: publishing, progress, lights, targets, notices, instructions, reminders, audit.

Views, the API and commands call these; none of them writes ledger rows directly.
"""
import datetime as dt
import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.db.models.functions import Length
from django.utils import timezone, translation

from luoshi import faults
from luoshi.jobs.services import no_progress
from luoshi.org.models import Person, Unit, unit_names

from . import scope
from .models import (AuditEntry, Document, Instruction, Light, LightPolicy, Milestone, ProgressReport,
                     ReminderLog, ReportAttachment, SupervisionNotice, Target, Task)


class LedgerError(ValueError):
    """A rule was broken; `message` is Chinese and says what to fix, `field` names the input at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message, self.field = message, field

    def show_on(self, form):
        """Put the message next to the field at fault, or on top of the form when it has no such field."""
        form.add_error(self.field if self.field in form.fields else None, self.message)


class Conflict(Exception):
    """Someone saved the object after the version the user edited; `current` is their version."""

    def __init__(self, current):
        super().__init__("该记录已被他人修改，请查看最新内容后重新提交")
        self.current = current


class PublishError(Exception):
    """Rows that cannot be published: {row index: [messages]}; nothing was written."""

    def __init__(self, errors):
        super().__init__("; ".join(f"第{i + 1}行：{'，'.join(m)}" for i, m in sorted(errors.items())))
        self.errors = errors


def today():
    """The ledger's today: the real local date, or settings.LUOSHI_TODAY (the demo county lives in 2021)."""
    if settings.LUOSHI_TODAY:
        return dt.date.fromisoformat(settings.LUOSHI_TODAY)
    return timezone.localdate()


# --- audit --------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    return value


def audit(actor, obj, action, changes=None, task=None):
    """Append one audit row. `changes` maps field → (before, after)."""
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        task=task if task is not None else (obj if isinstance(obj, Task) else None),
        changes={k: [_plain(b), _plain(a)] for k, (b, a) in (changes or {}).items()},
    )


# --- finding tasks ------------------------------------------------------------------------

def filter_tasks(tasks, unit=None, light=None, leader=None, status=None, area=None, q=None):
    """Narrow an already scoped queryset the same way on the list page, the API and the Excel export."""
    if unit:
        shared = Task.co_units.through.objects.filter(unit=unit).values("task_id")
        tasks = tasks.filter(Q(lead_unit=unit) | Q(pk__in=shared))
    for name, value in (("light", light), ("leader", leader), ("status", status), ("area", area)):
        if value:
            tasks = tasks.filter(**{name: value})
    if q:
        tasks = tasks.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(text__icontains=q))
    return tasks


# --- lights -------------------------------------------------------------------------------

def missed_reports(task, on, cadence_grace):
    """Whole report periods passed since the last report (or the assignment) beyond the grace days."""
    last = timezone.localtime(task.last_report_at).date() if task.last_report_at else task.start_date
    # a period's report is due at its end plus the grace days: missed from the day after
    return max(0, ((on - last).days - cadence_grace - 1) // task.cadence)


def time_progress(task, on):
    """Where progress should be on a straight line from the assignment to the deadline, in percent."""
    if not task.deadline:
        return 0
    total = (task.deadline - task.start_date).days
    if total <= 0:
        return 100
    return max(0, min(100, round(100 * (on - task.start_date).days / total)))


def compute_light(task, on=None, policy=None):
    """(light, reason) for a task on a day, from the rules in force."""
    on = on or today()
    policy = policy or LightPolicy.current()
    if task.is_done:
        with translation.override(settings.LANGUAGE_CODE):  # stored for every reader: in the site's language
            return Light.GREEN, str(task.get_status_display())
    if task.deadline and on > task.deadline:
        return Light.RED, f"已超期{(on - task.deadline).days}天"
    missed = missed_reports(task, on, policy.report_grace_days)
    if missed >= policy.red_missed_reports:
        return Light.RED, f"连续{missed}期未填报进度"
    if task.deadline and (task.deadline - on).days <= policy.yellow_days:
        expected = time_progress(task, on)
        if task.progress + policy.behind_tolerance < expected:
            return Light.YELLOW, (f"距截止还有{(task.deadline - on).days}天，"
                                  f"进度{task.progress}%落后于时间进度{expected}%")
    if missed:
        return Light.YELLOW, "本期进度未填报"
    late = [m for m in (task.milestones.all() if task.pk else ()) if not m.done_on and m.due < on]
    if late:
        return Light.YELLOW, f"节点“{late[0].title[:20]}”已逾期{(on - late[0].due).days}天"
    return Light.GREEN, "按计划推进"


def refresh_lights(on=None, tasks=None):
    """Recompute and store every task's light; returns how many changed."""
    on = on or today()
    policy = LightPolicy.current()
    changed = []
    tasks = (tasks if tasks is not None else Task.objects.all()).prefetch_related("milestones")
    for task in tasks.iterator(chunk_size=2000):
        light, reason = compute_light(task, on, policy)
        if (light, reason) != (task.light, task.light_reason):
            task.light, task.light_reason = light, reason
            changed.append(task)
    Task.objects.bulk_update(changed, ["light", "light_reason"], batch_size=1000)
    return len(changed)


def _set_light(task, on=None):
    task.light, task.light_reason = compute_light(task, on)


# --- publishing a document ----------------------------------------------------------------

def _unit(value, field, names=None):
    """A Unit from itself, its pk, or any way it is written (name, short name, alias)."""
    if isinstance(value, Unit):
        return value
    if value in (None, ""):
        raise LedgerError("未指定单位", field)
    if isinstance(value, int) or str(value).isdigit():
        pk = int(value)
    else:
        pk = (names if names is not None else unit_names()).get(str(value).strip())
    found = Unit.objects.filter(pk=pk).first() if pk is not None and pk < 2 ** 63 else None
    if found is None:
        raise LedgerError(f"单位“{value}”不存在", field)
    return found


def _date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise LedgerError(f"日期“{value}”格式不对，应为 2021-06-30", field) from None


def unstorable(text):
    """Text no database column can hold: NUL (PostgreSQL refuses it) or lone surrogates (not encodable as UTF-8).
    Django's forms refuse NUL themselves; the API and Open311, which read raw input, ask this."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# The years a month, period or planned date may take: the day and time arithmetic of the rankings, metrics and
# lights runs off the calendar near year 1 and 9999 (a 500), and nothing the county plans lies outside them.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_year(day, field, label="月份", error=LedgerError):
    """`day` if its year lies in FIRST_YEAR–LAST_YEAR, else `error` (a LedgerError) naming `field`."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise error(f"{label}应在 {FIRST_YEAR}–{LAST_YEAR} 年之间", field)
    return day


def month_of(value, field="month"):
    """The first day of a month from '2021-06', '2021-06-30' or a date, within FIRST_YEAR–LAST_YEAR."""
    if isinstance(value, dt.date):
        return check_year(value.replace(day=1), field)
    try:
        first = dt.date.fromisoformat(f"{str(value).strip()[:7]}-01")
    except ValueError:
        raise LedgerError(f"月份“{value}”格式不对，应为 2021-06", field) from None
    return check_year(first, field)


def _decimal(value, field):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise LedgerError(f"“{value}”不是数字", field) from None
    # Target.value holds 14 digits before the point and 4 after
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        raise LedgerError(f"“{value}”不是有效数字或超出范围", field)
    return number.quantize(Decimal("0.0001"))


def _clean_row(row, on, names):
    """Validate one draft row into model values; raises LedgerError."""
    title = (row.get("title") or row.get("text") or "").strip()
    text = (row.get("text") or title).strip()
    if not title:
        raise LedgerError("任务内容不能为空", "text")
    leader = None
    if row.get("leader"):
        leader = Person.objects.filter(pk=row["leader"], role=Person.Role.LEADER).first() if str(
            row["leader"]).isdigit() else Person.objects.filter(name=row["leader"], role=Person.Role.LEADER).first()
        if leader is None:
            raise LedgerError(f"分管领导“{row['leader']}”不存在", "leader")
    lead = _unit(row.get("lead_unit"), "lead_unit", names)
    co = [_unit(u, "co_units", names) for u in row.get("co_units") or [] if u not in (None, "")]
    deadline = _date(row.get("deadline"), "deadline")
    if deadline and deadline < on:
        raise LedgerError(f"完成时限 {deadline} 早于交办日期 {on}", "deadline")
    targets = []
    for t in row.get("targets") or []:
        placeholder = bool(t.get("placeholder"))
        value = None if placeholder else _decimal(t.get("value"), "targets")
        targets.append(Target(text=(t.get("text") or "")[:200], metric=(t.get("metric") or "")[:200],
                              value=value, unit=(t.get("unit") or "")[:20], placeholder=placeholder,
                              state=Target.State.BLANK if placeholder else Target.State.FIXED))
    return {
        "title": title[:200], "text": text, "section": (row.get("section") or "")[:200],
        "area": (row.get("area") or "")[:50], "lead_unit": lead, "co_units": [u for u in co if u != lead],
        "leader": leader, "owner_text": (row.get("owner_text") or "")[:100],
        "deadline": deadline,
        "source_start": row.get("start"), "source_end": row.get("end"),
        "source_text": row.get("source_text") or "", "targets": targets,
    }


def next_task_codes(year, count):
    prefix = f"{year}-"
    # longest first: 2021-10000 comes after 2021-9999
    last = (Task.objects.filter(code__startswith=prefix).annotate(n=Length("code"))
            .order_by("-n", "-code").values_list("code", flat=True).first())
    start = int(last[len(prefix):]) + 1 if last else 1
    return [f"{prefix}{n:04d}" for n in range(start, start + count)]


def create_tasks(rows, user, document=None, on=None):
    """Validate every row, then create all tasks in one transaction: all or nothing."""
    scope.require(scope.is_office(user))
    on = on or today()
    cleaned, errors, names = [], {}, unit_names()
    for i, row in enumerate(rows):
        try:
            cleaned.append(_clean_row(row, on, names))
        except LedgerError as e:
            errors.setdefault(i, []).append(e.message)
    if errors:
        raise PublishError(errors)
    if not cleaned:
        raise PublishError({0: ["没有可发布的任务"]})
    with transaction.atomic():
        tasks = []
        for values, code in zip(cleaned, next_task_codes(on.year, len(cleaned))):
            co_units, targets = values.pop("co_units"), values.pop("targets")
            task = Task(code=code, document=document, start_date=on, **values)
            _set_light(task, on)
            task.save()
            task.co_units.set(co_units)
            for t in targets:
                t.task = task
            Target.objects.bulk_create(targets)
            audit(user, task, "发布任务", {"lead_unit": (None, task.lead_unit), "deadline": (None, task.deadline)})
            tasks.append(task)
        faults.pause_at("tasks_written")
        if document is not None:
            document.status = Document.Status.PUBLISHED
            document.published_at = timezone.now()
            document.save(update_fields=["status", "published_at"])
            audit(user, document, "发布责任清单", {"tasks": (0, len(tasks))})
    return tasks


def publish_document(document, rows, user, on=None):
    scope.require(scope.is_office(user))
    if document.status == Document.Status.PUBLISHED:
        raise PublishError({0: ["该文件已发布，不能重复发布"]})
    return create_tasks(rows, user, document=document, on=on)


# --- editing a task (optimistic locking) --------------------------------------------------

def apply_edits(current, fields, related=None):
    """Set on a locked row the fields whose value differs, and a many-to-many `related` = (name, objects) if given;
    returns the changes for the audit trail: field → (before, after)."""
    changes = {}
    for name, value in fields.items():
        before = getattr(current, name)
        if before != value:
            changes[name] = (before, value)
            setattr(current, name, value)
    if related is not None:
        name, objects = related
        before = set(getattr(current, name).all())
        if before != set(objects):
            changes[name] = ([o.name for o in before], [o.name for o in objects])
            getattr(current, name).set(objects)
    return changes


EDITABLE = ["title", "text", "section", "area", "lead_unit", "leader", "deadline", "cadence"]


def update_task(task, user, version, co_units=None, **fields):
    """Save edits made on `version`; raises Conflict if someone saved since."""
    scope.require(scope.can_edit_task(user, task))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise LedgerError(f"不能修改字段：{'、'.join(sorted(unknown))}")
    if fields.get("leader") is not None and fields["leader"].role != Person.Role.LEADER:
        raise LedgerError(f"{fields['leader'].name}不是县领导，不能任分管领导", "leader")
    with transaction.atomic():
        current = Task.objects.select_for_update().get(pk=task.pk)
        if current.version != int(version):
            raise Conflict(current)
        if co_units is not None:
            co_units = [u for u in co_units if u.pk != fields.get("lead_unit", current.lead_unit).pk]
        changes = apply_edits(current, fields, None if co_units is None else ("co_units", co_units))
        if not changes:
            return current
        try:
            current.full_clean(exclude=["code", "co_units"])
        except ValidationError as e:
            field, messages = next(iter(e.message_dict.items()))
            raise LedgerError(messages[0], field) from None
        current.version += 1
        _set_light(current)
        current.save()
        audit(user, current, "修改任务", changes)
    return current


# --- progress -----------------------------------------------------------------------------

def check_attachment(upload):
    ext = os.path.splitext(upload.name)[1].lower()
    if ext not in settings.LUOSHI_ATTACHMENT_TYPES:
        raise LedgerError(f"附件“{upload.name}”类型不支持，只能上传 {'、'.join(settings.LUOSHI_ATTACHMENT_TYPES)}",
                          "attachments")
    if upload.size > settings.LUOSHI_ATTACHMENT_MAX_BYTES:
        raise LedgerError(f"附件“{upload.name}”超过 {settings.LUOSHI_ATTACHMENT_MAX_BYTES // 1048576} MB", "attachments")


def report_progress(task, user, percent, text, files=(), done=False):
    """A unit reports progress; the task's progress, status and light follow."""
    scope.require(scope.can_report(user, task))
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise LedgerError("进度应为 0–100 的整数", "percent") from None
    if not 0 <= percent <= 100:
        raise LedgerError("进度应为 0–100 的整数", "percent")
    text = (text or "").strip()
    if not text:
        raise LedgerError("请填写进展情况", "text")
    if done and not scope.can_fill_targets(user, task):
        raise LedgerError("只有牵头单位可以申报完成", "done")
    for f in files:
        check_attachment(f)
    person = scope.person_of(user)
    with transaction.atomic():
        current = Task.objects.select_for_update().get(pk=task.pk)
        if current.status == Task.Status.VERIFIED:
            raise LedgerError("任务已核销，无需再填报")
        report = ProgressReport.objects.create(
            task=current, unit=person.unit if person and person.is_unit_staff else current.lead_unit, author=user,
            percent=100 if done else percent, text=text, done=done)
        for f in files:
            ReportAttachment.objects.create(report=report, file=f, name=f.name[:200], size=f.size)
        before = (current.progress, current.status)
        if report.unit_id == current.lead_unit_id:  # a co-unit reports its part, not the whole task's
            current.progress = report.percent
        current.last_report_at = report.created_at
        current.status = Task.Status.REPORTED_DONE if done else Task.Status.IN_PROGRESS
        current.version += 1
        _set_light(current)
        current.save(update_fields=["progress", "last_report_at", "status", "version", "light", "light_reason",
                                    "updated_at"])  # the month-end hot path: not the whole wide row
        audit(user, report, "填报进度", {"progress": (before[0], current.progress),
                                         "status": (before[1], current.status)}, task=current)
    return report


def verify_task(task, user):
    scope.require(scope.is_office(user))
    return _set_status(task, user, Task.Status.VERIFIED, "核销任务")


def return_task(task, user, reason):
    scope.require(scope.is_office(user))
    if not (reason or "").strip():
        raise LedgerError("请写明退回理由", "reason")
    return _set_status(task, user, Task.Status.RETURNED, "退回任务", reason=reason.strip())


def _set_status(task, user, status, action, reason=""):
    """The office's decision on a task reported done."""
    with transaction.atomic():
        current = Task.objects.select_for_update().get(pk=task.pk)
        if current.status != Task.Status.REPORTED_DONE:
            raise LedgerError(f"只有“已报完成”的任务可以{action[:2]}")
        changes = {"status": (current.status, status)}
        if reason:
            changes["reason"] = ("", reason)
        current.status = status
        current.version += 1
        _set_light(current)
        current.save()
        audit(user, current, action, changes)
    return current


# --- targets ------------------------------------------------------------------------------

def _change_target(target, user, version, action, check, apply):
    """Lock the target, refuse a stale `version` (the user saw another value), check, apply, audit."""
    with transaction.atomic():
        current = Target.objects.select_for_update().select_related("task").get(pk=target.pk)
        if version is not None and current.version != int(version):
            raise Conflict(current)
        check(current)
        before = {"value": current.value, "state": current.state, "note": current.note}
        apply(current)
        current.version += 1
        current.save()
        after = {"value": current.value, "state": current.state, "note": current.note}
        audit(user, current, action, {k: (before[k], after[k]) for k in before if before[k] != after[k]},
              task=current.task)
    return current


def fill_target(target, user, value, note="", version=None):
    """The lead unit fills a blank target (or one the office returned, or its own unconfirmed value)."""
    scope.require(scope.can_fill_targets(user, target.task))
    number = _decimal(value, "value")
    if number is None or number < 0:
        raise LedgerError("请填写不小于 0 的目标值", "value")

    def check(current):
        if not current.placeholder:
            raise LedgerError("该目标已确定，无需填报", "value")
        if current.state == Target.State.CONFIRMED:
            raise LedgerError("该目标已确认，如需调整请联系督查室", "value")

    def apply(current):
        current.value, current.state, current.note = number, Target.State.FILLED, (note or "")[:200]
        current.filled_by, current.filled_at = user, timezone.now()

    return _change_target(target, user, version, "填报目标值", check, apply)


def _must_be_filled(current):
    if current.state != Target.State.FILLED:
        raise LedgerError("只有待确认的目标可以确认或退回")


def confirm_target(target, user, version=None):
    """The office confirms the value it saw (`version`); a value changed since is a Conflict."""
    scope.require(scope.is_office(user))

    def apply(current):
        current.state = Target.State.CONFIRMED

    return _change_target(target, user, version, "确认目标值", _must_be_filled, apply)


def return_target(target, user, note, version=None):
    scope.require(scope.is_office(user))
    if not (note or "").strip():
        raise LedgerError("请写明退回理由", "note")

    def apply(current):
        current.state, current.note = Target.State.RETURNED, note.strip()[:200]

    return _change_target(target, user, version, "退回目标值", _must_be_filled, apply)


# --- supervision notices ------------------------------------------------------------------

def issue_notice(task, user, reason, requirement="", reply_due=None, on=None):
    """督办单 from a yellow or red task to its lead unit, numbered 督办〔year〕n号."""
    scope.require(scope.is_office(user))
    on = on or today()
    light = compute_light(task, on)[0]  # the stored light may be a day old
    if light == Light.GREEN:
        raise LedgerError("绿灯任务无需督办")
    if not (reason or "").strip():
        raise LedgerError("请填写督办事由", "reason")
    reply_due = _date(reply_due, "reply_due") or on + dt.timedelta(days=LightPolicy.current().notice_reply_days)
    if reply_due < on:
        raise LedgerError("答复期限不能早于今天", "reply_due")
    for _ in range(5):  # two clerks issuing at once: the unique (year, seq) decides, the loser retries
        try:
            with transaction.atomic():
                seq = (SupervisionNotice.objects.filter(year=on.year).aggregate(m=Max("seq"))["m"] or 0) + 1
                notice = SupervisionNotice.objects.create(
                    year=on.year, seq=seq, task=task, unit=task.lead_unit, light=light,
                    reason=reason.strip(), requirement=(requirement or "").strip(), reply_due=reply_due,
                    issued_by=user)
                audit(user, notice, "下发督办单", {"reply_due": (None, reply_due)}, task=task)
                return notice
        except IntegrityError:
            continue
    raise LedgerError("督办单编号冲突，请重试")


def reply_notice(notice, user, text):
    scope.require(scope.can_reply_notice(user, notice))
    if not (text or "").strip():
        raise LedgerError("请填写答复内容", "reply")
    if notice.status == SupervisionNotice.Status.REPLIED:
        raise LedgerError("该督办单已答复")
    before = notice.status
    notice.reply, notice.replied_by, notice.replied_at = text.strip(), user, timezone.now()
    notice.status = SupervisionNotice.Status.REPLIED
    notice.save()
    audit(user, notice, "答复督办单", {"status": (before, notice.status)}, task=notice.task)
    return notice


def escalate_notices(on=None):
    """Unanswered notices past their reply date go to the leader in charge (once)."""
    on = on or today()
    due = SupervisionNotice.objects.filter(status=SupervisionNotice.Status.OPEN, reply_due__lt=on)
    escalated = []
    for notice in due.select_related("task__leader__user", "unit"):
        notice.status, notice.escalated_at = SupervisionNotice.Status.ESCALATED, timezone.now()
        with transaction.atomic():
            # the filter on the status makes a concurrent run update nothing, so it audits nothing either
            if not SupervisionNotice.objects.filter(pk=notice.pk, status=SupervisionNotice.Status.OPEN).update(
                    status=notice.status, escalated_at=notice.escalated_at):
                continue
            audit(None, notice, "督办单逾期提级", {"status": (SupervisionNotice.Status.OPEN, notice.status)},
                  task=notice.task)
        escalated.append(notice)
    return escalated


# --- leader instructions ------------------------------------------------------------------

def give_instruction(user, subject, text, unit, due):
    person = scope.person_of(user)
    scope.require(bool(person and person.is_leader))
    if isinstance(subject, Task):
        scope.require(scope.can_instruct(user, subject))
    if not (text or "").strip():
        raise LedgerError("请填写批示内容", "text")
    due = _date(due, "due")
    if due is None or due < today():
        raise LedgerError("请填写不早于今天的办理时限", "due")
    instruction = Instruction.objects.create(leader=person, subject=subject, text=text.strip(),
                                             unit=_unit(unit, "unit"), due=due)
    audit(user, instruction, "领导批示", {"unit": (None, instruction.unit), "due": (None, due)},
          task=subject if isinstance(subject, Task) else None)
    return instruction


def reply_instruction(instruction, user, text):
    scope.require(scope.can_reply_instruction(user, instruction))
    if not (text or "").strip():
        raise LedgerError("请填写落实情况", "reply")
    if instruction.status == Instruction.Status.REPLIED:
        raise LedgerError("该批示已答复")
    instruction.reply, instruction.replied_by, instruction.replied_at = text.strip(), user, timezone.now()
    instruction.status = Instruction.Status.REPLIED
    instruction.save()
    subject = instruction.subject
    audit(user, instruction, "答复批示", {"status": (Instruction.Status.OPEN, instruction.status)},
          task=subject if isinstance(subject, Task) else None)
    return instruction


# --- reminders ----------------------------------------------------------------------------

def _emails(unit):
    return sorted({p.user.email for p in unit.people.select_related("user") if p.user.email})


def _remind_once(key, subject, body, recipients):
    """Send unless a reminder with this key was already sent; the log row is written first."""
    if not recipients:
        return False
    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=key, recipients=",".join(recipients))
    except IntegrityError:
        return False
    send_mail(subject, body, None, recipients)
    return True


def send_reminders(on=None, progress=no_progress):
    """Refresh lights, escalate notices, and remind units of tasks due soon or overdue. Idempotent."""
    on = on or today()
    progress(0, 0, "刷新红黄绿灯")
    refresh_lights(on)
    sent = 0
    policy = LightPolicy.current()
    soon = on + dt.timedelta(days=policy.remind_days_before_due)
    open_tasks = Task.objects.exclude(status__in=Task.DONE).exclude(deadline=None).select_related("lead_unit")
    due = list(open_tasks.filter(deadline__lte=soon))
    for i, task in enumerate(due):
        progress(i, len(due), "发送临期、超期提醒")
        kind = "overdue" if task.deadline < on else "due-soon"
        words = "已超期" if kind == "overdue" else f"将于 {task.deadline} 到期"
        sent += _remind_once(f"{kind}:{task.pk}:{task.deadline}", f"【落实】任务{words}：{task.title[:30]}",
                             f"{task.code} {task.title}\n完成时限：{task.deadline}\n当前进度：{task.progress}%",
                             _emails(task.lead_unit))
    progress(0, 0, "督办单逾期提级")
    for notice in escalate_notices(on):
        leader = notice.task.leader
        if leader and leader.user.email:
            sent += _remind_once(f"escalate:{notice.pk}", f"【落实】{notice.number}逾期未答复",
                                 f"{notice.unit} 未在 {notice.reply_due} 前答复督办单：{notice.task.title}",
                                 [leader.user.email])
    return sent


def add_milestone(task, user, title, due):
    """The office sets a dated step of a task (节点); a step past due and not done turns the light yellow."""
    scope.require(scope.can_edit_task(user, task))
    title, due = (title or "").strip(), _date(due, "due")
    if not title:
        raise LedgerError("请填写节点名称", "title")
    if due is None:
        raise LedgerError("请填写节点计划时间", "due")
    # a step before the assignment could never be on time (0001-01-01 was taken, and lit the task yellow)
    if due < task.start_date:
        raise LedgerError(f"节点计划时间不能早于交办日期 {task.start_date}", "due")
    if task.deadline and due > task.deadline:
        raise LedgerError(f"节点时间不能晚于完成时限 {task.deadline}", "due")
    check_year(due, "due", "节点计划时间")  # a task without a deadline: no step in year 9999 either
    milestone = Milestone.objects.create(task=task, title=title[:200], due=due)
    audit(user, milestone, "添加节点", {"due": (None, milestone.due)}, task=task)
    _refresh_one(task)
    return milestone


def complete_milestone(milestone, user, on=None):
    """The lead unit (or the office) marks a step done."""
    scope.require(scope.can_fill_targets(user, milestone.task))
    if milestone.done_on:
        raise LedgerError("该节点已完成")
    milestone.done_on = on or today()
    milestone.save(update_fields=["done_on"])
    audit(user, milestone, "完成节点", {"done_on": (None, milestone.done_on)}, task=milestone.task)
    _refresh_one(milestone.task)
    return milestone


def _refresh_one(task):
    refresh_lights(tasks=Task.objects.filter(pk=task.pk))
