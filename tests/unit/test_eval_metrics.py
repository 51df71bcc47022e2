"""Evaluation without a model: the metrics (English and Chinese), the eval-set reader, and the
judge's bookkeeping through a fake judge server (tests/helpers/fake_judge.py)."""

from __future__ import annotations

import json

import pytest

from app.core.errors import UserError
from app.evaluation import judge as judging
from app.evaluation import metrics as m
from app.evaluation.evalset import read_eval_set
from tests.helpers.fake_judge import FakeJudgeServer


def test_tokenize_splits_chinese_by_character_and_other_text_by_word():
    assert m.tokenize("Hello, World") == ["hello", ",", "world"]
    assert m.tokenize("我爱北京天安门") == list("我爱北京天安门")
    assert m.tokenize("我爱 北京") == m.tokenize("我爱北京")  # spaces never matter
    assert m.tokenize("用LoRA微调2次") == ["用", "lora", "微", "调", "2", "次"]
    assert m.tokenize("ＡＢＣ１２３") == ["abc123"]  # full-width folded


def test_exact_match_ignores_case_and_spacing_only():
    assert m.exact_match("  The capital is  Quillentown ", "the capital is quillentown") == 1.0
    assert m.exact_match("The capital is Quillentown.", "The capital is Quillentown") == 0.0


def test_perfect_and_disjoint_answers_score_the_ends_of_each_scale():
    refs = ["The capital of Zorbania is Quillentown.", "秋风起，落叶黄。"]
    same = m.generation_metrics(refs, refs)
    assert same == {"exact_match": 1.0, "rouge_l": 1.0, "bleu": pytest.approx(100.0), "chrf": pytest.approx(100.0)}
    other = m.generation_metrics(["Bananas grow on plants", "春天花开"], refs)
    assert other["exact_match"] == 0.0 and other["rouge_l"] == 0.0 and other["bleu"] == 0.0
    assert other["chrf"] < 10


def test_chinese_partial_overlap_scores_between_the_ends():
    # Whitespace tokenisation would see one "word" each and score 0; by characters half match.
    assert m.rouge_l("我爱北京", "我爱上海") == pytest.approx(0.5)
    closer = m.chrf(["今天北京天气很好"], ["今天北京天气不错"])
    farther = m.chrf(["明天上海下雨"], ["今天北京天气不错"])
    assert 0 < farther < closer < 100
    assert 0 < m.bleu(["今天北京天气很好"], ["今天北京天气不错"]) < 100


def test_bleu_prefers_the_closer_english_answer():
    ref = ["the cat sat on the mat"]
    assert m.bleu(["the cat sat on a mat"], ref) > m.bleu(["a dog lay on the rug"], ref)
    assert m.bleu(["the cat"], ref) < m.bleu(["the cat sat on the"], ref)  # brevity penalty


def test_wilson_interval():
    low, high = m.wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-3) and high == pytest.approx(0.7634, abs=1e-3)
    assert m.wilson_interval(0, 0) == (0.0, 1.0)
    low, high = m.wilson_interval(50, 100)
    assert high - low < 0.2


def test_eval_set_names_broken_lines_and_refuses_an_empty_set(tmp_path):
    good = {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]}
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps({"prompt": "Q2", "reference": "R2"}),
                               json.dumps({"messages": [{"role": "user", "content": "no reply"}]})]), encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_eval_set(path)
    assert err.value.code == "eval.set_broken" and err.value.params["count"] == 2
    assert "line 2: not JSON" in str(err.value) and "line 4: no assistant reply" in str(err.value)

    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_eval_set(empty)
    assert err.value.code == "eval.set_empty"
    with pytest.raises(UserError) as err:
        read_eval_set(tmp_path / "nope.jsonl")
    assert err.value.code == "eval.set_missing"

    path.write_text(json.dumps(good) + "\n" + json.dumps({"prompt": "Q2", "answer": "R2", "system": "Be brief."}),
                    encoding="utf-8")
    samples = read_eval_set(path)
    assert [(s.prompt_text, s.reference) for s in samples] == [("Q?", "A."), ("Q2", "R2")]
    assert samples[1].prompt[0] == {"role": "system", "content": "Be brief."}


def test_verdicts_and_scores_are_read_leniently():
    assert judging.parse_verdict("A") == "A" and judging.parse_verdict("[[B]] because…") == "B"
    assert judging.parse_verdict("Tie.") == "tie" and judging.parse_verdict("Answer B is better.") == "B"
    assert judging.parse_verdict("I like bananas") is None
    assert judging.parse_score("Score: 7") == 7 and judging.parse_score("8/10") == 8
    assert judging.parse_score("Score: 11") is None and judging.parse_score("good") is None


ROWS = [{"prompt": f"Question {i}?", "reference": f"Answer {i}.", "base": f"base says {i}",
         "adapter": f"adapter says {i}"} for i in range(6)]


def test_pairwise_swap_cancels_a_judge_that_always_prefers_the_first_answer():
    with FakeJudgeServer(lambda messages: "A") as server:
        j = judging.open_judge(server.base_url)
        result = judging.pairwise(j, [dict(r) for r in ROWS])
    assert j.model == "fake-judge"
    assert len(server.requests) == 2 * len(ROWS)  # each sample judged in both orders
    firsts = ["base says" in req["messages"][1]["content"].split("[Answer A]")[1].split("[Answer B]")[0]
              for req in server.requests]
    assert firsts == [True, False] * len(ROWS)
    assert result["verdicts"] == 12 and result["unparseable"] == 0
    assert result["win_rate"] == pytest.approx(0.5)
    assert result["ci_low"] < 0.5 < result["ci_high"]
    assert "warning" not in result


def test_a_judge_that_prefers_the_adapter_wins_it_every_verdict():
    def reply(messages):
        a = messages[1]["content"].split("[Answer A]")[1].split("[Answer B]")[0]
        return "A" if "adapter" in a else "B"

    with FakeJudgeServer(reply) as server:
        result = judging.pairwise(judging.open_judge(server.base_url + "#fake-judge"), [dict(r) for r in ROWS])
    assert result["win_rate"] == 1.0 and result["ci_low"] > 0.7


def test_nonsense_verdicts_are_counted_never_fatal():
    answers = iter(["A", "banana", "B", "no idea"] + ["???"] * 20)
    with FakeJudgeServer(lambda messages: next(answers)) as server:
        result = judging.pairwise(judging.open_judge(server.base_url), [dict(r) for r in ROWS[:2]])
    assert result["verdicts"] == 2 and result["unparseable"] == 2
    assert result["win_rate"] == pytest.approx(0.5)  # A (base first) = base, B (base first) = adapter

    with FakeJudgeServer(lambda messages: "I refuse to choose") as server:
        result = judging.pairwise(judging.open_judge(server.base_url), [dict(r) for r in ROWS[:3]])
        absolute = judging.absolute(judging.open_judge(server.base_url), [dict(r) for r in ROWS[:3]])
    assert result["win_rate"] is None and result["unparseable"] == 6
    assert result["warning"]["code"] == "eval.judge_nonsense"
    assert absolute["base_score"] is None and absolute["warning"]["code"] == "eval.judge_nonsense"


def test_absolute_scores_each_side_with_the_rubric():
    with FakeJudgeServer(lambda messages: "Score: 9" if "adapter says" in messages[1]["content"] else "Score: 3") as s:
        result = judging.absolute(judging.open_judge(s.base_url), [dict(r) for r in ROWS])
    assert result["base_score"] == 3 and result["adapter_score"] == 9 and result["verdicts"] == 12
    assert "1-3" in s.requests[0]["messages"][0]["content"]  # the rubric goes to the judge


def test_an_unreachable_judge_is_a_clear_error():
    from app.core import serve_config

    with pytest.raises(UserError) as err:
        judging.open_judge(f"http://127.0.0.1:{serve_config.free_port()}/v1")
    assert err.value.code == "chat.not_running"


def test_an_answer_cut_inside_a_character_loses_the_fragment():
    from app.evaluation.generate import clean_answer

    assert clean_answer(" 首都是不\ufffd") == "首都是不" and clean_answer("Paris. ") == "Paris."
