"""The request path does the least work: the statements and transactions of a case view, the case list and an
officer's step, counted on the test database's engines, have upper bounds (issue 19).

What is counted: every statement sent, except SQLite's ``BEGIN`` and ``PRAGMA`` and psycopg's own ``BEGIN`` and
``COMMIT``, and every transaction begun. On SQLite, the statements SQLAlchemy sends (``before_cursor_execute``); on
PostgreSQL, those psycopg's cursors execute, for the busiest statements go straight to psycopg there
(service/straight.py: a step's lock, the case with its principal, the officers; service/ledger/store.py: the append,
one statement writing the entry and moving the head, where SQLite's append is three). Before this work (same
counting, SQLite): a case view 7 statements in 2 transactions, the list of one case 7 in 2 (and more per case), an
inquiry 24 in 2 transactions; then 2 in 1, 2 in 1, 10 in 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import Engine, event

from service.agencies.service import get_agency_by_code
from service.auth.users import find_user, set_disabled
from service.runtime import Runtime
from tests.conftest import PASSWORD

from .driver import Cases

INQUIRY = {"place": "当事人家中", "summary": "当事人承认倾倒垃圾", "subject": "当事人"}


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def touching(self, table: str) -> list[str]:
        return [s for s in self.statements if f" {table}" in s or f"{table}." in s]


class StatementCounter:
    """Counts what the service sends to the database while ``counting()`` is open."""

    def __init__(self, runtime: Runtime) -> None:
        self.engines: list[Engine] = runtime.database.engines
        self.postgres = runtime.database.writer.dialect.name == "postgresql"
        self.current: Counted | None = None
        for engine in self.engines:
            if not self.postgres:
                # What sqlite3 itself runs: the statements SQLAlchemy sends and those sent on its cursor straight
                # (service/straight.py), every connection traced as it is taken from the pool.
                event.listen(engine, "checkout", self._trace)
            event.listen(engine, "begin", self._begin)
        self._execute = psycopg.Cursor.execute
        self._execute_async = psycopg.AsyncCursor.execute
        if self.postgres:
            # An engine's first connection asks the server what it is (its version, schema, settings): once per
            # process, not per request. Done now, before anything is counted.
            for engine in self.engines:
                with engine.connect():
                    pass
            counter = self

            def execute(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
                counter._statement(None, cursor, str(query))
                return counter._execute(cursor, query, *args, **kwargs)

            psycopg.Cursor.execute = execute  # type: ignore[method-assign]

            # And those a route on the event loop awaits (service/loop_reads.py).
            async def execute_async(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
                counter._statement(None, cursor, str(query))
                return await counter._execute_async(cursor, query, *args, **kwargs)

            psycopg.AsyncCursor.execute = execute_async  # type: ignore[method-assign]

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if self.current is not None and not statement.startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            self.current.statements.append(" ".join(statement.split()))

    def _trace(self, connection: Any, *_: Any) -> None:
        connection.set_trace_callback(lambda statement: self._statement(None, None, statement))

    def _begin(self, _conn: Any) -> None:
        if self.current is not None:
            self.current.transactions += 1

    @contextmanager
    def counting(self) -> Iterator[Counted]:
        self.current = Counted()
        try:
            yield self.current
        finally:
            self.current = None

    def close(self) -> None:
        psycopg.Cursor.execute = self._execute  # type: ignore[method-assign]
        psycopg.AsyncCursor.execute = self._execute_async  # type: ignore[method-assign]
        for engine in self.engines:
            if not self.postgres:
                event.remove(engine, "checkout", self._trace)
            event.remove(engine, "begin", self._begin)


@pytest.fixture
def counter(runtime: Runtime) -> Iterator[StatementCounter]:
    counter = StatementCounter(runtime)
    yield counter
    counter.close()


def count(counter: StatementCounter, call: Callable[[], httpx.Response]) -> Counted:
    with counter.counting() as counted:
        response = call()
    assert response.status_code in (200, 201), response.text
    return counted


@pytest.fixture
def filed(cases: Cases) -> dict[str, Any]:
    case = cases.open()
    return cases.step(case, "approve_filing", "head")


def test_a_case_view_is_one_statement(cases: Cases, counter: StatementCounter, filed: dict[str, Any]) -> None:
    """The principal (user, agency code, revoked or not) and the case with its visibility and its agency (which
    carries the calendar notices in force), in one statement; nothing from the case's history, its officers' table
    or the calendar notices' table. (Before: 2 statements, and 7 in 2 transactions before that.)"""
    officer = cases.auth("officer1")
    counted = count(counter, lambda: cases.client.get(f"/api/v1/cases/{filed['id']}", headers=officer))
    # A reading transaction on SQLite; on PostgreSQL the statement runs on its own (autocommit), awaited on the
    # event loop's connection, none begun (service/loop_reads.py).
    assert counted.transactions == (0 if counter.postgres else 1)
    assert len(counted.statements) == 1, counted.statements
    assert not counted.touching("ledger_entries")
    # The officers' ids are on the case's row; a revoked token is an EXISTS in the principal's statement.
    read_apart = ("SELECT case_officers", "SELECT revoked_tokens", "SELECT calendar_notices", "SELECT officers")
    assert not [s for s in counted.statements if s.startswith(read_apart)]


def test_a_case_view_does_not_wait_for_a_connection_the_thread_pools_requests_hold(
    cases: Cases, runtime: Runtime, filed: dict[str, Any]
) -> None:
    """On PostgreSQL the view runs on the event loop (service/loop_reads.py): it awaits its statement on the
    loop's own connection, and is served while the pool the thread pool's reads use has none left."""
    if runtime.database.loop_reads is None:
        pytest.skip("SQLite: the view runs in the thread pool, as every route there")
    officer = cases.auth("officer1")
    view = f"/api/v1/cases/{filed['id']}"
    # Once first: a token the process has not seen yet is checked against its user in the thread pool.
    assert cases.client.get(view, headers=officer).status_code == 200
    engine = runtime.database.autocommit_reader
    assert engine is not None
    pool: Any = engine.pool
    held = [engine.connect() for _ in range(pool.size() + pool._max_overflow)]
    try:
        assert pool.checkedout() == len(held)
        answer = cases.client.get(view, headers=officer)
        assert answer.status_code == 200, answer.text
    finally:
        for connection in held:
            connection.close()


def test_a_case_view_costs_the_same_after_more_history(
    cases: Cases, counter: StatementCounter, filed: dict[str, Any]
) -> None:
    officer = cases.auth("officer1")
    before = count(counter, lambda: cases.client.get(f"/api/v1/cases/{filed['id']}", headers=officer))
    for _ in range(5):
        cases.step(filed, "record_inquiry", officers=cases.with_second(), data=INQUIRY)
    after = count(counter, lambda: cases.client.get(f"/api/v1/cases/{filed['id']}", headers=officer))
    assert len(after.statements) == len(before.statements), (before.statements, after.statements)


def test_the_case_list_does_not_read_per_case(cases: Cases, counter: StatementCounter, filed: dict[str, Any]) -> None:
    """Two statements whether the list holds one case or five: the principal, and the cases with their agency."""
    officer = cases.auth("officer1")
    one = count(counter, lambda: cases.client.get("/api/v1/cases", headers=officer))
    for _ in range(4):
        cases.open()
    five = count(counter, lambda: cases.client.get("/api/v1/cases", headers=officer))
    assert len(cases.client.get("/api/v1/cases", headers=officer).json()) == 5
    assert one.transactions == five.transactions == 1
    assert len(one.statements) <= 2, one.statements
    assert len(five.statements) == len(one.statements), five.statements


def test_the_deadline_list_does_not_read_per_case(
    cases: Cases, counter: StatementCounter, filed: dict[str, Any]
) -> None:
    """The same statements whether the list holds one case or five: the deadlines kept on the case rows come with
    them (service/cases/search.py), never read case by case; a case view does not fetch them at all."""
    officer = cases.auth("officer1")
    nearest = "/api/v1/deadlines?limit=2"  # full after two cases: those after are read only to see they come later
    one = count(counter, lambda: cases.client.get(nearest, headers=officer))
    for _ in range(4):
        cases.step(cases.open(), "approve_filing", "head")
    five = count(counter, lambda: cases.client.get(nearest, headers=officer))
    assert len(cases.client.get(nearest, headers=officer).json()["deadlines"]) == 2
    assert len(five.statements) == len(one.statements), five.statements
    view = count(counter, lambda: cases.client.get(f"/api/v1/cases/{filed['id']}", headers=officer))
    assert not [s for s in view.statements if "next_due_on" in s or "deadlines_in_force" in s], view.statements


def test_an_inquiry_reads_the_case_once_and_its_officers_only_when_one_of_them_changed(
    cases: Cases, counter: StatementCounter, filed: dict[str, Any]
) -> None:
    """The case's stream lock (of the caller's agency, found in the same statement), then the principal with the
    case and its agency — whose officers' version says whether the officers its worker keeps (read at the filing)
    are still the database's — then the append and one update of the case. One transaction. After a change of an
    officer, the next step reads the agency's officers with their certificates and the certificates' events again,
    in one statement."""
    officer = cases.auth("officer1")
    second = cases.officer("officer2")

    def inquiry() -> Any:
        return cases.client.post(
            f"/api/v1/cases/{filed['id']}/steps/record_inquiry",
            headers=officer,
            json={"officers": [second], "data": INQUIRY},
        )

    counted = count(counter, inquiry)
    assert counted.transactions == 1
    # 2 reads (the stream's head locked first), the append — on SQLite 3 statements (the entry, the pending marker,
    # the head moved: the head is the one the lock read, not read again), on PostgreSQL one — and one UPDATE of the
    # case. Before: 10 and 6 (the principal read apart, the head taken again by the append, and on PostgreSQL
    # not counted), then 8 and 5 (the certificates read after the officers), then 7 and 5 (the officers read
    # on every step).
    bound = 4 if counter.postgres else 6
    assert len(counted.statements) <= bound, counted.statements
    assert len([s for s in counted.statements if s.startswith("SELECT users.") and " cases." in s]) == 1
    assert not [s for s in counted.statements if s.startswith("SELECT cases.")]
    assert not [s for s in counted.statements if s.startswith(("SELECT officers.", "SELECT certificates."))]
    assert len([s for s in counted.statements if s.startswith("UPDATE cases")]) == 1
    assert not [s for s in counted.statements if s.startswith("SELECT case_officers")]

    moved = cases.client.post(
        f"/api/v1/officers/{second}/legal-qualification",
        headers=cases.auth("admin"),
        json={"number": "法制审核0001", "obtained_on": "2026-01-05"},
    )
    assert moved.status_code == 200, moved.text
    again = count(counter, inquiry)
    officers = [s for s in again.statements if s.startswith("SELECT officers.")]
    assert len(officers) == 1, officers
    assert "certificate_events" in officers[0], officers
    assert not [s for s in again.statements if s.startswith("SELECT certificates.")]


# -- the case view reads its principal in its own statement: it answers every caller as any other route does -------

USERS = ("officer1", "officer2", "officer3", "reviewer", "head", "supervisor", "admin", "other-officer", "other-admin")


def test_the_case_view_shows_a_case_to_exactly_those_the_case_list_shows_it_to(
    cases: Cases, filed: dict[str, Any]
) -> None:
    """Visibility read in the view's one statement is the case list's (``visible_cases``): assigned officers and
    their unit, heads, reviewers and supervisors; not an officer of another unit (404), not another agency (404),
    and not a role without ``case:read`` (403, as from any route that requires it)."""
    answers = {}
    for user in USERS:
        view = cases.client.get(f"/api/v1/cases/{filed['id']}", headers=cases.auth(user))
        listed = cases.client.get("/api/v1/cases", headers=cases.auth(user))
        if view.status_code == 200:
            assert filed["id"] in [c["id"] for c in listed.json()], user
        else:
            assert listed.status_code != 200 or filed["id"] not in [c["id"] for c in listed.json()], user
            assert view.headers["content-type"] == "application/problem+json"
        answers[user] = view.status_code
    assert answers == {
        "officer1": 200,
        "officer2": 200,
        "officer3": 404,
        "reviewer": 200,
        "head": 200,
        "supervisor": 200,
        "admin": 403,
        "other-officer": 404,
        "other-admin": 403,
    }


def test_the_case_view_refuses_a_revoked_token_a_disabled_user_and_a_superseded_token_at_once(
    cases: Cases, runtime: Runtime, filed: dict[str, Any]
) -> None:
    """Nothing of the principal is kept between requests: each change is refused on the very next view (401)."""
    url = f"/api/v1/cases/{filed['id']}"

    def signed_in(user: str) -> dict[str, str]:
        answer = cases.client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    revoked = signed_in("officer1")
    assert cases.client.get(url, headers=revoked).status_code == 200
    assert cases.client.post("/api/v1/auth/logout", headers=revoked).status_code == 204
    assert cases.client.get(url, headers=revoked).status_code == 401

    superseded, other = signed_in("officer1"), signed_in("officer1")
    assert cases.client.get(url, headers=superseded).status_code == 200
    assert cases.client.post("/api/v1/auth/logout-everywhere", headers=other).status_code == 204
    assert cases.client.get(url, headers=superseded).status_code == 401

    disabled = signed_in("officer2")
    assert cases.client.get(url, headers=disabled).status_code == 200
    with runtime.database.transaction() as session:
        set_disabled(
            session,
            get_agency_by_code(session, "tiemen"),
            find_user(session, "officer2"),
            True,
            duties=runtime.roles.duties,
            actor="system:test",
            at=runtime.clock.now(),
        )
    assert cases.client.get(url, headers=disabled).status_code == 401
    assert cases.client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_step_reads_its_principal_under_the_case_lock_and_refuses_as_any_route_does(
    cases: Cases, runtime: Runtime, filed: dict[str, Any]
) -> None:
    """A step locks the case's stream, then reads the principal and the case in one statement: a revoked token, a
    disabled user (401), a role without ``case:read`` (403), a user of another agency or another unit (404) are
    refused and nothing is written."""
    url = f"/api/v1/cases/{filed['id']}/steps/record_inquiry"
    body = {"officers": cases.with_second(), "data": INQUIRY}

    def entries() -> int:
        return len(cases.client.get(f"/api/v1/cases/{filed['id']}/history", headers=cases.auth("head")).json())

    def signed_in(user: str) -> dict[str, str]:
        answer = cases.client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    assert cases.client.post(url, headers=cases.auth("officer1"), json=body).status_code == 200
    before = entries()
    revoked = signed_in("officer1")
    assert cases.client.post("/api/v1/auth/logout", headers=revoked).status_code == 204
    assert cases.client.post(url, headers=revoked, json=body).status_code == 401
    for user, status in (("admin", 403), ("other-officer", 404), ("officer3", 404)):
        assert cases.client.post(url, headers=cases.auth(user), json=body).status_code == status, user
    disabled = signed_in("officer1")
    with runtime.database.transaction() as session:
        set_disabled(
            session,
            get_agency_by_code(session, "tiemen"),
            find_user(session, "officer1"),
            True,
            duties=runtime.roles.duties,
            actor="system:test",
            at=runtime.clock.now(),
        )
    assert cases.client.post(url, headers=disabled, json=body).status_code == 401
    assert entries() == before


# -- a case's file is parsed once for each file its row holds ---------------------------------------------------


def test_a_case_file_is_parsed_once_per_file_and_anew_when_the_row_holds_another(
    runtime: Runtime, filed: dict[str, Any]
) -> None:
    """A step reads its case's typed file several times (the guards, the deadlines, the projection, the answer):
    it is parsed once; a projector's new file, or the row read again, is parsed anew — never a stale file."""
    from service.cases.models import Case

    with runtime.database.transaction(write=False) as session:
        case = session.get(Case, uuid.UUID(filed["id"]))
        assert case is not None
        first = case.case_file
        assert case.case_file is first
        assert first.state == "investigating"
        case.file = {**case.file, "state": "closed"}  # as a projector's ``keep_file`` does: a new object
        assert case.case_file is not first
        assert case.case_file.state == "closed"
        session.rollback()
