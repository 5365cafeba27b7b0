#!/usr/bin/env python3
"""Build heading-styles.docx: a work plan whose outline headings are Word heading
STYLES (Heading 1 / Heading 2) with NO number in their text, plus typed "1." and
"（一）" paragraphs and one task table.

It also writes heading-styles.docx.txt, the text a .docx reader must produce by
the agreed rules: one line per paragraph joined by "\\n" (text only: a heading
style adds nothing to the text); a table gives one line per row, cells joined by
"\\t", in document order; an empty paragraph gives an empty line. No Word
automatic numbering is used here.

Run with the project venv:  .venv/bin/python tests/decompose/blind/make_docx.py
"""
import datetime as dt
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
OUT = HERE / "heading-styles.docx"
TXT = HERE / "heading-styles.docx.txt"

# ("title", text) centred Normal paragraph, ("p", text) Normal paragraph,
# ("h1", text) / ("h2", text) Heading 1 / Heading 2, ("empty",), ("table", rows).
CONTENT = [
    ("title", "东平市2024年改革开放重点工作安排"),
    ("title", "（东平市委全面深化改革委员会办公室　2024年4月2日）"),
    ("empty",),
    ("p", "2023年，全市上下坚持以改革破难题、以开放促发展，完成年度改革任务126项，其中37项改革经验在全省推广；实际利用外资4.8亿美元，增长12.6%；外贸进出口总额完成386亿元，增长9.3%，总量居全省第6位。东平综合保税区获批设立，中欧班列（东平）全年开行218列。全市政务服务事项“全程网办”率达到92.5%，企业开办时间压缩至1个工作日以内，新增经营主体5.6万户、增长11.4%。但对照“十四五”规划目标，我市改革的系统性、整体性还不够强，开放型经济规模偏小，营商环境与先进地区相比仍有差距。"),
    ("p", "为纵深推进全面深化改革，以高水平开放倒逼深层次改革，现就2024年全市改革开放重点工作作如下安排。"),
    ("h1", "总体要求"),
    ("p", "坚持稳中求进工作总基调，突出问题导向和目标导向，聚焦重点领域、关键环节，推动改革开放在更高起点上取得新突破，为谱写中国式现代化东平篇章提供强大动力。全年谋划推出市级重点改革项目60项，其中创新性、突破性改革不少于15项；全年实际利用外资达到5.2亿美元，外贸进出口总额增长8%左右，力争突破420亿元；全市营商环境评价进入全省前5位。"),
    ("h1", "深化改革扩大开放"),
    ("h2", "深化重点领域改革"),
    ("p", "1.深化国资国企改革。完成市属国有企业战略性重组，组建市国有资本投资运营公司，6月底前完成组建挂牌。推动市属国有企业资产负债率控制在65%以内，全年实现利润增长10%以上。"),
    ("p", "2.推进要素市场化配置改革。全面推行工业用地“标准地”出让，新出让工业用地“标准地”比例达到100%。盘活存量低效工业用地3000亩以上，9月底前完成全市批而未供土地清查。"),
    ("p", "3.深化财税金融体制改革。推进市以下财政体制改革，8月底前出台市与县（市、区）财政事权和支出责任划分改革方案。新增普惠小微贷款60亿元，政府性融资担保业务规模突破100亿元。"),
    ("h2", "深化农业农村改革"),
    ("p", "1.巩固和完善农村基本经营制度。稳妥开展第二轮土地承包到期后再延长30年试点，年内完成2个乡镇整镇试点任务。"),
    ("p", "2.深化农村集体产权制度改革。发展新型农村集体经济，年底前集体经营性收入10万元以上的村占比达到75%。探索宅基地“三权分置”有效实现形式，盘活闲置宅基地和闲置农房1500宗以上。"),
    ("h2", "深化社会民生领域改革"),
    ("p", "1.深化医药卫生体制改革。推进紧密型县域医共体建设，年底前实现县域全覆盖，县域内就诊率稳定在90%以上。深化医保支付方式改革，DRG付费医疗机构覆盖率达到100%。"),
    ("p", "2.深化教育综合改革。推进义务教育优质均衡发展，新组建城乡教育共同体20个，秋季学期起在全市推行课后服务“5+2”模式。"),
    ("h2", "推进高水平对外开放"),
    ("p", "1.稳住外贸基本盘。支持企业参加广交会、进博会等重点展会，全年组织企业参加境内外展会不少于30场次。大力发展跨境电商，跨境电商交易额增长20%以上。"),
    ("p", "2.扩大利用外资规模。聚焦新能源、生物医药等产业开展精准招商，全年新设外商投资企业40家以上，引进世界500强企业投资项目不少于3个。"),
    ("p", "3.提升开放平台能级。加快东平综合保税区建设，确保10月底前通过封关验收。中欧班列（东平）全年开行250列以上，上半年开通至中亚的新线路1条。"),
    ("empty",),
    ("h1", "持续优化营商环境"),
    ("h2", "提升政务服务效能"),
    ("p", "深化“一网通办”改革，政务服务事项网上可办率达到98%以上，企业开办时间压缩至0.5个工作日以内。"),
    ("p", "完善12345政务服务便民热线“接诉即办”机制，企业诉求按期办结率达到100%。"),
    ("p", "推行惠企政策“免申即享”，全年通过“免申即享”方式兑现惠企资金不少于3亿元，政策兑现时间压缩至15个工作日以内。"),
    ("h2", "强化要素保障服务"),
    ("p", "健全重点项目要素保障机制，对省市重点项目实行用地、用能、环境容量等要素“一项目一方案”保障，重点项目用地保障率达到100%。"),
    ("p", "深化“亩均论英雄”改革，9月底前完成规模以上工业企业亩均效益综合评价，评价结果与用地、用能、信贷等政策挂钩。"),
    ("p", "降低企业要素成本，全年为企业减税降费**亿元，一般工商业平均电价较上年下降3%左右。"),
    ("h2", "加强社会信用体系建设"),
    ("p", "推行以信用为基础的新型监管机制，在重点行业领域全面实施信用分级分类监管，10月底前实现市场监管、税务、生态环境等领域信用评价结果共享互认。"),
    ("p", "开展政务失信专项治理，对政府机构失信被执行人案件实行动态清零。"),
    ("h2", "加强法治保障"),
    ("p", "全面推行涉企“综合查一次”,同一部门对同一企业的检查原则上每年不超过1次。市司法局要在7月1日前修订完善“免罚轻罚”事项清单，并向社会公布。"),
    ("p", "开展涉企行政执法突出问题专项整治，畅通企业投诉举报渠道，年内涉企执法投诉案件按期办结率达到100%。市中级人民法院要深化“执行难”综合治理，涉企案件平均审理周期缩短10%以上。"),
    ("empty",),
    ("h1", "重点任务清单"),
    ("p", "2024年改革开放重点任务实行清单化管理，各牵头单位要对照下表逐项细化措施、明确节点："),
    ("table", [
        ["序号", "工作任务", "目标", "完成时限", "牵头单位", "配合单位"],
        ["1", "组建市国有资本投资运营公司", "资产总额突破800亿元", "6月底前", "市国资委", "市财政局"],
        ["2", "推进工业用地“标准地”改革", "新出让工业用地“标准地”比例100%", "年底前", "市自然资源局", "各县（市、区）政府"],
        ["3", "培育外贸新业态新模式", "跨境电商交易额增长20%以上，新增外贸实绩企业50家", "12月底前", "市商务局", "东平海关"],
        ["4", "东平综合保税区封关运作", "通过国家验收并封关运作", "三季度", "市商务局", "市发展改革委、东平海关"],
        ["5", "推行“高效办成一件事”", "推出“一件事”套餐不少于**个", "11月中旬", "市政务服务中心", "市直各部门"],
        ["6", "建设5G+工业互联网示范园区", "新建5G基站2000个", "2025年6月底前", "市工信局", "市通信发展办"],
        ["7", "清理拖欠企业账款", "无分歧欠款清偿率100%", "春节前", "市工信局", "市财政局、市国资委"],
        ["8", "开展营商环境第三方评估", "全省排名进入前5位", "明年一季度", "市营商办", ""],
        ["9", "开展第二轮土地承包到期后再延长30年试点", "完成2个乡镇整镇试点", "11月底前", "市农业农村局", "有关县（市、区）政府"],
        ["10", "推进“亩均论英雄”改革", "完成规上工业企业亩均效益评价", "9月底前", "市工信局", "市统计局、市税务局"],
        ["11", "推进紧密型县域医共体建设", "实现县域全覆盖", "年底前", "市卫生健康委", "市医保局、市财政局"],
        ["12", "实施信用分级分类监管", "信用评价结果共享互认", "10月底前", "市发展改革委", "市市场监管局、市税务局、市生态环境局"],
    ]),
    ("empty",),
    ("h1", "保障措施"),
    ("p", "（一）加强组织领导。各牵头单位主要负责同志是改革任务第一责任人，要亲自谋划、亲自推动，每项任务明确1名分管领导和1名具体联系人。各县（市、区）要参照本安排，于4月底前制定本地年度改革开放工作要点。"),
    ("p", "（二）强化督促检查。市委改革办要会同市委市政府督查室，对重点任务实行“季调度、半年评估、年终考核”，7月15日前形成上半年改革任务推进情况评估报告。对推进滞后的任务，由市委改革办发出提醒函，必要时提请市委深改委约谈牵头单位主要负责同志。"),
    ("p", "（三）注重宣传总结。各地各部门要及时总结提炼改革开放典型经验，全年向省委改革办报送改革案例不少于2篇，营造“人人关心改革、支持改革\"的良好氛围。"),
    ("p", "（四）严格考核激励。改革开放重点任务完成情况纳入年度综合考核，对工作推进不力、未按时限完成任务的单位予以通报。对改革创新中出现的失误错误，按照“三个区分开来”要求予以容错纠错。"),
    ("p", "联系人：市委改革办　周雯，电话：0538-8216735。"),
]


def build():
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    for item in CONTENT:
        kind = item[0]
        if kind == "empty":
            document.add_paragraph()
        elif kind == "title":
            p = document.add_paragraph(item[1])
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "p":
            document.add_paragraph(item[1])
        elif kind in ("h1", "h2"):
            document.add_heading(item[1], level=int(kind[1]))  # style "Heading 1" / "Heading 2"
        elif kind == "table":
            rows = item[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    props = document.core_properties
    props.title = "东平市2024年改革开放重点工作安排"
    props.author = "东平市委改革办"
    props.created = props.modified = dt.datetime(2024, 4, 2, 9, 0, 0)
    props.revision = 1
    document.save(OUT)


def expected_text():
    """The text by the reader rules, computed from CONTENT (not from the .docx)."""
    lines = []
    for item in CONTENT:
        kind = item[0]
        if kind == "empty":
            lines.append("")
        elif kind == "table":
            lines.extend("\t".join(row) for row in item[1])
        else:
            lines.append(item[1])
    return "\n".join(lines)


if __name__ == "__main__":
    build()
    TXT.write_text(expected_text(), encoding="utf-8")
    print(f"wrote {OUT.name} and {TXT.name} ({len(expected_text())} chars)")
