"""GPU texts shared by the GPU panel, the dashboard and the status bar (no pyqtgraph: light to import)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def reason_text(code: str | None) -> str:
    """Why there is no GPU reading, in the current language."""
    return {
        "nvml_missing": QCoreApplication.translate(
            "GpuTexts", "The NVIDIA monitoring library (nvidia-ml-py) is not installed, so GPUs cannot be read."),
        "no_driver": QCoreApplication.translate(
            "GpuTexts", "No NVIDIA driver was found on this computer, so there is no GPU to show. "
                        "Training and chat run on the CPU."),
        "driver_not_loaded": QCoreApplication.translate(
            "GpuTexts", "An NVIDIA driver is installed but not loaded. Restart the computer or load the driver."),
        "no_permission": QCoreApplication.translate(
            "GpuTexts", "This user is not allowed to read the NVIDIA driver."),
        "no_gpu": QCoreApplication.translate("GpuTexts", "The NVIDIA driver reports no GPU."),
    }.get(code or "", QCoreApplication.translate("GpuTexts", "The NVIDIA driver could not be read."))


def alert_text(code: str, index: int, reading: dict | None) -> str:
    """An alert in the current language, with the numbers of ``reading``."""
    gpu = next((g for g in (reading or {}).get("gpus", []) if g.get("index") == index), {})
    if code == "memory":
        return QCoreApplication.translate(
            "GpuTexts", "GPU {index}: memory is over 95% full ({used} of {total} GiB).").format(
                index=index, used=_fmt(gpu.get("memory_used_gb"), "{:.1f}"),
                total=_fmt(gpu.get("memory_total_gb"), "{:.1f}"))
    return QCoreApplication.translate(
        "GpuTexts", "GPU {index}: temperature {temp} °C reached its slowdown threshold ({limit} °C).").format(
            index=index, temp=_fmt(gpu.get("temperature_c")), limit=_fmt(gpu.get("slowdown_c") or 90))


def _fmt(value, fmt: str = "{:.0f}") -> str:
    return QCoreApplication.translate("GpuTexts", "n/a") if value is None else fmt.format(value)


__all__ = ["_fmt", "alert_text", "reason_text"]
