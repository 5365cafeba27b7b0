"""Projects API: key projects, stages and checklists, 月调度, 协调事项, the 招商 pipeline, live figures.

Objects are fetched through `scope` first (outside the user's scope is a 404, like a missing id); the rules stay
in `services`, whose LedgerError / PermissionDenied the global handlers turn into 422 / 403.
"""
import datetime as dt
from decimal import Decimal
from typing import Annotated, List, Optional, Union

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from typing_extensions import TypeAliasType

from luoshi.ledger.api import ERRORS, AuditOut, Error, Id, Pages, PersonRef, UnitRef
from luoshi.ledger.models import AuditEntry, Light
from luoshi.ledger.services import FIRST_YEAR, LAST_YEAR, Conflict

from . import scope, services
from .models import FundsInPlace, Lead, MonthlyReport, Problem, Project, Stage, StageItem, TargetBinding

router = Router(tags=["重点项目与招商"])

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, allow_inf_nan=False)]
Ref = Annotated[Union[Id, str], Field(description="id 或名称")]
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="月份，如 2021-06")]
# names of their own in the OpenAPI schema (see ledger.api): Stage and Lead.Stage, Project.Category and
# Problem.Category would otherwise share one name and one of each pair would be lost
ProjectStage = TypeAliasType("ProjectStage", Stage)
LeadStage = TypeAliasType("LeadStage", Lead.Stage)
ProjectCategory = TypeAliasType("ProjectCategory", Project.Category)
ProblemCategory = TypeAliasType("ProblemCategory", Problem.Category)
ProblemStatus = TypeAliasType("ProblemStatus", Problem.Status)


# --- output -------------------------------------------------------------------------------

class ProgrammeRef(Schema):
    id: int
    name: str


class ProjectOut(Schema):
    id: int
    name: str = Field(description="项目名称")
    category: ProjectCategory = Field(description="项目类别")
    programme: Optional[ProgrammeRef] = Field(description="所属工程（三十工程、十件民生实事…）")
    township: Optional[UnitRef] = Field(description="所在乡镇")
    owner: str = Field(description="业主单位")
    leader: PersonRef = Field(description="责任领导")
    lead_unit: UnitRef = Field(description="责任单位")
    service_officer: Optional[PersonRef] = Field(description="首席服务官")
    total_investment: Decimal = Field(description="总投资（万元）")
    annual_investment: Decimal = Field(description="年度计划投资（万元）")
    completed_investment: Decimal = Field(description="累计完成投资（万元）")
    provincial_key: bool = Field(description="纳入省重点项目计划")
    city_key: bool = Field(description="纳入市重点项目计划")
    stage: ProjectStage = Field(description="当前阶段")
    registered_on: dt.date = Field(description="入库日期")
    planned_preparation: Optional[dt.date]
    planned_construction: Optional[dt.date] = Field(description="计划开工")
    planned_completion: Optional[dt.date] = Field(description="计划竣工投产")
    entered_preparation: Optional[dt.date]
    entered_construction: Optional[dt.date] = Field(description="开工日期")
    entered_completion: Optional[dt.date] = Field(description="竣工投产日期")
    last_report_month: Optional[dt.date]
    light: Light = Field(description="红黄绿灯")
    light_reason: str
    version: int = Field(description="修改时原样带回，用于发现并发修改")


class ChecklistItem(Schema):
    id: int
    stage: ProjectStage
    name: str
    required: bool = Field(description="进入下一阶段前必须办结")
    done_on: Optional[dt.date]


class PhotoOut(Schema):
    name: str
    size: int


class MonthlyReportOut(Schema):
    id: int
    month: dt.date
    investment: Decimal = Field(description="本月完成投资（万元）")
    year_to_date: Decimal = Field(description="年度累计完成（万元）")
    progress: str = Field(description="形象进度")
    created_at: dt.datetime
    photos: List[PhotoOut]


class ProblemOut(Schema):
    id: int
    project_id: int
    category: ProblemCategory
    text: str
    unit: UnitRef = Field(description="协调单位")
    deadline: dt.date
    status: ProblemStatus
    reply: str
    raised_at: dt.datetime
    replied_at: Optional[dt.datetime]
    escalated_at: Optional[dt.datetime] = Field(description="逾期提级给责任领导的时间")


class ProjectDetail(ProjectOut):
    content: str = Field(description="建设内容")
    members: List[PersonRef] = Field(description="专班成员")
    checklist: List[ChecklistItem]
    problems: List[ProblemOut]
    reports: List[MonthlyReportOut] = Field(description="最近 12 次月调度")

    @staticmethod
    def resolve_checklist(obj):
        return [{"id": item.pk, "stage": item.stage, "name": item.name, "required": item.required,
                 "done_on": done.done_on if done else None}
                for _, _, rows in services.checklist(obj) for item, done in rows]

    @staticmethod
    def resolve_problems(obj):
        return obj.problems.select_related("unit")

    @staticmethod
    def resolve_reports(obj):
        return obj.reports.prefetch_related("photos")[:12]


class ConflictOut(Error):
    current: ProjectDetail = Field(description="他人保存的最新内容")


class LeadOut(Schema):
    id: int
    name: str
    investor: str = Field(description="投资方")
    industry: str
    amount: Decimal = Field(description="投资额（万，原币）")
    currency: str
    amount_cny: Decimal = Field(description="折合人民币（万元）")
    above_100m: bool = Field(description="亿元以上")
    source: Lead.Source
    stage: LeadStage
    unit: UnitRef = Field(description="跟进单位")
    leader: Optional[PersonRef]
    signed_on: Optional[dt.date]
    registered_on: Optional[dt.date]
    started_on: Optional[dt.date]
    producing_on: Optional[dt.date]
    project_id: Optional[int] = Field(description="转入的重点项目")


class FundsOut(Schema):
    month: dt.date
    amount: Decimal = Field(description="到位资金（万，原币）")
    amount_cny: Decimal = Field(description="折合人民币（万元）")


class FigureOut(Schema):
    figure: TargetBinding.Figure
    label: str
    year: int
    value: Decimal


# --- input --------------------------------------------------------------------------------

class ProjectFields(Schema):
    category: ProjectCategory = None
    programme: Optional[Ref] = None
    township: Optional[Ref] = None
    owner: str = Field(None, max_length=100)
    content: str = None
    leader: Ref = None
    lead_unit: Ref = None
    service_officer: Optional[Ref] = None
    members: List[Ref] = None
    total_investment: Money = None
    annual_investment: Money = None
    provincial_key: bool = None
    city_key: bool = None
    planned_preparation: Optional[dt.date] = None
    planned_construction: Optional[dt.date] = None
    planned_completion: Optional[dt.date] = None


class ProjectIn(ProjectFields):
    name: str = Field(max_length=100)
    category: ProjectCategory
    leader: Ref
    lead_unit: Ref
    total_investment: Money
    stage: ProjectStage = Field(Stage.INTRODUCED, description="导入既有项目时可直接指定阶段")


class ProjectPatch(ProjectFields):
    """Only the fields sent are changed."""

    version: int = Field(description="读取项目时得到的 version")
    name: str = Field(None, min_length=1, max_length=100)


class ProjectFilters(Schema):
    stage: Optional[ProjectStage] = None
    programme: Optional[Id] = None
    category: Optional[ProjectCategory] = None
    light: Optional[Light] = None
    township: Optional[Id] = None
    q: Optional[str] = Field(None, max_length=100, description="项目名称或业主单位包含的文字")


class DoneIn(Schema):
    done_on: Optional[dt.date] = Field(None, description="完成日期，默认今天")


class MonthlyReportIn(Schema):
    month: Month
    investment: Money = Field(description="本月完成投资（万元）")
    progress: str = Field(description="形象进度")


class ProblemIn(Schema):
    category: ProblemCategory
    text: str
    unit: Ref = Field(description="协调单位")
    deadline: dt.date


class ProblemReplyIn(Schema):
    reply: str


class LeadIn(Schema):
    name: str = Field(max_length=100)
    investor: str = Field(max_length=100)
    industry: str = Field("", max_length=50)
    amount: Money = Field(description="投资额（万，原币）")
    currency: str = Field("CNY", max_length=3)
    amount_cny: Optional[Money] = Field(None, description="折合人民币（万元）；空则按汇率表折算")
    source: Lead.Source
    unit: Ref = Field(description="跟进单位")
    leader: Optional[Ref] = None
    note: str = ""


class ConvertIn(Schema):
    leader: Ref = Field(description="责任领导")
    category: ProjectCategory
    lead_unit: Optional[Ref] = Field(None, description="责任单位，默认跟进单位")
    programme: Optional[Ref] = None
    township: Optional[Ref] = None


class FundsIn(Schema):
    month: Month
    amount: Money = Field(description="到位资金（万，原币）")


class LeadFilters(Schema):
    stage: Optional[LeadStage] = None
    source: Optional[Lead.Source] = None
    above_100m: Optional[bool] = None


# --- projects -----------------------------------------------------------------------------

def _projects(user):
    return scope.projects_for(user).select_related("programme", "township", "leader", "lead_unit",
                                                   "service_officer")


def _detail(user, pk):
    return get_object_or_404(_projects(user).prefetch_related("members", "items_done"), pk=pk)


@router.get("/projects", response=List[ProjectOut], summary="重点项目列表")
@paginate(Pages)
def list_projects(request, filters: Query[ProjectFilters]):
    projects = _projects(request.auth)
    for name in ("stage", "programme", "category", "light", "township"):
        if getattr(filters, name):
            projects = projects.filter(**{name: getattr(filters, name)})
    if filters.q:
        projects = projects.filter(Q(name__icontains=filters.q) | Q(owner__icontains=filters.q))
    return projects.order_by("id")


@router.get("/projects/problems", response=List[ProblemOut], summary="协调事项（本单位待办和所跟项目的）")
@paginate(Pages)
def list_problems(request, status: Optional[ProblemStatus] = None):
    problems = scope.problems_for(request.auth).select_related("unit")
    return problems.filter(status=status) if status else problems


@router.get("/projects/{project_id}", response={200: ProjectDetail, **ERRORS}, summary="项目详情")
def get_project(request, project_id: Id):
    return _detail(request.auth, project_id)


@router.post("/projects", response={201: ProjectDetail, **ERRORS}, summary="新建项目（督查室）")
def create_project(request, payload: ProjectIn):
    fields = payload.dict(exclude_none=True)
    project = services.create_project(request.auth, **fields)
    return Status(201, _detail(request.auth, project.pk))


@router.patch("/projects/{project_id}", response={200: ProjectDetail, 409: ConflictOut, **ERRORS},
              summary="修改项目（督查室，带 version；他人已修改时 409）")
def update_project(request, project_id: Id, payload: ProjectPatch):
    project = scope.project_for(request.auth, project_id)
    fields = payload.dict(exclude_unset=True)
    version, members = fields.pop("version"), fields.pop("members", None)
    try:
        services.update_project(project, request.auth, version, members=members, **fields)
    except Conflict as e:
        return Status(409, {"detail": str(e), "current": _detail(request.auth, e.current.pk)})
    return _detail(request.auth, project.pk)


@router.post("/projects/{project_id}/advance", response={200: ProjectDetail, **ERRORS},
             summary="进入下一阶段（须办结本阶段必办事项）")
def advance_stage(request, project_id: Id):
    services.advance_stage(scope.project_for(request.auth, project_id), request.auth)
    return _detail(request.auth, project_id)


@router.post("/projects/{project_id}/items/{item_id}/done", response={200: ProjectDetail, **ERRORS},
             summary="办结阶段事项")
def item_done(request, project_id: Id, item_id: Id, payload: DoneIn):
    project = scope.project_for(request.auth, project_id)
    services.mark_item_done(project, request.auth, get_object_or_404(StageItem, pk=item_id), payload.done_on)
    return _detail(request.auth, project_id)


@router.get("/projects/{project_id}/reports", response={200: List[MonthlyReportOut], **ERRORS}, summary="月调度记录")
def list_reports(request, project_id: Id):
    return scope.project_for(request.auth, project_id).reports.prefetch_related("photos")


@router.post("/projects/{project_id}/reports", response={201: MonthlyReportOut, **ERRORS},
             summary="填报月调度（同月再报即更正）")
def report_month(request, project_id: Id, payload: MonthlyReportIn):
    project = scope.project_for(request.auth, project_id)
    report = services.report_month(project, request.auth, payload.month, payload.investment, payload.progress)
    return Status(201, MonthlyReport.objects.prefetch_related("photos").get(pk=report.pk))


@router.get("/projects/{project_id}/problems", response={200: List[ProblemOut], **ERRORS}, summary="项目的协调事项")
def project_problems(request, project_id: Id):
    return scope.project_for(request.auth, project_id).problems.select_related("unit")


@router.post("/projects/{project_id}/problems", response={201: ProblemOut, **ERRORS}, summary="提交协调事项")
def raise_problem(request, project_id: Id, payload: ProblemIn):
    project = scope.project_for(request.auth, project_id)
    problem = services.raise_problem(project, request.auth, payload.category, payload.text, payload.unit,
                                     payload.deadline)
    return Status(201, problem)


@router.post("/projects/problems/{problem_id}/reply", response={200: ProblemOut, **ERRORS},
             summary="答复协调事项（协调单位）")
def reply_problem(request, problem_id: Id, payload: ProblemReplyIn):
    problem = get_object_or_404(scope.problems_for(request.auth).select_related("project"), pk=problem_id)
    return services.reply_problem(problem, request.auth, payload.reply)


@router.post("/projects/problems/{problem_id}/close", response={200: ProblemOut, **ERRORS},
             summary="办结协调事项（项目专班）")
def close_problem(request, problem_id: Id):
    problem = get_object_or_404(scope.problems_for(request.auth).select_related("project"), pk=problem_id)
    return services.close_problem(problem, request.auth)


@router.get("/projects/{project_id}/audit", response={200: List[AuditOut], **ERRORS}, summary="项目操作记录")
def project_audit(request, project_id: Id):
    project = scope.project_for(request.auth, project_id)
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Project),
                                     object_id=project.pk).select_related("actor__person")


# --- the pipeline -------------------------------------------------------------------------

def _lead(user, pk):
    return get_object_or_404(scope.leads_for(user).select_related("unit", "leader"), pk=pk)


@router.get("/leads", response=List[LeadOut], summary="招商项目列表")
@paginate(Pages)
def list_leads(request, filters: Query[LeadFilters]):
    leads = scope.leads_for(request.auth).select_related("unit", "leader")
    if filters.stage:
        leads = leads.filter(stage=filters.stage)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.above_100m is not None:
        leads = leads.filter(**{"amount_cny__gte" if filters.above_100m else "amount_cny__lt": 10000})
    return leads


@router.post("/leads", response={201: LeadOut, **ERRORS}, summary="登记招商项目")
def create_lead(request, payload: LeadIn):
    lead = services.create_lead(request.auth, **payload.dict())
    return Status(201, _lead(request.auth, lead.pk))


@router.post("/leads/{lead_id}/advance", response={200: LeadOut, **ERRORS}, summary="推进到下一阶段（签约、注册…）")
def advance_lead(request, lead_id: Id):
    services.advance_lead(_lead(request.auth, lead_id), request.auth)
    return _lead(request.auth, lead_id)


@router.post("/leads/{lead_id}/convert", response={201: ProjectDetail, **ERRORS},
             summary="签约项目转为重点项目（督查室）")
def convert_lead(request, lead_id: Id, payload: ConvertIn):
    fields = payload.dict(exclude_none=True)
    project = services.convert_lead(_lead(request.auth, lead_id), request.auth, fields.pop("leader"),
                                    fields.pop("category"), **fields)
    return Status(201, _detail(request.auth, project.pk))


@router.get("/leads/{lead_id}/funds", response={200: List[FundsOut], **ERRORS}, summary="到位资金")
def list_funds(request, lead_id: Id):
    return FundsInPlace.objects.filter(lead=_lead(request.auth, lead_id))


@router.post("/leads/{lead_id}/funds", response={201: FundsOut, **ERRORS}, summary="填报到位资金（同月再报即更正）")
def add_funds(request, lead_id: Id, payload: FundsIn):
    return Status(201, services.add_funds(_lead(request.auth, lead_id), request.auth, payload.month, payload.amount))


class YearIn(Schema):
    year: Optional[int] = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="年度，默认当年")


@router.get("/live-figures", response=List[FigureOut], summary="实时指标（招商与项目）")
def live_figures(request, filters: Query[YearIn]):
    year = filters.year or services.today().year
    return [{"figure": f, "label": f.label, "year": year, "value": services.figure_value(f, year)}
            for f in TargetBinding.Figure]
