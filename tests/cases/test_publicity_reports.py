"""Publicity of decisions (国办发〔2018〕118号 item 6; 行政处罚法 第四十八条), yearly statistics built from the ledger,
and the case-file review — all read-only but for publishing and withdrawing, which are entries."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.publicity.models import Publication
from service.runtime import Runtime

from .driver import Cases
from .test_case_api import NOTICE, TOLD, fine

Auth = Callable[[str], dict[str, str]]
PARTY = {
    "party_type": "individual",
    "name": "张三丰",
    "id_number": "500228199001011234",
    "phone": "13800000000",
    "address": "重庆市梁平区铁门乡长岭村三组12号",
}


def decided(
    cases: Cases, clock: FixedClock, fen: int = 30000, evidence: bool = True, facts: str | None = None
) -> dict[str, Any]:
    notice = NOTICE | ({"facts": facts} if facts else {})
    case = cases.open(party=PARTY)
    cases.step(case, "approve_filing", "head")
    cases.step(case, "record_inquiry", officers=cases.with_second(), data={"place": "x", "summary": "y"})
    if evidence:
        photo = cases.client.post(
            f"/api/v1/cases/{case['id']}/evidence",
            content=b"photo",
            params={"kind": "audio_visual", "description": "现场照片", "officers": [cases.officer("officer2")]},
            headers=cases.auth("officer1"),
        )
        assert photo.status_code == 201
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "r"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": fine(fen)})
    cases.step(
        case, "serve_prior_notice", officers=cases.with_second(), data={"notice": notice | {"penalty": fine(fen)}}
    )
    clock.advance(days=8)
    cases.step(case, "conclude_party_hearing")
    return cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": fine(fen)})


def closed(cases: Cases, clock: FixedClock, fen: int = 30000) -> dict[str, Any]:
    case = decided(cases, clock, fen)
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    cases.step(case, "record_payment", data={"amount_fen": fen, "paid_on": "2026-06-12", "receipt": "NO.0001"})
    cases.step(case, "record_execution")
    return cases.step(case, "close_case", "head")


def test_a_decision_is_published_with_the_party_redacted_by_rule(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided(cases, clock)
    assert client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("officer1")).status_code == 403
    published = client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("head"))
    assert published.status_code == 201, published.text
    public = client.get("/api/v1/public/agencies/tiemen/decisions").json()
    assert len(public) == 1
    content = public[0]["content"]
    assert content["party"] == {"party_type": "individual", "name": "张某某", "address": "重庆市梁平区铁门乡长岭村"}
    assert "500228199001011234" not in str(public)
    assert "13800000000" not in str(public)
    assert content["case_number"] == "铁门罚〔2026〕1号"
    assert content["penalty"] == {"kinds": ["fine"], "fine_fen": 30000, "confiscated_value_fen": 0}
    assert content["legal_basis"] == [
        "《中华人民共和国固体废物污染环境防治法》第111条第1款第1项",
        "《中华人民共和国固体废物污染环境防治法》第111条第2款",
    ]
    feed = client.get("/api/v1/public/agencies/tiemen/decisions.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert len(ET.fromstring(feed.text).findall("{http://www.w3.org/2005/Atom}entry")) == 1


FACTS_WITH_PERSONAL_DATA = (
    "2026年6月1日，当事人张三丰（身份证号码500228 19900101 1234，手机138-0000-0000）在村道旁倾倒生活垃圾约0.5立方米，"
    "村民举报电话023-12345678。张 三 丰当场承认，三丰称不知此处禁止倾倒。"
)


def test_ids_phones_and_the_partys_name_in_the_facts_are_not_published(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = decided(cases, clock, facts=FACTS_WITH_PERSONAL_DATA)
    assert client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("head")).status_code == 201
    facts = client.get("/api/v1/public/agencies/tiemen/decisions").json()[0]["content"]["facts"]
    assert facts == (
        "2026年6月1日，当事人张某某（身份证号码[身份证号码已隐去]，手机[电话号码已隐去]）在村道旁倾倒生活垃圾约0.5立方米，"
        "村民举报电话[电话号码已隐去]。张某某当场承认，某某称不知此处禁止倾倒。"
    )
    feed = client.get("/api/v1/public/agencies/tiemen/decisions.atom").text
    for clear in ("张三丰", "三丰", "500228", "1234，", "138-0000-0000", "023-12345678"):
        assert clear not in feed
    # What the ledger fixed at publication is redacted too: the entry is public record for ever.
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("supervisor")).json()
    published = next(h for h in history if h["type"] == "case:decision:published")
    assert published["body"]["content"]["facts"] == facts


def test_a_publication_recorded_before_the_redaction_rules_is_redacted_when_read(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = decided(cases, clock)
    assert client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("head")).status_code == 201
    with runtime.database.transaction() as session:  # as an older release stored it: the facts in clear
        publication = session.get(Publication, uuid.UUID(case["id"]))
        assert publication is not None
        publication.content = publication.content | {"facts": FACTS_WITH_PERSONAL_DATA}
    public = client.get("/api/v1/public/agencies/tiemen/decisions").text
    feed = client.get("/api/v1/public/agencies/tiemen/decisions.atom").text
    for clear in ("张三丰", "500228", "138-0000-0000", "023-12345678"):
        assert clear not in public
        assert clear not in feed


def test_an_organisation_is_shown_by_name(cases: Cases, clock: FixedClock, client: TestClient, auth: Auth) -> None:
    case = cases.open(party={"party_type": "organisation", "name": "某某保洁有限公司", "address": "铁门乡场镇1号"})
    cases.step(case, "approve_filing", "head")
    assert client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("head")).status_code == 409  # undecided


def test_a_revoked_decision_is_withdrawn_and_the_withdrawal_stays_visible(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided(cases, clock)
    client.post(f"/api/v1/cases/{case['id']}/publication", headers=auth("head"))
    cases.step(case, "revoke_decision", "head", reason="复议决定撤销")
    clock.advance(days=7)
    overdue = client.get("/api/v1/publicity/overdue", headers=auth("head")).json()
    assert [(o["case_id"], o["what"]) for o in overdue] == [(case["id"], "withdraw")]
    assert overdue[0]["basis"] == "《中华人民共和国行政处罚法》第48条第2款"
    withdrawn = client.post(
        f"/api/v1/cases/{case['id']}/publication/withdraw", headers=auth("head"), json={"reason": "处罚决定已被撤销"}
    )
    assert withdrawn.status_code == 200
    public = client.get("/api/v1/public/agencies/tiemen/decisions").json()
    assert public[0]["withdrawal_reason"] == "处罚决定已被撤销"
    assert "（已撤回）" in client.get("/api/v1/public/agencies/tiemen/decisions.atom").text
    assert client.get("/api/v1/publicity/overdue", headers=auth("head")).json() == []


def test_an_unpublished_decision_is_overdue_after_7_working_days(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided(cases, clock)
    clock.advance(days=3)
    assert client.get("/api/v1/publicity/overdue", headers=auth("head")).json() == []
    clock.advance(days=10)
    overdue = client.get("/api/v1/publicity/overdue", headers=auth("head")).json()
    assert [(o["case_id"], o["what"]) for o in overdue] == [(case["id"], "publish")]


def entry_count(client: TestClient, auth: Auth) -> int:
    return len(
        client.get("/api/v1/agencies/tiemen/ledger/entries?limit=1000", headers=auth("supervisor")).json()["items"]
    )


def test_a_years_statistics_agree_with_the_cases_built(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, integrate: Callable[..., Any]
) -> None:
    closed(cases, clock, fen=30000)
    summary = cases.open(procedure="summary", item_code="CQ-TM-014", title="吸烟", party=PARTY)
    cases.circumstances(summary)  # 第二十九条至第三十三条: considered on the spot too
    cases.step(
        summary,
        "decide_on_the_spot",
        officers=cases.with_second(),
        data={"penalty": fine(5000), "form_number": "渝梁铁简0000200"} | TOLD,
    )
    cases.step(summary, "file_with_agency")
    collected = {
        "amount_fen": 5000,
        "paid_on": "2026-06-10",
        "receipt": "渝财罚没0000200",
        "collected_on_the_spot": True,
    }
    cases.step(summary, "record_payment", data=collected)
    minor = cases.open()
    cases.step(minor, "approve_filing", "head")
    cases.step(minor, "close_investigation", officers=cases.with_second(), data={"report": "情节轻微"})
    cases.circumstances(minor, minor_violation=True, harm="none", corrected_in_time=True)
    cases.step(minor, "decide_no_penalty", "head", data={"outcome": "no_penalty_minor"})
    cases.open()  # registered only

    integrate()
    before = entry_count(client, auth)
    figures = client.get("/api/v1/reports/yearly?year=2026", headers=auth("head")).json()
    assert figures["cases_registered"] == 4
    assert figures["cases_by_item"] == {"CQ-TM-003": 3, "CQ-TM-014": 1}
    assert figures["cases_by_procedure"] == {"general": 3, "summary": 1}
    assert figures["decisions_by_outcome"] == {"no_penalty_minor": 1, "penalty": 2}
    assert figures["fines_decided_fen"] == 35000
    assert figures["fines_collected_fen"] == 35000
    assert figures["hearings_held"] == 0
    assert figures["legal_reviews"] == 0
    assert figures["collective_discussions"] == 0
    assert figures["certified_officers"] == 5
    assert figures["reviewers"] == 1
    assert figures["reviewer_share_percent"] == 20.0
    assert figures["consistent_with_tables"] is True
    assert figures["overdue_cases"] == 0
    last_year = client.get("/api/v1/reports/yearly?year=2025", headers=auth("head")).json()
    assert last_year["cases_registered"] == 0

    csv_text = client.get("/api/v1/reports/yearly?year=2026&format=csv", headers=auth("head")).text
    assert "fines_decided_fen,,35000" in csv_text
    page = client.get("/api/v1/reports/yearly.html?year=2026", headers=auth("head"))
    assert "size: A4" in page.text
    assert "2026年度行政执法数据统计" in page.text
    integrate()
    assert entry_count(client, auth) == before, "reports only read"


def test_a_case_built_through_the_api_has_no_automatic_fail_in_the_file_review(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = closed(cases, clock)
    reviews = client.get("/api/v1/reports/file-review", headers=auth("head")).json()
    mine = [r for r in reviews if r["case_id"] == case["id"]]
    assert mine == [
        {
            "case_id": case["id"],
            "case_number": case["number"],
            "score": 100,
            "passed": True,
            "automatic_fails": [],
            "missing_documents": [],
            "grade": "excellent",
            "grade_zh": "优秀",
            "round": 1,
            "final": False,  # no reviewer has scored it yet (广东省行政执法案卷评查办法 第十条)
            "reviewers": [],
        }
    ]


def test_a_file_without_evidence_loses_points(cases: Cases, clock: FixedClock, client: TestClient, auth: Auth) -> None:
    case = decided(cases, clock, evidence=False)
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    cases.step(case, "record_payment", data={"amount_fen": 30000, "paid_on": "2026-06-12", "receipt": "NO.0002"})
    cases.step(case, "record_execution")
    cases.step(case, "close_case", "head")
    review = next(
        r for r in client.get("/api/v1/reports/file-review", headers=auth("head")).json() if r["case_id"] == case["id"]
    )
    assert review["missing_documents"] == ["证据材料"]
    assert review["score"] == 90


@pytest.mark.parametrize(
    "path", ["/api/v1/reports/yearly?year=2026", "/api/v1/reports/file-review", "/api/v1/publicity/overdue"]
)
def test_reports_need_the_report_permission(client: TestClient, auth: Auth, path: str) -> None:
    assert client.get(path, headers=auth("officer1")).status_code == 403
