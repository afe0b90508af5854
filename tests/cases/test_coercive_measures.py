"""Coercive administrative measures (行政强制措施), through the API: sealing and seizure (查封、扣押, 行政强制法
第十八条、第十九条、第二十四条至第二十八条), evidence preserved by registration (先行登记保存, 行政处罚法 第五十六条),
and an order as the decision where the item's law provides only orders (城乡规划法 第六十五条).

Each refusal is a 409 naming the rule and its article, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from service.cases.deadlines import SeizureAppraisal, appraisal_days, seizure_last_day
from service.cases.guards import PreservationFacts, SeizureFacts
from service.clock import FixedClock
from service.policy.calendar import local_date

from . import cst, facts
from .driver import Cases
from .test_case_api import NOTICE, fine, refusal
from .test_guards import evaluate, refused

COERCION = "《中华人民共和国行政强制法》"
PENALTY_LAW = "《中华人民共和国行政处罚法》"

SEIZURE = {
    "kind": "seize",
    "reason": "当事人倾倒的垃圾车可能被转移，证据可能灭失",
    "basis": "《中华人民共和国固体废物污染环境防治法》第二十五条",
    "place": "铁门乡某村村道旁",
    # 第二十三条: each thing is identified, involved in the act, no necessity of life, not sealed by another organ.
    "things": [
        {
            "name": "农用三轮车",
            "quantity": "1辆",
            "note": "车牌渝D12345",
            "identified_by": "registration_number",
            "identifier": "渝D12345",
            "relation_to_act": "当事人用于运输、倾倒垃圾的车辆",
            "necessity_of_life": False,
            "sealed_by_other_organ": False,
        },
        {
            "name": "编织袋",
            "quantity": "3袋",
            "identified_by": "seal_label",
            "identifier": "铁门封字2026-0001",
            "relation_to_act": "倾倒的垃圾，装袋",
            "necessity_of_life": False,
            "sealed_by_other_organ": False,
        },
    ],
    "delivered_on_the_spot": True,
}


def history_length(cases: Cases, case: dict[str, Any]) -> int:
    response = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return len(response.json())


def view(cases: Cases, case: dict[str, Any]) -> dict[str, Any]:
    response = cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def deadline(case_view: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((d for d in case_view["deadlines"] if d["name"] == name), None)


def filed(cases: Cases) -> dict[str, Any]:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    return case


def seized(cases: Cases, case: dict[str, Any], **changes: Any) -> dict[str, Any]:
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移，需扣押")
    return cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE | changes)


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


# --- the rules on their own ---


def test_a_seizure_lasts_30_calendar_days_not_moved_past_a_rest_day_art_25() -> None:
    # Decided on Thursday 4 June 2026: the 30 days end on Saturday 4 July, and the agency does not gain the weekend.
    assert seizure_last_day(cst(2026, 6, 4)) == date(2026, 7, 4)
    assert seizure_last_day(cst(2026, 6, 4), extended_days=30) == date(2026, 8, 3)


def test_nothing_held_names_each_seizure_still_held_with_its_last_day() -> None:
    taken = SeizureFacts(1, cst(2025, 3, 4), True, False, cst(2025, 3, 4, 11), True, approvals=1)
    returned = replace(taken, number=2, ended_at=cst(2025, 3, 6), endings=1)
    outcome = refused("nothing_held", facts(seizures=(taken, returned)))
    assert "no. 1 (until 2025-04-03)" in outcome.reason_en
    assert "no. 2" not in outcome.reason_en
    assert evaluate("nothing_held", facts(seizures=(returned,))) is None


def test_a_preservation_decided_late_is_refused_and_one_never_decided_lapses_art_56() -> None:
    # Registered on Wednesday 5 March 2025: the 7 working days end on Friday 14 March.
    registered = PreservationFacts(cst(2025, 3, 4), cst(2025, 3, 5), None)
    assert (
        "2025-03-14" in refused("preservation_settled", facts(now=cst(2025, 3, 14), preservation=registered)).reason_en
    )
    on_time = replace(registered, decided_at=cst(2025, 3, 14), decisions=1)
    assert evaluate("preservation_settled", facts(now=cst(2025, 3, 14), preservation=on_time)) is None
    late = replace(registered, decided_at=cst(2025, 3, 17), decisions=1)
    assert "lapsed" in refused("preservation_settled", facts(now=cst(2025, 3, 17), preservation=late)).reason_en
    assert evaluate("preservation_settled", facts(now=cst(2025, 3, 17), preservation=registered)) is None


# --- sealing and seizure (行政强制法) ---


def test_a_seizure_is_approved_taken_extended_once_and_returned(cases: Cases, clock: FixedClock) -> None:
    case = filed(cases)
    # 第十八条第一项: the head approves before the seizure is taken.
    refused_with(
        cases, case, "decide_seizure", "officer1", "seizure_approved", f"{COERCION}第18条",
        officers=cases.with_second(), data=SEIZURE,
    )  # fmt: skip
    taken = seized(cases, case)
    today = local_date(clock.now())
    # 第二十五条: at most 30 days, shown with the case's deadlines.
    due = deadline(taken, "seizure_1")
    assert due is not None, taken["deadlines"]
    assert due["due_on"] == (today + timedelta(days=30)).isoformat()
    assert due["basis"] == f"{COERCION}第25条"

    clock.advance(days=20)
    extended = cases.step(case, "extend_seizure", "head", data={"seizure": 1, "calendar_days": 30, "reason": "需检验"})
    assert deadline(extended, "seizure_1") == due | {"due_on": (today + timedelta(days=60)).isoformat()}
    # 第二十五条: once only.
    second = refused_with(
        cases, case, "extend_seizure", "head", "seizure_extension_lawful", f"{COERCION}第25条",
        data={"seizure": 1, "calendar_days": 10, "reason": "仍需检验"},
    )  # fmt: skip
    assert "extended once" in str(second)
    assert deadline(view(cases, case), "seizure_1") == due | {"due_on": (today + timedelta(days=60)).isoformat()}

    # Nothing is withdrawn while things are held (第二十七条、第二十八条).
    refused_with(cases, case, "withdraw_case", "head", "nothing_held", f"{COERCION}第28条", reason="违法事实不成立")
    released = cases.step(
        case,
        "release_seizure",
        "head",
        data={"seizure": 1, "ground": "no_violation", "returned": "车辆已当场退还当事人"},
    )
    assert deadline(released, "seizure_1") is None
    # A seizure released is no longer held: it is neither released again nor extended.
    refused_with(
        cases, case, "release_seizure", "head", "seizure_held", f"{COERCION}第28条",
        data={"seizure": 1, "ground": "no_violation", "returned": "再次退还"},
    )  # fmt: skip
    assert cases.step(case, "withdraw_case", "head", reason="违法事实不成立")["state"] == "withdrawn"
    assert cases.step(case, "archive_case")["state"] == "archived"

    types = [
        h["type"] for h in cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    ]
    for entry in ("case:seizure:approved", "case:seizure:decided", "case:seizure:extended", "case:seizure:released"):
        assert types.count(entry) == 1, types


def offered(case_view: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    """The steps a case view offers now, and each blocked step's guards."""
    blocked = {b["step"]: [f["guard"] for f in b["failures"]] for b in case_view["blocked_steps"]}
    return case_view["next_steps"], blocked


def test_the_case_view_offers_a_step_about_a_seizure_only_while_something_is_held(cases: Cases) -> None:
    # Which seizure a step is about is the step's data, so its guard is decided when it is taken; but with nothing
    # sealed or seized no data can make releasing, extending or testing lawful, and the view does not offer them.
    case = filed(cases)
    about_a_seizure = ("release_seizure", "extend_seizure", "start_seizure_appraisal")
    steps, blocked = offered(view(cases, case))
    for step in (*about_a_seizure, "end_seizure_appraisal", "reinspect_correction"):
        assert step not in steps, step
    assert blocked["release_seizure"] == ["seizure_held"]
    assert blocked["extend_seizure"] == ["seizure_extension_lawful"]
    assert blocked["end_seizure_appraisal"] == ["seizure_appraisal_running"]
    assert blocked["reinspect_correction"] == ["correction_reinspected_lawfully"]
    nothing = next(b for b in view(cases, case)["blocked_steps"] if b["step"] == "release_seizure")["failures"][0]
    assert nothing["basis"]["citation"] == f"{COERCION}第28条"
    assert "没有查封、扣押" in nothing["reason_zh"]
    # Taken on its data, the step is refused by its own guard as before, and nothing is written.
    refused_with(
        cases, case, "release_seizure", "head", "seizure_held", f"{COERCION}第28条",
        data={"seizure": 1, "ground": "no_violation", "returned": "退还"},
    )  # fmt: skip
    published = cases.client.get("/api/v1/procedures/general").json()
    release = next(t for t in published["steps"] if t["name"] == "release_seizure")
    assert [(g["name"], g["standing"], g["precondition"]) for g in release["guards"]] == [("seizure_held", False, True)]
    steps, blocked = offered(seized(cases, case))
    for step in about_a_seizure:
        assert step in steps, (step, blocked.get(step))
    assert "end_seizure_appraisal" not in steps  # no testing started yet
    released = cases.step(
        case, "release_seizure", "head", data={"seizure": 1, "ground": "no_violation", "returned": "车辆已当场退还"}
    )
    steps, _ = offered(released)
    for step in about_a_seizure:
        assert step not in steps, step


def test_an_extension_beyond_30_days_or_after_the_period_is_refused_art_25(cases: Cases, clock: FixedClock) -> None:
    case = filed(cases)
    seized(cases, case)
    refused_with(
        cases, case, "extend_seizure", "head", "seizure_extension_lawful", f"{COERCION}第25条",
        data={"seizure": 1, "calendar_days": 31, "reason": "情况复杂"},
    )  # fmt: skip
    clock.advance(days=31)
    late = refused_with(
        cases, case, "extend_seizure", "head", "seizure_extension_lawful", f"{COERCION}第25条",
        data={"seizure": 1, "calendar_days": 10, "reason": "情况复杂"},
    )  # fmt: skip
    assert "can no longer be extended" in str(late)
    assert deadline(view(cases, case), "seizure_1")["overdue"] is True  # type: ignore[index]


def test_the_decision_and_list_are_handed_over_on_the_spot_art_24(cases: Cases) -> None:
    case = filed(cases)
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    refused_with(
        cases, case, "decide_seizure", "officer1", "seizure_papers_delivered", f"{COERCION}第24条",
        officers=cases.with_second(), data=SEIZURE | {"delivered_on_the_spot": False},
    )  # fmt: skip
    # 第十八条第二项: two officers take it.
    refused_with(
        cases, case, "decide_seizure", "officer1", "two_qualified_officers", f"{PENALTY_LAW}第42条", data=SEIZURE
    )


def test_an_urgent_seizure_is_approved_within_24_hours_or_released_art_19(cases: Cases, clock: FixedClock) -> None:
    case = filed(cases)
    cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE | {"urgent": True})
    clock.advance(hours=25)
    refused_with(
        cases, case, "approve_seizure", "head", "urgent_seizure_approved_in_time", f"{COERCION}第19条",
        data={"seizure": 1}, reason="补办批准",
    )  # fmt: skip
    # Not approved, it cannot be extended either.
    refused_with(
        cases, case, "extend_seizure", "head", "seizure_extension_lawful", f"{COERCION}第19条",
        data={"seizure": 1, "calendar_days": 10, "reason": "情况复杂"},
    )  # fmt: skip
    cases.step(case, "release_seizure", "head", data={"seizure": 1, "ground": "head_disapproved", "returned": "已退还"})

    # The next one, reported in time, is approved afterwards.
    cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE | {"urgent": True})
    clock.advance(hours=20)
    cases.step(case, "approve_seizure", "head", data={"seizure": 2}, reason="补办批准")
    # An approval is given once.
    refused_with(
        cases, case, "approve_seizure", "head", "urgent_seizure_approved_in_time", f"{COERCION}第19条",
        data={"seizure": 2}, reason="再次批准",
    )  # fmt: skip


def test_a_case_holding_things_is_not_closed_until_they_are_returned(cases: Cases) -> None:
    case = filed(cases)
    seized(cases, case)
    cases.step(
        case, "record_inquiry", officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人否认倾倒垃圾", "subject": "当事人"},
    )  # fmt: skip
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "违法事实不能成立"})
    cases.step(case, "decide_no_penalty", "head", data={"outcome": "no_penalty_not_established"})
    cases.sign_decision(case, cases.signer("head"))
    served = cases.serve_decision(case)
    assert "close_case" in [b["step"] for b in served["blocked_steps"]], served["blocked_steps"]
    refused_with(cases, case, "close_case", "head", "nothing_held", f"{COERCION}第28条")
    cases.step(case, "release_seizure", "head", data={"seizure": 1, "ground": "no_violation", "returned": "已退还"})
    assert cases.step(case, "close_case", "head")["state"] == "closed"


def test_seized_things_are_confiscated_only_by_a_decision_that_confiscates_art_27(
    cases: Cases, clock: FixedClock
) -> None:
    case = filed(cases)
    seized(cases, case)
    cases.step(
        case, "record_inquiry", officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
    )  # fmt: skip
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    decision = {"penalty": fine(30000), "discretion_statement": "一般情节", "evidence": cases.evidence(case)}
    cases.step(case, "decide_penalty", "head", data=decision)
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    refused_with(
        cases, case, "confiscate_seized", "head", "confiscation_decided", f"{COERCION}第27条", data={"seizure": 1}
    )
    cases.step(case, "release_seizure", "head", data={"seizure": 1, "ground": "decided", "returned": "已退还"})


# --- evidence preserved by registration (行政处罚法 第五十六条) ---


def test_preserved_evidence_is_decided_within_the_period_before_the_investigation_closes(
    cases: Cases, clock: FixedClock
) -> None:
    case = filed(cases)
    cases.step(case, "approve_preservation", "head", reason="证据可能灭失")
    registered = cases.step(
        case, "register_preservation", officers=cases.with_second(), data={"items": "编织袋装生活垃圾三袋"}
    )
    assert deadline(registered, "preservation_decision") is not None
    report = {"officers": cases.with_second(), "data": {"report": "事实清楚"}}
    refused_with(
        cases, case, "close_investigation", "officer1", "preservation_settled", f"{PENALTY_LAW}第56条", **report
    )
    clock.advance(days=2)
    decided = cases.step(case, "decide_preservation", "head", data={"measure": "解除先行登记保存，退还当事人"})
    assert deadline(decided, "preservation_decision") is None
    # It is decided once.
    refused_with(
        cases, case, "decide_preservation", "head", "preservation_registered", f"{PENALTY_LAW}第56条",
        data={"measure": "没收"},
    )  # fmt: skip
    assert cases.step(case, "close_investigation", **report)["state"] == "investigation_closed"


def test_a_preservation_not_decided_in_time_lapses_and_is_not_decided_late(cases: Cases, clock: FixedClock) -> None:
    case = filed(cases)
    cases.step(case, "approve_preservation", "head", reason="证据可能灭失")
    cases.step(case, "register_preservation", officers=cases.with_second(), data={"items": "编织袋装生活垃圾三袋"})
    clock.advance(days=14)  # past the 7 working days
    late = refused_with(
        cases, case, "decide_preservation", "head", "preservation_settled", f"{PENALTY_LAW}第56条",
        data={"measure": "没收"},
    )  # fmt: skip
    assert "lapsed" in str(late)
    closed = cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚"})
    assert closed["state"] == "investigation_closed"


# --- an order as the decision (第二十八条; 城乡规划法 第六十五条) ---


def test_item_007_is_decided_with_an_order_its_law_provides(cases: Cases, clock: FixedClock) -> None:
    case = cases.investigated(cases.open(item_code="CQ-TM-007", title="未按乡村建设规划许可证建房"))
    deadline_day = (local_date(clock.now()) + timedelta(days=30)).isoformat()
    order = {"measure": "order_correct_within_time", "requirement": "按许可证载明的层数改正", "deadline": deadline_day}
    # An order the item's law does not provide is refused (第二十八条).
    refused_with(
        cases, case, "decide_order", "head", "order_lawful", f"{PENALTY_LAW}第28条",
        data=order | {"measure": "order_correct"},
    )  # fmt: skip
    refused_with(
        cases, case, "decide_order", "head", "order_lawful", f"{PENALTY_LAW}第28条",
        data=order | {"deadline": local_date(clock.now()).isoformat()},
    )  # fmt: skip
    decided = cases.step(case, "decide_order", "head", data=order)
    assert decided["state"] == "decided"
    assert decided["outcome"] == "order"
    assert "reinspect_correction" in decided["next_steps"]
    # Signed, served, re-inspected and found corrected (第二十八条), the case closes: there is nothing to execute.
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    cases.step(
        case, "reinspect_correction", officers=cases.with_second(),
        data={"corrected": True, "findings": "已按许可证载明的层数改正"},
    )  # fmt: skip
    assert cases.step(case, "close_case", "head")["state"] == "closed"


# --- what may be sealed or seized (行政强制法 第二十三条) ---


def _thing(**changes: Any) -> dict[str, Any]:
    truck: dict[str, Any] = SEIZURE["things"][0]  # type: ignore[index]
    return truck | changes


def test_each_thing_states_how_it_relates_to_the_act_and_is_identified_art_23(cases: Cases) -> None:
    case = filed(cases)
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    before = history_length(cases, case)
    for missing in ("relation_to_act", "identifier", "identified_by", "necessity_of_life", "sealed_by_other_organ"):
        thing = {k: v for k, v in _thing().items() if k != missing}
        body = {"officers": cases.with_second(), "data": SEIZURE | {"things": [thing]}}
        assert missing in str(cases.step(case, "decide_seizure", expect=422, **body)), missing
    blank = {"officers": cases.with_second(), "data": SEIZURE | {"things": [_thing(relation_to_act="  ")]}}
    cases.step(case, "decide_seizure", expect=422, **blank)
    assert history_length(cases, case) == before


def test_a_necessity_of_life_is_never_sealed_or_seized_art_23(cases: Cases) -> None:
    case = filed(cases)
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    bed = _thing(name="当事人及其子女的床铺", identified_by="seal_label", identifier="铁门封字2026-0009",
                 necessity_of_life=True)  # fmt: skip
    refused = refused_with(
        cases, case, "decide_seizure", "officer1", "seizure_limited_to_the_case", f"{COERCION}第23条第1款",
        officers=cases.with_second(), data=SEIZURE | {"things": [_thing(), bed]},
    )  # fmt: skip
    assert "当事人及其子女的床铺" in str(refused)
    # The same decision without it is taken.
    assert cases.step(case, "decide_seizure", officers=cases.with_second(), data=SEIZURE)["state"] == "investigating"


def test_what_another_organ_has_sealed_is_not_sealed_again_art_23_2(cases: Cases) -> None:
    case = filed(cases)
    cases.step(case, "approve_seizure", "head", reason="车辆可能被转移")
    refused_with(
        cases, case, "decide_seizure", "officer1", "not_sealed_twice", f"{COERCION}第23条第2款",
        officers=cases.with_second(), data=SEIZURE | {"things": [_thing(sealed_by_other_organ=True)]},
    )  # fmt: skip


def test_a_thing_held_in_another_case_of_the_agency_is_not_sealed_again_until_released_art_23_2(
    cases: Cases,
) -> None:
    first = filed(cases)
    held = seized(cases, first)
    other = filed(cases)
    cases.step(other, "approve_seizure", "head", reason="车辆可能被转移")
    # The same plate, written another way: one thing (guards.seized_thing_key).
    same_truck = SEIZURE | {"things": [_thing(identifier="渝d 12345")]}
    refused = refused_with(
        cases, other, "decide_seizure", "officer1", "not_sealed_twice", f"{COERCION}第23条第2款",
        officers=cases.with_second(), data=same_truck,
    )  # fmt: skip
    assert f"seizure no. 1 of case {held['number']}" in str(refused), refused
    # Nor twice in one case, nor twice on one list.
    cases.step(first, "approve_seizure", "head", reason="再次扣押")
    refused_with(
        cases, first, "decide_seizure", "officer1", "not_sealed_twice", f"{COERCION}第23条第2款",
        officers=cases.with_second(), data=same_truck,
    )  # fmt: skip
    twice = SEIZURE | {"things": [_thing(identifier="渝A00001"), _thing(identifier="渝A 00001")]}
    refused_with(
        cases, other, "decide_seizure", "officer1", "not_sealed_twice", f"{COERCION}第23条第2款",
        officers=cases.with_second(), data=twice,
    )  # fmt: skip
    # Released and returned, it may be seized in the other case.
    cases.step(first, "release_seizure", "head", data={"seizure": 1, "ground": "unrelated", "returned": "已退还"})
    taken = cases.step(other, "decide_seizure", officers=cases.with_second(), data=same_truck)
    assert deadline(taken, "seizure_1") is not None


# --- testing, inspection, quarantine, technical appraisal (行政强制法 第二十五条第三款) ---

APPRAISAL = {
    "seizure": 1,
    "kind": "testing",
    "institution": "重庆市梁平区环境监测站",
    "calendar_days": 10,
    "written_notice": {"document": "检测期间告知书（铁门强告〔2026〕1号）", "method": "直接送达"},
}


def test_appraisal_days_are_counted_from_the_day_after_and_never_beyond_the_period_stated() -> None:
    started = cst(2026, 6, 10, 9)
    assert appraisal_days(SeizureAppraisal(started, 10)) == 10  # running: the period stated
    assert appraisal_days(SeizureAppraisal(started, 10, cst(2026, 6, 15, 16))) == 5
    assert appraisal_days(SeizureAppraisal(started, 3, cst(2026, 6, 16))) == 3  # ran 6: the party was told 3
    assert appraisal_days(SeizureAppraisal(started, 3, cst(2026, 6, 10, 17))) == 0
    assert seizure_last_day(cst(2026, 6, 4), 0, 5) == date(2026, 7, 9)


def test_the_seizure_period_does_not_include_the_appraisal_and_extension_still_counts_art_25_3(
    cases: Cases, clock: FixedClock, integrate: Callable[..., Any], cli: Callable[..., Any]
) -> None:
    case = filed(cases)
    seized(cases, case)
    today = local_date(clock.now())
    assert deadline(view(cases, case), "seizure_1")["due_on"] == (today + timedelta(days=30)).isoformat()  # type: ignore[index]

    clock.advance(days=5)
    started = cases.step(case, "start_seizure_appraisal", "head", data=APPRAISAL)
    # Running, the seizure's last day is moved by the period stated to the party.
    assert deadline(started, "seizure_1")["due_on"] == (today + timedelta(days=40)).isoformat()  # type: ignore[index]
    # One appraisal at a time.
    refused_with(cases, case, "start_seizure_appraisal", "head", "seizure_appraisal_lawful", f"{COERCION}第25条第3款",
                 data=APPRAISAL)  # fmt: skip

    clock.advance(days=4)
    ended = cases.step(case, "end_seizure_appraisal", data={"seizure": 1, "result": "检测报告：车厢残留物为生活垃圾"})
    # Ended after 4 days: the seizure lasts exactly 4 days more than its 30.
    assert deadline(ended, "seizure_1")["due_on"] == (today + timedelta(days=34)).isoformat()  # type: ignore[index]
    refused_with(cases, case, "end_seizure_appraisal", "officer1", "seizure_appraisal_running",
                 f"{COERCION}第25条第3款", data={"seizure": 1, "result": "再次结束"})  # fmt: skip

    # Day 33: past 30 days from the decision, but not past 30 days of seizure — still extended (第二十五条第一款).
    clock.advance(days=24)
    extended = cases.step(
        case, "extend_seizure", "head", data={"seizure": 1, "calendar_days": 30, "reason": "情况复杂"}
    )
    assert deadline(extended, "seizure_1")["due_on"] == (today + timedelta(days=64)).isoformat()  # type: ignore[index]

    types = [
        h["type"] for h in cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head")).json()
    ]
    assert types.count("case:seizure:appraisal_started") == 1
    assert types.count("case:seizure:appraisal_ended") == 1
    integrate(force_checkpoint=True)
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output


def test_an_appraisal_without_a_stated_period_or_written_notice_is_refused_art_25_3(
    cases: Cases, clock: FixedClock
) -> None:
    case = filed(cases)
    seized(cases, case)
    unstated = {k: v for k, v in APPRAISAL.items() if k != "calendar_days"}
    refused = refused_with(cases, case, "start_seizure_appraisal", "head", "seizure_appraisal_lawful",
                           f"{COERCION}第25条第3款", data=unstated)  # fmt: skip
    assert "no period is stated" in str(refused)
    untold = {k: v for k, v in APPRAISAL.items() if k != "written_notice"}
    refused = refused_with(cases, case, "start_seizure_appraisal", "head", "seizure_appraisal_lawful",
                           f"{COERCION}第25条第3款", data=untold)  # fmt: skip
    assert "no written notice" in str(refused)
    # Nor for a seizure the case does not hold, nor after the seizure's period has ended (第二十八条第一款第四项).
    refused_with(cases, case, "start_seizure_appraisal", "head", "seizure_appraisal_lawful",
                 f"{COERCION}第25条第3款", data=APPRAISAL | {"seizure": 2})  # fmt: skip
    clock.advance(days=31)
    late = refused_with(cases, case, "start_seizure_appraisal", "head", "seizure_appraisal_lawful",
                        f"{COERCION}第25条第3款", data=APPRAISAL)  # fmt: skip
    assert "does not revive it" in str(late)
