"""Statements run straight through psycopg (service/straight.py) give the rows SQLAlchemy gives.

On PostgreSQL the straight path is psycopg's own cursor on the SQL compiled once (for the officers, with the ids as
one array), the other path the portable statement through SQLAlchemy: same rows, same Python types. On SQLite both
are SQLAlchemy's, so these tests then hold the portable statements to the answers a step reads.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from service.cases.service import _LOCK_CASE_OF_USER
from service.ledger.models import LedgerStream
from service.officers.service import _OFFICERS_WITH_CERTIFICATES, officers_with_certificates
from service.runtime import Runtime
from service.straight import Straight
from tests.officers.test_officers_api import Auth, issue, new_officer


def _through_sqlalchemy(connection: Connection, statement: Straight, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(statement.portable, params)]


def _typed(rows: Any) -> list[list[tuple[type, Any]]]:
    return [[(type(value), value) for value in row] for row in rows]


def test_a_steps_officers_with_their_certificate_histories_are_the_rows_sqlalchemy_reads(
    client: TestClient, auth: Auth, runtime: Runtime
) -> None:
    today = runtime.clock.now().date()
    named = new_officer(client, auth, name="核对队员")
    certificate = issue(client, auth, named["id"], today, scope_items=["CQ-TM-002"], territory="铁门乡")
    for action, body in [
        ("suspend", {"reason": "考核不合格"}),
        ("reinstate", {"reason": "重新考核合格"}),
        ("renew", {"reason": "到期换发", "expires_on": str(today + timedelta(days=900))}),
    ]:
        response = client.post(f"/api/v1/certificates/{certificate['id']}/{action}", headers=auth("head"), json=body)
        assert response.status_code == 200, response.text
    without = new_officer(client, auth, name="无证队员")
    officer1 = client.get("/api/v1/auth/me", headers=auth("officer1")).json()["user_id"]

    with runtime.database.transaction() as session:
        connection = session.connection()
        for user_id, ids in [
            (officer1, [named["id"], without["id"]]),
            (officer1, []),
            (str(uuid.uuid4()), [named["id"]]),
            (str(uuid.uuid4()), [str(uuid.uuid4())]),
        ]:
            params = {"user_id": uuid.UUID(user_id), "ids": [uuid.UUID(i) for i in ids]}
            straight = _OFFICERS_WITH_CERTIFICATES.rows(connection, params)
            assert _typed(straight) == _typed(_through_sqlalchemy(connection, _OFFICERS_WITH_CERTIFICATES, params))

        officers, certificates = officers_with_certificates(
            session, uuid.UUID(officer1), [uuid.UUID(named["id"]), uuid.UUID(without["id"])]
        )
    assert {str(o) for o in officers} >= {named["id"], without["id"]}
    assert uuid.UUID(without["id"]) not in certificates
    [(terms, events)] = certificates[uuid.UUID(named["id"])]
    assert terms.scope_items == ["CQ-TM-002"]
    assert terms.territory == "铁门乡"
    assert [e.kind for e in events] == ["issued", "suspended", "reinstated", "renewed"]
    assert events[1].reason == "考核不合格"
    assert events[1].effective_at.tzinfo is not None


def test_a_steps_stream_lock_reads_the_head_sqlalchemy_reads(client: TestClient, auth: Auth, runtime: Runtime) -> None:
    officer1 = client.get("/api/v1/auth/me", headers=auth("officer1")).json()["user_id"]
    with runtime.database.transaction() as session:
        stream = session.query(LedgerStream).first()
        assert stream is not None
        connection = session.connection()
        params = {"principal_user": uuid.UUID(officer1), "of_stream": stream.stream}
        row = _LOCK_CASE_OF_USER.first(connection, params)
        assert row is not None
        assert _typed([row]) == _typed(_through_sqlalchemy(connection, _LOCK_CASE_OF_USER, params))
        assert _LOCK_CASE_OF_USER.first(connection, {**params, "of_stream": "case:no-such-case"}) is None
