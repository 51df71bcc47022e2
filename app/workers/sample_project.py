"""The sample project from the GUI: its rows made at once (``app.core.samples``), its knowledge base
indexed in the background through the window's knowledge jobs, so it goes on after the welcome flow
closes and never shares an index with another writer."""

from __future__ import annotations

from app.core import samples


def start_sample_project(db, kb_jobs) -> samples.SampleProject:
    """Make (or find) the sample project and queue indexing of what its knowledge base lacks.
    Safe to call again: nothing is duplicated. Raises ``UserError`` / ``OSError`` as core does."""
    made = samples.create_sample_project(db)
    todo = samples.documents_to_index(db, made)
    if todo and not kb_jobs.busy(made.kb.id):
        kb_jobs.add(made.kb.id, todo)
    return made


def sample_indexing(db, kb_jobs) -> bool:
    """The sample knowledge base is being indexed (or waits for it)."""
    from app.core.errors import UserError
    from app.core.kb import KnowledgeStore

    try:
        kb = KnowledgeStore(db).by_name(samples.KB_NAME)
    except UserError:  # no sample knowledge base: nothing indexes it
        return False
    return kb_jobs.busy(kb.id)


__all__ = ["start_sample_project", "sample_indexing"]
