"""Text from images and scanned PDF pages, offline, Chinese and English: RapidOCR (the PP-OCRv4
detection, direction and recognition models ship inside the ``rapidocr-onnxruntime`` wheel) on
onnxruntime; PDF pages are rendered with pdfium (``pypdfium2``).

    text = image_text(pil_image)           # lines top to bottom, words of a line left to right
    text = pdf_page_text(pdf, page_index)  # a page without a text layer

A line whose recognised words lost their spaces ("InvoiceNW-4821total2,400EUR", which the
recognition model does on Latin text) gets them back at case and letter/digit boundaries, so
keyword search finds "NW-4821" and "total".
"""

from __future__ import annotations

import re
import threading

IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
# A PDF page whose text layer has fewer characters than this is read as a scan.
MIN_TEXT_LAYER_CHARS = 16
RENDER_SCALE = 2.0  # 144 dpi: small print stays legible to the recogniser
MAX_PIXELS = 60_000_000  # an image larger than this is refused (a decompression bomb, or a poster)
MIN_SCORE = 0.5

_engine = None
_lock = threading.Lock()


class OcrUnavailable(RuntimeError):
    pass


def engine():
    """The RapidOCR engine, loaded once per process (≈ 0.3 s)."""
    global _engine
    with _lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # pragma: no cover - a broken install
                raise OcrUnavailable(str(exc)) from None
            _engine = RapidOCR()
        return _engine


_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[a-z]{2})(?=\d)|(?<=\d)(?=[a-z]{2})|(?<=\d)(?=[A-Z]{2,}\b)")


def respace(line: str) -> str:
    """Spaces back into a long Latin line the recogniser glued together (only such a line: one
    with spaces, or short, or in CJK, is left as it is)."""
    if " " in line or len(line) < 12 or not re.search(r"[A-Za-z]{3}", line) or re.search(r"[\u3400-\u9fff]", line):
        return line
    return _GLUED.sub(" ", line)


def _to_bgr(image):
    import numpy as np

    rgb = image.convert("RGB")
    return np.asarray(rgb)[:, :, ::-1].copy()


def image_text(image) -> str:
    """The text in a PIL image: boxes grouped into lines by their vertical centre."""
    if image.width * image.height > MAX_PIXELS:
        raise ValueError(f"the image is too large to read ({image.width}×{image.height} pixels)")
    result, _ = engine()(_to_bgr(image))
    boxes = []
    for box, text, score in result or []:
        if float(score) < MIN_SCORE or not str(text).strip():
            continue
        ys = [p[1] for p in box]
        xs = [p[0] for p in box]
        boxes.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), str(text).strip()))
    boxes.sort()
    lines: list[list[tuple[float, str]]] = []
    last_y = last_h = None
    for y, h, x, text in boxes:
        if last_y is not None and abs(y - last_y) < 0.5 * max(h, last_h):
            lines[-1].append((x, text))
        else:
            lines.append([(x, text)])
            last_y, last_h = y, h
    return "\n".join(respace(" ".join(t for _, t in sorted(line))) for line in lines)


def read_image_file(path) -> str:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(path) as im:
        im.load()
        return image_text(im)


def pdf_page_text(pdf, index: int) -> str:
    """OCR of page ``index`` (0-based) of an open ``pypdfium2.PdfDocument``."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=RENDER_SCALE)
        try:
            return image_text(bitmap.to_pil())
        finally:
            bitmap.close()
    finally:
        page.close()
