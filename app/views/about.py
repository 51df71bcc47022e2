"""The Help dialogs: About (versions of the app and its engines) and Keyboard shortcuts.

Versions are read with importlib.metadata: the GUI process never imports torch & co (they take
seconds and would load CUDA). The vLLM runtime is another Python environment, so its version comes
from asking that interpreter (app.core.vllm_runtime), once, off the GUI thread, then cached.
"""

from __future__ import annotations

import platform
import sys
import threading
from importlib import metadata

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_DISPLAY_NAME, __version__
from app.views import shortcuts

# (label, distribution names to try): the engines' main libraries.
ENGINE_PACKAGES = (
    ("PyTorch", ("torch",)),
    ("Transformers", ("transformers",)),
    ("PEFT", ("peft",)),
    ("bitsandbytes", ("bitsandbytes",)),
    ("LlamaIndex", ("llama-index-core", "llama-index")),
    ("FAISS", ("faiss-cpu", "faiss-gpu", "faiss")),
    ("Milvus Lite", ("milvus-lite",)),
    ("LangGraph", ("langgraph",)),
)

_vllm_lock = threading.Lock()
_vllm_cache: dict | None = None


def package_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


def base_versions() -> list[tuple[str, str | None]]:
    """Everything known without asking another process: (label, version or None)."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    rows = [(APP_DISPLAY_NAME, __version__),
            ("Python", f"{platform.python_version()} ({sys.platform})"),
            ("Qt", qVersion()), ("PySide6", pyside_version)]
    rows += [(label, package_version(names)) for label, names in ENGINE_PACKAGES]
    return rows


def vllm_info(refresh: bool = False) -> dict:
    """The vLLM runtime's answer (app.core.vllm_runtime.runtime_info), asked once per process.
    Blocking (it starts that Python): call it off the GUI thread."""
    global _vllm_cache
    with _vllm_lock:
        if _vllm_cache is None or refresh:
            from app.core import vllm_runtime

            try:
                _vllm_cache = vllm_runtime.runtime_info()
            except Exception as exc:  # noqa: BLE001 - About must open whatever the runtime does
                _vllm_cache = {"found": False, "reason": str(exc)}
        return dict(_vllm_cache)


def cached_vllm_info() -> dict | None:
    return None if _vllm_cache is None else dict(_vllm_cache)


def _fit_rows(table: QTableWidget) -> None:
    """Tall enough for every row: a dialog of a dozen lines should not scroll."""
    table.resizeRowsToContents()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setMinimumHeight(rows + table.horizontalHeader().height() + 2 * table.frameWidth() + 2)


def _read_only_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("AboutDialog")
        self._vllm: dict | None = cached_vllm_info()
        layout = QVBoxLayout(self)
        self.title = QLabel(objectName="PanelTitle")
        self.blurb = QLabel(wordWrap=True)
        self.table = _read_only_table(2)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_btn = QPushButton()
        self.buttons.addButton(self.copy_btn, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_btn.clicked.connect(self.copy_to_clipboard)
        self.buttons.rejected.connect(self.reject)
        for w in (self.title, self.blurb, self.table, self.buttons):
            layout.addWidget(w)
        self.resize(560, 300)
        self.retranslate_ui()
        if self._vllm is None:
            from app.workers.background import BackgroundCall

            self._probe = BackgroundCall(vllm_info, name="about-vllm", parent=self)
            self._probe.done.connect(self._vllm_answered)
            self._probe.start()

    def _vllm_answered(self, info: dict) -> None:
        self._vllm = info
        self._fill()

    def rows(self) -> list[tuple[str, str]]:
        missing = self.tr("not installed")
        rows = [(label, version or missing) for label, version in base_versions()]
        info = self._vllm
        if info is None:
            vllm = self.tr("checking…")
        elif info.get("found"):
            vllm = f"{info.get('version')} ({info.get('package')}, Python {info.get('python_version')})"
        else:
            vllm = self.tr("not found")
        rows.append((self.tr("vLLM runtime"), vllm))
        return rows

    def text(self) -> str:
        """What "Copy" puts on the clipboard: plain lines for a bug report."""
        return "\n".join(f"{label}: {value}" for label, value in self.rows())

    def copy_to_clipboard(self) -> None:
        QApplication.clipboard().setText(self.text())
        self.copy_btn.setText(self.tr("Copied"))

    def _fill(self) -> None:
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for r, (label, value) in enumerate(rows):
            for c, text in enumerate((label, value)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(r, c, item)
        _fit_rows(self.table)
        self.adjustSize()  # the taller table pushes the buttons down instead of sliding under them

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("About AI Platform"))
        self.title.setText(f"{APP_DISPLAY_NAME} {__version__}")
        self.blurb.setText(self.tr(
            "A local workstation for large language models: datasets, fine-tuning, chat, knowledge bases "
            "and agents, on your own machine."))
        self.table.setHorizontalHeaderLabels([self.tr("Component"), self.tr("Version")])
        self.copy_btn.setText(self.tr("Copy to clipboard"))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: the table in app.views.shortcuts, as this platform writes keys."""

    def __init__(self, panel_titles: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ShortcutsDialog")
        self._titles_of = panel_titles
        layout = QVBoxLayout(self)
        self.table = _read_only_table(3)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.resize(560, 300)
        self.retranslate_ui()

    def rows(self) -> list[tuple[str, str, str]]:
        """(keys, where, what) for every shortcut, in the current language."""
        titles = self._titles_of() if callable(self._titles_of) else (self._titles_of or {})
        return [(shortcuts.key_text(sc), shortcuts.scope_title(sc.scope), shortcuts.describe(sc, titles))
                for sc in shortcuts.SHORTCUTS]

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Keys"), self.tr("Where"), self.tr("Action")])
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        _fit_rows(self.table)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
