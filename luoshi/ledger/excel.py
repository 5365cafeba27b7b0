"""The ledger in Excel: export the 任务台账, import an existing ledger (all rows or none).

Export writes a write-only workbook to a temporary file, so 10k rows keep memory flat.
Import checks every row first (row number + column + message) and only then calls
services.create_tasks, which is itself all-or-nothing.
"""
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from luoshi import sheets
from luoshi.jobs.services import no_progress
from luoshi.org.models import Person, Unit, unit_names
from luoshi.sheets import ImportRejected, RowError  # noqa: F401 (the views catch ImportRejected here)
from luoshi.sheets import text as _text

from . import services
from .models import Light, Target

SHEET_TITLE = "任务台账"

# (header, width): the order of the exported sheet
EXPORT_COLUMNS = [
    ("序号", 6), ("编号", 11), ("所属章节", 18), ("任务内容", 50), ("目标值", 30), ("完成时限", 12),
    ("牵头单位", 14), ("责任单位", 22), ("分管领导", 10), ("状态", 9), ("进度", 7), ("红黄绿灯", 9),
    ("亮灯原因", 24), ("最近填报", 17), ("依据原文", 50),
]
LIGHT_FILLS = {
    Light.RED: PatternFill("solid", fgColor="FFC62828"),
    Light.YELLOW: PatternFill("solid", fgColor="FFFFC000"),
    Light.GREEN: PatternFill("solid", fgColor="FF2E7D32"),
}
BLANK_FILL = PatternFill("solid", fgColor="FFFFFF00")
HEADER_FILL = PatternFill("solid", fgColor="FFD9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")

# --- export -----------------------------------------------------------------------------------


def target_cell_text(targets):
    """All targets of a task in one cell; blanks read “**个（待填报）” so nobody mistakes them for values."""
    parts = []
    for target in targets:
        shown = target.display()
        if target.placeholder and target.state != Target.State.CONFIRMED:
            shown += f"（{target.get_state_display()}）"
        parts.append(shown)
    return "；".join(parts)


def export_ledger(tasks, out):
    """Write the tasks to `out` (a path or binary file) as an .xlsx ledger; returns the row count."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for i, (_, width) in enumerate(EXPORT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"

    def cell(value, fill=None, wrap=False, number_format=None):
        c = WriteOnlyCell(ws, value=value)
        if fill is not None:
            c.fill = fill
        if wrap:
            c.alignment = WRAP
        if number_format:
            c.number_format = number_format
        return c

    header = []
    for title, _ in EXPORT_COLUMNS:
        c = cell(title, HEADER_FILL)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)

    tasks = tasks.select_related("lead_unit", "leader").prefetch_related(
        Prefetch("co_units", queryset=Unit.objects.only("name", "kind", "order")),
        Prefetch("targets", queryset=Target.objects.order_by("id")),
    ).order_by("deadline", "code")
    count = 0
    for count, task in enumerate(tasks.iterator(chunk_size=1000), start=1):
        targets = list(task.targets.all())
        blank = any(t.placeholder and t.value is None for t in targets)
        last = timezone.localtime(task.last_report_at).strftime("%Y-%m-%d %H:%M") if task.last_report_at else ""
        ws.append([
            cell(count), cell(task.code), cell(task.section, wrap=True), cell(task.text, wrap=True),
            cell(target_cell_text(targets), BLANK_FILL if blank else None, wrap=True),
            cell(task.deadline, number_format="yyyy-mm-dd"),
            cell(task.lead_unit.name), cell("、".join(u.name for u in task.co_units.all()), wrap=True),
            cell(task.leader.name if task.leader else ""), cell(task.get_status_display()),
            cell(task.progress / 100, number_format="0%"),
            cell(task.get_light_display(), LIGHT_FILLS.get(task.light)), cell(task.light_reason, wrap=True),
            cell(last), cell(task.source_text, wrap=True),
        ])
    wb.save(out)
    return count


def export_to_tempfile(tasks):
    """The ledger in a temporary file positioned at 0 (the caller streams and closes it)."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    export_ledger(tasks, out)
    out.seek(0)
    return out


# --- import -----------------------------------------------------------------------------------

# header → row field; 任务内容 and 牵头单位 are required, other columns (序号, 状态…) are ignored
IMPORT_COLUMNS = {
    "所属章节": "section", "任务内容": "text", "目标值": "targets", "完成时限": "deadline",
    "牵头单位": "lead_unit", "责任单位": "co_units", "分管领导": "leader", "依据原文": "source_text",
}
TEMPLATE_COLUMNS = ["序号", "所属章节", "任务内容", "目标值", "完成时限", "牵头单位", "责任单位", "分管领导", "依据原文"]
TEMPLATE_HELP = [
    ("列", "填写说明", "示例"),
    ("序号", "可不填，导入时忽略", "1"),
    ("所属章节", "讲话或文件中的章节", "一要坚持项目为王"),
    ("任务内容", "必填", "持续开展“招商引资突破年”活动，确保2021年引进亿元以上项目**个"),
    ("目标值", "每个目标含一个数字；待定目标写“**”；多个目标用“；”分开", "引进亿元以上项目**个；实际利用省外资金50亿元"),
    ("完成时限", "日期，如 2021-12-31", "2021-12-31"),
    ("牵头单位", "必填，单位全称、简称或别名", "商务局"),
    ("责任单位", "多个单位用“、”或“，”分开", "发改委、产业集聚区管委会"),
    ("分管领导", "县领导姓名", ""),
    ("依据原文", "原文句子", ""),
]
UNIT_SEPARATORS = re.compile(r"[、，,；;\s]+")
TARGET_SEPARATORS = re.compile(r"[；;\n]+")
PLACEHOLDER = re.compile(r"\*{2,}|(?<![A-Za-z])[X×Ｘ]{1,3}(?![A-Za-z])")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
STATE_NOTE = re.compile(r"（(待填报|待确认|已确认|已退回|已定)）")
TARGET_MAX = Decimal(10) ** 14  # Target.value holds 18 digits, 4 of them decimals
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


@dataclass
class ImportResult:
    tasks: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def template_workbook(out):
    """An empty ledger with the import columns; the example lives on a second sheet so it is never imported."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append(TEMPLATE_COLUMNS)
    for i, title in enumerate(TEMPLATE_COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = dict(EXPORT_COLUMNS).get(title, 12)
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet("填写说明")
    for row in TEMPLATE_HELP:
        help_sheet.append(row)
    for letter, width in zip("ABC", (10, 50, 50)):
        help_sheet.column_dimensions[letter].width = width
    wb.save(out)


def read_rows(upload):
    return sheets.read_rows(upload, sheet_title=SHEET_TITLE, columns=IMPORT_COLUMNS, required=["任务内容", "牵头单位"],
                            noun="任务")


def parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = _text(value)
    if not written:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(written, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{written}”不是有效日期，应写作 2021-06-30")


def parse_targets(value):
    """The 目标值 cell → target dicts. Each part needs a number, or ** for a target the unit fills in."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"目标值“{value}”不能为负数")
        if value >= TARGET_MAX:
            raise ValueError(f"目标值“{value}”过大")
        return [{"text": _plain_number(value), "value": _plain_number(value)}]
    targets = []
    for part in TARGET_SEPARATORS.split(_text(value)):
        part = STATE_NOTE.sub("", part).strip()
        if not part:
            continue
        placeholder = PLACEHOLDER.search(part)
        if placeholder:
            targets.append({"text": part, "metric": part[:placeholder.start()].strip(),
                            "unit": part[placeholder.end():].strip()[:20], "placeholder": True})
            continue
        numbers = NUMBER.findall(part)
        if len(numbers) != 1:
            raise ValueError(f"目标值“{part}”应含一个数字（待定的写作“**”），多个目标用“；”分开")
        match = NUMBER.search(part)
        try:
            number = Decimal(match.group())
        except InvalidOperation:
            raise ValueError(f"目标值“{part}”中的数字无法识别") from None
        if number < 0:
            raise ValueError(f"目标值“{part}”不能为负数")
        if number >= TARGET_MAX:
            raise ValueError(f"目标值“{part}”中的数字过大")
        targets.append({"text": part, "metric": part[:match.start()].strip(), "value": str(number),
                        "unit": part[match.end():].strip()[:20]})
    return targets


def _plain_number(value):
    return str(int(value)) if float(value).is_integer() else str(value)


def _row_to_task(values, units, leaders):
    """One sheet row → a create_tasks row, or the list of (column, message) that is wrong with it."""
    errors, row = [], {}
    text = _text(values.get("text"))
    if not text:
        errors.append(("任务内容", "任务内容不能为空"))
    row["text"] = text
    row["title"] = re.split(r"[，。；]", text, maxsplit=1)[0][:200] if text else ""
    row["section"] = _text(values.get("section"))
    row["source_text"] = _text(values.get("source_text"))

    lead = _text(values.get("lead_unit"))
    if not lead:
        errors.append(("牵头单位", "牵头单位不能为空"))
    elif lead not in units:
        errors.append(("牵头单位", f"单位“{lead}”不存在，请写系统中的单位名称或简称"))
    else:
        row["lead_unit"] = units[lead]
    co = []
    for name in UNIT_SEPARATORS.split(_text(values.get("co_units"))):
        if not name:
            continue
        if name not in units:
            errors.append(("责任单位", f"单位“{name}”不存在，请写系统中的单位名称或简称"))
        else:
            co.append(units[name])
    row["co_units"] = co

    leader = _text(values.get("leader"))
    if leader:
        if leader not in leaders:
            errors.append(("分管领导", f"分管领导“{leader}”不在县领导名单中"))
        else:
            row["leader"] = leaders[leader]
    try:
        row["deadline"] = parse_date(values.get("deadline"))
    except ValueError as e:
        errors.append(("完成时限", str(e)))
    try:
        row["targets"] = parse_targets(values.get("targets"))
    except ValueError as e:
        errors.append(("目标值", str(e)))
    return row, errors


def import_ledger(upload, user, on=None, progress=no_progress):
    """Read, check and create every task of an uploaded ledger; nothing is written unless all rows pass.

    Raises ImportRejected for an unreadable file; returns ImportResult with tasks or row errors.
    """
    on = on or services.today()
    progress(0, 0, "读取表格")
    rows = read_rows(upload)
    units = unit_names()
    leaders = {p.name: p.pk for p in Person.objects.filter(role=Person.Role.LEADER)}
    drafts, errors = [], []
    for i, (number, values) in enumerate(rows):
        progress(i, len(rows), "逐行检查")
        draft, problems = _row_to_task(values, units, leaders)
        if draft.get("deadline") and draft["deadline"] < on:
            problems.append(("完成时限", f"完成时限 {draft['deadline']} 早于今天（{on}）"))
        errors += [RowError(number, column, message) for column, message in problems]
        drafts.append(draft)
    if errors:
        return ImportResult(errors=errors)
    progress(0, 0, f"写入 {len(drafts)} 项任务（全部写入或全部不写入）")
    try:
        tasks = services.create_tasks(drafts, user, on=on)
    except services.PublishError as e:
        return ImportResult(errors=[RowError(rows[i][0], "", "，".join(messages))
                                    for i, messages in sorted(e.errors.items())])
    return ImportResult(tasks=tasks)
