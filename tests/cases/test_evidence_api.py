"""Evidence: streamed upload hashed on the way in, typed by art. 46, custody as entries; tampering caught."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from alembic import command
from service.clock import FixedClock
from service.config import Settings
from service.evidence.store import EvidenceStore
from service.migrations import alembic_config
from tests.console.helpers import sign_in

from .driver import Cases
from .test_case_api import fine, to_party_heard

Auth = Callable[[str], dict[str, str]]
PHOTO = b"\x89PNG\r\n\x1a\n" + b"scene photo " * 1000


def upload(client: TestClient, auth: Auth, case_id: str, officer2: str, body: bytes = PHOTO, **params: Any) -> Any:
    query = {
        "kind": "audio_visual",
        "description": "现场照片",
        "filename": "scene.png",
        "officers": [officer2],
    } | params
    return client.post(
        f"/api/v1/cases/{case_id}/evidence",
        params=query,
        content=body,
        headers=auth("officer1") | {"Content-Type": "image/png"},
    )


def test_evidence_is_hashed_on_the_way_in_and_its_custody_recorded(
    cases: Cases,
    client: TestClient,
    auth: Auth,
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    response = upload(client, auth, case["id"], cases.officer("officer2"))
    assert response.status_code == 201, response.text
    evidence = response.json()
    assert evidence["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert evidence["size"] == len(PHOTO)
    download = client.get(f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/file", headers=auth("head"))
    assert download.content == PHOTO
    for event, officers in (("preserved", []), ("transferred", []), ("returned", [cases.officer("officer2")])):
        changed = client.post(
            f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/custody",
            headers=auth("officer1"),
            json={"event": event, "holder": "证物室", "note": event, "officers": officers},
        )
        assert changed.status_code == 200, changed.text
    again = client.post(
        f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/custody",
        headers=auth("officer1"),
        json={"event": "destroyed", "holder": "x"},
    )
    assert again.status_code == 409  # returned evidence has left the agency's hands
    assert again.json()["detail"] == "该证据已退还，不能再变更保管"  # the event named in Chinese, not its code
    unknown = client.post(
        f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/custody",
        headers=auth("officer1"),
        json={"event": "lost", "holder": "x"},
    )
    assert unknown.status_code == 422
    assert "destroyed（销毁）" in unknown.json()["detail"]
    listed = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("officer2")).json()
    assert [c["event"] for c in listed[0]["custody_history"]] == ["collected", "preserved", "transferred", "returned"]
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json()
    assert history[2]["body"]["sha256"] == evidence["sha256"]


def test_evidence_kinds_are_the_eight_of_article_46(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    refused = upload(client, auth, case["id"], cases.officer("officer2"), kind="rumour")
    assert refused.status_code == 422


def test_no_evidence_is_collected_once_the_case_is_decided_and_the_refusal_names_the_state(
    cases: Cases, client: TestClient, auth: Auth, clock: FixedClock
) -> None:
    case = to_party_heard(cases, clock)
    cases.step(case, "decide_penalty", "head", data={"evidence": cases.evidence(case), "penalty": fine(30000)})
    refused = upload(client, auth, case["id"], cases.officer("officer2"))
    assert refused.status_code == 409
    assert refused.json()["detail"] == "案件处于“已作出处理决定”状态，不再收集证据"
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第54条"
    # The console offers no upload there, and says why.
    sign_in(client, "officer1")
    page = client.get(f"/cases/{case['id']}").text
    assert 'id="no-collecting"' in page
    assert 'class="card upload"' not in page


def test_evidence_needs_two_qualified_officers(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    refused = upload(client, auth, case["id"], cases.officer("officer3"))
    assert refused.status_code == 409
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第42条"


def custody(client: TestClient, auth: Auth, case: dict[str, Any], evidence: dict[str, Any], **body: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/custody",
        headers=auth(body.pop("user", "officer1")),
        json={"holder": "证物室"} | body,
    )


def test_evidence_leaves_the_agency_only_by_two_qualified_officers_who_are_recorded(
    cases: Cases, client: TestClient, auth: Auth, cli: Callable[..., Any], integrate: Callable[..., Any]
) -> None:
    """Returned or destroyed, evidence leaves the agency's hands for good: two officers qualified for the case's
    item do it together (第四十二条; the release of a seizure as the seizure, 行政强制法 第十八条第二项), as they
    collected it, and say in the note what lets it go (the decision, the law). One alone, or with an officer not
    qualified, is refused with the article; without the note, asked for it; either way nothing is written.
    Every link names the officers who handled it, and the replay of the ledger gives the same."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    evidence = upload(client, auth, case["id"], cases.officer("officer2")).json()
    entries = len(client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json())
    for event in ("returned", "destroyed"):
        alone = custody(client, auth, case, evidence, event=event, note="解除扣押决定")
        assert alone.status_code == 409, alone.text
        assert alone.json()["article"] == "《中华人民共和国行政处罚法》第42条"
        assert alone.json()["guard"] == "two_qualified_officers"
        assert "不得少于2人" in alone.json()["detail"]
    no_basis = custody(client, auth, case, evidence, event="returned", officers=[cases.officer("officer2")])
    assert no_basis.status_code == 422, no_basis.text
    assert no_basis.json()["detail"] == "证据退还须在备注中写明依据（处理决定或法律规定）"
    unqualified = custody(
        client, auth, case, evidence, event="destroyed", officers=[cases.officer("officer3")], note="依法销毁"
    )
    assert unqualified.status_code == 409, unqualified.text
    assert len(client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json()) == entries

    # Kept within the agency, custody is recorded by one qualified officer; a second may be named.
    assert custody(client, auth, case, evidence, event="preserved").status_code == 200
    both = [cases.officer("officer1"), cases.officer("officer2")]
    destroyed = custody(client, auth, case, evidence, event="destroyed", officers=[both[1]], note="依法销毁")
    assert destroyed.status_code == 200, destroyed.text
    history = destroyed.json()["custody_history"]
    assert [(c["event"], c["officers"]) for c in history] == [
        ("collected", both),
        ("preserved", both[:1]),
        ("destroyed", both),
    ]
    entry = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("head")).json()[-1]
    assert entry["body"]["officers"] == both
    assert [(q["officer"], q["ok"]) for q in entry["body"]["qualifications"]] == [(o, True) for o in both]
    integrate(force_checkpoint=True)
    assert cli("verify").exit_code == 0  # the custody rows, their officers included, equal the replay's


def test_every_officer_named_in_a_custody_change_is_qualified_for_the_item(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    """Even kept within the agency, evidence is handled by enforcement officers qualified for the case's item
    (第四十二条): a custody change naming an officer who is not is refused, and nothing is written."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    evidence = upload(client, auth, case["id"], cases.officer("officer2")).json()
    refused = custody(client, auth, case, evidence, event="transferred", officers=[cases.officer("officer3")])
    assert refused.status_code == 409, refused.text
    assert refused.json()["article"] == "《中华人民共和国行政处罚法》第42条"
    assert "guard" not in refused.json()  # not the two officers' rule: one qualified officer may transfer it
    listed = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("officer2")).json()
    assert [c["event"] for c in listed[0]["custody_history"]] == ["collected"]


def test_a_retried_custody_change_returns_the_first_answer_and_records_one_link(
    cases: Cases, client: TestClient, auth: Auth
) -> None:
    """An officer in the field whose answer was lost sends the change again with the same Idempotency-Key: one
    link is recorded, the retry gets the first answer; the same key with another change is a 422."""
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    evidence = upload(client, auth, case["id"], cases.officer("officer2")).json()
    url = f"/api/v1/cases/{case['id']}/evidence/{evidence['id']}/custody"
    headers = auth("officer1") | {"Idempotency-Key": "transfer-1"}
    body = {"event": "transferred", "holder": "证物室"}
    first = client.post(url, headers=headers, json=body)
    again = client.post(url, headers=headers, json=body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == first.content
    assert [c["event"] for c in first.json()["custody_history"]] == ["collected", "transferred"]
    listed = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("officer2")).json()
    assert [c["event"] for c in listed[0]["custody_history"]] == ["collected", "transferred"]
    other = client.post(url, headers=headers, json=body | {"holder": "档案室"})
    assert other.status_code == 422


def test_a_database_from_before_custody_named_its_officers_gives_each_collection_its_collectors(
    cases: Cases,
    client: TestClient,
    auth: Auth,
    database_url: str,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    """Migration 0030 gives existing collected links the officers the evidence row names, as the projector now
    does: the replay and the live rows agree at once."""
    case = cases.open()
    evidence = upload(client, auth, case["id"], cases.officer("officer2")).json()
    config = alembic_config(database_url)
    command.downgrade(config, "0029_agency_officers_version")
    command.upgrade(config, "head")
    listed = client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("officer2")).json()
    assert listed[0]["custody_history"][0]["officers"] == evidence["collected_by"]
    assert evidence["collected_by"] == [cases.officer("officer1"), cases.officer("officer2")]
    integrate(force_checkpoint=True)
    assert cli("verify").exit_code == 0


def test_an_oversized_upload_is_refused_and_nothing_is_stored(
    cases: Cases,
    client: TestClient,
    auth: Auth,
    settings: Settings,
    app: Any,
) -> None:
    case = cases.open()
    limit = app.state.runtime.settings.max_upload_bytes
    app.state.runtime.settings.max_upload_bytes = 10_000  # a small limit for the test
    try:
        big = b"x" * 20_000

        def chunks() -> Any:
            for i in range(0, len(big), 4096):
                yield big[i : i + 4096]

        refused = client.post(
            f"/api/v1/cases/{case['id']}/evidence",
            params={"kind": "physical", "description": "x", "officers": [cases.officer("officer2")]},
            content=chunks(),
            headers=auth("officer1"),
        )
        assert refused.status_code == 413
    finally:
        app.state.runtime.settings.max_upload_bytes = limit
    stored = (
        [p for p in Path(settings.evidence_dir).rglob("*") if p.is_file()] if settings.evidence_dir.exists() else []
    )
    assert stored == []
    assert client.get(f"/api/v1/cases/{case['id']}/evidence", headers=auth("head")).json() == []


def test_verify_reports_a_modified_evidence_file(
    cases: Cases,
    client: TestClient,
    auth: Auth,
    settings: Settings,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    case = cases.open()
    evidence = upload(client, auth, case["id"], cases.officer("officer2")).json()
    integrate(force_checkpoint=True)
    assert cli("verify").exit_code == 0
    path = EvidenceStore(settings.evidence_dir).path_of(evidence["sha256"])
    path.chmod(0o600)
    path.write_bytes(PHOTO + b"edited")
    result = cli("verify")
    assert result.exit_code == 1
    assert f"evidence {evidence['id']}" in result.output
    assert "no longer match" in " ".join(result.output.split())


def test_lawful_erasure_keeps_the_ledger_verifying_and_is_reported(
    cases: Cases,
    client: TestClient,
    auth: Auth,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    case = cases.open()
    erased = client.post(
        f"/api/v1/cases/{case['id']}/party/erase",
        headers=auth("head"),
        json={"fields": ["id_number", "phone"], "reason": "保存期限届满"},
    )
    assert erased.status_code == 200, erased.text
    assert erased.json()["id_number"] is None
    integrate(force_checkpoint=True)
    result = cli("verify")
    assert result.exit_code == 0, result.output
    assert "id_number, phone lawfully erased" in " ".join(result.output.split())


def test_personal_data_edited_outside_the_service_is_caught(
    cases: Cases,
    runtime: Any,
    cli: Callable[..., Any],
    integrate: Callable[..., Any],
) -> None:
    import sqlalchemy as sa

    from service.cases.models import Party

    case = cases.open()
    integrate(force_checkpoint=True)
    with runtime.database.transaction() as session:
        session.execute(
            sa.update(Party).where(Party.id == sa.select(Party.id).limit(1).scalar_subquery()).values(name="王五")
        )
    result = cli("verify")
    assert result.exit_code == 1
    assert "name differs from what the ledger committed to" in " ".join(result.output.split())
    assert case
