"""Jobs API: a background job's state, and when done, where its result is in the API.

Seen as on the job pages (services.jobs_for): the office every job, others their own; anyone else's is a 404 like
a missing id.
"""
import datetime as dt
from typing import List, Optional, Union

from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from typing_extensions import TypeAliasType

from luoshi.ledger.api import ERRORS, Id, Pages

from . import services
from .models import Job

router = Router(tags=["后台处理"])

# names of their own in the OpenAPI schema (see ledger.api): not the "Status" of tasks, nor any other "Kind"
JobKind = TypeAliasType("JobKind", Job.Kind)
JobStatus = TypeAliasType("JobStatus", Job.Status)

# a result page → the API operation serving the same object: (page's url name, its argument, API url name, its
# argument, the id's name in the job's result)
RESULTS = [("evaluation-run", "pk", "api:get_run", "run_id", "run_id")]


class JobOut(Schema):
    id: int
    kind: JobKind
    title: str
    status: JobStatus
    done: int = Field(description="已处理的条数")
    total: int = Field(description="总条数；0 表示当前步骤的数量未知")
    percent: int
    step: str = Field(description="当前步骤")
    url: str = Field(description="本次后台处理在 API 中的地址，可轮询")
    created_at: dt.datetime
    started_at: Optional[dt.datetime]
    finished_at: Optional[dt.datetime]

    @staticmethod
    def resolve_url(job):
        return reverse("api:get_job", kwargs={"job_id": job.pk})


class JobRowError(Schema):
    row: Union[int, str] = Field(description="Excel 中的行号")
    column: str
    message: str


class JobResult(Schema):
    page_url: str = Field(description="结果所在的页面")
    url: Optional[str] = Field(description="结果在 API 中的地址（有对应接口时）")
    run_id: Optional[int] = Field(None, description="生成或重新生成的考核")


class JobDetail(JobOut):
    ahead: int = Field(description="排在前面、尚未完成的后台处理数")
    summary: str
    error: str = Field(description="未完成的原因")
    errors: List[JobRowError] = Field(description="导入时有错误的行")
    warnings: List[str]
    result: Optional[JobResult] = Field(description="完成后的结果；未完成时为空")

    @staticmethod
    def resolve_errors(job):
        return [JobRowError(row=row, column=column, message=message)
                for row, column, message in (job.details or {}).get("errors", [])]

    @staticmethod
    def resolve_warnings(job):
        return (job.details or {}).get("warnings", [])

    @staticmethod
    def resolve_result(job):
        return _result(job)


def job_out(job):
    """A job just started, as the operation that started it answers (202)."""
    return JobOut.from_orm(job)


def _result(job):
    if job.status != Job.Status.DONE or not job.result_url:
        return None
    try:
        page = resolve(job.result_url)
    except Resolver404:  # a page since renamed: still a link for people
        page = None
    for page_name, page_arg, api_name, api_arg, key in RESULTS:
        if page and page.view_name == page_name:
            pk = page.kwargs[page_arg]
            return JobResult(page_url=job.result_url, url=reverse(api_name, kwargs={api_arg: pk}), **{key: pk})
    return JobResult(page_url=job.result_url, url=None)


@router.get("/jobs", response=List[JobOut], url_name="list_jobs",
            summary="后台处理列表（督查室看全部，其他人看自己提交的；新的在前）")
@paginate(Pages)
def list_jobs(request):
    return services.jobs_for(request.auth).order_by("-created_at", "-id")


@router.get("/jobs/{job_id}", response={200: JobDetail, **ERRORS}, url_name="get_job", summary="后台处理的状态与结果")
def get_job(request, job_id: Id):
    return get_object_or_404(services.jobs_for(request.auth), pk=job_id)
