"""Export… : a model or a training run written as GGUF (llama.cpp, Ollama, LM Studio), verified.

The dialog asks for the quantization and the output folder, runs ``app.engines.export`` through an
``EngineJob`` (progress with the engine's stage, in the user's language), and shows the verification
the engine made: greedy answers compared with the source model, perplexity, the chat template and
the files written. Opened from the Models panel (a model or an adapter) and from a run's detail.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core import export_plan
from app.core.errors import UserError
from app.views.error_texts import job_error_text, user_error_text
from app.views.engine_dialog import EngineJobDialog
from app.workers.engine_job import EngineJob


class ExportDialog(EngineJobDialog):
    """``exported(dict)``: the engine's result once a verified export is in place."""

    exported = Signal(dict)

    def __init__(self, ctx, source_ref: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("export-dialog")
        self.ctx = ctx
        self.job: EngineJob | None = None
        self.result: dict | None = None
        self.report: dict | None = None
        self.error_text = ""
        try:
            self.source = export_plan.resolve_source(source_ref, ctx.db)
            self.problem = None
        except UserError as err:
            self.source, self.problem = None, err

        layout = QVBoxLayout(self)
        self.intro = QLabel(wordWrap=True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.source_label = QLabel(wordWrap=True)
        self.format_box = QComboBox()
        self.format_box.addItem("GGUF", "gguf")
        self.quant_box = QComboBox()
        for q in export_plan.QUANTS:
            self.quant_box.addItem(q, q)
        self.quant_box.setCurrentIndex(export_plan.QUANTS.index(export_plan.DEFAULT_QUANT))
        # A quantization the writer cannot produce would be listed greyed (see export_plan.WRITABLE_QUANTS).
        model = self.quant_box.model()
        for i, q in enumerate(export_plan.QUANTS):
            if q not in export_plan.WRITABLE_QUANTS:
                model.item(i).setEnabled(False)
        self.quant_box.currentIndexChanged.connect(self._quant_changed)
        self.out_edit = QLineEdit()
        self.browse_btn = QPushButton()
        self.browse_btn.clicked.connect(lambda: self.choose_folder())
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(self.browse_btn)
        self.source_name, self.format_name, self.quant_name, self.out_name = (QLabel() for _ in range(4))
        form.addRow(self.source_name, self.source_label)
        form.addRow(self.format_name, self.format_box)
        form.addRow(self.quant_name, self.quant_box)
        form.addRow(self.out_name, out_row)
        layout.addLayout(form)
        self.quant_note = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.quant_note)

        self.progress = QProgressBar(visible=False)
        self.stage = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        self.report_view = QTextBrowser(visible=False)
        self.report_view.setOpenExternalLinks(False)
        self.report_view.setMinimumHeight(160)
        layout.addWidget(self.report_view, 1)

        buttons = QHBoxLayout()
        self.open_btn = QPushButton(visible=False)
        self.open_btn.clicked.connect(lambda: self.open_folder())
        self.export_btn = QPushButton(objectName="Primary")
        self.export_btn.clicked.connect(lambda: self.start())
        self.close_btn = QPushButton()
        self.close_btn.clicked.connect(lambda: self.close_or_stop())
        buttons.addWidget(self.open_btn)
        buttons.addStretch(1)
        buttons.addWidget(self.export_btn)
        buttons.addWidget(self.close_btn)
        layout.addLayout(buttons)
        self.resize(620, 520)
        self.retranslate_ui()
        if self.source is not None:
            self.out_edit.setText(str(export_plan.out_dir_for(self.source, self.quant())))
        self._quant_changed()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Export to GGUF"))
        self.intro.setText(self.tr(
            "Writes a GGUF file for llama.cpp, Ollama or LM Studio, with an Ollama Modelfile beside it. The file "
            "is loaded back and compared with the source model before it is kept."))
        self.source_name.setText(self.tr("Model"))
        self.format_name.setText(self.tr("Format"))
        self.quant_name.setText(self.tr("Quantization"))
        self.out_name.setText(self.tr("Output folder"))
        self.browse_btn.setText(self.tr("Browse…"))
        self.export_btn.setText(self.tr("Export"))
        self.open_btn.setText(self.tr("Open folder"))
        self.close_btn.setText(self.tr("Stop") if self.running() else self.tr("Close"))
        self.source_label.setText(self.source_line())
        self._quant_changed()
        if self.report is not None:
            self.show_report(self.report)

    def _quant_changed(self, *_):
        notes = {
            "f16": self.tr("16-bit: the same answers as the source model; the largest file."),
            "q8_0": self.tr("8-bit: about half the size of f16, answers nearly identical."),
            "q4_0": self.tr("4-bit: about a quarter of f16; answers can differ word for word, so it is "
                            "checked on perplexity."),
            "q4_k_m": self.tr("4-bit K-quants mixed as llama.cpp's q4_k_m (6 bits where it matters most): "
                              "smaller than q8_0, closer to the source than q4_0; checked on perplexity."),
        }
        q = self.quant()
        self.quant_note.setText(notes.get(q, ""))
        if self.source is not None and not self.running():
            current = Path(self.out_edit.text()) if self.out_edit.text() else None
            if current is None or current.parent == export_plan.out_dir_for(self.source, q).parent:
                self.out_edit.setText(str(export_plan.out_dir_for(self.source, q)))
        self.export_btn.setEnabled(self.source is not None and q in export_plan.WRITABLE_QUANTS
                                   and not self.running())

    # --- actions ------------------------------------------------------------------------------
    def quant(self) -> str:
        return str(self.quant_box.currentData())

    def choose_folder(self, folder: str | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Choose the output folder"), self.out_edit.text())
        if folder:
            self.out_edit.setText(folder)

    def start(self) -> bool:
        if self.source is None or self.running():
            return False
        out = Path(self.out_edit.text().strip()).expanduser()
        try:
            quant = export_plan.check_quant(self.quant())
            export_plan.check_supported(self.source.model_dir)
            export_plan.check_not_exported(out, self.source.name, quant)
            export_plan.check_free_space(out, export_plan.estimate_bytes(self.source.model_dir, quant))
        except UserError as err:
            self.fail(user_error_text(err))
            return False
        self.result = self.report = None
        self.report_view.setVisible(False)
        self.open_btn.setVisible(False)
        self.run_job(EngineJob("app.engines.export", export_plan.engine_args(self.source, quant, out), parent=self))
        return True

    def _set_running(self, on: bool) -> None:
        for w in (self.quant_box, self.format_box, self.out_edit, self.browse_btn):
            w.setEnabled(not on)
        self.close_btn.setText(self.tr("Stop") if on else self.tr("Close"))
        self._quant_changed()

    def _finished(self, ok: bool, message: str) -> None:
        job = self.job
        self.progress.setVisible(False)
        self._set_running(False)
        data = dict(job.result) if job is not None else {}
        self.report = data.get("verification")
        if ok and data.get("kept"):
            self.result = data
            self.stage.setText(self.tr("Exported and verified: {path}").format(path=data.get("path")))
            self.open_btn.setVisible(True)
            self.show_report(self.report or {})
            self.exported.emit(data)
            return
        self.error_text = job_error_text(job, message)
        self.stage.setText(self.error_text)
        if self.report:
            self.show_report(self.report)

    def show_report(self, v: dict) -> None:
        from html import escape

        g, ppl = v.get("greedy") or {}, v.get("perplexity") or {}
        verdict = self.tr("Verification passed") if v.get("passed") else self.tr("Verification failed: the file was not kept")
        rows = [f"<p><b>{escape(verdict)}</b></p>",
                "<p>" + escape(self.tr("Greedy answers identical to the source model: {same} of {total} "
                                       "(near-ties: {ties})").format(same=g.get("same", 0), total=g.get("total", 0),
                                                                      ties=g.get("near_ties", 0))) + "<br>",
                escape(self.tr("Perplexity: source {src}, GGUF {gguf} ({change} %)").format(
                    src=ppl.get("source"), gguf=ppl.get("gguf"),
                    change=f"{ppl.get('change_pct'):+.2f}" if ppl.get("change_pct") is not None else "–")) + "<br>",
                escape(self.tr("Chat template kept: {t}; tokenizer identical: {k}").format(
                    t=self.tr("yes") if v.get("chat_template_same") else self.tr("no"),
                    k=self.tr("yes") if v.get("tokenizer_same") else self.tr("no"))) + "</p>"]
        for a in g.get("answers") or []:
            mark = "=" if a.get("same") else "≈" if a.get("near_tie") else "≠"
            rows.append(f"<p>{mark} <i>{escape(a.get('prompt', ''))}</i><br>{escape(a.get('gguf', ''))}</p>")
        if self.result:
            rows.append("<p>" + escape(self.tr("Files: {gguf}, {modelfile}, {report}").format(
                gguf=self.result.get("path"), modelfile=self.result.get("modelfile"),
                report=self.result.get("verify_path"))) + "</p>")
        self.report_view.setHtml("".join(rows))
        self.report_view.setVisible(True)

    def open_folder(self) -> None:
        from app.views.widgets import open_in_desktop

        if self.result:
            open_in_desktop(self, Path(self.result["path"]).parent)


def open_export_dialog(parent: QWidget, ctx, source_ref: str) -> ExportDialog:
    """Show the dialog (non-modal: the export runs while the user works elsewhere)."""
    dialog = ExportDialog(ctx, source_ref, parent)
    dialog.show()
    return dialog
