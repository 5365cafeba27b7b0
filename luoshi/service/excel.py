"""Requests and rankings in Excel. Requester names and phones are always masked in exports: a file leaves the
system and travels, so it carries no contact (the handling unit sees the contact on the page)."""
import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import services

HEADER_FILL = PatternFill("solid", fgColor="FFD9D9D9")
WRAP = Alignment(wrap_text=True, vertical="top")
REQUEST_COLUMNS = [
    ("编号", 13), ("提交时间", 17), ("渠道", 10), ("类别", 12), ("紧急程度", 8), ("诉求内容", 50), ("地址", 24),
    ("联系人", 8), ("联系电话", 14), ("企业", 18), ("状态", 10), ("承办单位", 14), ("答复时限", 17), ("评价", 8),
]
RANKING_COLUMNS = [
    ("排名", 6), ("单位", 16), ("派单", 7), ("按时响应", 9), ("响应率", 8), ("办结", 7), ("解决", 7), ("解决率", 8),
    ("评价", 7), ("满意率", 8), ("按时办结", 9), ("超期未办", 9), ("按时办结率", 10), ("综合得分", 9),
]


def _sheet(wb, title, columns):
    ws = wb.create_sheet(title)
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for name, _ in columns:
        c = WriteOnlyCell(ws, value=name)
        c.fill, c.font = HEADER_FILL, Font(bold=True)
        header.append(c)
    ws.append(header)
    return ws


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _save(wb):
    """A temporary file positioned at 0; the caller streams and closes it (which deletes it)."""
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out


def export_requests(reqs):
    """The (already scoped) requests as an .xlsx file; returns it as an open temporary file."""
    wb = Workbook(write_only=True)
    ws = _sheet(wb, "诉求清单", REQUEST_COLUMNS)
    for req in reqs.iterator(chunk_size=1000):
        description = WriteOnlyCell(ws, value=services.redact(req.description))
        description.alignment = WRAP
        ws.append([req.number, _when(req.created_at), req.get_channel_display(), req.category.name,
                   req.get_urgency_display(), description, req.address, services.mask_name(req.contact_name),
                   services.mask_phone(req.contact_phone), req.enterprise.name if req.enterprise_id else "",
                   req.get_status_display(), req.unit.name if req.unit_id else "", _when(req.reply_due),
                   req.get_rating_display()])
    return _save(wb)


def _percent(ws, value):
    c = WriteOnlyCell(ws, value=value)
    c.number_format = "0.0%"
    return c


def export_rankings(month, tables):
    """One sheet per kind (乡镇街道, 部门) for the month; returns an open temporary file."""
    wb = Workbook(write_only=True)
    for kind, rows in tables.items():
        ws = _sheet(wb, f"{'乡镇街道' if kind == 'township' else '县直部门'}{month:%Y年%m月}", RANKING_COLUMNS)
        for r in rows:
            ws.append([r.rank, r.unit.name, r.dispatched, r.responded, _percent(ws, r.response_rate), r.concluded,
                       r.resolved, _percent(ws, r.resolution_rate), r.rated, _percent(ws, r.satisfaction_rate),
                       r.concluded_on_time, r.open_overdue, _percent(ws, r.on_time_rate),
                       _percent(ws, r.composite)])
    return _save(wb)
