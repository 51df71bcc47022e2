"""`ai-platform gpu [--json]`: one reading of the GPUs (or why there is none), CPU and RAM."""

from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser("gpu", help="show the GPUs now: utilisation, memory, temperature, processes")
    p.add_argument("--json", action="store_true", help="print one sample as JSON")
    p.set_defaults(func=run)


def _num(value, fmt: str = "{:.0f}", unit: str = "") -> str:
    return "n/a" if value is None else fmt.format(value) + unit


def format_text(reading: dict) -> str:
    cpu, ram = reading.get("cpu") or {}, reading.get("ram") or {}
    lines = []
    if not reading.get("available"):
        lines.append(f"No NVIDIA GPU: {reading.get('reason')}")
    for g in reading.get("gpus") or []:
        if "error" in g:
            lines.append(f"GPU {g['index']}: {g['error']}")
            continue
        lines.append(f"GPU {g['index']}: {g.get('name') or 'unknown'}")
        lines.append(f"  utilisation {_num(g.get('utilization'), unit=' %')}, memory "
                     f"{_num(g.get('memory_used_gb'), '{:.1f}')} / {_num(g.get('memory_total_gb'), '{:.1f}')} GiB")
        lines.append(f"  temperature {_num(g.get('temperature_c'), unit=' C')} (slowdown at "
                     f"{_num(g.get('slowdown_c'), unit=' C')}), power {_num(g.get('power_w'), unit=' W')} / "
                     f"{_num(g.get('power_limit_w'), unit=' W')}, fan {_num(g.get('fan_percent'), unit=' %')}")
        lines.append(f"  clocks SM {_num(g.get('sm_clock_mhz'), unit=' MHz')}, memory "
                     f"{_num(g.get('mem_clock_mhz'), unit=' MHz')}")
        for p in g.get("processes") or []:
            owner = (p.get("owner") or {}).get("label") or ""
            lines.append(f"    pid {p['pid']:>7}  {_num(p.get('memory_gb'), '{:.2f}', ' GiB'):>10}  "
                         f"{p.get('name') or '?'}{'  [' + owner + ']' if owner else ''}")
    lines.append(f"CPU {_num(cpu.get('percent'), '{:.0f}', ' %')} of {cpu.get('count')} cores, RAM "
                 f"{_num(ram.get('used_gb'), '{:.1f}')} / {_num(ram.get('total_gb'), '{:.1f}')} GiB")
    for code, index, message in _alerts(reading):
        lines.append(f"ALERT ({code}): {message}")
    return "\n".join(lines)


def _alerts(reading: dict):
    from app.core import gpu

    return gpu.alerts(reading)


def run(args) -> int:
    import psutil

    from app.core import gpu

    psutil.cpu_percent(interval=None)  # the first reading of a process is meaningless: prime it
    import time

    time.sleep(0.2)
    reading = gpu.sample()
    if args.json:
        print(json.dumps(reading, indent=2, ensure_ascii=False, default=str))
    else:
        print(format_text(reading))
    return 0
