"""The real GPU sampler beside a small CUDA job, on a machine with an NVIDIA GPU.

    python benchmarks/gpu_sampler.py [--seconds 20] [--size 4096] [--json readings.json]

Needs only torch (CUDA build) and nvidia-ml-py. Starts a child process that runs fp16 matmuls on
GPU 0 (and holds ~1 GiB), samples once a second with ``app.core.gpu.Sampler`` (the same code the
GUI monitor runs), prints each sample (utilisation, memory, temperature, power, the job's process
and its GPU memory) and at the end the sampler's own cost per sample (median / max ms).
Without CUDA or NVML it says why and exits 2.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

JOB = r"""
import sys, time, torch
n = int(sys.argv[1]); seconds = float(sys.argv[2])
keep = torch.empty(256 * 1024 * 1024, dtype=torch.float32, device="cuda")  # 1 GiB held
a = torch.randn(n, n, device="cuda", dtype=torch.float16)
b = torch.randn(n, n, device="cuda", dtype=torch.float16)
print("ready", flush=True)
end = time.time() + seconds
while time.time() < end:
    for _ in range(20):
        c = a @ b
    torch.cuda.synchronize()
print("done", flush=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--json", type=Path, default=None,
                        help="also write every raw reading (the sampler's whole dict) and a summary here")
    args = parser.parse_args()

    from app.core import gpu

    sampler = gpu.Sampler()
    first = sampler.sample()
    if not first.get("available"):
        print(f"No NVIDIA GPU to measure: {first.get('reason')}")
        return 2
    try:
        import torch
    except ImportError:
        print("torch is not installed: the CUDA job cannot run")
        return 2
    if not torch.cuda.is_available():
        print("torch has no CUDA device (CPU build, or the driver is too old for it)")
        return 2

    job = subprocess.Popen([sys.executable, "-c", JOB, str(args.size), str(args.seconds + 3)],
                           stdout=subprocess.PIPE, text=True)
    assert job.stdout is not None
    if job.stdout.readline().strip() != "ready":
        print("the CUDA job did not start")
        return 2
    costs: list[float] = []
    readings: list[dict] = []
    seen_job = 0
    end = time.monotonic() + args.seconds
    next_tick = time.monotonic()
    try:
        while time.monotonic() < end:
            started = time.perf_counter()
            reading = sampler.sample({job.pid: "benchmark job"})
            costs.append((time.perf_counter() - started) * 1000)
            readings.append(reading)
            g = reading["gpus"][0]
            mine = [p for p in g["processes"] if p["pid"] == job.pid]
            seen_job += bool(mine)
            print(json.dumps({
                "t": round(args.seconds - (end - time.monotonic()), 1), "util_%": g["utilization"],
                "mem_gb": g["memory_used_gb"], "total_gb": g["memory_total_gb"], "temp_c": g["temperature_c"],
                "power_w": g["power_w"], "sm_mhz": g["sm_clock_mhz"],
                "job": ({"pid": job.pid, "name": mine[0]["name"], "mem_gb": mine[0]["memory_gb"],
                         "owner": (mine[0]["owner"] or {}).get("label")} if mine else None),
                "sample_ms": round(costs[-1], 2)}), flush=True)
            next_tick += 1.0
            time.sleep(max(0.0, next_tick - time.monotonic()))
    finally:
        job.terminate()
        job.wait(timeout=30)
        sampler.close()
    summary = {"gpu": first["gpus"][0].get("name"), "samples": len(costs), "job_pid": job.pid,
               "job_seen_in": seen_job, "sample_ms_median": round(statistics.median(costs), 3),
               "sample_ms_max": round(max(costs), 3)}
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": summary, "first": first, "readings": readings},
                                        indent=1, default=str), encoding="utf-8")
    print(f"GPU: {first['gpus'][0].get('name')}")
    print(f"samples: {len(costs)}, job seen in {seen_job}; sampler cost per sample: median "
          f"{statistics.median(costs):.2f} ms, max {max(costs):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
