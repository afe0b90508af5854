"""A stream's head locked before an append (a step checks the case under its stream's lock, then records) is the
head the append continues from: the append does not take it again, and every later append in the transaction —
and the next transaction — continues the chain where the last one left it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from service.agencies.service import agency_ref, get_agency_by_code
from service.ledger.models import LedgerEntry, LedgerStream
from service.ledger.projection import record
from service.ledger.store import GENESIS, lock_stream
from service.runtime import Runtime

from .conftest import PROBE


def _chain(runtime: Runtime, stream: str) -> tuple[int, bytes, list[Any]]:
    with runtime.database.transaction(write=False) as session:
        head = session.scalars(select(LedgerStream).where(LedgerStream.stream == stream)).one()
        entries = list(
            session.execute(
                select(LedgerEntry.stream_seq, LedgerEntry.prev_hash, LedgerEntry.entry_hash)
                .where(LedgerEntry.stream == stream)
                .order_by(LedgerEntry.stream_seq)
            )
        )
        return head.length, head.head_hash, entries


@pytest.mark.parametrize("appends", [1, 3])
def test_appends_after_the_lock_continue_the_chain_from_the_locked_head(runtime: Runtime, appends: int) -> None:
    for round_ in range(2):  # a new stream, then one that has entries: the second transaction holds no head
        with runtime.database.transaction() as session:
            agency = get_agency_by_code(session, "tiemen")
            length, head = lock_stream(session, agency.id, "probe:held")
            assert (length, head == GENESIS) == ((0, True) if round_ == 0 else (appends, False))
            for n in range(appends):
                record(
                    session,
                    agency_ref(agency),
                    stream="probe:held",
                    type=PROBE,
                    actor="system:test",
                    body={"n": n},
                    at=runtime.clock.now(),
                )
            # Locked again in the same transaction: the head as the appends left it.
            assert lock_stream(session, agency.id, "probe:held")[0] == appends * (round_ + 1)
    length, head_hash, entries = _chain(runtime, "probe:held")
    assert length == len(entries) == 2 * appends
    assert [seq for seq, _, _ in entries] == list(range(2 * appends))
    previous = None
    for _, prev, entry_hash in entries:
        assert prev == previous
        previous = entry_hash
    assert head_hash == previous


def test_a_rolled_back_append_leaves_the_head_where_it_was(runtime: Runtime) -> None:
    with runtime.database.transaction() as session:
        agency = get_agency_by_code(session, "tiemen")
        record(
            session,
            agency_ref(agency),
            stream="probe:undone",
            type=PROBE,
            actor="system:test",
            body={},
            at=runtime.clock.now(),
        )

    def failing_step() -> None:
        with runtime.database.transaction() as session:
            agency = get_agency_by_code(session, "tiemen")
            lock_stream(session, agency.id, "probe:undone")
            record(
                session,
                agency_ref(agency),
                stream="probe:undone",
                type=PROBE,
                actor="system:test",
                body={},
                at=runtime.clock.now(),
            )
            raise RuntimeError("the step fails after recording")

    with pytest.raises(RuntimeError):
        failing_step()
    with runtime.database.transaction() as session:
        agency = get_agency_by_code(session, "tiemen")
        # No lock first: the append takes the head itself, and finds it as the database has it, not as the
        # rolled-back transaction left it.
        record(
            session,
            agency_ref(agency),
            stream="probe:undone",
            type=PROBE,
            actor="system:test",
            body={},
            at=runtime.clock.now(),
        )
    length, head_hash, entries = _chain(runtime, "probe:undone")
    assert length == 2
    assert [seq for seq, _, _ in entries] == [0, 1]
    assert entries[1][1] == entries[0][2]
    assert head_hash == entries[1][2]
