"""The chat's side pane: the session's system prompt, sampling parameters, attached knowledge bases
and mode. Edits are saved to the session as they happen (``changed`` carries what changed).

Under the knowledge bases, "Only documents": tags, a part of the source and a date range
(``kb.DocFilter``, as in the Knowledge panel's tester), kept in the session's ``kb_filter`` and
used by chat retrieval and the agent's knowledge search. A filter that does not parse is named
under the fields and not saved; the last good one stays in use.

The mode selector says whether the chosen model can use tools on its engine (``set_tool_support``,
fed by the panel from ``app.core.tool_support``): "Agent (no tools with this model)" and a note why."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from app.core.chat_store import DEFAULT_PARAMS, SessionInfo


class ChatSettingsPane(QWidget):
    changed = Signal(dict)  # {"system_prompt": …} or {"params": {…}} or {"mode": …}
    memory_requested = Signal()  # "Memories…": the panel opens the memory dialog

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("chat-settings")
        self.setMinimumWidth(230)
        self.setMaximumWidth(340)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        self.prompt_label = QLabel(objectName="CardTitle")
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setMaximumHeight(120)
        self._prompt_timer = QTimer(self, singleShot=True, interval=400)
        self._prompt_timer.timeout.connect(lambda: self._emit({"system_prompt": self.system_prompt.toPlainText()}))
        self.system_prompt.textChanged.connect(lambda: None if self._loading else self._prompt_timer.start())
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.system_prompt)

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # a narrow pane puts labels above
        # long items ("Agent (no tools with this model)"): the pane keeps its width, the popup shows them whole
        self.mode = QComboBox(minimumContentsLength=12,
                              sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode.addItem("", "chat")
        self.mode.addItem("", "agent")
        self.mode.currentIndexChanged.connect(lambda: self._emit({"mode": self.mode.currentData()}))
        self.temperature = QDoubleSpinBox(minimum=0.0, maximum=2.0, singleStep=0.1, decimals=2)
        self.top_p = QDoubleSpinBox(minimum=0.05, maximum=1.0, singleStep=0.05, decimals=2)
        self.max_tokens = QSpinBox(minimum=16, maximum=32768, singleStep=64)
        self.repetition = QDoubleSpinBox(minimum=1.0, maximum=2.0, singleStep=0.05, decimals=2)
        for w in (self.temperature, self.top_p, self.max_tokens, self.repetition):
            w.valueChanged.connect(self._params_changed)
        self.mode_label, self.temp_label, self.top_p_label, self.max_label = QLabel(), QLabel(), QLabel(), QLabel()
        self.repetition_label = QLabel()
        form.addRow(self.mode_label, self.mode)
        self.tools_note = QLabel(objectName="Muted", wordWrap=True)  # this model/engine cannot use tools
        self.tools_note.setVisible(False)
        form.addRow(self.tools_note)
        self._tool_support: tuple[str, str, dict] = ("yes", "tools.ok", {})
        form.addRow(self.temp_label, self.temperature)
        form.addRow(self.top_p_label, self.top_p)
        form.addRow(self.max_label, self.max_tokens)
        form.addRow(self.repetition_label, self.repetition)
        layout.addLayout(form)
        self._loading = True  # defaults, not user edits
        self.temperature.setValue(DEFAULT_PARAMS["temperature"])
        self.top_p.setValue(DEFAULT_PARAMS["top_p"])
        self.max_tokens.setValue(DEFAULT_PARAMS["max_tokens"])
        self.repetition.setValue(DEFAULT_PARAMS["repetition_penalty"])
        self._loading = False

        # Agent mode: folders the read-file tools may use (asked for approval once per folder)
        self.folders_label = QLabel(objectName="CardTitle")
        self.folders = QListWidget(maximumHeight=80)
        frow = QHBoxLayout()
        self.add_folder = QPushButton()
        self.add_folder.clicked.connect(self._add_folder)
        self.remove_folder = QPushButton()
        self.remove_folder.clicked.connect(self._remove_folder)
        self.remove_folder.setEnabled(False)  # until a folder is chosen in the list
        self.folders.currentItemChanged.connect(lambda item, _prev: self.remove_folder.setEnabled(item is not None))
        frow.addWidget(self.add_folder)
        frow.addWidget(self.remove_folder)
        frow.addStretch(1)
        self.agent_box = QWidget()
        al = QVBoxLayout(self.agent_box)
        al.setContentsMargins(0, 0, 0, 0)
        srow = QHBoxLayout()
        self.steps_label = QLabel()
        self.max_steps = QSpinBox(minimum=1, maximum=20, value=6)
        self.max_steps.valueChanged.connect(self._params_changed)
        srow.addWidget(self.steps_label)
        srow.addWidget(self.max_steps)
        srow.addStretch(1)
        al.addLayout(srow)
        # Long-term memory (remember / recall tools): off until the user ticks it, per chat
        mrow = QHBoxLayout()
        self.memory = QCheckBox()
        self.memory.toggled.connect(self._params_changed)
        self.memory_button = QPushButton()
        self.memory_button.clicked.connect(self.memory_requested)
        mrow.addWidget(self.memory)
        mrow.addStretch(1)
        mrow.addWidget(self.memory_button)
        al.addLayout(mrow)
        al.addWidget(self.folders_label)
        al.addWidget(self.folders)
        al.addLayout(frow)
        layout.addWidget(self.agent_box)
        self.mode.currentIndexChanged.connect(lambda: self.agent_box.setVisible(self.mode.currentData() == "agent"))
        self.mode.currentIndexChanged.connect(self._show_tools_note)
        self.agent_box.setVisible(False)

        self.kb_label = QLabel(objectName="CardTitle")
        self.kb_hint = QLabel(objectName="Muted", wordWrap=True)
        self.kbs = QListWidget()
        self.kbs.itemChanged.connect(self._params_changed)
        layout.addWidget(self.kb_label)
        layout.addWidget(self.kb_hint)
        layout.addWidget(self.kbs, 1)
        self.filter_label = QLabel(objectName="Muted")
        self.filter_tags = QLineEdit(objectName="chat-kb-tags", clearButtonEnabled=True)
        self.filter_source = QLineEdit(objectName="chat-kb-source", clearButtonEnabled=True)
        self.filter_after = QLineEdit(objectName="chat-kb-after")
        self.filter_before = QLineEdit(objectName="chat-kb-before")
        self.filter_error = QLabel(objectName="Error", wordWrap=True, visible=False)
        self._filter_err = None  # the UserError shown, worded again after a language switch
        self._filter_session = None  # the chat whose filter the fields show
        self._filter_timer = QTimer(self, singleShot=True, interval=500)
        self._filter_timer.timeout.connect(self._filter_changed)
        for w in (self.filter_tags, self.filter_source, self.filter_after, self.filter_before):
            w.textEdited.connect(lambda _t: self._filter_timer.start())
            w.editingFinished.connect(self._filter_now)
        dates = QHBoxLayout()
        dates.addWidget(self.filter_after)
        dates.addWidget(self.filter_before)
        layout.addWidget(self.filter_label)
        layout.addWidget(self.filter_tags)
        layout.addWidget(self.filter_source)
        layout.addLayout(dates)
        layout.addWidget(self.filter_error)
        self.retranslate_ui()

    # --- loading a session --------------------------------------------------------------------
    def load(self, info: SessionInfo | None, knowledge_bases: list[tuple[int, str]]) -> None:
        self._loading = True
        try:
            if info is None:  # no chat yet: keep what is shown; it applies to the first chat
                info_params = self.params()
            else:
                info_params = info.params
            params = dict(DEFAULT_PARAMS, **info_params)
            if info is not None:
                self.system_prompt.setPlainText(info.system_prompt)
            self.temperature.setValue(float(params.get("temperature", 0.7)))
            self.top_p.setValue(float(params.get("top_p", 0.95)))
            self.max_tokens.setValue(int(params.get("max_tokens", DEFAULT_PARAMS["max_tokens"])))
            self.repetition.setValue(float(params.get("repetition_penalty", DEFAULT_PARAMS["repetition_penalty"])))
            if info is not None:
                self.mode.setCurrentIndex(max(0, self.mode.findData(info.mode)))
                self.folders.clear()
                self.folders.addItems([str(f) for f in info.params.get("folders", [])])
                self.max_steps.setValue(int(info.params.get("max_steps", 6)))
                self.memory.setChecked(info.params.get("memory") is True)
            self.agent_box.setVisible(self.mode.currentData() == "agent")
            self._show_tools_note()
            attached = set(info.kb_ids) if info else set(self.attached_kbs())
            self.kbs.clear()
            for kb_id, name in knowledge_bases:
                item = QListWidgetItem(name)
                item.setData(Qt.ItemDataRole.UserRole, kb_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if kb_id in attached else Qt.CheckState.Unchecked)
                self.kbs.addItem(item)
            self.kb_hint.setVisible(not knowledge_bases)
            # the same chat shown again (a refresh) keeps a filter still being fixed
            if info is not None and not (info.id == self._filter_session and self._filter_err is not None):
                self._filter_session = info.id
                flt = info.params.get("kb_filter") or {}
                self.filter_tags.setText(", ".join(flt.get("tags") or []))
                self.filter_source.setText(str(flt.get("source") or ""))
                self.filter_after.setText(str(flt.get("after") or ""))
                self.filter_before.setText(str(flt.get("before") or ""))
                self._show_filter_error(None)
            self._show_filter_fields()
        finally:
            self._loading = False

    # --- "Only documents" ------------------------------------------------------------------------
    def kb_filter(self) -> dict | None:
        """The fields as ``DocFilter.to_json()`` (None: no filter); raises the fields' UserError."""
        from app.core.kb import DocFilter

        flt = DocFilter.make(self.filter_tags.text(), self.filter_source.text(), self.filter_after.text(),
                             self.filter_before.text())
        return flt.to_json() if flt else None

    def _filter_now(self) -> None:
        if self._filter_timer.isActive():
            self._filter_timer.stop()
            self._filter_changed()

    def _filter_changed(self) -> None:
        from app.core.errors import UserError

        try:
            flt = self.kb_filter()
        except UserError as err:
            self._show_filter_error(err)
            return
        self._show_filter_error(None)
        self._emit({"params": {"kb_filter": flt}})

    def _show_filter_error(self, err) -> None:
        from app.views.error_texts import user_error_text

        self._filter_err = err
        self.filter_error.setText(user_error_text(err) if err is not None else "")
        self.filter_error.setVisible(err is not None)

    def _show_filter_fields(self) -> None:
        shown = self.kbs.count() > 0
        for w in (self.filter_label, self.filter_tags, self.filter_source, self.filter_after, self.filter_before):
            w.setVisible(shown)
        self.filter_error.setVisible(shown and self._filter_err is not None)

    def attached_kbs(self) -> list[int]:
        return [self.kbs.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.kbs.count())
                if self.kbs.item(i).checkState() == Qt.CheckState.Checked]

    def set_attached(self, kb_ids: list[int]) -> None:
        for i in range(self.kbs.count()):
            item = self.kbs.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in kb_ids
                               else Qt.CheckState.Unchecked)

    def params(self) -> dict:
        return {"temperature": round(self.temperature.value(), 3), "top_p": round(self.top_p.value(), 3),
                "max_tokens": int(self.max_tokens.value()), "repetition_penalty": round(self.repetition.value(), 3),
                "kbs": self.attached_kbs(),
                "folders": [self.folders.item(i).text() for i in range(self.folders.count())],
                "max_steps": int(self.max_steps.value()), "memory": self.memory.isChecked(),
                **self._filter_param()}

    def _filter_param(self) -> dict:
        from app.core.errors import UserError

        try:
            return {"kb_filter": self.kb_filter()}
        except UserError:  # named under the fields; the stored filter stays as it was
            return {}

    def add_folder_path(self, folder: str) -> None:
        if folder and not self.folders.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(folder)
            self._params_changed()

    def _add_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self, self.tr("A folder the agent may read"))
        self.add_folder_path(folder)

    def _remove_folder(self) -> None:
        item = self.folders.currentItem()
        if item is not None:
            self.folders.takeItem(self.folders.row(item))
            self._params_changed()

    def flush(self) -> None:
        """Save a system prompt still waiting for its debounce (before sending, say)."""
        if self._prompt_timer.isActive():
            self._prompt_timer.stop()
            self._emit({"system_prompt": self.system_prompt.toPlainText()})

    def _params_changed(self, *_):
        if not self._loading:
            self._emit({"params": self.params()})

    def _emit(self, change: dict) -> None:
        if not self._loading:
            self.changed.emit(change)

    # --- tool support -------------------------------------------------------------------------
    def set_tool_support(self, status: str, code: str, params: dict | None = None) -> None:
        """What the current model can do in agent mode: status "yes" | "no" | "unknown" and why."""
        self._tool_support = (status, code, dict(params or {}))
        self._apply_tool_support()

    def _apply_tool_support(self) -> None:
        status, code, params = self._tool_support
        if status == "no":
            self.mode.setItemText(1, self.tr("Agent (tools as text: ReAct)"))
        elif status == "unknown":
            self.mode.setItemText(1, self.tr("Agent (tools, if the endpoint supports them)"))
        else:
            self.mode.setItemText(1, self.tr("Agent (tools)"))
        notes = {
            "tools.template_none": self.tr("{model} cannot call tools natively: its chat template has no tool-calling format. "
                                           "Agent mode offers them as text (ReAct: Action / Observation) and says so; a small model may not follow it."),
            "tools.engine_format": self.tr("{model} cannot use tools with the {engine} engine: it cannot read this "
                                           "model's tool calls. Agent mode offers them as text (ReAct) and says so."),
            "tools.remote_unknown": self.tr("Whether this remote endpoint can use tools is unknown: agent mode offers "
                                            "them and says so when none was used."),
        }
        note = notes.get(code, "") if status != "yes" else ""
        self.tools_note.setText(note.format(model=params.get("model") or "", engine=params.get("engine") or ""))
        self._show_tools_note()
        self.mode.setItemData(1, self.tools_note.text() or None, Qt.ItemDataRole.ToolTipRole)

    def _show_tools_note(self) -> None:
        # the combo's item says it in both modes; the note why, once agent mode is chosen
        self.tools_note.setVisible(bool(self.tools_note.text()) and self.mode.currentData() == "agent")

    def tool_support(self) -> tuple[str, str, dict]:
        return self._tool_support

    # --- language -------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.prompt_label.setText(self.tr("System prompt"))
        self.system_prompt.setPlaceholderText(self.tr("How the assistant should behave (optional)"))
        self.mode_label.setText(self.tr("Mode"))
        self.mode.setItemText(0, self.tr("Chat"))
        self._apply_tool_support()
        self.temp_label.setText(self.tr("Temperature"))
        self.top_p_label.setText(self.tr("Top-p"))
        self.max_label.setText(self.tr("Max tokens"))
        self.repetition_label.setText(self.tr("Repetition penalty"))
        self.repetition.setToolTip(self.tr("Above 1.0, words already written are less likely again: small models "
                                           "stop looping. 1.0 turns it off."))
        self.kb_label.setText(self.tr("Knowledge bases"))
        self.steps_label.setText(self.tr("Max tool steps per answer"))
        self.max_steps.setToolTip(self.tr("After this many model calls the agent must answer"))
        self.memory.setText(self.tr("Long-term memory"))
        self.memory.setToolTip(self.tr("The agent may save facts you tell it (remember) and look them up in later "
                                       "chats (recall). You see and edit them under Memories…"))
        self.memory_button.setText(self.tr("Memories…"))
        self.folders_label.setText(self.tr("Folders the agent may read"))
        self.folders.setToolTip(self.tr("The agent asks before it reads a folder for the first time in a chat"))
        self.add_folder.setText(self.tr("Add folder…"))
        self.remove_folder.setText(self.tr("Remove"))
        self.kb_hint.setText(self.tr("No knowledge bases yet. Create one in the Knowledge panel, then tick it "
                                     "here to answer from your documents with citations."))
        self.kbs.setToolTip(self.tr("Answers use the ticked knowledge bases and cite the passages they used."))
        self.filter_label.setText(self.tr("Only documents:"))
        self.filter_label.setToolTip(self.tr("Answers cite only the documents that match: every tag, the source and "
                                             "the dates set in the Knowledge panel (Details…). Empty fields match all."))
        self.filter_tags.setPlaceholderText(self.tr("tagged (comma-separated)"))
        self.filter_source.setPlaceholderText(self.tr("source contains"))
        self.filter_after.setPlaceholderText(self.tr("from YYYY-MM-DD"))
        self.filter_before.setPlaceholderText(self.tr("to YYYY-MM-DD"))
        if self._filter_err is not None:
            self._show_filter_error(self._filter_err)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
