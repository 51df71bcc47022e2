"""A hyper-parameter sweep over the training engine with Optuna.

``SPACE.json``::

    {"name": "zorbania-lr",                      # the study (and run-folder prefix)
     "base": {… TrainConfig fields: base_model, dataset_path, val_path (required), max_steps …},
     "params": {"learning_rate": {"low": 1e-4, "high": 3e-3, "log": true},
                "lora_r": {"choices": [4, 8, 16]},
                "lora_dropout": {"low": 0.0, "high": 0.1}},
     "objective": "eval_loss"}                   # or perplexity, exact_match, rouge_l, bleu, chrf

Each trial is a normal run (``runs/<name>-t<N>-…``) trained by ``python -m app.engines.train``; every
``eval_loss`` it reports goes to ``trial.report`` and the median pruner stops a trial whose
intermediate losses are worse than the median of earlier trials at the same step (the engine is sent
``{"cmd":"stop"}``, so it still leaves an adapter). The objective ``eval_loss`` (minimised) is the
run's last one; any other is measured on the trained run by the evaluation engine
(``python -m app.engines.evaluate run --run RUN``: the adapter's metric on the validation split, the
base's beside it in the run's eval card), and the generation metrics are maximised. Pruning judges
the intermediate losses whichever way the objective goes. The study lives in a SQLite file in the data
folder (``sweeps/<name>.sqlite3``): a sweep killed at any moment resumes with ``--trials N`` meaning
"until N trials have finished"; finished trials are never repeated, and a trial that was running when
the process died is marked failed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from app.core import paths, protocol
from app.core.errors import UserError
from app.core.sweeps import SWEEPS_DIR, TUNABLE, maximized, read_space, sidecar, storage_path
from app.core.train_config import TrainConfig, new_run_dir, write_config

__all__ = ["SWEEPS_DIR", "TUNABLE", "read_space", "run_sweep", "storage_path"]

def _suggest(trial, name: str, spec: dict):
    if "choices" in spec:
        return trial.suggest_categorical(name, spec["choices"])
    kind = TUNABLE[name]
    if kind is int:
        return trial.suggest_int(name, int(spec["low"]), int(spec["high"]), log=bool(spec.get("log")))
    return trial.suggest_float(name, float(spec["low"]), float(spec["high"]), log=bool(spec.get("log")))


def _tell_stop(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.write(json.dumps({"cmd": "stop"}) + "\n")
        proc.stdin.flush()
    except (OSError, ValueError):
        pass


def _run_engine(args: list[str], stop: _Stop, on_event) -> None:
    """``python -m <args>`` as the trial's engine (the sweep's Stop reaches it), each event to
    ``on_event(event, proc)``; the process is gone when this returns."""
    proc = subprocess.Popen([sys.executable, "-m", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    stop.proc = proc
    try:
        for line in proc.stdout:
            ev = protocol.decode_or_none(line)
            if ev is not None:
                on_event(ev, proc)
        proc.wait(timeout=120)
    finally:
        stop.proc = None
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _train(trial, run_dir: Path, log, stop: _Stop) -> float:
    """Train one trial's run, reporting each eval_loss; returns the last one. Raises TrialPruned."""
    import optuna

    seen: dict = {"last": None, "pruned": False, "done": None}

    def on_event(ev, proc) -> None:
        if isinstance(ev, protocol.Metric) and isinstance((ev.values or {}).get("eval_loss"), (int, float)):
            seen["last"] = last = float(ev.values["eval_loss"])
            trial.report(last, int(ev.step))
            if not seen["pruned"] and trial.should_prune():
                seen["pruned"] = True
                log(f"trial {trial.number}: pruned at step {ev.step} (eval loss {last:.4f})")
                _tell_stop(proc)
        elif isinstance(ev, protocol.Done):
            seen["done"] = ev

    _run_engine(["app.engines.train", str(run_dir)], stop, on_event)
    last, done = seen["last"], seen["done"]
    if seen["pruned"]:
        raise optuna.TrialPruned()
    if done is None or done.status != "completed" or last is None:
        why = "no eval_loss was reported" if done is not None and done.status == "completed" else \
            f"the run ended {done.status if done else 'without a done event'}"
        raise RuntimeError(f"trial {trial.number}: {why} (see {run_dir / 'train.log'})")
    return last


def _evaluate(trial, run_dir: Path, objective: str, log, stop: _Stop) -> float:
    """The adapter's ``objective`` on the run's validation split, by the evaluation engine."""
    args = ["app.engines.evaluate", "run", "--run", str(run_dir)]
    if objective == "perplexity":
        args += ["--limit", "0"]  # the loss pass alone: no answers to generate
    seen: dict = {"result": None, "error": None, "done": None}

    def on_event(ev, _proc) -> None:
        if isinstance(ev, protocol.Result):
            seen["result"] = ev.data
        elif isinstance(ev, protocol.Error):
            seen["error"] = ev.message
        elif isinstance(ev, protocol.Done):
            seen["done"] = ev

    _run_engine(args, stop, on_event)
    value = ((seen["result"] or {}).get("adapter") or {}).get(objective)
    if not isinstance(value, (int, float)):
        done = seen["done"]
        why = seen["error"] or (f"the evaluation ended {done.status}" if done else
                                "the evaluation ended without a result")
        raise RuntimeError(f"trial {trial.number}: no {objective} measured: {why}")
    return float(value)


class _MinimizedLosses:
    """The study as the pruner should see it: the intermediate values are losses (lower is better)
    even when the objective is a metric that is maximised."""

    def __init__(self, study):
        self._study = study

    def __getattr__(self, name):
        return getattr(self._study, name)

    @property
    def direction(self):
        from optuna.study import StudyDirection

        return StudyDirection.MINIMIZE

    @property
    def directions(self):
        return [self.direction]


def _loss_pruner():
    import optuna

    class LossMedianPruner(optuna.pruners.BasePruner):
        def __init__(self):
            self._median = optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0)

        def prune(self, study, trial) -> bool:
            return self._median.prune(_MinimizedLosses(study), trial)

    return LossMedianPruner()


class _Stop:
    """SIGTERM (the GUI's Stop, or ``kill``) asks the sweep to end after the trial that is training:
    that trial's engine is told to stop (it saves its adapter), and no new trial starts."""

    def __init__(self):
        self.requested = threading.Event()
        self.proc: subprocess.Popen | None = None

    def __call__(self, _signum, _frame) -> None:
        self.requested.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            _tell_stop(proc)


def _write_importance(study, name: str, log) -> None:
    """Parameter importance beside the study, for the GUI (which never imports optuna)."""
    import warnings

    import optuna
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    importance: dict[str, float] = {}
    if len(complete) >= 2:
        varied = {k for t in complete for k in t.params}
        if len(varied) == 1:
            importance = {next(iter(varied)): 1.0}  # one parameter varies: it explains all there is
        else:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    importance = {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
            except Exception as exc:  # noqa: BLE001 - importance is a view aid; the sweep goes on without it
                log(f"parameter importance not computed yet: {exc}")
    paths.atomic_write_text(sidecar(name, "importance.json"), json.dumps(
        {"trials": len(complete), "importance": importance}, indent=1))


def _write_process(name: str, **values) -> None:
    path = sidecar(name, "process.json")
    old = {}
    try:
        old = json.loads(path.read_text(encoding="utf-8")) if values.get("ended") else {}
    except (OSError, ValueError):
        old = {}
    paths.atomic_write_text(path, json.dumps({**old, **values}, indent=1))


def _create_time() -> float | None:
    try:
        import psutil

        return psutil.Process(os.getpid()).create_time()
    except Exception:  # noqa: BLE001 - the GUI falls back to started_at
        return None


def _same_objective(space: dict) -> None:
    """A study resumed keeps the objective it was started with: its values would not compare."""
    name = space["name"]
    try:
        old = json.loads(sidecar(name, "space.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    before = old.get("objective", "eval_loss") if isinstance(old, dict) else "eval_loss"
    if storage_path(name).is_file() and before != space["objective"]:
        raise UserError(f"The sweep {name} optimises {before}, not {space['objective']}; give this sweep another name.",
                        code="sweep.objective_changed", params={"name": name, "before": before,
                                                                 "objective": space["objective"]})


def run_sweep(space_path: str | Path, n_trials: int, *, log=lambda m: print(m, file=sys.stderr, flush=True),
              seed: int = 42) -> dict[str, Any]:
    space = read_space(space_path)
    if n_trials < 1:
        raise UserError("--trials must be at least 1.", code="sweep.trials")
    name = space["name"]
    _same_objective(space)
    storage_path(name).parent.mkdir(parents=True, exist_ok=True)
    paths.atomic_write_text(sidecar(name, "space.json"), json.dumps(space, indent=1, ensure_ascii=False))
    _write_process(name, pid=os.getpid(), create_time=_create_time(), started_at=time.time(), trials=n_trials,
                   ended=None)
    stop = _Stop()
    previous = signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
    status, error = "failed", None
    try:
        result = _sweep(space, n_trials, log, seed, stop)
        status = "stopped" if stop.requested.is_set() else "completed"
        return result
    except UserError as err:
        error = {"code": err.code, "message": str(err), "params": err.params}
        raise
    finally:
        _write_process(name, ended=time.time(), status=status, error=error)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _sweep(space: dict, n_trials: int, log, seed: int, stop: _Stop) -> dict[str, Any]:
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    db = storage_path(space["name"])
    db.parent.mkdir(parents=True, exist_ok=True)
    storage = f"sqlite:///{db}"
    objective_name = space.get("objective", "eval_loss")
    up = maximized(objective_name)
    study = optuna.create_study(study_name=space["name"], storage=storage, load_if_exists=True,
                                direction="maximize" if up else "minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed), pruner=_loss_pruner())
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        # A trial the last (killed) sweep left running: nobody will finish it.
        study._storage.set_trial_user_attr(t._trial_id, "interrupted", True)
        study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        log(f"trial {t.number}: marked failed (its sweep was interrupted)")
    finished = (TrialState.COMPLETE, TrialState.PRUNED)

    def objective(trial) -> float:
        values = dict(space["base"])
        for name, spec in space["params"].items():
            values[name] = _suggest(trial, name, spec)
        values["name"] = f"{space['name']} #{trial.number}"
        cfg = TrainConfig.from_dict(values).validate(check_files=True)
        run_dir = new_run_dir(f"{space['name']}-t{trial.number}")
        write_config(run_dir, cfg)
        trial.set_user_attr("run", run_dir.name)
        log(f"trial {trial.number}: {', '.join(f'{k}={v}' for k, v in trial.params.items())} → {run_dir.name}")
        t0 = time.monotonic()
        try:
            value = _train(trial, run_dir, log, stop)
            log(f"trial {trial.number}: eval loss {value:.4f} in {time.monotonic() - t0:.0f} s")
            if objective_name != "eval_loss":
                if stop.requested.is_set():
                    raise RuntimeError(f"trial {trial.number}: stopped before its evaluation")
                log(f"trial {trial.number}: evaluating {objective_name}")
                value = _evaluate(trial, run_dir, objective_name, log, stop)
                log(f"trial {trial.number}: {objective_name} {value:.4f}")
        except RuntimeError:
            if stop.requested.is_set():  # Optuna has no "stopped": a failed trial marked so, said as stopped
                trial.set_user_attr("stopped", True)
            raise
        return value

    while len(study.get_trials(deepcopy=False, states=finished)) < n_trials and not stop.requested.is_set():
        study.optimize(objective, n_trials=1, catch=(RuntimeError,))
        _write_importance(study, space["name"], log)
        if stop.requested.is_set():
            log("sweep stopped")
            break
        # Trials the person stopped or a killed sweep left behind are not failures of the training.
        failed = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.FAIL
                  and not t.user_attrs.get("stopped") and not t.user_attrs.get("interrupted")]
        if len(failed) >= max(3, n_trials):
            raise UserError(f"The sweep's trials keep failing ({len(failed)} failed); see the last run's train.log.",
                            code="sweep.failing", params={"count": len(failed)})
    # Optuna gives a pruned trial its last loss as value; the objective it never measured is null here.
    trials = [{"number": t.number, "state": "stopped" if t.user_attrs.get("stopped") else t.state.name.lower(),
               "value": t.value if t.state == TrialState.COMPLETE else None, "params": t.params,
               "run": t.user_attrs.get("run"), "intermediate": {str(k): v for k, v in t.intermediate_values.items()}}
              for t in study.get_trials(deepcopy=False)]
    complete = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    best = (max if up else min)(complete, key=lambda t: t.value) if complete else None
    return {"study": space["name"], "storage": str(db), "objective": objective_name,
            "direction": "maximize" if up else "minimize",
            "finished": len(study.get_trials(deepcopy=False, states=finished)), "trials": trials,
            "best": {"number": best.number, "value": best.value, "params": best.params,
                     "run": best.user_attrs.get("run")} if best else None}
