"""Settings → Chat engines: which local engine serves chats, when it starts (when Chat opens, when
the app starts, or when a message is sent), and remote OpenAI-compatible endpoints (key in the
keyring). Used by the Settings panel."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPushButton, QVBoxLayout,
)

from app.core import remote_endpoints, settings as settings_mod
from app.core.errors import UserError
from app.core.secrets import NoKeyringError
from app.views.error_texts import event_error_text, user_error_text
from app.views.widgets import show_error


class EndpointDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add a remote endpoint"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(placeholderText=self.tr("e.g. Team cluster"))
        self.url = QLineEdit(placeholderText="https://example.com/v1")
        self.model = QLineEdit(placeholderText=self.tr("optional: the first model the server lists"))
        self.key = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("stored in the system keyring"))
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Base URL"), self.url)
        form.addRow(self.tr("Model id"), self.model)
        form.addRow(self.tr("API key"), self.key)
        layout.addLayout(form)
        # What happens to the key: moved out of the URL, or sent unencrypted (updated as the user types).
        self.warning = QLabel(objectName="Warning", wordWrap=True)
        self.warning.setVisible(False)
        layout.addWidget(self.warning)
        self.url.textChanged.connect(self.update_warning)
        self.key.textChanged.connect(self.update_warning)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def update_warning(self) -> None:
        self.warning.setText(self.key_warning(self.url.text(), self.key.text()))
        self.warning.setVisible(bool(self.warning.text()))

    def key_warning(self, url: str, key: str) -> str:
        """What happens to the key: moved out of the URL, sent unencrypted (or "")."""
        clean, url_key = remote_endpoints.split_credentials(url)
        lines = []
        if url_key:
            lines.append(self.tr("The key written in this URL will be kept in the system keyring and removed "
                                 "from the URL; the settings file never holds it."))
        host = remote_endpoints.plain_http_host(clean)
        if host and (url_key or key.strip()):
            lines.append(self.tr("Warning: the API key would travel unencrypted over http:// to {host}; anyone "
                                 "on the network between can read it. Use https:// if the server offers it.")
                         .format(host=host))
        return "\n".join(lines)


class ChatEnginesGroup(QGroupBox):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        form = QFormLayout()
        fit = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon  # long items: the panel still fits
        self.engine = QComboBox(minimumContentsLength=24, sizeAdjustPolicy=fit)
        for value in settings_mod.CHAT_ENGINES:
            self.engine.addItem("", value)
        self.engine.setCurrentIndex(max(0, self.engine.findData(ctx.settings.chat_engine)))
        self.engine.currentIndexChanged.connect(lambda: self.ctx.update(chat_engine=self.engine.currentData()))
        self.engine_label = QLabel()
        form.addRow(self.engine_label, self.engine)
        self.preload = QComboBox(minimumContentsLength=16, sizeAdjustPolicy=fit)
        for value in settings_mod.CHAT_PRELOADS:
            self.preload.addItem("", value)
        self.preload.setCurrentIndex(max(0, self.preload.findData(ctx.settings.chat_preload)))
        self.preload.currentIndexChanged.connect(lambda: self.ctx.update(chat_preload=self.preload.currentData()))
        self.preload_label = QLabel()
        form.addRow(self.preload_label, self.preload)
        from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

        self.gpu_util = QDoubleSpinBox(minimum=0.0, maximum=0.98, singleStep=0.05, decimals=2)
        self.gpu_util.setValue(ctx.settings.gpu_memory_utilization)
        self.gpu_util.valueChanged.connect(lambda v: self.ctx.update(gpu_memory_utilization=round(float(v), 2)))
        self.max_len = QSpinBox(minimum=0, maximum=1_048_576, singleStep=1024)
        self.max_len.setValue(ctx.settings.max_model_len)
        self.max_len.valueChanged.connect(lambda v: self.ctx.update(max_model_len=int(v)))
        self.gpu_util_label, self.max_len_label = QLabel(), QLabel()
        form.addRow(self.gpu_util_label, self.gpu_util)
        form.addRow(self.max_len_label, self.max_len)
        self.tensor_parallel = QSpinBox(minimum=1, maximum=settings_mod.MAX_PARALLEL)
        self.tensor_parallel.setValue(ctx.settings.tensor_parallel_size)
        self.tensor_parallel.valueChanged.connect(lambda v: self.ctx.update(tensor_parallel_size=int(v)))
        self.pipeline_parallel = QSpinBox(minimum=1, maximum=settings_mod.MAX_PARALLEL)
        self.pipeline_parallel.setValue(ctx.settings.pipeline_parallel_size)
        self.pipeline_parallel.valueChanged.connect(lambda v: self.ctx.update(pipeline_parallel_size=int(v)))
        self.tp_label, self.pp_label = QLabel(), QLabel()
        form.addRow(self.tp_label, self.tensor_parallel)
        form.addRow(self.pp_label, self.pipeline_parallel)
        self.chat_memory = QDoubleSpinBox(minimum=0.0, maximum=4096.0, singleStep=1.0, decimals=1, objectName="chat-memory")
        self.chat_memory.setValue(ctx.settings.chat_memory_gb)
        self.chat_memory.valueChanged.connect(lambda v: self.ctx.update(chat_memory_gb=round(float(v), 1)))
        self.chat_memory_label = QLabel()
        form.addRow(self.chat_memory_label, self.chat_memory)
        layout.addLayout(form)
        self.remote_label = QLabel()
        layout.addWidget(self.remote_label)
        self.list = QListWidget(maximumHeight=110)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_btn = QPushButton()
        self.add_btn.clicked.connect(lambda: self.add())
        self.remove_btn = QPushButton()
        self.remove_btn.clicked.connect(self.remove_selected)
        self.check_btn = QPushButton()  # health, models and latency of every endpoint, off the GUI thread
        self.check_btn.clicked.connect(self.check_all)
        self.health: dict[str, dict] = {}
        self._checks: list = []
        row.addWidget(self.add_btn)
        row.addWidget(self.remove_btn)
        row.addWidget(self.check_btn)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = QLabel(objectName="Muted", wordWrap=True)
        layout.addWidget(self.note)
        self.refresh()
        self.retranslate_ui()

    def refresh(self) -> None:
        self.list.clear()
        for ep in self.ctx.settings.remote_endpoints:
            text = f"{ep['name']} — {ep['base_url']}" + (f" ({ep['model']})" if ep.get("model") else "")
            health = self.health.get(ep["name"])
            if health is not None:
                text += "  ·  " + self.health_text(health)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, ep["name"])
            self.list.addItem(item)
        self.remove_btn.setEnabled(self.list.count() > 0)
        self.check_btn.setEnabled(self.list.count() > 0 and not self._checks)

    def health_text(self, h: dict) -> str:
        if h.get("checking"):
            return self.tr("checking…")
        if not h["ok"]:
            reason = event_error_text(h.get("message", ""), "", {"code": h.get("code", ""),
                                                                 "params": h.get("params", {})})
            if h.get("answered"):  # it is up; it refused (a wrong key, an API error)
                return self.tr("answers, but refused: {reason}").format(reason=reason)
            return self.tr("not reachable: {reason}").format(reason=reason)
        text = self.tr("up, {n} model(s), {ms:.0f} ms").format(n=len(h["models"]), ms=h["latency_ms"])
        if not h["has_model"]:
            text += " — " + self.tr("its model is not among them")
        return text

    def check_all(self) -> None:
        """Ask every endpoint for its models at once; each row shows its answer when it comes."""
        from app.workers.background import BackgroundCall

        for ep in self.ctx.settings.remote_endpoints:
            self.health[ep["name"]] = {"checking": True}
            call = BackgroundCall(remote_endpoints.check_endpoint, dict(ep), name="endpoint-check", parent=self)
            call.done.connect(lambda result, c=call, name=ep["name"]: self._checked(c, name, result))
            self._checks.append(call)
            call.start()
        self.refresh()

    def _checked(self, call, name: str, result: dict) -> None:
        if "ok" not in result:  # the check itself raised: say so as not reachable
            result = {"name": name, "ok": False, "models": [], "latency_ms": None, "has_model": False,
                      "code": "", "params": {}, "message": result.get("error", "")}
        self.health[name] = result
        if call in self._checks:
            self._checks.remove(call)
        call.deleteLater()
        self.refresh()

    def add(self, values: dict | None = None) -> bool:
        """Ask for an endpoint (or take ``values``: name, base_url, model, api_key) and save it."""
        if not isinstance(values, dict):
            dialog = EndpointDialog(self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            values = {"name": dialog.name.text(), "base_url": dialog.url.text(), "model": dialog.model.text(),
                      "api_key": dialog.key.text()}
        try:
            remote_endpoints.add_endpoint(self.ctx.settings, values.get("name", ""), values.get("base_url", ""),
                                          values.get("model", ""), values.get("api_key", ""))
        except NoKeyringError:
            show_error(self, self.tr("Remote endpoint"), self.tr(
                "No system keyring is available, so the API key was not saved. Tick \"Keep secrets for this "
                "session only\" in the Hugging Face section to use it until the app closes."))
            return False
        except UserError as err:
            show_error(self, self.tr("Remote endpoint"), user_error_text(err))
            return False
        self.ctx.update()
        self.refresh()
        return True

    def remove_selected(self) -> None:
        item = self.list.currentItem() or (self.list.item(0) if self.list.count() == 1 else None)
        if item is None:
            return
        remote_endpoints.remove_endpoint(self.ctx.settings, item.data(Qt.ItemDataRole.UserRole))
        self.ctx.update()
        self.refresh()

    def retranslate_ui(self) -> None:
        self.setTitle(self.tr("Chat engines"))
        self.engine_label.setText(self.tr("Local engine"))
        for i, text in enumerate((self.tr("Automatic (small models without a GPU: Transformers; else vLLM)"), self.tr("vLLM"),
                                  self.tr("Transformers (works everywhere, slower)"))):
            self.engine.setItemText(i, text)
        self.engine.setToolTip(self.tr("Without a GPU, vLLM needs about a minute and a half to start; the "
                                       "Transformers engine answers a small model's first message in seconds"))
        self.preload_label.setText(self.tr("Start the chat engine"))
        for i, text in enumerate((self.tr("When Chat opens"), self.tr("When the app starts"),
                                  self.tr("When I send a message"))):
            self.preload.setItemText(i, text)
        self.preload.setToolTip(self.tr("Starting it ahead of the first message means the first answer "
                                        "does not wait for the model to load"))
        self.gpu_util_label.setText(self.tr("GPU memory for vLLM"))
        self.gpu_util.setSpecialValueText(self.tr("Default (0.90)"))
        self.gpu_util.setToolTip(self.tr("The share of GPU memory vLLM may take for weights and the KV cache"))
        self.max_len_label.setText(self.tr("Context length"))
        self.max_len.setSpecialValueText(self.tr("Model's own (at most 8192)"))
        self.max_len.setToolTip(self.tr("Longer contexts need more KV-cache memory; applies to engines started after the change"))
        self.tp_label.setText(self.tr("Tensor parallel (GPUs per layer)"))
        self.tensor_parallel.setToolTip(self.tr(
            "vLLM splits each layer across this many GPUs; the model's memory per GPU divides by it"))
        self.pp_label.setText(self.tr("Pipeline parallel (stages)"))
        self.pipeline_parallel.setToolTip(self.tr(
            "vLLM splits the layers into this many stages, one GPU each; tensor × pipeline GPUs in all"))
        self.chat_memory_label.setText(self.tr("Memory for chat engines"))
        self.chat_memory.setSuffix(" GB")
        self.chat_memory.setSpecialValueText(self.tr("Automatic"))
        self.chat_memory.setToolTip("<p>" + html.escape(self.tr(  # rich text: Qt wraps it
            "Several models may be served at once within this much memory (GPU memory on a GPU, else RAM). "
            "A model that does not fit stops the least recently used one; one answering is never stopped. "
            "Automatic: the GPU's memory, or 70 % of the RAM without a GPU.")) + "</p>")
        self.remote_label.setText(self.tr("Remote endpoints (any OpenAI-compatible server)"))
        self.add_btn.setText(self.tr("Add…"))
        self.remove_btn.setText(self.tr("Remove"))
        self.check_btn.setText(self.tr("Check"))
        self.check_btn.setToolTip(self.tr("Ask each endpoint for its models: whether it answers, what it serves and how fast"))
        self.note.setText(self.tr("Remote endpoints appear in the Chat panel's model list. Their API keys are "
                                  "kept in the system keyring, never in the settings file."))
        if self.health:
            self.refresh()  # the health texts in the new language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
