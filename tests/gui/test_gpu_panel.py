"""The GPU panel and monitor: the real no-GPU state of this machine, and two GPUs from the named fake."""

from __future__ import annotations

import os

import psutil
import pytest
from PySide6.QtCore import Qt, QThread

from app.workers.gpu_monitor import GpuMonitor
from tests.helpers.fake_nvml import GIB, FakeNvml


def _embed(window, panel):
    """Show ``panel`` inside the window's stack (a second top-level window is not needed)."""
    window.stack.addWidget(panel)
    window.stack.setCurrentWidget(panel)
    return panel


@pytest.fixture
def fake_monitor(qtbot):
    nvml = FakeNvml()
    nvml.gpus[0].compute.append((os.getpid(), 2 * GIB))
    monitor = GpuMonitor(interval_s=0.1, nvml=nvml)
    monitor.nvml = nvml
    yield monitor
    monitor.stop()


def test_monitor_samples_off_the_gui_thread_and_keeps_history(qtbot, fake_monitor):
    threads = []
    fake_monitor._worker.sampled.connect(lambda _r: threads.append(QThread.currentThread()),
                                         type=Qt.ConnectionType.DirectConnection)
    fake_monitor.start()
    qtbot.waitUntil(lambda: len(fake_monitor.history) >= 3, timeout=5000)
    assert threads and all(t is not QThread.currentThread() for t in threads)
    assert fake_monitor.last["available"] and len(fake_monitor.last["gpus"]) == 2
    assert fake_monitor.history.maxlen >= 600 * 10  # ten minutes at 10 Hz
    fake_monitor.stop()
    assert not fake_monitor._thread.isRunning()


def test_monitor_alerts_once_when_an_alert_starts(qtbot, fake_monitor):
    fake_monitor.nvml.gpus[0].used_gb = 23.9
    with qtbot.waitSignal(fake_monitor.alert, timeout=5000) as blocker:
        fake_monitor.start()
    assert blocker.args[:2] == ["memory", 0]
    seen = []
    fake_monitor.alert.connect(lambda *a: seen.append(a))
    n = len(fake_monitor.history)
    qtbot.waitUntil(lambda: len(fake_monitor.history) >= n + 3, timeout=5000)
    assert seen == []  # still the same alert: not repeated every sample
    assert fake_monitor.active_alerts() == {("memory", 0)}


def test_panel_shows_two_gpus_processes_and_alert(main_window, qtbot, fake_monitor):
    from app.views.gpu import GpuPanel

    fake_monitor.start()
    qtbot.waitUntil(lambda: len(fake_monitor.history) >= 2, timeout=5000)
    panel = _embed(main_window, GpuPanel(main_window.ctx, monitor=fake_monitor))
    qtbot.waitUntil(lambda: len(panel.cards) == 2 and panel.table.rowCount() == 4, timeout=5000)
    assert not panel.none_card.isVisible() and panel.proc_card.isVisible()
    assert "RTX 4090" in panel.cards[0].title.text() and "A5000" in panel.cards[1].title.text()
    assert "Fan n/a" in panel.cards[1].values.text()
    pids = {panel.table.item(r, 1).text(): r for r in range(panel.table.rowCount())}
    assert set(pids) == {"4242", "4243", "1200", str(os.getpid())}
    me = pids[str(os.getpid())]
    assert panel.table.item(me, 2).text() == psutil.Process().name()
    assert panel.table.item(me, 3).text() == "2.00"
    # Charts: points for the history, and a stacked memory area per process.
    _, util = panel.cards[0].util_chart.series("utilization")
    assert len(util.yData) >= 2 and util.yData[-1] == 40
    assert set(panel.cards[0]._stack) == {"4242", "4243", "1200", str(os.getpid())}
    assert not panel.alert_label.isVisible()
    fake_monitor.nvml.gpus[1].temperature = 95
    qtbot.waitUntil(lambda: panel.alert_label.isVisible(), timeout=5000)
    assert "GPU 1" in panel.alert_label.text() and "slowdown" in panel.alert_label.text()


def test_run_owner_and_its_own_memory_figure(main_window, qtbot, fake_monitor, ai_home):
    """A process owned by a run shows the run's name and its last reported gpu_mem_gb."""
    import json

    from app.core import paths, protocol
    from app.views.gpu import GpuPanel

    me = psutil.Process()
    run_dir = paths.runs_dir() / "20261126-000000-gpu-run"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"name": "gpu run", "base_model": "default"}))
    (run_dir / "engine.json").write_text(json.dumps({"pid": me.pid, "create_time": me.create_time()}))
    store = main_window.ctx.runs.store
    store.register(run_dir)
    store.apply_events(run_dir.name, [protocol.Metric(step=1, values={"loss": 2.0, "gpu_mem_gb": 1.75})])
    fake_monitor.start()
    panel = _embed(main_window, GpuPanel(main_window.ctx, monitor=fake_monitor))
    qtbot.waitUntil(lambda: panel.table.rowCount() == 4, timeout=5000)
    row = next(r for r in range(4) if panel.table.item(r, 1).text() == str(me.pid))
    assert panel.table.item(row, 4).text() == "Training run gpu run"
    assert panel.table.item(row, 5).text() == "1.75"


def test_no_gpu_state_on_this_machine(main_window, qtbot):
    """The real monitor of the window: no driver here → a clear message and CPU/RAM charts."""
    monitor = main_window.ctx.gpu
    qtbot.waitUntil(lambda: len(monitor.history) >= 2, timeout=10000)
    if monitor.last.get("available"):
        pytest.skip("this machine has an NVIDIA GPU")
    main_window.show_panel("gpu")
    panel = main_window.panel("gpu")
    qtbot.waitUntil(lambda: panel.cpu_chart.series("cpu")[1].xData is not None
                    and len(panel.cpu_chart.series("cpu")[1].xData) >= 1, timeout=5000)
    assert panel.none_card.isVisible() and panel.host_card.isVisible() and not panel.proc_card.isVisible()
    assert "No NVIDIA driver" in panel.none_text.text() or "NVIDIA" in panel.none_text.text()
    assert "NVML" in panel.none_text.toolTip()
    assert "RAM" in panel.host_values.text() and "GiB" in panel.host_values.text()
    assert len(panel.ram_chart.series("ram")[1].yData) >= 1
    assert panel.cards == []
    main_window.ctx.set_language("zh_CN")
    assert "NVIDIA" in panel.none_text.text() and "driver" not in panel.none_text.text()


def test_window_status_bar_shows_gpu_alerts(main_window, qtbot):
    reading = {"available": True, "gpus": [{"index": 0, "memory_used_gb": 23.9, "memory_total_gb": 24.0,
                                             "temperature_c": 50, "slowdown_c": 87}]}
    main_window.ctx.gpu.last = reading
    main_window._on_gpu_alert("memory", 0, "")
    assert "memory is over 95%" in main_window.statusBar().currentMessage()
    main_window._update_gpu_alert_label(reading)
    assert main_window.gpu_alert_label.isVisible() and "GPU 0" in main_window.gpu_alert_label.text()
    main_window._update_gpu_alert_label({"available": True, "gpus": []})
    assert not main_window.gpu_alert_label.isVisible()
