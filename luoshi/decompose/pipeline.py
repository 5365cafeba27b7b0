"""The pipeline: each component adds one kind of annotation to the shared `Doc`."""
from __future__ import annotations

import datetime as dt

from . import deadlines, entities, layout, outline, problems, quantities, sentences, tables, tasks, units
from .document import Decomposition, Doc

PIPELINE = [
    layout.paragraphs,
    layout.title,
    outline.headings,
    sentences.sentences,
    sentences.sections,
    layout.infer_date,
    tables.tables,
    tasks.tasks,
    quantities.quantities,
    deadlines.deadlines,
]


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def decompose(text: str, doc_date=None, unit_rules=None, lexicon=None, outline=()) -> Decomposition:
    """Decompose one document.

    text: the document as decoded (offsets in the result index into it).
    doc_date: a date or ISO string; without it the date is inferred and a warning says so.
    unit_rules: rows (keyword, lead_unit, co_units) replacing the default table; co_units is a
        list or a 、-separated string.
    lexicon: (name, kind) pairs of known entities (an office's enterprises and projects).
    outline: (line offset, level) pairs of headings the text does not number, as the reader finds them in
        Word heading styles (`read_file(path).outline`).
    """
    doc = Doc(text=text, doc_date=_as_date(doc_date), outline=dict(outline))
    for component in PIPELINE:
        component(doc)
    entities.entities(doc, entities.build_lexicon(lexicon) if lexicon else None)
    units.units(doc, units.UnitTable(unit_rules) if unit_rules is not None else units.default_table())
    problems.problems(doc)
    if not doc.tasks:
        doc.warnings.append("未识别出任务 (no tasks found)")
    return Decomposition(text=text, title=doc.title, doc_date=doc.doc_date, headings=doc.headings,
                         tasks=doc.tasks, figures=doc.figures, problems=doc.problems,
                         warnings=doc.warnings)
