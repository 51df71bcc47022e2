"""Why a dataset record was left out, in the user's language.

``app/core/datasets.py`` words each reason in English (the CLI and report.json keep that). The
reasons follow a fixed set of templates; each is listed here once, as its English source, and its
translation is filled with what the English reason held (field names, turn numbers, JSON detail).
A reason that matches no template is shown as it is. ``tests/gui/test_dataset_reasons.py`` checks
that every reason the reader produces for a file full of mistakes is recognised, so a reworded
reason in core cannot silently fall back to English.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "DatasetReasons"

# English sources, exactly as app/core/datasets.py writes them; {name} holds a value.
TEMPLATES = (
    QT_TRANSLATE_NOOP("DatasetReasons", "bad JSON: {msg} (column {col})"),
    QT_TRANSLATE_NOOP("DatasetReasons", "not valid UTF-8 text (byte {byte} at column {col}); save the file as UTF-8"),
    QT_TRANSLATE_NOOP("DatasetReasons", "not valid UTF-8 text; save the file as UTF-8"),
    QT_TRANSLATE_NOOP("DatasetReasons", "row has {n} columns but the header has {m}"),
    QT_TRANSLATE_NOOP("DatasetReasons", "missing field \"{name}\" in turn {k}"),
    QT_TRANSLATE_NOOP("DatasetReasons",
                      "missing field \"{name}\" (this record looks like {looks}; the file is read as {shape})"),
    QT_TRANSLATE_NOOP("DatasetReasons", "missing field \"{name}\""),
    QT_TRANSLATE_NOOP("DatasetReasons", "wrong type: field \"{name}\" in turn {k} should be a {expected}, got {got}"),
    QT_TRANSLATE_NOOP("DatasetReasons", "wrong type: field \"{name}\" should be a {expected}, got {got}"),
    QT_TRANSLATE_NOOP("DatasetReasons", "turn {k} has non-text content ({kind}); only text is supported"),
    QT_TRANSLATE_NOOP("DatasetReasons", "empty conversation: \"{key}\" has no turns"),
    QT_TRANSLATE_NOOP("DatasetReasons", "turn {k} is not an object (got {got})"),
    QT_TRANSLATE_NOOP("DatasetReasons", "unknown role \"{role}\" in turn {k} (allowed: {allowed})"),
    QT_TRANSLATE_NOOP("DatasetReasons", "empty content in turn {k} ({role})"),
    QT_TRANSLATE_NOOP("DatasetReasons",
                      "turn {k} contains bytes that are not valid UTF-8 text; save the file as UTF-8"),
    QT_TRANSLATE_NOOP("DatasetReasons",
                      "field \"{name}\" contains bytes that are not valid UTF-8 text; save the file as UTF-8"),
    QT_TRANSLATE_NOOP("DatasetReasons", "empty content: \"instruction\" and \"input\" are both empty"),
    QT_TRANSLATE_NOOP("DatasetReasons", "empty content in field \"output\": no assistant answer to learn from"),
    QT_TRANSLATE_NOOP("DatasetReasons",
                      "history item {k} should be a [question, answer] pair of non-empty strings"),
    QT_TRANSLATE_NOOP("DatasetReasons", "history item {k} contains bytes that are not valid UTF-8 text"),
    QT_TRANSLATE_NOOP("DatasetReasons", "no assistant turn to learn from"),
    QT_TRANSLATE_NOOP("DatasetReasons",
                      "turns {n1} and {n2} are both \"{role}\"; turns must alternate between user and assistant"),
    QT_TRANSLATE_NOOP("DatasetReasons", "not a JSON object (got {got})"),
)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((re.compile(f"^{rx}$", re.DOTALL), template))
    return out


def match(reason: str) -> tuple[str, dict] | None:
    """(template, values) for a reason core wrote, or None."""
    for rx, template in _patterns():
        m = rx.match(reason)
        if m:
            return template, m.groupdict()
    return None


def reason_text(reason: str) -> str:
    found = match(reason)
    if found is None:
        return reason
    template, values = found
    return QCoreApplication.translate(CONTEXT, template).format(**values)
