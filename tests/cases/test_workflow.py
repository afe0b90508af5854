"""Specification of the procedures as data: the two workflow files, ``check_transition``, and the loader's
refusals. Articles are of 行政处罚法 unless another law is named."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.auth.permissions import load_role_policy
from service.cases.execution import Instalment, Remedy
from service.cases.guards import (
    AgeAtAct,
    AppraisalFacts,
    CaseFacts,
    Circumstances,
    CorrectionFacts,
    CourtExecutedFacts,
    DecisionFacts,
    DecisionOutcome,
    ExecutionFacts,
    Harm,
    HearingFacts,
    InstalmentFacts,
    MentalCapacity,
    OwnExecutionFacts,
    OwnExecutionPower,
    PaymentFacts,
    Penalty,
    PreservationFacts,
    PriorNotice,
    Refusal,
    RestitutionFacts,
    SeizedThingFacts,
    SeizureFacts,
    SetterApproval,
    StatementStatus,
)
from service.cases.workflow import (
    STATE_GUARD,
    CaseState,
    Procedure,
    TransitionCheck,
    TransitionRefused,
    UnknownTransition,
    Workflow,
    WorkflowFileError,
    _evaluate,
    check_transition,
    load_workflow,
    load_workflows,
    parse_workflow,
)
from service.errors import penalty_law
from service.legal import LegalBasis
from service.policy.calendar import CalendarRangeError
from service.policy.catalogue import PenaltyKind

from . import FINE, GENERAL, LI, LITTERING, ROOT, SUMMARY, WANG, WARNING, WASTE, ZHANG, cst, facts, qualifications


class Walk:
    """A case walked through a workflow: each step changes the facts, checks, and must be allowed."""

    def __init__(self, workflow: Workflow, case: CaseFacts) -> None:
        self.workflow = workflow
        self.state = workflow.initial
        self.facts = case
        self.walked: list[str] = []

    def do(self, name: str, at: datetime, **changes: Any) -> TransitionCheck:
        changes.setdefault("acting_officers", qualifications(at, self.facts.item_code, ZHANG, LI))
        self.facts = replace(self.facts, now=at, **changes)
        check = check_transition(self.workflow, self.state, name, self.facts)
        assert check.ok, [(f.guard, f.reason_en) for f in check.failures]
        self.state = check.to_state
        self.walked.append(name)
        return check


def intended(fine_fen: int = 6_000_000) -> PriorNotice:
    return PriorNotice(
        intended=Penalty(FINE, fine_fen=fine_fen),
        states_facts=True,
        states_reasons=True,
        states_basis=True,
        informs_statement_and_defence=True,
        informs_hearing_right=fine_fen >= 5_000_000,
        served_at=None,
    )


def served(notice: PriorNotice, at: datetime) -> PriorNotice:
    return replace(notice, served_at=at)


# 第二十九条至第三十三条: nothing that excludes or mitigates the penalty, no earlier fine.
ORGANISATION_CIRCUMSTANCES = Circumstances(
    AgeAtAct.NOT_A_PERSON, MentalCapacity.FULL, frozenset(), False, Harm.MORE, False, False, False, None
)
ADULT_CIRCUMSTANCES = replace(ORGANISATION_CIRCUMSTANCES, age=AgeAtAct.ADULT)
# 第四十条: the decision cites the inquiry record, entry 2 of the case.
CITES_THE_INQUIRY: dict[str, Any] = {"cited_evidence": (2,), "case_entries": {2: "case:inquiry:recorded"}}


# --- the lawful paths ---


def general_path_with_hearing() -> Walk:
    """An organisation dumps waste; 60,000 yuan is notified, a hearing held, 55,000 yuan decided and paid."""
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("record_inquiry", cst(2025, 3, 4))
    walk.do("request_preservation_approval", cst(2025, 3, 4))  # an officer asks the head, on the record
    walk.do("approve_preservation", cst(2025, 3, 4), reason="证据可能灭失")
    approved = PreservationFacts(approved_at=cst(2025, 3, 4), registered_at=None, decided_at=None)
    walk.do("register_preservation", cst(2025, 3, 5), preservation=approved, reason=None)
    registered = replace(approved, registered_at=cst(2025, 3, 5))
    # The guards read the file as the step leaves it: the decision is dated by the act itself (第五十六条).
    decided = replace(registered, decided_at=cst(2025, 3, 7), decisions=1)
    walk.do("decide_preservation", cst(2025, 3, 7), preservation=decided)
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("record_circumstances", cst(2025, 3, 10, 11), circumstances=ORGANISATION_CIRCUMSTANCES)
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=intended())
    notice = served(intended(), cst(2025, 3, 12))
    walk.do("record_statement", cst(2025, 3, 13), notice=notice, statement=StatementStatus.RECORDED)
    walk.do("request_hearing", cst(2025, 3, 14), hearing=HearingFacts(requested_at=cst(2025, 3, 14)))
    scheduled = HearingFacts(
        requested_at=cst(2025, 3, 14),
        notified_at=cst(2025, 3, 17),
        scheduled_for=cst(2025, 3, 27),
        chair_id="officer-9",
    )
    walk.do("schedule_hearing", cst(2025, 3, 17), hearing=scheduled)
    walk.do("hold_hearing", cst(2025, 3, 27), hearing=replace(scheduled, held_at=cst(2025, 3, 27)))
    walk.do("conclude_party_hearing", cst(2025, 3, 27, 16))
    walk.do("request_legal_review", cst(2025, 3, 31), review_required=True)
    walk.do(
        "record_collective_discussion",
        cst(2025, 4, 1),
        review_passed_and_current=True,
        collective_discussion_required=True,
    )
    penalty = Penalty(FINE, fine_fen=5_500_000)
    walk.do("decide_penalty", cst(2025, 4, 2), collective_discussion_held=True, proposed=penalty, **CITES_THE_INQUIRY)
    decision = DecisionFacts(DecisionOutcome.PENALTY, penalty, cst(2025, 4, 2), cst(2025, 4, 3), False)
    walk.do("serve_decision", cst(2025, 4, 3), decision=decision)
    paid = ExecutionFacts(5_500_000, date(2025, 4, 10), False, None)
    # 第六十七条: paid at the bank, recorded from its receipt by officers; the head decided.
    to_bank = PaymentFacts(5_500_000, "银行缴款凭证 0001", False, None, "user:officer-1", frozenset({ZHANG.officer_id}))
    walk.do("record_payment", cst(2025, 4, 10), execution=paid, payment=to_bank, deciders=frozenset({"user:head"}))
    walk.do("record_execution", cst(2025, 4, 10, 15))
    walk.do("close_case", cst(2025, 4, 11), execution=replace(paid, completed_at=cst(2025, 4, 10, 15)))
    walk.do("archive_case", cst(2025, 4, 14))
    return walk


def general_path_not_filed() -> Walk:
    walk = Walk(GENERAL, facts(filed_at=None))
    walk.do("refuse_filing", cst(2025, 3, 3), reason="不属于本机关管辖")
    walk.do("archive_case", cst(2025, 3, 4))
    return walk


def general_path_no_penalty() -> Walk:
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("record_inspection", cst(2025, 3, 4))
    # 第二十八条: ordered to correct by 7 March, re-inspected on the 7th and found corrected.
    order = CorrectionFacts("order_correct", date(2025, 3, 7), cst(2025, 3, 4, 11), None, None)
    walk.do("order_correction", cst(2025, 3, 4, 11), correction=order)
    done = replace(order, reinspected_at=cst(2025, 3, 7), corrected=True, reinspections=1)
    walk.do("reinspect_correction", cst(2025, 3, 7), correction=done)
    walk.do("close_investigation", cst(2025, 3, 10))
    nothing = DecisionFacts(DecisionOutcome.NO_PENALTY_NOT_ESTABLISHED, None, cst(2025, 3, 11), cst(2025, 3, 11), True)
    walk.do("decide_no_penalty", cst(2025, 3, 11), decision=nothing)
    walk.do("serve_decision", cst(2025, 3, 11, 11), decision=nothing)
    walk.do("close_case", cst(2025, 3, 12))
    walk.do("archive_case", cst(2025, 3, 13))
    return walk


def general_path_hearing_waived_then_transferred() -> Walk:
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=intended())
    walk.do("request_hearing", cst(2025, 3, 13), notice=served(intended(), cst(2025, 3, 12)),
            hearing=HearingFacts(requested_at=cst(2025, 3, 13)))  # fmt: skip
    walk.do("record_hearing_waiver", cst(2025, 3, 14), hearing=HearingFacts(requested_at=cst(2025, 3, 13), waived=True))
    walk.do("conclude_party_hearing", cst(2025, 3, 20))
    walk.do("transfer_to_judicial_organs", cst(2025, 3, 21), reason="涉嫌污染环境罪")
    transfer = DecisionFacts(DecisionOutcome.TRANSFERRED, None, cst(2025, 3, 21), None, False)
    walk.do("close_case", cst(2025, 3, 24), decision=transfer)
    walk.do("archive_case", cst(2025, 3, 25))
    return walk


def general_path_reopened_and_withdrawn() -> Walk:
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("reopen_investigation", cst(2025, 3, 11), reason="需补充调查")
    walk.do("apply_for_recusal", cst(2025, 3, 11, 15))  # the party applies; the investigation goes on (第四十三条)
    walk.do("decide_recusal", cst(2025, 3, 12), reason="当事人申请回避，负责人决定王五回避")
    walk.do("request_deadline_extension", cst(2025, 5, 29))
    walk.do("extend_decision_deadline", cst(2025, 5, 30), reason="案情复杂")
    walk.do("withdraw_case", cst(2025, 6, 16), reason="当事人死亡，无权利义务承受人")
    walk.do("archive_case", cst(2025, 6, 17))
    return walk


def general_path_mitigated_served_late_and_revoked() -> Walk:
    """A citizen: 300 yuan notified, no hearing right; 90 yuan decided below the standard with approval."""
    walk = Walk(GENERAL, facts(party_type="individual"))
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=intended(30_000))
    walk.do("record_statement_waiver", cst(2025, 3, 13), notice=served(intended(30_000), cst(2025, 3, 12)))
    walk.do("conclude_party_hearing", cst(2025, 3, 13, 11), statement=StatementStatus.WAIVED)
    walk.do("record_circumstances", cst(2025, 3, 13, 15), circumstances=ADULT_CIRCUMSTANCES)
    walk.do("request_discretion_departure_approval", cst(2025, 3, 13, 16))  # the officers ask, on the record
    walk.do(
        "approve_discretion_departure",
        cst(2025, 3, 14),
        reason="首次违法且主动清理，减轻处罚",
        discretion_departure_by_principal=True,
    )
    mitigated = Penalty(FINE, fine_fen=9_000)
    walk.do("decide_penalty", cst(2025, 3, 17), proposed=mitigated, reason=None, **CITES_THE_INQUIRY)
    decision = DecisionFacts(DecisionOutcome.PENALTY, mitigated, cst(2025, 3, 17), cst(2025, 3, 31), False)
    walk.do("serve_decision_late", cst(2025, 3, 31), decision=decision, reason="当事人下落不明，公告送达")
    walk.do("revoke_decision", cst(2025, 4, 7), reason="复核发现适用依据错误")
    walk.do("archive_case", cst(2025, 4, 8))
    return walk


def general_path_departing_from_the_districts_standard() -> Walk:
    """A standard set by the district (重庆市规范行政处罚裁量权办法 第十九条第二款): 90 yuan decided below it once the
    district's approval is on file with its uploaded document; then served late and revoked."""
    set_above = replace(WASTE, discretion_set_by="重庆市梁平区生态环境局")
    walk = Walk(GENERAL, facts(item=set_above, party_type="individual"))
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=intended(30_000))
    walk.do("record_statement_waiver", cst(2025, 3, 13), notice=served(intended(30_000), cst(2025, 3, 12)))
    walk.do("conclude_party_hearing", cst(2025, 3, 13, 11), statement=StatementStatus.WAIVED)
    walk.do("record_circumstances", cst(2025, 3, 13, 15), circumstances=ADULT_CIRCUMSTANCES)
    approval = SetterApproval("重庆市梁平区生态环境局", "李局长", date(2025, 3, 14), "梁环函〔2025〕7号", "ab" * 32)
    walk.do("record_standard_setter_approval", cst(2025, 3, 14), setter_approval=approval)
    mitigated = Penalty(FINE, fine_fen=9_000)
    walk.do("decide_penalty", cst(2025, 3, 17), proposed=mitigated, reason=None, **CITES_THE_INQUIRY)
    decision = DecisionFacts(DecisionOutcome.PENALTY, mitigated, cst(2025, 3, 17), cst(2025, 3, 31), False)
    walk.do("serve_decision_late", cst(2025, 3, 31), decision=decision, reason="当事人下落不明，公告送达")
    walk.do("revoke_decision", cst(2025, 4, 7), reason="复核发现适用依据错误")
    walk.do("archive_case", cst(2025, 4, 8))
    return walk


def decided_and_served_9000() -> tuple[Walk, Penalty]:
    """90 yuan decided (below the standard, with the principal head's approval) on 17 March, served on the 18th."""
    walk = Walk(GENERAL, facts(party_type="individual"))
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=intended(30_000))
    walk.do("record_statement_waiver", cst(2025, 3, 13), notice=served(intended(30_000), cst(2025, 3, 12)))
    walk.do("conclude_party_hearing", cst(2025, 3, 13, 11), statement=StatementStatus.WAIVED)
    walk.do("record_circumstances", cst(2025, 3, 13, 15), circumstances=ADULT_CIRCUMSTANCES)
    walk.do("approve_discretion_departure", cst(2025, 3, 14), reason="首次违法", discretion_departure_by_principal=True)
    fine = Penalty(FINE, fine_fen=9_000)
    walk.do("decide_penalty", cst(2025, 3, 17), proposed=fine, reason=None, **CITES_THE_INQUIRY)
    decision = DecisionFacts(DecisionOutcome.PENALTY, fine, cst(2025, 3, 17), cst(2025, 3, 18), False)
    walk.do("serve_decision", cst(2025, 3, 18), decision=decision, decision_signed=True)
    return walk, fine


def general_path_instalments_reminded_sued_and_executed_by_court() -> Walk:
    """第六十六条第二款: two instalments approved; the second unpaid → reminder (行政强制法 第三十五条); a lawsuit,
    the head in court, upheld; after the remedy periods, the court is applied to (第五十三条) and the rest paid."""
    walk, _ = decided_and_served_9000()
    plan = (Instalment(date(2025, 4, 15), 4_500), Instalment(date(2025, 5, 15), 4_500))
    applied = InstalmentFacts("instalments", plan, cst(2025, 3, 20), 0, None)
    walk.do("apply_for_instalments", cst(2025, 3, 20), instalments=applied)
    approved = replace(applied, approved=True, decided_at=cst(2025, 3, 21))
    walk.do("decide_instalments", cst(2025, 3, 21), instalments=approved)
    first = PaymentFacts(4_500, "银行缴款凭证 0001", False, None, "user:officer-1", frozenset({ZHANG.officer_id}))
    walk.do("record_payment", cst(2025, 4, 15), execution=ExecutionFacts(4_500, date(2025, 4, 15), False, None),
            payments_made=((date(2025, 4, 15), 4_500),), payment=first, deciders=frozenset({"user:head"}))  # fmt: skip
    walk.do("serve_reminder", cst(2025, 5, 20), reminder_served_at=cst(2025, 5, 20))
    sued = Remedy("lawsuit", date(2025, 5, 21), None, None)
    walk.do("record_remedy_filed", cst(2025, 5, 22), remedies=(sued,))
    walk.do("record_court_appearance", cst(2025, 6, 20), court_appearance_on=date(2025, 6, 20))
    upheld = replace(sued, decided_on=date(2025, 6, 30), result="upheld")
    walk.do("record_remedy_result", cst(2025, 7, 1), remedies=(upheld,), remedy_result_recorded_now=True)
    # The 6 months to sue ended on 18 September; the court is applied to within 3 months after.
    walk.do("apply_for_court_execution", cst(2025, 10, 9), court_execution_applied=True)
    rest = replace(first, amount_fen=9_000, receipt="法院执行款凭证 0002")
    paid = ExecutionFacts(13_500, date(2025, 10, 20), False, None)
    walk.do("record_payment", cst(2025, 10, 20), payment=rest, execution=paid,
            payments_made=((date(2025, 4, 15), 4_500), (date(2025, 10, 20), 9_000)))  # fmt: skip
    walk.do("record_execution", cst(2025, 10, 21))
    walk.do("close_case", cst(2025, 10, 22), execution=replace(paid, completed_at=cst(2025, 10, 21)))
    walk.do("archive_case", cst(2025, 10, 23))
    return walk


def general_path_revoked_on_reconsideration_and_execution_ended() -> Walk:
    """行政强制法 第四十条第四项: the decision revoked on reconsideration, execution ends and the case closes."""
    walk, _ = decided_and_served_9000()
    filed = Remedy("reconsideration", date(2025, 4, 1), None, None)
    walk.do("record_remedy_filed", cst(2025, 4, 2), remedies=(filed,))
    revoked = replace(filed, decided_on=date(2025, 5, 20), result="revoked")
    walk.do("record_remedy_result", cst(2025, 5, 21), remedies=(revoked,), remedy_result_recorded_now=True)
    walk.do("end_execution", cst(2025, 5, 22), execution_ended_ground="decision_revoked")
    walk.do("close_case", cst(2025, 5, 23))
    walk.do("archive_case", cst(2025, 5, 26))
    return walk


def told_and_heard(penalty: Penalty, at: datetime) -> dict[str, Any]:
    """第四十四条、第五十二条: on the spot the party is told the intended penalty and heard."""
    told = replace(intended(), intended=penalty, informs_hearing_right=False, served_at=at)
    return {"notice": told, "statement": StatementStatus.RECORDED}


def summary_path_fined_on_the_spot() -> Walk:
    """A citizen litters; 100 yuan is decided on the spot on form 0001, paid, filed, closed."""
    walk = Walk(SUMMARY, facts(item=LITTERING, party_type="individual", filed_at=None))
    fine = Penalty(FINE, fine_fen=10_000)
    # 第二十九条至第三十三条: the circumstances the decision considers, recorded on the spot first.
    walk.do("record_circumstances", cst(2025, 5, 6, 9), circumstances=ADULT_CIRCUMSTANCES)
    walk.do(
        "decide_on_the_spot",
        cst(2025, 5, 6),
        proposed=fine,
        summary_form_number="渝梁铁简〔2025〕0001号",
        **told_and_heard(fine, cst(2025, 5, 6)),
    )
    on_the_spot = DecisionFacts(DecisionOutcome.PENALTY, fine, cst(2025, 5, 6), cst(2025, 5, 6), True)
    paid = ExecutionFacts(10_000, date(2025, 5, 6), False, None)
    # 第六十八条第一项: 100 yuan decided on the spot may be collected there, against the special receipt (第七十条).
    collected = PaymentFacts(10_000, "渝财罚没票 0001", True, None, "user:officer-1", frozenset({ZHANG.officer_id}))
    deciders = frozenset({"user:officer-1", ZHANG.officer_id, LI.officer_id})
    walk.do("record_payment", cst(2025, 5, 6, 11), decision=on_the_spot, execution=paid, payment=collected,
            deciders=deciders)  # fmt: skip
    walk.do("file_with_agency", cst(2025, 5, 7))
    walk.do("record_execution", cst(2025, 5, 7, 11))
    walk.do("close_case", cst(2025, 5, 8), execution=replace(paid, completed_at=cst(2025, 5, 7, 11)))
    walk.do("archive_case", cst(2025, 5, 9))
    return walk


def _fined_on_the_spot_and_filed() -> tuple[Walk, Penalty]:
    """100 yuan decided on the spot on 6 May 2025, not collected there, filed with the agency on the 7th."""
    walk = Walk(SUMMARY, facts(item=LITTERING, party_type="individual", filed_at=None))
    fine = Penalty(FINE, fine_fen=10_000)
    walk.do("record_circumstances", cst(2025, 5, 6, 9), circumstances=ADULT_CIRCUMSTANCES)
    heard = told_and_heard(fine, cst(2025, 5, 6, 10))
    walk.do("decide_on_the_spot", cst(2025, 5, 6, 10), proposed=fine, summary_form_number="0003", **heard)
    decision = DecisionFacts(DecisionOutcome.PENALTY, fine, cst(2025, 5, 6, 10), cst(2025, 5, 6, 10), True)
    walk.do("file_with_agency", cst(2025, 5, 7), decision=decision)
    return walk, fine


def summary_path_deferred_reminded_and_refused_by_the_court() -> Walk:
    """第六十六条第二款: payment deferred to 30 June, not paid → reminder (行政强制法 第三十五条); after the remedy
    periods the court is applied to (第五十三条), refuses to execute (第五十八条), execution ends, the case closes."""
    walk, _ = _fined_on_the_spot_and_filed()
    applied = InstalmentFacts("deferral", (Instalment(date(2025, 6, 30), 10_000),), cst(2025, 5, 8), 0, None)
    walk.do("apply_for_instalments", cst(2025, 5, 8), instalments=applied)
    walk.do(
        "decide_instalments", cst(2025, 5, 9), instalments=replace(applied, approved=True, decided_at=cst(2025, 5, 9))
    )
    walk.do("serve_reminder", cst(2025, 7, 10), reminder_served_at=cst(2025, 7, 10))
    # The 6 months to sue from 6 May ended on 6 November; the court is applied to within 3 months after.
    walk.do("apply_for_court_execution", cst(2025, 11, 20), court_execution_applied=True)
    walk.do("end_execution", cst(2025, 12, 20), execution_ended_ground="court_refused", reason="法院裁定不予执行")
    walk.do("close_case", cst(2025, 12, 22), reason=None)
    walk.do("archive_case", cst(2025, 12, 23))
    return walk


def summary_path_reconsidered_upheld_and_paid() -> Walk:
    """第七条: the party applies for reconsideration of the decision on the spot; upheld, the fine is paid to the
    bank and the case closes."""
    walk, _ = _fined_on_the_spot_and_filed()
    filed = Remedy("reconsideration", date(2025, 5, 12), None, None)
    walk.do("record_remedy_filed", cst(2025, 5, 12), remedies=(filed,))
    upheld = replace(filed, decided_on=date(2025, 6, 20), result="upheld")
    walk.do("record_remedy_result", cst(2025, 6, 21), remedies=(upheld,), remedy_result_recorded_now=True)
    bank = PaymentFacts(10_000, "银行缴款凭证 0003", False, None, "user:officer-3", frozenset({WANG.officer_id}))
    paid = ExecutionFacts(10_000, date(2025, 5, 20), False, None)
    walk.do("record_payment", cst(2025, 6, 22), payment=bank, execution=paid,
            payments_made=((date(2025, 5, 20), 10_000),),
            deciders=frozenset({"user:officer-1", ZHANG.officer_id, LI.officer_id}))  # fmt: skip
    walk.do("record_execution", cst(2025, 6, 23))
    walk.do("close_case", cst(2025, 6, 24), execution=replace(paid, completed_at=cst(2025, 6, 23)))
    walk.do("archive_case", cst(2025, 6, 25))
    return walk


def summary_path_paid_revoked_and_refunded() -> Walk:
    """行政强制法 第四十一条: 100 yuan paid on the spot under a decision the agency then revokes is refunded before the
    file is archived."""
    walk = Walk(SUMMARY, facts(item=LITTERING, party_type="individual", filed_at=None))
    fine = Penalty(FINE, fine_fen=10_000)
    form = "渝梁铁简〔2025〕0003号"
    walk.do("record_circumstances", cst(2025, 5, 6), circumstances=ADULT_CIRCUMSTANCES)
    walk.do("decide_on_the_spot", cst(2025, 5, 6), proposed=fine, summary_form_number=form,
            **told_and_heard(fine, cst(2025, 5, 6)))  # fmt: skip
    on_the_spot = DecisionFacts(DecisionOutcome.PENALTY, fine, cst(2025, 5, 6), cst(2025, 5, 6), True)
    collected = PaymentFacts(10_000, "渝财罚没票 0003", True, None, "user:officer-1", frozenset({ZHANG.officer_id}))
    walk.do("record_payment", cst(2025, 5, 6, 11), decision=on_the_spot, payment=collected,
            execution=ExecutionFacts(10_000, date(2025, 5, 6), False, None),
            payments_made=((date(2025, 5, 6), 10_000),))  # fmt: skip
    walk.do("file_with_agency", cst(2025, 5, 7))
    walk.do("revoke_decision", cst(2025, 5, 7, 15), reason="当事人并非行为人", revoked_by_agency=True)
    refused = check_transition(SUMMARY, walk.state, "archive_case", replace(walk.facts, now=cst(2025, 5, 8)))
    assert [f.guard for f in refused.failures] == ["restitution_settled"]
    walk.do("record_restitution", cst(2025, 5, 8), restitutions=(RestitutionFacts("refund", 10_000),))
    walk.do("archive_case", cst(2025, 5, 9))
    return walk


def summary_path_referred() -> Walk:
    walk = Walk(SUMMARY, facts(item=LITTERING, filed_at=None))
    walk.do("refer_to_general_procedure", cst(2025, 5, 6), reason="拟罚款超过简易程序限额")
    walk.do("archive_case", cst(2025, 5, 7))
    return walk


def summary_path_warning_revoked() -> Walk:
    walk = Walk(SUMMARY, facts(item=LITTERING, party_type="individual", filed_at=None))
    warning = Penalty(WARNING)
    heard = told_and_heard(warning, cst(2025, 5, 6))
    walk.do("record_circumstances", cst(2025, 5, 6, 9), circumstances=ADULT_CIRCUMSTANCES)
    walk.do("decide_on_the_spot", cst(2025, 5, 6, 10), proposed=warning, summary_form_number="0002", **heard)
    walk.do("revoke_decision", cst(2025, 5, 7), reason="当事人并非行为人")
    walk.do("archive_case", cst(2025, 5, 8))
    return walk


# --- coercive measures (行政强制法) and an order as the decision (第二十八条) ---


def _seized(approved_at: datetime, decided_at: datetime) -> SeizureFacts:
    """Seizure 1: approved by the head before (行政强制法 第十八条第一项), then taken, its papers handed over
    (第二十四条)."""
    truck = SeizedThingFacts("农用三轮车", "渝D12345", "用于倾倒垃圾的车辆", False, False)
    return SeizureFacts(1, approved_at, True, False, decided_at, True, approvals=1, things=(truck,))


def _seizure_taken(walk: Walk, approved_at: datetime, decided_at: datetime) -> SeizureFacts:
    approval = replace(_seized(approved_at, decided_at), decided_at=None, delivered_on_the_spot=False)
    walk.do("request_seizure_approval", approved_at)
    walk.do("approve_seizure", approved_at, seizures=(approval,), reason="车辆可能被转移")
    taken = _seized(approved_at, decided_at)
    walk.do("decide_seizure", decided_at, seizures=(taken,), reason=None)
    return taken


def general_path_seized_released_and_ordered() -> Walk:
    """A seizure extended once and released (第二十五条、第二十八条); the decision an order the item provides."""
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    taken = _seizure_taken(walk, cst(2025, 3, 4), cst(2025, 3, 4, 11))
    extended = replace(taken, extensions=1, extended_days=30, extended_at=cst(2025, 3, 28))
    walk.do("extend_seizure", cst(2025, 3, 28), seizures=(extended,), seizure_named=1)
    # 第二十五条第三款: the truck is tested, for a period stated to the party in writing; those days are not counted.
    testing = AppraisalFacts(cst(2025, 3, 29), 5, True)
    appraised = replace(extended, appraisals=(testing,))
    walk.do("start_seizure_appraisal", cst(2025, 3, 29), seizures=(appraised,), seizure_named=1)
    extended = replace(extended, appraisals=(replace(testing, ended_at=cst(2025, 3, 31), endings=1),))
    walk.do("end_seizure_appraisal", cst(2025, 3, 31), seizures=(extended,), seizure_named=1)
    walk.do("close_investigation", cst(2025, 3, 31, 11), seizure_named=None)
    order = CorrectionFacts("order_correct", date(2025, 4, 30), cst(2025, 4, 1), None, None)
    ordered = DecisionFacts(DecisionOutcome.ORDER, None, cst(2025, 4, 1), None, False)
    walk.do("decide_order", cst(2025, 4, 1), decision=ordered, correction=order, seizure_named=None)
    released = replace(extended, ended_at=cst(2025, 4, 2), ended_how="released", endings=1)
    walk.do("release_seizure", cst(2025, 4, 2), seizures=(released,), seizure_named=1)
    walk.do("serve_decision", cst(2025, 4, 2, 11), decision=replace(ordered, served_at=cst(2025, 4, 2, 11)))
    walk.do("close_case", cst(2025, 4, 3))
    walk.do("archive_case", cst(2025, 4, 7))
    return walk


def general_path_seized_and_transferred() -> Walk:
    """第二十一条: what is seized goes with the case to the judicial organs."""
    walk = Walk(GENERAL, facts())
    walk.do("approve_filing", cst(2025, 3, 3))
    taken = _seizure_taken(walk, cst(2025, 3, 4), cst(2025, 3, 4, 11))
    walk.do("transfer_to_judicial_organs", cst(2025, 3, 10), reason="涉嫌污染环境罪")
    sent = replace(taken, ended_at=cst(2025, 3, 11), ended_how="transferred", endings=1)
    walk.do("transfer_seized", cst(2025, 3, 11), seizures=(sent,), seizure_named=1, reason="随案移送并书面告知当事人")
    transfer = DecisionFacts(DecisionOutcome.TRANSFERRED, None, cst(2025, 3, 10), None, False)
    walk.do("close_case", cst(2025, 3, 12), decision=transfer)
    walk.do("archive_case", cst(2025, 3, 13))
    return walk


def general_path_seized_and_confiscated() -> Walk:
    """第二十七条: seized illegal property is confiscated by the decision that confiscates it."""
    kinds = FINE | {PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY}
    walk = Walk(GENERAL, facts(party_type="individual", item=replace(WASTE, penalty_kinds=kinds)))
    walk.do("approve_filing", cst(2025, 3, 3))
    taken = _seizure_taken(walk, cst(2025, 3, 4), cst(2025, 3, 4, 11))
    walk.do("close_investigation", cst(2025, 3, 10))
    penalty = Penalty(kinds, fine_fen=30_000, confiscated_value_fen=20_000)
    notice = replace(intended(30_000), intended=penalty)
    walk.do("intend_penalty", cst(2025, 3, 11))
    walk.do("serve_prior_notice", cst(2025, 3, 12), notice=notice)
    walk.do("record_statement_waiver", cst(2025, 3, 13), notice=served(notice, cst(2025, 3, 12)))
    walk.do("conclude_party_hearing", cst(2025, 3, 13, 11), statement=StatementStatus.WAIVED)
    walk.do("record_circumstances", cst(2025, 3, 13, 15), circumstances=ADULT_CIRCUMSTANCES)
    walk.do(
        "decide_penalty",
        cst(2025, 3, 17),
        proposed=penalty,
        discretion_departure_by_principal=True,
        **CITES_THE_INQUIRY,
    )
    decision = DecisionFacts(DecisionOutcome.PENALTY, penalty, cst(2025, 3, 17), cst(2025, 3, 18), False)
    walk.do("serve_decision", cst(2025, 3, 18), decision=decision)
    gone = replace(taken, ended_at=cst(2025, 3, 19), ended_how="confiscated", endings=1)
    walk.do("confiscate_seized", cst(2025, 3, 19), seizures=(gone,), seizure_named=1)
    walk.do(
        "revoke_decision", cst(2025, 3, 20), reason="复核发现适用依据错误", seizure_named=None, revoked_by_agency=True
    )
    # 行政强制法 第四十一条: what was confiscated under the revoked decision is returned before the file is archived.
    refused = check_transition(GENERAL, walk.state, "archive_case", replace(walk.facts, now=cst(2025, 3, 21)))
    assert [f.guard for f in refused.failures] == ["restitution_settled"]
    returned = (RestitutionFacts("return_property", 0),)
    walk.do("record_restitution", cst(2025, 3, 21), restitutions=returned)
    walk.do("archive_case", cst(2025, 3, 24))
    return walk


def general_path_ordered_and_demolished_by_the_agency() -> Walk:
    """行政强制法 第三十四条至第四十四条: an order the item's law lets the agency execute itself
    (城乡规划法 第六十五条), unperformed, reminded with a period, the party heard, the execution decided, the
    demolition announced, and carried out after the announcement's period and the party's six months to sue, on
    a working day by day."""
    item = replace(
        WASTE,
        measures=frozenset({"order_correct_within_time", "demolish"}),
        own_execution=OwnExecutionPower(frozenset({"demolish"}), LegalBasis("中华人民共和国城乡规划法", 65)),
    )
    walk = Walk(GENERAL, facts(item=item))
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    order = CorrectionFacts("order_correct_within_time", date(2025, 4, 10), cst(2025, 3, 11), None, None)
    ordered = DecisionFacts(DecisionOutcome.ORDER, None, cst(2025, 3, 11), None, False)
    walk.do("decide_order", cst(2025, 3, 11), decision=ordered, correction=order)
    walk.do("serve_decision", cst(2025, 3, 12), decision=replace(ordered, served_at=cst(2025, 3, 12)))
    unperformed = replace(order, reinspected_at=cst(2025, 4, 14), corrected=False, reinspections=1)
    walk.do("reinspect_correction", cst(2025, 4, 14), correction=unperformed)
    walk.do(
        "serve_reminder", cst(2025, 4, 15), reminder_served_at=cst(2025, 4, 15), reminder_perform_by=date(2025, 4, 25)
    )
    heard = OwnExecutionFacts(statement_at=cst(2025, 4, 18), statement_accepted=False)
    walk.do("hear_execution_statement", cst(2025, 4, 18), own_execution=heard)
    decided = replace(heard, decided_at=cst(2025, 4, 28), manner="demolish", execute_on=date(2025, 5, 6), decisions=1)
    walk.do("decide_own_execution", cst(2025, 4, 28), own_execution=decided)
    announced = replace(decided, announced_at=cst(2025, 4, 29), demolish_by=date(2025, 5, 9))
    walk.do("announce_demolition", cst(2025, 4, 29), own_execution=announced)
    # Six months from 12 March end on 12 September; 16 September is a working day, and 10:00 is daytime.
    done = replace(announced, carried_out_at=cst(2025, 9, 16))
    walk.do("carry_out_own_execution", cst(2025, 9, 16), own_execution=done)
    walk.do("close_case", cst(2025, 9, 17))
    walk.do("archive_case", cst(2025, 9, 18))
    return walk


def general_path_ordered_and_executed_by_the_court() -> Walk:
    """行政强制法 第五十三条、第五十七条: an order the agency has no power to execute itself, unperformed, reminded,
    applied to the court after the party's six months to sue, executed on the court's ruling, closed."""
    walk = Walk(GENERAL, facts(item=replace(WASTE, measures=frozenset({"order_correct_within_time"}))))
    walk.do("approve_filing", cst(2025, 3, 3))
    walk.do("close_investigation", cst(2025, 3, 10))
    order = CorrectionFacts("order_correct_within_time", date(2025, 4, 10), cst(2025, 3, 11), None, None)
    ordered = DecisionFacts(DecisionOutcome.ORDER, None, cst(2025, 3, 11), None, False)
    walk.do("decide_order", cst(2025, 3, 11), decision=ordered, correction=order)
    walk.do("serve_decision", cst(2025, 3, 12), decision=replace(ordered, served_at=cst(2025, 3, 12)))
    unperformed = replace(order, reinspected_at=cst(2025, 4, 14), corrected=False, reinspections=1)
    walk.do("reinspect_correction", cst(2025, 4, 14), correction=unperformed)
    walk.do(
        "serve_reminder", cst(2025, 4, 15), reminder_served_at=cst(2025, 4, 15), reminder_perform_by=date(2025, 4, 25)
    )
    walk.do(
        "apply_for_court_execution", cst(2025, 9, 16), court_execution_applied=True, court_applied_at=cst(2025, 9, 16)
    )
    executed = CourtExecutedFacts(ruled_on=date(2025, 9, 23), carried_out_on=date(2025, 10, 14))
    walk.do("record_court_execution", cst(2025, 10, 15), court_executed=executed)
    walk.do("close_case", cst(2025, 10, 16))
    walk.do("archive_case", cst(2025, 10, 17))
    return walk


GENERAL_PATHS = [
    general_path_with_hearing,
    general_path_not_filed,
    general_path_no_penalty,
    general_path_hearing_waived_then_transferred,
    general_path_reopened_and_withdrawn,
    general_path_mitigated_served_late_and_revoked,
    general_path_departing_from_the_districts_standard,
    general_path_instalments_reminded_sued_and_executed_by_court,
    general_path_revoked_on_reconsideration_and_execution_ended,
    general_path_seized_released_and_ordered,
    general_path_seized_and_transferred,
    general_path_seized_and_confiscated,
    general_path_ordered_and_demolished_by_the_agency,
    general_path_ordered_and_executed_by_the_court,
]
SUMMARY_PATHS = [
    summary_path_fined_on_the_spot,
    summary_path_paid_revoked_and_refunded,
    summary_path_referred,
    summary_path_warning_revoked,
    summary_path_deferred_reminded_and_refused_by_the_court,
    summary_path_reconsidered_upheld_and_paid,
]


def test_a_general_procedure_case_walks_from_registration_to_archive() -> None:
    walk = general_path_with_hearing()
    assert walk.state is CaseState.ARCHIVED
    assert walk.walked[0] == "approve_filing"
    assert [GENERAL.transition(name).to for name in walk.walked if not GENERAL.transition(name).is_act] == [
        CaseState.INVESTIGATING,
        CaseState.INVESTIGATION_CLOSED,
        CaseState.PENALTY_INTENDED,
        CaseState.NOTICE_SERVED,
        CaseState.HEARING_REQUESTED,
        CaseState.HEARING_SCHEDULED,
        CaseState.HEARING_HELD,
        CaseState.PARTY_HEARD,
        CaseState.DECIDED,
        CaseState.SERVED,
        CaseState.EXECUTED,
        CaseState.CLOSED,
        CaseState.ARCHIVED,
    ]


def test_a_summary_procedure_case_is_decided_on_the_spot_filed_and_archived_art_51_art_52() -> None:
    walk = summary_path_fined_on_the_spot()
    assert walk.state is CaseState.ARCHIVED
    assert walk.walked == [
        "record_circumstances",
        "decide_on_the_spot",
        "record_payment",
        "file_with_agency",
        "record_execution",
        "close_case",
        "archive_case",
    ]


@pytest.mark.parametrize("path", GENERAL_PATHS + SUMMARY_PATHS, ids=lambda p: p.__name__)
def test_every_lawful_path_ends_archived(path: Callable[[], Walk]) -> None:
    assert path().state is CaseState.ARCHIVED


@pytest.mark.parametrize(
    ("workflow", "paths"), [(GENERAL, GENERAL_PATHS), (SUMMARY, SUMMARY_PATHS)], ids=["general", "summary"]
)
def test_every_transition_and_act_lies_on_some_lawful_path(workflow: Workflow, paths: list[Callable[[], Walk]]) -> None:
    walked = {name for path in paths for name in path().walked}
    assert walked == {t.name for t in workflow.transitions}


# --- refusals ---


def test_a_decision_before_the_prior_notice_is_refused_naming_art_44() -> None:
    case = facts(now=cst(2025, 3, 11), proposed=Penalty(FINE, fine_fen=5_500_000))
    check = check_transition(GENERAL, CaseState.INVESTIGATION_CLOSED, "decide_penalty", case)
    assert not check.ok
    guards = [f.guard for f in check.failures]
    assert guards[0] == STATE_GUARD
    assert "notice_served" in guards
    notice_failure = next(f for f in check.failures if f.guard == "notice_served")
    assert notice_failure.basis == penalty_law(44)
    with pytest.raises(TransitionRefused) as refused:
        check.raise_if_refused()
    problem = refused.value.problem(english=False)
    assert refused.value.status == 409
    assert "《中华人民共和国行政处罚法》第44条" in problem["detail"]


def test_every_failing_guard_is_reported_not_only_the_first() -> None:
    # In the right state, a decision with nothing done: each rule it breaks is named, in file order.
    case = facts(
        now=cst(2025, 6, 4),
        acting_officers=(),
        proposed=Penalty(FINE, fine_fen=60_000_000),
        review_required=True,
        collective_discussion_required=True,
    )
    check = check_transition(GENERAL, CaseState.PARTY_HEARD, "decide_penalty", case)
    assert [f.guard for f in check.failures] == [
        "notice_served",
        "statement_period_over_or_waived",
        "hearing_settled",
        "within_discretion",
        "fine_not_above_notified",
        "legal_review_passed",
        "collective_discussion_held",
        "decision_deadline_not_passed",
        "circumstances_recorded",
        "no_penalty_where_law_excludes",
        "mitigation_applied",
        "not_fined_twice",
        "decision_evidence_recorded",
    ]
    assert [f.basis.article for f in check.failures] == [44, 44, 44, 38, 44, 58, 57, 60, 57, 33, 32, 29, 40]


def test_a_single_officer_cannot_record_an_inquiry_art_42() -> None:
    case = facts(acting_officers=qualifications(cst(2025, 3, 3), WASTE.code, ZHANG))
    check = check_transition(GENERAL, CaseState.INVESTIGATING, "record_inquiry", case)
    assert [(f.guard, f.basis.article) for f in check.failures] == [("two_qualified_officers", 42)]


def test_a_recused_officer_cannot_record_an_inquiry_art_43() -> None:
    case = facts(
        acting_officers=qualifications(cst(2025, 3, 3), WASTE.code, ZHANG, LI, WANG),
        recused_officers=frozenset({WANG.officer_id}),
    )
    check = check_transition(GENERAL, CaseState.INVESTIGATING, "record_inquiry", case)
    assert [(f.guard, f.basis.article) for f in check.failures] == [("no_recused_officer", 43)]


def test_a_summary_fine_above_the_limit_is_refused_naming_the_limit_art_51() -> None:
    case = facts(
        item=LITTERING, party_type="individual", proposed=Penalty(FINE, fine_fen=25_000), summary_form_number="3"
    )
    check = check_transition(SUMMARY, CaseState.SUMMARY_STARTED, "decide_on_the_spot", case)
    limit = next(f for f in check.failures if f.guard == "summary_fine_within_limit")
    assert limit.basis == penalty_law(51)
    assert "limit of 20,000 fen (200 yuan) for a citizen" in limit.reason_en
    assert "200元（20000分）以下" in limit.reason_zh


def test_a_hearing_requested_after_the_period_is_refused_art_64() -> None:
    notice = served(intended(), cst(2025, 3, 12))
    case = facts(now=cst(2025, 3, 20), notice=notice, hearing=HearingFacts(requested_at=cst(2025, 3, 20)))
    check = check_transition(GENERAL, CaseState.NOTICE_SERVED, "request_hearing", case)
    assert [(f.guard, f.basis.article) for f in check.failures] == [("hearing_requested_in_time", 64)]


def test_an_archived_case_allows_nothing() -> None:
    assert GENERAL.allowed_from(CaseState.ARCHIVED) == ()
    check = check_transition(GENERAL, CaseState.ARCHIVED, "record_inquiry", facts())
    assert check.failures[0].guard == STATE_GUARD
    assert "已归档" in check.failures[0].reason_zh


def test_an_unknown_transition_is_a_409() -> None:
    with pytest.raises(UnknownTransition) as refused:
        check_transition(GENERAL, CaseState.REGISTERED, "skip_to_decision", facts())
    assert refused.value.status == 409
    assert "skip_to_decision" in refused.value.detail_en


def test_a_check_is_recorded_as_plain_json_under_the_workflow_version() -> None:
    check = check_transition(GENERAL, CaseState.INVESTIGATING, "record_inquiry", facts(acting_officers=()))
    record = check.to_record()
    assert record["workflow_version"] == GENERAL.version
    assert record["ok"] is False
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record


# --- the files ---


def test_what_may_happen_in_each_state_before_any_guard() -> None:
    assert {t.name for t in GENERAL.allowed_from(CaseState.REGISTERED)} == {"approve_filing", "refuse_filing"}
    assert {t.name for t in SUMMARY.allowed_from(CaseState.SUMMARY_STARTED)} == {
        "record_circumstances",
        "decide_on_the_spot",
        "refer_to_general_procedure",
    }
    inquiry = GENERAL.transition("record_inquiry")
    assert inquiry.is_act
    assert inquiry.target(CaseState.INVESTIGATING) is CaseState.INVESTIGATING


def test_each_state_has_a_chinese_name_and_an_english_gloss() -> None:
    used = {info.state for workflow in (GENERAL, SUMMARY) for info in workflow.states}
    assert used == set(CaseState)
    assert GENERAL.state_info(CaseState.NOTICE_SERVED).zh == "已送达行政处罚事先告知书"
    for workflow in (GENERAL, SUMMARY):
        assert all(info.zh and info.en for info in workflow.states)


def test_every_permission_is_granted_to_some_role() -> None:
    granted = set().union(*load_role_policy(ROOT / "policies" / "roles.yaml").grants.values())
    for workflow in (GENERAL, SUMMARY):
        assert {t.permission for t in workflow.transitions} <= granted


def test_each_entry_type_replays_to_one_transition() -> None:
    for workflow in (GENERAL, SUMMARY):
        for transition in workflow.transitions:
            assert workflow.by_entry_type(transition.records) is transition


def test_the_decision_requires_review_and_collective_discussion_art_57_art_58() -> None:
    guards = GENERAL.transition("decide_penalty").guards
    assert {"notice_served", "legal_review_passed", "collective_discussion_held", "fine_not_above_notified"} <= set(
        guards
    )


def test_load_workflows_finds_one_workflow_per_procedure() -> None:
    workflows = load_workflows(ROOT / "policies" / "workflows")
    assert set(workflows) == set(Procedure)
    assert workflows[Procedure.GENERAL].version.startswith("sha256:")


# --- refused files ---

LAW = "中华人民共和国行政处罚法"
MINIMAL: dict[str, Any] = {
    "format": 1,
    "procedure": "summary",
    "name": {"zh": "简易程序", "en": "summary procedure"},
    "initial": "summary_started",
    "terminal": ["archived"],
    "periods": {"payment_calendar_days": 15, "late_fee_basis_points_per_day": 300},
    "states": {
        "summary_started": {"zh": "当场处罚", "en": "on the spot", "category": "intake"},
        "summary_decided": {"zh": "已当场决定", "en": "decided", "category": "decided"},
        "archived": {"zh": "已归档", "en": "archived", "category": "closed"},
    },
    "transitions": [
        {
            "name": "decide_on_the_spot",
            "from": ["summary_started"],
            "to": "summary_decided",
            "permission": "case:act",
            "guards": ["summary_fine_within_limit"],
            "records": "case:summary_decision:made",
            "basis": {"law": LAW, "article": 51},
        },
        {
            "name": "archive_case",
            "from": ["summary_decided"],
            "to": "archived",
            "permission": "case:act",
            "guards": [],
            "records": "case:file:archived",
            "basis": {"law": LAW, "article": 47},
        },
    ],
    "acts": [
        {
            "name": "record_payment",
            "in": ["summary_decided"],
            "permission": "case:act",
            "guards": ["penalty_performed"],
            "records": "case:payment:recorded",
            "basis": {"law": LAW, "article": 67, "paragraph": 3},
        }
    ],
}


def parse(document: dict[str, Any]) -> Workflow:
    return parse_workflow(yaml.safe_dump(document, allow_unicode=True), "policies/workflows/bad.yaml")


def test_the_minimal_workflow_of_these_tests_is_valid() -> None:
    assert parse(MINIMAL).initial is CaseState.SUMMARY_STARTED


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _append(section: str, value: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document[section].append(value)

    return change


_DELETE = object()
_BACK_TO_START = {
    "name": "restart",
    "from": ["archived"],
    "to": "summary_started",
    "permission": "case:act",
    "guards": [],
    "records": "case:case:restarted",
    "basis": {"law": LAW, "article": 47},
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            _set("transitions.0.to", "decided_on_spot"),
            "transitions[decide_on_the_spot].to",
            "unknown state 'decided_on_spot'",
        ),
        (_set("transitions.0.to", "executed"), "transitions[decide_on_the_spot].to", "not declared under states"),
        (
            _set("transitions.0.guards", ["hearing_done"]),
            "transitions[decide_on_the_spot].guards[0]",
            "unknown guard 'hearing_done'",
        ),
        (
            _set("transitions.0.guards", ["reason_given", "reason_given"]),
            "transitions[decide_on_the_spot].guards",
            "names a guard twice",
        ),
        (_set("transitions.1.name", "decide_on_the_spot"), "transitions[decide_on_the_spot].name", "duplicate name"),
        (_set("acts.0.records", "case:file:archived"), "acts[record_payment].records", "duplicate entry type"),
        (_set("acts.0.records", "payment recorded"), "acts[record_payment].records", "case:<object>:<action>"),
        (
            _set("states.revoked", {"zh": "已撤销", "en": "revoked", "category": "ended"}),
            "states.revoked",
            "unreachable from the initial state",
        ),
        (_set("terminal", _DELETE), "<document>", "missing keys ['terminal']"),
        (_set("terminal", []), "terminal", "non-empty list"),
        (_set("terminal", ["summary_decided"]), "transitions[archive_case].from", "allow nothing further"),
        (_set("transitions.1.from", ["summary_started"]), "states.summary_decided", "no terminal state can be reached"),
        (_append("transitions", _BACK_TO_START), "transitions[restart].from", "allow nothing further"),
        (_set("transitions.0.to", "summary_started"), "transitions[decide_on_the_spot].to", "belongs under acts"),
        (_set("acts.0.to", "archived"), "acts[record_payment]", "unknown keys ['to']"),
        (
            _set("transitions.0.permission", "ledger:read"),
            "transitions[decide_on_the_spot].permission",
            "does not write case records",
        ),
        (
            _set("transitions.0.permission", "case:fly"),
            "transitions[decide_on_the_spot].permission",
            "unknown permission",
        ),
        (_set("periods.payment_calendar_days", 10), "periods.payment_calendar_days", "at least 15"),
        (_set("periods.decision_calendar_days", 120), "periods.decision_calendar_days", "at most 90"),
        (_set("periods.payment_calendar_days", True), "periods.payment_calendar_days", "must be an integer"),
        (
            _set("periods.late_fee_basis_points_per_day", _DELETE),
            "acts[record_payment].guards[0]",
            "needs periods.late_fee",
        ),
        (_set("periods.grace_days", 3), "periods", "unknown keys ['grace_days']"),
        (_set("format", 2), "format", "must be 1"),
        (_set("procedure", "special"), "procedure", "must be one of"),
        (_set("initial", "archived"), "initial", "also terminal"),
        (
            _set("states.summary_started", {"zh": "当场处罚"}),
            "states.summary_started",
            "missing keys ['category', 'en']",
        ),
        (
            _set("transitions.0.basis", {"law": LAW, "article": 0}),
            "transitions[decide_on_the_spot].basis.article",
            "positive",
        ),
        (
            _set("transitions.0.basis", {"law": "", "article": 51}),
            "transitions[decide_on_the_spot].basis.law",
            "non-empty",
        ),
        (_set("transitions.0.name", "Decide On The Spot"), "transitions[Decide On The Spot].name", "lowercase"),
        (
            _set("transitions.0.from", ["summary_started", "summary_started"]),
            "transitions[decide_on_the_spot].from",
            "twice",
        ),
    ],
)
def test_an_invalid_workflow_is_refused_with_its_file_and_field(
    change: Callable[[dict[str, Any]], None], field: str, message: str
) -> None:
    document = copy.deepcopy(MINIMAL)
    change(document)
    with pytest.raises(WorkflowFileError) as refused:
        parse(document)
    matching = [p for p in refused.value.problems if p.field == field and message in p.message]
    assert matching, refused.value.problems
    assert matching[0].file == "policies/workflows/bad.yaml"
    assert f"bad.yaml: {field}: " in str(refused.value)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    document = copy.deepcopy(MINIMAL)
    document["transitions"][0]["guards"] = ["hearing_done"]
    document["transitions"][1]["permission"] = "ledger:read"
    with pytest.raises(WorkflowFileError) as refused:
        parse(document)
    assert {p.field for p in refused.value.problems} == {
        "transitions[decide_on_the_spot].guards[0]",
        "transitions[archive_case].permission",
    }


def test_a_repeated_yaml_key_is_refused() -> None:
    text = yaml.safe_dump(MINIMAL, allow_unicode=True)
    with pytest.raises(WorkflowFileError, match="duplicate key 'format'"):
        parse_workflow("format: 1\n" + text, "dup.yaml")


def test_invalid_yaml_is_refused_with_its_file() -> None:
    with pytest.raises(WorkflowFileError, match=r"broken\.yaml: <document>: not valid YAML"):
        parse_workflow("states: [", "broken.yaml")


def test_a_directory_needs_exactly_one_workflow_per_procedure(tmp_path: Path) -> None:
    (tmp_path / "summary.yaml").write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    (tmp_path / "summary-copy.yaml").write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    with pytest.raises(WorkflowFileError) as refused:
        load_workflows(tmp_path)
    messages = [p.message for p in refused.value.problems]
    assert any("already defined" in m for m in messages)
    assert any("no workflow for the general procedure" in m for m in messages)


def test_a_file_is_loaded_with_its_content_hash_as_version(tmp_path: Path) -> None:
    path = tmp_path / "summary.yaml"
    path.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    first = load_workflow(path)
    path.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True) + "# a comment\n", encoding="utf-8")
    assert load_workflow(path).version != first.version


def test_a_rule_or_precondition_needing_a_day_beyond_the_calendar_does_not_hold_and_says_why() -> None:
    # The case view judges standing rules and preconditions alike (``standing_refusals``): one that would count past
    # 2100 blocks its step, saying it cannot be decided, rather than failing the whole view.
    def beyond() -> Refusal | None:
        raise CalendarRangeError(date(2101, 1, 2), "the test")

    refusal = _evaluate(beyond)
    assert refusal is not None
    assert refusal.reason_zh.startswith("无法判断本项规则是否满足")
    assert "2101" in refusal.reason_en
