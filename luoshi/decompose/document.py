"""The shared document object and the result dataclasses.

Every pipeline component reads a `Doc` and adds one kind of annotation to it
(spaCy style). Offsets are Python str indices into `Doc.text`, end exclusive.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

SCHEMA = "decomposition/1"


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Heading(Span):
    level: int = 1
    parent: int | None = None
    style: str = ""
    number: int = 0
    kind: str = ""  # "review", "plan", "problems", "" (inherited from the parent when empty)
    marker_end: int = 0  # where the numbering marker (一、 （一） 第一，) ends


@dataclass
class Quantity(Span):
    metric: str = ""
    value: float | None = None
    unit: str | None = None
    placeholder: bool = False
    approx: bool = False


@dataclass
class Deadline(Span):
    date: dt.date | None = None
    rule: str = ""


@dataclass
class Entity:
    text: str
    kind: str
    start: int = 0
    end: int = 0


@dataclass
class Task(Span):
    id: str = ""
    heading: int | None = None
    targets: list[Quantity] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    owner_text: str = ""
    lead_unit: str = ""
    co_units: list[str] = field(default_factory=list)
    unit_reason: str = ""
    # other parts of a table row that belong to the task (its deadline and target cells)
    row_cells: list[tuple[int, int]] = field(default_factory=list, repr=False)


@dataclass
class Sentence:
    """A sentence or an independent ；-clause; `para` is the index of its paragraph."""
    start: int
    end: int
    para: int
    heading: int | None = None  # innermost heading before or at the sentence
    is_heading: bool = False  # the sentence is a short lead heading and nothing more
    section: str = ""  # "preamble", "review", "plan", "problems", "closing"
    cell: int | None = None  # column index when the sentence is in a table row


@dataclass
class Table:
    """Rows of tab-separated cells; the roles of its columns come from its header or its cells."""
    rows: list[int]  # paragraph indices, header excluded
    header: int | None = None
    unit_col: int | None = None
    co_col: int | None = None
    deadline_col: int | None = None
    content_cols: tuple[int, ...] = ()
    by_header: bool = False  # the header names a task column: every row is a task


@dataclass
class Paragraph:
    start: int
    end: int  # exclusive, the newline not included


@dataclass
class Doc:
    """The text under analysis and every annotation the components add."""
    text: str
    doc_date: dt.date | None = None
    outline: dict[int, int] = field(default_factory=dict)  # line offset → heading level a Word style gives
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    body_start: int = 0
    paragraphs: list[Paragraph] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    figures: list[Quantity] = field(default_factory=list)
    problems: list[Span] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])


def _quantity(q: Quantity) -> dict:
    out = {"text": q.text, "start": q.start, "end": q.end, "metric": q.metric,
           "value": q.value, "unit": q.unit, "placeholder": q.placeholder}
    if q.approx:
        out["approx"] = True
    return out


def _task(t: Task) -> dict:
    return {
        "id": t.id, "text": t.text, "start": t.start, "end": t.end, "heading": t.heading,
        "targets": [_quantity(q) for q in t.targets],
        "deadlines": [{"text": d.text, "start": d.start, "end": d.end,
                       "date": d.date.isoformat() if d.date else None, "rule": d.rule}
                      for d in t.deadlines],
        "entities": [{"text": e.text, "kind": e.kind} for e in t.entities],
        "lead_unit": t.lead_unit, "co_units": list(t.co_units), "owner_text": t.owner_text,
        "unit_reason": t.unit_reason,
    }


@dataclass
class Decomposition:
    """The decomposer's result; `to_dict()` is the JSON contract (schema decomposition/1)."""
    text: str
    title: str
    doc_date: dt.date | None
    headings: list[Heading]
    tasks: list[Task]
    figures: list[Quantity]
    problems: list[Span]
    warnings: list[str]

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "title": self.title,
            "doc_date": self.doc_date.isoformat() if self.doc_date else None,
            "headings": [{"text": h.text, "start": h.start, "end": h.end, "level": h.level,
                          "parent": h.parent} for h in self.headings],
            "tasks": [_task(t) for t in self.tasks],
            "figures": [_quantity(q) for q in self.figures],
            "problems": [{"text": p.text, "start": p.start, "end": p.end} for p in self.problems],
            "warnings": list(self.warnings),
        }
