"""Tasks: the directive sentences of the plan part, with the owner the text names.

A sentence is a directive when one of its clauses opens with an action verb
(持续开展, 扎实推进), has a modal after its subject (各牵头部门要, 县科技局负责),
sets a target (增长6%以上, 不少于2次), or ties an action to a time limit (年内开工).
Analysis, praise, rules (……的，扣2分), questions and exhortation are not tasks.
The rows of a responsibility table are tasks of the unit their row names.
"""
import re

from .document import Doc, Task
from .lexicon import DIRECTIVE_ADVERBS, DIRECTIVE_VERBS, PAST_MARKERS, TIME_WORD, UNIT_SUFFIX, alternation

ADV = alternation(DIRECTIVE_ADVERBS)
# a verb followed by 率, 区, 费 … is a noun (覆盖率, 开发区); 明确提出 reports
VERB = "新?(?:" + alternation(DIRECTIVE_VERBS) + ")(?![率区费款者员]|提出|指出)"
# after a modal or opening a clause, a preposition leads to the action: 要以……为抓手, 对……开展监测
PREP = "以|在|于|对|从|向|与|通过|按照|围绕|依托|结合|将|针对|为"
FRAME = re.compile(
    r"(?:当前|目前|下一步|下步|同时|此外|另外|今后|近期|为此|对此|因此|其中|一方面|另一方面|"
    r"具体来说|总的来看|特别是|尤其是|重点是|会议(?:要求|强调|决定|明确|提出|原则同意|同意))[，,：:]?"
)
MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+[是要]|其[一二三四五六七八九十]|第[一二三四五六七八九十]+[，,、]|"
                    r"[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、．.]|\d{1,2}[、．.](?!\d)|"
                    r"[①-⑳]|首先[，,]|其次[，,]|最后[，,])")

UNIT_SUBJECT = re.compile(
    rf"((?:各|全)[^，。；要]{{1,14}}?|[^，。；“”]{{1,24}}?(?:{UNIT_SUFFIX})(?:（[^）]{{1,8}}）)?)"
    rf"(?:都|也|还|均)?(?=(?:一定|务必|必须|要|应当|应|须|需|负责|牵头|会同|将(?![为是会有成])))"
)
# 将 is a modal in a plan (督查室将开展核查), not in 将为/将是 (an outlook) or 将……拨付 (a preposition, after 要)
MODAL = re.compile(r"(?:既|更|也|还|又|都|就|均|一定|务必|必须|首先|尤其|切实)?(?:要|必须|务必|应当|应该|须|需要|负责|牵头|(?<!即)将(?![为是会有成]))")
COGNITIVE = re.compile(r"看到|看清|认识到|意识到|清醒|明白|懂得|知道|有(?!效|序|力)|是|相信|记住|牢记")
OPENER = re.compile(rf"(?:(?:{ADV})|{TIME_WORD})*(?:{VERB})")
AFTER_MODAL = re.compile(rf"(?:(?:{ADV})|{TIME_WORD})*(?:{VERB}|{PREP})|(?:{ADV})+")
# a unit that acts, without a modal: 县财政安排……资金, 县委农村工作领导小组每季度至少召开1次会议
UNIT_ACTS = re.compile(rf"[县市区镇乡省][^，,：:；;]{{0,14}}?(?:{UNIT_SUFFIX}|财政)(?:(?:{ADV})|{TIME_WORD})*(?:{VERB})"
                       r"|[^，,：:；;]{2,12}?(?:纳入|列入)")
PREP_OPENER = re.compile(rf"(?:{PREP})(?!.{{0,20}}为)[^，,]{{0,30}}?(?:{VERB})")
# a target: an indicator that must grow, reach or stay within a number
TARGET_CLAUSE = re.compile(
    r"(?:增长|提高到?|提升到?|达到|控制在|降至|降低|下降|压缩至|突破|稳定在|保持在|不低于|不少于|不超过|至少|"
    r"超过|新增|完成|实现|进入)[^，。；]{0,10}?(?:\d|[*＊XＸ×]|[一二三四五六七八九十两]+[个家项件条所座处人次])"
)
# an action bound to a time limit: 年内开工, 6月底前完成
DEADLINE_CLAUSE = re.compile(
    r"(?:底前|底|月前|年内|季度|半年|节前|前|以前|之前)[^，。；]{0,4}?"
    r"(?:完成|建成|开工|投用|投产|竣工|通车|落地|到位|实现|启动|办结|投入使用|运营|开展|出台)"
)
NOT_DIRECTIVE = re.compile(
    r"希望|让我们|号召|我相信|意义重大|至关重要|十分重要|非常重要|任务艰巨|责任重大|"
    r"提出了|只要|就是要|^\s*这是|可以预见|自印发之日起|负责解释"
)
# a first clause that describes (考核内容包括……) or states a condition (……的，扣2分)
MODAL_OPENS = re.compile(r"(?:要|必须|务必|应当)(?![求素点件害])")
DESCRIBES = re.compile(r"包括|分为|作为|是|系")
LIST_INTRO = re.compile(r"(?:以下|如下|下列|几个方面|几点)[^。]{0,12}[：:]$")
QUOTED = re.compile(r"“[^“”\n]{0,40}”|「[^」\n]{0,40}」|‘[^‘’\n]{0,40}’|《[^》\n]{0,60}》")
CLAUSE = re.compile(r"[^，,：:；;。！？!?]+")
PAREN_OWNER = re.compile(r"[（(]([^（）()]*(?:牵头|负责|配合|责任单位|责任部门|参与)[^（）()]*)[）)]\s*$")
OWNER_ROLE = re.compile(r"(?:牵头单位|责任单位|牵头部门|责任部门|配合单位)[：:]\s*([^；;，,）)]+)")
# a line after an item naming who answers for it
ROLE_LINE = re.compile(r"^\s*(?:责任领导|分管领导|牵头领导|责任人|牵头单位|责任单位|责任部门|牵头部门|配合单位)\s*[：:]")
ROLE = re.compile(r"(责任单位|牵头单位|责任部门|牵头部门|配合单位|配合部门)\s*[：:]\s*([^；;\n]+)")
ASSIGNED = re.compile(rf"[^，。；“”]{{1,24}}?(?:{UNIT_SUFFIX})(?:要|务必|必须)(?!求)")
GENERIC_SUBJECT = ("我们", "大家", "你们", "全县上下", "全市上下")
# the owner a decision names: 由县财政局牵头、县税务局配合, 由分包县级领导逐个召开, 请县应急管理局牵头抓好落实
BY_OWNER = re.compile(
    rf"(?:由(?!于)|(?<![提申])请)([^，,。；;由请]{{2,30}}?(?:{UNIT_SUFFIX}|领导))(?!{UNIT_SUFFIX})"
    rf"(?=牵头|负责|统筹|会同|根据|按|逐|依|向|对|[\u4e00-\u9fff]{{0,4}}?(?:{VERB}))"
)
CO_OWNERS = re.compile(r"牵头[、，,]([^，。；]{2,60}?)(?:配合|协助|参与)")
# lines of a document's foot: who to contact, attachments, copies; and the attendance of minutes
FOOTER = re.compile(r"^\s*(?:联系人|联系电话|附件|抄送|抄报|分送|印发|出席|列席|记录|主送)\s*[：:]")


def mask_quotes(text: str) -> str:
    """The text with quoted names blanked (same length), so “坚持……” inside a quote is not read."""
    return QUOTED.sub(lambda m: m.group()[0] + "□" * (len(m.group()) - 2) + m.group()[-1], text)


def is_directive(clause: str, past_ok: bool) -> bool:
    """Is this clause a directive? `past_ok` is false in a sentence that reports results."""
    c = FRAME.sub("", clause.strip(), count=1)
    c = re.sub(rf"^(?:{TIME_WORD})+[，,]?", "", c)
    if OPENER.match(c) or BY_OWNER.match(c):
        return True
    # a modal after whoever is meant (各牵头部门要, 研究院明年要), followed by an action
    for mm in MODAL.finditer(c, 0, 30):
        after = c[mm.end():]
        if not COGNITIVE.match(after) and AFTER_MODAL.match(after):
            return True
    if not past_ok:
        return False
    if PREP_OPENER.match(c) or UNIT_ACTS.match(c):
        return True
    return bool(TARGET_CLAUSE.search(c) or DEADLINE_CLAUSE.search(c))


def _past_year(text, doc_year):
    return any(int(y) < doc_year for y in re.findall(r"((?:19|20)\d\d)年", text))


def sentence_is_task(text: str, doc_year: int | None) -> bool:
    masked = mask_quotes(text)
    masked = masked[MARKER.match(masked).end():] if MARKER.match(masked) else masked
    stripped = masked.rstrip("”’）) ")
    if stripped.endswith(("？", "?")) or NOT_DIRECTIVE.search(masked) or LIST_INTRO.search(stripped) \
            or FOOTER.match(masked):
        return False
    # a clause reporting a result (已, 了, a past year) cannot make a target or deadline clause
    past_ok = not PAST_MARKERS.search(masked) and not (doc_year and _past_year(masked, doc_year))
    clauses = list(CLAUSE.finditer(masked))
    if not clauses:
        return False
    first = clauses[0]
    # 对弄虚作假的，扣除……分值 is a rule; 考核内容包括……，实行千分制 describes
    if first.group().rstrip().endswith("的") and masked[first.end():first.end() + 1] in "，,":
        return False
    # (but 各牵头单位主要负责同志是第一责任人，要亲自谋划 goes on to a directive)
    if not is_directive(first.group(), past_ok) and DESCRIBES.search(first.group()) \
            and masked[first.end():first.end() + 1] not in "：:" \
            and not any(MODAL_OPENS.match(c.group()) for c in clauses[1:]):
        return False
    return any(is_directive(c.group(), past_ok) for c in clauses)


def _units(text):
    return [u.strip() for u in re.split(r"[、，,和及与]", text) if u.strip()]


def owner_of(text: str) -> tuple[str, str, list[str]]:
    """(owner as written, lead unit, co units) the sentence names, or empty."""
    m = PAREN_OWNER.search(text)
    if m:
        inner = m.group(1)
        roles = OWNER_ROLE.findall(inner)
        if roles:
            lead = _units(roles[0])
            return "；".join(roles), lead[0], lead[1:] + [u for r in roles[1:] for u in _units(r)]
        parts = [p.strip() for p in re.split(r"[，,；;]", inner) if re.search(r"牵头|负责|配合|参与", p)]
        lead = [u for p in parts if re.search(r"牵头|负责", p) for u in _units(re.sub(r"(?:牵头|负责).*", "", p))]
        co = [u for p in parts if re.search(r"配合|参与", p) for u in _units(re.sub(r"(?:配合|参与).*", "", p))]
        if lead or co:
            units = lead + co
            return "，".join(parts), units[0], units[1:]
    clause = MARKER.sub("", FRAME.sub("", text.lstrip(), count=1))
    s = UNIT_SUBJECT.match(clause)
    if not s and CLAUSE.match(clause):  # the subject after a scope: 其他按序时推进的任务，各牵头单位也要……
        second = clause[CLAUSE.match(clause).end() + 1:]
        if UNIT_SUBJECT.match(second):
            clause, s = second, UNIT_SUBJECT.match(second)
    by = BY_OWNER.search(clause)
    if by and (not s or clause.startswith(("由", "请"))):
        lead = _units(by.group(1))
        co = CO_OWNERS.match(clause, by.end())
        return by.group(1), lead[0], lead[1:] + (_units(co.group(1)) if co else [])
    if s and s.group(1) not in GENERIC_SUBJECT:
        owner = s.group(1)
        co = re.match(r"(?:要|负责|牵头)?会同([^，。；]{2,40}?)(?:做好|开展|推进|抓好|加快|完成|共同|对|，)",
                      clause[s.end():])
        lead = _units(owner)
        return owner, "" if owner.startswith("各") else lead[0], lead[1:] + (_units(co.group(1)) if co else [])
    return "", "", []


def _cell_spans(text, para):
    spans, pos = [], para.start
    for cell in text[para.start:para.end].split("\t"):
        spans.append((pos, pos + len(cell)))
        pos += len(cell) + 1
    return spans


def _table_tasks(doc, table, year):
    """Tasks of a table's rows: the task cell, the unit its row (or the row above) names, the row's time limit."""
    text = doc.text
    by_para = {}
    for s in doc.sentences:
        by_para.setdefault(s.para, []).append(s)
    out, owner = [], ""
    for row in table.rows:
        cells = _cell_spans(text, doc.paragraphs[row])

        def cell(col):
            return text[cells[col][0]:cells[col][1]].strip() if col is not None and col < len(cells) else ""

        owner = cell(table.unit_col) or owner
        co = _units(cell(table.co_col))
        spans = []
        for s in by_para.get(row, []):
            if s.cell not in table.content_cols:
                continue
            # a name cell without a sentence end goes with the content cell after it: 项目名称 + 建设内容
            if spans and spans[-1][2] == s.cell - 1 and text[spans[-1][1] - 1] not in "。！？；;":
                spans[-1] = (spans[-1][0], s.end, s.cell)
            else:
                spans.append((s.start, s.end, s.cell))
        row_tasks = [Task(a, b, text[a:b], heading=by_para[row][0].heading, owner_text=owner, lead_unit=owner,
                          co_units=co, unit_reason="原文" if owner else "")
                     for a, b, _ in spans
                     if table.by_header or by_para[row][0].section == "plan" and sentence_is_task(text[a:b], year)]
        if row_tasks and table.deadline_col is not None and table.deadline_col < len(cells):
            row_tasks[0].row_cells.append(cells[table.deadline_col])
        out += row_tasks
    return out


def _role_line(line: str) -> tuple[list[str], list[str]] | None:
    """(lead units, co units) of a line such as 责任领导：王立新；责任单位：镇经济发展办、镇自然资源所."""
    if not ROLE_LINE.match(line):
        return None
    units = {role: _units(names) for role, names in ROLE.findall(line)}
    lead = units.get("责任单位") or units.get("牵头单位") or units.get("责任部门") or units.get("牵头部门") or []
    co = units.get("配合单位") or units.get("配合部门") or []
    return (lead, co) if lead or co else None


def _assign_role_lines(doc, out, role_paras):
    """A 责任单位 line owns the tasks of the item above it: back to the previous such line, within its top section."""
    text, heads = doc.text, doc.headings
    since = 0
    for para in role_paras:
        p = doc.paragraphs[para]
        tops = [h.start for h in heads if h.parent is None and h.start <= p.start]
        lead, co = _role_line(text[p.start:p.end])
        units = lead + co
        for t in out:
            if max(since, tops[-1] if tops else 0) <= t.start < p.start and not t.owner_text:
                t.owner_text, t.lead_unit, t.co_units, t.unit_reason = "、".join(units), units[0], units[1:], "原文"
        since = p.end


def tasks(doc: Doc) -> None:
    text = doc.text
    year = doc.doc_date.year if doc.doc_date else None
    in_tables = {p for t in doc.tables for p in t.rows + ([t.header] if t.header is not None else [])}
    out = [t for table in doc.tables for t in _table_tasks(doc, table, year)]
    role_paras = [i for i, p in enumerate(doc.paragraphs)
                  if p.start >= doc.body_start and _role_line(text[p.start:p.end])]
    for s in doc.sentences:
        if s.section not in ("plan", "review") or s.is_heading or s.para in in_tables or s.para in role_paras:
            continue
        body = text[s.start:s.end]
        # a review may still assign a job: 县交通运输局要于8月20日前将赶超措施书面报县政府督查室
        if s.section == "review" and not ASSIGNED.match(mask_quotes(body)):
            continue
        if sentence_is_task(body, year):
            owner, lead, co = owner_of(body)
            out.append(Task(s.start, s.end, body, heading=s.heading, owner_text=owner, lead_unit=lead,
                            co_units=co, unit_reason="原文" if lead else ""))
    out.sort(key=lambda t: t.start)
    _assign_role_lines(doc, out, role_paras)
    for i, t in enumerate(out):
        t.id = f"T{i + 1}"
    doc.tasks = out
