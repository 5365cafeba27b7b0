"""Enterprises and their chief service officers; citizen and enterprise requests (诉求) with their events,
the rules the office edits (routing, deadlines, policy), and the per-unit per-day counters the rates use.

A request's status, handling unit and deadlines are stored for querying, but every transition is also a
RequestEvent row: the SLA clock is recomputed from those events (services.clock_of), never from memory.
"""
import secrets
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast

from luoshi.ledger.models import AppendOnlyQuerySet
from luoshi.org.models import Person, Unit

# GB 32100-2015 统一社会信用代码: 31 characters (no I, O, Z, S, V) and the weights of the check character
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_check_char(first17):
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value):
    code = (value or "").upper()
    if len(code) != 18 or any(c not in CREDIT_CHARS for c in code):
        raise ValidationError("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）")
    if credit_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确")


TOWNSHIP_KINDS = [Unit.Kind.TOWNSHIP, Unit.Kind.STREET]


class ServiceOfficer(models.Model):
    """首席服务官: a cadre who looks after a few (key) enterprises."""

    person = models.OneToOneField(Person, verbose_name="干部", on_delete=models.PROTECT, related_name="service_officer")
    appointed_on = models.DateField("任命日期", null=True, blank=True)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "首席服务官"
        ordering = ["person__name"]

    def __str__(self):
        return f"{self.person.name}（首席服务官）"


class Enterprise(models.Model):
    name = models.CharField("企业名称", max_length=100, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code])
    township = models.ForeignKey(Unit, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT, related_name="enterprises",
                                 limit_choices_to={"kind__in": TOWNSHIP_KINDS})
    industry = models.CharField("行业", max_length=50, blank=True)
    is_key = models.BooleanField("重点企业", default=False)
    officer = models.ForeignKey(ServiceOfficer, verbose_name="首席服务官", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="enterprises")

    class Meta:
        verbose_name = verbose_name_plural = "企业"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(is_key=False) | Q(officer__isnull=False),
                                              name="key_enterprise_has_officer",
                                              violation_error_message="重点企业必须配备首席服务官")]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = (self.credit_code or "").upper()
        if self.township_id and self.township.kind not in TOWNSHIP_KINDS:
            raise ValidationError({"township": "所在地应为乡镇或街道"})


class OfficerVisit(models.Model):
    officer = models.ForeignKey(ServiceOfficer, verbose_name="首席服务官", on_delete=models.CASCADE, related_name="visits")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="visits")
    date = models.DateField("走访日期")
    notes = models.TextField("走访情况")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.enterprise}"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急件"
    ORDINARY = "ordinary", "一般件"
    COMPLEX = "complex", "疑难件"


class ServiceCategory(models.Model):
    """An Open311 service: what a request is about, its default deadline, and the attributes it asks for."""

    service_code = models.SlugField("服务代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    group = models.CharField("分组", max_length=50, blank=True)
    description = models.CharField("说明", max_length=200, blank=True)
    keywords = models.CharField("关键词（逗号分隔）", max_length=200, blank=True)
    deadline_hours = models.PositiveIntegerField("默认办理时限（小时）", default=168,
                                                 help_text="一般件 7 天 = 168；水电气暖等 24")
    attributes = models.JSONField(
        "附加字段（Open311 attributes）", default=list, blank=True,
        help_text='[{"code": "floor", "description": "楼层", "datatype": "string", "required": false, '
                  '"values": [{"key": "..", "name": ".."}]}]')
    active = models.BooleanField("启用", default=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "诉求类别"
        ordering = ["order", "service_code"]

    def __str__(self):
        return self.name


class DeadlineRule(models.Model):
    """Deadlines by category and urgency. For each time the first rule that sets it wins, in this order:
    category+urgency, urgency only, category only, neither; the reply time then falls back to the category's
    default. Urgency outranks category: an emergency about water is answered in 2 hours, not 24."""

    category = models.ForeignKey(ServiceCategory, verbose_name="类别（空=全部）", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="deadline_rules")
    urgency = models.CharField("紧急程度（空=全部）", max_length=20, choices=Urgency.choices, blank=True)
    sign_hours = models.PositiveIntegerField("签收时限（小时）", default=24)
    reply_hours = models.PositiveIntegerField("答复时限（小时）", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理时限规则"
        constraints = [models.UniqueConstraint(fields=["category", "urgency"], name="one_deadline_rule_per_case")]

    def __str__(self):
        return f"{self.category or '全部类别'} · {self.get_urgency_display() or '全部'}"


class RoutingRule(models.Model):
    """Category and/or keyword → unit. No unit means 属地: the township found from the address."""

    category = models.ForeignKey(ServiceCategory, verbose_name="类别", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="routing_rules")
    keyword = models.CharField("关键词", max_length=50, blank=True, help_text="出现在诉求内容或地址中")
    unit = models.ForeignKey(Unit, verbose_name="承办单位（空=属地乡镇）", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    priority = models.IntegerField("优先级", default=0, help_text="同样具体时，数大者优先")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "派单规则"
        ordering = ["-priority", "id"]
        constraints = [models.CheckConstraint(condition=~Q(category__isnull=True, keyword=""),
                                              name="routing_rule_matches_something")]

    def __str__(self):
        when = " + ".join(x for x in [str(self.category or ""), self.keyword] if x)
        return f"{when} → {self.unit or '属地'}"


class PlaceKeyword(models.Model):
    """A word in an address (村名, 路名, 乡镇名) → the township it lies in."""

    keyword = models.CharField("地名关键词", max_length=50, unique=True)
    township = models.ForeignKey(Unit, verbose_name="乡镇（街道）", on_delete=models.CASCADE, related_name="+",
                                 limit_choices_to={"kind__in": TOWNSHIP_KINDS})

    class Meta:
        verbose_name = verbose_name_plural = "属地地名"
        ordering = ["keyword"]

    def __str__(self):
        return f"{self.keyword} → {self.township}"


class RequestPolicy(models.Model):
    """Numbers the office may change: duplicate detection, satisfaction weights, composite weights.
    The newest active row is in force."""

    name = models.CharField("名称", max_length=50, default="默认规则")
    active = models.BooleanField("启用", default=True)
    duplicate_metres = models.PositiveIntegerField("重复诉求距离（米）", default=200)
    duplicate_days = models.PositiveIntegerField("重复诉求天数", default=7)
    duplicate_similarity = models.FloatField("内容相似度阈值（0–1）", default=0.35)
    weight_satisfied = models.FloatField("满意权重", default=1.0)
    weight_basically_satisfied = models.FloatField("基本满意权重", default=0.8)
    weight_unsatisfied = models.FloatField("不满意权重", default=0.0)
    composite_response = models.FloatField("综合：响应率权重", default=0.2)
    composite_resolution = models.FloatField("综合：解决率权重", default=0.3)
    composite_satisfaction = models.FloatField("综合：满意率权重", default=0.3)
    composite_on_time = models.FloatField("综合：按时办结率权重", default=0.2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求办理规则"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.filter(active=True).first() or cls()


class RuleVersion(models.Model):
    """One row: a random stamp replaced (in the same transaction) whenever a rule the intake caches changes, so
    every process knows to reload them (rules.py). Random, not a counter: a stamp from a rolled-back edit is
    never handed out again, so a snapshot taken inside that transaction can never pass for current."""

    value = models.BigIntegerField(default=0)


# The grid of the duplicate index: 0.002° cells (≈ 220 m of latitude). The query names the same expression,
# so the planner uses the index: a few cells × the last days, never every recent request of the category.
NEAR_CELLS_PER_DEGREE = 500


def near_cell(field):
    return Cast(F(field) * NEAR_CELLS_PER_DEGREE, models.IntegerField())


def uuid7():
    """An RFC 9562 version 7 UUID: milliseconds since the epoch, then 74 random bits. As unguessable as a token
    needs, and new ones sort last, so the unique index takes them on its right edge, not on a random page
    (a random page costs a full-page image in the write-ahead log after every checkpoint)."""
    value = (time.time_ns() // 1_000_000 & (1 << 48) - 1) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # the RFC 4122 variant
    return uuid.UUID(int=value)


class RequestSequence(models.Model):
    """The last request number given out in a year."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class ServiceRequest(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "网站"
        PHONE = "phone", "电话（话务员录入）"
        API = "api", "接口"
        OPEN311 = "open311", "Open311"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待派单"
        DISPATCHED = "dispatched", "待签收"
        SIGNED = "signed", "办理中"
        CONTACTED = "contacted", "已联系"
        REPLIED = "replied", "已答复"
        RESOLVED = "resolved", "已解决"
        CLOSED = "closed", "已办结（未解决）"
        RETURNED = "returned", "退单待定"
        MERGED = "merged", "已合并"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    number = models.CharField("编号", max_length=20, unique=True)
    token = models.UUIDField(default=uuid7, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    category = models.ForeignKey(ServiceCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="requests",
                                 db_index=False)  # the (category, …) indexes below lead with it
    urgency = models.CharField("紧急程度", max_length=20, choices=Urgency.choices, default=Urgency.ORDINARY)
    description = models.TextField("诉求内容")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    long = models.FloatField("经度", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="requests", db_index=False)
    attributes = models.JSONField("附加字段", default=dict, blank=True)
    created_at = models.DateTimeField("提交时间", db_index=True)
    updated_at = models.DateTimeField("更新时间")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="首接人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    suggested_unit = models.ForeignKey(Unit, verbose_name="建议承办单位", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", db_index=False)
    suggestion_reason = models.CharField("建议理由", max_length=200, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="service_requests", db_index=False)  # (unit, status) leads with it
    first_unit = models.ForeignKey(Unit, verbose_name="首接单位", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", db_index=False)
    # copies of what the events say, kept for lists and the overdue query; services.clock_of is the truth
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    sign_due = models.DateTimeField("签收时限", null=True, blank=True)
    reply_due = models.DateTimeField("答复时限", null=True, blank=True)
    extension_pending = models.BooleanField("延期待审批", default=False)
    duplicate_of = models.ForeignKey("self", verbose_name="疑似重复", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="probable_duplicates", db_index=False)
    duplicate_score = models.FloatField("相似度", null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged", db_index=False)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "诉求"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["category", "created_at"]),
            # duplicate candidates: at the place (grid cells) or at the same address, in the last days
            models.Index(F("category"), near_cell("lat"), near_cell("long"), F("created_at"),
                         name="service_request_near_idx"),
            models.Index(fields=["category", "address", "created_at"], name="service_request_address_idx"),
            # links that most requests leave empty: indexed only where set, so an intake skips these indexes
            *[models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"svc_req_{name}_idx")
              for name in ("enterprise", "received_by", "suggested_unit", "first_unit", "duplicate_of", "merged_into")],
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def year(self):
        return int(self.number[:4])


OPEN_STATUSES = [ServiceRequest.Status.SUBMITTED, ServiceRequest.Status.DISPATCHED, ServiceRequest.Status.SIGNED,
                 ServiceRequest.Status.CONTACTED, ServiceRequest.Status.REPLIED, ServiceRequest.Status.RETURNED]
# with a unit and not yet answered: the reply clock runs
AWAITING_REPLY = [ServiceRequest.Status.DISPATCHED, ServiceRequest.Status.SIGNED, ServiceRequest.Status.CONTACTED]
CONCLUDED = [ServiceRequest.Status.RESOLVED, ServiceRequest.Status.CLOSED]


class PendingDuplicateCheck(models.Model):
    """A request from a machine channel (API, Open311) whose duplicate check the worker still owes: stored in the
    intake's own statement, taken and deleted by the worker a moment later (services.check_pending_duplicates),
    so the check's probes and similarity scores stay off the intake."""

    request = models.OneToOneField(ServiceRequest, primary_key=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "待查重诉求"


def request_attachment_path(instance, filename):
    return f"requests/{instance.request.number[:4]}/{filename}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=request_attachment_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "诉求附件"

    def __str__(self):
        return self.name


class RequestEvent(models.Model):
    """One step of a request, append-only. `data` holds what the clock and the counters need
    (hours granted at dispatch, extension hours, what a conclusion counted)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交"
        DISPATCHED = "dispatched", "派单"
        SIGNED = "signed", "签收"
        RETURNED = "returned", "退单"
        CONTACTED = "contacted", "联系诉求人"
        REPLIED = "replied", "答复"
        CONCLUDED = "concluded", "办结"
        RATED = "rated", "评价"
        REOPENED = "reopened", "重新办理"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_APPROVED = "extension_approved", "同意延期"
        EXTENSION_REJECTED = "extension_rejected", "不同意延期"
        MERGED = "merged", "合并"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "诉求办理记录"
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("办理记录只能追加，不能修改")
        super().save(*args, **kwargs)


class UnitDayStats(models.Model):
    """Counters per unit and local day, updated in the transaction of the event that moves them, so a ranking
    sums a few hundred rows instead of grouping a million requests. See rates.py for what each counts."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # plain integers: a reopened request takes its conclusion back with a -1
    dispatched = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    concluded = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    concluded_on_time = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically_satisfied = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "单位每日诉求计数"
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="one_stats_row_per_unit_day")]
        indexes = [models.Index(fields=["day", "unit"])]

    def __str__(self):
        return f"{self.unit} {self.day}"
