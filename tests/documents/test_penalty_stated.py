"""Which penalty a document states: before the decision the notified one (第四十四条), from it the decided one."""

from __future__ import annotations

from typing import Any

from service.cases.casefile import CaseFile
from service.documents.content import penalty_stated
from service.documents.kinds import DocumentKind


def file(**changes: Any) -> CaseFile:
    return CaseFile.of(
        {
            "procedure": "general",
            "state": "decided",
            "item_code": "CQ-TM-003",
            "catalogue_version": "v",
            "party_type": "individual",
        }
        | changes
    )


NOTIFIED = {"penalty": {"kinds": ["fine"], "fine_fen": 30000}, "served_at": "2026-06-01T02:00:00.000000Z"}


def decided(penalty: dict[str, Any] | None, outcome: str = "penalty") -> dict[str, Any]:
    return {
        "outcome": outcome,
        "penalty": penalty,
        "decided_at": "2026-06-10T02:00:00.000000Z",
        "served_at": None,
        "served_on_the_spot": False,
    }


def test_the_notice_states_the_notified_penalty_and_the_decision_the_decided_one() -> None:
    lower = file(notice=NOTIFIED, decision=decided({"kinds": ["fine"], "fine_fen": 20000}))
    notice = penalty_stated(DocumentKind.PRIOR_NOTICE, lower)
    decision = penalty_stated(DocumentKind.PENALTY_DECISION, lower)
    assert notice is not None
    assert notice.fine_fen == 30000
    assert decision is not None
    assert decision.fine_fen == 20000


def test_a_decision_to_give_no_penalty_states_none() -> None:
    none = file(notice=NOTIFIED, decision=decided(None, "no_penalty_minor"))
    assert penalty_stated(DocumentKind.CLOSING_APPROVAL, none) is None
    assert penalty_stated(DocumentKind.NO_PENALTY_DECISION, none) is None


def test_before_a_notice_the_intended_penalty() -> None:
    intended = file(state="penalty_intended", proposed={"kinds": ["warning"]})
    stated = penalty_stated(DocumentKind.COLLECTIVE_DISCUSSION, intended)
    assert stated is not None
    assert stated.kinds == ("warning",)
