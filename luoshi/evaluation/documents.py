"""The bulletin (通报) and the year-end review draft (亮点、变化、后劲、差距), drafted from the data.

Every sentence is plain template text filled with figures read from a run's frozen values or from the
records, and carries the URL path of the records behind it; nothing is written that the data do not say.
"""
import io
from dataclasses import dataclass, field
from decimal import Decimal

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from luoshi.projects.models import FundsInPlace, Lead, Project, Stage
from luoshi.service.models import AWAITING_REPLY, OPEN_STATUSES, ServiceRequest

from .models import Group, Indicator, Run, period_label
from .services import indicator_ranks

COMMENDED = 3  # the bulletin commends the top three


def arrow(change):
    if change is None:
        return "—"
    return f"↑{change}" if change > 0 else f"↓{-change}" if change < 0 else "持平"


def figure(value, digits=2):
    """A number as the review writes it: no trailing zeros."""
    if value is None:
        return "无数据"
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def run_url(run):
    return reverse("evaluation-run", args=[run.pk])


def unit_url(run, unit_id):
    return reverse("evaluation-breakdown", args=[run.pk, unit_id])


# --- Word helpers ---------------------------------------------------------------------------------

def _table(document, header, rows):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = str(text)
    return table


def _hyperlink(paragraph, text, url):
    """A clickable link in a Word paragraph (python-docx has no API for it)."""
    part = paragraph.part
    rel = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    props.append(style)
    run.append(props)
    node = OxmlElement("w:t")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _new_document(title):
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "仿宋"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _save(document):
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


# --- bulletin -------------------------------------------------------------------------------------

def bulletin(run):
    """督查通报 of a run as .docx bytes: ranking with change, commendations, red tasks and open notices by unit."""
    scores = list(run.scores.order_by("rank", "unit_name"))
    document = _new_document(f"关于{run.title}情况的通报")
    start, end = run.range
    document.add_paragraph(
        f"按照考核办法，对{len(scores)}个{run.get_group_display()}{period_label(run.period)}工作进行了考核"
        f"（数据截至{run.as_of:%Y年%m月%d日}，计分方法：{run.get_method_display()}）。现将有关情况通报如下。")
    document.add_heading("一、考核排名", level=1)
    _table(document, ["名次", "单位", "得分", "较上期"],
           [(s.rank, s.unit_name, f"{s.score:.2f}", arrow(s.change)) for s in scores])
    document.add_heading("二、通报表扬", level=1)
    top = [s for s in scores if s.rank <= COMMENDED]
    document.add_paragraph(
        "、".join(f"{s.unit_name}（{s.score:.2f}分）" for s in top) + f"位列前{COMMENDED}名，予以通报表扬。"
        if top else "本期无考核结果。")
    document.add_heading("三、红灯任务", level=1)
    red = [(s.unit_name, len(s.facts["red_tasks"]), "；".join(f"{t[1]}（{t[2]}）" for t in s.facts["red_tasks"]))
           for s in scores if s.facts.get("red_tasks")]
    if red:
        document.add_paragraph(f"截至{run.as_of:%Y年%m月%d日}，{len(red)}个单位共有红灯任务{sum(r[1] for r in red)}项：")
        _table(document, ["牵头单位", "红灯任务（项）", "任务及亮灯原因"], sorted(red, key=lambda r: -r[1]))
    else:
        document.add_paragraph("本期无红灯任务。")
    document.add_heading("四、未办结督办单", level=1)
    notices = [(s.unit_name, len(s.facts["open_notices"]), "；".join(f"{n[1]}（{n[2]}）" for n in s.facts["open_notices"]))
               for s in scores if s.facts.get("open_notices")]
    if notices:
        document.add_paragraph(f"期内下发的督办单中，{sum(n[1] for n in notices)}份尚未答复：")
        _table(document, ["单位", "未答复（份）", "督办单"], sorted(notices, key=lambda r: -r[1]))
    else:
        document.add_paragraph("期内下发的督办单均已答复。")
    document.add_paragraph(f"{timezone.localdate():%Y年%m月%d日}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _save(document)


# --- year-end review ------------------------------------------------------------------------------

@dataclass
class Sentence:
    text: str
    url: str


@dataclass
class Part:
    title: str
    sentences: list = field(default_factory=list)


def _values(run, code):
    return {u: x for u, x in run.values.filter(code=code).values_list("unit", "raw")}


def _names(run):
    return dict(run.scores.values_list("unit", "unit_name"))


def _scored(run):
    return [i for i in run.config["indicators"] if i["role"] == Indicator.Role.SCORED]


def comparison_run(run):
    """What 变化 compares with: the run's previous published run, else the group's latest published run before."""
    if run.config.get("previous_run"):
        found = Run.objects.filter(pk=run.config["previous_run"]).first()
        if found:
            return found
    return (Run.objects.filter(group=run.group, status=Run.Status.PUBLISHED, as_of__lt=run.as_of)
            .exclude(pk=run.pk).order_by("-as_of", "-id").first())


def _highlights(run, unit_id, names):
    part = Part("亮点")
    scores = {s.unit_id: s for s in run.scores.all()}
    if unit_id is None:
        best = min(scores.values(), key=lambda s: (s.rank, s.unit_name)) if scores else None
        if best:
            part.sentences.append(Sentence(f"{best.unit_name}综合得分{best.score:.2f}分，在{len(scores)}个"
                                           f"{run.get_group_display()}中位列第一。", unit_url(run, best.unit_id)))
        for item in _scored(run):
            ranks = indicator_ranks(run, item["code"], item["direction"])
            values = _values(run, item["code"])
            leaders = [u for u, r in ranks.items() if r == 1 and values[u] is not None]
            if leaders:
                u = min(leaders, key=lambda u: names[u])
                more = f"等{len(leaders)}个单位" if len(leaders) > 1 else ""
                part.sentences.append(Sentence(f"{item['name']}：{names[u]}{more}最好，为{figure(values[u])}"
                                               f"{item['unit_label']}。", unit_url(run, u)))
        on_time = run.values.filter(code__in=[i["code"] for i in _scored(run)
                                              if i["metric"] == Indicator.Metric.TASKS_ON_TIME])
        done = sum(v.detail.get("numerator", 0) for v in on_time)
        due = sum(v.detail.get("denominator", 0) for v in on_time)
        if due:
            part.sentences.append(Sentence(f"期内到期的{due}项牵头任务中，{done}项按期完成，按期完成率"
                                           f"{figure(100 * done / due, 1)}%。", reverse("task-list")))
        start, _ = run.range
        completed = Project.objects.filter(entered_completion__range=(start, run.as_of))
        figures = completed.aggregate(n=Count("id"), total=Sum("total_investment"))
        if figures["n"]:
            part.sentences.append(Sentence(f"{figures['n']}个重点项目竣工投产，总投资{figure(figures['total'])}万元。",
                                           reverse("project-list") + f"?stage={Stage.COMPLETED}"))
        return part
    score = scores[unit_id]
    part.sentences.append(Sentence(f"综合得分{score.score:.2f}分，在{len(scores)}个{run.get_group_display()}中"
                                   f"排第{score.rank}名。", run_url(run)))
    for item in _scored(run):
        rank = indicator_ranks(run, item["code"], item["direction"])[unit_id]
        value = _values(run, item["code"])[unit_id]
        if value is not None and rank <= 3:
            part.sentences.append(Sentence(f"{item['name']}{figure(value)}{item['unit_label']}，在"
                                           f"{len(scores)}个单位中排第{rank}位。", unit_url(run, unit_id)))
    return part


def _changes(run, unit_id, names):
    part = Part("变化")
    other = comparison_run(run)
    if other is None:
        part.sentences.append(Sentence("暂无可比较的已发布考核结果。", reverse("evaluation-runs")))
        return part
    before = dict(other.scores.values_list("unit", "rank"))
    now = dict(run.scores.values_list("unit", "rank"))
    against = f"与{other.title}相比"
    if unit_id is None:
        moves = sorted(((before[u] - now[u], u) for u in now if u in before and before[u] != now[u]),
                       key=lambda t: (-abs(t[0]), names[t[1]]))
        for change, u in moves[:3]:
            verb = "上升" if change > 0 else "下降"
            part.sentences.append(Sentence(f"{against}，{names[u]}由第{before[u]}名{verb}至第{now[u]}名。",
                                           unit_url(run, u)))
        if not moves:
            part.sentences.append(Sentence(f"{against}，各单位名次没有变化。", run_url(run)))
    elif unit_id in before:
        change = before[unit_id] - now[unit_id]
        text = (f"名次由第{before[unit_id]}名{'上升' if change > 0 else '下降'}至第{now[unit_id]}名" if change
                else f"名次保持第{now[unit_id]}名")
        part.sentences.append(Sentence(f"{against}，{text}。", unit_url(run, unit_id)))
    previous_codes = {i["code"] for i in other.config["indicators"]}
    shifts = []
    for item in _scored(run):
        if item["code"] not in previous_codes:
            continue
        a, b = _values(other, item["code"]), _values(run, item["code"])
        pairs = [(a.get(u), b.get(u)) for u in b if unit_id is None or u == unit_id]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        if pairs:
            old, new = sum(x for x, _ in pairs) / len(pairs), sum(y for _, y in pairs) / len(pairs)
            shifts.append((abs(new - old), item, old, new))
    subject = "平均" if unit_id is None else ""
    for _, item, old, new in sorted(shifts, key=lambda t: -t[0])[:3]:
        part.sentences.append(Sentence(
            f"{item['name']}{subject}由{figure(old)}{item['unit_label']}变为{figure(new)}{item['unit_label']}"
            f"（{against}）。", run_url(run) if unit_id is None else unit_url(run, unit_id)))
    return part


def _unit_filter(run, unit_id, township_field, department_field):
    if unit_id is None:
        return {}
    return {township_field if run.group == Group.TOWNSHIP else department_field: unit_id}


def _potential(run, unit_id):
    part = Part("后劲")
    start, _ = run.range
    leads = Lead.objects.filter(signed_on__range=(start, run.as_of), **({"unit": unit_id} if unit_id else {}))
    signed = leads.aggregate(n=Count("id"), total=Sum("amount_cny"))
    major = leads.filter(amount_cny__gte=10000).count()
    board = reverse("lead-board")
    if signed["n"]:
        part.sentences.append(Sentence(f"期内签约招商项目{signed['n']}个，其中亿元以上{major}个，合同投资"
                                       f"{figure(signed['total'] / 10000)}亿元。", board))
    else:
        part.sentences.append(Sentence("期内没有新签约的招商项目。", board))
    preparing = Project.objects.filter(stage=Stage.PREPARATION, **_unit_filter(run, unit_id, "township", "lead_unit"))
    prep = preparing.aggregate(n=Count("id"), total=Sum("total_investment"))
    query = f"?stage={Stage.PREPARATION}" + (f"&township={unit_id}" if unit_id and run.group == Group.TOWNSHIP else "")
    part.sentences.append(Sentence(f"处于前期准备阶段的重点项目{prep['n']}个，总投资"
                                   f"{figure(prep['total'] or Decimal(0))}万元。", reverse("project-list") + query))
    funds = FundsInPlace.objects.filter(month__range=(start, run.as_of), **({"lead__unit": unit_id} if unit_id else {}))
    total = funds.aggregate(total=Sum("amount_cny"))["total"]
    part.sentences.append(Sentence(f"招商项目实际到位资金{figure((total or Decimal(0)) / 10000)}亿元。", board))
    return part


def _gaps(run, unit_id, names):
    part = Part("差距")
    scores = list(run.scores.all() if unit_id is None else run.scores.filter(unit=unit_id))
    red = sorted(((len(s.facts.get("red_tasks", [])), s.unit_id) for s in scores), key=lambda t: (-t[0], names[t[1]]))
    total = sum(n for n, _ in red)
    tasks = reverse("task-list") + "?light=red"
    if unit_id is None:
        worst = "、".join(f"{names[u]}{n}项" for n, u in red[:3] if n)
        part.sentences.append(Sentence(f"截至{run.as_of:%Y年%m月%d日}，红灯任务{total}项" +
                                       (f"，较多的是{worst}。" if worst else "。"), tasks))
    else:
        part.sentences.append(Sentence(f"截至{run.as_of:%Y年%m月%d日}，牵头的红灯任务{total}项。",
                                       tasks + f"&unit={unit_id}"))
    count = len(scores) if unit_id is None else run.scores.count()
    for item in _scored(run):
        ranks = indicator_ranks(run, item["code"], item["direction"])
        values = _values(run, item["code"])
        measured = [u for u in ranks if values[u] is not None]
        if unit_id is None:
            if len(measured) < 2:
                continue
            last = max(ranks[u] for u in measured)
            if last == 1:  # everyone level: no gap to report
                continue
            u = min((u for u in measured if ranks[u] == last), key=lambda u: names[u])
            part.sentences.append(Sentence(f"{item['name']}：{names[u]}排在最后，为{figure(values[u])}"
                                           f"{item['unit_label']}。", unit_url(run, u)))
        elif values[unit_id] is not None and ranks[unit_id] > max(count - 3, 3):
            part.sentences.append(Sentence(f"{item['name']}{figure(values[unit_id])}{item['unit_label']}，在"
                                           f"{count}个单位中排第{ranks[unit_id]}位。", unit_url(run, unit_id)))
    open_requests = ServiceRequest.objects.filter(status__in=OPEN_STATUSES, **({"unit": unit_id} if unit_id else {}))
    overdue = open_requests.filter(status__in=AWAITING_REPLY, reply_due__lt=timezone.now()).count()
    url = reverse("service-requests") + (f"?unit={unit_id}" if unit_id else "")
    part.sentences.append(Sentence(f"未办结的诉求{open_requests.count()}件，其中逾期未答复{overdue}件。", url))
    return part


def review(run, unit_id=None):
    """(title, parts) of the review draft for the county (the run's whole group) or one unit."""
    names = _names(run)
    who = names[unit_id] if unit_id else run.get_group_display()
    title = f"{who}{period_label(run.period)}工作总结（初稿）"
    return title, [_highlights(run, unit_id, names), _changes(run, unit_id, names), _potential(run, unit_id),
                   _gaps(run, unit_id, names)]


INTRO = "总体看，{}的工作可以概括为四句话：有亮点、有变化、有后劲、有差距。以下各句的数字均来自系统数据，括号内为数据来源。"
NUMERALS = "一二三四"


def review_markdown(run, unit_id=None, base=""):
    title, parts = review(run, unit_id)
    lines = [f"# {title}", "", INTRO.format(title.split(period_label(run.period))[0]), ""]
    for i, part in enumerate(parts):
        lines += [f"## {NUMERALS[i]}、有{part.title}", ""]
        lines += [f"- {s.text}（[来源]({base}{s.url})）" for s in part.sentences]
        lines.append("")
    return "\n".join(lines)


def review_docx(run, unit_id=None, base=""):
    title, parts = review(run, unit_id)
    document = _new_document(title)
    document.add_paragraph(INTRO.format(title.split(period_label(run.period))[0]))
    for i, part in enumerate(parts):
        document.add_heading(f"{NUMERALS[i]}、有{part.title}", level=1)
        for s in part.sentences:
            paragraph = document.add_paragraph(s.text + "（来源：")
            _hyperlink(paragraph, s.url, base + s.url)
            paragraph.add_run("）")
    return _save(document)
