"""The answer pipeline: a sent message becomes one answer per model (two in compare mode), each
carried through retrieval → engine → stream → database without any widget.

    answers = AnswerPipeline(store, ctx.serve, ctx.kb_query)
    ids = answers.start(session, question, user_message_id, [("A", target), ("B", other)])

Each answer is an :class:`AnswerJob`: it waits for its passages (when knowledge bases are attached,
through ``kb_query``), then for its engine (``serve``, started on demand), then streams
(``ChatStream``) or runs an agent turn (``AgentTurn``); both write the message to the database as
they go, so the window only renders. The signals say what to render:

- ``delta(message_id, text)``: the whole text so far (repaint that message);
- ``changed(message_id)``: the message's row changed (phase, steps, final state): reload it;
- ``finished(message_id, status)``: the job is over (the row holds the final state);
- ``approval_needed(message_id, folder, path)``: an agent tool wants a folder; answer with
  :meth:`approve`.

Time to first token is measured from the Send (``start``), and the wait for the engine is kept
apart: while it waits, the message's ``meta["sent_at"]`` (epoch seconds) and ``phase: "loading"``
let the window count the seconds; at the end ``meta["stats"]`` holds ``ttft_s`` (Send → first
token), ``engine_wait_s`` (Send → the engine ready; 0 when it already was) and ``server_ttft_s``
(request → first token, as the server saw it).

Agent turns are told before they start whether the model can call tools on its engine
(``app.core.tool_support``); a turn without tools says why in ``meta["warnings"]``.

Works under a ``QCoreApplication``: tests drive compare mode and RAG without a window.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.core import answer_support, chat_targets, rag
from app.core.chat_store import SAMPLING_KEYS, ChatStore, SessionInfo
from app.core.chat_targets import ChatTarget
from app.core.db.models import MessageStatus
from app.core.errors import UserError

log = logging.getLogger(__name__)

TOP_K = rag.TOP_K


@dataclass
class AnswerJob:
    """One answer on its way: waiting for passages, for the engine, or streaming."""

    message_id: int
    session_id: int
    slot: str
    target: ChatTarget
    question: str
    history: list[dict]
    params: dict
    kb_ids: list[int] = field(default_factory=list)
    passages: list | None = None  # None = not retrieved yet (or no knowledge base attached)
    engine_key: str | None = None
    stream: object | None = None  # a ChatStream or an AgentTurn once it runs
    kb_request: int | None = None
    agent: bool = False  # an agent turn: the agent engine searches the knowledge bases itself
    retrieval_query: str = ""  # what was retrieved (the question, or a follow-up made stand-alone)
    kb_filter: dict | None = None  # the session's "Only documents" (kb.DocFilter as JSON)
    filter_documents: int | None = None  # how many documents that filter kept, once retrieved
    sent_at: float = field(default_factory=time.monotonic)  # the Send
    engine_ready_at: float | None = None  # when the engine was ready for it (the Send if it already was)


def no_passage_text(filter_documents: int | None = None) -> str:
    """Why a grounded answer has nothing to say; ``filter_documents``: the session's "Only
    documents" filter was on and kept that many documents."""
    if filter_documents == 0:
        return QCoreApplication.translate(
            "ChatPanel", "No document in the attached knowledge bases matches \"Only documents\" (tags, source, "
                         "dates), so I will not guess. Widen or clear that filter in the side pane, or set the "
                         "documents' details in the Knowledge panel.")
    if filter_documents is not None:
        return QCoreApplication.translate(
            "ChatPanel", "No relevant passage found in the {n} document(s) that \"Only documents\" keeps, so I "
                         "will not guess. Rephrase the question, or widen that filter in the side pane.").format(
            n=filter_documents)
    return QCoreApplication.translate(
        "ChatPanel", "No relevant passage found in the attached knowledge bases, so I will not guess. "
                     "Rephrase the question, add documents that answer it, or detach the knowledge bases "
                     "to ask the model on its own.")


def _cause(info) -> dict:
    """What made an engine fail, as a code and params the chat words in the user's language."""
    failure = getattr(info, "failure", None)
    failure = getattr(failure, "last_error_event", None) or failure  # an Outcome: its error event
    extra = getattr(failure, "extra", None) or {}
    if extra.get("code"):
        return {"cause_code": extra["code"], "cause_params": dict(extra.get("params") or {})}
    return {}


class AnswerPipeline(QObject):
    delta = Signal(int, str)
    changed = Signal(int)
    finished = Signal(int, str)
    approval_needed = Signal(int, str, str)

    def __init__(self, store: ChatStore, serve, kb_query, *, knowledge_bases=None, top_k: int = TOP_K,
                 parent: QObject | None = None):
        """``knowledge_bases()`` → [(id, name)], for agent turns that search by name."""
        super().__init__(parent)
        self.store = store
        self.serve = serve
        self.kb_query = kb_query
        self.top_k = top_k
        self._knowledge_bases = knowledge_bases or (lambda: [])
        self.jobs: dict[int, AnswerJob] = {}
        # An engine answering one of these is never stopped to make room for another model.
        serve.in_use = lambda: {j.engine_key for j in self.jobs.values() if j.engine_key}
        self._context_lengths: dict[str, int | None] = {}
        serve.changed.connect(self._engines_changed)
        serve.failed.connect(self._engine_failed)
        serve.adapter_failed.connect(self._adapter_failed)
        kb_query.answered.connect(self._kb_answered)
        kb_query.failed.connect(self._kb_failed)

    # --- queries --------------------------------------------------------------------------------
    def busy(self, session_id: int | None) -> bool:
        return any(j.session_id == session_id for j in self.jobs.values())

    def session_jobs(self, session_id: int | None) -> list[AnswerJob]:
        return [j for j in self.jobs.values() if j.session_id == session_id]

    # --- starting -------------------------------------------------------------------------------
    def ensure_engine(self, target: ChatTarget) -> str:
        """The key of an engine that serves ``target`` (started now if needed)."""
        adapter = (target.adapter, target.adapter_path) if target.adapter and target.adapter_path else None
        return self.serve.ensure(target.model_ref, adapter, label=target.label)

    def start(self, session: SessionInfo, question: str, user_id: int,
              targets: list[tuple[str, ChatTarget]]) -> list[int]:
        """One answer per (slot, target); returns the ids of the assistant messages being written."""
        agent = session.mode == "agent"
        if agent:  # an agent turn answers with one model; the bundled one with its tool adapter
            targets = [(slot, chat_targets.for_agent(t)) for slot, t in targets[:1]]
        compare = len(targets) > 1
        kb_ids = [] if agent else list(session.kb_ids)
        kb_filter = session.params.get("kb_filter") or None
        params = {k: session.params[k] for k in SAMPLING_KEYS if k in session.params}
        ids = []
        sent_at, sent_wall = time.monotonic(), time.time()
        for slot, target in targets:
            meta = {"model": target.label, "label": target.label, "slot": slot, "sent_at": sent_wall,
                    "phase": "retrieving" if kb_ids else "loading"}
            if compare:
                meta["pair"] = user_id
            history = self.store.history(session.id, slot=slot, before=user_id)
            msg = self.store.add_message(session.id, "assistant", "", status=MessageStatus.STREAMING.value, meta=meta)
            self.jobs[msg.id] = AnswerJob(msg.id, session.id, slot, target, question, history, params,
                                          kb_ids=kb_ids, passages=None if kb_ids else [], agent=agent,
                                          sent_at=sent_at, kb_filter=kb_filter)
            ids.append(msg.id)
        for job in [self.jobs[i] for i in ids]:
            if job.target.kind != "remote":
                job.engine_key = self.ensure_engine(job.target)
            if self._engine_info(job) is not None:
                job.engine_ready_at = sent_at  # no wait for the model
        if kb_ids:
            # A follow-up ("how much did it cost?") is retrieved with the earlier question's subject.
            query = rag.standalone_query(question, self.jobs[ids[0]].history)
            for i in ids:
                self.jobs[i].retrieval_query = query
            # rerank: through the cross-encoder when one is installed (rerankers/), else as before
            req = self.kb_query.ask(kb_ids, query, self.top_k, filters=kb_filter, rerank=True)
            for i in ids:
                if i in self.jobs:
                    self.jobs[i].kb_request = req
        for i in ids:
            self.changed.emit(i)
        for i in ids:
            if i in self.jobs:
                self._advance(self.jobs[i])
        return ids

    def _engine_info(self, job: AnswerJob):
        """The ready engine (or remote endpoint) for the job's target, or None."""
        if job.target.kind == "remote":
            return self.serve.get(job.target.model_ref)
        info = self.serve.find(job.target.model_ref, job.target.adapter)
        return info if info is not None and info.ready else None

    def _advance(self, job: AnswerJob) -> None:
        """Start streaming once the passages are in and the engine is ready."""
        if job.stream is not None or job.message_id not in self.jobs:
            return
        if job.engine_ready_at is None and self._engine_info(job) is not None:
            job.engine_ready_at = time.monotonic()  # the model is there: the wait for it ends now
        if job.passages is None:
            return
        if job.kb_ids and not job.passages:
            self._finish_text(job, no_passage_text(job.filter_documents), {"rag": "none"})
            return
        if job.target.kind == "remote":
            key = job.target.model_ref
        else:
            info = self.serve.find(job.target.model_ref, job.target.adapter)
            if info is None:
                job.engine_key = self.ensure_engine(job.target)
                info = self.serve.find(job.target.model_ref, job.target.adapter)
            if info is None or not info.ready:
                return  # _engines_changed calls again
            key = info.key
        try:
            base_url, api_key = self.serve.connection(key)
        except UserError as err:
            self._finish_error(job, str(err), code=err.code, params=err.params)
            return
        info = self.serve.get(key)
        if job.target.kind == "remote":
            model = job.target.remote_model or (info.model if info else None)
        else:
            model = job.target.adapter or (info.model if info else None)
        if job.agent:
            self._start_agent(job, base_url, api_key, model, info)
            return
        meta: dict = {"phase": None}
        if job.kb_ids:
            messages = rag.build_messages(job.history, job.question, job.passages)
            meta.update(rag="grounded", citations=[p.to_citation() for p in job.passages])
        else:
            messages = [*job.history, {"role": "user", "content": job.question}]
        self.store.update_message(job.message_id, meta=meta)
        from app.workers.chat_stream import ChatStream

        params = dict(job.params)
        if job.target.kind == "remote":
            params.pop("repetition_penalty", None)  # vLLM's and ours; the OpenAI API refuses it
        stream = ChatStream(self.store, job.message_id, base_url=base_url, api_key=api_key, model=model or "",
                            messages=messages, params=params, meta={}, timing=self._timing(job), parent=self)
        stream.delta.connect(self.delta)
        stream.finished.connect(self._stream_finished)
        job.stream = stream
        self.changed.emit(job.message_id)
        stream.start()

    @staticmethod
    def _timing(job: AnswerJob) -> dict:
        """When the user sent, and how long the answer waited for its engine (monotonic seconds)."""
        ready = job.engine_ready_at if job.engine_ready_at is not None else job.sent_at
        return {"sent_at": job.sent_at, "engine_wait_s": round(max(0.0, ready - job.sent_at), 3)}

    def tool_support(self, target: ChatTarget, engine: str | None = None):
        """Whether ``target`` can call tools on its engine (running, or the one a launch would use)."""
        from app.core import tool_adapter, tool_support

        if target.kind == "remote":
            return tool_support.unknown(target.remote_model or target.label)
        folder = chat_targets.model_dir(target.model_ref)
        if folder is None:
            return tool_support.unknown(target.label)
        tools_target = chat_targets.for_agent(target)  # the bundled model calls tools with its adapter
        adapter = tools_target.adapter_path if tools_target.adapter == tool_adapter.NAME else None
        return tool_support.for_folder(folder, engine or self.serve.planned_engine(target.model_ref),
                                       model=self.model_name(target), adapter=adapter)

    @staticmethod
    def model_name(target: ChatTarget) -> str:
        """The model's own name (an adapter's base model, not the run's name)."""
        from app.core import bundled

        if target.model_ref == chat_targets.DEFAULT_MODEL:
            return bundled.DEFAULT_CHAT_MODEL
        return target.label if target.kind == "model" else str(target.model_ref).rstrip("/").rsplit("/", 1)[-1]

    def _start_agent(self, job: AnswerJob, base_url: str, api_key: str | None, model: str | None, info) -> None:
        from app.workers.agent_turn import AgentTurn

        session = self.store.get_session(job.session_id)
        names = dict(self._knowledge_bases())
        kbs = [names[k] for k in session.kb_ids if k in names]
        folders = [str(f) for f in session.params.get("folders", [])]
        approved = [str(f) for f in session.params.get("approved_folders", []) if f in folders]
        support = self.tool_support(job.target, info.engine if info else None)
        turn = AgentTurn(self.store, job.message_id, base_url=base_url, api_key=api_key, model=model,
                         messages=[*job.history, {"role": "user", "content": job.question}],
                         system=session.system_prompt, kbs=kbs, folders=folders, approved=approved,
                         params=job.params, max_steps=int(session.params.get("max_steps", 6)),
                         memory=session.params.get("memory") is True,
                         tool_support=support.to_dict(), timing=self._timing(job),
                         kb_filter=session.params.get("kb_filter") or None, parent=self)
        turn.delta.connect(self.delta)
        turn.finished.connect(self._stream_finished)
        turn.steps_changed.connect(self.changed)
        turn.approval_needed.connect(lambda folder, path, mid=job.message_id: self.approval_needed.emit(mid, folder, path))
        job.stream = turn
        meta: dict = {"phase": "agent"}
        if support.status == "no":  # said before the answer streams, not added above it at the end
            meta["warnings"] = [support.warning()]
        self.store.update_message(job.message_id, meta=meta)
        turn.start()
        self.changed.emit(job.message_id)

    def approve(self, message_id: int, folder: str, allow: bool) -> None:
        """The person's answer to ``approval_needed``; a yes is kept with the chat."""
        job = self.jobs.get(message_id)
        if job is None or job.stream is None:
            return
        job.stream.approve(folder, allow)
        if allow:
            approved = list(self.store.get_session(job.session_id).params.get("approved_folders", []))
            if folder not in approved:
                self.store.update_session(job.session_id, params={"approved_folders": [*approved, folder]})

    # --- what the services answer ---------------------------------------------------------------
    def context_length(self, model_ref: str) -> int | None:
        """The model's context window, read once per model (it opens the model's config.json)."""
        if model_ref not in self._context_lengths:
            self._context_lengths[model_ref] = chat_targets.context_length(model_ref)
        return self._context_lengths[model_ref]

    def _kb_answered(self, req: int, results: list) -> None:
        for job in [j for j in self.jobs.values() if j.kb_request == req]:
            budget = rag.context_budget(job.history, job.question,
                                        context_tokens=self.context_length(job.target.model_ref),
                                        max_tokens=int(job.params.get("max_tokens", 512)))
            job.passages = rag.select_passages(results, budget_tokens=budget, query=job.retrieval_query or job.question,
                                               compress=True)
            if job.kb_filter:
                job.filter_documents = sum(int((r.get("filters") or {}).get("documents", 0)) for r in results
                                           if isinstance(r, dict))
            self.store.update_message(job.message_id, meta={"phase": "loading"})
            self.changed.emit(job.message_id)
            self._advance(job)

    def _kb_failed(self, req: int, message: str) -> None:
        jobs = [j for j in self.jobs.values() if j.kb_request == req]
        if not jobs:
            return
        take = getattr(self.kb_query, "take_failure", None)
        cause = take(req) if take else None
        event = getattr(cause, "last_error_event", cause)  # an Outcome holds the engine's last error
        extra = dict(getattr(event, "extra", None) or {})
        params = {"detail": message}
        if extra.get("code"):  # why the search failed, as data: the chat words it
            params.update(cause_code=extra["code"], cause_params=dict(extra.get("params") or {}))
        for job in jobs:
            self._finish_error(job, message, code="kb.failed", params=params)

    def _engines_changed(self) -> None:
        for job in list(self.jobs.values()):
            if job.stream is None:  # still retrieving: _advance notes when the engine got ready
                self._advance(job)

    def _engine_failed(self, key: str, message: str) -> None:
        for job in list(self.jobs.values()):
            if job.stream is None and job.engine_key == key:
                self._finish_error(job, message, code="chat.engine_failed", params={"detail": message,
                                                                                    **_cause(self.serve.get(key))})

    def _adapter_failed(self, key: str, adapter: str, message: str) -> None:
        for job in list(self.jobs.values()):
            if job.stream is None and job.engine_key == key and job.target.adapter == adapter:
                self._finish_error(job, message, code="chat.adapter_failed", params={"adapter": adapter,
                                                                                     "detail": message})

    def _stream_finished(self, message_id: int, status: str, _meta: dict) -> None:
        job = self.jobs.pop(message_id, None)
        if job is not None and job.passages and not job.agent:
            self._check_citations(job)
        self.finished.emit(message_id, status)

    def _check_citations(self, job: AnswerJob) -> None:
        """A grounded answer keeps only the citations that exist; what it invented is noted, and its
        key facts are looked for in the passages it cites (answer_support)."""
        try:
            msg = self.store.get_message(job.message_id)
            text, invented, pages = rag.clean_citations(msg.content, job.passages)
            meta: dict = {}
            if msg.status == MessageStatus.COMPLETE.value:  # a stopped answer's half sentence is no claim
                meta["support"] = answer_support.check(text, job.passages).to_meta()
            if invented or pages:
                meta.update(invented_citations=invented, unsupported_pages=pages)
            if meta:
                self.store.update_message(job.message_id, content=text, meta=meta)
        except Exception:  # noqa: BLE001 - the answer as streamed stays; never lose it over a check
            log.exception("checking the citations of message %s failed", job.message_id)

    # --- ending ---------------------------------------------------------------------------------
    def _finish_text(self, job: AnswerJob, text: str, meta: dict) -> None:
        self.store.update_message(job.message_id, content=text, status=MessageStatus.COMPLETE.value,
                                  meta=dict(meta, phase=None))
        self.jobs.pop(job.message_id, None)
        self.finished.emit(job.message_id, MessageStatus.COMPLETE.value)

    def _finish_error(self, job: AnswerJob, message: str, *, code: str, params: dict | None = None) -> None:
        """``message``: English (kept in the message's meta); ``code`` + ``params``: the same as data,
        for the chat to word in the user's language."""
        self.store.update_message(job.message_id, status=MessageStatus.ERROR.value,
                                  meta={"error": message, "error_code": code, "error_params": dict(params or {}),
                                        "phase": None})
        self.jobs.pop(job.message_id, None)
        self.finished.emit(job.message_id, MessageStatus.ERROR.value)

    def cancel(self, job: AnswerJob) -> None:
        if job.stream is not None:
            job.stream.stop()  # the stream writes its own final state and says finished
        else:
            self.store.update_message(job.message_id, status=MessageStatus.INTERRUPTED.value,
                                      meta={"interrupted_by": "user", "phase": None})
            self.jobs.pop(job.message_id, None)
            self.finished.emit(job.message_id, MessageStatus.INTERRUPTED.value)

    def stop_session(self, session_id: int | None) -> None:
        """Stop every answer of one chat (Esc, or the chat is deleted)."""
        for job in self.session_jobs(session_id):
            self.cancel(job)

    def shutdown(self) -> None:
        """The window closes: finish the answers' last writes (marked interrupted if cut short)."""
        for job in list(self.jobs.values()):
            if job.stream is not None:
                job.stream.stop()
        for job in list(self.jobs.values()):
            if job.stream is not None:
                job.stream.wait(2.0)
            else:
                self.store.update_message(job.message_id, status=MessageStatus.INTERRUPTED.value,
                                          meta={"interrupted_by": "user", "phase": None})
        self.jobs.clear()


__all__ = ["AnswerJob", "AnswerPipeline", "TOP_K", "no_passage_text"]
