"""The reranking stage: a cross-encoder reads the question with each retrieved passage and scores
the pair, and the passages are put in that order (``kb query --rerank``).

Any sequence-classification cross-encoder folder works (a Hugging Face folder with one output, as
bge-reranker-v2-m3 or ms-marco-MiniLM are): the one named in ``AI_PLATFORM_RERANKER``, else the
first folder under ``<data>/rerankers/`` (copy or download one there). None ships with the app: no
package on the registries we install from carries reranker weights, so without one the stage is
skipped and the answer says why.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

CANDIDATES = 20  # passages the cross-encoder reads per question (from the fused ranking)
MAX_LENGTH = 512
BATCH = 16

_loaded: dict[str, Reranker] = {}
_lock = threading.Lock()


def rerankers_dir() -> Path:
    from app.core import paths

    return paths.home() / "rerankers"


def find() -> Path | None:
    """The reranker to use, or None."""
    env = os.environ.get("AI_PLATFORM_RERANKER", "").strip()
    if env:
        return Path(env) if (Path(env) / "config.json").is_file() else None
    folder = rerankers_dir()
    if folder.is_dir():
        for child in sorted(folder.iterdir()):
            if (child / "config.json").is_file():
                return child
    return None


def missing_reason() -> str:
    return (f"no reranker model: put a cross-encoder folder (for example BAAI/bge-reranker-v2-m3) in "
            f"{rerankers_dir()}, or name one with AI_PLATFORM_RERANKER")


class Reranker:
    def __init__(self, folder: Path):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.folder = Path(folder)
        self.name = self.folder.name
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.model = AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch.float32)
        self.model.eval()

    def score(self, question: str, texts: list[str]) -> list[float]:
        """One relevance score per passage, 0..1 (sigmoid of the single logit; with two labels the
        probability of "relevant")."""
        import torch

        out: list[float] = []
        with torch.inference_mode():
            for at in range(0, len(texts), BATCH):
                part = texts[at:at + BATCH]
                enc = self.tokenizer([question] * len(part), part, padding=True, truncation=True,
                                     max_length=MAX_LENGTH, return_tensors="pt")
                logits = self.model(**enc).logits
                if logits.shape[-1] == 1:
                    out.extend(1 / (1 + math.exp(-float(v))) for v in logits[:, 0])
                else:
                    out.extend(float(v) for v in torch.softmax(logits, dim=-1)[:, -1])
        return out


def load(folder: Path) -> Reranker:
    key = str(Path(folder).resolve())
    with _lock:
        if key not in _loaded:
            _loaded[key] = Reranker(Path(folder))
        return _loaded[key]
