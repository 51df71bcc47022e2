"""What the panels share: settings, the database, the language and theme switches, the workers
(made on first use), and navigation between panels.

Panels get one ``AppContext``; they never open files or databases themselves, and they reach each
other only through ``navigate(key, **where)`` (the main window shows the panel and hands it
``where``, see ``Panel.navigate``).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from app.core import settings as settings_mod
from app.core.settings import Settings
from app.views import theme
from app.views.i18n import LanguageManager


class AppContext(QObject):
    settings_changed = Signal()
    # A short, non-blocking message for the status bar (text, milliseconds).
    status_message = Signal(str, int)
    # Show a panel, and a thing inside it: (panel key, {"run": id} …).
    navigate_requested = Signal(str, dict)
    # A worker was just made (for the window to hook its notifications without making it early).
    runs_ready = Signal(object)
    kb_jobs_ready = Signal(object)
    # The main window was painted once: what the first picture does not need starts now.
    painted = Signal()
    # The bundled model's preparation started (the job), wherever it was asked for.
    model_setup_started = Signal(object)
    # Something many views show changed outside them (the sample project was made…): refresh.
    data_changed = Signal()

    def __init__(self, app: QApplication, settings: Settings, db, parent: QObject | None = None):
        """``db``: the open database, or a function that opens it (called on first use, so the
        window can paint before SQLAlchemy is even imported)."""
        super().__init__(parent)
        self.app = app
        self.settings = settings
        self._db = None if callable(db) else db
        self._open_db = db if callable(db) else None
        self.is_painted = False
        self.languages = LanguageManager(app)
        self._runs = None
        self._gpu = None
        self._serve = None
        self._kb_query = None
        self._kb_jobs = None
        self._evals = None
        self._closed = False

    @property
    def db(self):
        if self._db is None:
            self._db = self._open_db()
        return self._db

    @property
    def db_open(self) -> bool:
        return self._db is not None

    def when_painted(self, callback) -> None:
        """Run ``callback`` once the window has been painted (at once if it has)."""
        if self.is_painted:
            callback()
        else:
            self.painted.connect(callback, Qt.ConnectionType.SingleShotConnection)

    def mark_painted(self) -> None:
        if not self.is_painted:
            self.is_painted = True
            self.painted.emit()

    def navigate(self, key: str, **where) -> None:
        """Show panel ``key`` (a key of ``app.views.panels.PANELS``), at ``where`` inside it."""
        self.navigate_requested.emit(key, where)

    @property
    def runs(self):
        """The training-run manager, made on first use (after the window is up)."""
        if self._runs is None:
            from app.workers.run_manager import RunManager

            self._runs = RunManager(self.db, parent=self)
            self._runs.reattach_all()
            self.runs_ready.emit(self._runs)
            _ = self.evals  # evaluations follow the runs from the start (evaluate after training)
        return self._runs

    @property
    def evals(self):
        """Evaluations of runs (one evaluation engine at a time; after training when the setting is on)."""
        if self._evals is None:
            from app.workers.eval_jobs import EvalManager

            runs = self.runs  # making the run manager may have made this one too
            if self._evals is None:
                self._evals = EvalManager(self.settings, runs, parent=self)
        return self._evals

    @property
    def gpu(self):
        """The GPU monitor (sampling off the GUI thread), started on first use."""
        if self._gpu is None:
            from app.workers.gpu_monitor import GpuMonitor

            self._gpu = GpuMonitor(interval_s=self.settings.gpu_sample_s, parent=self)
            if self._serve is not None:
                self._gpu.sampled.connect(self._serve.apply_gpu_reading)
                self._gpu.set_engine_pids(self._serve.gpu_owner_labels())
            if not self._closed:
                self._gpu.start()
        return self._gpu

    @property
    def serve(self):
        """The chat engines (serve engines and remote endpoints), made on first use."""
        if self._serve is None:
            from app.workers.serve_manager import ServeManager

            self._serve = ServeManager(self.settings, parent=self)
            self._serve.changed.connect(self._engines_to_gpu_monitor)
            if self._gpu is not None:
                self._gpu.sampled.connect(self._serve.apply_gpu_reading)
        return self._serve

    def _engines_to_gpu_monitor(self) -> None:
        """The GPU monitor names the chat engines' GPU processes, and their memory reaches the engines."""
        if self._gpu is not None and self._serve is not None:
            self._gpu.set_engine_pids(self._serve.gpu_owner_labels())

    @property
    def kb_query(self):
        """Retrieval for chat: one knowledge engine kept loaded, made on first use."""
        if self._kb_query is None:
            from app.workers.kb_query import KbQueryService

            self._kb_query = KbQueryService(parent=self)
        return self._kb_query

    @property
    def kb_jobs(self):
        """Indexing jobs of the knowledge bases (one engine at a time, the rest queued)."""
        if self._kb_jobs is None:
            from app.workers.kb_jobs import KbJobs

            self._kb_jobs = KbJobs(self.db, self.kb_query, parent=self)
            self.kb_jobs_ready.emit(self._kb_jobs)
        return self._kb_jobs

    def shutdown(self) -> None:
        """The window closes: stop following runs (they go on), flush what arrived, stop sampling,
        stop the chat engines (they serve only this window)."""
        self._closed = True
        if self._evals is not None:
            self._evals.shutdown()
        if self._kb_jobs is not None:
            self._kb_jobs.shutdown()
        if self._serve is not None:
            self._serve.shutdown()
        if self._kb_query is not None:
            self._kb_query.shutdown()
        if self._gpu is not None:
            self._gpu.stop()
        if self._runs is not None:
            self._runs.shutdown()

    def apply_initial(self) -> None:
        self.languages.set_language(self.settings.language)
        theme.apply_theme(self.app, self.settings.theme)

    def set_language(self, language: str) -> None:
        if language == self.languages.language and language == self.settings.language:
            return
        self.settings.language = language
        self._save()
        self.languages.set_language(language)

    def set_theme(self, name: str) -> None:
        self.settings.theme = name
        self._save()
        theme.apply_theme(self.app, name)

    @property
    def model_setup(self):
        """The bundled model's preparation while it runs (one for the whole window), else None."""
        job = getattr(self, "_model_setup", None)
        return job if job is not None and job.is_running() else None

    def prepare_model(self):
        """Prepare the bundled model (the convert engine), or return the preparation already running:
        the welcome flow and the Dashboard never start two."""
        job = self.model_setup
        if job is None:
            from app.workers.model_setup import DefaultModelSetup

            job = self._model_setup = DefaultModelSetup(self)
            job.finished.connect(lambda *_: self.data_changed.emit())
            job.start()
            self.model_setup_started.emit(job)
        return job

    def remember(self, key: str, value) -> None:
        """Keep a panel's choice (a knowledge base, a dataset…) for the next start."""
        if self.settings.selections.get(key) != value:
            self.settings.selections = dict(self.settings.selections, **{key: value})
            self._save()

    def recall(self, key: str, default=None):
        return self.settings.selections.get(key, default)

    def update(self, **changes) -> None:
        for key, value in changes.items():
            setattr(self.settings, key, value)
        self._save()

    def _save(self) -> None:
        self.settings.validated()
        settings_mod.save(self.settings)
        self.settings_changed.emit()
