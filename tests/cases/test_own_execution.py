"""The agency's own compulsory execution (行政强制法 第四章第一节, 第三十四条至第四十四条), restitution after the
decision executed is changed or revoked (第四十一条), and the changed decision republished (行政处罚法 第四十八条).

Item CQ-TM-007 (城乡规划法 第六十五条: 责令停止建设、限期改正；逾期不改正的，可以拆除) lets the township demolish
itself: the order is found unperformed, the party is reminded in writing with a period (第三十五条), heard
(第三十六条), the written decision is made (第三十七条), the demolition announced with a period to demolish oneself,
and carried out only after it and the party's remedy periods (第四十四条) — in daytime on a working day, never by
cutting supplies (第四十三条). An item without the power goes to the court (第五十三条)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from service.cases.guards import at_night
from service.clock import FixedClock
from service.policy.calendar import SHANGHAI, local_date

from .driver import Cases
from .test_case_api import refusal
from .test_execution import pay, served, today
from .test_legal_audit import history_length
from .test_remedies import filed, result

COERCION = "《中华人民共和国行政强制法》"


def refused_with(
    cases: Cases, case: dict[str, Any], step: str, who: str, guard: str, citation: str, **body: Any
) -> dict[str, Any]:
    """The step is refused naming ``guard`` and ``citation``, and nothing is written."""
    before = history_length(cases, case)
    refused = cases.step(case, step, who, expect=409, **body)
    guards, citations = refusal(refused)
    assert guard in guards, refused
    assert citation in citations, refused
    assert history_length(cases, case) == before
    return refused


def order_served(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """A house built against the permit on item CQ-TM-007: ordered to correct within 30 days, signed, served."""
    case = cases.investigated(cases.open(item_code="CQ-TM-007", title="未按乡村建设规划许可证建房"))
    deadline = (today(clock) + timedelta(days=30)).isoformat()
    order = {"measure": "order_correct_within_time", "requirement": "拆除超出许可证的第三层", "deadline": deadline}
    cases.step(case, "decide_order", "head", data=order)
    cases.sign_decision(case, cases.signer("head"))
    return cases.serve_decision(case)


def decision(clock: FixedClock, **more: Any) -> dict[str, Any]:
    """The written decision's contents (第三十七条第二款): the party is the case's."""
    return {
        "manner": "demolish",
        "grounds": "责令限期改正逾期未改正，经催告仍不履行",
        "basis": "《中华人民共和国城乡规划法》第六十五条；《中华人民共和国行政强制法》第三十七条、第四十四条",
        "execute_on": today(clock).isoformat(),
        "how": "强制拆除超出许可证的第三层",
        "remedies": "可在六十日内向梁平区人民政府申请行政复议，或者在六个月内向梁平区人民法院提起行政诉讼",
        "served_by": "直接送达",
    } | more


def at(clock: FixedClock, day: date, hour: int) -> None:
    clock.at = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_item_007_demolished_by_the_township_after_reminder_statement_decision_announcement_and_periods(
    cases: Cases, clock: FixedClock
) -> None:
    case = order_served(cases, clock)
    served_on = today(clock)
    mission = {"officers": cases.with_second(), "data": {"record": "拆除第三层，清运建筑垃圾"}}
    # No reminder while the party still has time to correct (第三十四条: 逾期不履行).
    refused_with(
        cases, case, "serve_reminder", "officer1", "performance_overdue", f"{COERCION}第35条",
        officers=cases.with_second(), data={"method": "直接送达", "perform_by": "2026-07-20"},
    )  # fmt: skip
    clock.advance(days=31)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "未改"}
    )
    # No decision before the reminder (第三十五条).
    refused_with(cases, case, "decide_own_execution", "head", "own_reminder_period_over", f"{COERCION}第35条",
                 data=decision(clock))  # fmt: skip
    # A reminder to perform an order states the period (第三十五条第一项).
    refused_with(
        cases, case, "serve_reminder", "officer1", "reminder_served_for_order", f"{COERCION}第35条",
        officers=cases.with_second(), data={"method": "直接送达"},
    )  # fmt: skip
    perform_by = today(clock) + timedelta(days=10)
    cases.step(
        case, "serve_reminder", officers=cases.with_second(),
        data={"method": "直接送达", "perform_by": perform_by.isoformat()},
    )  # fmt: skip
    statement = {
        "statement": "房屋为自住，请求缓拆",
        "review": "经复核，超出许可证的事实清楚，理由不成立",
        "accepted": False,
    }
    cases.step(case, "hear_execution_statement", data=statement)
    # Not before the reminder's period passed unperformed (第三十七条).
    refused_with(cases, case, "decide_own_execution", "head", "own_reminder_period_over", f"{COERCION}第37条",
                 data=decision(clock))  # fmt: skip
    clock.advance(days=11)
    decided = cases.step(case, "decide_own_execution", "head", data=decision(clock))
    assert decided["state"] == "execution_decided"
    assert decided["file"]["own_execution"]["manner"] == "demolish"
    # A building is demolished only after an announcement giving a period to demolish it oneself (第四十四条).
    refused_with(cases, case, "carry_out_own_execution", "officer1", "demolition_periods_over", f"{COERCION}第44条",
                 **mission)  # fmt: skip
    demolish_by = today(clock) + timedelta(days=10)
    announcement = {
        "text": "限期自行拆除公告",
        "posted_at": "村委会公告栏及现场",
        "demolish_by": demolish_by.isoformat(),
    }
    cases.step(case, "announce_demolition", "head", data=announcement)
    clock.advance(days=11)
    # The announcement's period passed, but not the party's six months to sue (第四十四条).
    refused = refused_with(
        cases, case, "carry_out_own_execution", "officer1", "demolition_periods_over", f"{COERCION}第44条", **mission
    )
    assert "2026-12-01" in refused["failures"][0]["reason_en"]
    assert served_on == date(2026, 6, 1)
    # After the periods: not at night, not on a rest day, unless urgent (第四十三条第一款) …
    at(clock, date(2026, 12, 3), 23)
    refused_with(cases, case, "carry_out_own_execution", "officer1", "not_at_night_or_on_rest_days",
                 f"{COERCION}第43条第1款", **mission)  # fmt: skip
    at(clock, date(2026, 12, 5), 10)  # a Saturday
    refused_with(cases, case, "carry_out_own_execution", "officer1", "not_at_night_or_on_rest_days",
                 f"{COERCION}第43条第1款", **mission)  # fmt: skip
    # … and never by cutting water or power to the dwelling (第四十三条第二款).
    at(clock, date(2026, 12, 7), 10)
    cut = {"officers": cases.with_second(), "data": {"record": "停水停电", "supplies_cut": ["water", "power"]}}
    refused_with(cases, case, "carry_out_own_execution", "officer1", "no_supplies_cut", f"{COERCION}第43条第2款",
                 **cut)  # fmt: skip
    executed = cases.step(case, "carry_out_own_execution", **mission)
    assert executed["state"] == "executed"
    assert executed["file"]["own_execution"]["carried_out_at"]
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_an_item_without_the_power_is_sent_to_the_court_art_53(cases: Cases, clock: FixedClock) -> None:
    case = served(cases, clock)  # a fine on CQ-TM-003: no law lets the township execute it itself
    clock.advance(days=20)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    refused = refused_with(
        cases, case, "decide_own_execution", "head", "own_execution_power", f"{COERCION}第53条", data=decision(clock)
    )
    assert "people's court" in next(f for f in refused["failures"] if f["guard"] == "own_execution_power")["reason_en"]


def test_a_statement_that_holds_is_adopted_and_nothing_is_executed_art_36(cases: Cases, clock: FixedClock) -> None:
    case = order_served(cases, clock)
    clock.advance(days=31)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "未改"}
    )
    perform_by = (today(clock) + timedelta(days=10)).isoformat()
    cases.step(
        case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达", "perform_by": perform_by}
    )
    holds = {"statement": "第三层已取得变更许可", "review": "经核实变更许可属实", "accepted": True}
    cases.step(case, "hear_execution_statement", data=holds)
    clock.advance(days=11)
    refused_with(cases, case, "decide_own_execution", "head", "execution_statement_heard", f"{COERCION}第36条",
                 data=decision(clock))  # fmt: skip


def test_night_is_from_ten_to_six_in_shanghai_art_43() -> None:
    assert at_night(datetime(2026, 12, 7, 22, 0, tzinfo=SHANGHAI))
    assert at_night(datetime(2026, 12, 7, 5, 59, tzinfo=SHANGHAI))
    assert not at_night(datetime(2026, 12, 7, 6, 0, tzinfo=SHANGHAI))
    assert not at_night(datetime(2026, 12, 7, 1, 30, tzinfo=SHANGHAI).astimezone(SHANGHAI) + timedelta(hours=7))
    assert local_date(datetime(2026, 12, 7, 23, 0, tzinfo=SHANGHAI)) == date(2026, 12, 7)


# --- restitution (执行回转, 行政强制法 第四十一条) ---


def test_a_fine_paid_then_lowered_on_reconsideration_is_refunded_before_the_case_closes_art_41(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock, fen=50_000)
    pay(cases, case, clock, 50_000, "银行缴款凭证0501")
    cases.step(case, "record_execution")
    clock.advance(days=5)
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=30)
    result(cases, case, clock, "changed", changed_fine_fen=20_000, follow_up="退还多缴罚款")
    refused = refused_with(cases, case, "close_case", "head", "restitution_settled", f"{COERCION}第41条")
    assert "30,000 fen (300 yuan)" in refused["failures"][0]["reason_en"]
    refund = {"kind": "refund", "what": "退还多缴罚款至当事人账户", "done_on": today(clock).isoformat()}
    # Not more than was paid beyond the changed fine, nor anything but money when nothing else was executed.
    refused_with(cases, case, "record_restitution", "head", "restitution_lawful", f"{COERCION}第41条",
                 data=refund | {"amount_fen": 30_001})  # fmt: skip
    refused_with(cases, case, "record_restitution", "head", "restitution_lawful", f"{COERCION}第41条",
                 data=refund | {"kind": "restore", "amount_fen": 0})  # fmt: skip
    cases.step(case, "record_restitution", "head", data=refund | {"amount_fen": 10_000})
    still = refused_with(cases, case, "close_case", "head", "restitution_settled", f"{COERCION}第41条")
    assert "20,000 fen (200 yuan)" in still["failures"][0]["reason_en"]
    done = cases.step(case, "record_restitution", "head", data=refund | {"amount_fen": 20_000})
    assert [r["amount_fen"] for r in done["file"]["restitutions"]] == [10_000, 20_000]
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_a_paid_fine_whose_decision_the_agency_revokes_is_refunded_before_archiving_art_41(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock)
    pay(cases, case, clock, 30_000, "银行缴款凭证0601")
    cases.step(case, "record_execution")
    cases.step(case, "revoke_decision", "head", reason="复核发现认定事实错误")
    refused_with(cases, case, "archive_case", "officer1", "restitution_settled", f"{COERCION}第41条")
    refund = {"kind": "refund", "what": "全额退还罚款", "amount_fen": 30_000, "done_on": today(clock).isoformat()}
    cases.step(case, "record_restitution", "head", data=refund)
    assert cases.step(case, "archive_case")["state"] == "archived"


def test_a_demolition_whose_order_is_revoked_is_restored_or_compensated_art_41(cases: Cases, clock: FixedClock) -> None:
    case = order_served(cases, clock)
    clock.advance(days=31)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "未改"}
    )
    perform_by = (today(clock) + timedelta(days=10)).isoformat()
    cases.step(
        case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达", "perform_by": perform_by}
    )
    cases.step(case, "hear_execution_statement", data={"review": "当事人未陈述申辩", "accepted": False})
    clock.advance(days=11)
    cases.step(case, "decide_own_execution", "head", data=decision(clock))
    demolish_by = (today(clock) + timedelta(days=10)).isoformat()
    cases.step(
        case, "announce_demolition", "head", data={"text": "公告", "posted_at": "现场", "demolish_by": demolish_by}
    )
    at(clock, date(2026, 12, 7), 10)
    cases.step(case, "carry_out_own_execution", officers=cases.with_second(), data={"record": "已拆除第三层"})
    cases.step(case, "close_case", "head")
    clock.advance(days=10)  # the party sues the execution decision, within six months of it (行政诉讼法 第四十六条)
    filed(cases, case, clock, "lawsuit")
    clock.advance(days=20)
    result(cases, case, clock, "revoked", document="（2026）渝0155行初40号")
    # Closed before, the file is archived only once the demolished floor is restored or compensated.
    refused_with(cases, case, "archive_case", "officer1", "restitution_settled", f"{COERCION}第41条")
    compensation = {"kind": "compensate", "what": "第三层无法恢复，依法赔偿", "done_on": today(clock).isoformat()}
    refused_with(cases, case, "record_restitution", "head", "restitution_lawful", f"{COERCION}第41条",
                 data=compensation)  # fmt: skip
    cases.step(case, "record_restitution", "head", data=compensation | {"amount_fen": 8_000_000})
    assert cases.step(case, "archive_case")["state"] == "archived"


# --- the changed decision republished (行政处罚法 第四十八条第二款) ---


def public(cases: Cases) -> list[dict[str, Any]]:
    response = cases.client.get("/api/v1/public/agencies/tiemen/decisions")
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_published_decision_changed_on_reconsideration_is_republished_as_changed_art_48(
    cases: Cases, clock: FixedClock
) -> None:
    case = served(cases, clock)
    publication = f"/api/v1/cases/{case['id']}/publication"
    assert cases.client.post(publication, headers=cases.auth("head")).status_code == 201
    # Nothing changed it yet: there is nothing to republish.
    early = cases.client.post(f"{publication}/changed", headers=cases.auth("head"))
    assert early.status_code == 409, early.text
    assert early.json()["basis"]["citation"] == "《中华人民共和国行政处罚法》第48条第2款"
    clock.advance(days=5)
    filed(cases, case, clock, "reconsideration")
    clock.advance(days=30)
    result(cases, case, clock, "changed", changed_fine_fen=20_000)
    clock.advance(days=7)
    # Withdrawing alone does not show the public the decision in force: the changed decision is due.
    assert overdue_of(cases) == [(case["id"], "republish")]
    republished = cases.client.post(f"{publication}/changed", headers=cases.auth("head"))
    assert republished.status_code == 200, republished.text
    assert overdue_of(cases) == []
    listed = next(p for p in public(cases) if p["case_id"] == case["id"])
    assert listed["content"]["penalty"]["fine_fen"] == 30_000  # the original, kept …
    assert listed["changed_at"] is not None  # … marked changed …
    assert listed["changed_content"]["penalty"]["fine_fen"] == 20_000  # … beside the decision as changed
    assert listed["changed_content"]["changed_by"]["document"] == "梁府复决〔2026〕5号"
    assert "行政复议变更" in listed["change_reason"]
    assert listed["withdrawn_at"] is None
    feed = cases.client.get("/api/v1/public/agencies/tiemen/decisions.atom").text
    assert "（已变更）" in feed
    assert "200.00元" in feed
    # Once is enough.
    again = cases.client.post(f"{publication}/changed", headers=cases.auth("head"))
    assert again.status_code == 409, again.text


def overdue_of(cases: Cases) -> list[tuple[str, str]]:
    response = cases.client.get("/api/v1/publicity/overdue", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return [(o["case_id"], o["what"]) for o in response.json()]


def test_an_order_the_agency_cannot_execute_itself_goes_to_the_court_art_53(cases: Cases, clock: FixedClock) -> None:
    # CQ-TM-008 (土地管理法 第七十八条): the township orders the land returned, but no law lets it execute that itself.
    case = cases.investigated(cases.open(item_code="CQ-TM-008", title="未经批准占用土地建住宅"))
    deadline = (today(clock) + timedelta(days=30)).isoformat()
    order = {"measure": "order_return_land", "requirement": "退还非法占用的土地", "deadline": deadline}
    cases.step(case, "decide_order", "head", data=order)
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    clock.advance(days=31)
    findings = {"corrected": False, "findings": "仍未退还"}
    cases.step(case, "reinspect_correction", officers=cases.with_second(), data=findings)
    perform_by = (today(clock) + timedelta(days=20)).isoformat()
    reminder = {"method": "直接送达", "perform_by": perform_by}
    cases.step(case, "serve_reminder", officers=cases.with_second(), data=reminder)
    clock.advance(days=21)
    refused_with(cases, case, "decide_own_execution", "head", "own_execution_power", f"{COERCION}第53条",
                 data=decision(clock, manner="order_return_land"))  # fmt: skip
    # Not before the party's remedy periods end (第五十三条); then the court is applied to.
    refused_with(cases, case, "apply_for_court_execution", "head", "remedy_periods_over", f"{COERCION}第53条",
                 data={"court": "重庆市梁平区人民法院"})  # fmt: skip
    at(clock, date(2026, 12, 7), 10)
    applied = cases.step(case, "apply_for_court_execution", "head", data={"court": "重庆市梁平区人民法院"})
    assert applied["state"] == "execution_applied"


def test_the_court_is_not_applied_to_before_the_period_a_reminder_states(cases: Cases, clock: FixedClock) -> None:
    case = cases.investigated(cases.open(item_code="CQ-TM-008", title="未经批准占用土地建住宅"))
    deadline = (today(clock) + timedelta(days=30)).isoformat()
    cases.step(
        case, "decide_order", "head", data={"measure": "order_return_land", "requirement": "退还", "deadline": deadline}
    )
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    clock.advance(days=31)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(), data={"corrected": False, "findings": "未退还"}
    )
    at(clock, date(2026, 11, 30), 10)
    cases.step(
        case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达", "perform_by": "2027-01-29"}
    )
    at(clock, date(2026, 12, 21), 10)  # past the 10 working days and the remedy periods, not the stated period
    refused_with(cases, case, "apply_for_court_execution", "head", "reminder_period_over", f"{COERCION}第54条",
                 data={"court": "x"})  # fmt: skip
