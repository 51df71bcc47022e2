"""The sweep launcher, opened from the launch form: which settings vary and over what range, the
objective, how many trials. It builds the SPACE of ``ai-platform sweep`` (app/core/sweeps.py) from
the form's settings; the batch size and sequence length stop where the VRAM planner says the
largest combination still fits the card.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox,
    QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget,
)

from app.core import sweeps, vram_planner
from app.core.errors import UserError
from app.views.error_texts import user_error_text

# name, integer?, log scale by default
SWEEPABLE = (("learning_rate", False, True), ("lora_r", True, False), ("lora_alpha", False, False),
             ("lora_dropout", False, False), ("epochs", False, False), ("batch_size", True, False),
             ("max_seq_len", True, False))


SETTING_NAMES = {
    "learning_rate": QT_TRANSLATE_NOOP("SweepSettings", "Learning rate"),
    "lora_r": QT_TRANSLATE_NOOP("SweepSettings", "LoRA rank"),
    "lora_alpha": QT_TRANSLATE_NOOP("SweepSettings", "LoRA alpha"),
    "lora_dropout": QT_TRANSLATE_NOOP("SweepSettings", "LoRA dropout"),
    "epochs": QT_TRANSLATE_NOOP("SweepSettings", "Epochs"),
    "batch_size": QT_TRANSLATE_NOOP("SweepSettings", "Batch size"),
    "max_seq_len": QT_TRANSLATE_NOOP("SweepSettings", "Max sequence length"),
    "warmup_ratio": QT_TRANSLATE_NOOP("SweepSettings", "Warm-up share"),
    "weight_decay": QT_TRANSLATE_NOOP("SweepSettings", "Weight decay"),
}


# (the metric's name, how the dialog offers it)
OBJECTIVE_NAMES = {
    "eval_loss": (QT_TRANSLATE_NOOP("SweepObjectives", "Held-out loss"),
                  QT_TRANSLATE_NOOP("SweepObjectives", "Held-out loss (lower is better)")),
    "perplexity": (QT_TRANSLATE_NOOP("SweepObjectives", "Perplexity"),
                   QT_TRANSLATE_NOOP("SweepObjectives", "Perplexity, measured by the evaluation (lower is better)")),
    "exact_match": (QT_TRANSLATE_NOOP("SweepObjectives", "Exact match"),
                    QT_TRANSLATE_NOOP("SweepObjectives", "Exact match of the answers (higher is better)")),
    "rouge_l": (QT_TRANSLATE_NOOP("SweepObjectives", "ROUGE-L"),
                QT_TRANSLATE_NOOP("SweepObjectives", "ROUGE-L of the answers (higher is better)")),
    "bleu": (QT_TRANSLATE_NOOP("SweepObjectives", "BLEU"),
             QT_TRANSLATE_NOOP("SweepObjectives", "BLEU of the answers (higher is better)")),
    "chrf": (QT_TRANSLATE_NOOP("SweepObjectives", "chrF"),
             QT_TRANSLATE_NOOP("SweepObjectives", "chrF of the answers (higher is better)")),
}


def objective_name(key: str) -> str:
    """The objective as a column or axis title."""
    name = OBJECTIVE_NAMES.get(key, (key, key))[0]
    return QCoreApplication.translate("SweepObjectives", name)


def objective_choice(key: str) -> str:
    """The objective as the dialog offers it."""
    choice = OBJECTIVE_NAMES.get(key, (key, key))[1]
    return QCoreApplication.translate("SweepObjectives", choice)


def param_texts(_obj: QObject | None = None) -> dict[str, str]:
    """The settings a sweep can vary, as a person reads them (one context for the dialog and the view)."""
    return {key: QCoreApplication.translate("SweepSettings", text) for key, text in SETTING_NAMES.items()}


def default_range(key: str, value: float) -> tuple[float, float]:
    """A first range around the form's value: a person narrows it, the planner caps it."""
    if key == "learning_rate":
        return value / 3, min(1.0, value * 3)
    if key == "lora_r":
        return max(1, int(value) // 2), int(value) * 2
    if key == "lora_alpha":
        return max(0.1, value / 2), value * 2
    if key == "lora_dropout":
        return 0.0, 0.1
    if key == "epochs":
        return max(0.1, value / 2), value * 2
    if key == "batch_size":
        return max(1, int(value) // 2), max(1, int(value)) * 2
    return max(16, int(value) // 2), int(value)


class SweepDialog(QDialog):
    def __init__(self, form, parent: QWidget | None = None):
        super().__init__(parent or form)
        self.form = form
        self.setObjectName("sweep-dialog")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        top = QFormLayout()
        self.name = QLineEdit()
        self.name_label = QLabel()
        self.objective = QComboBox()
        for key in sweeps.OBJECTIVES:
            self.objective.addItem("", key)
        self.objective_label = QLabel()
        self.trials = QSpinBox(minimum=1, maximum=500, value=8)
        self.trials_label = QLabel()
        top.addRow(self.name_label, self.name)
        top.addRow(self.objective_label, self.objective)
        top.addRow(self.trials_label, self.trials)
        layout.addLayout(top)

        self.box = QGroupBox()
        grid = QGridLayout(self.box)
        self.header = [QLabel(), QLabel(), QLabel(), QLabel()]
        for col, label in enumerate(self.header):
            label.setObjectName("Muted")
            grid.addWidget(label, 0, col)
        self.vary: dict[str, QCheckBox] = {}
        self.low: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self.high: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self.log: dict[str, QCheckBox] = {}
        current = self._current()
        for row, (key, integer, log) in enumerate(SWEEPABLE, start=1):
            self.vary[key] = QCheckBox()
            lo, hi = default_range(key, current[key])
            for side, value in ((self.low, lo), (self.high, hi)):
                if integer:
                    spin = QSpinBox(minimum=1 if key != "max_seq_len" else 16, maximum=131072 if key == "max_seq_len" else 4096)
                else:
                    decimals = 6 if key == "learning_rate" else 2
                    spin = QDoubleSpinBox(minimum=0.0 if key == "lora_dropout" else 10 ** -decimals,
                                          maximum={"learning_rate": 1.0, "lora_dropout": 0.9}.get(key, 4096.0),
                                          decimals=decimals, singleStep=10 ** -decimals * (10 if decimals == 6 else 5))
                spin.setValue(value)
                spin.valueChanged.connect(self._update_limits)
                side[key] = spin
            self.log[key] = QCheckBox()
            self.log[key].setChecked(log)
            self.log[key].setVisible(not integer or key == "lora_r")
            self.vary[key].toggled.connect(self._update_limits)
            grid.addWidget(self.vary[key], row, 0)
            grid.addWidget(self.low[key], row, 1)
            grid.addWidget(self.high[key], row, 2)
            grid.addWidget(self.log[key], row, 3)
        self.vary["learning_rate"].setChecked(True)
        self.vary["lora_r"].setChecked(True)
        layout.addWidget(self.box)

        self.limits = QLabel(wordWrap=True, objectName="Muted")
        layout.addWidget(self.limits)
        self.error = QLabel(wordWrap=True, objectName="Error")
        self.error.setVisible(False)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.fits: dict[str, int | None] = {}
        self.retranslate_ui()
        self._update_limits()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Sweep training settings"))
        self.name_label.setText(self.tr("Sweep name"))
        self.objective_label.setText(self.tr("Objective"))
        for i in range(self.objective.count()):
            self.objective.setItemText(i, objective_choice(self.objective.itemData(i)))
        self.objective.setToolTip(self.tr("A metric other than the held-out loss is measured on each trial by the "
                                          "evaluation engine once it has trained (its answers to the validation "
                                          "prompts, beside the base model's), so each trial takes longer."))
        self.trials_label.setText(self.tr("Trials"))
        self.trials.setToolTip(self.tr("Each trial is one training run; a sweep started again resumes until "
                                       "this many have finished."))
        self.box.setTitle(self.tr("What varies"))
        for label, text in zip(self.header, (self.tr("Setting"), self.tr("From"), self.tr("To"),
                                             self.tr("Log scale"))):
            label.setText(text)
        texts = param_texts(self)
        for key, box in self.vary.items():
            box.setText(texts[key])
        for box in self.log.values():
            box.setText(self.tr("log"))
        self.name.setPlaceholderText(self._default_name())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Start sweep"))
        self._update_limits()

    # --- limits from the planner --------------------------------------------------------------
    def _current(self) -> dict[str, float]:
        f = self.form
        return {"learning_rate": f.learning_rate.value(), "lora_r": f.lora_r.value(), "lora_alpha": f.lora_alpha.value(),
                "lora_dropout": f.lora_dropout.value(), "epochs": f.epochs.value(), "batch_size": f.batch_size.value(),
                "max_seq_len": f.max_seq_len.value()}

    def _update_limits(self, *_) -> None:
        """The largest batch at the longest sequence tried, and the longest sequence at the largest batch."""
        if not hasattr(self, "limits"):
            return
        try:
            inp = self.form.plan_input()
        except UserError:
            return
        for key, box in self.vary.items():  # a range means something only for a setting that varies
            for w in (self.low[key], self.high[key], self.log[key]):
                w.setEnabled(box.isChecked())
        cur = self._current()
        top = {k: (self.high[k].value() if self.vary[k].isChecked() else cur[k])
               for k in ("batch_size", "max_seq_len", "lora_r")}
        inp = dataclasses.replace(inp, lora_r=int(top["lora_r"]))
        try:
            fit_batch = vram_planner.largest_fitting(dataclasses.replace(inp, seq_len=int(top["max_seq_len"])),
                                                     vary="batch_size")
            fit_seq = vram_planner.largest_fitting(dataclasses.replace(inp, batch_size=int(top["batch_size"])),
                                                   vary="seq_len")
        except UserError:
            fit_batch = fit_seq = None
        self.fits = {"batch_size": fit_batch, "max_seq_len": fit_seq}
        for key, fit in self.fits.items():
            for spin in (self.low[key], self.high[key]):
                spin.blockSignals(True)
                spin.setMaximum(max(spin.minimum(), fit) if fit else (131072 if key == "max_seq_len" else 4096))
                spin.blockSignals(False)
        card = inp.gpu_total_gb
        if fit_batch and fit_seq:
            self.limits.setText(self.tr(
                "On a {card:.0f} GB card the estimate allows a batch of up to {batch} at sequence length "
                "{seq_top}, and sequences of up to {seq} at batch {batch_top}; the ranges stop there.").format(
                    card=card, batch=fit_batch, seq_top=int(top["max_seq_len"]), seq=fit_seq,
                    batch_top=int(top["batch_size"])))
        else:
            self.limits.setText(self.tr("Nothing fits on this card with these settings."))
        if self.vary["epochs"].isChecked() and self.form.max_steps.value() > 0:
            self.limits.setText(self.limits.text() + " " + self.tr(
                "Epochs changes nothing while the form's Max steps is set ({steps}): set it to -1 to train by "
                "epochs.").format(steps=self.form.max_steps.value()))

    # --- the SPACE ----------------------------------------------------------------------------
    def _default_name(self) -> str:
        base = self.form.name.text().strip()
        ds_id = self.form.dataset.currentData()
        if not base and ds_id is not None:
            from app.core.datasets import DatasetStore

            try:  # the dataset's own name: the list's label carries its record count, in the user's language
                base = DatasetStore(self.form.ctx.db).get(ds_id).name
            except Exception:  # noqa: BLE001 - deleted meanwhile: the plain name below
                base = ""
        return sweeps.safe_name(f"{base or 'sweep'}-sweep")

    def params(self) -> dict[str, dict]:
        out = {}
        texts = param_texts(self)
        for key, integer, _log in SWEEPABLE:
            if not self.vary[key].isChecked():
                continue
            lo, hi = self.low[key].value(), self.high[key].value()
            if lo > hi:
                raise UserError(f"Sweep setting {texts[key]}: the range starts at {lo:g}, above where it ends ({hi:g}); "
                                "swap the two.", code="sweep.range_order",
                                params={"name": texts[key], "low": f"{lo:g}", "high": f"{hi:g}"})
            spec = {"low": int(lo) if integer else float(lo), "high": int(hi) if integer else float(hi)}
            if self.log[key].isChecked() and not self.log[key].isHidden():
                spec["log"] = True
            out[key] = spec
        if not out:
            raise UserError("Tick at least one setting to vary.", code="sweep.nothing_varies")
        return out

    def space(self) -> dict:
        """The SPACE of the form's settings with the chosen ranges, checked (UserError names what is wrong)."""
        cfg = self.form.config()
        if not cfg.val_path:
            raise UserError("This dataset has no validation split, and a sweep compares its trials on one: "
                            "import the dataset again with a validation share.", code="sweep.dataset_no_val")
        base = cfg.to_dict()
        base.pop("name", None)
        space = {"name": sweeps.safe_name(self.name.text().strip() or self._default_name()), "base": base,
                 "params": self.params(), "objective": self.objective.currentData()}
        return sweeps.check_space(space, space["name"])

    def _accept(self) -> None:
        try:
            self.result_space = self.space()
        except UserError as err:
            self.error.setText(user_error_text(err))
            self.error.setVisible(True)
            return
        self.accept()

