"""考核评价 pages: indicators, runs, rankings, breakdowns, downloads, self-assessment, ratings, import."""
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from luoshi.jobs.models import Job
from luoshi.jobs.services import recent as recent_jobs, start as start_job
from luoshi.org.models import Unit

from . import documents, excel, jobs, scope, services
from .forms import ImportForm, PeriodForm, RunForm, SelfAssessmentForm
from .models import FIVE_QUESTIONS, Group, Indicator, IndicatorValue, Run, SelfAssessment, period_label


def _signed_in(user):
    scope.require(scope.may_sign_in(user))


@login_required
def indicator_list(request):
    _signed_in(request.user)
    groups = [(label, Indicator.objects.filter(group=value, active=True)) for value, label in Group.choices]
    return render(request, "evaluation/indicators.html", {"groups": groups, "manage": scope.can_manage(request.user)})


@login_required
def run_list(request):
    _signed_in(request.user)
    form = RunForm(request.POST or None, initial={"period": f"{services.today():%Y}"})
    if request.method == "POST":
        scope.require(scope.can_manage(request.user))
        if form.is_valid():
            try:  # what can be refused at once is; freezing and scoring every unit is the worker's
                as_of = services.check_run(request.user, **form.cleaned_data)[1]
            except services.EvaluationError as e:
                e.show_on(form)
            else:
                d = form.cleaned_data
                job = start_job(jobs.create_run, Job.Kind.EVALUATION_RUN, request.user,
                                Run(group=d["group"], period=d["period"]).title, **d, as_of=as_of.isoformat())
                return redirect("job-detail", pk=job.pk)
    runs = scope.runs_for(request.user).order_by("-period", "group", "-id")
    manage = scope.can_manage(request.user)
    return render(request, "evaluation/run_list.html", {
        "runs": runs, "form": form, "manage": manage, "own_unit": scope.own_unit(request.user),
        "jobs": recent_jobs(request.user, Job.Kind.EVALUATION_RUN) if manage else []},
        status=400 if form.errors else 200)


@login_required
def run_detail(request, pk):
    run = scope.run_for(request.user, pk)
    scores = list(run.scores.order_by("rank", "unit_name"))
    user = request.user
    return render(request, "evaluation/run_detail.html", {
        "run": run, "scores": scores, "manage": scope.can_manage(user) and not run.is_published,
        "sees_all": scope.sees_all(user), "own_unit": scope.own_unit(user),
        "previous": services.previous_run(run) if run.config.get("previous_run") else None,
        "items": run.config["indicators"], "shifts": run.config.get("entropy_shifts", {})})


@login_required
@require_POST
def run_action(request, pk, action):
    run = scope.run_for(request.user, pk)
    if action == "refresh":  # as long as making the run: the worker's
        scope.require(scope.can_manage(request.user))
        if run.is_published:
            messages.error(request, gettext("已发布的考核结果不能再修改"))
            return redirect("evaluation-run", pk=run.pk)
        job = start_job(jobs.refresh_run, Job.Kind.EVALUATION_RUN, request.user, run.title, run=run.pk)
        return redirect("job-detail", pk=job.pk)
    actions = {"publish": (services.publish_run, gettext("已发布，结果不再改变")),
               "delete": (services.delete_run, gettext("已删除考核草稿"))}
    if action not in actions:
        raise Http404
    do, done = actions[action]
    try:
        do(run, request.user)
    except services.EvaluationError as e:
        messages.error(request, e.message)
        return redirect("evaluation-run", pk=run.pk)
    messages.success(request, done)
    return redirect("evaluation-runs") if action == "delete" else redirect("evaluation-run", pk=run.pk)


@login_required
def breakdown(request, pk, unit_id):
    run = scope.run_for(request.user, pk)
    scope.require_unit(request.user, unit_id)
    if not run.scores.filter(unit=unit_id).exists():
        raise Http404
    score, lines = services.breakdown(run, unit_id)
    scored = [line for line in lines if line.item["role"] == Indicator.Role.SCORED]
    return render(request, "evaluation/breakdown.html", {
        "run": run, "score": score, "lines": lines, "count": run.scores.count(),
        "total": sum(line.value.contribution or 0 for line in lines),
        "square_best": sum(line.value.detail.get("square_best", 0) for line in scored),
        "square_worst": sum(line.value.detail.get("square_worst", 0) for line in scored)})


# --- downloads -------------------------------------------------------------------------------------

def _file(out, filename):
    return FileResponse(out, as_attachment=True, filename=filename)


@login_required
def bulletin(request, pk):
    """The bulletin goes to every unit once published; drafts only to those who see everything."""
    run = scope.run_for(request.user, pk)
    return _file(documents.bulletin(run), f"{run.title}通报.docx")


@login_required
def scores_xlsx(request, pk):
    run = scope.run_for(request.user, pk)
    if not scope.sees_all(request.user):  # every unit's breakdown is in it
        raise Http404
    return _file(excel.scores_workbook(run), f"{run.title}得分.xlsx")


@login_required
def review(request, pk, fmt, unit_id=None):
    run = scope.run_for(request.user, pk)
    scope.require_unit(request.user, unit_id)
    if fmt not in ("md", "docx"):
        raise Http404
    if unit_id is not None and not run.scores.filter(unit=unit_id).exists():
        raise Http404
    base = request.build_absolute_uri("/")[:-1]
    title = documents.review(run, unit_id)[0]
    if fmt == "md":
        response = HttpResponse(documents.review_markdown(run, unit_id, base), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.md"
        return response
    return _file(documents.review_docx(run, unit_id, base), f"{title}.docx")


# --- entered values --------------------------------------------------------------------------------

def _period(asked):
    """The period a page shows: the one asked for, or this year when it is missing, malformed or outside the
    years check_period allows (a raw NUL or year 1 in ?period= must not reach the database or the calendar)."""
    try:
        return services.check_period(asked or "")
    except services.EvaluationError:
        return f"{services.today():%Y}"


@login_required
def self_assessment(request):
    """A unit answers the five questions for a period; the office sees every unit's answers."""
    _signed_in(request.user)
    period = _period(request.GET.get("period"))
    unit_id = scope.own_unit(request.user)
    if unit_id is None:
        if not scope.sees_all(request.user):
            raise Http404
        rows = SelfAssessment.objects.filter(period=period).select_related("unit").order_by("-score")
        return render(request, "evaluation/self_assessments.html", {"rows": rows, "period": period,
                                                                    "questions": FIVE_QUESTIONS})
    unit = Unit.objects.get(pk=unit_id)
    existing = SelfAssessment.objects.filter(unit=unit, period=period).first()
    initial = {"period": period}
    if existing:
        for i, a in enumerate(existing.answers, start=1):
            initial[f"answer{i}"], initial[f"score{i}"] = a["answer"], a["score"]
    form = SelfAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.save_self_assessment(request.user, unit, form.cleaned_data["period"], form.answers())
        except services.EvaluationError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已提交%(period)s“五个问一问”自评，自评分 %(score)s") % {"period": period_label(row.period), "score": row.score})
            return redirect(f"{request.path}?period={row.period}")
    return render(request, "evaluation/self_assessment.html", {
        "form": form, "unit": unit, "existing": existing}, status=400 if form.errors else 200)


@login_required
def ratings(request, indicator_id):
    scope.require(scope.can_rate(request.user))
    indicator = get_object_or_404(Indicator, pk=indicator_id, source=Indicator.Source.RATING)
    period = _period(request.POST.get("period") or request.GET.get("period"))
    form = PeriodForm(request.POST or None, initial={"period": period})
    units = services.units_of(indicator.group)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_ratings(request.user, indicator, form.cleaned_data["period"],
                                          {u.pk: request.POST.get(f"unit-{u.pk}", "") for u in units})
        except services.EvaluationError as e:
            e.show_on(form)
        else:
            messages.success(request, gettext("已保存 %(count)s 个单位的%(name)s") % {"count": saved, "name": indicator.name})
            return redirect(f"{request.path}?period={form.cleaned_data['period']}")
    current = dict(IndicatorValue.objects.filter(indicator=indicator, period=period).values_list("unit", "value"))
    rows = [(u, request.POST.get(f"unit-{u.pk}", current.get(u.pk, ""))) for u in units]
    return render(request, "evaluation/ratings.html", {"indicator": indicator, "form": form, "rows": rows},
                  status=400 if form.errors else 200)


@login_required
def import_values(request):
    scope.require(scope.can_manage(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, initial={"period": f"{services.today():%Y}"})
    context = {"form": form, "indicators": Indicator.objects.filter(source=Indicator.Source.IMPORTED, active=True),
               "jobs": recent_jobs(request.user, Job.Kind.VALUES_IMPORT)}
    if request.method != "POST":
        return render(request, "evaluation/import.html", context)
    if form.is_valid():
        upload, period = form.cleaned_data["file"], form.cleaned_data["period"]
        try:
            services.check_period(period)
            if upload.size > settings.LUOSHI_INLINE_IMPORT_BYTES:  # thousands of rows: the worker imports it
                job = start_job(jobs.import_values, Job.Kind.VALUES_IMPORT, request.user, upload.name, upload=upload,
                                period=period)
                return redirect("job-detail", pk=job.pk)
            result = excel.import_values(upload, request.user, period)
        except excel.ImportRejected as e:
            context["rejected"] = str(e)
        except services.EvaluationError as e:
            e.show_on(form)
        else:
            if result.ok:
                messages.success(request, gettext("已导入 %(count)s 条考核数据") % {"count": result.saved})
                return redirect("evaluation-import")
            context["errors"] = result.errors
            context["filename"] = upload.name
    return render(request, "evaluation/import.html", context, status=400)


@login_required
def import_template(request):
    scope.require(scope.can_manage(request.user))
    return _file(excel.template_workbook(), "考核数据导入模板.xlsx")
