"""``ai-platform train``: prepare a run folder, run the training engine, relay its events.

No torch here: this is the command line's side. It writes ``RUN_DIR/config.json``, starts
``python -m app.engines.train RUN_DIR`` as a child process (its own session, so a terminal's Ctrl+C
reaches only this process), and copies the engine's JSON lines to stdout as they come; the engine's
human log passes through on stderr. Ctrl+C or SIGTERM sends ``{"cmd":"stop"}``: the engine saves a
checkpoint and the adapter and ends with ``done: stopped``; a second Ctrl+C kills it.

The last stdout line is always a ``done`` event (the engine's, or one written here when the engine
could not start or died). Exit code: 0 for completed or stopped, 1 for failed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TextIO

from app.core import protocol, train_config
from app.core.errors import UserError
from app.core.train_config import CONFIG_FILE, TrainConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
NORMALISED_DATASET = "dataset.jsonl"


class Launch:
    """A prepared run: its folder and the engine arguments."""

    def __init__(self, run_dir: Path, resume: str | None = None):
        self.run_dir = run_dir
        self.resume = resume

    @property
    def argv(self) -> list[str]:
        args = [sys.executable, "-m", "app.engines.train", str(self.run_dir)]
        if self.resume:
            args += ["--resume", self.resume]
        return args


def _emit(out: TextIO, event: protocol.Event) -> None:
    out.write(protocol.encode(event) + "\n")
    out.flush()


def _run_dir_is_file(run_dir: Path) -> UserError:
    return UserError(f"The run folder {run_dir} is a file, not a folder.", code="train.run_dir_is_file",
                     params={"path": str(run_dir),
                             "hint": "Give --run-dir a folder (a new one is created), or leave it out to get "
                                     "a new folder under runs/."})


def _prepare_run_dir(run_dir: Path | None, name: str) -> Path:
    if run_dir is None:
        return train_config.new_run_dir(name)
    run_dir = run_dir.expanduser().resolve()
    if run_dir.exists() and not run_dir.is_dir():
        raise _run_dir_is_file(run_dir)
    if (run_dir / CONFIG_FILE).exists():
        raise UserError(f"{run_dir} already holds a run (it has {CONFIG_FILE}).",
                        code="train.run_dir_taken",
                        params={"path": str(run_dir), "file": CONFIG_FILE,
                                "hint": "Use --resume latest to continue it, or choose another --run-dir."})
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a parent folder should be, no permission, …
        reason = exc.strerror or str(exc)
        raise UserError(f"The run folder {run_dir} cannot be created: {reason}.", code="train.run_dir_unusable",
                        params={"path": str(run_dir), "reason": reason,
                                "hint": "Choose another --run-dir, or leave it out to get a new folder under runs/."}
                        ) from None
    return run_dir


def normalise_dataset(path: Path, run_dir: Path, out: TextIO, target_name: str = NORMALISED_DATASET,
                      what: str = "--dataset", method: str = "lora") -> Path:
    """A dataset the engine can read, checked the one way every dataset is (app.core.datasets: the
    encoding, every record, the role order): OpenAI messages JSONL with no invalid record as it is;
    anything else (Alpaca, ShareGPT, CSV, records left out) normalised into RUN_DIR/``target_name``.
    Read as a stream, twice at most; never held whole in memory."""
    from app.core import datasets

    path = path.expanduser().resolve()
    if not path.is_file() and not (method == "cpt" and path.is_dir()):
        raise UserError(f"The dataset file {path} does not exist.", code="train_config.dataset_missing",
                        params={"field": "dataset_path", "value": str(path), "hint": f"Check the path of {what}."})
    reader = datasets.DatasetReader(path)
    report = reader.new_report()
    for _ in reader.records(report):
        pass
    if not report.n_valid:
        problems = "; ".join(report.first_errors(3))
        raise UserError(f"{path} has no valid record: {problems}.", code="train.dataset_empty",
                        params={"path": str(path), "problems": problems,
                                "hint": "Check the file with: ai-platform datasets validate FILE"})
    train_config.check_dataset_shape(method, report.shape, str(path))
    if report.n_invalid:
        first = "; ".join(report.first_errors(3))
        _emit(out, protocol.Log(level="WARNING", message=(
            f"{report.n_invalid} of {report.n_records} record(s) in {path} are invalid and left out "
            f"(first: {first}; ai-platform datasets validate FILE lists them all)")))
    if report.shape == "openai" and not report.n_invalid and report.format == "jsonl":
        return path
    if report.shape == "text" and report.format == "text":
        return path  # raw text is read as it is (invalid files are left out by the engine too)
    target = run_dir / target_name
    n = datasets.write_jsonl(target, reader.records(reader.new_report()))
    _emit(out, protocol.Log(level="INFO", message=(
        f"Read {n} {report.shape} record(s) from {path}; "
        f"{'normalised records' if report.shape in ('preference', 'text') else 'chat messages'} written to {target}")))
    return target


def _absolute_paths(cfg: TrainConfig) -> None:
    """Relative paths in a config file mean "from where the command runs"; the run folder's copy
    holds absolute ones, so it means the same from anywhere (the GUI starts engines in the run folder)."""
    if cfg.base_model != train_config.DEFAULT_MODEL:
        cfg.base_model = str(Path(cfg.base_model).expanduser().resolve())
    cfg.dataset_path = str(Path(cfg.dataset_path).expanduser().resolve())
    if cfg.val_path:
        cfg.val_path = str(Path(cfg.val_path).expanduser().resolve())


def prepare(*, config: Path | None = None, preset: str | None = None, dataset: Path | None = None,
            model: str | None = None, max_steps: int | None = None, method: str | None = None, run_dir: Path | None = None,
            resume: str | None = None, name: str = "", processes: int | None = None,
            out: TextIO | None = None) -> Launch:
    """Write the run folder (config.json) for one of the three forms; UserError if it cannot."""
    out = out or sys.stdout
    if resume and config is None and preset is None:
        if processes is not None:
            raise UserError("--processes sets up a new run; a resumed run keeps the processes it started with.",
                            code="train.resume_with_processes",
                            params={"hint": "Leave out --processes (the run's config.json has them)."})
        if run_dir is None:
            raise UserError("--resume needs the run's folder.", code="train.resume_without_run_dir",
                            params={"hint": "Add --run-dir DIR (a folder under runs/)."})
        run_dir = run_dir.expanduser().resolve()
        if run_dir.exists() and not run_dir.is_dir():
            raise _run_dir_is_file(run_dir)
        train_config.read_config(run_dir / CONFIG_FILE)  # a clear error now rather than in the engine
        return Launch(run_dir, resume)
    if (config is None) == (preset is None):
        raise UserError("Give either a CONFIG file or --preset NAME.", code="train.config_or_preset",
                        params={"hint": "e.g. ai-platform train --preset cpu-demo --dataset data.jsonl"})
    if config is not None:
        cfg = train_config.read_config(config)
        _absolute_paths(cfg)
        if dataset is not None:
            cfg.dataset_path = str(dataset.expanduser().resolve())
    else:
        if dataset is None:
            raise UserError("--preset needs --dataset FILE.", code="train.preset_without_dataset",
                            params={"hint": "e.g. ai-platform train --preset cpu-demo --dataset data.jsonl"})
        cfg = train_config.preset(preset, dataset_path="(set below)")
    if model is not None:
        cfg.base_model = model if model == train_config.DEFAULT_MODEL else str(Path(model).expanduser().resolve())
    if max_steps is not None:
        cfg.max_steps = max_steps
    if processes is not None:
        cfg.distributed = {**(cfg.distributed or {}), "processes": processes}
    if method is not None:
        cfg.method = method
        if method == "qlora" and cfg.quantization == "none":
            cfg.quantization = "4bit"
    if name:
        cfg.name = name
    cfg.validate()
    folder = _prepare_run_dir(run_dir, name or (preset or (config.stem if config else "run")))
    try:
        # The same checks for a config file's dataset as for --dataset (one validation path).
        source = dataset if preset is not None else Path(cfg.dataset_path)
        cfg.dataset_path = str(normalise_dataset(source, folder, out,
                                                 what="--dataset" if dataset is not None else "dataset_path",
                                                 method=cfg.method))
        if cfg.val_path:
            cfg.val_path = str(normalise_dataset(Path(cfg.val_path), folder, out, target_name="val.jsonl",
                                                 what="val_path", method=cfg.method))
        cfg.validate()
        train_config.write_config(folder, cfg)
    except BaseException:
        if not any(folder.iterdir()):
            folder.rmdir()  # leave no empty run folder behind
        raise
    return Launch(folder, resume)


def run(launch: Launch, out: TextIO | None = None, env: dict[str, str] | None = None) -> int:
    """Run the engine, relay its stdout lines, forward stop on Ctrl+C / SIGTERM / stdin."""
    out = out or sys.stdout
    child_env = dict(env or os.environ)
    child_env["PYTHONUNBUFFERED"] = "1"
    pp = child_env.get("PYTHONPATH", "")
    if str(REPO_ROOT) not in pp.split(os.pathsep):
        child_env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + pp if pp else "")
    proc = subprocess.Popen(launch.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None,
                            env=child_env, start_new_session=True, text=True, encoding="utf-8", bufsize=1)
    lock = threading.Lock()
    signals_seen = [0]

    def send(line: str) -> None:
        with lock:
            try:
                proc.stdin.write(line.rstrip("\n") + "\n")
                proc.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass

    def on_signal(signum, frame) -> None:
        signals_seen[0] += 1
        if signals_seen[0] == 1:
            send(protocol.encode_command("stop"))
            try:
                proc.send_signal(signal.SIGTERM)
            except OSError:
                pass
        else:
            try:
                proc.kill()
            except OSError:
                pass

    def forward_stdin() -> None:
        try:
            for line in sys.stdin:
                if line.strip():
                    send(line)
        except (OSError, ValueError):
            pass

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=forward_stdin, name="train-stdin", daemon=True).start()
    done: protocol.Done | None = None
    try:
        for line in proc.stdout:
            if not line.strip():
                continue
            out.write(line if line.endswith("\n") else line + "\n")
            out.flush()
            event = protocol.decode_or_none(line, source="train engine")
            if isinstance(event, protocol.Done):
                done = event
        rc = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if done is None:
        message = (f"The training engine ended (exit code {rc}) without finishing; "
                   f"the run folder {launch.run_dir} keeps its checkpoints.")
        _emit(out, protocol.Error(message=message, hint="Resume it with: ai-platform train --run-dir "
                                  f"{launch.run_dir} --resume latest",
                                  extra={"code": "train.engine_ended",
                                         "params": {"exit_code": rc, "path": str(launch.run_dir)}}))
        _emit(out, protocol.Done(status="failed", extra={"adapter": None, "run_dir": str(launch.run_dir)}))
        return 1
    return 0 if done.status in ("completed", "stopped") else 1


def fail(err: UserError, out: TextIO | None = None) -> int:
    """A problem found before the engine started: error + done failed on stdout, exit 1."""
    out = out or sys.stdout
    message, hint = train_config.split_hint(err)
    print(f"error: {message}" + (f" {hint}" if hint else ""), file=sys.stderr)
    _emit(out, protocol.Error(message=message, hint=hint, extra=err.data()))
    _emit(out, protocol.Done(status="failed", extra={"adapter": None}))
    return 1


def main(args) -> int:
    """The ``ai-platform train`` subcommand (args from app/commands/train.py)."""
    try:
        launch = prepare(config=Path(args.config) if args.config else None, preset=args.preset,
                         dataset=Path(args.dataset) if args.dataset else None, model=args.model,
                         max_steps=args.max_steps, method=getattr(args, "method", None), run_dir=Path(args.run_dir) if args.run_dir else None,
                         resume=args.resume, name=args.name or "", processes=getattr(args, "processes", None))
    except UserError as err:
        return fail(err)
    return run(launch)


__all__ = ["Launch", "prepare", "run", "fail", "main", "normalise_dataset"]
