"""A discretion standard set by the district for a delegated item (CQ-TM-004 in the sample: 重庆市梁平区生态环境局) is
departed from only with the district's approval (重庆市规范行政处罚裁量权办法 第十九条第二款): its document uploaded to
the case as evidence is, and the approval recorded — who approved, when, its reference number — with the
document's SHA-256 on the entry. The township's principal head or collective discussion does not replace it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from service.clock import FixedClock
from service.ledger.models import LedgerEntry
from service.runtime import Runtime
from tests.documents.test_document_contents import issued_text

from .driver import Cases
from .test_case_api import fine, refusal, to_party_heard
from .test_legal_audit import on_the_spot

DISTRICT = "重庆市梁平区生态环境局"
BURNING_NOTICE = {
    "facts": "2026年6月1日在农田露天焚烧秸秆",
    "reasons": "违反大气污染防治法第七十七条",
    "basis": "大气污染防治法第一百一十九条第一款",
    "informs_statement_and_defence": True,
    "informs_hearing_right": False,
}
BELOW = fine(30_000)  # 300 yuan: below the 500 yuan the law and every level of the district's standard start at
APPROVAL_PDF = "%PDF-1.4\n% 梁环函〔2026〕31号 同意调整适用\n".encode()
SECOND_PARAGRAPH = "《重庆市规范行政处罚裁量权办法》第19条第2款"


def heard_on_open_burning(cases: Cases, clock: FixedClock, penalty: dict[str, Any]) -> dict[str, Any]:
    case = cases.investigated(cases.open(item_code="CQ-TM-004", title="露天焚烧秸秆"))
    cases.step(case, "intend_penalty", "head", data={"penalty": penalty})
    notice = BURNING_NOTICE | {"penalty": penalty}
    cases.step(case, "serve_prior_notice", officers=cases.with_second(), data={"notice": notice})
    clock.advance(days=8)  # the 5 working days for statement and defence are over
    return cases.step(case, "conclude_party_hearing")


def upload_approval(cases: Cases, case: dict[str, Any], kind: str = "documentary") -> dict[str, Any]:
    response = cases.client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        params={
            "kind": kind,
            "description": "梁平区生态环境局关于同意调整适用行政处罚裁量基准的批复",
            "filename": "批复.pdf",
            "officers": [cases.officer("officer2")],
        },
        content=APPROVAL_PDF,
        headers=cases.auth("officer1") | {"Content-Type": "application/pdf"},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def approval(evidence_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "evidence_id": evidence_id,
        "approving_body": DISTRICT,
        "approver": "李局长",
        "approved_on": "2026-06-10",
        "reference_number": "梁环函〔2026〕31号",
    } | changes


def decide(cases: Cases, case: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    data = {"evidence": cases.evidence(case), "penalty": BELOW}
    return cases.step(case, "decide_penalty", "head", expect=expect, data=data)


def test_a_departure_from_the_districts_standard_is_decided_with_its_uploaded_approval(
    cases: Cases, clock: FixedClock, runtime: Runtime, cli: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    case = heard_on_open_burning(cases, clock, BELOW)
    guards, citations = refusal(decide(cases, case, expect=409))
    assert guards == ["departure_approved_by_standard_setter"]
    assert citations == [SECOND_PARAGRAPH]

    # The township's principal head may not approve a departure from the district's standard in its place.
    cases.step(case, "approve_discretion_departure", "head", reason="首次违法，及时熄灭")
    assert refusal(decide(cases, case, expect=409))[0] == ["departure_approved_by_standard_setter"]

    uploaded = upload_approval(cases, case)
    assert uploaded["sha256"] == hashlib.sha256(APPROVAL_PDF).hexdigest()
    # An approval by another body than the one that set the standard is not its approval.
    by_township = approval(uploaded["id"], approving_body="梁平区铁门乡人民政府")
    wrong = cases.step(case, "record_standard_setter_approval", expect=409, data=by_township)
    assert refusal(wrong) == (["standard_set_above"], [SECOND_PARAGRAPH])

    # The body as typed with a stray space and full-width characters is still the body the catalogue names.
    typed = approval(uploaded["id"], approving_body=" 重庆市梁平区 生态环境局　")
    recorded = cases.step(case, "record_standard_setter_approval", data=typed)
    assert recorded["state"] == "party_heard"
    assert decide(cases, case)["state"] == "decided"

    with runtime.database.transaction(write=False) as session:
        rows = session.scalars(
            sa.select(LedgerEntry.canonical).where(LedgerEntry.type == "case:discretion_departure:attested")
        ).all()
    entries = [json.loads(c)["body"] for c in rows]
    assert [e["case_id"] for e in entries] == [case["id"]]
    data = entries[0]["data"]
    assert data["document"] == {
        "evidence_id": uploaded["id"],
        "sha256": hashlib.sha256(APPROVAL_PDF).hexdigest(),
        "size": len(APPROVAL_PDF),
        "filename": "批复.pdf",
    }
    assert (data["approving_body"], data["approver"], data["reference_number"], data["approved_on"]) == (
        typed["approving_body"].strip(),  # text is stored trimmed
        "李局长",
        "梁环函〔2026〕31号",
        "2026-06-10",
    )
    # 第二十条: the decision document states how the standard was applied, and with whose approval.
    _, decision = issued_text(cases, case, "penalty_decision", "head")
    assert f"调整适用{DISTRICT}制定的行政处罚裁量基准，已报经该基准制定机关批准（梁环函〔2026〕31号" in decision
    # Replayed through the workflow as it stood, the case's chain verifies, the approval's entry with it.
    integrate(force_checkpoint=True)
    verified = cli("verify", "--agency", "tiemen")
    assert verified.exit_code == 0, verified.output


def test_a_fine_within_the_districts_standard_needs_no_approval(cases: Cases, clock: FixedClock) -> None:
    within = fine(60_000)  # 600 yuan: the 从轻 level of the district's standard
    case = heard_on_open_burning(cases, clock, within)
    data = {"evidence": cases.evidence(case), "penalty": within}
    assert cases.step(case, "decide_penalty", "head", data=data)["state"] == "decided"


def test_the_approval_names_a_document_uploaded_to_this_case_as_documentary_evidence(
    cases: Cases, clock: FixedClock
) -> None:
    case = heard_on_open_burning(cases, clock, BELOW)
    missing = approval("00000000-0000-4000-8000-000000000000")
    cases.step(case, "record_standard_setter_approval", expect=404, data=missing)
    photo = upload_approval(cases, case, kind="audio_visual")
    cases.step(case, "record_standard_setter_approval", expect=422, data=approval(photo["id"]))
    elsewhere = heard_on_open_burning(cases, clock, BELOW)
    theirs = upload_approval(cases, elsewhere)
    cases.step(case, "record_standard_setter_approval", expect=404, data=approval(theirs["id"]))
    decide(cases, case, expect=409)


def test_a_standard_of_the_agencys_own_is_departed_from_with_its_principal_head_not_an_attestation(
    cases: Cases, clock: FixedClock
) -> None:
    case = to_party_heard(cases, clock)  # CQ-TM-003: no discretion_set_by in the catalogue
    uploaded = upload_approval(cases, case)
    refused = cases.step(case, "record_standard_setter_approval", expect=409, data=approval(uploaded["id"]))
    assert refusal(refused) == (["standard_set_above"], ["《重庆市规范行政处罚裁量权办法》第19条第1款"])


def test_on_the_spot_no_fine_departs_from_the_districts_standard(cases: Cases) -> None:
    """The summary procedure has no step to record the district's approval: a departing fine is not decided there."""
    refused = on_the_spot(cases, "CQ-TM-004", fine(10_000), "渝梁铁简0000901", expect=409)
    assert "departure_approved_by_standard_setter" in refusal(refused)[0]
