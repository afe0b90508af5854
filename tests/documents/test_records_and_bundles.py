"""Every inquiry and inspection record of a case is its own document, chosen by the entry it prints, and the
dossier holds them all; an exported bundle's documents are re-checked against the entries that issued them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from service.audit.bundle import manifest_for, sign_manifest, verify_bundle
from service.clock import FixedClock
from service.ledger.errors import VerificationError
from service.ledger.note import Checkpoint, NoteSigner, NoteVerifier
from tests.cases.driver import Cases

from .test_issue_and_verify import issue
from .walk import decided_case, text_of

Auth = Callable[[str], dict[str, str]]
pytestmark = pytest.mark.slow


def positions(cases: Cases, case: dict[str, Any], entry_type: str) -> list[int]:
    history = cases.client.get(f"/api/v1/cases/{case['id']}/history", headers=cases.auth("supervisor")).json()
    return [e["seq"] for e in history if e["type"] == entry_type]


def issue_entry(cases: Cases, case: dict[str, Any], kind: str, entry: int, expect: int = 201) -> dict[str, Any]:
    response = cases.client.post(
        f"/api/v1/cases/{case['id']}/documents/{kind}/issue", params={"entry": entry}, headers=cases.auth("officer1")
    )
    assert response.status_code == expect, response.text
    return response.json()


def read(cases: Cases, case: dict[str, Any], document: dict[str, Any]) -> str:
    pdf = cases.client.post(
        f"/api/v1/cases/{case['id']}/documents/{document['id']}/file",
        json={"reason": "立卷"},
        headers=cases.auth("officer1"),
    )
    assert pdf.status_code == 200
    return text_of(pdf.content)


def test_each_inquiry_and_inspection_record_is_its_own_document_and_the_dossier_holds_them_all(
    cases: Cases, clock: FixedClock
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    for subject, summary in (
        ("当事人本人", "问：垃圾是谁倒的？答：是我。"),
        ("证人李四", "问：你看见了吗？答：看见了。"),
    ):
        cases.step(
            case,
            "record_inquiry",
            officers=cases.with_second(),
            data={"place": "村委会", "summary": summary, "subject": subject},
        )
        clock.advance(hours=2)
    for place, summary in (("村道旁", "现场有生活垃圾约0.5立方米"), ("河堤", "河堤下有垃圾袋两只")):
        cases.step(case, "record_inspection", officers=cases.with_second(), data={"place": place, "summary": summary})
        clock.advance(hours=1)
    inquiries = positions(cases, case, "case:inquiry:recorded")
    inspections = positions(cases, case, "case:inspection:recorded")
    assert len(inquiries) == len(inspections) == 2

    # Which of several records is printed is a choice: without it, the refusal names the entries to choose from.
    ambiguous = issue(cases, case, "inquiry_record", "officer1", expect=409)
    assert ambiguous["entries"] == inquiries
    draft = cases.client.get(
        f"/api/v1/cases/{case['id']}/documents/inquiry_record/draft", headers=cases.auth("officer1")
    )
    assert draft.status_code == 409
    assert issue_entry(cases, case, "inquiry_record", inspections[0], expect=409)["entries"] == inquiries
    assert issue_entry(cases, case, "prior_notice", inquiries[0], expect=409)["code"] == "conflict"

    second_draft = cases.client.get(
        f"/api/v1/cases/{case['id']}/documents/inquiry_record/draft",
        params={"entry": inquiries[1]},
        headers=cases.auth("officer1"),
    )
    assert second_draft.status_code == 200
    assert "证人李四" in text_of(second_draft.content)

    printed = {}
    for seq, expected, absent in (
        (inquiries[0], "问：垃圾是谁倒的？答：是我。", "问：你看见了吗？答：看见了。"),
        (inquiries[1], "问：你看见了吗？答：看见了。", "问：垃圾是谁倒的？答：是我。"),
    ):
        document = issue_entry(cases, case, "inquiry_record", seq)
        text = read(cases, case, document)
        assert expected in text
        assert absent not in text
        printed[seq] = document
        assert document["entry"] == seq
    assert printed[inquiries[0]]["number"] != printed[inquiries[1]]["number"]
    first_inspection = issue_entry(cases, case, "inspection_record", inspections[0])
    assert "现场有生活垃圾约0.5立方米" in read(cases, case, first_inspection)

    # The dossier holds every record: not issued while one is still unprinted.
    refused = issue(cases, case, "dossier", "officer1", expect=409)
    assert refused["entries"] == [inspections[1]]
    second_inspection = issue_entry(cases, case, "inspection_record", inspections[1])
    assert "河堤下有垃圾袋两只" in read(cases, case, second_inspection)

    listed = cases.client.get(f"/api/v1/cases/{case['id']}/documents", headers=cases.auth("officer1")).json()
    assert sorted(d["entry"] for d in listed) == sorted(inquiries + inspections)
    dossier = issue(cases, case, "dossier", "officer1")
    assert dossier["entry"] is None
    text = read(cases, case, dossier)
    records = [*printed.values(), first_inspection, second_inspection]
    for document in records:
        assert document["number"] in text
    assert text.count("询问笔录（2026年") == 2  # each listed with the time of the record it prints
    assert text.count("现场检查笔录（2026年") == 2
    inner = sum(d["pages"] for d in records)
    assert dossier["pages"] == 2 + inner + 1
    assert all(f"卷内第{n}页" in text for n in range(3, 3 + inner))


def members(bundle: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(bundle))
    return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def resigned(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its manifest regenerated and every note re-signed under a key of the forger's own: it is
    consistent with itself, so only the entries that issued the documents can tell a changed PDF."""
    genuine = NoteVerifier.from_vkey(files["vkey.txt"].decode().strip())
    forger = NoteSigner(genuine.name, Ed25519PrivateKey.generate())
    checkpoint = Checkpoint.parse(genuine.verify(files["checkpoint.txt"].decode()))
    kept = {p: d for p, d in files.items() if not p.startswith("manifest.")}
    kept["checkpoint.txt"] = forger.sign(checkpoint.body()).encode()
    kept["vkey.txt"] = (forger.vkey() + "\n").encode()
    meta = {k: v for k, v in json.loads(files["manifest.json"]).items() if k not in ("files", "format")}
    manifest = manifest_for(kept, meta)
    return {"manifest.json": manifest, "manifest.sig": sign_manifest(manifest, meta["case_id"], forger), **kept}


def test_verify_bundle_re_checks_each_document_against_the_entry_that_issued_it(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided_case(cases, clock, served=False)  # decided and signed: its decision not issued yet
    notice = issue(cases, case, "prior_notice", "officer1")
    decision = issue(cases, case, "penalty_decision", "head")
    exported = client.post(
        f"/api/v1/cases/{case['id']}/export", json={"reason": "移送法院"}, headers=auth("supervisor")
    )
    assert exported.status_code == 200, exported.text
    files = members(exported.content)
    assert verify_bundle(exported.content).documents == 2
    assert verify_bundle(rezip(resigned(files))).documents == 2  # the forger's re-signing alone changes nothing
    assert "文书：行政处罚决定书 铁门罚决〔2026〕1号" in files["summary.txt"].decode()

    name = f"documents/{decision['sha256']}.pdf"
    changed = bytearray(files[name])
    changed[len(changed) // 2] ^= 0x01
    with pytest.raises(VerificationError) as caught:
        verify_bundle(rezip(resigned(files | {name: bytes(changed)})))
    assert caught.value.reason.startswith(f"{name}: its bytes (SHA-256 ")
    assert "are not the document 铁门罚决〔2026〕1号 that entries/case-" in caught.value.reason

    removed = {p: d for p, d in files.items() if p != f"documents/{notice['sha256']}.pdf"}
    with pytest.raises(VerificationError) as caught:
        verify_bundle(rezip(resigned(removed)))
    assert caught.value.reason.startswith(f"documents/{notice['sha256']}.pdf: missing (the document 铁门罚告")

    stranger = f"documents/{'0' * 64}.pdf"
    with pytest.raises(VerificationError) as caught:
        verify_bundle(rezip(resigned(files | {stranger: files[name]})))
    assert caught.value.reason == f"{stranger}: not a document any entry of the case records as issued"
