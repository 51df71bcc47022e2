"""Spreadsheets and slides as knowledge-base text: rows with their header, sheets and slides as pages."""

from app.knowledge import readers


def test_csv_rows_keep_their_header(tmp_path):
    p = tmp_path / "prices.csv"
    p.write_text("product,price\nwidget,3.50\n小部件,4\n", encoding="utf-8")
    sections = readers.read(p)
    text = "\n".join(s.text for s in sections)
    assert "product: widget; price: 3.50" in text
    assert "product: 小部件; price: 4" in text


def test_xlsx_sheets_are_pages_with_their_name(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Staff"
    ws.append(["name", "room"])
    ws.append(["Ada", 101])
    ws2 = wb.create_sheet("价格")
    ws2.append(["item", "cost"])
    ws2.append(["tea", 2])
    p = tmp_path / "book.xlsx"
    wb.save(p)
    sections = readers.read(p)
    assert [(s.page, s.text) for s in sections] == [
        (1, "# Staff\nname: Ada; room: 101"), (2, "# 价格\nitem: tea; cost: 2")]


def test_pptx_slides_are_pages(tmp_path):
    from pptx import Presentation

    prs = Presentation()
    for title in ("Quarterly plan", "第二页 roadmap"):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
    p = tmp_path / "deck.pptx"
    prs.save(p)
    sections = readers.read(p)
    assert [(s.page, s.text) for s in sections] == [(1, "Quarterly plan"), (2, "第二页 roadmap")]


def test_a_renamed_text_file_as_xlsx_is_refused_with_a_reason(tmp_path):
    p = tmp_path / "fake.xlsx"
    p.write_text("not a workbook")
    try:
        readers.read(p)
    except readers.ReadError as exc:
        assert exc.code == "kb.read.failed" and "XLSX" in str(exc)
    else:
        raise AssertionError("read a text file as a workbook")
