"""Knowledge: knowledge bases fed by dropping files or folders, each document's status, and a
retrieval tester. Indexing runs through ``ctx.kb_jobs`` and questions through ``ctx.kb_query``
(both run the knowledge engine in its own process)."""

from __future__ import annotations

import html

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QMenu, QToolButton, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit,
    QMessageBox, QProgressBar, QPushButton, QSpinBox, QSplitter, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from app.core import protocol
from app.core.errors import UserError
from app.core.kb import KnowledgeStore
from app.views.error_texts import failure_text, outcome_text, reason_text, user_error_text
from app.views.kb_store_dialog import KbStoreDialog, store_text
from app.views.panel import Panel
from app.views.widgets import show_error


def doc_status_text(status: str) -> str:
    return {
        "queued": QCoreApplication.translate("DocStatus", "Queued"),
        "indexing": QCoreApplication.translate("DocStatus", "Indexing"),
        "indexed": QCoreApplication.translate("DocStatus", "Indexed"),
        "unchanged": QCoreApplication.translate("DocStatus", "Unchanged"),
        "failed": QCoreApplication.translate("DocStatus", "Failed"),
        "skipped": QCoreApplication.translate("DocStatus", "Skipped"),
        "removed": QCoreApplication.translate("DocStatus", "Removed"),
    }.get(status, status)


SYNC_DELAY_MS = 2000  # after the last change in a followed folder
REASON_COL = 5  # the documents table: Document, Status, Chunks, Tags, Date, Reason
WATCH_MAX = 5000  # paths watched (folders and files); beyond, changes are found at the next start


class KnowledgePanel(Panel):
    indexing_finished = Signal(object)  # an indexing job's Outcome (any base: the list may change)
    query_answered = Signal(dict)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-knowledge")
        self.setAcceptDrops(True)
        self.store = KnowledgeStore(ctx.db)
        self.jobs = ctx.kb_jobs  # indexing, one engine at a time for the whole window
        self.jobs.started.connect(self._job_started)
        self.jobs.event.connect(self._index_event)
        self.jobs.job_done.connect(self._index_finished)
        self._query_req = None  # the tester's question, answered by ctx.kb_query (shared with chat)
        ctx.kb_query.answered.connect(self._kb_answered)
        ctx.kb_query.failed.connect(self._kb_failed)
        layout = self.body

        bar = QHBoxLayout()
        self.kb = QComboBox(minimumWidth=150)  # the bar must fit the smallest window (test_layout)
        self.kb.currentIndexChanged.connect(self.show_kb)
        self.new_btn = QPushButton(objectName="Primary")
        self.rename_btn = QPushButton()
        self.delete_btn = QPushButton()
        self.add_files_btn = QPushButton()
        # Click: add a folder once; its menu: follow a folder (kept in sync), or stop following one.
        self.add_folder_btn = QToolButton(objectName="kb-add-folder", popupMode=QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.follow_menu = QMenu(self)
        self.follow_menu.aboutToShow.connect(self._fill_follow_menu)
        self.add_folder_btn.setMenu(self.follow_menu)
        self.rebuild_btn = QPushButton()
        self.rebuild_btn.clicked.connect(lambda: self.rebuild_kb())  # clicked(bool) is no passage size
        self.move_btn = QPushButton(objectName="kb-move")
        self.move_btn.clicked.connect(lambda: self.move_kb())
        for w in (self.kb, self.new_btn, self.rename_btn, self.delete_btn, self.rebuild_btn, self.move_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.add_files_btn)
        bar.addWidget(self.add_folder_btn)
        layout.addLayout(bar)
        self.new_btn.clicked.connect(self.create_kb)
        self.rename_btn.clicked.connect(self.rename_kb)
        self.delete_btn.clicked.connect(self.delete_kb)
        self.add_files_btn.clicked.connect(self.choose_files)
        self.add_folder_btn.clicked.connect(self.choose_folder)

        prog = QHBoxLayout()
        self.progress = QProgressBar(visible=False)
        self.rate = QLabel(objectName="Muted", wordWrap=True)  # a failure's reason is a sentence or two
        self.cancel_btn = QPushButton(visible=False)
        self.cancel_btn.clicked.connect(self.cancel)
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.rate, 1)
        prog.addWidget(self.cancel_btn)
        layout.addLayout(prog)

        split = QSplitter(Qt.Orientation.Vertical)
        docs = QWidget()
        dl = QVBoxLayout(docs)
        dl.setContentsMargins(0, 0, 0, 0)
        self.docs = QTableWidget(0, 6)
        self.docs.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.docs.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.docs.verticalHeader().setVisible(False)
        self.docs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.docs.horizontalHeader().setSectionResizeMode(REASON_COL, QHeaderView.ResizeMode.Stretch)
        self.docs.itemSelectionChanged.connect(self._selection_changed)
        self.docs.cellDoubleClicked.connect(lambda row, _col: self.edit_details(row))
        dl.addWidget(self.docs, 1)
        # Documents a killed indexing run left unfinished: one click finishes them.
        self.resume_box = QWidget()
        rrow = QHBoxLayout(self.resume_box)
        rrow.setContentsMargins(0, 0, 0, 0)
        self.resume_note = QLabel(objectName="Warning", wordWrap=True)
        self.resume_btn = QPushButton(objectName="Primary")
        self.resume_btn.clicked.connect(self.resume_indexing)
        rrow.addWidget(self.resume_note, 1)
        rrow.addWidget(self.resume_btn)
        self.resume_box.setVisible(False)
        dl.addWidget(self.resume_box)
        drow = QHBoxLayout()
        self.empty = QLabel(objectName="Muted", wordWrap=True)
        self.remove_btn = QPushButton()
        self.reindex_btn = QPushButton()
        self.remove_btn.clicked.connect(self.remove_selected)
        self.reindex_btn.clicked.connect(self.reindex_selected)
        self.details_btn = QPushButton(objectName="kb-details")
        self.details_btn.clicked.connect(lambda: self.edit_details())
        drow.addWidget(self.empty, 1)
        drow.addWidget(self.details_btn)
        drow.addWidget(self.remove_btn)
        drow.addWidget(self.reindex_btn)
        dl.addLayout(drow)
        split.addWidget(docs)

        tester = QWidget()
        tl = QVBoxLayout(tester)
        tl.setContentsMargins(0, 0, 0, 0)
        qrow = QHBoxLayout()
        self.query = QLineEdit()
        self.query.returnPressed.connect(self.search)
        self.top_k = QSpinBox(minimum=1, maximum=50, value=5)
        self.rerank = QCheckBox(objectName="kb-rerank")  # the cross-encoder stage, when one is installed
        self.search_btn = QPushButton()
        self.search_btn.clicked.connect(self.search)
        self.tester_label = QLabel(objectName="CardTitle")
        tl.addWidget(self.tester_label)
        qrow.addWidget(self.query, 1)
        qrow.addWidget(self.top_k)
        qrow.addWidget(self.rerank)
        qrow.addWidget(self.search_btn)
        tl.addLayout(qrow)
        frow = QHBoxLayout()  # keep to documents with a tag, a source, a date range (their Details…)
        self.filter_label = QLabel(objectName="Muted")
        self.filter_tags = QLineEdit(objectName="kb-filter-tags")
        self.filter_source = QLineEdit(objectName="kb-filter-source")
        self.filter_after = QLineEdit(objectName="kb-filter-after")
        self.filter_before = QLineEdit(objectName="kb-filter-before")
        for w, stretch in ((self.filter_label, 0), (self.filter_tags, 2), (self.filter_source, 2),
                           (self.filter_after, 1), (self.filter_before, 1)):
            frow.addWidget(w, stretch)
            if isinstance(w, QLineEdit):
                w.returnPressed.connect(self.search)
        tl.addLayout(frow)
        self.results = QTableWidget(0, 4)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.setWordWrap(True)
        self.results.verticalHeader().setVisible(False)
        self.results.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        tl.addWidget(self.results, 1)
        self.query_info = QLabel(objectName="Muted", wordWrap=True)
        tl.addWidget(self.query_info)
        split.addWidget(tester)
        split.setSizes([320, 280])
        layout.addWidget(split, 1)
        # Followed folders: watched while the window runs, synced on a change (after a pause, so a
        # copy of many files is one job) and once at start.
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._folder_changed)
        self.watcher.fileChanged.connect(self._folder_changed)
        self._sync_timer = QTimer(self, singleShot=True, interval=SYNC_DELAY_MS)
        self._sync_timer.timeout.connect(self._sync_changed)
        self._changed: set[str] = set()
        self.retranslate_ui()
        self.reload_kbs()
        QTimer.singleShot(0, self.sync_followed)

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Knowledge"), self.tr(
            "Drop PDF, Word, HTML, Markdown or text files, spreadsheets, slides or images (or whole folders) here to "
            "index them into the chosen knowledge base; scanned pages and images are read with OCR. Chinese and "
            "English both work. Bad files are listed with the reason."))
        self.new_btn.setText(self.tr("New…"))
        self.rename_btn.setText(self.tr("Rename…"))
        self.delete_btn.setText(self.tr("Delete…"))
        self.add_files_btn.setText(self.tr("Add files…"))
        self.add_folder_btn.setText(self.tr("Add folder…"))
        self.rebuild_btn.setText(self.tr("Rebuild…"))
        self.resume_btn.setText(self.tr("Finish indexing"))
        self.rebuild_btn.setToolTip(self.tr("Change the passage size and re-embed every document"))
        self.move_btn.setText(self.tr("Move…"))
        self.move_btn.setToolTip(self.tr("Move the vectors to faiss, Milvus Lite or a Milvus server, without re-embedding"))
        self.cancel_btn.setText(self.tr("Cancel"))
        self.docs.setHorizontalHeaderLabels([self.tr("Document"), self.tr("Status"), self.tr("Chunks"), self.tr("Tags"),
                                             self.tr("Date"), self.tr("Reason")])
        self.details_btn.setText(self.tr("Details…"))
        self.details_btn.setToolTip(self.tr("Tags, source and date of the selected document, for filtering"))
        self.filter_label.setText(self.tr("Only:"))
        self.filter_tags.setPlaceholderText(self.tr("tags"))
        self.filter_source.setPlaceholderText(self.tr("source contains"))
        self.filter_after.setPlaceholderText(self.tr("from YYYY-MM-DD"))
        self.filter_before.setPlaceholderText(self.tr("to YYYY-MM-DD"))
        if getattr(self, "_filter_error", None) is not None:
            self.query_info.setText(user_error_text(self._filter_error))
        self.remove_btn.setText(self.tr("Remove"))
        self.reindex_btn.setText(self.tr("Re-index"))
        self.tester_label.setText(self.tr("Try a question"))
        self.query.setPlaceholderText(self.tr("Ask something the documents answer…"))
        self.search_btn.setText(self.tr("Search"))
        self.rerank.setText(self.tr("Rerank"))
        self.rerank.setToolTip("<p>" + html.escape(self.tr(
            "Reorder the passages with a cross-encoder reranker (a model folder in the data folder's rerankers/). "
            "The Score column then shows its score.")) + "</p>")
        self.results.setHorizontalHeaderLabels([self.tr("Score"), self.tr("File"), self.tr("Page"), self.tr("Passage")])
        self.show_kb()

    # --- knowledge bases ----------------------------------------------------------------------
    # --- followed folders ---------------------------------------------------------------------
    def _fill_follow_menu(self) -> None:
        self.follow_menu.clear()
        kb_id = self.kb_id()
        act = self.follow_menu.addAction(self.tr("Follow a folder (keep in sync)…"))
        act.setEnabled(kb_id is not None)
        act.triggered.connect(lambda: self.follow_folder())
        if kb_id is not None:
            for folder in self.store.get(kb_id).follow:
                stop = self.follow_menu.addAction(self.tr("Stop following {folder}").format(folder=folder))
                stop.triggered.connect(lambda _=False, f=folder: self.unfollow_folder(f))

    def follow_folder(self, folder: str | None = None) -> bool:
        """The shown base follows ``folder`` (asked when None): indexed now, then kept in sync."""
        kb_id = self.kb_id()
        if kb_id is None:
            return False
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for {name} to follow").format(
                name=self.kb.currentText()))
            if not folder:
                return False
        try:
            self.store.follow(kb_id, folder)
        except UserError as err:
            show_error(self, self.tr("Knowledge"), user_error_text(err))
            return False
        self.jobs.sync(kb_id)
        self._watch()
        self.show_kb()
        return True

    def unfollow_folder(self, folder: str) -> None:
        kb_id = self.kb_id()
        if kb_id is not None:
            self.store.unfollow(kb_id, folder)
            self._watch()
            self.show_kb()

    def sync_followed(self) -> None:
        """A sync for every base that follows a folder (at start: changes made while it was closed)."""
        for kb in self.store.list():
            if kb.follow and not self.jobs.busy(kb.id):
                self.jobs.sync(kb.id)
        self._watch()

    def _watch(self) -> None:
        """Watch the followed folders, their subfolders and files (up to WATCH_MAX paths)."""
        import os

        wanted: list[str] = []
        for kb in self.store.list():
            for folder in kb.follow:
                for root, dirs, files in os.walk(folder):
                    dirs[:] = [d for d in dirs if not d.startswith(".")]
                    wanted.append(root)
                    wanted.extend(os.path.join(root, f) for f in files if not f.startswith("."))
                    if len(wanted) > WATCH_MAX:
                        break
        wanted = wanted[:WATCH_MAX]
        old = self.watcher.files() + self.watcher.directories()
        if old:
            self.watcher.removePaths(old)
        if wanted:
            self.watcher.addPaths(wanted)

    def _folder_changed(self, path: str) -> None:
        self._changed.add(path)
        self._sync_timer.start()

    def _sync_changed(self) -> None:
        changed, self._changed = self._changed, set()
        for kb in self.store.list():
            if any(p == f or p.startswith(f.rstrip("/") + "/") for f in kb.follow for p in changed):
                if not self.jobs.busy(kb.id):
                    self.jobs.sync(kb.id)
        self._watch()  # new subfolders and files, and paths that went away

    def reload_kbs(self, select: int | None = None) -> None:
        keep = select if select is not None else self.kb.currentData()
        if keep is None:
            keep = self.ctx.recall("knowledge.kb")  # the base chosen last time
        self.kb.blockSignals(True)
        self.kb.clear()
        for kb in self.store.list():
            self.kb.addItem(kb.name, kb.id)
        if keep is not None and self.kb.findData(keep) >= 0:
            self.kb.setCurrentIndex(self.kb.findData(keep))
        self.kb.blockSignals(False)
        self.show_kb()

    def kb_id(self) -> int | None:
        return self.kb.currentData()

    def show_kb(self) -> None:
        kb_id = self.kb_id()
        has = kb_id is not None
        if has:
            self.ctx.remember("knowledge.kb", kb_id)
        if kb_id != getattr(self, "_results_kb", kb_id):  # another base: its answers are not these
            self.results.setRowCount(0)
            self.query_info.setText("")
        self._results_kb = kb_id
        busy = self.busy()
        self.search_btn.setEnabled(has)
        for w in (self.rename_btn, self.delete_btn, self.rebuild_btn, self.move_btn):
            w.setEnabled(has and not busy)  # not while its index is being written
        self._show_progress()
        self.add_files_btn.setEnabled(has)  # more files queue behind a running job
        self.add_folder_btn.setEnabled(has)
        docs = self.store.documents(kb_id) if has else []
        self.docs.setRowCount(len(docs))
        for row, d in enumerate(docs):
            reason = reason_text(d.error_code, d.error_params, d.error) if d.error else ""
            # The file's name first (a full path hides it at the far end); the path in the tooltip.
            shown = f"{Path(d.path).name} — {Path(d.path).parent}"
            cells = (shown, doc_status_text(d.status), str(d.n_chunks or 0), ", ".join(d.tags), d.date, reason)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, d.path)
                if col == 0:
                    item.setToolTip(d.path)
                if col == 3 and d.source:
                    item.setToolTip(self.tr("Source: {source}").format(source=d.source))
                if col == REASON_COL and text:
                    # the whole reason (the column cuts it), and the English original as the CLI says it
                    item.setToolTip(text if text == (d.error or "") else f"{text}\n\n{d.error}")
                self.docs.setItem(row, col, item)
        if not has:
            self.empty.setText(self.tr("No knowledge base yet. Create one, then drop documents here."))
        elif not docs:
            self.empty.setText(self.tr("Empty. Drop files or folders here, or use Add files."))
        else:
            kb = self.store.get(kb_id)
            text = self.tr("{docs} documents, {chunks} passages, {failed} failed · vectors in {store}.").format(
                docs=kb.n_documents, chunks=kb.n_chunks, failed=kb.n_failed,
                store=store_text(kb.vector_store, kb.store_uri))
            if kb.follow:
                text += " " + self.tr("Follows {folders}: kept in sync.").format(folders=", ".join(kb.follow))
            self.empty.setText(text)
        self._selection_changed()
        unfinished = [d for d in docs if d.status in ("queued", "indexing")]
        self.resume_box.setVisible(bool(unfinished) and not busy)
        if unfinished:
            self.resume_note.setText(self.tr(
                "Not finished: {n} of the documents. Indexing stopped before them (the app closed, the job was "
                "cancelled, or it failed: the line above the table says why).").format(n=len(unfinished)))

    def busy(self) -> bool:
        """An indexing job runs or waits for the shown knowledge base."""
        return self.kb_id() is not None and self.jobs.busy(self.kb_id())

    def resume_indexing(self) -> bool:
        """Index the documents an interrupted run left queued (the engine picks them up itself)."""
        return self.add_paths([])

    def create_kb(self) -> None:
        dialog = KbStoreDialog(self, self.tr("New knowledge base"))
        if dialog.exec() == KbStoreDialog.DialogCode.Accepted:
            name, store, uri = dialog.values()
            self._create(name, store, uri)

    def _create(self, name: str, store: str = "faiss", uri: str | None = None) -> int | None:
        """Create a base (a Milvus server's only once it answered: checked off the GUI thread, so
        this returns None for it and the base appears when the check is done)."""
        if uri:
            from app.core.kb import check_milvus_server, check_store
            from app.workers.background import BackgroundCall

            try:
                check_store(store, uri)
            except UserError as err:
                show_error(self, self.tr("Knowledge"), user_error_text(err))
                return None

            def check(uri=uri):
                try:
                    check_milvus_server(uri)
                except UserError as err:
                    return {"ok": False, "error": err}
                return {"ok": True}

            self.ctx.status_message.emit(self.tr("Connecting to the Milvus server at {uri}…").format(uri=uri), 5000)
            self.new_btn.setEnabled(False)
            call = BackgroundCall(check, name="milvus-check", parent=self)
            call.done.connect(lambda result, c=call: self._server_checked(c, result, name, store, uri))
            self._server_check = call
            call.start()
            return None
        return self._create_now(name, store, uri)

    def _server_checked(self, call, result: dict, name: str, store: str, uri: str) -> None:
        call.deleteLater()
        self._server_check = None
        self.new_btn.setEnabled(True)
        if not result.get("ok"):
            err = result.get("error")
            show_error(self, self.tr("Knowledge"), user_error_text(err) if isinstance(err, UserError) else str(err))
            return
        self._create_now(name, store, uri)

    def _create_now(self, name: str, store: str, uri: str | None) -> int | None:
        try:
            kb = self.store.create(name, store=store, uri=uri)
        except UserError as err:
            show_error(self, self.tr("Knowledge"), user_error_text(err))
            return None
        self.reload_kbs(select=kb.id)
        return kb.id

    def move_kb(self, store: str | None = None, uri: str | None = None) -> bool:
        """Move the shown base's vectors to another store (asked, or as given), with progress."""
        kb_id = self.kb_id()
        if kb_id is None or self.busy():
            return False
        kb = self.store.get(kb_id)
        if store is None:
            dialog = KbStoreDialog(self, self.tr("Move {name}").format(name=kb.name), name=None,
                                   current=(kb.vector_store, kb.store_uri))
            if dialog.exec() != KbStoreDialog.DialogCode.Accepted:
                return False
            _, store, uri = dialog.values()
        if store == kb.vector_store and (uri or None) == (kb.store_uri or None):
            return False
        self.jobs.migrate(kb_id, store, uri)
        self.ctx.status_message.emit(self.tr("Moving the vectors of {name} to {store}.").format(
            name=kb.name, store=store_text(store, uri)), 5000)
        self.show_kb()
        return True

    def rename_kb(self) -> None:
        kb_id = self.kb_id()
        if kb_id is None:
            return
        name, ok = QInputDialog.getText(self, self.tr("Rename knowledge base"), self.tr("Name:"),
                                        text=self.store.get(kb_id).name)
        if ok:
            try:
                self.store.rename(kb_id, name)
            except UserError as err:
                show_error(self, self.tr("Knowledge"), user_error_text(err))
            self.reload_kbs()

    def delete_kb(self) -> None:
        kb_id = self.kb_id()
        if kb_id is None:
            return
        kb = self.store.get(kb_id)
        answer = QMessageBox.question(
            self, self.tr("Delete knowledge base"),
            self.tr('Delete the knowledge base "{name}" and its index? Your documents themselves are not touched.')
            .format(name=kb.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Yes:
            self.jobs.cancel(kb_id)
            self.ctx.kb_query.forget(kb_id)
            if kb.store_uri:  # its collection on the server goes too: the knowledge engine talks to Milvus
                self.jobs.delete(kb_id)
                return
            try:
                self.store.delete(kb_id)  # waits for a writer (this window's, the CLI's) to stop
            except UserError as err:
                show_error(self, self.tr("Knowledge"), user_error_text(err))
            self.reload_kbs()

    # --- indexing -----------------------------------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Add documents to {name}").format(name=self.kb.currentText()), "",
                                                self.tr("Documents (*.pdf *.docx *.md *.markdown *.txt *.html *.htm *.csv *.xlsx *.pptx *.epub);;"
                                                        "Images, read with OCR (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;"
                                                        "All files (*)"))
        if files:
            self.add_paths(files)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of documents to {name}").format(
            name=self.kb.currentText()))
        if folder:
            self.add_paths([folder])

    def rebuild_kb(self, chunk_size: int | None = None, chunk_overlap: int | None = None) -> bool:
        """Re-embed every document, after asking for the passage size (or with the sizes given)."""
        kb_id = self.kb_id()
        if kb_id is None or self.busy():
            return False
        kb = self.store.get(kb_id)
        if chunk_size is None:
            from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout

            dialog = QDialog(self)
            dialog.setWindowTitle(self.tr("Rebuild {name}").format(name=kb.name))
            form = QFormLayout(dialog)
            size = QSpinBox(minimum=64, maximum=4096, value=kb.chunk_size, singleStep=64)
            overlap = QSpinBox(minimum=0, maximum=2048, value=kb.chunk_overlap, singleStep=16)
            note = QLabel(self.tr("Every document is read and embedded again; the old index is replaced."),
                          wordWrap=True)
            form.addRow(note)
            form.addRow(self.tr("Passage size (characters)"), size)
            form.addRow(self.tr("Overlap (characters)"), overlap)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
            buttons.accepted.connect(dialog.accept)
            buttons.rejected.connect(dialog.reject)
            form.addRow(buttons)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            chunk_size, chunk_overlap = size.value(), overlap.value()
        try:
            self.store.update_settings(kb_id, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        except UserError as err:
            show_error(self, self.tr("Rebuild"), user_error_text(err))
            return False
        self.jobs.rebuild(kb_id)
        self.show_kb()
        return True

    def add_paths(self, items: list[str], extra_args: list[str] | None = None) -> bool:
        """Index files and folders into the shown knowledge base (after what is already queued)."""
        kb_id = self.kb_id()
        if kb_id is None:
            return False
        self.jobs.add(kb_id, items, extra_args)
        if items:  # say where they go: the chosen base is easy to overlook
            self.ctx.status_message.emit(self.tr("Adding {n} item(s) to {name}.").format(
                n=len(items), name=self.kb.currentText()), 5000)
        self.show_kb()
        return True

    def _job_started(self, kb_id: int) -> None:
        if kb_id == self.kb_id():
            self.rate.setText(self.tr("Starting…"))
            self.progress.setRange(0, 0)
        self.show_kb()

    def _show_progress(self) -> None:
        mine = self.kb_id() is not None and self.jobs.running_kb == self.kb_id()
        self.progress.setVisible(mine)
        self.cancel_btn.setVisible(self.busy())

    def _index_event(self, kb_id: int, ev) -> None:
        if kb_id != self.kb_id():
            return
        if isinstance(ev, protocol.Progress):
            if ev.total:
                self.progress.setRange(0, int(ev.total))
                self.progress.setValue(int(ev.step))
            extra = ev.extra or {}
            if "index_build" in extra:  # the save that moves a large base to a faster index
                self.rate.setText(self.tr("Building a faster search index for {n} passages (once; about "
                                          "two minutes per million)…").format(n=f"{int(extra['index_build']):,}"))
            elif "ocr_page" in extra:  # a scanned document, read page by page
                self.rate.setText(self.tr("OCR: page {page} of {pages} of {file}").format(
                    page=extra["ocr_page"], pages=extra["ocr_pages"], file=Path(str(extra.get("file", ""))).name))
            elif "chunks_per_s" in extra and "files_per_s" not in extra:  # moving vectors
                self.rate.setText(self.tr("{chunks:.0f} passages/s moved").format(chunks=float(extra["chunks_per_s"])))
            elif "files_per_s" in extra or "chunks_per_s" in extra:
                self.rate.setText(self.tr("{files:.1f} files/s · {chunks:.0f} passages/s").format(
                    files=float(extra.get("files_per_s") or 0), chunks=float(extra.get("chunks_per_s") or 0)))
        elif isinstance(ev, (protocol.Result, protocol.Checkpoint)):
            self.show_kb()

    def _index_finished(self, kb_id: int, outcome) -> None:
        kind = self.jobs.last_kind
        if kind == "sync":
            self._watch()  # the files it found are watched from now on
        if kind in ("delete", "migrate"):
            self.rate.setText("")
            self.progress.setVisible(False)
            if not outcome.ok:
                show_error(self, self.tr("Knowledge"), outcome_text(outcome, sep=" "))
            elif kind == "migrate":
                try:
                    kb = self.store.get(kb_id)
                    self.ctx.status_message.emit(self.tr("The vectors of {name} are now in {store}.").format(
                        name=kb.name, store=store_text(kb.vector_store, kb.store_uri)), 8000)
                except UserError:
                    pass
        elif kb_id == self.kb_id():
            self.rate.setText("" if outcome.ok else self.tr("Indexing stopped: {reason}").format(
                reason=outcome_text(outcome, sep=" ")))
        self.reload_kbs()
        self.indexing_finished.emit(outcome)

    def cancel(self) -> None:
        if self.kb_id() is not None:
            self.jobs.cancel(self.kb_id())

    def _selection_changed(self) -> None:
        rows = self.docs.selectionModel().selectedRows() if self.docs.selectionModel() else []
        for w in (self.remove_btn, self.reindex_btn):
            w.setEnabled(bool(rows) and not self.busy())
        self.details_btn.setEnabled(len(rows) == 1)  # metadata is edited while indexing goes on

    def selected_paths(self) -> list[str]:
        rows = {i.row() for i in self.docs.selectionModel().selectedRows()}
        return [self.docs.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in sorted(rows)]

    def remove_selected(self) -> None:
        paths_ = self.selected_paths()
        kb_id = self.kb_id()
        if not paths_ or kb_id is None or self.busy():
            return
        self.jobs.remove(kb_id, paths_)
        self.show_kb()

    def reindex_selected(self) -> None:
        paths_ = self.selected_paths()
        if paths_:
            self.add_paths(paths_)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        items = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not items:
            return
        if self.kb_id() is None:
            self._create(self.tr("My documents"))
        self.add_paths(items)
        event.acceptProposedAction()

    def edit_details(self, row: int | None = None):
        """Details… of the selected document (or ``row``'s): tags, source, date; the table shows them after."""
        from app.views.doc_meta_dialog import DocMetaDialog

        kb_id = self.kb_id()
        paths_ = [self.docs.item(row, 0).data(Qt.ItemDataRole.UserRole)] if row is not None and self.docs.item(row, 0) \
            else self.selected_paths()
        if kb_id is None or len(paths_) != 1:
            return None
        self.details_dialog = DocMetaDialog(self.store, kb_id, paths_[0], self)
        self.details_dialog.accepted.connect(self.show_kb)
        self.details_dialog.open()
        return self.details_dialog

    # --- retrieval tester ---------------------------------------------------------------------
    def search(self) -> None:
        text, kb_id = self.query.text().strip(), self.kb_id()
        if not text or kb_id is None or self.busy():
            return
        import time

        from app.core.kb import DocFilter

        try:
            flt = DocFilter.make(self.filter_tags.text(), self.filter_source.text(), self.filter_after.text(),
                                 self.filter_before.text())
        except UserError as err:
            self._filter_error = err  # said again in the other language after a switch
            self.query_info.setText(user_error_text(err))
            return
        self._filter_error = None
        self._asked = (text, time.monotonic())
        self._query_req = self.ctx.kb_query.ask([kb_id], text, self.top_k.value(),
                                                rerank=self.rerank.isChecked() or None,
                                                filters=flt.to_json() if flt else None)
        if not self.ctx.kb_query.ready:
            self.query_info.setText(self.tr("Loading the embedding model…"))

    def _kb_answered(self, req: int, results: list) -> None:
        if req == self._query_req:
            self._query_req = None
            self._show_results(results[0] if results else {"chunks": []})

    def _kb_failed(self, req: int, message: str) -> None:
        if req == self._query_req:
            self._query_req = None
            self.query_info.setText(failure_text(self.ctx.kb_query.take_failure(req), message))

    def _show_results(self, data: dict) -> None:
        import time

        from PySide6.QtGui import QBrush

        from app.core import rag

        chunks = data.get("chunks", [])
        question, asked_at = getattr(self, "_asked", ("", time.monotonic()))
        muted = QBrush(self.palette().placeholderText().color())
        used = 0
        self.results.setRowCount(len(chunks))
        for row, c in enumerate(chunks):
            # What Chat would do with it: passages under the relevance floor are not given to the model.
            relevant = rag.is_relevant(c, question)
            used += relevant
            shown = c.get("rerank_score", c.get("score", 0))
            cells = (f"{shown:.3f}", Path(str(c.get("file", ""))).name,
                     "" if c.get("page") in (None, "") else str(c.get("page")), str(c.get("text", "")))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setToolTip(str(c.get("file", "")))
                if not relevant:
                    item.setForeground(muted)
                    item.setToolTip(self.tr("Chat would not use this passage: it is not relevant enough to the "
                                            "question (below the relevance floor)."))
                self.results.setItem(row, col, item)
        self.results.resizeRowsToContents()
        text = self.tr("{n} passages in {ms:.0f} ms; Chat would use {used} of them (the greyed ones are below "
                       "its relevance floor).").format(n=len(chunks), ms=float(data.get("ms", 0)), used=used)
        if data.get("filters"):
            text += " " + self.tr("Kept to {n} document(s) that match the filter.").format(
                n=data["filters"].get("documents", 0))
        stage = data.get("rerank") or {}
        if stage.get("used"):
            text += " " + self.tr("Reranked by {model}.").format(model=stage.get("model", ""))
        elif stage.get("reason"):
            text += " " + self.tr("Not reranked: no reranker model is installed (put one in the data folder's "
                                  "rerankers/).")
        waited = time.monotonic() - asked_at
        if waited > float(data.get("ms", 0)) / 1000 + 1.0:  # the first question loaded the embedding model
            text += " " + self.tr("This first answer took {s:.0f} s: the embedding model was loaded.").format(s=waited)
        self.query_info.setText(text)
        self.query_answered.emit(data)
