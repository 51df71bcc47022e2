"""What the dialogs that run one engine job share (Export…, Quantize…): a progress bar and a stage line
fed by the job's progress events in the user's language, Close that stops a job still running (and
closing the dialog stops it too), the source said the same way, and a live language switch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar

from app.views.error_texts import user_error_text
from app.views.progress_texts import event_progress_text
from app.workers.engine_job import EngineJob


def source_text(source) -> str:
    """An export or quantization source: a model, or a run whose adapter is merged into its base."""
    if source.adapter_dir is not None:
        return QCoreApplication.translate("EngineDialog", "{name}: its adapter merged into {base}").format(
            name=source.name, base=source.model_dir.name)
    return source.name


class EngineJobDialog(QDialog):
    """Subclasses build ``self.progress`` (QProgressBar), ``self.stage`` (QLabel) and ``self.close_btn``
    and start ``self.job``; they implement ``retranslate_ui``."""

    job: EngineJob | None = None
    error_text = ""
    progress: QProgressBar
    stage: QLabel

    def source_line(self) -> str:
        """What the dialog works on (``self.source``), or why there is nothing (``self.problem``)."""
        if getattr(self, "source", None) is not None:
            return source_text(self.source)
        problem = getattr(self, "problem", None)
        return user_error_text(problem) if problem is not None else ""

    def run_job(self, job: EngineJob) -> None:
        """Start ``job``: its progress drives the bar and the stage, its end ``self._finished(ok, message)``."""
        self.job = job
        job.progress.connect(self.show_progress)
        job.finished.connect(self._finished)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.stage.setText(QCoreApplication.translate("EngineDialog", "Starting…"))
        job.start()
        self._set_running(True)

    def _set_running(self, on: bool) -> None:
        raise NotImplementedError

    def _finished(self, ok: bool, message: str) -> None:
        raise NotImplementedError

    def running(self) -> bool:
        return self.job is not None and self.job.is_running()

    def fail(self, text: str) -> None:
        self.error_text = text
        self.stage.setText(text)

    def show_progress(self, step: int, total: int, message: str) -> None:
        """The job's ``progress`` signal: the bar, and the stage in the user's language with its ETA."""
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(step)
        event = self.job.last_progress if self.job is not None else None
        text = event_progress_text(event) if event is not None else message
        eta = getattr(event, "eta_s", None)
        if eta:
            text += " " + QCoreApplication.translate("EngineDialog", "(about {s} s left)").format(s=max(1, round(eta)))
        self.stage.setText(text)

    def close_or_stop(self) -> None:
        if self.running():
            self.job.stop()
            return
        self.accept()

    def done(self, code: int) -> None:  # closing the dialog stops a job still running
        if self.running():
            self.job.stop()
        super().done(code)

    def retranslate_ui(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
