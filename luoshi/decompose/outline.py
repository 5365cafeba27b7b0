"""Outline: numbered and lead headings, nested by the order their styles open.

A heading style (（一）, 1., 一是, 第一, 首先 …) seen for the first time under a
heading starts a deeper level; a style already open on the path is a sibling of
that level. A new style must start at 1 (一, 1, ①, 首先), so "三次产业" or a stray
"二是" in prose does not open a level.
"""
import re

from .document import Doc, Heading
from .lexicon import CIRCLED, PROBLEMS_ANNOUNCED, heading_kind, small_number

N = "[一二三四五六七八九十]{1,3}"
# (style, pattern at the start of a paragraph or sentence); group 1 is the number.
STYLES = [
    ("part", re.compile(rf"第({N})(?:部分|章|篇)\s*")),
    ("paren-cn", re.compile(rf"[（(]({N})[）)]\s*")),
    ("cn-dun", re.compile(rf"({N})\s*[、．.]\s*")),
    ("paren-num", re.compile(r"[（(](\d{1,2})[）)]\s*")),
    ("num-dot", re.compile(r"(\d{1,2})\s*[、．.](?!\d)\s*")),
    ("circled", re.compile(rf"([{CIRCLED}])\s*")),
    ("di", re.compile(rf"第({N})[，,、：:]\s*")),
    ("qi", re.compile(rf"其({N})[，,、：:是]\s*")),
    ("topic", re.compile(r"(首先|其次|再次|最后)[，,：:]\s*")),
    ("topic", re.compile(rf"(?:[^，。；\n]{{0,8}}[，,])?[^，。；\n]{{0,6}}?第({N})(?:个问题|个方面|点|方面|部分|件事)")),
    ("yishi", re.compile(rf"({N})是(?![的否])")),
    ("yiyao", re.compile(rf"({N})要(?![求素点件害])")),
]
TOPIC_WORDS = {"首先": 1, "其次": 2, "再次": 3}
# Styles that enumerate inside prose (一是……二是……): a heading mid-paragraph only when the
# document also uses them to head paragraphs.
PROSE_STYLES = {"yishi", "qi", "circled"}
# the innermost list styles, whose items are often whole directive sentences
ITEM_STYLES = {"paren-num", "num-dot", "circled"}
HEADING_END = re.compile(r"[。！？；：!?;:]")
# A short imperative lead sentence heading what follows: 要抓招商。抢进度。
LEAD = re.compile(r"要?[\u4e00-\u9fff]{2,6}")
# a paragraph opening with a 要 sentence of one clause heads it: 要持续擦亮“清源服务”品牌。……
OPENING_LEAD = re.compile(r"要[\u4e00-\u9fff“”‘’\"]{2,18}")
NOT_LEAD = re.compile(r"[我你他她它这那是的了吗呢啥么谢]")


def _number(style, raw, stack):
    if style == "topic":
        if raw == "最后":
            prev = next((n for s, _, n in reversed(stack) if s == "topic"), None)
            return prev + 1 if prev else None
        return TOPIC_WORDS.get(raw) or small_number(raw)
    return small_number(raw)


def _match_marker(text, pos, end):
    for style, pattern in STYLES:
        m = pattern.match(text, pos, end)
        if m:
            return style, m
    return None, None


def _heading_end(text, pos, end):
    m = HEADING_END.search(text, pos, end)
    stop = m.start() if m else end
    while stop > pos and text[stop - 1].isspace():
        stop -= 1
    return stop


class _Nesting:
    """The path of open heading styles from the top level down."""

    def __init__(self):
        self.stack = []  # (style, heading index, number)
        self.last = {}  # style → its last number, for lists numbered across sections (1. 2. | 3. 4.)

    def place(self, style, number):
        """Where a heading of this style and number goes: (depth, parent) or None if it cannot."""
        if style.startswith("word"):  # a Word heading level is absolute: below the styled headings above it
            level = int(style[4:])
            depth = next((k for k, (s, _, _) in enumerate(self.stack)
                          if not s.startswith("word") or int(s[4:]) >= level), len(self.stack))
            return depth, (self.stack[depth - 1][1] if depth else None)
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == style:
                if style != "lead" and number is not None and number <= self.stack[k][2]:
                    return None
                return k, (self.stack[k - 1][1] if k else None)
        if style != "lead" and number not in (1, self.last.get(style, -1) + 1):
            return None
        return len(self.stack), (self.stack[-1][1] if self.stack else None)

    def push(self, depth, style, index, number):
        del self.stack[depth:]
        self.stack.append((style, index, number))
        self.last[style] = number


def _lead_sentences(text, start, end):
    """Spans of short lead sentences (要抓招商。) inside a paragraph, each followed by more text."""
    out, pos = [], start
    for m in re.finditer(r"[。！？!?]", text[start:end]):
        stop = start + m.start()
        body = text[pos:stop].strip()
        if m.group() == "。" and LEAD.fullmatch(body) and not NOT_LEAD.search(body) and stop + 1 < end:
            first = pos + (len(text[pos:stop]) - len(text[pos:stop].lstrip()))
            out.append((first, stop))
        pos = stop + 1
    return out


def _lists_plans(text, found, nesting, since, pos):
    """Does an enumeration in prose at pos list plans, not results or shortcomings?"""
    return bool(nesting.stack) and not PROBLEMS_ANNOUNCED.search(text, since, pos) and not any(
        heading_kind(found[i].text) in ("review", "problems") for _, i, _ in nesting.stack)


def headings(doc: Doc) -> None:
    text = doc.text
    nesting = _Nesting()
    block_styles = set()  # styles seen heading a paragraph
    found = []

    def add(style, number, start, marker_end, stop):
        placed = nesting.place(style, number)
        if placed is None or stop <= start:
            return
        depth, parent = placed
        index = len(found)
        found.append(Heading(start, stop, text[start:stop], level=depth + 1, parent=parent,
                             style=style, number=number or 0, marker_end=marker_end))
        nesting.push(depth, style, index, number)

    for para in doc.paragraphs:
        if para.end <= doc.body_start:
            continue
        start = max(para.start, doc.body_start)
        while start < para.end and text[start].isspace():
            start += 1
        if start >= para.end:
            continue
        if para.start in doc.outline:  # a Word heading style: the whole line, at its level
            add(f"word{doc.outline[para.start]}", None, start, start, _heading_end(text, start, para.end))
            continue
        candidates = []  # (start, style, number as written, marker end, heading end)
        style, m = _match_marker(text, start, para.end)
        if style:
            candidates.append((start, style, m.group(1), m.end(), _heading_end(text, m.end(), para.end)))
            block_styles.add(style)
        leads = _lead_sentences(text, start, para.end)
        stop = _heading_end(text, start, para.end)
        if OPENING_LEAD.fullmatch(text[start:stop]) and text[stop:stop + 1] == "。" and text[stop + 1:para.end].strip():
            leads.append((start, stop))
        # several lead sentences in one paragraph, or one opening with 要, are headings
        for s, e in leads:
            if len(leads) > 1 or text[s] == "要":
                if not any(c[0] == s for c in candidates):
                    candidates.append((s, "lead", None, s, e))
        # headings inside the paragraph (its breaks lost: ……两点想法：首先，关于今年的工作。; or a lead
        # sentence: 。一要以党建引领夯实基层基础。)
        # and enumerations in prose (。二是……。), unless they list results or shortcomings
        for m in re.finditer(r"[。！？；：!?;:]\s*", text[start:para.end]):
            pos = start + m.end()
            style, mm = _match_marker(text, pos, para.end) if pos < para.end else (None, None)
            if not style or style == "topic" and m.group()[0] in "；;":
                continue
            stop = _heading_end(text, mm.end(), para.end)
            if style in PROSE_STYLES:  # only a lead sentence heads a block: 二是加强精神文明建设。
                if stop - pos <= 25 and text[stop:stop + 1] == "。" and "，" not in text[mm.end():stop]:
                    candidates.append((pos, style, mm.group(1), mm.end(), stop))
            elif m.group()[0] not in "；;" and stop - pos <= 40 and text[stop:stop + 1] in "。！":
                candidates.append((pos, style, mm.group(1), mm.end(), stop))
        seen = set()
        for s, style, raw, marker_end, e in sorted(candidates, key=lambda c: c[0]):
            if s in seen or (s > start and style in PROSE_STYLES and style not in block_styles
                             and not _lists_plans(text, found, nesting, max(start, found[-1].end if found else 0), s)):
                continue
            seen.add(s)
            add(style, _number(style, raw, nesting.stack) if raw else None, s, marker_end, e)
    doc.headings = found
