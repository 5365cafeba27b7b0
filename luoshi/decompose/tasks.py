"""Tasks: the directive sentences of the plan part, with the owner the text names.

A sentence is a directive when one of its clauses opens with an action verb
(持续开展, 扎实推进), with a modal after a subject (各牵头部门要, 县科技局负责),
sets a target (增长6%以上), or ties an action to a time limit (年内开工).
Analysis, praise, questions and exhortation are not tasks.
"""
import re

from .document import Doc, Task
from .lexicon import DIRECTIVE_ADVERBS, DIRECTIVE_VERBS, PAST_MARKERS, UNIT_SUFFIX, alternation

ADV = alternation(DIRECTIVE_ADVERBS + ["常常", "经常", "时刻", "始终", "成功", "全部", "全力以赴"])
VERB = alternation(DIRECTIVE_VERBS)
# after a modal, a preposition opens a directive too: 要以……为抓手, 要在春节前完成
PREP = "以|在|对|从|向|与|通过|按照|围绕|依托|结合|将|进一步"
TIME = (r"(?:\d{4}年|明年|今年|全年|年内|年底前?|上半年|下半年|[一二三四1-4]季度|"
        r"\d{1,2}月(?:底|末|中旬|上旬|下旬)?|春节|国庆|元旦|年前|节前)(?:前|之前|以前|内|底)?")
FRAME = re.compile(
    r"(?:当前|目前|下一步|下步|同时|此外|另外|今后|近期|为此|对此|因此|其中|一方面|另一方面|"
    r"具体来说|总的来看|特别是|尤其是|重点是)[，,]?"
)
SUBJECT = re.compile(
    rf"((?:各|全)[^，。；要]{{1,14}}?|我们|大家|你们|全县上下|[^，。；“”]{{1,18}}?(?:{UNIT_SUFFIX})(?:（[^）]{{1,8}}）)?)"
    rf"(?:都|也|还|均)?(?=(?:一定|务必|必须|要|应当|应|须|需|负责|牵头|会同))"
)
MODAL = re.compile(r"(?:既|更|也|还|又|都|就|一定|务必|必须|首先|尤其|切实)?(?:要|必须|务必|应当|应该|须|需要|负责|牵头)")
COGNITIVE = re.compile(r"看到|看清|认识到|意识到|清醒|明白|懂得|知道|有(?!效|序|力)|是|相信|记住|牢记")
OPENER = re.compile(rf"(?:(?:{ADV})|{TIME})*(?:{VERB})")
# a target: an indicator that must grow, reach or stay within a number
TARGET_CLAUSE = re.compile(
    r"(?:增长|提高到?|提升到?|达到|控制在|降至|降低|下降|突破|稳定在|保持在|不低于|不少于|超过|新增|完成|实现)"
    r"[^，。；]{0,8}?(?:\d|[*＊XＸ×]|[一二三四五六七八九十两]+[个家项件条所座处人])"
)
# an action bound to a time limit: 年内开工, 6月底前完成
DEADLINE_CLAUSE = re.compile(
    r"(?:底前|底|月前|年内|季度|半年|节前|前|以前|之前)[^，。；]{0,4}?"
    r"(?:完成|建成|开工|投用|投产|竣工|通车|落地|到位|实现|启动|办结|投入使用|运营|开展)"
)
NOT_DIRECTIVE = re.compile(
    r"希望|让我们|号召|我相信|意义重大|至关重要|十分重要|非常重要|任务艰巨|责任重大|"
    r"提出了|只要|就是要|^\s*这是|可以预见"
)
LIST_INTRO = re.compile(r"(?:以下|如下|下列|几个方面|几点)[^。]{0,12}[：:]$")
QUOTED = re.compile(r"“[^“”\n]{0,40}”|「[^」\n]{0,40}」|‘[^‘’\n]{0,40}’|《[^》\n]{0,60}》")
CLAUSE = re.compile(r"[^，,：:；;。！？!?]+")
PAREN_OWNER = re.compile(r"[（(]([^（）()]*(?:牵头|负责|配合|责任单位|责任部门|参与)[^（）()]*)[）)]\s*$")
OWNER_ROLE = re.compile(r"(?:牵头单位|责任单位|牵头部门|责任部门|配合单位)[：:]\s*([^；;，,）)]+)")


def mask_quotes(text: str) -> str:
    """The text with quoted names blanked (same length), so “坚持……” inside a quote is not read."""
    return QUOTED.sub(lambda m: m.group()[0] + "□" * (len(m.group()) - 2) + m.group()[-1], text)


def is_directive(clause_text: str, past_ok: bool) -> bool:
    """Is this clause a directive? `past_ok` is false in a sentence that reports results."""
    c = FRAME.sub("", clause_text.strip(), count=1)
    c = re.sub(rf"^(?:{TIME})+[，,]?", "", c)
    m = SUBJECT.match(c)
    if m:
        c = c[m.end():]
    mm = MODAL.match(c)
    if mm:
        rest = c[mm.end():]
        return not COGNITIVE.match(rest) and bool(re.match(rf"(?:(?:{ADV})|{TIME})*(?:{VERB}|{PREP})", rest))
    if m:  # a subject without a modal describes, unless it binds an action to a time limit
        return past_ok and bool(DEADLINE_CLAUSE.search(c))
    if OPENER.match(c):
        return True
    return past_ok and bool(TARGET_CLAUSE.search(c) or DEADLINE_CLAUSE.search(c))


def _past_year(text, doc_year):
    return any(int(y) < doc_year for y in re.findall(r"((?:19|20)\d\d)年", text))


def sentence_is_task(text: str, doc_year: int | None) -> bool:
    masked = mask_quotes(text)
    stripped = masked.rstrip("”’）) ")
    if stripped.endswith(("？", "?")) or NOT_DIRECTIVE.search(masked) or LIST_INTRO.search(stripped):
        return False
    # a clause reporting a result (已, 了, a past year) cannot make a target or deadline clause
    past_ok = not PAST_MARKERS.search(masked) and not (doc_year and _past_year(masked, doc_year))
    return any(is_directive(c.group(), past_ok) for c in CLAUSE.finditer(masked))


def owner_of(text: str) -> tuple[str, str, list[str]]:
    """(owner as written, lead unit, co units) the sentence names, or empty."""
    m = PAREN_OWNER.search(text)
    if m:
        inner = m.group(1)
        parts = [p.strip() for p in re.split(r"[，,；;]", inner)
                 if re.search(r"牵头|负责|配合|责任|参与", p)]
        roles = OWNER_ROLE.findall(inner)
        if roles:
            lead = _units(roles[0])
            co = [u for r in roles[1:] for u in _units(r)]
            return "；".join(roles), lead[0], lead[1:] + co
        lead = [u for p in parts if re.search(r"牵头|负责", p) for u in _units(re.sub(r"牵头|负责.*", "", p))]
        co = [u for p in parts if re.search(r"配合|参与", p) for u in _units(re.sub(r"配合|参与.*", "", p))]
        if lead or co:
            return "，".join(parts), (lead or co)[0], (lead[1:] + co) if lead else co[1:]
    clause = FRAME.sub("", text.lstrip(), count=1)
    s = SUBJECT.match(clause)
    if s and s.group(1) not in ("我们", "大家", "你们", "全县上下"):
        owner = s.group(1)
        co = re.match(r"(?:要|负责|牵头)?会同([^，。；]{2,40}?)(?:做好|开展|推进|抓好|加快|完成|共同|，)",
                      clause[s.end():])
        return owner, "" if owner.startswith("各") else owner, _units(co.group(1)) if co else []
    return "", "", []


def _units(text):
    return [u.strip() for u in re.split(r"[、，,和及与]", text) if u.strip()]


def tasks(doc: Doc) -> None:
    text = doc.text
    year = doc.doc_date.year if doc.doc_date else None
    out = []
    for s in doc.sentences:
        if s.section != "plan" or s.is_heading:
            continue
        body = text[s.start:s.end]
        if not sentence_is_task(body, year):
            continue
        owner, lead, co = owner_of(body)
        out.append(Task(s.start, s.end, body, id=f"T{len(out) + 1}", heading=s.heading,
                        owner_text=owner, lead_unit=lead, co_units=co,
                        unit_reason="原文" if lead else ""))
    doc.tasks = out
