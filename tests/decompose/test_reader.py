"""The reader: encodings told by content, .docx rendering rules, PDF text layer, bad inputs."""
import io

import pytest

from luoshi.decompose import MAX_BYTES, DecomposeError, read_bytes, read_file
from luoshi.decompose.reader import format_number

TEXT = "在乡镇办事处和主要经济部门\n工作务虚会上的讲话提纲\r\n要抓招商。"


@pytest.mark.parametrize("data", [TEXT.encode("utf-8"), b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
                                  TEXT.encode("gb18030"), TEXT.encode("gbk")])
def test_text_encodings_by_content_and_unchanged(data):
    text, _ = read_bytes(data, "speech.doc.txt")
    assert text == TEXT


@pytest.mark.parametrize("data, filename, reason", [
    (b"", "a.txt", "empty"), (b"  \n", "a.txt", "empty"),
    (b"\x00\x01\x02binary\x00", "a.txt", "binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.doc", ".doc/.wps"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.wps", ".doc/.wps"),
    (b"PK\x03\x04garbage", "a.docx", "damaged"),
    (b"%PDF-1.4 garbage", "a.pdf", "PDF"),
    (bytes(range(128, 256)) * 40, "a.txt", "unknown"),
    (b"not a word file", "a.docx", "not a valid .docx"),
])
def test_bad_inputs_raise_one_clear_error(data, filename, reason):
    with pytest.raises(DecomposeError) as error:
        read_bytes(data, filename)
    message = str(error.value)
    assert reason in message and "\n" not in message
    assert any("\u4e00" <= c <= "\u9fff" for c in message)  # Chinese for the office, English for the log


def test_too_large_and_missing_files(tmp_path):
    with pytest.raises(DecomposeError, match="too large"):
        read_bytes(b"a" * (MAX_BYTES + 1), "big.txt")
    with pytest.raises(DecomposeError, match="no such file"):
        read_file(tmp_path / "missing.txt")


def test_word_number_formats():
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert (format_number(2, "lowerLetter"), format_number(28, "upperLetter")) == ("b", "AB")
    assert format_number(7, "decimal") == "7"


def _numbered_docx():
    """A .docx with two-level Word numbering (一、 / （一）), a table with merged cells, an empty paragraph."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
        '<w:suff w:val="tab"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text, level):
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    document.add_paragraph("工作方案")
    numbered("总体要求", 0)
    numbered("坚持民生优先", 1)
    numbered("坚持规划引领", 1)
    numbered("重点任务", 0)
    numbered("推进改造", 1)
    document.add_paragraph("")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["单位", "任务", "时限"], ["县住建局", "改造小区38个", "年底前"], ["", "加装电梯50部", "9月底前"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # a unit named once for two rows
    document.add_paragraph("完。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_numbering_and_tables_in_order():
    text, _ = read_bytes(_numbered_docx(), "plan.docx")
    assert text.split("\n") == [
        "工作方案", "一、总体要求", "（一）坚持民生优先", "（二）坚持规划引领", "二、重点任务", "（一）推进改造", "",
        "单位\t任务\t时限", "县住建局\t改造小区38个\t年底前", "\t加装电梯50部\t9月底前", "完。"]


def _pdf(lines):
    """A one-page PDF with a text layer (Helvetica, ASCII)."""
    content = "BT /F1 12 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -16 Td" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_text_layer():
    text, _ = read_bytes(_pdf(["Work plan 2024", "1. Build 38 schools."]), "plan.pdf")
    assert "Work plan 2024" in text and "Build 38 schools." in text


def test_pdf_without_text_layer():
    with pytest.raises(DecomposeError, match="text layer"):
        read_bytes(_pdf([]), "scan.pdf")


def test_docx_heading_styles_give_the_outline_its_levels():
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from luoshi.decompose import decompose

    document = docx.Document()
    document.add_paragraph("工作安排")
    document.add_heading("深化改革", level=1)
    document.add_heading("国资改革", level=2)
    document.add_paragraph("1.推进重组。6月底前完成。")
    outlined = document.add_paragraph("保障措施")  # a body style with an outline level of its own
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    document.add_paragraph("各单位要加强领导。")
    out = io.BytesIO()
    document.save(out)
    reading = read_bytes(out.getvalue(), "plan.docx")
    text, _ = reading
    assert text == "工作安排\n深化改革\n国资改革\n1.推进重组。6月底前完成。\n保障措施\n各单位要加强领导。"
    assert [(text[o:o + 4], level) for o, level in reading.outline] == [("深化改革", 1), ("国资改革", 2), ("保障措施", 1)]
    result = decompose(text, doc_date="2024-04-02", outline=reading.outline)
    assert [(h.text, h.level, h.parent) for h in result.headings] == [
        ("深化改革", 1, None), ("国资改革", 2, 0), ("1.推进重组", 3, 1), ("保障措施", 1, None)]
    assert [h.level for h in decompose(text, doc_date="2024-04-02").headings] == [1]  # plain text: no styles
