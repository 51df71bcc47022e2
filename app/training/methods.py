"""The training methods beside chat fine-tuning: preference tuning (DPO, ORPO) and continued
pretraining (CPT). torch, transformers, datasets and TRL are imported inside the functions.

- DPO / ORPO train a LoRA adapter with TRL's trainers on ``{"prompt", "chosen", "rejected"}`` pairs
  (app.core.datasets normalises both the string and the conversational form to messages; TRL renders
  them with the model's chat template). DPO's reference model is the same base with the adapter
  disabled: the base model and ``peft_config`` go to TRL, which then keeps no second copy of the
  model (``use_adapter(model, None)`` around the reference forward). ORPO needs no reference.
- CPT: every text (a .txt / .md file, each file of a folder, or each ``{"text"}`` record) is
  tokenized, the texts are joined with the end-of-sequence token between them and cut into blocks of
  ``max_seq_len`` tokens (the last one may be shorter); the loss is on every token.

TRL's metric names (``rewards/chosen``, ``rewards/accuracies``, …) become the metric events'
``reward_chosen``, ``reward_rejected``, ``reward_margin`` and ``reward_accuracy`` (EventCallback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.core.datasets import DatasetReader
from app.training.data import DataError

# TRL's log keys → the metric event's names (the training panel charts these).
REWARD_METRICS = {
    "rewards/chosen": "reward_chosen",
    "rewards/rejected": "reward_rejected",
    "rewards/margins": "reward_margin",
    "rewards/accuracies": "reward_accuracy",
}


def _records(path: Path) -> tuple[list[dict], Any]:
    reader = DatasetReader(path)
    report = reader.new_report()
    records = list(reader.records(report))
    if not records:
        problems = "; ".join(report.first_errors(3)) or "no records"
        raise DataError(f"{path} has no usable record ({problems}).", code="train.dataset_empty",
                        params={"path": str(path), "problems": problems})
    return records, report


def load_preference_set(path: Path):
    """The pairs of ``path`` as a ``datasets.Dataset`` of conversational prompt/chosen/rejected
    (what TRL's DPO and ORPO trainers take) and the validation report."""
    from datasets import Dataset

    records, report = _records(path)
    rows = [{"prompt": r["prompt"], "chosen": r["chosen"], "rejected": r["rejected"]} for r in records]
    return Dataset.from_list(rows), report


def load_text_blocks(path: Path, tokenizer, block: int) -> tuple[list[dict[str, list[int]]], dict[str, int]]:
    """Raw text packed into blocks of ``block`` tokens, ``labels`` = ``input_ids`` (loss on all
    tokens); the texts are joined with EOS between them. Also: how many texts and tokens."""
    records, report = _records(path)
    eos = tokenizer.eos_token_id
    stream: list[int] = []
    for record in records:
        ids = tokenizer(record["text"], add_special_tokens=False)["input_ids"]
        if ids:
            stream.extend(ids)
            if eos is not None:
                stream.append(eos)
    blocks = [stream[i:i + block] for i in range(0, len(stream), block)]
    if len(blocks) > 1 and len(blocks[-1]) < 2:
        blocks.pop()  # one token predicts nothing
    items = [{"input_ids": b, "labels": list(b)} for b in blocks if len(b) >= 2]
    if not items:
        raise DataError(f"{path} has too little text to train on.", code="train.data.too_little_text",
                        params={"path": str(path)})
    return items, {"texts": len(records), "tokens": len(stream), "blocks": len(items),
                   "invalid": report.n_invalid}


def preference_trainer(method: str, base: type) -> tuple[type, type]:
    """(trainer class, its config class) for ``dpo`` / ``orpo``; ``base`` wraps the trainer (the
    atomic-checkpoint subclass factory takes it)."""
    if method == "dpo":
        from trl import DPOConfig, DPOTrainer

        return DPOTrainer, DPOConfig
    try:
        from trl import ORPOConfig, ORPOTrainer  # older TRL
    except ImportError:
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer  # TRL ≥ 1.0
    return ORPOTrainer, ORPOConfig


def preference_args(config_class: type, common: dict[str, Any], cfg) -> Any:
    """The TRL config: the Trainer arguments every run uses, plus beta and the length cap."""
    import dataclasses

    names = {f.name for f in dataclasses.fields(config_class)}
    kwargs = {k: v for k, v in common.items() if k in names and k not in ("label_names",)}
    kwargs.update(beta=cfg.beta, max_length=cfg.max_seq_len)
    if "max_prompt_length" in names:
        kwargs["max_prompt_length"] = max(8, cfg.max_seq_len // 2)
    if "model_init_kwargs" in names:
        kwargs["model_init_kwargs"] = None
    return config_class(**kwargs)


__all__ = ["REWARD_METRICS", "load_preference_set", "load_text_blocks", "preference_trainer", "preference_args"]
