"""On PostgreSQL the case view runs on the event loop: its one statement awaited on the loop's own connection, the
rest done on the row with no I/O; a view that needs a read beyond it is answered in the thread pool, the same
(service/loop_reads.py). On SQLite it runs in the thread pool."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from service.cases import router
from service.cases import service as cases_service
from service.cases.models import Case
from service.catalogue import service as catalogue
from service.loop_reads import LoopReads, WouldBlock, offline_session
from service.runtime import Runtime
from tests.conftest import thread_pool_calls

from .driver import Cases


@pytest.fixture
def filed(cases: Cases) -> dict[str, Any]:
    return cases.step(cases.open(), "approve_filing", "head")


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case view's work sent to the thread pool, by name."""
    return thread_pool_calls(monkeypatch, router)


def test_a_case_view_is_answered_on_the_event_loop_on_postgresql_and_in_the_thread_pool_on_sqlite(
    cases: Cases, runtime: Runtime, filed: dict[str, Any], hops: list[str]
) -> None:
    view = f"/api/v1/cases/{filed['id']}"
    officer = cases.auth("officer1")
    assert cases.client.get(view, headers=officer).status_code == 200  # the token checked once, the caches filled
    hops.clear()
    answer = cases.client.get(view, headers=officer)
    assert answer.status_code == 200, answer.text
    assert hops == ([] if runtime.database.loop_reads is not None else ["_case_view_in_thread"])


def test_a_view_that_needs_a_read_beyond_its_statement_goes_to_the_thread_pool_and_answers_the_same(
    cases: Cases, runtime: Runtime, filed: dict[str, Any], hops: list[str]
) -> None:
    """A worker just started knows no catalogue item yet: the view's rules need the case's item read, which the
    loop does not wait for. That view is answered in the pool; the next, the item known, on the loop — the same
    answer both times."""
    if runtime.database.loop_reads is None:
        pytest.skip("SQLite: every view runs in the thread pool")
    view = f"/api/v1/cases/{filed['id']}"
    officer = cases.auth("officer1")
    cases.client.get(view, headers=officer)
    catalogue._KNOWN_ITEMS.clear()
    hops.clear()
    cold = cases.client.get(view, headers=officer)
    assert hops == ["_case_view_in_thread"]
    hops.clear()
    warm = cases.client.get(view, headers=officer)
    assert hops == []
    assert cold.status_code == warm.status_code == 200
    assert cold.json() == warm.json()
    assert cold.headers["etag"] == warm.headers["etag"]


def test_the_loop_answers_a_missing_case_and_a_disabled_user_as_the_pool_does(
    cases: Cases, runtime: Runtime, filed: dict[str, Any], hops: list[str]
) -> None:
    officer = cases.auth("officer1")
    cases.client.get(f"/api/v1/cases/{filed['id']}", headers=officer)
    hops.clear()
    missing = cases.client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=officer)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert hops == ([] if runtime.database.loop_reads is not None else ["_case_view_in_thread"])


def test_an_offline_session_holds_objects_and_refuses_to_read() -> None:
    session = offline_session()
    case = Case(id=uuid.uuid4())
    session.add(case)
    assert case in session
    with pytest.raises(WouldBlock):
        session.get(Case, uuid.uuid4())
    with pytest.raises(WouldBlock):
        session.execute(sa.select(sa.literal(1)))


def _postgres(runtime: Runtime) -> LoopReads:
    if runtime.database.loop_reads is None:
        pytest.skip("PostgreSQL's asyncio connections only")
    return runtime.database.loop_reads


def test_the_awaited_row_is_the_row_the_pool_reads(runtime: Runtime, cases: Cases, filed: dict[str, Any]) -> None:
    """The same values, of the same Python types: UUIDs, aware instants, JSON decoded, booleans."""
    reads = _postgres(runtime)
    with runtime.database.statements() as session:
        user = session.execute(sa.text("SELECT id FROM users WHERE username = 'officer1'")).scalar_one()
    params = {"principal_user": user, "principal_token": uuid.uuid4(), "case_id": uuid.UUID(filed["id"])}
    with runtime.database.statements() as session:
        pooled = cases_service.CASE_AS.first(session.connection(), params)

    async def awaited() -> Any:
        try:
            return await reads.first(cases_service.CASE_AS, params)
        finally:
            await reads.close()

    row = asyncio.run(awaited())
    assert pooled is not None
    assert row is not None
    assert tuple(row) == tuple(pooled)
    assert [type(v) for v in row] == [type(v) for v in pooled]


def test_a_loop_connection_the_server_closed_is_replaced_before_a_statement_uses_it(runtime: Runtime) -> None:
    reads = _postgres(runtime)
    backend = "SELECT pg_backend_pid()"

    class Pid:
        def sql_for(self, dialect: Any) -> str:
            return backend

    async def scenario() -> None:
        try:
            first = await reads.first(Pid(), {})  # type: ignore[arg-type]
            assert first is not None
            with runtime.database.transaction() as session:
                assert session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first[0]}).scalar_one()
            time.sleep(0.5)
            second = await reads.first(Pid(), {})  # type: ignore[arg-type]
            assert second is not None
            assert second[0] != first[0]
        finally:
            await reads.close()

    asyncio.run(scenario())


def test_statements_on_one_loop_take_the_connection_one_at_a_time(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From sending one to reading its last row: the check for a connection the server closed looks at its socket,
    which another statement's answer arriving meanwhile would fool."""
    reads = _postgres(runtime)
    real = LoopReads._rows
    active, most = [0], [0]

    async def watched(self: LoopReads, *args: Any) -> Any:
        active[0] += 1
        most[0] = max(most[0], active[0])
        try:
            return await real(self, *args)
        finally:
            active[0] -= 1

    monkeypatch.setattr(LoopReads, "_rows", watched)

    async def scenario() -> list[list[tuple[Any, ...]]]:
        try:
            return await asyncio.gather(
                *(reads.rows("SELECT %(n)s::int, pg_sleep(0.005)", {"n": n}) for n in range(12))
            )
        finally:
            await reads.close()

    answers = asyncio.run(scenario())
    assert [rows[0][0] for rows in answers] == list(range(12))
    assert most[0] == 1
