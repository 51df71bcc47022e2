"""The Datasets panel's long work: importing a file (validation takes seconds on a large file, so
it runs on a pool thread) and the token-length histogram (the dataset_stats engine, which loads
the model's tokenizer in its own process)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from app.core.errors import UserError
from app.workers.engine_job import EngineJob


class DatasetImport(QObject):
    """``done(info, error)``: the DatasetInfo, or None and the UserError to show."""

    done = Signal(object, object)

    class _Run(QRunnable):
        def __init__(self, owner: DatasetImport, store, path: str, kwargs: dict):
            super().__init__()
            self.owner, self.store, self.path, self.kwargs = owner, store, path, kwargs

        def run(self) -> None:
            try:
                info = self.store.import_file(self.path, **self.kwargs)
            except UserError as err:
                self.owner.done.emit(None, err)
                return
            self.owner.done.emit(info, None)

    def __init__(self, store, path: str, *, shape: str | None, val_ratio: float, project_id,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.path = path
        self._run = self._Run(self, store, path, {"shape": shape, "val_ratio": val_ratio, "project_id": project_id})
        self._run.setAutoDelete(False)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._run)


class TokenLengths(EngineJob):
    """Token lengths of a dataset with a model's tokenizer; ``result`` holds the histogram once
    ``finished(True, …)``."""

    def __init__(self, dataset_path: str, model_dir: str, max_len: int, parent: QObject | None = None):
        super().__init__("app.engines.dataset_stats",
                         ["--dataset", str(dataset_path), "--model", str(model_dir), "--max-len", str(int(max_len))],
                         parent=parent)
        self.dataset_path = str(dataset_path)


__all__ = ["DatasetImport", "TokenLengths"]
