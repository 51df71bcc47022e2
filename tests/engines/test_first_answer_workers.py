"""The chat's workers under a QCoreApplication (no widget), real engines on the bundled model:

- the first answer's time to first token counts from the Send, with the wait for the engine said
  apart (``engine_wait_s``), not hidden behind the server's own first-token time;
- asking for an adapter on a running engine loads it into that engine (same process, no restart),
  and the adapter answers with what it learned;
- on vLLM, an adapter whose rank is above the engine's ``--max-lora-rank`` restarts it with a higher
  maximum, and the engine says why.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.core import vllm_runtime
from tests.helpers import serve as h
from tests.helpers.worker_script import QT_PRELUDE, run_worker_script

pytestmark = pytest.mark.slow

PRELUDE = QT_PRELUDE + r"""
from app.core import settings as settings_mod
from app.core.chat_store import ChatStore
from app.core.chat_targets import ChatTarget
from app.core.db import open_database
from app.workers.answers import AnswerPipeline
from app.workers.kb_query import KbQueryService
from app.workers.serve_manager import ServeManager

db = open_database()
store = ChatStore(db)
base = ChatTarget(label="SmolLM2-135M-Instruct", model_ref="default", kind="bundled")
"""

TIMING = PRELUDE + r"""
serve = ServeManager(settings_mod.load(), engine_choice="transformers")
kb_query = KbQueryService()
answers = AnswerPipeline(store, serve, kb_query)
tuned = ChatTarget(label="zorbania", model_ref="default", kind="adapter", adapter="run-zorbania",
                   adapter_path=sys.argv[1])
session = store.create_session(model="default", params={"max_tokens": 16, "temperature": 0.0})
out = {}

def ask(name, target, question, session=session):
    user = store.add_message(session.id, "user", question)
    [mid] = answers.start(store.get_session(session.id), question, user.id, [("A", target)])
    out[name + "_at_send"] = store.get_message(mid).meta
    assert wait(lambda: not answers.jobs, 400), name + " did not finish"
    m = store.get_message(mid)
    info = serve.find("default")
    out[name] = dict(status=m.status, content=m.content, meta=m.meta, pid=info.pid if info else None,
                     adapters=sorted(info.adapters) if info else None)

ask("cold", base, "Say hello.")
ask("adapter", tuned, "What is the capital of Zorbania?")
ask("warm", base, "What is the capital of Zorbania?",  # a new chat: no history that says it
    session=store.create_session(model="default", params={"max_tokens": 16, "temperature": 0.0}))
out["engines"] = len(serve.engines())
serve.shutdown(); kb_query.shutdown()
print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
"""

RANK = PRELUDE + r"""
serve = ServeManager(settings_mod.load(), engine_choice="vllm")
out = {}
key = serve.ensure("default", label="SmolLM2")
assert wait(lambda: serve.get(key).state in ("ready", "failed"), 500), "vLLM did not start"
info = serve.get(key)
out["first"] = dict(state=info.state, message=info.message, pid=info.pid, max_lora_rank=info.max_lora_rank)
serve.ensure("default", ("small", sys.argv[1]))
assert wait(lambda: "small" in serve.get(key).adapters or serve.get(key).adapter_errors, 120)
info = serve.get(key)
out["small"] = dict(pid=info.pid, state=info.state, adapters=sorted(info.adapters), errors=info.adapter_errors)
serve.ensure("default", ("wide", sys.argv[2]))  # rank 64 > 16: a restart, said
info = serve.get(key)
out["wide"] = dict(state=info.state, notice=info.notice, notice_params=info.notice_params,
                   argv=list(serve._engines[key].proc.arguments))
serve.shutdown()
print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
"""


_run = run_worker_script


def _home_with_model(tmp_path, converted_model_dir):
    home = tmp_path / "home"
    target = home / "models" / "smollm2-135m-instruct"
    target.parent.mkdir(parents=True)
    target.symlink_to(converted_model_dir, target_is_directory=True)
    return home


def test_first_token_counts_from_the_send_and_adapters_load_into_the_running_engine(
        tmp_path, converted_model_dir, tmp_path_factory):
    adapter = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))
    out = _run(TIMING, _home_with_model(tmp_path, converted_model_dir), adapter)
    print("\n" + json.dumps({k: v.get("meta", {}).get("stats") for k, v in out.items() if isinstance(v, dict)}))

    # While it waits, the message says since when (the window counts the seconds) and what for.
    assert out["cold_at_send"]["phase"] == "loading" and out["cold_at_send"]["sent_at"] > 0
    cold = out["cold"]["meta"]["stats"]
    assert out["cold"]["status"] == "complete"
    assert cold["engine_wait_s"] > 1.0  # the engine started on this Send: seconds, said apart
    assert cold["ttft_s"] >= cold["engine_wait_s"] + cold["server_ttft_s"] - 0.05  # Send → first token, whole
    # The adapter went into the running engine: same process, one engine, and it knows the fact.
    adapter_answer = out["adapter"]
    assert adapter_answer["status"] == "complete", adapter_answer["meta"]
    assert adapter_answer["pid"] == out["cold"]["pid"] and out["engines"] == 1
    assert adapter_answer["adapters"] == ["run-zorbania"]
    assert h.FACT_WORD in adapter_answer["content"]
    assert adapter_answer["meta"]["stats"]["engine_wait_s"] < 20  # the load, not a restart (≈ 60 s before)
    warm = out["warm"]["meta"]["stats"]
    assert warm["engine_wait_s"] == 0 and h.FACT_WORD not in out["warm"]["content"]  # the base, adapter off


def test_vllm_restarts_only_for_an_adapter_rank_above_its_maximum(tmp_path, converted_model_dir, tmp_path_factory):
    info = vllm_runtime.runtime_info()
    if not info["found"]:
        pytest.skip(f"no vLLM runtime: {info['reason']}")
    small = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))  # r=8
    wide = tmp_path / "wide-adapter"
    make = ("import sys, torch; from transformers import AutoModelForCausalLM; "
            "from peft import LoraConfig, get_peft_model; torch.set_num_threads(1); "
            "m = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32); "
            "get_peft_model(m, LoraConfig(r=64, lora_alpha=128, target_modules='all-linear', "
            "task_type='CAUSAL_LM')).save_pretrained(sys.argv[2])")
    subprocess.run([sys.executable, "-c", make, str(converted_model_dir), str(wide)], check=True, timeout=300,
                   capture_output=True)
    out = _run(RANK, _home_with_model(tmp_path, converted_model_dir), small, wide)
    assert out["first"]["state"] == "ready", out["first"]["message"]
    assert out["first"]["max_lora_rank"] == 16
    assert out["small"]["pid"] == out["first"]["pid"] and out["small"]["adapters"] == ["small"]  # no restart
    wide_out = out["wide"]
    assert wide_out["state"] == "loading"  # restarted, and it says why
    assert wide_out["notice_params"] == {"adapter": "wide", "rank": 64, "max_rank": 16}
    assert "rank 64" in wide_out["notice"] and "maximum 16" in wide_out["notice"]
    argv = wide_out["argv"]
    assert argv[argv.index("--max-lora-rank") + 1] == "64"
    assert f"small={small}" in argv and f"wide={wide}" in argv  # what it had, plus the new one
