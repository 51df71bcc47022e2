"""Model cards for the hub, and `models push` offline: the real connection fails here, fast."""

import json
import os
import subprocess
import sys
from pathlib import Path

from app.core import model_card
from app.core.evaluations import write_result

ROOT = Path(__file__).resolve().parents[2]


def _run_folder(home: Path) -> Path:
    run = home / "runs" / "run-card"
    (run / "adapter").mkdir(parents=True)
    (run / "adapter" / "adapter_config.json").write_text("{}")
    (run / "config.json").write_text(json.dumps({
        "name": "support-bot", "base_model": "HuggingFaceTB/SmolLM2-135M-Instruct", "method": "lora",
        "dataset_path": str(home / "data" / "support.jsonl"), "lora_r": 8, "learning_rate": 0.0002,
        "epochs": 2.0}))
    write_result(run, {"kind": "run", "run": "run-card", "set": "val.jsonl", "n_samples": 12,
                       "base": {"loss": 2.5}, "adapter": {"loss": 1.75}})
    return run


def test_card_names_base_data_settings_and_evaluation(tmp_path):
    run = _run_folder(tmp_path)
    card = model_card.write_card(run / "adapter", "me/support-bot", "adapter")
    text = card.read_text()
    assert card == run / "adapter" / "README.md"
    assert "base_model: HuggingFaceTB/SmolLM2-135M-Instruct" in text
    assert "library_name: peft" in text
    assert "`support.jsonl`" in text
    assert "| lora_r | 8 |" in text and "| learning_rate | 0.0002 |" in text
    assert "| loss | 2.5 | 1.75 |" in text
    assert model_card.card_sections(card)["sections"] == ["Training", "Evaluation"]


def test_users_own_readme_is_kept(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "README.md").write_text("my notes")
    assert model_card.write_card(tmp_path, "me/x", "model").read_text() == "my notes"


def test_push_offline_says_so_and_keeps_the_card(tmp_path):
    _run_folder(tmp_path)
    env = dict(os.environ, AI_PLATFORM_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "app", "models", "push", "run-card", "--repo", "me/support-bot",
                           "--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stderr
    out = json.loads(proc.stdout)
    assert out["code"] == "hub.offline"
    assert "nothing was uploaded" in out["error"]
    card = Path(out["params"]["card"])
    assert card == tmp_path / "runs" / "run-card" / "adapter" / "README.md"
    assert "support-bot" in card.read_text()


def test_the_card_peft_leaves_in_an_adapter_is_replaced_by_ours(tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tiny = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                        num_attention_heads=2, num_key_value_heads=2))
    adapter = tmp_path / "adapter"
    get_peft_model(tiny, LoraConfig(r=2, target_modules=["q_proj"])).save_pretrained(str(adapter))
    assert "Model Card for Model ID" in (adapter / "README.md").read_text()  # what peft wrote
    text = model_card.write_card(adapter, "me/x", "adapter").read_text()
    assert model_card.MARKER in text and "Model Card for Model ID" not in text
