"""Ledger test helpers: the seeded entries, a probe entry type that changes no state, and what an attacker with
file access does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.agencies.service import agency_ref, get_agency_by_code
from service.ledger.audit import agency_logs, entries_in_order
from service.ledger.canonical import EntryContent
from service.ledger.models import APPEND_ONLY_TABLES
from service.ledger.projection import Recorded, known_entry_types, projector, record
from service.runtime import Runtime

PROBE = "test:probe:appended"

if PROBE not in known_entry_types():

    @projector(PROBE)
    def _probe(session: Session, entry: EntryContent) -> None:
        """A probe entry changes no state: it exercises the ledger alone."""


@pytest.fixture
def seeded_entries(runtime: Runtime) -> list[bytes]:
    """The seeded agencies' entries, each agency's in the order replay applies them."""
    with runtime.database.transaction(write=False) as session:
        logs = agency_logs(session)
    entries = [canonical for log in logs for canonical in entries_in_order(runtime.database, log.agency_id)]
    assert entries, "the seeded agencies' entries"
    return entries


@pytest.fixture
def append_probe(runtime: Runtime) -> Callable[..., Recorded]:
    """Append one probe entry to ``stream`` of an agency, in its own committed transaction."""

    def append(stream: str = "probe", agency: str = "tiemen", **body: Any) -> Recorded:
        with runtime.database.transaction() as session:
            ref = agency_ref(get_agency_by_code(session, agency))
            return record(
                session, ref, stream=stream, type=PROBE, actor="system:test", body=body, at=runtime.clock.now()
            )

    return append


def drop_append_only_triggers(engine: sa.Engine) -> None:
    """What an attacker with access to the database files does first."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in APPEND_ONLY_TABLES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            for table in APPEND_ONLY_TABLES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")


@pytest.fixture
def attacker(runtime: Runtime) -> Iterator[sa.Engine]:
    """A raw connection to the database with the append-only triggers dropped."""
    engine = sa.create_engine(runtime.settings.resolved_database_url)
    drop_append_only_triggers(engine)
    yield engine
    engine.dispose()
