"""Problems: the shortcomings a document lists (差距, 问题, 不足), candidates for a
rectification list. They are the items of an enumeration in a section headed by a
shortcoming, or after a sentence announcing them (还存在不少困难和问题：一是……).
"""
import re

from .document import Doc
from .lexicon import PROBLEMS_ANNOUNCED

ENUMERATED = re.compile(r"(?:[一二三四五六七八九十]是|其[一二三四五六七八九十]|[①-⑳]|[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}[．.、](?!\d))")
SHORTCOMING = re.compile(r"不足|不够|不强|不高|不优|不均|薄弱|滞后|短板|差距|压力|隐患|亟待|有待|偏低|偏弱|矛盾")


def problems(doc: Doc) -> None:
    text = doc.text
    by_para = {}
    for s in doc.sentences:
        if s.section in ("problems", "review", "preamble") and not s.is_heading:
            by_para.setdefault(s.para, []).append(s)
    found = []
    for sents in by_para.values():
        in_section = sents[0].section == "problems"
        announced = in_section
        items = []
        for s in sents:
            body = text[s.start:s.end]
            if announced and ENUMERATED.match(body):
                items.append(s)
            if PROBLEMS_ANNOUNCED.search(body):
                announced = True
        if not items and in_section:
            items = [s for s in sents if SHORTCOMING.search(text[s.start:s.end])]
        found += [doc.span(s.start, s.end) for s in items]
    doc.problems = found
