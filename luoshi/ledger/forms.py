"""Page forms. They parse input; the rules (and their Chinese messages) live in services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.org.models import Person, Unit

from .models import Light, Task

# units that receive tasks: not the office itself nor the leadership
WORK_UNITS = Unit.objects.exclude(kind__in=[Unit.Kind.OFFICE, Unit.Kind.LEADERSHIP])
LEADERS = Person.objects.filter(role=Person.Role.LEADER)


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name  # titles are long (副县长（分管…）) and names are how the office speaks of leaders


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False)
    unit = forms.ModelChoiceField(WORK_UNITS, label=_("单位"), required=False, empty_label=_("全部单位"))
    light = forms.ChoiceField(label=_("灯色"), required=False, choices=[("", _("全部灯色")), *Light.choices])
    leader = LeaderChoiceField(LEADERS, label=_("分管领导"), required=False, empty_label=_("全部领导"))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Task.Status.choices])
    area = forms.CharField(label=_("重点领域"), required=False)


class ProgressForm(forms.Form):
    prefix = "report"  # several forms share one task page
    percent = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100,
                                 error_messages={"required": _("请选择或填写进度"),
                                                 "invalid": _("进度应为 0–100 的整数")})
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写进展情况")})
    attachments = MultipleFileField(
        label=_("现场照片或佐证材料"), required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,.pdf,.docx,.xlsx,.txt", "capture": "environment"}))
    done = forms.BooleanField(label=_("申报完成"), required=False)


class TaskEditForm(forms.Form):
    prefix = "edit"  # several forms share one task page
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("任务名称"), max_length=200)
    text = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 3}))
    section = forms.CharField(label=_("所属章节"), max_length=200, required=False)
    area = forms.CharField(label=_("重点领域"), max_length=50, required=False)
    lead_unit = forms.ModelChoiceField(WORK_UNITS, label=_("牵头单位"))
    co_units = forms.ModelMultipleChoiceField(WORK_UNITS, label=_("责任单位"), required=False)
    leader = LeaderChoiceField(LEADERS, label=_("分管领导"), required=False)
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cadence = forms.TypedChoiceField(label=_("填报周期"), choices=Task.Cadence.choices, coerce=int)

    @classmethod
    def for_task(cls, task, **kw):
        initial = {f: getattr(task, f) for f in ("version", "title", "text", "section", "area", "lead_unit",
                                                   "leader", "deadline", "cadence")}
        initial["co_units"] = list(task.co_units.all())
        return cls(initial=initial, **kw)


class TargetFillForm(forms.Form):
    value = forms.DecimalField(label=_("目标值"), min_value=0, max_digits=18, decimal_places=4,
                               error_messages={"required": _("请填写目标值"), "invalid": _("请填写数字")})
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class MilestoneForm(forms.Form):
    prefix = "ms"  # several forms share one task page
    title = forms.CharField(label=_("节点"), max_length=200, error_messages={"required": _("请填写节点名称")})
    due = forms.DateField(label=_("计划时间"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("请填写节点计划时间"), "invalid": _("日期格式应为 2021-06-30")})


class ReasonForm(forms.Form):
    prefix = "ret"  # several forms share one task page
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请写明退回理由")})


class NoticeForm(forms.Form):
    prefix = "notice"  # several forms share one task page
    reason = forms.CharField(label=_("督办事由"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写督办事由")})
    requirement = forms.CharField(label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reply_due = forms.DateField(label=_("答复期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("不填则按规则默认天数"))


class InstructionForm(forms.Form):
    prefix = "ins"  # several forms share one task page
    unit = forms.ModelChoiceField(WORK_UNITS, label=_("承办单位"), error_messages={"required": _("请选择承办单位")})
    due = forms.DateField(label=_("办理时限"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("请填写办理时限"), "invalid": _("日期格式应为 2021-06-30")})
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写批示内容")})


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": _("请填写答复内容")})


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("讲话稿、工作报告或工作要点（txt / docx / pdf）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf"}),
                           error_messages={"required": _("请选择要上传的文件")})
    doc_date = forms.DateField(label=_("文件日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("用于推算“明年”“年底前”等时限，不填则按今天"))


class DraftRowForm(forms.Form):
    """One row of the draft responsibility list. Units and leader may be left empty here:
    whether a row can be published is the publishing rule's call, reported per row."""

    include = forms.BooleanField(label=_("纳入"), required=False)
    title = forms.CharField(label=_("任务名称"), max_length=200, required=False)
    text = forms.CharField(label=_("任务内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.ModelChoiceField(WORK_UNITS, label=_("牵头单位"), required=False, empty_label=_("（请选择）"))
    co_units = forms.ModelMultipleChoiceField(WORK_UNITS, label=_("责任单位"), required=False)
    leader = LeaderChoiceField(LEADERS, label=_("分管领导"), required=False, empty_label=_("（未指定）"))
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


DraftRowFormSet = forms.formset_factory(DraftRowForm, extra=0)
