"""The sample project: made from the real stores, idempotent, and indexed by the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import samples
from app.core.datasets import DatasetStore
from app.core.db.database import open_database
from app.core.kb import KnowledgeStore
from app.core.projects import ProjectStore


@pytest.fixture
def db():
    database = open_database()
    yield database
    database.close()


def test_creates_project_dataset_and_kb_with_bilingual_documents(db, ai_home):
    made = samples.create_sample_project(db)
    assert set(made.created) == {"project", "dataset", "kb", "documents"}
    assert [p.name for p in ProjectStore(db).list()] == ["Sample project / 示例项目"]
    datasets = DatasetStore(db).list(project_id=made.project.id)
    assert [d.name for d in datasets] == ["Sample dataset / 示例数据集"]
    assert datasets[0].n_records == 40 and datasets[0].n_errors == 0
    assert datasets[0].n_val > 0  # the training chart gets a validation line
    assert [k.name for k in KnowledgeStore(db).list()] == ["Sample knowledge / 示例知识库"]
    # The documents live in the data folder (stable paths), in both languages.
    names = sorted(p.rsplit("/", 1)[-1] for p in made.documents)
    assert any(n.endswith(".en.md") for n in names) and any(n.endswith(".zh.md") for n in names)
    for p in made.documents:
        assert p.startswith(str(ai_home))
    zh = next(p for p in made.documents if p.endswith(".zh.md"))
    assert "示例项目" in Path(zh).read_text(encoding="utf-8")
    assert samples.documents_to_index(db, made) == made.documents
    assert samples.index_arguments(made)[:3] == ["add", "--kb", str(made.kb.id)]


def test_running_twice_duplicates_nothing(db):
    first = samples.create_sample_project(db)
    second = samples.create_sample_project(db)
    assert second.created == ()
    assert (second.project.id, second.dataset.id, second.kb.id) == (first.project.id, first.dataset.id, first.kb.id)
    assert len(ProjectStore(db).list(include_archived=True)) == 1
    assert len(DatasetStore(db).list()) == 1
    assert len(KnowledgeStore(db).list()) == 1


def test_missing_pieces_are_made_again(db):
    first = samples.create_sample_project(db)
    DatasetStore(db).delete(first.dataset.id)
    ProjectStore(db).archive(first.project.id)
    again = samples.create_sample_project(db)
    assert again.created == ("dataset",)
    assert again.project.id == first.project.id and not again.project.archived
    assert len(DatasetStore(db).list()) == 1


def test_a_changed_document_is_copied_again(db):
    first = samples.create_sample_project(db)
    with open(first.documents[0], "a", encoding="utf-8") as fh:
        fh.write("\nlocal edit\n")
    again = samples.create_sample_project(db)
    assert again.created == ("documents",)
    assert "local edit" not in Path(first.documents[0]).read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_knowledge_engine_indexes_the_samples_once(db):
    made = samples.create_sample_project(db)
    proc = samples.index_sample_kb(db, made)
    assert proc is not None and proc.returncode == 0, proc.stderr[-2000:]
    kb = KnowledgeStore(db).get(made.kb.id)
    assert kb.n_documents == len(made.documents) and kb.n_failed == 0 and kb.n_chunks >= len(made.documents)
    assert samples.documents_to_index(db, made) == []
    # Again: nothing to index, nothing duplicated.
    again = samples.create_sample_project(db)
    assert samples.index_sample_kb(db, again) is None
    assert KnowledgeStore(db).get(made.kb.id).n_chunks == kb.n_chunks
    # And it answers: a Chinese question finds the Chinese page about the data folder.
    from app.core import paths
    from tests.helpers.engines import engine_env_for, run_engine

    run = run_engine(["app.engines.knowledge", "query", "--kb", str(made.kb.id), "数据保存在哪里", "--top-k", "3"],
                     engine_env_for(paths.home()))
    assert run.returncode == 0, run.stderr[-2000:]
    files = [c["file"] for c in run.result["chunks"]]
    assert any(f.endswith("getting-started.zh.md") for f in files), files
