"""EPUB books in a knowledge base: chapters in reading order as pages, each chapter's title kept as
its heading; a broken book is named with its reason."""

from __future__ import annotations

import zipfile

import pytest

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def make_epub(path, chapters: list[tuple[str, str]]) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
                   '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
                   '</rootfiles></container>')
        items = "".join(f'<item id="c{i}" href="text/ch{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(chapters)))
        spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
        z.writestr("OEBPS/content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
                   f'version="3.0"><metadata/><manifest>{items}</manifest><spine>{spine}</spine></package>')
        for i, (title, body) in enumerate(chapters):
            z.writestr(f"OEBPS/text/ch{i}.xhtml", f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}'
                       f'</title></head><body><h1>{title}</h1><p>{body}</p><script>var x="zorble";</script></body></html>')


def test_an_epub_is_read_chapter_by_chapter_and_found(store, tmp_path):
    from app.knowledge.base import Knowledge
    from app.knowledge.readers import read

    book = tmp_path / "harbour.epub"
    make_epub(book, [("The Storm", "The winter storm broke the lamp of the Ostrand lighthouse."),
                     ("重建", "灯塔在一九八七年重建，费用为三万二千元。"),
                     ("The Keepers", "Two keepers signal ships with lanterns every night.")])
    sections = read(book)
    assert [s.page for s in sections] == [1, 2, 3]
    assert sections[1].text.startswith("# 重建") and "zorble" not in " ".join(s.text for s in sections)
    kb = store.create("books")
    k = Knowledge(kb, store)
    res = k.add([str(book)])
    assert res["files"][0]["status"] == "indexed" and res["files"][0]["pages"] == [1, 2, 3]
    hit = k.query("灯塔哪一年重建的？", top_k=1)["chunks"][0]
    assert hit["file"] == str(book) and hit["page"] == 2 and "一九八七" in hit["text"]
    hit = k.query("how do the keepers signal ships", top_k=1)["chunks"][0]
    assert hit["page"] == 3

    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
    res = k.add([str(broken)])
    assert res["files"][0]["status"] == "failed" and "EPUB" in res["files"][0]["error"]


@pytest.fixture
def store():
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    db = open_database()
    yield KnowledgeStore(db)
    db.close()
