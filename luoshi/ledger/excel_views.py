"""Excel pages of the ledger: export (anyone, within their scope) and import (the office only)."""
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from luoshi import sheets
from luoshi.jobs.models import Job
from luoshi.jobs.services import recent as recent_jobs, start as start_job

from . import excel, forms, jobs, scope, services


@login_required
def export(request):
    """The 任务台账 the user may see, narrowed by the task list's filters (malformed ones are ignored)."""
    tasks = scope.tasks_for(request.user)
    form = forms.TaskFilterForm(request.GET)
    if form.is_valid():
        tasks = services.filter_tasks(tasks, **form.cleaned_data)
    else:  # keep the valid filters rather than failing the download
        tasks = services.filter_tasks(tasks, **{k: v for k, v in form.cleaned_data.items() if k not in form.errors})
    filename = f"任务台账-{services.today():%Y%m%d}.xlsx"
    # the workbook's sheets and headers are the Chinese interchange format: its statuses and lights stay Chinese too
    with translation.override(settings.LANGUAGE_CODE):
        out = excel.export_to_tempfile(tasks)
    return FileResponse(out, as_attachment=True, filename=filename)


@login_required
def import_template(request):
    out = io.BytesIO()
    excel.template_workbook(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="任务台账导入模板.xlsx")


@login_required
def import_ledger(request):
    scope.require(scope.is_office(request.user))
    context = {"max_mb": sheets.MAX_BYTES // 1048576, "max_rows": sheets.MAX_ROWS,
               "jobs": recent_jobs(request.user, Job.Kind.LEDGER_IMPORT)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["rejected"] = _("请选择要导入的 Excel 文件")
        elif upload.size > settings.LUOSHI_INLINE_IMPORT_BYTES:  # hundreds of rows: the worker imports it
            job = start_job(jobs.import_ledger, Job.Kind.LEDGER_IMPORT, request.user, upload.name, upload=upload,
                            on=services.today().isoformat())
            return redirect("job-detail", pk=job.pk)
        else:
            try:
                result = excel.import_ledger(upload, request.user)
            except excel.ImportRejected as e:
                context["rejected"] = str(e)
            else:
                if result.ok:
                    messages.success(request, _("已导入 %(count)s 项任务") % {"count": len(result.tasks)})
                    return redirect("task-list")
                context["errors"] = result.errors
                context["filename"] = upload.name
        status = 400
    else:
        status = 200
    return render(request, "ledger/import.html", context, status=status)


urlpatterns = [
    path("export.xlsx", export, name="ledger-export"),
    path("import/", import_ledger, name="ledger-import"),
    path("import/template.xlsx", import_template, name="ledger-import-template"),
]
