"""Run folders to evaluate: a copy of the session's one trained fact adapter (tests/helpers/serve.py,
10 steps on "The capital of Zorbania is Quillentown.") whose config names a validation split, so
evaluations reuse that training instead of paying for their own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers.serve import trained_adapter

FACT = "The capital of Zorbania is Quillentown."


def write_memorisation_set(path: Path, n: int = 4) -> Path:
    from tests.engines.test_train import QUESTIONS

    with open(path, "w", encoding="utf-8") as fh:
        for q in QUESTIONS[:n]:
            fh.write(json.dumps({"messages": [{"role": "user", "content": q},
                                              {"role": "assistant", "content": FACT}]}) + "\n")
    return path


def evaluable_run(model_dir: Path, root: Path, dest: Path, *, with_val: bool = True, n: int = 4) -> Path:
    """``dest``: a run folder (config.json + adapter/) whose val_path is a memorisation set."""
    src = trained_adapter(model_dir, root / "adapter-src").parent
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / "adapter", dest / "adapter")
    cfg = json.loads((src / "config.json").read_text(encoding="utf-8"))
    cfg["name"] = "Zorbania fact"
    if with_val:
        cfg["val_path"] = str(write_memorisation_set(dest.parent / f"{dest.name}-val.jsonl", n))
    (dest / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    return dest
