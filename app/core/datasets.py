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
    preference ``{"prompt", "chosen", "rejected"}`` strings, or the conversational form: ``chosen`` /
              ``rejected`` as message lists ending in an assistant turn, with an optional shared
              ``prompt`` (a string or messages; without one, the turns chosen and rejected share
              are the prompt). For DPO / ORPO; normalised to ``{"prompt": [...], "chosen": [...],
              "rejected": [...]}`` (messages).
    text      raw text for continued pretraining: a ``.txt`` / ``.md`` file (one record, the whole
              file), a folder of them (one record per file), or JSONL of ``{"text"}`` records.
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

Files are read as a stream (``DatasetReader``): validating, importing and the statistics engine keep
one record at a time (and at most ``MAX_ERRORS`` errors), so memory does not grow with the file. A
record nested too deeply for the JSON decoder is reported on its line, like any other invalid one.
The conversation must start with a user turn (after optional system turns), and a tool result must
follow an assistant (or tool) turn.

Imported datasets live in ``<home>/datasets/<id>/``: ``train.jsonl`` (+ ``val.jsonl`` when split),
``report.json`` (the validation report) and ``dataset.json`` (where it came from, the split). The
``datasets`` row's ``path`` is that folder, relative to the home folder so a moved data folder keeps
working. ``DatasetStore`` returns frozen ``DatasetInfo`` snapshots, never live ORM objects.

No Qt, no torch: the GUI imports this.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import random
import re
import shutil
import sys
import uuid
from array import array
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
FORMATS = ("jsonl", "json", "csv", "tsv", "text")
_SHAPE_ORDER = ("openai", "sharegpt", "alpaca", "preference", "text")  # who wins a tie
CHAT_SHAPES = ("alpaca", "sharegpt", "openai")  # the shapes normalised to {"messages"}
TEXT_EXTENSIONS = (".txt", ".md", ".markdown")  # raw text for continued pretraining
MAX_FILE_BYTES = 2 * 1024**3  # 2 GiB (files are read as a stream; beyond this, split the file)
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
    if err.get("file"):
        where = f"{err['file']}"
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
        even, odd = head[0::2], head[1::2]
        if (odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even)) or (
                even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd)):
            raise UserError(f"{path} is UTF-16 text. Save it as UTF-8 and import it again.",
                            code="dataset.encoding", params={"path": str(path), "encoding": "UTF-16"})
        raise UserError(
            f"{path} is not a text file. Datasets are JSONL, JSON or CSV files.",
            code="dataset.not_text", params={"path": str(path)})


ENCODING_SAMPLE = 64 * 1024  # bytes looked at to tell a file in another encoding


def _looks_gbk(lines: list[bytes]) -> bool:
    """Every line decodes as GB18030 and most of what is not ASCII is then Chinese."""
    cjk = other = 0
    for line in lines:
        try:
            text = line.decode("gb18030")
        except UnicodeDecodeError:
            return False
        for ch in text:
            if ord(ch) > 0x7F:
                if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef":
                    cjk += 1
                else:
                    other += 1
    return cjk > 0 and cjk >= 4 * other


def _check_encoding(path: Path) -> None:
    """Refuse a file written in GBK (most of its non-ASCII lines are not UTF-8 and read as Chinese in
    GB18030), saying where and what. Other bytes that are not UTF-8 are each their record's problem."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(ENCODING_SAMPLE)
    except OSError as exc:
        raise _open_error(path, exc) from None
    lines = data.removeprefix(_BOM).split(b"\n")
    if len(data) == ENCODING_SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # cut in the middle
    non_ascii = 0
    bad: list[tuple[int, bytes, UnicodeDecodeError]] = []
    for n, line in enumerate(lines, 1):
        if line.isascii():
            continue
        non_ascii += 1
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and n == len(lines) and len(data) == ENCODING_SAMPLE:
                continue  # one long line cut in the middle of a character
            bad.append((n, line, exc))
    if not bad or 2 * len(bad) <= non_ascii:
        return
    n, line, exc = bad[0]
    byte = f"0x{line[exc.start]:02x}"
    column = len(line[: exc.start].decode("utf-8", "replace")) + 1
    params = {"path": str(path), "line": n, "byte": byte, "column": column}
    if not _looks_gbk([b for _, b, _ in bad]):
        return  # each such record is reported on its line
    raise UserError(
        f"{path} is not UTF-8 text: line {n} has the byte {byte} at column {column}. It looks like GBK "
        "(GB18030) Chinese text: save it as UTF-8 (in a text editor: Save As, encoding UTF-8) and try again.",
        code="dataset.encoding_gbk", params={**params, "encoding": "GBK"})


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
    if ext in TEXT_EXTENSIONS:
        return "text"
    head = head if head is not None else _sniff_head(path)
    fmt = _EXTENSIONS.get(ext)
    if fmt in ("jsonl", "csv", "tsv"):
        return fmt
    if _looks_like_jsonl(head):
        return "jsonl"
    if fmt == "json" or head.removeprefix(_BOM).lstrip()[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _too_deep() -> _Bad:
    return _Bad("nested too deeply (lists or objects inside each other more than about 1,000 levels); "
                "a chat record needs only a few levels", "dataset.record.too_deep")


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
            except RecursionError:
                yield loc, _too_deep()
                continue
            yield loc, value


def _bad_bytes_reason(raw: bytes, exc: UnicodeDecodeError) -> _Bad:
    column = len(raw[: exc.start].decode("utf-8", "replace")) + 1
    byte = f"0x{raw[exc.start]:02x}"
    return _Bad(f"not valid UTF-8 text (byte {byte} at column {column}); save the file as UTF-8",
                "dataset.record.bad_utf8", {"byte": byte, "column": column})


def _json_error(path: Path, msg: str, line: int, column: int, jsonl_hint: bool = False) -> UserError:
    text = f"{path} is not valid JSON: {msg} at line {line}, column {column}."
    params = {"path": str(path), "line": line, "column": column, "reason": msg}
    if jsonl_hint:
        text += " If it has one JSON object per line, name it .jsonl."
        params["hint_code"] = "dataset.hint.name_it_jsonl"
    return UserError(text, code="dataset.bad_json", params=params)


_CHUNK = 1 << 20  # characters of a JSON document read at a time
_STRUCTURE = re.compile(r'["\[\]{}]')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_TOO_DEEP = object()  # a value nested deeper than the JSON decoder goes


class _JsonStream:
    """A JSON document read a window at a time, so memory follows the largest record, not the file.

    ``buf[pos:]`` is the text not consumed yet; consumed text is dropped between records (``compact``)
    while the line and column of every offset stay known. Bytes that are not UTF-8 become lone
    surrogates (found per record), as everywhere in this module.
    """

    def __init__(self, path: Path, fh):
        self.path = path
        self._fh = fh
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._started = False
        self._line = 1  # the line of offset self._lpos
        self._lpos = 0
        self._col0 = 0  # characters of the current line dropped by compact() before buf[0]

    # --- the window ---------------------------------------------------------------------------

    def more(self) -> bool:
        """Read more text (at least as much as is pending, so a long record costs O(n)); False at EOF."""
        if self.eof:
            return False
        data = self._fh.read(max(_CHUNK, 2 * (len(self.buf) - self.pos)))
        text = self._decoder.decode(data, final=not data)
        if not self._started:
            text, self._started = text.removeprefix("\ufeff"), True
        if not data:
            self.eof = True
        self.buf += text
        return bool(data) or bool(text)

    def compact(self) -> None:
        if self.pos < _CHUNK:
            return
        self.line_at(self.pos)
        nl = self.buf.rfind("\n", 0, self.pos)
        self._col0 = self.pos - nl - 1 if nl >= 0 else self._col0 + self.pos
        self.buf = self.buf[self.pos:]
        self._lpos -= self.pos
        self.pos = 0

    def line_at(self, offset: int) -> int:
        """The 1-based line of ``offset`` (offsets asked for only grow, as the reading goes on)."""
        self._line += self.buf.count("\n", self._lpos, offset)
        self._lpos = offset
        return self._line

    def error(self, msg: str, offset: int, jsonl_hint: bool = False) -> UserError:
        line = self.line_at(offset)
        nl = self.buf.rfind("\n", 0, offset)
        column = offset - nl if nl >= 0 else self._col0 + offset + 1
        return _json_error(self.path, msg, line, column, jsonl_hint)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the document)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]

    # --- values ---------------------------------------------------------------------------------

    def value(self) -> Any:
        """The JSON value at ``pos`` (``_TOO_DEEP`` for one nested beyond the decoder's depth)."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.buf) - 32 or exc.msg.startswith("Unterminated string")
                if cut and self.more():
                    continue  # the value goes on in text not read yet
                raise self.error(exc.msg, exc.pos) from None
            except RecursionError:
                self.pos = self._skip_nested()
                return _TOO_DEEP
            if end >= len(self.buf) and self.more():
                continue  # a number may go on in text not read yet
            self.pos = end
            return value

    def _skip_nested(self) -> int:
        """The end of the list or object at ``pos``, found without recursion."""
        depth, i = 0, self.pos
        while True:
            m = _STRUCTURE.search(self.buf, i)
            if m is None:
                i = len(self.buf)
                if not self.more():
                    raise self.error("Unexpected end of the document", i)
                continue
            if m.group() == '"':
                s = _STRING_REST.match(self.buf, m.end())
                if s is None:
                    if not self.more():
                        raise self.error("Unterminated string", m.start())
                    i = m.start()
                    continue
                i = s.end()
                continue
            i = m.end()
            depth += 1 if m.group() in "[{" else -1
            if depth == 0:
                return i

    def items(self) -> Iterator[tuple[int, int, Any]]:
        """(index, line, value) of each element of the array at ``pos`` (``buf[pos] == "["``)."""
        self.pos += 1
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            line = self.line_at(self.pos)
            yield index, line, self.value()
            index += 1
            self.compact()
            c = self.peek()
            if c == ",":
                self.pos += 1
                self.peek()
                continue
            if c == "]":
                self.pos += 1
                return
            raise self.error("Expecting ',' delimiter", self.pos)


def _element(loc: dict[str, int], value: Any) -> Raw:
    return loc, (_too_deep() if value is _TOO_DEEP else value)


def _iter_json(path: Path) -> Iterator[Raw]:
    """The records of a JSON document, read as a stream: a top-level array, an object holding the
    array under ``data``/``examples``, or one object that is a record itself."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise _open_error(path, exc) from None
    with fh:
        s = _JsonStream(path, fh)
        top = s.peek()
        if top == "":
            return
        if top == "[":
            for index, line, value in s.items():
                yield _element({"line": line, "index": index}, value)
        elif top == "{":
            yield from _iter_json_object(path, s)
        else:
            raise UserError(
                f"{path} is not a JSON dataset: it should hold a list of records ([...]).",
                code="dataset.json_not_list", params={"path": str(path)})
        if s.peek() != "":
            raise s.error("Extra data", s.pos, jsonl_hint=top == "{")


def _iter_json_object(path: Path, s: _JsonStream) -> Iterator[Raw]:
    start_line = s.line_at(s.pos)
    s.pos += 1
    whole: dict[str, Any] = {}
    found = False
    c = s.peek()
    if c == "}":
        s.pos += 1
    while c != "}":
        if c != '"':
            raise s.error("Expecting property name enclosed in double quotes", s.pos)
        key = s.value()
        if s.peek() != ":":
            raise s.error("Expecting ':' delimiter", s.pos)
        s.pos += 1
        if not found and key in ARRAY_KEYS and s.peek() == "[":
            found = True
            for index, line, value in s.items():
                yield _element({"line": line, "index": index}, value)
        else:
            value = s.value()
            if not found:
                whole[key] = value
        c = s.peek()
        if c == ",":
            s.pos += 1
            c = s.peek()
            if c == "}":
                raise s.error("Expecting property name enclosed in double quotes", s.pos)
        elif c == "}":
            s.pos += 1
        else:
            raise s.error("Expecting ',' delimiter", s.pos)
    if found:
        return
    if _classify(whole) is not None:  # one record on its own
        deep = any(v is _TOO_DEEP for v in whole.values())
        yield {"line": start_line}, (_too_deep() if deep else whole)
        return
    keys = ", ".join(sorted(whole)[:10]) or "none"
    raise UserError(
        f"{path} holds a JSON object without a list of records under "
        f'"{ARRAY_KEYS[0]}" or "{ARRAY_KEYS[1]}" (its keys: {keys}).',
        code="dataset.no_records_list", params={"path": str(path), "keys": keys})


def _pick_delimiter(first_line: str, fmt: str) -> str:
    if fmt == "tsv":
        return "\t"
    known = {"instruction", "input", "output", "system", *(_JSON_COLUMNS)}
    for delim in (",", "\t", ";"):
        if {c.strip().lower() for c in first_line.split(delim)} & known:
            return delim
    return ","


class _CsvLines:
    """The lines of a text file for csv.reader, keeping those of the row being read (to tell an
    unterminated quote, which runs to the end of the file, from a last row without a newline)."""

    def __init__(self, fh):
        self._fh = fh
        self.row: list[str] = []
        self.exhausted = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._fh.readline()
        if not line:
            self.exhausted = True
            raise StopIteration
        self.row.append(line)
        return line


def _unterminated_quote(lines: list[str], delimiter: str) -> bool:
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _iter_csv(path: Path, fmt: str) -> Iterator[Raw]:
    try:
        fh = open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise _open_error(path, exc) from None
    with fh:
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # long conversations exceed the 128 KB default
        first_line = fh.readline()
        fh.seek(0)
        delimiter = _pick_delimiter(first_line.rstrip("\r\n"), fmt)
        lines = _CsvLines(fh)
        reader = csv.reader(lines, delimiter=delimiter)
        yield from _csv_rows(path, reader, lines, delimiter)


def _csv_rows(path: Path, reader, lines: _CsvLines, delimiter: str) -> Iterator[Raw]:
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        lines.row = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UserError(f"{path} is not valid CSV at line {start}: {exc}", code="dataset.bad_csv",
                            params={"path": str(path), "line": start, "reason": str(exc)}) from None
        if not any(cell.strip() for cell in row):
            continue  # blank line
        loc = {"line": start}
        if lines.exhausted and row and _unterminated_quote(lines.row, delimiter):
            quote_line = start + sum(cell.count("\n") for cell in row[:-1])
            reason = (f"unterminated quote starting on line {quote_line}: the rest of the file was read as one "
                      'cell; close the quote ("), or write a quote inside a quoted cell as two ("")')
            if header is None:
                raise UserError(f"{path} is not valid CSV: {reason}.", code="dataset.csv_unterminated_quote",
                                params={"path": str(path), "line": quote_line})
            yield loc, _Bad(reason, "dataset.record.csv_unterminated_quote", {"line": quote_line})
            return
        if header is None:
            header = [c.strip().lower() for c in row]
            dupes = sorted(k for k, n in Counter(h for h in header if h).items() if n > 1)
            if dupes:
                raise UserError(f"The CSV header of {path} names a column twice: {', '.join(dupes)}.",
                                code="dataset.csv_duplicate_column",
                                params={"path": str(path), "line": start, "columns": ", ".join(dupes)})
            continue
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
                except RecursionError:
                    bad = _too_deep()
                    break
            else:
                record[name] = cell
        yield loc, (bad or record)


def text_files(path: Path) -> list[Path]:
    """The raw-text files a path means: the file itself, or a folder's .txt / .md files (recursively,
    sorted; hidden ones left out)."""
    if not path.is_dir():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_EXTENSIONS
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def _iter_text(path: Path) -> Iterator[Raw]:
    """One ``{"text"}`` record per text file (its whole content); a file that is not UTF-8 is a bad
    record named by the file, a blank one is left out as ``dataset.record.empty_text``."""
    folder = path.is_dir()
    for n, file in enumerate(text_files(path)):
        loc: dict[str, Any] = {"line": 1}
        if folder:
            loc.update(index=n, file=str(file.relative_to(path)))
        try:
            raw = file.read_bytes().removeprefix(_BOM)
        except OSError as exc:
            yield loc, _Bad(f"cannot read the file: {exc.strerror or exc}", "dataset.record.unreadable_file",
                            {"reason": str(exc.strerror or exc)})
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            yield {**loc, "line": line}, _Bad("not valid UTF-8 text; save the file as UTF-8",
                                              "dataset.record.bad_utf8_row")
            continue
        yield loc, {"text": text}


def _iter_raw(path: Path, fmt: str) -> Iterator[Raw]:
    if fmt == "text":
        return _iter_text(path)
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
    if "chosen" in record or "rejected" in record:
        return DatasetShape.PREFERENCE.value
    if "messages" in record:
        return DatasetShape.OPENAI.value
    if "conversations" in record:
        return DatasetShape.SHAREGPT.value
    if "instruction" in record or "output" in record:
        return DatasetShape.ALPACA.value
    if "text" in record:
        return DatasetShape.TEXT.value
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
    order = {s: i for i, s in enumerate(_SHAPE_ORDER)}
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
    first = next(k for k, t in enumerate(turns) if t["role"] != "system")  # there is an assistant turn
    if turns[first]["role"] != "user":
        n, role = numbers[first] if numbers else first + 1, turns[first]["role"]
        raise _Invalid(f'the first turn (turn {n}) is "{role}"; a conversation must start with a "user" turn '
                       "(system turns may come before it)", "dataset.record.bad_first_turn", k=n, first_role=role)
    for k in range(first + 1, len(turns)):
        if turns[k]["role"] == "tool" and turns[k - 1]["role"] not in ("assistant", "tool"):
            n = numbers[k] if numbers else k + 1
            raise _Invalid(f'turn {n} is a "tool" result that does not follow an assistant turn calling a tool',
                           "dataset.record.tool_out_of_place", k=n)
    for k in range(len(turns) - 1):
        a, b = turns[k]["role"], turns[k + 1]["role"]
        if a == b and a in ("user", "assistant"):
            n1, n2 = (numbers[k], numbers[k + 1]) if numbers else (k + 1, k + 2)
            raise _Invalid(f'turns {n1} and {n2} are both "{a}"; turns must alternate between user and assistant',
                           "dataset.record.not_alternating", n1=n1, n2=n2, role=a)


# --- preference pairs and raw text -----------------------------------------------------------------


def _pref_messages(value: Any, name: str) -> list[dict[str, Any]]:
    """A preference field given as a message list, checked turn by turn as an openai record is."""
    if not isinstance(value, list):
        raise _wrong_type(name, "list", value)
    if not value:
        raise _Invalid(f'field "{name}" is empty', "dataset.record.empty_field", name=name)
    try:
        turns, _numbers = _turns({"messages": value}, "openai")
    except _Invalid as exc:
        raise _Invalid(f'"{name}": {exc}', exc.code, **{**exc.params, "field": name}) from None
    if not turns:
        raise _Invalid(f'field "{name}" is empty', "dataset.record.empty_field", name=name)
    return turns


def _pref_text(record: dict, name: str) -> str:
    value = record[name]
    if not isinstance(value, str):
        raise _wrong_type(name, "string", value)
    if not value.strip():
        raise _Invalid(f'field "{name}" is empty', "dataset.record.empty_field", name=name)
    if _SURROGATE.search(value):
        raise _Invalid(f'field "{name}" contains bytes that are not valid UTF-8 text; save the file as UTF-8',
                       "dataset.record.field_bad_utf8", name=name)
    return value


def _preference(record: dict) -> dict[str, Any]:
    """``{"prompt": [...], "chosen": [...], "rejected": [...]}`` (messages) from either form."""
    for name in ("chosen", "rejected"):
        if name not in record:
            raise _missing(record, name, "preference")
    chosen, rejected = record["chosen"], record["rejected"]
    if isinstance(chosen, str) and isinstance(rejected, str):
        if "prompt" not in record:
            raise _missing(record, "prompt", "preference")
        prompt = _pref_text(record, "prompt")
        answers = [[{"role": "assistant", "content": _pref_text(record, n)}] for n in ("chosen", "rejected")]
        out = {"prompt": [{"role": "user", "content": prompt}], "chosen": answers[0], "rejected": answers[1]}
    elif isinstance(chosen, list) and isinstance(rejected, list):
        c, r = _pref_messages(chosen, "chosen"), _pref_messages(rejected, "rejected")
        prompt_value = record.get("prompt")
        if prompt_value in (None, "", []):
            shared = 0  # no prompt: the turns both answers start with are the prompt
            while shared < min(len(c), len(r)) - 1 and c[shared] == r[shared]:
                shared += 1
            prompt, c, r = c[:shared], c[shared:], r[shared:]
        elif isinstance(prompt_value, str):
            prompt = [{"role": "user", "content": _pref_text(record, "prompt")}]
        else:
            prompt = _pref_messages(prompt_value, "prompt")
        if not prompt or not any(t["role"] == "user" for t in prompt):
            raise _Invalid('no prompt: give a "prompt", or start "chosen" and "rejected" with the same user turn',
                           "dataset.record.pref_no_prompt")
        if prompt[-1]["role"] != "user":
            raise _Invalid(f'the prompt ends with a "{prompt[-1]["role"]}" turn; it must end with a "user" turn',
                           "dataset.record.pref_prompt_end", role=prompt[-1]["role"])
        for name, turns in (("chosen", c), ("rejected", r)):
            if turns[-1]["role"] != "assistant" or any(t["role"] != "assistant" for t in turns):
                raise _Invalid(f'"{name}" must be the assistant\'s answer (assistant turns after the prompt)',
                               "dataset.record.pref_not_assistant", name=name)
        out = {"prompt": prompt, "chosen": c, "rejected": r}
    else:
        raise _Invalid('"chosen" and "rejected" must both be text or both be message lists '
                       f"(got {_type_name(chosen)} and {_type_name(rejected)})", "dataset.record.pref_mixed",
                       chosen=_type_name(chosen), rejected=_type_name(rejected))
    if out["chosen"] == out["rejected"]:
        raise _Invalid('"chosen" and "rejected" are the same answer: nothing to prefer',
                       "dataset.record.pref_same")
    return out


def _text(record: dict) -> dict[str, Any]:
    if "text" not in record:
        raise _missing(record, "text", "text")
    value = record["text"]
    if not isinstance(value, str):
        raise _wrong_type("text", "string", value)
    if not value.strip():
        raise _Invalid("no text (the file or record is empty)", "dataset.record.empty_text")
    if _SURROGATE.search(value):
        raise _Invalid('field "text" contains bytes that are not valid UTF-8 text; save the file as UTF-8',
                       "dataset.record.field_bad_utf8", name="text")
    return {"text": value}


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
    if shape == "preference":
        return _preference(record)
    if shape == "text":
        return _text(record)
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


class DatasetReader:
    """A dataset file checked and read as a stream: memory follows the largest record, not the file.

    Opening it checks the file (exists, size, text, encoding, format) and detects the shape from the
    first ``DETECT_SAMPLE`` records, raising ``UserError`` when the file cannot be read as a dataset
    at all. ``records(report)`` then reads it (again) from the start, yielding each valid record
    normalised and adding every record to ``report`` (the invalid ones by location and reason); a
    broken JSON document raises ``UserError`` when the reading gets there.
    """

    def __init__(self, path: str | os.PathLike, shape: str | None = None):
        self.path = Path(path).expanduser()
        override = _check_shape(shape)
        if self.path.is_dir():
            self._open_folder(override)
            return
        _check_file(self.path)
        head = _sniff_head(self.path)
        _check_text(self.path, head)
        _check_encoding(self.path)
        self.format = detect_format(self.path, head)
        votes: Counter[str] = Counter()
        first_keys: str | None = None
        n = 0
        raws = _iter_raw(self.path, self.format)
        try:
            for _loc, value in raws:
                n += 1
                kind = _classify(value)
                if kind:
                    votes[kind] += 1
                if first_keys is None and isinstance(value, dict):
                    first_keys = ", ".join(sorted(map(str, value))[:12]) or "none"
                if n >= DETECT_SAMPLE:
                    break
        finally:
            raws.close()
        if not n:
            raise UserError(f"{self.path} holds no records.", code="dataset.empty", params={"path": str(self.path)})
        order = {s: i for i, s in enumerate(_SHAPE_ORDER)}
        self.detected_shape = max(votes, key=lambda s: (votes[s], -order[s])) if votes else None
        if override is None and self.detected_shape is None and first_keys is not None:
            raise UserError(
                f"{self.path}: the records are not in a known shape (the first has the fields: {first_keys}). "
                'Expected "messages" (openai), "conversations" (sharegpt) or '
                '"instruction"/"output" (alpaca), "chosen"/"rejected" (preference) or "text" (raw text).',
                code="dataset.unknown_shape", params={"path": str(self.path), "keys": first_keys})
        self.shape = override or self.detected_shape

    def _open_folder(self, override: str | None) -> None:
        """A folder is raw text for continued pretraining: its .txt / .md files, one record each."""
        files = text_files(self.path)
        if not files:
            _check_file(self.path)  # "is not a file": a folder is a dataset only when it holds text files
        for file in files:
            _check_file(file)
        self.format, self.detected_shape = "text", DatasetShape.TEXT.value
        self.shape = override or self.detected_shape

    def new_report(self) -> ValidationReport:
        return ValidationReport(path=str(self.path.resolve()), format=self.format, shape=self.shape,
                                detected_shape=self.detected_shape)

    def records(self, report: ValidationReport) -> Iterator[dict[str, Any]]:
        """Each valid record normalised, in file order; every record is counted in ``report``."""
        used = self.shape
        raws = _iter_raw(self.path, self.format)
        try:
            for loc, value in raws:
                if isinstance(value, _Bad):
                    report.add_error(loc, value.reason, value.code, value.params)
                    continue
                try:
                    if used is None:  # nothing in the file parsed as an object
                        raise _not_object(value)
                    record = _normalise(value, used)
                except _Invalid as exc:
                    report.add_error(loc, str(exc), exc.code, exc.params)
                    continue
                report.add_valid()
                yield record
        finally:
            raws.close()


def validate_dataset_file(path: str | os.PathLike, shape: str | None = None) -> ValidationReport:
    """Check every record of ``path`` without keeping them (memory stays small for any file size).
    Raises ``UserError`` as ``load_dataset_file`` does."""
    reader = DatasetReader(path, shape)
    report = reader.new_report()
    for _ in reader.records(report):
        pass
    return report


def load_dataset_file(path: str | os.PathLike, shape: str | None = None) -> tuple[list[dict], ValidationReport]:
    """Read, check and normalise every record of ``path`` (all of them in memory: for small files;
    ``DatasetReader`` streams).

    Returns the valid records (normalised, in file order) and the report naming every other one.
    Raises ``UserError`` when the file cannot be read as a dataset at all: missing, unreadable,
    too large, not text, not UTF-8, broken JSON structure, no records, or records of no known shape.
    """
    reader = DatasetReader(path, shape)
    report = reader.new_report()
    records = list(reader.records(report))
    return records, report


# --- split and write -------------------------------------------------------------------------------


def _val_ratio(val_ratio: Any) -> float:
    try:
        ratio = float(val_ratio)
    except (TypeError, ValueError):
        ratio = -1.0
    if not 0.0 <= ratio < 1.0:
        raise UserError(f"The validation share must be at least 0 and below 1 (got {val_ratio}).",
                        code="dataset.bad_val_ratio", params={"value": val_ratio})
    return ratio


def val_marks(n: int, val_ratio: float, seed: int = 42) -> bytearray:
    """``marks[i] == 1`` for the records set aside for validation: deterministic (same n, ratio and
    seed → same marks), n bytes of memory. Any ratio above 0 marks at least one and leaves one."""
    ratio = _val_ratio(val_ratio)
    marks = bytearray(n)
    if ratio == 0.0:
        return marks
    if n < 2:
        raise UserError(f"{n} record(s) are too few to set some aside for validation.",
                        code="dataset.too_few_to_split", params={"n": n})
    n_val = min(max(1, round(n * ratio)), n - 1)
    order = array("L", range(n))  # shuffled like a list of the same numbers, at a quarter of the memory
    random.Random(int(seed)).shuffle(order)
    for i in order[:n_val]:
        marks[i] = 1
    return marks


def split_train_val(records: list[dict], val_ratio: float, seed: int = 42) -> tuple[list[dict], list[dict]]:
    """A deterministic split (same records, ratio and seed → same split); each part keeps file order.

    Any ratio above 0 gives at least one validation record and leaves at least one for training.
    """
    marks = val_marks(len(records), val_ratio, seed)
    train = [r for i, r in enumerate(records) if not marks[i]]
    val = [r for i, r in enumerate(records) if marks[i]]
    return train, val


def _split_lines(source: Path, train_path: Path, val_path: Path, marks: bytearray) -> tuple[int, int]:
    """Copy the lines of ``source`` (one record each) into train / val by ``marks``, streaming."""
    n_train = n_val = 0
    with open(source, "rb") as src, open(train_path, "wb") as train, open(val_path, "wb") as val:
        for i, line in enumerate(src):
            if marks[i]:
                val.write(line)
                n_val += 1
            else:
                train.write(line)
                n_train += 1
        for fh in (train, val):
            fh.flush()
            os.fsync(fh.fileno())
    return n_train, n_val


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
        ratio = _val_ratio(val_ratio)
        reader = DatasetReader(source, shape=shape)
        report = reader.new_report()

        root = datasets_dir()
        root.mkdir(parents=True, exist_ok=True)
        _cleanup_stale_imports(root)
        tmp = root / f".import-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        target: Path | None = None
        try:
            tmp.mkdir()
            # One streaming pass writes every valid record; a split then copies its lines by index.
            written = tmp / (TRAIN_FILE if ratio == 0.0 else ".all.jsonl")
            n = write_jsonl(written, reader.records(report))
            if not n:
                first = "; ".join(report.first_errors(5))
                raise UserError(
                    f"{source} has no valid records ({report.n_invalid} invalid). First problems: {first}",
                    code="dataset.no_valid_records",
                    params={"path": str(source), "n_invalid": report.n_invalid, "errors": first,
                            "first_errors": report.errors[:5]})
            n_train, n_val = n, 0
            if ratio > 0.0:
                n_train, n_val = _split_lines(written, tmp / TRAIN_FILE, tmp / VAL_FILE, val_marks(n, ratio, seed))
                written.unlink()
            paths.atomic_write_text(tmp / REPORT_FILE, report.to_json(indent=1) + "\n")
            meta = {"source_path": str(source.resolve()), "format": report.format, "shape": report.shape,
                    "detected_shape": report.detected_shape, "val_ratio": float(val_ratio), "seed": int(seed),
                    "n_train": n_train, "n_val": n_val, "n_errors": report.n_invalid,
                    "app_version": __version__}
            paths.atomic_write_text(tmp / META_FILE, json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
            with self._db.session() as s:
                row = DatasetRow(project_id=project_id, name=name, path="", shape=report.shape,
                                 n_records=n, n_errors=report.n_invalid, created_at=utcnow())
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
