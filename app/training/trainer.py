"""The transformers Trainer, with atomic checkpoints (transformers imported on first use)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core import paths
from app.core.checkpoints import CHECKPOINT_PREFIX, TMP_CHECKPOINT_PREFIX, TRAINER_STATE
from app.training.packing import real_tokens

_TRAINER_CLASS: dict[type | None, type] = {}


def atomic_checkpoint_trainer(base: type | None = None) -> type:
    """A subclass of ``base`` (default: the transformers Trainer; TRL's DPO / ORPO trainers for
    preference tuning) that writes each checkpoint as ``.tmp-checkpoint-N/checkpoint-N`` and
    renames it to ``checkpoints/checkpoint-N`` once complete (trainer_state.json is the Trainer's
    last file), so a kill mid-save never leaves a ``checkpoint-N`` that resume could pick."""
    if base in _TRAINER_CLASS:
        return _TRAINER_CLASS[base]
    from transformers import Trainer
    from transformers.trainer_utils import rotate_checkpoints

    class AtomicCheckpointTrainer(base or Trainer):
        _staging: str | None = None
        label_loss = None  # (decoder, lm_head): the training loss over label tokens only (label_loss.py)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if self.label_loss is None or return_outputs or not model.training or "labels" not in inputs:
                return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                            num_items_in_batch=num_items_in_batch)
            from app.training import label_loss

            # normalised like the model's own loss would be, so the Trainer's scaling stays right
            items = num_items_in_batch if self.model_accepts_loss_kwargs else None
            return label_loss.loss(*self.label_loss, inputs, items)

        def _get_output_dir(self, trial):
            if self._staging is not None:
                return self._staging
            return super()._get_output_dir(trial)

        def _track_num_input_tokens(self, inputs):
            # Packed rows carry no attention mask, and the pad id is often the EOS a row also holds:
            # count the tokens that are not padding from the layout itself (app.training.packing).
            if (self.args.include_num_input_tokens_seen == "non_padding" and "attention_mask" not in inputs
                    and "position_ids" in inputs):
                self.state.num_input_tokens_seen += real_tokens(inputs)
                return
            super()._track_num_input_tokens(inputs)

        def _save_checkpoint(self, model, trial):
            # Every rank of a distributed run writes into the same staging folder (its RNG state,
            # its shard); rank 0 (should_save) makes the folder, checks the whole and renames it.
            root = Path(super()._get_output_dir(trial))
            step = self.state.global_step
            staging = root / f"{TMP_CHECKPOINT_PREFIX}{step}"
            main = self.args.should_save
            if main:
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir(parents=True)
            self.accelerator.wait_for_everyone()
            self._staging = str(staging)
            try:
                super()._save_checkpoint(model, trial)
            finally:
                self._staging = None
            self.accelerator.wait_for_everyone()
            if main:
                src = staging / f"{CHECKPOINT_PREFIX}{step}"
                if not (src / TRAINER_STATE).is_file():
                    raise RuntimeError(f"checkpoint {step} was not written completely")
                paths.fsync_tree(src)
                paths.install_dir(src, root / f"{CHECKPOINT_PREFIX}{step}")
                shutil.rmtree(staging, ignore_errors=True)
                rotate_checkpoints(output_dir=str(root), save_total_limit=self.args.save_total_limit,
                                   best_model_checkpoint=self.state.best_model_checkpoint)
            self.accelerator.wait_for_everyone()  # no rank goes on before the checkpoint exists

    _TRAINER_CLASS[base] = AtomicCheckpointTrainer
    return AtomicCheckpointTrainer
