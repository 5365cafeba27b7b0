"""Request pages: the public form and tracking page (no login, rate-limited), the operator's intake, the unit
inbox with countdowns, the office's dispatch board, request detail and actions, officers, rankings, exports.
Objects come from `scope`; every change goes through `services`; contacts are shown through
services.contact_for, so a masked viewer never receives the phone in the page at all."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from luoshi.ledger.services import LedgerError, month_of, today

from . import excel, ratelimit, rates, rules, scope, services
from .forms import HANDLING_UNITS, IntakeForm, PublicRequestForm, RequestFilterForm, TrackForm
from .models import AWAITING_REPLY, OPEN_STATUSES, PendingDuplicateCheck, RequestAttachment, ServiceRequest

Status = ServiceRequest.Status
RELATED = ["category", "unit", "suggested_unit", "enterprise", "duplicate_of", "merged_into"]
UNCHECKED_AFTER = dt.timedelta(minutes=1)
TOO_MANY = gettext_lazy("操作过于频繁，请稍后再试")


def left(delta):
    """A countdown in words: 剩余1天3小时 / 超时5小时."""
    if delta is None:
        return ""
    seconds = abs(delta).total_seconds()
    hours = int(seconds // 3600)
    if hours >= 24:
        text = _("%(days)s天%(hours)s小时") % {"days": hours // 24, "hours": hours % 24}
    elif hours:
        text = _("%(hours)s小时") % {"hours": hours}
    else:
        text = _("%(minutes)s分钟") % {"minutes": int(seconds // 60)}
    return (_("剩余%(time)s") if delta.total_seconds() >= 0 else _("超时%(time)s")) % {"time": text}


def _with_clocks(reqs, user, now):
    """Rows for lists: countdowns from the stored deadlines, contacts as the user may see them."""
    rows = []
    for req in reqs:
        req.contact = services.contact_for(user, req)
        req.sign_left = left(req.sign_due - now) if req.status == Status.DISPATCHED and req.sign_due else ""
        req.reply_left = left(req.reply_due - now) if req.status in AWAITING_REPLY and req.reply_due else ""
        req.sign_overdue = bool(req.sign_due and req.status == Status.DISPATCHED and req.sign_due < now)
        req.overdue = bool(req.reply_due and req.status in AWAITING_REPLY and req.reply_due < now)
        rows.append(req)
    return rows


# --- public -------------------------------------------------------------------------------------

def public_submit(request):
    """诉求提交: anyone, no login; a few per IP per window."""
    form = PublicRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "submit"):
            return render(request, "service/public_submit.html", {"form": form, "limited": TOO_MANY}, status=429)
        if form.is_valid():
            try:
                req = services.submit_request(**_request_fields(form), channel=ServiceRequest.Channel.WEB)
            except LedgerError as error:
                error.show_on(form)
            else:
                return render(request, "service/submitted.html", {"req": req})
    return render(request, "service/public_submit.html", {"form": form})


def _request_fields(form):
    data = dict(form.cleaned_data)
    data["files"] = data.pop("attachments") or []
    return data


def track(request):
    """诉求查询: number + last four phone digits → this one request's status, replies, rating, reopen.
    One message for a wrong number and wrong digits; every lookup counts against the IP's allowance."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if not ratelimit.allow(request, "track"):
            context["limited"] = TOO_MANY
            return render(request, "service/track.html", context, status=429)
        req = services.track(request.POST.get("number"), request.POST.get("digits")) if form.is_valid() else None
        if req is None:
            context["not_found"] = _("未找到该诉求，请核对编号和手机号后四位")
            return render(request, "service/track.html", context, status=404 if form.is_valid() else 200)
        if request.POST.get("rating"):
            try:
                services.rate(req, request.POST["rating"], None, request.POST.get("text", ""))
                context["rated"] = _("感谢您的评价") if request.POST["rating"] != "unsatisfied" else \
                    _("已收到您的评价，我们将重新办理")
                req.refresh_from_db()
            except LedgerError as error:
                context["rate_error"] = error.message
        context.update(req=req, events=req.events.exclude(kind__in=["extension_requested", "extension_approved",
                                                                    "extension_rejected"]),
                       primary=req.merged_into, ratings=ServiceRequest.Rating.choices,
                       contact=services.Contact(services.mask_name(req.contact_name),
                                                services.mask_phone(req.contact_phone), True))
    return render(request, "service/track.html", context)


# --- home, intake, inbox, board -----------------------------------------------------------------

@login_required
def home(request):
    person = scope.person_of(request.user)
    if scope.is_office(request.user):
        return redirect("service-board")
    if person and person.is_unit_staff:
        return redirect("service-inbox")
    return redirect("service-rankings")


@login_required
def intake(request):
    """话务员录入: a phone call typed in by the office; the operator is the first receiver (首接)."""
    scope.require(scope.can_dispatch(request.user))
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            req = services.submit_request(**_request_fields(form), channel=ServiceRequest.Channel.PHONE,
                                          user=request.user)
        except LedgerError as error:
            error.show_on(form)
        else:
            messages.success(request, _("已受理，编号 %(number)s，请告知来电人凭编号和手机后四位查询") % {"number": req.number})
            return redirect("service-request", req.pk)
    return render(request, "service/intake.html", {"form": form})


@login_required
def inbox(request):
    """单位诉求收件箱: to sign for (sign-for countdown), in hand (reply countdown), awaiting conclusion."""
    person = scope.person_of(request.user)
    scope.require(bool(person and (person.is_unit_staff or person.is_office)))
    now = timezone.now()
    mine = ServiceRequest.objects.filter(unit=person.unit).select_related(*RELATED)
    return render(request, "service/inbox.html", {
        "unit": person.unit,
        "to_sign": _with_clocks(mine.filter(status=Status.DISPATCHED).order_by("sign_due"), request.user, now),
        "in_hand": _with_clocks(mine.filter(status__in=[Status.SIGNED, Status.CONTACTED]).order_by("reply_due"),
                                request.user, now),
        "replied": _with_clocks(mine.filter(status=Status.REPLIED).order_by("-updated_at")[:50], request.user, now),
    })


@login_required
def board(request):
    """督查室派单台: new requests with the suggestion and duplicate flag, returns to decide, extensions to
    approve, overdue requests."""
    scope.require(scope.can_dispatch(request.user))
    now = timezone.now()
    reqs = ServiceRequest.objects.select_related(*RELATED)
    return render(request, "service/board.html", {
        # API and Open311 intakes wait for the worker's duplicate check; a minute means no worker is running
        "unchecked": PendingDuplicateCheck.objects.filter(request__created_at__lt=now - UNCHECKED_AFTER).count(),
        "new": _with_clocks(reqs.filter(status=Status.SUBMITTED).order_by("created_at")[:100], request.user, now),
        "returned": _with_clocks(reqs.filter(status=Status.RETURNED).order_by("updated_at"), request.user, now),
        "extensions": _with_clocks(reqs.filter(extension_pending=True).order_by("reply_due"), request.user, now),
        "overdue": _with_clocks(reqs.filter(status__in=AWAITING_REPLY, reply_due__lt=now).order_by("reply_due")[:100],
                                request.user, now),
        "units": HANDLING_UNITS,
    })


@login_required
def request_list(request):
    form = RequestFilterForm(request.GET or None)
    reqs = form.filter(scope.requests_for(request.user).select_related(*RELATED)).order_by("-created_at", "-id")
    page = Paginator(reqs, 50).get_page(request.GET.get("page"))
    return render(request, "service/request_list.html", {
        "form": form, "page": page, "rows": _with_clocks(page.object_list, request.user, timezone.now()),
        "query": request.GET.urlencode()})


@login_required
def request_detail(request, pk):
    req = get_object_or_404(scope.requests_for(request.user).select_related(*RELATED), pk=pk)
    user, now = request.user, timezone.now()
    clock = services.clock_of(req.events.all())
    return render(request, "service/request_detail.html", {
        "req": req, "contact": services.contact_for(user, req), "description": services.description_for(user, req),
        "events": req.events.select_related("unit", "actor__person"),
        "sign_left": left(clock.sign_left(now)) if req.status == Status.DISPATCHED else "",
        "reply_left": left(clock.reply_left(now)) if req.status in AWAITING_REPLY else "",
        "clock": clock, "attachments": req.attachments.all(),
        "can_dispatch": scope.can_dispatch(user), "can_handle": scope.can_handle(user, req),
        "can_conclude": scope.can_conclude(user, req), "units": HANDLING_UNITS,
        "duplicates": req.probable_duplicates.filter(status=Status.SUBMITTED),
        "ratings": ServiceRequest.Rating.choices, "Status": Status,
    })


ACTIONS = {
    "dispatch": lambda req, user, post: services.dispatch(req, user, post.get("unit") or None, post.get("note", "")),
    "sign": lambda req, user, post: services.sign(req, user),
    "contact": lambda req, user, post: services.contact(req, user, post.get("note", "")),
    "return": lambda req, user, post: services.return_request(req, user, post.get("reason", "")),
    "reply": lambda req, user, post: services.reply(req, user, post.get("text", "")),
    "resolve": lambda req, user, post: services.conclude(req, user, post.get("resolved") == "1", post.get("note", "")),
    "rate": lambda req, user, post: services.rate(req, post.get("rating", ""), user, post.get("text", "")),
    "extension": lambda req, user, post: services.request_extension(req, user, post.get("hours"),
                                                                     post.get("reason", "")),
    "extension-decision": lambda req, user, post: services.decide_extension(req, user, post.get("approve") == "1",
                                                                            post.get("note", "")),
}
DONE = {"dispatch": gettext_lazy("已派单"), "sign": gettext_lazy("已签收"), "contact": gettext_lazy("已记录联系"),
        "return": gettext_lazy("已退单，待督查室决定"), "reply": gettext_lazy("已答复"), "resolve": gettext_lazy("已办结"),
        "rate": gettext_lazy("已记录回访评价"), "extension": gettext_lazy("已提交延期申请"),
        "extension-decision": gettext_lazy("已审批延期申请")}


@login_required
@require_POST
def request_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    req = scope.request_for(request.user, pk)
    try:
        ACTIONS[action](req, request.user, request.POST)
    except LedgerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, str(DONE[action]))
    if scope.requests_for(request.user).filter(pk=pk).exists():
        return redirect("service-request", pk)
    return redirect("service-home")  # returned or sent elsewhere: no longer this user's to see


@login_required
@require_POST
def request_merge(request, pk):
    req = scope.request_for(request.user, pk)
    into = scope.requests_for(request.user).filter(number=request.POST.get("into", "").strip()).first()
    try:
        if into is None:
            raise LedgerError(_("请填写并入的诉求编号"), "into")
        services.merge(req, request.user, into)
    except LedgerError as error:
        messages.error(request, error.message)
        return redirect("service-request", pk)
    messages.success(request, _("已并入 %(number)s") % {"number": into.number})
    return redirect("service-request", into.pk)


@login_required
def attachment(request, pk, attachment_pk):
    req = scope.request_for(request.user, pk)
    found = get_object_or_404(RequestAttachment, pk=attachment_pk, request=req)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


# --- officers -----------------------------------------------------------------------------------

@login_required
def officer_list(request):
    officers = scope.officers_for(request.user).select_related("person__unit")
    if officers.count() == 1 and not scope.is_office(request.user):
        return redirect("service-officer", officers.get().pk)
    return render(request, "service/officer_list.html", {"officers": officers})


@login_required
def officer_detail(request, pk):
    """首席服务官: the enterprises served, their open requests, the visits."""
    officer = get_object_or_404(scope.officers_for(request.user).select_related("person__unit"), pk=pk)
    enterprises = officer.enterprises.select_related("township")
    open_requests = (scope.requests_for(request.user).filter(enterprise__officer=officer,
                                                             status__in=OPEN_STATUSES)
                     .select_related(*RELATED).order_by("reply_due"))
    return render(request, "service/officer.html", {
        "officer": officer, "enterprises": enterprises,
        "open_requests": _with_clocks(open_requests, request.user, timezone.now()),
        "visits": officer.visits.select_related("enterprise")[:50],
        "can_visit": scope.can_visit(request.user, officer), "today": today(),
    })


@login_required
@require_POST
def officer_visit(request, pk):
    officer = get_object_or_404(scope.officers_for(request.user), pk=pk)
    enterprise = officer.enterprises.filter(pk=request.POST.get("enterprise", "")).first() \
        if request.POST.get("enterprise", "").isdigit() else None
    try:
        if enterprise is None:
            raise LedgerError(_("请选择企业"), "enterprise")
        day = dt.date.fromisoformat(request.POST.get("date", "")) if request.POST.get("date") else None
        services.add_visit(officer, request.user, enterprise, day, request.POST.get("notes", ""))
    except ValueError as error:
        messages.error(request, getattr(error, "message", _("走访日期无效")))
    else:
        messages.success(request, _("已记录走访"))
    return redirect("service-officer", pk)


# --- rankings and exports -----------------------------------------------------------------------

def _month(request):
    """?month=2021-06; a malformed month, or one outside the years the ranking can count (month_of), shows the
    current month rather than failing the page or the export."""
    try:
        return month_of(request.GET.get("month", ""))
    except LedgerError:
        return today().replace(day=1)


def _ranking_viewer(user):
    scope.require(scope.person_of(user) is not None or scope.is_office(user))


@login_required
def rankings(request):
    """月度排名: townships and departments by the composite of the four rates."""
    _ranking_viewer(request.user)
    month = _month(request)
    return render(request, "service/rankings.html", {
        "month": month, "previous": (month - dt.timedelta(days=1)).replace(day=1),
        "next": (month + dt.timedelta(days=32)).replace(day=1),
        "tables": [(_("乡镇（街道）"), rates.monthly_ranking(month, "township")),
                   (_("县直部门"), rates.monthly_ranking(month, "department"))],
        "policy": rules.current().policy,
    })


@login_required
def export_requests(request):
    form = RequestFilterForm(request.GET or None)
    reqs = form.filter(scope.requests_for(request.user).select_related(*RELATED)).order_by("-created_at", "-id")
    return FileResponse(excel.export_requests(reqs), as_attachment=True, filename="诉求清单.xlsx")


@login_required
def export_rankings(request):
    _ranking_viewer(request.user)
    month = _month(request)
    out = excel.export_rankings(month, {kind: rates.monthly_ranking(month, kind) for kind in ("township", "department")})
    return FileResponse(out, as_attachment=True, filename=f"诉求办理排名{month:%Y-%m}.xlsx")
