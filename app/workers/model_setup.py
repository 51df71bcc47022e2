"""Prepare the bundled default model from the GUI: run the convert engine, relay its progress."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.workers.engine_job import EngineJob


class DefaultModelSetup(EngineJob):
    def __init__(self, parent: QObject | None = None, extra_args: list[str] | None = None):
        super().__init__("app.engines.convert", list(extra_args or []), parent=parent)
