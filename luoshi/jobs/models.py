"""Background work as its starter sees it: what was asked, how far it got, what came of it.

django-tasks (database backend) queues and runs each job; `task_result_id` names the row it keeps there (status,
worker, traceback). A Job adds what the office needs to read: a Chinese status line, progress, a result link,
the rows at fault.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Job(models.Model):
    class Kind(models.TextChoices):
        DECOMPOSE = "decompose", _("分解文件")
        LEDGER_IMPORT = "ledger_import", _("导入任务台账")
        PROJECT_IMPORT = "project_import", _("导入项目清单")
        VALUES_IMPORT = "values_import", _("导入考核数据")
        EVALUATION_RUN = "evaluation_run", _("生成考核")
        REMINDERS = "reminders", _("提醒与督办提级")
        PROJECT_REMINDERS = "project_reminders", _("重点项目提醒")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未完成")

    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("内容"), max_length=200)  # the file's name, the run's title
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # None: a cron command
    params = models.JSONField(_("参数"), default=dict, blank=True)
    upload = models.FileField(_("上传的文件"), upload_to="jobs/%Y/%m/", blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)  # 0: a step whose size is unknown
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    summary = models.CharField(_("结果"), max_length=300, blank=True)
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    error = models.TextField(_("未完成原因"), blank=True)
    details = models.JSONField(default=dict, blank=True)  # {"errors": [[row, column, message]], "warnings": [...]}
    task_result_id = models.CharField(_("django-tasks 任务编号"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("model name", "后台处理记录")
        verbose_name_plural = pgettext_lazy("model name plural", "后台处理记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def start_url(self):
        """The page that starts this kind of job: where a failed one is submitted again."""
        return reverse(STARTED_FROM[self.kind])

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def ahead(self):
        """Jobs queued before this one, still waiting or running: what the starter waits for."""
        if self.status != self.Status.QUEUED:
            return 0
        return Job.objects.filter(status__in=[self.Status.QUEUED, self.Status.RUNNING], pk__lt=self.pk).count()

    def progress(self, done, total, step):
        """Record progress from inside the job. Written only when the step or the whole percent changes, so a
        10,000-row loop costs ~100 small updates; the job's own data writes stay in their transaction."""
        percent = done * 100 // total if total else 0
        if (step, percent) == getattr(self, "_shown", None):
            return
        self._shown = (step, percent)
        self.done, self.total, self.step = done, total, step[:200]
        Job.objects.filter(pk=self.pk).update(done=done, total=total, step=self.step)

    def finish(self, status, **fields):
        fields.update(status=status, finished_at=timezone.now())
        for name, value in fields.items():
            setattr(self, name, value)
        Job.objects.filter(pk=self.pk).update(**fields)


STARTED_FROM = {Job.Kind.DECOMPOSE: "document-upload", Job.Kind.LEDGER_IMPORT: "ledger-import",
                Job.Kind.PROJECT_IMPORT: "project-import", Job.Kind.VALUES_IMPORT: "evaluation-import",
                Job.Kind.EVALUATION_RUN: "evaluation-runs", Job.Kind.REMINDERS: "console",
                Job.Kind.PROJECT_REMINDERS: "console"}
