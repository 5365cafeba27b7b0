"""The task ledger: documents, tasks, targets, progress, lights, notices, instructions, audit."""
import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from luoshi.org.models import Person, Unit


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class LightPolicy(models.Model):
    """Warning thresholds the office may change; the newest active row is in force."""

    name = models.CharField(_("名称"), max_length=50, default="默认规则")
    active = models.BooleanField(_("启用"), default=True)
    yellow_days = models.PositiveIntegerField(_("临期天数"), default=15,
                                              help_text=_("距截止日不足 N 天且进度落后于时间进度时亮黄灯"))
    behind_tolerance = models.PositiveIntegerField(_("进度容差（百分点）"), default=10)
    report_grace_days = models.PositiveIntegerField(_("填报宽限（天）"), default=5)
    red_missed_reports = models.PositiveIntegerField(_("连续漏报 N 次亮红灯"), default=2)
    remind_days_before_due = models.PositiveIntegerField(_("截止前 N 天提醒"), default=7)
    notice_reply_days = models.PositiveIntegerField(_("督办单答复期限（天）"), default=5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "红黄绿灯规则")
        verbose_name_plural = pgettext_lazy("model name plural", "红黄绿灯规则")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.filter(active=True).first() or cls()


class UnitRule(models.Model):
    """Keyword → suggested lead and co-units, used when a document is decomposed."""

    keyword = models.CharField(_("关键词"), max_length=50, unique=True)
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.CASCADE, related_name="+")
    co_units = models.ManyToManyField(Unit, verbose_name=_("责任单位"), blank=True, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "分解规则（关键词→单位）")
        verbose_name_plural = pgettext_lazy("model name plural", "分解规则（关键词→单位）")
        ordering = ["keyword"]

    def __str__(self):
        return f"{self.keyword} → {self.lead_unit}"


class Document(models.Model):
    """A speech, report or plan; its decomposition is the draft of a responsibility list."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=200)
    doc_date = models.DateField(_("文件日期"), null=True, blank=True)
    file = models.FileField(_("原文件"), upload_to="documents/%Y/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    text = models.TextField(_("正文"))
    result = models.JSONField(_("分解结果"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "文件")
        verbose_name_plural = pgettext_lazy("model name plural", "文件")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Task(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("推进中")
        REPORTED_DONE = "reported_done", _("已报完成")
        VERIFIED = "verified", _("已核销")
        RETURNED = "returned", _("已退回")

    class Cadence(models.IntegerChoices):
        WEEKLY = 7, _("每周")
        HALF_MONTHLY = 15, _("每半月")
        MONTHLY = 30, _("每月")
        QUARTERLY = 91, _("每季度")

    DONE = (Status.REPORTED_DONE, Status.VERIFIED)

    code = models.CharField(_("编号"), max_length=30, unique=True)
    document = models.ForeignKey(Document, verbose_name=_("来源文件"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks")
    section = models.CharField(_("所属章节"), max_length=200, blank=True)
    area = models.CharField(_("重点领域"), max_length=50, blank=True, db_index=True)
    title = models.CharField(_("任务名称"), max_length=200)
    text = models.TextField(_("任务内容"))
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_tasks")
    co_units = models.ManyToManyField(Unit, verbose_name=_("责任单位"), blank=True, related_name="co_tasks")
    leader = models.ForeignKey(Person, verbose_name=_("分管领导"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="tasks_in_charge", limit_choices_to={"role": Person.Role.LEADER})
    owner_text = models.CharField(_("原文责任主体"), max_length=100, blank=True)
    start_date = models.DateField(_("交办日期"))
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    cadence = models.PositiveIntegerField(_("填报周期"), choices=Cadence.choices, default=Cadence.MONTHLY)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    last_report_at = models.DateTimeField(_("最近填报"), null=True, blank=True)
    light = models.CharField(_("红黄绿灯"), max_length=10, choices=Light.choices, default=Light.GREEN, db_index=True)
    light_reason = models.CharField(_("亮灯原因"), max_length=200, blank=True)
    source_start = models.PositiveIntegerField(null=True, blank=True)
    source_end = models.PositiveIntegerField(null=True, blank=True)
    source_text = models.TextField(_("依据原文"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "任务")
        verbose_name_plural = pgettext_lazy("model name plural", "任务")
        ordering = ["deadline", "code"]
        # the cockpit counts lights by area and unit and lists the reddest by deadline
        indexes = [models.Index(fields=["lead_unit", "light"]), models.Index(fields=["leader", "light"]),
                   models.Index(fields=["area", "light"]), models.Index(fields=["light", "deadline"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def clean(self):
        if self.deadline and self.start_date and self.deadline < self.start_date:
            raise ValidationError({"deadline": _("完成时限不能早于交办日期")})

    @property
    def is_done(self):
        return self.status in self.DONE

    def units(self):
        return [self.lead_unit, *self.co_units.all()]


class Milestone(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("计划时间"))
    done_on = models.DateField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "节点")
        verbose_name_plural = pgettext_lazy("model name plural", "节点")
        ordering = ["due"]

    def __str__(self):
        return self.title


class Target(models.Model):
    """A quantity a task must reach. A placeholder (**个) is filled by the lead unit, confirmed by the office."""

    class State(models.TextChoices):
        FIXED = "fixed", _("已定")
        BLANK = "blank", _("待填报")
        FILLED = "filled", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        RETURNED = "returned", _("已退回")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    text = models.CharField(_("原文"), max_length=200)
    metric = models.CharField(_("指标"), max_length=200, blank=True)
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    placeholder = models.BooleanField(_("待定目标"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.FIXED)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    filled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = pgettext_lazy("model name", "目标")
        verbose_name_plural = pgettext_lazy("model name plural", "目标")
        ordering = ["id"]

    def __str__(self):
        return self.display()

    def display(self):
        shown = "**" if self.value is None else f"{self.value.normalize():f}"
        label = self.metric or self.text
        return f"{label} {shown}{self.unit}" if self.metric else label.replace("**", shown, 1)

    @property
    def is_open(self):
        """Still a blank for the office: not filled, returned, or filled but not confirmed."""
        return self.placeholder and self.state != self.State.CONFIRMED


def attachment_path(instance, filename):
    return f"reports/{dt.date.today():%Y/%m}/{filename}"


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    percent = models.PositiveSmallIntegerField(_("进度（%）"))
    text = models.TextField(_("进展情况"))
    done = models.BooleanField(_("申报完成"), default=False)
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "进度填报")
        verbose_name_plural = pgettext_lazy("model name plural", "进度填报")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.task.code} {self.percent}%"


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = pgettext_lazy("model name", "佐证材料")
        verbose_name_plural = pgettext_lazy("model name plural", "佐证材料")

    def __str__(self):
        return self.name


class SupervisionNotice(models.Model):
    """督办单: numbered per year, sent to the lead unit, escalated to the leader when unanswered."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        REPLIED = "replied", _("已答复")
        ESCALATED = "escalated", _("已提级")

    year = models.PositiveIntegerField()
    seq = models.PositiveIntegerField()
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notices")
    unit = models.ForeignKey(Unit, verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="notices")
    light = models.CharField(_("督办时灯色"), max_length=10, choices=Light.choices)
    reason = models.TextField(_("督办事由"))
    requirement = models.TextField(_("督办要求"), blank=True)
    reply_due = models.DateField(_("答复期限"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "督办单")
        verbose_name_plural = pgettext_lazy("model name plural", "督办单")
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="notice_number_per_year")]

    def __str__(self):
        return self.number

    @property
    def number(self):
        return f"督办〔{self.year}〕{self.seq}号"


class Instruction(models.Model):
    """领导批示 on a task (or, later, a project or request), tracked to a reply."""

    class Status(models.TextChoices):
        OPEN = "open", _("待落实")
        REPLIED = "replied", _("已答复")

    leader = models.ForeignKey(Person, verbose_name=_("批示领导"), on_delete=models.PROTECT, related_name="instructions")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    text = models.TextField(_("批示内容"))
    unit = models.ForeignKey(Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="instructions")
    due = models.DateField(_("办理时限"))
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("落实情况"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "领导批示")
        verbose_name_plural = pgettext_lazy("model name plural", "领导批示")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return gettext("%(leader)s批示：%(text)s") % {"leader": self.leader.name, "text": self.text[:20]}


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计记录只能追加，不能修改")

    def delete(self):
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEntry(models.Model):
    """Who changed what, when, before → after. Append-only: no update or delete path."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    action = models.CharField(_("操作"), max_length=50)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    changes = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("model name", "审计记录")
        verbose_name_plural = pgettext_lazy("model name plural", "审计记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除")


class ReminderLog(models.Model):
    """One row per reminder sent; its key makes the reminder job idempotent."""

    key = models.CharField(max_length=200, unique=True)
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "提醒记录")
        verbose_name_plural = pgettext_lazy("model name plural", "提醒记录")

    def __str__(self):
        return self.key
