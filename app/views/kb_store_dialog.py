"""Where a knowledge base keeps its vectors: asked when one is created (with its name) and when
its vectors are moved (``kb migrate``). faiss files on this computer are the default; Milvus Lite is
an embedded Milvus in the data folder; a Milvus server is an address (http://HOST:19530)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

FAISS, LITE, SERVER = "faiss", "milvus-lite", "milvus-server"


def store_choice(kind: str) -> tuple[str, bool]:
    """``(store, needs_uri)`` for a choice of the combo."""
    return ("faiss", False) if kind == FAISS else ("milvus", kind == SERVER)


def store_text(store: str, uri: str | None) -> str:
    """Where a base's vectors are, as the panel says it."""
    if store != "milvus":
        return QCoreApplication.translate("KbStore", "faiss (this computer)")
    if uri:
        return QCoreApplication.translate("KbStore", "Milvus server {uri}").format(uri=uri)
    return QCoreApplication.translate("KbStore", "Milvus Lite (this computer)")


class KbStoreDialog(QDialog):
    """``name`` None: only the store is asked (moving a base); else the name too (creating one)."""

    def __init__(self, parent: QWidget | None, title: str, *, name: str | None = "",
                 current: tuple[str, str | None] | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        self.name = None
        if name is not None:
            self.name = QLineEdit(name, objectName="kb-name")
            form.addRow(self.tr("Name:"), self.name)
        self.kind = QComboBox(objectName="kb-store")
        self.kind.addItem(self.tr("faiss files on this computer (default)"), FAISS)
        self.kind.addItem(self.tr("Milvus Lite on this computer"), LITE)
        self.kind.addItem(self.tr("A Milvus server"), SERVER)
        form.addRow(self.tr("Vector store:"), self.kind)
        self.uri = QLineEdit(objectName="kb-uri", placeholderText="http://HOST:19530")
        self.uri_label = QLabel(self.tr("Server address:"))
        form.addRow(self.uri_label, self.uri)
        # Outside the form: a wrapped label in a QFormLayout row gets one line's height and overlaps.
        self.note = QLabel(wordWrap=True, objectName="Muted")
        outer.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        if current is not None:
            store, uri = current
            self.kind.setCurrentIndex(self.kind.findData(SERVER if uri else (LITE if store == "milvus" else FAISS)))
            self.uri.setText(uri or "")
        self.kind.currentIndexChanged.connect(self._update)
        self.uri.textChanged.connect(self._update)
        if self.name is not None:
            self.name.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        kind = self.kind.currentData()
        server = kind == SERVER
        self.uri.setVisible(server)
        self.uri_label.setVisible(server)
        self.note.setText({
            FAISS: self.tr("Fast and simple; the index is files in the data folder."),
            LITE: self.tr("An embedded Milvus in the data folder: the same store as a Milvus server, "
                          "so the base can move to one later."),
            SERVER: self.tr("The vectors live on the server (shared by a lab or a cluster); the passages' "
                            "text and the keyword index stay on this computer."),
        }[kind])
        ok = (not server or bool(self.uri.text().strip())) and (self.name is None or bool(self.name.text().strip()))
        self.ok.setEnabled(ok)

    def values(self) -> tuple[str, str, str | None]:
        """``(name, store, uri)`` as chosen (name "" when it was not asked)."""
        store, needs_uri = store_choice(self.kind.currentData())
        uri = self.uri.text().strip() if needs_uri else None
        return (self.name.text().strip() if self.name is not None else ""), store, uri
