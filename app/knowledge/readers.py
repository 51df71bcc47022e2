"""Reading dropped files into text, one file at a time; every failure is a reason, never a crash.

``collect(paths)`` walks folders (sorted, hidden entries skipped, symlinks that leave the dropped
folder refused) and yields ``Candidate``s, some already skipped with a reason. ``read(path)``
returns ``Section``s (text + page number for PDFs) or raises ``ReadError`` with a message a person
can act on (English, with a ``code`` and ``params`` for the GUI to word in the user's language).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import UserError

MAX_FILE_BYTES = 50 * 1024 * 1024
TEXT_EXT = {".txt", ".text", ".log", ".csv", ".rst"}
MD_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
SUPPORTED = TEXT_EXT | MD_EXT | HTML_EXT | {".pdf", ".docx"}


class ReadError(UserError):
    """Why a file could not be indexed (shown per file); ``code`` is ``kb.read.*``."""


@dataclass
class Section:
    text: str
    page: int | None = None


@dataclass
class Candidate:
    path: Path
    skip: ReadError | None = None  # why the file is not read at all


def _hidden(p: Path) -> bool:
    return p.name.startswith(".")


def _within(child: Path, root: Path) -> bool:
    try:
        child.relative_to(root)
        return True
    except ValueError:
        return False


def collect(paths: list[str | os.PathLike]) -> Iterator[Candidate]:
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw).expanduser()
        p = Path(os.path.abspath(p))
        if not p.exists() and not p.is_symlink():
            yield Candidate(p, ReadError("not found", code="kb.read.not_found"))
            continue
        if p.is_dir():
            root = p.resolve()
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                base = Path(dirpath)
                for d in list(dirnames):
                    if (base / d).is_symlink() and not _within((base / d).resolve(), root):
                        dirnames.remove(d)
                        yield Candidate(base / d, _outside())
                for name in sorted(filenames):
                    if name.startswith("."):
                        continue
                    f = base / name
                    if f.is_symlink() and not _within(f.resolve(), root):
                        yield Candidate(f, _outside())
                        continue
                    real = f.resolve()
                    if real in seen:
                        continue
                    seen.add(real)
                    yield Candidate(f, _precheck(f))
        else:
            if p.resolve() in seen:
                continue
            seen.add(p.resolve())
            yield Candidate(p, _precheck(p))


def _outside() -> ReadError:
    return ReadError("symlink points outside the dropped folder", code="kb.read.symlink_outside")


def _precheck(p: Path) -> ReadError | None:
    if not p.is_file():
        return ReadError("not a regular file", code="kb.read.not_regular")
    ext = p.suffix.lower()
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        size_mb, limit_mb = f"{size / 1e6:.1f}", MAX_FILE_BYTES // 2**20
        return ReadError(f"file too large ({size_mb} MB; the limit is {limit_mb} MB): split it or raise the limit",
                         code="kb.read.too_large", params={"size_mb": size_mb, "limit_mb": limit_mb})
    if size == 0:
        return ReadError("empty file", code="kb.read.empty")
    if ext not in SUPPORTED:
        if _looks_binary(p):
            if ext:
                return ReadError(f"unsupported file type ({ext}, binary): use PDF, Markdown, TXT, DOCX or HTML",
                                 code="kb.read.unsupported", params={"ext": ext})
            return ReadError("unsupported file type (no extension, binary): use PDF, Markdown, TXT, DOCX or HTML",
                             code="kb.read.unsupported_no_ext")
        return None  # an unknown extension with text inside is read as text
    return None


def _looks_binary(p: Path) -> bool:
    with open(p, "rb") as fh:
        head = fh.read(4096)
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        return from_bytes(head).best() is None


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then charset-normalizer's guess (GBK, Latin-1, ...)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _plausible_gbk(data):  # charset-normalizer misreads short GBK text as other CJK codecs
        return data.decode("gb18030")
    western = _plausible_western(data)
    if western is not None:
        return western
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    for enc in ("gb18030", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ReadError("could not detect the text encoding", code="kb.read.encoding")


def _plausible_gbk(data: bytes) -> bool:
    """Decodes as GBK and most double-byte characters are punctuation or level-1 (common) hanzi,
    which Latin-1 accented letters (level-2 lead bytes 0xD8-0xFE) almost never are."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    i = n = common = 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:
            return False  # a four-byte GB18030 sequence: not plain GBK text
        n += 1
        common += 0xA1 <= b <= 0xD7
        i += 2
    return n > 0 and common / n >= 0.7


def _plausible_western(data: bytes) -> str | None:
    """Latin-1 / cp1252 when every non-ASCII character is a Western European letter or common
    punctuation (charset-normalizer tends to pick cp1250 for short French or German text)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    ok = set(" ©«°»–—‘’“”…€")
    for ch in text:
        if ord(ch) >= 0x80 and not ("À" <= ch <= "ÿ" and ch not in "×÷") and ch not in ok:
            return None
    return text


def read(path: str | os.PathLike) -> list[Section]:
    p = Path(path)
    ext = p.suffix.lower()
    try:
        if ext == ".pdf":
            sections = _read_pdf(p)
        elif ext == ".docx":
            sections = _read_docx(p)
        elif ext in HTML_EXT:
            sections = [Section(_read_html(p.read_bytes()))]
        else:
            sections = [Section(decode_text(p.read_bytes()))]
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's problem only
        kind, detail = ext.lstrip(".").upper() or "file", f"{type(exc).__name__}: {exc}"
        raise ReadError(f"could not read {kind}: {detail}", code="kb.read.failed",
                        params={"kind": kind, "detail": detail}) from None
    sections = [Section(_clean(s.text), s.page) for s in sections]
    sections = [s for s in sections if s.text]
    if not sections:
        if ext == ".pdf":
            raise ReadError("no text found (a scanned PDF needs OCR first)", code="kb.read.no_text_pdf")
        raise no_text()
    return sections


def no_text() -> ReadError:
    return ReadError("no text found", code="kb.read.no_text")


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out, blank = [], 0
    for line in lines:
        if line:
            out.append(line)
            blank = 0
        else:
            blank += 1
            if blank == 1 and out:
                out.append("")
    return "\n".join(out).strip()


def _read_pdf(p: Path) -> list[Section]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(p), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001
                raise ReadError("the PDF is password-protected", code="kb.read.pdf_password") from None
        pages = reader.pages
        return [Section(page.extract_text() or "", i + 1) for i, page in enumerate(pages)]
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        detail = f"{type(exc).__name__}: {exc}"
        raise ReadError(f"not a readable PDF ({detail})", code="kb.read.bad_pdf", params={"detail": detail}) from None


def _read_docx(p: Path) -> list[Section]:
    import zipfile

    if not zipfile.is_zipfile(p):
        raise ReadError("not a readable DOCX (not a zip archive; is it an old .doc file?)", code="kb.read.docx_not_zip")
    try:
        import docx

        d = docx.Document(str(p))
    except Exception as exc:  # noqa: BLE001
        detail = f"{type(exc).__name__}: {exc}"
        raise ReadError(f"not a readable DOCX ({detail})", code="kb.read.bad_docx", params={"detail": detail}) from None
    parts = [para.text for para in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return [Section("\n".join(parts))]


def _read_html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    body = soup.body or soup
    return body.get_text("\n")
