"""A live log viewer: tails files, filters by level and text, highlights errors and warnings.

``follow(files)`` shows the lines as they are; ``follow(files, labels={path: label})`` prefixes each
line with ``[label]`` so lines of several sources (the app, runs, engines) can share one view."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QApplication, QComboBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)

from app.views.widgets import open_in_desktop

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_LEVEL_RE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")
MAX_LINES = 20_000


def line_level(line: str) -> str:
    m = _LEVEL_RE.search(line[:120])
    if not m:
        # Tracebacks and continuation lines: treat as errors when they look like one.
        return "ERROR" if line.startswith(("Traceback", "  File ", "RuntimeError", "torch.OutOfMemoryError")) else "INFO"
    return "ERROR" if m.group(1) == "CRITICAL" else m.group(1)


class _Highlighter(QSyntaxHighlighter):
    def __init__(self, doc):
        super().__init__(doc)
        self.error = QTextCharFormat()
        self.error.setForeground(QColor("#dc2626"))
        self.error.setFontWeight(QFont.Weight.Bold)
        self.warning = QTextCharFormat()
        self.warning.setForeground(QColor("#d97706"))
        self.match = QTextCharFormat()
        self.match.setBackground(QColor("#fde68a"))
        self.search = ""

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        level = line_level(text)
        if level == "ERROR":
            self.setFormat(0, len(text), self.error)
        elif level == "WARNING":
            self.setFormat(0, len(text), self.warning)
        if self.search:
            for m in re.finditer(re.escape(self.search), text, re.IGNORECASE):
                self.setFormat(m.start(), m.end() - m.start(), self.match)


_TS_RE = re.compile(r"^(?:\[[^\]]*\] )?(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?)")


def merge_by_time(per_file: list[list[str]]) -> list[str]:
    """Lines of several logs in the order they were written: each file's records (a timestamped
    line and the untimed lines after it, such as a traceback) merged by their timestamps. A file's
    own order is kept; records before any timestamp sort first."""
    if len(per_file) <= 1:
        return per_file[0] if per_file else []
    import heapq

    streams = []
    for lines in per_file:
        records: list[tuple[str, list[str]]] = []
        for line in lines:
            m = _TS_RE.match(line)
            if m or not records:
                records.append(((m.group(1).replace("T", " ").replace(",", ".") if m else ""), [line]))
            else:
                records[-1][1].append(line)
        streams.append(records)
    merged = heapq.merge(*streams, key=lambda rec: rec[0])
    return [line for _, lines in merged for line in lines]


class LogView(QWidget):
    """Shows the lines of one or more log files, following them as they grow."""

    def __init__(self, parent: QWidget | None = None, poll_ms: int = 500, copy_buttons: bool = False):
        super().__init__(parent)
        self._files: list[Path] = []
        self._labels: dict[Path, str] = {}
        self._offsets: dict[Path, int] = {}
        self._partial: dict[Path, str] = {}
        self._lines: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.level = QComboBox()
        for lvl in LEVELS:
            self.level.addItem("", lvl)
        self.level.setCurrentIndex(1)
        self.level.currentIndexChanged.connect(self.rerender)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.rerender)
        self.open_folder = QPushButton()
        self.open_folder.clicked.connect(self._open_folder)
        bar.addWidget(self.level)
        bar.addWidget(self.search, 1)
        self.copy_selected_btn = self.copy_all_btn = None
        if copy_buttons:
            self.copy_selected_btn = QPushButton()
            self.copy_selected_btn.clicked.connect(self.copy_selected)
            self.copy_all_btn = QPushButton()
            self.copy_all_btn.clicked.connect(self.copy_visible)
            bar.addWidget(self.copy_selected_btn)
            bar.addWidget(self.copy_all_btn)
        bar.addWidget(self.open_folder)
        layout.addLayout(bar)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setMaximumBlockCount(MAX_LINES)
        self.text.setFont(QFont("monospace", 9))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = _Highlighter(self.text.document())
        layout.addWidget(self.text, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        names = {"DEBUG": self.tr("All levels"), "INFO": self.tr("Info and above"),
                 "WARNING": self.tr("Warnings and errors"), "ERROR": self.tr("Errors only")}
        for i, lvl in enumerate(LEVELS):
            self.level.setItemText(i, names[lvl])
        self.search.setPlaceholderText(self.tr("Search the log…"))
        self.open_folder.setText(self.tr("Open folder"))
        if self.copy_selected_btn is not None:
            self.copy_selected_btn.setText(self.tr("Copy selection"))
            self.copy_all_btn.setText(self.tr("Copy all shown"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def follow(self, files: list[Path], labels: dict | None = None) -> None:
        self._files = [Path(f) for f in files]
        self._labels = {Path(k): str(v) for k, v in (labels or {}).items()}
        self._offsets = {f: 0 for f in self._files}
        self._partial = {f: "" for f in self._files}
        self._lines = []
        self.text.clear()
        self.poll()
        self._timer.start()

    def stop_following(self) -> None:
        self._timer.stop()

    def lines(self) -> list[str]:
        return list(self._lines)

    def poll(self) -> None:
        per_file: list[list[str]] = []
        for f in self._files:
            try:
                size = f.stat().st_size
            except OSError:
                continue
            if size < self._offsets[f]:
                self._offsets[f], self._partial[f] = 0, ""
            if size == self._offsets[f]:
                continue
            with open(f, "rb") as fh:
                fh.seek(self._offsets[f])
                chunk = fh.read(size - self._offsets[f])
            self._offsets[f] = size
            text = self._partial[f] + chunk.decode("utf-8", errors="replace")
            parts = text.split("\n")
            self._partial[f] = parts.pop()
            label = self._labels.get(f)
            prefix = f"[{label}] " if label else ""
            per_file.append([prefix + p.rstrip("\r") for p in parts])
        new = merge_by_time(per_file)
        if new:
            self._lines += new
            if len(self._lines) > MAX_LINES:
                self._lines = self._lines[-MAX_LINES:]
            self._append([ln for ln in new if self._visible(ln)])

    def _visible(self, line: str) -> bool:
        threshold = LEVELS.index(self.level.currentData() or "INFO")
        if LEVELS.index(line_level(line)) < threshold:
            return False
        needle = self.search.text().strip().lower()
        return not needle or needle in line.lower()

    def _append(self, lines: list[str]) -> None:
        if not lines:
            return
        bar = self.text.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        side = self.text.horizontalScrollBar()
        left = side.value()
        self.text.appendPlainText("\n".join(lines))
        side.setValue(left)  # appending moves the cursor to the end of a long line: keep the start in view
        if at_end:
            bar.setValue(bar.maximum())

    def rerender(self) -> None:
        self.highlighter.search = self.search.text().strip()
        self.text.clear()
        self._append([ln for ln in self._lines if self._visible(ln)])

    def visible_text(self) -> str:
        return self.text.toPlainText()

    def copy_selected(self) -> None:
        if self.text.textCursor().hasSelection():
            self.text.copy()

    def copy_visible(self) -> None:
        QApplication.clipboard().setText(self.visible_text())

    def folder(self) -> Path | None:
        """The folder "Open folder" opens: ``folder_override`` when set, else the first file's."""
        if getattr(self, "folder_override", None):
            return Path(self.folder_override)
        return self._files[0].parent if self._files else None

    def _open_folder(self) -> None:
        folder = self.folder()
        if folder is not None:
            open_in_desktop(self, folder)
