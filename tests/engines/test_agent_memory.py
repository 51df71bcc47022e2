"""Long-term memory in the agent: the remember / recall tools on the real SQLite database, through
``run_request`` (the engine's and the CLI's path) with a scripted chat model in the model's seat,
and the ``ai-platform memory`` command a person mends the entries with."""

from __future__ import annotations

import json

import pytest

from app.agents.graph import system_prompt
from app.agents.turn import run_request
from app.cli import main
from app.core.db.database import open_database
from app.core.errors import UserError
from app.core.memory_store import MemoryStore
from tests.helpers.scripted_chat_model import ScriptedChatModel, call, tool_results

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]


def turn(script, question, **req):
    model = ScriptedChatModel(script)
    request = {"base_url": "http://127.0.0.1:9/v1", "model": "scripted",
               "messages": [{"role": "user", "content": question}], **req}
    return run_request(request, lambda e: None, None, model=model), model


def memories() -> list[str]:
    with open_database() as db:
        return [e.text for e in MemoryStore(db).list()]


def test_a_fact_remembered_in_one_chat_is_recalled_in_the_next():
    first, model = turn([call("remember", {"fact": "The user's cat is called Miso."}), "Noted, I will remember Miso."],
                        "Remember that my cat is called Miso.", memory=True)
    assert {"remember", "recall"} <= set(model.calls[0]["tools"])
    assert first["steps"][0]["ok"] and first["steps"][0]["result"].startswith("saved as memory #")
    assert memories() == ["The user's cat is called Miso."]

    def answer_from_memory(messages):
        found = tool_results(messages)[-1].content
        return "Your cat is Miso." if "Miso" in found else "I do not know."

    second, model = turn([call("recall", {"query": "cat name"}), answer_from_memory], "What is my cat's name?",
                         memory=True)
    assert second["answer"] == "Your cat is Miso."
    assert "The user's cat is called Miso." in second["steps"][0]["result"]
    assert "remember to save a lasting fact" in model.calls[0]["messages"][0].content  # the system prompt says when


def test_recall_in_chinese_and_when_nothing_matches():
    with open_database() as db:
        MemoryStore(db).put("用户喜欢喝乌龙茶", source="user")
    result, _ = turn([call("recall", {"query": "喜欢什么茶"}), call("recall", {"query": "bicycle"}), "好的"],
                     "我喜欢什么茶？", memory=True)
    assert "乌龙茶" in result["steps"][0]["result"]
    assert result["steps"][1]["result"] == "No saved memory matches."


def test_memory_tools_are_offered_only_when_memory_is_on():
    result, model = turn([call("remember", {"fact": "secret"}), "ok"], "Remember a secret.")
    assert "remember" not in model.calls[0]["tools"] and "recall" not in model.calls[0]["tools"]
    assert not result["steps"][0]["ok"] and "no tool named 'remember'" in result["steps"][0]["result"]
    assert memories() == []
    assert "remember" not in system_prompt(None, ["calculator"])


def test_an_empty_fact_is_an_error_the_model_reads_and_nothing_is_saved():
    result, _ = turn([call("remember", {"fact": "   "}), "Sorry."], "Remember nothing.", memory=True)
    assert not result["steps"][0]["ok"] and "needs some text" in result["steps"][0]["result"]
    assert memories() == []


def test_memory_must_be_true_or_false():
    with pytest.raises(UserError) as err:
        turn(["hi"], "hi", memory="yes")
    assert err.value.params == {"field": "memory"}


def run_cli(capsys, *args) -> tuple[int, dict]:
    code = main(["memory", *args, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(out[-1]) if out else {}


def test_memory_command_lists_adds_edits_and_deletes(capsys):
    code, added = run_cli(capsys, "add", "Prefers answers in Chinese")
    assert code == 0 and added["memory"]["source"] == "user"
    mid = added["memory"]["id"]
    run_cli(capsys, "add", "Works on a Rust compiler")
    code, listed = run_cli(capsys, "list")
    assert [m["text"] for m in listed["memories"]] == ["Works on a Rust compiler", "Prefers answers in Chinese"]
    code, found = run_cli(capsys, "list", "--search", "chinese")
    assert [m["id"] for m in found["memories"]] == [mid]
    code, edited = run_cli(capsys, "edit", str(mid), "Prefers answers in English")
    assert code == 0 and edited["memory"]["text"] == "Prefers answers in English"
    assert run_cli(capsys, "delete", str(mid)) == (0, {"deleted": 1})
    assert memories() == ["Works on a Rust compiler"]

    code, err = run_cli(capsys, "delete", str(mid))
    assert code == 2 and err["error"]["code"] == "memory.not_found"
    code, err = run_cli(capsys, "clear")
    assert code == 2 and err["error"]["code"] == "memory.clear_confirm" and memories() == ["Works on a Rust compiler"]
    assert run_cli(capsys, "clear", "--yes") == (0, {"deleted": 1})
    assert memories() == []
    code, err = run_cli(capsys, "add", "")
    assert code == 2 and err["error"]["code"] == "memory.empty"


def test_memory_list_reads_well_without_json(capsys):
    assert main(["memory", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No memories yet."
    main(["memory", "add", "Lives in Hangzhou"])
    capsys.readouterr()
    assert main(["memory", "list"]) == 0
    assert "Lives in Hangzhou  (user, " in capsys.readouterr().out
