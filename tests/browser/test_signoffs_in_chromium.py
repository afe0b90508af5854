"""The chair's collective-discussion record and the head's decision signed in Chromium, each with a key its own
browser made (WebCrypto Ed25519, not extractable, in IndexedDB); the discussion recorded from the head's desk with
its attendance and the quorum counted as heads are ticked (行政处罚法 第五十七条第二款); each signature the ledger
records verifies over the statement the page showed, under the public key that browser registered."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from service.auth.models import User
from service.ledger.models import LedgerEntry
from service.signing.models import SigningKey
from tests.cases.driver import Cases
from tests.cases.test_reviews import BIG, major_case, review

from .conftest import DESKTOP, BrowserErrors, LiveServer, new_context
from .pages import case_entry_types, serious_violations, sign_in
from .test_signing_in_chromium import HELD_KEY

pytestmark = pytest.mark.browser


def _browser_key(page: Any, base: str, api: TestClient, admin: dict[str, str], runtime: Any) -> dict[str, Any]:
    """Make the signer's key in this browser (/keys) and have the admin approve its public half."""
    page.goto(base + "/keys")
    page.click("#make-key")
    page.locator("#browser-key").filter(has_text="已生成并登记密钥").wait_for()
    held = page.evaluate(HELD_KEY)
    assert len(held) == 1
    assert held[0]["extractable"] is False
    with runtime.database.transaction(write=False) as session:
        registered = session.scalars(sa.select(SigningKey).where(SigningKey.key_id == held[0]["keyId"])).one()
    assert registered.public_key == held[0]["publicKey"]
    approved = api.post(f"/api/v1/signing-keys/{registered.id}/approve", headers=admin)
    assert approved.status_code == 200, approved.text
    return dict(held[0])


def _signed_entry(runtime: Any, case_id: str, entry_type: str) -> dict[str, Any]:
    with runtime.database.transaction(write=False) as session:
        entry = session.scalars(
            sa.select(LedgerEntry).where(LedgerEntry.stream == f"case:{case_id}", LedgerEntry.type == entry_type)
        ).one()
    body: dict[str, Any] = json.loads(entry.canonical)["body"]
    return body


def _verifies(held: dict[str, Any], body: dict[str, Any], shown: str) -> None:
    """The recorded signature is the browser key's, over the statement's bytes — the statement the page showed."""
    statement = base64.b64decode(body["statement"])
    assert body["key_id"] == held["keyId"]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(held["publicKey"])).verify(
        base64.b64decode(body["signature"]), statement
    )
    assert json.loads(shown) == json.loads(statement)


def test_the_chair_and_the_head_sign_in_the_browser(
    live_server: LiveServer, chromium: Any, page_errors: BrowserErrors
) -> None:
    base, runtime = live_server.url, live_server.runtime
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
    flagged = api.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    assert flagged.status_code == 200, flagged.text
    review(cases, case, cases.signer("reviewer"))
    violations: list[str] = []

    # The head records the collective discussion from the desk: the heads ticked are counted against the quorum.
    head_context = new_context(chromium, DESKTOP)
    head = head_context.new_page()
    sign_in(head, base, "head", live_server.password)
    head.click(f"#discussions-needed a[href='/cases/{case['id']}/discussion']")
    violations += serious_violations(head)
    count = head.locator("#quorum-count output")
    assert count.inner_text() == "0"
    with runtime.database.transaction(write=False) as session:
        ids = dict(session.execute(sa.select(User.username, User.id).where(User.username.like("head%"))).all())
    for username in ("head", "head2"):
        head.check(f"#att-{ids[username]}")
        head.fill(f"#op-{ids[username]}", f"同意（{username}）")
    assert count.inner_text() == "2"
    assert "short" in (head.locator("#quorum-count").get_attribute("class") or "")
    head.fill("#conclusion", "同意处罚十万元")
    head.select_option("#chair", str(ids["head2"]))
    before = case_entry_types(runtime, case["id"])
    page_errors.expect_refusal(rf"/cases/{case['id']}/discussion$", 409)
    head.click("#discussion-form button[type=submit]")
    alert = head.locator("[role=alert]")
    assert re.search(r"第五十七条|第57条", alert.inner_text())
    assert case_entry_types(runtime, case["id"]) == before
    violations += serious_violations(head)
    head.check(f"#att-{ids['head3']}")
    head.fill(f"#op-{ids['head3']}", "同意（head3）")
    assert count.inner_text() == "3"
    head.click("#discussion-form button[type=submit]")
    head.wait_for_url(f"{base}/cases/{case['id']}")  # head2 chairs: the head goes back to the case
    assert case_entry_types(runtime, case["id"])[-1] == "case:collective_discussion:held"

    # The chair signs the record with the key their own browser holds.
    chair_context = new_context(chromium, DESKTOP)
    chair = chair_context.new_page()
    sign_in(chair, base, "head2", live_server.password)
    chair_key = _browser_key(chair, base, api, auth("admin"), runtime)
    chair.goto(base + "/")
    chair.click(f"#discussions-to-sign a[href='/cases/{case['id']}/signoffs/collective_discussion']")
    shown = chair.locator("pre.statement").inner_text()
    assert "同意处罚十万元" in shown
    assert "caseledger.statement/v1" in shown
    violations += serious_violations(chair)
    chair.click("#sign-statement")
    chair.locator("#signoff-state").filter(has_text="已签名").wait_for()
    _verifies(chair_key, _signed_entry(runtime, case["id"], "case:collective_discussion:signed"), shown)

    # The head decides (the discussion now counts) and signs the decision from the desk, in their own browser.
    decision = {"evidence": cases.evidence(case), "penalty": BIG}  # 第四十条: the records the facts rest on
    assert cases.step(case, "decide_penalty", "head", data=decision)["state"] == "decided"
    head_key = _browser_key(head, base, api, auth("admin"), runtime)
    assert head_key["keyId"] != chair_key["keyId"]
    head.goto(base + "/")
    head.click(f"#decisions-to-sign a[href='/cases/{case['id']}/signoffs/decision']")
    shown = head.locator("pre.statement").inner_text()
    assert '"purpose": "decision"' in shown
    violations += serious_violations(head)
    head.click("#sign-statement")
    head.locator("#signoff-state").filter(has_text="已签名").wait_for()
    violations += serious_violations(head)
    _verifies(head_key, _signed_entry(runtime, case["id"], "case:decision:signed"), shown)
    assert case_entry_types(runtime, case["id"])[-1] == "case:decision:signed"
    head.goto(base + "/")
    assert head.locator(f"#decisions-to-sign a[href='/cases/{case['id']}/signoffs/decision']").count() == 0
    assert not violations, "\n".join(violations)
