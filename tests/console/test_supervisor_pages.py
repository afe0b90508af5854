"""The supervisor's desk: the agency-wide lists, the yearly figures and the file review as pages, a case's documents
read with a reason and its bundle exported with one — each read of the party's data recorded on the case's chain —
and the reviewer's evidence framed beside the file under its own sandboxing policy."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.clock import FixedClock
from service.ledger.models import LedgerEntry
from service.policy.calendar import local_date
from service.runtime import Runtime
from tests.cases.driver import Cases
from tests.cases.test_publicity_reports import closed
from tests.cases.test_reviews import major_case
from tests.documents.walk import decided_case

from .helpers import form, sign_in

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def cases(client: TestClient, auth: Auth, runtime: Runtime) -> Cases:
    return Cases(client, auth, runtime.clock)


def browser(app: FastAPI, username: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    return client, sign_in(client, username)


def disclosures(runtime: Runtime, case_id: str) -> list[str]:
    """The reasons of the disclosures recorded on the case's chain."""
    with runtime.database.transaction(write=False) as session:
        bodies = session.scalars(
            sa.select(LedgerEntry.canonical)
            .where(LedgerEntry.stream == f"case:{case_id}", LedgerEntry.type == "case:personal_data:disclosed")
            .order_by(LedgerEntry.stream_seq)
        )
        return [json.loads(bytes(b))["body"]["reason"] for b in bodies]


def test_an_overdue_case_is_on_the_supervisors_list_with_its_article(
    app: FastAPI, cases: Cases, clock: FixedClock
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    supervisor, _ = browser(app, "supervisor")
    assert case["id"] not in supervisor.get("/audit/overdue").text
    clock.advance(days=93)  # past the 90-day decision deadline (行政处罚法 第六十条)
    supervisor, _ = browser(app, "supervisor")  # a new session: the first one ended with the days passed
    page = supervisor.get("/audit/overdue")
    assert page.status_code == 200
    assert f"/cases/{case['id']}/history" in page.text
    assert "《中华人民共和国行政处罚法》第60条" in page.text
    officer, _ = browser(app, "officer1")
    assert officer.get("/audit/overdue").status_code == 403


def test_a_closed_case_is_on_the_yearly_figures_the_file_review_and_the_unpublished_list(
    app: FastAPI, cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = closed(cases, clock)
    number = case["number"]
    supervisor, _ = browser(app, "supervisor")
    year = local_date(clock.now()).year

    figures = client.get("/api/v1/reports/yearly", params={"year": year}, headers=auth("supervisor")).json()
    page = supervisor.get("/reports/yearly", params={"year": year})
    assert page.status_code == 200
    assert figures["cases_registered"] == 1
    assert "<td>1</td>" in page.text  # one case registered, one decision
    assert f"{figures['fines_decided_fen'] / 100:.2f}" == "300.00"
    assert "<td>300.00</td>" in page.text
    assert "与案件表一致" in page.text

    review = client.get("/api/v1/reports/file-review", headers=auth("supervisor")).json()
    assert [r["case_number"] for r in review] == [number]
    page = supervisor.get("/reports/file-review")
    assert html.escape(number) in page.text
    assert f"<td>{review[0]['score']}</td>" in page.text
    assert review[0]["grade_zh"] in page.text

    clock.advance(days=15)  # past the 7 working days to publish a decision (国办发〔2018〕118号)
    supervisor, _ = browser(app, "supervisor")
    page = supervisor.get("/audit/publicity")
    assert page.status_code == 200
    assert html.escape(number) in page.text
    assert "已超期" in page.text


def test_certificates_to_review_list_the_lapsed_and_the_expiring(app: FastAPI, client: TestClient, auth: Auth) -> None:
    today = local_date(app.state.runtime.clock.now())
    officer = client.post("/api/v1/officers", headers=auth("admin"), json={"name": "新队员", "unit": "brigade"}).json()
    for number, issued, expires in (
        ("渝SOON01", today - timedelta(days=10), today + timedelta(days=20)),
        ("渝OLD001", today - timedelta(days=500), today + timedelta(days=700)),
    ):
        answer = client.post(
            f"/api/v1/officers/{officer['id']}/certificates",
            headers=auth("head"),
            json={
                "number": number,
                "issuer": "重庆市梁平区人民政府",
                "issued_on": str(issued),
                "expires_on": str(expires),
                "scope_categories": ["fire_safety"],
            },
        )
        assert answer.status_code == 201, answer.text
    supervisor, _ = browser(app, "supervisor")
    page = supervisor.get("/audit/certificates").text
    expiring = page.split('id="certificates-expiring"')[1].split("</table>")[0]
    lapsed = page.split('id="certificates-lapsed"')[1].split("</table>")[0]
    assert "渝SOON01" in expiring
    assert "渝OLD001" not in expiring
    assert "渝OLD001" in lapsed
    assert "渝SOON01" not in lapsed


def test_a_document_is_read_with_a_reason_and_the_read_is_recorded(
    app: FastAPI, cases: Cases, clock: FixedClock, runtime: Runtime
) -> None:
    case = decided_case(cases, clock)
    path = f"/api/v1/cases/{case['id']}/documents/penalty_decision/issue"
    issued = cases.client.post(path, headers=cases.auth("head"))
    assert issued.status_code == 201, issued.text
    document = issued.json()
    supervisor, csrf = browser(app, "supervisor")
    page = supervisor.get(f"/cases/{case['id']}/documents")
    assert page.status_code == 200
    assert html.escape(document["number"]) in page.text
    url = f"/cases/{case['id']}/documents/{document['id']}/file"

    blank = supervisor.post(url, files=form(csrf=csrf, reason="   "))
    assert blank.status_code == 422
    assert "须说明查阅当事人个人信息的事由" in blank.text
    assert disclosures(runtime, case["id"]) == []

    read = supervisor.post(url, files=form(csrf=csrf, reason="监督检查"))
    assert read.status_code == 200
    assert read.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(read.content).hexdigest() == document["sha256"]
    assert disclosures(runtime, case["id"]) == [f"监督检查（文书 {document['number']}）"]

    stranger, stranger_csrf = browser(app, "other-officer")
    assert stranger.post(url, files=form(csrf=stranger_csrf, reason="x")).status_code == 404
    assert disclosures(runtime, case["id"]) == [f"监督检查（文书 {document['number']}）"]


def test_the_bundle_is_exported_from_the_page_and_recorded_as_a_disclosure(
    app: FastAPI, cases: Cases, runtime: Runtime, integrate: Callable[..., Any]
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    supervisor, csrf = browser(app, "supervisor")
    assert f'href="/cases/{case["id"]}/documents"' in supervisor.get("/audit").text
    url = f"/cases/{case['id']}/export"
    assert 'id="export-form"' in supervisor.get(f"/cases/{case['id']}/documents").text

    unsealed = supervisor.post(url, files=form(csrf=csrf, reason="法院调卷"))
    assert unsealed.status_code == 409  # its latest entries await their checkpoint: nothing is handed out
    assert disclosures(runtime, case["id"]) == []

    integrate(force_checkpoint=True)
    assert supervisor.post(url, files=form(csrf=csrf, reason="")).status_code == 422
    exported = supervisor.post(url, files=form(csrf=csrf, reason="法院调卷"))
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    assert disclosures(runtime, case["id"]) == ["法院调卷（导出案卷包）"]

    officer, officer_csrf = browser(app, "officer1")
    assert officer.post(url, files=form(csrf=officer_csrf, reason="x")).status_code == 403
    assert 'id="export-form"' not in officer.get(f"/cases/{case['id']}/documents").text


def test_evidence_on_the_inline_list_is_framed_beside_the_file_sandboxed_and_other_types_are_not(
    app: FastAPI, cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = major_case(cases, clock)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

    def upload(content: bytes, media_type: str, filename: str) -> str:
        answer = client.post(
            f"/api/v1/cases/{case['id']}/evidence",
            params={
                "kind": "audio_visual",
                "description": filename,
                "filename": filename,
                "officers": [cases.officer("officer2")],
            },
            content=content,
            headers={**auth("officer1"), "Content-Type": media_type},
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    photo = upload(png, "image/png", "photo.png")
    script = upload(b"<script>alert(1)</script>", "text/html", "page.html")
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    review_id = requested["file"]["reviews"][-1]["review_id"]

    reviewer, _ = browser(app, "reviewer")
    desk = reviewer.get(f"/cases/{case['id']}/reviews/{review_id}")
    assert desk.status_code == 200
    assert "frame-src 'self'" in desk.headers["content-security-policy"]
    frames = re.findall(r'<iframe[^>]*src="([^"]+)"', desk.text)
    assert frames == [f"/cases/{case['id']}/evidence/{photo}/view"]
    assert 'sandbox=""' in desk.text
    assert "此类证据不在浏览器中显示" not in desk.text
    assert "请下载查看" in desk.text

    framed = reviewer.get(frames[0])
    assert framed.status_code == 200
    assert framed.content == png
    assert framed.headers["content-type"] == "image/png"
    policy = framed.headers["content-security-policy"]
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert framed.headers["x-frame-options"] == "SAMEORIGIN"
    assert reviewer.get(f"/cases/{case['id']}/evidence/{script}/view").status_code == 404
    stranger, _ = browser(app, "other-officer")
    assert stranger.get(frames[0]).status_code == 404
    another = cases.open()  # the same agency's other case does not reach this case's evidence
    assert reviewer.get(f"/cases/{another['id']}/evidence/{photo}/view").status_code == 404
