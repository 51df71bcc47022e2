"""A run's evaluation in its detail: base vs adapter side by side, the regression mark, "Evaluate"
(the evaluation engine through ``ctx.evals``), the generations viewer and export.

The numbers come from the ``evaluations`` table and the result file in ``RUN/eval/``
(``app.core.evaluations``); this widget only shows them.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
    QHeaderView, QProgressBar, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget,
)

from app.core import evaluations
from app.views.widgets import show_error

# metric key → (lower is better, shown as a percentage)
ROWS = {"loss": (True, False), "perplexity": (True, False), "exact_match": (False, True),
        "rouge_l": (False, True), "bleu": (False, False), "chrf": (False, False)}
BETTER, WORSE = "#15803d", "#b91c1c"
DIFF_BG = "rgba(220, 38, 38, 0.22)"


def metric_value_text(key: str, value) -> str:
    if value is None:
        return "–"
    if ROWS.get(key, (False, False))[1]:
        return f"{value * 100:.1f}%"
    return f"{value:.3f}" if key in ("loss",) else f"{value:.2f}"


def highlighted_html(text: str, reference: str) -> str:
    """``text`` as HTML, the pieces that differ from ``reference`` on a red background."""
    parts = []
    for piece, same in evaluations.diff_pieces(text, reference):
        esc = html.escape(piece).replace("\n", "<br>")
        parts.append(esc if same else f'<span style="background-color: {DIFF_BG};">{esc}</span>')
    return "".join(parts) or "<i>–</i>"


class EvalCard(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.run_id: str | None = None
        self.run_dir: str | None = None
        self.info: evaluations.EvalInfo | None = None
        self.dialog: GenerationsDialog | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(objectName="CardTitle")
        self.evaluate_btn = QPushButton(objectName="Primary")
        self.generations_btn = QPushButton()
        self.export_btn = QPushButton()
        self.evaluate_btn.clicked.connect(lambda: self.evaluate())
        self.generations_btn.clicked.connect(lambda: self.show_generations())
        self.export_btn.clicked.connect(lambda: self.export())
        top.addWidget(self.title, 1)
        for b in (self.generations_btn, self.export_btn, self.evaluate_btn):
            top.addWidget(b)
        layout.addLayout(top)
        self.summary = QLabel(objectName="Muted", wordWrap=True)
        layout.addWidget(self.summary)
        self.regression = QLabel(objectName="Error", wordWrap=True)
        layout.addWidget(self.regression)
        self.judge = QLabel(wordWrap=True)
        layout.addWidget(self.judge)
        self.progress = QProgressBar()
        self.progress_text = QLabel(objectName="Muted", wordWrap=True)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_text)
        self.table = QTableWidget(len(ROWS), 2)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)  # base | adapter alike
        self.table.setMinimumHeight(120)
        layout.addWidget(self.table, 1)
        evals = ctx.evals
        evals.started.connect(self._started)
        evals.progress.connect(self._progress)
        evals.finished.connect(self._finished)
        self.retranslate_ui()
        self.show_run(None)

    # --- texts ------------------------------------------------------------------------------------
    def row_names(self) -> dict[str, str]:
        return {"loss": self.tr("Held-out loss"), "perplexity": self.tr("Perplexity"),
                "exact_match": self.tr("Exact match"), "rouge_l": self.tr("ROUGE-L"), "bleu": self.tr("BLEU"),
                "chrf": self.tr("chrF")}

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("Evaluation: base model vs adapter"))
        self.evaluate_btn.setText(self.tr("Evaluate"))
        self.evaluate_btn.setToolTip(self.tr("Measure the adapter against its base model on the run's "
                                             "validation split: held-out loss and generations"))
        self.generations_btn.setText(self.tr("Generations…"))
        self.export_btn.setText(self.tr("Export…"))
        self.table.setHorizontalHeaderLabels([self.tr("Base model"), self.tr("Adapter")])
        self.table.setVerticalHeaderLabels(list(self.row_names().values()))
        self.regression.setText(self.tr("Regression: the adapter's held-out loss is higher than the base "
                                        "model's. The fine-tune made the model worse on held-out data."))
        self._fill()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    # --- showing ----------------------------------------------------------------------------------
    def show_run(self, run_id: str | None, run_dir: str | None = None) -> None:
        self.run_id, self.run_dir = run_id, run_dir
        self.info = evaluations.EvaluationStore(self.ctx.db).latest(run_id) if run_id else None
        self._fill()

    def _is_validation_split(self, set_path: str) -> bool:
        import json

        try:
            cfg = json.loads((Path(self.run_dir) / "config.json").read_text(encoding="utf-8")) if self.run_dir else {}
        except (OSError, ValueError):
            return False
        val = cfg.get("val_path")
        return bool(val) and Path(val).expanduser().resolve() == Path(set_path).expanduser().resolve()

    def _fill(self) -> None:
        info = self.info
        busy = bool(self.run_id and self.ctx.evals.busy(self.run_id))
        has_adapter = bool(self.run_dir and (Path(self.run_dir) / "adapter" / "adapter_config.json").is_file())
        self.evaluate_btn.setEnabled(has_adapter and not busy)
        self.generations_btn.setEnabled(info is not None)
        self.export_btn.setEnabled(info is not None)
        self.progress.setVisible(busy)
        self.progress_text.setVisible(busy)
        self.regression.setVisible(bool(info and info.regression))
        if busy:  # also when it started by itself after training: say so, not "not evaluated"
            self.summary.setText(self.tr("Evaluating the adapter against its base model…"))
        if info is None:
            if not busy:
                self.summary.setText(self.tr("Not evaluated yet. Evaluate compares the adapter with its base model "
                                             "on the run's validation split.") if has_adapter else
                                     self.tr("The run has no adapter yet: it is saved when the run finishes or "
                                             "stops."))
            self.judge.setVisible(False)
            for r in range(self.table.rowCount()):
                for c in range(2):
                    self.table.setItem(r, c, QTableWidgetItem("–"))
            return
        when = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M") if info.created_at else ""
        if self._is_validation_split(info.set_path):
            text = self.tr("Evaluated {when} on {n} samples of the run's validation split.").format(
                when=when, n=info.n_samples)
        else:
            text = self.tr("Evaluated {when} on {n} samples of {file}.").format(
                when=when, n=info.n_samples, file=Path(info.set_path).name)
        gen = info.summary.get("generation") or {}
        engine, seconds = gen.get("engine"), gen.get("seconds")
        generated = ""
        if engine and isinstance(seconds, (int, float)):
            generated = (self.tr("Answers generated with vLLM (batched) in {s:.0f} s, {start:.0f} s of it "
                                   "its start.").format(s=seconds, start=gen.get("start_s") or 0)
                           if engine == "vllm" else
                           self.tr("Answers generated with transformers in {s:.0f} s.").format(s=seconds))
        elif engine:
            generated = (self.tr("Answers generated with vLLM (batched).") if engine == "vllm" else
                         self.tr("Answers generated with transformers."))
        if generated:  # two sentences: a space between them in English, none in Chinese
            text = self.tr("{evaluated} {generated}").format(evaluated=text, generated=generated)
        if not busy:
            self.summary.setText(text)
        base, adapter = info.side("base"), info.side("adapter")
        for r, (key, (lower, _pct)) in enumerate(ROWS.items()):
            b, a = base.get(key), adapter.get(key)
            bi, ai = QTableWidgetItem(metric_value_text(key, b)), QTableWidgetItem(metric_value_text(key, a))
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a != b:
                from PySide6.QtGui import QColor

                ai.setForeground(QColor(BETTER if (a < b) == lower else WORSE))
            self.table.setItem(r, 0, bi)
            self.table.setItem(r, 1, ai)
        judge = info.summary.get("judge") or None
        self.judge.setVisible(bool(judge))
        if judge:
            self.judge.setText(self.judge_text(judge))

    def judge_text(self, judge: dict) -> str:
        if judge.get("warning"):
            from app.views.error_texts import text_for

            w = judge["warning"]
            return text_for(w.get("code", ""), w.get("params"), w.get("message", ""))
        if judge.get("mode") == "absolute":
            return self.tr("Judge {judge}: base {base} / 10, adapter {adapter} / 10 ({unreadable} unreadable).").format(
                judge=judge.get("judge"), base=_num(judge.get("base_score")), adapter=_num(judge.get("adapter_score")),
                unreadable=judge.get("unparseable", 0))
        return self.tr("Judge {judge}: the adapter wins {rate} of {n} verdicts (95% interval {low}–{high}; "
                       "{unreadable} unreadable).").format(
            judge=judge.get("judge"), rate=_pct(judge.get("win_rate")), n=judge.get("verdicts", 0),
            low=_pct(judge.get("ci_low")), high=_pct(judge.get("ci_high")), unreadable=judge.get("unparseable", 0))

    # --- the engine -------------------------------------------------------------------------------
    def evaluate(self) -> None:
        if self.run_id:
            self.ctx.evals.evaluate(self.run_id, self.run_dir)
            self._fill()

    def _started(self, run_id: str) -> None:
        if run_id == self.run_id:
            self.progress.setRange(0, 0)
            self.progress_text.setText(self.tr("Starting the evaluation engine…"))
            self._fill()

    def _progress(self, run_id: str, event) -> None:
        if run_id != self.run_id or event is None:
            return
        from app.views.progress_texts import event_progress_text

        if event.total:
            self.progress.setRange(0, int(event.total))
            self.progress.setValue(int(event.step or 0))
        self.progress_text.setText(event_progress_text(event))

    def _finished(self, run_id: str, ok: bool, message: str) -> None:
        if run_id != self.run_id:
            return
        self.show_run(self.run_id, self.run_dir)
        if not ok:
            from app.views.error_texts import job_error_text

            show_error(self, self.tr("Evaluate"), job_error_text(self.ctx.evals.last_job, message))

    # --- generations and export -------------------------------------------------------------------
    def result(self) -> dict:
        return evaluations.read_result(self.info.path) if self.info and self.info.path else {}

    def show_generations(self) -> None:
        if self.info is None:
            return
        self.dialog = GenerationsDialog(self.result().get("samples", []), self)
        self.dialog.open()

    def export(self, path: str | None = None) -> None:
        if self.info is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the evaluation"), f"{self.run_id}-eval.csv",
                                                  "CSV (*.csv);;JSON (*.json)")
        if not path:
            return
        try:
            evaluations.export(self.result(), path)
        except OSError as exc:
            show_error(self, self.tr("Export the evaluation"), self.tr("Could not write {path}: {reason}").format(
                path=path, reason=exc.strerror or exc))
            return
        self.ctx.status_message.emit(self.tr("Evaluation saved to {path}").format(path=path), 6000)


def _pct(v) -> str:
    return f"{v * 100:.0f}%" if isinstance(v, (int, float)) else "–"


def _num(v) -> str:
    return f"{v:.1f}" if isinstance(v, (int, float)) else "–"


class GenerationsDialog(QDialog):
    """Every sample's prompt on the left; its three answers side by side (base | adapter |
    reference), the words that differ from the reference highlighted."""

    def __init__(self, samples: list[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.samples = samples
        self.resize(980, 600)
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        for s in samples:
            item = QListWidgetItem(s.get("prompt", "").replace("\n", " ")[:120])
            item.setToolTip(s.get("prompt", ""))
            self.list.addItem(item)
        split.addWidget(self.list)
        right = QWidget()
        grid = QGridLayout(right)
        grid.setContentsMargins(0, 0, 0, 0)
        self.prompt = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.prompt, 0, 0, 1, 3)
        self.headers = [QLabel(objectName="CardTitle") for _ in range(3)]
        self.columns = [QTextBrowser() for _ in range(3)]
        for i, (h, c) in enumerate(zip(self.headers, self.columns)):
            grid.addWidget(h, 1, i)
            grid.addWidget(c, 2, i)
        grid.setRowStretch(2, 1)
        split.addWidget(right)
        split.setSizes([260, 720])
        layout.addWidget(split, 1)
        self.note = QLabel(objectName="Muted", wordWrap=True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self.show_sample)
        self.retranslate_ui()
        if samples:
            self.list.setCurrentRow(0)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Generations"))
        for h, text in zip(self.headers, (self.tr("Base model"), self.tr("Adapter"), self.tr("Reference"))):
            h.setText(text)
        self.note.setText(self.tr("Highlighted: what differs from the reference. Answers are greedy, so an "
                                  "evaluation run again gives the same text."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def show_sample(self, row: int) -> None:
        if not 0 <= row < len(self.samples):
            return
        s = self.samples[row]
        ref = s.get("reference", "")
        self.prompt.setText(s.get("prompt", ""))
        self.columns[0].setHtml(highlighted_html(s.get("base", ""), ref))
        self.columns[1].setHtml(highlighted_html(s.get("adapter", ""), ref))
        self.columns[2].setHtml(html.escape(ref).replace("\n", "<br>"))
