"""Statements run straight through psycopg (service/straight.py) give the rows SQLAlchemy gives.

On PostgreSQL the straight path is psycopg's own cursor on the SQL compiled once (for the officers, with the ids as
one array), the other path the portable statement through SQLAlchemy: same rows, same Python types. On SQLite both
are SQLAlchemy's, so these tests then hold the portable statements to the answers a step reads.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, event, inspect, select, text, update
from sqlalchemy.orm.exc import StaleDataError

from service.agencies.models import Agency
from service.cases.models import Case, CaseOfficer
from service.cases.service import _LOCK_CASE_OF_USER
from service.db import Database
from service.ledger.models import LedgerStream
from service.officers.service import (
    _AGENCY_OFFICERS_WITH_CERTIFICATES,
    _OFFICERS_WITH_CERTIFICATES,
    officers_with_certificates,
)
from service.runtime import Runtime
from service.straight import Straight, attached, loaded_columns, write_changed_row
from tests.cases.driver import Cases
from tests.officers.test_officers_api import Auth, issue, new_officer


def _through_sqlalchemy(connection: Connection, statement: Straight, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(statement.portable, params)]


def _typed(rows: Any) -> list[list[tuple[type, Any, Any]]]:
    """Each value with its type and, for an instant, its offset (equal instants at other offsets compare equal)."""
    return [[(type(v), v, v.utcoffset() if isinstance(v, datetime) else None) for v in row] for row in rows]


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
        # Every officer of the agency, as a worker keeps them.
        agency = {"agency_id": session.scalars(select(Agency.id).where(Agency.code == "tiemen")).one()}
        straight = _AGENCY_OFFICERS_WITH_CERTIFICATES.rows(connection, agency)
        assert len(straight) > 4
        assert _typed(straight) == _typed(_through_sqlalchemy(connection, _AGENCY_OFFICERS_WITH_CERTIFICATES, agency))

        officers, certificates = officers_with_certificates(
            session, uuid.UUID(officer1), [uuid.UUID(named["id"]), uuid.UUID(without["id"])]
        )
    assert {str(o) for o in officers} >= {named["id"], without["id"]}
    assert uuid.UUID(without["id"]) not in certificates
    [(terms, events)] = certificates[uuid.UUID(named["id"])]
    assert terms.scope_items == ("CQ-TM-002",)  # a tuple: what a worker keeps is never changed
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


def test_the_services_postgresql_sessions_speak_utc_whatever_the_servers_time_zone(
    client: TestClient, auth: Auth, runtime: Runtime, database_url: str
) -> None:
    """The straight path gets instants as psycopg gives them, in the session's time zone: the service's engines
    set it to UTC at connection start-up, over a deployment's own ``options``, which are kept."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no session time zone (CASELEDGER_TEST_DATABASE_URL)")
    officer = new_officer(client, auth, name="时区队员")
    issue(client, auth, officer["id"], runtime.clock.now().date())
    elsewhere = Database(f"{database_url}?options=-c%20TimeZone%3DAsia/Shanghai%20-c%20statement_timeout%3D54321")
    try:
        with elsewhere.transaction() as session:
            connection = session.connection()
            assert connection.execute(text("SHOW TimeZone")).scalar() == "UTC"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "54321ms"
            params = {"user_id": uuid.uuid4(), "ids": [uuid.UUID(officer["id"])]}
            [row] = _OFFICERS_WITH_CERTIFICATES.rows(connection, params)
            assert row[-6].utcoffset() == timedelta(0)  # the certificate event's effective_at
            assert _typed([row]) == _typed(_through_sqlalchemy(connection, _OFFICERS_WITH_CERTIFICATES, params))
        with elsewhere.statements() as session:
            assert session.execute(text("SHOW TimeZone")).scalar() == "UTC"
    finally:
        elsewhere.dispose()


def _retitled(runtime: Runtime, session: Any, case: Case) -> str:
    """The one statement the session's flush sends for a new title of ``case``."""
    sent: list[str] = []
    listen = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(runtime.database.writer, "before_cursor_execute", listen)
    try:
        case.title = "改过的标题"
        session.flush()
    finally:
        event.remove(runtime.database.writer, "before_cursor_execute", listen)
    [update] = sent
    return update


def _a_case_row(session: Any) -> dict[str, Any]:
    row = session.execute(select(*(column for _, column in loaded_columns(Case)))).first()
    assert row is not None, "the test needs a case"
    return dict(zip([key for key, _ in loaded_columns(Case)], row, strict=True))


def test_a_row_read_straight_becomes_a_loaded_case_whose_changes_are_flushed_as_an_update_of_them(
    runtime: Runtime, cases: Cases
) -> None:
    cases.step(cases.open(), "approve_filing", "head")
    with runtime.database.transaction() as session:
        values = _a_case_row(session)
        session.expunge_all()
        case = attached(session, Case, values)
        assert inspect(case).persistent
        assert session.get(Case, values["id"]) is case  # in the identity map: no statement finds another
        assert not session.dirty
        assert case.title == values["title"]
        assert case.next_due_on is not None  # deferred: loaded when asked for, as after a query
        update = _retitled(runtime, session, case)
        assert update.startswith("UPDATE cases SET title="), update
        assert update.split(" WHERE ")[0].count("=") == 1, update  # only what changed
        session.rollback()
        assert inspect(case).expired  # as every object the rolled-back transaction held: read again when used
        assert case.title == values["title"]


def test_a_case_the_session_holds_is_kept_as_a_query_keeps_it_or_refreshed_as_populate_existing_does(
    runtime: Runtime, cases: Cases
) -> None:
    cases.open()
    with runtime.database.transaction() as session:
        values = _a_case_row(session)
        held = session.get(Case, values["id"])
        assert held is not None
        held.title = "未保存的改动"
        kept = attached(session, Case, {**values, "version": values["version"] + 1})
        assert kept is held  # as a query keeps what the session holds
        assert held.title == "未保存的改动"
        assert session.is_modified(held)
        again = attached(session, Case, {**values, "version": values["version"] + 1}, refresh=True)
        assert again is held
        assert held.title == values["title"]
        assert held.version == values["version"] + 1
        assert not session.is_modified(held)  # the row's values are its committed state: nothing to flush
        session.rollback()


def _row_of(session: Any, case_id: uuid.UUID) -> dict[str, Any]:
    """The case's row as SQLAlchemy reads it, deferred columns and all."""
    columns = [a.columns[0] for a in Case.__mapper__.column_attrs]
    row = session.connection().execute(select(*columns).where(Case.id == case_id)).one()
    return {column.key: value for column, value in zip(columns, row, strict=True)}


def _change(case: Case) -> None:
    """A projector's kind of change: the file, the state, an instant at another offset, a deferred column."""
    case.keep_file(case.case_file.with_changes(major=True))
    case.state = "investigating"
    case.updated_at = datetime(2026, 12, 4, 20, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    case.next_due_on = date(2027, 1, 4)


def test_a_projectors_change_of_one_row_is_written_as_the_update_sqlalchemy_would_send(
    runtime: Runtime, cases: Cases
) -> None:
    case_id = uuid.UUID(cases.step(cases.open(), "approve_filing", "head")["id"])
    with runtime.database.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        _change(case)
        session.flush()
        flushed = _row_of(session, case_id)
        session.rollback()
    with runtime.database.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        _change(case)
        assert write_changed_row(session)
        assert not session.dirty
        assert not inspect(case).modified
        assert inspect(case).persistent
        assert case.version == flushed["version"]
        assert _typed([tuple(_row_of(session, case_id).values())]) == _typed([tuple(flushed.values())])
        # A later change is the ORM's again, an UPDATE of that change only.
        update = _retitled(runtime, session, case)
        assert update.startswith("UPDATE cases SET title="), update
        session.rollback()


def test_what_is_not_changed_columns_of_one_row_is_left_to_the_flush(runtime: Runtime, cases: Cases) -> None:
    first, second = (uuid.UUID(cases.open()["id"]) for _ in range(2))
    with runtime.database.transaction() as session:
        one, other = session.get(Case, first), session.get(Case, second)
        assert one is not None
        assert other is not None
        assert not write_changed_row(session)  # nothing to write
        one.title = one.title  # set, but to the value it had
        assert not write_changed_row(session)
        one.title, other.title = "甲", "乙"  # two rows
        assert not write_changed_row(session)
        assert set(session.dirty) == {one, other}  # nothing was done
        session.rollback()


def test_a_row_gone_from_under_its_object_is_refused_as_the_orms_flush_refuses_it(
    runtime: Runtime, cases: Cases
) -> None:
    case_id = uuid.UUID(cases.open()["id"])
    with runtime.database.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        # Another key under the loaded object (its officers' rows first, which point at it).
        # (Statements of the tables, not of the ORM's entities: those would move the loaded object along.)
        officers, cases_table = CaseOfficer.__table__, Case.__table__
        session.execute(delete(officers).where(officers.c.case_id == case_id))
        session.execute(update(cases_table).where(cases_table.c.id == case_id).values(id=uuid.uuid4()))
        case.title = "改过的标题"
        with pytest.raises(StaleDataError, match="matched 0 rows"):
            write_changed_row(session)
        session.rollback()
