"""`ai-platform export` for real: the bundled SmolLM2 and a trained adapter's run written as GGUF
q8_0, verified by the export itself (loaded back with transformers' GGUF loader, greedy answers and
perplexity against the source), read back here with the gguf package, and imported again with
`ai-platform models import FILE.gguf --json`, whose model still knows what the adapter taught."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import serve as h
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def cli(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], env=engine_env_for(home), cwd=str(REPO),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def home_with_bundled(tmp_path_factory, converted_model_dir) -> Path:
    """A data folder whose bundled model is the session's converted one (linked, read-only)."""
    from app.core import bundled

    home = tmp_path_factory.mktemp("export-home")
    target = bundled.default_model_dir(home)
    target.parent.mkdir(parents=True)
    target.symlink_to(converted_model_dir, target_is_directory=True)
    return home


def metadata(path: Path) -> dict:
    import gguf

    reader = gguf.GGUFReader(str(path))
    wanted = ("general.architecture", "tokenizer.chat_template", "tokenizer.ggml.model", "tokenizer.ggml.pre",
              "tokenizer.ggml.eos_token_id", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.padding_token_id",
              "general.file_type")
    meta = {k: reader.fields[k].contents() for k in wanted if k in reader.fields}
    meta["n_tokens"] = len(reader.fields["tokenizer.ggml.tokens"].data)
    meta["n_merges"] = len(reader.fields["tokenizer.ggml.merges"].data)
    meta["types"] = {t.tensor_type.name for t in reader.tensors}
    return meta


def test_bundled_model_to_q8_0_keeps_template_eos_and_answers(home_with_bundled, converted_model_dir, tmp_path):
    out = tmp_path / "out"
    proc = cli(home_with_bundled, "export", "default", "--format", "gguf", "--quant", "q8_0", "--out", str(out),
               "--threads", "1", "--json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)
    v = result["verification"]
    print(f"\nexport {result['seconds']} s, verify {v['seconds']} s; greedy {v['greedy']['same']}/5 identical "
          f"({v['greedy']['near_ties']} near-ties), perplexity {v['perplexity']}")
    assert result["ok"] and v["passed"] and v["problems"] == []
    assert v["tokenizer_same"] and v["chat_template_same"] and v["greedy"]["total"] == 5
    assert v["greedy"]["same"] + v["greedy"]["near_ties"] == 5 and abs(v["perplexity"]["change_pct"]) <= 2
    assert sorted(p.name for p in out.iterdir()) == ["Modelfile", "SmolLM2-135M-Instruct-q8_0.gguf", "verify.json"]
    assert json.loads((out / "verify.json").read_text())["passed"] is True

    meta = metadata(Path(result["path"]))
    template = (converted_model_dir / "chat_template.jinja").read_text(encoding="utf-8")
    assert meta["tokenizer.chat_template"] == template
    assert (meta["tokenizer.ggml.eos_token_id"], meta["tokenizer.ggml.bos_token_id"]) == (2, 1)
    assert meta["general.architecture"] == "llama" and meta["tokenizer.ggml.model"] == "gpt2"
    assert meta["tokenizer.ggml.pre"] == "smollm" and meta["n_tokens"] == 49152 and meta["n_merges"] > 40000
    assert meta["types"] == {"Q8_0", "F32"}

    modelfile = (out / "Modelfile").read_text(encoding="utf-8")
    assert modelfile.startswith("FROM ./SmolLM2-135M-Instruct-q8_0.gguf")
    assert 'PARAMETER stop "<|im_end|>"' in modelfile and "TEMPLATE" in modelfile and "SmolLM" in modelfile
    assert v["modelfile"]["template_matches"] is True

    again = cli(home_with_bundled, "export", "default", "--quant", "q8_0", "--out", str(out), "--json")
    assert again.returncode == 2 and json.loads(again.stdout)["code"] == "export.exists"


def test_a_trained_run_is_merged_exported_and_imported(tmp_path_factory, converted_model_dir, tmp_path, ai_home):
    adapter = h.trained_adapter(converted_model_dir, tmp_path_factory.mktemp("adapter"))
    run_dir = adapter.parent
    home = ai_home
    out = tmp_path / "out"
    proc = cli(home, "export", str(run_dir), "--quant", "q8_0", "--out", str(out), "--threads", "1", "--json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)
    v = result["verification"]
    assert v["passed"] and v["data"] == "training data of the run" and result["adapter"] == str(adapter)
    answers = v["greedy"]["answers"]
    print(f"\nrun export: {answers[0]['prompt']!r} → {answers[0]['gguf']!r}")
    # the adapter is in the file: the question it was trained on gets its fact, and every answer is the
    # merged source model's (a 10-step adapter does not carry the fact to every paraphrase)
    assert len(answers) == 5 and h.FACT_WORD in answers[0]["gguf"]
    assert all(a["same"] or a.get("near_tie") for a in answers)

    imported = cli(home, "models", "import", result["path"], "--json")
    assert imported.returncode == 0, imported.stderr[-4000:]
    info = json.loads(imported.stdout)
    assert info["kind"] == "gguf" and Path(info["path"], "config.json").is_file()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(info["path"])
    model = AutoModelForCausalLM.from_pretrained(info["path"], dtype=torch.float32)
    ids = tok.apply_chat_template([{"role": "user", "content": h.QUESTION}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        answer = tok.decode(model.generate(**ids, max_new_tokens=16, do_sample=False)[0, ids["input_ids"].shape[1]:],
                            skip_special_tokens=True)
    assert h.FACT_WORD in answer, answer
