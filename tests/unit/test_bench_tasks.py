"""Local multiple-choice task files (app/evaluation/mctask.py): C-Eval's and MMLU's shapes read the same,
and the prompt lm-eval scores is MMLU's zero-shot one."""

from __future__ import annotations

import json

import pytest

from app.core.errors import UserError
from app.evaluation.mctask import doc_to_choice, doc_to_text, read_task_file, task_config


def test_ceval_and_mmlu_shapes_give_the_same_questions(tmp_path):
    ceval = tmp_path / "C-Eval set.jsonl"
    ceval.write_text(json.dumps({"id": 0, "question": " 1+1=? ", "A": "1", "B": "2", "C": 3, "D": "4", "answer": "b",
                                 "explanation": "…"}) + "\n\n", encoding="utf-8")
    mmlu = tmp_path / "mmlu.jsonl"
    mmlu.write_text(json.dumps({"question": "1+1=?", "choices": ["1", "2", "3", "4"], "answer": 1,
                                "subject": "math"}) + "\n", encoding="utf-8-sig")
    a, b = read_task_file(ceval), read_task_file(mmlu)
    assert a.questions == b.questions and a.questions[0].answer == 1 and a.questions[0].choices[2] == "3"
    assert a.name == "local_c_eval_set" and b.name == "local_mmlu"
    doc = {"question": "1+1=?", "choices": ["1", "2", "3"], "answer": 1}
    assert doc_to_text(doc) == "1+1=?\nA. 1\nB. 2\nC. 3\nAnswer:" and doc_to_choice(doc) == ["A", "B", "C"]
    cfg = task_config(a)
    assert cfg["task"] == "local_c_eval_set" and cfg["output_type"] == "multiple_choice"
    assert list(cfg["custom_dataset"]()["test"]) == [{"question": "1+1=?", "choices": ["1", "2", "3", "4"],
                                                     "answer": 1}]


@pytest.mark.parametrize("record,why", [
    ({"question": "q", "choices": ["a"], "answer": 0}, '"choices" must be a list of 2 to 10 texts'),
    ({"question": "q", "A": "a", "B": "", "answer": "A"}, "every choice must be a non-empty text"),
    ({"question": "q", "A": "a", "B": "b", "answer": 1}, '"answer" must be one of A, B, not 1'),
    ({"question": "", "A": "a", "B": "b", "answer": "A"}, 'no "question" text'),
    (["q"], "not a JSON object"),
])
def test_each_broken_shape_says_what_is_wrong(tmp_path, record, why):
    path = tmp_path / "t.jsonl"
    good = json.dumps({"question": "q", "A": "a", "B": "b", "answer": "A"})
    path.write_text(good + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_task_file(path)
    assert info.value.code == "bench.task_broken" and f"line 2: {why}" in str(info.value)
