"""The GUI's GPU monitor: samples NVML (and CPU/RAM) off the GUI thread, keeps the last ten minutes.

One ``GpuMonitor`` per window (``AppContext.gpu``). A worker object lives in its own QThread with
its own timer; each reading comes back to the GUI thread through ``sampled(dict)``. An alert
(memory > 95 %, temperature at the slowdown threshold) is emitted once when it starts, not every
second while it lasts.
"""

from __future__ import annotations

import logging
import time
from collections import deque

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from app.core import gpu as gpu_core

log = logging.getLogger(__name__)

HISTORY_S = 600
RETRY_UNAVAILABLE_EVERY = 30  # samples: a driver loaded later is noticed within half a minute


class _Worker(QObject):
    sampled = Signal(dict)

    def __init__(self, interval_s: float, nvml=None):
        super().__init__()
        self.interval_ms = max(100, int(interval_s * 1000))
        self.nvml = nvml
        self.pids: dict[int, str] = {}
        self.sampler: gpu_core.Sampler | None = None
        self.timer: QTimer | None = None
        self._unavailable_count = 0
        self._last_unavailable: dict | None = None

    @Slot()
    def start(self) -> None:
        self.sampler = gpu_core.Sampler(self.nvml)
        self.timer = QTimer(self)
        self.timer.setInterval(self.interval_ms)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.tick()

    @Slot()
    def tick(self) -> None:
        try:
            if self._last_unavailable is not None and self._unavailable_count % RETRY_UNAVAILABLE_EVERY:
                reading = {**self._last_unavailable, **gpu_core.host_info(), "ts": time.time()}
            else:
                started = time.perf_counter()
                reading = self.sampler.sample(dict(self.pids))
                reading["sample_ms"] = round((time.perf_counter() - started) * 1000, 2)
            if reading.get("available"):
                self._last_unavailable, self._unavailable_count = None, 0
            else:
                self._last_unavailable = reading
                self._unavailable_count += 1
        except Exception as exc:  # noqa: BLE001 - a sampling bug must not end the monitor
            log.exception("GPU sampling failed")
            reading = {"available": False, "reason_code": "nvml_error", "reason": str(exc), "gpus": [],
                       "ts": time.time()}
        self.sampled.emit(reading)

    @Slot()
    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        if self.sampler is not None:
            self.sampler.close()


class GpuMonitor(QObject):
    sampled = Signal(dict)
    alert = Signal(str, int, str)  # code ("memory" | "temperature"), GPU index, English message
    _start_worker = Signal()
    _stop_worker = Signal()

    def __init__(self, interval_s: float = 1.0, nvml=None, parent: QObject | None = None):
        super().__init__(parent)
        self.interval_s = float(interval_s)
        self.history: deque[dict] = deque(maxlen=max(10, int(HISTORY_S / max(0.1, self.interval_s)) + 1))
        self.last: dict | None = None
        self._active_alerts: set[tuple[str, int]] = set()
        self._thread = QThread()
        self._thread.setObjectName("gpu-monitor")
        self._worker = _Worker(self.interval_s, nvml)
        self._worker.moveToThread(self._thread)
        self._start_worker.connect(self._worker.start)
        self._stop_worker.connect(self._worker.stop)
        self._worker.sampled.connect(self._on_sampled)
        self._thread.finished.connect(self._worker.deleteLater)
        self._running = False

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        app = QCoreApplication.instance()
        if app is not None:
            # The window may go without a close event (quit from elsewhere): never leave the thread running.
            app.aboutToQuit.connect(self.stop)
        self._thread.start()
        self._start_worker.emit()

    def set_engine_pids(self, pids: dict[int, str]) -> None:
        """Processes the app started (e.g. the serving engine), shown as their owner's label."""
        self._worker.pids = dict(pids)

    def is_running(self) -> bool:
        return self._running

    def stop(self) -> None:
        """Stop sampling and end the thread (blocks until it has ended; a sample takes milliseconds)."""
        if not self._running:
            return
        self._running = False
        self._worker.sampled.disconnect(self._on_sampled)
        self._stop_worker.emit()
        self._thread.quit()
        self._thread.wait()

    @Slot(dict)
    def _on_sampled(self, reading: dict) -> None:
        if not self._running:
            return
        self.last = reading
        self.history.append(reading)
        current = set()
        for code, index, message in gpu_core.alerts(reading):
            current.add((code, index))
            if (code, index) not in self._active_alerts:
                log.warning("%s", message)
                self.alert.emit(code, index, message)
        self._active_alerts = current
        self.sampled.emit(reading)

    def active_alerts(self) -> set[tuple[str, int]]:
        return set(self._active_alerts)
