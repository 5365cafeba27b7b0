"""A hook for the fault tests (tests/ops/test_faults.py): stop a process at a named point, mid-transaction, so the
test can kill -9 it exactly there instead of sleeping and hoping.

LUOSHI_PAUSE_AT=<point>:<file> makes the process that reaches <point> write its pid to <file> and wait there
until it is killed. Never set in a deployment; unset, pause_at costs one environment lookup.
"""
import os
import time
from pathlib import Path


def pause_at(point):
    name, _, marker = os.environ.get("LUOSHI_PAUSE_AT", "").partition(":")
    if name != point or not marker:
        return
    Path(marker).write_text(str(os.getpid()))
    while True:
        time.sleep(60)
