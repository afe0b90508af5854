"""The summary procedure (简易程序, 行政处罚法 第五十一条、第五十二条) from the spot to the court, through the API.

The decision on the spot is a penalty like any other: the party's circumstances (第二十九条至第三十三条) are recorded
before it and it considers them. A fine decided on the spot and not paid is executed as the general procedure's is,
by the same steps and rules: payment in instalments or later on the party's application (第六十六条第二款), the
written reminder once in default (催告, 行政强制法 第三十五条), and the application to the people's court after the
reminder's ten working days and the party's remedy periods, within three months (第五十三条、第五十四条); the case
closes when executed or when execution lawfully ended (第四十条).

Each refusal is a 409 naming the rule and its article, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from service.clock import FixedClock

from .driver import Cases
from .test_case_api import TOLD, fine, refusal
from .test_execution import deadline, plan, today
from .test_legal_audit import history_length, state_of
from .test_remedies import filed, result

FEN = 5_000  # 50 yuan for smoking in a no-smoking place (重庆市公共场所控制吸烟条例)
PENALTY_LAW = "《中华人民共和国行政处罚法》"
COERCION = "《中华人民共和国行政强制法》"
COURT = {"court": "重庆市梁平区人民法院"}
REMINDER = {"method": "直接送达"}


def on_the_spot(cases: Cases, form: str, *, expect: int = 200) -> dict[str, Any]:
    """Two officers decide a 50-yuan fine on the spot on a numbered form, the party told and heard (第五十二条)."""
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")
    decision = {"penalty": fine(FEN), "form_number": form} | TOLD
    cases.step(case, "decide_on_the_spot", expect=expect, officers=cases.with_second(), data=decision)
    return case


def decided_and_filed(cases: Cases, form: str) -> dict[str, Any]:
    """Circumstances recorded, decided on the spot, not collected there, filed with the agency (第五十二条第三款).
    officer3, assigned to the case, did not decide: the one to record a payment from the bank's receipt."""
    assigned = [cases.officer("officer2"), cases.officer("officer3")]
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟", officers=assigned)
    cases.circumstances(case)
    decision = {"penalty": fine(FEN), "form_number": form} | TOLD
    cases.step(case, "decide_on_the_spot", officers=cases.with_second(), data=decision)
    return cases.step(case, "file_with_agency")


def bank_payment(cases: Cases, case: dict[str, Any], clock: FixedClock, fen: int, receipt: str) -> dict[str, Any]:
    """Recorded from the bank's receipt by an officer who did not decide (第六十七条第二款)."""
    data = {"amount_fen": fen, "paid_on": today(clock).isoformat(), "receipt": receipt}
    return cases.step(case, "record_payment", "officer3", data=data)


def blocked_by(case: dict[str, Any], step: str) -> list[str]:
    """The rules the case view names as blocking ``step`` now."""
    return [f["guard"] for b in case["blocked_steps"] if b["step"] == step for f in b["failures"]]


def blocked_reasons(case: dict[str, Any], step: str) -> list[str]:
    return [f["reason_zh"] for b in case["blocked_steps"] if b["step"] == step for f in b["failures"]]


def remind(cases: Cases, case: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    return cases.step(case, "serve_reminder", expect=expect, officers=cases.with_second(), data=REMINDER)


# --- the circumstances, considered on the spot (第二十九条至第三十三条) ---


def test_the_decision_on_the_spot_needs_the_circumstances_recorded_first_art_29_to_33(cases: Cases) -> None:
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")
    # The case does not offer the decision before the circumstances: it lists it blocked, with the rule and article.
    assert "decide_on_the_spot" not in case["next_steps"]
    blocked = {b["step"]: b["failures"] for b in case["blocked_steps"]}
    assert [f["guard"] for f in blocked["decide_on_the_spot"]] == ["circumstances_recorded"]
    assert blocked["decide_on_the_spot"][0]["basis"]["citation"] == f"{PENALTY_LAW}第57条第1款"
    decision = {
        "officers": cases.with_second(),
        "data": {"penalty": fine(FEN), "form_number": "渝梁铁简0000900"} | TOLD,
    }
    before = history_length(cases, case)
    refused = cases.step(case, "decide_on_the_spot", expect=409, **decision)
    rules = ["circumstances_recorded", "no_penalty_where_law_excludes", "mitigation_applied", "not_fined_twice"]
    assert refusal(refused)[0] == rules
    # Four rules refuse for one reason: the detail says it once, after all four and their articles; ``failures``
    # still lists each rule with its reason.
    reason = refused["failures"][0]["reason_zh"]
    assert {f["reason_zh"] for f in refused["failures"]} == {reason}
    assert refused["detail"].count(reason) == 1
    headline = f"不予办理“decide_on_the_spot”：【circumstances_recorded，{PENALTY_LAW}第57条第1款；"
    assert refused["detail"].startswith(headline)
    assert all(rule in refused["detail"] for rule in rules)
    assert history_length(cases, case) == before
    assert state_of(cases, case) == "summary_started"
    # Under 14 at the act: no penalty at all (第三十条), on the spot or not.
    cases.circumstances(case, age_at_act="under_14")
    child = cases.step(case, "decide_on_the_spot", expect=409, **decision)
    assert refusal(child) == (["no_penalty_where_law_excludes"], [f"{PENALTY_LAW}第30条"])
    # Fined already for the same act: not fined again (第二十九条).
    cases.circumstances(case, fined_before={"decision": "梁平区某局罚〔2026〕3号"})
    twice = cases.step(case, "decide_on_the_spot", expect=409, **decision)
    assert refusal(twice) == (["not_fined_twice"], [f"{PENALTY_LAW}第29条"])
    # An adult with nothing that excludes or mitigates the fine: offered, decided; the file keeps what it considered.
    assert "decide_on_the_spot" in cases.circumstances(case)["next_steps"]
    decided = cases.step(case, "decide_on_the_spot", **decision)
    assert decided["state"] == "summary_decided"
    assert decided["file"]["circumstances"]["age_at_act"] == "adult"
    # What the decision considered is not rewritten after it.
    after = cases.step(case, "record_circumstances", expect=409, data={"age_at_act": "adult", "harm": "none",
                                                                       "findings": "补记"})  # fmt: skip
    assert after["code"] == "transition_refused"


# --- instalments or deferral, reminder, the court (第六十六条第二款; 行政强制法 第三十五条、第五十三条) ---


def test_a_deferred_fine_left_unpaid_is_reminded_and_taken_to_court_then_paid(
    cases: Cases, clock: FixedClock, integrate: Callable[..., Any], cli: Callable[..., Any]
) -> None:
    case = decided_and_filed(cases, "渝梁铁简0000901")
    decided_on = today(clock)
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == (decided_on + timedelta(days=15)).isoformat()  # 第六十七条第三款
    # 第六十六条第二款: the party in hardship applies to pay later; the head approves; the day to pay follows.
    deferral = {"kind": "deferral", "plan": plan(clock, (30, FEN)), "hardship": "失业，家庭困难"}
    cases.step(case, "apply_for_instalments", data=deferral)
    cases.step(case, "decide_instalments", expect=403, data={"approved": True})
    cases.step(case, "decide_instalments", "head", data={"approved": True})
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == (decided_on + timedelta(days=30)).isoformat()

    # Not in default before the deferred day: no reminder (行政强制法 第三十五条).
    clock.advance(days=20)
    assert refusal(remind(cases, case, expect=409)) == (["performance_overdue"], [f"{COERCION}第35条"])
    clock.advance(days=15)
    reminded = remind(cases, case)
    assert reminded["state"] == "summary_filed"

    # The court only after the reminder's 10 working days and the six months to sue (第五十三条、第五十四条).
    before = history_length(cases, case)
    early = cases.step(case, "apply_for_court_execution", "head", expect=409, data=COURT)
    assert refusal(early) == (
        ["reminder_period_over", "remedy_periods_over"],
        [f"{COERCION}第54条", f"{COERCION}第53条"],
    )
    assert history_length(cases, case) == before
    shown = deadline(cases, case, "court_execution_application")
    assert shown is not None
    assert shown["basis"] == f"{COERCION}第53条"
    # Six months from the decision handed over on 1 June end on 1 December; three months after, 1 March.
    assert decided_on == date(2026, 6, 1)
    assert date(2027, 3, 1) <= date.fromisoformat(shown["due_on"]) <= date(2027, 3, 5)
    clock.advance(days=(date(2026, 12, 7) - today(clock)).days)
    applied = cases.step(case, "apply_for_court_execution", "head", data=COURT)
    assert applied["state"] == "execution_applied"

    # Paid under the court's execution: the fine and the late fee, which has reached the fine (第七十二条第一项).
    assert refusal(cases.step(case, "record_execution", expect=409))[0] == ["penalty_performed"]
    bank_payment(cases, case, clock, 2 * FEN, "法院执行款0901")
    assert cases.step(case, "record_execution")["state"] == "executed"
    assert cases.step(case, "close_case", "head")["state"] == "closed"
    assert cases.step(case, "archive_case")["state"] == "archived"
    types = [
        h["type"] for h in cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    ]
    for entry in (
        "case:circumstances:recorded",
        "case:instalments:applied",
        "case:instalments:decided",
        "case:reminder:served",
        "case:court_execution:applied",
    ):
        assert types.count(entry) == 1, (entry, types)
    # The whole path verifies: every step allowed where it stood in the summary procedure.
    integrate(force_checkpoint=True)
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output


def test_two_instalments_on_the_spot_fine_paid_on_their_days_close_the_case_art_66(
    cases: Cases, clock: FixedClock
) -> None:
    case = decided_and_filed(cases, "渝梁铁简0000902")
    # The plan covers the whole fine (第六十六条第二款), or it is refused and nothing is written.
    before = history_length(cases, case)
    short = {"kind": "instalments", "plan": plan(clock, (20, 2_000), (40, 2_000)), "hardship": "经营困难"}
    assert refusal(cases.step(case, "apply_for_instalments", expect=409, data=short)) == (
        ["instalment_plan_lawful"],
        [f"{PENALTY_LAW}第66条第2款"],
    )
    assert history_length(cases, case) == before
    instalments = {"kind": "instalments", "plan": plan(clock, (20, 2_500), (40, 2_500)), "hardship": "经营困难"}
    # The head's decision is offered only while an application awaits it; a second application is not offered then.
    assert blocked_by(case, "decide_instalments") == ["instalment_application_pending"]
    applied = cases.step(case, "apply_for_instalments", data=instalments)
    assert "decide_instalments" in applied["next_steps"]
    assert blocked_by(applied, "apply_for_instalments") == ["instalment_plan_lawful"]
    cases.step(case, "decide_instalments", "head", data={"approved": True})
    clock.advance(days=20)
    bank_payment(cases, case, clock, 2_500, "银行缴款凭证0902")
    assert (payment := deadline(cases, case, "payment")) is not None
    assert payment["due_on"] == (today(clock) + timedelta(days=20)).isoformat()
    assert refusal(cases.step(case, "record_execution", expect=409))[0] == ["penalty_performed"]
    clock.advance(days=20)
    paid = bank_payment(cases, case, clock, 2_500, "银行缴款凭证0903")
    # Paid in full: no day to pay is left, in the case nor in the officer's list of what is due.
    assert deadline(cases, case, "payment") is None
    due = cases.client.get("/api/v1/deadlines", headers=cases.auth("officer1")).json()["deadlines"]
    assert [d["name"] for d in due if d["case_id"] == case["id"]] == []
    # Paying in instalments is no longer offered, and why is said.
    assert "apply_for_instalments" not in paid["next_steps"]
    reasons = blocked_reasons(paid, "apply_for_instalments")
    assert reasons == ["罚款已经缴清，没有可以分期或者暂缓缴纳的罚款。"]
    # Paid on the plan's days: no reminder, and the case is executed and closed.
    assert refusal(remind(cases, case, expect=409))[0] == ["performance_overdue"]
    assert cases.step(case, "record_execution")["state"] == "executed"
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_a_pending_reconsideration_holds_the_court_back_and_a_refusal_to_execute_ends_execution(
    cases: Cases, clock: FixedClock
) -> None:
    case = decided_and_filed(cases, "渝梁铁简0000903")
    clock.advance(days=20)
    remind(cases, case)
    clock.advance(days=10)
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=(date(2026, 12, 7) - today(clock)).days)
    pending = cases.step(case, "apply_for_court_execution", "head", expect=409, data=COURT)
    assert refusal(pending) == (["remedy_periods_over"], [f"{COERCION}第53条"])
    result(cases, case, clock, "upheld")
    # After the result the party has 15 days more to sue (行政复议法; service/cases/execution.py).
    assert refusal(cases.step(case, "apply_for_court_execution", "head", expect=409, data=COURT))[0] == [
        "remedy_periods_over"
    ]
    clock.advance(days=16)
    assert cases.step(case, "apply_for_court_execution", "head", data=COURT)["state"] == "execution_applied"
    # The court refuses to execute (第五十八条): execution ends with that ground and the facts, and the case closes.
    ended = cases.step(case, "end_execution", "head", data={"ground": "court_refused"}, reason="法院裁定不予执行")
    assert ended["state"] == "execution_ended"
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_an_unpaid_fine_on_the_spot_is_taken_to_court_only_once_filed_with_the_agency(
    cases: Cases, clock: FixedClock
) -> None:
    """第五十二条第三款: the agency executes the decision filed with it; before filing there is nothing to remind of
    or take to court in its name."""
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")
    cases.circumstances(case)
    decision = {"penalty": fine(FEN), "form_number": "渝梁铁简0000904"} | TOLD
    decided = cases.step(case, "decide_on_the_spot", officers=cases.with_second(), data=decision)
    assert "serve_reminder" not in decided["next_steps"]
    assert "apply_for_instalments" in decided["next_steps"]
    clock.advance(days=20)
    assert remind(cases, case, expect=409)["code"] == "transition_refused"
    cases.step(case, "file_with_agency")
    assert remind(cases, case)["state"] == "summary_filed"
