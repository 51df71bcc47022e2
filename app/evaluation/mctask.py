"""A local multiple-choice task file (MMLU / C-Eval style) and the lm-evaluation-harness task built on it.

The file is JSONL, one question a line::

    {"question": "2 + 2 =", "A": "3", "B": "4", "C": "5", "D": "22", "answer": "B"}

The choices are the keys ``A``, ``B``, ``C``, ``D`` (C-Eval's shape; ``E`` … ``J`` may follow, in
order), or a list ``"choices": ["3", "4", "5", "22"]`` (MMLU's shape on the hub). ``answer`` is the
letter of the right choice, or its 0-based index with a list. Other keys (``id``, ``subject``,
``explanation``) are ignored. A line that is none of this makes the whole file fail with its line
number named (``bench.task_broken``): an accuracy over a file that silently lost lines would mislead.

``task_config(task)`` is the lm-eval task, as a config dict that ``lm_eval.simple_evaluate`` takes
beside hub task names: the prompt is MMLU's zero-shot one ("question", the lettered choices,
"Answer:"), the continuations are " A", " B", …, and ``acc`` is the share of questions whose right
letter has the highest log-likelihood. The questions are handed over in memory (``custom_dataset``),
so nothing is downloaded or cached and it works offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import UserError
from app.evaluation.evalset import read_jsonl_set

LETTERS = "ABCDEFGHIJ"
SHAPE = ('{"question": TEXT, "A": TEXT, "B": TEXT, "C": TEXT, "D": TEXT, "answer": "A".."D"} '
         '(or "choices": [TEXT, …] with "answer" a letter or a 0-based index)')


@dataclass(frozen=True)
class Question:
    question: str
    choices: tuple[str, ...]
    answer: int  # index into choices


@dataclass(frozen=True)
class LocalTask:
    name: str
    path: Path
    questions: tuple[Question, ...]


def _question(obj: Any) -> Question | str:
    if not isinstance(obj, dict):
        return "not a JSON object"
    q = obj.get("question")
    if not isinstance(q, str) or not q.strip():
        return 'no "question" text'
    if "choices" in obj:
        choices = obj["choices"]
        if not isinstance(choices, list) or not 2 <= len(choices) <= len(LETTERS):
            return f'"choices" must be a list of 2 to {len(LETTERS)} texts'
    else:
        choices = []
        for letter in LETTERS:
            if letter not in obj:
                break
            choices.append(obj[letter])
        if len(choices) < 2:
            return 'no choices: give "A", "B", "C", "D" (or a "choices" list)'
    if not all(isinstance(c, (str, int, float)) and not isinstance(c, bool) and str(c).strip() for c in choices):
        return "every choice must be a non-empty text"
    answer = obj.get("answer")
    letters = LETTERS[:len(choices)]
    if isinstance(answer, str) and answer.strip().upper() in letters and answer.strip():
        index = letters.index(answer.strip().upper())
    elif isinstance(answer, int) and not isinstance(answer, bool) and "choices" in obj and 0 <= answer < len(choices):
        index = answer
    else:
        return f'"answer" must be one of {", ".join(letters)}, not {answer!r}'
    return Question(q.strip(), tuple(str(c).strip() for c in choices), index)


def read_task_file(path: str | Path) -> LocalTask:
    """The questions of ``path``; UserError (``bench.task_*``) naming broken lines, a missing or empty file."""
    path = Path(path).expanduser()
    try:
        questions = read_jsonl_set(path, "task file", _question, SHAPE)
    except UserError as err:
        raise _task_error(err) from None
    name = "local_" + (re.sub(r"[^0-9A-Za-z_]+", "_", path.stem).strip("_").lower() or "task")
    return LocalTask(name=name, path=path.resolve(), questions=tuple(questions))


def _task_error(err: UserError) -> UserError:
    """The evaluation-set reader's refusal, coded as a task file's (its message already says "task file")."""
    p = err.params
    if err.code == "eval.set_broken":
        return UserError(str(err), code="bench.task_broken",
                         params={"path": p.get("path"), "count": p.get("count"), "lines": p.get("lines")})
    if err.code == "eval.set_empty":
        return UserError(str(err), code="bench.task_empty", params={"path": p.get("path")})
    if err.code == "eval.set_unreadable":
        return UserError(str(err), code="bench.task_unreadable", params={"path": p.get("path"), "reason": p.get("reason")})
    return UserError(str(err), code="bench.task_missing", params={"path": p.get("path")})


def doc_to_text(doc: dict) -> str:
    lines = [doc["question"]]
    lines += [f"{letter}. {choice}" for letter, choice in zip(LETTERS, doc["choices"], strict=False)]
    return "\n".join(lines) + "\nAnswer:"


def doc_to_choice(doc: dict) -> list[str]:
    return list(LETTERS[:len(doc["choices"])])


def task_config(task: LocalTask) -> dict[str, Any]:
    docs = [{"question": q.question, "choices": list(q.choices), "answer": q.answer} for q in task.questions]

    def dataset(**_kwargs):
        import datasets

        return {"test": datasets.Dataset.from_list(docs)}

    return {
        "task": task.name,
        "custom_dataset": dataset,
        "test_split": "test",
        "output_type": "multiple_choice",
        "doc_to_text": doc_to_text,
        "doc_to_choice": doc_to_choice,
        "doc_to_target": "answer",
        "target_delimiter": " ",
        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        "metadata": {"version": 1, "path": str(task.path)},
    }
