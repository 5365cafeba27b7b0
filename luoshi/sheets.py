"""Reading an uploaded .xlsx for an all-or-nothing import: the pieces the ledger's and the projects' imports share."""
import re
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000  # one year's ledger or project list is a few hundred rows; beyond this it is probably the wrong file
HEADER_SCAN_ROWS = 10  # real sheets carry a title row or two above the header
NOTE_IN_HEADER = re.compile(r"（.*）|\(.*\)")  # 总投资（万元） is the 总投资 column
BROKEN = "文件已损坏或不是有效的 Excel（.xlsx）文件"


class ImportRejected(Exception):
    """The file itself cannot be read (too big, not an .xlsx, corrupt, no header)."""


@dataclass
class RowError:
    row: int  # as numbered in Excel
    column: str
    message: str


def text(value):
    return "" if value is None else str(value).strip()


def read_rows(upload, *, sheet_title, columns, required, noun, max_rows=MAX_ROWS):
    """(sheet row number, {field: cell value}) for each non-empty row under the header.

    `columns` maps a header (without its bracketed note) to a row field; the header row is the first of the top
    rows that has every `required` header; `noun` names the rows in messages (任务, 项目).
    """
    name = (getattr(upload, "name", "") or "").lower()
    if name.endswith(".xls"):
        raise ImportRejected("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    if not name.endswith(".xlsx"):
        raise ImportRejected("请上传 Excel（.xlsx）文件")
    if upload.size > MAX_BYTES:
        raise ImportRejected(f"文件超过 {MAX_BYTES // 1048576} MB，请拆分后分批导入")
    if not zipfile.is_zipfile(upload):
        raise ImportRejected(BROKEN)
    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, BadZipFile, XML errors) for a broken file
        raise ImportRejected(BROKEN) from None
    try:
        ws = wb[sheet_title] if sheet_title in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        fields = None
        for header_row in range(1, HEADER_SCAN_ROWS + 1):
            cells = next(rows, None)
            if cells is None:
                break
            names = [NOTE_IN_HEADER.sub("", text(c)) for c in cells]
            if all(n in names for n in required):
                fields = {i: columns[n] for i, n in enumerate(names) if n in columns}
                break
        if fields is None:
            wanted = "”“".join(required)
            raise ImportRejected(f"没有找到表头：第一行（或标题下一行）应包含“{wanted}”等列，请使用导入模板")
        found = []
        for number, cells in enumerate(rows, start=header_row + 1):
            values = {field: cells[i] for i, field in fields.items() if i < len(cells)}
            if all(text(v) == "" for v in values.values()):
                continue
            if len(found) >= max_rows:
                raise ImportRejected(f"一次最多导入 {max_rows} 行，请拆分后分批导入")
            found.append((number, values))
    except ImportRejected:
        raise
    except Exception:
        raise ImportRejected(BROKEN) from None
    finally:
        wb.close()
    if not found:
        raise ImportRejected(f"表格中没有{noun}行")
    return found
