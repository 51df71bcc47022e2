"""The support check of grounded answers: key facts looked for in the cited passages, both languages."""

from __future__ import annotations

from app.core.answer_support import check, key_facts
from app.core.rag import Passage


def P(n: int, text: str) -> Passage:
    return Passage(n=n, text=text, file=f"doc{n}.md", page=None, score=0.5, kb="kb")


LISBON = P(1, "Northwind Logistics operates a facility in Lisbon (site code NW-4821). The site opened in 1987 "
              "and today employs 2,400 people. The site manager is Li Wei.")
OSLO = P(2, "Northwind Logistics operates a facility in Oslo (site code NW-1190). The site opened in 2001 and "
            "today employs 380 people. The site manager is Greta Vogel.")
ZH = P(3, "北风物流在里斯本设有一个厂区（厂区代码NW-4821）。该厂区于1987年投产，目前有员工2400名。")
ALL = [LISBON, OSLO, ZH]


def test_key_facts_are_numbers_codes_and_names_not_list_marks_or_citations():
    assert key_facts("1. The Lisbon site employs 2,400 people [1].") == ["2400", "Lisbon"]
    assert key_facts("Site code NW-4821 is managed by Li Wei.") == ["NW-4821", "Li", "Wei"]
    assert key_facts("厂区代码NW-4821，员工2400名[3]。") == ["NW-4821", "2400"]
    assert key_facts("According to the passages, it opened in May.") == []


def test_right_facts_with_the_right_citation_are_supported_in_both_languages():
    assert check("The Lisbon site employs 2400 people [1].", ALL).status == "supported"
    assert check("里斯本厂区目前有员工2,400名[3]。", ALL).status == "supported"
    assert check("Site NW-4821 opened in 1987 [1][3].", ALL).status == "supported"


def test_a_number_from_the_near_duplicate_document_is_miscited_and_names_that_passage():
    s = check("The Lisbon site employs 380 people [1].", ALL)
    assert s.status == "miscited" and s.elsewhere == {"380": 2}
    assert s.to_meta()["elsewhere"] == {"380": 2}


def test_a_fact_in_no_passage_is_unsupported_and_named():
    s = check("The site opened in 1987 [1]. It employs 2500 people [1].", ALL)
    assert s.status == "unsupported" and s.missing == ["2500"]
    assert [c.supported for c in s.sentences] == [True, False]
    assert check("里斯本厂区目前有员工2500名[3]。", ALL).missing == ["2500"]


def test_uncited_sentences_are_checked_against_the_answers_citations_then_all_passages():
    # the second sentence cites nothing: it is held to what the answer cites elsewhere ([2])
    assert check("Oslo has 380 staff [2]. The manager is Greta Vogel.", ALL).status == "supported"
    assert check("The manager is Greta Vogel.", ALL).status == "supported"  # no citation at all: any passage


def test_refusals_and_answers_without_facts_are_not_judged():
    assert check("The passages do not contain the answer.", ALL).status == "refusal"
    assert check("资料中没有提到这个信息。", ALL).status == "refusal"
    assert check("I hope this helps, it is a nice place.", ALL).status == "unchecked"
