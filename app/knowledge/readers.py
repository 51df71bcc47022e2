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

MAX_FILE_BYTES = 50_000_000  # 50 MB (10^6 bytes, the unit every message uses)
# Archive-based documents (DOCX is a zip of XML parts): what the parser would unpack and hold.
MAX_UNPACKED_BYTES = 200_000_000  # all members together, as the archive declares them
MAX_XML_TAGS = 2_000_000  # XML elements over all XML parts (≈ 1 GB of parse tree at most)
MAX_ARCHIVE_MEMBERS = 20_000
# Text a single document may yield (a PDF's or DOCX's extracted text, a text file's decoded text).
MAX_TEXT_CHARS = 50_000_000
TEXT_EXT = {".txt", ".text", ".log", ".rst"}
TABLE_EXT = {".csv", ".xlsx"}  # rows read with their header, "Header: value; ..."
MD_EXT = {".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
# Zip-based document formats we do not read (refused with "save it as DOCX or PDF").
ZIP_DOCUMENTS = {".odt", ".ods", ".odp", ".pages", ".key", ".numbers", ".docm",
                 ".dotx", ".xlsm", ".pptm"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}  # read with OCR (ocr.py)
SUPPORTED = TEXT_EXT | MD_EXT | HTML_EXT | TABLE_EXT | IMAGE_EXT | {".pdf", ".docx", ".pptx", ".epub"}


class ReadError(UserError):
    """Why a file could not be indexed (shown per file); ``code`` is ``kb.read.*``."""


@dataclass
class Section:
    text: str
    page: int | None = None
    ocr: bool = False  # read from the pixels (a scanned page, an image), not a text layer


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
    """Every file under ``paths``; an entry that cannot even be looked at (a symlink loop, a name
    that is not valid UTF-8, a folder we may not list) is yielded skipped, never raised."""
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw).expanduser()
        p = Path(os.path.abspath(p))
        bad = _bad_name(p)
        if bad is not None:
            yield Candidate(p, bad)
            continue
        try:
            if not p.exists() and not p.is_symlink():
                yield Candidate(p, ReadError("not found", code="kb.read.not_found"))
                continue
            if p.is_dir():
                yield from _walk(p, seen)
                continue
            real = p.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            yield Candidate(p, _unreadable_entry(exc))
            continue
        if real in seen:
            continue
        seen.add(real)
        yield Candidate(p, _precheck(p))


def _walk(p: Path, seen: set[Path]) -> Iterator[Candidate]:
    root = p.resolve(strict=True)
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(p, followlinks=False, onerror=errors.append):
        while errors:
            exc = errors.pop()
            yield Candidate(Path(exc.filename or dirpath), _unreadable_entry(exc))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        base = Path(dirpath)
        for d in list(dirnames):
            sub = base / d
            bad = _bad_name(sub)
            if bad is not None:
                dirnames.remove(d)
                yield Candidate(sub, bad)
                continue
            if sub.is_symlink():
                try:
                    target = sub.resolve(strict=True)
                except (OSError, RuntimeError) as exc:
                    dirnames.remove(d)
                    yield Candidate(sub, _unreadable_entry(exc))
                    continue
                if not _within(target, root):
                    dirnames.remove(d)
                    yield Candidate(sub, _outside())
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            f = base / name
            bad = _bad_name(f)
            if bad is not None:
                yield Candidate(f, bad)
                continue
            try:
                real = f.resolve(strict=True)
            except (OSError, RuntimeError) as exc:  # a dangling link, a symlink loop
                yield Candidate(f, _unreadable_entry(exc))
                continue
            if f.is_symlink() and not _within(real, root):
                yield Candidate(f, _outside())
                continue
            if real in seen:
                continue
            seen.add(real)
            yield Candidate(f, _precheck(f))
    while errors:
        exc = errors.pop()
        yield Candidate(Path(exc.filename or p), _unreadable_entry(exc))


def display_path(p: str | os.PathLike) -> str:
    """``p`` as text that can be printed and stored: bytes that are not UTF-8 become U+FFFD."""
    s = os.fspath(p)
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def storable(p: str | os.PathLike) -> bool:
    """Whether ``p`` can be a document's key (the database keeps UTF-8 text)."""
    return display_path(p) == os.fspath(p)


def _bad_name(p: Path) -> ReadError | None:
    if storable(p):
        return None
    return ReadError("the file name is not valid UTF-8 text: rename the file", code="kb.read.bad_name")


def _unreadable_entry(exc: BaseException) -> ReadError:
    import errno

    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return ReadError("a symbolic link that points to itself (a link loop)", code="kb.read.symlink_loop")
    if isinstance(exc, FileNotFoundError):
        return ReadError("a link whose target does not exist", code="kb.read.dangling_link")
    if isinstance(exc, PermissionError):
        return ReadError("permission denied", code="kb.read.permission")
    detail = f"{type(exc).__name__}: {exc}"
    return ReadError(f"could not open this entry ({detail})", code="kb.read.unreadable_entry",
                     params={"detail": detail})


def _outside() -> ReadError:
    return ReadError("symlink points outside the dropped folder", code="kb.read.symlink_outside")


def _precheck(p: Path) -> ReadError | None:
    try:
        if not p.is_file():
            return ReadError("not a regular file", code="kb.read.not_regular")
        size = p.stat().st_size
        ext = p.suffix.lower()
        if size > MAX_FILE_BYTES:
            return too_large(size)
        if size == 0:
            return ReadError("empty file", code="kb.read.empty")
        if ext in (".pdf", ".docx", ".xlsx", ".pptx", ".epub") or ext in IMAGE_EXT:
            return None  # their readers check the format and say what is wrong
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return _unreadable_entry(exc)
    kind = sniff_binary(head)
    if kind is None:
        return None  # text, or an unknown extension with text inside (read as text)
    if kind == "binary" and ext not in SUPPORTED:
        if ext:
            return ReadError(f"unsupported file type ({ext}, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX",
                             code="kb.read.unsupported", params={"ext": ext})
        return ReadError("unsupported file type (no extension, binary): use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX",
                         code="kb.read.unsupported_no_ext")
    return binary_error(kind, ext)


def too_large(size: int) -> ReadError:
    size_mb, limit_mb = f"{size / 1e6:.1f}", f"{MAX_FILE_BYTES / 1e6:.0f}"
    return ReadError(f"file too large ({size_mb} MB; the limit is {limit_mb} MB): split it into smaller files",
                     code="kb.read.too_large", params={"size_mb": size_mb, "limit_mb": limit_mb})


# Leading bytes of formats that are never documents we can read (offset, magic, kind).
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x7fELF", "executable"), (0, b"MZ", "executable"), (0, b"\xcf\xfa\xed\xfe", "executable"),
    (0, b"\xce\xfa\xed\xfe", "executable"), (0, b"\xca\xfe\xba\xbe", "executable"),
    (0, b"\x00asm", "executable"),
    (0, b"\x89PNG\r\n\x1a\n", "image"), (0, b"\xff\xd8\xff", "image"), (0, b"GIF87a", "image"),
    (0, b"GIF89a", "image"), (0, b"BM", "image"), (0, b"II*\x00", "image"), (0, b"MM\x00*", "image"),
    (4, b"ftypheic", "image"), (4, b"ftypavif", "image"), (0, b"\x00\x00\x01\x00", "image"),
    (0, b"PK\x03\x04", "archive"), (0, b"PK\x05\x06", "archive"), (0, b"\x1f\x8b", "archive"),
    (0, b"BZh", "archive"), (0, b"\xfd7zXZ\x00", "archive"), (0, b"7z\xbc\xaf\x27\x1c", "archive"),
    (0, b"Rar!\x1a\x07", "archive"), (0, b"\x28\xb5\x2f\xfd", "archive"), (257, b"ustar", "archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),
)


def sniff_binary(head: bytes) -> str | None:
    """None when ``head`` (a file's first bytes) is text; else what it is: "pdf", "executable",
    "image", "archive", "office" or "binary"."""
    if head.startswith(b"%PDF-"):
        return "pdf"  # PDFs may be plain ASCII, but are never text to read as is
    if not _looks_binary(head):
        return None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    for off, magic, kind in _MAGIC:
        if head[off:off + len(magic)] == magic:
            return kind
    return "binary"


def binary_error(kind: str, ext: str) -> ReadError:
    if kind == "executable":
        return ReadError("an executable program, not a document: nothing to index", code="kb.read.executable")
    if kind == "image":
        return ReadError("an image under another extension: rename it to .png or .jpg and its text is read "
                         "with OCR", code="kb.read.image")
    if kind == "archive" and ext in ZIP_DOCUMENTS:
        return ReadError(f"this document type ({ext}) is not supported: save it as DOCX or PDF first",
                         code="kb.read.unsupported_document", params={"ext": ext})
    if kind == "archive":
        return ReadError("a compressed archive: unpack it and add the documents inside", code="kb.read.archive")
    if kind == "office":
        return ReadError("an old Office file (.doc, .xls, .ppt): save it as DOCX or PDF first",
                         code="kb.read.old_office")
    if kind == "pdf":
        return ReadError("a PDF without the .pdf extension: rename it to .pdf", code="kb.read.misnamed_pdf")
    return ReadError("binary data, not text: use PDF, Markdown, TXT, DOCX, HTML, CSV, XLSX or PPTX", code="kb.read.binary")


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head[:4096]:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs
            return False
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if len(head) >= 4096 and exc.start >= len(head) - 3:
            return False  # valid UTF-8 cut in the middle of a character by the 4096-byte read
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


def read(path: str | os.PathLike, progress=None, notes: list | None = None) -> list[Section]:
    """``progress(done, total)``: pages read with OCR so far (slow: about a second each);
    ``notes``: gets one ``{"page", "detail"}`` per page OCR could not read (the rest are read)."""
    p = Path(path)
    ext = p.suffix.lower()
    notes = notes if notes is not None else []
    try:
        if ext == ".pdf":
            sections = _read_pdf(p, progress, notes)
        elif ext in IMAGE_EXT:
            sections = [Section(_ocr_image(p), None, ocr=True)]
        elif ext == ".docx":
            sections = _read_docx(p)
        elif ext == ".csv":
            sections = _read_csv(p)
        elif ext == ".xlsx":
            sections = _read_xlsx(p)
        elif ext == ".pptx":
            sections = _read_pptx(p)
        elif ext == ".epub":
            sections = _read_epub(p)
        elif ext in HTML_EXT:
            sections = [Section(_read_html(p.read_bytes()))]
        else:
            sections = [Section(decode_text(p.read_bytes()))]
        _check_text_size(sections)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is this file's problem only
        kind, detail = ext.lstrip(".").upper() or "file", f"{type(exc).__name__}: {exc}"
        raise ReadError(f"could not read {kind}: {detail}", code="kb.read.failed",
                        params={"kind": kind, "detail": detail}) from None
    sections = [Section(_clean(s.text), s.page, s.ocr) for s in sections]
    sections = [s for s in sections if s.text]
    if not sections:
        if ext == ".pdf" and notes:
            raise ReadError(f"no text found; OCR could not read its pages ({notes[0]['detail']})",
                            code="kb.read.ocr_failed", params={"detail": notes[0]["detail"]})
        if ext == ".pdf" or ext in IMAGE_EXT:
            raise ReadError("no text found, also with OCR (is it a picture without writing, or very blurred?)",
                            code="kb.read.no_text_ocr")
        raise no_text()
    return sections


def _ocr_image(p: Path) -> str:
    from app.knowledge import ocr

    try:
        return ocr.read_image_file(p)
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt image, one too large, an engine failure
        detail = f"{type(exc).__name__}: {exc}"[:300]
        raise ReadError(f"could not read the image ({detail})", code="kb.read.bad_image",
                        params={"detail": detail}) from None


def _check_text_size(sections: list[Section]) -> None:
    n = sum(len(s.text) for s in sections)
    if n > MAX_TEXT_CHARS:
        raise too_much_text(n)


def too_much_text(n: int) -> ReadError:
    chars, limit = f"{n / 1e6:.0f}", f"{MAX_TEXT_CHARS / 1e6:.0f}"
    return ReadError(f"too much text ({chars} million characters or more; the limit is {limit} million): "
                     "split the document", code="kb.read.too_much_text", params={"chars_m": chars, "limit_m": limit})


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


def _read_pdf(p: Path, progress=None, notes: list | None = None) -> list[Section]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(p), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password only: readable without one
            except Exception:  # noqa: BLE001 - an unsupported cipher is "we cannot open it" too
                opened = 0
            if not opened:
                raise _pdf_password()
        out, n = [], 0
        for i, page in enumerate(reader.pages):
            text = page.extract_text() or ""
            n += len(text)
            if n > MAX_TEXT_CHARS:
                raise too_much_text(n)
            out.append(Section(text, i + 1))
        _ocr_scanned_pages(p, out, progress, notes if notes is not None else [])
        return out
    except ReadError:
        raise
    except FileNotDecryptedError:
        raise _pdf_password() from None
    except Exception as exc:  # noqa: BLE001
        detail = f"{type(exc).__name__}: {exc}"
        raise ReadError(f"not a readable PDF ({detail})", code="kb.read.bad_pdf", params={"detail": detail}) from None


def _ocr_scanned_pages(p: Path, sections: list[Section], progress, notes: list) -> None:
    """Pages without a text layer (a scan) are read with OCR, in place; a page that fails is
    noted and the others go on."""
    from app.knowledge import ocr

    scanned = [s for s in sections if len(s.text.strip()) < ocr.MIN_TEXT_LAYER_CHARS]
    if not scanned:
        return
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(p))
    try:
        for done, s in enumerate(scanned, 1):
            try:
                s.text, s.ocr = ocr.pdf_page_text(pdf, s.page - 1), True
            except Exception as exc:  # noqa: BLE001 - this page only
                notes.append({"page": s.page, "detail": f"{type(exc).__name__}: {exc}"[:300]})
            if progress is not None:
                progress(done, len(scanned))
    finally:
        pdf.close()


def _pdf_password() -> ReadError:
    return ReadError("the PDF is password-protected: save a copy without the password and add that",
                     code="kb.read.pdf_password")


def check_archive(p: Path, kind: str) -> None:
    """Refuse a zip-based document whose parts would unpack to more than we can hold (a zip bomb)
    before any parser sees it: the sizes the archive declares (which ``zipfile`` enforces while
    reading), then the number of XML elements, counted while streaming the XML parts."""
    import zipfile

    with zipfile.ZipFile(p) as z:
        infos = z.infolist()
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise _bomb(kind, f"{len(infos)} parts")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _bomb(kind, f"{unpacked / 1e6:.0f} MB unpacked")
        tags = 0
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx")):
                continue
            with z.open(info) as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    tags += block.count(b"<")
                    if tags > MAX_XML_TAGS:
                        raise _bomb(kind, f"more than {MAX_XML_TAGS // 1_000_000} million XML elements")


def _bomb(kind: str, detail: str) -> ReadError:
    limit = f"{MAX_UNPACKED_BYTES / 1e6:.0f}"
    return ReadError(f"this {kind} would unpack to far more than its size ({detail}; the limit is {limit} MB "
                     "unpacked): it may be a zip bomb, or it must be split", code="kb.read.zip_bomb",
                     params={"kind": kind, "detail": detail, "limit_mb": limit})


def _read_docx(p: Path) -> list[Section]:
    import zipfile

    if not zipfile.is_zipfile(p):
        raise ReadError("not a readable DOCX (not a zip archive; is it an old .doc file?)", code="kb.read.docx_not_zip")
    try:
        check_archive(p, "DOCX")
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged archive
        detail = f"{type(exc).__name__}: {exc}"
        raise ReadError(f"not a readable DOCX ({detail})", code="kb.read.bad_docx", params={"detail": detail}) from None
    try:
        import docx

        d = docx.Document(str(p))
    except Exception as exc:  # noqa: BLE001
        detail = f"{type(exc).__name__}: {exc}"
        raise ReadError(f"not a readable DOCX ({detail})", code="kb.read.bad_docx", params={"detail": detail}) from None
    parts, n = [], 0

    def keep(text: str) -> None:
        nonlocal n
        n += len(text) + 1
        if n > MAX_TEXT_CHARS:
            raise too_much_text(n)
        parts.append(text)

    for para in d.paragraphs:
        keep(para.text)
    for table in d.tables:
        for row in table.rows:
            keep(" | ".join(cell.text for cell in row.cells))
    return [Section("\n".join(parts))]


def _read_html(data: bytes) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    body = soup.body or soup
    return body.get_text("\n")


ROWS_PER_SECTION = 20  # table rows kept together, so a chunk holds whole rows with their headers


def table_sections(rows, sheet: str | None = None, page: int | None = None) -> list[Section]:
    """``rows`` (the first is the header) as "Header: value; ..." lines, ``ROWS_PER_SECTION`` per
    section, each headed ``# sheet`` so a chunk is found by its sheet's name too."""
    rows = [["" if c is None else str(c).strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    head = f"# {sheet}\n" if sheet else ""
    if not body:
        return [Section(head + " | ".join(header), page)]
    lines, n = [], 0
    for r in body:
        names = header + [f"column {i + 1}" for i in range(len(header), len(r))]
        line = "; ".join(f"{names[i] or f'column {i + 1}'}: {v}" for i, v in enumerate(r) if v)
        n += len(line) + 1
        if n > MAX_TEXT_CHARS:
            raise too_much_text(n)
        lines.append(line)
    return [Section(head + "\n".join(lines[i:i + ROWS_PER_SECTION]), page)
            for i in range(0, len(lines), ROWS_PER_SECTION)]


def _read_csv(p: Path) -> list[Section]:
    import csv
    import io

    text = decode_text(p.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return table_sections(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(p: Path) -> list[Section]:
    """Every sheet's rows with their header; the sheet's number is its page, its name its heading."""
    import zipfile

    if not zipfile.is_zipfile(p):
        raise ReadError("could not read XLSX: not a zip archive (is it an old .xls file?)", code="kb.read.failed",
                        params={"kind": "XLSX", "detail": "not a zip archive (is it an old .xls file?)"})
    check_archive(p, "XLSX")
    from openpyxl import load_workbook

    wb = load_workbook(str(p), read_only=True, data_only=True)
    try:
        out = []
        for i, ws in enumerate(wb.worksheets):
            out += table_sections(ws.iter_rows(values_only=True), ws.title, i + 1)
        return out
    finally:
        wb.close()


def _read_epub(p: Path) -> list[Section]:
    """Each chapter of the book's reading order (the OPF spine) is a page; its title, when the
    chapter has one, is its first line as a Markdown heading (so chunks carry it as context).
    An EPUB is a zip of XHTML parts: read with zipfile, the spine from the package file, the text
    as HTML is read."""
    import posixpath
    import zipfile
    from xml.etree import ElementTree as ET

    if not zipfile.is_zipfile(p):
        raise ReadError("could not read EPUB: not a zip archive", code="kb.read.failed",
                        params={"kind": "EPUB", "detail": "not a zip archive"})
    check_archive(p, "EPUB")
    with zipfile.ZipFile(p) as z:
        names = set(z.namelist())
        try:
            container = ET.fromstring(z.read("META-INF/container.xml"))
            opf_path = next(el.get("full-path") for el in container.iter() if el.tag.endswith("rootfile"))
            opf = ET.fromstring(z.read(opf_path))
        except (KeyError, StopIteration, ET.ParseError) as exc:
            raise ReadError(f"could not read EPUB: no readable package file ({exc})", code="kb.read.failed",
                            params={"kind": "EPUB", "detail": f"no readable package file ({exc})"}) from None
        base = posixpath.dirname(opf_path)
        items = {el.get("id"): el.get("href") for el in opf.iter() if el.tag.endswith("item")}
        spine = [el.get("idref") for el in opf.iter() if el.tag.endswith("itemref")]
        out, n = [], 0
        for idref in spine:
            href = items.get(idref)
            if not href:
                continue
            part = posixpath.normpath(posixpath.join(base, href.split("#", 1)[0]))
            if part not in names:
                continue
            html = z.read(part)
            text = _read_html(html)
            title = _html_title(html)
            if title and not text.lstrip().startswith(title):
                text = f"# {title}\n\n{text}"
            elif title:
                text = f"# {title}\n\n{text.lstrip()[len(title):]}"
            n += len(text)
            if n > MAX_TEXT_CHARS:
                raise too_much_text(n)
            if text.strip():
                out.append(Section(text, len(out) + 1))
        return out


def _html_title(data: bytes) -> str:
    """A chapter's heading: its first h1/h2/h3, else its <title>."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "html.parser")
    for tag in ("h1", "h2", "h3", "title"):
        found = soup.find(tag)
        if found is not None and found.get_text(strip=True):
            return " ".join(found.get_text(" ", strip=True).split())[:200]
    return ""


def _read_pptx(p: Path) -> list[Section]:
    """Each slide (its text frames, tables and notes) is a page."""
    import zipfile

    if not zipfile.is_zipfile(p):
        raise ReadError("could not read PPTX: not a zip archive (is it an old .ppt file?)", code="kb.read.failed",
                        params={"kind": "PPTX", "detail": "not a zip archive (is it an old .ppt file?)"})
    check_archive(p, "PPTX")
    from pptx import Presentation

    out = []
    for i, slide in enumerate(Presentation(str(p)).slides):
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    parts.append(" | ".join(c.text for c in row.cells))
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
        out.append(Section("\n".join(parts), i + 1))
    return out
