"""kb query --rerank / --no-rerank: the cross-encoder stage (a tiny one built from a config here:
its order is arbitrary but its own, which is what is checked), every stage's score kept, and a
plain word when no reranker is installed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for
from tests.helpers.rerank_model import TEXTS, tiny_cross_encoder

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_rerank_orders_by_the_cross_encoder_and_keeps_every_score(ai_home, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, t in enumerate(TEXTS):
        (docs / f"d{i}.txt").write_text(t, encoding="utf-8")
    env = engine_env_for(ai_home)

    def cli(*args, extra_env=None):
        out = subprocess.run([sys.executable, "-m", "app", "kb", *args], cwd=str(REPO),
                             env={**env, **(extra_env or {})}, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        return out

    cli("create", "rr")
    cli("add", "rr", str(docs))
    # No reranker installed: --rerank answers without it and says why.
    plain = cli("query", "rr", "owls in October", "--top-k", "3", "--rerank", "--json")
    res = json.loads(plain.stdout)
    assert res["rerank"]["used"] is False and "rerankers" in res["rerank"]["reason"]
    assert "Not reranked" in plain.stderr and len(res["chunks"]) == 3
    assert all("rerank_score" not in c for c in res["chunks"])

    model = ai_home / "rerankers" / "tiny-cross-encoder"
    tiny_cross_encoder(model)
    on = json.loads(cli("query", "rr", "owls in October", "--top-k", "3", "--rerank", "--json").stdout)
    assert on["rerank"] == {"used": True, "model": "tiny-cross-encoder"}
    scores = [c["rerank_score"] for c in on["chunks"]]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    assert all({"score", "dense_score", "rerank_score"} <= set(c) for c in on["chunks"])
    # The cross-encoder's own order over all six passages: the answer is its top three.
    from app.knowledge.rerank import Reranker

    own = dict(zip(TEXTS, Reranker(model).score("owls in October", TEXTS)))
    got = [c["text"] for c in on["chunks"]]
    for c in on["chunks"]:
        assert c["rerank_score"] == pytest.approx(own[c["text"]], abs=1e-4)
    assert min(own[t] for t in got) >= max(own[t] for t in TEXTS if t not in got) - 1e-4
    off = json.loads(cli("query", "rr", "owls in October", "--top-k", "3", "--no-rerank", "--json").stdout)
    assert off["rerank"] == {"used": False} and all("rerank_score" not in c for c in off["chunks"])
    assert off["chunks"][0]["file"].endswith("d0.txt")  # the fused ranking, as without the flag
