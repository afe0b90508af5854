"""Legal review of major decisions (第五十八条), signatures the server cannot forge, collective discussion (第五十七条),
and the supervisor's audit and court bundle."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

import service.cli
from service.audit.bundle import verify_bundle
from service.cases.schedule import PARTY_PERIODS
from service.clock import FixedClock
from service.ledger.errors import VerificationError
from service.policy.calendar import local_date
from service.signing.client import public_key_of

from .driver import Cases
from .test_case_api import NOTICE, fine, refusal
from .test_year_boundary import NOTICE_2027

Auth = Callable[[str], dict[str, str]]
CHECKS = {
    name: {"result": "passed", "comment": ""}
    for name in (
        "body_lawful",
        "officers_qualified",
        "procedure_lawful",
        "facts_clear",
        "evidence_sufficient",
        "law_applied_correctly",
        "discretion_proper",
        "no_excess_of_power",
        "documents_complete",
        "criminal_transfer_considered",
    )
}
BIG = fine(10_000_000)  # 100,000 yuan for an organisation: a hearing right, hence a legal review


def major_case(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    """An organisation notified of a 100,000 yuan fine, which did not ask for a hearing: review is required."""
    case = cases.open(party={"party_type": "organisation", "name": "某某保洁有限公司"})
    cases.step(case, "approve_filing", "head")
    photo = cases.client.post(
        f"/api/v1/cases/{case['id']}/evidence",
        params={"kind": "audio_visual", "description": "现场照片", "officers": [cases.officer("officer2")]},
        content=b"photo-bytes",
        headers=cases.auth("officer1"),
    )
    assert photo.status_code == 201, photo.text
    cases.step(case, "close_investigation", officers=cases.with_second(), data={"report": "事实清楚"})
    cases.circumstances(case)
    cases.step(case, "intend_penalty", "head", data={"penalty": BIG})
    noticed = cases.step(
        case,
        "serve_prior_notice",
        officers=cases.with_second(),
        data={"notice": NOTICE | {"penalty": BIG, "informs_hearing_right": True}},
    )
    past_the_partys_periods(clock, noticed)
    cases.step(case, "conclude_party_hearing")
    return case


def past_the_partys_periods(clock: FixedClock, noticed: dict[str, Any]) -> None:
    """Move the clock to the day after the party's time to be heard and to ask for a hearing, as the case states it.

    A fixed number of days is not enough on every date: the browser tests run on the real date, and five working
    days that span New Year's Day or the Spring Festival take ten calendar days or more (a notice served on
    2026-12-25 gives the party until 2027-01-04).
    """
    last = max(date.fromisoformat(d["due_on"]) for d in noticed["deadlines"] if d["name"] in PARTY_PERIODS)
    clock.advance(days=max(0, (last - local_date(clock.now())).days + 1))


def review(cases: Cases, case: dict[str, Any], key: Ed25519PrivateKey, opinion: str = "agree") -> str:
    requested = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    review_id = requested["file"]["reviews"][-1]["review_id"]
    base = f"/api/v1/cases/{case['id']}/reviews/{review_id}"
    assert cases.client.post(f"{base}/take", headers=cases.auth("reviewer")).status_code == 200
    checks = CHECKS if opinion == "agree" else CHECKS | {"facts_clear": {"result": "problem", "comment": "证据不足"}}
    recorded = cases.client.post(
        f"{base}/opinion", headers=cases.auth("reviewer"), json={"checks": checks, "opinion": opinion}
    )
    assert recorded.status_code == 200, recorded.text
    cases.sign("reviewer", key, f"{base}/statement", f"{base}/signature", expect=200)
    return review_id


def test_a_review_requested_and_unanswered_is_not_requested_again_art_58(cases: Cases, clock: FixedClock) -> None:
    case = major_case(cases, clock)
    first = cases.step(case, "request_legal_review", data={"materials": "调查终结报告、证据目录"})
    assert "request_legal_review" in [b["step"] for b in first["blocked_steps"]]
    again = cases.step(case, "request_legal_review", expect=409, data={"materials": "调查终结报告"})
    assert refusal(again) == (["no_review_open"], ["《中华人民共和国行政处罚法》第58条"])
    file = cases.client.get(f"/api/v1/cases/{case['id']}", headers=cases.auth("head")).json()["file"]
    assert [r["review_id"] for r in file["reviews"]] == [first["file"]["reviews"][-1]["review_id"]]


def test_a_review_of_a_case_changed_since_or_already_answered_may_be_requested_anew(
    cases: Cases, clock: FixedClock
) -> None:
    case = major_case(cases, clock)
    first = cases.step(case, "request_legal_review", data={"materials": "调查终结报告"})["file"]["reviews"][-1]
    # The case changes after the request: what the reviewer has is stale, a new request takes its place.
    cases.circumstances(case, findings="询问笔录、身份证明、营业执照")
    renewed = cases.step(case, "request_legal_review", data={"materials": "调查终结报告（补充）"})
    assert len(renewed["file"]["reviews"]) == 2
    # The superseded request is no longer taken: the reviewer is sent to the latest.
    stale = cases.client.post(
        f"/api/v1/cases/{case['id']}/reviews/{first['review_id']}/take", headers=cases.auth("reviewer")
    )
    assert stale.status_code == 409
    assert stale.json()["article"] == "《中华人民共和国行政处罚法》第58条"
    assert stale.json()["latest_review_id"] == renewed["file"]["reviews"][-1]["review_id"]
    # Answered (here: problems found), the review may be asked for again once the officers have acted on it.
    base = f"/api/v1/cases/{case['id']}/reviews/{renewed['file']['reviews'][-1]['review_id']}"
    assert cases.client.post(f"{base}/take", headers=cases.auth("reviewer")).status_code == 200
    checks = CHECKS | {"facts_clear": {"result": "problem", "comment": "证据不足"}}
    answered = cases.client.post(
        f"{base}/opinion", headers=cases.auth("reviewer"), json={"checks": checks, "opinion": "problems_found"}
    )
    assert answered.status_code == 200, answered.text
    assert len(cases.step(case, "request_legal_review", data={"materials": "补正后"})["file"]["reviews"]) == 3


def test_a_major_case_cannot_be_decided_without_a_passed_review(cases: Cases, clock: FixedClock) -> None:
    case = major_case(cases, clock)
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": BIG}
    )
    guards, citations = refusal(refused)
    assert guards == ["legal_review_passed"]
    assert citations == ["《中华人民共和国行政处罚法》第58条"]


def test_with_a_passed_signed_review_it_can_be_decided(cases: Cases, clock: FixedClock) -> None:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )


def test_a_review_that_found_problems_sends_the_case_back(cases: Cases, clock: FixedClock) -> None:
    case = major_case(cases, clock)
    key = cases.signer("reviewer")
    review(cases, case, key, opinion="problems_found")
    assert (
        "legal_review_passed"
        in refusal(
            cases.step(
                case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": BIG}
            )
        )[0]
    )
    review(cases, case, key)  # a resubmission is a new review
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )


def test_a_later_entry_makes_the_approval_stale(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    cases.step(case, "extend_decision_deadline", "head", reason="案情复杂", data={"calendar_days": 30})
    refused = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": BIG}
    )
    assert "legal_review_passed" in refusal(refused)[0]
    reviews = client.get(f"/api/v1/cases/{case['id']}/reviews", headers=auth("supervisor")).json()
    assert reviews[-1]["stale"] == ["case:decision_deadline:extended"]
    stale = client.get("/api/v1/audit/cases", headers=auth("supervisor")).json()
    assert [line["stale_review"] for line in stale if line["case_id"] == case["id"]] == [
        ["case:decision_deadline:extended"]
    ]


def test_a_reviewer_who_investigated_the_case_is_refused(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    user = client.post(
        "/api/v1/users",
        headers=auth("admin"),
        json={"username": "dual", "roles": ["officer", "reviewer"], "password": "p" * 16},
    ).json()
    officer = client.post(
        "/api/v1/officers", headers=auth("admin"), json={"name": "兼职审核员", "unit": "office", "user_id": user["id"]}
    ).json()
    client.post(
        f"/api/v1/officers/{officer['id']}/legal-qualification",
        headers=auth("admin"),
        json={"number": "A2020000001", "obtained_on": "2020-10-01"},
    )
    client.post(
        f"/api/v1/officers/{officer['id']}/certificates",
        headers=auth("head"),
        json={
            "number": "渝DUAL1",
            "issuer": "x",
            "issued_on": "2026-05-01",
            "expires_on": "2028-05-01",
            "scope_categories": ["solid_waste"],
        },
    )
    case = major_case(cases, clock)
    cases.step(case, "request_legal_review", data={})
    # the dual-role user had inspected the scene
    case2 = cases.open(officers=[officer["id"]])
    cases.step(case2, "approve_filing", "head")
    cases.step(case2, "record_inspection", officers=[officer["id"]], data={"place": "x", "summary": "y"})
    cases.step(case2, "close_investigation", officers=cases.with_second(), data={"report": "r"})
    cases.step(case2, "intend_penalty", "head", data={"penalty": fine(30000)})
    cases.step(
        case2, "serve_prior_notice", officers=cases.with_second(), data={"notice": NOTICE | {"penalty": fine(30000)}}
    )
    clock.advance(days=8)
    cases.step(case2, "conclude_party_hearing")
    requested = cases.step(case2, "request_legal_review", data={})
    review_id = requested["file"]["reviews"][-1]["review_id"]
    refused = client.post(f"/api/v1/cases/{case2['id']}/reviews/{review_id}/take", headers=auth("dual"))
    assert refused.status_code == 409
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第58条"


def test_an_unqualified_first_time_reviewer_is_refused(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    client.post(
        "/api/v1/users", headers=auth("admin"), json={"username": "novice", "roles": ["reviewer"], "password": "p" * 16}
    )
    case = major_case(cases, clock)
    review_id = cases.step(case, "request_legal_review", data={})["file"]["reviews"][-1]["review_id"]
    refused = client.post(f"/api/v1/cases/{case['id']}/reviews/{review_id}/take", headers=auth("novice"))
    assert refused.status_code == 409
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第58条第2款"


@pytest.fixture
def recorded(cases: Cases, clock: FixedClock) -> tuple[dict[str, Any], str]:
    case = major_case(cases, clock)
    review_id = cases.step(case, "request_legal_review", data={})["file"]["reviews"][-1]["review_id"]
    base = f"/api/v1/cases/{case['id']}/reviews/{review_id}"
    cases.client.post(f"{base}/take", headers=cases.auth("reviewer"))
    cases.client.post(f"{base}/opinion", headers=cases.auth("reviewer"), json={"checks": CHECKS, "opinion": "agree"})
    return case, base


def submit(cases: Cases, base: str, kid: str, signature: bytes, who: str = "reviewer") -> Any:
    return cases.client.post(
        f"{base}/signature",
        headers=cases.auth(who),
        json={"key_id": kid, "signature": base64.b64encode(signature).decode()},
    )


def test_forged_wrong_key_and_replayed_signatures_are_refused(
    cases: Cases, recorded: tuple[dict[str, Any], str]
) -> None:
    case, base = recorded
    key = cases.signer("reviewer")
    _, kid = public_key_of(key)
    statement = base64.b64decode(
        cases.client.get(f"{base}/statement", headers=cases.auth("reviewer")).json()["statement"]
    )
    forged = submit(cases, base, kid, b"\x01" * 64)
    assert forged.status_code == 422
    wrong_key = submit(cases, base, kid, Ed25519PrivateKey.generate().sign(statement))
    assert wrong_key.status_code == 422
    other = cases.signer("head")
    _, other_kid = public_key_of(other)
    assert submit(cases, base, other_kid, other.sign(statement)).status_code == 403  # not the reviewer's key
    malformed = cases.client.post(
        f"{base}/signature", headers=cases.auth("reviewer"), json={"key_id": kid, "signature": "not base64!"}
    )
    assert malformed.status_code == 422
    accepted = submit(cases, base, kid, key.sign(statement))
    assert accepted.status_code == 200
    assert submit(cases, base, kid, key.sign(statement)).status_code == 409  # replayed
    # and the same signature offered for another statement does not verify
    cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})
    decision = f"/api/v1/cases/{case['id']}/signoffs/decision"
    head_key = cases.signer("head")
    _, head_kid = public_key_of(head_key)
    replayed = cases.client.post(
        f"{decision}/signature",
        headers=cases.auth("head"),
        json={"key_id": head_kid, "signature": base64.b64encode(head_key.sign(statement)).decode()},
    )
    assert replayed.status_code == 422


def test_an_unapproved_key_cannot_sign(cases: Cases, recorded: tuple[dict[str, Any], str]) -> None:
    _, base = recorded
    key = Ed25519PrivateKey.generate()
    public, kid = public_key_of(key)
    cases.client.post("/api/v1/signing-keys", headers=cases.auth("reviewer"), json={"public_key": public})
    statement = base64.b64decode(
        cases.client.get(f"{base}/statement", headers=cases.auth("reviewer")).json()["statement"]
    )
    assert submit(cases, base, kid, key.sign(statement)).status_code == 403


def test_a_signature_made_by_caseledger_sign_is_accepted(
    cases: Cases,
    recorded: tuple[dict[str, Any], str],
    app: FastAPI,
    token: Callable[[str], str],
    cli: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case, base = recorded
    key_file = tmp_path / "reviewer.pem"
    made = cli("keygen", "--out", str(key_file))
    assert made.exit_code == 0, made.output
    public = made.output.split("public key: ")[1].split()[0]
    registered = cases.client.post("/api/v1/signing-keys", headers=cases.auth("reviewer"), json={"public_key": public})
    cases.client.post(f"/api/v1/signing-keys/{registered.json()['id']}/approve", headers=cases.auth("admin"))
    # The command talks HTTP to a server; here the server is the app under test.
    monkeypatch.setattr(service.cli.httpx, "Client", lambda base_url, timeout: TestClient(app, base_url=base_url))
    monkeypatch.setenv("CASELEDGER_TOKEN", token("reviewer"))
    review_id = base.rsplit("/", 1)[1]
    signed = cli(
        "sign",
        "--key",
        str(key_file),
        "--case",
        case["id"],
        "--review",
        review_id,
        "--yes",
        "--server",
        "http://testserver",
    )
    assert signed.exit_code == 0, signed.output
    assert "signature accepted" in signed.output
    assert cases.client.get(f"/api/v1/cases/{case['id']}/reviews", headers=cases.auth("head")).json()[-1]["signed"]


def test_collective_discussion_needs_a_quorum_and_the_chairs_signature(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = major_case(cases, clock)
    client.post(
        f"/api/v1/cases/{case['id']}/major", headers=auth("officer1"), json={"major": True, "reason": "社会影响大"}
    )
    review(cases, case, cases.signer("reviewer"))
    heads = {u: client.get("/api/v1/auth/me", headers=auth(u)).json()["user_id"] for u in ("head", "head2", "head3")}
    missing = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": BIG}
    )
    assert "collective_discussion_held" in refusal(missing)[0]
    too_few = {
        "held_on": "2026-06-12",
        "attendees": [heads["head"], heads["head2"]],
        "chair": heads["head"],
        "opinions": {heads["head"]: "同意", heads["head2"]: "同意"},
        "conclusion": "同意处罚",
    }
    assert cases.step(case, "record_collective_discussion", "head", expect=409, data=too_few)["article"].startswith(
        "《中华人民共和国行政处罚法》第57条"
    )
    quorum = too_few | {"attendees": list(heads.values()), "opinions": {h: "同意" for h in heads.values()}}
    cases.step(case, "record_collective_discussion", "head", data=quorum)
    unsigned = cases.step(
        case, "decide_penalty", "head", expect=409, data={"evidence": cases.evidence(case), "penalty": BIG}
    )
    assert "collective_discussion_held" in refusal(unsigned)[0]
    base = f"/api/v1/cases/{case['id']}/signoffs/collective_discussion"
    cases.sign("head2", cases.signer("head2"), f"{base}/statement", f"{base}/signature", expect=403)  # not the chair
    cases.sign("head", cases.signer("head"), f"{base}/statement", f"{base}/signature")
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )


def decided_and_served(cases: Cases, clock: FixedClock) -> dict[str, Any]:
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})
    cases.sign_decision(case, cases.signer("head"))
    cases.serve_decision(case)
    return case


def seal(client: TestClient, auth: Auth) -> None:
    """A supervisor has the agency's pending entries integrated and a checkpoint signed now."""
    signed = client.post("/api/v1/agencies/tiemen/ledger/checkpoint", headers=auth("supervisor"))
    assert signed.status_code == 200, signed.text


def test_the_supervisors_audit_verifies_history_signatures_and_inclusion(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    case = decided_and_served(cases, clock)
    unsealed = client.get(f"/api/v1/cases/{case['id']}/audit", headers=auth("supervisor"))
    # A GET signs nothing: until a checkpoint covers the case's latest entries, it says so and when to retry.
    assert unsealed.status_code == 409
    assert unsealed.json()["code"] == "not_yet_sealed"
    assert int(unsealed.headers["Retry-After"]) > 0
    seal(client, auth)
    audit = client.get(f"/api/v1/cases/{case['id']}/audit", headers=auth("supervisor"))
    assert audit.status_code == 200, audit.text
    body = audit.json()
    assert body["verified"] is True
    assert len(body["signatures"]) == 2  # the review opinion and the decision
    assert all(h["verifies"] and h["index"] is not None for h in body["history"])
    assert client.get(f"/api/v1/cases/{case['id']}/audit", headers=auth("head")).status_code == 403


def test_an_exported_bundle_verifies_offline_and_every_change_is_caught(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth, tmp_path: Path
) -> None:
    case = decided_and_served(cases, clock)
    seal(client, auth)
    response = client.post(
        f"/api/v1/cases/{case['id']}/export", json={"reason": "移送法院"}, headers=auth("supervisor")
    )
    assert response.status_code == 200, response.text
    bundle = response.content
    report = verify_bundle(bundle)
    assert report.entries > 10
    assert len(report.signatures) == 2
    summary = zipfile.ZipFile(io.BytesIO(bundle)).read("summary.txt").decode()
    assert "行政处罚案件电子案卷摘要" in summary

    path = tmp_path / "case.zip"
    path.write_bytes(bundle)
    ok = subprocess_verify(path)
    assert ok.returncode == 0, ok.stderr
    assert "sqlalchemy" not in ok.stdout  # the verifier ran on the pure modules only (see the helper)

    members = {
        i.filename: zipfile.ZipFile(io.BytesIO(bundle)).read(i) for i in zipfile.ZipFile(io.BytesIO(bundle)).infolist()
    }

    def rezip(files: dict[str, bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return buffer.getvalue()

    entry = sorted(p for p in members if p.startswith("entries/case-"))[3]
    evidence = next(p for p in members if p.startswith("evidence/"))
    signed = next(p for p in sorted(members) if p.startswith("entries/case-") and b"legal_review:signed" in members[p])
    changes = {
        "entry bytes": (entry, members[entry].replace(b'"seq":3', b'"seq":4')),
        "evidence file": (evidence, members[evidence] + b"x"),
        "signature": (signed, members[signed].replace(b'"signature":"', b'"signature":"A')),
        "proof": ("proofs.json", members["proofs.json"].replace(b'"index": 1', b'"index": 2', 1)),
        "checkpoint": ("checkpoint.txt", members["checkpoint.txt"].replace(b"\n\n", b"\nextra\n\n", 1)),
        "summary": ("summary.txt", members["summary.txt"] + b"!"),
    }
    for what, (name, data) in changes.items():
        tampered = dict(members) | {name: data}
        with pytest.raises(VerificationError) as caught:
            verify_bundle(rezip(tampered))
        assert name in caught.value.reason or "manifest" in caught.value.reason, (what, caught.value.reason)
    removed = {k: v for k, v in members.items() if k != evidence}
    with pytest.raises(VerificationError, match="removed"):
        verify_bundle(rezip(removed))
    added = dict(members) | {"notes.txt": b"hello"}
    with pytest.raises(VerificationError, match="added"):
        verify_bundle(rezip(added))


def subprocess_verify(path: Path) -> Any:
    """Run `caseledger verify-bundle` in a fresh interpreter and report which heavy modules it imported."""
    import subprocess
    import sys

    code = (
        f"import sys\nsys.argv=['caseledger','verify-bundle',{str(path)!r}]\nfrom service.entry import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code=e.code\n"
        "heavy=[m for m in ('sqlalchemy','fastapi','psycopg') if m in sys.modules]\n"
        "print('heavy:', heavy)\nsys.exit(code if not heavy else 3)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_deadlines_recounted_on_a_new_calendar_do_not_make_the_approval_stale(
    cases: Cases, clock: FixedClock, client: TestClient, auth: Auth
) -> None:
    # Filed in November 2026, the case's 90 days reach into 2027: provisional until the 2027 notice is loaded.
    clock.at = datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    case = major_case(cases, clock)
    review(cases, case, cases.signer("reviewer"))
    loaded = client.put("/api/v1/calendar/notices/2027", headers=auth("admin"), json=NOTICE_2027)
    assert loaded.status_code == 200, loaded.text
    assert [r["case_id"] for r in loaded.json()["revised"]] == [case["id"]]
    reviews = client.get(f"/api/v1/cases/{case['id']}/reviews", headers=auth("supervisor")).json()
    assert reviews[-1]["stale"] == []
    assert (
        cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": BIG})["state"]
        == "decided"
    )
