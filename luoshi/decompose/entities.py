"""Entities in tasks: named projects, enterprises, institutions, places, campaigns, roads.

General rules, no list of names: a quoted name (“三十工程”), a road number (S237 with
its section), a name ending in an institutional suffix (……研究院, ……产业园), and the
items of an enumeration that a kind word closes (A、B、C等骨干企业 / 等项目建设).
An office lexicon (its enterprises, its projects) can be added and is matched with
Aho-Corasick, longest match first.
"""
import re

from .document import Doc, Entity
from .lexicon import DIRECTIVE_ADVERBS, DIRECTIVE_VERBS, TIME_WORD, alternation

SUFFIX_KIND = [
    ("有限公司|股份公司|公司|集团|厂|合作社", "enterprise"),
    ("研究院|研究所|医院|卫生院|大学|学院|中学|小学|学校|幼儿园|中心|馆", "institution"),
    ("产业园|工业园|科技园|园区|开发区|集聚区|示范区|试验区|景区|基地|小镇", "place"),
    ("工程|项目|大桥|综合体|广场|水库|电站|水厂|通道|快速路|环路|大道|大街|高速|平台", "project"),
]
# a name is a run of name characters (not 等/和/的, which join names) ending in its last suffix
NAME_RUN = re.compile(r"[^\W_等和与及的]+(?:[·（）()][^\W_等和与及的]*)*")
SUFFIX = re.compile(rf"(?:{'|'.join(s for s, _ in SUFFIX_KIND)})(?:[一二三四五六七八九\d]期)?")
MAX_NAME = 26
QUOTED = re.compile(r"“([^“”\n，。；]{2,15})”")
ROAD = re.compile(r"(?<![A-Za-z])[GSXY]\d{2,4}(?:（[^（）\n]{1,15}）|[\u4e00-\u9fff]{1,6}?段)?")
# an enumeration closed by 等 and a kind word: 中原内配、隆丰皮草等骨干企业
# an enumeration closed by 等 or a count and a kind word: 中原内配、隆丰皮草等骨干企业; 柳河、清水沟2条河道
LIST_KIND = re.compile(
    r"(?:等|[\d一二三四五六七八九十两]+[条个座家所处])(?:骨干|龙头|重点|一批|重大|民生|断头)?"
    r"(企业|公司|项目|工程|产业园|园区|品牌|医院|学校|景区|小镇|平台|基地|道路|路|河道|河流|水体|桥梁)"
)
LIST_KINDS = {"企业": "enterprise", "公司": "enterprise", "品牌": "brand", "医院": "institution",
              "学校": "institution", "道路": "road", "路": "road", "河道": "place", "河流": "place",
              "水体": "place", "园区": "place", "产业园": "place", "景区": "place"}
LEADING = re.compile(
    rf"^(?:(?:{alternation(DIRECTIVE_ADVERBS + DIRECTIVE_VERBS)})|以|在|对|把|和|与|及|的|为|{TIME_WORD})+"
)
QUOTED_KIND = [
    ("活动|行动|年|战役|攻坚", "campaign"),
    ("工程|项目|小镇|园|基地|示范带", "project"),
    ("品牌|牌", "brand"),
]


def _strip(name: str) -> str:
    m = LEADING.match(name)
    return name[m.end():] if m and len(name) - m.end() >= 2 else name


def _kind_of_suffix(name):
    for suffixes, kind in SUFFIX_KIND:
        if re.search(f"(?:{suffixes})(?:.期)?$", name):
            return kind
    return "project"


def _list_items(text, start, end):
    """Items of 'A、B、C等<kind word>' enumerations in text[start:end]."""
    out = []
    for m in LIST_KIND.finditer(text, start, end):
        clause_start = max(text.rfind(c, start, m.start()) for c in "，,；;：:。") + 1
        clause_start = max(clause_start, start)
        items, depth, s = [], 0, clause_start
        for i in range(clause_start, m.start()):
            c = text[i]
            depth += c in "（(" and 1 or 0
            depth -= c in "）)" and 1 or 0
            if c == "、" and depth == 0:
                items.append((s, i))
                s = i + 1
        items.append((s, m.start()))
        if len(items) < 2:
            continue
        kind = LIST_KINDS.get(m.group(1), "project")
        for a, b in items:
            name = _strip(text[a:b].strip())
            if 2 <= len(name) <= 24:
                out.append(Entity(name, kind))
    return out


def find_entities(text: str, start: int, end: int, lexicon=None) -> list[Entity]:
    found = []
    if lexicon is not None:
        for stop, (name, kind) in lexicon.iter_long(text[start:end]):
            found.append(Entity(name, kind))
    for m in ROAD.finditer(text, start, end):
        found.append(Entity(m.group(), "road"))
    for m in QUOTED.finditer(text, start, end):
        after = text[m.end():m.end() + 4]
        kind = next((k for words, k in QUOTED_KIND if re.match(f"[\u4e00-\u9fff]{{0,2}}(?:{words})", after)),
                    "campaign")
        found.append(Entity(m.group(1), kind))
    for run in NAME_RUN.finditer(text, start, end):
        last = None
        for last in SUFFIX.finditer(text, run.start() + 2, run.end()):
            pass
        if last:
            name = _strip(text[max(run.start(), last.end() - MAX_NAME):last.end()])
            if len(name) >= 4:
                found.append(Entity(name, _kind_of_suffix(name)))
    found += _list_items(text, start, end)
    out, seen = [], set()
    for e in found:
        if e.text not in seen:
            seen.add(e.text)
            out.append(e)
    return out


def build_lexicon(names):
    """An Aho-Corasick automaton over (name, kind) pairs, e.g. an office's enterprises."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for name, kind in names:
        automaton.add_word(name, (name, kind))
    automaton.make_automaton()
    return automaton


def entities(doc: Doc, lexicon=None) -> None:
    for t in doc.tasks:
        t.entities = find_entities(doc.text, t.start, t.end, lexicon)
