"""Reader: file bytes → the document text that every offset refers to.

The format is told by the content, not the file name: PDF and ZIP (.docx)
signatures, the OLE2 signature of .doc/.wps, otherwise text in UTF-8 (with or
without BOM) or GB18030/GBK. Plain text is returned exactly as decoded.
Every failure is one `DecomposeError` whose message names the reason in Chinese
and English.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DecomposeError(Exception):
    """A document the decomposer cannot read; str(error) is a one-line reason."""


ReaderError = DecomposeError


class Reading(tuple):
    """(text, warnings) as read, unpacked like a pair; `outline` holds the heading levels that Word paragraph
    styles give to lines and the text cannot show: (offset of the line, level) pairs, for `decompose(outline=…)`."""

    def __new__(cls, text: str, warnings: list[str], outline=()):
        reading = super().__new__(cls, (text, warnings))
        reading.outline = tuple(outline)
        return reading


def read_file(path) -> Reading:
    """(text, warnings) of a file, with its Word outline; raises DecomposeError."""
    path = Path(path)
    if not path.is_file():
        raise DecomposeError(f"文件不存在 (no such file): {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DecomposeError(f"文件过大：{size / 1048576:.1f} MB，上限 20 MB (file too large)")
    return read_bytes(path.read_bytes(), path.name)


def read_bytes(data: bytes, filename: str = "") -> Reading:
    """(text, warnings) of an uploaded file's bytes, with its Word outline; raises DecomposeError."""
    if len(data) > MAX_BYTES:
        raise DecomposeError(f"文件过大：{len(data) / 1048576:.1f} MB，上限 20 MB (file too large)")
    if not data.strip():
        raise DecomposeError("文件为空 (empty file)")
    if data.startswith(b"%PDF-"):
        return Reading(*_read_pdf(data))
    if data.startswith(b"PK\x03\x04"):
        return _read_docx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DecomposeError("旧版 Word/WPS 二进制文件（.doc/.wps）无法读取，请另存为 .docx 或 .txt "
                             "(legacy .doc/.wps binary format; save as .docx or .txt)")
    if data.startswith(b"{\\rtf"):
        raise DecomposeError("RTF 文件无法读取，请另存为 .docx 或 .txt (RTF is not supported; save as .docx or .txt)")
    suffix = Path(filename).suffix.lower()
    if suffix in (".doc", ".wps", ".docx", ".pdf", ".xls", ".xlsx", ".ppt", ".pptx"):
        raise DecomposeError(f"文件内容不是有效的 {suffix} 文件 (the content is not a valid {suffix} file)")
    return Reading(*_decode_text(data))


def _decode_text(data: bytes) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DecomposeError("UTF-16 编码损坏 (damaged UTF-16 text)") from None
        return _plausible(text, "UTF-16"), ["编码：UTF-16 (encoding UTF-16)"]
    if b"\x00" in data:
        raise DecomposeError("二进制文件，不是文本 (binary file, not text)")
    if data.startswith(b"\xef\xbb\xbf"):
        return _plausible(data[3:].decode("utf-8", errors="strict"), "UTF-8"), []
    try:
        return _plausible(data.decode("utf-8"), "UTF-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return _plausible(data.decode("gb18030"), "GB18030"), ["编码：GB18030 (encoding GB18030)"]
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.2:
        raise DecomposeError("无法识别文本编码（支持 UTF-8、GB18030/GBK）(unknown text encoding)")
    return _plausible(str(best), best.encoding), [f"编码：{best.encoding} (encoding {best.encoding})"]


def _plausible(text: str, encoding: str) -> str:
    """Reject bytes that decode without error but are not text (binary read as GB18030)."""
    if not text.strip():
        raise DecomposeError("文件为空 (empty file)")
    sample = text[:20000]
    odd = sum(1 for c in sample if unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") and c not in "\t\n\r\f")
    if odd > max(2, len(sample) // 100):
        raise DecomposeError(f"二进制文件或编码无法识别（按 {encoding} 解码出现乱码）(binary or unknown encoding)")
    return text


def _read_pdf(data: bytes) -> tuple[str, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise DecomposeError("PDF 已加密，无法读取 (encrypted PDF)")
        pages = [page.extract_text() or "" for page in pdf.pages]
    except DecomposeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise DecomposeError(f"PDF 文件损坏，无法读取 (damaged PDF: {e})") from None
    if not any(p.strip() for p in pages):
        raise DecomposeError("PDF 没有文本层（可能是扫描件），请先做文字识别 (PDF without a text layer)")
    warnings = [f"PDF 第 {i + 1} 页没有文本 (page {i + 1} has no text)" for i, p in enumerate(pages) if not p.strip()]
    return "\n".join(p.rstrip("\n") for p in pages), warnings


# ---- .docx: paragraphs with their Word numbering labels, tables row by row ----

CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "ideographTraditional",
                   "chineseLegalSimplified", "ideographDigital", "japaneseCounting", "taiwaneseCounting",
                   "taiwaneseCountingThousand", "koreanCounting", "ideographLegalTraditional"}
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
HEADING_STYLE = re.compile(r"(?:[Hh]eading|标题)\s*([1-9])")


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")
    return str(n)


def _letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(97 + r) + s
    return s


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                       (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += sym
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    """A Word list counter in its number format (w:numFmt)."""
    if fmt in CHINESE_FORMATS:
        return _chinese(n)
    if fmt.startswith("decimalEnclosedCircle"):
        return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Numbering:
    """Word list definitions and the running counters of each list (numId) and level."""

    def __init__(self, document):
        self.levels = {}  # numId → {ilvl: (numFmt, lvlText, start)}
        self.counters = {}  # numId → {ilvl: count}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for an in root.findall(f"{W}abstractNum"):
            levels = {}
            for lvl in an.findall(f"{W}lvl"):
                fmt = lvl.find(f"{W}numFmt")
                text = lvl.find(f"{W}lvlText")
                start = lvl.find(f"{W}start")
                levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                    fmt.get(f"{W}val") if fmt is not None else "decimal",
                    text.get(f"{W}val") if text is not None else "",
                    int(start.get(f"{W}val")) if start is not None else 1,
                )
            abstract[an.get(f"{W}abstractNumId")] = levels
        for num in root.findall(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            levels = dict(abstract.get(ref.get(f"{W}val"), {})) if ref is not None else {}
            for override in num.findall(f"{W}lvlOverride"):
                start = override.find(f"{W}startOverride")
                ilvl = int(override.get(f"{W}ilvl", "0"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(f"{W}val")))
            self.levels[num.get(f"{W}numId")] = levels

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a higher level advancing restarts the levels below it
        if fmt in ("bullet", "none"):
            return ""

        def level_value(m):
            k = int(m.group(1)) - 1
            if k not in levels:
                return ""
            return format_number(counters.get(k, levels[k][2]), levels[k][0])

        return re.sub(r"%(\d)", level_value, text)


def _num_pr(paragraph):
    """(numId, ilvl) of a paragraph's numbering, set directly or by its style (and the styles it is based on)."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    num_id = ilvl = None
    if num_pr is not None:
        num_id = num_pr.numId.val if num_pr.numId is not None else None
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else None
    style = paragraph.style if num_id is None or ilvl is None else None
    while style is not None and (num_id is None or ilvl is None):
        s_pr = style.element.pPr
        s_num = s_pr.numPr if s_pr is not None else None
        if s_num is not None:
            if num_id is None and s_num.numId is not None:
                num_id = s_num.numId.val
            if ilvl is None and s_num.ilvl is not None:
                ilvl = s_num.ilvl.val
        style = style.base_style
    if num_id is None or str(num_id) == "0":
        return None
    return str(num_id), int(ilvl or 0)


def _row_text(tr) -> str:
    cells = []
    for tc in tr.findall(f"{W}tc"):
        tc_pr = tc.find(f"{W}tcPr")
        v_merge = tc_pr.find(f"{W}vMerge") if tc_pr is not None else None
        if v_merge is not None and v_merge.get(f"{W}val", "continue") == "continue":
            cells.append("")  # the continuation of a vertically merged cell
            continue
        cells.append("".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.findall(f"{W}p")))
    return "\t".join(cells)


def _outline_level(paragraph) -> int | None:
    """The heading level a paragraph's style gives it (Heading 2, 标题 2, or an outline level), or None."""
    style = paragraph.style
    p_pr = paragraph._p.pPr
    direct = p_pr.find(f"{W}outlineLvl") if p_pr is not None else None
    if direct is not None:
        level = int(direct.get(f"{W}val", "9"))
        return level + 1 if level < 9 else None
    while style is not None:
        m = HEADING_STYLE.fullmatch(style.name or "")
        if m:
            return int(m.group(1))
        s_pr = style.element.pPr
        level = s_pr.find(f"{W}outlineLvl") if s_pr is not None else None
        if level is not None:
            value = int(level.get(f"{W}val", "9"))
            return value + 1 if value < 9 else None
        style = style.base_style
    return None


MAX_UNZIPPED = 200 * 1024 * 1024  # a 20 MB .docx of text and pictures inflates well below this


def _read_docx(data: bytes) -> Reading:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "word/document.xml" not in z.namelist():
                raise DecomposeError("ZIP 文件不是 Word 文档（.docx）(a ZIP file that is not a .docx)")
            # a zip bomb is refused from the directory alone, before anything is inflated
            if sum(info.file_size for info in z.infolist()) > MAX_UNZIPPED:
                raise DecomposeError("Word 文档解压后过大，疑似压缩炸弹 (the .docx inflates beyond 200 MB)")
    except zipfile.BadZipFile:
        raise DecomposeError("ZIP/.docx 文件损坏 (damaged .docx/ZIP file)") from None
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds on a damaged package
        raise DecomposeError(f".docx 文件损坏，无法读取 (damaged .docx: {type(e).__name__})") from None
    numbering = _Numbering(document)
    lines, outline, offset = [], [], 0
    for child in document.element.body.iterchildren():
        if child.tag == f"{W}p":
            paragraph = Paragraph(child, document)
            num = _num_pr(paragraph)
            line = (numbering.label(*num) if num else "") + paragraph.text
            level = _outline_level(paragraph) if line.strip() else None
            if level:
                outline.append((offset, level))
            rows = [line]
        elif child.tag == f"{W}tbl":
            rows = [_row_text(tr) for tr in child.findall(f"{W}tr")]
        else:
            continue
        lines += rows
        offset += sum(len(r) + 1 for r in rows)
    text = "\n".join(lines)
    if not text.strip():
        raise DecomposeError(".docx 文档没有文字 (the .docx has no text)")
    return Reading(text, [], outline)
