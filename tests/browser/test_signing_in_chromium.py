"""The reviewer's opinion signed in the browser: an Ed25519 key made by WebCrypto, not extractable, kept in
IndexedDB; only its public half registered (and approved by the admin); the statement shown in full; the signature
the browser made verified by the server and recorded in the case's chain."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from service.auth.models import User
from service.ledger.models import LedgerEntry
from service.signing.models import SigningKey
from tests.cases.driver import Cases
from tests.cases.test_reviews import major_case

from .conftest import DESKTOP, LiveServer, new_context
from .pages import serious_violations, sign_in

pytestmark = pytest.mark.browser

HELD_KEY = """() => new Promise((resolve) => {
  const open = indexedDB.open("caseledger-keys", 1);
  open.onsuccess = () => {
    const all = open.result.transaction("keys").objectStore("keys").getAll();
    all.onsuccess = () => resolve(all.result.map((k) => ({
      keyId: k.keyId, publicKey: k.publicKey, extractable: k.privateKey.extractable, type: k.privateKey.type
    })));
  };
})"""


def test_a_reviewer_signs_the_opinion_with_a_key_the_browser_holds(live_server: LiveServer, chromium: Any) -> None:
    runtime = live_server.runtime
    from service.main import create_app

    def auth(username: str) -> dict[str, str]:
        with runtime.database.transaction(write=False) as session:
            user_id, version = session.execute(
                sa.select(User.id, User.token_version).where(User.username == username)
            ).one()
        return {"Authorization": f"Bearer {runtime.tokens.issue(user_id, version, runtime.clock.now()).token}"}

    api = TestClient(create_app(runtime))  # the setup through the API, on the live server's database and clock
    cases = Cases(api, auth)
    case = major_case(cases, live_server.clock)  # type: ignore[arg-type]
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    review_id = requested["file"]["reviews"][-1]["review_id"]

    context = new_context(chromium, DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, "reviewer", live_server.password)
    page.goto(live_server.url + "/keys")
    page.click("#make-key")
    page.locator("#browser-key").filter(has_text="已生成并登记密钥").wait_for()
    held = page.evaluate(HELD_KEY)
    assert len(held) == 1
    assert held[0]["extractable"] is False
    assert held[0]["type"] == "private"
    with runtime.database.transaction(write=False) as session:
        registered = session.scalars(sa.select(SigningKey).where(SigningKey.key_id == held[0]["keyId"])).one()
    assert registered.public_key == held[0]["publicKey"]  # the browser's public half, and nothing else
    approved = api.post(f"/api/v1/signing-keys/{registered.id}/approve", headers=auth("admin"))
    assert approved.status_code == 200, approved.text

    page.goto(live_server.url + "/")
    page.click(f"a[href='/cases/{case['id']}/reviews/{review_id}']")
    page.click("#take-review")
    page.click("#opinion-form button[type=submit]")
    statement = page.locator("pre.statement")
    assert review_id in statement.inner_text()
    assert "caseledger.statement/v1" in statement.inner_text()
    violations = serious_violations(page)
    page.click("#sign-statement")
    page.locator("#review-state").filter(has_text="已签名").wait_for()
    violations += serious_violations(page)

    with runtime.database.transaction(write=False) as session:
        entry = session.scalars(
            sa.select(LedgerEntry).where(
                LedgerEntry.stream == f"case:{case['id']}", LedgerEntry.type == "case:legal_review:signed"
            )
        ).one()
    body = json.loads(entry.canonical)["body"]
    assert body["key_id"] == held[0]["keyId"]
    review = api.get(f"/api/v1/cases/{case['id']}/reviews", headers=auth("head")).json()[-1]
    assert review["signed"] is True
    statement_bytes = base64.b64decode(
        api.get(f"/api/v1/cases/{case['id']}/reviews/{review_id}/statement", headers=auth("head")).json()["statement"]
    )
    Ed25519PublicKey.from_public_bytes(base64.b64decode(held[0]["publicKey"])).verify(
        base64.b64decode(body["signature"]), statement_bytes
    )
    assert not violations, "\n".join(violations)
