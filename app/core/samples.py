"""The sample project: real content for every panel in the first minute.

``create_sample_project(db)`` makes (or finds) the project "Sample project / 示例项目" with the
bilingual sample dataset, and the knowledge base "Sample knowledge / 示例知识库" whose documents
(a few Markdown pages about the app, English and Chinese) are copied into the data folder. It does
not index them: indexing loads an embedding model, so it runs in the knowledge engine, a process of
its own (``index_arguments`` gives its command line; ``index_sample_kb`` runs it and waits, for the
CLI and tests; the GUI starts it with an EngineProcess).

Idempotent: each piece is looked up by name first, documents are copied only when their content
changed, and the engine skips documents whose content hash it has already indexed.
Qt-free.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app.core import paths
from app.core.datasets import DatasetInfo, DatasetStore
from app.core.db.models import DocumentStatus
from app.core.errors import UserError
from app.core.kb import KnowledgeBase, KnowledgeStore
from app.core.projects import Project, ProjectStore

PROJECT_NAME = "Sample project / 示例项目"
PROJECT_DESCRIPTION = ("A small bilingual example to try every panel. "
                       "一个小的中英双语示例，用来试用每个面板。")
DATASET_NAME = "Sample dataset / 示例数据集"
KB_NAME = "Sample knowledge / 示例知识库"
DATASET_FILE = "sample_sft_en_zh.jsonl"
KB_SOURCE_FOLDER = "kb"
INDEX_ENGINE = "app.engines.knowledge"

_REPO_ROOT = Path(__file__).resolve().parents[2]


def samples_dir() -> Path:
    """Where the sample files ship: ``resources/samples`` in a source tree, else the copy the asset
    build puts inside the package (``app/views/_assets/samples``)."""
    for candidate in (_REPO_ROOT / "resources" / "samples",
                      _REPO_ROOT / "app" / "views" / "_assets" / "samples"):
        if (candidate / DATASET_FILE).is_file():
            return candidate
    raise UserError("The sample files are missing from this installation "
                    f"(looked for {DATASET_FILE} in resources/samples). Fix: run the installer again.",
                    code="samples.missing", params={"file": DATASET_FILE})


def sample_dataset_file() -> Path:
    return samples_dir() / DATASET_FILE


def kb_source_files() -> list[Path]:
    """The sample knowledge documents as shipped (Markdown, English and Chinese)."""
    return sorted(p for p in (samples_dir() / KB_SOURCE_FOLDER).glob("*.md") if p.is_file())


def kb_documents_dir(root: Path | None = None) -> Path:
    """The data-folder copy of the sample documents: what the knowledge base indexes, so its paths
    stay valid when the app is upgraded or moved."""
    return (root or paths.home()) / "samples" / "kb"


@dataclass(frozen=True)
class SampleProject:
    project: Project
    dataset: DatasetInfo
    kb: KnowledgeBase
    documents: list[str]  # absolute paths of the knowledge base's sample documents
    # What this call made (a subset of "project", "dataset", "kb", "documents"); empty = all existed.
    created: tuple[str, ...] = field(default=())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_documents() -> tuple[list[str], bool]:
    """Copy the shipped documents into the data folder; only changed ones are written."""
    target = kb_documents_dir()
    target.mkdir(parents=True, exist_ok=True)
    out, changed = [], False
    for src in kb_source_files():
        dest = target / src.name
        data = src.read_bytes()
        try:
            same = dest.read_bytes() == data
        except OSError:
            same = False
        if not same:
            paths.atomic_write_bytes(dest, data)
            changed = True
        out.append(os.path.abspath(dest))
    if not out:
        raise UserError("The sample knowledge documents are missing from this installation. "
                        "Fix: run the installer again.", code="samples.documents_missing")
    return out, changed


def _project(store: ProjectStore) -> tuple[Project, bool]:
    for p in store.list(include_archived=True):
        if p.name == PROJECT_NAME:
            if p.archived:
                p = store.archive(p.id, False)
            return p, False
    return store.create(PROJECT_NAME, PROJECT_DESCRIPTION), True


def _dataset(store: DatasetStore, project_id: int) -> tuple[DatasetInfo, bool]:
    for d in store.list(project_id=project_id):
        if d.name == DATASET_NAME and d.train_path.is_file():
            return d, False
    # A small validation split, so the training chart has a validation line too.
    return store.import_file(sample_dataset_file(), name=DATASET_NAME, project_id=project_id,
                             val_ratio=0.1), True


def _kb(store: KnowledgeStore) -> tuple[KnowledgeBase, bool]:
    try:
        return store.by_name(KB_NAME), False
    except UserError as err:
        if err.code != "kb.not_found":
            raise
    return store.create(KB_NAME), True


def create_sample_project(db) -> SampleProject:
    """Make what is missing of the sample project (see the module docstring); never duplicates."""
    created = []
    project, new = _project(ProjectStore(db))
    if new:
        created.append("project")
    dataset, new = _dataset(DatasetStore(db), project.id)
    if new:
        created.append("dataset")
    kb, new = _kb(KnowledgeStore(db))
    if new:
        created.append("kb")
    documents, changed = _copy_documents()
    if changed:
        created.append("documents")
    return SampleProject(project, dataset, kb, documents, tuple(created))


def documents_to_index(db, sample: SampleProject) -> list[str]:
    """The sample documents the knowledge base does not hold yet in their current content."""
    store = KnowledgeStore(db)
    done = (DocumentStatus.INDEXED.value, DocumentStatus.UNCHANGED.value)
    todo = []
    for path in sample.documents:
        doc = store.document(sample.kb.id, path)
        if doc is None or doc.status not in done or doc.content_hash != _sha256(Path(path)):
            todo.append(path)
    return todo


def index_arguments(sample: SampleProject, documents: list[str] | None = None, *,
                    exit_with_parent: bool = False) -> list[str]:
    """Arguments for ``python -m app.engines.knowledge`` that index the sample documents.

    ``exit_with_parent``: the window's indexer stops if the window dies (adding again resumes), so
    a restarted window never has a second writer on the same index."""
    flag = ["--exit-with-parent"] if exit_with_parent else []
    return ["add", *flag, "--kb", str(sample.kb.id), *(sample.documents if documents is None else documents)]


def index_sample_kb(db, sample: SampleProject, timeout: float = 900) -> subprocess.CompletedProcess | None:
    """Index what is missing in the knowledge engine (a child process) and wait for it.

    Returns None when everything is indexed already. A failed engine is a UserError with its last
    words."""
    todo = documents_to_index(db, sample)
    if not todo:
        return None
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # The child imports the same ``app`` as this process, installed or from a source tree.
    env["PYTHONPATH"] = str(_REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run([sys.executable, "-m", INDEX_ENGINE, *index_arguments(sample, todo)], check=False,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", env=env, timeout=timeout)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise UserError(f'Indexing the knowledge base "{KB_NAME}" failed: {tail}. '
                        "Fix: see the log in the Logs panel, then add the documents again in Knowledge.",
                        code="samples.index_failed", params={"name": KB_NAME, "reason": tail})
    return proc


__all__ = [
    "DATASET_NAME",
    "KB_NAME",
    "PROJECT_NAME",
    "SampleProject",
    "create_sample_project",
    "documents_to_index",
    "index_arguments",
    "index_sample_kb",
    "kb_documents_dir",
    "kb_source_files",
    "sample_dataset_file",
    "samples_dir",
]
