"""The decision considers the party's circumstances and rests on recorded evidence (行政处罚法 第二十九条至第三十三条,
第四十条). Each rule is refused with its article, writing nothing; a lawful decision passes.

The case: a citizen dumps household waste (CQ-TM-003: 100 to 500 yuan; 从轻 is at most 220 yuan, 30 % into the
range — 重庆市规范行政处罚裁量权办法 第十六条), notified of a 300-yuan fine and heard."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from service.cases.deadlines import Periods
from service.cases.guards import (
    GUARDS,
    AgeAtAct,
    Circumstances,
    DecisionFacts,
    DecisionOutcome,
    Harm,
    MentalCapacity,
    Penalty,
)
from service.clock import FixedClock
from tests.cases.driver import Cases
from tests.cases.test_case_api import NOTICE, fine

from . import FINE, WASTE, facts

NOTIFIED = 30000


def heard(cases: Cases, clock: FixedClock, circumstances: dict[str, Any] | None = None, **open_: Any) -> dict[str, Any]:
    """A case filed, the party questioned, its circumstances recorded (unless None), a 300-yuan fine notified and
    the party heard (state party_heard)."""
    case = cases.open(**open_)
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
    )
    if circumstances is not None:
        cases.circumstances(case, **circumstances)
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚，证据确凿"})
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(NOTIFIED)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(NOTIFIED)}}
    )
    clock.advance(days=8)
    return cases.step(case, "conclude_party_hearing")


def entries(cases: Cases, case: dict[str, Any]) -> int:
    return len(cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json())


def refused(cases: Cases, case: dict[str, Any], step: str, data: dict[str, Any], guard: str) -> dict[str, Any]:
    """The step is refused (409) by ``guard``, and nothing is written; the guard's failure is returned."""
    before = entries(cases, case)
    problem = cases.step(case, step, "head", expect=409, data=data)
    assert entries(cases, case) == before
    failures = {f["guard"]: f for f in problem["failures"]}
    assert guard in failures, problem
    return dict(failures[guard])


def decide(cases: Cases, case: dict[str, Any], fen: int = NOTIFIED) -> dict[str, Any]:
    return {"penalty": fine(fen), "evidence": cases.evidence(case)}


# --- the lawful decision ---


def test_a_decision_considering_the_circumstances_and_citing_its_evidence_passes(
    cases: Cases, clock: FixedClock
) -> None:
    case = heard(cases, clock, {})
    decided = cases.step(case, "decide_penalty", "head", data=decide(cases, case))
    assert decided["state"] == "decided"
    history = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    recorded = next(e for e in history if e["type"] == "case:circumstances:recorded")
    assert recorded["body"]["data"]["age_at_act"] == "adult"
    decision = next(e for e in history if e["type"] == "case:decision:penalty")
    inquiry = next(e["seq"] for e in history if e["type"] == "case:inquiry:recorded")
    assert decision["body"]["data"]["evidence"] == [inquiry]


# --- 第五十七条: no decision before the circumstances are recorded ---


def test_no_decision_is_taken_before_the_circumstances_are_recorded_art_57(cases: Cases, clock: FixedClock) -> None:
    case = heard(cases, clock, None)
    # The case offers no penalty decision before them; a decision that the facts are not established needs none,
    # so deciding no penalty stays offered (its data says which outcome).
    view = cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()
    blocked = {b["step"]: [f["guard"] for f in b["failures"]] for b in view["blocked_steps"]}
    assert "circumstances_recorded" in blocked["decide_penalty"]
    assert "decide_no_penalty" in view["next_steps"]
    failure = refused(cases, case, "decide_penalty", decide(cases, case), "circumstances_recorded")
    assert (failure["basis"]["article"], failure["basis"]["paragraph"]) == (57, 1)
    refused(cases, case, "decide_no_penalty", {"outcome": "no_penalty_minor"}, "circumstances_recorded")
    cases.circumstances(case)
    assert cases.step(case, "decide_penalty", "head", data=decide(cases, case))["state"] == "decided"


def test_facts_not_established_need_no_circumstances(cases: Cases, clock: FixedClock) -> None:
    case = heard(cases, clock, None)
    outcome = {"outcome": "no_penalty_not_established"}
    assert cases.step(case, "decide_no_penalty", "head", data=outcome)["state"] == "decided"


# --- 不予行政处罚: 第三十条、第三十一条、第三十三条 ---


@pytest.mark.parametrize(
    ("circumstances", "article", "paragraph"),
    [
        pytest.param({"age_at_act": "under_14"}, 30, None, id="under-14-art-30"),
        pytest.param({"mental_capacity": "none"}, 31, None, id="unable-to-control-art-31"),
        pytest.param(
            {"minor_violation": True, "harm": "none", "corrected_in_time": True}, 33, 1, id="minor-corrected-art-33-1"
        ),
        pytest.param({"no_fault_proven": True}, 33, 2, id="no-fault-art-33-2"),
        pytest.param(
            {"first_violation": True, "harm": "minor", "corrected_in_time": True},
            33,
            1,
            id="first-violation-on-the-list-art-33-1",
        ),
    ],
)
def test_no_penalty_where_the_law_excludes_it(
    cases: Cases, clock: FixedClock, circumstances: dict[str, Any], article: int, paragraph: int | None
) -> None:
    case = heard(cases, clock, circumstances)
    failure = refused(cases, case, "decide_penalty", decide(cases, case), "no_penalty_where_law_excludes")
    assert failure["basis"]["article"] == article
    assert failure["basis"].get("paragraph") == paragraph
    # The decision the law requires is taken, on the ground recorded.
    assert cases.step(case, "decide_no_penalty", "head", data={"outcome": "no_penalty_minor"})["state"] == "decided"


def test_a_first_violation_is_penalised_only_where_the_item_is_not_on_the_list_art_33() -> None:
    """第三十三条第一款后句 is “可以”: the first-violation list (CQ-TM-003 in the sample) makes it the rule."""
    first = Circumstances(AgeAtAct.ADULT, MentalCapacity.FULL, frozenset(), False, Harm.MINOR, True, True, False, None)
    check = GUARDS["no_penalty_where_law_excludes"].check
    listed = replace(WASTE, first_violation_no_penalty=True)
    assert check(facts(item=listed, party_type="individual", circumstances=first), Periods()) is not None
    assert check(facts(item=WASTE, party_type="individual", circumstances=first), Periods()) is None
    # Off the list, no penalty is still a lawful decision on that ground (第五十七条第一款第二项).
    ground = GUARDS["no_penalty_ground_recorded"].check
    no_penalty = DecisionFacts(DecisionOutcome.NO_PENALTY_MINOR, None, facts().now, None, False)
    assert ground(facts(item=WASTE, circumstances=first, decision=no_penalty), Periods()) is None


def test_no_penalty_for_a_minor_act_needs_a_ground_the_law_gives_art_57(cases: Cases, clock: FixedClock) -> None:
    case = heard(cases, clock, {})
    failure = refused(cases, case, "decide_no_penalty", {"outcome": "no_penalty_minor"}, "no_penalty_ground_recorded")
    assert (failure["basis"]["article"], failure["basis"]["paragraph"]) == (57, 1)


# --- 应当从轻或者减轻: 第三十条、第三十二条 ---


@pytest.mark.parametrize(
    ("circumstances", "article"),
    [
        pytest.param({"age_at_act": "aged_14_to_18"}, 30, id="aged-14-to-18-art-30"),
        pytest.param({"mitigations": ["removed_or_reduced_harm"]}, 32, id="removed-harm-art-32-1"),
        pytest.param({"mitigations": ["coerced_or_deceived"]}, 32, id="coerced-art-32-2"),
    ],
)
def test_the_penalty_is_lighter_where_the_law_mitigates(
    cases: Cases, clock: FixedClock, circumstances: dict[str, Any], article: int
) -> None:
    case = heard(cases, clock, circumstances)
    failure = refused(cases, case, "decide_penalty", decide(cases, case), "mitigation_applied")
    assert failure["basis"]["article"] == article
    assert "220元" in failure["reason_zh"]  # 100 + 30 % of (500 − 100) yuan
    # 220 yuan lies in the 从轻 part of the range, and below the notified 300 (第四十五条第二款).
    assert cases.step(case, "decide_penalty", "head", data=decide(cases, case, 22000))["state"] == "decided"


def test_lighter_is_counted_as_the_chongqing_rules_count_it() -> None:
    check = GUARDS["mitigation_applied"].check
    minor = Circumstances(
        AgeAtAct.AGED_14_TO_18, MentalCapacity.FULL, frozenset(), False, Harm.MORE, False, False, False, None
    )
    case = facts(item=WASTE, party_type="individual", circumstances=minor)
    statutory = WASTE.statutory_fines["individual"]
    top = statutory.min_fen + (statutory.max_fen - statutory.min_fen) * 30 // 100
    assert check(replace(case, proposed=Penalty(FINE, fine_fen=top)), Periods()) is None
    assert check(replace(case, proposed=Penalty(FINE, fine_fen=top + 1)), Periods()) is not None
    # 减轻: below the law's minimum (a departure, which within_discretion then requires approved).
    assert check(replace(case, proposed=Penalty(FINE, fine_fen=statutory.min_fen - 1)), Periods()) is None


# --- 第二十九条: one act, one fine ---


def test_an_act_already_fined_is_not_fined_again_art_29(cases: Cases, clock: FixedClock) -> None:
    earlier = {"fined_before": {"decision": "梁平环罚〔2026〕12号（区生态环境局）"}}
    case = heard(cases, clock, earlier)
    failure = refused(cases, case, "decide_penalty", decide(cases, case), "not_fined_twice")
    assert failure["basis"]["article"] == 29
    assert "梁平环罚〔2026〕12号" in failure["reason_zh"]


# --- 第四十条: the decision cites the evidence it relies on ---


def test_the_decision_cites_recorded_evidence_of_this_case_art_40(cases: Cases, clock: FixedClock) -> None:
    case = heard(cases, clock, {})
    none = refused(cases, case, "decide_penalty", {"penalty": fine(NOTIFIED)}, "decision_evidence_recorded")
    assert none["basis"]["article"] == 40
    history = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    filing = next(e["seq"] for e in history if e["type"] == "case:filing:approved")
    not_evidence = refused(
        cases, case, "decide_penalty", {"penalty": fine(NOTIFIED), "evidence": [filing]}, "decision_evidence_recorded"
    )
    assert "case:filing:approved" in not_evidence["reason_en"]
    elsewhere = refused(
        cases, case, "decide_penalty", {"penalty": fine(NOTIFIED), "evidence": [999]}, "decision_evidence_recorded"
    )
    assert "not an entry of this case" in elsewhere["reason_en"]
    assert cases.step(case, "decide_penalty", "head", data=decide(cases, case))["state"] == "decided"


# --- what the record says fits the party ---


def test_circumstances_fit_the_party_art_30_art_31(cases: Cases) -> None:
    citizen = cases.open()
    cases.step(citizen, "approve_filing", "head")
    problem = cases.step(
        citizen,
        "record_circumstances",
        expect=409,
        data={"age_at_act": "not_applicable", "harm": "minor", "findings": "询问笔录"},
    )
    assert problem["failures"][0]["guard"] == "circumstances_fit_party"
    company = cases.open(party={"party_type": "organisation", "name": "某某保洁有限公司"})
    cases.step(company, "approve_filing", "head")
    problem = cases.step(
        company,
        "record_circumstances",
        expect=409,
        data={"age_at_act": "aged_14_to_18", "harm": "minor", "findings": "x"},
    )
    assert problem["failures"][0]["basis"]["article"] == 30
    assert cases.circumstances(company)["state"] == "investigating"
