"""The training panel charts a DPO / ORPO run's rewards, and only such a run's; the form offers the methods."""

from __future__ import annotations

from app.core import paths, protocol
from tests.unit.test_runs_index import write_run


def test_reward_charts_appear_for_a_preference_run(main_window):
    write_run(paths.runs_dir() / "r1-chat", [2.0, 1.0])
    write_run(paths.runs_dir() / "r2-dpo", [0.69, 0.6])
    manager = main_window.ctx.runs
    manager.reattach_all()
    main_window.show_panel("training")
    panel = main_window.panel("training")
    panel.select_run("r1-chat")
    detail = panel.detail
    assert detail.charts["rewards"].isHidden() and detail.charts["reward_accuracy"].isHidden()

    panel.select_run("r2-dpo")
    for step, acc, margin in ((1, 0.0, 0.0), (2, 0.5, 0.03), (3, 1.0, 0.11)):
        manager.run_event.emit("r2-dpo", protocol.Metric(step=step, values={
            "loss": 0.7 - step / 20, "reward_accuracy": acc, "reward_margin": margin,
            "reward_chosen": margin / 2, "reward_rejected": -margin / 2}))
    assert not detail.charts["rewards"].isHidden() and not detail.charts["reward_accuracy"].isHidden()
    assert detail.charts["reward_accuracy"].point_count("reward_accuracy") == 3
    assert detail.charts["rewards"].legend_labels() == ["margin", "chosen", "rejected"]
    main_window.ctx.set_language("zh_CN")
    assert detail.charts["reward_accuracy"].title_text().startswith("奖励准确率")
    assert detail.charts["rewards"].legend_labels() == ["差距", "选中", "拒绝"]
    main_window.ctx.set_language("en")


def test_the_launch_form_offers_the_methods(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    names = {form.method.itemData(i): form.method.itemText(i) for i in range(form.method.count())}
    assert names["dpo"] == "DPO (preference pairs)" and names["cpt"] == "Continued pretraining (raw text)"
    form.method.setCurrentIndex(form.method.findData("dpo"))
    assert form._settings_config().method == "dpo"
    assert any("twice the batch" in line for line in form.plan_warning.text().splitlines())


def test_beta_is_offered_for_the_preference_methods_only(main_window):
    main_window.show_panel("training")
    form = main_window.panel("training").form
    assert form.beta.isHidden()
    form.method.setCurrentIndex(form.method.findData("orpo"))
    assert not form.beta.isHidden() and form.labels["beta"].text() == "Preference beta (DPO, ORPO)"
    form.beta.setValue(0.25)
    assert form._settings_config().beta == 0.25
