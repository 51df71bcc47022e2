"""The Models panel's "Forms of this model" card: each form the app has of the selected model (its
folder, quantized folders made from it, GGUF files exported from it) with its format, size on disk,
tokens/s and the perplexity change against the 16-bit model.

Only measured numbers are shown: "Measure" runs the evaluate engine on the forms
(``app.engines.evaluate formats``), which stores what it measured (app/core/model_formats.py); a
GGUF export's change comes from its verification report. Anything else says "not measured".
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidgetItem, QWidget

from app.core import model_formats
from app.views.widgets import Card, record_table

COLUMNS = ("form", "format", "size", "speed", "perplexity", "change")


class FormatsCard(Card):
    measured = Signal(bool)  # a Measure run ended: ok
    push_requested = Signal(dict)  # the selected form

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)  # keeps the objectName "Card": the theme styles cards by it
        self.row: dict | None = None
        self.rows: list[dict] = []
        self.forms: list[dict] = []
        self.job = None
        self.failures: list[dict] = []
        self.table = record_table(len(COLUMNS))
        self.table.setWordWrap(False)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(110)
        self.table.setMaximumHeight(160)
        self.body.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.note = QLabel(objectName="Muted", wordWrap=True)
        self.measure_btn = QPushButton()
        self.measure_btn.clicked.connect(lambda: self.measure())
        self.push_btn = QPushButton()
        self.push_btn.clicked.connect(self._push_clicked)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.push_btn)
        bar.addWidget(self.measure_btn)
        self.body.addLayout(bar)
        self.retranslate_ui()

    # --- texts --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("Forms of this model"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Form"), self.tr("Format"), self.tr("Size on disk"), self.tr("Tokens/s"), self.tr("Perplexity"),
            self.tr("Perplexity vs 16-bit")])
        self.measure_btn.setText(self.tr("Measure"))
        self.measure_btn.setToolTip(self.tr(
            "Measure every form on the same texts (the bundled sample set): perplexity of the answers and "
            "tokens per second of a short greedy generation. Runs in the evaluation engine."))
        self.push_btn.setText(self.tr("Push to Hugging Face hub…"))
        self.push_btn.setToolTip(self.tr("Upload the selected form with a generated model card."))
        self.fill()

    def role_text(self, form: dict) -> str:
        return {"model": self.tr("this model"), "quantized": self.tr("quantized"),
                "gguf": self.tr("GGUF file")}.get(form["role"], form["role"])

    # --- contents -----------------------------------------------------------------------------
    def set_model(self, row: dict | None, rows: list[dict]) -> None:
        self.row, self.rows = row, rows
        try:
            self.forms = model_formats.forms_of(row, rows) if row else []
        except OSError:
            self.forms = []
        self.fill()

    def reference(self) -> dict | None:
        return model_formats.reference_of(self.forms)

    def cell_texts(self, form: dict) -> list[tuple[str, str]]:
        """(text, tooltip) for each column of a form's row."""
        from app.views.sizes import human_bytes

        not_measured = self.tr("not measured")
        m, report = form.get("measured") or {}, form.get("report") or {}
        ref = self.reference()
        where = ""
        if m:
            where = self.tr("Measured on {device} ({dtype}) on {texts}.").format(
                device=m.get("device", "?"), dtype=m.get("dtype", "?"), texts=m.get("texts", "?"))
        speed, speed_tip = not_measured, ""
        if m.get("tokens_per_s"):
            speed, speed_tip = f"{m['tokens_per_s']:.1f}", where
        elif m and form["role"] == "gguf":
            speed_tip = self.tr("A GGUF file's speed is llama.cpp's; the app loads it de-quantized, so it is not "
                                "timed here.")
        ppl, ppl_tip = not_measured, ""
        if m.get("perplexity"):
            ppl, ppl_tip = f"{m['perplexity']:.2f}", where
        elif isinstance((report.get("perplexity") or {}).get("gguf"), (int, float)):
            ppl = f"{report['perplexity']['gguf']:.2f}"
            ppl_tip = self.tr("From the export's verification ({texts} texts, {data}).").format(
                texts=report["perplexity"].get("texts", "?"), data=report.get("data", "?"))
        change, source = model_formats.perplexity_change(form, ref)
        if form is ref:
            change_text, change_tip = (self.tr("reference"), where) if m else (not_measured, "")
        elif change is None:
            change_text, change_tip = not_measured, ""
        else:
            change_text = f"{change:+.1f} %"
            change_tip = where if source == "measured" else self.tr(
                "From the export's verification against the source model.")
        if not model_formats.measurable(form):
            speed = ppl = change_text = "–"
            speed_tip = ppl_tip = change_tip = self.tr("An adapter is measured merged: export it, or evaluate its run.")
        return [(form["name"] + f"  ({self.role_text(form)})", form["path"]), (form["format"], ""),
                (human_bytes(form.get("size_bytes")), ""), (speed, speed_tip), (ppl, ppl_tip),
                (change_text, change_tip)]

    def fill(self) -> None:
        if not hasattr(self, "table"):
            return
        self.table.setRowCount(len(self.forms))
        for i, form in enumerate(self.forms):
            for col, (text, tip) in enumerate(self.cell_texts(form)):
                item = QTableWidgetItem(text)
                if tip:
                    item.setToolTip(tip)
                self.table.setItem(i, col, item)
        if self.forms and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        running = self.job is not None and self.job.is_running()
        self.measure_btn.setEnabled(not running and any(model_formats.measurable(f) for f in self.forms))
        self.push_btn.setEnabled(bool(self.forms) and bool(self.row) and self.row.get("kind") != "remote")
        if running:
            return
        if self.failures:
            self.note.setText("\n".join(self.tr("{name} could not be measured: {reason}").format(
                name=f["path"].rsplit("/", 1)[-1], reason=f["error"]) for f in self.failures))
        elif not self.forms:
            self.note.setText(self.tr("No files of this model are here."))
        elif all(f.get("measured") for f in self.forms if model_formats.measurable(f)):
            self.note.setText("")
        else:
            self.note.setText(self.tr('Numbers appear once measured: press "Measure" (about a minute for a '
                                      "small model on a CPU)."))

    def selected_form(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.forms):
            return self.forms[0] if self.forms else None
        return self.forms[rows[0].row()]

    def _push_clicked(self) -> None:
        form = self.selected_form()
        if form is not None:
            self.push_requested.emit(form)

    # --- measuring ----------------------------------------------------------------------------
    def measure(self, forms: list[dict] | None = None) -> bool:
        """Start the evaluate engine on ``forms`` (default: every measurable one, the 16-bit first)."""
        from app.views.progress_texts import event_progress_text
        from app.workers.engine_job import EngineJob

        if self.job is not None and self.job.is_running():
            return False
        chosen = [f for f in (forms or self.forms) if model_formats.measurable(f)]
        if not chosen:
            return False
        args = ["formats"]
        for f in chosen:
            args += ["--form", f["path"]]
        self.failures = []
        self.job = EngineJob("app.engines.evaluate", args, parent=self)
        self.job.progress.connect(lambda *_: self.note.setText(
            event_progress_text(self.job.last_progress) if self.job.last_progress else ""))
        self.job.finished.connect(self._measured)
        self.note.setText(self.tr("Starting the evaluation engine…"))
        self.job.start()
        self.fill()
        return True

    def running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def _measured(self, ok: bool, message: str) -> None:
        from app.views.error_texts import job_error_text

        job = self.job
        self.failures = [f for f in (job.result.get("forms") or []) if f.get("error")]
        self.set_model(self.row, self.rows)  # re-read what the engine stored
        if not ok:
            self.note.setText(job_error_text(job, message))
        self.measured.emit(ok)

    def shutdown(self) -> None:
        if self.running():
            self.job.stop()
            if not self.job.proc.wait(5000):
                self.job.proc.kill()
                self.job.proc.wait(2000)
