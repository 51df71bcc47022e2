"""The launch form: dataset, model, method and hyperparameters, with the VRAM planner beside them.

The planner predicts the peak GPU memory before launch (weights / LoRA + optimizer / activations /
overhead), warns above the card's memory and offers the largest batch or sequence length that fits.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout, QWidget,
)

from app.core import bundled, train_config, vram_planner
from app.core.datasets import DatasetStore
from app.core.errors import UserError
from app.core.projects import ProjectStore
from app.core.train_config import TrainConfig
from app.views.error_texts import user_error_text

SEGMENT_COLOURS = {"weights": "#2563eb", "lora_and_optimizer": "#16a34a", "activations": "#d97706",
                   "overhead": "#94a3b8"}


def gpu_memory_gb(reading: dict | None) -> float | None:
    """Total memory of GPU 0 in a GPU monitor reading, or None (no reading yet, or no GPU)."""
    gpus = (reading or {}).get("gpus") or []
    return gpus[0].get("memory_total_gb") if gpus else None



# The form's gradient-checkpointing choices → the config's value
CHECKPOINTING = {"auto": "auto", "on": True, "off": False}


class MemoryBar(QWidget):
    """A horizontal stacked bar: each part of the predicted peak, against the card's memory."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(18)
        self.parts: dict[str, float] = {}
        self.capacity = 24.0

    def set_parts(self, parts: dict[str, float], capacity: float) -> None:
        self.parts, self.capacity = parts, capacity
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        rect = self.rect().adjusted(0, 2, -1, -2)
        p.fillRect(rect, self.palette().alternateBase().color().darker(108))  # the track follows the theme
        total = sum(self.parts.values())
        scale = rect.width() / max(self.capacity, total, 1e-9)
        x = float(rect.left())
        for key, gb in self.parts.items():
            w = gb * scale
            p.fillRect(QRectF(x, rect.top(), w, rect.height()), QColor(SEGMENT_COLOURS.get(key, "#64748b")))
            x += w
        cap_x = rect.left() + self.capacity * scale
        p.setPen(QColor("#dc2626"))
        p.drawLine(int(cap_x), rect.top() - 2, int(cap_x), rect.bottom() + 2)
        p.end()


class TrainForm(QWidget):
    launch_requested = Signal(object, str, object, object)  # TrainConfig, name, project_id, dataset_id
    sweep_requested = Signal(object, int)  # SPACE (dict, checked), number of trials

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        # The card's size comes from the GPU monitor's samples (NVML runs off the GUI thread).
        self.gpu_reading: dict | None = ctx.gpu.last
        self.gpu_gb = gpu_memory_gb(self.gpu_reading)
        self._card_chosen = False  # the person set the card size: a reading no longer changes it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.what = QGroupBox()
        form = QFormLayout(self.what)
        self.name = QLineEdit()
        self.project = QComboBox()
        self.dataset = QComboBox()
        self.dataset.activated.connect(lambda _i: self.ctx.remember("training.dataset", self.dataset.currentData()))
        self.dataset.currentIndexChanged.connect(self._dataset_chosen)
        self.model = QComboBox()
        self.model.activated.connect(self._model_chosen)
        self.preset = QComboBox()
        for key in train_config.PRESETS:
            self.preset.addItem("", key)
        self.preset.activated.connect(lambda: self.apply_preset(self.preset.currentData()))
        self.labels: dict[str, QLabel] = {}
        for key, widget in (("name", self.name), ("project", self.project), ("dataset", self.dataset),
                            ("model", self.model), ("preset", self.preset)):
            self.labels[key] = QLabel()
            form.addRow(self.labels[key], widget)
        layout.addWidget(self.what)

        self.how = QGroupBox()
        form = QFormLayout(self.how)
        self.method = QComboBox()
        for key in train_config.METHODS:
            self.method.addItem("", key)
        self.quantization = QComboBox()
        for key in train_config.QUANTIZATIONS:
            self.quantization.addItem("", key)
        self.dtype = QComboBox()
        for key in train_config.DTYPES:
            self.dtype.addItem(key, key)
        self.targets = QComboBox()
        for key in train_config.TARGETS:
            self.targets.addItem("", key)
        self.lora_r = QSpinBox(minimum=1, maximum=1024)
        self.lora_alpha = QDoubleSpinBox(minimum=0.1, maximum=4096, decimals=1)
        self.lora_dropout = QDoubleSpinBox(minimum=0.0, maximum=0.9, decimals=2, singleStep=0.05)
        self.max_seq_len = QSpinBox(minimum=16, maximum=131072, singleStep=128)
        self.batch_size = QSpinBox(minimum=1, maximum=1024)
        self.grad_accum = QSpinBox(minimum=1, maximum=1024)
        self.epochs = QDoubleSpinBox(minimum=0.1, maximum=1000, decimals=1)
        self.max_steps = QSpinBox(minimum=-1, maximum=10_000_000)
        self.learning_rate = QDoubleSpinBox(minimum=1e-7, maximum=1.0, decimals=6, singleStep=1e-5)
        self.scheduler = QComboBox()
        for key in train_config.SCHEDULERS:
            self.scheduler.addItem("", key)
        self.warmup_ratio = QDoubleSpinBox(minimum=0.0, maximum=0.99, decimals=2, singleStep=0.01)
        self.gradient_checkpointing = QComboBox()  # automatic (the planner decides for the card) | on | off
        for key in CHECKPOINTING:
            self.gradient_checkpointing.addItem("", key)
        self.packing = QCheckBox()  # lora / qlora only
        self.optimizer = QComboBox()
        for key in train_config.OPTIMIZERS:
            self.optimizer.addItem(key, key)
        self.save_steps = QSpinBox(minimum=1, maximum=1_000_000)
        self.beta = QDoubleSpinBox(minimum=0.01, maximum=100.0, decimals=2, singleStep=0.05)  # dpo / orpo
        self.rows = [("method", self.method), ("quantization", self.quantization), ("dtype", self.dtype),
                     ("targets", self.targets), ("lora_r", self.lora_r), ("lora_alpha", self.lora_alpha),
                     ("lora_dropout", self.lora_dropout), ("max_seq_len", self.max_seq_len),
                     ("batch_size", self.batch_size), ("grad_accum", self.grad_accum), ("epochs", self.epochs),
                     ("max_steps", self.max_steps), ("learning_rate", self.learning_rate),
                     ("scheduler", self.scheduler), ("warmup_ratio", self.warmup_ratio),
                     ("gradient_checkpointing", self.gradient_checkpointing), ("packing", self.packing),
                     ("optimizer", self.optimizer),
                     ("save_steps", self.save_steps), ("beta", self.beta)]
        for key, widget in self.rows:
            self.labels[key] = QLabel()
            form.addRow(self.labels[key], widget)
            signal = getattr(widget, "valueChanged", None) or getattr(widget, "currentIndexChanged", None) \
                or widget.toggled
            signal.connect(self.update_plan)
        self.method.currentIndexChanged.connect(self._method_changed)
        # Several processes: one per GPU (or CPU processes), a strategy once there are several.
        self.processes = QSpinBox(minimum=1, maximum=train_config.MAX_PROCESSES)
        self.strategy = QComboBox()
        for key in vram_planner.STRATEGY_ORDER:
            self.strategy.addItem("", key)
        for key, widget in (("processes", self.processes), ("strategy", self.strategy)):
            self.labels[key] = QLabel()
            form.addRow(self.labels[key], widget)
        self.processes.valueChanged.connect(self._processes_changed)
        self.strategy.currentIndexChanged.connect(self.update_plan)
        layout.addWidget(self.how)

        # The estimate and the launch button stay in view below the scrolling fields: the panel
        # places ``self.footer`` under the scroll area.
        self.footer = QWidget()
        footer = QVBoxLayout(self.footer)
        footer.setContentsMargins(0, 6, 0, 0)
        self.vram = QGroupBox()
        v = QVBoxLayout(self.vram)
        card_row = QHBoxLayout()
        self.card_label = QLabel()
        self.card_gb = QDoubleSpinBox(minimum=1, maximum=1024, decimals=0, suffix=" GB")
        self.card_gb.setValue(round(self.gpu_gb) if self.gpu_gb else 24)
        self.card_gb.editingFinished.connect(lambda: setattr(self, "_card_chosen", True))
        ctx.gpu.sampled.connect(self._gpu_sampled)
        self.card_gb.valueChanged.connect(self.update_plan)
        card_row.addWidget(self.card_label)
        card_row.addWidget(self.card_gb)
        card_row.addStretch(1)
        v.addLayout(card_row)
        self.total_label = QLabel(objectName="CardTitle")
        self.bar = MemoryBar()
        self.breakdown = QLabel(objectName="Muted", wordWrap=True)
        self.plan_warning = QLabel(wordWrap=True, objectName="Warning")
        self.ckpt_note = QLabel(wordWrap=True, objectName="Muted")  # what "Automatic" decided, and why
        self.per_gpu = QLabel(wordWrap=True)  # several processes: the figure per GPU, the cheapest strategy
        self.no_gpu_note = QLabel(wordWrap=True, objectName="Muted")
        fit_row = QHBoxLayout()
        self.fit_batch = QPushButton()
        self.fit_seq = QPushButton()
        self.fit_batch.clicked.connect(lambda: self._fit("batch_size"))
        self.fit_seq.clicked.connect(lambda: self._fit("seq_len"))
        fit_row.addWidget(self.fit_batch)
        fit_row.addWidget(self.fit_seq)
        fit_row.addStretch(1)
        for w in (self.total_label, self.bar, self.breakdown, self.ckpt_note, self.per_gpu, self.plan_warning,
                  self.no_gpu_note):
            v.addWidget(w)
        v.addLayout(fit_row)
        footer.addWidget(self.vram)

        self.launch_btn = QPushButton(objectName="Primary")
        self.launch_btn.clicked.connect(self.launch)
        self.form_error = QLabel(wordWrap=True, objectName="Error")
        self.form_error.setVisible(False)
        footer.addWidget(self.form_error)
        launch_row = QHBoxLayout()
        self.sweep_btn = QPushButton()
        self.sweep_btn.clicked.connect(self.open_sweep)
        self.sweep_dialog = None
        launch_row.addWidget(self.launch_btn, 1)
        launch_row.addWidget(self.sweep_btn)
        footer.addLayout(launch_row)
        layout.addStretch(1)

        for combo in self.findChildren(QComboBox):
            # Long item texts (dataset names, folders) must not widen the whole form.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        # Take the width the scroll area gives, whatever the longest text wants.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.plan: vram_planner.Plan | None = None
        self.retranslate_ui()
        self.reload_choices()
        self.apply_preset("cpu-demo")
        self._method_changed()  # beta only for the preference methods
        self._processes_changed()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.what.setTitle(self.tr("What to train"))
        self.how.setTitle(self.tr("How"))
        self.vram.setTitle(self.tr("GPU memory estimate"))
        texts = {
            "name": self.tr("Run name"), "project": self.tr("Project"), "dataset": self.tr("Dataset"),
            "model": self.tr("Base model"), "preset": self.tr("Preset"), "method": self.tr("Method"),
            "quantization": self.tr("Base weights"), "dtype": self.tr("Precision"),
            "targets": self.tr("LoRA targets"), "lora_r": self.tr("LoRA rank"), "lora_alpha": self.tr("LoRA alpha"),
            "lora_dropout": self.tr("LoRA dropout"), "max_seq_len": self.tr("Max sequence length"),
            "batch_size": self.tr("Batch size"), "grad_accum": self.tr("Gradient accumulation"),
            "epochs": self.tr("Epochs"), "max_steps": self.tr("Max steps (-1: by epochs)"),
            "learning_rate": self.tr("Learning rate"), "scheduler": self.tr("Scheduler"),
            "warmup_ratio": self.tr("Warm-up share"), "gradient_checkpointing": self.tr("Gradient checkpointing"),
            "packing": self.tr("Packing"),
            "optimizer": self.tr("Optimizer"), "save_steps": self.tr("Checkpoint every (steps)"),
            "beta": self.tr("Preference beta (DPO, ORPO)"),
            "processes": self.tr("Processes (GPUs)"), "strategy": self.tr("Multi-GPU strategy"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.name.setPlaceholderText(self.tr("e.g. support-bot first try"))
        presets = {"cpu-demo": self.tr("CPU demo (bundled model)"),
                   "qlora-8b-24gb": self.tr("QLoRA 7–8B on 24 GB"), "lora-3b-24gb": self.tr("LoRA 1–3B on 24 GB")}
        for i in range(self.preset.count()):
            self.preset.setItemText(i, presets[self.preset.itemData(i)])
        for combo, names in (
            (self.method, {"lora": self.tr("LoRA"), "qlora": self.tr("QLoRA (4-bit base)"),
                           "dpo": self.tr("DPO (preference pairs)"), "orpo": self.tr("ORPO (preference pairs)"),
                           "cpt": self.tr("Continued pretraining (raw text)")}),
            (self.quantization, {"none": self.tr("Not quantized"), "4bit": self.tr("4-bit NF4"),
                                 "8bit": self.tr("8-bit")}),
            (self.targets, {"attention": self.tr("Attention only"), "all-linear": self.tr("All linear layers")}),
            (self.scheduler, {"cosine": self.tr("Cosine"), "linear": self.tr("Linear"),
                              "constant": self.tr("Constant")}),
            (self.gradient_checkpointing, {"auto": self.tr("Automatic (the planner decides)"),
                                           "on": self.tr("On: less memory, about 30% slower"),
                                           "off": self.tr("Off")}),
            (self.optimizer, {"adamw_torch": self.tr("AdamW"),
                              "paged_adamw_8bit": self.tr("AdamW 8-bit, paged (NVIDIA GPU)")}),
            (self.strategy, {"ddp": self.tr("DDP: a whole copy on each GPU"),
                             "zero2": self.tr("ZeRO-2: gradients and optimizer sharded (DeepSpeed)"),
                             "fsdp": self.tr("FSDP: everything sharded (PyTorch)"),
                             "zero3": self.tr("ZeRO-3: everything sharded (DeepSpeed)")}),
        ):
            for i in range(combo.count()):
                combo.setItemText(i, names[combo.itemData(i)])
        self.processes.setToolTip(self.tr(
            "Train on several processes at once through torchrun: one per NVIDIA GPU, or CPU processes "
            "(DDP only). Each process takes the batch size above, so the global batch grows with them."))
        self.gradient_checkpointing.setToolTip(self.tr(
            "Recompute activations in the backward pass instead of keeping them: less memory, about 30% slower. "
            "Automatic: off when the VRAM planner expects the step to fit the card with a margin, on when not; "
            "the run decides again on the memory free when it starts."))
        self.packing.setText(self.tr("Pack examples into rows"))
        self.packing.setToolTip(self.tr(
            "Lays each batch's examples end to end in rows of up to the maximum sequence length, so no "
            "padding is computed; attention stays within each example, so the loss is the same as with "
            "padding. Off: padded batches of examples of similar length. Chat fine-tuning (LoRA, QLoRA) only."))
        self.card_label.setText(self.tr("Card memory"))
        self.fit_batch.setText(self.tr("Largest batch that fits"))
        self.fit_seq.setText(self.tr("Longest sequence that fits"))
        self.launch_btn.setText(self.tr("Start training"))
        self.sweep_btn.setText(self.tr("Sweep settings…"))
        self.sweep_btn.setToolTip(self.tr("Search for the best learning rate, rank and other settings: several "
                                          "short runs compared on the held-out loss."))
        self._show_gpu_note()
        self.reload_models()
        self.reload_choices()
        self.update_plan()

    def _gpu_sampled(self, reading: dict) -> None:
        first = self.gpu_reading is None
        self.gpu_reading = reading
        found = gpu_memory_gb(reading)
        changed = found != self.gpu_gb
        if changed:
            self.gpu_gb = found
            if found and not self._card_chosen:
                self.card_gb.setValue(round(found))
        if first or changed:
            self._show_gpu_note()

    def _show_gpu_note(self) -> None:
        """Said once the monitor has answered: before its first sample nothing is known yet."""
        none = self._no_gpu()
        self._show_per_gpu()
        self.no_gpu_note.setText(self.tr(
            "No NVIDIA GPU found: this computer trains on the CPU. The estimate shows what the run "
            "would need on a card of the size above.") if none else "")
        self.no_gpu_note.setVisible(none)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- choices ------------------------------------------------------------------------------
    def reload_choices(self) -> None:
        keep_p, keep_d = self.project.currentData(), self.dataset.currentData()
        self.project.blockSignals(True)
        self.project.clear()
        self.project.addItem(self.tr("(no project)"), None)
        for p in ProjectStore(self.ctx.db).list():
            self.project.addItem(p.name, p.id)
        self.project.setCurrentIndex(max(0, self.project.findData(keep_p)))
        self.project.blockSignals(False)
        shown = keep_d
        self.dataset.blockSignals(True)  # a reload is no choice: the project follows only a new dataset
        self.dataset.clear()
        datasets = DatasetStore(self.ctx.db).list()
        if not datasets:
            self.dataset.addItem(self.tr("No dataset yet: import one in Datasets"), None)
        for d in datasets:
            self.dataset.addItem(self.tr("{name} ({n} records)").format(name=d.name, n=d.n_records), d.id)
        if keep_d is None or self.dataset.findData(keep_d) < 0:
            keep_d = self.ctx.recall("training.dataset")  # the dataset chosen last time here…
        if keep_d is None or self.dataset.findData(keep_d) < 0:
            keep_d = self.ctx.recall("datasets.selected")  # …or the one looked at in Datasets
        if keep_d is not None and self.dataset.findData(keep_d) >= 0:
            self.dataset.setCurrentIndex(self.dataset.findData(keep_d))
        self.dataset.blockSignals(False)
        if self.dataset.currentData() != shown:
            self._dataset_chosen(self.dataset.currentIndex())

    def _dataset_chosen(self, _index: int) -> None:
        """A dataset of a project trains in that project (the run shows under it in Experiments)."""
        did = self.dataset.currentData()
        if did is None:
            return
        try:
            project = DatasetStore(self.ctx.db).get(did).project_id
        except UserError:
            return
        if project is not None and self.project.findData(project) >= 0:
            self.project.setCurrentIndex(self.project.findData(project))

    def reload_models(self) -> None:
        current = self.model.currentData()
        extra = [self.model.itemData(i) for i in range(self.model.count())
                 if self.model.itemData(i) not in (train_config.DEFAULT_MODEL, "__browse__")]
        self.model.blockSignals(True)
        self.model.clear()
        self.model.addItem(self.tr("Bundled: {name}").format(name=bundled.DEFAULT_CHAT_MODEL), train_config.DEFAULT_MODEL)
        for name, path in self._registered_models():  # imported, converted, downloaded, merged (Models panel)
            if self.model.findData(path) < 0:
                self.model.addItem(name, path)
        for path in extra:
            if self.model.findData(path) < 0:
                self.model.addItem(path, path)
        self.model.addItem(self.tr("Choose a model folder…"), "__browse__")
        self.model.setCurrentIndex(max(0, self.model.findData(current)))
        self.model.blockSignals(False)

    def _registered_models(self) -> list[tuple[str, str]]:
        from pathlib import Path

        from app.core.models_registry import ModelRegistry

        try:
            rows = ModelRegistry(self.ctx.db).list()
        except Exception:  # noqa: BLE001 - a broken registry must not break the launch form
            return []
        return [(m.name, m.path) for m in rows
                if m.path and m.kind != "adapter" and (Path(m.path) / "config.json").is_file()]

    def _model_chosen(self) -> None:
        if self.model.currentData() != "__browse__":
            self.update_plan()
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a Hugging Face model folder"))
        self.set_model(folder or train_config.DEFAULT_MODEL)

    def set_model(self, value: str) -> None:
        if self.model.findData(value) < 0:
            self.model.insertItem(self.model.count() - 1, value, value)
        self.model.setCurrentIndex(self.model.findData(value))
        self.update_plan()

    # --- config <-> form ----------------------------------------------------------------------
    def apply_preset(self, key: str) -> None:
        self.preset.setCurrentIndex(max(0, self.preset.findData(key)))
        cfg = train_config.preset(key)
        self.load_config(cfg.to_dict(), keep_paths=True)

    def load_config(self, cfg: dict, keep_paths: bool = False) -> None:
        base = TrainConfig()
        cfg = dict(cfg)
        if cfg.get("method") == "qlora" and "quantization" not in cfg:
            cfg["quantization"] = "4bit"  # as TrainConfig.from_dict reads it
        get = lambda k: cfg.get(k, getattr(base, k))  # noqa: E731
        widgets = dict(self.rows)
        for key, widget in widgets.items():
            value = get(key if key != "targets" else "target_modules")
            if key == "gradient_checkpointing":
                value = "auto" if value == "auto" else "on" if value else "off"
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            else:
                widget.setValue(value)
        dist = cfg.get("distributed") or {}
        self.processes.setValue(int(dist.get("processes", 1)))
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(dist.get("strategy", "ddp"))))
        if not keep_paths and cfg.get("base_model"):
            self.set_model(cfg["base_model"])
        self.update_plan()

    def _method_changed(self) -> None:
        preference = self.method.currentData() in train_config.PREFERENCE_METHODS
        self.beta.setVisible(preference)
        self.labels["beta"].setVisible(preference)
        sft = self.method.currentData() in train_config.SFT_METHODS
        self.packing.setVisible(sft)
        self.labels["packing"].setVisible(sft)
        if self.method.currentData() == "qlora":
            self.quantization.setCurrentIndex(self.quantization.findData("4bit"))

    def _processes_changed(self, *_) -> None:
        several = self.processes.value() > 1
        self.strategy.setVisible(several)
        self.labels["strategy"].setVisible(several)
        self.update_plan()

    def config(self) -> TrainConfig:
        """The validated config, or UserError naming the field."""
        dataset_id = self.dataset.currentData()
        if dataset_id is None:
            raise UserError("Choose a dataset first (import one in the Datasets panel).", code="form.no_dataset")
        ds = DatasetStore(self.ctx.db).get(dataset_id)
        cfg = self._settings_config(dataset_path=str(ds.train_path),
                                    val_path=str(ds.val_path) if ds.val_path else None)
        if self.plan is not None:
            cfg.predicted_peak_gb = round(self.plan.total_gb, 3)
        cfg = cfg.validate()
        strategy = (cfg.distributed or {}).get("strategy", "ddp")
        if self._no_gpu() and strategy != "ddp":  # said here, before a run is made for it
            shown = train_config.STRATEGY_NAMES.get(strategy, strategy)
            raise UserError(f"Strategy {shown} needs CUDA GPUs (the model is sharded across GPUs), and this machine "
                            "has none. Choose DDP to train on several CPU processes.",
                            code="train.distributed.needs_gpu", params={"strategy": shown})
        return cfg

    def _no_gpu(self) -> bool:
        """The GPU monitor answered and found no NVIDIA GPU (before its first sample: not known)."""
        return self.gpu_reading is not None and not self.gpu_gb

    def _settings_config(self, **paths) -> TrainConfig:
        """The TrainConfig of the form's model and settings, not validated (``paths``: the dataset's)."""
        model = self.model.currentData()
        if model == "__browse__":
            model = train_config.DEFAULT_MODEL
        values = {key if key != "targets" else "target_modules": (
            w.currentData() if isinstance(w, QComboBox) else w.isChecked() if isinstance(w, QCheckBox) else w.value())
            for key, w in self.rows}
        values["gradient_checkpointing"] = CHECKPOINTING[values["gradient_checkpointing"] or "auto"]
        values["eval_steps"] = values["save_steps"]
        values["logging_steps"] = 0  # the engine logs every step of a short run, ~200 points of a long one
        if self.processes.value() > 1:
            values["distributed"] = {"strategy": self.strategy.currentData(), "processes": self.processes.value()}
        return TrainConfig(base_model=model, **paths, **values)

    # --- planner ------------------------------------------------------------------------------
    def _shape(self) -> vram_planner.ModelShape:
        model = self.model.currentData()
        folder = bundled.default_model_dir() if model in (None, train_config.DEFAULT_MODEL, "__browse__") else Path(model)
        try:
            return vram_planner.ModelShape.from_model_dir(folder)
        except (OSError, ValueError, UserError):
            return vram_planner.REFERENCE_SHAPES["smollm2-135m"]

    def plan_input(self) -> vram_planner.PlanInput:
        """The planner's input for the run this form would launch, on a card of the chosen size."""
        return vram_planner.plan_input(self._settings_config(), self._shape(), float(self.card_gb.value()))

    def update_plan(self, *_) -> None:
        if not hasattr(self, "total_label"):
            return
        try:
            self.plan = vram_planner.plan(self.plan_input())
        except UserError as err:
            self.plan = None
            self.total_label.setText(self.tr("No estimate: {reason}").format(reason=user_error_text(err)))
            return
        p = self.plan
        self.total_label.setText(self.tr("Predicted peak: {total:.1f} GB of {card:.0f} GB").format(
            total=p.total_gb, card=p.input.gpu_total_gb))
        self.bar.set_parts({k: v for k, v in p.breakdown().items() if k != "total"}, p.input.gpu_total_gb)
        self.breakdown.setText(self.tr(
            "Weights {w:.2f} GB · LoRA + optimizer {o:.2f} GB · activations {a:.2f} GB · overhead {x:.2f} GB").format(
                w=p.weights_gb, o=p.lora_and_optimizer_gb, a=p.activations_gb, x=p.overhead_gb))
        self._show_checkpointing()
        self._show_per_gpu()
        messages = [self._warning_text(code, msg) for code, msg in p.warnings]
        self.plan_warning.setText("\n".join(m for m in messages if m))
        self.plan_warning.setVisible(bool(self.plan_warning.text()))

    def _show_checkpointing(self) -> None:
        """What "Automatic" decides on this card, and why (the run decides again when it starts)."""
        if self.gradient_checkpointing.currentData() != "auto" or self.plan is None:
            self.ckpt_note.setVisible(False)
            return
        decision = vram_planner.decide_checkpointing(self.plan.input)
        d = decision["params"]
        if decision["on"]:
            text = self.tr("Gradient checkpointing: on. Without it about {without:.1f} GB, which leaves less than "
                           "{margin:.1f} GB of {card:.0f} GB free; with it {with_:.1f} GB.").format(
                without=d["without_gb"], margin=d["margin_gb"], card=d["card_gb"], with_=d["with_gb"])
        else:
            text = self.tr("Gradient checkpointing: off. The step fits in about {without:.1f} GB of {card:.0f} GB "
                           "without it, so it runs about 30% faster.").format(
                without=d["without_gb"], card=d["card_gb"])
        self.ckpt_note.setText(text)
        self.ckpt_note.setVisible(True)

    def _show_per_gpu(self) -> None:
        """With several processes: the chosen strategy's peak per GPU and the cheapest one that fits."""
        n = self.processes.value()
        if n < 2 or self.plan is None:
            self.per_gpu.setVisible(False)
            return
        if self._no_gpu():
            cores = os.cpu_count() or 1
            lines = [self.tr("No GPU: {n} processes on the CPU ({cores} cores), each with a whole copy of the "
                             "model (DDP); FSDP and ZeRO need CUDA GPUs.").format(n=n, cores=cores)]
            if n > cores:
                lines.append(self.tr("More processes than CPU cores slows training down: use {cores} or fewer.")
                             .format(cores=cores))
            chosen = self.strategy.currentData()
            if chosen != "ddp":  # said now, not only when Start is pressed
                lines.append(self.tr("{strategy} needs CUDA GPUs: choose DDP to train on this computer.").format(
                    strategy=train_config.STRATEGY_NAMES.get(chosen, chosen)))
            self.per_gpu.setText("\n".join(lines))
            self.per_gpu.setVisible(True)
            return
        try:
            best, plans = vram_planner.suggest_strategy(self.plan.input, n)
        except UserError:
            self.per_gpu.setVisible(False)
            return
        chosen = self.strategy.currentData()
        mine = next(p for p in plans if p["strategy"] == chosen)
        name = train_config.STRATEGY_NAMES
        lines = [self.tr("Per GPU with {strategy} on {n} GPUs: {gb:.1f} GB").format(
            strategy=name[chosen], n=n, gb=mine["per_gpu_gb"])]
        if best is None:
            lines.append(self.tr("No strategy fits on {n} cards of {card:.0f} GB.").format(
                n=n, card=self.plan.input.gpu_total_gb))
        elif best != chosen:
            lines.append(self.tr("The cheapest strategy that fits: {strategy} ({gb:.1f} GB per GPU).").format(
                strategy=name[best], gb=next(p for p in plans if p["strategy"] == best)["per_gpu_gb"]))
        self.per_gpu.setText("\n".join(lines))
        self.per_gpu.setVisible(True)

    def _warning_text(self, code: str, fallback: str) -> str:
        p = self.plan
        if code == "exceeds_gpu":
            return self.tr("Needs about {total:.1f} GB but the card has {card:.0f} GB: lower the batch size or "
                           "sequence length, enable gradient checkpointing, or use QLoRA.").format(
                total=p.total_gb, card=p.input.gpu_total_gb)
        if code == "tight_headroom":
            return self.tr("Only {free:.1f} GB would stay free; another program on the GPU could push this "
                           "run out of memory.").format(free=p.headroom_gb)
        if code == "preference_pairs":
            return self.tr("Each preference pair is two sequences (chosen and rejected), so the activations are "
                           "those of twice the batch; the figure is approximate.")
        if code == "seq_len_exceeds_model_max":
            return self.tr("The sequence length is longer than the model was trained for ({n} positions).").format(
                n=p.input.shape.max_position_embeddings)
        if code == "enable_gradient_checkpointing":
            return self.tr("With gradient checkpointing it would fit (about 30% slower).")
        if code == "float32_large_model":
            return self.tr("float32 doubles the weights' memory for no gain in LoRA training: use bfloat16.")
        if code == "large_vocab_logits":
            return self.tr("The model's large vocabulary makes the loss itself take a lot of memory; it "
                           "grows with batch × sequence length.")
        if code == "unverified_architecture":
            return self.tr("This architecture was estimated as a Llama-style model; treat the figure as a guide.")
        return fallback

    def _fit(self, vary: str) -> None:
        inp = self.plan_input()
        if self.gradient_checkpointing.currentData() == "auto":
            # Automatic turns checkpointing on when a step needs it: the most that fits is with it on
            inp = inp.with_(gradient_checkpointing=True)
        try:
            best = vram_planner.largest_fitting(inp, vary=vary)
        except UserError:
            best = None
        if best is None:
            self.ctx.status_message.emit(self.tr("Nothing fits on this card with these settings."), 5000)
            return
        (self.batch_size if vary == "batch_size" else self.max_seq_len).setValue(int(best))

    # --- launching ----------------------------------------------------------------------------
    def launch(self) -> None:
        try:
            cfg = self.config()
        except UserError as err:
            self.form_error.setText(self._config_error_text(err))
            self.form_error.setVisible(True)
            return
        self.form_error.setVisible(False)
        name = self.name.text().strip() or self._dataset_name() or Path(cfg.dataset_path).parent.name
        self.launch_requested.emit(cfg, name, self.project.currentData(), self.dataset.currentData())

    def _dataset_name(self) -> str:
        """The chosen dataset's own name: what a run is called when the form's name is empty."""
        try:
            return DatasetStore(self.ctx.db).get(self.dataset.currentData()).name.strip()
        except (UserError, TypeError, AttributeError):
            return ""

    def open_sweep(self):
        """The sweep dialog over these settings (not modal: the form stays usable beside it)."""
        from app.views.sweep_dialog import SweepDialog

        if self.sweep_dialog is not None:
            self.sweep_dialog.deleteLater()
        self.sweep_dialog = dialog = SweepDialog(self)
        dialog.accepted.connect(lambda: self.sweep_requested.emit(dialog.result_space, dialog.trials.value()))
        dialog.open()
        return dialog

    def select_dataset_path(self, train_path: str) -> int | None:
        """Choose the dataset whose training file is ``train_path`` (a sweep's) if it is one of ours;
        its id, or None."""
        for d in DatasetStore(self.ctx.db).list():
            if str(d.train_path) == str(train_path) and self.dataset.findData(d.id) >= 0:
                self.dataset.setCurrentIndex(self.dataset.findData(d.id))
                return d.id
        return None

    def _config_error_text(self, err: UserError) -> str:
        return user_error_text(err)
