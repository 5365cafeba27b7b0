"""Arbitrary text never makes the decomposer raise, and every span is exact."""
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.decompose import decompose

OFFICIALESE = list("一二三四五六七八九十要是（）()、，。；：！？“”\"*X×%\t\n 　第首先其次最后抓推进完成年月底前日春节国庆季度半年明个家项亿万元美元S5G0123456789.各局部委乡镇牵头负责配合单位")
text = st.text(alphabet=st.sampled_from(OFFICIALESE) | st.characters(), max_size=400)


def spans(result):
    d = result.to_dict()
    for h in d["headings"]:
        yield h
    for t in d["tasks"]:
        yield t
        yield from t["targets"]
        yield from t["deadlines"]
    yield from d["figures"]
    yield from d["problems"]


@settings(max_examples=300, deadline=None)
@given(text, st.sampled_from([None, "2020-12-20", "2024-02-29"]))
def test_never_raises_and_offsets_are_exact(doc, date):
    result = decompose(doc, doc_date=date)
    for item in spans(result):
        assert doc[item["start"]:item["end"]] == item["text"]
        assert 0 <= item["start"] <= item["end"] <= len(doc)
    for h in result.headings:
        assert h.parent is None or 0 <= h.parent < len(result.headings)
