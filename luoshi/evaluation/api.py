"""Evaluation API: runs, rankings, a unit's breakdown; creating and publishing runs (the office).

Runs and breakdowns come through `scope` first: a draft, or another unit's breakdown, is a 404 like a missing id.
"""
import datetime as dt
from typing import List, Optional

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status
from typing_extensions import TypeAliasType

from luoshi.jobs.api import JobOut, job_out
from luoshi.jobs.models import Job
from luoshi.jobs.services import start as start_job
from luoshi.ledger.api import ERRORS, Id

from . import jobs, scope, services
from .models import Group, Run

router = Router(tags=["考核评价"])

# a name of its own in the OpenAPI schema, not the "Status" shared with tasks, notices… (see ledger.api)
RunStatus = TypeAliasType("RunStatus", Run.Status)


class RunOut(Schema):
    id: int
    title: str
    group: Group
    period: str = Field(description="2021、2021Q2 或 2021-06")
    kind: str
    method: Run.Method
    normalisation: Run.Normalisation
    status: RunStatus
    as_of: dt.date = Field(description="数据截至（生成时冻结）")
    published_at: Optional[dt.datetime]


class RunRankingRow(Schema):
    unit_id: int
    unit: str
    rank: int
    score: float
    previous_rank: Optional[int]
    change: Optional[int] = Field(description="较上期上升的名次（负数为下降）")


class RunDetail(RunOut):
    previous_run: Optional[int]
    indicators: List[dict] = Field(description="本次考核冻结的指标、方向、权重、上限")
    ranking: List[RunRankingRow]


class LineOut(Schema):
    code: str
    name: str
    role: str
    raw: Optional[float] = Field(description="原始值；无数据时为空（按平均值计分）")
    used: Optional[float]
    normalised: Optional[float]
    weight: Optional[float]
    contribution: Optional[float] = Field(description="加权求和时的得分贡献；TOPSIS 见 detail 中的平方距离")
    rank: int = Field(description="本项在同类单位中的名次")
    detail: dict
    records: List[dict] = Field(description="原始值背后的记录（标题与链接）")


class BreakdownOut(Schema):
    run_id: int
    unit_id: int
    unit: str
    score: float
    rank: int
    distance_best: Optional[float]
    distance_worst: Optional[float]
    lines: List[LineOut]


class RunIn(Schema):
    group: Group
    period: str = Field(max_length=10)
    method: Run.Method = Run.Method.WEIGHTED
    normalisation: Run.Normalisation = Run.Normalisation.MINMAX


def _ranking(run):
    return [RunRankingRow(unit_id=s.unit_id, unit=s.unit_name, rank=s.rank, score=s.score,
                       previous_rank=s.previous_rank, change=s.change)
            for s in run.scores.order_by("rank", "unit_name")]


def _detail(run):
    return RunDetail(**RunOut.from_orm(run).model_dump(), previous_run=run.config.get("previous_run"),
                     indicators=run.config["indicators"], ranking=_ranking(run))


@router.get("/evaluation/runs", response=List[RunOut], summary="考核列表（已发布的对所有人可见，草稿仅督查室和主要领导）")
def list_runs(request):
    return list(scope.runs_for(request.auth).order_by("-period", "group", "-id"))


@router.get("/evaluation/runs/{run_id}", response={200: RunDetail, **ERRORS}, summary="考核排名")
def get_run(request, run_id: Id):
    return _detail(scope.run_for(request.auth, run_id))


@router.get("/evaluation/runs/{run_id}/units/{unit_id}", response={200: BreakdownOut, **ERRORS},
            summary="单位得分明细（本单位、督查室、主要领导）")
def get_breakdown(request, run_id: Id, unit_id: Id):
    run = scope.run_for(request.auth, run_id)
    scope.require_unit(request.auth, unit_id)
    if not run.scores.filter(unit=unit_id).exists():
        raise Http404
    score, lines = services.breakdown(run, unit_id)
    return BreakdownOut(run_id=run.pk, unit_id=unit_id, unit=score.unit_name, score=score.score, rank=score.rank,
                        distance_best=score.distance_best, distance_worst=score.distance_worst, lines=[
                            LineOut(code=line.item["code"], name=line.item["name"], role=line.item["role"],
                                    raw=line.value.raw, used=line.value.used, normalised=line.value.normalised,
                                    weight=line.value.weight, contribution=line.value.contribution, rank=line.rank,
                                    detail={k: v for k, v in line.value.detail.items() if k != "records"},
                                    records=[{"label": label, "url": url} for label, url in line.links])
                            for line in lines])


@router.post("/evaluation/runs", response={202: JobOut, **ERRORS},
             summary="生成考核（督查室；冻结当前数据）：交给后台处理，完成后 GET /api/jobs/{id} 给出考核的 run_id")
def create_run(request, payload: RunIn, response: HttpResponse):
    d = {"group": Group(payload.group).value, "period": payload.period, "method": Run.Method(payload.method).value,
         "normalisation": Run.Normalisation(payload.normalisation).value}
    # what can be refused at once is (422 like before); freezing and scoring every unit is the worker's
    as_of = services.check_run(request.auth, **d)[1]
    title = Run(group=d["group"], period=d["period"]).title
    job = start_job(jobs.create_run, Job.Kind.EVALUATION_RUN, request.auth, title,
                    **d, as_of=as_of.isoformat())
    out = job_out(job)
    response["Location"] = out.url
    return Status(202, out)


@router.post("/evaluation/runs/{run_id}/publish", response={200: RunDetail, **ERRORS}, summary="发布考核（不可撤回）")
def publish_run(request, run_id: Id):
    run = scope.run_for(request.auth, run_id)
    return _detail(services.publish_run(run, request.auth))
