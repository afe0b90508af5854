"""Retries are safe: the same Idempotency-Key and body within 7 days get the first answer and write nothing new."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.cases import router as cases_router
from service.clock import FixedClock
from service.runtime import Runtime

from .driver import Cases
from .test_concurrent_steps import at_once, entries_of

Auth = Callable[[str], dict[str, str]]
FILE = {"officers": [], "data": {}}


def filing(client: TestClient, case: dict[str, Any], headers: dict[str, str], body: Any = FILE) -> Any:
    return client.post(f"/api/v1/cases/{case['id']}/steps/approve_filing", headers=headers, json=body)


def test_a_retried_step_returns_the_first_answer_byte_for_byte_and_writes_nothing(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, clock: FixedClock
) -> None:
    case = cases.open()
    headers = auth("head") | {"Idempotency-Key": "a4f1c2d0-filing"}
    first = filing(client, case, headers)
    assert first.status_code == 200, first.text
    clock.advance(minutes=5)  # the answer is not recomputed: its deadlines and steps are as first said
    again = filing(client, case, headers)
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert entries_of(runtime, "case:filing:approved") == 1
    assert entries_of(runtime, "case:number:assigned") == 1


def test_a_retried_registration_creates_one_case(cases: Cases, client: TestClient, auth: Auth) -> None:
    headers = auth("officer1") | {"Idempotency-Key": "register-1"}
    body = {
        "item_code": "CQ-TM-003",
        "title": "在村道旁倾倒生活垃圾",
        "party": {"party_type": "individual", "name": "张三"},
        "officers": [cases.officer("officer2")],
    }
    first = client.post("/api/v1/cases", headers=headers, json=body)
    again = client.post("/api/v1/cases", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert len(client.get("/api/v1/cases", headers=auth("head")).json()) == 1


def test_the_same_key_with_another_body_is_a_422(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    headers = auth("head") | {"Idempotency-Key": "k-1", "Accept-Language": "en"}
    assert filing(client, case, headers).status_code == 200
    other = filing(client, case, headers, {"officers": [], "data": {}, "reason": "另一理由"})
    assert other.status_code == 422
    assert "used for another request" in other.json()["detail"]


def test_a_key_belongs_to_its_user(cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    assert filing(client, case, auth("head") | {"Idempotency-Key": "shared"}).status_code == 200
    # Another user's retry with the same key is their own request: here a second filing, refused by the law.
    assert filing(client, case, auth("head2") | {"Idempotency-Key": "shared"}).status_code == 409


@pytest.mark.parametrize("key", ["", "has space", "x" * 201, "tab\tkey"])
def test_a_malformed_key_is_a_422(key: str, cases: Cases, client: TestClient, auth: Auth) -> None:
    case = cases.open()
    assert filing(client, case, auth("head") | {"Idempotency-Key": key}).status_code == 422


def test_a_crash_after_the_append_rolls_back_and_the_retry_does_it_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = cases.open()
    real = cases_router.case_out
    crashes = iter([True])

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        if next(crashes, False):
            raise RuntimeError("the process died between the append and the answer")
        return real(*args, **kwargs)

    monkeypatch.setattr(cases_router, "case_out", crash_once)
    headers = auth("head") | {"Idempotency-Key": "crash-1"}
    with pytest.raises(RuntimeError):
        filing(client, case, headers)
    assert entries_of(runtime, "case:filing:approved") == 0  # nothing half-written
    retried = filing(client, case, headers)
    assert retried.status_code == 200, retried.text
    assert filing(client, case, headers).content == retried.content
    assert entries_of(runtime, "case:filing:approved") == 1


def test_concurrent_retries_with_one_key_do_the_work_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    headers = auth("head") | {"Idempotency-Key": "burst"}
    responses = at_once(8, lambda: filing(client, case, headers))
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert entries_of(runtime, "case:filing:approved") == 1


def test_a_retried_evidence_upload_records_the_evidence_once(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    params = {"kind": "audio_visual", "description": "现场照片", "officers": [cases.officer("officer2")]}
    headers = auth("officer1") | {"Idempotency-Key": "photo-1"}
    first = client.post(f"/api/v1/cases/{case['id']}/evidence", params=params, content=b"photo", headers=headers)
    again = client.post(f"/api/v1/cases/{case['id']}/evidence", params=params, content=b"photo", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.content == first.content
    assert entries_of(runtime, "case:evidence:collected") == 1
    other = client.post(f"/api/v1/cases/{case['id']}/evidence", params=params, content=b"other", headers=headers)
    assert other.status_code == 422


def test_a_commit_that_fails_leaves_nothing_written_and_the_next_request_works(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request's transaction ends after the endpoint returns (``service/auth/deps.py``): a commit refused
    then (the database gone away, a constraint checked at commit) is rolled back, the request fails, nothing of
    it is written, and the connection is not left in a broken transaction for the next request."""
    from sqlalchemy.orm import Session

    case = cases.open()
    real = Session.commit
    failures = iter([True])

    def commit_fails_once(self: Session) -> None:
        if next(failures, False):
            raise RuntimeError("the database refused the commit")
        real(self)

    monkeypatch.setattr(Session, "commit", commit_fails_once)
    with pytest.raises(RuntimeError):
        filing(client, case, auth("head"))
    assert entries_of(runtime, "case:filing:approved") == 0
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auth("head")).json()["state"] == "registered"
    again = filing(client, case, auth("head"))
    assert again.status_code == 200, again.text
    assert entries_of(runtime, "case:filing:approved") == 1
