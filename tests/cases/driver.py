"""A small driver for the case API, speaking as the demo users; the ``cases`` fixture is in conftest.py."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from service.auth.permissions import Permission
from service.cases.casefile import DECISION_DOCUMENTS
from service.cases.guards import DecisionOutcome
from service.clock import Clock, FixedClock
from service.documents.kinds import RULES, DocumentKind
from service.policy.calendar import local_date
from service.signing.client import public_key_of
from tests.conftest import TEST_EPOCH

Auth = Callable[[str], dict[str, str]]

# The entries a decision may cite as its evidence (第四十条; guards.EVIDENCE_ENTRY_TYPES).
EVIDENCE_TYPES = frozenset({"case:inquiry:recorded", "case:inspection:recorded", "case:evidence:collected"})


class Cases:
    """A small driver for the case API, speaking as the demo users."""

    def __init__(self, client: TestClient, auth: Auth, clock: Clock | None = None) -> None:
        self.client = client
        self.auth = auth
        # The service's clock: the suite's fixed epoch unless a test hands over the runtime's.
        self.clock = clock or FixedClock(TEST_EPOCH)
        self._officers: dict[str, str] = {}

    def officer(self, username: str) -> str:
        if not self._officers:
            me = {
                u: self.client.get("/api/v1/auth/me", headers=self.auth(u)).json()["user_id"]
                for u in ("officer1", "officer2", "officer3", "reviewer", "head")
            }
            for officer in self.client.get("/api/v1/officers", headers=self.auth("head")).json():
                for username_, user_id in me.items():
                    if officer["user_id"] == user_id:
                        self._officers[username_] = officer["id"]
        return self._officers[username]

    def open(self, who: str = "officer1", **body: Any) -> dict[str, Any]:
        payload = {
            "procedure": "general",
            "item_code": "CQ-TM-003",
            "title": "在村道旁倾倒生活垃圾",
            "party": {
                "party_type": "individual",
                "name": "张三",
                "id_number": "500228199001011234",
                "phone": "13800000000",
                "address": "重庆市梁平区铁门乡某村三组12号",
            },
            "source_kind": "inspection",
            "source_description": "日常巡查发现",
            # Filing needs the day of the act (第三十六条): a week before today, as the service's clock sees it.
            "occurred_on": (local_date(self.clock.now()) - timedelta(days=7)).isoformat(),
            "officers": [self.officer("officer2")],
        } | body
        response = self.client.post("/api/v1/cases", headers=self.auth(who), json=payload)
        assert response.status_code == 201, response.text
        return response.json()

    def step(
        self, case: dict[str, Any], step: str, who: str = "officer1", *, expect: int = 200, **body: Any
    ) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/cases/{case['id']}/steps/{step}", headers=self.auth(who), json=body)
        assert response.status_code == expect, response.text
        return response.json()

    def issue(self, case: dict[str, Any], kind: str, who: str = "head", *, expect: int = 201) -> dict[str, Any]:
        """Issue the case's document of ``kind`` (numbered, stamped, recorded) as ``who``."""
        response = self.client.post(f"/api/v1/cases/{case['id']}/documents/{kind}/issue", headers=self.auth(who))
        assert response.status_code == expect, response.text
        return response.json()

    def serve_decision(self, case: dict[str, Any], who: str = "officer1", **data: Any) -> dict[str, Any]:
        """The document stating the case's decision is issued, then two officers serve it (第六十一条)."""
        decided = self.client.get(f"/api/v1/cases/{case['id']}", headers=self.auth("head")).json()
        kind = DECISION_DOCUMENTS[DecisionOutcome(decided["file"]["decision"]["outcome"])]
        # The head issues a decision (case:decide); an order decided is printed in the officers' notice (case:act).
        self.issue(case, kind, "head" if RULES[DocumentKind(kind)].issued_with is Permission.CASE_DECIDE else who)
        body = {"method": "直接送达"} | data
        return self.step(case, "serve_decision", who, officers=self.with_second(), data=body)

    def evidence(self, case: dict[str, Any]) -> list[int]:
        """The numbers of the case's inquiry, inspection and evidence entries: what a decision cites (第四十条)."""
        history = self.client.get(f"/api/v1/cases/{case['id']}/history", headers=self.auth("head"))
        assert history.status_code == 200, history.text
        return [entry["seq"] for entry in history.json() if entry["type"] in EVIDENCE_TYPES]

    def circumstances(self, case: dict[str, Any], who: str = "officer1", **data: Any) -> dict[str, Any]:
        """Record the party's circumstances (第二十九条至第三十三条): by default an adult citizen (an organisation has
        no age), nothing that excludes or mitigates the penalty, harm done, no earlier fine."""
        adult = "not_applicable" if case.get("party_type") == "organisation" else "adult"
        body = {"age_at_act": adult, "harm": "more_than_minor", "findings": "询问笔录、身份证明"} | data
        return self.step(case, "record_circumstances", who, data=body)

    def with_second(self) -> list[str]:
        return [self.officer("officer2")]

    def investigated(self, case: dict[str, Any] | None = None) -> dict[str, Any]:
        """A case filed, the party questioned, the party's circumstances recorded (nothing that excludes or
        mitigates the penalty) and the investigation closed by two officers (state investigation_closed): where
        most specifications of what follows begin."""
        case = case or self.open()
        self.step(case, "approve_filing", "head")
        self.step(
            case,
            "record_inquiry",
            officers=self.with_second(),
            data={"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"},
        )
        self.circumstances(case)
        return self.step(
            case, "close_investigation", officers=self.with_second(), data={"report": "事实清楚，证据确凿"}
        )

    def signer(self, username: str) -> Ed25519PrivateKey:
        """A new key for ``username``, registered by them and approved by the admin."""
        key = Ed25519PrivateKey.generate()
        public, _ = public_key_of(key)
        registered = self.client.post("/api/v1/signing-keys", headers=self.auth(username), json={"public_key": public})
        assert registered.status_code == 201, registered.text
        approved = self.client.post(
            f"/api/v1/signing-keys/{registered.json()['id']}/approve", headers=self.auth("admin")
        )
        assert approved.status_code == 200, approved.text
        return key

    def sign(
        self, username: str, key: Ed25519PrivateKey, statement_path: str, signature_path: str, expect: int = 204
    ) -> Any:
        """Fetch a statement, sign it locally, submit the signature — what `caseledger sign` does."""
        statement = base64.b64decode(self.client.get(statement_path, headers=self.auth(username)).json()["statement"])
        _, kid = public_key_of(key)
        signature = base64.b64encode(key.sign(statement)).decode()
        response = self.client.post(
            signature_path, headers=self.auth(username), json={"key_id": kid, "signature": signature}
        )
        assert response.status_code == expect, response.text
        return response

    def sign_decision(self, case: dict[str, Any], key: Ed25519PrivateKey, who: str = "head") -> None:
        base = f"/api/v1/cases/{case['id']}/signoffs/decision"
        self.sign(who, key, f"{base}/statement", f"{base}/signature")
