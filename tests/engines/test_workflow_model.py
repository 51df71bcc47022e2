"""The RAG-then-answer template on the bundled model, headless: `ai-platform workflow run
rag-then-answer --kb NAME --input TEXT --model DIR --json` searches the knowledge base (citations),
takes the condition's "found" branch and answers with the transformers serve engine it starts
itself, the way `ai-platform agent` reaches the model; the engine is stopped afterwards."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.cli import main
from tests.helpers.engines import REPO, engine_env_for

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_rag_then_answer_template_on_the_bundled_model(tmp_path, ai_home, converted_model_dir):
    env = engine_env_for(ai_home, OMP_NUM_THREADS="1")
    notes = tmp_path / "lanterns.md"
    notes.write_text("The Tarsk lighthouse keepers signal ships with coloured lanterns.", encoding="utf-8")
    # In this process (the test's home is the child's): two interpreter starts fewer.
    assert main(["kb", "create", "notes"]) == 0 and main(["kb", "add", "notes", str(notes)]) == 0
    proc = subprocess.run([sys.executable, "-m", "app", "workflow", "run", "rag-then-answer", "--kb", "notes",
                           "--input", "How do the Tarsk keepers signal ships?", "--model", str(converted_model_dir),
                           "--max-tokens", "16", "--json"],
                          env=env, cwd=str(REPO), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.strip().splitlines()]
    result = lines[-1]
    print(f"\nworkflow answer: {result['output']!r}")
    assert result["status"] == "completed" and result["output_key"] == "answer"
    assert [n["node"] for n in lines[1:-1]] == ["search", "found", "answer_from_passages"]
    search, found, answer = lines[1:-1]
    assert "coloured lanterns" in search["output"] and search["input"]["kb"] == ["notes"]
    assert result["citations"][0]["n"] == 1 and result["citations"][0]["file"].endswith("lanterns.md")
    assert found["output"] == "true"
    assert "coloured lanterns" in answer["input"] and "How do the Tarsk keepers" in answer["input"]
    assert isinstance(answer["output"], str) and answer["output"] and answer["output"] == result["output"]
