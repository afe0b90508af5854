"""Appending entries to a stream's hash chain.

An append takes the stream's head row as a lock (on PostgreSQL the row lock of an ``UPDATE``; on SQLite the
writing transaction already holds the database's write lock from ``BEGIN IMMEDIATE``), writes the entry and
a pending marker, and moves the head — all in the caller's transaction, so the entry and the state change it
describes commit together or not at all. Agency-wide ordering (the Merkle log index) is assigned later by
the integrator, off the request's critical path, in the order of the pending markers.

That order respects what entries depend on: a service reads and checks the state it relies on before it
records, so any entry whose effects it saw was committed — and had taken its place in the queue — before this
entry takes its own. Replaying the log in index order therefore meets every dependency in order (and
verification replays it to prove so).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.ledger.canonical import EntryContent
from service.ledger.merkle import leaf_hash
from service.ledger.models import LedgerEntry, LedgerPending, LedgerStream
from service.straight import Straight, psycopg_cursor

GENESIS = bytes(32)  # head hash of a stream that has no entry yet


@dataclass(frozen=True)
class AppendedEntry:
    id: uuid.UUID
    agency_id: uuid.UUID
    content: EntryContent
    entry_hash: bytes
    canonical: bytes


# Appends run on every state change: they use prepared Core statements on the tables, which skip the ORM's
# bulk-persistence machinery and statement building (several times the cost of the round trip itself).
_ENTRIES = cast(Table, LedgerEntry.__table__)
_STREAMS = cast(Table, LedgerStream.__table__)
_PENDING = cast(Table, LedgerPending.__table__)
_THIS_STREAM = (_STREAMS.c.agency_id == bindparam("of_agency"), _STREAMS.c.stream == bindparam("of_stream"))
_LOCK_HEAD = select(_STREAMS.c.length, _STREAMS.c.head_hash).where(*_THIS_STREAM).with_for_update()
_MOVE_HEAD = (
    update(_STREAMS).where(*_THIS_STREAM).values(length=bindparam("new_length"), head_hash=bindparam("new_head"))
)
_INSERT_ENTRY = insert(_ENTRIES)
_ENTRY_COLUMNS = (
    "id",
    "agency_id",
    "stream",
    "stream_seq",
    "type",
    "actor",
    "claimed_at",
    "recorded_at",
    "prev_hash",
    "entry_hash",
    "canonical",
)
_INSERT_PENDING = insert(_PENDING)


# On PostgreSQL, appends talk to the driver directly (psycopg prepares the statements after a few uses):
# per statement that is a third of the client CPU of a Core statement, and an append needs only two —
# the first takes the stream's row lock and reads its head, the second writes the entry and moves the head.
_PG_TAKE_HEAD = (
    "UPDATE ledger_streams SET length = length + 1 WHERE agency_id = %s AND stream = %s RETURNING length - 1, head_hash"
)
_PG_OPEN_STREAM = (
    "INSERT INTO ledger_streams (agency_id, stream, length, head_hash) VALUES (%s, %s, 0, %s) ON CONFLICT DO NOTHING"
)
_PG_WRITE_ENTRY = (
    "WITH entry AS (INSERT INTO ledger_entries (id, agency_id, stream, stream_seq, type, actor, claimed_at, "
    "recorded_at, prev_hash, entry_hash, canonical) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)), "
    "queued AS (INSERT INTO ledger_pending (agency_id, entry_id) VALUES (%s, %s)) "
    "UPDATE ledger_streams SET head_hash = %s WHERE agency_id = %s AND stream = %s"
)
# The same, for a stream whose head this transaction already holds (``lock_stream``): the length moves here too,
# so the append is one statement.
_PG_WRITE_ENTRY_HELD = (
    "WITH entry AS (INSERT INTO ledger_entries (id, agency_id, stream, stream_seq, type, actor, claimed_at, "
    "recorded_at, prev_hash, entry_hash, canonical) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)), "
    "queued AS (INSERT INTO ledger_pending (agency_id, entry_id) VALUES (%s, %s)) "
    "UPDATE ledger_streams SET length = %s, head_hash = %s WHERE agency_id = %s AND stream = %s"
)
_PG_LOCK_HEAD = "SELECT length, head_hash FROM ledger_streams WHERE agency_id = %s AND stream = %s FOR UPDATE"

# The heads of the streams this transaction holds locked, as it last left them: a step locks its case's stream
# before it checks (the state it checks is read under that lock) and appends after, and the append need not
# take the head a second time. Keyed by the session's transaction, so a head is never carried into another one;
# the service takes no savepoints around appends (a rolled-back savepoint would leave a head here that is not).
_HELD = "caseledger_held_heads"


def _held_heads(session: Session) -> dict[tuple[uuid.UUID, str], tuple[int, bytes]]:
    transaction = session.get_transaction()
    held = session.info.get(_HELD)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[_HELD] = held
    heads: dict[tuple[uuid.UUID, str], tuple[int, bytes]] = held[1]
    return heads


def _take_head_postgresql(cursor: Any, agency_id: uuid.UUID, stream: str) -> tuple[int, bytes]:
    cursor.execute(_PG_TAKE_HEAD, (agency_id, stream))
    row = cursor.fetchone()
    if row is None:
        # Two requests opening the same stream at once: the second waits on the key, then finds the row.
        cursor.execute(_PG_OPEN_STREAM, (agency_id, stream, GENESIS))
        cursor.execute(_PG_TAKE_HEAD, (agency_id, stream))
        row = cursor.fetchone()
    return int(row[0]), bytes(row[1])


def new_entry_id() -> uuid.UUID:
    """A time-ordered UUID (version 7 layout): new entries land at the end of the primary-key index, so the
    write-ahead log per append does not grow with the size of the ledger, as random ids make it."""
    millis = time.time_ns() // 1_000_000
    raw = millis.to_bytes(6, "big") + os.urandom(10)
    value = int.from_bytes(raw, "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


def _lock_stream_head(connection: Connection, agency_id: uuid.UUID, stream: str) -> tuple[int, bytes]:
    key = {"of_agency": agency_id, "of_stream": stream}
    row = connection.execute(_LOCK_HEAD, key).one_or_none()
    if row is None:
        values = {"agency_id": agency_id, "stream": stream, "length": 0, "head_hash": GENESIS}
        dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        # Two requests opening the same stream at once: the second waits on the key, then finds the row.
        connection.execute(dialect_insert(_STREAMS).values(values).on_conflict_do_nothing())
        row = connection.execute(_LOCK_HEAD, key).one()
    return int(row.length), bytes(row.head_hash)


def _lock_stream_head_postgresql(cursor: Any, agency_id: uuid.UUID, stream: str) -> tuple[int, bytes]:
    cursor.execute(_PG_LOCK_HEAD, (agency_id, stream))
    row = cursor.fetchone()
    if row is None:
        # Two requests opening the same stream at once: the second waits on the key, then finds the row.
        cursor.execute(_PG_OPEN_STREAM, (agency_id, stream, GENESIS))
        cursor.execute(_PG_LOCK_HEAD, (agency_id, stream))
        row = cursor.fetchone()
    return int(row[0]), bytes(row[1])


def lock_stream(session: Session, agency_id: uuid.UUID, stream: str) -> tuple[int, bytes]:
    """Lock ``stream``'s head for the rest of the transaction; return its length and head hash."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        head = _lock_stream_head_postgresql(psycopg_cursor(connection), agency_id, stream)
    else:
        head = _lock_stream_head(connection, agency_id, stream)
    _held_heads(session)[(agency_id, stream)] = head
    return head


def stream_lock_of(agency: ColumnElement[uuid.UUID]) -> Straight:
    """A statement locking the head of the stream ``of_stream`` of the agency ``agency`` names — an expression, such
    as a user's agency read in the same statement; built once by its caller, run by :func:`lock_stream_of`."""
    statement = (
        select(_STREAMS.c.agency_id, _STREAMS.c.length, _STREAMS.c.head_hash)
        .where(_STREAMS.c.agency_id == agency, _STREAMS.c.stream == bindparam("of_stream"))
        .with_for_update()
    )
    # Every step runs it first: on PostgreSQL it goes straight to psycopg (as the append does), without the ~0.1 ms
    # of SQLAlchemy's execution around a three-column row.
    return Straight(statement)


def lock_stream_of(
    session: Session, lock: Straight, stream: str, params: Mapping[str, Any]
) -> tuple[uuid.UUID, int, bytes] | None:
    """Run a :func:`stream_lock_of` statement for ``stream`` with ``params``: the agency's id, the length and the
    head hash, now locked for the rest of the transaction; ``None`` (nothing locked) when there is no such stream."""
    row = lock.first(session.connection(), {**params, "of_stream": stream})
    if row is None:
        return None
    agency_id, length, head = row[0], int(row[1]), bytes(row[2])
    _held_heads(session)[(agency_id, stream)] = (length, head)
    return agency_id, length, head


def append_entry(
    session: Session,
    *,
    agency_id: uuid.UUID,
    agency_code: str,
    stream: str,
    type: str,
    actor: str,
    body: Mapping[str, Any],
    recorded_at: datetime,
    claimed_at: datetime | None = None,
) -> AppendedEntry:
    """Append one entry to ``stream`` in the caller's transaction and return it."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    cursor = psycopg_cursor(connection) if postgres else None
    heads = _held_heads(session)
    held = heads.get((agency_id, stream))
    if held is not None:
        length, head = held
    elif cursor is not None:
        length, head = _take_head_postgresql(cursor, agency_id, stream)
    else:
        length, head = _lock_stream_head(connection, agency_id, stream)
    content = EntryContent(
        agency=agency_code,
        stream=stream,
        seq=length,
        type=type,
        actor=actor,
        claimed_at=claimed_at or recorded_at,
        recorded_at=recorded_at,
        prev=None if length == 0 else head,
        body=body,
    )
    canonical = content.canonical()
    entry_hash = leaf_hash(canonical)
    entry_id = new_entry_id()
    row = (
        entry_id,
        agency_id,
        stream,
        length,
        type,
        actor,
        content.claimed_at,
        recorded_at,
        content.prev,
        entry_hash,
        canonical,
    )
    if cursor is not None and held is not None:
        cursor.execute(_PG_WRITE_ENTRY_HELD, (*row, agency_id, entry_id, length + 1, entry_hash, agency_id, stream))
    elif cursor is not None:
        cursor.execute(_PG_WRITE_ENTRY, (*row, agency_id, entry_id, entry_hash, agency_id, stream))
    else:
        connection.execute(_INSERT_ENTRY, dict(zip(_ENTRY_COLUMNS, row, strict=True)))
        connection.execute(_INSERT_PENDING, {"agency_id": agency_id, "entry_id": entry_id})
        connection.execute(
            _MOVE_HEAD, {"of_agency": agency_id, "of_stream": stream, "new_length": length + 1, "new_head": entry_hash}
        )
    # The head stays locked until the transaction ends: a later append to the stream in it starts from here.
    heads[(agency_id, stream)] = (length + 1, entry_hash)
    return AppendedEntry(entry_id, agency_id, content, entry_hash, canonical)
