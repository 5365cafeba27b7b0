"""落实 decomposer: a speech, work report or work plan → outline, tasks, targets,
deadlines, entities and suggested units (the JSON contract in shared/DECOMPOSITION.md).

Pure Python: it imports nothing from Django, so the CLI starts fast and the web
app, the CLI and the benchmarks share it.

    from luoshi.decompose import decompose, read_bytes, DecomposeError
    reading = read_bytes(data, "讲话.docx")
    text, warnings = reading
    result = decompose(text, doc_date="2020-12-20", outline=reading.outline)  # outline: Word heading styles
    result.to_dict()
"""
from .document import Decomposition, Heading, Quantity, Deadline, Entity, Task
from .pipeline import decompose
from .reader import DecomposeError, MAX_BYTES, Reading, read_bytes, read_file
from .units import UnitRule, load_unit_rules

__all__ = [
    "decompose", "read_bytes", "read_file", "Reading", "DecomposeError", "MAX_BYTES", "Decomposition",
    "Heading", "Quantity", "Deadline", "Entity", "Task", "UnitRule", "load_unit_rules",
]
