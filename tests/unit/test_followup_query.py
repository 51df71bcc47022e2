"""Follow-up questions in a chat are retrieved as stand-alone queries: the earlier question's
subject joins a question that only points back to it ("How much did it cost?", "那它多少钱？")."""

from __future__ import annotations

import pytest

from app.core.rag import is_follow_up, standalone_query

FOLLOW_UPS = ["How much did it cost?", "When was it built?", "What about the second one?",
              "And the keepers?", "Who paid for that?", "Where are they now?",
              "它花了多少钱？", "那它是哪一年建的？", "这个多少钱？", "还有别的吗？", "他们现在在哪里？"]
STAND_ALONE = ["When was the Ostrand lighthouse rebuilt?", "How much did the Harlow bridge cost to build?",
               "List the opening hours of the Tarsk museum", "Copperwing owl migration",
               "奥斯特兰灯塔是哪一年重建的？", "哈洛大桥的造价是多少？", "塔斯克博物馆几点开门"]


@pytest.mark.parametrize("q", FOLLOW_UPS)
def test_follow_ups_are_recognised(q):
    assert is_follow_up(q)


@pytest.mark.parametrize("q", STAND_ALONE)
def test_questions_that_name_their_subject_are_left_alone(q):
    assert not is_follow_up(q)
    assert standalone_query(q, [{"role": "user", "content": "Something else entirely"}]) == q


def test_the_earlier_question_gives_the_subject():
    history = [{"role": "system", "content": "Be brief."},
               {"role": "user", "content": "When was the Ostrand lighthouse rebuilt?"},
               {"role": "assistant", "content": "In 1987 [1]."}]
    assert standalone_query("How much did it cost?", history) == \
        "When was the Ostrand lighthouse rebuilt? How much did it cost?"
    assert standalone_query("How much did it cost?", []) == "How much did it cost?"  # nothing to lean on


def test_a_follow_up_finds_the_earlier_subject_in_a_knowledge_base(ai_home, tmp_path):
    from app.core.db.database import open_database
    from app.core.kb import KnowledgeStore
    from app.knowledge.base import Knowledge

    (tmp_path / "lighthouse.txt").write_text(
        "The Ostrand lighthouse was rebuilt in 1987 after a storm. The repairs cost 32,000 crowns.", encoding="utf-8")
    (tmp_path / "bridge.txt").write_text(
        "The Harlow bridge opened in 1921. Building it cost three million crowns.", encoding="utf-8")
    (tmp_path / "museum.txt").write_text("The Tarsk museum opens at nine and closes at five.", encoding="utf-8")
    with open_database() as db:
        store = KnowledgeStore(db)
        k = Knowledge(store.create("town"), store)
        k.add([str(tmp_path)])
        history = [{"role": "user", "content": "When was the Ostrand lighthouse rebuilt?"}]
        for follow in ("How much did it cost?", "那它花了多少钱？"):
            hit = k.query(standalone_query(follow, history), top_k=1)["chunks"][0]
            assert hit["file"].endswith("lighthouse.txt"), follow
