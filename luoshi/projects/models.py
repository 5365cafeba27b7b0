"""Key projects (一个重点项目、一名领导、一套班子、一抓到底) and the investment-attraction pipeline (招商).

Investment figures are 万元 (ten thousand yuan), as in the county's 月调度 tables.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models

from luoshi.ledger.models import Light, Target
from luoshi.org.models import Person, Unit

MONEY = {"max_digits": 14, "decimal_places": 2}
YI = Decimal(10000)  # 1 亿 = 10000 万


class Programme(models.Model):
    """A grouping the county pushes as one campaign: 三十工程, 十件民生实事…"""

    name = models.CharField("名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "项目类别（工程）"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    INTRODUCED = "introduced", "项目引进"
    PREPARATION = "preparation", "前期准备"
    CONSTRUCTION = "construction", "开工建设"
    COMPLETED = "completed", "竣工投产"


STAGES = list(Stage)


def next_stage(stage):
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


# the later stages' date fields: planned_<suffix> and entered_<suffix>
DATE_SUFFIX = {Stage.PREPARATION: "preparation", Stage.CONSTRUCTION: "construction", Stage.COMPLETED: "completion"}


def planned_field(stage):
    return f"planned_{DATE_SUFFIX[stage]}"


def entered_field(stage):
    return f"entered_{DATE_SUFFIX[stage]}"


class StageItem(models.Model):
    """One checklist item of a stage (前期准备: 立项、用地、规划、环评…); the office edits the list in admin."""

    stage = models.CharField("阶段", max_length=20, choices=Stage.choices)
    name = models.CharField("事项", max_length=50)
    required = models.BooleanField("进入下一阶段前必须完成", default=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "阶段事项"
        ordering = ["stage", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["stage", "name"], name="stage_item_name")]

    def __str__(self):
        return f"{self.get_stage_display()}·{self.name}"


class Project(models.Model):
    class Category(models.TextChoices):
        INDUSTRY = "industry", "工业"
        INFRASTRUCTURE = "infrastructure", "基础设施"
        LIVELIHOOD = "livelihood", "社会民生"
        CULTURE_TOURISM = "culture_tourism", "文化旅游"
        SERVICES = "services", "现代服务业"
        AGRICULTURE = "agriculture", "现代农业"
        ECOLOGY = "ecology", "生态环保"

    name = models.CharField("项目名称", max_length=100, unique=True)
    category = models.CharField("项目类别", max_length=20, choices=Category.choices)
    programme = models.ForeignKey(Programme, verbose_name="所属工程", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="projects")
    township = models.ForeignKey(Unit, verbose_name="所在乡镇", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", limit_choices_to={"kind__in": ["township", "street"]})
    owner = models.CharField("业主单位", max_length=100, blank=True)
    content = models.TextField("建设内容", blank=True)
    leader = models.ForeignKey(Person, verbose_name="责任领导", on_delete=models.PROTECT,
                               related_name="projects_in_charge", limit_choices_to={"role": Person.Role.LEADER})
    lead_unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="projects")
    members = models.ManyToManyField(Person, verbose_name="专班成员", blank=True, related_name="project_teams")
    service_officer = models.ForeignKey(Person, verbose_name="首席服务官", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="served_projects")
    total_investment = models.DecimalField("总投资（万元）", **MONEY)
    annual_investment = models.DecimalField("年度计划投资（万元）", **MONEY, default=0)
    provincial_key = models.BooleanField("纳入省重点项目计划", default=False)
    city_key = models.BooleanField("纳入市重点项目计划", default=False)
    stage = models.CharField("当前阶段", max_length=20, choices=Stage.choices, default=Stage.INTRODUCED,
                             db_index=True)
    registered_on = models.DateField("入库日期")
    # planned and actual dates of entering each later stage
    planned_preparation = models.DateField("计划启动前期", null=True, blank=True)
    planned_construction = models.DateField("计划开工", null=True, blank=True)
    planned_completion = models.DateField("计划竣工投产", null=True, blank=True)
    entered_preparation = models.DateField("启动前期日期", null=True, blank=True)
    entered_construction = models.DateField("开工日期", null=True, blank=True)
    entered_completion = models.DateField("竣工投产日期", null=True, blank=True)
    # kept by the report service so lists and the 月调度 export need no aggregate over reports
    completed_investment = models.DecimalField("累计完成投资（万元）", **MONEY, default=0)
    last_report_month = models.DateField("最近填报月份", null=True, blank=True)
    light = models.CharField("红黄绿灯", max_length=10, choices=Light.choices, default=Light.GREEN, db_index=True)
    light_reason = models.CharField("亮灯原因", max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "重点项目"
        ordering = ["id"]
        indexes = [models.Index(fields=["lead_unit", "light"]), models.Index(fields=["leader", "light"])]

    def __str__(self):
        return self.name

    def planned_date(self, stage):
        return getattr(self, planned_field(stage)) if stage in DATE_SUFFIX else None

    def entered_date(self, stage):
        return self.registered_on if stage == Stage.INTRODUCED else getattr(self, entered_field(stage))

    @property
    def completion_rate(self):
        """Cumulative completed investment against the total, in percent."""
        if not self.total_investment:
            return None
        return min(100, round(100 * self.completed_investment / self.total_investment))


class ProjectItem(models.Model):
    """A checklist item a project has done, dated; items not done have no row."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items_done")
    item = models.ForeignKey(StageItem, verbose_name="事项", on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField("完成日期")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "已办阶段事项"
        constraints = [models.UniqueConstraint(fields=["project", "item"], name="project_item_once")]

    def __str__(self):
        return f"{self.project} {self.item.name} {self.done_on}"


class MonthlyReport(models.Model):
    """月调度: a month's completed investment and visual progress; one per project and month."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField("月份")  # the first day of the month
    investment = models.DecimalField("本月完成投资（万元）", **MONEY)
    year_to_date = models.DecimalField("年度累计完成（万元）", **MONEY)
    progress = models.TextField("形象进度")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "月调度"
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="one_report_per_month")]

    def __str__(self):
        return f"{self.project} {self.month:%Y-%m}"


def photo_path(instance, filename):
    return f"projects/{instance.report.month:%Y/%m}/{filename}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "形象进度照片"

    def __str__(self):
        return self.name


class Problem(models.Model):
    """协调事项: asked of a unit with a deadline, answered by it, closed by the project team."""

    class Category(models.TextChoices):
        LAND = "land", "用地"
        ENVIRONMENT = "environment", "环评"
        UTILITIES = "utilities", "水电气"
        PERMITS = "permits", "审批手续"
        FUNDING = "funding", "资金"
        SITE = "site", "施工环境"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待办理"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    text = models.TextField("问题")
    unit = models.ForeignKey(Unit, verbose_name="协调单位", on_delete=models.PROTECT, related_name="project_problems")
    deadline = models.DateField("办理时限")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    reply = models.TextField("办理情况", blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField("提级时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "协调事项"
        ordering = ["deadline", "id"]

    def __str__(self):
        return f"{self.project}：{self.text[:20]}"


# --- investment attraction ----------------------------------------------------------------

class ExchangeRate(models.Model):
    """Yuan per unit of a foreign currency, used to judge 亿元以上 and to sum foreign funds."""

    currency = models.CharField("币种代码", max_length=3, unique=True)
    name = models.CharField("币种", max_length=20)
    rate = models.DecimalField("折合人民币", max_digits=10, decimal_places=4)

    class Meta:
        verbose_name = verbose_name_plural = "汇率"
        ordering = ["currency"]

    def __str__(self):
        return f"{self.name} {self.rate}"


class Lead(models.Model):
    """招商线索: 洽谈 → 签约 → 注册 → 开工 → 投产; a signed lead becomes a Project."""

    class Stage(models.TextChoices):
        TALKING = "talking", "洽谈"
        SIGNED = "signed", "签约"
        REGISTERED = "registered", "注册"
        STARTED = "started", "开工"
        PRODUCING = "producing", "投产"

    class Source(models.TextChoices):
        OTHER_PROVINCE = "other_province", "省外"
        ABROAD = "abroad", "境外"
        HOME_PROVINCE = "home_province", "本省"

    name = models.CharField("项目名称", max_length=100)
    investor = models.CharField("投资方", max_length=100)
    industry = models.CharField("产业", max_length=50, blank=True)
    amount = models.DecimalField("投资额（万，原币）", **MONEY)
    currency = models.CharField("币种", max_length=3, default="CNY")
    amount_cny = models.DecimalField("折合人民币（万元）", **MONEY)
    source = models.CharField("资金来源", max_length=20, choices=Source.choices)
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.TALKING, db_index=True)
    unit = models.ForeignKey(Unit, verbose_name="跟进单位", on_delete=models.PROTECT, related_name="leads")
    leader = models.ForeignKey(Person, verbose_name="联系领导", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="leads", limit_choices_to={"role": Person.Role.LEADER})
    signed_on = models.DateField("签约日期", null=True, blank=True, db_index=True)
    registered_on = models.DateField("注册日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    producing_on = models.DateField("投产日期", null=True, blank=True)
    project = models.OneToOneField(Project, verbose_name="转入项目", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="lead")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "招商项目"
        ordering = ["-amount_cny", "id"]

    def __str__(self):
        return self.name

    @property
    def above_100m(self):
        """亿元以上: the yuan equivalent is at least 1 亿."""
        return self.amount_cny >= YI


LEAD_STAGE_DATES = {Lead.Stage.SIGNED: "signed_on", Lead.Stage.REGISTERED: "registered_on",
                    Lead.Stage.STARTED: "started_on", Lead.Stage.PRODUCING: "producing_on"}


class FundsInPlace(models.Model):
    """Funds actually arrived in a month (实际到位资金)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="funds")
    month = models.DateField("月份")
    amount = models.DecimalField("到位资金（万，原币）", **MONEY)
    amount_cny = models.DecimalField("折合人民币（万元）", **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "到位资金"
        ordering = ["month"]
        constraints = [models.UniqueConstraint(fields=["lead", "month"], name="funds_once_a_month")]

    def __str__(self):
        return f"{self.lead} {self.month:%Y-%m} {self.amount}"


class TargetBinding(models.Model):
    """A ledger target whose actual value is read from the projects data, not typed in."""

    class Figure(models.TextChoices):
        SIGNED_MAJOR_LEADS = "signed_major_leads", "签约亿元以上项目个数（个）"
        SIGNED_LEADS = "signed_leads", "签约招商项目个数（个）"
        FUNDS_OTHER_PROVINCE = "funds_other_province", "实际利用省外资金（亿元）"
        FUNDS_ABROAD = "funds_abroad", "实际利用境外资金（亿美元）"
        PROJECTS_STARTED = "projects_started", "新开工重点项目个数（个）"
        PROJECT_INVESTMENT = "project_investment", "重点项目完成投资（亿元）"

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="binding")
    figure = models.CharField("实时指标", max_length=30, choices=Figure.choices)
    year = models.PositiveIntegerField("年度", null=True, blank=True, help_text="空则取当年")

    class Meta:
        verbose_name = verbose_name_plural = "目标关联实时指标"

    def __str__(self):
        return f"{self.target} ← {self.get_figure_display()}"
