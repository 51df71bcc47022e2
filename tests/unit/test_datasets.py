"""Dataset reading, validation, normalisation, splitting, the store and `ai-platform datasets`.

Every malformed case is a small file written here, and the tests assert the exact line (and index)
and reason reported, so a person can go straight to the broken record.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import datasets
from app.core.datasets import DatasetInfo, DatasetStore, load_dataset_file, split_train_val, write_jsonl
from app.core.db import open_database
from app.core.db.models import Dataset as DatasetRow
from app.core.errors import UserError
from app.core.projects import ProjectStore
from tests.helpers.records import chat, jl, msgs, write

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "resources" / "samples" / "sample_sft_en_zh.jsonl"




def errors_of(report) -> list[tuple]:
    return [(e["line"], e.get("index"), e["reason"]) for e in report.errors]


# --- shapes and normalisation ----------------------------------------------------------------------


def test_openai_jsonl_is_read_and_kept_as_is(tmp_path):
    recs = [
        {"messages": msgs(("system", "Be brief."), ("user", "2+2?"), ("assistant", "4"))},
        {"messages": msgs(("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d"))},
    ]
    p = write(tmp_path, "d.jsonl", jl(*recs))
    records, report = load_dataset_file(p)
    assert records == recs
    assert (report.shape, report.detected_shape, report.format) == ("openai", "openai", "jsonl")
    assert (report.n_records, report.n_valid, report.n_invalid, report.errors) == (2, 2, 0, [])


def test_alpaca_is_normalised_to_messages(tmp_path):
    p = write(tmp_path, "a.json", json.dumps([
        {"instruction": "Translate to French", "input": "cat", "output": "chat"},
        {"instruction": "Say hi", "input": "", "output": "Hi!", "system": "You are kind."},
        {"instruction": "", "input": "Only input", "output": "ok"},
        {"instruction": "Next?", "output": "3", "history": [["1?", "1"], ["2?", "2"]]},
    ], ensure_ascii=False))
    records, report = load_dataset_file(p)
    assert report.shape == "alpaca" and report.n_valid == 4, report.errors
    assert records[0] == {"messages": msgs(("user", "Translate to French\n\ncat"), ("assistant", "chat"))}
    assert records[1] == {"messages": msgs(("system", "You are kind."), ("user", "Say hi"), ("assistant", "Hi!"))}
    assert records[2] == {"messages": msgs(("user", "Only input"), ("assistant", "ok"))}
    assert records[3] == {"messages": msgs(("user", "1?"), ("assistant", "1"), ("user", "2?"), ("assistant", "2"),
                                           ("user", "Next?"), ("assistant", "3"))}


def test_sharegpt_is_normalised_and_tolerates_role_content_turns(tmp_path):
    p = write(tmp_path, "s.jsonl", jl(
        {"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "Q"},
                           {"from": "gpt", "value": "A"}]},
        {"conversations": [{"role": "user", "content": "Q2"}, {"role": "assistant", "content": "A2"}]},
        {"system": "Top-level system", "conversations": [{"from": "user", "value": "Q3"},
                                                         {"from": "assistant", "value": "A3"}]},
    ))
    records, report = load_dataset_file(p)
    assert report.shape == "sharegpt" and report.n_invalid == 0, report.errors
    assert records == [
        {"messages": msgs(("system", "S"), ("user", "Q"), ("assistant", "A"))},
        {"messages": msgs(("user", "Q2"), ("assistant", "A2"))},
        {"messages": msgs(("system", "Top-level system"), ("user", "Q3"), ("assistant", "A3"))},
    ]


def test_openai_extras_tool_calls_and_text_parts(tmp_path):
    call = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    p = write(tmp_path, "t.jsonl", jl(
        {"messages": [{"role": "user", "content": "weather?"},
                      {"role": "assistant", "content": None, "tool_calls": call},
                      {"role": "tool", "content": "sunny", "tool_call_id": "c1"},
                      {"role": "assistant", "content": "Sunny."}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]},
                      {"role": "assistant", "content": "Hi"}]},
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]},
                      {"role": "assistant", "content": "Hi"}]},
        {"messages": [{"role": "system", "content": ""}, {"role": "user", "content": "Q"},
                      {"role": "assistant", "content": "A"}, {"role": "user", "content": "unanswered"}]},
    ))
    records, report = load_dataset_file(p)
    assert records[0]["messages"][1] == {"role": "assistant", "content": "", "tool_calls": call}
    assert records[0]["messages"][2] == {"role": "tool", "content": "sunny", "tool_call_id": "c1"}
    assert records[1]["messages"][0] == {"role": "user", "content": "Hello"}
    # An empty system prompt is left out; a trailing unanswered user turn is fine (there is an answer).
    assert records[2] == {"messages": msgs(("user", "Q"), ("assistant", "A"), ("user", "unanswered"))}
    assert errors_of(report) == [(3, None, "turn 1 has non-text content (image_url); only text is supported")]


# --- malformed records: exact lines and reasons ------------------------------------------------------


def test_malformed_jsonl_names_every_bad_line(tmp_path):
    p = write(tmp_path, "bad.jsonl", jl(
        chat(),                                                                    # 1 ok
        '{"messages": [{"role": "user", "content": "x"}',                          # 2 bad JSON
        {"messages": msgs(("user", "Q"), ("bot", "A"))},                           # 3 unknown role
        {"messages": msgs(("system", "S"), ("user", "Q"))},                        # 4 no assistant
        {"messages": []},                                                          # 5 empty conversation
        {"messages": "hello"},                                                     # 6 wrong type
        {"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "A"}]},  # 7
        "",                                                                        # 8 blank: not a record
        {"messages": msgs(("user", "Q"), ("assistant", "   "))},                   # 9 empty content
        [1, 2],                                                                    # 10 not an object
        {"messages": msgs(("user", "Q"), ("user", "Q again"), ("assistant", "A"))},  # 11 no alternation
        {"messages": [{"content": "Q"}, {"role": "assistant", "content": "A"}]},   # 12 missing role
        {"messages": [{"role": "user"}, {"role": "assistant", "content": "A"}]},   # 13 missing content
        {"instruction": "Q", "output": "A"},                                       # 14 another shape
        chat("last", "one"),                                                       # 15 ok
    ))
    records, report = load_dataset_file(p)
    assert report.shape == report.detected_shape == "openai"
    assert (report.n_records, report.n_valid, report.n_invalid) == (14, 2, 12)
    assert records == [chat(), chat("last", "one")]
    assert errors_of(report) == [
        (2, None, "bad JSON: Expecting ',' delimiter (column 47)"),
        (3, None, 'unknown role "bot" in turn 2 (allowed: system, user, assistant, tool)'),
        (4, None, "no assistant turn to learn from"),
        (5, None, 'empty conversation: "messages" has no turns'),
        (6, None, 'wrong type: field "messages" should be a list, got string'),
        (7, None, 'wrong type: field "content" in turn 1 should be a string, got number'),
        (9, None, "empty content in turn 2 (assistant)"),
        (10, None, "not a JSON object (got list)"),
        (11, None, 'turns 1 and 2 are both "user"; turns must alternate between user and assistant'),
        (12, None, 'missing field "role" in turn 1'),
        (13, None, 'missing field "content" in turn 1'),
        (14, None, 'missing field "messages" (this record looks like alpaca; the file is read as openai)'),
    ]


def test_malformed_sharegpt_and_alpaca_reasons(tmp_path):
    p = write(tmp_path, "s.jsonl", jl(
        {"conversations": [{"from": "human", "value": "Q"}, {"from": "bot", "value": "A"}]},
        {"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": ""}]},
        {"conversations": [{"from": "human", "value": "Q"}]},
        {"conversations": {"from": "human"}},
        {"conversations": ["Q", "A"]},
    ))
    _, report = load_dataset_file(p)
    assert errors_of(report) == [
        (1, None, 'unknown role "bot" in turn 2 (allowed: system, human, user, gpt, assistant)'),
        (2, None, "empty content in turn 2 (assistant)"),
        (3, None, "no assistant turn to learn from"),
        (4, None, 'wrong type: field "conversations" should be a list, got object'),
        (5, None, "turn 1 is not an object (got string)"),
    ]
    p = write(tmp_path, "a.jsonl", jl(
        {"instruction": "Q"},
        {"instruction": "Q", "output": 42},
        {"instruction": "Q", "output": "  "},
        {"instruction": "", "input": "", "output": "A"},
        {"instruction": ["Q"], "output": "A"},
        {"instruction": "Q", "output": "A", "history": [["only question"]]},
    ))
    _, report = load_dataset_file(p)
    assert report.shape == "alpaca"
    assert errors_of(report) == [
        (1, None, 'missing field "output"'),
        (2, None, 'wrong type: field "output" should be a string, got number'),
        (3, None, 'empty content in field "output": no assistant answer to learn from'),
        (4, None, 'empty content: "instruction" and "input" are both empty'),
        (5, None, 'wrong type: field "instruction" should be a string, got list'),
        (6, None, "history item 1 should be a [question, answer] pair of non-empty strings"),
    ]


def test_json_array_errors_give_index_and_starting_line(tmp_path):
    text = (
        "[\n"                                                            # line 1
        + json.dumps(chat(), indent=2) + ",\n"                           # lines 2-13 (index 0)
        + '  {"messages": [{"role": "wizard", "content": "x"}]},\n'      # line 14 (index 1)
        + '  "just a string",\n'                                         # line 15 (index 2)
        + "\n"                                                           # line 16
        + '  {"messages": [\n    {"role": "user", "content": "Q"}\n  ]}\n'  # lines 17-19 (index 3)
        + "]\n"
    )
    p = write(tmp_path, "arr.json", text)
    records, report = load_dataset_file(p)
    assert records == [chat()]
    assert report.format == "json"
    assert errors_of(report) == [
        (14, 1, 'unknown role "wizard" in turn 1 (allowed: system, user, assistant, tool)'),
        (15, 2, "not a JSON object (got string)"),
        (17, 3, "no assistant turn to learn from"),
    ]
    # The CLI contract: always a line; arrays add their index. The GUI's: a code and its params.
    assert report.to_dict()["errors"][0] == {
        "line": 14, "index": 1, "reason": errors_of(report)[0][2], "code": "dataset.record.unknown_role",
        "params": {"role": "wizard", "k": 1, "allowed": "system, user, assistant, tool"}}


@pytest.mark.parametrize("key", ["data", "examples"])
def test_json_object_with_records_list(tmp_path, key):
    p = write(tmp_path, "o.json", json.dumps({"version": 2, key: [chat(), {"messages": []}]}, indent=1))
    records, report = load_dataset_file(p)
    assert records == [chat()]
    assert errors_of(report) == [(16, 1, 'empty conversation: "messages" has no turns')]


def test_json_single_record_and_jsonl_named_json(tmp_path):
    records, _ = load_dataset_file(write(tmp_path, "one.json", json.dumps(chat(), indent=2)))
    assert records == [chat()]
    # A .json file that really holds one object per line is read as JSONL, line by line.
    records, report = load_dataset_file(write(tmp_path, "lines.json", jl(chat(), "{oops", chat("b", "c"))))
    assert report.format == "jsonl" and len(records) == 2
    assert errors_of(report)[0][:2] == (2, None)


def test_broken_json_document_is_a_user_error_with_its_line(tmp_path):
    p = write(tmp_path, "broken.json", '[\n  {"messages": []},\n  {"messages": [}\n]\n')
    with pytest.raises(UserError) as exc:
        load_dataset_file(p)
    assert exc.value.code == "dataset.bad_json"
    assert exc.value.params["line"] == 3
    assert str(p) in str(exc.value) and "line 3" in str(exc.value)


def test_bom_files_are_read(tmp_path):
    p = write(tmp_path, "bom.jsonl", b"\xef\xbb\xbf" + jl(chat(), {"messages": []}).encode("utf-8"))
    records, report = load_dataset_file(p)
    assert records == [chat()]
    assert errors_of(report) == [(2, None, 'empty conversation: "messages" has no turns')]
    p = write(tmp_path, "bom.json", b"\xef\xbb\xbf" + json.dumps([chat()]).encode("utf-8"))
    assert load_dataset_file(p)[0] == [chat()]
    p = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + "instruction,input,output\n你好,,您好\n".encode("utf-8"))
    records, report = load_dataset_file(p)
    assert report.shape == "alpaca" and records == [{"messages": msgs(("user", "你好"), ("assistant", "您好"))}]


def test_undecodable_bytes_are_reported_by_line(tmp_path):
    good = json.dumps(chat("中文", "好的"), ensure_ascii=False).encode("utf-8")
    bad = '{"messages": [{"role": "user", "content": "caf'.encode() + b"\xe9" + b'"}, {"role": "assistant", "content": "x"}]}'
    p = write(tmp_path, "latin.jsonl", good + b"\n" + bad + b"\n" + good + b"\n")
    records, report = load_dataset_file(p)
    assert len(records) == 2
    assert errors_of(report) == [
        (2, None, "not valid UTF-8 text (byte 0xe9 at column 47); save the file as UTF-8")]
    # In a JSON array: the element holding the bad byte, by its line and index.
    p = write(tmp_path, "latin.json", b"[\n" + good + b",\n" + bad + b"\n]\n")
    records, report = load_dataset_file(p)
    assert len(records) == 1
    assert errors_of(report) == [
        (3, 1, "turn 1 contains bytes that are not valid UTF-8 text; save the file as UTF-8")]


def test_csv_alpaca_rows_and_wrong_column_count(tmp_path):
    p = write(tmp_path, "a.csv", (
        "Instruction,input,output\n"          # 1 (header names are case-insensitive)
        'Say hi,,"Hi,\nthere"\n'              # 2-3: a quoted cell over two lines
        "Add,1 and 2,3\n"                     # 4
        "too,many,columns,here\n"             # 5
        "\n"                                  # 6 blank
        "missing output,\n"                   # 7
        "Q,,A\n"                              # 8
    ))
    records, report = load_dataset_file(p)
    assert report.format == "csv" and report.shape == "alpaca"
    assert records == [
        {"messages": msgs(("user", "Say hi"), ("assistant", "Hi,\nthere"))},
        {"messages": msgs(("user", "Add\n\n1 and 2"), ("assistant", "3"))},
        {"messages": msgs(("user", "Q"), ("assistant", "A"))},
    ]
    assert errors_of(report) == [
        (5, None, "row has 4 columns but the header has 3"),
        (7, None, "row has 2 columns but the header has 3"),
    ]


def test_csv_messages_column_holds_json(tmp_path):
    good = json.dumps(msgs(("user", "Q"), ("assistant", "A"))).replace('"', '""')
    p = write(tmp_path, "m.csv", f'id,messages\n1,"{good}"\n2,"[{{oops"\n3,\n')
    records, report = load_dataset_file(p)
    assert report.shape == "openai"
    assert records == [{"messages": msgs(("user", "Q"), ("assistant", "A"))}]
    assert errors_of(report) == [
        (3, None, 'column "messages" is not valid JSON: Expecting property name enclosed in double quotes (character 3)'),
        (4, None, 'missing field "messages"'),
    ]


# --- shape detection and override ------------------------------------------------------------------


def test_detection_by_majority_and_override(tmp_path):
    alpaca = {"instruction": "Q", "output": "A"}
    p = write(tmp_path, "mix.jsonl", jl(alpaca, chat(), alpaca, alpaca))
    records, report = load_dataset_file(p)
    assert (report.shape, report.detected_shape) == ("alpaca", "alpaca")
    assert len(records) == 3
    assert errors_of(report) == [
        (2, None, 'missing field "instruction" (this record looks like openai; the file is read as alpaca)')]
    records, report = load_dataset_file(p, shape="openai")
    assert (report.shape, report.detected_shape) == ("openai", "alpaca")
    assert records == [chat()] and [e[0] for e in errors_of(report)] == [1, 3, 4]
    assert datasets.detect_shape([chat(), {"conversations": []}]) == "openai"  # a tie: openai first
    assert datasets.detect_shape([{"x": 1}]) is None


def test_files_that_are_not_datasets_are_user_errors(tmp_path, monkeypatch):
    def code_of(path, **kw):
        with pytest.raises(UserError) as exc:
            load_dataset_file(path, **kw)
        return exc.value

    err = code_of(tmp_path / "nope.jsonl")
    assert err.code == "dataset.not_found" and str(tmp_path / "nope.jsonl") in str(err)
    assert code_of(tmp_path).code == "dataset.not_a_file"
    assert code_of(write(tmp_path, "empty.jsonl", "\n\n")).code == "dataset.empty"
    err = code_of(write(tmp_path, "k.jsonl", jl({"prompt": "Q", "completion": "A"})))
    assert err.code == "dataset.unknown_shape" and "completion, prompt" in str(err)
    assert code_of(write(tmp_path, "bin.jsonl", b"PK\x03\x04\x00\x00binary")).code == "dataset.not_text"
    assert code_of(write(tmp_path, "t.parquet", b"PAR1")).code == "dataset.unsupported_format"
    assert code_of(write(tmp_path, "u16.jsonl", "\ufeff{}".encode("utf-16-le"))).code == "dataset.encoding"
    assert code_of(write(tmp_path, "ok.jsonl", jl(chat())), shape="chatml").code == "dataset.bad_shape"
    assert code_of(write(tmp_path, "o.json", '{"rows": [1]}')).code == "dataset.no_records_list"
    monkeypatch.setattr(datasets, "MAX_FILE_BYTES", 10)
    err = code_of(write(tmp_path, "big.jsonl", jl(chat())))
    assert err.code == "dataset.too_large" and "big.jsonl" in str(err)


def test_every_line_broken_is_a_report_not_a_crash(tmp_path):
    _, report = load_dataset_file(write(tmp_path, "prose.jsonl", "hello\nworld\n"))
    assert report.shape is None and report.n_invalid == 2
    assert [e["line"] for e in report.errors] == [1, 2]


def test_errors_are_capped_in_memory_but_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "MAX_ERRORS", 3)
    _, report = load_dataset_file(write(tmp_path, "many.jsonl", jl(chat(), *(["{bad"] * 7))))
    assert (report.n_invalid, len(report.errors), report.truncated) == (7, 3, 4)
    assert report.to_dict()["errors_truncated"] == 4


# --- split and write -------------------------------------------------------------------------------


def test_split_is_deterministic_and_keeps_order():
    records = [{"i": i} for i in range(100)]
    train, val = split_train_val(records, 0.1, seed=7)
    assert (len(train), len(val)) == (90, 10)
    assert (train, val) == split_train_val(records, 0.1, seed=7)
    assert val != split_train_val(records, 0.1, seed=8)[1]
    assert sorted([r["i"] for r in train + val]) == list(range(100))
    assert [r["i"] for r in val] == sorted(r["i"] for r in val)
    assert split_train_val(records, 0.0) == (records, [])
    assert [len(x) for x in split_train_val(records[:3], 0.01)] == [2, 1]  # at least one each
    for bad in (-0.1, 1.0, "x"):
        with pytest.raises(UserError) as exc:
            split_train_val(records, bad)
        assert exc.value.code == "dataset.bad_val_ratio"
    with pytest.raises(UserError) as exc:
        split_train_val(records[:1], 0.5)
    assert exc.value.code == "dataset.too_few_to_split"


def test_write_jsonl_round_trips_utf8(tmp_path):
    recs = [chat("你好", "您好"), chat("a\nb", "c")]
    p = tmp_path / "sub" / "out.jsonl"
    assert write_jsonl(p, recs) == 2
    assert p.read_bytes().count(b"\n") == 2 and "你好".encode() in p.read_bytes()
    assert datasets.read_jsonl(p) == recs
    assert [x.name for x in p.parent.iterdir()] == ["out.jsonl"]  # no temp file left


def test_bundled_sample_is_valid_and_bilingual():
    records, report = load_dataset_file(SAMPLE)
    assert (report.shape, report.n_records, report.n_invalid) == ("openai", 40, 0)
    zh = [r for r in records if any("\u4e00" <= ch <= "\u9fff" for m in r["messages"] for ch in m["content"])]
    assert len(zh) == 20
    assert sum("Aurora" in json.dumps(r, ensure_ascii=False) for r in records) >= 30


# --- the store -------------------------------------------------------------------------------------


@pytest.fixture
def db():
    database = open_database()
    yield database
    database.close()


@pytest.fixture
def store(db):
    return DatasetStore(db)


def test_import_writes_files_and_row(store, db, tmp_path, ai_home):
    records = [chat(f"q{i}", f"a{i}") for i in range(20)]
    src = write(tmp_path, "chats.jsonl", jl(*records, "{broken"))
    info = store.import_file(src, val_ratio=0.25, seed=1)
    assert isinstance(info, DatasetInfo)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "x"  # type: ignore[misc]
    assert (info.name, info.shape, info.n_records, info.n_errors, info.n_train, info.n_val) == (
        "chats", "openai", 20, 1, 15, 5)
    assert info.folder == ai_home / "datasets" / str(info.id)
    assert info.source_path == str(src.resolve())
    train, val = datasets.read_jsonl(info.train_path), datasets.read_jsonl(info.val_path)
    assert (train, val) == split_train_val(records, 0.25, seed=1)
    report = json.loads((info.folder / "report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"records": 21, "valid": 20, "invalid": 1}
    assert report["errors"][0]["line"] == 21
    assert store.report(info.id)["counts"]["invalid"] == 1
    with db.session() as s:
        row = s.scalars(select(DatasetRow)).one()
        assert (row.name, row.shape, row.n_records, row.n_errors) == ("chats", "openai", 20, 1)
        assert row.path == f"datasets/{info.id}"  # relative: a moved data folder keeps working
    assert store.get(info.id) == info
    assert not list((ai_home / "datasets").glob(".import-*"))


def test_list_rename_delete(store, db, tmp_path, ai_home):
    project = ProjectStore(db).create("Bot")
    src = write(tmp_path, "d.jsonl", jl(chat()))
    a = store.import_file(src, name="first")
    b = store.import_file(src, name="second", project_id=project.id)
    assert a.val_path is None and b.project_id == project.id
    assert [d.name for d in store.list()] == ["second", "first"]
    assert [d.id for d in store.list(project_id=project.id)] == [b.id]
    assert store.rename(a.id, "  renamed ").name == "renamed"
    with pytest.raises(UserError) as exc:
        store.rename(a.id, " ")
    assert exc.value.code == "dataset.name_empty"
    store.delete(a.id)
    assert not a.folder.exists() and b.folder.exists() and src.exists()
    assert [d.id for d in store.list()] == [b.id]
    with pytest.raises(UserError) as exc:
        store.get(a.id)
    assert exc.value.code == "dataset.not_found_id"
    with pytest.raises(UserError) as exc:
        store.import_file(src, project_id=9999)
    assert exc.value.code == "project.not_found"


def test_no_valid_records_is_refused_with_the_first_errors(store, db, tmp_path, ai_home):
    src = write(tmp_path, "bad.jsonl", jl({"messages": []}, {"messages": msgs(("user", "Q"))}))
    with pytest.raises(UserError) as exc:
        store.import_file(src)
    err = exc.value
    assert err.code == "dataset.no_valid_records"
    assert 'line 1: empty conversation: "messages" has no turns' in str(err)
    assert "line 2: no assistant turn to learn from" in str(err)
    assert store.list() == []
    assert not (ai_home / "datasets").exists() or not any((ai_home / "datasets").iterdir())
    with pytest.raises(UserError) as exc:
        store.import_file(tmp_path / "missing.jsonl")
    assert exc.value.code == "dataset.not_found" and "missing.jsonl" in str(exc.value)


# --- the command line ------------------------------------------------------------------------------


def run_cli(args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_cli_validate_json_reports_bad_lines(engine_env, tmp_path):
    p = write(tmp_path, "bad.jsonl", jl(chat(), "{nope", {"messages": msgs(("user", "Q"), ("robot", "A"))}, chat()))
    out = run_cli(["datasets", "validate", str(p), "--json"], engine_env)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON object
    report = json.loads(lines[0])
    assert report["path"] == str(p.resolve())
    assert (report["shape"], report["detected_shape"]) == ("openai", "openai")
    assert report["counts"] == {"records": 4, "valid": 2, "invalid": 2}
    assert [e["line"] for e in report["errors"]] == [2, 3]
    assert report["errors"][1]["reason"].startswith('unknown role "robot" in turn 2')
    human = run_cli(["datasets", "validate", str(p)], engine_env)
    assert human.returncode == 1
    assert "line 3: unknown role" in human.stdout and "2 valid, 2 invalid" in human.stdout


def test_cli_validate_clean_file_and_shape_override(engine_env):
    out = run_cli(["datasets", "validate", str(SAMPLE), "--json"], engine_env)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["counts"] == {"records": 40, "valid": 40, "invalid": 0} and report["errors"] == []
    out = run_cli(["datasets", "validate", str(SAMPLE), "--shape", "alpaca", "--json"], engine_env)
    assert out.returncode == 1
    assert json.loads(out.stdout)["counts"]["invalid"] == 40


def test_cli_validate_missing_file_is_exit_2_without_traceback(engine_env, tmp_path):
    missing = tmp_path / "nowhere.jsonl"
    out = run_cli(["datasets", "validate", str(missing)], engine_env)
    assert out.returncode == 2
    assert f"File not found: {missing}" in out.stderr and "Traceback" not in out.stderr
    out = run_cli(["datasets", "validate", str(missing), "--json"], engine_env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert json.loads(out.stdout)["error"]["code"] == "dataset.not_found"


def test_cli_import_and_list(engine_env, ai_home):
    out = run_cli(["datasets", "import", str(SAMPLE), "--name", "Aurora", "--val-ratio", "0.1", "--json"], engine_env)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert (info["name"], info["n_records"], info["n_train"], info["n_val"]) == ("Aurora", 40, 36, 4)
    assert Path(info["train_path"]).is_file() and Path(info["val_path"]).is_file()
    assert Path(info["train_path"]).is_relative_to(ai_home)
    out = run_cli(["datasets", "list", "--json"], engine_env)
    assert out.returncode == 0, out.stderr
    assert [d["name"] for d in json.loads(out.stdout)] == ["Aurora"]


def test_core_datasets_imports_nothing_heavy(engine_env):
    code = ("import sys, app.core.datasets as d\n"
            f"d.load_dataset_file({str(SAMPLE)!r})\n"
            "print([m for m in ('torch', 'transformers', 'tokenizers', 'PySide6', 'numpy') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stderr
