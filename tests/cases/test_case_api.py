"""Cases end to end through the API: the lawful procedure is the only path, and every refusal names its article.

Articles are of 行政处罚法 unless another law is named. The suite runs on a fixed clock (tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from service.clock import FixedClock

from .driver import Cases

Auth = Callable[[str], dict[str, str]]


NOTICE = {
    "facts": "2026年6月1日在村道旁倾倒生活垃圾约0.5立方米",
    "reasons": "违反固体废物污染环境防治法第四十九条",
    "basis": "固体废物污染环境防治法第一百一十一条第一款第一项",
    "informs_statement_and_defence": True,
    "informs_hearing_right": False,
}


# 第四十四条、第五十二条: on the spot the party is told the facts, reasons and basis and is heard.
TOLD: dict[str, Any] = {
    "notice": {
        "facts": "在禁烟场所吸烟",
        "reasons": "违反禁烟规定",
        "basis": "《重庆市公共场所控制吸烟条例》第十九条",
        "informs_statement_and_defence": True,
    },
    "defence": "当事人表示不知道是禁烟场所",
}


def fine(fen: int) -> dict[str, Any]:
    return {"kinds": ["fine"], "fine_fen": fen}


def to_party_heard(cases: Cases, clock: FixedClock, fen: int = 30000) -> dict[str, Any]:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
    )
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚，证据确凿"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(fen)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(fen)}}
    )
    clock.advance(days=8)  # the 5 working days for statement and defence are over
    return cases.step(case, "conclude_party_hearing")


def test_a_general_procedure_case_from_registration_to_archive(
    cases: Cases,
    clock: FixedClock,
    client: TestClient,
    auth: Auth,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    case = cases.open()
    assert case["state"] == "registered"
    assert case["number"] is None
    filed = cases.step(case, "approve_filing", "head")
    assert filed["state"] == "investigating"
    assert filed["number"] == "铁门罚〔2026〕1号"
    assert [d["name"] for d in filed["deadlines"]] == ["decision"]
    cases.step(
        case,
        "record_inquiry",
        officers=cases.with_second(),
        data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
    )
    cases.step(
        case,
        "record_inspection",
        officers=cases.with_second(),
        data={"place": "村道旁", "summary": "现场有生活垃圾约0.5立方米"},
    )
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚，证据确凿"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    noticed = cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    assert {d["name"] for d in noticed["deadlines"]} == {"decision", "statement"}
    cases.step(case, "record_statement", data={"summary": "当事人表示愿意改正"})
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    decided = cases.step(
        case,
        "decide_penalty",
        "head",
        data={"evidence": cases.evidence(case), "penalty": fine(30000), "discretion_statement": "一般情节"},
    )
    assert decided["outcome"] == "penalty"
    assert decided["fine_fen"] == 30000
    clock.advance(days=1)
    serving = {"officers": cases.with_second(), "data": {"method": "直接送达"}}
    unsigned = cases.step(case, "serve_decision", expect=409, **serving)
    assert refusal(unsigned) == (
        ["decision_signed", "decision_document_issued"],
        ["《中华人民共和国行政处罚法》第59条", "《中华人民共和国行政处罚法》第61条第1款"],
    )
    cases.sign_decision(case, cases.signer("head"))
    # 第六十一条: what is served is the written decision — signed, it is still to be issued.
    unissued = cases.step(case, "serve_decision", expect=409, **serving)
    assert refusal(unissued) == (["decision_document_issued"], ["《中华人民共和国行政处罚法》第61条第1款"])
    cases.issue(case, "penalty_decision")
    served = cases.step(case, "serve_decision", **serving)
    # 第六十七条: 15 days to pay; 行政强制法 第五十三条: the last day to apply to the court if it stays unpaid.
    assert [d["name"] for d in served["deadlines"]] == ["payment", "court_execution_application"]
    cases.step(case, "record_payment", data={"amount_fen": 30000, "paid_on": "2026-06-12", "receipt": "NO.0001"})
    cases.step(case, "record_execution")
    cases.step(case, "close_case", "head")
    archived = cases.step(case, "archive_case")
    assert archived["state"] == "archived"
    assert archived["next_steps"] == []

    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    assert [h["type"] for h in history][:3] == ["case:case:registered", "case:filing:approved", "case:inquiry:recorded"]
    assert all(h["verifies"] for h in history)
    assert history[1]["actor_name"] == "陈刚"
    # the party's personal data never enters the ledger
    assert "张三" not in str(history)
    assert "500228199001011234" not in str(history)
    integrate(force_checkpoint=True)
    assert cli("verify").exit_code == 0


def test_a_summary_procedure_case_decided_on_the_spot(cases: Cases) -> None:
    """第五十一条: a fine of 50 yuan for smoking in a no-smoking place, decided on the spot."""
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")
    assert case["state"] == "summary_started"
    cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    decided = cases.step(
        case,
        "decide_on_the_spot",
        officers=cases.with_second(),
        data={"penalty": fine(5000), "form_number": "渝梁铁简0000123"} | TOLD,
    )
    assert decided["state"] == "summary_decided"
    assert decided["number"] == "铁门简罚〔2026〕1号"
    cases.step(case, "file_with_agency")
    # 第六十八条第一项: 50 yuan decided on the spot is collected there, against the special receipt (第七十条).
    payment = {"amount_fen": 5000, "paid_on": "2026-06-01", "receipt": "渝财罚没0000123", "collected_on_the_spot": True}
    cases.step(case, "record_payment", data=payment)
    cases.step(case, "record_execution")
    cases.step(case, "close_case", "head")
    assert cases.step(case, "archive_case")["state"] == "archived"


def refusal(response: dict[str, Any]) -> tuple[list[str], list[str]]:
    failures = response.get("failures", [])
    return [f["guard"] for f in failures], [f["basis"]["citation"] for f in failures]


def test_a_decision_before_the_prior_notice_is_refused_naming_article_44(cases: Cases) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "x"})
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": fine(30000)}
    )
    guards, citations = refusal(refused)
    assert "notice_served" in guards
    assert "《中华人民共和国行政处罚法》第44条" in citations
    assert refused["code"] == "transition_refused"


def test_serving_a_decision_the_case_does_not_have_is_refused_not_a_server_error(cases: Cases) -> None:
    # The step's effect serves the decision on file; in a state the procedure does not allow it in, the rules are
    # judged on the file as it is and the refusal names the state rule (a 409, nothing written), never a 500.
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = cases.step(case, "serve_decision", officers=cases.with_second(), data={"method": "直接送达"}, expect=409)
    assert "allowed_from_state" in refusal(refused)[0]
    assert refused["code"] == "transition_refused"
    inquiry = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}
    assert cases.step(case, "record_inquiry", officers=cases.with_second(), data=inquiry)["state"] == "investigating"


def test_a_single_officer_is_refused_naming_article_42(cases: Cases) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = cases.step(case, "record_inquiry", expect=409, data={"place": "x", "summary": "y"})
    assert refusal(refused)[0] == ["two_qualified_officers"]
    assert refused["article"] == "《中华人民共和国行政处罚法》第42条"


def test_an_out_of_scope_certificate_is_refused(cases: Cases) -> None:
    """officer3's certificate covers fire safety and forest fire only; the case is about household waste."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = cases.step(
        case, "record_inquiry", expect=409, officers=[cases.officer("officer3")], data={"place": "x", "summary": "y"}
    )
    assert "two_qualified_officers" in refusal(refused)[0]
    failure = refused["failures"][0]
    # The item's category by the name policies/officers.yaml gives it, beside the slug certificates are scoped by.
    assert "渝TIEMEN00003的执法范围不含事项CQ-TM-003及其类别“固体废物污染防治”（solid_waste）" in failure["reason_zh"]
    assert "nor its category solid_waste (固体废物污染防治)" in failure["reason_en"]


def test_an_expired_certificate_is_refused(cases: Cases, client: TestClient, auth: Auth) -> None:
    officer = client.post(
        "/api/v1/officers", headers=auth("admin"), json={"name": "临时队员", "unit": "brigade"}
    ).json()
    certificate = {
        "number": "渝TEMP1",
        "issuer": "x",
        "issued_on": "2026-01-05",
        "expires_on": "2026-05-31",
        "scope_categories": ["solid_waste"],
    }
    assert (
        client.post(
            f"/api/v1/officers/{officer['id']}/certificates", headers=auth("head"), json=certificate
        ).status_code
        == 201
    )
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = cases.step(
        case, "record_inquiry", expect=409, officers=[officer["id"]], data={"place": "x", "summary": "y"}
    )
    assert "expired" in str(refused)


def test_a_fine_outside_the_discretion_standard_is_refused(cases: Cases, clock: FixedClock) -> None:
    case = to_party_heard(cases, clock, fen=30000)
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": fine(60000)}
    )
    assert "within_discretion" in refusal(refused)[0]


def test_a_fine_above_the_notified_one_is_refused_naming_article_45(cases: Cases, clock: FixedClock) -> None:
    case = to_party_heard(cases, clock, fen=30000)
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": fine(35000)}
    )
    guards, citations = refusal(refused)
    assert "fine_not_above_notified" in guards
    assert "《中华人民共和国行政处罚法》第45条第2款" in citations


def test_a_hearing_requested_after_the_period_is_refused_naming_article_64(cases: Cases, clock: FixedClock) -> None:
    """An organisation notified of a 100,000 yuan fine may ask for a hearing within 5 working days."""
    case = cases.open(party={"party_type": "organisation", "name": "某某保洁有限公司"})
    cases.step(case, "approve_filing", "head")
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "x"})
    penalty = fine(10_000_000)
    cases.step(case, "intend_penalty", "head", data={"penalty": penalty})
    cases.step(
        case,
        "serve_prior_notice",
        officers=cases.with_second(),
        data={"notice": NOTICE | {"penalty": penalty, "informs_hearing_right": True}},
    )
    clock.advance(days=10)
    refused = cases.step(case, "request_hearing", expect=409)
    guards, citations = refusal(refused)
    assert guards == ["hearing_requested_in_time"]
    assert "《中华人民共和国行政处罚法》第64条" in citations


def test_a_summary_fine_above_the_limit_is_refused_naming_the_limit(cases: Cases) -> None:
    """第五十一条: on the spot, at most 200 yuan for a citizen."""
    case = cases.open(procedure="summary", item_code="CQ-TM-013", title="随地吐痰", area_code="tiemen-town-centre")
    refused = cases.step(
        case,
        "decide_on_the_spot",
        expect=409,
        officers=cases.with_second(),
        data={"penalty": fine(25000), "form_number": "渝梁铁简0000124"} | TOLD,
    )
    assert "summary_fine_within_limit" in refusal(refused)[0]
    assert "200" in refused["detail"]


def test_a_recused_officer_can_no_longer_act_naming_article_43(cases: Cases) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(
        case,
        "decide_recusal",
        "head",
        reason="当事人系其近亲属",
        data={"officer_id": cases.officer("officer2"), "recused": True, "requested_by": "party"},
    )
    refused = cases.step(
        case, "record_inquiry", expect=409, officers=cases.with_second(), data={"place": "x", "summary": "y"}
    )
    guards, citations = refusal(refused)
    assert "no_recused_officer" in guards
    assert "《中华人民共和国行政处罚法》第43条" in citations


def test_an_application_for_recusal_stays_open_until_the_head_decides_it_and_the_investigation_goes_on(
    cases: Cases,
) -> None:
    """第四十三条: the party may apply for an officer's recusal (第二款; an officer with an interest withdraws, 第一款).
    The application is recorded with its grounds when it is made and stays open in the case file until the head
    decides it for that officer (第三款); the investigation does not stop meanwhile."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    officer2 = cases.officer("officer2")
    application = {"officer_id": officer2, "applicant": "party", "grounds": "执法人员李娜系当事人的近亲属"}
    cases.step(case, "apply_for_recusal", expect=422, data={"officer_id": officer2, "applicant": "party"})
    cases.step(case, "apply_for_recusal", expect=422, data=application | {"applicant": "neighbour"})
    applied = cases.step(case, "apply_for_recusal", data=application)
    assert applied["state"] == "investigating"  # an application decides nothing
    recorded = applied["file"]["recusal_applications"][officer2]
    assert (recorded["applicant"], recorded["grounds"]) == ("party", "执法人员李娜系当事人的近亲属")
    assert applied["file"]["recused"] == []
    # 决定作出之前，不停止调查: the officer applied against still acts until the head decides.
    cases.step(case, "record_inquiry", officers=cases.with_second(), data={"place": "x", "summary": "y"})
    decided = cases.step(
        case,
        "decide_recusal",
        "head",
        reason="当事人申请回避，经审查，李娜与当事人系近亲属",
        data={"officer_id": officer2, "recused": True, "requested_by": "party"},
    )
    assert decided["file"]["recusal_applications"] == {}
    assert decided["file"]["recused"] == [officer2]
    refused = cases.step(
        case, "record_inquiry", expect=409, officers=cases.with_second(), data={"place": "x", "summary": "y"}
    )
    assert "no_recused_officer" in refusal(refused)[0]
    # The application names an officer of the agency (第四十二条), and is an officer's to record, not the head's.
    cases.step(case, "apply_for_recusal", expect=409, data=application | {"officer_id": str(uuid.uuid4())})
    cases.step(case, "apply_for_recusal", "head", expect=403, data=application)


def test_another_agencys_officer_is_refused(cases: Cases, client: TestClient, auth: Auth) -> None:
    outsider = client.get("/api/v1/officers", headers=auth("other-admin")).json()[0]["id"]
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    refused = cases.step(case, "record_inquiry", expect=409, officers=[outsider], data={"place": "x", "summary": "y"})
    assert refused["article"] == "《中华人民共和国行政处罚法》第42条"


def test_a_user_id_given_for_an_officer_is_refused_naming_the_officers_id(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    """An officer is named by their officer id; a caller who sends the id of the officer's user account (what
    ``GET /api/v1/auth/me`` answers) is told whose account it is and which id to send, and nothing is written."""
    account = client.get("/api/v1/auth/me", headers=auth("officer2")).json()["user_id"]
    officers = client.get("/api/v1/officers", headers=auth("officer1")).json()
    officer = next(o for o in officers if o["user_id"] == account)
    body = {"item_code": "CQ-TM-001", "title": "x", "party": {"party_type": "individual", "name": "x"}}
    refused = client.post("/api/v1/cases", headers=auth("officer1"), json=body | {"officers": [account]})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["guard"] == "officer_of_agency"
    assert problem["article"] == "《中华人民共和国行政处罚法》第42条"
    assert f"{account} 是执法人员{officer['name']}的用户账号" in problem["detail"]
    assert officer["id"] in problem["detail"]
    assert client.get("/api/v1/cases", headers=auth("officer1")).json() == []
    # An id that is nobody's is refused as before.
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    nobody = str(uuid.uuid4())
    refused = cases.step(case, "record_inquiry", expect=409, officers=[nobody], data={"place": "x", "summary": "y"})
    assert refused["detail"] == f"执法人员 {nobody} 不是本机关的执法人员"


def test_an_item_outside_the_catalogue_cannot_be_the_basis_of_a_case(client: TestClient, auth: Auth) -> None:
    body = {"item_code": "CQ-TM-999", "title": "x", "party": {"party_type": "individual", "name": "x"}}
    refused = client.post("/api/v1/cases", headers=auth("officer1"), json=body)
    assert refused.status_code == 409
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第24条"


def test_a_step_needs_its_own_permission(cases: Cases) -> None:
    case = cases.open()
    assert cases.step(case, "approve_filing", "officer1", expect=403)["permission"] == "case:approve"


def test_an_unknown_step_is_a_409(cases: Cases) -> None:
    case = cases.open()
    cases.step(case, "jump_to_decision", "head", expect=409)


def test_nobody_sees_another_agencys_cases_and_officers_see_their_own(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    path = f"/api/v1/cases/{case['id']}"
    assert client.get(path, headers=auth("head")).status_code == 200
    assert client.get(path, headers=auth("supervisor")).status_code == 200
    assert client.get(path, headers=auth("officer2")).status_code == 200  # assigned
    assert client.get(path, headers=auth("officer3")).status_code == 404  # another unit, not assigned
    assert client.get(path, headers=auth("other-officer")).status_code == 404
    assert client.get(path, headers=auth("other-supervisor")).status_code == 404
    assert client.get(path, headers=auth("admin")).status_code == 403  # admins never read case records


def test_cases_are_found_by_party_through_the_blind_index_with_the_value_in_a_body(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    case = cases.open()
    cases.open(party={"party_type": "individual", "name": "李四", "id_number": "500228198502021111"})
    search = "/api/v1/cases/search"
    found = client.post(search, json={"party": "500228199001011234"}, headers=auth("head"))
    assert found.status_code == 200, found.text
    assert [c["id"] for c in found.json()] == [case["id"]]
    by_name = client.post(search, json={"party": "张 三", "state": "registered"}, headers=auth("head")).json()
    assert [c["id"] for c in by_name] == [case["id"]]
    assert client.post(search, json={"party": "王五"}, headers=auth("head")).json() == []
    # Another agency's officer finds nothing, even by the right ID number.
    assert client.post(search, json={"party": "500228199001011234"}, headers=auth("other-officer")).json() == []
    assert client.post(search, json={"party": "张三"}).status_code == 401


def test_a_party_in_a_url_is_refused_and_points_to_the_search(cases: Cases, client: TestClient, auth: Auth) -> None:
    cases.open()
    refused = client.get("/api/v1/cases", params={"party": "500228199001011234"}, headers=auth("head"))
    assert refused.status_code == 422
    assert "POST /api/v1/cases/search" in refused.json()["detail"]
    assert "500228199001011234" not in refused.text


def test_overdue_and_due_soon_cases_are_listed(cases: Cases, clock: FixedClock, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    assert client.get("/api/v1/cases", params={"overdue": True}, headers=auth("head")).json() == []
    clock.advance(days=88)  # the 90-day decision deadline (第六十条) is close
    soon = client.get("/api/v1/cases", params={"due_soon": True}, headers=auth("head")).json()
    assert [c["id"] for c in soon] == [case["id"]]
    clock.advance(days=5)
    late = client.get("/api/v1/cases", params={"overdue": True}, headers=auth("head")).json()
    assert [c["id"] for c in late] == [case["id"]]
    assert late[0]["deadlines"][0]["basis"] == "《中华人民共和国行政处罚法》第60条"


def test_a_new_catalogue_version_pins_old_cases_to_the_old_one(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    from pathlib import Path

    old_case = cases.open()
    sample = Path(__file__).resolve().parents[2] / "policies" / "catalogue" / "tiemen-sample.yaml"
    # The new version lowers the top of the ordinary level for individuals of CQ-TM-003 (the law allows 100–500).
    text = (
        sample.read_text(encoding="utf-8")
        .replace("individual: {min_fen: 22001, max_fen: 37999}", "individual: {min_fen: 22001, max_fen: 25000}", 1)
        .replace("individual: {min_fen: 38000, max_fen: 50000}", "individual: {min_fen: 25001, max_fen: 50000}", 1)
    )
    loaded = client.post("/api/v1/catalogue", headers=auth("admin"), json={"source": "v2.yaml", "content": text})
    assert loaded.status_code == 201, loaded.text
    new_case = cases.open()
    assert old_case["catalogue_version"] != new_case["catalogue_version"]
    assert new_case["catalogue_version"] == loaded.json()["version"]
    refreshed = client.get(f"/api/v1/cases/{old_case['id']}", headers=auth("head")).json()
    assert refreshed["catalogue_version"] == old_case["catalogue_version"]


def test_cases_are_found_by_state_item_officer_and_date(cases: Cases, client: TestClient, auth: Auth) -> None:
    filed = cases.open()
    cases.step(filed, "approve_filing", "head")
    smoking = cases.open(procedure="summary", item_code="CQ-TM-014", title="吸烟")

    def ids(**params: Any) -> set[str]:
        return {c["id"] for c in client.get("/api/v1/cases", params=params, headers=auth("head")).json()}

    assert ids(state="investigating") == {filed["id"]}
    assert ids(item="CQ-TM-014") == {smoking["id"]}
    assert ids(officer=cases.officer("officer2")) == {filed["id"], smoking["id"]}
    assert ids(officer=cases.officer("officer3")) == set()
    assert ids(registered_from="2026-06-01", registered_to="2026-06-01") == {filed["id"], smoking["id"]}
    assert ids(registered_from="2026-06-02") == set()


def test_next_steps_lists_only_the_steps_the_case_allows_now_and_says_why_the_others_wait(cases: Cases) -> None:
    case = cases.investigated()
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(30000)})
    noticed = cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    assert "record_statement" in noticed["next_steps"]
    # A 300-yuan fine gives no hearing right (第六十三条), and the party's 5 working days run (第四十五条).
    blocked = {b["step"]: b["failures"] for b in noticed["blocked_steps"]}
    assert "request_hearing" not in noticed["next_steps"]
    assert [(f["guard"], f["basis"]["article"]) for f in blocked["request_hearing"]] == [("hearing_right_applies", 63)]
    assert "conclude_party_hearing" not in noticed["next_steps"]
    assert ("statement_period_over_or_waived", 45) in [
        (f["guard"], f["basis"]["article"]) for f in blocked["conclude_party_hearing"]
    ]
    # What the view says is what the step gets.
    cases.step(case, "conclude_party_hearing", expect=409)
