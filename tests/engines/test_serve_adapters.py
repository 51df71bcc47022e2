"""Adapters load into a running serve engine, without a restart: the transformers engine's copy of
vLLM's runtime LoRA API (``POST /v1/load_lora_adapter``; vLLM's own is tested in test_serve_vllm.py,
on that module's server). Real engines on the
bundled SmolLM2-135M and a LoRA adapter from a tiny real training run that learned a made-up fact.

Also here: "auto" serves the bundled model with the transformers engine on a machine without a GPU
(its first answer in seconds; vLLM's CPU build needs about a minute and a half to start).
"""

from __future__ import annotations

import time

import pytest

from app.core import chat_client, protocol, serve_config
from tests.helpers import serve as h

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

ASK = [{"role": "user", "content": h.QUESTION}]


@pytest.fixture(scope="module")
def adapter(converted_model_dir, tmp_path_factory):
    return h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))


def _answer(r, model):
    return chat_client.chat(r["base_url"], r["api_key"], model, ASK, max_tokens=16, temperature=0)[0]


def test_transformers_engine_loads_an_adapter_while_it_runs(tmp_path, converted_model_dir, adapter):
    live = h.LiveServe(["--model", str(converted_model_dir), "--engine", "transformers", "--threads", "1"], tmp_path)
    try:
        r = live.wait_for(protocol.Result, timeout=240).data
        assert r["engine"] == "transformers" and r["adapters"] == [] and r["max_lora_rank"] is None
        base = _answer(r, r["model"])
        t0 = time.monotonic()
        said = chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania", str(adapter))
        tuned = _answer(r, "zorbania")
        print(f"\nadapter loaded and answered in {time.monotonic() - t0:.2f} s: {tuned!r} (base: {base!r})")
        assert "added successfully" in said
        assert h.FACT_WORD in tuned and h.FACT_WORD not in base
        assert set(chat_client.list_models(r["base_url"], r["api_key"])) == {r["model"], "zorbania"}
        assert live.proc.poll() is None and len(live.of(protocol.Result)) == 1  # the same engine, never restarted
        assert _answer(r, r["model"]) == base  # the base model answers as before, adapter off

        with pytest.raises(chat_client.ApiError) as err:  # twice: refused as vLLM does
            chat_client.load_adapter(r["base_url"], r["api_key"], "zorbania", str(adapter))
        assert err.value.status == 400 and "already been loaded" in str(err.value)
        with pytest.raises(chat_client.ApiError) as err:  # a folder that holds no adapter
            chat_client.load_adapter(r["base_url"], r["api_key"], "nothing", str(tmp_path))
        assert err.value.status == 404 and "adapter_config.json" in str(err.value)

        status, _ = h.http("POST", r["base_url"] + "/unload_lora_adapter", r["api_key"], {"lora_name": "zorbania"})
        assert status == 200
        assert chat_client.list_models(r["base_url"], r["api_key"]) == [r["model"]]
        assert _answer(r, r["model"]) == base
    finally:
        live.close()


@pytest.mark.skipif(serve_config.cuda_available(), reason="with a GPU, auto starts vLLM")
def test_auto_serves_the_bundled_model_with_transformers_without_a_gpu(tmp_path, converted_model_dir):
    live = h.LiveServe(["--model", str(converted_model_dir), "--threads", "1"], tmp_path)  # no --engine
    try:
        r = live.wait_for(protocol.Result, timeout=240).data
        assert r["engine"] == "transformers"
        notes = [e.message for e in live.of(protocol.Log)]
        assert any("automatic engine choice: transformers" in n for n in notes), notes
    finally:
        live.close()
