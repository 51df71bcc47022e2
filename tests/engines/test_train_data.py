"""Chat records → ids and labels, with the real SmolLM2 tokenizer and chat template.

SmolLM2's pad token is its EOS (<|im_end|>): the labels must keep every assistant turn's closing
<|im_end|>, and padding must be told apart by the attention mask and -100 labels, not by the id.
"""

from __future__ import annotations

import json

import pytest

from app.training import data as train_data
from app.training.data import IGNORE_INDEX

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tokenizer(converted_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(converted_model_dir)


def learned_text(tokenizer, item) -> str:
    return tokenizer.decode([i for i, label in zip(item["input_ids"], item["labels"]) if label != IGNORE_INDEX])


def test_only_assistant_turns_are_learned_with_their_end_token(tokenizer):
    assert tokenizer.pad_token_id == tokenizer.eos_token_id  # the trap this module avoids
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello there"}, {"role": "user", "content": "Two?"},
                {"role": "assistant", "content": "Yes, two."}]
    item = train_data.encode_conversation(tokenizer, messages, 512)
    assert learned_text(tokenizer, item) == "Hello there<|im_end|>\nYes, two.<|im_end|>\n"
    assert item["input_ids"] == tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    ends = [k for k, i in enumerate(item["input_ids"]) if i == end]
    assert len(ends) == 5  # system, user, assistant, user, assistant
    assert [item["labels"][k] == end for k in ends] == [False, False, True, False, True]
    assert not item["truncated"]


def test_collator_pads_without_hiding_end_tokens(tokenizer):
    a = train_data.encode_conversation(tokenizer, [{"role": "user", "content": "Q"},
                                                   {"role": "assistant", "content": "A"}], 512)
    b = train_data.encode_conversation(tokenizer, [{"role": "user", "content": "A longer question here"},
                                                   {"role": "assistant", "content": "And a longer answer"}], 512)
    batch = train_data.ChatCollator(tokenizer.pad_token_id)([a, b])
    n = len(a["input_ids"])
    assert batch["input_ids"].shape == batch["labels"].shape == (2, len(b["input_ids"]))
    assert batch["labels"][0, :n].tolist() == a["labels"]
    assert (batch["labels"][0, n:] == IGNORE_INDEX).all() and (batch["attention_mask"][0, n:] == 0).all()
    assert (batch["input_ids"][0, n:] == tokenizer.pad_token_id).all()
    assert batch["attention_mask"][1].all()
    padded = train_data.ChatCollator(tokenizer.pad_token_id, pad_to_multiple_of=8)([a])
    assert padded["input_ids"].shape[1] % 8 == 0


def test_load_reports_what_it_skipped(tokenizer, tmp_path):
    long_prompt = "word " * 300
    lines = [
        json.dumps({"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}),
        "not json",
        json.dumps({"prompt": "no messages"}),
        json.dumps({"messages": [{"role": "robot", "content": "x"}]}),
        json.dumps({"messages": [{"role": "user", "content": "only a question"}]}),
        json.dumps({"messages": [{"role": "user", "content": long_prompt}, {"role": "assistant", "content": "A"}]}),
        json.dumps({"messages": [{"role": "user", "content": "Q"},
                                 {"role": "assistant", "content": [{"type": "text", "text": "parts " * 200}]}]}),
        "",
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset, report = train_data.load_dataset(path, tokenizer, max_seq_len=128)
    assert len(dataset) == report.records == 2
    # Checked by app.core.datasets, like every dataset: bad JSON, no messages, unknown role, no answer.
    assert report.lines == 7 and report.malformed == 4
    assert report.no_assistant == 1  # the assistant cut off by max_seq_len
    assert report.truncated == 1  # the long answer, cut but kept
    assert all(len(dataset[i]["input_ids"]) <= 128 for i in range(len(dataset)))
    assert report.first_problems[0].startswith("line 2: bad JSON")
    assert report.first_problems[3] == "line 5: no assistant turn to learn from"
    assert "4 invalid record(s) skipped" in report.summary()
    assert "1 dropped with no assistant tokens" in report.summary()


def test_nothing_usable_is_an_error(tokenizer, tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "assistant", "content": "first"},
                                             {"role": "user", "content": "then"}]}) + "\n", encoding="utf-8")
    with pytest.raises(train_data.DataError, match='no usable training example.*the first turn \\(turn 1\\) is "assistant"'):
        train_data.load_dataset(path, tokenizer, max_seq_len=128)
    # Alpaca (or any shape the Datasets panel reads) is read the same way: no separate engine format.
    path.write_text(json.dumps({"instruction": "alpaca", "output": "x"}) + "\n", encoding="utf-8")
    dataset, report = train_data.load_dataset(path, tokenizer, max_seq_len=128)
    assert len(dataset) == report.records == 1
