"""第六十一条第一款: 行政处罚决定书应当在宣告后当场交付当事人 … 将行政处罚决定书送达当事人. What is served is the
written decision: a decision whose document was never issued is refused service (409 naming the rule and the
article, nothing written), and the case file keeps which documents were issued, as the ledger's replay does. And
the 结案审批表 waits until the case is to be closed (市场监督管理行政处罚程序规定 第七十七条)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from alembic import command
from service.cases.casefile import DECISION_DOCUMENTS
from service.cases.categories import StateCategory
from service.cases.workflow import load_workflows
from service.clock import FixedClock
from service.documents.kinds import CLOSING_STATES, CLOSURE_FROM_STATES, DocumentKind
from service.migrations import alembic_config
from service.projections import POLICIES
from tests.cases.driver import Cases
from tests.cases.test_case_api import NOTICE, fine, refusal
from tests.cases.test_execution import pay, today

SERVING = {"data": {"method": "直接送达"}}
ARTICLE_61 = "《中华人民共和国行政处罚法》第61条第1款"


def decided_and_signed(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """A 300-yuan fine decided after the prior notice and the party's statement, its decision signed by the head."""
    case = cases.investigated()
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    notice = NOTICE | {"penalty": fine(30000), "informs_hearing_right": False}
    cases.step(case, "serve_prior_notice", officers=cases.with_second(), data={"notice": notice})
    cases.step(case, "record_statement", data={"summary": "当事人表示愿意改正"})
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    decision = {"penalty": fine(30000), "discretion_statement": "一般情节", "evidence": cases.evidence(case)}
    cases.step(case, "decide_penalty", "head", data=decision)
    cases.sign_decision(case, cases.signer("head"))
    return case


def view(cases: Cases, case: dict[str, Any]) -> dict[str, Any]:
    return cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()  # type: ignore[no-any-return]


def test_a_signed_decision_is_served_only_once_its_document_is_issued(cases: Cases, clock: FixedClock) -> None:
    case = decided_and_signed(cases, clock)
    before = view(cases, case)
    blocked = {b["step"]: [f["guard"] for f in b["failures"]] for b in before["blocked_steps"]}
    assert blocked["serve_decision"] == ["decision_document_issued"]
    refused = cases.step(case, "serve_decision", officers=cases.with_second(), expect=409, **SERVING)
    assert refusal(refused) == (["decision_document_issued"], [ARTICLE_61])
    assert refused["failures"][0]["reason_zh"] == "决定书尚未制发：送达的是书面决定书，请先制发决定书。"
    late = cases.step(
        case, "serve_decision_late", officers=cases.with_second(), expect=409, data={"method": "公告送达"}, reason="x"
    )
    assert "decision_document_issued" in refusal(late)[0]
    assert view(cases, case)["state"] == "decided"  # nothing written

    issued = cases.issue(case, "penalty_decision")
    file = view(cases, case)["file"]
    assert set(file["documents_issued"]) == {"penalty_decision"}
    assert "serve_decision" in view(cases, case)["next_steps"]
    served = cases.step(case, "serve_decision", officers=cases.with_second(), **SERVING)
    assert served["state"] == "served"
    assert issued["number"]


def test_a_no_penalty_decision_is_served_as_its_own_document(cases: Cases) -> None:
    case = cases.investigated()
    cases.step(case, "decide_no_penalty", "head", data={"outcome": "no_penalty_not_established"})
    cases.sign_decision(case, cases.signer("head"))
    refused = cases.step(case, "serve_decision", officers=cases.with_second(), expect=409, **SERVING)
    assert refusal(refused)[0] == ["decision_document_issued"]
    cases.issue(case, "penalty_decision", expect=409)  # a 行政处罚决定书 states no such decision
    cases.issue(case, "no_penalty_decision")
    assert cases.step(case, "serve_decision", officers=cases.with_second(), **SERVING)["state"] == "served"


def test_an_order_is_served_in_a_notice_issued_after_it_was_decided(cases: Cases, clock: FixedClock) -> None:
    """An order to correct issued during the investigation (第二十八条) is not the decided order's document — even
    when the decision is recorded as taken before that notice was issued (an act logged late)."""
    case = ordered(cases, clock)
    refused = cases.step(case, "serve_decision", officers=cases.with_second(), expect=409, **SERVING)
    assert refusal(refused)[0] == ["decision_document_issued"]
    cases.issue(case, "order_to_correct", "officer1")
    assert cases.step(case, "serve_decision", officers=cases.with_second(), **SERVING)["state"] == "served"


def ordered(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """Land occupied (CQ-TM-008): a 责令改正通知书 issued during the investigation, then, an hour later, the order
    decided as taken half an hour before that notice, and signed."""
    case = cases.investigated(cases.open(item_code="CQ-TM-008", title="未经批准占用土地建住宅"))
    before_the_notice = clock.now() - timedelta(minutes=30)
    cases.issue(case, "order_to_correct", "officer1")
    deadline = (today(clock) + timedelta(days=30)).isoformat()
    order = {"measure": "order_return_land", "requirement": "退还非法占用的土地", "deadline": deadline}
    clock.advance(hours=1)
    cases.step(case, "decide_order", "head", data=order, claimed_at=before_the_notice.isoformat())
    cases.sign_decision(case, cases.signer("head"))
    return case


def test_a_database_from_before_the_rule_gets_the_issued_documents_from_its_ledger(
    cases: Cases, clock: FixedClock, database_url: str, cli: Callable[..., Any]
) -> None:
    """Migration 0028 gives existing case files what the projector would have: replay and the live file agree."""
    case = decided_and_signed(cases, clock)
    cases.issue(case, "filing_approval")
    cases.issue(case, "penalty_decision")
    kept = view(cases, case)["file"]["documents_issued"]
    assert set(kept) == {"filing_approval", "penalty_decision"}
    order = ordered(cases, clock)  # its notice issued before the decision, which forgot it
    assert view(cases, order)["file"]["documents_issued"] == {}

    config = alembic_config(database_url)
    command.downgrade(config, "0027_case_next_deadline")
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            files = connection.execute(sa.text("SELECT file FROM cases")).scalars().all()
        assert all("documents_issued" not in (f if isinstance(f, dict) else json.loads(f)) for f in files)
    finally:
        engine.dispose()
    command.upgrade(config, "head")

    assert view(cases, case)["file"]["documents_issued"] == kept
    assert view(cases, order)["file"]["documents_issued"] == {}
    assert cli("verify", "--agency", "tiemen").exit_code == 0
    assert cases.step(case, "serve_decision", officers=cases.with_second(), **SERVING)["state"] == "served"


def test_the_closing_approval_waits_until_the_case_is_to_be_closed(cases: Cases, clock: FixedClock) -> None:
    """市场监督管理行政处罚程序规定 第七十七条: the 结案审批表 is filled in once a ground to close holds — not on a
    decision still to be served, nor on a fine served and not yet executed (close_case's own rule, named)."""
    case = decided_and_signed(cases, clock)
    assert "closing_approval" not in printable_kinds(cases, case)
    refused = cases.issue(case, "closing_approval", expect=409)
    assert "尚未到结案阶段" in refused["detail"]
    cases.serve_decision(case)
    assert "closing_approval" not in printable_kinds(cases, case)
    unpaid = cases.issue(case, "closing_approval", expect=409)
    assert [f["guard"] for f in unpaid["failures"]] == ["execution_settled"]
    assert unpaid["article"] == "（参照）《市场监督管理行政处罚程序规定》第77条"  # close_case's own basis
    assert "行政处罚决定尚未执行完毕" in unpaid["detail"]
    draft = cases.client.get(f"/api/v1/cases/{case['id']}/documents/closing_approval/draft", headers=cases.auth("head"))
    assert draft.status_code == 409
    pay(cases, case, clock, 30000, "渝财缴〔2026〕001号")
    assert "closing_approval" not in printable_kinds(cases, case)  # paid, its execution not yet recorded
    cases.step(case, "record_execution")
    assert "closing_approval" in printable_kinds(cases, case)
    assert cases.issue(case, "closing_approval")["number"]


def printable_kinds(cases: Cases, case: dict[str, Any]) -> list[str]:
    url = f"/api/v1/cases/{case['id']}/documents/printable"
    return [p["kind"] for p in cases.client.get(url, headers=cases.auth("head")).json()]


def test_the_closing_states_are_those_the_procedures_close_from_and_end_in() -> None:
    workflows = load_workflows(POLICIES / "workflows").values()
    closing_from = {s.value for w in workflows for t in w.transitions if t.name == "close_case" for s in t.from_states}
    ended = {s.value for w in workflows for s in w.in_category(StateCategory.ENDED, StateCategory.CLOSED)}
    assert closing_from == CLOSURE_FROM_STATES
    # A case never filed, or one the summary procedure handed to the general one, has nothing of its own to close.
    assert CLOSING_STATES - closing_from == ended - {"not_filed", "summary_referred"}


def test_each_decisions_document_is_a_kind_of_document_the_service_prints() -> None:
    assert {DocumentKind(kind) for kind in DECISION_DOCUMENTS.values()} == {
        DocumentKind.PENALTY_DECISION,
        DocumentKind.NO_PENALTY_DECISION,
        DocumentKind.ORDER_TO_CORRECT,
    }
