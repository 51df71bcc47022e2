"""The VRAM planner (app/core/vram_planner.py): pure-Python predictions checked against the real stack.

Two kinds of tests:
* planner-only (no torch): monotonicity, presets, searches, warnings, config parsing, and that the
  module imports nothing heavy;
* torch-backed (skipped where torch/transformers/peft are missing): parameter counts against models
  built from configs on the meta device, LoRA counts against peft, weights / LoRA / optimizer bytes
  against the real tensors bitsandbytes and peft create on CPU, and per-layer activations against
  the tensors autograd really saves (``saved_tensors_hooks``) on tiny models.

CUDA-only behaviour is simulated where it only depends on one check: peft's bitsandbytes layers skip
their input cast when ``torch.is_autocast_enabled()`` (which asks about CUDA autocast); the
``cuda_autocast_check`` fixture makes that check see CPU autocast, so the CPU run takes the path a
GPU run takes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import types
import warnings
import weakref

import pytest

from app.core import vram_planner as vp
from app.core.errors import UserError

S = vp.REFERENCE_SHAPES
GB = 1e9


def qlora_8b(**kw) -> vp.PlanInput:
    return vp.PlanInput(shape=S["llama-3-8b"], **kw)


# === planner only ================================================================================

def test_reference_shapes_have_the_published_parameter_counts():
    # Published totals (model cards / safetensors metadata) for these checkpoints.
    assert S["llama-3-8b"].n_params == 8_030_261_248
    assert S["qwen2.5-7b"].n_params == 7_615_616_512
    assert S["llama-3.2-3b"].n_params == 3_212_749_824
    assert S["qwen2.5-1.5b"].n_params == 1_543_714_304
    assert S["smollm2-135m"].n_params == 134_515_008
    for shape in S.values():
        assert shape.count_params() == shape.n_params


def test_from_model_dir_reads_config_json(tmp_path):
    cfg = dict(vp.REFERENCE_CONFIGS["smollm2-135m"], architectures=["LlamaForCausalLM"],
               rope_parameters={"rope_theta": 100000.0, "rope_type": "default"}, dtype="float32")
    (tmp_path / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    assert vp.ModelShape.from_model_dir(tmp_path) == S["smollm2-135m"]
    assert vp.ModelShape.from_model_dir(tmp_path / "config.json") == S["smollm2-135m"]
    # Multimodal checkpoints nest the text model's config.
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "x_vl", "text_config": cfg}))
    assert vp.ModelShape.from_model_dir(tmp_path).n_params == S["smollm2-135m"].n_params


def test_config_problems_are_user_errors(tmp_path):
    with pytest.raises(UserError) as err:
        vp.ModelShape.from_model_dir(tmp_path)
    assert err.value.code == "vram.no_config"
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError) as err:
        vp.ModelShape.from_model_dir(tmp_path)
    assert err.value.code == "vram.bad_config"
    with pytest.raises(UserError) as err:
        vp.ModelShape.from_config_dict({"model_type": "llama", "hidden_size": 64})
    assert err.value.code == "vram.bad_config" and "num_hidden_layers" in str(err.value)
    moe = dict(vp.REFERENCE_CONFIGS["llama-3-8b"], model_type="mixtral", num_local_experts=8)
    with pytest.raises(UserError) as err:
        vp.ModelShape.from_config_dict(moe)
    assert err.value.code == "vram.unsupported_architecture"


@pytest.mark.parametrize("change", [dict(quantization="2bit"), dict(compute_dtype="int8"),
                                    dict(target_modules="mlp"), dict(optimizer="sgd"),
                                    dict(batch_size=0), dict(seq_len=-5), dict(lora_r=1.5),
                                    dict(gpu_total_gb=0), dict(lora_dropout=1.0), dict(device="tpu")])
def test_bad_settings_are_user_errors(change):
    with pytest.raises(UserError) as err:
        qlora_8b(**change)
    assert err.value.code == "vram.bad_setting"
    assert err.value.params["setting"] == next(iter(change))


@pytest.mark.parametrize("name", sorted(S))
@pytest.mark.parametrize("quant", vp.QUANTIZATIONS)
def test_memory_grows_with_batch_seq_and_rank(name, quant):
    base = vp.PlanInput(shape=S[name], quantization=quant, seq_len=1024, batch_size=2, lora_r=16)
    total = vp.plan(base).total_gb
    for change in (dict(batch_size=3), dict(seq_len=1280), dict(lora_r=32),
                   dict(target_modules="all-linear", lora_r=16)):
        assert vp.plan(base.with_(**change)).total_gb >= total, change
    assert vp.plan(base.with_(batch_size=4)).total_gb > total
    assert vp.plan(base.with_(seq_len=2048)).total_gb > total
    assert vp.plan(base.with_(lora_r=64)).total_gb > total
    small = base.with_(target_modules="attention")
    assert vp.plan(small).lora_and_optimizer_gb < vp.plan(base).lora_and_optimizer_gb
    # Checkpointing keeps one hidden state per layer instead of the whole layer.
    assert vp.plan(base.with_(gradient_checkpointing=False)).activations_gb > vp.plan(base).activations_gb
    # The 8-bit optimizer keeps 2 bytes of state per LoRA parameter instead of 8.
    assert (vp.plan(base.with_(optimizer="paged_adamw_8bit")).lora_and_optimizer_gb
            < vp.plan(base.with_(optimizer="adamw_torch")).lora_and_optimizer_gb)


@pytest.mark.parametrize("name", sorted(S))
def test_weights_shrink_with_quantization(name):
    w = {q: vp.plan(vp.PlanInput(shape=S[name], quantization=q)).weights_gb for q in vp.QUANTIZATIONS}
    assert w["4bit"] < w["8bit"] < w["none"]
    fp32 = vp.plan(vp.PlanInput(shape=S[name], quantization="none", compute_dtype="float32")).weights_gb
    assert fp32 == pytest.approx(2 * w["none"])
    assert w["none"] == pytest.approx(S[name].n_params * 2 / vp.GIB)
    upcast = vp.plan(vp.PlanInput(shape=S[name], quantization="4bit", upcast_frozen_fp32=True)).weights_gb
    assert upcast > w["4bit"]


def test_public_numbers():
    # QLoRA paper: a 7B LLaMA finetunes in 4-bit in well under 10 GB at small batch.
    llama1_7b = vp.ModelShape.from_config_dict(dict(
        model_type="llama", hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
        num_attention_heads=32, vocab_size=32000, max_position_embeddings=2048))
    assert vp.plan(vp.PlanInput(shape=llama1_7b, seq_len=512, batch_size=1)).total_gb * vp.GIB < 10 * GB
    # Llama-3-8B QLoRA r=16, seq 2048, batch 1, checkpointing (bf16 embeddings/lm_head, as TRL
    # leaves them): 9-12 GB reported in practice.
    p = vp.plan(qlora_8b(lora_r=16, seq_len=2048, batch_size=1))
    assert 9 <= p.total_gb <= 12, p.breakdown()
    # bf16 weights of an 8B model alone are over 16 GB.
    assert vp.plan(qlora_8b(quantization="none")).weights_gb * vp.GIB > 16 * GB


def test_the_8b_qlora_preset_fits_24gb():
    p = vp.plan(vp.preset_input("qlora-8b-24gb"))
    assert p.fits and p.total_gb <= 24 and p.headroom_gb == pytest.approx(24 - p.total_gb)
    assert not [w for w in p.warnings if w[0] in ("exceeds_gpu", "tight_headroom")]
    for key in vp.PRESETS:
        assert vp.plan(vp.preset_input(key)).fits, key
    assert vp.PRESETS["qlora-8b-24gb"]["label"] == "QLoRA 7–8B on 24 GB"
    assert vp.preset_input("lora-3b-24gb", shape=S["qwen2.5-1.5b"]).shape == S["qwen2.5-1.5b"]
    with pytest.raises(UserError):
        vp.preset_input("nope")


def test_presets_mirror_the_train_configs():
    train_config = pytest.importorskip("app.core.train_config")
    assert set(vp.PRESETS) == set(train_config.PRESETS)
    for key in vp.PRESETS:
        cfg, inp = train_config.preset(key), vp.preset_input(key)
        ckpt = cfg.gradient_checkpointing
        if ckpt == "auto":  # what the planner decides for the preset's card
            ckpt = vp.decide_checkpointing(inp)["on"]
        mine = (inp.quantization, inp.compute_dtype, inp.lora_r, inp.lora_dropout, inp.target_modules,
                inp.seq_len, inp.batch_size, inp.gradient_checkpointing, inp.optimizer)
        theirs = (cfg.quantization, cfg.dtype, cfg.lora_r, cfg.lora_dropout, cfg.target_modules,
                  cfg.max_seq_len, cfg.batch_size, ckpt, cfg.optimizer)
        assert mine == theirs, key
        assert inp == vp.plan_input(cfg, S[vp.PRESETS[key]["shape"]], vp.PRESETS[key]["gpu_total_gb"],
                                    device=vp.PRESETS[key]["device"]), key


def test_plan_input_is_the_run_the_engine_launches():
    from app.core.train_config import TrainConfig

    cfg = TrainConfig(method="qlora", dtype="bfloat16", lora_r=32, lora_dropout=0.1, target_modules="attention",
                      max_seq_len=1024, batch_size=3, gradient_checkpointing=False, optimizer="paged_adamw_8bit")
    inp = vp.plan_input(cfg, S["qwen2.5-7b"], 16)
    assert inp == vp.PlanInput(
        shape=S["qwen2.5-7b"], quantization="4bit", compute_dtype="bfloat16", lora_r=32, target_modules="attention",
        seq_len=1024, batch_size=3, gradient_checkpointing=False, optimizer="paged_adamw_8bit", gpu_total_gb=16.0,
        lora_dropout=0.1, autocast=True, upcast_frozen_fp32=False, device="cuda", label_loss=True)
    # Half precision trains under autocast, float32 without; a method "lora" base is not quantized.
    half = vp.plan_input(TrainConfig(dtype="float16"), S["smollm2-135m"], 8, device="cpu")
    assert (half.compute_dtype, half.autocast, half.quantization, half.device) == ("float16", True, "none", "cpu")
    assert vp.plan_input(TrainConfig(dtype="float32"), S["smollm2-135m"], 24).autocast is False


def test_the_8b_qlora_preset_keeps_frozen_weights_16_bit():
    """The engine stopped upcasting a quantized base's embeddings, lm_head and norms to fp32 (it cost
    ~3.4 GiB on this run); the preset's figure must not assume it either."""
    inp = vp.preset_input("qlora-8b-24gb")
    assert inp.upcast_frozen_fp32 is False
    assert inp.label_loss is True  # the engine's loss over label tokens in chunks (label_loss.py)
    full = inp.with_(label_loss=False)  # the model's own loss, as measured on a GPU (docs/gpu-results.md)
    p, upcast = vp.plan(full), vp.plan(full.with_(upcast_frozen_fp32=True))
    assert upcast.total_gb - p.total_gb > 3
    assert p.total_gb == pytest.approx(14.63, abs=0.01) and upcast.total_gb == pytest.approx(18.92, abs=0.01)
    assert vp.plan(inp).total_gb == pytest.approx(9.88, abs=0.01)  # one chunk of logits instead of 4,096
    w = vp.weights_bytes(inp.shape, "4bit", "bfloat16")
    assert p.weights_gb * vp.GIB == pytest.approx(w["quantized"] + w["other"])  # embeddings/lm_head in bf16
    assert vp.preset_input("qlora-8b-24gb", gpu_total_gb=16).gpu_total_gb == 16
    assert vp.preset_input("cpu-demo", device="cuda").device == "cuda"


def test_8b_bf16_lora_at_4096_x8_without_checkpointing_does_not_fit():
    inp = qlora_8b(quantization="none", seq_len=4096, batch_size=8, gradient_checkpointing=False,
                   optimizer="adamw_torch")
    p = vp.plan(inp)
    assert not p.fits and p.headroom_gb < 0
    codes = [code for code, _ in p.warnings]
    assert "exceeds_gpu" in codes
    assert all(isinstance(msg, str) and msg for _, msg in p.warnings)
    assert vp.largest_fitting(inp, "batch_size") is None


def test_a_plan_that_only_fits_with_checkpointing_says_so():
    inp = qlora_8b(seq_len=4096, batch_size=1, gradient_checkpointing=False)
    p = vp.plan(inp)
    assert not p.fits and vp.plan(inp.with_(gradient_checkpointing=True)).fits
    assert "enable_gradient_checkpointing" in [c for c, _ in p.warnings]


@pytest.mark.parametrize("preset", sorted(vp.PRESETS))
@pytest.mark.parametrize("vary", ["batch_size", "seq_len"])
def test_largest_fitting_fits_and_the_next_does_not(preset, vary):
    inp = vp.preset_input(preset)
    best = vp.largest_fitting(inp, vary)
    assert best is not None
    assert vp.plan(inp.with_(**{vary: best})).fits
    if vary == "batch_size":
        candidates = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64]
    else:
        candidates = list(range(256, inp.shape.max_position_embeddings + 1, 256))
    assert best in candidates
    nxt = [c for c in candidates if c > best]
    if nxt:
        assert not vp.plan(inp.with_(**{vary: nxt[0]})).fits
    with pytest.raises(UserError):
        vp.largest_fitting(inp, "lora_r")


def test_largest_fitting_is_none_when_nothing_fits():
    inp = qlora_8b(quantization="none", gpu_total_gb=8)
    assert vp.largest_fitting(inp, "batch_size") is None
    assert vp.largest_fitting(inp, "seq_len") is None


def test_warnings():
    def codes(**kw):
        return [c for c, _ in vp.plan(qlora_8b(**kw)).warnings]

    assert "seq_len_exceeds_model_max" in codes(seq_len=16384)
    cpu = codes(device="cpu", gpu_total_gb=64)
    assert "paged_optimizer_on_cpu" in cpu and "quantization_on_cpu" in cpu
    assert "paged_optimizer_on_cpu" not in codes()
    assert "large_vocab_logits" in codes(seq_len=4096, batch_size=4, gpu_total_gb=80)
    assert "tight_headroom" in codes(batch_size=3, gpu_total_gb=vp.plan(qlora_8b(batch_size=3)).total_gb + 0.5)
    odd = dataclasses.replace(S["llama-3-8b"], architecture="falcon")
    assert "unverified_architecture" in [c for c, _ in vp.plan(vp.PlanInput(shape=odd)).warnings]
    assert codes() == codes()  # deterministic


def test_cpu_plans_have_no_cuda_overhead():
    p = vp.plan(vp.preset_input("cpu-demo"))
    assert p.overhead_gb == 0 and p.total_gb == pytest.approx(p.allocated_gb)
    g = vp.plan(vp.preset_input("qlora-8b-24gb"))
    assert g.overhead_gb == pytest.approx(vp.CUDA_CONTEXT_GIB + vp.FRAGMENTATION * g.allocated_gb)


def test_plan_is_json_friendly():
    p = vp.plan(vp.preset_input("qlora-8b-24gb"))
    data = json.loads(json.dumps(p.to_dict()))
    assert data["fits"] is True and data["settings"]["quantization"] == "4bit"
    assert data["total_gb"] == pytest.approx(p.total_gb, abs=1e-4)
    assert sum(p.breakdown()[k] for k in ("weights", "lora_and_optimizer", "activations", "overhead")) \
        == pytest.approx(p.total_gb)


def test_planner_imports_nothing_heavy(engine_env):
    code = ("import sys, app.core.vram_planner as vp\n"
            "vp.plan(vp.preset_input('qlora-8b-24gb')); vp.largest_fitting(vp.preset_input('cpu-demo'), 'seq_len')\n"
            "print([m for m in ('torch', 'transformers', 'peft', 'bitsandbytes', 'numpy') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], env=engine_env, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stderr


# === against the real stack (torch, transformers, peft, bitsandbytes on CPU) =====================

@pytest.fixture(scope="module")
def hf():
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    peft = pytest.importorskip("peft")
    return types.SimpleNamespace(torch=torch, transformers=transformers, peft=peft)


@contextlib.contextmanager
def _quiet():
    """The third-party stack warns about its own internals (bitsandbytes on CPU, deprecations):
    not what these tests are about, and the suite turns warnings into errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _config(hf, cfg: dict):
    return hf.transformers.AutoConfig.for_model(**cfg)


def _meta_model(hf, cfg: dict):
    with _quiet(), hf.torch.device("meta"):
        return hf.transformers.AutoModelForCausalLM.from_config(_config(hf, cfg))


TINY = {
    "llama": dict(model_type="llama", hidden_size=256, intermediate_size=688, num_hidden_layers=2,
                  num_attention_heads=8, num_key_value_heads=2, vocab_size=1000, tie_word_embeddings=False),
    "llama-tied-headdim-bias": dict(model_type="llama", hidden_size=192, intermediate_size=512,
                                    num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2,
                                    head_dim=64, vocab_size=777, tie_word_embeddings=True,
                                    attention_bias=True, mlp_bias=True),
    "qwen2": dict(model_type="qwen2", hidden_size=256, intermediate_size=704, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, vocab_size=1000, tie_word_embeddings=True),
    "mistral": dict(model_type="mistral", hidden_size=320, intermediate_size=896, num_hidden_layers=2,
                    num_attention_heads=8, num_key_value_heads=2, head_dim=48, vocab_size=900,
                    tie_word_embeddings=False),
    "qwen3": dict(model_type="qwen3", hidden_size=256, intermediate_size=512, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=96, vocab_size=1000,
                  tie_word_embeddings=False),
    "gemma": dict(model_type="gemma", hidden_size=256, intermediate_size=768, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=1, head_dim=128, vocab_size=1000),
    "gemma2": dict(model_type="gemma2", hidden_size=256, intermediate_size=768, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, head_dim=64, vocab_size=1000),
}
MEDIUM = dict(model_type="llama", hidden_size=2048, intermediate_size=5632, num_hidden_layers=4,
              num_attention_heads=32, num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=False)
PARAM_CASES = {**TINY, "medium-llama": MEDIUM, **{f"ref:{k}": v for k, v in vp.REFERENCE_CONFIGS.items()}}


@pytest.mark.parametrize("name", sorted(PARAM_CASES))
def test_parameter_count_matches_transformers(hf, name):
    cfg = PARAM_CASES[name]
    model = _meta_model(hf, cfg)
    real = sum(p.numel() for p in model.parameters())  # tied weights are one Parameter
    shape = vp.ModelShape.from_config_dict(_config(hf, cfg).to_dict())
    assert shape.n_params == real
    assert vp.ModelShape.from_config_dict(cfg).n_params == real  # the raw config.json, defaults filled
    # The split the weights formula relies on: every linear of the decoder layers vs. the rest.
    linear = sum(m.weight.numel() for n, m in model.named_modules()
                 if isinstance(m, hf.torch.nn.Linear) and ".layers." in n)
    assert shape.param_breakdown()["linear"] == linear


def _attention_names():
    return ["q_proj", "k_proj", "v_proj", "o_proj"]


@pytest.mark.parametrize("name", ["llama", "qwen2", "qwen3", "gemma", "ref:smollm2-135m", "ref:llama-3-8b"])
@pytest.mark.parametrize("target", vp.TARGETS)
def test_lora_parameter_count_matches_peft(hf, name, target):
    cfg = PARAM_CASES[name]
    model = _meta_model(hf, cfg)
    targets = _attention_names() if target == "attention" else "all-linear"
    with _quiet(), hf.torch.device("meta"):
        peft_model = hf.peft.get_peft_model(model, hf.peft.LoraConfig(r=8, target_modules=targets,
                                                                       task_type="CAUSAL_LM"))
    trainable, _ = peft_model.get_nb_trainable_parameters()
    assert vp.lora_param_count(vp.ModelShape.from_config_dict(cfg), 8, target) == trainable


def _real_model(hf, cfg: dict, quantization: str, dtype: str, tmp_path, upcast: bool = False,
                init: bool = True):
    """A random-weight model on CPU, loaded the way the train engine loads it. ``init=False`` skips
    the weight initialisation (uninitialised memory: fine where only sizes matter)."""
    torch, tr = hf.torch, hf.transformers
    torch_dtype = getattr(torch, dtype)
    with _quiet():
        torch.manual_seed(0)
        if init:
            model = tr.AutoModelForCausalLM.from_config(_config(hf, cfg), dtype=torch_dtype,
                                                        attn_implementation="sdpa")
        else:
            with torch.device("meta"):
                model = tr.AutoModelForCausalLM.from_config(_config(hf, cfg), dtype=torch_dtype,
                                                            attn_implementation="sdpa")
            model = model.to_empty(device="cpu")
            model.tie_weights()  # to_empty gives tied parameters separate storage
        if quantization == "none":
            return model
        pytest.importorskip("bitsandbytes")
        folder = tmp_path / f"ckpt-{len(list(tmp_path.iterdir()))}"
        model.save_pretrained(folder)
        if quantization == "4bit":
            q = tr.BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                      bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch_dtype)
        else:
            q = tr.BitsAndBytesConfig(load_in_8bit=True)
        model = tr.AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype, quantization_config=q,
                                                        attn_implementation="sdpa")
        if upcast:
            model = hf.peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def _model_storages(model) -> dict[int, int]:
    """data_ptr -> bytes of every tensor the model holds: parameters, buffers, and bitsandbytes'
    quantization state (absmax, nested absmax, code books, offset, 8-bit row scales)."""
    out: dict[int, int] = {}

    def add(t):
        if t is not None and hasattr(t, "untyped_storage"):
            st = t.untyped_storage()
            out[st.data_ptr()] = st.nbytes()

    for p in model.parameters():
        add(p)
    for mod in model.modules():
        w = getattr(mod, "weight", None)
        qs = getattr(w, "quant_state", None)
        if qs is not None:
            for t in (qs.absmax, qs.code, qs.offset):
                add(t)
            if qs.state2 is not None:
                add(qs.state2.absmax)
                add(qs.state2.code)
        add(getattr(w, "SCB", None))
    return out


@pytest.mark.parametrize("quant", vp.QUANTIZATIONS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_weight_bytes_match_real_tensors_tiny(hf, tmp_path, quant, dtype):
    cfg = TINY["llama-tied-headdim-bias"] if dtype == "float32" else TINY["qwen2"]
    model = _real_model(hf, cfg, quant, dtype, tmp_path)
    measured = sum(_model_storages(model).values())
    w = vp.weights_bytes(vp.ModelShape.from_config_dict(cfg), quant, dtype)
    assert w["quantized"] + w["other"] == measured


@pytest.mark.parametrize("quant", ["4bit", "8bit"])
def test_weight_bytes_match_real_tensors_smollm2_upcast(hf, tmp_path, quant):
    """The bundled model's shape, loaded like the engine loads a quantized base. Four of its 30
    layers (CPU quantization of all of them takes ~15 s); every layer is the same."""
    cfg = dict(vp.REFERENCE_CONFIGS["smollm2-135m"], num_hidden_layers=4)
    model = _real_model(hf, cfg, quant, "bfloat16", tmp_path, upcast=True, init=False)
    measured = sum(_model_storages(model).values())
    w = vp.weights_bytes(vp.ModelShape.from_config_dict(cfg), quant, "bfloat16", upcast_frozen_fp32=True)
    assert w["quantized"] + w["other"] == measured


def _lora_and_optimizer_measured(hf, model, target, r, optimizer):
    torch, peft = hf.torch, hf.peft
    targets = _attention_names() if target == "attention" else "all-linear"
    with _quiet():
        model = peft.get_peft_model(model, peft.LoraConfig(r=r, target_modules=targets, task_type="CAUSAL_LM"))
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = torch.zeros_like(p)
    if optimizer == "adamw_torch":
        opt = torch.optim.AdamW(params, lr=1e-4, foreach=False)
    else:
        bnb = pytest.importorskip("bitsandbytes")
        opt = bnb.optim.AdamW8bit(params, lr=1e-4)  # the paged variant's states, unpaged (CPU)
    with _quiet():
        opt.step()
    seen: dict[int, int] = {}
    for p in params:
        for t in (p, p.grad):
            seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        for key, t in opt.state[p].items():
            # qmap1/qmap2: two 256-entry code books shared by every parameter; the step counter.
            if torch.is_tensor(t) and not key.startswith("qmap") and key != "step":
                seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return sum(seen.values()), sum(p.numel() for p in params)


@pytest.mark.parametrize("name,target,r,optimizer", [
    ("llama", "all-linear", 16, "adamw_torch"),
    ("qwen2", "attention", 8, "paged_adamw_8bit"),
    ("smollm2-135m", "all-linear", 16, "paged_adamw_8bit"),
    ("smollm2-135m", "attention", 8, "adamw_torch"),
])
def test_lora_and_optimizer_bytes_match_real_tensors(hf, tmp_path, name, target, r, optimizer):
    cfg = vp.REFERENCE_CONFIGS.get(name) or TINY[name]
    model = _real_model(hf, cfg, "none", "bfloat16", tmp_path, init=False)
    measured, n = _lora_and_optimizer_measured(hf, model, target, r, optimizer)
    inp = vp.PlanInput(shape=vp.ModelShape.from_config_dict(cfg), quantization="none", lora_r=r,
                       target_modules=target, optimizer=optimizer)
    lo = vp.lora_and_optimizer_bytes(inp)
    assert lo["lora_params"] == n
    assert lo["params"] + lo["grads"] + lo["optimizer_states"] == measured


# --- activations ------------------------------------------------------------------------------

@pytest.fixture
def cuda_autocast_check(hf, monkeypatch):
    """Let ``torch.is_autocast_enabled()`` (no argument: CUDA) report CPU autocast, as a GPU run's
    would report CUDA autocast. peft's bitsandbytes LoRA layers branch on exactly this call."""
    torch = hf.torch
    real = torch.is_autocast_enabled
    monkeypatch.setattr(torch, "is_autocast_enabled", lambda *a: real(*a) if a else real("cpu"))


def _saved_bytes(hf, model, ids, autocast: bool) -> int:
    """Bytes of the distinct storages autograd saves for backward in one forward (the model's own
    tensors excluded)."""
    torch = hf.torch
    own = set(_model_storages(model))
    own |= {b.untyped_storage().data_ptr() for b in model.buffers()}
    saved: dict[int, int] = {}

    def pack(t):
        st = t.untyped_storage()
        if st.data_ptr() not in own:
            saved[st.data_ptr()] = st.nbytes()
        return t

    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
    with _quiet(), ctx, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(input_ids=ids, labels=ids)
    return sum(saved.values())


def _peft(hf, model, target, r, dropout):
    targets = _attention_names() if target == "attention" else "all-linear"
    with _quiet():
        model = hf.peft.get_peft_model(model, hf.peft.LoraConfig(
            r=r, lora_dropout=dropout, target_modules=targets, task_type="CAUSAL_LM"))
        model.enable_input_require_grads()
    model.train()
    return model


ACT_CASES = {
    # name: (config, quantization, dtype, autocast, upcast, target, dropout, device for the planner)
    "bf16-autocast-copy": (TINY["llama"], "none", "bfloat16", True, False, "all-linear", 0.0, "cuda"),
    "bf16-no-autocast": (TINY["llama"], "none", "bfloat16", False, False, "all-linear", 0.0, "cuda"),
    "fp32-shared": (TINY["llama"], "none", "float32", False, False, "all-linear", 0.0, "cuda"),
    "attention-only": (TINY["llama"], "none", "bfloat16", True, False, "attention", 0.0, "cuda"),
    "4bit-cuda-autocast": (TINY["llama"], "4bit", "bfloat16", True, False, "all-linear", 0.0, "cuda"),
    "4bit-upcast (engine)": (TINY["llama"], "4bit", "bfloat16", True, True, "all-linear", 0.0, "cuda"),
    "4bit-upcast-attention": (TINY["llama"], "4bit", "bfloat16", True, True, "attention", 0.0, "cuda"),
    "8bit-upcast": (TINY["llama"], "8bit", "bfloat16", True, True, "all-linear", 0.0, "cuda"),
    "dropout-cpu": (TINY["llama"], "none", "bfloat16", True, False, "all-linear", 0.1, "cpu"),
    "dropout-fp32-cpu": (TINY["llama"], "none", "float32", False, False, "all-linear", 0.1, "cpu"),
    "qwen2-4bit-upcast": (TINY["qwen2"], "4bit", "bfloat16", True, True, "all-linear", 0.0, "cuda"),
    "qwen3-qk-norm": (TINY["qwen3"], "none", "bfloat16", True, False, "all-linear", 0.0, "cuda"),
    "gemma-geglu-fp32": (TINY["gemma"], "none", "float32", False, False, "all-linear", 0.0, "cuda"),
}


@pytest.mark.parametrize("case", sorted(ACT_CASES))
def test_saved_activations_per_layer_match_autograd(hf, tmp_path, cuda_autocast_check, case):
    """One decoder layer's saved tensors: a 2-layer model minus a 1-layer model, to the byte."""
    cfg, quant, dtype, autocast, upcast, target, dropout, device = ACT_CASES[case]
    torch = hf.torch
    batch, seq, r = 2, 64, 8
    ids = torch.randint(0, cfg["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(0))
    per_model = []
    for layers in (1, 2):
        model = _real_model(hf, dict(cfg, num_hidden_layers=layers), quant, dtype, tmp_path, upcast)
        per_model.append(_saved_bytes(hf, _peft(hf, model, target, r, dropout), ids, autocast))
    shape = vp.ModelShape.from_config_dict(dict(cfg, num_hidden_layers=2))
    inp = vp.PlanInput(shape=shape, quantization=quant, compute_dtype=dtype, lora_r=r,
                       target_modules=target, seq_len=seq, batch_size=batch, lora_dropout=dropout,
                       autocast=autocast, upcast_frozen_fp32=upcast, device=device)
    terms = vp.activation_terms(inp)
    # Under autocast the half copies of one layer's adapter weights are saved too (the planner
    # books them with the LoRA weights).
    copies = vp.lora_and_optimizer_bytes(inp)["autocast_copies"] / shape.n_layers
    predicted = terms["layer_saved"] * batch * seq + terms["layer_constant"] + copies
    assert predicted == per_model[1] - per_model[0]


class _LiveBytes:
    """A dispatch mode that tracks the bytes of the storages created while it is active, and their
    peak: the CPU stand-in for torch.cuda.max_memory_allocated (the model's own tensors excluded)."""

    def __init__(self, hf, exclude):
        from torch.utils._python_dispatch import TorchDispatchMode
        from torch.utils._pytree import tree_flatten

        tracker = self

        class Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types_, args=(), kwargs=None):
                out = func(*args, **(kwargs or {}))
                for t in tree_flatten(out)[0]:
                    if isinstance(t, hf.torch.Tensor):
                        tracker.add(t.untyped_storage())
                return out

        self.mode, self.exclude, self.live, self.current, self.peak = Mode(), set(exclude), set(), 0, 0

    def add(self, storage):
        key = id(storage)
        if key in self.live or storage.data_ptr() in self.exclude:
            return
        n = storage.nbytes()
        self.live.add(key)
        self.current += n
        self.peak = max(self.peak, self.current)
        weakref.finalize(storage, self.free, key, n)

    def free(self, key, n):
        self.live.discard(key)
        self.current -= n


@pytest.mark.parametrize("checkpointing", [True, False], ids=["checkpointing", "no-checkpointing"])
def test_whole_step_peak_on_cpu_is_close(hf, tmp_path, cuda_autocast_check, checkpointing):
    """Forward + backward of the engine's QLoRA path on a small model: the live-tensor peak (grads
    included) against the planner's activations + LoRA grads + autocast copies."""
    torch = hf.torch
    cfg = dict(TINY["llama"], num_hidden_layers=4, vocab_size=8000)
    batch, seq, r = 2, 256, 16
    model = _real_model(hf, cfg, "4bit", "bfloat16", tmp_path, upcast=True)
    model = _peft(hf, model, "all-linear", r, 0.0)
    if checkpointing:
        with _quiet():
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    ids = torch.randint(0, cfg["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(0))
    tracker = _LiveBytes(hf, set(_model_storages(model)) | {b.untyped_storage().data_ptr() for b in model.buffers()})
    with _quiet(), tracker.mode:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
    inp = vp.PlanInput(shape=vp.ModelShape.from_config_dict(cfg), seq_len=seq, batch_size=batch, lora_r=r,
                       gradient_checkpointing=checkpointing, upcast_frozen_fp32=True, optimizer="adamw_torch")
    lo = vp.lora_and_optimizer_bytes(inp)
    act = vp.activations_bytes(inp)
    predicted = (lo["grads"] + lo["autocast_copies"] + act["stored"] + act["moving"]
                 + act["dequant_workspace"] + act["lm_head_cast"])
    assert -0.05 <= (predicted - tracker.peak) / tracker.peak <= 0.10, (predicted, tracker.peak)


def test_automatic_checkpointing_is_off_when_the_step_fits_with_a_margin_and_on_when_not():
    """gradient_checkpointing "auto": the planner leaves it off (about 30 % faster) when the step
    fits the card with a tenth to spare, and turns it on when it would not; plan_input applies it."""
    from app.core import train_config

    small = qlora_8b(seq_len=512, batch_size=1)
    d = vp.decide_checkpointing(small)
    assert d["on"] is False and d["code"] == "ckpt.fits_without"
    p = d["params"]
    assert p["without_gb"] + p["margin_gb"] <= p["card_gb"] == 24.0
    long = qlora_8b(seq_len=16384, batch_size=1)
    d = vp.decide_checkpointing(long)
    p = d["params"]
    assert d["on"] is True and d["code"] == "ckpt.needed" and p["with_gb"] < p["without_gb"]
    assert p["without_gb"] + p["margin_gb"] > 24.0
    # the margin: a step that fits with less than a tenth free still gets checkpointing
    inp = qlora_8b(seq_len=4096, batch_size=1)
    without = vp.plan(inp.with_(gradient_checkpointing=False)).total_gb
    assert vp.decide_checkpointing(inp.with_(gpu_total_gb=without * 1.05))["on"] is True
    assert vp.decide_checkpointing(inp.with_(gpu_total_gb=without * 1.2))["on"] is False

    cfg = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl")
    assert cfg.gradient_checkpointing == "auto"
    shape = vp.REFERENCE_SHAPES["llama-3-8b"]
    assert vp.plan_input(cfg, shape, 24.0).gradient_checkpointing is (
        vp.decide_checkpointing(vp.plan_input(cfg, shape, 24.0))["on"])
    short_cfg = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl", max_seq_len=512,
                                    batch_size=1)
    assert vp.plan_input(short_cfg, shape, 24.0).gradient_checkpointing is False
    long_cfg = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl", max_seq_len=16384)
    assert vp.plan_input(long_cfg, shape, 24.0).gradient_checkpointing is True
    assert vp.plan_input(train_config.preset("qlora-8b-24gb", gradient_checkpointing=False), shape,
                         24.0).gradient_checkpointing is False


@pytest.mark.parametrize("checkpointing", [True, False], ids=["checkpointing", "no-checkpointing"])
def test_whole_step_peak_with_the_label_only_loss_is_close(hf, tmp_path, cuda_autocast_check, checkpointing,
                                                           monkeypatch):
    """The engine's label-only chunked loss (app/training/label_loss.py) on the same step: the
    planner's figure with ``label_loss`` against the live-tensor peak. Chunks of 128 rows on 512
    tokens, so the saving is visible at this size."""
    from app.training import label_loss

    torch = hf.torch
    monkeypatch.setattr(label_loss, "CHUNK", 128)
    monkeypatch.setattr(vp, "LABEL_LOSS_CHUNK", 128)
    cfg = dict(TINY["llama"], num_hidden_layers=4, vocab_size=8000)
    batch, seq, r = 2, 256, 16
    model = _real_model(hf, cfg, "4bit", "bfloat16", tmp_path, upcast=True)
    model = _peft(hf, model, "all-linear", r, 0.0)
    model.config.use_cache = False
    if checkpointing:
        with _quiet():
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    ids = torch.randint(0, cfg["vocab_size"], (batch, seq), generator=torch.Generator().manual_seed(0))
    decoder, head = label_loss.parts(model)
    tracker = _LiveBytes(hf, set(_model_storages(model)) | {b.untyped_storage().data_ptr() for b in model.buffers()})
    with _quiet(), tracker.mode:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = label_loss.loss(decoder, head, {"input_ids": ids, "labels": ids})
        loss.backward()
    inp = vp.PlanInput(shape=vp.ModelShape.from_config_dict(cfg), seq_len=seq, batch_size=batch, lora_r=r,
                       gradient_checkpointing=checkpointing, upcast_frozen_fp32=True, optimizer="adamw_torch",
                       label_loss=True)
    lo = vp.lora_and_optimizer_bytes(inp)
    act = vp.activations_bytes(inp)
    predicted = (lo["grads"] + lo["autocast_copies"] + act["stored"] + act["moving"]
                 + act["dequant_workspace"] + act["lm_head_cast"])
    full = vp.activations_bytes(inp.with_(label_loss=False))
    print(f"\nlabel-only peak {tracker.peak / 2**20:.1f} MiB, predicted {predicted / 2**20:.1f} MiB; "
          f"full-logits prediction {(full['moving'] - act['moving']) / 2**20:.1f} MiB more")
    assert -0.05 <= (predicted - tracker.peak) / tracker.peak <= 0.10, (predicted, tracker.peak)
