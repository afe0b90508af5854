"""An order the agency has no power to execute itself, executed by the people's court and the case closed
(行政强制法 第五十三条、第五十四条、第五十七条).

Item CQ-TM-008 (土地管理法 第七十八条): the township orders occupied land returned; no law lets it execute that
itself, so after the reminder and the party's remedy periods it applies to the court (第五十三条). The court rules to
execute (第五十七条) and the order is executed; the agency records the ruling and the execution from the court's
documents, and the case closes. A fine the court executes is recorded from the money it collected instead, and a
refusal to execute ends execution (第五十八条, end_execution)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from service.clock import FixedClock

from .driver import Cases
from .test_execution import served, today
from .test_own_execution import COERCION, at, refused_with

COURT = "重庆市梁平区人民法院"


def applied_to_the_court(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """The order of 1 June 2026 found unperformed, reminded, and the court applied to on 7 December."""
    case = cases.investigated(cases.open(item_code="CQ-TM-008", title="未经批准占用土地建住宅"))
    deadline = (today(clock) + timedelta(days=30)).isoformat()
    order = {"measure": "order_return_land", "requirement": "退还非法占用的土地", "deadline": deadline}
    cases.step(case, "decide_order", "head", data=order)
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    clock.advance(days=31)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "仍未退还"}
    )
    perform_by = (today(clock) + timedelta(days=20)).isoformat()
    cases.step(
        case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达", "perform_by": perform_by}
    )
    at(clock, date(2026, 12, 7), 10)
    applied = cases.step(case, "apply_for_court_execution", "head", data={"court": COURT})
    assert applied["state"] == "execution_applied"
    return applied


def executed_by_the_court(**more: Any) -> dict[str, Any]:
    return {
        "ruling": "（2026）渝0155行审12号",
        "ruled_on": "2026-12-14",
        "carried_out_on": "2026-12-21",
        "record": "法院组织退还非法占用土地，恢复耕种条件",
    } | more


def test_an_order_executed_on_the_courts_ruling_is_recorded_and_the_case_closed_art_57(
    cases: Cases, clock: FixedClock, integrate: Callable[..., Any], cli: Callable[..., Any]
) -> None:
    case = applied_to_the_court(cases, clock)
    # Applied to, not yet executed: the case does not close (nothing settles it yet).
    assert (
        "close_case"
        not in cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()["next_steps"]
    )
    at(clock, date(2026, 12, 22), 10)
    # The court rules after the application, and executes after its ruling, by today (第五十七条).
    refused_with(cases, case, "record_court_execution", "officer1", "court_execution_lawful", f"{COERCION}第57条",
                 data=executed_by_the_court(ruled_on="2026-12-04"))  # fmt: skip
    refused_with(cases, case, "record_court_execution", "officer1", "court_execution_lawful", f"{COERCION}第57条",
                 data=executed_by_the_court(carried_out_on="2026-12-13"))  # fmt: skip
    refused_with(cases, case, "record_court_execution", "officer1", "court_execution_lawful", f"{COERCION}第57条",
                 data=executed_by_the_court(carried_out_on="2026-12-23"))  # fmt: skip
    executed = cases.step(case, "record_court_execution", data=executed_by_the_court())
    assert executed["state"] == "executed"
    assert executed["file"]["court_executed"]["ruling"] == "（2026）渝0155行审12号"
    assert executed["file"]["execution"]["completed_at"]
    assert cases.step(case, "close_case", "head")["state"] == "closed"
    assert cases.step(case, "archive_case")["state"] == "archived"
    history = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    assert [h["type"] for h in history].count("case:court_execution:carried_out") == 1
    # The whole path verifies: every step allowed where it stood (caseledger verify).
    integrate(force_checkpoint=True)
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output


def test_a_fine_the_court_executed_is_recorded_from_the_money_it_collected(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)  # a fine served on 9 June 2026
    clock.advance(days=20)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    at(clock, date(2026, 12, 14), 10)
    cases.step(case, "apply_for_court_execution", "head", data={"court": COURT})
    at(clock, date(2026, 12, 28), 10)
    refused_with(cases, case, "record_court_execution", "officer1", "court_execution_lawful",
                 "《中华人民共和国行政处罚法》第67条第3款", data=executed_by_the_court())  # fmt: skip


def test_an_order_the_court_refused_to_execute_ends_execution_art_58(cases: Cases, clock: FixedClock) -> None:
    case = applied_to_the_court(cases, clock)
    at(clock, date(2026, 12, 30), 10)
    ended = cases.step(case, "end_execution", "head", data={"ground": "court_refused"}, reason="法院裁定不准予执行")
    assert ended["state"] == "execution_ended"
    refused = cases.step(case, "record_court_execution", expect=409, data=executed_by_the_court())
    assert refused["code"] == "transition_refused"
    assert cases.step(case, "close_case", "head")["state"] == "closed"
