"""Tables exported as text: one row per line, cells separated by tabs.

A responsibility table or evaluation rules table names its columns in a header
(重点任务, 牵头单位, 完成时限, 分值, 评分标准); without a header the columns are
guessed from their cells. A unit's name is written on its first row only: the
rows below continue it.
"""
import re

from .document import Doc, Table
from .lexicon import UNIT_SUFFIX

TASK_HEADER = re.compile(r"任务|内容|目标|措施|举措|事项|工作|名称|项目")
NOT_TASK_HEADER = re.compile(r"标准|评分|扣分|分值|计分|类别|序号|单位|部门|时限|时间|期限|备注|领导")
LEAD_HEADER = re.compile(r"牵头|责任单位|责任部门|考核责任|主办|承办")
CO_HEADER = re.compile(r"配合|协办|协助|参与")
HEADER_WORD = re.compile(r"序号|名称|任务|内容|目标|单位|部门|时限|时间|分值|标准|类别|投资|措施|备注|指标|领导|规模")
DEADLINE_HEADER = re.compile(r"时限|时间|期限|完成时|进度安排")
UNIT_CELL = re.compile(rf"^[^，。；\d]{{2,30}}(?:{UNIT_SUFFIX})(?:（[^）]*）)?$")
DEADLINE_CELL = re.compile(r"月底|月\d+日|年底|年内|季度|半年|春节|国庆|长期|持续")


def _cells(text, para):
    return text[para.start:para.end].split("\t")


def _first(cells, pattern, exclude=None):
    return next((i for i, c in enumerate(cells)
                 if pattern.search(c) and not (exclude and exclude.search(c))), None)


def _role_by_cells(rows, pattern):
    """The column whose filled cells mostly match a pattern."""
    best, best_share = None, 0.5
    width = max(len(r) for r in rows)
    for col in range(width):
        filled = [r[col].strip() for r in rows if col < len(r) and r[col].strip()]
        if filled:
            share = sum(bool(pattern.search(c)) for c in filled) / len(filled)
            if share > best_share:
                best, best_share = col, share
    return best


def _read_table(text, paras, indices):
    cells = [_cells(text, paras[i]) for i in indices]
    head = cells[0]
    named = [c for c in head if c.strip()]
    is_header = (all(len(c) <= 12 and not re.fullmatch(r"[\d.]+", c.strip()) for c in named)
                 and sum(bool(HEADER_WORD.search(c)) for c in named) * 2 >= len(named)
                 and _first(head, TASK_HEADER, NOT_TASK_HEADER) is not None)
    if is_header:
        lead = _first(head, LEAD_HEADER, CO_HEADER)
        return Table(rows=indices[1:], header=indices[0], unit_col=lead,
                     co_col=_first(head, CO_HEADER), deadline_col=_first(head, DEADLINE_HEADER),
                     content_cols=tuple(i for i, c in enumerate(head)
                                        if TASK_HEADER.search(c) and not NOT_TASK_HEADER.search(c)),
                     by_header=True)
    unit = _role_by_cells(cells, UNIT_CELL)
    deadline = _role_by_cells(cells, DEADLINE_CELL)
    lengths = {}
    for row in cells:
        for i, c in enumerate(row):
            if i not in (unit, deadline):
                lengths[i] = lengths.get(i, 0) + len(c)
    content = max(lengths, key=lengths.get) if lengths else None
    return Table(rows=indices, unit_col=unit, deadline_col=deadline,
                 content_cols=(content,) if content is not None else ())


def tables(doc: Doc) -> None:
    text = doc.text
    paras = doc.paragraphs
    runs, current = [], []
    for i, p in enumerate(paras):
        if p.start >= doc.body_start and "\t" in text[p.start:p.end]:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    doc.tables = [_read_table(text, paras, run) for run in runs if len(run) >= 2]
