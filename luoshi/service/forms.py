"""Page forms for requests. They parse input; the rules and their Chinese messages live in services."""
from django import forms
from django.db.models import Q

from luoshi.ledger.forms import MultipleFileField
from luoshi.org.models import Unit

from .models import Enterprise, ServiceCategory, ServiceRequest, Urgency

HANDLING_UNITS = Unit.objects.exclude(kind=Unit.Kind.LEADERSHIP)


class PublicRequestForm(forms.Form):
    """The public page: what, where, who to call back, a photo."""

    category = forms.ModelChoiceField(ServiceCategory.objects.filter(active=True), label="诉求类别",
                                      empty_label="请选择", to_field_name="service_code")
    description = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label="地址", required=False, max_length=200,
                              help_text="写明乡镇（街道）、村（社区）、路名门牌，便于派到属地")
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    long = forms.FloatField(required=False, widget=forms.HiddenInput)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="手机号码", max_length=20, help_text="用于回访；凭编号和手机后四位查询进度")
    attachments = MultipleFileField(label="照片或材料", required=False)


class IntakeForm(PublicRequestForm):
    """The operator's form for a phone call: urgency and the enterprise too."""

    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.ORDINARY)
    enterprise = forms.ModelChoiceField(Enterprise.objects.all(), label="企业（企业诉求时选择）", required=False)


class TrackForm(forms.Form):
    number = forms.CharField(label="诉求编号", max_length=20, widget=forms.TextInput(attrs={"placeholder": "2021-000123"}))
    digits = forms.CharField(label="手机号后四位", min_length=4, max_length=4,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ServiceRequest.Status.choices])
    unit = forms.ModelChoiceField(HANDLING_UNITS, label="承办单位", required=False, empty_label="全部单位")
    category = forms.ModelChoiceField(ServiceCategory.objects.all(), label="类别", required=False, empty_label="全部类别")
    q = forms.CharField(label="编号或关键词", required=False, max_length=100)

    def filter(self, reqs):
        if not self.is_valid():
            return reqs
        data = self.cleaned_data
        if data["status"]:
            reqs = reqs.filter(status=data["status"])
        if data["unit"]:
            reqs = reqs.filter(unit=data["unit"])
        if data["category"]:
            reqs = reqs.filter(category=data["category"])
        if data["q"]:
            reqs = reqs.filter(Q(number=data["q"]) | Q(description__contains=data["q"]))
        return reqs
