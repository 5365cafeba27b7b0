"""Server-rendered pages of the ledger. Objects come from `scope`; every change goes through `services`."""
import datetime as dt
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luoshi.jobs.models import Job
from luoshi.jobs.services import recent as recent_jobs, start as start_job
from luoshi.org.models import unit_names
from luoshi.projects.services import actual_for

from . import documents, forms, jobs, scope, services
from .models import Document, Instruction, Light, LightPolicy, ReportAttachment, SupervisionNotice, Target, Task

RED_FIRST = Case(When(light=Light.RED, then=Value(0)), When(light=Light.YELLOW, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
OPEN_NOTICE = [SupervisionNotice.Status.OPEN, SupervisionNotice.Status.ESCALATED]
TARGET_TO_FILL = [Target.State.BLANK, Target.State.RETURNED]


QUICK_PERCENTS = (25, 50, 75, 100)


def _next_or(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _open_tasks(user):
    return scope.tasks_for(user).exclude(status=Task.Status.VERIFIED).select_related("lead_unit", "leader")


# --- home and the three role pages --------------------------------------------------------

@login_required
def home(request):
    person = scope.person_of(request.user)
    if scope.is_office(request.user):
        return redirect("console")
    if person and person.is_leader:
        return redirect("cockpit")  # a leader starts from the cockpit (USERS.md)
    if person and person.is_unit_staff:
        return redirect("workbench")
    raise PermissionDenied(_("您的账号尚未分配单位和角色，请联系督查室"))


@login_required
def console(request):
    """督查室工作台: what needs chasing today."""
    scope.require(scope.is_office(request.user))
    tasks = _open_tasks(request.user)
    counts = {light: tasks.filter(light=light).count() for light in Light.values}
    on = services.today()
    policy = LightPolicy.current()
    # no task can have missed a report within the shortest cadence plus grace: only older ones are checked
    quiet_since = on - dt.timedelta(days=min(Task.Cadence.values) + policy.report_grace_days)
    candidates = tasks.exclude(status=Task.Status.REPORTED_DONE).filter(
        Q(last_report_at__date__lt=quiet_since) | Q(last_report_at=None, start_date__lt=quiet_since))
    unreported = [t for t in candidates.order_by(RED_FIRST, "deadline")
                  if services.missed_reports(t, on, policy.report_grace_days)]
    return render(request, "ledger/console.html", {
        "counts": counts,
        "red_tasks": tasks.filter(light=Light.RED).order_by("deadline")[:20],
        "unreported": unreported[:30], "unreported_count": len(unreported),
        "to_verify": tasks.filter(status=Task.Status.REPORTED_DONE),
        "targets_to_confirm": Target.objects.filter(task__in=tasks, state=Target.State.FILLED)
                                            .select_related("task__lead_unit"),
        "open_notices": scope.notices_for(request.user).filter(status__in=OPEN_NOTICE)
                                                       .select_related("task", "unit"),
        "drafts": Document.objects.filter(status=Document.Status.DRAFT),
        "jobs": recent_jobs(request.user, *Job.Kind.values),
    })


@login_required
@require_POST
def console_reminders(request):
    """The office sends today's reminders now rather than waiting for the morning's cron run (same job)."""
    scope.require(scope.is_office(request.user))
    job = start_job(jobs.send_reminders, Job.Kind.REMINDERS, request.user, f"{services.today()}",
                    on=services.today().isoformat())
    return redirect("job-detail", pk=job.pk)


@login_required
def leader_home(request):
    """我分管的任务: the leader's tasks, reddest first, and the instructions given."""
    person = scope.person_of(request.user)
    scope.require(bool(person and person.is_leader) or scope.is_office(request.user))
    tasks = _open_tasks(request.user).order_by(RED_FIRST, "deadline")
    return render(request, "ledger/leader_home.html", {
        "tasks": tasks[:100], "total": tasks.count(),
        "counts": {light: tasks.filter(light=light).count() for light in Light.values},
        "instructions": scope.instructions_for(request.user).filter(status=Instruction.Status.OPEN)
                                                            .select_related("unit")[:50],
    })


@login_required
def workbench(request):
    """单位工作台: the unit's tasks by due date, red first; blanks to fill; notices and instructions to answer."""
    person = scope.person_of(request.user)
    scope.require(bool(person and person.is_unit_staff))
    tasks = _open_tasks(request.user).order_by(RED_FIRST, "deadline", "code")
    blanks = [t for t in Target.objects.filter(task__in=tasks, placeholder=True, state__in=TARGET_TO_FILL)
              .select_related("task") if scope.can_fill_targets(request.user, t.task)]
    return render(request, "ledger/workbench.html", {
        "tasks": tasks, "blanks": blanks, "fill_form": forms.TargetFillForm(),
        "notices": scope.notices_for(request.user).filter(status__in=OPEN_NOTICE).select_related("task"),
        "instructions": scope.instructions_for(request.user).filter(status=Instruction.Status.OPEN)
                                                            .select_related("leader"),
        "quick_percents": QUICK_PERCENTS,
    })


# --- task list and task page --------------------------------------------------------------

@login_required
def task_list(request):
    form = forms.TaskFilterForm(request.GET or None)
    tasks = scope.tasks_for(request.user).select_related("lead_unit", "leader").order_by(RED_FIRST, "deadline",
                                                                                        "code")
    if form.is_valid():
        tasks = services.filter_tasks(tasks, **form.cleaned_data)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledger/task_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
    })


def _task_page(request, task, status=200, **bound):
    """The task page; `bound` replaces a blank form with the one the user just sent (with its errors)."""
    user = request.user
    ct = ContentType.objects.get_for_model(Task)
    targets = list(task.targets.all())
    for t in targets:  # a target bound to a live figure (e.g. signed leads ≥ 1亿) shows its actual value
        t.actual = actual_for(t)
    may_fill = scope.can_fill_targets(user, task)
    office = scope.is_office(user)
    context = {
        "task": task,
        "co_units": task.co_units.all(),
        "targets": [(t, bound.get(f"fill_{t.pk}") or forms.TargetFillForm(prefix=f"t{t.pk}")) for t in targets],
        "milestones": task.milestones.all(),
        "reports": task.reports.select_related("unit", "author__person").prefetch_related("attachments"),
        "notices": scope.notices_for(user).filter(task=task).select_related("unit"),
        "instructions": scope.instructions_for(user).filter(content_type=ct, object_id=task.pk)
                                                    .select_related("leader", "unit"),
        "audit": task.audit.select_related("actor__person"),
        "may_report": scope.can_report(user, task) and task.status != Task.Status.VERIFIED,
        "may_fill": may_fill, "office": office,
        "may_instruct": scope.can_instruct(user, task),
        "report_form": bound.get("report_form") or forms.ProgressForm(),
        "edit_form": bound.get("edit_form") or (forms.TaskEditForm.for_task(task) if office else None),
        "return_form": bound.get("return_form") or forms.ReasonForm(),
        "milestone_form": bound.get("milestone_form") or forms.MilestoneForm(),
        "notice_form": bound.get("notice_form") or forms.NoticeForm(),
        "instruction_form": bound.get("instruction_form") or forms.InstructionForm(
            initial={"unit": task.lead_unit_id}),
        "conflict": bound.get("conflict"),
        "quick_percents": QUICK_PERCENTS,
    }
    return render(request, "ledger/task_detail.html", context, status=status)


@login_required
def task_detail(request, pk):
    return _task_page(request, scope.task_for(request.user, pk))


@login_required
@require_POST
def task_report(request, pk):
    """进度填报: percent, a sentence, photos."""
    task = scope.task_for(request.user, pk)
    scope.require(scope.can_report(request.user, task))
    form = forms.ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.report_progress(task, request.user, d["percent"], d["text"], d["attachments"], d["done"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已填报“%(task)s”进度 %(percent)s%%") % {
                "task": task.title, "percent": 100 if d["done"] else d["percent"]})
            return redirect(_next_or(request, reverse("task-detail", args=[task.pk])))
    return _task_page(request, task, report_form=form)


def _last_editor(task):
    entry = task.audit.select_related("actor__person").first()
    actor = entry.actor if entry else None
    return getattr(getattr(actor, "person", None), "name", None) or (actor.get_username() if actor else _("他人"))


@login_required
@require_POST
def task_edit(request, pk):
    task = scope.task_for(request.user, pk)
    scope.require(scope.can_edit_task(request.user, task))
    form = forms.TaskEditForm(request.POST)
    if form.is_valid():
        d = dict(form.cleaned_data)
        version, co_units = d.pop("version"), list(d.pop("co_units"))
        try:
            services.update_task(task, request.user, version, co_units=co_units, **d)
        except services.Conflict as e:
            current = e.current
            # the user's values stay in the form; they see what the other person saved and decide
            data = request.POST.copy()
            data[form.add_prefix("version")] = current.version
            form = forms.TaskEditForm(data)
            form.is_valid()
            rows = [(form.fields[name].label, _shown(getattr(current, name)), _shown(d[name]))
                    for name in d if getattr(current, name) != d[name]]
            current_co = list(current.co_units.all())
            if set(current_co) != set(co_units):
                sep, none = _("、"), _("无")
                rows.append((_("责任单位"), sep.join(u.name for u in current_co) or none,
                             sep.join(u.name for u in co_units) or none))
            conflict = {"who": _last_editor(current), "rows": rows}
            return _task_page(request, current, status=409, edit_form=form, conflict=conflict)
        except services.LedgerError as e:
            e.show_on(form)
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("任务已保存"))
            return redirect("task-detail", pk=task.pk)
    return _task_page(request, task, edit_form=form)


def _shown(value):
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, int) and not isinstance(value, bool):
        return dict(Task.Cadence.choices).get(value, value)
    return getattr(value, "name", value)


@login_required
@require_POST
def task_milestone(request, pk):
    """The office adds a dated step (节点) to a task."""
    task = scope.task_for(request.user, pk)
    scope.require(scope.can_edit_task(request.user, task))
    form = forms.MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.add_milestone(task, request.user, form.cleaned_data["title"], form.cleaned_data["due"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已添加节点“%(title)s”") % {"title": form.cleaned_data["title"]})
            return redirect("task-detail", pk=task.pk)
    return _task_page(request, task, milestone_form=form)


@login_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    task = scope.task_for(request.user, pk)
    milestone = get_object_or_404(task.milestones, pk=milestone_pk)
    try:
        services.complete_milestone(milestone, request.user)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("节点“%(title)s”已完成") % {"title": milestone.title})
    return redirect("task-detail", pk=task.pk)


@login_required
@require_POST
def task_verify(request, pk):
    task = scope.task_for(request.user, pk)
    scope.require(scope.is_office(request.user))
    try:
        services.verify_task(task, request.user)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("任务已核销"))
    return redirect("task-detail", pk=task.pk)


@login_required
@require_POST
def task_return(request, pk):
    task = scope.task_for(request.user, pk)
    scope.require(scope.is_office(request.user))
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.return_task(task, request.user, form.cleaned_data["reason"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("任务已退回牵头单位"))
            return redirect("task-detail", pk=task.pk)
    return _task_page(request, task, return_form=form)


@login_required
@require_POST
def task_notice(request, pk):
    """督办单 from a yellow or red task."""
    task = scope.task_for(request.user, pk)
    scope.require(scope.is_office(request.user))
    form = forms.NoticeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.issue_notice(task, request.user, d["reason"], d["requirement"], d["reply_due"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已下发%(number)s，答复期限 %(due)s") % {
                "number": notice.number, "due": notice.reply_due})
            return redirect("task-detail", pk=task.pk)
    return _task_page(request, task, notice_form=form)


@login_required
@require_POST
def task_instruct(request, pk):
    """领导批示 on a task: who must act, by when."""
    task = scope.task_for(request.user, pk)
    scope.require(scope.can_instruct(request.user, task))
    form = forms.InstructionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.give_instruction(request.user, task, d["text"], d["unit"], d["due"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("批示已交%(unit)s办理") % {"unit": d["unit"].name})
            return redirect("task-detail", pk=task.pk)
    return _task_page(request, task, instruction_form=form)


def _target(request, pk, target_pk):
    task = scope.task_for(request.user, pk)
    return task, get_object_or_404(task.targets, pk=target_pk)


@login_required
@require_POST
def target_fill(request, pk, target_pk):
    task, target = _target(request, pk, target_pk)
    scope.require(scope.can_fill_targets(request.user, task))
    form = forms.TargetFillForm(request.POST, prefix=f"t{target.pk}")
    if form.is_valid():
        try:
            services.fill_target(target, request.user, form.cleaned_data["value"], form.cleaned_data["note"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已填报目标：%(target)s，待督查室确认") % {"target": target.display()})
            return redirect(_next_or(request, reverse("task-detail", args=[task.pk])))
    return _task_page(request, task, **{f"fill_{target.pk}": form})


@login_required
@require_POST
def target_review(request, pk, target_pk, action):
    """The office confirms a filled target or returns it with a note."""
    task, target = _target(request, pk, target_pk)
    scope.require(scope.is_office(request.user))
    version = request.POST.get("version") or None  # the value the office saw; a later change conflicts
    try:
        if action == "confirm":
            services.confirm_target(target, request.user, version=version)
            messages.success(request, _("已确认目标：%(target)s") % {"target": target.display()})
        else:
            services.return_target(target, request.user, request.POST.get("note", ""), version=version)
            messages.success(request, _("已退回目标：%(target)s") % {"target": target.display()})
    except services.Conflict as e:
        messages.error(request, _("牵头单位刚刚改为 %(target)s，请核对后再确认或退回") % {"target": e.current.display()})
    except services.LedgerError as e:
        messages.error(request, e.message)
    return redirect("task-detail", pk=task.pk)


@login_required
def attachment(request, pk, attachment_pk):
    """Evidence files are served through the task's scope, never from a guessable public path."""
    task = scope.task_for(request.user, pk)
    item = get_object_or_404(ReportAttachment, pk=attachment_pk, report__task=task)
    try:
        return FileResponse(item.file.open("rb"), filename=item.name)
    except FileNotFoundError:
        raise Http404(_("文件不存在")) from None


# --- supervision notices and leader instructions ------------------------------------------

def _reply_list(request, template, items, may_reply, bound=None):
    rows = [(item, may_reply(request.user, item) and item.status != "replied",
             bound[1] if bound and bound[0] == item.pk else forms.ReplyForm(prefix=f"r{item.pk}"))
            for item in items]
    return render(request, template, {"rows": rows})


@login_required
def notice_list(request):
    notices = scope.notices_for(request.user).select_related("task", "unit", "replied_by__person")
    return _notice_page(request, notices)


def _notice_page(request, notices, bound=None):
    return _reply_list(request, "ledger/notice_list.html", notices[:200], scope.can_reply_notice, bound)


@login_required
@require_POST
def notice_reply(request, pk):
    notices = scope.notices_for(request.user).select_related("task", "unit")
    notice = get_object_or_404(notices, pk=pk)
    scope.require(scope.can_reply_notice(request.user, notice))
    form = forms.ReplyForm(request.POST, prefix=f"r{notice.pk}")
    if form.is_valid():
        try:
            services.reply_notice(notice, request.user, form.cleaned_data["reply"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已答复%(number)s") % {"number": notice.number})
            return redirect(_next_or(request, reverse("notice-list")))
    return _notice_page(request, notices, (notice.pk, form))


@login_required
def instruction_list(request):
    return _instruction_page(request, scope.instructions_for(request.user))


def _instruction_page(request, instructions, bound=None):
    return _reply_list(request, "ledger/instruction_list.html",
                       instructions.select_related("leader", "unit", "content_type")[:200],
                       scope.can_reply_instruction, bound)


@login_required
@require_POST
def instruction_reply(request, pk):
    instructions = scope.instructions_for(request.user)
    instruction = get_object_or_404(instructions, pk=pk)
    scope.require(scope.can_reply_instruction(request.user, instruction))
    form = forms.ReplyForm(request.POST, prefix=f"r{instruction.pk}")
    if form.is_valid():
        try:
            services.reply_instruction(instruction, request.user, form.cleaned_data["reply"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, _("已报送批示落实情况"))
            return redirect(_next_or(request, reverse("instruction-list")))
    return _instruction_page(request, instructions, (instruction.pk, form))


# --- documents: upload, decompose, preview, publish ---------------------------------------

@login_required
def document_list(request):
    scope.require(scope.is_office(request.user))
    return render(request, "ledger/document_list.html", {
        "documents": Document.objects.select_related("uploaded_by__person"),
        "jobs": recent_jobs(request.user, Job.Kind.DECOMPOSE)})


@login_required
def document_upload(request):
    scope.require(scope.is_office(request.user))
    form = forms.DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, doc_date = form.cleaned_data["file"], form.cleaned_data["doc_date"]
        try:
            documents.check_upload(upload.name, upload.size)
            if upload.size > settings.LUOSHI_INLINE_DOCUMENT_BYTES:  # a big PDF: the worker reads it
                job = start_job(jobs.decompose_document, Job.Kind.DECOMPOSE, request.user, upload.name,
                                upload=upload, doc_date=doc_date.isoformat() if doc_date else None)
                return redirect("job-detail", pk=job.pk)
            document, warnings = documents.decompose_upload(upload.read(), upload.name, doc_date, request.user)
        except documents.UploadProblem as e:
            form.add_error("file", str(e))
        else:
            messages.success(request, _("已分解“%(title)s”：%(count)s 条任务，请逐条核对后发布") % {
                "title": document.title, "count": len(document.result.get("tasks", []))})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("document-detail", pk=document.pk)
    return render(request, "ledger/document_upload.html", {
        "form": form, "jobs": recent_jobs(request.user, Job.Kind.DECOMPOSE)})


def _unit_lookup():
    """Suggested unit names (as the text writes them: name, short name, alias) → Unit."""
    units = {u.pk: u for u in forms.WORK_UNITS}
    return {name: units[pk] for name, pk in unit_names().items() if pk in units}


def _short_title(text):
    """A row's title: its opening clauses up to a readable length (a 任务名称 is a phrase, not the sentence)."""
    title = ""
    for clause in re.split(r"(?<=[，；：,;:])", text.strip().rstrip("。；;")):
        title += clause
        if len(title) >= 8:
            break
    return title.rstrip("，；：,;:")[:60]


def _draft_rows(document):
    """The decomposition's tasks as draft rows: initial form values plus what is shown beside them."""
    result, text = document.result, document.text
    headings = result.get("headings") or []
    lookup = _unit_lookup()
    rows = []
    for item in result.get("tasks") or []:
        start, end = item.get("start") or 0, item.get("end") or 0
        para_start = text.rfind("\n", 0, start) + 1
        para_end = text.find("\n", end)
        para_end = len(text) if para_end < 0 else para_end
        before = text[max(para_start, start - 60):start]
        after = text[end:min(para_end, end + 60)]
        heading = headings[item["heading"]] if isinstance(item.get("heading"), int) and item["heading"] < len(
            headings) else None
        deadlines = [d for d in item.get("deadlines") or [] if d.get("date")]
        co_units = [lookup[n] for n in item.get("co_units") or [] if n in lookup]
        rows.append({
            "initial": {
                "include": True, "title": _short_title(item.get("text", "")), "text": item.get("text", ""),
                "lead_unit": lookup.get(item.get("lead_unit") or ""),
                "co_units": co_units,
                "deadline": deadlines[0]["date"] if deadlines else None,
            },
            "item": item, "heading": heading, "source": (before, text[start:end], after),
            "suggested_lead": item.get("lead_unit") or "",
            "unknown_units": [n for n in [item.get("lead_unit"), *(item.get("co_units") or [])]
                              if n and n not in lookup],
        })
    return rows


def _row_for_publish(form_data, draft):
    item = draft["item"]
    return {
        "title": form_data["title"], "text": form_data["text"],
        "lead_unit": form_data["lead_unit"].pk if form_data["lead_unit"] else None,
        "co_units": [u.pk for u in form_data["co_units"]],
        "leader": form_data["leader"].pk if form_data["leader"] else None,
        "deadline": form_data["deadline"],
        "section": draft["heading"]["text"] if draft["heading"] else "",
        "owner_text": item.get("owner_text") or "",
        "start": item.get("start"), "end": item.get("end"), "source_text": item.get("text") or "",
        "targets": item.get("targets") or [],
    }


@login_required
def document_detail(request, pk):
    """Preview: outline left, draft responsibility list right, each row beside its source sentence; POST publishes."""
    scope.require(scope.is_office(request.user))
    document = get_object_or_404(Document, pk=pk)
    drafts = _draft_rows(document)
    row_errors = {}
    if request.method == "POST" and document.status == Document.Status.DRAFT:
        formset = forms.DraftRowFormSet(request.POST)
        if formset.is_valid() and len(formset.forms) == len(drafts):
            chosen = [i for i, f in enumerate(formset.forms) if f.cleaned_data.get("include")]
            rows = [_row_for_publish(formset.forms[i].cleaned_data, drafts[i]) for i in chosen]
            try:
                tasks = services.publish_document(document, rows, request.user)
            except services.PublishError as e:
                # the service counts only the rows sent; map back to the rows on screen
                row_errors = {chosen[i]: msgs for i, msgs in e.errors.items() if i < len(chosen)}
                if not chosen:
                    messages.error(request, _("请至少勾选一条任务再发布"))
            else:
                messages.success(request, _("已发布 %(count)s 项任务，已交办各牵头单位") % {"count": len(tasks)})
                return redirect("document-detail", pk=document.pk)
        elif len(formset.forms) != len(drafts):
            messages.error(request, _("草稿已变化，请刷新页面后重新核对"))
    else:
        formset = forms.DraftRowFormSet(initial=[d["initial"] for d in drafts])
    return render(request, "ledger/document_detail.html", {
        "document": document, "headings": document.result.get("headings") or [],
        "rows": [(i, form, drafts[i], row_errors.get(i)) for i, form in enumerate(formset.forms)],
        "formset": formset, "error_count": len(row_errors),
        "published_tasks": document.tasks.select_related("lead_unit") if document.status == "published" else [],
    })
