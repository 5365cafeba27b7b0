"""Evaluation in Excel: the scores of a run, and imported statistics (checked row by row, all rows or none)."""
import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font

from luoshi import sheets
from luoshi.jobs.services import no_progress
from luoshi.sheets import ImportRejected, RowError  # noqa: F401 (the views catch ImportRejected here)
from luoshi.sheets import text as _text
from luoshi.org.models import Unit, unit_names

from . import scope, services
from .models import Indicator, group_of

SCORES_SHEET = "考核得分"
IMPORT_SHEET = "考核数据"
IMPORT_COLUMNS = {"单位": "unit", "指标": "indicator", "数值": "value", "备注": "note"}
IMPORT_MAX_ROWS = 5000  # a year of statistics for every unit and imported indicator


def scores_workbook(run):
    """One row per unit: rank, change, score, then each indicator's raw value and contribution."""
    wb = Workbook()
    ws = wb.active
    ws.title = SCORES_SHEET
    items = run.config["indicators"]
    header = ["名次", "单位", "得分", "较上期"]
    for item in items:
        header += [f"{item['name']}（{item['unit_label'] or '原始值'}）", f"{item['name']}得分"]
    ws.append([f"{run.title}（{run.get_method_display()}，数据截至 {run.as_of}）"])
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    values = {(v.unit_id, v.code): v for v in run.values.all()}
    for s in run.scores.order_by("rank", "unit_name"):
        row = [s.rank, s.unit_name, round(s.score, 2), s.change]
        for item in items:
            v = values[(s.unit_id, item["code"])]
            row += [v.raw, None if v.contribution is None else round(v.contribution, 4)]
        ws.append(row)
    ws.freeze_panes = "C3"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def template_workbook():
    wb = Workbook()
    ws = wb.active
    ws.title = IMPORT_SHEET
    ws.append(list(IMPORT_COLUMNS))
    help_sheet = wb.create_sheet("填写说明")
    for row in [("列", "填写说明"), ("单位", "单位全称、简称或别名"), ("指标", "“导入统计数据”指标的名称或代码"),
                ("数值", "数字"), ("备注", "可不填")]:
        help_sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@dataclass
class ImportResult:
    saved: int = 0
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_rows(upload):
    """(row number, {field: value}) under a header naming 单位, 指标, 数值."""
    return sheets.read_rows(upload, sheet_title=IMPORT_SHEET, columns=IMPORT_COLUMNS, required=["单位", "指标", "数值"],
                            noun="数据", max_rows=IMPORT_MAX_ROWS)


def import_values(upload, user, period, progress=no_progress):
    """Check every row (unit, indicator, number, no duplicates), then save all; any error saves nothing."""
    scope.require(scope.can_manage(user))
    services.check_period(period)
    progress(0, 0, "读取表格")
    rows = read_rows(upload)
    units = unit_names()
    indicators = {}
    for i in Indicator.objects.filter(source=Indicator.Source.IMPORTED):
        indicators.setdefault(i.name, []).append(i)
        indicators.setdefault(i.code, []).append(i)
    unit_rows = {u.pk: u for u in Unit.objects.all()}
    cleaned, errors, seen = [], [], {}
    for i, (number, values) in enumerate(rows):
        progress(i, len(rows), "逐行检查")
        unit = unit_rows.get(units.get(_text(values.get("unit"))))
        if unit is None:
            errors.append(RowError(number, "单位", f"单位“{_text(values.get('unit'))}”不存在"))
        candidates = indicators.get(_text(values.get("indicator")), [])
        indicator = next((i for i in candidates if unit and group_of(unit) == i.group), None)
        if not candidates:
            errors.append(RowError(number, "指标", f"没有名为“{_text(values.get('indicator'))}”的导入指标"))
        elif unit and indicator is None:
            errors.append(RowError(number, "指标", f"{unit.name}不在该指标的考核对象中"))
        try:
            value = services.number(values.get("value"), "value")
        except services.EvaluationError as e:
            value = None
            errors.append(RowError(number, "数值", e.message))
        if unit and indicator:
            if (unit.pk, indicator.pk) in seen:
                errors.append(RowError(number, "单位", f"与第{seen[(unit.pk, indicator.pk)]}行重复"))
            seen[(unit.pk, indicator.pk)] = number
        if value is not None and unit and indicator:
            cleaned.append((indicator, unit, value, _text(values.get("note"))))
    if errors:
        return ImportResult(errors=errors)
    progress(0, 0, f"写入 {len(cleaned)} 条数据（全部写入或全部不写入）")
    services.save_values(user, period, cleaned)
    return ImportResult(saved=len(cleaned))
