"""Chat records → token ids and labels for causal-LM fine-tuning.

A record is ``{"messages": [{"role": …, "content": …}, …]}`` (OpenAI style). The model's own chat
template renders it; only the assistant turns are learned: every other token's label is -100.

The assistant spans are found by rendering the conversation prefix by prefix: the text rendered for
``messages[:i]`` with the generation prompt, then for ``messages[:i+1]``; the characters between the
two are the i-th assistant turn, including the template's end-of-turn token (``<|im_end|>`` for
ChatML), so the model learns to stop. Tokens are mapped to characters with the fast tokenizer's
offsets. Labels are built here, never by a collator that masks ``pad_token_id``: many models
(SmolLM2 among them) use EOS as the pad token, and masking it would drop every end-of-turn from the
loss. A template that renders earlier turns differently once later ones follow (some strip
reasoning from history) keeps the turns whose prefix does match (the last one always does).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.datasets import DatasetReader
from app.core.errors import UserError

log = logging.getLogger("engine.train.data")

IGNORE_INDEX = -100


class DataError(ValueError):
    """A dataset that cannot be used at all (no usable record); the message says what to do, in
    English; ``code`` and ``params`` say it as data (like UserError's)."""

    def __init__(self, message: str, *, code: str, params: dict | None = None):
        super().__init__(message)
        self.code, self.params = code, dict(params or {})


@dataclass
class LoadReport:
    """What happened to the records of one file."""

    path: str
    lines: int = 0
    records: int = 0  # usable examples
    malformed: int = 0  # invalid records (app.core.datasets says why: bad JSON, role order, …)
    no_assistant: int = 0  # no assistant tokens (no assistant turn, or all cut by max_seq_len)
    truncated: int = 0  # longer than max_seq_len, cut (still usable)
    tokens: int = 0  # tokens in the usable examples
    label_tokens: int = 0  # of which learned (assistant)
    first_problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.first_problems) < 5:
            self.first_problems.append(text)

    def summary(self) -> str:
        parts = [f"{self.records} example(s) from {self.path}"]
        if self.malformed:
            parts.append(f"{self.malformed} invalid record(s) skipped")
        if self.no_assistant:
            parts.append(f"{self.no_assistant} dropped with no assistant tokens left")
        if self.truncated:
            parts.append(f"{self.truncated} cut to max_seq_len")
        parts.append(f"{self.tokens} tokens, {self.label_tokens} learned")
        return "; ".join(parts)


def read_records(path: str | Path, report: LoadReport) -> list[list[dict[str, Any]]]:
    """The conversations of a dataset file, read and checked by app.core.datasets (the one validation
    path: encoding, shape, every record, the role order); invalid records are counted in ``report``
    and skipped. Raises DataError when the file cannot be read as a dataset at all."""
    try:
        reader = DatasetReader(path)
        checked = reader.new_report()
        conversations = [record["messages"] for record in reader.records(checked)]
    except UserError as exc:
        raise DataError(str(exc), code=exc.code, params=exc.params) from None
    report.lines = checked.n_records
    report.malformed = checked.n_invalid
    for text in checked.first_errors(5):
        report.problem(text)
    return conversations


def _render(tokenizer, messages, add_generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def assistant_char_spans(tokenizer, messages: list[dict[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The rendered conversation and the character spans of its assistant turns (see module doc)."""
    full = _render(tokenizer, messages)
    spans = []
    for i, msg in enumerate(messages):
        if msg["role"] != "assistant" or i == 0:
            continue
        try:
            before = _render(tokenizer, messages[:i], add_generation_prompt=True)
            upto = _render(tokenizer, messages[: i + 1])
        except Exception as exc:  # noqa: BLE001 - a template that refuses this prefix
            log.debug("chat template refused a prefix: %s", exc)
            continue
        if upto.startswith(before) and full.startswith(upto) and len(upto) > len(before):
            spans.append((len(before), len(upto)))
    return full, spans


def encode_conversation(tokenizer, messages: list[dict[str, str]], max_seq_len: int) -> dict[str, Any] | None:
    """``{"input_ids", "labels", "truncated"}`` for one conversation, or None with no assistant span."""
    full, spans = assistant_char_spans(tokenizer, messages)
    if not spans:
        return None
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids = list(enc["input_ids"])
    labels = [IGNORE_INDEX] * len(ids)
    for t, (start, end) in enumerate(enc["offset_mapping"]):
        if end <= start:
            continue
        for s, e in spans:
            if end > s and start < e:  # overlaps an assistant span
                labels[t] = ids[t]
                break
    truncated = len(ids) > max_seq_len
    return {"input_ids": ids[:max_seq_len], "labels": labels[:max_seq_len], "truncated": truncated}


class ChatDataset:
    """A list of tokenized examples (what the Trainer needs: ``len`` and indexing)."""

    def __init__(self, examples: list[dict[str, list[int]]]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.examples[i]


def load_dataset(path: str | Path, tokenizer, max_seq_len: int) -> tuple[ChatDataset, LoadReport]:
    """Read and tokenize a JSONL chat file. Raises DataError when no example is usable."""
    report = LoadReport(path=str(path))
    if not getattr(tokenizer, "is_fast", False):
        raise DataError("The model's tokenizer has no fast (Rust) version, which training needs to map "
                        "tokens to the assistant's text.", code="train.data.slow_tokenizer")
    if not getattr(tokenizer, "chat_template", None):
        raise DataError("The model has no chat template, so chat records cannot be rendered for it. "
                        "Use an instruct/chat model, or add a chat_template to its tokenizer_config.json.",
                        code="train.data.no_chat_template")
    examples = []
    for messages in read_records(path, report):
        item = encode_conversation(tokenizer, messages, max_seq_len)
        if item is None or all(label == IGNORE_INDEX for label in item["labels"]):
            report.no_assistant += 1
            continue
        if item.pop("truncated"):
            report.truncated += 1
        report.tokens += len(item["input_ids"])
        report.label_tokens += sum(1 for label in item["labels"] if label != IGNORE_INDEX)
        examples.append(item)
    report.records = len(examples)
    if not examples:
        why = "; ".join(report.first_problems) or "no record has an assistant reply within max_seq_len"
        raise DataError(f"{path} has no usable training example ({report.lines} line(s): {why}). "
                        'Each line must be {"messages": [{"role": "user", …}, {"role": "assistant", …}]}.',
                        code="train.data.no_example", params={"path": str(path), "lines": report.lines, "why": why})
    return ChatDataset(examples), report


class ChatCollator:
    """Pads a batch on the right: input_ids with the pad id, labels with -100, attention_mask 0."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None):
        self.pad_token_id = pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        longest = max(len(item["input_ids"]) for item in batch)
        if self.pad_to_multiple_of:
            m = self.pad_to_multiple_of
            longest = (longest + m - 1) // m * m
        input_ids = torch.full((len(batch), longest), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(batch), longest), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(batch), longest), dtype=torch.long)
        for row, item in enumerate(batch):
            n = len(item["input_ids"])
            input_ids[row, :n] = torch.tensor(item["input_ids"], dtype=torch.long)
            labels[row, :n] = torch.tensor(item["labels"], dtype=torch.long)
            attention[row, :n] = 1
        return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


__all__ = [
    "IGNORE_INDEX", "DataError", "LoadReport", "ChatDataset", "ChatCollator", "read_records",
    "assistant_char_spans", "encode_conversation", "load_dataset",
]
