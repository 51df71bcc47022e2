"""Preference pairs and raw text as datasets, and the methods that train on them (no model here)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.commands import train_launch
from app.core import datasets, vram_planner
from app.core.errors import UserError
from app.core.train_config import TrainConfig, check_dataset_shape


def write_lines(path: Path, records) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


GOOD = {"prompt": "What is 2 + 2?", "chosen": "4.", "rejected": "5."}
CONVERSATIONAL = {"chosen": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
                  "rejected": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Go away."}]}


def test_bad_preference_lines_are_named(tmp_path):
    path = write_lines(tmp_path / "pairs.jsonl", [
        GOOD, CONVERSATIONAL,
        {"chosen": "a", "rejected": "b"},                                            # 3: no prompt
        {"prompt": "q", "chosen": "same", "rejected": "same"},                       # 4: nothing to prefer
        {"prompt": "q", "chosen": [{"role": "assistant", "content": "a"}], "rejected": "b"},  # 5: mixed
        '{"prompt": "q", "chosen": "a", ',                                           # 6: bad JSON
        {"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "user", "content": "a"}],
         "rejected": [{"role": "assistant", "content": "b"}]},                       # 7: chosen is not an answer
        {"prompt": "q", "chosen": "", "rejected": "b"},                              # 8: empty
    ])
    report = datasets.validate_dataset_file(path)
    assert report.shape == "preference" and report.n_valid == 2 and report.n_invalid == 6
    by_line = {e["line"]: e["code"] for e in report.errors}
    assert by_line == {3: "dataset.record.missing_field", 4: "dataset.record.pref_same",
                       5: "dataset.record.pref_mixed", 6: "dataset.record.bad_json",
                       7: "dataset.record.pref_not_assistant", 8: "dataset.record.empty_field"}
    assert "line 3: missing field \"prompt\"" in report.first_errors(1)[0]


def test_both_preference_forms_become_prompt_and_answers_as_messages(tmp_path):
    records, _ = datasets.load_dataset_file(write_lines(tmp_path / "p.jsonl", [GOOD, CONVERSATIONAL]))
    assert records[0] == {"prompt": [{"role": "user", "content": "What is 2 + 2?"}],
                          "chosen": [{"role": "assistant", "content": "4."}],
                          "rejected": [{"role": "assistant", "content": "5."}]}
    # No "prompt": the turns both answers share are the prompt.
    assert records[1]["prompt"] == [{"role": "user", "content": "Hi"}]
    assert records[1]["chosen"] == [{"role": "assistant", "content": "Hello!"}]


def test_raw_text_files_and_folders(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# A\n\nsome text", encoding="utf-8")
    (tmp_path / "notes" / "b.txt").write_text("", encoding="utf-8")
    (tmp_path / "notes" / "c.txt").write_bytes(b"caf\xe9 latin-1 text\n")
    report = datasets.validate_dataset_file(tmp_path / "notes")
    assert (report.format, report.shape, report.n_valid, report.n_invalid) == ("text", "text", 1, 2)
    assert {e["file"]: e["code"] for e in report.errors} == {"b.txt": "dataset.record.empty_text",
                                                             "c.txt": "dataset.record.bad_utf8_row"}
    one = datasets.validate_dataset_file(tmp_path / "notes" / "a.md")
    assert (one.shape, one.n_valid) == ("text", 1)
    jsonl = datasets.validate_dataset_file(write_lines(tmp_path / "t.jsonl", [{"text": "x y"}, {"text": 3}]))
    assert (jsonl.shape, jsonl.n_valid, jsonl.errors[0]["code"]) == ("text", 1, "dataset.record.wrong_type")


def test_each_method_names_the_data_it_needs(tmp_path):
    check_dataset_shape("dpo", "preference", "p.jsonl")
    check_dataset_shape("cpt", "text", "notes")
    check_dataset_shape("lora", "alpaca", "a.json")
    for method, shape, hint in (("dpo", "openai", "train.hint.need_pairs"), ("cpt", "preference", "train.hint.need_text"),
                                ("lora", "preference", "train.hint.need_chat")):
        with pytest.raises(UserError) as exc:
            check_dataset_shape(method, shape, "f")
        assert exc.value.code == "train.dataset_wrong_shape" and exc.value.params["hint_code"] == hint
    # The command line says so before any model is loaded, and writes no run folder.
    chat = write_lines(tmp_path / "chat.jsonl", [{"messages": [{"role": "user", "content": "q"},
                                                               {"role": "assistant", "content": "a"}]}])
    with pytest.raises(UserError) as exc:
        train_launch.prepare(preset="cpu-demo", method="dpo", dataset=chat, run_dir=tmp_path / "run", out=io.StringIO())
    assert exc.value.code == "train.dataset_wrong_shape" and not (tmp_path / "run").exists()


def test_new_config_fields_are_validated_like_the_old(tmp_path):
    cfg = TrainConfig.from_dict({"dataset_path": "p.jsonl", "method": "dpo", "beta": 0.2})
    assert (cfg.method, cfg.beta, cfg.quantization) == ("dpo", 0.2, "none")
    for bad in ({"beta": 0}, {"beta": "high"}, {"method": "ppo"}):
        with pytest.raises(UserError) as exc:
            TrainConfig.from_dict({"dataset_path": "p.jsonl", "method": "dpo", **bad})
        assert exc.value.params["field"] == next(iter(bad))
    folder = tmp_path / "texts"
    folder.mkdir()
    TrainConfig(dataset_path=str(folder), method="cpt", base_model=str(tmp_path)).validate()  # a folder is fine for cpt
    prepared = train_launch.prepare(preset="cpu-demo", method="cpt", dataset=_md(tmp_path), run_dir=tmp_path / "r",
                                    out=io.StringIO())
    saved = json.loads((prepared.run_dir / "config.json").read_text())
    assert saved["method"] == "cpt" and saved["dataset_path"].endswith("book.md")


def _md(tmp_path: Path) -> Path:
    path = tmp_path / "book.md"
    path.write_text("# A book\n\nChapter one.", encoding="utf-8")
    return path


def test_planner_counts_both_answers_of_a_pair():
    shape = vram_planner.REFERENCE_SHAPES["llama-3-8b"]
    lora = vram_planner.plan(vram_planner.PlanInput(shape, seq_len=2048, batch_size=2))
    dpo = vram_planner.plan(vram_planner.PlanInput(shape, seq_len=2048, batch_size=2, method="dpo"))
    assert dpo.input.tokens == 2 * lora.input.tokens
    assert dpo.activations_gb == pytest.approx(vram_planner.plan(
        vram_planner.PlanInput(shape, seq_len=2048, batch_size=4)).activations_gb)
    assert dpo.weights_gb == lora.weights_gb  # the reference is the same base, adapter off: no second copy
    assert "preference_pairs" in [code for code, _ in dpo.warnings]
