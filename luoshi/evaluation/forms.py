from django import forms

from .models import FIVE_QUESTIONS, QUESTION_MAX, Group, Run


class RunForm(forms.Form):
    group = forms.ChoiceField(label="考核对象", choices=Group.choices)
    period = forms.CharField(label="考核期间", max_length=10, help_text="年度 2021、季度 2021Q2、月度 2021-06")
    method = forms.ChoiceField(label="计分方法", choices=Run.Method.choices)
    normalisation = forms.ChoiceField(label="标准化（加权求和）", choices=Run.Normalisation.choices)


class PeriodForm(forms.Form):
    period = forms.CharField(label="考核期间", max_length=10, help_text="年度 2021、季度 2021Q2、月度 2021-06")


class ImportForm(PeriodForm):
    file = forms.FileField(label="Excel 文件")


class SelfAssessmentForm(PeriodForm):
    """The five questions of the speech's closing, each answered and self-rated 0–20."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, question in enumerate(FIVE_QUESTIONS, start=1):
            self.fields[f"answer{i}"] = forms.CharField(label=f"{'①②③④⑤'[i - 1]}{question}", widget=forms.Textarea(
                attrs={"rows": 3}), max_length=2000)
            self.fields[f"score{i}"] = forms.DecimalField(label=f"第{i}问自评分（0–{QUESTION_MAX}）", min_value=0,
                                                          max_value=QUESTION_MAX, decimal_places=1)

    def answers(self):
        return [(self.cleaned_data[f"answer{i}"], self.cleaned_data[f"score{i}"])
                for i in range(1, len(FIVE_QUESTIONS) + 1)]

    def pairs(self):
        return [(self[f"answer{i}"], self[f"score{i}"]) for i in range(1, len(FIVE_QUESTIONS) + 1)]
