"""Models: the bundled default, imported folders, converted GGUF files, hub downloads, merged models
and the adapters of training runs; the details of the selected one (read from its files, no torch);
import, download, delete; remote code allowed per model; the running chat engines.

Long jobs (GGUF conversion, downloads) run as engine processes (app/workers/model_import.py); the
chat engines belong to ``ctx.serve`` (app/workers/serve_manager.py).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core import models_registry, vram_planner
from app.core.errors import UserError
from app.views.error_texts import job_error_text, user_error_text
from app.views.panel import Panel
from app.views.progress_texts import engine_detail_text
from app.views.sizes import human_bytes
from app.views.widgets import Card, record_table, show_error

DETAIL_KEYS = ("kind", "architecture", "params", "size", "dtype", "quantization", "context", "template",
               "gpu", "path", "origin")


def _model_key(r: dict) -> str:
    """The key of a model's own settings: its folder, resolved (the serve manager resolves it too)."""
    return str(Path(r["path"]).resolve())


def human_params(n) -> str:
    if not n:
        return "–"
    if n >= 1e9:
        return f"{n / 1e9:.2f} B"
    return f"{n / 1e6:.1f} M" if n >= 1e5 else f"{n:,}"


def kind_text(kind: str) -> str:
    return {
        "bundled": QCoreApplication.translate("ModelKind", "Bundled default"),
        "local": QCoreApplication.translate("ModelKind", "Local folder"),
        "gguf": QCoreApplication.translate("ModelKind", "GGUF (converted)"),
        "merged": QCoreApplication.translate("ModelKind", "Merged"),
        "quantized": QCoreApplication.translate("ModelKind", "Quantized"),
        "adapter": QCoreApplication.translate("ModelKind", "Adapter"),
        "remote": QCoreApplication.translate("ModelKind", "Remote"),
    }.get(kind, kind)


def quantization_text(row: dict) -> str:
    """AWQ/GPTQ/bitsandbytes from quantization_config, a GGUF's own type, or none."""
    q, bits = row.get("quantization"), row.get("quant_bits")
    if not q:
        return QCoreApplication.translate("ModelsPanel", "none")
    name = {"awq": "AWQ", "gptq": "GPTQ", "bitsandbytes": "bitsandbytes", "4bit": "bitsandbytes"}.get(str(q), str(q))
    if row.get("quant_scheme"):  # compressed-tensors says its scheme (W8A8, W4A16), which says the bits
        return f"{name} {row['quant_scheme']}"
    return f"{name} {bits}-bit" if bits else name


def state_text(state: str) -> str:
    return {
        "loading": QCoreApplication.translate("EngineState", "Loading"),
        "ready": QCoreApplication.translate("EngineState", "Ready"),
        "failed": QCoreApplication.translate("EngineState", "Failed"),
        "stopped": QCoreApplication.translate("EngineState", "Stopped"),
    }.get(state, state)


class ModelsPanel(Panel):
    run_requested = Signal(str)      # a run id: the user clicked an adapter's training run
    job_finished = Signal(bool, str)  # an import or download ended: ok, model name or error

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("panel-models")
        self.rows: list[dict] = []
        self.job = None  # the running ModelImportJob
        self._serve = None
        layout = self.body

        bar = QHBoxLayout()
        self.import_folder_btn = QPushButton(objectName="Primary")
        self.import_gguf_btn = QPushButton()
        self.download_btn = QPushButton()
        self.delete_btn = QPushButton()
        self.refresh_btn = QPushButton()
        for w in (self.import_folder_btn, self.import_gguf_btn, self.download_btn, self.delete_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.refresh_btn)
        layout.addLayout(bar)
        self.import_folder_btn.clicked.connect(self.choose_folder)
        self.import_gguf_btn.clicked.connect(self.choose_gguf)
        self.download_btn.clicked.connect(self.ask_download)
        self.delete_btn.clicked.connect(self.delete_selected)
        self.refresh_btn.clicked.connect(self.refresh)

        prog = QHBoxLayout()
        self.progress = QProgressBar(visible=False)
        self.progress_label = QLabel(objectName="Muted", wordWrap=True)
        self.cancel_btn = QPushButton(visible=False)
        self.cancel_btn.clicked.connect(self.cancel_job)
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.progress_label, 1)
        prog.addWidget(self.cancel_btn)
        layout.addLayout(prog)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = record_table(6)
        self.table.setWordWrap(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.show_details)
        ctx.settings_changed.connect(self.show_details)  # the GPU estimate follows Settings' parallel sizes
        split.addWidget(self.table)
        split.addWidget(self._build_details())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([680, 440])
        layout.addWidget(split, 1)
        from app.views.model_formats import FormatsCard

        self.formats = FormatsCard()
        self.formats.push_requested.connect(self.push_form)
        self.formats.measured.connect(lambda _ok: self.ctx.status_message.emit(self.tr("Measurement finished."), 4000))
        layout.addWidget(self.formats)
        layout.addWidget(self._build_engines())
        self.retranslate_ui()
        self.refresh()
        self._connect_serve()

    # --- building -----------------------------------------------------------------------------
    def _build_details(self) -> QWidget:
        self.details = Card()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.detail_labels: dict[str, QLabel] = {}
        self.detail_values: dict[str, QLabel] = {}
        for key in DETAIL_KEYS:
            name, value = QLabel(objectName="Muted"), QLabel(wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_labels[key], self.detail_values[key] = name, value
            self.form.addRow(name, value)
        # The training run of an adapter is a link; clicking it shows the run.
        self.detail_values["origin"].setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail_values["origin"].linkActivated.connect(self._origin_link)
        # The facts scroll inside the card: in a short window wrapped values are never cut mid-line.
        facts = QWidget()
        facts_layout = QVBoxLayout(facts)
        facts_layout.setContentsMargins(0, 0, 0, 0)
        facts_layout.addLayout(self.form)
        self.status_note = QLabel(wordWrap=True, objectName="Warning", visible=False)
        facts_layout.addWidget(self.status_note)
        facts_layout.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(facts)
        self.details.body.addWidget(scroll, 1)
        actions = QHBoxLayout()
        self.allow_btn = QPushButton(visible=False)
        self.allow_btn.clicked.connect(self.allow_remote_code)
        self.start_btn = QPushButton(objectName="Primary")
        self.start_btn.clicked.connect(self.start_selected)
        self.export_btn = QPushButton()
        self.export_btn.clicked.connect(lambda: self.export_selected())  # clicked(bool) is no argument here
        self.quantize_btn = QPushButton(objectName="model-quantize")
        self.quantize_btn.clicked.connect(lambda: self.quantize_selected())
        self.gpus_btn = QPushButton(objectName="model-gpus")
        self.gpus_btn.clicked.connect(lambda: self.edit_parallel())
        actions.addWidget(self.allow_btn)
        actions.addStretch(1)
        actions.addWidget(self.gpus_btn)
        actions.addWidget(self.quantize_btn)
        actions.addWidget(self.export_btn)
        actions.addWidget(self.start_btn)
        self.details.body.addLayout(actions)
        return self.details

    def _build_engines(self) -> QWidget:
        self.engines_card = Card()
        self.engines_table = QTableWidget(0, 6)
        self.engines_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.engines_table.verticalHeader().setVisible(False)
        self.engines_table.setMaximumHeight(170)
        self.engines_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.engines_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.engines_empty = QLabel(objectName="Muted", wordWrap=True)
        self.engines_card.body.addWidget(self.engines_table, 1)
        self.engines_card.body.addWidget(self.engines_empty)
        return self.engines_card

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.header.set_texts(self.tr("Models"), self.tr(
            "The bundled model, models you imported or downloaded, merged models, and the adapters your "
            "training runs produced. Select one to see what it is and what it needs to run."))
        self.import_folder_btn.setText(self.tr("Import local folder…"))
        self.import_gguf_btn.setText(self.tr("Import GGUF…"))
        self.download_btn.setText(self.tr("Download from hub…"))
        self.delete_btn.setText(self.tr("Delete…"))
        self.refresh_btn.setText(self.tr("Refresh"))
        self.cancel_btn.setText(self.tr("Cancel"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Kind"), self.tr("Parameters"),
                                              self.tr("Size"), self.tr("Quantization"), self.tr("GPU (est.)")])
        names = {"kind": self.tr("Kind"), "architecture": self.tr("Architecture"), "params": self.tr("Parameters"),
                 "size": self.tr("Size on disk"), "dtype": self.tr("Data type"),
                 "quantization": self.tr("Quantization"), "context": self.tr("Context length"),
                 "template": self.tr("Chat template"), "gpu": self.tr("GPU memory to serve (est.)"),
                 "path": self.tr("Path"), "origin": self.tr("Source")}
        for key, text in names.items():
            self.detail_labels[key].setText(text)
        self.start_btn.setText(self.tr("Start engine"))
        self.gpus_btn.setText(self.tr("GPUs…"))
        self.gpus_btn.setToolTip(self.tr("Serve this model with vLLM across several GPUs (tensor and pipeline "
                                         "parallel sizes of its own)"))
        self.export_btn.setText(self.tr("Export…"))
        self.export_btn.setToolTip(self.tr("Write this model (an adapter: merged into its base) as a GGUF file for "
                                           "llama.cpp, Ollama or LM Studio, verified against the source."))
        self.quantize_btn.setText(self.tr("Quantize…"))
        self.quantize_btn.setToolTip(self.tr("A smaller copy for serving (W8A8 or W4A16 with llm-compressor, "
                                             "calibrated on your data), added to Models beside this one."))
        self.allow_btn.setText(self.tr("Allow remote code for this model…"))
        self.engines_card.title.setText(self.tr("Running engines"))
        self.engines_table.setHorizontalHeaderLabels([self.tr("Model"), self.tr("Engine"), self.tr("State"),
                                                      self.tr("Port"), self.tr("Memory"), ""])
        self.formats.retranslate_ui()
        self.fill_table()
        self.refresh_engines()

    def showEvent(self, event) -> None:
        self.refresh()  # a training run may have finished, or a model been merged, meanwhile
        super().showEvent(event)

    # --- the list -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.rows = models_registry.list_all_models(self.ctx.db)
        self.fill_table()

    def fill_table(self) -> None:
        keep = self._key(self.selected())
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        select = 0
        for i, r in enumerate(self.rows):
            if self._key(r) == keep:
                select = i
            cells = (r["name"], kind_text(r["kind"]), human_params(r.get("params")),
                     human_bytes(r.get("size_bytes")), quantization_text(r) if r["kind"] != "adapter" else "–",
                     human_bytes(r.get("gpu_bytes")))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(f'{r["name"]}\n{r.get("path") or ""}')
                self.table.setItem(i, col, item)
        if self.rows:
            self.table.selectRow(select)
        self.table.blockSignals(False)
        self.show_details()

    @staticmethod
    def _key(row: dict | None):
        return (row.get("kind"), row.get("name")) if row else None

    def selected(self) -> dict | None:
        if not hasattr(self, "table"):
            return None
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select(self, name: str, kind: str | None = None) -> bool:
        for i, r in enumerate(self.rows):
            if r["name"] == name and (kind is None or r["kind"] == kind):
                self.table.selectRow(i)
                return True
        return False

    def row(self, name: str) -> dict | None:
        return next((r for r in self.rows if r["name"] == name), None)

    # --- details ------------------------------------------------------------------------------
    def detail_text(self, key: str) -> str:
        return self.detail_values[key].text().replace("\u200b", "")

    def show_details(self) -> None:
        r = self.selected()
        self.delete_btn.setEnabled(r is not None and r["kind"] not in ("bundled", "adapter"))
        if r is None:
            self.details.title.setText(self.tr("No model selected"))
            for v in self.detail_values.values():
                v.setText("")
            self.status_note.setVisible(False)
            self.allow_btn.setVisible(False)
            self.start_btn.setEnabled(False)
            self.export_btn.setEnabled(False)
            self.quantize_btn.setEnabled(False)
            self.gpus_btn.setEnabled(False)
            if hasattr(self, "formats"):
                self.formats.set_model(None, self.rows)
            return
        self.details.title.setText(r["name"])
        yes, no, dash = self.tr("yes"), self.tr("no"), "–"
        values = {
            "kind": kind_text(r["kind"]),
            "architecture": r.get("architecture") or dash,
            "params": human_params(r.get("params")),
            "size": human_bytes(r.get("size_bytes")),
            "dtype": r.get("dtype") or dash,
            "quantization": quantization_text(r),
            "context": str(r["context_length"]) if r.get("context_length") else dash,
            "template": yes if r.get("chat_template") else no,
            "gpu": self._gpu_text(r),
            "path": r.get("path") or dash,
            "origin": self._origin_text(r),
        }
        # A long path has no spaces to wrap at: allow a break after each separator.
        values["path"] = values["path"].replace("/", "/\u200b").replace("\\", "\\\u200b")
        for key, text in values.items():
            self.detail_values[key].setText(text)
        self.detail_values["path"].setToolTip(r.get("path") or "")
        for key in ("architecture", "quantization", "context", "template", "gpu"):
            # an adapter has no architecture, context or template of its own: its base model has them
            hide = r["kind"] == "adapter" and key in ("architecture", "context", "gpu", "template")
            self.detail_labels[key].setVisible(not hide)
            self.detail_values[key].setVisible(not hide)
        note = ""
        if not r.get("ready", True):
            # the engine's reason is English detail for the log; the person gets a sentence in their language
            if r["kind"] == "bundled":
                note = self.tr("The bundled model is not prepared yet. Prepare it from the Dashboard, or run "
                               "ai-platform setup-models (about a minute, offline).")
            else:
                note = self.tr("The model's files are missing.")
            self.status_note.setToolTip(" ".join(filter(None, (r.get("reason"), r.get("fix")))))
        elif r.get("refused"):
            note = self.tr("Refused: this model needs remote code (trust_remote_code). {reason} It stays off "
                           "unless you allow it for this model only.").format(reason=r.get("remote_code") or "")
        elif r.get("remote_code") and r.get("trust_remote_code"):
            note = self.tr("Remote code is allowed for this model.")
        self.status_note.setText(note)
        self.status_note.setVisible(bool(note))
        self.allow_btn.setVisible(bool(r.get("refused")) and r.get("id") is not None)
        self.start_btn.setEnabled(bool(r.get("ready", True)) and not r.get("refused") and self.serve is not None)
        self.export_btn.setEnabled(bool(r.get("ready", True)) and bool(r.get("path")) and r["kind"] != "remote")
        # An already quantized folder has no 16-bit weights to calibrate (the dialog says so for others).
        self.quantize_btn.setEnabled(bool(r.get("ready", True)) and bool(r.get("path"))
                                     and r["kind"] not in ("remote", "quantized"))
        self.gpus_btn.setEnabled(bool(r.get("ready", True)) and bool(r.get("path"))
                                 and r["kind"] not in ("adapter", "remote"))
        if hasattr(self, "formats"):
            self.formats.set_model(r if r.get("ready", True) else None, self.rows)

    def _gpu_text(self, r: dict) -> str:
        if r["kind"] == "adapter" or not r.get("path") or not r.get("ready", True):
            return "–"
        tp, pp = self.ctx.settings.parallel_for(_model_key(r))
        try:
            est = vram_planner.serving_estimate(r["path"], tensor_parallel=tp, pipeline_parallel=pp)
        except (OSError, ValueError, UserError):
            return "–"
        text = self._one_gpu_text(est)
        if est["gpus"] > 1:  # vLLM parallel sizes: this model's own (GPUs…), else Settings'
            text = self.tr("{figure} per GPU, on {n} GPUs (tensor {tp} × pipeline {pp})").format(
                figure=text, n=est["gpus"], tp=tp, pp=pp)
        if _model_key(r) in self.ctx.settings.model_parallel:
            text += " " + self.tr("(this model's own GPU settings)")
        return text

    def set_parallel(self, path: str, tp: int, pp: int) -> None:
        """This model's vLLM tensor/pipeline sizes (1 × 1 or the same as Settings: back to Settings')."""
        sizes = dict(self.ctx.settings.model_parallel)
        if (tp, pp) == (int(self.ctx.settings.tensor_parallel_size), int(self.ctx.settings.pipeline_parallel_size)):
            sizes.pop(path, None)
        else:
            sizes[path] = {"tp": int(tp), "pp": int(pp)}
        self.ctx.update(model_parallel=sizes)
        self.show_details()

    def edit_parallel(self) -> bool:
        """The GPUs… dialog: this model's tensor and pipeline sizes, with its memory per GPU."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QSpinBox

        from app.core import settings as settings_mod

        r = self.selected()
        if r is None or r["kind"] in ("adapter", "remote") or not r.get("path"):
            return False
        tp, pp = self.ctx.settings.parallel_for(_model_key(r))
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("GPUs for {name}").format(name=r["name"]))
        form = QFormLayout(dialog)
        tp_box = QSpinBox(minimum=1, maximum=settings_mod.MAX_PARALLEL, value=tp)
        pp_box = QSpinBox(minimum=1, maximum=settings_mod.MAX_PARALLEL, value=pp)
        figure = QLabel(wordWrap=True)

        def show():
            try:
                est = vram_planner.serving_estimate(r["path"], tensor_parallel=tp_box.value(),
                                                    pipeline_parallel=pp_box.value())
                figure.setText(self.tr("{figure} per GPU, on {n} GPUs").format(
                    figure=human_bytes(est["total_bytes"]), n=est["gpus"]))
            except (OSError, ValueError, UserError):
                figure.setText("–")

        tp_box.valueChanged.connect(show)
        pp_box.valueChanged.connect(show)
        form.addRow(QLabel(self.tr("vLLM serves this model across several GPUs with these sizes; other models "
                                   "keep the ones in Settings."), wordWrap=True))
        form.addRow(self.tr("Tensor parallel (GPUs per layer)"), tp_box)
        form.addRow(self.tr("Pipeline parallel (stages)"), pp_box)
        form.addRow(figure)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        show()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self.set_parallel(_model_key(r), tp_box.value(), pp_box.value())
        return True

    def _one_gpu_text(self, est: dict) -> str:
        if not est["kv_cache_bytes"]:  # a shape the planner does not know (mixture of experts…)
            return self.tr("{total} (weights {weights} + overhead {over}; KV cache not estimated)").format(
                total=human_bytes(est["total_bytes"]), weights=human_bytes(est["weights_bytes"]),
                over=human_bytes(est["overhead_bytes"]))
        return self.tr("{total} (weights {weights} + KV cache {kv} for {tokens} tokens + overhead {over})").format(
            total=human_bytes(est["total_bytes"]), weights=human_bytes(est["weights_bytes"]),
            kv=human_bytes(est["kv_cache_bytes"]), tokens=est["max_model_len"],
            over=human_bytes(est["overhead_bytes"]))

    def _origin_text(self, r: dict) -> str:
        if r["kind"] == "adapter":
            run = f'<a href="run:{r["run_id"]}">{r.get("run_name") or r["name"]}</a>'
            base = r.get("base_model") or "–"
            if base in ("default", ""):
                base = self.tr("{name} (bundled)").format(name="SmolLM2-135M-Instruct")
            return self.tr("Training run {run} ({id}), base model {base}").format(run=run, id=r["run_id"], base=base)
        if r["kind"] == "bundled":
            return self.tr("Shipped with the app (SmolLM2-135M-Instruct GGUF, converted once)")
        return r.get("source") or "–"

    def _origin_link(self, link: str) -> None:
        if link.startswith("run:"):
            run_id = link[4:]
            self.ctx.status_message.emit(self.tr("Training run {id}").format(id=run_id), 5000)
            self.run_requested.emit(run_id)
            self.ctx.navigate("training", run=run_id)

    # --- importing ----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import a Hugging Face model folder"))
        if folder:
            self.import_folder(folder)

    def import_folder(self, folder: str) -> dict | None:
        try:
            info = models_registry.import_folder(self.ctx.db, folder)
        except UserError as err:
            show_error(self, self.tr("Import local folder"), user_error_text(err))
            return None
        self.refresh()
        self.select(info.name)
        row = self.selected()
        if row and row.get("refused"):
            show_error(self, self.tr("Import local folder"), self.tr(
                '"{name}" was added but will not be loaded: it needs remote code. {reason} Select it and use '
                '"Allow remote code for this model" only if you trust its author.').format(
                name=info.name, reason=row.get("remote_code") or ""))
        return row

    def choose_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF file"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.import_gguf(path)

    def import_gguf(self, path: str) -> bool:
        from app.workers.model_import import ModelImportJob

        return self._start_job(lambda: ModelImportJob.gguf(self.ctx.db, path, parent=self),
                               self.tr("Converting {name}…").format(name=Path(path).name))

    def ask_download(self) -> None:
        repo, ok = QInputDialog.getText(self, self.tr("Download from hub"), self.tr(
            "Hugging Face model id (owner/name), for example Qwen/Qwen2.5-0.5B-Instruct.\nA token saved in "
            "Settings is used for gated or private models."))
        if ok and repo.strip():
            self.download(repo)

    def download(self, repo_id: str) -> bool:
        from app.workers.model_import import ModelImportJob

        return self._start_job(lambda: ModelImportJob.hub(self.ctx.db, repo_id, parent=self),
                               self.tr("Downloading {repo}…").format(repo=repo_id.strip()))

    def _start_job(self, make, message: str) -> bool:
        if self.job is not None:
            self.ctx.status_message.emit(self.tr("Another import is running; wait for it to finish."), 5000)
            return False
        try:
            job = make()
        except UserError as err:
            show_error(self, self.tr("Models"), user_error_text(err))
            return False
        self.job = job
        job.progress.connect(self._job_progress)
        job.finished.connect(self._job_finished)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        self.progress_label.setText(message)
        self._set_import_enabled(False)
        job.start()
        return True

    def _set_import_enabled(self, on: bool) -> None:
        for b in (self.import_gguf_btn, self.download_btn):
            b.setEnabled(on)

    def _job_progress(self, step: int, total: int, message: str) -> None:
        if total > 0:
            # Byte counts overflow a QProgressBar's int: show per mille.
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(step, total) / total))
        if message:
            from app.views.progress_texts import event_progress_text

            job = self.job
            self.progress_label.setText(event_progress_text(job.last_progress) if job and job.last_progress
                                        else message)

    def _job_finished(self, ok: bool, message: str) -> None:
        job, self.job = self.job, None
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        self._set_import_enabled(True)
        if ok:
            self.progress_label.setText(self.tr('"{name}" is ready.').format(name=message))
            self.refresh()
            self.select(message)
        else:
            self.progress_label.setText("")
            show_error(self, self.tr("Models"), job_error_text(job, message))
        self.job_finished.emit(ok, message)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.stop()

    # --- deleting -----------------------------------------------------------------------------
    def delete_selected(self) -> None:
        r = self.selected()
        if r is None:
            return
        if r["kind"] == "bundled":
            show_error(self, self.tr("Delete model"), self.tr(
                "The bundled default model cannot be deleted: the app needs it to work offline."))
            return
        if r["kind"] == "adapter":
            show_error(self, self.tr("Delete model"), self.tr(
                "An adapter belongs to its training run: delete the run in Training (More → Delete…) to remove it."))
            return
        path = r.get("path") or ""
        ours = bool(path) and models_registry.inside_data_folder(path)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Delete model"), "", parent=self)
        also = None
        if ours:
            box.setText(self.tr('Delete "{name}" and its files at {path}? This cannot be undone.').format(
                name=r["name"], path=path))
        else:
            box.setText(self.tr('Remove "{name}" from the list? Its files at {path} stay where they are.').format(
                name=r["name"], path=path))
            also = QCheckBox(self.tr("Also delete the files at {path}").format(path=path))
            box.setCheckBox(also)
        delete = box.addButton(self.tr("Delete") if ours else self.tr("Remove"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not delete:
            return
        try:
            models_registry.delete_model(self.ctx.db, r["id"], delete_files=bool(also and also.isChecked()))
        except (UserError, OSError) as err:
            show_error(self, self.tr("Delete model"), user_error_text(err))
        self.refresh()

    # --- remote code --------------------------------------------------------------------------
    def allow_remote_code(self) -> None:
        r = self.selected()
        if r is None or r.get("id") is None:
            return
        answer = QMessageBox.warning(
            self, self.tr("Allow remote code"),
            self.tr('Allowing remote code for "{name}" lets the Python files in {path} run on this computer, with '
                    "your permissions, whenever the model loads. Only do this for a model whose author you trust. "
                    "Other models stay refused.\n\nAllow remote code for this model?").format(
                name=r["name"], path=r.get("path") or ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        models_registry.ModelRegistry(self.ctx.db).set_trust_remote_code(r["id"], True)
        self.refresh()

    # --- engines ------------------------------------------------------------------------------
    @property
    def serve(self):
        return self._serve

    def _connect_serve(self) -> None:
        try:
            self._serve = getattr(self.ctx, "serve", None)
        except Exception:  # noqa: BLE001 - the engine manager is missing or broken: no engines card
            self._serve = None
        if self._serve is not None and hasattr(self._serve, "changed"):
            self._serve.changed.connect(self.refresh_engines)
        self.refresh_engines()
        self.show_details()

    def serve_ref(self, r: dict) -> tuple[str, dict[str, str]]:
        """(model_ref, adapters) to start an engine for a row: an adapter starts its base model."""
        if r["kind"] == "bundled":
            return "default", {}
        if r["kind"] == "adapter":
            base = r.get("base_model") or "default"
            import re

            # The adapter's served name: vLLM's --lora-modules takes NAME=PATH, so no spaces or "=".
            name = re.sub(r"[^\w.-]+", "-", r["name"]).strip("-") or r["run_id"]
            return ("default" if base in ("default", "") else base), {name: r["path"]}
        return r["name"], {}

    def export_ref(self, r: dict) -> str:
        """What `ai-platform export` is given for a row: the bundled model, or the folder (an adapter's
        folder lies in its run, whose config names the base)."""
        return "default" if r["kind"] == "bundled" else str(r["path"])

    def export_selected(self):
        """Open the Export dialog for the selected model or adapter (it stays open while it works)."""
        from app.views.export_dialog import open_export_dialog

        r = self.selected()
        if r is None:
            return None
        self.export_dialog = open_export_dialog(self, self.ctx, self.export_ref(r))
        self.export_dialog.exported.connect(lambda _data: self.ctx.status_message.emit(
            self.tr("Exported to {path}").format(path=_data.get("path")), 6000))
        return self.export_dialog

    def quantize_selected(self):
        """Open the Quantize dialog for the selected model or adapter; a finished one appears in the list."""
        from app.views.quantize_dialog import open_quantize_dialog

        r = self.selected()
        if r is None:
            return None
        self.quantize_dialog = open_quantize_dialog(self, self.ctx, self.export_ref(r))
        self.quantize_dialog.quantized.connect(self._quantized)
        return self.quantize_dialog

    def _quantized(self, data: dict) -> None:
        self.refresh()
        self.ctx.status_message.emit(self.tr("Quantized model {name} added").format(name=data.get("name")), 6000)

    def push_form(self, form: dict):
        """Open "Push to Hugging Face hub" for a form of the selected model (the model itself, a
        quantized folder or a GGUF file)."""
        from app.views.push_dialog import open_push_dialog, push_kind

        r = self.selected()
        if r is None:
            return None
        own = form["role"] == "model"
        # an adapter is pushed by its run id (the command finds the adapter and the run's card data)
        target = r["run_id"] if own and r["kind"] == "adapter" else form["path"]
        self.push_dialog = open_push_dialog(self, self.ctx, target, form["path"],
                                            push_kind(form["path"], r["kind"] if own else "model"), form["name"])
        return self.push_dialog

    def push_selected(self):
        """Push the selected model itself."""
        return self.push_form(self.formats.forms[0]) if self.formats.forms else None

    def start_selected(self) -> str | None:
        r = self.selected()
        if r is None or self.serve is None:
            return None
        if r.get("refused"):
            show_error(self, self.tr("Start engine"), r.get("remote_code") or "")
            return None
        ref, adapters = self.serve_ref(r)
        try:
            if adapters:  # into the base model's running engine when there is one (no restart)
                name, path = next(iter(adapters.items()))
                return self.serve.ensure(ref, (name, path), label=r["name"])
            return self.serve.start(ref, adapters or None)
        except UserError as err:
            show_error(self, self.tr("Start engine"), user_error_text(err))
            return None

    def _adapter_label(self, served: str) -> str:
        """An adapter as a person named it: its run's name, not the served id ("run-2026…")."""
        if served.startswith("run-"):
            try:
                from app.core.runs import RunStore

                return RunStore(self.ctx.db).get(served[4:]).name or served
            except Exception:  # noqa: BLE001 - a deleted run: its served id is all there is
                return served
        return served

    def refresh_engines(self) -> None:
        if not hasattr(self, "engines_table"):
            return
        engines = [e for e in (self.serve.engines() if self.serve is not None else []) if e.engine != "remote"]
        self.engines_table.setRowCount(len(engines))
        for i, e in enumerate(engines):
            label = e.label + (" + " + ", ".join(self._adapter_label(a) for a in e.adapters) if e.adapters else "")
            state = state_text(e.state) + (f" — {engine_detail_text(e)}" if e.message else "")
            memory = human_bytes(e.memory_bytes)
            if e.gpu_memory_bytes:
                memory = self.tr("{gpu} GPU · {ram} RAM").format(gpu=human_bytes(e.gpu_memory_bytes), ram=memory)
            cells = (label, e.engine or "…", state, str(e.port or "–"), memory)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2 and e.message:
                    item.setToolTip(e.message)
                self.engines_table.setItem(i, col, item)
            stop = QPushButton(self.tr("Stop"))
            stop.setEnabled(e.state in ("loading", "ready"))
            stop.clicked.connect(lambda _=False, key=e.key: self.stop_engine(key))
            self.engines_table.setCellWidget(i, 5, stop)
        self.engines_table.setVisible(bool(engines))
        if self.serve is None:
            self.engines_empty.setText(self.tr("The engine manager is not available."))
        elif not engines:
            self.engines_empty.setText(self.tr('No engine is running. Select a model and press "Start engine".'))
        self.engines_empty.setVisible(self.serve is None or not engines)

    def stop_engine(self, key: str) -> None:
        if self.serve is not None:
            self.serve.stop(key)

    def shutdown(self) -> None:
        """The window closes: a conversion or download is stopped (it leaves no partial folder);
        the engines belong to ctx.serve, which stops them itself."""
        self.formats.shutdown()
        if self.job is not None and self.job.is_running():
            self.job.stop()
            if not self.job.proc.wait(5000):
                self.job.proc.kill()
                self.job.proc.wait(2000)
        self.job = None
