"""Peak memory of checking a large dataset file: the old whole-file way (read the file, parse every
record into a list, normalise them all) against the streaming ``DatasetReader`` (one window and one
record at a time), each in a fresh process, in the same run; and of ``datasets import``.

    python benchmarks/dataset_memory.py [--mb 200] [--format jsonl|json] [--keep FILE]

Prints the file size, each way's peak RSS (and its growth over the process after its imports), and
the ratio of the peaks. Issue 18 measured the old way at ≈ 4.4× the file (880 MB for 200 MB of JSONL).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from app.core import datasets

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
path, way = Path(sys.argv[1]), sys.argv[2]
base = peak()
t0 = time.monotonic()
if way == "whole-file":  # what app.core.datasets did before it streamed
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    raws = json.loads(text) if path.suffix == ".json" else [json.loads(l) for l in text.splitlines() if l.strip()]
    records = [datasets.normalise_record(r, "openai") for r in raws]
    n = len(records)
elif way == "streaming":
    n = datasets.validate_dataset_file(path).n_valid
else:  # import, streamed
    from app.core.datasets import DatasetStore
    from app.core.db import open_database
    with open_database() as db:
        n = DatasetStore(db).import_file(path, val_ratio=0.1).n_records
print(json.dumps({"peak": peak(), "growth": peak() - base, "n": n, "seconds": time.monotonic() - t0}))
"""


def make_file(path: Path, mb: int, fmt: str) -> int:
    rec = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q " * 40 + "你好"},
                        {"role": "assistant", "content": "A " * 60 + "好的"}]}
    line = json.dumps(rec, ensure_ascii=False)
    n = mb * 1024 * 1024 // (len(line.encode()) + 2)
    with open(path, "w", encoding="utf-8") as fh:
        if fmt == "json":
            fh.write("[\n")
            for i in range(n):
                fh.write(line + (",\n" if i < n - 1 else "\n"))
            fh.write("]\n")
        else:
            for _ in range(n):
                fh.write(line + "\n")
    return n


def measure(path: Path, way: str, home: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO), AI_PLATFORM_HOME=str(home),
               XDG_CONFIG_HOME=str(home / "xdg-config"))
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), way], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated file")
    parser.add_argument("--format", choices=("jsonl", "json"), default="jsonl")
    parser.add_argument("--keep", type=Path, default=None, help="use (or write) this file instead of a temp one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = args.keep or tmp / f"big.{args.format}"
        if not path.exists():
            t0 = time.monotonic()
            make_file(path, args.mb, args.format)
            print(f"wrote {path} in {time.monotonic() - t0:.1f} s")
        size = path.stat().st_size
        print(f"file: {size / 1e6:.0f} MB ({args.format})")
        results = {}
        for way in ("whole-file", "streaming", "import"):
            home = tmp / f"home-{way}"
            home.mkdir()
            r = results[way] = measure(path, way, home)
            print(f"{way:>10}: peak RSS {r['peak'] / 1e6:7.1f} MB (+{r['growth'] / 1e6:7.1f} MB over the process "
                  f"after imports, {r['growth'] / size:4.2f}× the file), {r['n']} records, {r['seconds']:.1f} s")
        ratio = results["whole-file"]["peak"] / results["streaming"]["peak"]
        print(f"peak RSS, whole-file / streaming: {ratio:.1f}×")


if __name__ == "__main__":
    main()
