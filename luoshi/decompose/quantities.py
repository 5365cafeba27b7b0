"""Quantities: numbers with their unit, Chinese numerals with a measure word, and the
blanks a draft leaves for a lead unit to fill (**个, X亿美元).

Inside a task they are its targets; elsewhere in the body they are figures.
Years, dates, ranks, list numbers and names with numbers (5G, S237, “三十工程”,
6+6+5) are not quantities.
"""
import bisect
import re

from .document import Doc, Quantity
from .lexicon import FIXED_TERMS, UNITS, alternation
from .tasks import mask_quotes

ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]*[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
BLANK = r"\*{2,}|＊{2,}|[XＸ×]{1,3}|待定"
QUANTITY = re.compile(
    rf"(?P<num>{ARABIC}|{CHINESE}|{BLANK})(?P<approx>余|多)?"
    rf"(?P<unit>(?:千万|百万|万|亿)?(?:{alternation(UNITS)})|日(?=内|以内))?"
)
FIXED = tuple(FIXED_TERMS)
# a unit-less blank is a value only where a value is expected: 由2015年的***调整为……
BLANK_CONTEXT = re.compile(r"(?:的|为|到|达|是|至|增长|提高|降低|下降|完成|突破|约)$")
METRIC_TRIM = re.compile(
    r"^(?:确保|力争|争取|要|全年|年内|\d{4}年|今年|明年|分别|累计|共|其中|全县|全市)+|"
    r"(?:达到|达|为|到|至|增长|提高到|提高|提升到|提升|降低|下降|突破|完成|实现|超过|保持在|稳定在|"
    r"控制在|降至|不低于|不少于|仅|只|分别|约|近|超|逾|了)+$"
)


def _value(num: str):
    if num[0].isdigit():
        v = float(num.replace(",", ""))
    else:
        import cn2an  # imported on first use: it costs a tenth of a second

        v = float(cn2an.cn2an(num, "smart"))
    return int(v) if v.is_integer() else v


def _metric(text, start, clause_start):
    return METRIC_TRIM.sub("", text[clause_start:start].strip()).strip("，,、 ")


def find_quantities(text: str, start: int, end: int) -> list[Quantity]:
    """Every quantity in text[start:end]."""
    masked = mask_quotes(text[start:end])
    out = []
    for m in QUANTITY.finditer(masked):
        num, unit = m["num"], m["unit"]
        s, e = start + m.start(), start + m.end()
        before = text[max(0, s - 1):s]
        after = text[e:e + 1]
        blank = bool(re.fullmatch(BLANK, num))
        if re.match(r"[A-Za-z+\-·.．\d]", before) or re.match(r"[A-Za-z+\d]", after) and not unit:
            continue  # 5G, PM2.5, S237, 6+6+5
        if before in ("第", "届") or (before and before in "前后" and unit in ("位", "名")):
            continue  # ordinals (第三, 五届十二次全会) and ranks (前20位)
        if unit == "日" and text[max(0, s - 1):s] == "月":
            continue  # 5月10日内 is a date
        if unit and text.startswith(FIXED, s + len(num) + len(m["approx"] or "")):
            continue  # 三次产业, 五个方面
        if blank:
            if not unit and not (num.startswith(("**", "＊＊")) and BLANK_CONTEXT.search(text[max(0, s - 4):s])):
                continue
            if num[0] in "XＸ×" and re.match(r"[A-Za-z]", before + after):
                continue
        elif not unit:
            continue
        elif not num[0].isdigit() and (num == "一" or unit in ("万", "亿")):
            continue  # 一个, 一批 are articles; 万人 alone is not counted
        if not num[0].isdigit() and not blank:
            # the count of the items just listed names them: 装备制造、绿色食品、新能源三条产业链
            listed = masked[max(masked.rfind(c, 0, m.start()) for c in "，,；;：:。！？（(") + 1:m.start()]
            if "、" in listed and listed.count("、") + 1 == _value(num):
                continue
        clause = max(masked.rfind(c, 0, m.start()) for c in "，,；;：:。！？、（(") + 1
        out.append(Quantity(s, e, text[s:e], metric=_metric(text, s, start + clause),
                            value=None if blank else _value(num), unit=unit or None,
                            placeholder=blank, approx=bool(m["approx"])))
    return out


def quantities(doc: Doc) -> None:
    """Targets into their tasks (the task's sentence and its row's cells), the rest of the body into
    figures, except headings and table cells (points, scoring rules)."""
    text = doc.text
    found = find_quantities(text, doc.body_start, len(text))
    owner = []  # (start, end, task) of every span a task owns
    for t in doc.tasks:
        owner += [(s, e, t) for s, e in [(t.start, t.end)] + t.row_cells]
    owner.sort(key=lambda o: o[0])
    starts = [o[0] for o in owner]
    skip = sorted([(h.start, h.end) for h in doc.headings] +
                  [(doc.paragraphs[p].start, doc.paragraphs[p].end)
                   for table in doc.tables for p in table.rows + [table.header] if p is not None])
    for q in found:
        k = bisect.bisect_right(starts, q.start) - 1
        if k >= 0 and q.end <= owner[k][1]:
            owner[k][2].targets.append(q)
        elif not any(s <= q.start < e for s, e in skip):
            doc.figures.append(q)
    for t in doc.tasks:
        t.targets.sort(key=lambda q: q.start)
