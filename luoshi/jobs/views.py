"""A job's status page and the JSON its card and rows poll while it runs."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from . import services


def _job(request, pk):
    return get_object_or_404(services.jobs_for(request.user).select_related("started_by__person"), pk=pk)


@login_required
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", {"job": _job(request, pk)})


@login_required
def job_status(request, pk):
    """The job's state, with its card and row re-rendered, so the page's script only swaps HTML."""
    job = _job(request, pk)
    return JsonResponse({
        "id": job.pk, "status": job.status, "finished": job.finished, "done": job.done, "total": job.total,
        "percent": job.percent, "step": job.step, "summary": job.summary, "result_url": job.result_url,
        "error": job.error,
        "card": render_to_string("jobs/_card.html", {"job": job}, request),
        "row": render_to_string("jobs/_row.html", {"job": job}, request),
    })
