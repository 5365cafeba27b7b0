"""Layout: logical paragraphs (hard-wrapped lines joined), the title, the document date.

The text is never changed: a paragraph that was wrapped over several lines is one
span that contains newlines.
"""
import collections
import datetime as dt
import re

from .document import Doc, Paragraph
from .lexicon import CIRCLED

TERMINAL = "。！？；：!?;:…”）)"
# A line that opens with a numbering marker never continues the line before it.
MARKER_START = re.compile(
    rf"^\s*(?:[（(][一二三四五六七八九十\d]{{1,3}}[）)]|[一二三四五六七八九十]{{1,3}}[、．.]|\d{{1,2}}[、．.](?!\d)"
    rf"|[{CIRCLED}]|第[一二三四五六七八九十]{{1,3}}[，,、：:]|[一二三四五六七八九十]{{1,2}}[是要])"
)
DOC_NUMBER = re.compile(r"〔\d{4}〕|\[\d{4}\]|〔20\d\d〕|^\s*(?:附件\s*\d*|签发人|密级|特急|加急)")
COVER_NOTICE = re.compile(r"关于印发.{0,60}通知|印发.{0,60}的通知")
# a masthead's header block: its issue (第7期, 〔2024〕15号) and the issuing office with the date
ISSUE_LINE = re.compile(r"^\s*(?:第\s*\d+\s*期|[^，。\s]{0,8}[〔\[]\d{4}[〕\]]\s*\d+\s*号)")
OFFICE_DATE_LINE = re.compile(r"^[^，。；]{0,30}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\S{0,2}\s*$")
# the real title under a masthead names the kind of document: 关于……的通报, ……纪要
DOCUMENT_TITLE = re.compile(r"^\s*关于|(?:通报|通知|纪要|报告|方案|意见|要点|计划|安排|决定|办法|讲话|通告|公告|函)\s*$")
FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


def _lines(text):
    """(start, end) of every physical line, newline excluded."""
    out, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        out.append((pos, end if not line.endswith("\r") else end - 1))
        pos = end + 1
    return out


def _wrap_width(text, lines):
    """The width a hard-wrapped text was broken at, or None when lines are whole paragraphs."""
    lengths = [e - s for s, e in lines if e - s >= 15]
    if len(lengths) < 5:
        return None
    width, count = collections.Counter(lengths).most_common(1)[0]
    return width if count >= 3 and count >= 0.2 * len(lengths) else None


def _continues(text, line, nxt, width):
    """Is `nxt` the continuation of `line` (a paragraph broken by a hard wrap)?"""
    s, e = line
    ns, ne = nxt
    body = text[s:e].rstrip()
    nbody = text[ns:ne].strip()
    if not body or not nbody or body[-1] in TERMINAL or MARKER_START.match(nbody) or "\t" in body + nbody:
        return False
    if width and e - s >= width - 1:
        return True
    # a heading broken over two lines: a short unpunctuated tail
    return bool(MARKER_START.match(body)) and len(nbody) <= 10 and not re.search(r"[，。；：、,.;:]", nbody)


def paragraphs(doc: Doc) -> None:
    text = doc.text
    lines = _lines(text)
    width = _wrap_width(text, lines)
    paras, i = [], 0
    while i < len(lines):
        s, e = lines[i]
        while i + 1 < len(lines) and _continues(text, lines[i], lines[i + 1], width):
            i += 1
            e = lines[i][1]
        paras.append(Paragraph(s, e))
        i += 1
    doc.paragraphs = paras


def _is_title_line(line: str) -> bool:
    line = line.strip()
    return (0 < len(line) <= 40 and not re.search(r"[。；！？]", line)
            and not line.endswith(("：", ":")) and not line.startswith(("——", "—", "（", "("))
            and not MARKER_START.match(line) and not ISSUE_LINE.match(line) and not OFFICE_DATE_LINE.match(line))


def title(doc: Doc) -> None:
    """The title: leading short lines (joined), after a covering notice if there is one."""
    text = doc.text
    paras = [p for p in doc.paragraphs if text[p.start:p.end].strip()]
    i = 0
    while i < len(paras) and DOC_NUMBER.search(text[paras[i].start:paras[i].end]):
        i += 1
    if i < len(paras) and COVER_NOTICE.search("".join(text[p.start:p.end] for p in paras[i:i + 3])):
        head = "".join(text[p.start:p.end] for p in paras[i:i + 3])
        name = re.search(r"《([^》]{2,60})》", head)
        if name:
            wanted = "".join(name.group(1).split())
            for j in range(i + 1, len(paras)):
                if "".join(text[paras[j].start:paras[j].end].split()) == wanted:
                    doc.title, doc.body_start = name.group(1), paras[j].end
                    return
            doc.title = name.group(1)
    lines, j = [], i
    while (j < len(paras) and len(lines) < 3 and _is_title_line(text[paras[j].start:paras[j].end])
           and paras[j].start not in doc.outline):  # a Word heading is not the title
        lines.append(text[paras[j].start:paras[j].end].strip())
        # a title ends at a blank line
        if paras[j].end + 1 < len(text) and text[paras[j].end + 1:].startswith(("\n", "\r\n")):
            j += 1
            break
        j += 1
    if lines and not doc.title:
        doc.title = "".join("".join(lines).split())
        doc.body_start = paras[j - 1].end
        _after_masthead(doc, paras, j)


def _after_masthead(doc, paras, j):
    """Lines naming a bulletin or minutes (督查通报, ……会议纪要) followed by its issue and the office and date
    are a masthead: the body starts after that header, and a 关于……的通报 line there is the real title."""
    text = doc.text
    if j >= len(paras) or not ISSUE_LINE.match(text[paras[j].start:paras[j].end]):
        return
    while j < len(paras) and (ISSUE_LINE.match(text[paras[j].start:paras[j].end])
                              or OFFICE_DATE_LINE.match(text[paras[j].start:paras[j].end])):
        doc.body_start = paras[j].end
        j += 1
    line = text[paras[j].start:paras[j].end] if j < len(paras) else ""
    if _is_title_line(line) and DOCUMENT_TITLE.search(line):
        doc.title, doc.body_start = "".join(line.split()), paras[j].end


def _most(counter):
    """The year mentioned most (the later one on a tie)."""
    return max(counter.items(), key=lambda kv: (kv[1], kv[0]))[0]


def infer_date(doc: Doc) -> None:
    """Without a given date: a full date at the head or foot of the text, else the year it calls 今年."""
    if doc.doc_date:
        return
    text = doc.text
    lines = [text[p.start:p.end] for p in doc.paragraphs if text[p.start:p.end].strip()]
    for where, chunk in (("head", lines[:10]), ("foot", lines[-5:][::-1])):
        for line in chunk:
            m = FULL_DATE.search(line)
            if m and len(line.strip()) <= 60:
                try:
                    doc.doc_date = dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    continue
                doc.warnings.append(f"未给出文件日期，按{where == 'head' and '文首' or '文末'}日期 {doc.doc_date} 计算"
                                    f" (doc_date inferred from the {where} of the text)")
                return
    # the plan part names the year it plans; it calls that year 今年 (a January report) or 明年 (a December
    # speech, given in the year its review part covers)
    plan = "".join(text[x.start:x.end] for x in doc.sentences if x.section == "plan")
    review = "".join(text[x.start:x.end] for x in doc.sentences if x.section in ("review", "problems"))
    plan_years = collections.Counter(int(y) for y in YEAR.findall(plan))
    review_years = collections.Counter(int(y) for y in YEAR.findall(review))
    years = collections.Counter(int(y) for y in YEAR.findall(text))
    if plan.count("明年") > plan.count("今年") and (review_years or plan_years):
        year = _most(review_years) if review_years else max(plan_years) - 1
        doc.doc_date, why = dt.date(year, 12, 1), f"计划部分称 {year + 1} 年为明年"
    elif plan_years or years:
        year = _most(plan_years or years)
        doc.doc_date, why = dt.date(year, 1, 1), f"文中计划的年份为 {year} 年"
    else:
        doc.doc_date, why = dt.date.today(), "文中没有年份，按今天"
    doc.warnings.append(f"未给出文件日期，推定为 {doc.doc_date}（{why}）(doc_date inferred, not given)")
