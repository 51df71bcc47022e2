"""The label-only, chunked training loss (app/training/label_loss.py) equals the model's own.

Tiny models built from a config (Llama and Qwen2 shapes) with a LoRA adapter whose both factors
are random, so every adapter weight gets a gradient. The loss and every gradient are compared with
the model's forward + ``ForCausalLMLoss`` on the same batch: a padded batch with its prompt masked,
and a packed row (position ids restarting per example), over several chunks."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")

from app.training import label_loss  # noqa: E402


def tiny(kind: str):
    torch.manual_seed(0)
    common = dict(vocab_size=320, hidden_size=48, intermediate_size=96, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128)
    if kind == "llama":
        config = transformers.LlamaConfig(**common, tie_word_embeddings=True)
        model = transformers.LlamaForCausalLM(config)
    else:
        config = transformers.Qwen2Config(**common, tie_word_embeddings=False)
        model = transformers.Qwen2ForCausalLM(config)
    model.config.use_cache = False  # as the engine loads it: packed rows are then kept apart
    lora = peft.LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False,
                           task_type="CAUSAL_LM")
    return peft.get_peft_model(model, lora).float()


def padded_batch():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(3, 320, (2, 20), generator=g)
    mask = torch.ones_like(ids)
    mask[1, 14:] = 0  # the second example is shorter: padding at its end
    labels = ids.clone()
    labels[0, :8] = -100  # the prompts
    labels[1, :5] = -100
    labels[mask == 0] = -100
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def packed_batch():
    g = torch.Generator().manual_seed(2)
    ids = torch.randint(3, 320, (1, 24), generator=g)
    positions = torch.cat([torch.arange(10), torch.arange(14)]).unsqueeze(0)  # two examples in one row
    labels = ids.clone()
    labels[0, :4] = -100
    labels[0, 10] = -100  # an example's first token is never predicted from the one before it
    labels[0, 10:15] = -100
    return {"input_ids": ids, "position_ids": positions, "labels": labels}


def grads(model):
    return {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


@pytest.mark.parametrize("kind", ["llama", "qwen2"])
@pytest.mark.parametrize("make", [padded_batch, packed_batch])
@pytest.mark.parametrize("items", [None, 37])
def test_loss_and_gradients_equal_the_models_own(kind, make, items, monkeypatch):
    monkeypatch.setattr(label_loss, "CHUNK", 4)  # several chunks, one of them short
    model = tiny(kind)
    batch = make()
    kwargs = {} if items is None else {"num_items_in_batch": items}
    model.zero_grad()
    want = model(**batch, **kwargs).loss
    want.backward()
    want_grads = grads(model)

    found = label_loss.parts(model)
    assert found is not None
    model.zero_grad()
    got = label_loss.loss(*found, batch, items)
    got.backward()
    got_grads = grads(model)
    assert got.item() == pytest.approx(want.item(), rel=1e-5)
    assert set(got_grads) == set(want_grads) and len(got_grads) > 10
    for name, g in want_grads.items():
        assert torch.allclose(got_grads[name], g, rtol=1e-4, atol=1e-6), name


def test_models_whose_logits_are_scaled_keep_their_own_loss(monkeypatch):
    model = tiny("llama")
    model.get_base_model().config.final_logit_softcapping = 30.0
    assert label_loss.parts(model) is None
    model.get_base_model().config.final_logit_softcapping = None
    assert label_loss.parts(model) is not None
    monkeypatch.setenv("AI_PLATFORM_TRAIN_FULL_LOGITS", "1")
    assert label_loss.parts(model) is None


def test_a_batch_without_labels_gives_a_zero_that_backpropagates():
    model = tiny("llama")
    batch = padded_batch()
    batch["labels"][:] = -100
    loss = label_loss.loss(*label_loss.parts(model), batch)
    loss.backward()
    assert loss.item() == 0.0


def test_the_planner_follows_the_label_only_loss():
    """The planner plans one chunk's logits for the runs that use it (chat fine-tuning of the
    supported architectures, one process): a 152k-vocabulary model at 4096 tokens needs far less."""
    from app.core import train_config, vram_planner as vp

    assert vp.LABEL_LOSS_CHUNK == label_loss.CHUNK and vp.LABEL_LOSS_ARCHITECTURES == label_loss.SUPPORTED
    shape = vp.REFERENCE_SHAPES["qwen2.5-7b"] if "qwen2.5-7b" in vp.REFERENCE_SHAPES else vp.REFERENCE_SHAPES["llama-3-8b"]
    cfg = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl", max_seq_len=4096,
                              gradient_checkpointing=True)
    inp = vp.plan_input(cfg, shape, 24.0)
    assert inp.label_loss is True
    full = vp.plan(inp.with_(label_loss=False))
    chunked = vp.plan(inp)
    logits_gb = 12 * shape.vocab_size * inp.tokens / 2 ** 30
    assert full.total_gb - chunked.total_gb > 0.5 * logits_gb
    dpo = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl", method="dpo",
                              quantization="4bit")
    assert vp.plan_input(dpo, shape, 24.0).label_loss is False  # TRL computes its own loss
    ddp = train_config.preset("qlora-8b-24gb", base_model="/m", dataset_path="/d.jsonl",
                              distributed={"strategy": "ddp", "processes": 2})
    assert vp.plan_input(ddp, shape, 24.0).label_loss is False
