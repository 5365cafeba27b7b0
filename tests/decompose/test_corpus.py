"""Every document in corpus/ with a gold file scores overall F1 ≥ 0.9.

A gold file `NAME.gold.json` belongs to `NAME` (e.g. plan.docx) or to `NAME.txt`;
the scored text is what the reader returns for that file.
"""
import json

import pytest

from luoshi.decompose import decompose, read_file

from .conftest import CORPUS, load_scorer


def _cases():
    cases = []
    for gold in sorted(CORPUS.glob("*.gold.json")):
        name = gold.name[: -len(".gold.json")]
        source = CORPUS / name if (CORPUS / name).is_file() else CORPUS / f"{name}.txt"
        if source.is_file():
            cases.append(pytest.param(source, gold, id=source.name))
    return cases


@pytest.mark.parametrize("source, gold_path", _cases())
def test_corpus_document(source, gold_path):
    scorer = load_scorer()
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    text, _ = read_file(source)
    pred = json.loads(json.dumps(decompose(text, doc_date=gold.get("doc_date")).to_dict(), ensure_ascii=False))
    scores = scorer.score(gold, pred, text)
    assert scores["overall_f1"] >= 0.9, {k: v for k, v in scores.items()}


def test_docx_reader_gives_the_agreed_text():
    for docx in CORPUS.glob("*.docx"):
        expected = CORPUS / f"{docx.name}.txt"
        if expected.is_file():
            assert read_file(docx)[0] == expected.read_text(encoding="utf-8")
