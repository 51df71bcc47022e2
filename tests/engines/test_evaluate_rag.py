"""`ai-platform eval rag`: a real knowledge base (bundled bilingual embedder, faiss) on a question set."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")]

DOCS = {
    "bees.txt": "Honey bees build hexagonal wax combs and dance to tell the hive where flowers are.",
    "volcano.md": "A volcano erupts when magma rises through the crust; lava flows and ash clouds follow.",
    "茶.txt": "绿茶不经过发酵，龙井产自杭州西湖，用八十度左右的水冲泡最好。",
}
QUESTIONS = [
    {"q": "How do bees tell each other where the flowers are?", "doc": "bees.txt", "answer": "They dance."},
    {"q": "What comes out of a volcano when it erupts?", "doc": "volcano.md"},
    {"q": "龙井茶产自哪里？", "doc": "茶.txt"},
    {"q": "Which tea is not fermented?", "doc": "gone.pdf"},  # a gold document the base lacks: a miss
]


def test_rag_eval_counts_hits_and_names_misses(tmp_path, ai_home, converted_model_dir):
    from app.core.db.database import open_database
    from app.core.evaluations import EvaluationStore
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    with open_database() as db:
        store = KnowledgeStore(db)
        Knowledge(store.create("handbook"), store).add([str(folder)])
    qset = tmp_path / "questions.jsonl"
    qset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")

    proc = subprocess.run([sys.executable, "-m", "app", "eval", "rag", "--kb", "handbook", "--set", str(qset), "--json"],
                          env=engine_env_for(ai_home), cwd=str(REPO), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n{out}")
    assert out["questions"] == 4
    assert out["hit@1"] == pytest.approx(0.75) and out["hit@5"] == pytest.approx(0.75)
    assert out["mrr"] == pytest.approx(0.75)
    assert [m["doc"] for m in out["misses"]] == ["gone.pdf"] and out["misses"][0]["rank"] is None
    with open_database() as db:
        saved = EvaluationStore(db).list("rag")
    assert len(saved) == 1 and saved[0].summary["hit@1"] == pytest.approx(0.75)

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"q": "only a question"}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "app", "eval", "rag", "--kb", "handbook", "--set", str(broken), "--json"],
                          env=engine_env_for(ai_home), cwd=str(REPO), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    err = json.loads(proc.stdout.strip().splitlines()[-1])["error"]
    assert err["code"] == "eval.set_broken" and "line 1" in err["message"]

    # --answer: every question answered as the chat answers it, by the bundled model (greedy)
    proc = subprocess.run([sys.executable, "-m", "app", "eval", "rag", "--kb", "handbook", "--set", str(qset),
                           "--answer", str(converted_model_dir), "--json"],
                          env=engine_env_for(ai_home), cwd=str(REPO), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    answers = out["answers"]
    print(f"\ncite_gold {out['cite_gold']}, cited_any {out['cited_any']}, support {out['support']}; "
          f"{answers[0]['answer']!r} cites {answers[0]['cited']}")
    assert out["hit@1"] == pytest.approx(0.75) and len(answers) == 4
    assert all(set(a["cited"]) <= set(DOCS) for a in answers)  # only retrieved documents are ever cited
    assert out["cite_gold"] == pytest.approx(sum(a["doc"] in a["cited"] for a in answers) / 4)
    assert out["cited_any"] > 0 and "gone.pdf" not in answers[3]["cited"]
    assert sum(out["support"].values()) == 4
