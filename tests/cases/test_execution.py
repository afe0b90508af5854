"""Execution of a fine through the API: instalments and deferral on application and approval (行政处罚法 第六十六条
第二款), the late fee per amount due (第七十二条第一项), the written reminder (催告, 行政强制法 第三十五条) and the
application to the people's court only after the reminder's ten working days and the party's remedy periods, within
three months after them (行政强制法 第五十三条、第五十四条、第六十九条); the case closes only when executed or when
execution was lawfully ended (第四十条)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service.cases.execution import Instalment, Remedy, add_months, owed, remedy_periods_end
from service.clock import FixedClock
from service.policy.calendar import local_date

from . import CALENDAR
from .driver import Cases
from .test_case_api import NOTICE, fine, refusal
from .test_legal_audit import history_length, state_of

FEN = 30_000  # 300 yuan


def served(cases: Cases, clock: FixedClock, fen: int = FEN) -> dict[str, Any]:
    """A 300-yuan fine decided by the head on the recorded inquiry and the party's circumstances (an adult,
    nothing that excludes or mitigates it: 第二十九条至第三十三条、第四十条) and served on the party (the 15 days
    to pay run, 第六十七条第三款)."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "record_inquiry", officers=cases.with_second(), data={"place": "x", "summary": "承认倾倒"})
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(fen)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(fen)}}
    )
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": fine(fen)})
    cases.sign_decision(case, cases.signer("head"))
    return cases.serve_decision(case)


def today(clock: FixedClock) -> date:
    return local_date(clock.now())


def pay(cases: Cases, case: dict[str, Any], clock: FixedClock, fen: int, receipt: str) -> dict[str, Any]:
    data = {"amount_fen": fen, "paid_on": today(clock).isoformat(), "receipt": receipt}
    return cases.step(case, "record_payment", data=data)


def view(cases: Cases, case: dict[str, Any]) -> dict[str, Any]:
    response = cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def deadline(cases: Cases, case: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((d for d in view(cases, case)["deadlines"] if d["name"] == name), None)


def plan(clock: FixedClock, *parts: tuple[int, int]) -> list[dict[str, Any]]:
    """Instalments as (days from today, fen)."""
    return [{"due_on": (today(clock) + timedelta(days=d)).isoformat(), "amount_fen": fen} for d, fen in parts]


# --- instalments and deferral (第六十六条第二款) ---


def test_a_fine_paid_in_two_approved_instalments_is_executed_and_closed_art_66(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    application = {"kind": "instalments", "plan": plan(clock, (30, 15_000), (60, 15_000)), "hardship": "家庭困难"}
    cases.step(case, "apply_for_instalments", data=application)
    # One application at a time; and it is the head who approves, not the officer who recorded it.
    again = cases.step(case, "apply_for_instalments", expect=409, data=application)
    assert refusal(again) == (["instalment_plan_lawful"], ["《中华人民共和国行政处罚法》第66条第2款"])
    cases.step(case, "decide_instalments", expect=403, data={"approved": True})
    cases.step(case, "decide_instalments", "head", data={"approved": True})
    # The deadlines follow the plan: the first instalment's day, then the second's.
    first_day = (today(clock) + timedelta(days=30)).isoformat()
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == first_day
    clock.advance(days=30)
    pay(cases, case, clock, 15_000, "银行缴款凭证0001")
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == (today(clock) + timedelta(days=30)).isoformat()
    refused = cases.step(case, "record_execution", expect=409)
    assert refusal(refused)[0] == ["penalty_performed"]
    clock.advance(days=30)
    pay(cases, case, clock, 15_000, "银行缴款凭证0002")
    assert cases.step(case, "record_execution")["state"] == "executed"
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_each_instalment_bears_its_own_late_fee_never_the_whole_fines_art_72(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    application = {"kind": "instalments", "plan": plan(clock, (20, 10_000), (40, 20_000)), "hardship": "经营困难"}
    cases.step(case, "apply_for_instalments", data=application)
    cases.step(case, "decide_instalments", "head", data={"approved": True})
    clock.advance(days=20)
    pay(cases, case, clock, 10_000, "银行缴款凭证0011")
    clock.advance(days=22)  # the second instalment paid two days late: 3 % of 200 yuan a day
    pay(cases, case, clock, 20_000, "银行缴款凭证0012")
    refused = cases.step(case, "record_execution", expect=409)
    assert "1,200 fen (12 yuan)" in refused["failures"][0]["reason_en"]
    pay(cases, case, clock, 1_200, "银行缴款凭证0013")
    assert cases.step(case, "record_execution")["state"] == "executed"


def test_a_payment_above_what_is_owed_is_refused_and_the_excess_is_the_partys_art_72(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock)
    clock.advance(days=20)  # paid late: 3 % of 300 yuan a day is owed besides the fine (第七十二条)
    due = deadline(cases, case, "payment")
    assert due is not None
    assert due["late_fee_fen"] > 0
    pay(cases, case, clock, 20_000, "银行缴款凭证0021")
    left = 10_000 + due["late_fee_fen"]
    before = history_length(cases, case)
    too_much = {"amount_fen": left + 1, "paid_on": today(clock).isoformat(), "receipt": "银行缴款凭证0022"}
    refused = cases.step(case, "record_payment", expect=409, data=too_much)
    assert refusal(refused) == (["payment_not_above_owed"], ["《中华人民共和国行政处罚法》第72条"])
    reason = refused["failures"][0]["reason_zh"]
    assert f"尚欠的{left // 100}元" in reason
    assert "退还当事人" in reason
    assert history_length(cases, case) == before
    paid = pay(cases, case, clock, left, "银行缴款凭证0022")
    # Paid in full, late fee and all: another payment is no longer offered, and why is said.
    assert "record_payment" not in paid["next_steps"]
    blocked = {b["step"]: b["failures"] for b in paid["blocked_steps"]}
    assert [f["guard"] for f in blocked["record_payment"]] == ["payment_not_above_owed"]
    assert cases.step(case, "record_execution")["state"] == "executed"


def test_a_deferral_names_one_day_and_a_plan_covers_the_whole_fine_art_66(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    before = history_length(cases, case)
    short = {"kind": "instalments", "plan": plan(clock, (30, 10_000), (60, 10_000)), "hardship": "困难"}
    refused = cases.step(case, "apply_for_instalments", expect=409, data=short)
    assert "20,000 fen (200 yuan)" in refused["failures"][0]["reason_en"]
    two_days = {"kind": "deferral", "plan": plan(clock, (30, 15_000), (60, 15_000)), "hardship": "困难"}
    assert refusal(cases.step(case, "apply_for_instalments", expect=409, data=two_days))[0] == [
        "instalment_plan_lawful"
    ]
    assert history_length(cases, case) == before  # a refusal writes nothing
    deferral = {"kind": "deferral", "plan": plan(clock, (45, FEN)), "hardship": "因病住院"}
    cases.step(case, "apply_for_instalments", data=deferral)
    # A refusal states its reason (第四十七条); after it, the party may apply again.
    assert refusal(cases.step(case, "decide_instalments", "head", expect=409, data={"approved": False}))[0] == [
        "instalment_application_pending"
    ]
    cases.step(case, "decide_instalments", "head", data={"approved": False}, reason="未提供经济困难的证明")
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] <= (today(clock) + timedelta(days=16)).isoformat()  # the 15 days of 第六十七条 stand
    cases.step(case, "apply_for_instalments", data=deferral)
    cases.step(case, "decide_instalments", "head", data={"approved": True})
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == (today(clock) + timedelta(days=45)).isoformat()


# --- reminder and the court (行政强制法 第三十五条、第五十三条、第五十四条) ---


def test_an_unpaid_fine_is_reminded_then_taken_to_court_only_after_the_periods(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    served_on = today(clock)
    # Not yet in default: no reminder within the 15 days to pay.
    early = cases.step(case, "serve_reminder", expect=409, officers=cases.with_second(), data={"method": "直接送达"})
    assert refusal(early) == (["performance_overdue"], ["《中华人民共和国行政强制法》第35条"])
    clock.advance(days=20)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    # The court is applied to only after the reminder's 10 working days and the party's remedy periods.
    before = history_length(cases, case)
    refused = cases.step(case, "apply_for_court_execution", "head", expect=409, data={"court": "梁平区人民法院"})
    guards, citations = refusal(refused)
    assert guards == ["reminder_period_over", "remedy_periods_over"]
    assert citations == ["《中华人民共和国行政强制法》第54条", "《中华人民共和国行政强制法》第53条"]
    assert history_length(cases, case) == before
    clock.advance(days=20)
    guards, _ = refusal(cases.step(case, "apply_for_court_execution", "head", expect=409, data={"court": "x"}))
    assert guards == ["remedy_periods_over"]  # six months to sue (行政诉讼法 第四十六条)
    # The last day to apply is shown with the case's deadlines: three months after the six months.
    shown = deadline(cases, case, "court_execution_application")
    assert shown is not None
    assert shown["basis"] == "《中华人民共和国行政强制法》第53条"
    assert date(2027, 3, 1) <= date.fromisoformat(shown["due_on"]) <= date(2027, 3, 10)
    assert served_on == date(2026, 6, 9)
    clock.advance(days=(date(2026, 12, 14) - today(clock)).days)  # the six months ended on 9 December
    applied = cases.step(case, "apply_for_court_execution", "head", data={"court": "重庆市梁平区人民法院"})
    assert applied["state"] == "execution_applied"
    # Paid under the court's execution: the fine and the late fee, which has reached the fine (第七十二条第一项).
    assert cases.step(case, "record_execution", expect=409)["failures"][0]["guard"] == "penalty_performed"
    pay(cases, case, clock, 2 * FEN, "法院执行款0001")
    assert cases.step(case, "record_execution")["state"] == "executed"
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_after_three_months_past_the_periods_the_court_application_is_late_art_53(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock)
    clock.advance(days=20)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    clock.advance(days=(date(2027, 3, 20) - today(clock)).days)
    refused = cases.step(case, "apply_for_court_execution", "head", expect=409, data={"court": "x"})
    assert refusal(refused) == (["court_application_in_time"], ["《中华人民共和国行政强制法》第53条"])
    assert (shown := deadline(cases, case, "court_execution_application")) is not None
    assert shown["overdue"]


def test_a_case_closes_only_when_executed_or_execution_lawfully_ended_art_40(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    refused = cases.step(case, "close_case", "head", expect=409)
    assert refusal(refused)[0] == ["execution_settled"]
    # Ending execution states its ground and the facts; the party's death without estate is one (第四十条第一项).
    no_facts = cases.step(case, "end_execution", "head", expect=409, data={"ground": "party_died_without_estate"})
    assert refusal(no_facts) == (["execution_end_lawful"], ["《中华人民共和国行政强制法》第40条"])
    not_applied = cases.step(case, "end_execution", "head", expect=409, data={"ground": "court_refused"}, reason="x")
    assert refusal(not_applied)[1] == ["《中华人民共和国行政强制法》第58条"]
    ended = cases.step(
        case, "end_execution", "head", data={"ground": "party_died_without_estate"}, reason="当事人死亡，无遗产"
    )
    assert ended["state"] == "execution_ended"
    assert cases.step(case, "close_case", "head")["state"] == "closed"
    assert state_of(cases, case) == "closed"


# --- the periods and amounts themselves (service/cases/execution.py) ---


def test_months_end_on_the_corresponding_day_or_the_months_last_civil_code_202() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 6, 9), 6) == date(2026, 12, 9)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_no_remedy_period_ends_while_one_is_pending_and_a_result_gives_15_more_days() -> None:
    pending = Remedy("reconsideration", date(2026, 7, 1), None, None)
    assert remedy_periods_end(CALENDAR, date(2026, 6, 9), [pending]) is None
    late_result = Remedy("reconsideration", date(2026, 7, 1), date(2026, 12, 1), "upheld")
    # Six months from 9 June end on 9 December; the 15 days after the result of 1 December end on the 16th.
    assert remedy_periods_end(CALENDAR, date(2026, 6, 9), []) == date(2026, 12, 9)
    assert remedy_periods_end(CALENDAR, date(2026, 6, 9), [late_result]) == date(2026, 12, 16)


def test_each_amount_bears_at_most_itself_as_late_fee_art_72() -> None:
    parts = (Instalment(date(2026, 7, 1), 10_000), Instalment(date(2026, 8, 1), 20_000))
    # Nothing paid a year later: each fee has reached its amount, the total is twice the fine, never more.
    assert owed(parts, (), (), date(2027, 7, 1), 300).fees_fen == (10_000, 20_000)
    # The first paid on its day, the second three days late.
    paid = ((date(2026, 7, 1), 10_000), (date(2026, 8, 4), 20_000))
    assert owed(parts, paid, (), date(2026, 8, 4), 300).fees_fen == (0, 1_800)
