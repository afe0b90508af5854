"""Specification of the guards: each named rule, the article it enforces, and its reason in both languages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import pytest

from service.cases.deadlines import DeadlineExtension, Periods
from service.cases.guards import (
    GUARDS,
    CaseFacts,
    DecisionFacts,
    DecisionOutcome,
    ExecutionFacts,
    HearingFacts,
    Penalty,
    PreservationFacts,
    PriorNotice,
    StatementStatus,
    hearing_right,
)
from service.errors import LegalBasis, penalty_law
from service.officers.qualification import OfficerFacts, ReasonCode
from service.policy.catalogue import PenaltyKind

from . import (
    FINE,
    GENERAL,
    LI,
    LITTERING,
    SUMMARY,
    WANG,
    WARNING,
    WASTE,
    ZHANG,
    certificate,
    cst,
    facts,
    qualifications,
)

NOW = cst(2025, 3, 3)


@dataclass(frozen=True)
class Outcome:
    guard: str
    reason_en: str
    reason_zh: str
    basis: LegalBasis


def evaluate(name: str, case: CaseFacts, periods: Periods = GENERAL.periods) -> Outcome | None:
    guard = GUARDS[name]
    refusal = guard.check(case, periods)
    if refusal is None:
        return None
    return Outcome(name, refusal.reason_en, refusal.reason_zh, refusal.basis or guard.basis)


def refused(name: str, case: CaseFacts, periods: Periods = GENERAL.periods) -> Outcome:
    outcome = evaluate(name, case, periods)
    assert outcome is not None, f"{name} should refuse"
    assert outcome.reason_en
    assert outcome.reason_zh
    return outcome


NOTICE_SERVED_AT = cst(2025, 3, 12)


def notice(
    served_at: datetime | None = NOTICE_SERVED_AT, intended: Penalty | None = None, **changes: Any
) -> PriorNotice:
    base = PriorNotice(
        intended=intended or Penalty(FINE, fine_fen=6_000_000),
        states_facts=True,
        states_reasons=True,
        states_basis=True,
        informs_statement_and_defence=True,
        informs_hearing_right=True,
        served_at=served_at,
    )
    return replace(base, **changes)


def test_every_guard_of_the_issue_is_registered_with_its_article() -> None:
    expected = {
        "two_qualified_officers": 42,
        "no_recused_officer": 43,
        "item_in_catalogue": 24,
        "notice_served": 44,
        "statement_period_over_or_waived": 45,
        "hearing_requested_in_time": 64,
        "hearing_notice_period_respected": 64,
        "hearing_chair_not_investigator": 64,
        "hearing_settled": 63,
        "fine_not_above_notified": 45,
        "legal_review_passed": 58,
        "collective_discussion_held": 57,
        "decision_deadline_not_passed": 60,
        "summary_fine_within_limit": 51,
        "service_within_deadline": 61,
        "preservation_approved": 56,
    }
    for name, article in expected.items():
        assert GUARDS[name].basis == penalty_law(article, GUARDS[name].basis.paragraph), name
    assert GUARDS["within_discretion"].basis == LegalBasis("重庆市规范行政处罚裁量权办法", 11)


# --- who acts: 第二十四条、第四十二条、第四十三条 ---


def test_an_item_outside_the_catalogue_cannot_be_the_basis_of_a_case_art_24() -> None:
    outcome = refused("item_in_catalogue", facts(item=None))
    assert outcome.basis == penalty_law(24)
    assert "CQ-TM-999" in outcome.reason_en


def test_two_qualified_officers_may_act_art_42() -> None:
    assert evaluate("two_qualified_officers", facts()) is None


def test_a_single_officer_is_refused_art_42() -> None:
    outcome = refused("two_qualified_officers", facts(acting_officers=qualifications(NOW, WASTE.code, ZHANG)))
    assert outcome.basis == penalty_law(42)
    assert "at least 2" in outcome.reason_en
    assert "不得少于2人" in outcome.reason_zh


def test_the_same_officer_named_twice_is_still_one_officer_art_42() -> None:
    refused("two_qualified_officers", facts(acting_officers=qualifications(NOW, WASTE.code, ZHANG, ZHANG)))


def test_one_officer_suffices_only_when_the_item_cites_a_law_allowing_it_art_42() -> None:
    law = LegalBasis("某法律", 1)
    item = replace(WASTE, single_officer_allowed_by=law)
    assert (
        evaluate("two_qualified_officers", facts(item=item, acting_officers=qualifications(NOW, WASTE.code, ZHANG)))
        is None
    )
    assert refused("two_qualified_officers", facts(item=item, acting_officers=())).basis == penalty_law(42)


def test_an_officer_with_an_expired_certificate_is_refused_art_42() -> None:
    expired = OfficerFacts("officer-4", "赵六", (certificate("50015500004", expires_on=date(2025, 2, 28)),))
    case = facts(acting_officers=qualifications(NOW, WASTE.code, ZHANG, LI, expired))
    outcome = refused("two_qualified_officers", case)
    assert "50015500004" in outcome.reason_en
    assert "expired" in outcome.reason_en
    assert case.acting_officers[2].reasons[0].code is ReasonCode.EXPIRED


def test_an_officer_whose_certificate_does_not_cover_the_item_is_refused_art_42() -> None:
    # A fire-safety certificate does not cover household waste (by analogy 交通运输行政执法证件管理规定 第二十二条).
    fire_only = OfficerFacts("officer-5", "钱七", (certificate("50015500005", categories=frozenset({"fire_safety"})),))
    outcome = refused(
        "two_qualified_officers", facts(acting_officers=qualifications(NOW, WASTE.code, ZHANG, fire_only))
    )
    assert "covers neither item CQ-TM-003" in outcome.reason_en
    assert "at least 2" in outcome.reason_en


def test_a_qualification_checked_at_another_moment_is_refused_art_42() -> None:
    yesterday = qualifications(cst(2025, 3, 2), WASTE.code, ZHANG, LI)
    outcome = refused("two_qualified_officers", facts(acting_officers=yesterday))
    assert "not at this act" in outcome.reason_en


def test_a_qualification_for_another_item_is_refused_art_42() -> None:
    outcome = refused("two_qualified_officers", facts(acting_officers=qualifications(NOW, LITTERING.code, ZHANG, LI)))
    assert "checked for item CQ-TM-013" in outcome.reason_en


def test_a_recused_officer_can_no_longer_act_on_the_case_art_43() -> None:
    case = facts(
        acting_officers=qualifications(NOW, WASTE.code, ZHANG, LI, WANG), recused_officers=frozenset({LI.officer_id})
    )
    outcome = refused("no_recused_officer", case)
    assert outcome.basis == penalty_law(43)
    assert "officer-2" in outcome.reason_en
    assert "回避" in outcome.reason_zh


def test_a_recused_officer_cannot_chair_the_hearing_art_43() -> None:
    case = facts(hearing=HearingFacts(chair_id="officer-9"), recused_officers=frozenset({"officer-9"}))
    refused("no_recused_officer", case)


def test_an_officer_recused_through_the_qualification_check_is_not_qualified_art_43() -> None:
    recused = replace(LI, recused_case_ids=frozenset({"case-1"}))
    outcome = refused("two_qualified_officers", facts(acting_officers=qualifications(NOW, WASTE.code, ZHANG, recused)))
    assert "recused" in outcome.reason_en


# --- the prior notice: 第四十四条、第六十三条 ---


def test_a_notice_must_state_facts_reasons_basis_and_rights_art_44() -> None:
    outcome = refused("notice_complete", facts(notice=notice(served_at=None, states_reasons=False, states_basis=False)))
    assert outcome.basis == penalty_law(44)
    assert "the reasons, the legal basis" in outcome.reason_en
    assert "理由、依据" in outcome.reason_zh


def test_a_notice_must_state_the_hearing_right_when_the_fine_reaches_the_threshold_art_63() -> None:
    # 60,000 yuan for an organisation reaches Chongqing's 50,000 yuan "large amount".
    outcome = refused("notice_complete", facts(notice=notice(served_at=None, informs_hearing_right=False)))
    assert "right to a hearing" in outcome.reason_en


def test_a_notice_below_the_threshold_need_not_state_a_hearing_right_art_63() -> None:
    small = notice(served_at=None, intended=Penalty(FINE, fine_fen=30_000), informs_hearing_right=False)
    assert evaluate("notice_complete", facts(party_type="individual", notice=small)) is None


def test_a_notice_below_the_threshold_must_not_tell_of_a_hearing_the_law_does_not_give_art_63() -> None:
    """Told of a hearing, the party would ask for one the agency must then refuse (request_hearing's own guard)."""
    small = notice(served_at=None, intended=Penalty(FINE, fine_fen=30_000), informs_hearing_right=True)
    outcome = refused("notice_complete", facts(party_type="individual", notice=small))
    assert "does not give (art. 63)" in outcome.reason_en
    assert "不适用的听证权利（第六十三条）" in outcome.reason_zh


def test_heavy_kinds_always_give_a_hearing_right_art_63() -> None:
    item = replace(WASTE, penalty_kinds=frozenset({PenaltyKind.FINE, PenaltyKind.ORDER_CLOSE}))
    assert hearing_right(item, "individual", Penalty(frozenset({PenaltyKind.ORDER_CLOSE})))
    assert not hearing_right(item, "individual", Penalty(FINE, fine_fen=499_999))
    assert hearing_right(item, "individual", Penalty(FINE, fine_fen=500_000))


def test_a_notice_not_yet_served_is_not_served_art_44() -> None:
    assert refused("notice_served", facts(notice=notice(served_at=None))).basis == penalty_law(44)
    assert refused("notice_served", facts(notice=notice(served_at=cst(2025, 3, 4)))).basis == penalty_law(44)
    assert evaluate("notice_served", facts(now=cst(2025, 3, 12), notice=notice())) is None


# --- statement and defence: 第四十五条、第六十二条 ---


def test_the_party_must_be_heard_before_the_statement_period_is_over_art_45() -> None:
    # Served Wednesday 12 March 2025: 5 working days end on Wednesday 19 March.
    outcome = refused("statement_period_over_or_waived", facts(now=cst(2025, 3, 19), notice=notice()))
    assert outcome.basis == penalty_law(45)
    assert "2025-03-19" in outcome.reason_en


@pytest.mark.parametrize("status", [StatementStatus.RECORDED, StatementStatus.WAIVED])
def test_a_recorded_or_waived_statement_ends_the_wait_art_62(status: StatementStatus) -> None:
    assert (
        evaluate("statement_period_over_or_waived", facts(now=cst(2025, 3, 13), notice=notice(), statement=status))
        is None
    )


def test_silence_until_the_period_is_over_ends_the_wait_art_45() -> None:
    assert evaluate("statement_period_over_or_waived", facts(now=cst(2025, 3, 20), notice=notice())) is None


# --- hearing: 第六十三条、第六十四条 ---


def test_a_hearing_request_within_5_working_days_is_in_time_art_64() -> None:
    case = facts(now=cst(2025, 3, 19, 17), notice=notice(), hearing=HearingFacts(requested_at=cst(2025, 3, 19, 17)))
    assert evaluate("hearing_requested_in_time", case) is None


def test_a_hearing_request_after_the_period_is_refused_art_64() -> None:
    case = facts(now=cst(2025, 3, 20, 9), notice=notice(), hearing=HearingFacts(requested_at=cst(2025, 3, 20, 9)))
    outcome = refused("hearing_requested_in_time", case)
    assert outcome.basis == penalty_law(64)
    assert "2025-03-20" in outcome.reason_en
    assert "2025-03-19" in outcome.reason_en


def test_the_hearing_request_period_does_not_run_during_national_day_art_64_art_85() -> None:
    # Served Tuesday 30 September 2025; 1–8 October off; the fifth working day is Tuesday 14 October.
    def request_on(day: int) -> CaseFacts:
        at = cst(2025, 10, day)
        return facts(now=at, notice=notice(served_at=cst(2025, 9, 30)), hearing=HearingFacts(requested_at=at))

    assert evaluate("hearing_requested_in_time", request_on(14)) is None
    refused("hearing_requested_in_time", request_on(15))


def test_a_hearing_requested_without_a_hearing_right_is_refused_art_63() -> None:
    small = notice(intended=Penalty(FINE, fine_fen=30_000))
    outcome = refused("hearing_right_applies", facts(party_type="individual", now=cst(2025, 3, 13), notice=small))
    assert outcome.basis == penalty_law(63)
    assert "500,000 fen (5,000 yuan)" in outcome.reason_en


def test_the_party_is_notified_7_working_days_before_the_hearing_art_64() -> None:
    # Notified Monday 17 March 2025: the earliest hearing day is Wednesday 26 March.
    early = HearingFacts(notified_at=cst(2025, 3, 17), scheduled_for=cst(2025, 3, 25), chair_id="officer-9")
    outcome = refused("hearing_notice_period_respected", facts(hearing=early))
    assert outcome.basis == penalty_law(64)
    assert "2025-03-26" in outcome.reason_en
    assert (
        evaluate("hearing_notice_period_respected", facts(hearing=replace(early, scheduled_for=cst(2025, 3, 26))))
        is None
    )


def test_an_investigator_cannot_chair_the_hearing_art_64() -> None:
    outcome = refused("hearing_chair_not_investigator", facts(hearing=HearingFacts(chair_id=ZHANG.officer_id)))
    assert outcome.basis == penalty_law(64)
    assert evaluate("hearing_chair_not_investigator", facts(hearing=HearingFacts(chair_id="officer-9"))) is None
    refused("hearing_chair_not_investigator", facts(hearing=HearingFacts()))


def test_a_hearing_right_is_settled_when_not_requested_in_time_waived_or_held_art_63() -> None:
    open_period = facts(now=cst(2025, 3, 19), notice=notice())
    assert "2025-03-19" in refused("hearing_settled", open_period).reason_en
    assert evaluate("hearing_settled", replace(open_period, now=cst(2025, 3, 20))) is None
    requested = replace(open_period, hearing=HearingFacts(requested_at=cst(2025, 3, 14)))
    assert refused("hearing_settled", requested).basis == penalty_law(64)
    assert (
        evaluate(
            "hearing_settled", replace(requested, hearing=HearingFacts(requested_at=cst(2025, 3, 14), waived=True))
        )
        is None
    )
    held = HearingFacts(requested_at=cst(2025, 3, 14), held_at=cst(2025, 3, 27))
    assert evaluate("hearing_settled", replace(requested, hearing=held)) is None


def test_without_a_hearing_right_the_hearing_is_settled_at_once_art_63() -> None:
    small = notice(intended=Penalty(FINE, fine_fen=30_000))
    assert evaluate("hearing_settled", facts(party_type="individual", now=cst(2025, 3, 13), notice=small)) is None


# --- the decision: discretion, 第四十五条第二款、第五十七条、第五十八条、第六十条 ---


def test_a_fine_within_a_discretion_level_is_allowed() -> None:
    assert evaluate("within_discretion", facts(proposed=Penalty(FINE, fine_fen=5_500_000))) is None


def test_a_fine_outside_the_discretion_levels_is_refused_unless_the_departure_is_approved() -> None:
    # 行政处罚法 第三十二条 (减轻) allows a fine below the statutory minimum; the standard has no level for it.
    below = facts(proposed=Penalty(FINE, fine_fen=4_000_000))
    outcome = refused("within_discretion", below)
    assert outcome.basis == LegalBasis("重庆市规范行政处罚裁量权办法", 11)
    assert "第十九条" in outcome.reason_zh
    assert evaluate("within_discretion", replace(below, discretion_departure_by_principal=True)) is None


def test_a_fine_above_the_statutory_maximum_is_refused_even_when_approved_art_38() -> None:
    above = facts(proposed=Penalty(FINE, fine_fen=50_000_001), discretion_departure_by_principal=True)
    outcome = refused("within_discretion", above)
    assert outcome.basis == penalty_law(38)
    assert "50,000,000 fen (500,000 yuan)" in outcome.reason_en


def test_a_penalty_kind_the_item_does_not_provide_is_refused_art_38() -> None:
    outcome = refused("within_discretion", facts(proposed=Penalty(WARNING)))
    assert outcome.basis == penalty_law(38)
    assert "warning" in outcome.reason_en


def test_a_warning_within_a_warning_level_is_allowed() -> None:
    assert (
        evaluate("within_discretion", facts(item=LITTERING, party_type="individual", proposed=Penalty(WARNING))) is None
    )


def test_a_fine_above_the_notified_one_is_refused_art_45() -> None:
    case = facts(now=cst(2025, 4, 2), notice=notice(), proposed=Penalty(FINE, fine_fen=6_000_001))
    outcome = refused("fine_not_above_notified", case)
    assert outcome.basis == penalty_law(45, 2)
    assert "above the notified 6,000,000 fen (60,000 yuan)" in outcome.reason_en
    assert evaluate("fine_not_above_notified", replace(case, proposed=Penalty(FINE, fine_fen=6_000_000))) is None
    assert evaluate("fine_not_above_notified", replace(case, proposed=Penalty(FINE, fine_fen=5_000_000))) is None


def test_a_kind_not_notified_cannot_be_added_art_45() -> None:
    heavier = Penalty(frozenset({PenaltyKind.FINE, PenaltyKind.WARNING}), fine_fen=5_000_000)
    outcome = refused("fine_not_above_notified", facts(now=cst(2025, 4, 2), notice=notice(), proposed=heavier))
    assert "adds warning" in outcome.reason_en


def test_a_required_legal_review_must_have_passed_and_be_current_art_58() -> None:
    outcome = refused("legal_review_passed", facts(review_required=True, review_passed_and_current=False))
    assert outcome.basis == penalty_law(58)
    assert evaluate("legal_review_passed", facts(review_required=True, review_passed_and_current=True)) is None
    assert evaluate("legal_review_passed", facts(review_required=False)) is None


def test_a_complex_or_major_case_needs_a_collective_discussion_art_57() -> None:
    outcome = refused("collective_discussion_held", facts(collective_discussion_required=True))
    assert outcome.basis == penalty_law(57, 2)
    assert (
        evaluate(
            "collective_discussion_held", facts(collective_discussion_required=True, collective_discussion_held=True)
        )
        is None
    )


def test_no_decision_after_90_days_from_filing_art_60() -> None:
    case = facts(now=cst(2025, 6, 4), filed_at=cst(2025, 3, 3))
    outcome = refused("decision_deadline_not_passed", case)
    assert outcome.basis == penalty_law(60)
    assert "2025-06-03" in outcome.reason_en
    assert evaluate("decision_deadline_not_passed", replace(case, now=cst(2025, 6, 3, 23))) is None


def test_the_heads_extension_keeps_the_decision_in_time_art_60() -> None:
    extension = DeadlineExtension(30, cst(2025, 5, 30), "head-1")
    case = facts(now=cst(2025, 6, 4), filed_at=cst(2025, 3, 3), decision_deadline_extensions=(extension,))
    assert evaluate("decision_deadline_not_passed", case) is None
    late = replace(case, decision_deadline_extensions=(DeadlineExtension(30, cst(2025, 6, 4), "head-1"),))
    assert "after it passed" in refused("decision_deadline_not_passed", late).reason_en


# --- the summary procedure: 第五十一条、第五十二条 ---


@pytest.mark.parametrize(
    ("party", "fine", "limit"),
    [("individual", 20_001, "20,000 fen (200 yuan)"), ("organisation", 300_001, "300,000 fen (3,000 yuan)")],
)
def test_a_summary_fine_above_the_limit_is_refused_naming_the_limit_art_51(party: str, fine: int, limit: str) -> None:
    case = facts(item=LITTERING, party_type=party, proposed=Penalty(FINE, fine_fen=fine))
    outcome = refused("summary_fine_within_limit", case, SUMMARY.periods)
    assert outcome.basis == penalty_law(51)
    assert limit in outcome.reason_en
    assert (
        evaluate("summary_fine_within_limit", replace(case, proposed=Penalty(FINE, fine_fen=fine - 1)), SUMMARY.periods)
        is None
    )


def test_on_the_spot_only_a_warning_or_a_fine_whatever_the_item_art_51() -> None:
    confiscation = Penalty(frozenset({PenaltyKind.FINE, PenaltyKind.CONFISCATE_ILLEGAL_PROPERTY}), fine_fen=5_000)
    assert (
        "confiscate_illegal_property"
        in refused("summary_procedure_allowed", facts(item=LITTERING, proposed=confiscation)).reason_en
    )
    # Art. 51 bounds the penalty, not the item: a small fine on household waste may be decided on the spot.
    assert evaluate("summary_procedure_allowed", facts(proposed=Penalty(FINE, fine_fen=10_000))) is None
    assert evaluate("summary_procedure_allowed", facts(item=LITTERING, proposed=Penalty(WARNING))) is None


def test_an_on_the_spot_decision_uses_the_numbered_form_art_52() -> None:
    assert refused("numbered_form_used", facts(summary_form_number="  ")).basis == penalty_law(52)
    assert evaluate("numbered_form_used", facts(summary_form_number="渝梁铁简〔2025〕0001号")) is None


# --- service, execution, preservation: 第五十六条、第六十一条、第六十六条、第六十七条、第七十二条 ---


DECIDED_AT = cst(2024, 9, 30)


def decision(
    decided_at: datetime = DECIDED_AT, served_at: datetime | None = None, fine: int = 5_500_000
) -> DecisionFacts:
    return DecisionFacts(DecisionOutcome.PENALTY, Penalty(FINE, fine_fen=fine), decided_at, served_at, False)


def test_a_decision_is_served_within_7_working_days_art_61() -> None:
    outcome = refused("service_within_deadline", facts(now=cst(2024, 10, 16), decision=decision()))
    assert outcome.basis == penalty_law(61)
    assert "2024-10-15" in outcome.reason_en
    assert evaluate("service_within_deadline", facts(now=cst(2024, 10, 15), decision=decision())) is None
    on_the_spot = replace(decision(), served_on_the_spot=True)
    assert evaluate("service_within_deadline", facts(now=cst(2024, 10, 16), decision=on_the_spot)) is None


def test_preservation_by_registration_needs_the_heads_approval_art_56() -> None:
    assert refused("preservation_approved", facts(preservation=None)).basis == penalty_law(56)
    approved = PreservationFacts(approved_at=cst(2025, 3, 3, 9), registered_at=None, decided_at=None)
    assert evaluate("preservation_approved", facts(preservation=approved)) is None


def test_a_fine_is_performed_when_paid_with_any_late_fee_art_67_art_72() -> None:
    served = decision(decided_at=cst(2025, 1, 13), served_at=cst(2025, 1, 13), fine=10_000)  # due 5 February
    unpaid = facts(now=cst(2025, 2, 6), decision=served)
    assert refused("penalty_performed", unpaid).basis == penalty_law(67, 3)
    late = replace(unpaid, execution=ExecutionFacts(10_000, date(2025, 2, 6), False, None))
    assert "late fee is 300 fen (3 yuan)" in refused("penalty_performed", late).reason_en
    with_fee = replace(unpaid, execution=ExecutionFacts(10_300, date(2025, 2, 6), False, None))
    assert evaluate("penalty_performed", with_fee) is None
    in_time = replace(unpaid, execution=ExecutionFacts(10_000, date(2025, 2, 5), False, None))
    assert evaluate("penalty_performed", in_time) is None


def test_a_case_closes_only_after_its_penalty_is_executed_art_66() -> None:
    served = decision(served_at=cst(2024, 10, 8))
    assert refused("execution_settled", facts(decision=served)).basis == penalty_law(66)
    done = ExecutionFacts(5_500_000, date(2024, 10, 9), False, cst(2024, 10, 9))
    assert evaluate("execution_settled", facts(decision=served, execution=done)) is None
    nothing = DecisionFacts(DecisionOutcome.NO_PENALTY_MINOR, None, cst(2024, 9, 30), cst(2024, 9, 30), True)
    assert evaluate("execution_settled", facts(decision=nothing)) is None


def test_a_withdrawal_or_refusal_states_its_reason_art_47() -> None:
    assert refused("reason_given", facts(reason="")).basis == penalty_law(47)
    assert evaluate("reason_given", facts(reason="当事人已死亡，无权利义务承受人")) is None


# --- the facts themselves ---


def test_a_penalty_fine_matches_its_kinds() -> None:
    with pytest.raises(ValueError, match="does not match"):
        Penalty(WARNING, fine_fen=100)
    with pytest.raises(ValueError, match="does not match"):
        Penalty(FINE)


def test_facts_refuse_a_naive_now_and_rules_of_another_item() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        facts(now=cst(2025, 3, 3).replace(tzinfo=None))
    with pytest.raises(ValueError, match="CQ-TM-013"):
        replace(facts(), item=LITTERING)


def test_a_missing_fact_never_passes_a_guard_that_needs_it() -> None:
    # Nothing known: no item, no officers, not filed, no notice, no decision. Only the guards whose rule is
    # vacuous without facts hold: nobody recused acts; nothing requires a review or a discussion; no other case
    # used a form number (``numbered_form_used`` refuses a decision without one); nothing is sealed or seized,
    # and no evidence awaits its preservation decision (行政强制法 第二十八条; 行政处罚法 第五十六条); no supply was
    # cut, no execution of the agency's own is pending, nothing executed was set aside to restore, no order awaits
    # its reminder (第四十一条、第四十三条第二款); the facts' moment is a working day by day (第四十三条第一款); and no
    # statement is on record that a waiver would deny (第六十二条), and no legal review awaits its opinion (第五十八条).
    empty = facts(acting_officers=(), filed_at=None, item=None)
    holding = sorted(name for name in GUARDS if evaluate(name, empty) is None)
    assert holding == [
        "collective_discussion_held",
        "form_number_unused",
        "legal_review_passed",
        "no_recused_officer",
        "no_review_open",
        "no_supplies_cut",
        "not_at_night_or_on_rest_days",
        "nothing_held",
        "own_execution_settled",
        "preservation_settled",
        "reminder_served_for_order",
        "restitution_settled",
        "statement_not_recorded",
    ]
