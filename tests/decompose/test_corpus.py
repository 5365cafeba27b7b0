"""Every document in corpus/ with a gold file scores overall F1 ≥ 0.9; the held-out documents in blind/
(written by a second annotator in other styles) score ≥ 0.95 each.

A gold file `NAME.gold.json` belongs to `NAME` (e.g. plan.docx) or to `NAME.txt`;
the scored text is what the reader returns for that file, decomposed with the Word outline it finds.
"""
import json

import pytest

from luoshi.decompose import decompose, read_file

from .conftest import BLIND, CORPUS, load_scorer

FLOORS = {CORPUS: 0.9, BLIND: 0.95}


def _cases():
    cases = []
    for folder, floor in FLOORS.items():
        for gold in sorted(folder.glob("*.gold.json")):
            name = gold.name[: -len(".gold.json")]
            source = folder / name if (folder / name).is_file() else folder / f"{name}.txt"
            if source.is_file():
                cases.append(pytest.param(source, gold, floor, id=f"{folder.name}/{source.name}"))
    return cases


@pytest.mark.parametrize("source, gold_path, floor", _cases())
def test_corpus_document(source, gold_path, floor):
    scorer = load_scorer()
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    reading = read_file(source)
    text, _ = reading
    result = decompose(text, doc_date=gold.get("doc_date"), outline=reading.outline)
    pred = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    scores = scorer.score(gold, pred, text)
    assert scores["overall_f1"] >= floor, {k: v for k, v in scores.items()}


@pytest.mark.parametrize("folder", FLOORS)
def test_docx_reader_gives_the_agreed_text(folder):
    for docx in folder.glob("*.docx"):
        expected = folder / f"{docx.name}.txt"
        if expected.is_file():
            assert read_file(docx)[0] == expected.read_text(encoding="utf-8")
