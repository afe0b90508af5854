"""A step's officers and their certificates come from what the worker keeps of its agency's officers while none of
them changed (service/officers/service.py, ``officers_with_certificates``): the agency's officers' version, read with
the case, moves with every entry of an officer's stream — a registration, a certificate issued, suspended, revoked —
and a step after any of them judges the officers as the database now holds them (行政处罚法 第四十二条)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.agencies.models import Agency
from service.agencies.service import get_agency_by_code
from service.ledger.models import LedgerEntry
from service.officers import service as officers_service
from service.officers.service import officers_with_certificates
from service.runtime import Runtime
from service.straight import Straight

from .driver import Cases

Auth = Callable[[str], dict[str, str]]
INQUIRY = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often each statement reading officers ran: one step's officers, or every officer of the agency."""
    counted = {"step": 0, "agency": 0}
    for name, statement in (
        ("step", officers_service._OFFICERS_WITH_CERTIFICATES),
        ("agency", officers_service._AGENCY_OFFICERS_WITH_CERTIFICATES),
    ):

        def rows(connection: Any, params: Any, name: str = name, statement: Straight = statement) -> Any:
            counted[name] += 1
            return Straight.rows(statement, connection, params)

        monkeypatch.setattr(statement, "rows", rows)
    return counted


def _version(runtime: Runtime) -> int:
    with runtime.database.transaction(write=False) as session:
        return get_agency_by_code(session, "tiemen").officers_version


def _certificate_of(client: TestClient, auth: Auth, officer_id: str) -> str:
    officer = client.get(f"/api/v1/officers/{officer_id}", headers=auth("head")).json()
    return str(officer["certificates"][0]["id"])


def test_steps_judge_their_officers_on_what_the_worker_keeps_until_one_changes(
    cases: Cases, client: TestClient, auth: Auth, reads: dict[str, int]
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    for _ in range(3):
        cases.step(case, "record_inquiry", officers=cases.with_second(), data=INQUIRY)
    assert reads == {"step": 0, "agency": 1}  # read once, by the first step after the agency's officers were kept

    # officer2's certificate suspended: the next step reads the officers again, and refuses (第四十二条).
    certificate = _certificate_of(client, auth, cases.officer("officer2"))
    suspended = client.post(
        f"/api/v1/certificates/{certificate}/suspend", headers=auth("head"), json={"reason": "考核"}
    )
    assert suspended.status_code == 200, suspended.text
    refused = cases.step(case, "record_inquiry", expect=409, officers=cases.with_second(), data=INQUIRY)
    assert "two_qualified_officers" in [f["guard"] for f in refused["failures"]]
    assert "suspended" in str(refused)
    # One sentence: the officer's problem, then the count, each named once (no "。；").
    [failure] = [f for f in refused["failures"] if f["guard"] == "two_qualified_officers"]
    assert "起被暂扣；具有执法资格的执法人员1人，不得少于2人。" in failure["reason_zh"]
    assert "Beijing time; 1 qualified officer(s) act" in failure["reason_en"]
    assert reads["agency"] == 2

    reinstated = client.post(
        f"/api/v1/certificates/{certificate}/reinstate", headers=auth("head"), json={"reason": "重新考核合格"}
    )
    assert reinstated.status_code == 200, reinstated.text
    cases.step(case, "record_inquiry", officers=cases.with_second(), data=INQUIRY)
    assert reads["agency"] == 3


def test_an_officer_registered_and_certified_is_seen_by_the_next_step(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    case = cases.open()
    cases.step(case, "approve_filing", "head")
    cases.step(case, "record_inquiry", officers=cases.with_second(), data=INQUIRY)  # the officers kept
    before = _version(runtime)
    newcomer = client.post("/api/v1/officers", headers=auth("admin"), json={"name": "新队员", "unit": "brigade"})
    assert newcomer.status_code == 201, newcomer.text
    officer = newcomer.json()["id"]
    # Not yet certified: not qualified.
    refused = cases.step(case, "record_inquiry", expect=409, officers=[officer], data=INQUIRY)
    assert "two_qualified_officers" in [f["guard"] for f in refused["failures"]]
    certificate = {
        "number": "渝KEPT0001",
        "issuer": "重庆市梁平区人民政府",
        "issued_on": "2026-01-05",
        "expires_on": "2028-12-31",
        "scope_categories": ["solid_waste"],
    }
    issued = client.post(f"/api/v1/officers/{officer}/certificates", headers=auth("head"), json=certificate)
    assert issued.status_code == 201, issued.text
    assert _version(runtime) == before + 2  # registered, certified
    cases.step(case, "record_inquiry", officers=[officer], data=INQUIRY)


def test_the_version_counts_the_entries_of_the_agencys_officers_streams(runtime: Runtime) -> None:
    """As the migration that added it computes it for the agencies that had officers already (0029)."""
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen")
        counted = session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.agency_id == agency.id, LedgerEntry.stream.like("officer:%"))
        )
        assert agency.officers_version == counted > 0


def test_what_is_kept_answers_as_the_statement_does(cases: Cases, runtime: Runtime) -> None:
    """The caller's officer and those named that exist, with their certificates and histories in order; an id of
    no officer is not found either way; a user with no officer has none."""
    named = [uuid.UUID(cases.officer("officer2")), uuid.UUID(cases.officer("officer3")), uuid.uuid4()]
    me = cases.client.get("/api/v1/auth/me", headers=cases.auth("officer1")).json()["user_id"]
    admin = cases.client.get("/api/v1/auth/me", headers=cases.auth("admin")).json()["user_id"]
    with runtime.database.transaction(write=False) as session:
        agency = get_agency_by_code(session, "tiemen")
        for user in (uuid.UUID(me), uuid.UUID(admin)):
            for ids in (named, named[:1], []):
                statement = officers_with_certificates(session, user, ids)
                kept = officers_with_certificates(session, user, ids, agency)
                assert kept[0] == statement[0]
                assert {k: [(t, list(c)) for t, c in v] for k, v in kept[1].items()} == {
                    k: [(t, list(c)) for t, c in v] for k, v in statement[1].items()
                }
        assert len(officers_with_certificates(session, uuid.UUID(me), named, agency)[0]) == 3  # officer1, 2, 3


def test_a_transaction_that_changed_an_officer_keeps_nothing_of_what_it_sees(
    cases: Cases, client: TestClient, auth: Auth, runtime: Runtime, reads: dict[str, int]
) -> None:
    """Its version is not yet anyone else's: were it kept and the transaction rolled back, another change would
    reach the same version with other officers."""
    cases.officer("officer2")
    officer2 = uuid.UUID(cases.officer("officer2"))
    with runtime.database.transaction() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "tiemen")).one()
        agency.officers_version += 1  # as an officer's entry moves it, in this transaction
        officers_with_certificates(session, uuid.uuid4(), [officer2], agency)
        session.rollback()
    assert reads == {"step": 1, "agency": 0}
