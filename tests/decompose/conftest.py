"""Paths shared by the decomposer tests; nothing here needs Django."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
CORPUS = Path(__file__).resolve().parent / "corpus"
BLIND = Path(__file__).resolve().parent / "blind"
SEED = SHARED / "seeds" / "speech-county-work-retreat-2020.txt"
SEED_GOLD = SHARED / "eval" / "gold" / "speech-county-work-retreat-2020.json"
SCORER = SHARED / "eval" / "score_decomposition.py"


def load_scorer():
    """The shared scorer module, or skip when the shared folder is not beside the repository."""
    if not SCORER.is_file():
        pytest.skip(f"shared scorer not found at {SCORER} (the shared/ folder sits beside the repository)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_decomposition", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
