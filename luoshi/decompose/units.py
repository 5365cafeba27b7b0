"""Unit suggestion: which unit leads a task and which help, from a keyword table.

The table is data an office edits (data/unit_rules.tsv: keyword, lead_unit,
co_units separated by 、, note); the web app passes its own rows instead. The
longest keyword in the task wins (the earliest among equals); units that other
keywords point to become co-units. A unit the text itself names comes first.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .document import Doc

DEFAULT_TABLE = Path(__file__).with_name("data") / "unit_rules.tsv"
MAX_CO_UNITS = 4


@dataclass(frozen=True)
class UnitRule:
    keyword: str
    lead_unit: str
    co_units: tuple[str, ...] = ()
    note: str = ""


def _split_units(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = re.split(r"[、,，;；]", value)
    return tuple(u.strip() for u in value or () if u and u.strip())


def load_unit_rules(path: str | Path = DEFAULT_TABLE) -> list[UnitRule]:
    """Rules from a TSV file with the columns keyword, lead_unit, co_units, note."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [UnitRule(r["keyword"].strip(), r["lead_unit"].strip(), _split_units(r.get("co_units")),
                         (r.get("note") or "").strip())
                for r in csv.DictReader(f, delimiter="\t") if (r.get("keyword") or "").strip()]


class UnitTable:
    """Keyword rules compiled into one Aho-Corasick automaton."""

    def __init__(self, rules):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for row in rules:
            rule = row if isinstance(row, UnitRule) else UnitRule(row[0], row[1], _split_units(row[2] if len(row) > 2 else ()))
            if rule.keyword and rule.lead_unit:
                self.automaton.add_word(rule.keyword, rule)
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def suggest(self, text: str) -> tuple[str, list[str], str]:
        """(lead unit, co units, the keyword that fired) for a task's text."""
        if self.empty:
            return "", [], ""
        hits = [(len(rule.keyword), -end, rule) for end, rule in self.automaton.iter(text)]
        if not hits:
            return "", [], ""
        hits.sort(key=lambda h: (-h[0], -h[1]))
        best = hits[0][2]
        co = list(best.co_units)
        for _, _, rule in sorted(hits, key=lambda h: -h[1]):
            if rule.lead_unit != best.lead_unit and rule.lead_unit not in co:
                co.append(rule.lead_unit)
        return best.lead_unit, co[:MAX_CO_UNITS], best.keyword


@functools.lru_cache(maxsize=1)
def default_table() -> UnitTable:
    return UnitTable(load_unit_rules())


def units(doc: Doc, table: UnitTable) -> None:
    for t in doc.tasks:
        lead, co, keyword = table.suggest(t.text)
        if t.lead_unit:  # the text names its lead unit: the table only adds helpers
            t.co_units = t.co_units or [u for u in co if u != t.lead_unit][:MAX_CO_UNITS]
            continue
        t.lead_unit, t.co_units, t.unit_reason = lead, co, keyword
