"""What each document states, read back from the PDF of a case built through the API.

Articles are of 行政处罚法 unless another law is named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.documents.amounts import date_in_chinese
from service.policy.calendar import SHANGHAI, local_date
from tests.cases.driver import Cases
from tests.cases.test_case_api import NOTICE, TOLD, fine
from tests.cases.test_execution import pay
from tests.cases.test_reviews import BIG, major_case, review

from .test_issue_and_verify import issue
from .walk import PARTY_NAME, decided_case, text_of

Auth = Callable[[str], dict[str, str]]
pytestmark = pytest.mark.slow


def issued_text(cases: Cases, case: dict[str, Any], kind: str, who: str) -> tuple[dict[str, Any], str]:
    document = issue(cases, case, kind, who)
    pdf = cases.client.post(
        f"/api/v1/cases/{case['id']}/documents/{document['id']}/file", json={"reason": "送达"}, headers=cases.auth(who)
    )
    assert pdf.status_code == 200
    return document, text_of(pdf.content)


def test_the_documents_of_a_decided_case_state_what_the_law_requires(cases: Cases, clock: FixedClock) -> None:
    case = decided_case(cases, clock)

    _, filing = issued_text(cases, case, "filing_approval", "head")
    assert all(s in filing for s in ("立案审批表", PARTY_NAME, "日常检查", "在村道旁倾倒生活垃圾", "执法证号"))

    inquiry_doc, inquiry = issued_text(cases, case, "inquiry_record", "officer1")
    # 第四十二条: two officers with their certificates; the caution against false statements; the party's own words
    assert inquiry.count("执法证号") >= 2
    assert "不得作虚假陈述" in inquiry
    assert "以上笔录我看过，与我说的相符" in inquiry
    assert "问：你是否倾倒了垃圾？答：是的。" in inquiry
    assert inquiry.count("被询问人签名（捺印）") > inquiry_doc["pages"]  # on every page, and at the end

    _, inspection = issued_text(cases, case, "inspection_record", "officer1")
    assert "现场有生活垃圾约0.5立方米" in inspection
    assert inspection.count("执法证号") >= 2

    notice_doc, notice = issued_text(cases, case, "prior_notice", "officer1")
    # 第四十四条: the penalty, the facts, reasons and basis, the right to statement and defence
    assert notice_doc["number"] == "铁门罚告〔2026〕1号"
    assert "罚款300元（叁佰元整）" in notice
    assert "在村道旁倾倒生活垃圾约0.5立方米" in notice
    assert "陈述和申辩" in notice
    assert "要求举行听证" not in notice  # a 300-yuan fine gives no hearing right (第六十三条)

    decision_doc, decision = issued_text(cases, case, "penalty_decision", "head")
    # 第五十九条: party and address; facts and evidence; penalty and basis; manner and period of performance;
    # remedies with the bodies and periods; the agency and the date; and the discretion reasons.
    for required in (
        PARTY_NAME,
        "重庆市梁平区铁门乡某村三组12号",
        "在村道旁倾倒生活垃圾约0.5立方米",
        "视听资料：现场照片三张",
        "罚款300元（叁佰元整）",
        "十五日内",
        "百分之三",
        "六十日内向重庆市梁平区人民政府申请行政复议",
        "六个月内依法向重庆市梁平区人民法院提起行政诉讼",
        "当事人主动清理，一般情节",
        "当事人在法定期限内提出了陈述、申辩",
        "铁门乡",
    ):
        assert required in decision, required
    assert date_in_chinese(local_date(clock.now())) in decision  # the date, as 2026年6月2日
    # 第四十条: the evidence listed is what the decision cites, each with its number on the case's chain.
    assert "询问笔录（当事人本人）" in decision
    assert "现场检查（勘验）笔录" in decision
    assert "号记录）" in decision

    _, statement = issued_text(cases, case, "statement_record", "officer1")
    assert "当事人表示愿意改正" in statement

    _, receipt = issued_text(cases, case, "service_receipt", "officer1")
    # 第六十一条: the documents served, their numbers, the method; the signature left blank
    assert notice_doc["number"] in receipt
    assert decision_doc["number"] in receipt
    assert "受送达人签收" in receipt

    # 市场监督管理行政处罚程序规定 第七十七条: the closure is asked for once the fine is paid and its execution is
    # recorded.
    pay(cases, case, clock, 30000, "渝财缴〔2026〕007号")
    cases.step(case, "record_execution")
    _, closing = issued_text(cases, case, "closing_approval", "head")
    assert "罚款300元（叁佰元整）" in closing
    assert "已缴纳罚款300元（叁佰元整）" in closing  # 执行情况: what was performed

    listed = cases.client.get(f"/api/v1/cases/{case['id']}/documents", headers=cases.auth("officer1")).json()
    dossier_doc, dossier = issued_text(cases, case, "dossier", "officer1")
    assert "卷内目录" in dossier
    assert "备考表" in dossier
    for item in listed:
        assert item["number"] in dossier
    total = 2 + sum(d["pages"] for d in listed) + 1
    assert dossier_doc["pages"] == total
    assert f"共{total}页" in dossier
    assert f"第{total}页共{total}页" in dossier  # the closing note is the last page of the whole dossier


def test_an_on_the_spot_decision_states_article_52s_contents(cases: Cases, clock: FixedClock) -> None:
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟")  # the act a week ago
    cases.circumstances(case)  # 第二十九条至第三十三条: considered on the spot too
    cases.step(
        case,
        "decide_on_the_spot",
        officers=cases.with_second(),
        data={"penalty": fine(5000), "form_number": "渝梁铁简0000123"} | TOLD,
    )
    _, text = issued_text(cases, case, "on_the_spot_decision", "officer1")
    for required in ("当场行政处罚决定书", "张三", "罚款50元（伍拾元整）", "渝梁铁简0000123", "行政复议", "行政诉讼"):
        assert required in text, required
    assert text.count("执法证号") >= 2
    # The conduct is dated by its own day, a week before the decision (第五十二条: its time and place).
    acted_on = date.fromisoformat(case["occurred_on"])
    assert f"{date_in_chinese(acted_on)}，在" in text
    # Told and heard on the spot (第五十二条第一款): no written prior notice with days to state and defend is offered
    # or issued for it.
    listed = cases.client.get(f"/api/v1/cases/{case['id']}/documents/printable", headers=cases.auth("officer1"))
    assert "prior_notice" not in [p["kind"] for p in listed.json()]
    assert "on_the_spot_decision" in [p["kind"] for p in listed.json()]
    refused = issue(cases, case, "prior_notice", "officer1", expect=409)
    assert "当场行政处罚决定书" in refused["detail"]


def test_conduct_seen_and_decided_on_the_spot_is_dated_to_the_minute(cases: Cases, clock: FixedClock) -> None:
    today = local_date(clock.now())
    case = cases.open(procedure="summary", item_code="CQ-TM-014", title="在禁烟场所吸烟", occurred_on=today.isoformat())
    cases.circumstances(case)
    spot = {"penalty": fine(5000), "form_number": "渝梁铁简0000124"} | TOLD
    cases.step(case, "decide_on_the_spot", officers=cases.with_second(), data=spot)
    _, text = issued_text(cases, case, "on_the_spot_decision", "officer1")
    now = clock.now().astimezone(SHANGHAI)
    assert f"{date_in_chinese(today)}{now.hour}时{now.minute:02d}分，在" in text


def test_a_no_penalty_decision_states_its_reason(cases: Cases) -> None:
    case = cases.investigated()
    # 第三十三条第一款: minor, corrected in time, no harm — recorded, so no penalty is the decision the law requires.
    cases.circumstances(case, minor_violation=True, harm="none", corrected_in_time=True)
    cases.step(case, "decide_no_penalty", "head", data={"outcome": "no_penalty_minor"})
    _, text = issued_text(cases, case, "no_penalty_decision", "head")
    assert "不予行政处罚决定书" in text
    assert "第三十三条第一款" in text
    assert "行政复议" in text


def test_a_document_the_case_does_not_establish_yet_is_refused(cases: Cases) -> None:
    case = cases.open()
    refused = issue(cases, case, "prior_notice", "officer1", expect=409)
    assert "事先告知" in refused["detail"]
    assert (
        cases.client.get(
            f"/api/v1/cases/{case['id']}/documents/penalty_decision/draft", headers=cases.auth("officer1")
        ).status_code
        == 409
    )


def test_who_issues_a_document_depends_on_its_kind(cases: Cases, clock: FixedClock) -> None:
    case = decided_case(cases, clock)
    refused = issue(cases, case, "penalty_decision", "officer1", expect=403)
    assert refused["permission"] == "case:decide"
    assert issue(cases, case, "prior_notice", "reviewer", expect=403)["permission"] == "case:act"
    issue(cases, case, "prior_notice", "officer1")


def test_a_draft_records_nothing_and_shows_the_party_as_readers_see_them(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided_case(cases, clock, served=False)  # decided and signed: its decision not issued yet
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    draft = client.get(f"/api/v1/cases/{case['id']}/documents/penalty_decision/draft", headers=auth("officer1"))
    assert draft.status_code == 200
    assert draft.headers["content-type"] == "application/pdf"
    text = text_of(draft.content)
    assert "草稿" in text
    assert PARTY_NAME not in text  # redacted, as every reader of the case sees the party
    assert client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json() == history
    assert client.get(f"/api/v1/cases/{case['id']}/documents", headers=auth("officer1")).json() == []


def test_the_public_page_answers_without_a_token_and_shows_no_party_data(
    cases: Cases, clock: FixedClock, client: TestClient
) -> None:
    case = decided_case(cases, clock)
    issued = issue(cases, case, "penalty_decision", "head")
    for accept in ("application/json", "text/html"):
        page = client.get(f"/api/v1/public/agencies/tiemen/documents/{issued['id']}", headers={"Accept": accept})
        assert page.status_code == 200
        assert accept in page.headers["content-type"]
        for personal in (PARTY_NAME, "张", "500228199001011234", "13800000000", "某村三组"):
            assert personal not in page.text
        assert issued["sha256"] in page.text
        assert "扫描件" in page.text  # a scan or re-typed copy is not the issued document
    answer = client.get(f"/api/v1/public/agencies/tiemen/documents/{issued['id'].lower()}").json()
    assert answer["title"] == "行政处罚决定书"
    assert answer["proof"]["index"] >= 0


def test_the_review_opinion_the_discussion_record_and_the_hearing_notice(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = major_case(cases, clock)
    client.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    review(cases, case, cases.signer("reviewer"))
    heads = {u: client.get("/api/v1/auth/me", headers=auth(u)).json()["user_id"] for u in ("head", "head2", "head3")}
    cases.step(
        case,
        "record_collective_discussion",
        "head",
        data={
            "held_on": "2026-06-12",
            "attendees": list(heads.values()),
            "chair": heads["head"],
            "opinions": {h: f"同意（{u}）" for u, h in heads.items()},
            "conclusion": "同意按一般情节处罚",
        },
    )
    _, opinion = issued_text(cases, case, "legal_review_opinion", "reviewer")  # 第五十八条
    assert "审核意见：同意" in opinion
    assert "调查终结报告、证据目录" in opinion
    assert "某某保洁有限公司" in opinion
    _, discussion = issued_text(cases, case, "collective_discussion", "head")  # 第五十七条第二款
    assert "2026年6月12日" in discussion
    assert "同意按一般情节处罚" in discussion
    assert all(f"同意（{u}）" in discussion for u in heads)
    assert issue(cases, case, "hearing_notice", "officer1", expect=409)["detail"].endswith("尚未安排听证")
    # Issuing is clerical: the signed review is not made stale by it, and the head decides on it.
    base = f"/api/v1/cases/{case['id']}/signoffs/collective_discussion"
    cases.sign("head", cases.signer("head"), f"{base}/statement", f"{base}/signature")
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )


def test_a_hearing_notice_states_when_where_and_who_chairs(cases: Cases, clock: FixedClock) -> None:
    case = cases.investigated(cases.open(party={"party_type": "organisation", "name": "某某保洁有限公司"}))
    cases.step(case, "intend_penalty", "head", data={"penalty": BIG})
    cases.step(
        case,
        "serve_prior_notice",
        officers=cases.with_second(),
        data={"notice": NOTICE | {"penalty": BIG, "informs_hearing_right": True}},
    )
    _, notice = issued_text(cases, case, "prior_notice", "officer1")
    assert "要求举行听证" in notice  # 第六十三条、第六十四条
    assert "壹拾万元整" in notice
    cases.step(case, "request_hearing")
    cases.step(
        case,
        "schedule_hearing",
        "head",
        data={
            "scheduled_for": "2026-06-20T09:30:00+08:00",
            "chair_officer_id": cases.officer("officer3"),
            "place": "铁门乡政府三楼会议室",
        },
    )
    _, text = issued_text(cases, case, "hearing_notice", "officer1")
    for required in ("听证通知书", "某某保洁有限公司", "2026年6月20日9时30分", "铁门乡政府三楼会议室", "申请回避"):
        assert required in text, required
    assert issue(cases, case, "hearing_record", "officer1", expect=409)["detail"].endswith("尚未举行听证")
    clock.advance(days=20)
    cases.step(case, "hold_hearing", officers=cases.with_second(), data={"record": "当事人称已整改，请求从轻处罚。"})
    _, record = issued_text(cases, case, "hearing_record", "officer1")  # 第六十四条第八项
    assert "当事人称已整改，请求从轻处罚。" in record
    assert "以上笔录我看过，与我说的相符" in record
    assert "铁门乡政府三楼会议室" in record


def test_a_preservation_notice_lists_what_was_preserved_article_56(cases: Cases) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "approve_preservation", "head", reason="证据可能灭失")
    cases.step(
        case, "register_preservation", officers=cases.with_second(), data={"items": "编织袋装生活垃圾三袋，现场封存"}
    )
    _, text = issued_text(cases, case, "preservation_notice", "officer1")
    for required in ("先行登记保存证据通知书", "编织袋装生活垃圾三袋，现场封存", "第五十六条", "七日内", "张三"):
        assert required in text, required


def test_an_order_to_correct_names_the_items_measure_article_28(cases: Cases) -> None:
    case = cases.open(item_code="CQ-TM-001", title="拒绝入户安全检查")
    assert issue(cases, case, "order_to_correct", "officer1", expect=409)["detail"].endswith("案件尚未立案")
    cases.step(case, "approve_filing", "head")
    _, text = issued_text(cases, case, "order_to_correct", "officer1")
    for required in (
        "责令改正通知书",
        "责令限期改正",
        "第二十八条第一款",
        "《重庆市天然气管理条例》第三十三条第三款",
        "张三",
    ):
        assert required in text, required


def test_an_order_to_correct_prints_the_order_the_case_recorded_article_28(cases: Cases, clock: FixedClock) -> None:
    case = cases.open(item_code="CQ-TM-001", title="拒绝入户安全检查")
    cases.step(case, "approve_filing", "head")
    deadline = local_date(clock.now()) + timedelta(days=10)
    order = {
        "measure": "order_correct_within_time",
        "requirement": "配合入户安全检查。",
        "deadline": deadline.isoformat(),
    }
    cases.step(case, "order_correction", officers=cases.with_second(), data=order)
    _, text = issued_text(cases, case, "order_to_correct", "officer1")
    compact = "".join(text.split())
    assert "本机关责令你（单位）：配合入户安全检查" in compact
    assert f"请于{date_in_chinese(deadline)}前改正" in compact


def test_a_reminder_states_the_unpaid_fine_and_the_right_to_be_heard(cases: Cases, clock: FixedClock) -> None:
    case = decided_case(cases, clock)
    decision = issue(cases, case, "penalty_decision", "head")
    # 行政强制法 第三十五条: the reminder prints the written reminder the case records, once the party is in default.
    refused = issue(cases, case, "payment_reminder", "officer1", expect=409)
    assert "催告" in refused["detail"]
    clock.advance(days=20)
    cases.step(case, "serve_reminder", officers=cases.with_second(), data={"method": "直接送达"})
    _, text = issued_text(cases, case, "payment_reminder", "officer1")
    for required in ("催告书", decision["number"], "300元（叁佰元整）", "十日内", "陈述和申辩", "强制执行"):
        assert required in text, required
    cases.step(case, "record_payment", data={"amount_fen": 30000, "paid_on": "2026-06-12", "receipt": "渝非税0012345"})
    assert issue(cases, case, "payment_reminder", "officer1", expect=409)["code"] == "conflict"
