#!/usr/bin/env python3
"""Build plan-word-numbering.docx: a work plan whose outline numbers are REAL Word
automatic numbering (w:numPr -> w:num -> w:abstractNum), not typed text.

    level 0: chineseCounting, lvlText "%1、"    -> 一、 二、 三、
    level 1: chineseCounting, lvlText "（%2）"  -> （一） （二）
    level 2: decimal,         lvlText "%3."     -> 1. 2. 3.
    w:suff = nothing (no tab or space between the number and the text)

It also writes plan-word-numbering.docx.txt, the text a .docx reader must produce
by the agreed rules: one line per paragraph joined by "\\n"; a numbered paragraph
gets its label (lvlText with %N replaced by the counter in its numFmt) prepended
with nothing in between; counters per numId+level, lower levels reset when a
higher level advances; a table gives one line per row, cells joined by "\\t", in
document order; an empty paragraph gives an empty line.

Run with the project venv:  .venv/bin/python tests/decompose/corpus/make_docx.py
"""
import datetime as dt
import re
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
OUT = HERE / "plan-word-numbering.docx"
TXT = HERE / "plan-word-numbering.docx.txt"

LEVELS = [  # (numFmt, lvlText)
    ("chineseCounting", "%1、"),
    ("chineseCounting", "（%2）"),
    ("decimal", "%3."),
]

# The document: ("p", text) plain paragraph, ("n", level, text) numbered paragraph,
# ("empty",) empty paragraph, ("table", rows) a table.
CONTENT = [
    ("p", "河阳县2023年城市更新行动工作方案"),
    ("p", "（2023年4月6日）"),
    ("empty",),
    ("p", "为深入实施城市更新行动，加快补齐城市功能短板，提升城市品质和人居环境质量，根据《清河市城市更新行动三年实施方案（2023—2025年）》，结合我县实际，制定本方案。"),
    ("p", "近年来，我县累计改造老旧小区126个、惠及居民1.3万户，新建改建城市道路46公里，城市建成区面积扩大到32.5平方公里，城市面貌明显改善。但对照群众期盼，城市基础设施老化、公共服务设施不足、城市管理粗放等问题依然突出，特别是2000年底前建成的老旧小区还有94个待改造、涉及居民近1.1万户，实施城市更新行动十分必要、十分紧迫。"),
    ("n", 0, "总体要求"),
    ("p", "坚持以人民为中心的发展思想，坚持“留改拆”并举、以保留利用提升为主，坚持政府引导、市场运作、群众参与，统筹推进老旧小区改造、城市道路畅通、生态环境提升、公共服务补短板和城市安全韧性建设，努力打造宜居、韧性、智慧城市。"),
    ("n", 1, "坚持民生优先。把群众最关心、最直接、最现实的问题作为城市更新的出发点和落脚点，让群众在城市更新中有更多获得感。"),
    ("n", 1, "坚持规划引领。严格落实国土空间总体规划，坚持先体检、后更新，防止大拆大建，留住城市特有的地域环境和文化特色。"),
    ("n", 1, "坚持系统推进。统筹地上地下、新城老城，推动城市更新与产业升级、社区治理相结合，实现城市功能和品质整体提升。"),
    ("n", 0, "主要目标"),
    ("p", "2023年，全县计划实施城市更新项目36个，总投资18.6亿元，年度计划完成投资11.2亿元。到2023年底，基本完成2000年底前建成的城镇老旧小区改造任务，城市建成区绿地率达到38.5%，人均公园绿地面积达到14平方米，城市生活污水集中收集率达到72%以上。"),
    ("p", "到2025年，全县城镇老旧小区改造任务全面完成，城市建成区绿地率达到40%，城市生活污水集中收集率达到75%以上，基本建成宜居、韧性、智慧城市。"),
    ("n", 0, "重点任务"),
    ("n", 1, "推进城镇老旧小区改造"),
    ("n", 2, "加快改造进度。全年改造老旧小区38个、涉及居民4260户，5月底前全部开工，11月底前基本完工。县住建局要会同各街道办事处逐个小区制定改造方案，4月底前完成方案公示。"),
    ("n", 2, "完善配套设施。同步推进加装电梯、增设停车位和充电桩，全年加装电梯50部、新增停车位1500个、建设充电桩600个。鼓励有条件的小区引入专业化物业服务，物业服务覆盖率达到85%以上。"),
    ("n", 2, "加强改造质量监管。县住建局要建立老旧小区改造质量安全巡查制度，每个项目至少开展3次质量安全检查。10月底前组织开展改造项目“回头看”，对群众反映的问题建立台账、限期整改。"),
    ("n", 1, "实施城市道路畅通工程"),
    ("n", 2, "打通断头路。打通滨河路、建设路等断头路6条，新建改建城市道路12.8公里，国庆前全部建成通车。"),
    ("n", 2, "改造背街小巷。改造提升背街小巷42条，同步实施管线入地和立面整治，年底前完成。"),
    ("n", 2, "优化公共交通。新增公交线路3条、更新新能源公交车40辆，城区公交站点500米覆盖率达到100%。"),
    ("n", 2, "建设智慧停车系统。新建公共停车场8处、新增公共停车泊位2600个，三季度末前建成县城智慧停车管理平台，实现停车信息实时查询、在线缴费。"),
    ("n", 1, "提升城市生态环境"),
    ("n", 2, "建设口袋公园。新建口袋公园15个、城市绿道8公里，新增城市绿地20万平方米。"),
    ("n", 2, "推进雨污分流。完成老城区雨污分流改造管网26公里，汛期前完成主体工程。"),
    ("n", 2, "整治黑臭水体。巩固城市黑臭水体治理成效，6月底前完成柳河、清水沟2条河道生态修复。"),
    ("n", 1, "补齐公共服务短板"),
    ("n", 2, "建设完整社区。按照“一刻钟便民生活圈”标准，年内建成完整社区试点5个。"),
    ("n", 2, "增加养老托育供给。新建社区嵌入式养老服务设施10处，新增普惠性托位300个。"),
    ("n", 2, "提升教育医疗服务能力。新建改扩建城区中小学3所、新增学位2700个，秋季开学前投入使用；新建社区卫生服务站4个，实现城市社区卫生服务全覆盖。"),
    ("n", 1, "增强城市安全韧性"),
    ("n", 2, "更新改造燃气管网。8月底前完成城市燃气老化管道更新改造**公里，实现燃气用户安全检查全覆盖。"),
    ("n", 2, "消除易涝积水点。完成城区11处易涝积水点改造，汛期前全部完工。"),
    ("n", 2, "加强城市消防设施建设。新建小型消防站2座，8月底前完成老旧小区消防通道打通工程，城区市政消火栓完好率达到100%。"),
    ("n", 1, "提升城市管理精细化水平"),
    ("n", 2, "深化“城市大脑”建设。年底前建成县级城市运行管理服务平台，接入各类城市部件数据不少于20万条，实现城市运行“一网统管”。"),
    ("n", 2, "整治城市“六乱”。持续开展占道经营、乱停乱放、乱贴乱画等专项整治，城区主次干道“门前三包”责任落实率达到95%以上。"),
    ("n", 2, "推进生活垃圾分类。7月1日前实现城区公共机构生活垃圾分类全覆盖，城区生活垃圾回收利用率达到35%以上。"),
    ("n", 2, "规范户外广告设置。9月底前完成城区主干道户外广告招牌集中整治，拆除违规广告牌**块。"),
    ("n", 0, "2023年城市更新重点项目"),
    ("p", "列入年度计划的重点项目实行“一个项目、一名县级领导、一个责任单位、一套推进方案”包抓机制，各责任单位要按照表中时限要求倒排工期、加快推进。重点项目安排如下表（投资单位：万元）："),
    ("table", [
        ["序号", "项目名称", "建设内容及规模", "总投资", "2023年计划投资", "完成时限", "责任单位"],
        ["1", "城关镇老旧小区改造项目", "改造小区16个、住户1830户", "9600", "9600", "11月底前", "县住建局、城关镇"],
        ["2", "滨河路打通工程", "新建道路2.4公里", "12800", "8000", "国庆前", "县交通运输局"],
        ["3", "老城区雨污分流改造工程", "新建改造雨污管网26公里", "15500", "10000", "2024年6月底前", "县城管局"],
        ["4", "河阳公园提升工程", "提升改造公园面积12公顷", "4200", "4200", "9月底前", "县城管局"],
        ["5", "燃气老化管道更新改造项目", "更新改造中压管道**公里", "**", "**", "12月底前", "县住建局、河阳燃气公司"],
    ]),
    ("n", 0, "实施步骤"),
    ("n", 1, "动员部署阶段（2023年4月）。各街道办事处、县直有关部门要对照本方案，4月20日前制定具体实施方案，报县城市更新工作领导小组办公室备案。"),
    ("n", 1, "集中攻坚阶段（2023年5月—11月）。各责任单位要倒排工期、挂图作战，11月底前全面完成年度建设任务。"),
    ("n", 1, "总结验收阶段（2023年12月）。县城市更新工作领导小组办公室要在12月20日前组织开展项目验收和绩效评价，形成年度工作总结报县委、县政府。"),
    ("n", 0, "保障措施"),
    ("n", 1, "加强组织领导。成立县城市更新工作领导小组，由县长任组长，统筹推进全县城市更新工作。各街道办事处、县直有关部门要明确专人负责，每月5日前报送项目进展情况。"),
    ("n", 1, "强化资金保障。积极争取中央和省级补助资金，全年争取上级资金不少于3亿元；县财政安排城市更新专项资金8000万元。鼓励社会资本通过PPP、特许经营等方式参与城市更新，引导金融机构全年投放城市更新贷款**亿元。"),
    ("n", 1, "严格督查考核。县政府督查室要将城市更新重点项目纳入重点督查事项，实行“月调度、季观摩、年考评”，对进度滞后的项目挂牌督办。城市更新工作纳入年度目标考核，考核结果作为评先评优的重要依据。"),
    ("n", 1, "强化要素保障。县自然资源局要优先保障城市更新项目用地，6月底前完成城区存量低效用地调查；县住建局要简化城市更新项目审批流程，审批时限压缩至30个工作日以内。"),
    ("n", 1, "加强宣传引导。县委宣传部要统筹各类媒体，广泛宣传城市更新的政策措施和典型案例，引导群众主动参与、支持城市更新。"),
]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CN = "零一二三四五六七八九"


def chinese_counting(n):
    """1 -> 一, 10 -> 十, 11 -> 十一, 21 -> 二十一 (enough for an outline)."""
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def fmt(n, numfmt):
    return chinese_counting(n) if numfmt == "chineseCounting" else str(n)


def add_numbering(document):
    """Append one abstractNum (three levels) and one num to the numbering part; return numId."""
    numbering = document.part.numbering_part.element
    abs_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    abs_id, num_id = max(abs_ids + [-1]) + 1, max(num_ids + [0]) + 1
    lvls = []
    for i, (numfmt, text) in enumerate(LEVELS):
        lvls.append(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{numfmt}"/>'
            f'<w:suff w:val="nothing"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>')
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abs_id}">'
        f'<w:nsid w:val="4C5A0B11"/><w:multiLevelType w:val="multilevel"/>'
        + "".join(lvls) + "</w:abstractNum>")
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abs_id}"/></w:num>')
    # schema order: every w:abstractNum before the first w:num
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return num_id


def set_numbering(paragraph, num_id, level):
    numPr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numPr.get_or_add_ilvl().val = level
    numPr.get_or_add_numId().val = num_id


def build():
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    num_id = add_numbering(document)
    for item in CONTENT:
        kind = item[0]
        if kind == "empty":
            document.add_paragraph()
        elif kind == "p":
            document.add_paragraph(item[1])
        elif kind == "n":
            p = document.add_paragraph(item[2])
            set_numbering(p, num_id, item[1])
        elif kind == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    props = document.core_properties
    props.title = "河阳县2023年城市更新行动工作方案"
    props.author = "河阳县住房和城乡建设局"
    props.created = props.modified = dt.datetime(2023, 4, 6, 9, 0, 0)
    props.revision = 1
    document.save(OUT)


def expected_text():
    """The text by the reader rules, computed from CONTENT (not from the .docx)."""
    lines, counters = [], [0] * len(LEVELS)
    for item in CONTENT:
        kind = item[0]
        if kind == "empty":
            lines.append("")
        elif kind == "p":
            lines.append(item[1])
        elif kind == "table":
            lines.extend("\t".join(row) for row in item[1])
        elif kind == "n":
            level, text = item[1], item[2]
            counters[level] += 1
            for lower in range(level + 1, len(LEVELS)):
                counters[lower] = 0
            label = re.sub(r"%(\d)", lambda m: fmt(counters[int(m.group(1)) - 1], LEVELS[int(m.group(1)) - 1][0]),
                           LEVELS[level][1])
            lines.append(label + text)
    return "\n".join(lines)


if __name__ == "__main__":
    build()
    TXT.write_text(expected_text(), encoding="utf-8")
    print(f"wrote {OUT.name} and {TXT.name} ({len(expected_text())} chars)")
