"""How a unit of work ends (``Database.end_transaction``): a failure rolls back, a write commits, and a read ends with a
commit of nothing. On PostgreSQL a rollback makes psycopg forget every statement it prepared on the connection, and
the steps that next use the pooled connection would parse and plan theirs again (bench/README.md, stop 43)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from service.agencies.models import Agency
from service.db import Database
from service.runtime import Runtime


def test_a_read_leaves_the_statements_its_connection_prepared(runtime: Runtime) -> None:
    if runtime.database.is_sqlite:
        pytest.skip("PostgreSQL only: statements prepared on the server (CASELEDGER_TEST_DATABASE_URL)")
    # A database of its own, used one transaction at a time: its pool's one connection, again and again.
    database = Database(runtime.settings.resolved_database_url)
    try:
        with database.transaction() as session:
            driver = session.connection().connection.driver_connection
            driver.execute("SELECT 1", prepare=True)  # type: ignore[union-attr]
        with database.transaction(write=False) as session:
            assert session.scalar(select(func.count()).select_from(Agency))
        with database.transaction(write=False) as session:
            assert session.connection().connection.driver_connection is driver
            assert session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one() == 1
    finally:
        database.dispose()


def test_a_read_that_changed_an_object_writes_nothing(runtime: Runtime) -> None:
    with runtime.database.transaction(write=False) as session:
        agency = session.scalars(select(Agency).where(Agency.code == "tiemen")).one()
        name = agency.name
        agency.name = "不该写入的名称"
    with runtime.database.transaction(write=False) as session:
        assert session.scalars(select(Agency.name).where(Agency.code == "tiemen")).one() == name


def test_a_failed_unit_of_work_writes_nothing(runtime: Runtime) -> None:
    def failing_request() -> None:
        with runtime.database.transaction() as session:
            session.scalars(select(Agency).where(Agency.code == "tiemen")).one().name = "失败时的名称"
            session.flush()
            raise RuntimeError("the request failed after its change")

    with pytest.raises(RuntimeError):
        failing_request()
    with runtime.database.transaction(write=False) as session:
        assert session.scalars(select(Agency.name).where(Agency.code == "tiemen")).one() != "失败时的名称"
