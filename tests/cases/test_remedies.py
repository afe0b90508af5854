"""The party's remedies through the API: an administrative reconsideration or lawsuit is recorded (filed: body, day;
result: upheld, changed, revoked, confirmed illegal) with what the agency did after. A changed fine is the amount
executed; a revoked decision ends execution (行政强制法 第四十条第四项) and its publication is withdrawn within
3 days (行政处罚法 第四十八条第二款); no late fee is counted while a remedy is pending (第七十三条第三款); the
head's appearances in court (行政诉讼法 第三条第三款) are recorded and counted in the yearly report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.clock import FixedClock

from .driver import Cases
from .test_case_api import refusal
from .test_execution import FEN, pay, served, today
from .test_legal_audit import history_length


def filed(cases: Cases, case: dict[str, Any], clock: FixedClock, kind: str, **more: Any) -> dict[str, Any]:
    body = "重庆市梁平区人民政府" if kind == "reconsideration" else "重庆市梁平区人民法院"
    data = {"kind": kind, "body": body, "filed_on": today(clock).isoformat()} | more
    return cases.step(case, "record_remedy_filed", data=data)


def result(
    cases: Cases, case: dict[str, Any], clock: FixedClock, outcome: str, expect: int = 200, **more: Any
) -> dict[str, Any]:
    data = {"result": outcome, "decided_on": today(clock).isoformat(), "document": "梁府复决〔2026〕5号"} | more
    return cases.step(case, "record_remedy_result", expect=expect, data=data)


def yearly(cases: Cases) -> dict[str, Any]:
    response = cases.client.get("/api/v1/reports/yearly?year=2026", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def overdue(cases: Cases) -> list[tuple[str, str]]:
    response = cases.client.get("/api/v1/publicity/overdue", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return [(o["case_id"], o["what"]) for o in response.json()]


def test_a_fine_changed_on_reconsideration_is_executed_at_the_changed_amount(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    assert cases.client.post(f"/api/v1/cases/{case['id']}/publication", headers=cases.auth("head")).status_code == 201
    clock.advance(days=5)
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=30)
    # Neither a reconsideration nor a court makes the fine heavier for the party (行政复议法 第六十三条第二款).
    heavier = result(cases, case, clock, "changed", expect=409, changed_fine_fen=FEN + 1)
    assert refusal(heavier) == (["remedy_result_lawful"], ["《中华人民共和国行政诉讼法》第77条第2款"])
    result(cases, case, clock, "changed", changed_fine_fen=20_000, follow_up="按变更后的罚款二百元执行")
    refused = cases.step(case, "record_execution", expect=409)
    assert "Paid 0 fen (0 yuan) of 20,000 fen (200 yuan)" in refused["failures"][0]["reason_en"]
    pay(cases, case, clock, 20_000, "银行缴款凭证0101")  # no late fee: the days under review are not counted
    assert cases.step(case, "record_execution")["state"] == "executed"
    # 第四十八条第二款: within 3 working days the changed decision is published as changed, the original marked
    # (tests/cases/test_own_execution.py shows the listing).
    assert overdue(cases) == []
    clock.advance(days=7)
    assert overdue(cases) == [(case["id"], "republish")]
    republished = cases.client.post(f"/api/v1/cases/{case['id']}/publication/changed", headers=cases.auth("head"))
    assert republished.status_code == 200, republished.text
    assert overdue(cases) == []
    figures = yearly(cases)
    assert (figures["reconsiderations"], figures["lawsuits"], figures["remedy_results"]) == (1, 0, {"changed": 1})


def test_a_decision_revoked_by_the_court_ends_execution_with_the_head_in_court(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    # No lawsuit, no appearance to record; and it is the head who appears.
    alone = cases.step(
        case, "record_court_appearance", "head", expect=409, data={"appeared_on": "2026-06-10", "court": "x"}
    )
    assert refusal(alone) == (["lawsuit_on_file"], ["《中华人民共和国行政诉讼法》第3条第3款"])
    clock.advance(days=20)
    filed(cases, case, clock, "lawsuit")
    # While the lawsuit is pending the court is not applied to (行政强制法 第五十三条).
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    clock.advance(days=15)
    pending = cases.step(case, "apply_for_court_execution", "head", expect=409, data={"court": "x"})
    assert "remedy_periods_over" in refusal(pending)[0]
    appearance = {"appeared_on": today(clock).isoformat(), "court": "重庆市梁平区人民法院", "note": "乡长出庭"}
    cases.step(case, "record_court_appearance", expect=403, data=appearance)
    cases.step(case, "record_court_appearance", "head", data=appearance)
    clock.advance(days=10)
    result(cases, case, clock, "revoked", document="（2026）渝0155行初12号")
    # Nothing is executed on a revoked decision: execution ends on that ground, and the case closes.
    assert refusal(cases.step(case, "record_execution", expect=409))[1] == ["《中华人民共和国行政强制法》第40条"]
    ended = cases.step(case, "end_execution", "head", data={"ground": "decision_revoked"})
    assert ended["state"] == "execution_ended"
    assert cases.step(case, "close_case", "head")["state"] == "closed"
    # A revoked decision is not published (第四十八条第二款).
    refused = cases.client.post(f"/api/v1/cases/{case['id']}/publication", headers=cases.auth("head"))
    assert refused.status_code == 409
    figures = yearly(cases)
    assert (figures["lawsuits"], figures["court_appearances"], figures["remedy_results"]) == (1, 1, {"revoked": 1})


def test_no_late_fee_is_counted_while_a_reconsideration_is_pending_art_73(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    clock.advance(days=10)
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=30)  # 15 days past the day to pay, every one of them under review
    result(cases, case, clock, "upheld")
    pay(cases, case, clock, FEN, "银行缴款凭证0201")
    assert cases.step(case, "record_execution")["state"] == "executed"


def test_the_late_fee_runs_before_the_filing_and_after_the_result_art_72_73(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    clock.advance(days=17)  # one day late before the day the reconsideration is filed, which is not counted
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=20)
    result(cases, case, clock, "upheld")
    clock.advance(days=1)  # and one day after the result: 2 days of 3 % of 300 yuan
    pay(cases, case, clock, FEN, "银行缴款凭证0301")
    refused = cases.step(case, "record_execution", expect=409)
    assert "the late fee is 1,800 fen (18 yuan)" in refused["failures"][0]["reason_en"]
    pay(cases, case, clock, 1_800, "银行缴款凭证0302")
    assert cases.step(case, "record_execution")["state"] == "executed"


def test_suspended_execution_is_not_reminded_art_73(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    clock.advance(days=3)
    filed(cases, case, clock, "lawsuit", execution_suspended=True)
    clock.advance(days=20)
    refused = cases.step(case, "serve_reminder", expect=409, officers=cases.with_second(), data={"method": "直接送达"})
    assert refusal(refused) == (["performance_overdue"], ["《中华人民共和国行政处罚法》第73条第1款"])


def test_one_remedy_at_a_time_and_a_result_only_for_a_pending_one(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)
    before = history_length(cases, case)
    assert refusal(result(cases, case, clock, "upheld", expect=409))[0] == ["remedy_result_lawful"]
    future = {"kind": "lawsuit", "body": "法院", "filed_on": (today(clock) + timedelta(days=1)).isoformat()}
    assert refusal(cases.step(case, "record_remedy_filed", expect=409, data=future))[0] == ["remedy_filing_lawful"]
    assert history_length(cases, case) == before
    filed(cases, case, clock, "reconsideration")
    again = {"kind": "lawsuit", "body": "法院", "filed_on": today(clock).isoformat()}
    assert refusal(cases.step(case, "record_remedy_filed", expect=409, data=again))[0] == ["remedy_filing_lawful"]
    # A changed result names the changed fine, and only a changed one does.
    response = cases.client.post(
        f"/api/v1/cases/{case['id']}/steps/record_remedy_result",
        headers=cases.auth("officer1"),
        json={"data": {"result": "changed", "decided_on": today(clock).isoformat(), "document": "x"}},
    )
    assert response.status_code == 422, response.text


def test_a_lawsuit_against_a_closed_case_is_recorded_and_the_case_stays_closed_when_it_was(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock)
    pay(cases, case, clock, FEN, "银行缴款凭证0401")
    cases.step(case, "record_execution")
    closed = cases.step(case, "close_case", "head")
    clock.advance(days=40)  # within the 6 months to sue (行政诉讼法 第四十六条)
    filed(cases, case, clock, "lawsuit")
    clock.advance(days=30)
    after = result(cases, case, clock, "upheld", document="（2026）渝0155行初30号")
    assert (after["state"], after["closed_at"]) == ("closed", closed["closed_at"])
    assert after["file"]["remedies"][0]["result"] == "upheld"
