"""考核评价: indicators per unit group, imported and entered values, and runs that freeze what they scored.

A Run copies every raw value it uses (RunValue) and the indicator settings (Run.config) when it is computed,
and scores only from those copies, so a published ranking can be recomputed exactly years later.
"""
import calendar
import datetime as dt
import re

from django.conf import settings
from django.db import models

from luoshi.org.models import Unit


class Group(models.TextChoices):
    """Townships (with street offices) are ranked against each other, departments against each other."""

    TOWNSHIP = "township", "乡镇（街道）"
    DEPARTMENT = "department", "县直部门"


GROUP_KINDS = {Group.TOWNSHIP: [Unit.Kind.TOWNSHIP, Unit.Kind.STREET], Group.DEPARTMENT: [Unit.Kind.DEPARTMENT]}


def group_of(unit):
    return next((g for g, kinds in GROUP_KINDS.items() if unit.kind in kinds), None)


class Indicator(models.Model):
    class Source(models.TextChoices):
        COMPUTED = "computed", "系统数据"
        IMPORTED = "imported", "导入统计数据"
        RATING = "rating", "领导评价"
        SELF_ASSESSMENT = "self_assessment", "“五个问一问”自评"

    class Metric(models.TextChoices):
        """What a computed indicator measures; services.METRICS holds the query for each."""

        TASKS_ON_TIME = "tasks_on_time", "任务按时完成率（%）"
        REPORTS_ON_TIME = "reports_on_time", "进度填报及时率（%）"
        NOTICES = "notices", "被督办次数（次）"
        PROJECT_INVESTMENT = "project_investment", "重点项目投资完成率（%）"
        REQUEST_RESPONSE = "request_response", "诉求响应率（%）"
        REQUEST_RESOLUTION = "request_resolution", "诉求解决率（%）"
        REQUEST_SATISFACTION = "request_satisfaction", "诉求满意率（%）"
        REQUEST_ON_TIME = "request_on_time", "诉求按时办结率（%）"

    class Direction(models.TextChoices):
        BENEFIT = "benefit", "越大越好"
        COST = "cost", "越小越好"

    class Role(models.TextChoices):
        SCORED = "scored", "计分指标"
        BONUS = "bonus", "加分项"
        PENALTY = "penalty", "扣分项"

    group = models.CharField("考核对象", max_length=20, choices=Group.choices)
    code = models.SlugField("代码", max_length=40, help_text="导入表格中可用代码代替名称")
    name = models.CharField("指标名称", max_length=100)
    source = models.CharField("数据来源", max_length=20, choices=Source.choices)
    metric = models.CharField("系统指标", max_length=30, choices=Metric.choices, blank=True,
                              help_text="数据来源为“系统数据”时必选")
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.BENEFIT)
    role = models.CharField("类别", max_length=10, choices=Role.choices, default=Role.SCORED)
    weight = models.DecimalField("权重（分）", max_digits=6, decimal_places=2, default=0,
                                 help_text="计分指标的满分；加权求和时得分 = 权重 × 标准化值")
    cap = models.DecimalField("上限", max_digits=12, decimal_places=2, null=True, blank=True,
                              help_text="计分指标：原始值超过上限按上限计；加分/扣分项：最多加（扣）的分数")
    points = models.DecimalField("每单位加（扣）分", max_digits=8, decimal_places=2, null=True, blank=True,
                                 help_text="仅加分/扣分项：原始值每 1 个单位加（扣）的分数")
    unit_label = models.CharField("计量单位", max_length=10, blank=True)
    description = models.CharField("说明", max_length=300, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标"
        ordering = ["group", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="indicator_code_per_group")]

    def __str__(self):
        return f"{self.get_group_display()}·{self.name}"


# --- periods ------------------------------------------------------------------------------------

class Period(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


PERIOD_CODE = re.compile(r"^(\d{4})(?:-(\d{2})|Q([1-4]))?$")


def period_kind(code):
    match = PERIOD_CODE.match(code or "")
    if not match:
        raise ValueError(f"考核期间“{code}”格式不对，应为 2021、2021Q2 或 2021-06")
    return Period.MONTH if match.group(2) else Period.QUARTER if match.group(3) else Period.YEAR


def period_range(code):
    """(first day, last day) of a period code: 2021, 2021Q2, 2021-06."""
    kind = period_kind(code)
    year, month, quarter = PERIOD_CODE.match(code).groups()
    year = int(year)
    if kind == Period.YEAR:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = int(month) if month else 3 * int(quarter) - 2
    last = first if month else first + 2
    if not 1 <= first <= 12:
        raise ValueError(f"考核期间“{code}”的月份不对")
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def period_label(code):
    kind = period_kind(code)
    year, month, quarter = PERIOD_CODE.match(code).groups()
    if kind == Period.YEAR:
        return f"{year}年度"
    return f"{year}年{int(month)}月" if month else f"{year}年第{'一二三四'[int(quarter) - 1]}季度"


# --- values that are not computed ---------------------------------------------------------------

class IndicatorValue(models.Model):
    """An imported statistic or a leader's rating for a unit and period; runs copy it when they freeze."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    period = models.CharField("考核期间", max_length=10)
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)
    note = models.CharField("备注", max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标数据（导入、评价）"
        ordering = ["period", "indicator", "unit"]
        constraints = [models.UniqueConstraint(fields=["indicator", "unit", "period"], name="one_value_per_period")]

    def __str__(self):
        return f"{self.unit} {self.period} {self.indicator.name} {self.value}"


FIVE_QUESTIONS = [
    "问一问自己的业务能力专不专，能不能解决好企业和群众反映强烈的热点难点问题？",
    "问一问自己的担当劲头足不足，攻坚过程中有没有出现“停一停”“歇一歇”的思想？",
    "问一问自己的工作成效实不实，还有哪些上级的安排部署没有贯彻落实到位？",
    "问一问自己的群众感情真不真，看看自己在服务群众方面有没有把人民群众冷暖放在心上？",
    "问一问自己的工作作风好不好，有没有出现门难进、脸难看的官僚主义，有没有出现做事虎头蛇尾、久拖不决的形式主义？",
]
QUESTION_MAX = 20  # five questions × 20 = a self-assessment out of 100


class SelfAssessment(models.Model):
    """“五个问一问”: a unit answers the speech's five questions for a period and rates itself on each."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    period = models.CharField("考核期间", max_length=10)
    answers = models.JSONField("答复", default=list)  # [{"answer": text, "score": 0–20}] × 5
    score = models.DecimalField("自评分", max_digits=5, decimal_places=1)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "“五个问一问”自评"
        ordering = ["period", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_self_assessment_per_period")]

    def __str__(self):
        return f"{self.unit} {self.period} 自评 {self.score}"


# --- runs ---------------------------------------------------------------------------------------

class Run(models.Model):
    class Method(models.TextChoices):
        WEIGHTED = "weighted", "加权求和"
        TOPSIS = "topsis", "熵权-TOPSIS"

    class Normalisation(models.TextChoices):
        MINMAX = "minmax", "极差标准化（最好 1、最差 0）"
        MAX = "max", "比最优值（值 ÷ 最大值）"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    group = models.CharField("考核对象", max_length=20, choices=Group.choices)
    period = models.CharField("考核期间", max_length=10, help_text="2021、2021Q2 或 2021-06")
    kind = models.CharField("类型", max_length=10, choices=Period.choices)
    method = models.CharField("计分方法", max_length=10, choices=Method.choices, default=Method.WEIGHTED)
    normalisation = models.CharField("标准化", max_length=10, choices=Normalisation.choices,
                                     default=Normalisation.MINMAX)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    as_of = models.DateField("数据截至")
    config = models.JSONField("指标与权重快照", default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核"
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["group", "kind", "status", "as_of"])]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return f"{period_label(self.period)}{self.get_group_display()}考核"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def range(self):
        return period_range(self.period)


class Score(models.Model):
    """A unit's score and rank in a run; `facts` freezes the red tasks and notices the bulletin lists."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("单位", max_length=100)  # as it was called when the run was computed
    score = models.FloatField("得分")
    rank = models.PositiveIntegerField("名次")
    previous_rank = models.PositiveIntegerField("上期名次", null=True, blank=True)
    distance_best = models.FloatField("与正理想解距离", null=True, blank=True)  # TOPSIS only
    distance_worst = models.FloatField("与负理想解距离", null=True, blank=True)
    facts = models.JSONField(default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "得分"
        ordering = ["run", "rank", "unit_name"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="one_score_per_unit")]

    def __str__(self):
        return f"{self.unit_name} {self.score:.2f}（第{self.rank}名）"

    @property
    def change(self):
        """Places gained since the previous published run (positive = up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


class RunValue(models.Model):
    """One frozen input and its part of the score: raw value, value used, normalised, weight, contribution."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=40)  # the indicator's code in Run.config
    raw = models.FloatField("原始值", null=True)  # None: nothing to measure for this unit
    used = models.FloatField("计分值", null=True)
    normalised = models.FloatField("标准化值", null=True)
    weight = models.FloatField("权重", null=True)
    contribution = models.FloatField("得分贡献", null=True)
    detail = models.JSONField(default=dict)  # numerator/denominator and the ids of the records behind raw

    class Meta:
        verbose_name = verbose_name_plural = "考核原始数据"
        constraints = [models.UniqueConstraint(fields=["run", "unit", "code"], name="one_value_per_indicator")]
        indexes = [models.Index(fields=["run", "code"])]

    def __str__(self):
        return f"{self.run_id} {self.unit_id} {self.code} {self.raw}"
