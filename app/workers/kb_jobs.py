"""Indexing jobs of the window's knowledge bases: add, rebuild, remove, migrate — one knowledge engine at a
time, the rest queued, so two writers never share an index.

    jobs = ctx.kb_jobs
    jobs.add(kb_id, ["~/Documents/handbook"])        # queued or started at once
    jobs.event.connect(...)                           # (kb_id, protocol.Event): progress, results
    jobs.finished.connect(...)                        # (kb name, Outcome, documents that failed)

Before a job touches an index, the shared retrieval engine (``kb_query``) forgets that base, so
chat and the retrieval tester reload it on their next question. Engines get ``--exit-with-parent``:
if the window dies the job stops too, and adding again resumes it (documents left ``queued`` or
``indexing`` are redone without duplicates). Across processes (a second window, ``ai-platform kb``)
each engine takes the base's writer lock (``app.core.locks``): it waits for the other writer, then
reports ``kb.busy`` if that takes too long.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.workers.engine_process import EngineProcess

log = logging.getLogger(__name__)

ENGINE = "app.engines.knowledge"


@dataclass(frozen=True)
class KbJob:
    kb_id: int
    kind: str  # "add" | "rebuild" | "remove" | "migrate" | "delete" | "sync"
    args: tuple[str, ...]


class KbJobs(QObject):
    started = Signal(int)  # kb id
    event = Signal(int, object)  # kb id, protocol.Event
    finished = Signal(str, object, int)  # knowledge base name, Outcome, documents that failed
    job_done = Signal(int, object)  # kb id, Outcome

    def __init__(self, db, kb_query=None, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self.kb_query = kb_query
        self._queue: list[KbJob] = []
        self._job: KbJob | None = None
        self._proc: EngineProcess | None = None
        self.last_kind = ""  # the kind of the job that finished last

    # --- what runs --------------------------------------------------------------------------------
    @property
    def running_kb(self) -> int | None:
        return self._job.kb_id if self._job is not None else None

    def busy(self, kb_id: int | None = None) -> bool:
        """A job runs or waits (for ``kb_id``, or for any base)."""
        jobs = ([self._job] if self._job else []) + self._queue
        return any(kb_id is None or j.kb_id == kb_id for j in jobs)

    # --- asking -----------------------------------------------------------------------------------
    def add(self, kb_id: int, items: list[str], extra_args: list[str] | None = None) -> None:
        self._submit(KbJob(kb_id, "add", ("add", "--kb", str(kb_id), "--exit-with-parent",
                                          *(extra_args or []), *map(str, items))))

    def rebuild(self, kb_id: int) -> None:
        self._submit(KbJob(kb_id, "rebuild", ("rebuild", "--kb", str(kb_id), "--exit-with-parent")))

    def migrate(self, kb_id: int, store: str, uri: str | None = None) -> None:
        """Move the base's vectors to ``store`` (faiss or milvus; ``uri``: a Milvus server)."""
        self._submit(KbJob(kb_id, "migrate", ("migrate", "--kb", str(kb_id), "--store", store,
                                              *(("--uri", uri) if uri else ()), "--exit-with-parent")))

    def sync(self, kb_id: int) -> None:
        """The followed folders' new, changed and deleted files (``Knowledge.sync``)."""
        self._submit(KbJob(kb_id, "sync", ("sync", "--kb", str(kb_id), "--exit-with-parent")))

    def delete(self, kb_id: int) -> None:
        """Delete the base, its index and its collection on a Milvus server."""
        self._submit(KbJob(kb_id, "delete", ("delete", "--kb", str(kb_id))))

    def remove(self, kb_id: int, items: list[str]) -> None:
        self._submit(KbJob(kb_id, "remove", ("remove", "--kb", str(kb_id), *map(str, items))))

    def cancel(self, kb_id: int | None = None) -> None:
        """Stop the running job (at a batch boundary: what was saved stays) and drop the queued ones."""
        self._queue = [j for j in self._queue if kb_id is not None and j.kb_id != kb_id]
        if self._proc is not None and (kb_id is None or self.running_kb == kb_id):
            self._proc.stop(grace_s=10, term_grace_s=5)

    def shutdown(self) -> None:
        """The window closes: the running job stops at a batch boundary and resumes next time."""
        self._queue.clear()
        proc = self._proc
        if proc is not None and proc.is_running():
            proc.write_command("stop")
            if not proc.wait(5000):
                proc.kill()
                proc.wait(2000)

    # --- running ----------------------------------------------------------------------------------
    def _submit(self, job: KbJob) -> None:
        self._queue.append(job)
        if self._job is None:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            return
        job = self._queue.pop(0)
        if self.kb_query is not None:
            self.kb_query.forget(job.kb_id)  # it would answer from the index as it was
        self._job = job
        self._proc = proc = EngineProcess(ENGINE, list(job.args), parent=self)
        proc.event.connect(lambda ev, k=job.kb_id: self.event.emit(k, ev))
        proc.finished.connect(lambda outcome, j=job: self._finished(j, outcome))
        proc.start()
        self.started.emit(job.kb_id)

    def _finished(self, job: KbJob, outcome) -> None:
        self._job, self._proc = None, None
        self.last_kind = job.kind
        if self.kb_query is not None:
            self.kb_query.forget(job.kb_id)
        self.job_done.emit(job.kb_id, outcome)
        # "Indexing finished" is not what a delete or a move did, and a sync that went well (at every
        # start, on every change in a followed folder) is no news either.
        if job.kind not in ("delete", "migrate") and not (job.kind == "sync" and outcome.ok):
            name, failed = self._kb_facts(job.kb_id)
            self.finished.emit(name, outcome, failed)
        self._next()

    def _kb_facts(self, kb_id: int) -> tuple[str, int]:
        """The base's name and how many of its documents failed."""
        try:
            from app.core.kb import KnowledgeStore

            kb = KnowledgeStore(self.db).get(kb_id)
            return kb.name, int(kb.n_failed or 0)
        except Exception:  # noqa: BLE001 - a base deleted meanwhile still gets its message
            return str(kb_id), 0


__all__ = ["KbJobs", "KbJob", "ENGINE"]
