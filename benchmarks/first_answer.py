"""The first answer a newcomer gets, and an adapter switch, measured on the real app and real engines.

    python benchmarks/first_answer.py [--json] [--runs 3] [--with-vllm]

``--json`` (a contract: other checks call it exactly so) prints one JSON object on stdout:

- ``cold_first_token_ratio``: the app's cold start → Send → first token of the bundled SmolLM2-135M,
  divided by a bare Python process that loads the same model folder with transformers and streams
  its first token; both are measured from their own process's creation (``/proc``), in the same run,
  alternated, medians over ``--runs``. Target ≤ 1.5.
- ``adapter_switch_s``: on the running engine, "Chat with adapter" (the Training panel's action,
  ``ChatPanel.chat_with_run``) → Send → the adapter's first token. Target ≤ 3 s.
- the raw figures: every run's times, the engine that answered, whether the engine process stayed the
  same across the switch, the app's own stats line for the first answer.

The app is the real window: ``app.views.app.create_main_window`` (what ``ai-platform`` runs, without
the single-instance guard and the welcome dialog) shown under ``QT_QPA_PLATFORM=offscreen``, on a
fresh data folder with default settings (engine "auto", the chat engine starting when Chat opens);
after the first paint it runs the app's ``after_first_paint``, opens Chat and sends at once, as a
user who types fast would. The engines are the real serve engine processes. The adapter is a real
one: ``ai-platform train --preset cpu-demo`` for a few steps on the bundled sample, made once before
the measurements (not timed). ``--with-vllm`` adds the same two figures with the chat engine set to
vLLM (its CPU build on a machine without a GPU), for comparison. No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUESTION = "What is the capital of France?"
MAX_TOKENS = 16
SAMPLE = REPO / "resources" / "samples" / "sample_sft_en_zh.jsonl"

AGE = r"""
def age():
    import os
    with open("/proc/self/stat") as f: start = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f: up = float(f.read().split()[0])
    return up - start / os.sysconf("SC_CLK_TCK")
"""

BARE = AGE + r"""
import json, sys, threading
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer
torch.set_num_threads(int(sys.argv[2]))
tok = AutoTokenizer.from_pretrained(sys.argv[1])
model = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32).eval()
ids = tok.apply_chat_template([{"role": "user", "content": sys.argv[3]}], add_generation_prompt=True,
                              return_tensors="pt", return_dict=True)
streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
def run():
    with torch.inference_mode():
        model.generate(**ids, streamer=streamer, max_new_tokens=int(sys.argv[4]), do_sample=False)
thread = threading.Thread(target=run)
thread.start()
first = None
for piece in streamer:
    if piece and first is None:
        first = age()
thread.join()
print("RESULT " + json.dumps({"first_token_s": round(first, 3)}), flush=True)
"""

APP = AGE + r"""
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)
from app.views.app import after_first_paint, create_main_window
from app.views.main_window import FirstPaint

QUESTION, RUN_ID = sys.argv[1], sys.argv[2]
out = {}
window = create_main_window(app)
state = {}

def first_delta(mid, text):
    if text and mid not in state:
        state[mid] = age()

def finished_all(cond, then, timeout_s=900):
    t0 = time.monotonic()
    def tick():
        if cond():
            then()
        elif time.monotonic() - t0 > timeout_s:
            out["error"] = "timed out"; finish()
        else:
            QTimer.singleShot(20, tick)
    QTimer.singleShot(20, tick)

def painted():
    out["painted_s"] = round(age(), 3)
    after_first_paint(window)  # what a real start runs after its first paint
    window.show_panel("chat")
    panel = window.panel("chat")
    panel.answers.delta.connect(first_delta)
    panel.side.temperature.setValue(0.0)
    panel.side.max_tokens.setValue(int(sys.argv[3]))
    out["send_s"] = round(age(), 3)
    [mid] = panel.send(QUESTION)
    out["first_mid"] = mid
    finished_all(lambda: not panel.answers.jobs, lambda: first_done(panel, mid))

def first_done(panel, mid):
    m = panel.store.get_message(mid)
    info = window.ctx.serve.find("default")
    out["first_token_s"] = round(state[mid], 3) if mid in state else None
    out["first"] = {"status": m.status, "stats": m.meta.get("stats"), "engine": info.engine if info else None,
                    "pid": info.pid if info else None, "load_s": info.load_s if info else None}
    lines = [ln for ln in panel.transcript_text().splitlines() if "first token" in ln]
    out["first"]["stats_line"] = lines[-1] if lines else ""
    # "Chat with adapter" on the running engine, then Send at once.
    t0 = age()
    panel.chat_with_run(RUN_ID)
    [mid2] = panel.send(QUESTION)
    out["switch_asked_s"] = round(t0, 3)
    finished_all(lambda: not panel.answers.jobs, lambda: switch_done(panel, mid2, t0))

def switch_done(panel, mid2, t0):
    m = panel.store.get_message(mid2)
    info = window.ctx.serve.find("default")
    out["adapter_switch_s"] = round(state[mid2] - t0, 3) if mid2 in state else None
    out["switch"] = {"status": m.status, "stats": m.meta.get("stats"), "pid": info.pid if info else None,
                     "adapters": sorted(info.adapters) if info else None, "content": m.content}
    finish()

def finish():
    window.ctx.serve.shutdown()
    print("RESULT " + json.dumps(out), flush=True)
    QTimer.singleShot(0, app.quit)

window._bench_paint = FirstPaint(window, painted)
window.show()
app.exec()
"""


def _result(proc: subprocess.CompletedProcess) -> dict:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"a measured process failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def _env(home: Path, **extra) -> dict:
    env = dict(os.environ, AI_PLATFORM_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), HF_HUB_OFFLINE="1", **extra)
    env.setdefault("XDG_CONFIG_HOME", str(home.parent / "xdg-config"))
    return env


def prepare(root: Path, model_dir: str | None) -> tuple[Path, Path, str]:
    """A template data folder: the bundled model (converted, or linked from ``model_dir``) and one
    trained adapter run. Returns (template home, model folder, run id)."""
    from app.core import bundled

    home = root / "template"
    target = bundled.default_model_dir(home)
    target.parent.mkdir(parents=True)
    if model_dir:
        target.symlink_to(Path(model_dir).resolve(), target_is_directory=True)
    else:
        found = None
        for candidate in (bundled.default_model_dir(),):  # the user's own converted copy, if any
            if bundled.is_model_dir_ready(candidate):
                found = candidate
        if found is not None:
            target.symlink_to(found.resolve(), target_is_directory=True)
        else:
            print("converting the bundled model (once)…", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "app.engines.convert"], env=_env(home), cwd=str(REPO),
                           check=True, capture_output=True, timeout=900)
    print("training a small adapter (once, not timed)…", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "app", "train", "--preset", "cpu-demo", "--dataset", str(SAMPLE),
                    "--max-steps", "4", "--name", "bench-adapter"], env=_env(home), cwd=str(REPO), check=True,
                   capture_output=True, timeout=900)
    runs = sorted(p for p in (home / "runs").iterdir() if (p / "adapter" / "adapter_config.json").is_file())
    if not runs:
        raise SystemExit("the adapter run left no adapter")
    # the measured app starts on a fresh data folder: no database yet, as a newcomer's first start
    for name in ("ai-platform.sqlite3", "ai-platform.sqlite3-wal", "ai-platform.sqlite3-shm", "settings.json"):
        (home / name).unlink(missing_ok=True)
    return home, target, runs[-1].name


def fresh_home(template: Path, root: Path, i: int, settings: dict | None = None) -> Path:
    home = root / f"run{i}"
    shutil.copytree(template, home, symlinks=True)
    if settings:
        (home / "settings.json").write_text(json.dumps(dict(settings, schema_version=2)), encoding="utf-8")
    return home


def measure_app(template: Path, root: Path, i: int, run_id: str, settings: dict | None = None) -> dict:
    home = fresh_home(template, root, i, settings)
    proc = subprocess.run([sys.executable, "-c", APP, QUESTION, run_id, str(MAX_TOKENS)], env=_env(home),
                          cwd=str(REPO), capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    out = _result(proc)
    shutil.rmtree(home, ignore_errors=True)
    return out


def measure_bare(model: Path, threads: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", BARE, str(model), str(threads), QUESTION, str(MAX_TOKENS)],
                          env=dict(os.environ, OMP_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1"), cwd=str(REPO),
                          capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    return _result(proc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object (the contract)")
    ap.add_argument("--runs", type=int, default=3, help="measurements of each kind (medians are reported)")
    ap.add_argument("--model-dir", default=None, help="a converted bundled-model folder (default: found or converted)")
    ap.add_argument("--with-vllm", action="store_true", help="also measure with the chat engine set to vLLM")
    args = ap.parse_args()

    from app.core import settings as settings_mod

    threads = settings_mod.default_threads()  # what the app's engines use on this machine by default
    root = Path(tempfile.mkdtemp(prefix="aip-first-answer-"))
    try:
        template, model, run_id = prepare(root, args.model_dir)
        apps, bares = [], []
        for i in range(max(1, args.runs)):
            bares.append(measure_bare(model, threads))
            apps.append(measure_app(template, root, i, run_id))
            print(f"run {i + 1}: bare {bares[-1]['first_token_s']} s, app {apps[-1].get('first_token_s')} s, "
                  f"switch {apps[-1].get('adapter_switch_s')} s", file=sys.stderr, flush=True)
        app_s = statistics.median(a["first_token_s"] for a in apps)
        bare_s = statistics.median(b["first_token_s"] for b in bares)
        switch_s = statistics.median(a["adapter_switch_s"] for a in apps)
        out = {
            "cold_first_token_ratio": round(app_s / bare_s, 3),
            "adapter_switch_s": round(switch_s, 3),
            "app_cold_first_token_s": round(app_s, 3),
            "bare_transformers_first_token_s": round(bare_s, 3),
            "targets": {"cold_first_token_ratio": 1.5, "adapter_switch_s": 3.0},
            "engine": apps[0]["first"]["engine"],
            "engine_restarted_on_switch": any(a["switch"]["pid"] != a["first"]["pid"] for a in apps),
            "threads": threads, "runs": len(apps), "question": QUESTION, "max_tokens": MAX_TOKENS,
            "app": apps, "bare": bares,
            "how": "the app: its real main window (create_main_window) under QT_QPA_PLATFORM=offscreen on a fresh "
                   "data folder, default settings; times from each process's creation (/proc)",
        }
        if args.with_vllm:
            v = measure_app(template, root, 99, run_id, settings={"chat_engine": "vllm"})
            out["vllm"] = {"cold_first_token_s": v.get("first_token_s"), "adapter_switch_s": v.get("adapter_switch_s"),
                           "engine": v["first"]["engine"], "load_s": v["first"]["load_s"],
                           "engine_restarted_on_switch": v["switch"]["pid"] != v["first"]["pid"], "raw": v}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(json.dumps({k: v for k, v in out.items() if k not in ("app", "bare")}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
