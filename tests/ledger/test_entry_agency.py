"""A projector finds the agency of its entry by the agency's code (``entry_agency_id``): read once for a session —
a replay's one session asks it for every case registered, officer and user of its ledger —, read again by the
next session, which may be another database's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from service.agencies.models import Agency
from service.agencies.service import entry_agency_id
from service.ledger.canonical import EntryContent
from service.runtime import Runtime


def _entry_of(agency: str) -> EntryContent:
    at = datetime(2026, 12, 6, tzinfo=UTC)
    return EntryContent(agency, "case:x", 0, "case:case:registered", "user:x", at, at, None, {})


def test_an_entrys_agency_is_read_once_a_session(runtime: Runtime) -> None:
    sent: list[str] = []

    def seen(*args: Any) -> None:
        if "FROM agencies" in args[2]:
            sent.append(args[2])

    engines = runtime.database.engines
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(2):
            with runtime.database.transaction(write=False) as session:
                tiemen = session.scalars(select(Agency.id).where(Agency.code == "tiemen")).one()
                sent.clear()
                assert entry_agency_id(session, _entry_of("tiemen")) == tiemen
                assert entry_agency_id(session, _entry_of("tiemen")) == tiemen
                assert len(sent) == 1
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", seen)
