"""The launch form's VRAM planner: reacts to settings, warns above the card, finds what fits."""

from __future__ import annotations


def test_planner_reacts_and_fits(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.apply_preset("qlora-8b-24gb")
    base = form.plan.total_gb
    form.batch_size.setValue(form.batch_size.value() * 4)
    assert form.plan.total_gb > base
    assert form.total_label.text().startswith("Predicted peak:")

    form.card_gb.setValue(2)
    assert not form.plan.fits
    assert "Needs about" in form.plan_warning.text()
    form.card_gb.setValue(24)
    form.max_seq_len.setValue(2048)
    form.fit_batch.click()
    fitted = form.batch_size.value()
    assert form.plan.fits
    form.batch_size.setValue(fitted + 1 if fitted < 8 else fitted * 2)
    # One past the largest that fits does not fit (or the search stopped at its ceiling).
    assert not form.plan.fits or fitted >= 64


def test_launch_without_dataset_says_what_to_do(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.launch_btn.click()
    assert form.form_error.isVisible() or not form.form_error.isHidden()
    assert "Choose a dataset first" in form.form_error.text()


def test_duplicate_loads_config_into_form(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.load_config({"lora_r": 32, "learning_rate": 5e-5, "method": "qlora", "target_modules": "attention"})
    assert form.lora_r.value() == 32
    assert abs(form.learning_rate.value() - 5e-5) < 1e-9
    assert form.quantization.currentData() == "4bit"
    assert form.targets.currentData() == "attention"


def test_models_registered_in_models_are_offered_as_base(main_window, tmp_path):
    """An imported (or merged, downloaded) model is in the launch form's list, as its folder."""
    import json

    from app.core.models_registry import ModelRegistry

    folder = tmp_path / "my-llama"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}))
    ModelRegistry(main_window.ctx.db).register_folder("My Llama", folder, "base")
    main_window.show_panel("training")
    form = main_window.panel("training").form
    i = form.model.findData(str(folder))
    assert i >= 0 and form.model.itemText(i) == "My Llama"
    assert form.model.itemData(form.model.count() - 1) == "__browse__"  # "Choose a model folder…" stays last


def test_each_preset_shows_the_planners_figure(main_window, tmp_path):
    """Chosen in the form, on its reference model and its card size, a training preset shows the figure
    the planner gives for that preset: one mapping from a TrainConfig to the planner, no second table."""
    import json

    from app.core import train_config, vram_planner

    main_window.show_panel("training")
    form = main_window.panel("training").form
    for key in train_config.PRESETS:
        where = vram_planner.PRESETS[key]
        folder = tmp_path / where["shape"]
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps(vram_planner.REFERENCE_CONFIGS[where["shape"]]))
        form.set_model(str(folder))
        form.card_gb.setValue(where["gpu_total_gb"])
        index = form.preset.findData(key)
        form.preset.setCurrentIndex(index)
        form.preset.activated.emit(index)  # what choosing it with the mouse does
        # The form always estimates a GPU run (cpu-demo's own figure is for the CPU: no CUDA context).
        expected = vram_planner.plan(vram_planner.preset_input(key, device="cuda"))
        assert form.plan.input == expected.input, key
        assert form.plan.total_gb == expected.total_gb, key
        assert form.total_label.text().startswith(f"Predicted peak: {expected.total_gb:.1f} GB"), key
        if where["device"] == "cuda":
            assert form.plan.total_gb == vram_planner.plan(vram_planner.preset_input(key)).total_gb, key


def test_packing_is_a_chat_fine_tuning_setting_that_reaches_the_config(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.apply_preset("cpu-demo")
    assert not form.packing.isChecked() and form._settings_config().packing is False  # off by default
    assert form.packing.toolTip() and not form.packing.isHidden()
    form.packing.setChecked(True)
    assert form._settings_config().packing is True
    form.load_config({"method": "lora"})  # a config written before the setting existed
    assert not form.packing.isChecked()
    for method, shown in (("dpo", False), ("cpt", False), ("qlora", True)):
        form.method.setCurrentIndex(form.method.findData(method))
        assert form.packing.isHidden() is not shown and form.labels["packing"].isHidden() is not shown


def test_processes_choose_a_strategy_and_show_the_memory_per_gpu(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form._no_gpu = lambda: False  # planning for a machine with GPUs (this one may have none)
    form.apply_preset("qlora-8b-24gb")
    assert form.processes.value() == 1 and form.strategy.isHidden() and form.per_gpu.isHidden()
    assert form._settings_config().distributed is None  # one process: no distributed block at all
    form.processes.setValue(2)
    assert not form.strategy.isHidden() and not form.per_gpu.isHidden()
    assert form.per_gpu.text().startswith("Per GPU with DDP on 2 GPUs:")
    form.card_gb.setValue(8)  # DDP keeps a whole copy per GPU: too much; a sharding strategy is cheaper
    ddp_text = form.per_gpu.text()
    form.strategy.setCurrentIndex(form.strategy.findData("zero3"))
    assert "ZeRO-3" in form.per_gpu.text() and form.per_gpu.text() != ddp_text
    cfg = form._settings_config(dataset_path="data.jsonl").validate()
    assert cfg.distributed["strategy"] == "zero3" and cfg.distributed["processes"] == 2
    form.load_config({"method": "lora"})  # a config without the block: back to one process
    assert form.processes.value() == 1 and form.strategy.isHidden()
    form.load_config({"method": "lora", "distributed": {"strategy": "fsdp", "processes": 4}})
    assert form.processes.value() == 4 and form.strategy.currentData() == "fsdp"


def test_without_a_gpu_processes_are_cpu_ddp_and_sharding_is_refused_before_a_run(main_window, sample_dataset_file):
    import os

    from app.core.datasets import DatasetStore

    chosen = DatasetStore(main_window.ctx.db).import_file(sample_dataset_file, name="Aurora").id
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form._no_gpu = lambda: True  # the GPU monitor found no NVIDIA GPU
    form.reload_choices()
    form.dataset.setCurrentIndex(form.dataset.findData(chosen))
    form.processes.setValue((os.cpu_count() or 1) + 1)
    text = form.per_gpu.text()
    assert text.startswith("No GPU:") and "DDP" in text and "More processes than CPU cores" in text
    form.processes.setValue(2)
    assert "More processes" not in form.per_gpu.text()
    form.strategy.setCurrentIndex(form.strategy.findData("fsdp"))
    launched = []
    form.launch_requested.connect(lambda *a: launched.append(a))
    form.launch()
    assert not launched and not form.form_error.isHidden()
    assert "FSDP needs CUDA GPUs" in form.form_error.text() and "DDP" in form.form_error.text()


def test_automatic_checkpointing_says_what_the_planner_decided_for_the_card(main_window):
    """"Automatic" (the default for GPU presets) shows the decision and why, follows the card and
    sequence length, and reaches the config as "auto"; On / Off are the config's true / false."""
    main_window.show_panel("training")
    form = main_window.panel("training").form
    form.apply_preset("qlora-8b-24gb")
    assert form.gradient_checkpointing.currentData() == "auto"
    form.max_seq_len.setValue(512)
    form.batch_size.setValue(1)
    assert form.ckpt_note.isVisibleTo(form)
    assert form.ckpt_note.text().startswith("Gradient checkpointing: off.") and "24 GB" in form.ckpt_note.text()
    assert form.plan.input.gradient_checkpointing is False
    off_total = form.plan.total_gb
    form.max_seq_len.setValue(16384)
    form.card_gb.setValue(12)
    assert form.ckpt_note.text().startswith("Gradient checkpointing: on.")
    assert form.plan.input.gradient_checkpointing is True
    assert form._settings_config().gradient_checkpointing == "auto"

    form.card_gb.setValue(24)
    form.max_seq_len.setValue(512)
    form.gradient_checkpointing.setCurrentIndex(form.gradient_checkpointing.findData("on"))
    assert not form.ckpt_note.isVisibleTo(form)
    assert form._settings_config().gradient_checkpointing is True and form.plan.total_gb < off_total
    form.load_config({"gradient_checkpointing": False})
    assert form.gradient_checkpointing.currentData() == "off"
    form.load_config({"gradient_checkpointing": "auto"})
    assert form.gradient_checkpointing.currentData() == "auto"
    main_window.ctx.set_language("zh_CN")
    try:
        assert form.ckpt_note.text().startswith("梯度检查点：")
        assert form.gradient_checkpointing.currentText() == "自动（由规划器决定）"
    finally:
        main_window.ctx.set_language("en")
