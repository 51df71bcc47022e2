"""The transformers engine's request limits and stop-string matching, without a model (issue 18);
tests/engines/test_serve_hostile.py sends the same probes to a running engine."""

from __future__ import annotations

import socket

import pytest

from app.serving.transformers_server import (
    MAX_STOP, ApiError, Server, StopMatcher, body_limit, check_request, peer_closed,
)

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def feed_all(stops, pieces):
    m = StopMatcher(stops)
    out = "".join(m.feed(p) for p in pieces)
    return out + ("" if m.stopped else m.flush()), m.stopped


def test_a_stop_string_split_over_pieces_is_found_and_not_sent():
    assert feed_all(["END"], ["Hello E", "N", "D and more"]) == ("Hello ", True)
    assert feed_all(["\n\n", "User:"], ["one\n", "\ntwo"]) == ("one", True)
    assert feed_all(["zz"], ["no stop ", "here z"]) == ("no stop here z", False)  # the held z comes out at the end
    assert feed_all([], ["a", "b"]) == ("ab", False)
    # The longest stop string at the earliest place wins, as a plain search would find it.
    assert feed_all(["ab", "abc"], ["xxab", "c"]) == ("xx", True)


def test_nothing_is_sent_that_a_stop_string_later_takes_back():
    m = StopMatcher(["STOP"])
    sent = [m.feed(p) for p in ["abc S", "T", "O", "P tail"]]
    assert "".join(sent) == "abc " and m.stopped and m.feed("more") == ""


def test_a_long_answer_with_the_most_stop_strings_comes_out_whole():
    m = StopMatcher(["never"] + [f"s{i}" * 10 for i in range(MAX_STOP - 1)])
    out = "".join(m.feed("word ") for _ in range(20_000))  # each piece is searched near the end only
    assert not m.stopped and out + m.flush() == "word " * 20_000


@pytest.mark.parametrize("field,value", [
    ("max_tokens", "abc"), ("max_tokens", -1), ("max_tokens", 0), ("max_tokens", 1.5), ("max_tokens", False),
    ("temperature", "hot"), ("temperature", 3), ("temperature", float("nan")), ("top_p", 0), ("n", 2),
    ("stop", [f"s{i}" for i in range(10_000)]), ("stop", ["x" * 1000]), ("stop", 7), ("stream", "yes"),
    ("stream_options", []), ("messages", [{}] * 10_000), ("tools", {"a": 1}), ("seed", "1"),
])
def test_each_bad_field_is_a_400_that_names_it(field, value):
    with pytest.raises(ApiError) as info:
        check_request(dict(CHAT, **{field: value}), chat=True)
    assert info.value.status == 400 and info.value.param == field and str(info.value)


def test_good_fields_pass_through_checked():
    p = check_request(dict(CHAT, max_tokens=5.0, temperature=0, stop="\n", stream=True,
                           stream_options={"include_usage": True}, n=1), chat=True)
    assert p["max_tokens"] == 5 and p["temperature"] == 0.0 and p["stop"] == ["\n"]
    assert p["stream"] and p["include_usage"]
    assert check_request(dict(CHAT, max_completion_tokens=7, max_tokens=3), chat=True)["max_tokens"] == 7
    assert check_request({"prompt": ["a"]}, chat=False)["max_tokens"] is None


def test_the_body_limit_grows_with_the_context_and_the_backlog_takes_twenty():
    assert body_limit(2048) == body_limit(8192) >= 2 * 1024 * 1024
    assert body_limit(1_000_000) > 20_000_000 > body_limit(8192)
    assert Server.request_queue_size >= 20  # socketserver's 5 reset connections arriving together


def test_a_closed_client_socket_is_seen():
    a, b = socket.socketpair()
    try:
        assert not peer_closed(a)
        b.sendall(b"x")  # a pipelined byte is not a close
        assert not peer_closed(a)
        b.close()
        a.recv(1)
        assert peer_closed(a)
    finally:
        a.close()


def test_completion_prompts_take_openais_four_shapes_and_echo_allows_zero_new_tokens():
    assert check_request({"prompt": "a"}, chat=False)["prompts"] == ["a"]
    assert check_request({"prompt": [1, 2]}, chat=False)["prompts"] == [[1, 2]]
    assert check_request({"prompt": [[1, 2], [3]]}, chat=False)["prompts"] == [[1, 2], [3]]
    assert check_request({"prompt": ["a", "b"]}, chat=False)["prompts"] == ["a", "b"]
    p = check_request({"prompt": [5], "echo": True, "logprobs": 1, "max_tokens": 0}, chat=False)
    assert p["echo"] is True and p["logprobs"] == 1 and p["max_tokens"] == 0
    assert check_request({"prompt": "a"}, chat=False)["logprobs"] is None
    for bad, param in (({"prompt": [1, "x"]}, "prompt"), ({"prompt": [[1], []]}, "prompt"),
                       ({"prompt": [True]}, "prompt"), ({"prompt": "a", "echo": "yes"}, "echo"),
                       ({"prompt": "a", "logprobs": 21}, "logprobs"), ({"prompt": "a", "max_tokens": 0}, "max_tokens")):
        with pytest.raises(ApiError) as info:
            check_request(bad, chat=False)
        assert info.value.status == 400 and info.value.param == param
