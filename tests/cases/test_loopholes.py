"""Loopholes a legal audit found (issue 18), each now refused with its article, and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fastapi.testclient import TestClient

from service.cases.guards import GUARDS, HearingFacts
from service.cases.workflow import CaseState, check_transition
from service.clock import FixedClock

from . import GENERAL, ZHANG, cst, facts, qualifications
from .driver import Cases
from .test_case_api import NOTICE, fine, refusal
from .test_reviews import BIG, major_case, review

Auth = Callable[[str], dict[str, str]]


def test_an_officer_cannot_lift_the_major_flag_and_a_head_decides_art_57(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    path = f"/api/v1/cases/{case['id']}/major"
    raised = client.post(path, headers=auth("officer1"), json={"major": True, "reason": "社会影响大"})
    assert raised.status_code == 200, raised.text
    lifted = client.post(
        path, headers=auth("officer1") | {"Accept-Language": "en"}, json={"major": False, "reason": "x"}
    )
    assert lifted.status_code == 403
    assert lifted.json()["basis"]["article"] == 57
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).json()["file"]["major"] is True
    by_head = client.post(path, headers=auth("head"), json={"major": False, "reason": "经负责人研究，不属于重大案件"})
    assert by_head.status_code == 200, by_head.text
    assert by_head.json()["file"]["major"] is False


def test_a_lighter_decision_than_the_one_reviewed_needs_a_fresh_review_art_58(cases: Cases, clock: FixedClock) -> None:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    lighter = fine(BIG["fine_fen"] - 500_000)
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": lighter}
    )
    assert "legal_review_passed" in refusal(refused)[0]
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )


def test_a_hearing_cannot_be_held_before_the_day_notified_art_64() -> None:
    scheduled = HearingFacts(
        requested_at=cst(2025, 3, 14), notified_at=cst(2025, 3, 17), scheduled_for=cst(2025, 3, 27), chair_id="c"
    )
    early = GUARDS["hearing_held_as_notified"].check(facts(now=cst(2025, 3, 20), hearing=scheduled), GENERAL.periods)
    assert early is not None
    assert "2025-03-27" in early.reason_en
    assert (
        GUARDS["hearing_held_as_notified"].check(facts(now=cst(2025, 3, 27), hearing=scheduled), GENERAL.periods)
        is None
    )


def test_the_prior_notice_and_the_decision_are_served_by_two_officers_art_42() -> None:
    one = facts(now=cst(2025, 3, 12))
    one = replace(one, acting_officers=qualifications(one.now, one.item_code, ZHANG))
    for step, state in (("serve_prior_notice", CaseState.PENALTY_INTENDED), ("serve_decision", CaseState.DECIDED)):
        check = check_transition(GENERAL, state, step, one)
        assert "two_qualified_officers" in [f.guard for f in check.failures], step


def test_a_prior_notice_served_by_one_officer_through_the_api_writes_nothing(cases: Cases) -> None:
    case = cases.investigated()
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    alone = cases.step(case, "serve_prior_notice", expect=409, data={"notice": NOTICE | {"penalty": fine(30000)}})
    guards, citations = refusal(alone)
    assert "two_qualified_officers" in guards
    assert "《中华人民共和国行政处罚法》第42条" in citations
    assert (
        cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()["state"]
        == "penalty_intended"
    )


def test_a_party_already_heard_cannot_be_recorded_as_waiving_their_statement_art_62(cases: Cases) -> None:
    """第六十二条: a waiver is the party's choice not to be heard; after their statement is on record, a waiver
    would make the file say they never spoke (and the decision's document print it so)."""
    case = cases.investigated()
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    notice = NOTICE | {"penalty": fine(30000), "informs_hearing_right": False}
    cases.step(case, "serve_prior_notice", officers=cases.with_second(), data={"notice": notice})
    stated = cases.step(case, "record_statement", data={"summary": "当事人称系初次违法，请求从轻"})
    assert "record_statement_waiver" not in stated["next_steps"]
    refused = cases.step(case, "record_statement_waiver", expect=409)
    assert refusal(refused) == (["statement_not_recorded"], ["《中华人民共和国行政处罚法》第62条"])
    after = cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()
    assert after["file"]["statement"] == "recorded"


def test_a_party_who_waived_may_still_be_heard_art_62(cases: Cases) -> None:
    case = cases.investigated()
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    notice = NOTICE | {"penalty": fine(30000), "informs_hearing_right": False}
    cases.step(case, "serve_prior_notice", officers=cases.with_second(), data={"notice": notice})
    assert cases.step(case, "record_statement_waiver")["file"]["statement"] == "waived"
    assert (
        cases.step(case, "record_statement", data={"summary": "当事人改变主意，提出申辩"})["file"]["statement"]
        == "recorded"
    )
