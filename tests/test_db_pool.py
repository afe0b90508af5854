"""The pool replaces a PostgreSQL connection the server closed, without a round trip on every checkout
(service/db.py: a readable socket on an idle connection means the server has said goodbye)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from service.db import Database
from service.runtime import Runtime


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(runtime: Runtime) -> None:
    if runtime.database.is_sqlite:
        pytest.skip("PostgreSQL's connections only: SQLite has no server to close them")
    database = Database(runtime.settings.resolved_database_url)
    backend = sa.text("SELECT pg_backend_pid()")
    try:
        # A connection of each pool: the transactions', and the autocommit reads' of a case view or a proof.
        with database.transaction(write=False) as session:
            first = session.execute(backend).scalar_one()
        with database.statements() as session:
            first_autocommit = session.execute(backend).scalar_one()
        # Back in their pools; the server ends them (a restart, an administrator, an idle timeout would).
        with runtime.database.transaction() as session:
            for pid in (first, first_autocommit):
                assert session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        time.sleep(0.5)
        with database.transaction(write=False) as session:
            assert session.execute(backend).scalar_one() != first
        with database.statements() as session:
            assert session.execute(backend).scalar_one() != first_autocommit
    finally:
        database.dispose()


def test_the_look_for_a_closed_connection_works_past_select_s_1024_descriptors() -> None:
    """A busy server holds more than 1,024 descriptors (its clients' sockets): ``select`` refuses those, ``poll``
    does not."""
    import os
    import resource
    import socket

    from service.db import readable_now

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2048:
        pytest.skip(f"this process may hold only {hard} descriptors")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), hard))
    ours, theirs = socket.socketpair()
    high = os.dup2(ours.fileno(), 1500)
    try:
        assert not readable_now(high)
        theirs.sendall(b"goodbye")
        assert readable_now(high)
    finally:
        os.close(high)
        ours.close()
        theirs.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
