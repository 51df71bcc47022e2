"""Hostile input for knowledge bases, the parts that need no engine (issue 18): the readers refuse
what is not a document with a reason, zip bombs are refused before parsing, folder walks survive
symlink loops and bad file names, the writer lock is exclusive across processes, a full disk is
recognised, and create refuses bad settings."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.engines import REPO, engine_env_for


def _docx(path: Path, paragraphs: list[str]) -> None:
    from tests.fixtures.kb.corpus import make_docx

    make_docx(path, paragraphs)


def _replace_member(src: Path, dst: Path, name: str, write) -> None:
    """Copy the zip ``src`` to ``dst`` with member ``name`` written by ``write(fh)`` (streamed)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != name:
                zout.writestr(info, zin.read(info))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as fh:
            write(fh)


# --- 3. zip bombs -------------------------------------------------------------------------------
def test_docx_paragraph_bomb_is_refused_before_parsing(tmp_path):
    """594 KB that unpacks to 6 million paragraphs: refused from the element count, not parsed."""
    from app.knowledge.readers import ReadError, read

    good = tmp_path / "good.docx"
    _docx(good, ["A normal paragraph about the Velmora bridge."])
    bomb = tmp_path / "bomb.docx"

    def body(fh):
        fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document '
                 b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
        block = b"<w:p/>" * 100_000
        for _ in range(60):
            fh.write(block)
        fh.write(b"</w:body></w:document>")

    _replace_member(good, bomb, "word/document.xml", body)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(ReadError) as exc:
        read(bomb)
    assert exc.value.code == "kb.read.zip_bomb"
    assert "zip bomb" in str(exc.value) and "DOCX" in str(exc.value)
    assert read(good)[0].text.startswith("A normal paragraph")


def test_docx_declaring_a_huge_member_is_refused(tmp_path):
    from app.knowledge.readers import MAX_UNPACKED_BYTES, ReadError, read

    good = tmp_path / "good.docx"
    _docx(good, ["Short."])
    bomb = tmp_path / "media.docx"
    zeros = bytes(1 << 20)

    def media(fh):
        for _ in range(MAX_UNPACKED_BYTES // len(zeros) + 2):
            fh.write(zeros)

    _replace_member(good, bomb, "word/media/image1.png", media)
    with pytest.raises(ReadError) as exc:
        read(bomb)
    assert exc.value.code == "kb.read.zip_bomb" and "MB unpacked" in str(exc.value)


# --- 8. binary files ----------------------------------------------------------------------------
def test_binary_files_are_refused_per_file_with_a_reason(tmp_path):
    import gzip

    from app.knowledge.readers import collect

    d = tmp_path / "drop"
    d.mkdir()
    elf = Path(sys.executable).resolve().read_bytes()[:20000]
    (d / "tool").write_bytes(elf)
    (d / "tool.txt").write_bytes(elf)  # an executable with a text extension
    (d / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (d / "scan.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    (d / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))  # an image, misnamed
    (d / "notes.txt.gz").write_bytes(gzip.compress(b"compressed notes " * 100))
    with zipfile.ZipFile(d / "slides.odp", "w") as z:
        z.writestr("ppt/presentation.xml", "<p/>" * 100)
    with zipfile.ZipFile(d / "bundle.zip", "w") as z:
        z.writestr("a.txt", "inside " * 100)
    (d / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    (d / "BMW.txt").write_text("BMW cars are built in Bavaria.", encoding="utf-8")  # "BM" is not a bitmap
    (d / "utf16.txt").write_bytes("UTF-16 text with a BOM".encode("utf-16"))
    (d / "script.py").write_text("#!/usr/bin/env python\nprint('hi')\n", encoding="utf-8")
    got = {c.path.name: (c.skip.code if c.skip else None) for c in collect([d])}
    assert got == {
        "tool": "kb.read.executable", "tool.txt": "kb.read.executable", "photo.txt": "kb.read.image",
        "photo.png": None, "scan.jpg": None,  # images are read with OCR (these two then fail as unreadable)
        "notes.txt.gz": "kb.read.archive", "slides.odp": "kb.read.unsupported_document",
        "bundle.zip": "kb.read.archive", "old.doc": "kb.read.old_office",
        "BMW.txt": None, "utf16.txt": None, "script.py": None}


# --- 4. folder walks --------------------------------------------------------------------------
def test_collect_reports_symlink_loops_and_bad_names_and_goes_on(tmp_path):
    from app.knowledge.readers import collect, display_path, storable

    d = tmp_path / "drop"
    (d / "sub").mkdir(parents=True)
    os.symlink("loop2", d / "loop1")
    os.symlink("loop1", d / "loop2")
    os.symlink("loopdir", d / "sub" / "loopdir")  # a directory entry that loops
    os.symlink("nowhere.txt", d / "dangling.txt")
    (d / "good.txt").write_text("good text", encoding="utf-8")
    (d / "sub" / "deep.md").write_text("deep text", encoding="utf-8")
    bad = os.fsencode(d) + b"/caf\xe9.txt"  # Latin-1 bytes in a name: not UTF-8
    with open(bad, "wb") as fh:
        fh.write(b"text in a badly named file")
    got = {display_path(c.path.relative_to(d)): (c.skip.code if c.skip else None) for c in collect([d])}
    assert got == {"loop1": "kb.read.symlink_loop", "loop2": "kb.read.symlink_loop",
                   "sub/loopdir": "kb.read.symlink_loop", "dangling.txt": "kb.read.dangling_link",
                   "good.txt": None, "sub/deep.md": None, "caf\ufffd.txt": "kb.read.bad_name"}
    assert not storable(os.fsdecode(bad)) and storable(str(d / "good.txt"))
    # Given directly, too.
    direct = list(collect([os.fsdecode(bad), str(d / "loop1")]))
    assert [c.skip.code for c in direct] == ["kb.read.bad_name", "kb.read.symlink_loop"]


# --- 6. smaller ones ----------------------------------------------------------------------------
def test_encrypted_pdf_says_password_protected(tmp_path):
    from pypdf import PdfReader, PdfWriter

    from app.knowledge.readers import ReadError, read
    from tests.fixtures.kb.corpus import minimal_pdf

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(minimal_pdf(["Secret page about the Velmora bridge."]))
    w = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        w.add_page(page)
    w.encrypt(user_password="hunter2", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as fh:
        w.write(fh)
    with pytest.raises(ReadError) as exc:
        read(locked)
    assert exc.value.code == "kb.read.pdf_password"
    assert "password-protected" in str(exc.value) and "FileNotDecrypted" not in str(exc.value)
    # An owner password alone does not stop reading.
    w2 = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        w2.add_page(page)
    w2.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    owner_only = tmp_path / "owner.pdf"
    with open(owner_only, "wb") as fh:
        w2.write(fh)
    assert "Velmora" in read(owner_only)[0].text


def test_size_message_uses_one_unit_and_no_missing_setting(tmp_path):
    from app.knowledge.readers import MAX_FILE_BYTES, collect

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 2_000_000)
    (skip,) = [c.skip for c in collect([big])]
    assert skip.code == "kb.read.too_large"
    assert str(skip) == "file too large (52.0 MB; the limit is 50 MB): split it into smaller files"
    assert "raise" not in str(skip) and "MiB" not in str(skip)


def test_create_refuses_an_unknown_model_and_bad_chunking(tmp_path):
    from app.core.db.database import open_database
    from app.core.errors import UserError
    from app.core.kb import KnowledgeStore, available_embedding_models

    with open_database() as db:
        store = KnowledgeStore(db)
        with pytest.raises(UserError) as exc:
            store.create("m", embedding_model="nosuch")
        assert exc.value.code == "kb.embedding_model"
        for name in available_embedding_models():
            assert name in str(exc.value)
        for size, overlap in ((0, 0), (-5, 0), (63, 0), (4001, 0), (512, -1), (512, 257)):
            with pytest.raises(UserError):
                store.create("m", chunk_size=size, chunk_overlap=overlap)
        assert store.list() == []
        store.create("m", chunk_size=64, chunk_overlap=32)
    env = engine_env_for(Path(os.environ["AI_PLATFORM_HOME"]))
    for argv, code in ((["--chunk-size", "0"], "kb.chunk_size"), (["--model", "nosuch"], "kb.embedding_model"),
                       (["--overlap", "-3"], "kb.chunk_overlap")):
        proc = subprocess.run([sys.executable, "-m", "app", "kb", "create", "n2", *argv, "--json"], cwd=str(REPO),
                              env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert f'"code": "{code}"' in proc.stdout and "Traceback" not in proc.stderr


# --- 1. bounded pieces for the sentence splitter ------------------------------------------------
def test_bounded_pieces_cut_at_boundaries_and_keep_every_character():
    from app.knowledge.base import bounded_pieces

    text = ("Para one is here. " * 200 + "\n\n") * 50 + "x" * 25_000
    pieces = bounded_pieces(text, 10_000)
    assert "".join(pieces) == text
    assert all(len(p) <= 10_000 for p in pieces)
    assert all(p.endswith(("\n\n", ". ")) for p in pieces[:-3])
    assert bounded_pieces("short", 10) == ["short"]
    assert "".join(bounded_pieces("y" * 35, 10)) == "y" * 35


# --- 2. the writer lock -------------------------------------------------------------------------
def test_writer_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path):
    from app.core.errors import UserError
    from app.core.locks import kb_lock_path, kb_write_lock

    with kb_write_lock(7, "handbook"):
        with kb_write_lock(7, "handbook", wait_s=0):  # the same process: re-entrant
            pass
        code = ("import sys\nfrom app.core.locks import kb_write_lock\nfrom app.core.errors import UserError\n"
                "try:\n    with kb_write_lock(7, 'handbook', wait_s=0.5):\n        sys.exit(0)\n"
                "except UserError as e:\n    print(e.code, e); sys.exit(3)\n")
        env = engine_env_for(Path(os.environ["AI_PLATFORM_HOME"]))
        other = subprocess.run([sys.executable, "-c", code], cwd=str(REPO), env=env, capture_output=True,
                               text=True, timeout=60)
        assert other.returncode == 3, other.stderr
        assert other.stdout.startswith("kb.busy") and '"handbook"' in other.stdout
    # Released: the other process gets it now; a killed holder never leaves it stuck.
    holder = subprocess.Popen([sys.executable, "-c", "import time\nfrom app.core.locks import kb_write_lock\n"
                               "with kb_write_lock(7, 'h'):\n    print('held', flush=True); time.sleep(60)\n"],
                              cwd=str(REPO), env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError):
            with kb_write_lock(7, "h", wait_s=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with kb_write_lock(7, "h", wait_s=10):
        assert kb_lock_path(7).exists()


# --- 5. full disk, recognised -------------------------------------------------------------------
def test_disk_full_is_recognised_in_its_forms(tmp_path):
    from app.core import diskspace

    assert diskspace.is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert diskspace.is_disk_full(sqlite3.OperationalError("database or disk is full"))
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("faiss write failed") from inner
    except RuntimeError as outer:
        assert diskspace.is_disk_full(outer)
    assert not diskspace.is_disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not diskspace.looks_full(sqlite3.OperationalError("disk I/O error"), tmp_path)  # space left here
    err = diskspace.disk_full_error(tmp_path)
    assert err.code == "disk.full" and str(err).startswith("The disk is full (") and str(tmp_path) in str(err)
