#!/usr/bin/env python3
"""Decomposer benchmark: each figure beside a naive regex sentence split measured in the same run.

    .venv/bin/python bench/decompose.py

- median in-process time for the sample speech after warm-up (target ≤ 10 ms);
- throughput over a corpus of ≥ 1 MB (the sample speech, tests/decompose/corpus and blind, repeated);
- cold CLI time: a fresh `luoshi decompose` process on the sample speech (target ≤ 1 s).
"""
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from luoshi.decompose import decompose, read_file  # noqa: E402

SEED = REPO.parent / "shared" / "seeds" / "speech-county-work-retreat-2020.txt"
CORPUS = REPO / "tests" / "decompose" / "corpus"
BLIND = REPO / "tests" / "decompose" / "blind"
NAIVE = re.compile(r"[^。！？\n]+[。！？]?")


def naive_split(text):
    return NAIVE.findall(text)


def median_ms(fn, text, runs=50, warmup=5):
    for _ in range(warmup):
        fn(text)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def throughput_kb_s(fn, docs):
    size = sum(len(d.encode("utf-8")) for d in docs)
    t = time.perf_counter()
    for d in docs:
        fn(d)
    return size / 1024 / (time.perf_counter() - t), size


def cold_seconds(argv, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    if not SEED.is_file():
        sys.exit(f"sample speech not found: {SEED}")
    seed, _ = read_file(SEED)
    docs = [seed] + [read_file(p)[0] for p in sorted([*CORPUS.iterdir(), *BLIND.iterdir()])
                     if p.suffix in (".txt", ".docx") and not p.name.endswith(".docx.txt")]
    corpus = []
    while sum(len(d.encode("utf-8")) for d in corpus) < 1024 * 1024:
        corpus += docs

    speech_ms = median_ms(lambda t: decompose(t, doc_date="2020-12-20"), seed)
    naive_ms = median_ms(naive_split, seed)
    rate, size = throughput_kb_s(lambda t: decompose(t), corpus)
    naive_rate, _ = throughput_kb_s(naive_split, corpus)

    luoshi = Path(sys.executable).with_name("luoshi")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "seed.json"
        cli = cold_seconds([str(luoshi), "decompose", str(SEED), "--date", "2020-12-20", "-o", str(out)])
    naive_cli = cold_seconds([sys.executable, "-c",
                              f"import re,sys; re.findall({NAIVE.pattern!r}, open(sys.argv[1], encoding='utf-8').read())",
                              str(SEED)])

    rows = [
        ("sample speech, median after warm-up", f"{speech_ms:.2f} ms", f"{naive_ms:.3f} ms", "≤ 10 ms",
         speech_ms <= 10),
        (f"throughput over {size / 1048576:.2f} MB ({len(corpus)} docs)", f"{rate:,.0f} KB/s",
         f"{naive_rate:,.0f} KB/s", "≥ 500 KB/s", rate >= 500),
        ("cold CLI (fresh process, json)", f"{cli:.3f} s", f"{naive_cli:.3f} s", "≤ 1 s", cli <= 1),
    ]
    head = ("measure", "decomposer", "naive regex split", "target", "ok")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(4)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths + [2])))
    print("  ".join("-" * w for w in widths + [2]))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r[:4], widths)) + "  " + ("yes" if r[4] else "NO"))


if __name__ == "__main__":
    main()
