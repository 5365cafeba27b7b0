"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/, in JSON and XML.

Plain Django views: the specification fixes the formats. Services are ServiceCategory rows (their attributes
are the service definition); POST requests needs an api_key (an org.ApiToken) and files a request on the
Open311 channel; GET requests is public and never shows the requester (no name, no phone; phone numbers typed
into a description are masked). The request id is the public number (2021-000123); a token is issued at once
with it. Errors are an array of {code, description} with the matching HTTP status.

settings.LUOSHI_OPEN311_JURISDICTION: the jurisdiction_id this endpoint answers for (empty: any is accepted).
"""
import datetime as dt
import json
import uuid
from xml.etree import ElementTree as ET

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from luoshi.ledger.services import LedgerError, unstorable

from . import rules, services
from .models import OPEN_STATUSES, ServiceCategory, ServiceRequest

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2021-01-01T00:00:00Z"
MAX_RANGE = dt.timedelta(days=90)
MAX_RESULTS = 1000
# list name → element name of its items in XML
ITEM_TAGS = {"services": "service", "attributes": "attribute", "values": "value", "endpoints": "endpoint",
             "formats": "format", "service_requests": "request", "errors": "error"}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Open311Error(Exception):
    def __init__(self, status, description):
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering ----------------------------------------------------------------------------------

def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _w3c(value)
    return "" if value is None else str(value)


def _w3c(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _xml(parent, tag, value):
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml(element, ITEM_TAGS.get(tag, "item"), item)
    else:
        element.text = _text(value)
    return element


def render(fmt, root, value, status=200):
    """JSON as the specification shows it; XML with `root` as the document element."""
    if fmt == "xml":
        holder = ET.Element("holder")
        _xml(holder, root, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(holder[0], encoding="utf-8")
    else:
        body = json.dumps(value, ensure_ascii=False, default=_text).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt, status, description):
    return render(fmt if fmt in CONTENT_TYPES else "json", "errors", [{"code": status, "description": description}],
                  status=status)


def endpoint(view):
    """Format check, jurisdiction check and Open311 errors for every view."""
    def wrapped(request, fmt, **kwargs):
        if fmt not in CONTENT_TYPES:
            return error("json", 404, f"format '{fmt}' not supported: use json or xml")
        for name, values in [*request.GET.lists(), *request.POST.lists()]:
            if any(unstorable(text) for text in [name, *values]):  # PostgreSQL would refuse it: a 500
                field = "参数名" if unstorable(name) else name
                return error(fmt, 400, f"{field}：不能包含空字符（\\u0000）或无效的 Unicode 字符")
        jurisdiction = getattr(settings, "LUOSHI_OPEN311_JURISDICTION", "")
        asked = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
        if jurisdiction and asked and asked != jurisdiction:
            return error(fmt, 404, f"jurisdiction_id '{asked}' not found")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)
        except LedgerError as exc:
            return error(fmt, 400, f"{exc.field}: {exc.message}" if exc.field else exc.message)
    wrapped.__name__ = view.__name__
    return csrf_exempt(wrapped)


# --- discovery and services ---------------------------------------------------------------------

@endpoint
@require_http_methods(["GET"])
def discovery(request, fmt):
    url = request.build_absolute_uri(reverse("open311-discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": getattr(settings, "LUOSHI_OPEN311_CONTACT", "县委县政府督查室"),
        "key_service": "api_key: 向督查室申请接口令牌（系统管理 → API 令牌）",
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


def _service(category):
    return {"service_code": category.service_code, "service_name": category.name,
            "description": category.description, "metadata": bool(category.attributes), "type": "realtime",
            "keywords": category.keywords, "group": category.group}


@endpoint
@require_http_methods(["GET"])
def service_list(request, fmt):
    return render(fmt, "services", [_service(c) for c in ServiceCategory.objects.filter(active=True)])


def _attribute(attribute, order):
    return {"variable": attribute.get("variable", True), "code": attribute["code"],
            "datatype": attribute.get("datatype", "string"), "required": bool(attribute.get("required", False)),
            "datatype_description": attribute.get("datatype_description", ""),
            "order": attribute.get("order", order), "description": attribute.get("description", attribute["code"]),
            "values": [{"key": v["key"], "name": v["name"]} for v in attribute.get("values", [])]}


@endpoint
@require_http_methods(["GET"])
def service_definition(request, fmt, code):
    category = ServiceCategory.objects.filter(active=True, service_code=code).first()
    if category is None:
        raise Open311Error(404, f"service_code '{code}' not found")
    return render(fmt, "service_definition", {
        "service_code": category.service_code,
        "attributes": [_attribute(a, i) for i, a in enumerate(category.attributes, start=1)]})


# --- requests -----------------------------------------------------------------------------------

def _attributes_from(post):
    """attribute[code]=value and attribute[code][]=v1&attribute[code][]=v2 (multivaluelist)."""
    values = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute["):].split("]", 1)[0]
            many = key.endswith("[]")
            values[code] = post.getlist(key) if many else post.get(key)
    return values


@endpoint
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt):
    return create_request(request, fmt) if request.method == "POST" else request_list(request, fmt)


def create_request(request, fmt):
    post = request.POST
    user_id = rules.api_user_id(post.get("api_key", ""))
    if user_id is None:
        raise Open311Error(403, "api_key missing or invalid")
    user = get_user_model()(pk=user_id)  # only its id is stored (first receiver, the event's actor)
    code = post.get("service_code", "")
    category = rules.current().by_code.get(code)  # the active categories, cached per process
    if category is None:
        raise Open311Error(404 if code else 400, f"service_code '{code}' not found" if code else
                           "service_code is required")
    if not (post.get("lat") and post.get("long")) and not post.get("address_string"):
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    name = f"{post.get('last_name', '')}{post.get('first_name', '')}".strip() or "网友"
    req = services.submit_request(
        category=category, description=post.get("description", ""), address=post.get("address_string", ""),
        lat=post.get("lat") or None, long=post.get("long") or None, contact_name=name[:50],
        contact_phone=post.get("phone", ""), channel=ServiceRequest.Channel.OPEN311,
        attributes=_attributes_from(post), user=user)
    return render(fmt, "service_requests", [{
        "service_request_id": req.number, "token": str(req.token),
        "service_notice": f"已受理，编号 {req.number}；凭编号和手机后四位查询办理情况",
        "account_id": None}], status=201)


def _status(req):
    return "open" if req.status in OPEN_STATUSES else "closed"


def _public(req):
    """A request as anyone may see it: no requester, no phone."""
    return {
        "service_request_id": req.number, "status": _status(req), "status_notes": req.get_status_display(),
        "service_name": req.category.name, "service_code": req.category.service_code,
        "description": services.redact(req.description),
        "agency_responsible": req.unit.name if req.unit_id else "",
        "service_notice": "", "requested_datetime": _w3c(req.created_at), "updated_datetime": _w3c(req.updated_at),
        "expected_datetime": _w3c(req.reply_due), "address": req.address, "address_id": "", "zipcode": "",
        "lat": req.lat, "long": req.long, "media_url": "",
    }


def _date(value, name):
    moment = None
    if value:
        try:
            moment = parse_datetime(value.replace(" ", "+"))  # a '+' in a query string arrives as a space
        except ValueError:
            moment = None
        if moment is None:
            raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2021-06-01T00:00:00+08:00")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
    return moment


def request_list(request, fmt):
    params = request.GET
    reqs = ServiceRequest.objects.select_related("category", "unit")
    if params.get("service_request_id"):
        numbers = [n.strip() for n in params["service_request_id"].split(",") if n.strip()][:MAX_RESULTS]
        reqs = reqs.filter(number__in=numbers)
    else:
        start, end = _date(params.get("start_date"), "start_date"), _date(params.get("end_date"), "end_date")
        if start and end and end - start > MAX_RANGE:
            raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        end = end or (start + MAX_RANGE if start else timezone.now())
        start = start or end - MAX_RANGE
        reqs = reqs.filter(created_at__gte=start, created_at__lte=end)
        if params.get("service_code"):
            reqs = reqs.filter(category__service_code__in=params["service_code"].split(","))
        statuses = set(params.get("status", "").split(",")) - {""}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open or closed")
        if statuses == {"open"}:
            reqs = reqs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            reqs = reqs.exclude(status__in=OPEN_STATUSES)
    return render(fmt, "service_requests", [_public(r) for r in reqs.order_by("-created_at")[:MAX_RESULTS]])


@endpoint
@require_http_methods(["GET"])
def request_detail(request, fmt, number):
    req = ServiceRequest.objects.select_related("category", "unit").filter(number=number).first()
    if req is None:
        raise Open311Error(404, f"service_request_id '{number}' not found")
    return render(fmt, "service_requests", [_public(req)])


@endpoint
@require_http_methods(["GET"])
def token_detail(request, fmt, token):
    req = ServiceRequest.objects.filter(token=token).first() if _is_uuid(token) else None
    if req is None:
        raise Open311Error(404, f"token '{token}' not found")
    return render(fmt, "service_requests", [{"service_request_id": req.number, "token": str(req.token)}])


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>\w+)$", discovery, name="open311-discovery"),
    re_path(r"^services\.(?P<fmt>\w+)$", service_list, name="open311-services"),
    re_path(r"^services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$", service_definition, name="open311-service"),
    re_path(r"^requests\.(?P<fmt>\w+)$", requests_view, name="open311-requests"),
    re_path(r"^requests/(?P<number>[\w-]+)\.(?P<fmt>\w+)$", request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[\w-]+)\.(?P<fmt>\w+)$", token_detail, name="open311-token"),
]
