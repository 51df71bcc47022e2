"""Quantize… : a model or a run (its adapter merged first) made smaller for serving with llm-compressor.

The dialog asks for the scheme (W8A8, W4A16), the calibration data (the run's training data or the
built-in texts by default, or one of the user's datasets), the new model's name and how many
calibration texts; the same checks as ``ai-platform quantize`` run before anything starts
(``quantize_plan.prepare``). The engine runs under the quantization runtime's python (its pins clash
with the app's) through an ``EngineJob``; on success the folder is registered in Models as a form of
its source and the perplexity before and after is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core import quantize_plan
from app.core.errors import UserError
from app.views.error_texts import job_error_text, user_error_text
from app.views.engine_dialog import EngineJobDialog
from app.workers.engine_job import EngineJob

DEFAULT_SAMPLES = 64


class QuantizeDialog(EngineJobDialog):
    """``quantized(dict)``: the registered model (``id``, ``name``) and the engine's result."""

    quantized = Signal(dict)

    def __init__(self, ctx, source_ref: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("quantize-dialog")
        self.ctx = ctx
        self.source_ref = source_ref
        self.job: EngineJob | None = None
        self.plan: quantize_plan.Plan | None = None
        self.result: dict | None = None
        self.error_text = ""
        try:
            self.source = quantize_plan.resolve_source(source_ref, ctx.db)
            quantize_plan.check_model(self.source.model_dir)
            self.problem = None
        except UserError as err:
            self.source, self.problem = None, err

        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.source_label = QLabel(wordWrap=True)
        self.scheme_box = QComboBox()
        for scheme in quantize_plan.SCHEMES:
            self.scheme_box.addItem(quantize_plan.SCHEME_NAMES[scheme], scheme)
        self.scheme_box.currentIndexChanged.connect(self._scheme_changed)
        self.calib_box = QComboBox()
        self.calib_box.addItem("", None)  # the default: the run's data, else the built-in texts
        from app.core.datasets import DatasetStore

        for ds in DatasetStore(ctx.db).list():
            self.calib_box.addItem(ds.name, str(ds.id))
        self.name_edit = QLineEdit()
        self.samples = QSpinBox(minimum=4, maximum=2048, value=DEFAULT_SAMPLES)
        self.source_name, self.scheme_name, self.calib_name, self.name_name, self.samples_name = (
            QLabel() for _ in range(5))
        form.addRow(self.source_name, self.source_label)
        form.addRow(self.scheme_name, self.scheme_box)
        form.addRow(self.calib_name, self.calib_box)
        form.addRow(self.samples_name, self.samples)
        form.addRow(self.name_name, self.name_edit)
        layout.addLayout(form)
        self.scheme_note = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.scheme_note)
        self.progress = QProgressBar(visible=False)
        self.stage = QLabel(wordWrap=True)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        self.start_btn = QPushButton(objectName="Primary")
        self.start_btn.clicked.connect(lambda: self.start())
        self.close_btn = QPushButton()
        self.close_btn.clicked.connect(lambda: self.close_or_stop())
        buttons.addStretch(1)
        buttons.addWidget(self.start_btn)
        buttons.addWidget(self.close_btn)
        layout.addLayout(buttons)
        self.resize(580, 420)
        self.retranslate_ui()
        self._scheme_changed()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Quantize for serving"))
        self.intro.setText(self.tr(
            "Writes a smaller copy of the model (compressed-tensors, for vLLM) with llm-compressor, calibrated on "
            "your data, and adds it to Models beside the original. The perplexity before and after is measured."))
        self.source_name.setText(self.tr("Model"))
        self.scheme_name.setText(self.tr("Scheme"))
        self.calib_name.setText(self.tr("Calibration data"))
        self.samples_name.setText(self.tr("Calibration texts"))
        self.name_name.setText(self.tr("New model's name"))
        run_data = self.source is not None and self.source.run_dir is not None
        self.calib_box.setItemText(0, self.tr("The run's training data") if run_data else self.tr("Built-in texts"))
        self.calib_box.setToolTip(self.tr("Texts like the ones the model will answer make the best calibration."))
        self.start_btn.setText(self.tr("Quantize"))
        self.close_btn.setText(self.tr("Stop") if self.running() else self.tr("Close"))
        self.source_label.setText(self.source_line())
        self._scheme_changed()
        if self.result is not None:
            self.show_result(self.result)

    def _scheme_changed(self, *_) -> None:
        notes = {
            "w8a8": self.tr("W8A8: 8-bit weights and activations (SmoothQuant, then INT8); about half the size of "
                            "16-bit, answers nearly the same. vLLM serves it on a GPU and with its CPU build."),
            "w4a16": self.tr("W4A16: 4-bit weights (GPTQ), 16-bit activations; about a quarter of the size. "
                             "vLLM serves it on a GPU and with its CPU build."),
        }
        self.scheme_note.setText(notes.get(self.scheme(), ""))
        if self.source is not None and not self.running():
            suggested = {f"{self.source.name}-{s}" for s in quantize_plan.SCHEMES}
            if not self.name_edit.text().strip() or self.name_edit.text().strip() in suggested:
                self.name_edit.setText(f"{self.source.name}-{self.scheme()}")
        self.start_btn.setEnabled(self.source is not None and not self.running())

    # --- actions ------------------------------------------------------------------------------
    def scheme(self) -> str:
        return str(self.scheme_box.currentData())

    def start(self) -> bool:
        if self.source is None or self.running():
            return False
        try:
            self.plan = quantize_plan.prepare(self.source_ref, self.scheme(), self.ctx.db,
                                              calib=self.calib_box.currentData(), name=self.name_edit.text())
        except UserError as err:
            self.fail(user_error_text(err))
            return False
        self.result = None
        from app.core import settings

        threads = settings.load().cpu_threads or None
        self.run_job(EngineJob("app.engines.quantize", self.plan.engine_args(self.samples.value(), threads),
                               python=self.plan.python, parent=self))
        return True

    def _set_running(self, on: bool) -> None:
        for w in (self.scheme_box, self.calib_box, self.name_edit, self.samples):
            w.setEnabled(not on)
        self.close_btn.setText(self.tr("Stop") if on else self.tr("Close"))
        self.start_btn.setEnabled(not on and self.source is not None)

    def _finished(self, ok: bool, message: str) -> None:
        job = self.job
        self.progress.setVisible(False)
        self._set_running(False)
        data = dict(job.result) if job is not None else {}
        if ok and data.get("path") and self.plan is not None:
            try:
                model = quantize_plan.register(self.plan, data, self.ctx.db)
            except UserError as err:
                self.fail(user_error_text(err))
                return
            self.result = {**data, "id": model.id, "name": model.name}
            self.show_result(self.result)
            self.quantized.emit(self.result)
            return
        if ok:  # stopped on request: the engine kept nothing
            self.fail(self.tr("Stopped: nothing was written."))
            return
        self.fail(job_error_text(job, message))

    def show_result(self, r: dict) -> None:
        from app.views.sizes import human_bytes  # the size as the Models table shows it

        ppl = r.get("perplexity") or {}
        text = self.tr("Added to Models as {name}: {scheme}, {size}.").format(
            name=r.get("name"), scheme=r.get("scheme_name") or r.get("scheme"), size=human_bytes(r.get("size_bytes")))
        if ppl.get("source") is not None and ppl.get("quantized") is not None:
            text += " " + self.tr("Perplexity {before} before, {after} after, on {n} calibration texts.").format(
                before=f"{ppl['source']:.2f}", after=f"{ppl['quantized']:.2f}", n=r.get("calibration_samples"))
        self.stage.setText(text)


def open_quantize_dialog(parent: QWidget, ctx, source_ref: str) -> QuantizeDialog:
    """Show the dialog (non-modal: the quantization runs while the user works elsewhere)."""
    dialog = QuantizeDialog(ctx, source_ref, parent)
    dialog.show()
    return dialog
