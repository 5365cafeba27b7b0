"""The sample speech scored against its gold with the shared scorer."""
import json

import pytest

from luoshi.decompose import decompose, read_file

from .conftest import SEED, SEED_GOLD, load_scorer


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    scorer = load_scorer()
    if not SEED.is_file() or not SEED_GOLD.is_file():
        pytest.skip(f"sample speech or its gold missing under {SEED.parent.parent}")
    text, _ = read_file(SEED)
    pred = decompose(text, doc_date="2020-12-20").to_dict()
    out = tmp_path_factory.mktemp("seed") / "pred.json"
    out.write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return scorer.score(gold, json.loads(out.read_text(encoding="utf-8")), text)


def test_overall(scores):
    assert scores["overall_f1"] >= 0.97


@pytest.mark.parametrize("part, floor", [("tasks", 0.95), ("quantities", 0.95), ("deadlines", 1.0),
                                         ("headings", 0.95)])
def test_component_f1(scores, part, floor):
    assert scores[part][2] >= floor, scores[part]


def test_heading_levels_and_entities(scores):
    assert scores["heading_level_accuracy"] >= 0.95
    assert scores["entity_recall"] >= 0.9
    assert scores["title"] == 1.0
