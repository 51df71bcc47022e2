"""The engine protocol: every event round-trips; bad lines raise in decode and are skipped by
decode_or_none with a logged warning."""

from __future__ import annotations

import json
import logging

import pytest

from app.core import protocol

SAMPLES = [
    protocol.Started(pid=1234, engine="train", version="0.1.0"),
    protocol.Progress(step=3, total=10, eta_s=4.5, message="epoch 1"),
    protocol.Progress(step=1),
    protocol.Metric(step=7, values={"loss": 1.25, "lr": 2e-4, "grad_norm": 0.5}),
    protocol.Log(level="WARNING", message="低显存 — low VRAM"),
    protocol.Checkpoint(step=100, path="/runs/r1/checkpoints/step-100"),
    protocol.Error(message="CUDA out of memory", hint="Lower the batch size."),
    protocol.Result(data={"ok": True, "items": [1, 2, {"a": None}]}),
    protocol.Done(status="completed"),
    protocol.Done(status="stopped"),
    protocol.Done(status="failed"),
    protocol.ToolCall(step=1, id="call_1", name="calculator", args={"expression": "1+1"}),
    protocol.ToolResult(step=1, id="call_1", name="calculator", ok=True, text="2"),
    protocol.Delta(step=2, text="答案是 2"),
    protocol.Approval(tool="read_file", folder="/home/u/notes", path="/home/u/notes/a.txt"),
]


def test_every_event_type_has_a_sample():
    assert {type(e) for e in SAMPLES} == set(protocol.EVENT_TYPES.values())


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: f"{e.type}")
def test_round_trip(event):
    line = protocol.encode(event)
    assert "\n" not in line
    assert line.isascii()  # one physical line, whatever the text
    back = protocol.decode(line)
    assert back == event
    assert type(back) is type(event)
    assert protocol.decode(line.encode("utf-8")) == event  # bytes too
    assert protocol.decode_or_none(line + "\n") == event


def test_unknown_fields_are_kept_in_extra_and_written_back():
    line = json.dumps({"type": "metric", "ts": 5.0, "step": 2, "values": {"loss": 1.0},
                       "epoch": 0.5, "run": {"id": "r1"}})
    event = protocol.decode(line)
    assert isinstance(event, protocol.Metric)
    assert event.step == 2 and event.values == {"loss": 1.0}
    assert event.extra == {"epoch": 0.5, "run": {"id": "r1"}}
    assert json.loads(protocol.encode(event)) == json.loads(line)


def test_done_extra_round_trips():
    event = protocol.Done(status="completed", extra={"adapter": "/x/adapter"})
    assert protocol.decode(protocol.encode(event)).extra == {"adapter": "/x/adapter"}


def test_non_finite_numbers_do_not_break_encoding():
    # A diverged loss is NaN; strict JSON has no NaN, and an engine must not die of it.
    line = protocol.encode(protocol.Metric(step=1, values={"loss": float("nan"), "lr": float("inf"), "ok": 1.5}))
    back = protocol.decode(line)
    assert back.values == {"loss": None, "lr": None, "ok": 1.5}
    assert "NaN" not in line and "Infinity" not in line


def test_number_like_objects_stay_numbers():
    class Scalar:  # what numpy / torch scalars look like to json
        def __float__(self):
            return 0.25

    back = protocol.decode(protocol.encode(protocol.Metric(step=1, values={"loss": Scalar()})))
    assert back.values == {"loss": 0.25}


BAD_LINES = {
    "not json": "this is not json",
    "truncated": '{"type": "progress", "ts": 1.0, "step":',
    "array": '[{"type": "progress", "ts": 1.0}]',
    "string": '"progress"',
    "unknown type": '{"type": "nope", "ts": 1.0}',
    "no type": '{"ts": 1.0, "step": 1}',
    "missing ts": '{"type": "progress", "step": 1}',
    "non-numeric ts": '{"type": "progress", "ts": "yesterday", "step": 1}',
    "bad done status": '{"type": "done", "ts": 1.0, "status": "exploded"}',
    "done without status": '{"type": "done", "ts": 1.0}',
}


@pytest.mark.parametrize("line", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_malformed_lines(line, caplog):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(line)
    with caplog.at_level(logging.WARNING, logger="app.core.protocol"):
        assert protocol.decode_or_none(line, source="test-engine") is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "app.core.protocol"]
    assert len(warnings) == 1
    assert "test-engine" in warnings[0].getMessage()


def test_blank_lines_are_silently_ignored(caplog):
    with caplog.at_level(logging.WARNING):
        assert protocol.decode_or_none("") is None
        assert protocol.decode_or_none("  \r\n") is None
    assert not caplog.records


def test_invalid_utf8_does_not_raise_unicode_errors():
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(b"\xff\xfe{not json")
    assert protocol.decode_or_none(b"\xff\xfe") is None


def test_commands():
    assert json.loads(protocol.encode_command("stop")) == {"cmd": "stop"}
    assert protocol.decode_command(protocol.encode_command("stop") + "\n") == {"cmd": "stop"}
    with pytest.raises(ValueError):
        protocol.encode_command("format-disk")


def test_bad_commands_are_skipped(caplog):
    with caplog.at_level(logging.WARNING, logger="app.core.protocol"):
        assert protocol.decode_command("not json") is None
        assert protocol.decode_command('{"cmd": "explode"}') is None
        assert protocol.decode_command("[]") is None
    assert len(caplog.records) == 3
