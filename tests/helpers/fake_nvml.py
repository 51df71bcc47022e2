"""FakeNvml: a stand-in for the ``pynvml`` module (nvidia-ml-py) with two GPUs.

Named as what it is: the only fake this test machine forces. It has no NVIDIA GPU and no driver,
so the real library can only show its no-GPU path here (which tests also run, for real). Names,
constants, error classes and return structs follow pynvml: ``nvmlDeviceGetMemoryInfo`` → ``.total/
.used/.free`` in bytes, power in milliwatts, processes → ``.pid/.usedGpuMemory``.

    nvml = FakeNvml()                       # 2 GPUs, a few processes
    nvml.gpus[0].temperature = 95           # configure any value
    nvml.gpus[1].unsupported.add("nvmlDeviceGetFanSpeed")   # raises NVMLError_NotSupported
    FakeNvml(init_error="library_not_found")                # nvmlInit raises NVMLError_LibraryNotFound
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import ClassVar

NVML_SUCCESS = 0
NVML_ERROR_UNINITIALIZED = 1
NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_NO_PERMISSION = 4
NVML_ERROR_DRIVER_NOT_LOADED = 9
NVML_ERROR_LIBRARY_NOT_FOUND = 12
NVML_ERROR_UNKNOWN = 999

NVML_TEMPERATURE_GPU = 0
NVML_TEMPERATURE_THRESHOLD_SHUTDOWN = 0
NVML_TEMPERATURE_THRESHOLD_SLOWDOWN = 1
NVML_CLOCK_GRAPHICS = 0
NVML_CLOCK_SM = 1
NVML_CLOCK_MEM = 2

GIB = 1024 ** 3


class NVMLError(Exception):
    _messages: ClassVar[dict[int, str]] = {NVML_ERROR_UNINITIALIZED: "Uninitialized", NVML_ERROR_NOT_SUPPORTED: "Not Supported",
                 NVML_ERROR_NO_PERMISSION: "Insufficient Permissions",
                 NVML_ERROR_DRIVER_NOT_LOADED: "Driver Not Loaded",
                 NVML_ERROR_LIBRARY_NOT_FOUND: "NVML Shared Library Not Found", NVML_ERROR_UNKNOWN: "Unknown Error"}

    def __init__(self, value: int = NVML_ERROR_UNKNOWN):
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return self._messages.get(self.value, f"NVML Error with code {self.value}")


class NVMLError_Uninitialized(NVMLError):  # noqa: N801 - pynvml's names
    def __init__(self):
        super().__init__(NVML_ERROR_UNINITIALIZED)


class NVMLError_NotSupported(NVMLError):  # noqa: N801
    def __init__(self):
        super().__init__(NVML_ERROR_NOT_SUPPORTED)


class NVMLError_NoPermission(NVMLError):  # noqa: N801
    def __init__(self):
        super().__init__(NVML_ERROR_NO_PERMISSION)


class NVMLError_DriverNotLoaded(NVMLError):  # noqa: N801
    def __init__(self):
        super().__init__(NVML_ERROR_DRIVER_NOT_LOADED)


class NVMLError_LibraryNotFound(NVMLError):  # noqa: N801
    def __init__(self):
        super().__init__(NVML_ERROR_LIBRARY_NOT_FOUND)


_INIT_ERRORS = {"library_not_found": NVMLError_LibraryNotFound, "driver_not_loaded": NVMLError_DriverNotLoaded,
                "no_permission": NVMLError_NoPermission}


@dataclass
class FakeGpu:
    name: str = "NVIDIA GeForce RTX 4090"
    uuid: str = "GPU-00000000-0000-0000-0000-000000000000"
    util: int = 40
    mem_util: int = 20
    total_gb: float = 24.0
    used_gb: float = 6.0
    temperature: int = 55
    slowdown: int = 87
    power_mw: int = 180_000
    limit_mw: int = 450_000
    sm_clock: int = 2520
    mem_clock: int = 10501
    fan: int = 35
    compute: list[tuple[int, int | None]] = field(default_factory=list)   # (pid, bytes)
    graphics: list[tuple[int, int | None]] = field(default_factory=list)
    unsupported: set[str] = field(default_factory=set)


class FakeNvml:
    """A module-like object: pass it wherever ``pynvml`` is expected."""

    NVMLError = NVMLError
    NVMLError_Uninitialized = NVMLError_Uninitialized
    NVMLError_NotSupported = NVMLError_NotSupported
    NVMLError_NoPermission = NVMLError_NoPermission
    NVMLError_DriverNotLoaded = NVMLError_DriverNotLoaded
    NVMLError_LibraryNotFound = NVMLError_LibraryNotFound
    NVML_TEMPERATURE_GPU = NVML_TEMPERATURE_GPU
    NVML_TEMPERATURE_THRESHOLD_SHUTDOWN = NVML_TEMPERATURE_THRESHOLD_SHUTDOWN
    NVML_TEMPERATURE_THRESHOLD_SLOWDOWN = NVML_TEMPERATURE_THRESHOLD_SLOWDOWN
    NVML_CLOCK_GRAPHICS = NVML_CLOCK_GRAPHICS
    NVML_CLOCK_SM = NVML_CLOCK_SM
    NVML_CLOCK_MEM = NVML_CLOCK_MEM

    def __init__(self, gpus: list[FakeGpu] | None = None, init_error: str | None = None):
        if gpus is None:
            gpus = [
                FakeGpu(name="NVIDIA GeForce RTX 4090", uuid="GPU-4090-0000", used_gb=14.0,
                        compute=[(4242, 9 * GIB), (4243, 3 * GIB)], graphics=[(1200, GIB // 2)]),
                FakeGpu(name="NVIDIA RTX A5000", uuid="GPU-A5000-0001", util=3, used_gb=0.5, total_gb=24.0,
                        temperature=38, power_mw=25_000, limit_mw=230_000,
                        unsupported={"nvmlDeviceGetFanSpeed", "nvmlDeviceGetTemperatureThreshold"}),
            ]
        self.gpus = gpus
        self.init_error = init_error
        self.initialised = 0
        self.calls = 0

    # --- library ----------------------------------------------------------------------------
    def nvmlInit(self) -> None:  # noqa: N802 - pynvml's names
        if self.init_error:
            raise _INIT_ERRORS[self.init_error]()
        self.initialised += 1

    def nvmlShutdown(self) -> None:  # noqa: N802
        if self.initialised <= 0:
            raise NVMLError_Uninitialized()
        self.initialised -= 1

    def _check(self) -> None:
        self.calls += 1
        if self.initialised <= 0:
            raise NVMLError_Uninitialized()

    def nvmlDeviceGetCount(self) -> int:  # noqa: N802
        self._check()
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> FakeGpu:  # noqa: N802
        self._check()
        return self.gpus[index]

    def _field(self, handle: FakeGpu, fn: str):
        self._check()
        if fn in handle.unsupported:
            raise NVMLError_NotSupported()

    # --- devices ----------------------------------------------------------------------------
    def nvmlDeviceGetName(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetName")
        return h.name

    def nvmlDeviceGetUUID(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetUUID")
        return h.uuid

    def nvmlDeviceGetUtilizationRates(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetUtilizationRates")
        return SimpleNamespace(gpu=h.util, memory=h.mem_util)

    def nvmlDeviceGetMemoryInfo(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetMemoryInfo")
        total, used = int(h.total_gb * GIB), int(h.used_gb * GIB)
        return SimpleNamespace(total=total, used=used, free=total - used)

    def nvmlDeviceGetTemperature(self, h, sensor):  # noqa: N802
        self._field(h, "nvmlDeviceGetTemperature")
        assert sensor == NVML_TEMPERATURE_GPU
        return h.temperature

    def nvmlDeviceGetTemperatureThreshold(self, h, threshold):  # noqa: N802
        self._field(h, "nvmlDeviceGetTemperatureThreshold")
        return h.slowdown if threshold == NVML_TEMPERATURE_THRESHOLD_SLOWDOWN else h.slowdown + 10

    def nvmlDeviceGetPowerUsage(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetPowerUsage")
        return h.power_mw

    def nvmlDeviceGetEnforcedPowerLimit(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetEnforcedPowerLimit")
        return h.limit_mw

    def nvmlDeviceGetClockInfo(self, h, clock):  # noqa: N802
        self._field(h, "nvmlDeviceGetClockInfo")
        return {NVML_CLOCK_SM: h.sm_clock, NVML_CLOCK_MEM: h.mem_clock}.get(clock, h.sm_clock)

    def nvmlDeviceGetFanSpeed(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetFanSpeed")
        return h.fan

    def nvmlDeviceGetComputeRunningProcesses(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetComputeRunningProcesses")
        return [SimpleNamespace(pid=pid, usedGpuMemory=mem, gpuInstanceId=0xFFFFFFFF,
                                computeInstanceId=0xFFFFFFFF) for pid, mem in h.compute]

    def nvmlDeviceGetGraphicsRunningProcesses(self, h):  # noqa: N802
        self._field(h, "nvmlDeviceGetGraphicsRunningProcesses")
        return [SimpleNamespace(pid=pid, usedGpuMemory=mem, gpuInstanceId=0xFFFFFFFF,
                                computeInstanceId=0xFFFFFFFF) for pid, mem in h.graphics]
