"""Requests API: list, detail, create, dispatch, handle, rate, merge, extensions; categories, enterprises,
rankings. Objects come through `scope` (outside one's scope is a 404); the rules are in `services`.
A requester's name and phone are masked unless the caller is the office or the handling unit.
"""
import datetime as dt
from typing import Dict, List, Optional

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from typing_extensions import TypeAliasType

from luoshi.ledger.api import ERRORS, Id, Pages, UnitRef
from luoshi.ledger.services import month_of

from . import rates, scope, services
from .models import ServiceCategory, ServiceRequest, Urgency

router = Router(tags=["企业与群众诉求"])

# a name of its own in the OpenAPI schema, not the "Status" shared with tasks, notices… (see ledger.api)
RequestStatus = TypeAliasType("RequestStatus", ServiceRequest.Status)


def _user(context):
    return context["request"].auth


class CategoryOut(Schema):
    service_code: str = Field(description="服务代码（Open311 service_code）")
    name: str
    group: str
    description: str
    deadline_hours: int = Field(description="默认办理时限（小时）")
    attributes: list = Field(description="附加字段定义（Open311 attributes）")


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str = Field(description="统一社会信用代码")
    township: UnitRef
    industry: str
    is_key: bool = Field(description="重点企业")
    officer: Optional[str] = Field(description="首席服务官")

    @staticmethod
    def resolve_officer(obj):
        return obj.officer.person.name if obj.officer_id else None


class EventOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    unit: Optional[UnitRef]
    text: str

    @staticmethod
    def resolve_label(obj):
        return obj.get_kind_display()


class RequestOut(Schema):
    id: int
    number: str = Field(description="编号，如 2021-000123")
    channel: ServiceRequest.Channel
    category: str = Field(description="类别的 service_code")
    urgency: Urgency
    description: str = Field(description="诉求内容（无权查看联系方式时，其中的电话号码已打码）")
    address: str
    lat: Optional[float]
    long: Optional[float]
    contact_name: str = Field(description="联系人（仅承办单位和督查室可见全名）")
    contact_phone: str = Field(description="联系电话（仅承办单位和督查室可见，其他人为 138****5678）")
    contact_masked: bool
    enterprise: Optional[str]
    status: RequestStatus
    unit: Optional[UnitRef] = Field(description="承办单位")
    suggested_unit: Optional[UnitRef] = Field(description="系统建议的承办单位")
    suggestion_reason: str
    created_at: dt.datetime
    dispatched_at: Optional[dt.datetime]
    sign_due: Optional[dt.datetime] = Field(description="签收时限")
    reply_due: Optional[dt.datetime] = Field(description="答复时限（含已批准的延期）")
    extension_pending: bool
    duplicate_of: Optional[str] = Field(description="疑似重复的诉求编号")
    duplicate_score: Optional[float]
    merged_into: Optional[str]
    rating: str

    @staticmethod
    def resolve_category(obj):
        return obj.category.service_code

    @staticmethod
    def resolve_description(obj, context):
        return services.description_for(_user(context), obj)

    @staticmethod
    def resolve_contact_name(obj, context):
        return services.contact_for(_user(context), obj).name

    @staticmethod
    def resolve_contact_phone(obj, context):
        return services.contact_for(_user(context), obj).phone

    @staticmethod
    def resolve_contact_masked(obj, context):
        return services.contact_for(_user(context), obj).masked

    @staticmethod
    def resolve_enterprise(obj):
        return obj.enterprise.name if obj.enterprise_id else None

    @staticmethod
    def resolve_duplicate_of(obj):
        return obj.duplicate_of.number if obj.duplicate_of_id else None

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into.number if obj.merged_into_id else None


class RequestDetail(RequestOut):
    events: List[EventOut] = Field(description="办理记录")

    @staticmethod
    def resolve_events(obj):
        return obj.events.select_related("unit")


class RequestIn(Schema):
    category: str = Field(description="类别的 service_code")
    description: str = Field(max_length=2000)
    address: str = Field("", max_length=200)
    lat: Optional[float] = None
    long: Optional[float] = None
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=20)
    urgency: Urgency = Urgency.ORDINARY
    enterprise: Optional[Id] = None
    attributes: Dict[str, object] = {}


class RequestFilters(Schema):
    status: Optional[RequestStatus] = None
    unit: Optional[Id] = None
    category: Optional[str] = None
    q: Optional[str] = Field(None, max_length=100, description="编号或内容关键词")


class DispatchIn(Schema):
    unit: Optional[Id] = Field(None, description="承办单位 id；空则采用系统建议")
    note: str = ""


class RequestNoteIn(Schema):
    note: str = ""


class RequestReasonIn(Schema):
    reason: str


class RequestReplyIn(Schema):
    text: str


class ResolveIn(Schema):
    resolved: bool = Field(description="true 已解决；false 已办结但未解决（已向诉求人说明）")
    note: str = ""


class RateIn(Schema):
    rating: ServiceRequest.Rating
    text: str = ""


class MergeIn(Schema):
    into: Id = Field(description="并入的诉求 id")


class ExtensionIn(Schema):
    hours: int = Field(ge=1, le=services.MAX_EXTENSION_HOURS)
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class UnitRatesRow(Schema):
    rank: Optional[int]
    unit: UnitRef
    dispatched: int
    responded: int
    concluded: int
    resolved: int
    concluded_on_time: int
    open_overdue: int
    rated: int
    response_rate: Optional[float]
    resolution_rate: Optional[float]
    satisfaction_rate: Optional[float]
    on_time_rate: Optional[float]
    composite: Optional[float]


REQUEST_RELATED = ["category", "unit", "suggested_unit", "enterprise", "duplicate_of", "merged_into"]


def _requests(user):
    return scope.requests_for(user).select_related(*REQUEST_RELATED)


def _detail(user, pk):
    return get_object_or_404(_requests(user), pk=pk)


@router.get("/service/requests", response=List[RequestOut], summary="诉求列表（新提交的在前）")
@paginate(Pages)
def list_requests(request, filters: Query[RequestFilters]):
    reqs = _requests(request.auth)
    if filters.status:
        reqs = reqs.filter(status=filters.status)
    if filters.unit:
        reqs = reqs.filter(unit=filters.unit)
    if filters.category:
        reqs = reqs.filter(category__service_code=filters.category)
    if filters.q:
        reqs = reqs.filter(Q(number=filters.q) | Q(description__contains=filters.q))
    return reqs.order_by("-created_at", "-id")


@router.get("/service/requests/{request_id}", response={200: RequestDetail, **ERRORS}, summary="诉求详情")
def get_request(request, request_id: Id):
    return _detail(request.auth, request_id)


@router.post("/service/requests", response={201: RequestDetail, **ERRORS}, summary="提交诉求（接口渠道）")
def create_request(request, payload: RequestIn):
    req = services.submit_request(**payload.dict(), channel=ServiceRequest.Channel.API, user=request.auth)
    # the caller may not be in the request's scope (e.g. a partner system): answer with what it sent
    found = _requests(request.auth).filter(pk=req.pk).first()
    return Status(201, found or req)


def _act(request, request_id, action, *args, **kwargs):
    action(_detail(request.auth, request_id), request.auth, *args, **kwargs)
    return _detail(request.auth, request_id)


@router.post("/service/requests/{request_id}/dispatch", response={200: RequestDetail, **ERRORS},
             summary="派单（督查室；退单后重新派单即督查室的决定）")
def dispatch(request, request_id: Id, payload: DispatchIn):
    return _act(request, request_id, services.dispatch, payload.unit, payload.note)


@router.post("/service/requests/{request_id}/sign", response={200: RequestDetail, **ERRORS}, summary="签收（承办单位）")
def sign(request, request_id: Id):
    return _act(request, request_id, services.sign)


@router.post("/service/requests/{request_id}/contact", response={200: RequestDetail, **ERRORS},
             summary="记录已联系诉求人（承办单位）")
def contact(request, request_id: Id, payload: RequestNoteIn):
    return _act(request, request_id, services.contact, payload.note)


@router.post("/service/requests/{request_id}/return", response={200: RequestDetail, **ERRORS},
             summary="退单（承办单位，每件一次，写明理由）")
def return_request(request, request_id: Id, payload: RequestReasonIn):
    return _act(request, request_id, services.return_request, payload.reason)


@router.post("/service/requests/{request_id}/reply", response={200: RequestDetail, **ERRORS}, summary="答复（承办单位）")
def reply(request, request_id: Id, payload: RequestReplyIn):
    return _act(request, request_id, services.reply, payload.text)


@router.post("/service/requests/{request_id}/resolve", response={200: RequestDetail, **ERRORS},
             summary="办结（承办单位或督查室）")
def resolve(request, request_id: Id, payload: ResolveIn):
    return _act(request, request_id, services.conclude, payload.resolved, payload.note)


@router.post("/service/requests/{request_id}/rate", response={200: RequestDetail, **ERRORS},
             summary="回访评价（督查室话务员；不满意重办一次）")
def rate(request, request_id: Id, payload: RateIn):
    services.rate(_detail(request.auth, request_id), payload.rating, request.auth, payload.text)
    return _detail(request.auth, request_id)


@router.post("/service/requests/{request_id}/merge", response={200: RequestDetail, **ERRORS},
             summary="合并重复诉求（督查室）")
def merge(request, request_id: Id, payload: MergeIn):
    return _act(request, request_id, services.merge, _detail(request.auth, payload.into))


@router.post("/service/requests/{request_id}/extension", response={200: RequestDetail, **ERRORS},
             summary="申请延期（承办单位）")
def request_extension(request, request_id: Id, payload: ExtensionIn):
    return _act(request, request_id, services.request_extension, payload.hours, payload.reason)


@router.post("/service/requests/{request_id}/extension/decision", response={200: RequestDetail, **ERRORS},
             summary="审批延期（督查室）")
def decide_extension(request, request_id: Id, payload: DecisionIn):
    return _act(request, request_id, services.decide_extension, payload.approve, payload.note)


@router.get("/service/categories", response=List[CategoryOut], summary="诉求类别")
def categories(request):
    return ServiceCategory.objects.filter(active=True)


@router.get("/service/enterprises", response=List[EnterpriseOut], summary="企业")
@paginate(Pages)
def enterprises(request, key: Optional[bool] = None):
    found = scope.enterprises_for(request.auth).select_related("township", "officer__person")
    return found if key is None else found.filter(is_key=key)


@router.get("/service/rankings", response={200: List[UnitRatesRow], **ERRORS},
            summary="月度排名（乡镇街道或部门；四率与综合得分）")
def rankings(request, month: str = Query(..., pattern=r"^\d{4}-\d{2}$", description="如 2021-06"),
             kind: str = Query("township", pattern="^(township|department)$")):
    scope.require(scope.person_of(request.auth) is not None or scope.is_office(request.auth))
    # month_of refuses a month outside 2000–2100 (422), where the ranking's day and time arithmetic overflows
    return rates.monthly_ranking(month_of(month), kind)
