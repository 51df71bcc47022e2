"""The Trainer's side of the protocol: metrics, progress, checkpoints and stopping as events.

``EventCallback`` turns the Trainer's logs into ``metric`` events (loss, lr, grad_norm, epoch,
tokens_per_s and, on CUDA, gpu_mem_gb / gpu_mem_peak_gb), evaluation results into ``eval_loss``
metrics, every optimizer step into a ``progress`` event (step / total / eta_s), and every saved
checkpoint into a ``checkpoint`` event. It also stops the run at a step boundary when the runtime
says so (stdin ``{"cmd":"stop"}`` or SIGTERM): the Trainer saves a checkpoint and ends its loop.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from transformers import TrainerCallback

from app.core import protocol
from app.core.engine_runtime import EngineRuntime

GIB = float(1 << 30)


def cuda_memory() -> dict[str, float]:
    """What the CUDA caching allocator holds now and at most so far (GiB); {} without CUDA.

    Reserved (not allocated) memory is what the process takes from the card, so it is what runs out.
    """
    import torch

    if not torch.cuda.is_available():
        return {}
    return {"gpu_mem_gb": round(torch.cuda.memory_reserved() / GIB, 3),
            "gpu_mem_peak_gb": round(torch.cuda.max_memory_reserved() / GIB, 3)}


class EventCallback(TrainerCallback):
    def __init__(self, rt: EngineRuntime, checkpoints_dir: Path, should_stop=None):
        self.rt = rt
        self.should_stop = should_stop or (lambda: rt.stop_requested)
        self.checkpoints_dir = Path(checkpoints_dir)
        self.losses: list[tuple[int, float]] = []
        self.eval_losses: list[tuple[int, float]] = []
        self.first_step: int | None = None  # global_step when this session's training began
        self.t_start: float | None = None
        self.train_seconds = 0.0
        self.tokens_start = 0
        self.tokens_seen = 0  # non-padding input tokens this session
        self._last_log_t: float | None = None
        self._last_log_tokens = 0
        self.stopped_at: int | None = None
        self.rewards: dict[str, float] = {}  # DPO / ORPO: the last logged reward metrics

    # --- summary for done ---------------------------------------------------------------------
    @property
    def final_loss(self) -> float | None:
        return self.losses[-1][1] if self.losses else None

    @property
    def best_loss(self) -> float | None:
        finite = [v for _, v in self.losses if math.isfinite(v)]
        return min(finite) if finite else None

    @property
    def best_eval_loss(self) -> float | None:
        finite = [v for _, v in self.eval_losses if math.isfinite(v)]
        return min(finite) if finite else None

    @property
    def tokens_per_s(self) -> float | None:
        if self.train_seconds <= 0 or not self.tokens_seen:
            return None
        return self.tokens_seen / self.train_seconds

    # --- Trainer hooks ------------------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        self.first_step = state.global_step
        # A resumed run: the losses logged before its checkpoint count for best/final too.
        self.losses = [(int(h.get("step", 0)), float(h["loss"])) for h in (state.log_history or [])
                       if isinstance(h.get("loss"), (int, float))]
        self.eval_losses = [(int(h.get("step", 0)), float(h["eval_loss"])) for h in (state.log_history or [])
                            if isinstance(h.get("eval_loss"), (int, float))]
        self.t_start = time.monotonic()
        self._last_log_t = None
        self.tokens_start = self._last_log_tokens = int(state.num_input_tokens_seen or 0)
        return control

    def on_step_begin(self, args, state, control, **kwargs):
        if self._last_log_t is None:  # the first step since the last log: its window opens here,
            self._last_log_t = time.monotonic()  # so evaluation and checkpoint time are not counted
        return control

    def on_step_end(self, args, state, control, **kwargs):
        now = time.monotonic()
        self.train_seconds = now - (self.t_start or now)
        self.tokens_seen = int(state.num_input_tokens_seen or 0) - self.tokens_start
        done = state.global_step - (self.first_step or 0)
        total = state.max_steps
        eta = None
        if done > 0 and total:
            eta = round(self.train_seconds / done * max(0, total - state.global_step), 1)
        self.rt.progress(state.global_step, total, eta_s=eta)
        if self.should_stop() and state.global_step < total:
            # End at this step boundary: log what this interval trained, save a checkpoint, stop.
            control.should_training_stop = True
            control.should_save = True
            control.should_log = True
            if self.stopped_at is None:
                self.stopped_at = state.global_step
                self.rt.info(f"Stopping at step {state.global_step}: saving a checkpoint and the adapter")
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        step = state.global_step
        if "loss" in logs:
            now = time.monotonic()
            tokens = int(state.num_input_tokens_seen or 0)
            values = {"loss": float(logs["loss"])}
            if "learning_rate" in logs:
                values["lr"] = float(logs["learning_rate"])
            if logs.get("grad_norm") is not None:
                values["grad_norm"] = float(logs["grad_norm"])
            if "epoch" in logs or state.epoch is not None:
                values["epoch"] = round(float(logs.get("epoch", state.epoch or 0.0)), 4)
            dt = now - (self._last_log_t or now)
            if dt > 0 and tokens > self._last_log_tokens:
                values["tokens_per_s"] = round((tokens - self._last_log_tokens) / dt, 2)
            self._last_log_t, self._last_log_tokens = None, tokens
            from app.training.methods import REWARD_METRICS

            for key, name in REWARD_METRICS.items():
                if isinstance(logs.get(key), (int, float)) and math.isfinite(logs[key]):
                    values[name] = round(float(logs[key]), 6)
                    self.rewards[name] = values[name]
            values.update(cuda_memory())
            self.losses.append((step, values["loss"]))
            self._metric(step, values)
            # One line per logged step in train.log (the log tab and the log centre show it).
            parts = [f"step {step}/{state.max_steps or '?'}", f"loss {values['loss']:.4f}"]
            if "lr" in values:
                parts.append(f"lr {values['lr']:.3g}")
            if "reward_accuracy" in values:
                parts.append(f"reward accuracy {values['reward_accuracy']:.2f}")
            if "reward_margin" in values:
                parts.append(f"margin {values['reward_margin']:.3f}")
            if "tokens_per_s" in values:
                parts.append(f"{values['tokens_per_s']:.0f} tokens/s")
            self.rt.log.info("%s", ", ".join(parts))
        if "eval_loss" in logs:
            value = float(logs["eval_loss"])
            self.eval_losses.append((step, value))
            self._metric(step, {"eval_loss": value, **cuda_memory()})
            self.rt.log.info("step %d: eval loss %.4f", step, value)
        return control

    def on_save(self, args, state, control, **kwargs):
        path = self.checkpoints_dir / f"checkpoint-{state.global_step}"
        self._checkpoint(state.global_step, path)
        return control

    # --- events -------------------------------------------------------------------------------
    def _metric(self, step: int, values: dict[str, float]) -> None:
        self.rt.emit(protocol.Metric(step=step, values=values))

    def _checkpoint(self, step: int, path: Path) -> None:
        self.rt.emit(protocol.Checkpoint(step=step, path=str(path)))


__all__ = ["EventCallback", "cuda_memory", "GIB"]
