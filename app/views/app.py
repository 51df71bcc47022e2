"""Start the window: settings, database, language, theme, main window.

Only Qt, SQLAlchemy and our core are imported here; torch & co stay in engine processes.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time

HEAVY_MODULES = ("torch", "transformers", "vllm", "llama_index", "langgraph")


def heavy_modules_loaded() -> list[str]:
    return [m for m in HEAVY_MODULES if m in sys.modules]


def process_age_s() -> float:
    """Seconds since this process was created (the honest cold-start clock).

    On Linux: system uptime minus the process start tick, both precise to 10 ms (psutil's
    create_time adds the boot time, which /proc gives only to the whole second).
    """
    try:
        import os

        with open("/proc/self/stat", encoding="ascii") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        import psutil

        return time.time() - psutil.Process().create_time()


def setup_logging(logs_dir) -> None:
    root = logging.getLogger()
    target = str((logs_dir / "app.log").resolve())
    for h in [h for h in root.handlers if getattr(h, "_ai_platform", False)]:
        if getattr(h, "baseFilename", None) == target:
            return
        # another data folder's log (a second window in the same process, as in tests): switch over
        root.removeHandler(h)
        h.close()
    handler = logging.handlers.RotatingFileHandler(logs_dir / "app.log", maxBytes=2_000_000,
                                                   backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    from app.core import logging_setup

    logging_setup.install(handler)  # secrets (tokens, API keys) are masked before they are written
    handler._ai_platform = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # our own line says which migration ran


def open_database():
    """The database (imported here, not at start: SQLAlchemy is a quarter of a cold start)."""
    from app.core.db import open_database as open_db

    return open_db()


def create_main_window(app, *, defer_database: bool = False):
    """Build the context and window for ``app``; used by the real start and by tests.

    ``defer_database``: open the database on first use (after the first paint) instead of now; a
    real start does, so the window shows before SQLAlchemy and the migrations are loaded."""
    from app.core import paths, settings
    from app.views.context import AppContext
    from app.views.main_window import MainWindow

    home = paths.ensure_home()
    setup_logging(paths.logs_dir(home))
    loaded = settings.load()
    _move_saved_credentials(loaded)
    ctx = AppContext(app, loaded, open_database if defer_database else open_database())
    ctx.apply_initial()
    return MainWindow(ctx)


def _move_saved_credentials(loaded) -> None:
    """Endpoints saved by an older version with a key in their URL: the key goes to the keyring and
    settings.json (now 0600) keeps the URL without it (app/core/remote_endpoints.py)."""
    from app.core import remote_endpoints, settings

    try:
        if remote_endpoints.move_saved_credentials(loaded):
            settings.save(loaded)
    except Exception:  # noqa: BLE001 - a keyring that fails must not keep the app from starting
        logging.getLogger(__name__).warning("could not move the keys found in endpoint URLs", exc_info=True)


def after_first_paint(window) -> None:
    """Start-up work that can wait for the window: open the database (a newer schema than this app
    knows ends the app with its message), reattach to runs that kept training while the app was
    closed, and mark the ones that died with it as interrupted (resumable)."""
    _ = window.ctx.runs  # made now: it indexes the run folders, reattaches, and says runs_listed
    preload_chat_engine(window.ctx)


def preload_chat_engine(ctx) -> str | None:
    """Settings → Chat engines → start the chat engine "when the app starts": the engine of the most
    recent chat (the bundled model when there is none) starts after the first paint, so the first
    answer does not wait for it. Returns the engine's key, or None when nothing was started."""
    if getattr(ctx.settings, "chat_preload", "") != "app_start":
        return None
    from app.core import bundled
    from app.core.chat_store import ChatStore

    latest = next(iter(ChatStore(ctx.db).list_sessions()), None)
    model = (latest.model if latest else None) or "default"
    adapter = None
    if latest is not None and latest.adapter and latest.params.get("adapter_path"):
        adapter = (latest.adapter, latest.params["adapter_path"])
    label = bundled.DEFAULT_CHAT_MODEL if model == "default" else model
    return ctx.serve.preload(model, adapter, label=label)


def claim_single_instance(app):
    """The ``SingleInstance`` guard of this data folder, or an exit code when another app runs on it
    (0: its window was brought to the front; 3: it did not answer)."""
    from app import APP_DISPLAY_NAME
    from app.core import paths
    from app.views.single_instance import SingleInstance

    guard = SingleInstance(paths.home(), parent=app)
    if guard.claim():
        return guard
    if guard.notify_running():
        print(f"{APP_DISPLAY_NAME} is already running on the data folder {paths.home()}; "
              "its window was brought to the front.", flush=True)
        return 0
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    text = QCoreApplication.translate("SingleInstance", "AI Platform is already running on the data folder "
                                      "{folder} but does not answer. Close it (or end its process) and start "
                                      "again.").format(folder=paths.home())
    print(text, file=sys.stderr)
    QMessageBox.critical(None, APP_DISPLAY_NAME, text)
    return 3


def safe_start_notice(window):
    """If the last session died while loading a model, say so without blocking (the engine manager
    skips the automatic load). Closing the message acknowledges it. Returns the message box."""
    from app.core import safe_start

    label = safe_start.crashed_while_loading()
    if not label:
        return None
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QMessageBox

    translate = QCoreApplication.translate
    model = translate("SafeStart", "a model") if label == safe_start.UNKNOWN_LABEL else label
    text = translate("SafeStart", "The app closed while loading {model} last time, so it was not loaded "
                                  "automatically. Load it again from Chat when you are ready; if it fails again, "
                                  "choose a smaller model or give it less GPU memory.")
    box = QMessageBox(QMessageBox.Icon.Warning, translate("SafeStart", "Safe start"), text.format(model=model),
                      QMessageBox.StandardButton.Ok, window)
    box.setObjectName("SafeStartNotice")
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: safe_start.acknowledge())
    box.show()
    return box


def start_interactive(window, guard=None) -> None:
    """What a real (not --smoke) start adds once the window shows: a second launch raises it, the
    safe-start notice, and the welcome flow on the first start."""
    from PySide6.QtCore import QTimer

    if guard is not None:
        from app.views.single_instance import bring_to_front

        guard.activation_requested.connect(lambda: bring_to_front(window))
        window.ctx.app.aboutToQuit.connect(guard.release)
    QTimer.singleShot(0, lambda: safe_start_notice(window))
    if not window.ctx.settings.first_run_done:
        def welcome() -> None:
            from app.views.welcome import open_welcome

            window._welcome = open_welcome(window.ctx, window)

        QTimer.singleShot(0, welcome)


def run_gui(smoke: bool = False) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import APP_DISPLAY_NAME, APP_NAME
    from app.core.errors import UserError
    from app.views import assets

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(QIcon(assets.icon_path("ai-platform")))
    guard = None
    if not smoke:  # --smoke measures a start; it neither claims the data folder nor defers to one
        guard = claim_single_instance(app)
        if isinstance(guard, int):
            return guard
    try:
        window = create_main_window(app, defer_database=True)
    except UserError as err:
        from app.views.error_texts import user_error_text

        QMessageBox.critical(None, APP_DISPLAY_NAME, user_error_text(err))
        print(str(err), file=sys.stderr)
        return 2

    from app import __version__
    from app.core import paths

    log = logging.getLogger("app")
    log.info("%s %s started (data folder %s, Python %s, pid %d)", APP_DISPLAY_NAME, __version__, paths.home(),
             sys.version.split()[0], __import__("os").getpid())
    app.aboutToQuit.connect(lambda: log.info("%s quit", APP_DISPLAY_NAME))
    if smoke:
        def report() -> None:
            print(json.dumps({"startup_s": round(process_age_s(), 3), "heavy_modules": heavy_modules_loaded()}),
                  flush=True)
            QTimer.singleShot(0, app.quit)

        from app.views.main_window import FirstPaint

        window._smoke_paint = FirstPaint(window, report)  # installed last: it sees the paint first
    else:
        # Once the window is up: find runs that kept training while the app was closed (reattach)
        # or died with it (interrupted, resumable). The dashboard shows them on its next refresh.
        window.ctx.when_painted(lambda: QTimer.singleShot(300, lambda: after_first_paint(window)))
        start_interactive(window, guard)
    __import__("app.views.exception_hook", fromlist=["install"]).install(window)  # errors: dialog + log
    window.show()
    return app.exec()
