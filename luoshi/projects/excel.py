"""The 月调度 table in Excel: export a month's scheduling table, import an existing project list (all or nothing).

The export is one query (this month's and year-to-date figures are subqueries on the (project, month) key, the
project's cumulative total is stored on it) written by a write-only workbook, so 5,000 projects stay fast.
Its columns are also the import's, so an exported table imports back into the same projects.
"""
import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from luoshi import sheets
from luoshi.jobs.services import no_progress
from luoshi.ledger.services import LedgerError
from luoshi.sheets import ImportRejected, RowError  # noqa: F401 (the views catch ImportRejected here)
from luoshi.sheets import text as _text

from . import services
from .models import MonthlyReport, Problem, Project, Stage

SHEET_TITLE = "重点项目月调度表"
# (header, width, project field it imports into); the first ten are the county's 月调度 table
COLUMNS = [
    ("项目名称", 30, "name"), ("总投资（万元）", 13, "total_investment"),
    ("年度计划（万元）", 13, "annual_investment"), ("本月完成（万元）", 13, None), ("累计完成（万元）", 13, None),
    ("完成率", 8, None), ("当前阶段", 10, "stage"), ("存在问题", 40, None), ("责任领导", 10, "leader"),
    ("责任单位", 16, "lead_unit"), ("项目类别", 10, "category"), ("所属工程", 12, "programme"),
    ("所在乡镇", 10, "township"), ("业主单位", 20, "owner"), ("纳入省重点", 8, "provincial_key"),
    ("纳入市重点", 8, "city_key"), ("计划启动前期", 12, "planned_preparation"),
    ("计划开工", 12, "planned_construction"), ("计划竣工投产", 12, "planned_completion"),
]
IMPORT_FIELDS = {re.sub(r"（.*）", "", header): name for header, _, name in COLUMNS if name}
REQUIRED = ["项目名称", "责任单位"]
YES = {"是", "√", "Y", "y", "1", "TRUE", "True", "true"}
NO = {"", "否", "×", "N", "n", "0", "FALSE", "False", "false"}


# --- export -----------------------------------------------------------------------------------

ROW_FIELDS = ["pk", "name", "total_investment", "annual_investment", "month_investment", "year_to_date", "stage",
              "leader__name", "lead_unit__name", "category", "programme__name", "township__name", "owner",
              "provincial_key", "city_key", "planned_preparation", "planned_construction", "planned_completion"]


def monthly_rows(projects, month):
    """Plain rows (no model instances: 5,000 of them would cost more than the query) with this month's completion
    and the year-to-date total as of the month."""
    reports = MonthlyReport.objects.filter(project=OuterRef("pk"))
    return (projects.annotate(month_investment=Subquery(reports.filter(month=month).values("investment")[:1]),
                              year_to_date=Subquery(reports.filter(month__year=month.year, month__lte=month)
                                                    .order_by("-month").values("year_to_date")[:1]))
            .order_by("id").values_list(*ROW_FIELDS, named=True))


def open_problems(projects):
    """Project id → “用地：临时用地未批；…” for the problems not yet closed."""
    labels, found = dict(Problem.Category.choices), {}
    rows = (Problem.objects.filter(project__in=projects.values("pk")).exclude(status=Problem.Status.CLOSED)
            .order_by("id").values_list("project_id", "category", "text"))
    for project_id, category, text in rows:
        found.setdefault(project_id, []).append(f"{labels[category]}：{text}")
    return {pk: "；".join(texts) for pk, texts in found.items()}


def export_monthly(projects, month, out):
    """Write the month's 月调度 table to `out` (a path or binary file); returns the row count."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    for i, (_, width, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    title = WriteOnlyCell(ws, value=f"重点项目月调度表（{month.year}年{month.month}月）")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    header = []
    for text, _, _ in COLUMNS:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    stages, categories = dict(Stage.choices), dict(Project.Category.choices)
    problems = open_problems(projects)
    count = 0
    for count, p in enumerate(monthly_rows(projects, month).iterator(chunk_size=2000), start=1):
        ytd = p.year_to_date or 0
        rate = WriteOnlyCell(ws, value=float(ytd / p.annual_investment) if p.annual_investment else None)
        rate.number_format = "0.0%"
        ws.append([
            p.name, p.total_investment, p.annual_investment, p.month_investment or 0, ytd, rate, stages[p.stage],
            problems.get(p.pk, ""), p.leader__name, p.lead_unit__name, categories[p.category],
            p.programme__name or "", p.township__name or "", p.owner, "是" if p.provincial_key else "",
            "是" if p.city_key else "", p.planned_preparation, p.planned_construction, p.planned_completion,
        ])
    wb.save(out)
    return count


def export_to_tempfile(projects, month):
    out = tempfile.TemporaryFile(suffix=".xlsx")
    export_monthly(projects, month, out)
    out.seek(0)
    return out


# --- import -----------------------------------------------------------------------------------

@dataclass
class ImportResult:
    projects: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_rows(upload):
    return sheets.read_rows(upload, sheet_title=SHEET_TITLE, columns=IMPORT_FIELDS, required=REQUIRED, noun="项目")


HEADERS = {name: re.sub(r"（.*）", "", header) for header, _, name in COLUMNS if name}


def _row_fields(values):
    """One sheet row → create_project keyword arguments, or raise LedgerError naming the field."""
    fields = {}
    for name, value in values.items():
        if name in ("provincial_key", "city_key"):
            text = _text(value)
            if text not in YES | NO:
                raise LedgerError(f"“{text}”应填“是”或留空", name)
            fields[name] = text in YES
        elif name.startswith("planned_") and isinstance(value, dt.datetime):
            fields[name] = value.date()
        elif name in ("total_investment", "annual_investment"):
            fields[name] = "" if value is None else value
        elif name == "stage":
            fields[name] = _text(value) or Stage.INTRODUCED
        else:
            fields[name] = _text(value)
    return fields


def import_projects(upload, user, on=None, progress=no_progress):
    """Create every project of an uploaded list; nothing is written unless every row passes.

    Raises ImportRejected for an unreadable file; returns ImportResult with the projects or the row errors.
    """
    progress(0, 0, "读取表格")
    rows = read_rows(upload)
    result, seen = ImportResult(), {}
    # each row is checked as it is created, inside the one transaction: no count to show until it commits
    progress(0, 0, f"检查并写入 {len(rows)} 个项目（全部写入或全部不写入）")
    with transaction.atomic():
        for number, values in rows:
            name = _text(values.get("name"))
            if name in seen:
                result.errors.append(RowError(number, "项目名称", f"与第{seen[name]}行重复"))
                continue
            seen[name] = number
            try:
                with transaction.atomic():
                    result.projects.append(services.create_project(user, on=on, **_row_fields(values)))
            except LedgerError as e:
                result.errors.append(RowError(number, HEADERS.get(e.field, ""), e.message))
        if result.errors:
            transaction.set_rollback(True)
            result.projects = []
    return result
