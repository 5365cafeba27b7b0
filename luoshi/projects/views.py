"""Pages for key projects and the 招商 pipeline. Objects come from `scope`; every change goes through `services`."""
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from luoshi import sheets
from luoshi.jobs.models import Job
from luoshi.jobs.services import recent as recent_jobs, start as start_job
from luoshi.ledger.models import AuditEntry

from . import excel, forms, jobs, scope, services
from .models import Lead, Problem, Project, ReportPhoto, Stage, StageItem
from .models import next_stage as stage_after


# --- project list -------------------------------------------------------------------------

@login_required
def project_list(request):
    form = forms.FilterForm(request.GET or None)
    projects = scope.projects_for(request.user).select_related("programme", "township", "leader", "lead_unit")
    if form.is_valid():
        f = form.cleaned_data
        if f["q"]:
            projects = projects.filter(Q(name__icontains=f["q"]) | Q(owner__icontains=f["q"]))
        for name in ("stage", "programme", "category", "light", "township"):
            if f[name]:
                projects = projects.filter(**{name: f[name]})
    page = Paginator(projects.order_by("id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "projects/project_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "office": scope.is_office(request.user),
        "last_month": _last_month(),
    })


def _last_month():
    """The month the 月调度 is about: the one before today's."""
    return (services.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- project page -------------------------------------------------------------------------

def _curve(project, year):
    """Planned (the annual plan, evenly over the months) vs completed year-to-date, for an inline SVG."""
    reported = {r.month.month: r.year_to_date for r in project.reports.filter(month__year=year)}
    rows, done = [], 0
    last = max(reported, default=0)
    for month in range(1, 13):
        planned = project.annual_investment * month / 12
        done = reported.get(month, done)
        rows.append({"month": month, "planned": planned, "done": done if month <= last else None})
    top = max([float(project.annual_investment)] + [float(r["done"] or 0) for r in rows]) or 1

    def points(key):
        return " ".join(f"{40 + (r['month'] - 1) * 50},{190 - 170 * float(r[key]) / top:.1f}"
                        for r in rows if r[key] is not None)
    return {"rows": rows, "planned": points("planned"), "done": points("done"), "top": top, "year": year}


def _project_page(request, project, status=200, **bound):
    user = request.user
    may_report = scope.can_report(user, project)
    office = scope.is_office(user)
    timeline = [{"stage": s, "planned": project.planned_date(s) if s != Stage.INTRODUCED else None,
                 "entered": project.entered_date(s), "current": s == project.stage} for s in Stage]
    problems = project.problems.select_related("unit")
    return render(request, "projects/project_detail.html", {
        "project": project, "timeline": timeline, "checklist": services.checklist(project),
        "members": project.members.select_related("unit"), "next_stage": stage_after(project.stage),
        "curve": _curve(project, services.today().year),
        "reports": project.reports.select_related("author__person").prefetch_related("photos"),
        "problems": [(p, scope.can_reply_problem(user, p) and p.status == Problem.Status.OPEN,
                      bound.get(f"reply_{p.pk}") or forms.ReplyForm(prefix=f"r{p.pk}")) for p in problems],
        "audit": AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Project),
                                           object_id=project.pk).select_related("actor__person"),
        "may_report": may_report, "office": office,
        "report_form": bound.get("report_form") or forms.ReportForm(initial={"month": f"{_last_month():%Y-%m}"}),
        "problem_form": bound.get("problem_form") or forms.ProblemForm(),
        "edit_form": bound.get("edit_form") or (forms.ProjectForm.for_project(project) if office else None),
        "conflict": bound.get("conflict"),
    }, status=status)


@login_required
def project_detail(request, pk):
    return _project_page(request, scope.project_for(request.user, pk))


@login_required
@require_POST
def project_report(request, pk):
    """月调度: the month's completed investment, visual progress, photos."""
    project = scope.project_for(request.user, pk)
    scope.require(scope.can_report(request.user, project))
    form = forms.ReportForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.report_month(project, request.user, d["month"], d["investment"], d["progress"], d["photos"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已填报%(month)s月调度：完成投资 %(investment)s 万元") % {"month": d["month"], "investment": d["investment"]})
            return redirect("project-detail", pk=project.pk)
    return _project_page(request, project, report_form=form)


@login_required
@require_POST
def project_item(request, pk, item_pk):
    project = scope.project_for(request.user, pk)
    scope.require(scope.can_report(request.user, project))
    item = get_object_or_404(StageItem, pk=item_pk)
    try:
        services.mark_item_done(project, request.user, item, request.POST.get("done_on") or None)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("“%(name)s”已办结") % {"name": item.name})
    return redirect("project-detail", pk=project.pk)


@login_required
@require_POST
def project_advance(request, pk):
    project = scope.project_for(request.user, pk)
    scope.require(scope.can_report(request.user, project))
    try:
        project = services.advance_stage(project, request.user)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("项目已进入“%(stage)s”阶段") % {"stage": project.get_stage_display()})
    return redirect("project-detail", pk=project.pk)


@login_required
@require_POST
def project_problem(request, pk):
    project = scope.project_for(request.user, pk)
    scope.require(scope.can_report(request.user, project))
    form = forms.ProblemForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.raise_problem(project, request.user, d["category"], d["text"], d["unit"], d["deadline"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("协调事项已交%(unit)s办理") % {"unit": d["unit"].name})
            return redirect("project-detail", pk=project.pk)
    return _project_page(request, project, problem_form=form)


def _edit_values(form):
    d = dict(form.cleaned_data)
    version, members = d.pop("version"), list(d.pop("members"))
    return version, members, d


@login_required
def project_new(request):
    scope.require(scope.can_edit_project(request.user))
    form = forms.ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, members, d = _edit_values(form)
        try:
            project = services.create_project(request.user, members=members, **d)
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已新建项目“%(name)s”") % {"name": project.name})
            return redirect("project-detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
@require_POST
def project_edit(request, pk):
    project = scope.project_for(request.user, pk)
    scope.require(scope.can_edit_project(request.user, project))
    form = forms.ProjectForm(request.POST)
    if form.is_valid():
        version, members, d = _edit_values(form)
        try:
            services.update_project(project, request.user, version or 0, members=members, **d)
        except services.Conflict as e:
            # the user's values stay in the form beside what the other person saved; resubmitting overrides
            data = request.POST.copy()
            data["project-version"] = e.current.version
            form = forms.ProjectForm(data)
            form.is_valid()
            rows = [(form.fields[name].label, getattr(e.current, name), value) for name, value in d.items()
                    if getattr(e.current, name) != value]
            return _project_page(request, e.current, status=409, edit_form=form, conflict={"rows": rows})
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("项目已保存"))
            return redirect("project-detail", pk=project.pk)
    return _project_page(request, project, edit_form=form)


@login_required
def photo(request, pk, photo_pk):
    """Photos are served through the project's scope, never from a guessable public path."""
    project = scope.project_for(request.user, pk)
    item = get_object_or_404(ReportPhoto, pk=photo_pk, report__project=project)
    try:
        return FileResponse(item.file.open("rb"), filename=item.name)
    except FileNotFoundError:
        raise Http404(gettext("文件不存在")) from None


# --- 协调事项 -----------------------------------------------------------------------------

def _problem_page(request, bound=None):
    problems = scope.problems_for(request.user).select_related("project", "unit").order_by("status", "deadline")
    rows = [(p, scope.can_reply_problem(request.user, p) and p.status == Problem.Status.OPEN,
             bound[1] if bound and bound[0] == p.pk else forms.ReplyForm(prefix=f"r{p.pk}"))
            for p in problems[:200]]
    return render(request, "projects/problem_list.html", {"rows": rows, "today": services.today()},
                  status=400 if bound else 200)


@login_required
def problem_list(request):
    return _problem_page(request)


@login_required
@require_POST
def problem_reply(request, pk):
    problem = get_object_or_404(scope.problems_for(request.user).select_related("project"), pk=pk)
    scope.require(scope.can_reply_problem(request.user, problem))
    form = forms.ReplyForm(request.POST, prefix=f"r{problem.pk}")
    if form.is_valid():
        try:
            services.reply_problem(problem, request.user, form.cleaned_data["reply"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已答复“%(name)s”的协调事项") % {"name": problem.project.name})
            return redirect("problem-list")
    return _problem_page(request, (problem.pk, form))


@login_required
@require_POST
def problem_close(request, pk):
    problem = get_object_or_404(scope.problems_for(request.user).select_related("project"), pk=pk)
    scope.require(scope.can_report(request.user, problem.project))
    try:
        services.close_problem(problem, request.user)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("协调事项已办结"))
    return redirect("project-detail", pk=problem.project_id)


# --- the pipeline -------------------------------------------------------------------------

@login_required
def board(request):
    """招商看板: leads by stage, biggest first; a unit or the office registers a new one here."""
    leads = scope.leads_for(request.user).select_related("unit", "project")
    columns = [(stage, [lead for lead in leads if lead.stage == stage]) for stage in Lead.Stage]
    form = forms.LeadForm(request.POST or None)
    if request.method == "POST":
        scope.require(scope.can_work_lead(request.user))
        if form.is_valid():
            try:
                lead = services.create_lead(request.user, **form.cleaned_data)
            except services.LedgerError as e:
                e.show_on(form)
            else:
                messages.success(request, gettext("已登记招商项目“%(name)s”") % {"name": lead.name})
                return redirect("lead-detail", pk=lead.pk)
    return render(request, "projects/board.html", {
        "columns": columns, "form": form, "may_add": scope.can_work_lead(request.user),
        "total": sum(len(c) for _, c in columns),
    }, status=400 if form.errors else 200)


def _lead_page(request, lead, status=200, **bound):
    return render(request, "projects/lead_detail.html", {
        "lead": lead, "funds": lead.funds.all(), "may_work": scope.can_work_lead(request.user, lead),
        "office": scope.is_office(request.user),
        "funds_form": bound.get("funds_form") or forms.FundsForm(initial={"month": f"{_last_month():%Y-%m}"}),
        "convert_form": bound.get("convert_form") or forms.ConvertForm(),
        "audit": AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Lead),
                                           object_id=lead.pk).select_related("actor__person"),
    }, status=status)


def _lead(request, pk):
    return get_object_or_404(scope.leads_for(request.user).select_related("unit", "leader", "project"), pk=pk)


@login_required
def lead_detail(request, pk):
    return _lead_page(request, _lead(request, pk))


@login_required
@require_POST
def lead_advance(request, pk):
    lead = _lead(request, pk)
    scope.require(scope.can_work_lead(request.user, lead))
    try:
        lead = services.advance_lead(lead, request.user)
    except services.LedgerError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("“%(name)s”已%(stage)s") % {"name": lead.name, "stage": lead.get_stage_display()})
    return redirect("lead-detail", pk=lead.pk)


@login_required
@require_POST
def lead_funds(request, pk):
    lead = _lead(request, pk)
    scope.require(scope.can_work_lead(request.user, lead))
    form = forms.FundsForm(request.POST)
    if form.is_valid():
        try:
            services.add_funds(lead, request.user, form.cleaned_data["month"], form.cleaned_data["amount"])
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("到位资金已填报"))
            return redirect("lead-detail", pk=lead.pk)
    return _lead_page(request, lead, status=400, funds_form=form)


@login_required
@require_POST
def lead_convert(request, pk):
    """A signed lead becomes a key project in one step."""
    lead = _lead(request, pk)
    scope.require(scope.can_edit_project(request.user))
    form = forms.ConvertForm(request.POST)
    if form.is_valid():
        try:
            project = services.convert_lead(lead, request.user, **form.cleaned_data)
        except services.LedgerError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已转为重点项目“%(name)s”，请补充计划日期和专班成员") % {"name": project.name})
            return redirect("project-detail", pk=project.pk)
    return _lead_page(request, lead, status=400, convert_form=form)


# --- Excel --------------------------------------------------------------------------------

@login_required
def export(request):
    """The month's 月调度 table of the projects the user may see (?month=2021-06, default last month)."""
    try:
        month = services.month_of(request.GET["month"]) if request.GET.get("month") else _last_month()
    except services.LedgerError:
        month = _last_month()
    filename = f"重点项目月调度表-{month:%Y%m}.xlsx"
    return FileResponse(excel.export_to_tempfile(scope.projects_for(request.user), month), as_attachment=True,
                        filename=filename)


@login_required
def import_projects(request):
    scope.require(scope.can_edit_project(request.user))
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "max_rows": sheets.MAX_ROWS, "jobs": recent_jobs(request.user, Job.Kind.PROJECT_IMPORT)}
    if request.method != "POST":
        return render(request, "projects/import.html", context)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.LUOSHI_INLINE_IMPORT_BYTES:  # hundreds of rows: the worker imports it
            job = start_job(jobs.import_projects, Job.Kind.PROJECT_IMPORT, request.user, upload.name, upload=upload,
                            on=services.today().isoformat())
            return redirect("job-detail", pk=job.pk)
        try:
            result = excel.import_projects(upload, request.user)
        except excel.ImportRejected as e:
            form.add_error("file", str(e))
        else:
            if result.ok:
                messages.success(request, gettext("已导入 %(count)s 个项目") % {"count": len(result.projects)})
                return redirect("project-list")
            context["errors"] = result.errors
    return render(request, "projects/import.html", context, status=400)
