"""Appending entries to a stream's hash chain.

An append takes the stream's head row as a lock (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
writing transaction already holds the database's write lock from ``BEGIN IMMEDIATE``), writes the entry and
a pending marker, and moves the head — all in the caller's transaction, so the entry and the state change it
describes commit together or not at all. Agency-wide ordering (the Merkle log index) is assigned later by
the integrator, off the request's critical path.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.ledger.canonical import EntryContent
from service.ledger.merkle import leaf_hash
from service.ledger.models import LedgerEntry, LedgerPending, LedgerStream

GENESIS = bytes(32)  # head hash of a stream that has no entry yet
_PENDING_KEY = "ledger_pending_entries"


@event.listens_for(Session, "before_commit")
def _queue_for_integration(session: Session) -> None:
    """Mark the transaction's entries pending at the last moment before commit.

    The pending queue's order is the order in which the integrator gives entries their log index. Taking the
    queue position after every read the transaction made means an entry is always queued after any entry
    whose effects the transaction saw, so replaying the log in index order meets every dependency in order.
    """
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        session.connection().execute(_INSERT_PENDING, pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


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
_INSERT_PENDING = insert(_PENDING)


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


def lock_stream(session: Session, agency_id: uuid.UUID, stream: str) -> tuple[int, bytes]:
    """Lock ``stream``'s head for the rest of the transaction; return its length and head hash."""
    return _lock_stream_head(session.connection(), agency_id, stream)


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
    entry_id = uuid.uuid4()
    connection.execute(
        _INSERT_ENTRY,
        {
            "id": entry_id,
            "agency_id": agency_id,
            "stream": stream,
            "stream_seq": length,
            "type": type,
            "actor": actor,
            "claimed_at": content.claimed_at,
            "recorded_at": recorded_at,
            "prev_hash": content.prev,
            "entry_hash": entry_hash,
            "canonical": canonical,
        },
    )
    session.info.setdefault(_PENDING_KEY, []).append({"agency_id": agency_id, "entry_id": entry_id})
    connection.execute(
        _MOVE_HEAD, {"of_agency": agency_id, "of_stream": stream, "new_length": length + 1, "new_head": entry_hash}
    )
    return AppendedEntry(entry_id, agency_id, content, entry_hash, canonical)
