"""Sentences: split at 。！？ and at ；, keep a trailing parenthesis with its sentence,
and place every sentence in its heading and its part of the document
(preamble, review of the past, problems, plan, closing).
"""
import bisect
import re

from .document import Doc, Sentence
from .lexicon import CIRCLED, CLAUSE_END, CLOSERS, PAST_MARKERS, SENTENCE_END, heading_kind
from .outline import ITEM_STYLES, PROSE_STYLES

# An enumeration right after a colon starts a new sentence: 检视自己：①问一问……
ENUM_AFTER_COLON = re.compile(rf"\s*(?:[{CIRCLED}]|[一二三四五六七八九十]是|其[一二三四五六七八九十]|[（(][一二三四五六七八九十\d]{{1,2}}[）)]|\d{{1,2}}[．.、](?!\d))")
BOUNDARY = re.compile(rf"[{SENTENCE_END}{CLAUSE_END}][{re.escape(CLOSERS)}]*|\t|[：:](?={ENUM_AFTER_COLON.pattern})")
CLOSING = re.compile(r"\s*(?:同志们|各位代表|各位委员|各位同志)[，,！!：:]")
GOALS = re.compile(r"目标(?:任务)?(?:是|为)[：:]")
# a paragraph of minutes that reports what the meeting heard or found (会议听取了……汇报。1—8月，……)
# is not a decision; 会议要求/决定/同意 paragraphs are
REPORTED = re.compile(r"\s*会议(?:首先|还|一致)?(?:听取|学习|传达|通报|指出|认为|肯定|分析)")
# a heading that sets a number or a time limit is a task as well: （四）年终考核于2025年1月底前完成
TASK_CUE = re.compile(r"\*\*|\d[\d.]*(?:%|％|个|家|项|件|亿|万|公里|条|所|座|户|人|次|场|亩|吨|米)|月底|年底|年内|季度|半年|春节|国庆|日前"
                      r"|[上中下]旬|汛期|开学前|\d月\d{1,2}日")
# words that look ahead (a plan), as against PAST_MARKERS (a review)
FUTURE_MARKERS = re.compile(r"(?<![主重需只首必紧纪摘])要(?![求素点件害])|必须|务必|确保|力争|争取|计划|力求|着力|将要"
                            r"|会议(?:原则)?(?:要求|决定|同意|明确)")


def _split(text, start, end):
    """Sentence spans of one paragraph."""
    out, s, pos = [], start, start
    while True:
        m = BOUNDARY.search(text, pos, end)
        if not m:
            break
        if m.group() == "\t":  # a table cell ends
            out.append((s, m.start()))
            s = pos = m.end()
            continue
        cut = m.end()
        # a parenthesis right after a sentence belongs to it: ……。（6月底完成，牵头单位：市X局）
        if m.group()[0] in SENTENCE_END and cut < end and text[cut] in "（(":
            close = text.find("）" if text[cut] == "（" else ")", cut, end)
            if close > 0:
                cut = close + 1
        out.append((s, cut))
        s = pos = cut
    out.append((s, end))
    spans = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
    return spans


def sentences(doc: Doc) -> None:
    text = doc.text
    starts = [h.start for h in doc.headings]
    out = []
    for pi, para in enumerate(doc.paragraphs):
        if para.end <= doc.body_start:
            continue
        for s, e in _split(text, max(para.start, doc.body_start), para.end):
            k = bisect.bisect_right(starts, s) - 1
            sent = Sentence(s, e, pi, heading=k if k >= 0 else None,
                            cell=text.count("\t", para.start, s) if "\t" in text[para.start:para.end] else None)
            if k >= 0 and starts[k] >= s:
                h = doc.headings[k]
                rest = text[h.end:e].strip("。！？；：!?;: \t")
                # a heading is not a task as well, unless it sets a number or a time limit, or it
                # opens a directive of an in-prose enumeration (二是落实帮扶措施，对……制定帮扶计划；)
                body = text[h.marker_end:h.end]
                # a list item (（1） 1. ①) that is one directive sentence of several clauses is a task as well
                sent.is_heading = not rest and not TASK_CUE.search(body) and not (
                    "，" in body and (h.style in PROSE_STYLES or h.style in ITEM_STYLES))
            out.append(sent)
    doc.sentences = out


def sections(doc: Doc) -> None:
    """The part of the document each sentence is in; only the plan part holds tasks."""
    text = doc.text
    heads = doc.headings
    for h in heads:
        h.kind = heading_kind(h.text)
    # a top-level section that does not say what it is: by the mood of its sentences
    for i, h in enumerate(heads):
        if h.parent is None and not h.kind:
            mine = [s for s in doc.sentences if s.heading is not None and _top(heads, s.heading) == i]
            past = sum(bool(PAST_MARKERS.search(text[s.start:s.end])) for s in mine)
            ahead = sum(bool(FUTURE_MARKERS.search(text[s.start:s.end])) for s in mine)
            h.kind = "review" if past > ahead else "plan"
    # a subsection is in its parent's part, except a list of shortcomings within a review
    for h in heads:
        if h.parent is not None and not (h.kind == "problems" and heads[h.parent].kind in ("review", "problems")):
            h.kind = heads[h.parent].kind
        h.kind = h.kind or "plan"
    closing_from = None
    for s in doc.sentences:
        if s.heading is None:
            # the goals a report's opening sets are targets of the plan: 主要预期目标是：地区生产总值增长6%
            s.section = "preamble" if heads and not GOALS.search(text, s.start, s.end) else "plan"
            continue
        if closing_from is not None and s.heading <= closing_from[1] and s.para >= closing_from[0]:
            s.section = "closing"
            continue
        para = doc.paragraphs[s.para]
        if s.start == max(para.start, doc.body_start) + _indent(text, para) and CLOSING.match(text, s.start):
            closing_from = (s.para, s.heading)
            s.section = "closing"
            continue
        s.section = heads[s.heading].kind
    for s in doc.sentences:
        para = doc.paragraphs[s.para]
        if s.section == "plan" and REPORTED.match(text, max(para.start, doc.body_start)):
            s.section = "review"


def _indent(text, para):
    line = text[para.start:para.end]
    return len(line) - len(line.lstrip())


def _top(heads, i):
    while heads[i].parent is not None:
        i = heads[i].parent
    return i
