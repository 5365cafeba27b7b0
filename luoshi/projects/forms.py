"""Page forms for projects and the pipeline. They parse input; the rules live in services."""
from django import forms

from luoshi.ledger.forms import LEADERS, WORK_UNITS, LeaderChoiceField, MultipleFileField, MultipleFileInput
from luoshi.ledger.models import Light
from luoshi.org.models import Person, Unit

from .models import Lead, Problem, Programme, Project, Stage

TOWNSHIPS = Unit.objects.filter(kind__in=[Unit.Kind.TOWNSHIP, Unit.Kind.STREET])
DATE = forms.DateInput(attrs={"type": "date"})


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.unit.short_name or obj.unit.name}）"


class FilterForm(forms.Form):
    q = forms.CharField(label="关键词", required=False)
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段"), *Stage.choices])
    programme = forms.ModelChoiceField(Programme.objects.all(), label="所属工程", required=False,
                                       empty_label="全部工程")
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Project.Category.choices])
    light = forms.ChoiceField(label="灯色", required=False, choices=[("", "全部灯色"), *Light.choices])
    township = forms.ModelChoiceField(TOWNSHIPS, label="所在乡镇", required=False, empty_label="全部乡镇")


class ProjectForm(forms.Form):
    prefix = "project"
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="项目名称", max_length=100)
    category = forms.ChoiceField(label="项目类别", choices=Project.Category.choices)
    programme = forms.ModelChoiceField(Programme.objects.all(), label="所属工程", required=False)
    township = forms.ModelChoiceField(TOWNSHIPS, label="所在乡镇", required=False)
    owner = forms.CharField(label="业主单位", max_length=100, required=False)
    content = forms.CharField(label="建设内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    leader = LeaderChoiceField(LEADERS, label="责任领导")
    lead_unit = forms.ModelChoiceField(WORK_UNITS, label="责任单位")
    members = PersonChoiceField(Person.objects.select_related("unit"), label="专班成员", required=False)
    service_officer = forms.ModelChoiceField(Person.objects.all(), label="首席服务官", required=False)
    total_investment = forms.DecimalField(label="总投资（万元）", min_value=0, max_digits=14, decimal_places=2)
    annual_investment = forms.DecimalField(label="年度计划投资（万元）", min_value=0, max_digits=14, decimal_places=2,
                                           initial=0)
    provincial_key = forms.BooleanField(label="纳入省重点项目计划", required=False)
    city_key = forms.BooleanField(label="纳入市重点项目计划", required=False)
    planned_preparation = forms.DateField(label="计划启动前期", required=False, widget=DATE)
    planned_construction = forms.DateField(label="计划开工", required=False, widget=DATE)
    planned_completion = forms.DateField(label="计划竣工投产", required=False, widget=DATE)

    @classmethod
    def for_project(cls, project):
        initial = {name: getattr(project, name) for name in cls.base_fields if name != "members"}
        initial["members"] = list(project.members.all())
        return cls(initial=initial)


class ReportForm(forms.Form):
    prefix = "report"
    month = forms.CharField(label="月份", widget=forms.TextInput(attrs={"type": "month"}))
    investment = forms.DecimalField(label="本月完成投资（万元）", min_value=0, max_digits=14, decimal_places=2)
    progress = forms.CharField(label="形象进度", widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label="现场照片", required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/*,.pdf", "capture": "environment"}))


class ProblemForm(forms.Form):
    prefix = "problem"
    category = forms.ChoiceField(label="类别", choices=Problem.Category.choices)
    text = forms.CharField(label="需要协调的问题", widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.ModelChoiceField(WORK_UNITS, label="协调单位")
    deadline = forms.DateField(label="办理时限", widget=DATE)


class ReplyForm(forms.Form):
    reply = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 2}))


class LeadForm(forms.Form):
    prefix = "lead"
    name = forms.CharField(label="项目名称", max_length=100)
    investor = forms.CharField(label="投资方", max_length=100)
    industry = forms.CharField(label="产业", max_length=50, required=False)
    amount = forms.DecimalField(label="投资额（万，原币）", min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(label="币种", max_length=3, initial="CNY",
                               help_text="CNY、USD、EUR、HKD…（外币按汇率表折算）")
    amount_cny = forms.DecimalField(label="折合人民币（万元）", required=False, min_value=0, max_digits=14,
                                    decimal_places=2, help_text="可不填，按汇率表折算")
    source = forms.ChoiceField(label="资金来源", choices=Lead.Source.choices)
    unit = forms.ModelChoiceField(WORK_UNITS, label="跟进单位")


class FundsForm(forms.Form):
    prefix = "funds"
    month = forms.CharField(label="月份", widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.DecimalField(label="到位资金（万，原币）", min_value=0, max_digits=14, decimal_places=2)


class ConvertForm(forms.Form):
    prefix = "convert"
    leader = LeaderChoiceField(LEADERS, label="责任领导")
    category = forms.ChoiceField(label="项目类别", choices=Project.Category.choices)
    programme = forms.ModelChoiceField(Programme.objects.all(), label="所属工程", required=False)
    township = forms.ModelChoiceField(TOWNSHIPS, label="所在乡镇", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="项目清单（.xlsx）")
