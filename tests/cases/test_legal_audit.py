"""The rest of the legal audit's probes (issue 18), each as the probe found it, now refused with its article and
writing nothing; and the lawful way next to it, which goes through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.clock import FixedClock
from service.policy.calendar import local_date

from .driver import Cases
from .test_case_api import NOTICE, TOLD, fine, refusal, to_party_heard

URBAN = "tiemen-town-centre"


def state_of(cases: Cases, case: dict[str, Any]) -> str:
    return str(cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()["state"])


def history_length(cases: Cases, case: dict[str, Any]) -> int:
    response = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("head"))
    assert response.status_code == 200, response.text
    return len(response.json())


def intended(cases: Cases, item_code: str, penalty: dict[str, Any], **open_with: Any) -> dict[str, Any]:
    """A case on ``item_code`` investigated by two officers, the head intending ``penalty``."""
    case = cases.investigated(cases.open(item_code=item_code, **open_with))
    cases.step(case, "intend_penalty", "head", data={"penalty": penalty})
    return case


def serve_notice(cases: Cases, case: dict[str, Any], penalty: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    return cases.step(
        case,
        "serve_prior_notice",
        expect=expect,
        officers=cases.with_second(),
        data={"notice": NOTICE | {"penalty": penalty}},
    )


# --- the prior notice is checked for legality as the decision is (第四十四条, 第十八条, 第三十八条) ---


def test_a_notice_of_detention_is_refused_a_township_never_detains_art_18(cases: Cases) -> None:
    detention = {"kinds": ["detention"]}
    case = intended(cases, "CQ-TM-013", fine(10_000), area_code=URBAN)
    before = history_length(cases, case)
    refused = serve_notice(cases, case, detention, expect=409)
    guards, citations = refusal(refused)
    assert "notice_penalty_lawful" in guards
    assert "《中华人民共和国行政处罚法》第18条第3款" in citations
    assert state_of(cases, case) == "penalty_intended"
    assert history_length(cases, case) == before


def test_a_notice_leaving_out_the_mandatory_confiscation_of_item_010_is_refused_art_38(cases: Cases) -> None:
    case = intended(cases, "CQ-TM-010", fine(50_000))
    guards, citations = refusal(serve_notice(cases, case, fine(50_000), expect=409))
    assert "notice_penalty_lawful" in guards
    assert "《中华人民共和国行政处罚法》第38条" in citations
    both = {"kinds": ["confiscate_illegal_property", "fine"], "fine_fen": 50_000, "confiscated_value_fen": 2_000}
    assert serve_notice(cases, case, both)["state"] == "notice_served"


def test_a_warning_alone_for_an_organisation_on_item_002_is_refused_the_law_fines_it_art_38(cases: Cases) -> None:
    company = {
        "party_type": "organisation",
        "name": "某商贸有限公司",
        "id_number": "91500228MA5U000000",
        "phone": "02300000000",
        "address": "铁门乡场镇",
    }
    case = intended(cases, "CQ-TM-002", fine(500_000), party=company)
    guards, _ = refusal(serve_notice(cases, case, {"kinds": ["warning"]}, expect=409))
    assert "notice_penalty_lawful" in guards
    assert state_of(cases, case) == "penalty_intended"


def test_a_notice_above_the_statutory_maximum_is_refused_before_it_reaches_the_party_art_38(cases: Cases) -> None:
    case = intended(cases, "CQ-TM-003", fine(30_000))
    refused = serve_notice(cases, case, fine(60_000), expect=409)
    assert "notice_penalty_lawful" in refusal(refused)[0]


# --- the summary procedure: one form, one decision (第五十二条) ---


def decide_on_the_spot(cases: Cases, form: str, fen: int = 5000, expect: int = 200, **open_with: Any) -> dict[str, Any]:
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟", **open_with)
    cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    cases.step(
        case,
        "decide_on_the_spot",
        expect=expect,
        officers=cases.with_second(),
        data={"penalty": fine(fen), "form_number": form} | TOLD,
    )
    return case


def test_a_summary_form_number_is_used_once_art_52(cases: Cases) -> None:
    decide_on_the_spot(cases, "渝梁铁简0000300")
    again = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")
    cases.circumstances(again)  # 第二十九条至第三十三条: considered on the spot too
    refused = cases.step(
        again,
        "decide_on_the_spot",
        expect=409,
        officers=cases.with_second(),
        data={"penalty": fine(5000), "form_number": "渝梁铁简0000300"} | TOLD,
    )
    guards, citations = refusal(refused)
    assert "form_number_unused" in guards
    assert "《中华人民共和国行政处罚法》第52条" in citations
    assert state_of(cases, again) == "summary_started"


# --- collection (第六十七条至第六十九条) ---


def test_1500_yuan_collected_on_the_spot_is_refused_without_a_ground_art_68(cases: Cases) -> None:
    company = {"party_type": "organisation", "name": "某餐饮店", "id_number": "92500228MA5U000001"}
    case = cases.open(procedure="summary", item_code="CQ-TM-013", title="随意倾倒污水", party=company, area_code=URBAN)
    cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    cases.step(
        case,
        "decide_on_the_spot",
        officers=cases.with_second(),
        data={"penalty": fine(150_000), "form_number": "渝梁铁简0000301"} | TOLD,
    )
    cash = {"amount_fen": 150_000, "paid_on": "2026-06-01", "receipt": "渝财罚没0000301", "collected_on_the_spot": True}
    refused = cases.step(case, "record_payment", expect=409, data=cash)
    guards, citations = refusal(refused)
    assert "on_the_spot_collection_lawful" in guards
    assert "《中华人民共和国行政处罚法》第68条" in citations
    hard = cash | {"on_the_spot_ground": "hard_to_execute_later"}
    assert cases.step(case, "record_payment", data=hard)["state"] == "summary_decided"


def test_the_deciding_officers_do_not_record_a_bank_payment_themselves_art_67(cases: Cases) -> None:
    case = decide_on_the_spot(cases, "渝梁铁简0000302")
    to_bank = {"amount_fen": 5000, "paid_on": "2026-06-01", "receipt": "银行缴款凭证0302"}
    guards, citations = refusal(cases.step(case, "record_payment", expect=409, data=to_bank))
    assert "collection_separate_from_decision" in guards
    assert "《中华人民共和国行政处罚法》第67条第2款" in citations


def test_a_payment_without_its_receipt_is_not_recorded_art_67(cases: Cases) -> None:
    case = decide_on_the_spot(cases, "渝梁铁简0000303")
    response = cases.client.post(
        f"/api/v1/cases/{case['id']}/steps/record_payment",
        headers=cases.auth("officer1"),
        json={"data": {"amount_fen": 5000, "paid_on": "2026-06-01"}},
    )
    assert response.status_code == 422
    assert "receipt" in response.text


# --- the time bar refuses filing (第三十六条) ---


def days_ago(clock: FixedClock, days: int) -> str:
    return (local_date(clock.now()) - timedelta(days=days)).isoformat()


def test_filing_an_act_older_than_two_years_is_refused_with_the_reason_art_36(cases: Cases, clock: FixedClock) -> None:
    old = cases.open(occurred_on=days_ago(clock, 3 * 365))
    assert [w["code"] for w in old["warnings"]] == ["time_bar_passed"]
    refused = cases.step(old, "approve_filing", "head", expect=409)
    guards, citations = refusal(refused)
    assert "not_time_barred" in guards
    assert "《中华人民共和国行政处罚法》第36条" in citations
    assert "2-year" in str(refused["failures"]) or "2年" in refused["detail"]
    assert state_of(cases, old) == "registered"
    assert cases.step(old, "refuse_filing", "head", reason="超过追责时效")["state"] == "not_filed"


def test_a_continuing_act_is_counted_from_its_end_art_36(cases: Cases, clock: FixedClock) -> None:
    continuing = cases.open(occurred_on=days_ago(clock, 3 * 365), continued_until=days_ago(clock, 30))
    assert continuing["warnings"] == []
    assert cases.step(continuing, "approve_filing", "head")["state"] == "investigating"


def test_five_years_where_life_health_or_finance_was_harmed_and_the_item_allows_it_art_36(
    cases: Cases, clock: FixedClock
) -> None:
    # CQ-TM-010 (kindling in a forest fire zone) carries the 5-year bar where harm followed.
    harmed = cases.open(item_code="CQ-TM-010", occurred_on=days_ago(clock, 3 * 365), harms_life_health_or_finance=True)
    assert cases.step(harmed, "approve_filing", "head")["state"] == "investigating"
    # CQ-TM-003 has no such extension: the flag does not lengthen its bar.
    waste = cases.open(occurred_on=days_ago(clock, 3 * 365), harms_life_health_or_finance=True)
    assert "not_time_barred" in refusal(cases.step(waste, "approve_filing", "head", expect=409))[0]


def test_filing_without_the_day_of_the_act_is_refused_art_36(cases: Cases) -> None:
    undated = cases.open(occurred_on=None)
    assert "not_time_barred" in refusal(cases.step(undated, "approve_filing", "head", expect=409))[0]


# --- urban-only items (重庆市市容环境卫生管理条例 第二条) ---


def test_an_urban_only_item_needs_a_designated_urban_area(cases: Cases) -> None:
    nowhere = cases.client.post(
        "/api/v1/cases",
        headers=cases.auth("officer1"),
        json={
            "procedure": "summary",
            "item_code": "CQ-TM-012",
            "title": "未及时清除宠物粪便",
            "party": {"party_type": "individual", "name": "王某"},
            "place": "某村三组田坎",
        },
    )
    assert nowhere.status_code == 409, nowhere.text
    assert nowhere.json()["basis"]["law"] == "重庆市市容环境卫生管理条例"
    assert nowhere.json()["guard"] == "place_in_designated_area"
    settings = cases.client.get("/api/v1/agency/settings", headers=cases.auth("officer1")).json()
    assert [a["code"] for a in settings["designated_areas"]] == [URBAN]
    made_up = cases.client.post(
        "/api/v1/cases",
        headers=cases.auth("officer1"),
        json={
            "procedure": "summary",
            "item_code": "CQ-TM-012",
            "title": "未及时清除宠物粪便",
            "party": {"party_type": "individual", "name": "王某"},
            "area_code": "somewhere-else",
        },
    )
    assert made_up.status_code == 422, made_up.text
    opened = cases.open(procedure="summary", item_code="CQ-TM-012", title="未及时清除宠物粪便", area_code=URBAN)
    assert opened["state"] == "summary_started"


# --- discretion: the principal head OR collective discussion (重庆市规范行政处罚裁量权办法 第十九条) ---


def test_the_officers_ask_the_principal_head_for_a_departure_on_the_record_until_it_is_approved(
    cases: Cases, clock: FixedClock
) -> None:
    """A penalty below the standard needs the principal head's approval (办法 第十九条第一款): the officers ask for it
    on the case's record with their grounds; the request stays open in the file until the head approves."""
    case = to_party_heard(cases, clock)
    cases.step(case, "request_discretion_departure_approval", expect=422, data={"grounds": ""})
    asked = cases.step(
        case, "request_discretion_departure_approval", data={"grounds": "首次违法，主动清理，建议减轻处罚"}
    )
    assert asked["state"] == "party_heard"  # a request decides nothing
    request = asked["file"]["approval_requests"]["approve_discretion_departure"]
    assert request["grounds"] == "首次违法，主动清理，建议减轻处罚"
    approved = cases.step(case, "approve_discretion_departure", "head", reason="首次违法，主动清理，减轻处罚")
    assert "approve_discretion_departure" not in approved["file"]["approval_requests"]
    assert approved["file"]["discretion_departure_approved"] is True
    # The head approves; the officers ask.
    cases.step(case, "request_discretion_departure_approval", "head", expect=403, data={"grounds": "首次违法"})


def test_a_departure_is_approved_by_the_principal_head_not_any_head(cases: Cases, clock: FixedClock) -> None:
    case = to_party_heard(cases, clock)
    below = fine(9_000)  # 90 yuan: below the standard's lowest level for a citizen on CQ-TM-003
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": below}
    )
    assert "within_discretion" in refusal(refused)[0]
    by_deputy = cases.step(case, "approve_discretion_departure", "head2", expect=409, reason="首次违法，主动清理")
    guards, citations = refusal(by_deputy)
    assert "principal_head_approves" in guards
    assert "《重庆市规范行政处罚裁量权办法》第19条" in citations
    cases.step(case, "approve_discretion_departure", "head", reason="首次违法，主动清理，减轻处罚")
    # The principal head's approval suffices: no collective discussion is required as well.
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": below})["state"]
        == "decided"
    )


def test_only_an_admin_designates_an_active_head_as_principal(cases: Cases) -> None:
    me = {
        u: cases.client.get("/api/v1/auth/me", headers=cases.auth(u)).json()["user_id"] for u in ("head2", "officer1")
    }
    not_a_head = cases.client.put(
        "/api/v1/agency/principal-head", headers=cases.auth("admin"), json={"user_id": me["officer1"]}
    )
    assert not_a_head.status_code == 409
    by_a_head = cases.client.put(
        "/api/v1/agency/principal-head", headers=cases.auth("head"), json={"user_id": me["head2"]}
    )
    assert by_a_head.status_code == 403
    moved = cases.client.put(
        "/api/v1/agency/principal-head", headers=cases.auth("admin"), json={"user_id": me["head2"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["principal_head_user_id"] == me["head2"]


# --- the summary procedure is a choice per case, bounded by 第五十一条 ---


def on_the_spot(cases: Cases, item_code: str, penalty: dict[str, Any], form: str, **told: Any) -> dict[str, Any]:
    case = cases.open(procedure="summary", item_code=item_code, title="当场处罚")
    cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    return cases.step(
        case,
        "decide_on_the_spot",
        expect=told.pop("expect", 200),
        officers=cases.with_second(),
        data={"penalty": penalty, "form_number": form} | TOLD | told,
    )


def test_lawful_on_the_spot_warnings_and_small_fines_on_items_002_003_005_art_51(cases: Cases) -> None:
    assert on_the_spot(cases, "CQ-TM-002", {"kinds": ["warning"]}, "渝梁铁简0000400")["state"] == "summary_decided"
    assert on_the_spot(cases, "CQ-TM-003", fine(15_000), "渝梁铁简0000401")["state"] == "summary_decided"
    assert on_the_spot(cases, "CQ-TM-005", {"kinds": ["warning"]}, "渝梁铁简0000402")["state"] == "summary_decided"


def test_on_the_spot_the_party_is_told_and_heard_before_the_decision_art_44_52(cases: Cases) -> None:
    unheard = on_the_spot(cases, "CQ-TM-003", fine(15_000), "渝梁铁简0000403", defence="", expect=409)
    assert "heard_on_the_spot" in refusal(unheard)[0]
    untold = {"facts": "倾倒垃圾", "reasons": "违法", "basis": "第一百一十一条", "informs_statement_and_defence": False}
    refused = on_the_spot(cases, "CQ-TM-003", fine(15_000), "渝梁铁简0000404", notice=untold, expect=409)
    assert "notice_complete" in refusal(refused)[0]
    declined = on_the_spot(cases, "CQ-TM-003", fine(15_000), "渝梁铁简0000405", defence="", defence_waived=True)
    assert declined["state"] == "summary_decided"
    assert declined["file"]["notice"]["method"] == "on_the_spot"


def test_above_the_art_51_limit_the_general_procedure_applies(cases: Cases) -> None:
    above = on_the_spot(cases, "CQ-TM-003", fine(30_000), "渝梁铁简0000406", expect=409)
    assert "summary_fine_within_limit" in refusal(above)[0]


# --- 派驻执法: item 015 is decided and numbered in the name of the department the catalogue names ---


def test_a_seconded_item_is_numbered_in_the_departments_name_and_sequence(cases: Cases) -> None:
    stall = cases.open(item_code="CQ-TM-015", title="食品摊贩未备案")
    assert cases.step(stall, "approve_filing", "head")["number"] == "梁平市监罚〔2026〕1号"
    own = cases.open()
    assert cases.step(own, "approve_filing", "head")["number"] == "铁门罚〔2026〕1号"


# --- orders to correct (第二十八条): order → re-inspection → correction ---


def test_an_order_to_correct_is_reinspected_and_a_refusal_found_only_after_its_deadline_art_28(
    cases: Cases, clock: FixedClock
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    deadline = days_ago(clock, -7)
    unknown = {"measure": "demolish", "requirement": "拆除", "deadline": deadline}
    refused = cases.step(case, "order_correction", expect=409, officers=cases.with_second(), data=unknown)
    guards, citations = refusal(refused)
    assert "measure_in_catalogue" in guards
    assert "《中华人民共和国行政处罚法》第28条" in citations
    order = {"measure": "order_correct", "requirement": "清理倾倒的生活垃圾", "deadline": deadline}
    ordered = cases.step(case, "order_correction", officers=cases.with_second(), data=order)
    assert ordered["file"]["corrections"][0]["deadline"] == deadline
    early = {"corrected": False, "findings": "垃圾尚未清理"}
    too_soon = cases.step(case, "reinspect_correction", expect=409, officers=cases.with_second(), data=early)
    assert "correction_reinspected_lawfully" in refusal(too_soon)[0]
    clock.advance(days=3)
    corrected = {"corrected": True, "findings": "垃圾已清理完毕，现场恢复原状"}
    done = cases.step(case, "reinspect_correction", officers=cases.with_second(), data=corrected)
    assert done["file"]["corrections"][0]["corrected"] is True
    again = cases.step(case, "reinspect_correction", expect=409, officers=cases.with_second(), data=corrected)
    assert "correction_reinspected_lawfully" in refusal(again)[0]
