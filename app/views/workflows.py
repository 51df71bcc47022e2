"""Workflows: the shipped templates and the workflows saved in the data folder, drawn as a graph that
can be edited (add a node, drag an arrow from a node's port, edit its fields, move it) and saved after
the engine validates it; a run with its input shows a live trace, highlights the running node, and is
answered (approve / reject), retried or resumed from its checkpoint.

Everything that needs langgraph runs in `ai-platform workflow … --json` (app/workers/workflow_jobs.py).
"""

from __future__ import annotations

import copy
import json
import re

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.views import error_texts
from app.views.panel import Panel
from app.views.workflow_graph import GraphView
from app.workers import workflow_jobs as jobs

KINDS = ("llm", "tool", "kb_search", "agent", "set", "condition", "router", "loop", "approval")
# The fields the side form offers per kind (the engine's validation, run on save, has the last word:
# app/agents/workflow.py documents them).
FIELDS = {"llm": ("prompt", "system", "output", "max_tokens", "temperature"), "tool": ("tool", "args", "output"),
          "kb_search": ("query", "kb", "top_k", "output"),
          "agent": ("prompt", "system", "tools", "max_steps", "kb", "output"), "set": ("values",),
          "condition": ("expr",), "router": (), "loop": ("limit", "while"), "approval": ("message",)}
TEXT_FIELDS = {"prompt", "system", "query", "message", "expr", "while", "tool", "output"}
LONG_FIELDS = {"prompt", "system", "message"}
NEW_NODE = {"llm": {"prompt": "{input}"}, "tool": {"tool": "calculator", "args": {"expression": "{input}"}},
            "kb_search": {"query": "{input}"}, "agent": {"prompt": "{input}"}, "set": {"values": {"note": "input"}},
            "condition": {"expr": "len(input) > 0"}, "router": {}, "loop": {"limit": 3}, "approval": {"message": "{input}"}}
SAVE_NAME = re.compile(r"^[\w.-]{1,64}$")
SHOWN_CHARS = 160


def shown(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class WorkflowsPanel(Panel):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-workflows")
        self.templates: list[dict] = []
        self.data: dict | None = None  # the workflow shown (edited in place)
        self.source: str | None = None  # "template:NAME" or "saved:NAME"
        self.job: jobs.WorkflowJob | None = None
        self.check: jobs.WorkflowJob | None = None
        self.run_id: str | None = None
        self.run_path = None  # the snapshot the current run was started from
        self.run_state: str | None = None  # completed | waiting | failed | stopped | killed | running
        self.result: dict | None = None
        self.trace: list[dict] = []

        # Left: the list; middle: the graph and its tools; right: the node's form.
        self.list = QListWidget()
        self.list.setMinimumWidth(140)
        self.list.currentItemChanged.connect(self._on_pick)
        self.view = GraphView()
        self.graph = self.view.graph
        self.graph.node_selected.connect(self._show_node)
        self.graph.changed_by_user.connect(self._on_edited)
        self.kind = QComboBox()
        self.add_btn = QPushButton(clicked=self.add_node)
        self.delete_btn = QPushButton(clicked=self.delete_node)
        self.name = QLineEdit()
        self.name.setMinimumWidth(80)
        self.save_btn = QPushButton(clicked=self.save)
        tools = QHBoxLayout()
        for w in (self.kind, self.add_btn, self.delete_btn):
            tools.addWidget(w)
        tools.addStretch(1)
        self.name_label = QLabel()
        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.list, 1)
        side.addWidget(self.name_label)
        save_row = QHBoxLayout()
        save_row.addWidget(self.name, 1)
        save_row.addWidget(self.save_btn)
        side.addLayout(save_row)
        self.hint = QLabel(objectName="Hint")
        self.hint.setWordWrap(True)
        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(0, 0, 0, 0)
        mid.addLayout(tools)
        mid.addWidget(self.view, 1)
        mid.addWidget(self.hint)

        self.form_box = QGroupBox()
        self.form_box.setMinimumWidth(190)
        box = QVBoxLayout(self.form_box)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        box.addLayout(self.form)
        box.addStretch(1)
        self.apply_btn = QPushButton(clicked=self.apply_node)
        box.addWidget(self.apply_btn)
        self.node_id: str | None = None
        self.editors: dict[str, QWidget] = {}

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(middle)
        top.addWidget(self.form_box)
        top.setStretchFactor(1, 1)
        top.setSizes([240, 600, 250])

        # Bottom: the run.
        self.input = QLineEdit()
        self.input.returnPressed.connect(self.run)
        self.run_btn = QPushButton(clicked=self.run)
        self.stop_btn = QPushButton(clicked=self.stop)
        self.approve_btn = QPushButton(clicked=lambda: self.resume(True))
        self.reject_btn = QPushButton(clicked=lambda: self.resume(False))
        self.retry_btn = QPushButton(clicked=lambda: self.resume(None))
        self.resume_btn = QPushButton(clicked=lambda: self.resume(None))
        row = QHBoxLayout()
        self.input_label = QLabel()
        row.addWidget(self.input_label)
        row.addWidget(self.input, 1)
        for b in (self.run_btn, self.stop_btn, self.approve_btn, self.reject_btn, self.retry_btn, self.resume_btn):
            row.addWidget(b)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        bottom = QWidget()
        low = QVBoxLayout(bottom)
        low.setContentsMargins(0, 0, 0, 0)
        low.addLayout(row)
        low.addWidget(self.status)
        low.addWidget(self.table, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.body.addWidget(split, 1)
        self.retranslate_ui()
        self._update_buttons()
        self.refresh()

    # --- texts ----------------------------------------------------------------------------------
    def kind_names(self) -> dict[str, str]:
        return {"llm": self.tr("LLM call"), "tool": self.tr("Tool"), "kb_search": self.tr("Knowledge search"),
                "agent": self.tr("Sub-agent"), "set": self.tr("Set values"), "condition": self.tr("Condition"),
                "router": self.tr("Router"), "loop": self.tr("Loop"), "approval": self.tr("Human approval")}

    def field_names(self) -> dict[str, str]:
        return {"label": self.tr("Title"), "prompt": self.tr("Prompt"), "system": self.tr("System prompt"),
                "output": self.tr("Writes to"), "max_tokens": self.tr("Max tokens"),
                "temperature": self.tr("Temperature"), "tool": self.tr("Tool name"),
                "args": self.tr("Arguments (JSON)"), "query": self.tr("Query"), "kb": self.tr("Knowledge bases"),
                "top_k": self.tr("Passages"), "tools": self.tr("Tools (JSON list)"), "max_steps": self.tr("Max steps"),
                "values": self.tr("Values (JSON)"), "expr": self.tr("Expression"), "limit": self.tr("Pass limit"),
                "while": self.tr("While")}

    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Workflows"),
                              self.tr("Build a graph of model calls, tools, knowledge search, conditions, loops and "
                                      "approvals; run it with a live trace, answer approvals, retry or resume."))
        current = self.kind.currentData()
        self.kind.clear()
        for key, text in self.kind_names().items():
            self.kind.addItem(text, key)
        if current:
            self.kind.setCurrentIndex(max(0, self.kind.findData(current)))
        self.add_btn.setText(self.tr("Add node"))
        self.delete_btn.setText(self.tr("Delete node"))
        self.name_label.setText(self.tr("Save as:"))
        self.save_btn.setText(self.tr("Save"))
        self.hint.setText(self.tr("Drag a node to move it; drag from its round port onto another node to connect "
                                  "them."))
        self.apply_btn.setText(self.tr("Apply to node"))
        self.input_label.setText(self.tr("Input:"))
        self.input.setPlaceholderText(self.tr("The run's input"))
        self.input.setToolTip(self.tr("The run's input, {input} in the prompts"))
        self.run_btn.setText(self.tr("Run"))
        self.stop_btn.setText(self.tr("Stop"))
        self.approve_btn.setText(self.tr("Approve"))
        self.reject_btn.setText(self.tr("Reject"))
        self.retry_btn.setText(self.tr("Retry node"))
        self.resume_btn.setText(self.tr("Resume"))
        self.table.setHorizontalHeaderLabels([self.tr("Node"), self.tr("Input"), self.tr("Output"),
                                              self.tr("Seconds")])
        self._fill_list()
        self._show_node(self.node_id)
        self._show_status()

    def _zh(self) -> bool:
        return str(getattr(self.ctx.languages, "language", "en")).startswith("zh")

    def _local(self, text) -> str:
        if isinstance(text, dict):
            return str(text.get("zh" if self._zh() else "en") or text.get("en") or "")
        return str(text or "")

    # --- the list -------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.templates:
            self._fill_list()
            return
        job = jobs.templates_job(self)
        job.finished.connect(self._on_templates)
        self._templates_job = job
        job.start()

    def _on_templates(self, last, outcome) -> None:
        self.templates = (last or {}).get("templates") or []
        self._templates_job = None
        self._fill_list()

    def _fill_list(self) -> None:
        keep = self.source
        self.list.blockSignals(True)
        self.list.clear()
        for t in self.templates:
            item = QListWidgetItem(self.tr("Template: %1").replace("%1", self._local(t.get("title")) or t["name"]))
            item.setData(Qt.ItemDataRole.UserRole, f"template:{t['name']}")
            item.setToolTip(self._local(t.get("description")))
            self.list.addItem(item)
        for name, _path in jobs.saved():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, f"saved:{name}")
            self.list.addItem(item)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == keep:
                self.list.setCurrentRow(i)
        self.list.blockSignals(False)

    def sources(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def select(self, source: str) -> None:
        """Show a workflow of the list: ``template:NAME`` or ``saved:NAME``."""
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == source:
                self.list.setCurrentRow(i)
                return
        raise KeyError(source)

    def _on_pick(self, item, _previous=None) -> None:
        if item is None:
            return
        source = item.data(Qt.ItemDataRole.UserRole)
        kind, name = source.split(":", 1)
        if kind == "template":
            found = next((t for t in self.templates if t["name"] == name), None)
            data = copy.deepcopy(found["workflow"]) if found else None
        else:
            data = jobs.read(jobs.folder() / f"{name}.json")
        if data is None:
            self._error(self.tr("This workflow file cannot be read."))
            return
        self.source = source
        self.name.setText(name if kind == "saved" else f"my-{name}")
        self.show_workflow(data)

    def show_workflow(self, data: dict) -> None:
        """Show (and edit) this workflow's JSON; a run in progress keeps going."""
        self.data = data
        self.graph.show_workflow(data)
        self.view.fit()
        self._show_node(None)
        if self.job is None:
            self.run_id, self.run_state, self.result, self.trace = None, None, None, []
            self._fill_trace()
        self._show_status()
        self._update_buttons()

    # --- editing --------------------------------------------------------------------------------
    def add_node(self) -> None:
        if self.data is None:
            self.show_workflow({"version": 1, "name": "workflow", "nodes": [], "edges": []})
        kind = self.kind.currentData()
        taken = {n.get("id") for n in self.data.get("nodes", [])}
        n = 1
        while f"{kind}{n}" in taken:
            n += 1
        node = {"id": f"{kind}{n}", "type": kind, **copy.deepcopy(NEW_NODE[kind])}
        rect = self.graph.itemsBoundingRect()
        at = QPointF(rect.left(), rect.bottom() + 40) if not rect.isNull() else QPointF(0, 0)
        self.graph.add_node(node, at)
        self.select_node(node["id"])
        self.view.fit()

    def delete_node(self) -> None:
        if self.data is None or self.node_id is None:
            return
        gone = self.node_id
        self.data["nodes"] = [n for n in self.data.get("nodes", []) if n.get("id") != gone]
        self.data["edges"] = [e for e in self.data.get("edges", []) if gone not in (e.get("from"), e.get("to"))]
        if self.data.get("start") == gone:
            self.data.pop("start")
        self.graph.show_workflow(self.data)
        self._show_node(None)
        self._on_edited()

    def select_node(self, node_id: str) -> None:
        self.graph.clearSelection()
        self.graph.items_by_id[node_id].setSelected(True)

    def _on_edited(self) -> None:
        self.hint.setText(self.tr("Changed: save to keep it."))

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}

    def _show_node(self, node_id) -> None:
        self._clear_form()
        node = self.graph.node_data(node_id) if node_id else None
        self.node_id = node_id if node else None
        self.apply_btn.setEnabled(node is not None)
        self.delete_btn.setEnabled(node is not None)
        if node is None:
            self.form_box.setTitle(self.tr("Node"))
            empty = QLabel(self.tr("Select a node in the graph to edit it."))
            empty.setWordWrap(True)
            self.form.addRow(empty)
            return
        self.form_box.setTitle(self.tr("Node %1").replace("%1", node["id"]))
        self.form.addRow(self.tr("Kind:"), QLabel(self.kind_names().get(node.get("type"), str(node.get("type")))))
        for name in ("label", *FIELDS.get(node.get("type"), ())):
            value = node.get(name)
            text = "" if value is None else (value if isinstance(value, str) and (name in TEXT_FIELDS or name == "label")
                                             else json.dumps(value, ensure_ascii=False))
            editor = QPlainTextEdit(text) if name in LONG_FIELDS else QLineEdit(text)
            if isinstance(editor, QPlainTextEdit):
                editor.setFixedHeight(70)
            editor.setToolTip(name)  # the key in the JSON file
            self.editors[name] = editor
            self.form.addRow(self.field_names().get(name, name), editor)

    def apply_node(self) -> None:
        node = self.graph.node_data(self.node_id) if self.node_id else None
        if node is None:
            return
        for name, editor in self.editors.items():
            text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
            if not text.strip():
                node.pop(name, None)
            elif name in TEXT_FIELDS or name == "label":
                node[name] = text
            else:
                try:
                    node[name] = json.loads(text)
                except ValueError:
                    node[name] = text  # the validation on save names the field
        self.graph.refresh_node(node["id"])
        self._on_edited()

    def save(self) -> None:
        if self.data is None or (self.check is not None and self.check.is_running()):
            return
        name = self.name.text().strip()
        if not SAVE_NAME.match(name):
            self._error(self.tr("Name the workflow with letters, digits, '-', '_' or '.' (at most 64)."))
            return
        data = copy.deepcopy(self.data)
        data["name"] = name
        self.check = jobs.validate_job(jobs.snapshot(data), self)
        self.check.finished.connect(lambda last, outcome: self._on_checked(name, data, last))
        self.status.setText(self.tr("Checking the workflow…"))
        self.check.start()

    def _on_checked(self, name: str, data: dict, last) -> None:
        self.check = None
        if last and last.get("valid"):
            jobs.save(name, data)
            self.source = f"saved:{name}"
            self.data["name"] = name
            self._fill_list()
            self.hint.setText(self.tr("Saved as %1 in the data folder.").replace("%1", name))
            self._show_status()
            return
        err = (last or {}).get("error") or {}
        self._error(error_texts.text_for(err.get("code", ""), err.get("params"), err.get("message") or
                                         self.tr("The workflow could not be checked.")))

    # --- running --------------------------------------------------------------------------------
    def run(self) -> None:
        if self.data is None or self.busy():
            return
        self.run_path = jobs.snapshot(copy.deepcopy(self.data))
        self.run_id, self.result, self.trace = None, None, []
        self._fill_trace()
        first = self.data.get("start") or (self.data.get("nodes") or [{}])[0].get("id")
        self._start(jobs.run_job(self.run_path, text=self.input.text(), parent=self), first)

    def resume(self, approve) -> None:
        if self.run_id is None or self.busy():
            return
        record = jobs.run_record(self.run_id)
        if record and isinstance(record.get("workflow"), dict):
            self.run_path = jobs.snapshot(record["workflow"])
        self._start(jobs.run_job(self.run_path, resume=self.run_id, approve=approve, parent=self), None)

    def stop(self) -> None:
        if self.busy():
            self.job.stop()

    def busy(self) -> bool:
        return self.job is not None

    def _start(self, job: jobs.WorkflowJob, first: str | None) -> None:
        self.job = job
        self.run_state = "running"
        job.line.connect(self._on_line)
        job.finished.connect(self._on_finished)
        if first:
            self.graph.highlight(first)
        self._show_status()
        self._update_buttons()
        job.start()

    def _on_line(self, obj: dict) -> None:
        kind = obj.get("type")
        if kind == "run":
            self.run_id = obj.get("run_id")
        elif kind == "node":
            self.trace.append(obj)
            self._add_row(obj)
            if self.data is not None:
                self.graph.highlight(jobs.next_node(self._run_workflow(), obj.get("node"), obj.get("output")))

    def _run_workflow(self) -> dict:
        return jobs.read(self.run_path) or self.data or {}

    def _on_finished(self, last, outcome) -> None:
        self.job = None
        result = last if last and "type" not in last else None
        if result is not None and "status" in result:
            self.result = result
            self.run_state = result["status"]
            if isinstance(result.get("trace"), list):
                self.trace = result["trace"]
                self._fill_trace()
        elif result is not None and result.get("error"):  # it could not start
            self.result = result
            self.run_state = "refused"
        else:
            self.run_state = "killed" if self.run_id else "refused"
            self.result = None
        node = None
        if self.run_state == "waiting":
            node = (self.result.get("waiting") or {}).get("node")
        elif self.run_state == "failed":
            node = ((self.result.get("error") or {}).get("params") or {}).get("node")
        self.graph.highlight(node, self.run_state) if node else self.graph.highlight(None)
        self._show_status(outcome)
        self._update_buttons()

    def _fill_trace(self) -> None:
        self.table.setRowCount(0)
        for entry in self.trace:
            self._add_row(entry)

    def _add_row(self, entry: dict) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        seconds = entry.get("seconds")
        cells = [str(entry.get("node", "")), shown(entry.get("input")), shown(entry.get("output")),
                 f"{seconds:.3f}" if isinstance(seconds, (int, float)) else ""]
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…")
            item.setToolTip(text[:4000])
            if c == 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, item)
        self.table.scrollToBottom()

    def trace_nodes(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    def _update_buttons(self) -> None:
        running = self.busy()
        self.run_btn.setEnabled(self.data is not None and not running)
        self.stop_btn.setVisible(running)
        self.approve_btn.setVisible(not running and self.run_state == "waiting")
        self.reject_btn.setVisible(not running and self.run_state == "waiting")
        self.retry_btn.setVisible(not running and self.run_state == "failed")
        self.resume_btn.setVisible(not running and self.run_state in ("killed", "stopped"))
        self.save_btn.setEnabled(self.data is not None)
        self.add_btn.setEnabled(True)

    def _error(self, text: str) -> None:
        self.status.setStyleSheet("color: #b91c1c;")
        self.status.setText(text)

    def _show_status(self, outcome=None) -> None:
        self.status.setStyleSheet("")
        state, result = self.run_state, self.result or {}
        if state is None:
            text = "" if self.data else self.tr("Pick a template or a saved workflow, or add a node to start one.")
        elif state == "running":
            text = self.tr("Running…")
        elif state == "completed":
            text = self.tr("Completed. Output: %1").replace("%1", shown(result.get("output"))[:400])
        elif state == "waiting":
            waiting = result.get("waiting") or {}
            text = self.tr("Waiting for your approval at %1: %2").replace("%1", str(waiting.get("node", ""))) \
                .replace("%2", str(waiting.get("message", "")))
        elif state == "failed":
            err = result.get("error") or {}
            self._error(self.tr("Failed: %1 Fix the cause, then retry the node.").replace(
                "%1", error_texts.text_for(err.get("code", ""), err.get("params"), err.get("message", ""))))
            return
        elif state == "stopped":
            text = self.tr("Stopped. Its checkpoint is kept: Resume goes on from there.")
        elif state == "killed":
            text = self.tr("The run ended without finishing (killed). Resume goes on from its last checkpoint.")
        else:  # refused
            err = result.get("error") or {}
            message = err.get("message") or (outcome.last_error if outcome is not None else "")
            self._error(error_texts.text_for(err.get("code", ""), err.get("params"), message))
            return
        if self.run_id and state not in (None,):
            text += "  " + self.tr("(run %1)").replace("%1", self.run_id)
        self.status.setText(text)

    def shutdown(self) -> None:
        for job in (self.job, self.check):
            if job is not None and job.is_running():
                job.stop()
                job.proc.wait(5000)


__all__ = ["WorkflowsPanel", "KINDS", "FIELDS"]
