"""Scanned PDFs and photos of pages in a knowledge base: read with OCR (RapidOCR's PP-OCRv4 models,
offline), page numbers kept, progress said per page, a page that fails is named and the rest are
indexed; found by a question in either language (`ai-platform kb add … --json`, the contract)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # fonts-wqy-microhei (.ci/run installs it)


def _page(lines: list[str], size=(1240, 900)):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 30)
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        d.text((70, 80 + 70 * i), line, fill="black", font=font)
    return img


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    from PIL import ImageFilter

    d = tmp_path_factory.mktemp("scans")
    p1 = _page(["Harbour report of the town of Ostrand", "The old lighthouse was rebuilt in 1987",
                "after the winter storm broke its lamp."])
    p2 = _page(["港口年度报告", "灯塔的维修费用为三万二千元，", "由市政府在五月支付。"])
    p1.save(d / "harbour-scan.pdf", save_all=True, append_images=[p2])  # pages without a text layer
    photo = _page(["Customs invoice NW-4821", "Total due: 2,400 EUR by 12 March", "海关发票：请在三月十二日前付款"])
    photo = photo.rotate(1.5, expand=True, fillcolor="white").filter(ImageFilter.GaussianBlur(0.6))
    photo.save(d / "invoice-photo.jpg", quality=70)
    return d


def test_cli_add_reads_a_scanned_pdf_and_a_photo_and_a_question_finds_them(ai_home, scans):
    env = engine_env_for(ai_home)

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO), env=env,
                             capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout)

    cli("create", "scans", "--json")
    added = cli("add", "scans", str(scans), "--json")
    by = {f["path"].rsplit("/", 1)[1]: f for f in added["files"]}
    assert by["harbour-scan.pdf"]["status"] == "indexed" and by["harbour-scan.pdf"]["ocr_pages"] == [1, 2]
    assert by["harbour-scan.pdf"]["pages"] == [1, 2]
    assert by["invoice-photo.jpg"]["status"] == "indexed" and by["invoice-photo.jpg"]["ocr_pages"] == [1]

    hit = cli("query", "scans", "When was the lighthouse rebuilt?", "--top-k", "1", "--json")["chunks"][0]
    assert hit["file"].endswith("harbour-scan.pdf") and hit["page"] == 1 and "1987" in hit["text"]
    hit = cli("query", "scans", "灯塔维修花了多少钱？", "--top-k", "1", "--json")["chunks"][0]
    assert hit["file"].endswith("harbour-scan.pdf") and hit["page"] == 2 and "三万二千元" in hit["text"]
    hit = cli("query", "scans", "invoice NW-4821", "--top-k", "1", "--json")["chunks"][0]
    assert hit["file"].endswith("invoice-photo.jpg") and "nw-4821" in hit["text"].lower()  # OCR may read W as w
    hit = cli("query", "scans", "海关发票的付款期限", "--top-k", "1", "--json")["chunks"][0]
    assert hit["file"].endswith("invoice-photo.jpg")


def test_a_page_ocr_cannot_read_is_named_and_the_others_are_indexed(scans, monkeypatch):
    from app.knowledge import ocr, readers

    real = ocr.pdf_page_text

    def flaky(pdf, index):
        if index == 1:
            raise RuntimeError("the recogniser ran out of memory")
        return real(pdf, index)

    monkeypatch.setattr(ocr, "pdf_page_text", flaky)
    notes, progress = [], []
    sections = readers.read(scans / "harbour-scan.pdf", progress=lambda i, n: progress.append((i, n)), notes=notes)
    assert [s.page for s in sections] == [1] and "1987" in sections[0].text and sections[0].ocr
    assert notes == [{"page": 2, "detail": "RuntimeError: the recogniser ran out of memory"}]
    assert progress == [(1, 2), (2, 2)]

    from app.knowledge.base import ocr_pages_failed

    note = ocr_pages_failed(notes)
    assert note.code == "kb.read.ocr_pages_failed" and note.params["pages"] == "2"


def test_ocr_respaces_glued_latin_words_only():
    from app.knowledge.ocr import respace

    assert respace("InvoiceNW-4821total2,400EUR") == "Invoice NW-4821 total 2,400 EUR"
    assert respace("Invoice NW-4821") == "Invoice NW-4821"  # has spaces: left alone
    assert respace("灯塔的维修费用为三万二千元") == "灯塔的维修费用为三万二千元"
    assert respace("SmolLM2") == "SmolLM2"  # short: left alone


def test_the_note_of_a_page_ocr_could_not_read_survives_a_sync(store_and_kb, scans, monkeypatch):
    from app.knowledge import ocr
    from app.knowledge.base import Knowledge

    store, kb = store_and_kb
    real = ocr.pdf_page_text
    monkeypatch.setattr(ocr, "pdf_page_text", lambda pdf, i: (_ for _ in ()).throw(RuntimeError("boom"))
                        if i == 1 else real(pdf, i))
    pdf = str(scans / "harbour-scan.pdf")
    first = Knowledge(kb, store).add([pdf])["files"][0]
    assert first["status"] == "indexed" and first["code"] == "kb.read.ocr_pages_failed"
    again = Knowledge(store.get(kb.id), store).add([pdf])["files"][0]
    assert again["status"] == "unchanged" and again["code"] == "kb.read.ocr_pages_failed"
    doc = store.document(kb.id, pdf)
    assert doc.error_code == "kb.read.ocr_pages_failed" and doc.error_params["pages"] == "2"


@pytest.fixture
def store_and_kb():
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore

    db = open_database()
    store = KnowledgeStore(db)
    yield store, store.create("ocr-notes")
    db.close()
