"""Exports of a decomposition: the 任务分解表 (xlsx) and a readable outline (Markdown).

openpyxl is imported here only, so the CLI's json path starts without it.
"""
from __future__ import annotations

import io
import re

from .document import Decomposition, Task
from .tasks import MARKER

XLSX_HEADER = ["序号", "所属章节", "任务内容", "目标值", "完成时限", "牵头单位", "责任单位", "依据原文"]
BLANK_FILL = "FFFF00"  # a target still to fill in (**) is highlighted yellow


def _section(result: Decomposition, task: Task) -> str:
    path, i = [], task.heading
    while i is not None:
        path.append(result.headings[i].text)
        i = result.headings[i].parent
    return " / ".join(reversed(path))


def _targets(task: Task) -> str:
    return "；".join(q.text if not q.placeholder else f"{q.metric}（待填）{q.unit or ''}" for q in task.targets)


def _deadlines(task: Task) -> str:
    return "；".join(f"{d.date.isoformat()}（{d.text}）" for d in task.deadlines if d.date)


def _content(task: Task) -> str:
    """The task in short: without its list marker and the owner parenthesis the other columns show."""
    text = MARKER.sub("", task.text.strip())
    text = re.sub(r"[（(][^（）()]*(?:牵头|负责|配合|责任单位)[^（）()]*[）)]\s*$", "", text)
    return " ".join(text.split())


def to_xlsx(result: Decomposition, source: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    ws.append(XLSX_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    yellow = PatternFill("solid", fgColor=BLANK_FILL)
    for n, t in enumerate(result.tasks, 1):
        ws.append([n, _section(result, t), _content(t), _targets(t), _deadlines(t),
                   t.lead_unit, "、".join(t.co_units), " ".join(t.text.split())])
        if any(q.placeholder for q in t.targets):
            ws.cell(row=n + 1, column=4).fill = yellow
    for col, width in zip("ABCDEFGH", (6, 30, 50, 30, 22, 16, 24, 60)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_markdown(result: Decomposition, source: str = "") -> str:
    lines = [f"# {result.title or source or '任务分解'}", ""]
    if result.doc_date:
        lines += [f"文件日期：{result.doc_date.isoformat()}", ""]
    lines += [f"> {w}" for w in result.warnings] + ([""] if result.warnings else [])
    by_heading = {}
    for t in result.tasks:
        by_heading.setdefault(t.heading, []).append(t)

    def task_lines(tasks):
        out = []
        for t in tasks:
            extra = [x for x in (f"目标：{_targets(t)}" if t.targets else "",
                                 f"时限：{_deadlines(t)}" if t.deadlines else "",
                                 f"牵头：{t.lead_unit}" if t.lead_unit else "",
                                 f"配合：{'、'.join(t.co_units)}" if t.co_units else "") if x]
            out.append(f"- **{t.id}** {_content(t)}" + (f"  \n  {' ｜ '.join(extra)}" if extra else ""))
        return out

    lines += task_lines(by_heading.get(None, []))
    for i, h in enumerate(result.headings):
        lines += ["", f"{'#' * min(h.level + 1, 6)} {' '.join(h.text.split())}", ""]
        lines += task_lines(by_heading.get(i, []))
    if result.problems:
        lines += ["", "## 问题清单", ""] + [f"- {' '.join(p.text.split())}" for p in result.problems]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"
