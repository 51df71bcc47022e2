"""Chat: sessions on the left, the transcript in the middle, the session's settings on the right.

The panel renders; the answers are made by ``app.workers.answers.AnswerPipeline`` (retrieval →
engine → stream → database, agent turns, compare = two answers), whose signals say what to repaint.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QMenu, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QSplitter, QTextBrowser,
    QToolButton, QVBoxLayout, QWidget,
)

from app.core import chat_targets
from app.core.chat_store import SAMPLING_KEYS, ChatStore, MessageInfo, SessionInfo
from app.core.chat_targets import ChatTarget
from app.core.errors import UserError
from app.views import chat_render
from app.views.chat_settings import ChatSettingsPane
from app.views.error_texts import user_error_text
from app.views.panel import Panel
from app.views.widgets import show_error
from app.workers.answers import AnswerPipeline

log = logging.getLogger(__name__)

RENDER_MS = 60


class ChatPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent, margins=(20, 16, 20, 16))
        self.setObjectName("panel-chat")
        self.store = ChatStore(ctx.db)
        self.recovered = self.store.recover_interrupted()
        self.session: SessionInfo | None = None
        self.messages: list[MessageInfo] = []
        self.targets: list[ChatTarget] = []
        self.answers = AnswerPipeline(self.store, ctx.serve, ctx.kb_query, knowledge_bases=self._knowledge_bases,
                                      parent=self)
        self.answers.delta.connect(self._on_delta)
        self.answers.changed.connect(lambda _mid: self._reload_messages())
        self.answers.finished.connect(self._on_answer_finished)
        self.answers.approval_needed.connect(self._approve)
        self.live: dict[int, str] = {}
        self.expanded_steps: set[int] = set()
        self.editing_from: int | None = None
        self._autoload_checked = False
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_MS)
        self._render_timer.timeout.connect(self.render)
        self._wait_timer = QTimer(self, interval=1000)  # "Starting the model… 12 s" counts while it waits
        self._wait_timer.timeout.connect(self._tick_wait)
        self._tool_support_key = None
        self._build()
        self.ctx.serve.changed.connect(self._update_engine_bar)
        self.retranslate_ui()
        self.refresh_targets()
        self.refresh_sessions()

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = self.body
        split = QSplitter(Qt.Orientation.Horizontal)
        layout.addWidget(split, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 8, 0)
        self.new_btn = QPushButton(objectName="Primary")
        self.new_btn.clicked.connect(self.new_session)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=200)
        self._search_timer.timeout.connect(self.refresh_sessions)
        self.search.textChanged.connect(self._search_timer.start)
        self.sessions = QListWidget()
        self.sessions.setMinimumWidth(170)
        self.sessions.setTextElideMode(Qt.TextElideMode.ElideRight)  # long titles end in "…"
        self.sessions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sessions.currentItemChanged.connect(self._session_selected)
        self.sessions.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.sessions.customContextMenuRequested.connect(self._session_menu)
        ll.addWidget(self.new_btn)
        ll.addWidget(self.search)
        ll.addWidget(self.sessions, 1)
        split.addWidget(left)

        mid = QWidget()
        ml = QVBoxLayout(mid)
        ml.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.model_label = QLabel()
        fit = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon  # long names: panel fits 1024 px
        self.model = QComboBox(minimumWidth=140, minimumContentsLength=10, sizeAdjustPolicy=fit)
        self.model.currentIndexChanged.connect(self._target_changed)
        self.compare = QCheckBox()
        self.compare.toggled.connect(self._compare_toggled)
        self.model_b = QComboBox(minimumWidth=120, minimumContentsLength=10, sizeAdjustPolicy=fit)
        self.model_b.currentIndexChanged.connect(self._target_b_changed)
        self.settings_btn = QToolButton(checkable=True, checked=True)
        top.addWidget(self.model_label)
        top.addWidget(self.model, 1)
        top.addWidget(self.compare)
        top.addWidget(self.model_b, 1)
        top.addWidget(self.settings_btn)
        ml.addLayout(top)

        engine_row = QHBoxLayout()
        self.engine_state = QLabel(objectName="Muted")
        self.engine_state.setWordWrap(True)
        self.engine_progress = QProgressBar(maximumWidth=180, textVisible=False)
        self.engine_progress.setVisible(False)
        self.load_btn = QPushButton()
        self.load_btn.clicked.connect(self.load_engine)
        self.unload_btn = QPushButton()
        self.unload_btn.clicked.connect(self.unload_engine)
        engine_row.addWidget(self.engine_state, 1)
        engine_row.addWidget(self.engine_progress)
        engine_row.addWidget(self.load_btn)
        engine_row.addWidget(self.unload_btn)
        ml.addLayout(engine_row)

        self.banner = QLabel(objectName="Banner", wordWrap=True)
        self.banner.setVisible(False)
        ml.addWidget(self.banner)

        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setOpenExternalLinks(False)
        self.view.anchorClicked.connect(self._link)
        ml.addWidget(self.view, 1)

        self.edit_note = QLabel(objectName="Muted")
        self.edit_note.setVisible(False)
        ml.addWidget(self.edit_note)
        entry = QHBoxLayout()
        self.input = QPlainTextEdit()
        self.input.setMaximumHeight(110)
        self.input.installEventFilter(self)
        self.send_btn = QPushButton(objectName="Primary")
        self.send_btn.clicked.connect(lambda: self.send())
        self.stop_btn = QPushButton()
        self.stop_btn.clicked.connect(self.stop)
        self.stop_btn.setEnabled(False)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_btn)
        buttons.addWidget(self.stop_btn)
        buttons.addStretch(1)
        entry.addWidget(self.input, 1)
        entry.addLayout(buttons)
        ml.addLayout(entry)
        split.addWidget(mid)

        self.side = ChatSettingsPane()
        self.side.changed.connect(self._settings_changed)
        self.side.memory_requested.connect(self.open_memory)
        self.settings_btn.toggled.connect(self.side.setVisible)
        split.addWidget(self.side)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([200, 600, 260])

        from app.views import shortcuts

        binds = [(shortcuts.key_sequence("chat.new"), self.new_session),
                 (shortcuts.key_sequence("chat.send"), self.send), (QKeySequence("Ctrl+Enter"), self.send),
                 (shortcuts.key_sequence("chat.stop"), self.stop),
                 (shortcuts.key_sequence("chat.compare"), self.compare.toggle)]
        for keys, slot in binds:
            sc = QShortcut(keys, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        # Enter sends, Shift+Enter is a new line (as in every chat app).
        if obj is self.input and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
                self.send()
                return True
        return super().eventFilter(obj, event)

    # --- sessions -------------------------------------------------------------------------------
    def refresh_sessions(self, select_id: int | None = None) -> None:
        current = select_id if select_id is not None else (self.session.id if self.session else None)
        self.sessions.blockSignals(True)
        self.sessions.clear()
        chosen = None
        for s in self.store.list_sessions(self.search.text()):
            item = QListWidgetItem(s.title or self.tr("New chat"))
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setToolTip(f"{s.title}\n{s.updated_at:%Y-%m-%d %H:%M}")
            self.sessions.addItem(item)
            if s.id == current:
                chosen = item
        self.sessions.blockSignals(False)
        if chosen is None and self.sessions.count() and not self.search.text():
            chosen = self.sessions.item(0)
        if chosen is not None:
            self.sessions.setCurrentItem(chosen)
            if self.session is None or self.session.id != chosen.data(Qt.ItemDataRole.UserRole):
                self.open_session(chosen.data(Qt.ItemDataRole.UserRole))
        elif self.session is None:
            self.open_session(None)

    def _session_selected(self, item, _previous=None) -> None:
        if item is not None:
            self.open_session(item.data(Qt.ItemDataRole.UserRole))

    def open_session(self, session_id: int | None) -> None:
        self.side.flush()
        self.editing_from = None
        self.edit_note.setVisible(False)
        if session_id is None:
            self.session = None
            self.messages = []
        else:
            try:
                self.session = self.store.get_session(session_id)
            except UserError:
                self.session = None
            self.messages = self.store.messages(session_id) if self.session else []
        self.side.load(self.session, self._knowledge_bases())
        self._select_target_for_session()
        self._update_buttons()
        self._update_engine_bar()
        self.render(force_bottom=True)

    def open_memory(self) -> None:
        from app.views.memory_dialog import MemoryDialog

        self.memory_dialog = MemoryDialog(self.ctx.db, self)  # kept: tests and the user look at it
        self.memory_dialog.open()

    def new_session(self) -> SessionInfo:
        target = self.current_target()
        params = {}
        if target and target.adapter_path:
            params["adapter_path"] = target.adapter_path
        # carry the sampling settings over (what the side pane shows), as users expect
        params.update({k: v for k, v in self.side.params().items()
                       if k in (*SAMPLING_KEYS, "kbs", "folders", "max_steps", "memory", "kb_filter")})
        self.side.flush()
        info = self.store.create_session(model=target.model_ref if target else None,
                                         adapter=target.adapter if target else None, params=params,
                                         system_prompt=self.side.system_prompt.toPlainText(),
                                         mode=self.side.mode.currentData() or "chat")
        self.search.clear()
        self.session = None
        self.refresh_sessions(select_id=info.id)
        self.input.setFocus()
        return info

    def rename_session(self, session_id: int, title: str | None = None) -> None:
        info = self.store.get_session(session_id)
        if title is None:
            title, ok = QInputDialog.getText(self, self.tr("Rename chat"), self.tr("Title:"), text=info.title)
            if not ok:
                return
        try:
            self.store.rename(session_id, title)
        except UserError as err:
            show_error(self, self.tr("Rename chat"), user_error_text(err))
            return
        self.refresh_sessions(select_id=session_id)

    def delete_session(self, session_id: int, confirm: bool = True) -> None:
        info = self.store.get_session(session_id)
        if confirm:
            answer = QMessageBox.question(
                self, self.tr("Delete chat"),
                self.tr('Delete the chat "{title}" and all its messages? This cannot be undone.').format(
                    title=info.title or self.tr("New chat")))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.answers.stop_session(session_id)
        self.store.delete_session(session_id)
        if self.session and self.session.id == session_id:
            self.session = None
        self.refresh_sessions()

    def export_session(self, session_id: int, fmt: str, path: str | None = None) -> Path | None:
        info = self.store.get_session(session_id)
        if path is None:
            suffix = "md" if fmt == "md" else "json"
            name = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in (info.title or "chat"))[:60]
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export chat"), f"{name}.{suffix}",
                                                  self.tr("Markdown (*.md)") if fmt == "md" else self.tr("JSON (*.json)"))
            if not path:
                return None
        from app.core.paths import atomic_write_text

        text = self.store.export_markdown(session_id) if fmt == "md" else self.store.export_json(session_id)
        try:
            atomic_write_text(Path(path), text)
        except OSError as exc:
            show_error(self, self.tr("Export chat"), self.tr("Could not write {path}: {err}").format(path=path, err=exc))
            return None
        self.ctx.status_message.emit(self.tr("Chat exported to {path}").format(path=path), 4000)
        return Path(path)

    def _session_menu(self, pos) -> None:
        item = self.sessions.itemAt(pos)
        if item is None:
            return
        sid = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction(self.tr("Rename…"), lambda: self.rename_session(sid))
        menu.addAction(self.tr("Export as Markdown…"), lambda: self.export_session(sid, "md"))
        menu.addAction(self.tr("Export as JSON…"), lambda: self.export_session(sid, "json"))
        menu.addSeparator()
        menu.addAction(self.tr("Delete…"), lambda: self.delete_session(sid))
        menu.exec(self.sessions.viewport().mapToGlobal(pos))

    # --- models ---------------------------------------------------------------------------------
    def refresh_targets(self) -> None:
        try:
            self.targets = chat_targets.list_targets(self.ctx.db, self.ctx.settings)
        except Exception:  # noqa: BLE001 - a broken registry row must not take the chat down
            log.exception("listing chat targets failed")
            self.targets = [chat_targets.ChatTarget(label="SmolLM2-135M-Instruct", model_ref="default", kind="bundled")]
        for combo in (self.model, self.model_b):
            combo.blockSignals(True)
            combo.clear()
            for t in self.targets:
                combo.addItem(self._target_text(t), t.key)
            combo.blockSignals(False)
        self._select_target_for_session()

    def _target_text(self, t: ChatTarget) -> str:
        if t.kind == "bundled":
            return self.tr("{name} (bundled)").format(name=t.label)
        if t.kind == "adapter":
            return self.tr("{name} (adapter)").format(name=t.label)
        if t.kind == "remote":
            return self.tr("{name} (remote)").format(name=t.label)
        return t.label

    def current_target(self) -> ChatTarget | None:
        i = self.model.currentIndex()
        return self.targets[i] if 0 <= i < len(self.targets) else None

    def compare_target(self) -> ChatTarget | None:
        if not self.compare.isChecked():
            return None
        i = self.model_b.currentIndex()
        return self.targets[i] if 0 <= i < len(self.targets) else None

    def _select_target_for_session(self) -> None:
        s = self.session
        for combo, ref, adapter in ((self.model, s.model if s else None, s.adapter if s else None),):
            target = chat_targets.find_target(self.targets, ref, adapter) if s else None
            if s and target is None and s.adapter and s.params.get("adapter_path"):
                # the run was deleted from the list but its adapter folder may still be there
                target = ChatTarget(label=s.adapter, model_ref=s.model or "default", kind="adapter",
                                    adapter=s.adapter, adapter_path=s.params["adapter_path"])
                self.targets.append(target)
                for c in (self.model, self.model_b):
                    c.blockSignals(True)
                    c.addItem(self._target_text(target), target.key)
                    c.blockSignals(False)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(target.key)) if target else 0)
            combo.blockSignals(False)
        compare = (s.params.get("compare") if s else None) or None
        self.compare.blockSignals(True)
        self.compare.setChecked(bool(compare))
        self.compare.blockSignals(False)
        self.model_b.setVisible(bool(compare))
        if compare:
            t = chat_targets.find_target(self.targets, compare.get("model"), compare.get("adapter"))
            self.model_b.blockSignals(True)
            self.model_b.setCurrentIndex(max(0, self.model_b.findData(t.key)) if t else 0)
            self.model_b.blockSignals(False)

    def select_target(self, target: ChatTarget) -> None:
        """Choose a model for the current chat (the Training panel's "Chat with this adapter" uses it)."""
        if chat_targets.find_target(self.targets, target.model_ref, target.adapter) is None:
            self.refresh_targets()
        i = self.model.findData(target.key)
        if i >= 0:
            self.model.setCurrentIndex(i)

    def chat_with_run(self, run_id: str) -> SessionInfo | None:
        """A new chat with a training run's adapter (from the Training panel)."""
        self.refresh_targets()
        target = next((t for t in self.targets if t.run_id == run_id), None)
        if target is None:
            show_error(self, self.tr("Chat"), self.tr("This run has no adapter to chat with yet."))
            return None
        self.model.blockSignals(True)
        self.model.setCurrentIndex(self.model.findData(target.key))
        self.model.blockSignals(False)
        info = self.new_session()
        self.store.rename(info.id, self.tr("Chat with {name}").format(name=target.label))
        self.refresh_sessions(select_id=info.id)
        self.load_engine()
        return info

    def navigate(self, chat_with_run: str | None = None, **_where) -> None:
        if chat_with_run:
            self.chat_with_run(chat_with_run)

    def _target_changed(self, _index: int) -> None:
        t = self.current_target()
        if t is None:
            return
        if self.session is None:
            self.new_session()
            return
        params = {"adapter_path": t.adapter_path} if t.adapter_path else {"adapter_path": None}
        self.session = self.store.update_session(self.session.id, model=t.model_ref, adapter=t.adapter, params=params)
        if (t.adapter and getattr(self.ctx.settings, "chat_preload", "chat_opens") != "send"
                and self.ctx.serve.find(t.model_ref) is not None):
            self._ensure_engine(t)  # its base model runs: load the adapter into it now, ahead of the message
        self._update_engine_bar()

    def _compare_toggled(self, on: bool) -> None:
        self.model_b.setVisible(on)
        if on:  # two answers side by side need the room; the button brings the pane back
            self.settings_btn.setChecked(False)
        if on and self.model_b.currentIndex() == self.model.currentIndex() and self.model_b.count() > 1:
            self.model_b.setCurrentIndex((self.model.currentIndex() + 1) % self.model_b.count())
        self._save_compare()

    def _target_b_changed(self, _index: int) -> None:
        self._save_compare()

    def _save_compare(self) -> None:
        if self.session is None:
            return
        t = self.compare_target()
        value = ({"model": t.model_ref, "adapter": t.adapter, "adapter_path": t.adapter_path} if t else None)
        self.session = self.store.update_session(self.session.id, params={"compare": value})
        self._update_engine_bar()

    def _knowledge_bases(self) -> list[tuple[int, str]]:
        try:
            from app.core.kb import KnowledgeStore

            return [(kb.id, kb.name) for kb in KnowledgeStore(self.ctx.db).list()]
        except Exception:  # noqa: BLE001
            log.exception("listing knowledge bases failed")
            return []

    def _settings_changed(self, change: dict) -> None:
        if self.session is None:
            return
        self.session = self.store.update_session(self.session.id, **change)

    # --- engines --------------------------------------------------------------------------------
    def _engine_for(self, target: ChatTarget):
        return self.ctx.serve.find(target.model_ref, target.adapter)

    def load_engine(self) -> None:
        self.banner.setVisible(False)
        for t in filter(None, (self.current_target(), self.compare_target())):
            self._ensure_engine(t)

    def _ensure_engine(self, t: ChatTarget) -> str:
        return self.answers.ensure_engine(t)

    def unload_engine(self) -> None:
        t = self.current_target()
        if t is None:
            return
        info = self.ctx.serve.find(t.model_ref)
        if info is not None and info.engine != "remote":
            self.ctx.serve.stop(info.key)

    def _update_engine_bar(self) -> None:
        t = self.current_target()
        info = self._engine_for(t) if t else None
        if t is None:
            self.engine_state.setText(self.tr("No model available."))
            state = None
        elif info is None:
            base = self.ctx.serve.get(self.ctx.serve.key_for(t.model_ref))
            state = None
            if base is not None and base.state == "failed":
                from app.views.progress_texts import engine_detail_text

                self.engine_state.setText(self.tr("The engine failed: {message}").format(message=engine_detail_text(base)))
            elif base is not None and t.adapter in base.adapter_errors:
                self.engine_state.setText(self.tr("The adapter {adapter} could not be loaded: {message}").format(
                    adapter=t.label, message=base.adapter_errors[t.adapter]))
            elif base is not None and base.state in ("loading", "ready") and t.adapter in base.loading_adapters:
                state = "loading"  # the engine runs (or starts): the adapter goes into it, no restart
                info = base
                if base.state == "ready":
                    self.engine_state.setText(self.tr("Loading the adapter {adapter} into the running engine…").format(
                        adapter=t.label))
                else:
                    self.engine_state.setText(self._loading_text(t, base))
            else:
                self.engine_state.setText(self._not_loaded_text())
        else:
            state = info.state
            if info.state == "loading":
                self.engine_state.setText(self._loading_text(t, info))
            elif info.engine == "remote":
                self.engine_state.setText(self.tr("Remote endpoint {url}").format(url=info.base_url))
            else:
                mem = f" · {info.memory_bytes / 2**30:.1f} GiB" if info.memory_bytes else ""
                if info.gpu_memory_bytes:
                    mem += " · " + self.tr("GPU {gb:.1f} GiB").format(gb=info.gpu_memory_bytes / 2**30)
                self.engine_state.setText(self.tr("Ready: {engine} on port {port}{mem}").format(
                    engine=info.engine, port=info.port, mem=mem))
        loading = state == "loading"
        self.engine_progress.setVisible(loading)
        if loading and info.progress and info.progress[1]:
            self.engine_progress.setRange(0, info.progress[1])
            self.engine_progress.setValue(info.progress[0])
        elif loading:
            self.engine_progress.setRange(0, 0)
        self.load_btn.setVisible(state is None)
        self.unload_btn.setVisible(state in ("ready", "loading") and (info is None or info.engine != "remote"))
        self._update_tool_support(t, info)

    def _loading_text(self, t: ChatTarget, info) -> str:
        from app.views.progress_texts import progress_text

        stage = progress_text(info.stage, info.stage_params, info.message) or self.tr("starting")
        text = self.tr("Loading {model}: {stage}").format(model=t.label, stage=stage)
        if info.notice_params.get("adapter"):  # restarted: the adapter's rank is above the engine's maximum
            text += " — " + self.tr("restarting to load {adapter}: its LoRA rank {rank} is above this engine's "
                                    "maximum {max_rank}").format(**info.notice_params)
        elif info.notice == "made_room":  # other engines were stopped so this one fits the memory allowed
            text += " — " + self.tr("stopped {stopped} to stay within the {budget_gb} GB allowed for chat "
                                    "engines").format(**info.notice_params)
        return text

    def _not_loaded_text(self) -> str:
        when = getattr(self.ctx.settings, "chat_preload", "chat_opens")
        if when == "send":
            return self.tr("Not loaded. It loads when you send a message, or press Load.")
        return self.tr("Not loaded. Press Load, or send a message.")

    def _update_tool_support(self, t: ChatTarget | None, info) -> None:
        """Tell the mode selector whether this model can use tools on its engine (decided from the
        model folder's chat template and the engine, before anything is sent)."""
        if t is None:
            return
        engine = info.engine if info is not None and info.engine else None
        key = (t.model_ref, t.kind, engine, getattr(self.ctx.settings, "chat_engine", "auto"))
        if key == self._tool_support_key:
            return
        self._tool_support_key = key
        try:
            support = self.answers.tool_support(t, engine)
        except Exception:  # noqa: BLE001 - a broken model folder must not take the chat down
            log.exception("tool support for %s", t.label)
            return
        self.side.set_tool_support(support.status, support.code, support.params)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # runs finish, models and knowledge bases appear while the panel is hidden
        self.refresh_targets()
        self.side.load(self.session, self._knowledge_bases())
        self._update_engine_bar()
        if not self._autoload_checked:
            self._autoload_checked = True
            QTimer.singleShot(0, self._autoload)
            # The transcript had no size before the first show: scroll to the newest message now.
            QTimer.singleShot(0, lambda: self.render(force_bottom=True))

    def _autoload(self) -> None:
        """Start the chat's engine now, ahead of the first message (Settings → Chat engines: when Chat
        opens, the default, or when the app starts), unless loading crashed the app last time."""
        if getattr(self.ctx.settings, "chat_preload", "chat_opens") == "send":
            return
        t = self.current_target()
        if t is None or t.kind == "remote" or self._engine_for(t) is not None:
            return
        from app.core import safe_start

        crashed = safe_start.crashed_while_loading()
        if crashed:
            self.banner.setText(self.tr(
                "The app closed while loading {model} last time, so it was not loaded automatically. "
                "Press Load to try again, or choose a smaller model.").format(model=crashed))
            self.banner.setVisible(True)
            return
        for target in filter(None, (t, self.compare_target())):
            adapter = (target.adapter, target.adapter_path) if target.adapter and target.adapter_path else None
            self.ctx.serve.preload(target.model_ref, adapter, label=target.label)

    # --- sending --------------------------------------------------------------------------------
    def send(self, text: str | None = None) -> list[int]:
        """Send the input (or ``text``); returns the ids of the answers being written."""
        text = (text if isinstance(text, str) else self.input.toPlainText()).strip()
        if not text:
            return []
        if self.busy():
            self.ctx.status_message.emit(self.tr("Wait for the answer to finish, or press Stop."), 3000)
            return []
        target = self.current_target()
        if target is None:
            show_error(self, self.tr("Chat"), self.tr("No model is available. Prepare the bundled model on the Dashboard, or run: ai-platform setup-models"))
            return []
        if self.session is None:
            self.new_session()
        self.side.flush()
        if self.editing_from is not None:
            self.store.delete_from(self.session.id, self.editing_from)
            self.editing_from = None
            self.edit_note.setVisible(False)
        self.input.clear()
        session = self.store.get_session(self.session.id)
        user = self.store.add_message(session.id, "user", text)
        ids = self._start_answers(session, text, user.id)
        self.refresh_sessions(select_id=session.id)
        return ids

    def _start_answers(self, session: SessionInfo, question: str, user_id: int) -> list[int]:
        targets = [("A", self.current_target())]
        compare = None if session.mode == "agent" else self.compare_target()
        if compare is not None:
            targets.append(("B", compare))
        ids = self.answers.start(session, question, user_id, targets)
        self._reload_messages()
        self._update_buttons()
        self._wait_timer.start()
        return ids

    def _tick_wait(self) -> None:
        """Repaint once a second while an answer waits for its model (the seconds count up)."""
        waiting = [m for m in self.messages if m.status == "streaming" and m.meta.get("phase") == "loading"
                   and m.id not in self.live]
        if waiting:
            self.render()
        elif not self.busy():
            self._wait_timer.stop()

    def _on_delta(self, message_id: int, text: str) -> None:
        self.live[message_id] = text
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _on_answer_finished(self, message_id: int, _status: str) -> None:
        self.live.pop(message_id, None)
        self._reload_messages()
        self._update_buttons()

    def stop(self) -> None:
        """Stop every answer of this chat (Esc)."""
        self.answers.stop_session(self.session.id if self.session else None)
        self._reload_messages()
        self._update_buttons()

    def busy(self) -> bool:
        return self.answers.busy(self.session.id if self.session else None)

    def _update_buttons(self) -> None:
        busy = self.busy()
        self.stop_btn.setEnabled(busy)
        self.send_btn.setEnabled(not busy)

    # --- message actions ------------------------------------------------------------------------
    def _link(self, url: QUrl) -> None:
        text = url.toString()
        kind, _, rest = text.partition(":")
        try:
            if kind == "act":
                action, _, mid = rest.partition(":")
                {"copy": self.copy_message, "edit": self.edit_message, "regen": self.regenerate}[action](int(mid))
            elif kind == "cite":
                mid, _, n = rest.partition(":")
                self.open_citation(int(mid), int(n))
            elif kind == "steps":
                mid = int(rest)
                self.expanded_steps ^= {mid}
                self.render()
            elif kind in ("http", "https"):
                from PySide6.QtGui import QDesktopServices

                QDesktopServices.openUrl(url)
        except (ValueError, KeyError, UserError) as err:
            log.warning("chat link %s: %s", text, err)

    def _message(self, message_id: int) -> MessageInfo | None:
        return next((m for m in self.messages if m.id == message_id), None)

    def copy_message(self, message_id: int) -> None:
        m = self._message(message_id)
        if m is not None:
            QApplication.clipboard().setText(m.content)
            self.ctx.status_message.emit(self.tr("Copied."), 2000)

    def edit_message(self, message_id: int) -> None:
        m = self._message(message_id)
        if m is None or self.busy():
            return
        self.input.setPlainText(m.content)
        self.input.setFocus()
        self.editing_from = message_id
        self.edit_note.setText(self.tr("Editing a message: sending replaces it and every message after it."))
        self.edit_note.setVisible(True)

    def regenerate(self, message_id: int) -> list[int]:
        m = self._message(message_id)
        if m is None or self.session is None or self.busy():
            return []
        users = [x for x in self.messages if x.role == "user" and x.id < message_id]
        if not users:
            return []
        user = users[-1]
        first_answer = min(x.id for x in self.messages if x.id > user.id)
        self.store.delete_from(self.session.id, first_answer)
        session = self.store.get_session(self.session.id)
        return self._start_answers(session, user.content, user.id)

    def open_citation(self, message_id: int, n: int):
        m = self._message(message_id)
        cites = {c.get("n"): c for c in (m.meta.get("citations") or [])} if m else {}
        if n not in cites:
            return None
        from app.views.chat_source import SourceDialog

        dialog = SourceDialog(cites[n], self)
        dialog.setModal(False)
        dialog.show()
        return dialog

    # --- agent mode -----------------------------------------------------------------------------
    def _approve(self, message_id: int, folder: str, path: str) -> None:
        """A tool wants to read in ``folder``: ask once per folder (a yes is kept with the chat)."""
        answer = QMessageBox.question(
            self, self.tr("Allow file access?"),
            self.tr("The agent wants to read {path}.\n\nAllow it to read files in {folder} for this chat?").format(
                path=path, folder=folder))
        self.answers.approve(message_id, folder, answer == QMessageBox.StandardButton.Yes)

    # --- rendering ------------------------------------------------------------------------------
    def _reload_messages(self) -> None:
        if self.session is not None:
            self.messages = self.store.messages(self.session.id)
        self.render()

    def colors(self) -> dict:
        pal = self.palette()
        dark = pal.window().color().lightness() < 128
        return {"text": pal.text().color().name(), "muted": "#8a96a3" if not dark else "#7d8a99",
                "user_bg": "#e8eef7" if not dark else "#1f2a37", "assistant_bg": "#ffffff" if not dark else "#1e252d",
                "code_bg": "#f3f4f6" if not dark else "#111827", "error": "#b91c1c" if not dark else "#f87171",
                "warn": "#b45309" if not dark else "#fbbf24", "link": pal.link().color().name()}

    def render(self, force_bottom: bool = False) -> None:
        bar = self.view.verticalScrollBar()
        at_bottom = force_bottom or bar.value() >= bar.maximum() - 8
        value = bar.value()
        if not self.messages:
            body = "<html><body><p class='meta'>" + self._empty_text() + "</p></body></html>"
        else:
            body = chat_render.transcript_html(self.messages, self.live, self.colors(),
                                               expanded_steps=self.expanded_steps)
        self.view.document().setDefaultStyleSheet(chat_render.style_sheet(self.colors()))
        self.view.setHtml(body)
        bar.setValue(bar.maximum() if at_bottom else value)

    def palette_changed(self) -> None:
        self.render()  # the transcript's colours are written into its HTML

    def _empty_text(self) -> str:
        import html

        return html.escape(self.tr("Ask anything. Enter sends, Shift+Enter adds a line. Tick knowledge bases on "
                                   "the right to answer from your documents with citations."))

    def transcript_text(self) -> str:
        return self.view.toPlainText()

    # --- language, shutdown ---------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Chat"), self.tr("Talk to the bundled model, your own models and the "
                                                      "adapters you trained; answers stream and are saved as they arrive."))
        self.new_btn.setText(self.tr("New chat"))
        self.search.setPlaceholderText(self.tr("Search chats…"))
        self.model_label.setText(self.tr("Model:"))
        self.compare.setText(self.tr("Compare with"))
        self.compare.setToolTip(self.tr("Send each message to a second model too and show the answers side by side"))
        self.settings_btn.setText(self.tr("Settings"))
        self.load_btn.setText(self.tr("Load"))
        self.unload_btn.setText(self.tr("Unload"))
        self.send_btn.setText(self.tr("Send"))
        self.send_btn.setToolTip(self.tr("Enter or Ctrl+Enter"))
        self.stop_btn.setText(self.tr("Stop"))
        self.stop_btn.setToolTip(self.tr("Esc"))
        self.input.setPlaceholderText(self.tr("Message… (Enter sends, Shift+Enter for a new line)"))
        for i, t in enumerate(self.targets):
            self.model.setItemText(i, self._target_text(t))
            self.model_b.setItemText(i, self._target_text(t))
        self._update_engine_bar()
        self.refresh_sessions()
        self.render()

    def shutdown(self) -> None:
        """The window closes: finish the answers' last writes (marked interrupted if cut short)."""
        self.answers.shutdown()


__all__ = ["ChatPanel"]
