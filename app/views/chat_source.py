"""A citation opened: the source document at the cited chunk.

Plain-text sources (Markdown, text) are shown whole with the chunk highlighted and scrolled into
view; for the rest (PDF, DOCX, HTML) the chunk text is shown with its file and page, and "Open
file" hands the document to the system's viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from app.views.widgets import open_in_desktop

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".csv", ".log"}
MAX_TEXT_BYTES = 4 * 1024 * 1024


def read_text_source(path: Path) -> str | None:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    try:
        if path.stat().st_size > MAX_TEXT_BYTES:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    for enc in ("utf-8-sig", "gb18030", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def locate(document: str, chunk: str) -> int:
    """Where the chunk starts in the document (-1 if not found); whitespace may differ after
    splitting, so a prefix of the chunk is tried when the whole is not found."""
    pos = document.find(chunk)
    if pos >= 0:
        return pos
    head = " ".join(chunk.split()[:12])
    if head:
        flat = " ".join(document.split())
        i = flat.find(head)
        if i >= 0:
            # map back approximately: count non-space characters before the hit
            target = len(flat[:i].replace(" ", ""))
            seen = 0
            for j, ch in enumerate(document):
                if not ch.isspace():
                    if seen == target:
                        return j
                    seen += 1
    return -1


class SourceDialog(QDialog):
    def __init__(self, citation: dict, parent=None):
        super().__init__(parent)
        self.citation = citation
        self.path = Path(str(citation.get("file", "")))
        self.setMinimumSize(640, 480)
        n = citation.get("n")
        self.setWindowTitle(self.tr("Source [{n}]").format(n=n))
        layout = QVBoxLayout(self)
        where = str(self.path)
        if citation.get("page"):
            where += " · " + self.tr("page {p}").format(p=citation["page"])
        if citation.get("kb"):
            where += " · " + self.tr("knowledge base: {kb}").format(kb=citation["kb"])
        self.where = QLabel(where, wordWrap=True)
        layout.addWidget(self.where)
        self.text = QPlainTextEdit(readOnly=True)
        layout.addWidget(self.text, 1)
        # a compressed passage (context_compress): the model saw some of its sentences; the
        # document is shown with the whole chunk highlighted, and the note says so
        chunk = str(citation.get("full_text") or citation.get("text", ""))
        if citation.get("compressed"):
            self.where.setText(self.where.text() + "\n" + self.tr(
                "The answer was given only this passage's sentences that match the question, so that more "
                "sources fitted the model's context."))
            where = self.where.text()
        document = read_text_source(self.path) if self.path.is_file() else None
        self.highlighted = False
        if document is not None:
            self.text.setPlainText(document)
            pos = locate(document, chunk)
            if pos >= 0:
                self._highlight(pos, len(chunk))
        else:
            self.text.setPlainText(chunk)
            if not self.path.is_file():
                self.where.setText(where + "\n" + self.tr("The file is no longer at this path; this is the "
                                                          "passage as it was indexed."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_btn = QPushButton(self.tr("Open file"))
        self.open_btn.setEnabled(self.path.is_file())
        self.open_btn.clicked.connect(lambda: open_in_desktop(self, self.path))
        buttons.addButton(self.open_btn, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _highlight(self, pos: int, length: int) -> None:
        cursor = self.text.textCursor()
        cursor.setPosition(pos)
        cursor.setPosition(min(pos + length, len(self.text.toPlainText())), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#fde68a"))
        fmt.setForeground(QColor("#1f2933"))
        cursor.mergeCharFormat(fmt)
        cursor.setPosition(pos)
        self.text.setTextCursor(cursor)
        self.text.centerCursor()
        self.highlighted = True
