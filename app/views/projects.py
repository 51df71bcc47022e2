"""Projects: create, rename, describe, archive, delete (with confirmation), search."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QTableWidget, QTableWidgetItem,
    QWidget,
)

from app.core.errors import UserError
from app.core.projects import ProjectStore
from app.views.error_texts import user_error_text
from app.views.panel import Panel
from app.views.widgets import show_error


class ProjectDialog(QDialog):
    """Name + description; used for both New and Edit."""

    def __init__(self, parent: QWidget | None, name: str = "", description: str = "", new: bool = True):
        super().__init__(parent)
        self.setWindowTitle(self.tr("New project") if new else self.tr("Edit project"))
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.name = QLineEdit(name)
        self.name.setPlaceholderText(self.tr("e.g. Customer support assistant"))
        self.description = QPlainTextEdit(description)
        self.description.setPlaceholderText(self.tr("What is this project for? (optional)"))
        self.description.setFixedHeight(90)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Description"), self.description)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str]:
        return self.name.text(), self.description.toPlainText()


class ProjectsPanel(Panel):
    COLUMNS = 4

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-projects")
        self.store = ProjectStore(ctx.db)
        self._projects = []

        layout = self.body

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.show_archived = QCheckBox()
        self.show_archived.toggled.connect(self.refresh)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_archived)
        layout.addLayout(bar)

        buttons = QHBoxLayout()
        self.new_btn = QPushButton(objectName="Primary")
        self.edit_btn = QPushButton()
        self.archive_btn = QPushButton()
        self.delete_btn = QPushButton()
        for b in (self.new_btn, self.edit_btn, self.archive_btn, self.delete_btn):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.new_btn.clicked.connect(self.create_project)
        self.edit_btn.clicked.connect(self.edit_project)
        self.archive_btn.clicked.connect(self.toggle_archive)
        self.delete_btn.clicked.connect(self.delete_project)

        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda *_: self.edit_project())
        layout.addWidget(self.table, 1)

        self.empty = QLabel(objectName="Muted", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        layout.addWidget(self.empty)

        self.retranslate_ui()
        self.refresh()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Projects"), self.tr(
            "A project keeps its datasets, training runs, models and chats together."))
        self.search.setPlaceholderText(self.tr("Search projects by name or description…"))
        self.show_archived.setText(self.tr("Show archived"))
        self.new_btn.setText(self.tr("New project…"))
        self.edit_btn.setText(self.tr("Rename / describe…"))
        self.delete_btn.setText(self.tr("Delete…"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Description"), self.tr("Status"), self.tr("Updated")])
        self.refresh()

    # --- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_id()
        self._projects = self.store.list(search=self.search.text(), include_archived=self.show_archived.isChecked())
        self.table.setRowCount(len(self._projects))
        for row, p in enumerate(self._projects):
            status = self.tr("Archived") if p.archived else self.tr("Active")
            cells = [p.name, p.description.replace("\n", " "), status, _fmt_time(p.updated_at)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                if col == 1:
                    item.setToolTip(p.description)
                self.table.setItem(row, col, item)
            if p.id == selected:
                self.table.selectRow(row)
        has_rows = bool(self._projects)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        if self.search.text():
            self.empty.setText(self.tr("No project matches your search."))
        else:
            self.empty.setText(self.tr(
                "No projects yet. Create one to keep your datasets, runs and chats together."))
        self._update_buttons()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def selected(self):
        pid = self.selected_id()
        return next((p for p in self._projects if p.id == pid), None)

    def _update_buttons(self) -> None:
        p = self.selected()
        for b in (self.edit_btn, self.archive_btn, self.delete_btn):
            b.setEnabled(p is not None)
        self.archive_btn.setText(self.tr("Unarchive") if p is not None and p.archived else self.tr("Archive"))

    def _run(self, action) -> bool:
        try:
            action()
        except UserError as err:
            show_error(self, self.tr("Projects"), user_error_text(err))
            self.refresh()
            return False
        self.refresh()
        return True

    # --- actions ------------------------------------------------------------------------------
    def create_project(self) -> None:
        dialog = ProjectDialog(self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            name, description = dialog.values()
            created = {}
            if self._run(lambda: created.setdefault("p", self.store.create(name, description))):
                self._select(created["p"].id)
                self.ctx.status_message.emit(self.tr('Project "{name}" created.').format(name=created["p"].name), 4000)
                return

    def edit_project(self) -> None:
        p = self.selected()
        if p is None:
            return
        dialog = ProjectDialog(self, p.name, p.description, new=False)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            name, description = dialog.values()

            def apply():
                if name.strip() != p.name:
                    self.store.rename(p.id, name)
                if description != p.description:
                    self.store.set_description(p.id, description)

            if self._run(apply):
                return

    def toggle_archive(self) -> None:
        p = self.selected()
        if p is not None:
            self._run(lambda: self.store.archive(p.id, not p.archived))

    def delete_project(self) -> None:
        p = self.selected()
        if p is None:
            return
        answer = QMessageBox.question(
            self, self.tr("Delete project"),
            self.tr('Delete the project "{name}"? Its runs, datasets and chats stay on disk but are no '
                    'longer grouped under it. This cannot be undone.').format(name=p.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: self.store.delete(p.id))

    def _select(self, project_id: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == project_id:
                self.table.selectRow(row)
                return


def _fmt_time(value) -> str:
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")
