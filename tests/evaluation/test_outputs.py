"""Bulletin, review (Word and Markdown) and the scores workbook, from a published June run."""
import datetime as dt
import io

import docx
import pytest
from openpyxl import load_workbook

from luoshi.evaluation import documents, excel, services


@pytest.fixture
def published(county, graded):
    may = services.create_run(county.office, "township", "2021-05", as_of=dt.date(2021, 5, 31))
    services.publish_run(may, county.office)
    run = services.create_run(county.office, "township", "2021-06", as_of=dt.date(2021, 6, 30))
    return services.publish_run(run, county.office)


def _text(document):
    return "\n".join(p.text for p in document.paragraphs)


def test_bulletin_docx(county, graded, published):
    document = docx.Document(documents.bulletin(published))
    text = _text(document)
    assert "关于2021年6月乡镇（街道）考核情况的通报" in text
    assert "河阳镇（100.00分）" in text and "予以通报表扬" in text
    ranking, red, notices = document.tables
    assert [c.text for c in ranking.rows[0].cells] == ["名次", "单位", "得分", "较上期"]
    assert [c.text for c in ranking.rows[1].cells] == ["1", "河阳镇", "100.00", "持平"]
    assert [c.text for c in ranking.rows[2].cells] == ["2", "西虢镇", "20.00", "↓1"]
    assert [c.text for c in red.rows[1].cells[:2]] == ["西虢镇", "1"]
    assert graded["late"].code in red.rows[1].cells[2].text and "已超期" in red.rows[1].cells[2].text
    assert [c.text for c in notices.rows[1].cells] == ["西虢镇", "1", f"{graded['notice'].number}（待答复）"]


def test_county_review_markdown_and_docx(county, graded, published):
    md = documents.review_markdown(published)
    for part in ("## 一、有亮点", "## 二、有变化", "## 三、有后劲", "## 四、有差距"):
        assert part in md
    run_path = f"/evaluation/runs/{published.pk}/units/{county.town_a.pk}/"
    assert f"- 河阳镇综合得分100.00分，在2个乡镇（街道）中位列第一。（[来源]({run_path})）" in md
    assert "任务按时完成率：河阳镇最好，为100%。" in md
    assert "期内到期的2项牵头任务中，1项按期完成，按期完成率50%。" in md
    assert "与2021年5月乡镇（街道）考核相比，西虢镇由第1名下降至第2名。" in md
    assert "红灯任务1项，较多的是西虢镇1项。（[来源](/tasks/?light=red)）" in md
    assert "被督办次数：西虢镇排在最后，为1次。" in md
    assert "未办结的诉求0件，其中逾期未答复0件。" in md
    assert "处于前期准备阶段的重点项目0个，总投资0万元。" in md
    document = docx.Document(documents.review_docx(published, base="http://luoshi.example"))
    text = _text(document)
    assert "一、有亮点" in text and "四、有差距" in text
    assert "河阳镇综合得分100.00分" in text
    rels = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert f"http://luoshi.example{run_path}" in rels


def test_unit_review(county, graded, published):
    md = documents.review_markdown(published, county.town_b.pk)
    assert md.startswith("# 西虢镇2021年6月工作总结（初稿）")
    assert "综合得分20.00分，在2个乡镇（街道）中排第2名。" in md
    assert "与2021年5月乡镇（街道）考核相比，名次由第1名下降至第2名。" in md
    assert "牵头的红灯任务1项。" in md and f"/tasks/?light=red&unit={county.town_b.pk}" in md


def test_scores_workbook(county, graded, published):
    ws = load_workbook(io.BytesIO(excel.scores_workbook(published).read())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:6] == ("名次", "单位", "得分", "较上期", "任务按时完成率（%）", "任务按时完成率得分")
    assert rows[2][:6] == (1, "河阳镇", 100, 0, 100, 40)
    assert rows[3][:6] == (2, "西虢镇", 20, -1, 0, 0)
