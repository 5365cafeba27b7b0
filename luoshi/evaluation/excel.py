"""Evaluation in Excel: the scores of a run, and imported statistics (checked row by row, all rows or none)."""
import io
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from luoshi.ledger.excel import ImportRejected, RowError, _text
from luoshi.org.models import Unit, unit_names

from . import scope, services
from .models import Indicator, group_of

SCORES_SHEET = "考核得分"
IMPORT_SHEET = "考核数据"
IMPORT_COLUMNS = {"单位": "unit", "指标": "indicator", "数值": "value", "备注": "note"}
IMPORT_MAX_ROWS = 5000


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
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise ImportRejected("请上传 Excel（.xlsx）文件")
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken file
        raise ImportRejected("文件已损坏或不是有效的 Excel（.xlsx）文件") from None
    try:
        ws = wb[IMPORT_SHEET] if IMPORT_SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = [_text(c) for c in next(rows, ())]
        if not {"单位", "指标", "数值"} <= set(header):
            raise ImportRejected("第一行应为表头：单位、指标、数值、备注（请使用导入模板）")
        columns = {i: IMPORT_COLUMNS[n] for i, n in enumerate(header) if n in IMPORT_COLUMNS}
        found = []
        for number, cells in enumerate(rows, start=2):
            values = {f: cells[i] for i, f in columns.items() if i < len(cells)}
            if all(_text(v) == "" for v in values.values()):
                continue
            if len(found) >= IMPORT_MAX_ROWS:
                raise ImportRejected(f"一次最多导入 {IMPORT_MAX_ROWS} 行")
            found.append((number, values))
    finally:
        wb.close()
    if not found:
        raise ImportRejected("表格中没有数据行")
    return found


def import_values(upload, user, period):
    """Check every row (unit, indicator, number, no duplicates), then save all; any error saves nothing."""
    scope.require(scope.can_manage(user))
    services.check_period(period)
    rows = read_rows(upload)
    units = unit_names()
    indicators = {}
    for i in Indicator.objects.filter(source=Indicator.Source.IMPORTED):
        indicators.setdefault(i.name, []).append(i)
        indicators.setdefault(i.code, []).append(i)
    unit_rows = {u.pk: u for u in Unit.objects.all()}
    cleaned, errors, seen = [], [], {}
    for number, values in rows:
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
    services.save_values(user, period, cleaned)
    return ImportResult(saved=len(cleaned))
