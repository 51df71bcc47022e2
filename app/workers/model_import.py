"""The Qt side of model imports that take a while: a GGUF file converted once into a Hugging Face
folder (the convert engine), a hub download (the download engine), and a run's adapter merged into
its base (the merge engine). Each runs in its own process; this relays its progress and, when it
completed, registers the new folder in the model registry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from app.core import models_registry
from app.workers.engine_job import EngineJob


class ModelImportJob(EngineJob):
    """``finished(ok, message)``: the message is the new model's name, or an error a person can act on."""

    def __init__(self, db, engine: str, args: list[str], *, kind: str, name: str, source: str, out: Path,
                 env: dict[str, str] | None = None, parent: QObject | None = None):
        super().__init__(engine, args, env=env, parent=parent)
        self.db, self.kind, self.name, self.source, self.out = db, kind, name, source, Path(out)
        self.model = None  # the registered ModelInfo once done

    @classmethod
    def gguf(cls, db, gguf: str | Path, root: Path | None = None, parent: QObject | None = None) -> ModelImportJob:
        """Convert ``gguf`` to models/gguf-<stem> (raises UserError for a file that is not GGUF)."""
        f = models_registry.validate_gguf(gguf)
        out = models_registry.gguf_target(f, root)
        return cls(db, "app.engines.convert", ["--gguf", str(f), "--out", str(out)], kind="gguf",
                   name=f.stem, source=str(f), out=out, parent=parent)

    @classmethod
    def hub(cls, db, repo_id: str, root: Path | None = None, parent: QObject | None = None) -> ModelImportJob:
        """Download ``repo_id`` to models/hub/<owner>--<name>, with the token from the keyring."""
        from app.core import secrets

        repo = models_registry.validate_repo_id(repo_id)
        out = models_registry.hub_target(repo, root)
        token = secrets.get_secret(secrets.HF_TOKEN)
        # The token travels in the environment, never on the command line (ps shows argv).
        env = {"HF_TOKEN": token} if token else None
        return cls(db, "app.engines.download", ["--repo", repo, "--out", str(out)], kind="base", name=repo,
                   source=f"hf://{repo}", out=out, env=env, parent=parent)

    @classmethod
    def merge(cls, db, run_dir: str | Path, run_id: str, name: str, root: Path | None = None,
              parent: QObject | None = None) -> ModelImportJob:
        """Merge a run's adapter into its base model, as models/merged-<name>."""
        from app.core import paths
        from app.core.train_config import slugify

        out = (Path(root) / "models" if root else paths.models_dir()) / f"merged-{slugify(name)}"
        return cls(db, "app.engines.merge", ["--adapter", str(Path(run_dir) / "adapter"), "--out", str(out)],
                   kind="merged", name=name.strip(), source=f"run:{run_id}", out=out, parent=parent)

    def _on_finished(self, outcome) -> None:
        self.outcome = outcome
        if outcome.status != "completed" or not self.out.is_dir():
            self.finished.emit(False, outcome.last_error or outcome.status)
            return
        try:
            self.model = models_registry.register_converted(self.db, self.out, self.kind, self.source, self.name)
        except Exception as exc:  # noqa: BLE001 - a UserError (name taken…) is shown as it is
            self.error = exc
            self.finished.emit(False, str(exc))
            return
        self.finished.emit(True, self.model.name)
