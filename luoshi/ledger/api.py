"""Ledger API: tasks, progress reports, targets, supervision notices, leader instructions, publishing.

Every object is fetched through `scope` first, so anything outside the user's scope is a 404
(exactly like a missing id); the rules themselves (who may act, what is valid) stay in `services`.
"""
import datetime as dt
from decimal import Decimal
from typing import Annotated, Dict, List, Optional, Union

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from typing_extensions import TypeAliasType

from luoshi.org.models import Person, Unit
from luoshi.projects.services import actual_for

from . import scope, services
from .models import Document, Instruction, Light, SupervisionNotice, Target, Task

router = Router(tags=["任务台账"])

# Ids beyond a signed 64-bit integer cannot exist; rejecting them early keeps the database out of it.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
UnitKey = Annotated[Union[Id, str], Field(description="单位 id 或名称")]
LeaderKey = Annotated[Union[Id, str], Field(description="分管领导的人员 id 或姓名")]
# Same precision as Target.value, so an oversized number is a 422 and never reaches the database.
TargetValue = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
# ninja files a schema under its bare class name: Task.Status, SupervisionNotice.Status and Run.Status would all
# be "Status" (the last one overwriting the rest), so each model's choices get a name of their own
TaskStatus = TypeAliasType("TaskStatus", Task.Status)
NoticeStatus = TypeAliasType("NoticeStatus", SupervisionNotice.Status)
InstructionStatus = TypeAliasType("InstructionStatus", Instruction.Status)


class Pages(PageNumberPagination):
    """Page numbers are bounded: an absurd page would overflow the database's OFFSET."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000, description="页码，从 1 开始")
        page_size: Optional[int] = Field(None, ge=1, le=1000, description="每页条数，最多 100")

    def __init__(self, **kwargs):
        super().__init__(page_size=50, max_page_size=100, **kwargs)


# --- output -------------------------------------------------------------------------------

class Error(Schema):
    detail: str = Field(description="中文错误说明")
    field: Optional[str] = Field(None, description="出错的输入字段")
    errors: Optional[Dict[str, List[str]]] = Field(None, description="新建、发布任务时每行的错误：行号（从 0 起）→ 说明")


ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}


class UnitRef(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    name: str
    title: str


class TaskRef(Schema):
    id: int
    code: str
    title: str


class TargetOut(Schema):
    id: int
    text: str = Field(description="原文")
    metric: str = Field(description="指标")
    value: Optional[str] = Field(description="目标值（十进制字符串）；待定目标未填时为空")
    unit: str = Field(description="计量单位")
    placeholder: bool = Field(description="待定目标（**），需牵头单位填报、督查室确认")
    state: Target.State
    note: str
    filled_at: Optional[dt.datetime]
    display: str = Field(description="显示文本，未填的待定值显示为 **")
    version: int
    actual: Optional[str] = Field(None, description="关联实时指标时的实际完成值（如签约亿元以上项目个数）")

    @staticmethod
    def resolve_value(obj):
        return None if obj.value is None else f"{obj.value.normalize():f}"

    @staticmethod
    def resolve_actual(obj):
        actual = actual_for(obj)
        return None if actual is None else f"{actual.normalize():f}"

    @staticmethod
    def resolve_display(obj):
        return obj.display()


class MilestoneOut(Schema):
    id: int
    title: str
    due: dt.date
    done_on: Optional[dt.date]


class MilestoneIn(Schema):
    title: str = Field(min_length=1, max_length=200, description="节点名称")
    due: dt.date = Field(description="计划时间：不早于交办日期，不晚于完成时限，在 2000–2100 年之间")


class AttachmentOut(Schema):
    name: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj):
        return obj.file.url


def _name(user):
    person = getattr(user, "person", None)
    return person.name if person else user.get_username()


class ReportOut(Schema):
    id: int
    task_id: int
    unit: UnitRef = Field(description="填报单位")
    author: str
    percent: int = Field(description="进度（%）")
    text: str = Field(description="进展情况")
    done: bool = Field(description="申报完成")
    created_at: dt.datetime
    attachments: List[AttachmentOut]

    @staticmethod
    def resolve_author(obj):
        return _name(obj.author)


class NoticeOut(Schema):
    id: int
    number: str = Field(description="督办单编号，如 督办〔2021〕3号")
    task: TaskRef
    unit: UnitRef = Field(description="督办单位")
    light: Light = Field(description="督办时灯色")
    reason: str = Field(description="督办事由")
    requirement: str = Field(description="督办要求")
    reply_due: dt.date = Field(description="答复期限")
    issued_at: dt.datetime
    status: NoticeStatus
    reply: str
    replied_at: Optional[dt.datetime]
    escalated_at: Optional[dt.datetime]


class InstructionOut(Schema):
    id: int
    leader: PersonRef = Field(description="批示领导")
    task_id: Optional[int] = Field(description="批示所针对的任务")
    text: str = Field(description="批示内容")
    unit: UnitRef = Field(description="承办单位")
    due: dt.date = Field(description="办理时限")
    created_at: dt.datetime
    status: InstructionStatus
    reply: str = Field(description="落实情况")
    replied_at: Optional[dt.datetime]

    @staticmethod
    def resolve_task_id(obj):
        return obj.object_id if obj.content_type_id == _task_type().pk else None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: Optional[str]
    action: str
    object_repr: str
    changes: dict = Field(description="字段 → [修改前, 修改后]")

    @staticmethod
    def resolve_actor(obj):
        return _name(obj.actor) if obj.actor else None


class TaskOut(Schema):
    id: int
    code: str = Field(description="编号")
    title: str = Field(description="任务名称")
    section: str = Field(description="所属章节")
    area: str = Field(description="重点领域")
    lead_unit: UnitRef = Field(description="牵头单位")
    co_units: List[UnitRef] = Field(description="责任单位")
    leader: Optional[PersonRef] = Field(description="分管领导")
    start_date: dt.date = Field(description="交办日期")
    deadline: Optional[dt.date] = Field(description="完成时限")
    cadence: int = Field(description="填报周期（天）")
    status: TaskStatus
    progress: int = Field(description="进度（%）")
    last_report_at: Optional[dt.datetime]
    light: Light = Field(description="红黄绿灯")
    light_reason: str
    version: int = Field(description="修改时原样带回，用于发现并发修改")


class TaskDetail(TaskOut):
    text: str = Field(description="任务内容")
    owner_text: str
    source_text: str = Field(description="依据原文")
    targets: List[TargetOut]
    milestones: List[MilestoneOut]
    reports: List[ReportOut] = Field(description="最近 5 次进度填报")
    notices: List[NoticeOut]
    instructions: List[InstructionOut]

    @staticmethod
    def resolve_reports(obj):
        return obj.reports.select_related("unit", "author__person").prefetch_related("attachments")[:5]

    # notices and instructions are scoped on their own: seeing a task is not seeing every notice on it
    @staticmethod
    def resolve_notices(obj, context):
        return scope.notices_for(context["request"].auth).filter(task=obj).select_related("task", "unit")

    @staticmethod
    def resolve_instructions(obj, context):
        return (scope.instructions_for(context["request"].auth)
                .filter(content_type=_task_type(), object_id=obj.pk).select_related("leader", "unit"))


def _task_type():
    return ContentType.objects.get_for_model(Task)


# what luoshi.api's Conflict handler answers when the version sent is not the current one
class TaskConflictOut(Error):
    current: TaskDetail = Field(description="他人保存的最新内容")


class TargetConflictOut(Error):
    current: TargetOut = Field(description="目标值的最新内容")


# --- input --------------------------------------------------------------------------------

class TargetIn(Schema):
    text: str = Field("", max_length=200, description="原文，如“引进亿元以上项目**个”")
    metric: str = Field("", max_length=200)
    value: Optional[TargetValue] = None
    unit: str = Field("", max_length=20, description="计量单位")
    placeholder: bool = Field(False, description="待定目标，由牵头单位填报")


class TaskIn(Schema):
    # the model's lengths: a longer value is a 422, not silently cut (only a title taken from the text is cut)
    title: str = Field("", max_length=200, description="任务名称（空则取任务内容）")
    text: str = Field("", description="任务内容")
    section: str = Field("", max_length=200)
    area: str = Field("", max_length=50, description="重点领域")
    lead_unit: Optional[UnitKey] = None
    co_units: List[UnitKey] = []
    leader: Optional[LeaderKey] = None
    deadline: Optional[dt.date] = Field(None, description="完成时限，如 2021-06-30")
    targets: List[TargetIn] = []


class PublishRow(TaskIn):
    start: Optional[int] = Field(None, ge=0, le=2**31 - 1, description="依据原文在文件中的起始位置")
    end: Optional[int] = Field(None, ge=0, le=2**31 - 1)
    source_text: str = ""


class PublishIn(Schema):
    rows: List[PublishRow]


class TaskPatch(Schema):
    """Only the fields sent are changed; `null` is accepted only where a value may be empty."""

    version: int = Field(description="读取任务时得到的 version")
    title: str = Field(None, min_length=1, max_length=200)
    text: str = Field(None, min_length=1)
    section: str = Field(None, max_length=200)
    area: str = Field(None, max_length=50)
    lead_unit: Id = None
    co_units: List[Id] = None
    leader: Optional[Id] = None
    deadline: Optional[dt.date] = None
    cadence: Task.Cadence = None


class ReportIn(Schema):
    percent: int = Field(description="进度 0–100")
    text: str = Field(description="进展情况")
    done: bool = Field(False, description="申报完成（仅牵头单位）")


class ReasonIn(Schema):
    reason: str = Field(description="退回理由")


class FillIn(Schema):
    value: TargetValue = Field(description="目标值")
    note: str = Field("", max_length=200)


class NoteIn(Schema):
    note: str = Field(description="退回理由")
    version: Optional[int] = Field(None, description="看到的目标 version；目标已被改动则 409")


class NoticeIn(Schema):
    reason: str = Field(description="督办事由")
    requirement: str = Field("", description="督办要求")
    reply_due: Optional[dt.date] = Field(None, description="答复期限，默认按规则天数")


class ReplyIn(Schema):
    reply: str = Field(description="答复 / 落实情况")


class InstructionIn(Schema):
    text: str = Field(description="批示内容")
    unit: Optional[Id] = Field(None, description="承办单位 id，默认牵头单位")
    due: dt.date = Field(description="办理时限")


class TaskFilters(Schema):
    unit: Optional[Id] = Field(None, description="牵头或责任单位 id")
    light: Optional[Light] = None
    leader: Optional[Id] = Field(None, description="分管领导的人员 id")
    status: Optional[TaskStatus] = None
    area: Optional[str] = Field(None, description="重点领域")
    q: Optional[str] = Field(None, max_length=100, description="编号、名称或内容包含的文字")


class NoticeFilters(Schema):
    status: Optional[NoticeStatus] = None
    task: Optional[Id] = None


# --- tasks --------------------------------------------------------------------------------

def _tasks(user):
    return scope.tasks_for(user).select_related("lead_unit", "leader").prefetch_related("co_units")


def _detail(user, pk):
    return get_object_or_404(_tasks(user).prefetch_related("targets", "milestones"), pk=pk)


@router.get("/tasks", response=List[TaskOut], summary="任务列表（按完成时限）")
@paginate(Pages)
def list_tasks(request, filters: Query[TaskFilters]):
    return services.filter_tasks(_tasks(request.auth), **filters.dict()).order_by(F("deadline").asc(nulls_last=True), "code")


@router.get("/tasks/{task_id}", response={200: TaskDetail, **ERRORS}, summary="任务详情")
def get_task(request, task_id: Id):
    return _detail(request.auth, task_id)


@router.post("/tasks", response={201: TaskDetail, **ERRORS}, summary="新建任务（督查室）")
def create_task(request, payload: TaskIn):
    # create_tasks itself does not check the role (publishing does), so the door is checked here
    scope.require(scope.can_edit_task(request.auth))
    task = services.create_tasks([payload.dict()], request.auth)[0]
    return Status(201, _detail(request.auth, task.pk))


@router.patch("/tasks/{task_id}", response={200: TaskDetail, 409: TaskConflictOut, **ERRORS},
              summary="修改任务（督查室，带 version；他人已修改时 409）")
def update_task(request, task_id: Id, payload: TaskPatch):
    user = request.auth
    task = scope.task_for(user, task_id)
    scope.require(scope.can_edit_task(user, task))
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    if "lead_unit" in fields:
        fields["lead_unit"] = Unit.objects.filter(pk=fields["lead_unit"]).first()
        if fields["lead_unit"] is None:
            raise services.LedgerError("牵头单位不存在", "lead_unit")
    if fields.get("leader") is not None:
        fields["leader"] = Person.objects.filter(pk=fields["leader"], role=Person.Role.LEADER).first()
        if fields["leader"] is None:
            raise services.LedgerError("分管领导不存在", "leader")
    co_units = fields.pop("co_units", None)
    if co_units is not None:
        ids = set(co_units)
        co_units = list(Unit.objects.filter(pk__in=ids))
        if len(co_units) != len(ids):
            raise services.LedgerError("责任单位不存在", "co_units")
        lead = fields.get("lead_unit") or task.lead_unit
        co_units = [u for u in co_units if u != lead]  # as when publishing: the lead is not also a co-unit
    services.update_task(task, user, version, co_units=co_units, **fields)
    return _detail(user, task.pk)


@router.get("/tasks/{task_id}/reports", response={200: List[ReportOut], **ERRORS}, summary="进度填报记录")
def list_reports(request, task_id: Id):
    task = scope.task_for(request.auth, task_id)
    return task.reports.select_related("unit", "author__person").prefetch_related("attachments")


@router.post("/tasks/{task_id}/reports", response={201: ReportOut, **ERRORS}, summary="填报进度")
def report_progress(request, task_id: Id, payload: ReportIn):
    task = scope.task_for(request.auth, task_id)
    report = services.report_progress(task, request.auth, payload.percent, payload.text, done=payload.done)
    return Status(201, report)


@router.post("/tasks/{task_id}/milestones", response={201: MilestoneOut, **ERRORS}, summary="添加节点（督查室）")
def add_milestone(request, task_id: Id, payload: MilestoneIn):
    task = scope.task_for(request.auth, task_id)
    return Status(201, services.add_milestone(task, request.auth, payload.title, payload.due))


@router.post("/tasks/{task_id}/milestones/{milestone_id}/done", response={200: MilestoneOut, **ERRORS},
             summary="节点完成（牵头单位）")
def complete_milestone(request, task_id: Id, milestone_id: Id):
    task = scope.task_for(request.auth, task_id)
    return services.complete_milestone(get_object_or_404(task.milestones, pk=milestone_id), request.auth)


@router.post("/tasks/{task_id}/verify", response={200: TaskDetail, **ERRORS}, summary="核销任务（督查室）")
def verify_task(request, task_id: Id):
    services.verify_task(scope.task_for(request.auth, task_id), request.auth)
    return _detail(request.auth, task_id)


@router.post("/tasks/{task_id}/return", response={200: TaskDetail, **ERRORS}, summary="退回任务（督查室）")
def return_task(request, task_id: Id, payload: ReasonIn):
    services.return_task(scope.task_for(request.auth, task_id), request.auth, payload.reason)
    return _detail(request.auth, task_id)


@router.get("/tasks/{task_id}/audit", response={200: List[AuditOut], **ERRORS}, summary="审计记录")
def task_audit(request, task_id: Id):
    return scope.task_for(request.auth, task_id).audit.select_related("actor__person")


# --- targets ------------------------------------------------------------------------------

def _target(user, pk):
    return get_object_or_404(Target.objects.filter(task__in=scope.tasks_for(user)).select_related("task"), pk=pk)


@router.post("/targets/{target_id}/fill", response={200: TargetOut, **ERRORS}, summary="填报待定目标值（牵头单位）")
def fill_target(request, target_id: Id, payload: FillIn):
    return services.fill_target(_target(request.auth, target_id), request.auth, payload.value, payload.note)


@router.post("/targets/{target_id}/confirm", response={200: TargetOut, 409: TargetConflictOut, **ERRORS},
             summary="确认目标值（督查室）")
def confirm_target(request, target_id: Id, version: Optional[int] = None):
    """`?version=` is the version the office saw; a value changed since gives 409."""
    return services.confirm_target(_target(request.auth, target_id), request.auth, version=version)


@router.post("/targets/{target_id}/return", response={200: TargetOut, 409: TargetConflictOut, **ERRORS},
             summary="退回目标值（督查室）")
def return_target(request, target_id: Id, payload: NoteIn):
    return services.return_target(_target(request.auth, target_id), request.auth, payload.note,
                                  version=payload.version)


# --- supervision notices ------------------------------------------------------------------

@router.get("/notices", response=List[NoticeOut], summary="督办单列表")
@paginate(Pages)
def list_notices(request, filters: Query[NoticeFilters]):
    notices = scope.notices_for(request.auth).select_related("task", "unit")
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.task:
        notices = notices.filter(task=filters.task)
    return notices


@router.post("/tasks/{task_id}/notices", response={201: NoticeOut, **ERRORS}, summary="下发督办单（督查室）")
def issue_notice(request, task_id: Id, payload: NoticeIn):
    task = scope.task_for(request.auth, task_id)
    notice = services.issue_notice(task, request.auth, payload.reason, payload.requirement, payload.reply_due)
    return Status(201, notice)


@router.post("/notices/{notice_id}/reply", response={200: NoticeOut, **ERRORS}, summary="答复督办单（承办单位）")
def reply_notice(request, notice_id: Id, payload: ReplyIn):
    notice = get_object_or_404(scope.notices_for(request.auth), pk=notice_id)
    return services.reply_notice(notice, request.auth, payload.reply)


# --- leader instructions ------------------------------------------------------------------

@router.get("/instructions", response=List[InstructionOut], summary="领导批示列表")
@paginate(Pages)
def list_instructions(request, status: Optional[InstructionStatus] = None):
    instructions = scope.instructions_for(request.auth).select_related("leader", "unit")
    return instructions.filter(status=status) if status else instructions


@router.post("/tasks/{task_id}/instructions", response={201: InstructionOut, **ERRORS}, summary="领导批示")
def give_instruction(request, task_id: Id, payload: InstructionIn):
    task = scope.task_for(request.auth, task_id)
    instruction = services.give_instruction(request.auth, task, payload.text, payload.unit or task.lead_unit,
                                            payload.due)
    return Status(201, instruction)


@router.post("/instructions/{instruction_id}/reply", response={200: InstructionOut, **ERRORS},
             summary="答复批示（承办单位）")
def reply_instruction(request, instruction_id: Id, payload: ReplyIn):
    instruction = get_object_or_404(scope.instructions_for(request.auth), pk=instruction_id)
    return services.reply_instruction(instruction, request.auth, payload.reply)


# --- publishing a document ----------------------------------------------------------------

@router.post("/documents/{document_id}/publish", response={201: List[TaskOut], **ERRORS},
             summary="发布责任清单（督查室）：全部成功或全部不发布")
def publish_document(request, document_id: Id, payload: PublishIn):
    # documents are the office's drafts: to anyone else they do not exist
    documents = Document.objects.all() if scope.is_office(request.auth) else Document.objects.none()
    document = get_object_or_404(documents, pk=document_id)
    tasks = services.publish_document(document, [row.dict() for row in payload.rows], request.auth)
    return Status(201, _tasks(request.auth).filter(pk__in=[t.pk for t in tasks]).order_by("code"))
