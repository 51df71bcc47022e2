"""Datasets: read a file a person brings, check every record, normalise it, keep a clean copy.

Input files
    JSONL (one JSON object per line), JSON (an array of objects, or an object holding that array
    under ``"data"`` or ``"examples"``), CSV/TSV (a header row; alpaca columns
    ``instruction``/``input``/``output`` [``system``], or a ``messages`` / ``conversations`` column
    holding JSON). UTF-8, with or without a BOM. Bytes that are not UTF-8 make *that record* invalid
    (named by its line), never the whole file.

Shapes (``DatasetShape``)
    alpaca    ``{"instruction", "input"?, "output", "system"?, "history"?: [[q, a], ...]}``
    sharegpt  ``{"conversations": [{"from": "human|user|gpt|assistant|system", "value"}], "system"?}``
              (``{"role", "content"}`` turns are tolerated too)
    openai    ``{"messages": [{"role": "system|user|assistant|tool", "content"}]}``
    Detected by majority over the first ``DETECT_SAMPLE`` records; ``shape=`` overrides.

Every valid record is normalised to ``{"messages": [{"role", "content"}, ...]}``. Every record that
is not kept is named in the report's ``errors`` as ``{"line": N, "reason": "...", "code": "...",
"params": {...}}`` (1-based line of the file where the record starts; JSON-array records add their
0-based ``"index"``; ``reason`` is English, for the CLI and report.json, and ``code`` + ``params`` say
the same as data, for the GUI to word in the user's language): nothing is dropped silently. What counts as an error (a record a trainer could not learn from, or could only
learn from after guessing): bad JSON, not an object, a missing or wrongly typed field, an unknown
role, an empty conversation, an empty turn, no assistant turn at all, two user (or two assistant)
turns in a row. A conversation that ends with an unanswered user turn is kept as long as it has an
assistant turn somewhere; an empty system prompt is left out.

Imported datasets live in ``<home>/datasets/<id>/``: ``train.jsonl`` (+ ``val.jsonl`` when split),
``report.json`` (the validation report) and ``dataset.json`` (where it came from, the split). The
``datasets`` row's ``path`` is that folder, relative to the home folder so a moved data folder keeps
working. ``DatasetStore`` returns frozen ``DatasetInfo`` snapshots, never live ORM objects.

No Qt, no torch: the GUI imports this.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import __version__
from app.core import paths
from app.core.db.database import Database
from app.core.db.models import Dataset as DatasetRow
from app.core.db.models import DatasetShape
from app.core.db.models import Project as ProjectRow
from app.core.db.models import utcnow
from app.core.errors import UserError
from app.core.names import clean_name

SHAPES: tuple[str, ...] = tuple(s.value for s in DatasetShape)  # alpaca, sharegpt, openai
FORMATS = ("jsonl", "json", "csv", "tsv")
MAX_FILE_BYTES = 2 * 1024**3  # 2 GiB: everything valid is held in memory while importing
MAX_ERRORS = 10_000  # errors kept in memory / in report.json; the rest are only counted
DETECT_SAMPLE = 200  # records looked at to detect the shape
NAME_MAX = 200  # the column's length
ARRAY_KEYS = ("data", "examples")  # a JSON object may hold its records under one of these

OPENAI_ROLES = ("system", "user", "assistant", "tool")
SHAREGPT_ROLES = {"system": "system", "human": "user", "user": "user", "gpt": "assistant",
                  "assistant": "assistant"}
_OPENAI_ROLE_MAP = {r: r for r in OPENAI_ROLES}
_JSON_COLUMNS = ("messages", "conversations", "history")  # CSV cells holding JSON
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
_UNSUPPORTED = {".parquet", ".arrow", ".xlsx", ".xls", ".zip", ".gz", ".bz2", ".xz", ".7z", ".tar",
                ".pdf", ".docx"}
_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\ud800-\udfff]")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(strict=False)  # a literal tab inside a string is common and harmless

META_FILE = "dataset.json"
REPORT_FILE = "report.json"
TRAIN_FILE = "train.jsonl"
VAL_FILE = "val.jsonl"


# --- the report ------------------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """What a file holds: its shape, how many records, and each invalid record by location."""

    path: str
    format: str
    shape: str | None  # what it was read as (override, else detected); None: nothing readable
    detected_shape: str | None
    n_records: int = 0
    n_valid: int = 0
    n_invalid: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"line", "reason", "code", "params"[, "index"]}
    truncated: int = 0  # errors counted in n_invalid but not kept in ``errors``

    def add_error(self, loc: dict[str, int], reason: str, code: str = "", params: dict | None = None) -> None:
        self.n_records += 1
        self.n_invalid += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({**loc, "reason": reason, "code": code, "params": dict(params or {})})
        else:
            self.truncated += 1

    def add_valid(self) -> None:
        self.n_records += 1
        self.n_valid += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "shape": self.shape,
            "detected_shape": self.detected_shape,
            "counts": {"records": self.n_records, "valid": self.n_valid, "invalid": self.n_invalid},
            "errors": list(self.errors),
            "errors_truncated": self.truncated,
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def first_errors(self, k: int = 5) -> list[str]:
        return [format_error(e) for e in self.errors[:k]]


def format_error(err: dict[str, Any]) -> str:
    """``line 4: bad JSON: ...`` or ``line 7 (index 2): ...``: one error for a person to read."""
    where = f"line {err.get('line', '?')}"
    if "index" in err:
        where += f" (index {err['index']})"
    return f"{where}: {err.get('reason', '')}"


# --- reading files ---------------------------------------------------------------------------------


class _Bad:
    """A record that failed before it was even an object (bad bytes, bad JSON, bad CSV row)."""

    __slots__ = ("code", "params", "reason")

    def __init__(self, reason: str, code: str, params: dict | None = None):
        self.reason, self.code, self.params = reason, code, dict(params or {})


Raw = tuple[dict[str, int], Any]  # (location, parsed value or _Bad)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _check_file(path: Path) -> int:
    """Raise a UserError naming ``path`` unless it is a readable file under the size cap."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserError(f"File not found: {path}", code="dataset.not_found",
                        params={"path": str(path)}) from None
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}", code="dataset.unreadable",
                        params={"path": str(path), "reason": str(exc.strerror or exc)}) from None
    if not path.is_file():
        raise UserError(f"{path} is not a file.", code="dataset.not_a_file", params={"path": str(path)})
    if st.st_size > MAX_FILE_BYTES:
        gb = MAX_FILE_BYTES / 1024**3
        raise UserError(
            f"{path} is {st.st_size / 1024**3:.1f} GB; datasets can be at most {gb:.0f} GB. "
            "Split it into smaller files.",
            code="dataset.too_large", params={"path": str(path), "size": st.st_size, "max": MAX_FILE_BYTES,
                                              "size_gb": f"{st.st_size / 1024**3:.1f}", "max_gb": f"{gb:.0f}"})
    return st.st_size


def _open_error(path: Path, exc: OSError) -> UserError:
    return UserError(f"Cannot read {path}: {exc.strerror or exc}", code="dataset.unreadable",
                     params={"path": str(path), "reason": str(exc.strerror or exc)})


def _sniff_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(8192)
    except OSError as exc:
        raise _open_error(path, exc) from None


def _check_text(path: Path, head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path} is UTF-16 text. Save it as UTF-8 and import it again.",
                        code="dataset.encoding", params={"path": str(path), "encoding": "UTF-16"})
    if b"\x00" in head:
        raise UserError(
            f"{path} is not a text file. Datasets are JSONL, JSON or CSV files.",
            code="dataset.not_text", params={"path": str(path)})


def _looks_like_jsonl(head: bytes) -> bool:
    """Two or more lines that each start an object, the first of them a whole JSON object."""
    lines = [ln.strip() for ln in head.removeprefix(_BOM).split(b"\n") if ln.strip()]
    if len(lines) < 2 or not lines[1].startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except ValueError:
        return False


def detect_format(path: Path, head: bytes | None = None) -> str:
    """``jsonl`` / ``json`` / ``csv`` / ``tsv`` from the extension and the first bytes.

    A ``.json`` file that holds one object per line is read as JSONL (a common mix-up).
    """
    ext = path.suffix.lower()
    if ext in _UNSUPPORTED:
        raise UserError(
            f"{path.name}: {ext} files are not supported. Export the data as JSONL, JSON or CSV.",
            code="dataset.unsupported_format", params={"path": str(path), "ext": ext})
    head = head if head is not None else _sniff_head(path)
    fmt = _EXTENSIONS.get(ext)
    if fmt in ("jsonl", "csv", "tsv"):
        return fmt
    if _looks_like_jsonl(head):
        return "jsonl"
    if fmt == "json" or head.removeprefix(_BOM).lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _iter_jsonl(path: Path) -> Iterator[Raw]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise _open_error(path, exc) from None
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1:
                raw = raw.removeprefix(_BOM)
            loc = {"line": lineno}
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if not raw.strip():
                    continue
                yield loc, _bad_bytes_reason(raw, exc)
                continue
            text = text.strip()
            if not text:
                continue  # blank lines are not records
            try:
                value = _DECODER.decode(text)
            except json.JSONDecodeError as exc:
                yield loc, _Bad(f"bad JSON: {exc.msg} (column {exc.colno})", "dataset.record.bad_json",
                                {"detail": exc.msg, "column": exc.colno})
                continue
            yield loc, value


def _bad_bytes_reason(raw: bytes, exc: UnicodeDecodeError) -> _Bad:
    column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
    byte = f"0x{raw[exc.start]:02x}"
    return _Bad(f"not valid UTF-8 text (byte {byte} at column {column}); save the file as UTF-8",
                "dataset.record.bad_utf8", {"byte": byte, "column": column})


def _read_text(path: Path) -> str:
    """The whole file as text; bytes that are not UTF-8 become lone surrogates (found per record)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _open_error(path, exc) from None
    return data.removeprefix(_BOM).decode("utf-8", "surrogateescape")


def _json_error(path: Path, exc: json.JSONDecodeError, jsonl_hint: bool = False) -> UserError:
    msg = f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
    params = {"path": str(path), "line": exc.lineno, "column": exc.colno, "reason": exc.msg}
    if jsonl_hint:
        msg += " If it has one JSON object per line, name it .jsonl."
        params["hint_code"] = "dataset.hint.name_it_jsonl"
    return UserError(msg, code="dataset.bad_json", params=params)


def _skip_ws(text: str, i: int) -> int:
    return _WS.match(text, i).end()


class _LineCounter:
    """1-based line of increasing offsets in ``text``, counting newlines incrementally."""

    def __init__(self, text: str):
        self._text = text
        self._pos = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        self._line += self._text.count("\n", self._pos, offset)
        self._pos = offset
        return self._line


def _scan_array(text: str, i: int) -> tuple[list[tuple[int, Any]], int]:
    """Elements of the JSON array starting at ``text[i] == '['``, with each one's start offset."""
    items: list[tuple[int, Any]] = []
    i = _skip_ws(text, i + 1)
    if text.startswith("]", i):
        return items, i + 1
    while True:
        value, end = _DECODER.raw_decode(text, i)
        items.append((i, value))
        i = _skip_ws(text, end)
        if text.startswith(",", i):
            i = _skip_ws(text, i + 1)
            continue
        if text.startswith("]", i):
            return items, i + 1
        raise json.JSONDecodeError("Expecting ',' delimiter", text, i)


def _scan_object_for_array(text: str, i: int) -> tuple[list[tuple[int, Any]] | None, Any, int]:
    """Walk the top-level object at ``text[i] == '{'``; return the elements (with offsets) of its
    ``data``/``examples`` list if it has one, else None and the whole object."""
    found: list[tuple[int, Any]] | None = None
    whole: dict[str, Any] = {}
    i = _skip_ws(text, i + 1)
    if text.startswith("}", i):
        return None, whole, i + 1
    while True:
        if not text.startswith('"', i):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, i)
        key, i = _DECODER.raw_decode(text, i)
        i = _skip_ws(text, i)
        if not text.startswith(":", i):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
        i = _skip_ws(text, i + 1)
        if found is None and key in ARRAY_KEYS and text.startswith("[", i):
            found, i = _scan_array(text, i)
            whole[key] = [v for _, v in found]
        else:
            whole[key], i = _DECODER.raw_decode(text, i)
        i = _skip_ws(text, i)
        if text.startswith(",", i):
            i = _skip_ws(text, i + 1)
            continue
        if text.startswith("}", i):
            return found, whole, i + 1
        raise json.JSONDecodeError("Expecting ',' delimiter", text, i)


def _iter_json(path: Path) -> Iterator[Raw]:
    text = _read_text(path)
    i = _skip_ws(text, 0)
    if i == len(text):
        return
    lines = _LineCounter(text)
    try:
        if text[i] == "[":
            items, end = _scan_array(text, i)
            indexed = True
        elif text[i] == "{":
            found, whole, end = _scan_object_for_array(text, i)
            if found is not None:
                items, indexed = found, True
            elif _classify(whole) is not None:
                items, indexed = [(i, whole)], False  # one record on its own
            else:
                keys = ", ".join(sorted(whole)[:10]) or "none"
                raise UserError(
                    f"{path} holds a JSON object without a list of records under "
                    f'"{ARRAY_KEYS[0]}" or "{ARRAY_KEYS[1]}" (its keys: {keys}).',
                    code="dataset.no_records_list", params={"path": str(path), "keys": keys})
        else:
            raise UserError(
                f"{path} is not a JSON dataset: it should hold a list of records ([...]).",
                code="dataset.json_not_list", params={"path": str(path)})
        rest = _skip_ws(text, end)
        if rest != len(text):
            raise json.JSONDecodeError("Extra data", text, rest)
    except json.JSONDecodeError as exc:
        raise _json_error(path, exc, jsonl_hint=exc.msg == "Extra data" and text[i] == "{") from None
    for index, (offset, value) in enumerate(items):
        loc = {"line": lines.line_at(offset)}
        if indexed:
            loc["index"] = index
        yield loc, value


def _pick_delimiter(first_line: str, fmt: str) -> str:
    if fmt == "tsv":
        return "\t"
    known = {"instruction", "input", "output", "system", *(_JSON_COLUMNS)}
    for delim in (",", "\t", ";"):
        if {c.strip().lower() for c in first_line.split(delim)} & known:
            return delim
    return ","


def _iter_csv(path: Path, fmt: str) -> Iterator[Raw]:
    text = _read_text(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long conversations exceed the 128 KB default
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_pick_delimiter(first_line, fmt))
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UserError(f"{path} is not valid CSV at line {start}: {exc}", code="dataset.bad_csv",
                            params={"path": str(path), "line": start, "reason": str(exc)}) from None
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if header is None:
            header = [c.strip().lower() for c in row]
            dupes = sorted(k for k, n in Counter(h for h in header if h).items() if n > 1)
            if dupes:
                raise UserError(f"The CSV header of {path} names a column twice: {', '.join(dupes)}.",
                                code="dataset.csv_duplicate_column",
                                params={"path": str(path), "line": start, "columns": ", ".join(dupes)})
            continue
        loc = {"line": start}
        if len(row) != len(header):
            yield loc, _Bad(f"row has {len(row)} columns but the header has {len(header)}",
                            "dataset.record.csv_columns", {"n": len(row), "m": len(header)})
            continue
        if any(_SURROGATE.search(cell) for cell in row):
            yield loc, _Bad("not valid UTF-8 text; save the file as UTF-8", "dataset.record.bad_utf8_row")
            continue
        record: dict[str, Any] = {}
        bad: _Bad | None = None
        for name, cell in zip(header, row, strict=True):
            if not name:
                continue
            if name in _JSON_COLUMNS:
                if not cell.strip():
                    continue  # an empty cell is a missing field
                try:
                    record[name] = _DECODER.decode(cell.strip())
                except json.JSONDecodeError as exc:
                    bad = _Bad(f'column "{name}" is not valid JSON: {exc.msg} (character {exc.pos + 1})',
                               "dataset.record.csv_bad_json", {"name": name, "detail": exc.msg, "char": exc.pos + 1})
                    break
            else:
                record[name] = cell
        yield loc, (bad or record)


def _iter_raw(path: Path, fmt: str) -> Iterator[Raw]:
    if fmt == "jsonl":
        return _iter_jsonl(path)
    if fmt == "json":
        return _iter_json(path)
    return _iter_csv(path, fmt)


# --- shapes ----------------------------------------------------------------------------------------


def _classify(record: Any) -> str | None:
    """The shape one record looks like, or None."""
    if not isinstance(record, dict):
        return None
    if "messages" in record:
        return DatasetShape.OPENAI.value
    if "conversations" in record:
        return DatasetShape.SHAREGPT.value
    if "instruction" in record or "output" in record:
        return DatasetShape.ALPACA.value
    return None


def detect_shape(records: Iterable[Any], sample: int = DETECT_SAMPLE) -> str | None:
    """The shape most of the first ``sample`` records have (ties: openai, sharegpt, alpaca)."""
    votes: Counter[str] = Counter()
    for n, record in enumerate(records):
        if n >= sample:
            break
        kind = _classify(record)
        if kind:
            votes[kind] += 1
    if not votes:
        return None
    order = {s: i for i, s in enumerate(("openai", "sharegpt", "alpaca"))}
    return max(votes, key=lambda s: (votes[s], -order[s]))


class _Invalid(Exception):
    """One record is unusable; the message is the reason shown to the person (English), ``code``
    and ``params`` the same as data."""

    def __init__(self, reason: str, code: str, **params: Any):
        super().__init__(reason)
        self.code, self.params = code, params


def _missing(record: dict, name: str, shape: str) -> _Invalid:
    looks = _classify(record)
    if looks and looks != shape:
        return _Invalid(f'missing field "{name}" (this record looks like {looks}; the file is read as {shape})',
                        "dataset.record.missing_field_shape", name=name, looks=looks, shape=shape)
    return _Invalid(f'missing field "{name}"', "dataset.record.missing_field", name=name)


def _missing_in_turn(name: str, k: int) -> _Invalid:
    return _Invalid(f'missing field "{name}" in turn {k}', "dataset.record.missing_field_turn", name=name, k=k)


def _wrong_type(name: str, expected: str, value: Any, turn: int | None = None) -> _Invalid:
    got = _type_name(value)
    if turn is not None:
        return _Invalid(f'wrong type: field "{name}" in turn {turn} should be a {expected}, got {got}',
                        "dataset.record.wrong_type_turn", name=name, k=turn, expected=expected, got=got)
    return _Invalid(f'wrong type: field "{name}" should be a {expected}, got {got}',
                    "dataset.record.wrong_type", name=name, expected=expected, got=got)


def _content_text(content: Any, k: int, field_name: str) -> str:
    """A turn's text: a string, or OpenAI's list of ``{"type": "text", "text"}`` parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                kind = part.get("type") if isinstance(part, dict) else _type_name(part)
                raise _Invalid(f"turn {k} has non-text content ({kind}); only text is supported",
                               "dataset.record.non_text_content", k=k, kind=str(kind))
        return "".join(parts)
    raise _wrong_type(field_name, "string", content, k)


def _turns(record: dict, shape: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The conversation as messages, and the 1-based number in the file of each one (0 for a
    system prompt taken from a sharegpt record's ``"system"`` field)."""
    list_key = "messages" if shape == "openai" else "conversations"
    if list_key not in record:
        raise _missing(record, list_key, shape)
    turns = record[list_key]
    if not isinstance(turns, list):
        raise _wrong_type(list_key, "list", turns)
    if not turns:
        raise _Invalid(f'empty conversation: "{list_key}" has no turns', "dataset.record.empty_conversation",
                       key=list_key)
    out: list[dict[str, Any]] = []
    numbers: list[int] = []
    if shape == "sharegpt" and record.get("system") not in (None, ""):
        if not isinstance(record["system"], str):
            raise _wrong_type("system", "string", record["system"])
        if record["system"].strip():
            out.append({"role": "system", "content": record["system"]})
            numbers.append(0)
    for k, turn in enumerate(turns, 1):
        if not isinstance(turn, dict):
            raise _Invalid(f"turn {k} is not an object (got {_type_name(turn)})", "dataset.record.turn_not_object",
                           k=k, got=_type_name(turn))
        if "role" not in turn and ("from" in turn or "value" in turn):
            role_key, content_key, roles = "from", "value", SHAREGPT_ROLES  # sharegpt-style turn
        elif shape == "sharegpt":
            role_key, content_key, roles = "role", "content", SHAREGPT_ROLES
        else:
            role_key, content_key, roles = "role", "content", _OPENAI_ROLE_MAP
        if role_key not in turn:
            raise _missing_in_turn(role_key, k)
        role = turn[role_key]
        if not isinstance(role, str):
            raise _wrong_type(role_key, "string", role, k)
        norm_role = roles.get(role.strip().lower())
        if norm_role is None:
            allowed = ", ".join(roles)
            raise _Invalid(f'unknown role "{role}" in turn {k} (allowed: {allowed})', "dataset.record.unknown_role",
                           role=role, k=k, allowed=allowed)
        tool_calls = turn.get("tool_calls") if norm_role == "assistant" else None
        if content_key not in turn or turn[content_key] is None:
            if not tool_calls:
                if content_key in turn:
                    raise _wrong_type(content_key, "string", None, k)
                raise _missing_in_turn(content_key, k)
            content = ""  # an assistant turn that only calls tools
        else:
            content = _content_text(turn[content_key], k, content_key)
        if not content.strip() and not tool_calls:
            if norm_role == "system":
                continue  # an empty system prompt says nothing: leave it out
            raise _Invalid(f"empty content in turn {k} ({norm_role})", "dataset.record.empty_turn", k=k, role=norm_role)
        if _SURROGATE.search(content):
            raise _Invalid(f"turn {k} contains bytes that are not valid UTF-8 text; save the file as UTF-8",
                           "dataset.record.turn_bad_utf8", k=k)
        msg: dict[str, Any] = {"role": norm_role, "content": content}
        for extra in ("tool_calls", "tool_call_id", "name"):
            if turn.get(extra) is not None:
                msg[extra] = turn[extra]
        out.append(msg)
        numbers.append(k)
    return out, numbers


def _alpaca_turns(record: dict) -> list[dict[str, Any]]:
    def text_field(name: str, required: bool) -> str:
        if name not in record:
            if required:
                raise _missing(record, name, "alpaca")
            return ""
        value = record[name]
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise _wrong_type(name, "string", value)
        if _SURROGATE.search(value):
            raise _Invalid(f'field "{name}" contains bytes that are not valid UTF-8 text; save the file as UTF-8',
                           "dataset.record.field_bad_utf8", name=name)
        return value

    instruction = text_field("instruction", True)
    inp = text_field("input", False)
    output = text_field("output", True)
    system = text_field("system", False)
    if not instruction.strip() and not inp.strip():
        raise _Invalid('empty content: "instruction" and "input" are both empty', "dataset.record.empty_instruction")
    if not output.strip():
        raise _Invalid('empty content in field "output": no assistant answer to learn from',
                       "dataset.record.empty_output")
    out: list[dict[str, Any]] = []
    if system.strip():
        out.append({"role": "system", "content": system})
    history = record.get("history")
    if history not in (None, "", []):
        if not isinstance(history, list):
            raise _wrong_type("history", "list", history)
        for k, pair in enumerate(history, 1):
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(x, str) and x.strip() for x in pair)):
                raise _Invalid(f"history item {k} should be a [question, answer] pair of non-empty strings",
                               "dataset.record.bad_history_item", k=k)
            if any(_SURROGATE.search(x) for x in pair):
                raise _Invalid(f"history item {k} contains bytes that are not valid UTF-8 text",
                               "dataset.record.history_bad_utf8", k=k)
            out += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    user = instruction if not inp.strip() else (f"{instruction}\n\n{inp}" if instruction.strip() else inp)
    out += [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    return out


def _check_conversation(turns: list[dict[str, Any]], numbers: list[int] | None = None) -> None:
    if not any(t["role"] == "assistant" for t in turns):
        raise _Invalid("no assistant turn to learn from", "dataset.record.no_assistant")
    for k in range(len(turns) - 1):
        a, b = turns[k]["role"], turns[k + 1]["role"]
        if a == b and a in ("user", "assistant"):
            n1, n2 = (numbers[k], numbers[k + 1]) if numbers else (k + 1, k + 2)
            raise _Invalid(f'turns {n1} and {n2} are both "{a}"; turns must alternate between user and assistant',
                           "dataset.record.not_alternating", n1=n1, n2=n2, role=a)


def normalise_record(record: Any, shape: str) -> dict[str, Any]:
    """One record as ``{"messages": [...]}``; raises ``ValueError`` with the reason if it is invalid."""
    try:
        return _normalise(record, shape)
    except _Invalid as exc:
        raise ValueError(str(exc)) from None


def _not_object(record: Any) -> _Invalid:
    got = _type_name(record)
    return _Invalid(f"not a JSON object (got {got})", "dataset.record.not_object", got=got)


def _normalise(record: Any, shape: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise _not_object(record)
    if shape == "alpaca":
        turns, numbers = _alpaca_turns(record), None
    else:
        turns, numbers = _turns(record, shape)
    _check_conversation(turns, numbers)
    out: dict[str, Any] = {"messages": turns}
    if shape == "openai" and isinstance(record.get("tools"), list) and record["tools"]:
        out["tools"] = record["tools"]
    return out


def _check_shape(shape: str | None) -> str | None:
    if shape is None:
        return None
    value = str(shape).strip().lower()
    if value not in SHAPES:
        raise UserError(f'Unknown dataset shape "{shape}"; choose one of {", ".join(SHAPES)}.',
                        code="dataset.bad_shape", params={"shape": str(shape), "allowed": ", ".join(SHAPES)})
    return value


def load_dataset_file(path: str | os.PathLike, shape: str | None = None) -> tuple[list[dict], ValidationReport]:
    """Read, check and normalise every record of ``path``.

    Returns the valid records (normalised, in file order) and the report naming every other one.
    Raises ``UserError`` when the file cannot be read as a dataset at all: missing, unreadable,
    too large, not text, broken JSON structure, no records, or records of no known shape.
    """
    path = Path(path).expanduser()
    override = _check_shape(shape)
    _check_file(path)
    head = _sniff_head(path)
    _check_text(path, head)
    fmt = detect_format(path, head)

    raws: list[Raw] = list(_iter_raw(path, fmt))
    if not raws:
        raise UserError(f"{path} holds no records.", code="dataset.empty", params={"path": str(path)})
    parsed = (v for _, v in raws if not isinstance(v, _Bad))
    detected = detect_shape(parsed)
    if override is None and detected is None:
        sample = next((v for _, v in raws if isinstance(v, dict)), None)
        if sample is not None:
            keys = ", ".join(sorted(map(str, sample))[:12]) or "none"
            raise UserError(
                f"{path}: the records are not in a known shape (the first has the fields: {keys}). "
                'Expected "messages" (openai), "conversations" (sharegpt) or '
                '"instruction"/"output" (alpaca).',
                code="dataset.unknown_shape", params={"path": str(path), "keys": keys})
    used = override or detected
    report = ValidationReport(path=str(path.resolve()), format=fmt, shape=used, detected_shape=detected)
    records: list[dict] = []
    for loc, value in raws:
        if isinstance(value, _Bad):
            report.add_error(loc, value.reason, value.code, value.params)
            continue
        try:
            if used is None:  # nothing in the file parsed as an object
                raise _not_object(value)
            records.append(_normalise(value, used))
        except _Invalid as exc:
            report.add_error(loc, str(exc), exc.code, exc.params)
            continue
        report.add_valid()
    return records, report


# --- split and write -------------------------------------------------------------------------------


def split_train_val(records: list[dict], val_ratio: float, seed: int = 42) -> tuple[list[dict], list[dict]]:
    """A deterministic split (same records, ratio and seed → same split); each part keeps file order.

    Any ratio above 0 gives at least one validation record and leaves at least one for training.
    """
    try:
        ratio = float(val_ratio)
    except (TypeError, ValueError):
        ratio = -1.0
    if not 0.0 <= ratio < 1.0:
        raise UserError(f"The validation share must be at least 0 and below 1 (got {val_ratio}).",
                        code="dataset.bad_val_ratio", params={"value": val_ratio})
    n = len(records)
    if ratio == 0.0:
        return list(records), []
    if n < 2:
        raise UserError(f"{n} record(s) are too few to set some aside for validation.",
                        code="dataset.too_few_to_split", params={"n": n})
    n_val = min(max(1, round(n * ratio)), n - 1)
    order = list(range(n))
    random.Random(int(seed)).shuffle(order)
    val_idx = set(order[:n_val])
    train = [r for i, r in enumerate(records) if i not in val_idx]
    val = [r for i, r in enumerate(records) if i in val_idx]
    return train, val


def write_jsonl(path: str | os.PathLike, records: Iterable[dict]) -> int:
    """Write one record per line (UTF-8, no BOM) atomically: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    n = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False))
                fh.write("\n")
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """The records of a JSONL file this module wrote (no validation)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --- the store -------------------------------------------------------------------------------------


def datasets_dir(root: Path | None = None) -> Path:
    return (root or paths.home()) / "datasets"


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    id: int
    name: str
    project_id: int | None
    shape: str
    n_records: int  # valid records imported (train + val)
    n_errors: int  # records of the source file that were not imported
    train_path: Path
    val_path: Path | None
    source_path: str  # the file it was imported from ("" if unknown)
    created_at: datetime
    folder: Path
    n_train: int
    n_val: int


def _clean_name(name: str) -> str:
    return clean_name(name, what="dataset", code="dataset", max_len=NAME_MAX)


def _folder_of(row: DatasetRow) -> Path:
    p = Path(row.path)
    return p if p.is_absolute() else paths.home() / p


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _snapshot(row: DatasetRow) -> DatasetInfo:
    folder = _folder_of(row)
    meta = _read_meta(folder)
    val = folder / VAL_FILE
    n_val = int(meta.get("n_val", 0) or 0)
    return DatasetInfo(
        id=row.id, name=row.name, project_id=row.project_id, shape=row.shape,
        n_records=row.n_records, n_errors=row.n_errors,
        train_path=folder / TRAIN_FILE, val_path=val if (n_val or val.exists()) else None,
        source_path=str(meta.get("source_path", "")), created_at=row.created_at, folder=folder,
        n_train=int(meta.get("n_train", row.n_records - n_val) or 0), n_val=n_val,
    )


def _pid_alive(pid: int) -> bool:
    try:
        import psutil

        return psutil.pid_exists(pid)
    except Exception:  # noqa: BLE001 - cannot tell: assume alive, leave it
        return True


def _cleanup_stale_imports(root: Path) -> None:
    """Remove temp folders of imports whose process is gone (killed half-way)."""
    if not root.is_dir():
        return
    for p in root.glob(".import-*"):
        try:
            pid = int(p.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)


class DatasetStore:
    def __init__(self, db: Database):
        self._db = db

    def import_file(self, path: str | os.PathLike, name: str | None = None, project_id: int | None = None,
                    shape: str | None = None, val_ratio: float = 0.0, seed: int = 42) -> DatasetInfo:
        """Validate ``path``, keep a normalised copy under ``datasets/<id>/``, index it.

        Invalid records are left out and counted in ``n_errors`` (listed in ``report.json``);
        a file with no valid record at all is refused.
        """
        source = Path(path).expanduser()
        name = _clean_name(name if name is not None else source.stem)
        if project_id is not None:
            with self._db.session() as s:
                if s.get(ProjectRow, project_id) is None:
                    raise UserError("This project no longer exists.", code="project.not_found",
                                    params={"id": project_id})
        records, report = load_dataset_file(source, shape=shape)
        if not records:
            first = "; ".join(report.first_errors(5))
            raise UserError(
                f"{source} has no valid records ({report.n_invalid} invalid). First problems: {first}",
                code="dataset.no_valid_records",
                params={"path": str(source), "n_invalid": report.n_invalid, "errors": first,
                        "first_errors": report.errors[:5]})
        train, val = split_train_val(records, val_ratio, seed)

        root = datasets_dir()
        root.mkdir(parents=True, exist_ok=True)
        _cleanup_stale_imports(root)
        tmp = root / f".import-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        target: Path | None = None
        try:
            tmp.mkdir()
            write_jsonl(tmp / TRAIN_FILE, train)
            if val:
                write_jsonl(tmp / VAL_FILE, val)
            paths.atomic_write_text(tmp / REPORT_FILE, report.to_json(indent=1) + "\n")
            meta = {"source_path": str(source.resolve()), "format": report.format, "shape": report.shape,
                    "detected_shape": report.detected_shape, "val_ratio": float(val_ratio), "seed": int(seed),
                    "n_train": len(train), "n_val": len(val), "n_errors": report.n_invalid,
                    "app_version": __version__}
            paths.atomic_write_text(tmp / META_FILE, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
            with self._db.session() as s:
                row = DatasetRow(project_id=project_id, name=name, path="", shape=report.shape,
                                 n_records=len(records), n_errors=report.n_invalid, created_at=utcnow())
                s.add(row)
                s.flush()
                target = root / str(row.id)
                if target.exists():  # a leftover of a rolled-back import that got the same id
                    shutil.rmtree(target)
                os.replace(tmp, target)
                row.path = self._stored_path(target)
                s.flush()
                info = _snapshot(row)
            return info
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if target is not None:
                shutil.rmtree(target, ignore_errors=True)
            raise

    def get(self, dataset_id: int) -> DatasetInfo:
        with self._db.session() as s:
            return _snapshot(self._row(s, dataset_id))

    def list(self, project_id: int | None = None) -> list[DatasetInfo]:
        """Newest first; only ``project_id``'s datasets when it is given."""
        query = select(DatasetRow).order_by(DatasetRow.created_at.desc(), DatasetRow.id.desc())
        if project_id is not None:
            query = query.where(DatasetRow.project_id == project_id)
        with self._db.session() as s:
            return [_snapshot(row) for row in s.scalars(query)]

    def rename(self, dataset_id: int, name: str) -> DatasetInfo:
        name = _clean_name(name)
        with self._db.session() as s:
            row = self._row(s, dataset_id)
            row.name = name
            s.flush()
            return _snapshot(row)

    def report(self, dataset_id: int) -> dict[str, Any]:
        """The validation report saved at import (``ValidationReport.to_dict()``)."""
        folder = self.get(dataset_id).folder
        try:
            return json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"The report of this dataset cannot be read: {exc}", code="dataset.report_missing",
                            params={"id": dataset_id, "reason": str(exc)}) from None

    def delete(self, dataset_id: int) -> None:
        """Delete the row and the dataset's own folder (the copy made at import, never the source)."""
        with self._db.session() as s:
            row = self._row(s, dataset_id)
            folder = _folder_of(row)
            s.delete(row)
        root = datasets_dir().resolve()
        try:
            inside = folder.resolve().parent == root
        except OSError:
            inside = False
        if inside:
            shutil.rmtree(folder, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _stored_path(folder: Path) -> str:
        try:
            return folder.resolve().relative_to(paths.home().resolve()).as_posix()
        except ValueError:
            return str(folder.resolve())

    @staticmethod
    def _row(s: Session, dataset_id: int) -> DatasetRow:
        row = s.get(DatasetRow, dataset_id)
        if row is None:
            raise UserError("This dataset no longer exists.", code="dataset.not_found_id",
                            params={"id": dataset_id})
        return row
