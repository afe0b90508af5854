"""Issuing a decision and verifying the paper: the public page, the proof-carrying copy, verify-document."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.clock import FixedClock
from tests.cases.driver import Cases

from .walk import PARTY_NAME, decided_case, text_of

Auth = Callable[[str], dict[str, str]]
pytestmark = pytest.mark.slow


def issue(cases: Cases, case: dict[str, Any], kind: str, who: str, expect: int = 201) -> dict[str, Any]:
    response = cases.client.post(f"/api/v1/cases/{case['id']}/documents/{kind}/issue", headers=cases.auth(who))
    assert response.status_code == expect, response.text
    return response.json()


def test_an_issued_decision_verifies_offline_and_a_changed_byte_does_not(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, cli: Callable[..., Any], tmp_path: Path
) -> None:
    case = decided_case(cases, clock, served=False)  # decided and signed: its decision not issued yet
    before = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head"))
    issued = issue(cases, case, "penalty_decision", "head")
    assert issued["number"] == "铁门罚决〔2026〕1号"
    after = client.get(f"/api/v1/cases/{case['id']}", headers=auth("head"))
    assert after.headers["ETag"] == before.headers["ETag"]  # clerical: the case's version is unchanged

    pdf = client.post(
        f"/api/v1/cases/{case['id']}/documents/{issued['id']}/file", json={"reason": "送达"}, headers=auth("officer1")
    ).content
    assert hashlib.sha256(pdf).hexdigest() == issued["sha256"]
    # the document prints the party in clear: reading it is a recorded disclosure (个人信息保护法 第五十一条)
    disclosures = client.get(f"/api/v1/cases/{case['id']}/party/disclosures", headers=auth("supervisor")).json()
    assert disclosures[-1]["reason"] == f"送达（文书 {issued['number']}）"
    text = text_of(pdf)
    assert PARTY_NAME in text
    printed = "-".join(issued["id"][i : i + 4] for i in range(0, 12, 4))
    assert text.count(printed) == issued["pages"]  # the identifier on every page

    page = client.get(f"/api/v1/public/agencies/tiemen/documents/{issued['id']}")
    assert page.status_code == 200, page.text
    by_hash = client.get(f"/api/v1/public/agencies/tiemen/documents/{issued['sha256']}")
    assert by_hash.json() == page.json()
    vkey = client.get("/api/v1/agencies/tiemen/ledger/vkey").text
    (tmp_path / "vkey.txt").write_text(vkey)
    (tmp_path / "issued.pdf").write_bytes(pdf)
    (tmp_path / "proof.json").write_text(json.dumps(page.json()))
    checked = cli(
        "verify-document",
        str(tmp_path / "issued.pdf"),
        "--proof",
        str(tmp_path / "proof.json"),
        "--vkey",
        str(tmp_path / "vkey.txt"),
    )
    assert checked.exit_code == 0, checked.output

    copy = client.post(
        f"/api/v1/cases/{case['id']}/documents/{issued['id']}/proof-copy",
        json={"reason": "送达"},
        headers=auth("officer1"),
    )
    assert copy.status_code == 200
    assert copy.content.startswith(pdf)  # the issued bytes, untouched, then the incremental update
    assert len(copy.content) > len(pdf)
    (tmp_path / "copy.pdf").write_bytes(copy.content)
    assert cli("verify-document", str(tmp_path / "copy.pdf"), "--vkey", str(tmp_path / "vkey.txt")).exit_code == 0

    changed = bytearray(copy.content)
    changed[len(pdf) // 2] ^= 0x01
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    refused = cli("verify-document", str(tmp_path / "changed.pdf"), "--vkey", str(tmp_path / "vkey.txt"))
    assert refused.exit_code == 1
    # the whole ledger still verifies, the issued documents' rows replayed from their entries
    assert cli("verify").exit_code == 0


def test_a_document_never_issued_is_refused(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, cli: Callable[..., Any], tmp_path: Path
) -> None:
    case = decided_case(cases, clock)
    issued = issue(cases, case, "penalty_decision", "head")
    draft = client.get(f"/api/v1/cases/{case['id']}/documents/penalty_decision/draft", headers=auth("officer1"))
    assert draft.status_code == 200
    unknown = client.get(f"/api/v1/public/agencies/tiemen/documents/{hashlib.sha256(draft.content).hexdigest()}")
    assert unknown.status_code == 404
    page = client.get(f"/api/v1/public/agencies/tiemen/documents/{issued['id']}").json()
    (tmp_path / "draft.pdf").write_bytes(draft.content)
    (tmp_path / "proof.json").write_text(json.dumps(page))
    refused = cli("verify-document", str(tmp_path / "draft.pdf"), "--proof", str(tmp_path / "proof.json"))
    assert refused.exit_code == 1


def test_the_export_bundle_carries_every_issued_document_and_still_verifies(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, cli: Callable[..., Any], tmp_path: Path
) -> None:
    case = decided_case(cases, clock)
    notice = issue(cases, case, "prior_notice", "officer1")
    decision = issue(cases, case, "penalty_decision", "head")
    exported = client.post(
        f"/api/v1/cases/{case['id']}/export", json={"reason": "移送法院"}, headers=auth("supervisor")
    )
    assert exported.status_code == 200, exported.text
    with zipfile.ZipFile(io.BytesIO(exported.content)) as bundle:
        names = set(bundle.namelist())
        for document in (notice, decision):
            data = bundle.read(f"documents/{document['sha256']}.pdf")
            assert hashlib.sha256(data).hexdigest() == document["sha256"]
    (tmp_path / "bundle.zip").write_bytes(exported.content)
    assert cli("verify-bundle", str(tmp_path / "bundle.zip")).exit_code == 0
    assert "checkpoint.txt" in names


def test_a_retried_issue_with_the_same_key_numbers_no_second_document(cases: Cases, clock: FixedClock) -> None:
    case = decided_case(cases, clock, served=False)  # decided and signed: its decision not issued yet
    path = f"/api/v1/cases/{case['id']}/documents/prior_notice/issue"
    headers = cases.auth("officer1") | {"Idempotency-Key": "notice-1"}
    first = cases.client.post(path, headers=headers)
    again = cases.client.post(path, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    listed = cases.client.get(f"/api/v1/cases/{case['id']}/documents", headers=cases.auth("officer1")).json()
    assert [d["number"] for d in listed] == ["铁门罚告〔2026〕1号"]
