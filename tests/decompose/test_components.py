"""Each pipeline component on small texts."""
import datetime as dt

import pytest

from luoshi.decompose import decompose
from luoshi.decompose.deadlines import find_deadlines
from luoshi.decompose.entities import build_lexicon, find_entities
from luoshi.decompose.quantities import find_quantities
from luoshi.decompose.tasks import owner_of, sentence_is_task
from luoshi.decompose.units import UnitTable, default_table, load_unit_rules

BASE = dt.date(2020, 12, 20)


def outline(text, **kw):
    return [(h.text, h.level, h.parent) for h in decompose(text, doc_date="2021-01-10", **kw).headings]


# ---- layout and outline ----

def test_title_joined_over_two_lines_and_covering_notice():
    assert decompose("在乡镇办事处和主要经济部门\n工作务虚会上的讲话提纲\n\n同志们：\n").title == \
        "在乡镇办事处和主要经济部门工作务虚会上的讲话提纲"
    notice = ("关于印发《河阳县2024年工作方案》的通知\n各乡镇：\n现将《河阳县2024年工作方案》印发给你们。\n\n"
              "河阳县2024年工作方案\n一、总体目标\n到2024年底完成改造。\n")
    result = decompose(notice, doc_date="2024-03-01")
    assert result.title == "河阳县2024年工作方案"
    assert [h.text for h in result.headings] == ["一、总体目标"]


def test_report_styles_nest_by_first_appearance():
    text = "标题\n\n一、总体要求\n（一）坚持民生优先\n1.加快改造进度。全年改造小区38个。\n（1）第一项\n2.完善设施。\n二、保障措施\n（一）加强领导\n"
    assert outline(text) == [
        ("一、总体要求", 1, None), ("（一）坚持民生优先", 2, 0), ("1.加快改造进度", 3, 1),
        ("（1）第一项", 4, 2), ("2.完善设施", 3, 1), ("二、保障措施", 1, None), ("（一）加强领导", 2, 5)]


def test_speech_styles_and_lead_sentences():
    text = ("首先，关于今年的工作。成绩很大。\n下面，我谈的第二个问题就是明年的工作。\n第一，要突出重点。\n"
            "一要坚持项目为王。项目是支撑。要抓招商。持续开展招商活动。抢进度。加快推进项目。\n二要加快产业转型。\n")
    assert [(t, lv) for t, lv, _ in outline(text)] == [
        ("首先，关于今年的工作", 1), ("下面，我谈的第二个问题就是明年的工作", 1), ("第一，要突出重点", 2),
        ("一要坚持项目为王", 3), ("要抓招商", 4), ("抢进度", 4), ("二要加快产业转型", 3)]


def test_numbering_continued_across_sections_and_stray_numbers_ignored():
    text = "一、甲\n1.推进甲。\n2.推进乙。\n二、乙\n3.推进丙。\n三次产业结构更加合理。\n二是不成立。\n"
    assert [t for t, _, _ in outline(text)] == ["一、甲", "1.推进甲", "2.推进乙", "二、乙", "3.推进丙"]


def test_prose_enumeration_is_an_outline_item_in_a_plan_but_not_in_a_list_of_problems():
    plan = "一、重点任务\n（一）深化乡风文明。一是推进移风易俗。持续整治陈规陋习。二是加强精神文明建设。年内新创建文明村镇15个。\n"
    assert [t for t, _, _ in outline(plan)][2:] == ["一是推进移风易俗", "二是加强精神文明建设"]
    clauses = "一、重点任务\n（一）完善机制。一是完善监测方式，推动申报；二是落实帮扶措施，制定计划。\n"
    assert len(outline(clauses)) == 2  # clauses of one sentence are not blocks of their own
    review = "一、工作回顾\n（一）成绩。但也存在不少问题：一是总量不大；二是结构不优。\n"
    result = decompose(review, doc_date="2021-01-10")
    assert [h.text for h in result.headings] == ["一、工作回顾", "（一）成绩"]
    assert [p.text for p in result.problems] == ["一是总量不大；", "二是结构不优。"]


def test_paragraph_breaks_lost():
    text = ("讲话\n同志们：今天开会。第一，客观看待过去一年的成绩。去年完成了任务。第二，聚焦重点攻坚突破。"
            "一要抓项目扩投资。全年实施重点项目120个。二要抓产业促转型。")
    assert [(t, lv) for t, lv, _ in outline(text)] == [
        ("第一，客观看待过去一年的成绩", 1), ("第二，聚焦重点攻坚突破", 1), ("一要抓项目扩投资", 2),
        ("二要抓产业促转型", 2)]


# ---- tasks ----

@pytest.mark.parametrize("sentence", [
    "持续开展“招商引资突破年”活动，确保引进项目**个。",
    "各牵头部门要全力抓好分管领域项目的策划与包装。",
    "四川大学孟州制革清洁技术研究院明年要建成投用。",
    "县城污水处理厂三期工程年内开工、明年建成投用。",
    "常住人口城镇化率提高1.2个百分点。",
    "始终把加强党的建设作为首要政治任务，全力抓好换届。",
    "对脱贫不稳定户开展常态化监测。",
    "县财政安排城市更新专项资金8000万元。",
])
def test_directives_are_tasks(sentence):
    assert sentence_is_task(sentence, 2021)


@pytest.mark.parametrize("sentence", [
    "我们既要看到挑战，更要看到机遇；",
    "项目是经济发展的载体和支撑，更是动力和引擎。",
    "2019年世界经济全年仅增长2.9%，为10年以来最低水平。",
    "这次中央规划建议中，明确提出“坚持创新在我国现代化建设全局中的核心地位”。",
    "问一问自己的业务能力专不专？",
    "希望大家一往无前，走在前、干在前。",
    "考核内容包括经济发展、乡村振兴四个方面，实行千分制。",
    "对考核数据弄虚作假的，一经查实，扣除该项全部分值并予以通报。",
    "实现上述目标，重点抓好以下五个方面工作：",
])
def test_analysis_praise_rules_and_exhortation_are_not_tasks(sentence):
    assert not sentence_is_task(sentence, 2021)


def test_review_part_holds_no_tasks_and_closing_is_exhortation():
    text = ("一、2020年工作回顾\n全年改造老旧小区117个，加快推进黄河大桥建设。\n二、2021年工作安排\n"
            "加快推进黄河大桥建设，年底前建成通车。\n同志们，新阶段要有新作为。\n")
    result = decompose(text, doc_date="2021-01-10")
    assert [t.text for t in result.tasks] == ["加快推进黄河大桥建设，年底前建成通车。"]
    assert [f.text for f in result.figures] == ["117个"]


def test_owner_from_subject_and_trailing_parenthesis():
    assert owner_of("各牵头部门要全力抓好项目包装。")[0] == "各牵头部门"
    assert owner_of("县发展改革委要会同县自然资源局、县生态环境局做好用地保障。") == \
        ("县发展改革委", "县发展改革委", ["县自然资源局", "县生态环境局"])
    assert owner_of("推动事项进驻。（6月底完成，牵头单位：县政务服务中心；责任单位：县直各有关部门）")[1:] == \
        ("县政务服务中心", ["县直各有关部门"])
    assert owner_of("提升贸易便利化水平。（省商务厅牵头，合肥海关配合）")[1:] == ("省商务厅", ["合肥海关"])


def test_trailing_parenthesis_belongs_to_its_task():
    text = "一、重点任务\n1.深化改革。推动事项100%进驻中心。（6月底完成，牵头单位：县政务服务中心）\n"
    task = decompose(text, doc_date="2024-03-15").tasks[0]
    assert task.text.endswith("（6月底完成，牵头单位：县政务服务中心）")
    assert [(d.text, d.date) for d in task.deadlines] == [("6月底", dt.date(2024, 6, 30))]
    assert task.lead_unit == "县政务服务中心" and task.unit_reason == "原文"


def test_responsibility_table_rows_carry_their_unit():
    text = ("一、任务\n附表\n牵头单位\t序号\t重点任务\t考核分值\t完成时限\t配合单位\n"
            "县农业农村局\t1\t新建高标准农田3.2万亩\t6分\t10月底前\t县财政局\n"
            "\t2\t完成农村户厕改造6500户\t5分\t9月底前完成80%\t各乡镇\n")
    tasks = decompose(text, doc_date="2022-03-08").tasks
    assert [(t.text, t.owner_text, t.co_units) for t in tasks] == [
        ("新建高标准农田3.2万亩", "县农业农村局", ["县财政局"]), ("完成农村户厕改造6500户", "县农业农村局", ["各乡镇"])]
    assert [(q.value, q.unit) for q in tasks[1].targets] == [(6500, "户"), (80, "%")]
    assert [d.date for d in tasks[1].deadlines] == [dt.date(2022, 9, 30)]
    assert all(q.unit != "分" for t in tasks for q in t.targets)


# ---- quantities ----

def quantities(text):
    return [(q.text, q.value, q.unit, q.placeholder) for q in find_quantities(text, 0, len(text))]


def test_numbers_units_money_and_chinese_numerals():
    assert quantities("绿化覆盖率达到39.6%，纳税突破1.2亿元，利用外资1.36亿美元，办好十件实事，新建五个园区，整治空心院3500余处。") == [
        ("39.6%", 39.6, "%", False), ("1.2亿元", 1.2, "亿元", False), ("1.36亿美元", 1.36, "亿美元", False),
        ("十件", 10, "件", False), ("五个", 5, "个", False), ("3500余处", 3500, "处", False)]


def test_placeholders():
    assert quantities("引进项目**个，境外资金X亿美元，新增市场主体***户，由2015年的***调整为") == [
        ("**个", None, "个", True), ("X亿美元", None, "亿美元", True), ("***户", None, "户", True),
        ("***", None, None, True)]


def test_years_dates_names_ranks_and_quotes_are_not_quantities():
    assert quantities("2021年12月底前，5G基站、S237、“三十工程”、“6+6+5”、12345热线、第七次、全省前十、"
                      "排名后20位、三次产业、两个方面、市委五届十二次全会、一批项目、PM2.5") == []


# ---- deadlines ----

def deadlines(text, base=BASE):
    return [(d.text, d.date.isoformat(), d.rule) for d in find_deadlines(text, 0, len(text), base)]


def test_deadlines_resolve_to_the_next_occurrence():
    assert deadlines("12月底前要完成换届、春节前换届要大头落地，3月底前完成") == [
        ("12月底前", "2020-12-31", "month-end"), ("春节前", "2021-02-11", "spring-festival"),
        ("3月底前", "2021-03-31", "month-end")]


@pytest.mark.parametrize("text, date, rule", [
    ("年底前完成", "2021-12-31", "year-end"), ("年内开工", "2021-12-31", "year-end"),
    ("一季度完成", "2021-03-31", "quarter"), ("三季度末前完成", "2021-09-30", "quarter"),
    ("上半年建成", "2021-06-30", "half-year"), ("下半年建成", "2021-12-31", "half-year"),
    ("国庆前建成通车", "2021-09-30", "festival"), ("6月30日前完成", "2021-06-30", "date"),
    ("3月至6月开展", "2021-06-30", "range"), ("明年要建成投用", "2022-12-31", "next-year"),
    ("确保2021年引进", "2021-12-31", "year-end"), ("2022年6月底前", "2022-06-30", "month-end"),
    ("12月中旬组织", "2021-12-20", "month-part"), ("明年春节前", "2022-01-31", "spring-festival"),
])
def test_deadline_rules(text, date, rule):
    [(found, got, rule_got)] = deadlines(text, dt.date(2021, 1, 10))
    assert (got, rule_got) == (date, rule) and found in text


def test_not_deadlines():
    assert deadlines("加快推进明年续建新建项目，制定2021年项目计划，每月底前报送，持续推进，2019年完成") == []


def test_date_inferred_and_said():
    result = decompose("讲话\n\n下面谈明年的工作。2020年成绩很好。2020年以来……2021年要新增企业。\n")
    assert result.doc_date == dt.date(2020, 12, 1)
    assert any("推定" in w for w in result.warnings)


# ---- entities ----

def entities(text, lexicon=None):
    return {(e.text, e.kind) for e in find_entities(text, 0, len(text), lexicon)}


def test_entities_by_general_rules():
    found = entities("全力支持中原内配、隆丰皮草等骨干企业做大做强，四川大学孟州制革清洁技术研究院明年要建成投用，"
                     "全面打造“桑坡·记忆”特色小镇，突出抓好黄河大桥、S237（捏掌至里村段）、吉祥湖水秀等项目建设，"
                     "持续开展“招商引资突破年”活动")
    assert {("中原内配", "enterprise"), ("隆丰皮草", "enterprise"), ("四川大学孟州制革清洁技术研究院", "institution"),
            ("桑坡·记忆", "project"), ("S237（捏掌至里村段）", "road"), ("吉祥湖水秀", "project"),
            ("招商引资突破年", "campaign")} <= found


def test_entities_from_an_office_lexicon():
    lexicon = build_lexicon([("河阳化工", "enterprise")])
    assert ("河阳化工", "enterprise") in entities("帮助河阳化工扩产", lexicon)


# ---- unit suggestion ----

def test_default_table_is_a_data_file_with_reasons():
    rules = load_unit_rules()
    assert {"商务局", "发展改革委", "农业农村局", "组织部"} <= {r.lead_unit for r in rules}
    lead, co, reason = default_table().suggest("持续开展招商引资活动，引进项目**个")
    assert (lead, reason) == ("商务局", "招商") and "发展改革委" in co


def test_office_rules_replace_the_default_table():
    result = decompose("一、任务\n持续开展招商引资活动。\n", doc_date="2021-01-10",
                       unit_rules=[("招商", "投资促进中心", "商务局、发展改革委")])
    task = result.tasks[0]
    assert (task.lead_unit, task.co_units, task.unit_reason) == ("投资促进中心", ["商务局", "发展改革委"], "招商")
    assert UnitTable([]).suggest("招商") == ("", [], "")


# ---- document styles beyond speeches and reports: minutes, bulletins, plans with 责任单位 lines ----

def test_masthead_header_block_is_not_the_title():
    minutes = "河阳县人民政府专题会议纪要\n〔2023〕8号\n\n河阳县人民政府办公室    2023年5月6日\n\n    会议要求，县水利局要加快工程建设。\n"
    result = decompose(minutes, doc_date="2023-05-06")
    assert result.title == "河阳县人民政府专题会议纪要"
    assert [t.text for t in result.tasks] == ["会议要求，县水利局要加快工程建设。"]
    bulletin = ("工作简报\n第12期\n\n河阳县委办公室    2023年6月1日\n\n关于全县防汛准备情况的通报\n\n"
                "各乡镇：\n    县应急局要于6月10日前完成物资补充。\n")
    assert decompose(bulletin, doc_date="2023-06-01").title == "关于全县防汛准备情况的通报"


def test_minutes_report_what_was_heard_and_decide_with_owners():
    text = ("标题\n\n一、关于上半年财政收支情况\n    会议听取了县财政局的汇报。1—6月，全县税收完成8.2亿元，增长5%。\n"
            "    会议指出，收支矛盾依然突出。\n"
            "    会议同意由县财政局统筹安排资金500万元，7月底前拨付到位。会议同意县教育局的方案，请县教育局牵头抓好落实。"
            "由县住建局牵头、县城管局配合，尽快出台管理办法。\n")
    tasks = decompose(text, doc_date="2023-07-05").tasks
    assert [(t.lead_unit, t.owner_text) for t in tasks] == [
        ("县财政局", "县财政局"), ("县教育局", "县教育局"), ("县住建局", "县住建局")]
    assert tasks[2].co_units == ["县城管局"]


def test_supervision_bulletin_reports_delays_and_its_next_steps_are_tasks():
    text = ("关于重点任务进展的通报\n\n一、进展滞后的任务\n1.老旧小区改造。年度计划改造30个，目前完成12个，完成率40%。"
            "县住建局要于9月10日前报送赶超措施。\n督查发现的问题主要有：一是重视不够；二是保障不力。\n"
            "二、下步要求\n县督查室将不定期开展实地核查。\n")
    result = decompose(text, doc_date="2023-08-20")
    assert [t.text for t in result.tasks] == ["县住建局要于9月10日前报送赶超措施。", "县督查室将不定期开展实地核查。"]
    assert [p.text for p in result.problems] == ["一是重视不够；", "二是保障不力。"]


def test_responsibility_line_owns_the_item_above_it():
    text = ("标题\n\n一、产业发展\n1、园区建设\n（1）6月底前完成园区道路建设。\n（2）新引进企业5家，年内投产。\n"
            "责任领导：张三；责任单位：镇经发办、镇财政所\n2、农业\n稳定粮食面积3万亩。\n责任领导:李四;责任单位:镇农业中心\n")
    tasks = decompose(text, doc_date="2023-02-01").tasks
    assert [(t.lead_unit, t.owner_text) for t in tasks] == [
        ("镇经发办", "镇经发办、镇财政所"), ("镇经发办", "镇经发办、镇财政所"), ("镇农业中心", "镇农业中心")]
    assert tasks[0].co_units == ["镇财政所"]


def test_list_item_of_several_clauses_is_a_heading_and_a_task():
    text = "标题\n\n一、重点工作\n（1）落实包联服务，包联干部定期走访企业。\n（2）深化改革。\n"
    result = decompose(text, doc_date="2023-02-01")
    assert len(result.headings) == 3
    assert [t.text for t in result.tasks] == ["（1）落实包联服务，包联干部定期走访企业。"]


def test_opening_goals_and_shortcomings_of_a_report():
    text = ("报告\n\n    我们也看到，还存在一些问题：一是产业层次不高；二是财政压力较大。\n"
            "    全县主要预期目标是：地区生产总值增长5%左右，城镇化率提高1个百分点。\n一、抓发展\n要推动产业全面升级提质。加快园区建设。\n")
    result = decompose(text, doc_date="2023-01-05")
    assert [p.text for p in result.problems] == ["一是产业层次不高；", "二是财政压力较大。"]
    assert [q.value for q in result.tasks[0].targets] == [5, 1]
    assert [h.text for h in result.headings] == ["一、抓发展", "要推动产业全面升级提质"]


def test_count_of_listed_items_is_not_a_quantity():
    assert quantities("围绕纺织、机械、食品三条产业链招商，新建厂房3座") == [("3座", 3, "座", False)]


@pytest.mark.parametrize("text, date, rule", [
    ("本月底前完成核查", "2023-09-30", "this-month"), ("下月底前报送", "2023-10-31", "this-month"),
    ("下周三前报县政府", "2023-09-20", "week"), ("本周五前上报", "2023-09-15", "week"),
    ("国庆假期前开展检查", "2023-09-30", "festival"),
])
def test_deadlines_relative_to_the_document_date(text, date, rule):
    # 2023-09-12 is a Tuesday
    [(found, got, rule_got)] = deadlines(text, dt.date(2023, 9, 12))
    assert (got, rule_got) == (date, rule) and found in text


def test_a_period_naming_an_object_or_a_subject_is_no_deadline():
    assert deadlines("制定第三季度促销方案，形成上半年评估报告，关于2020年度欠薪治理的安排") == []


def test_a_december_plan_means_the_year_it_plans_by_its_year_end():
    plan = "报告\n\n    总结2022年工作，部署2023年任务。2023年是关键之年。\n一、抓项目\n要抓项目。年底前建成产业园，年内开工10个项目。\n"
    tasks = decompose(plan, doc_date="2022-12-28").tasks
    assert [d.date.isoformat() for t in tasks for d in t.deadlines] == ["2023-12-31", "2023-12-31"]
    minutes = "纪要\n\n    会议要求，县人社局要在年底前完成2022年欠薪清零。\n"
    assert decompose(minutes, doc_date="2022-12-05").tasks[0].deadlines[0].date == dt.date(2022, 12, 31)
