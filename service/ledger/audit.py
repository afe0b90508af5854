"""``caseledger verify`` against a database: stream the rows into the pure verifier, then replay.

The trust anchor is the agency's checkpoint key *file* (or a verifier key given by the supervisor), never the
key recorded in the database: whoever rewrote the database could have recorded their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db import Database
from service.ledger.errors import VerificationError
from service.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerPending,
    LedgerStream,
)
from service.ledger.note import NoteVerifier
from service.ledger.replay import compare_with_live, replay
from service.ledger.verify import EntryRow, LogVerifier, StoredCheckpoint, VerificationReport

BATCH = 20_000

Progress = Callable[[str, int, int | None], None]  # (phase, advance, total)


@dataclass(frozen=True)
class AgencyLog:
    agency_id: uuid.UUID
    code: str
    origin: str
    size: int
    root: bytes


def agency_logs(session: Session, code: str | None = None) -> list[AgencyLog]:
    query = select(LedgerHead).order_by(LedgerHead.agency_code)
    if code is not None:
        query = query.where(LedgerHead.agency_code == code)
    return [AgencyLog(h.agency_id, h.agency_code, h.origin, h.size, bytes(h.root)) for h in session.scalars(query)]


def _sequenced(session: Session, agency_id: uuid.UUID) -> Iterator[EntryRow]:
    rows = session.execute(
        select(
            LedgerLeaf.index,
            LedgerLeaf.leaf_hash,
            LedgerEntry.canonical,
            LedgerEntry.entry_hash,
            LedgerEntry.stream,
            LedgerEntry.stream_seq,
            LedgerEntry.prev_hash,
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerLeaf.entry_id, isouter=True)
        .where(LedgerLeaf.agency_id == agency_id)
        .order_by(LedgerLeaf.index)
        .execution_options(yield_per=BATCH)
    )
    for index, leaf, canonical, entry_hash, stream, seq, prev in rows:
        if canonical is None:
            raise VerificationError(f"entry {index}: in the log, but its entry row is missing")
        yield EntryRow(
            bytes(canonical), bytes(entry_hash), stream, seq, None if prev is None else bytes(prev), index, bytes(leaf)
        )


def _pending(session: Session, agency_id: uuid.UUID) -> Iterator[EntryRow]:
    rows = session.execute(
        select(
            LedgerEntry.canonical,
            LedgerEntry.entry_hash,
            LedgerEntry.stream,
            LedgerEntry.stream_seq,
            LedgerEntry.prev_hash,
        )
        .join(LedgerPending, LedgerPending.entry_id == LedgerEntry.id)
        .where(LedgerPending.agency_id == agency_id)
        .order_by(LedgerPending.seq)
        .execution_options(yield_per=BATCH)
    )
    for canonical, entry_hash, stream, seq, prev in rows:
        yield EntryRow(bytes(canonical), bytes(entry_hash), stream, seq, None if prev is None else bytes(prev))


def _orphans(session: Session, agency_id: uuid.UUID, expected: int) -> None:
    """Every entry row is either in the log or pending; anything else was slipped in."""
    total = session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.agency_id == agency_id))
    if total == expected:
        return
    orphan = session.execute(
        select(LedgerEntry.id, LedgerEntry.stream, LedgerEntry.stream_seq)
        .outerjoin(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
        .outerjoin(LedgerPending, LedgerPending.entry_id == LedgerEntry.id)
        .where(LedgerEntry.agency_id == agency_id, LedgerLeaf.entry_id.is_(None), LedgerPending.entry_id.is_(None))
        .limit(1)
    ).first()
    if orphan is not None:
        raise VerificationError(
            f"entry row {orphan.id} (stream {orphan.stream}, position {orphan.stream_seq}) "
            "is neither in the log nor pending: it was inserted outside the service"
        )
    raise VerificationError(f"{total} entry rows for {expected} entries in the log and pending")


def verify_log(
    session: Session,
    log: AgencyLog,
    trusted: NoteVerifier,
    *,
    external_checkpoint: str | None = None,
    check_nodes: bool = True,
    progress: Progress | None = None,
) -> VerificationReport:
    """Hashes, stream chains, Merkle root against every checkpoint and signature, heads and stored nodes."""
    verifier = LogVerifier(log.code, trusted, log.origin)
    for count, row in enumerate(_sequenced(session, log.agency_id), 1):
        verifier.add(row)
        if progress is not None and count % BATCH == 0:
            progress("entries", BATCH, log.size)
    pending = 0
    for row in _pending(session, log.agency_id):
        verifier.add_pending(row)
        pending += 1
    _orphans(session, log.agency_id, verifier.size + pending)
    checkpoints = [
        StoredCheckpoint(int(c.size), bytes(c.root), c.note)
        for c in session.scalars(select(LedgerCheckpoint).where(LedgerCheckpoint.agency_id == log.agency_id))
    ]
    report = verifier.report()
    report.checkpoints = verifier.check_checkpoints(checkpoints)
    report.latest_checkpoint_size = max((c.size for c in checkpoints), default=0)
    if external_checkpoint is not None:
        report.external_checkpoint_size = verifier.check_external_checkpoint(external_checkpoint)
    verifier.check_log_head(log.size, log.root)
    verifier.check_stream_heads(
        (s.stream, s.length, bytes(s.head_hash))
        for s in session.scalars(select(LedgerStream).where(LedgerStream.agency_id == log.agency_id))
    )
    if check_nodes:
        nodes = session.execute(
            select(LedgerNode.level, LedgerNode.index, LedgerNode.hash)
            .where(LedgerNode.agency_id == log.agency_id)
            .execution_options(yield_per=BATCH)
        )
        verifier.check_stored_nodes((int(level), int(index), bytes(h)) for level, index, h in nodes)
    if report.latest_checkpoint_size < report.log_size:
        report.notes.append(
            f"{report.log_size - report.latest_checkpoint_size} entries after the latest checkpoint are chained "
            "but not yet covered by a signed checkpoint"
        )
    return report


def _entries_in_order(database: Database, agency_id: uuid.UUID) -> Iterator[bytes]:
    with database.transaction(write=False) as session:
        for row in _sequenced(session, agency_id):
            yield row.canonical
        for row in _pending(session, agency_id):
            yield row.canonical


def verify_replay(
    database: Database, logs: list[AgencyLog], *, only_agency: uuid.UUID | None, progress: Progress | None = None
) -> int:
    """Replay the ledgers of ``logs`` and compare the current-state tables; return the rows compared."""

    def advance(n: int) -> None:
        if progress is not None:
            progress("replay", n, None)

    def entries() -> Iterator[bytes]:
        for log in logs:
            yield from _entries_in_order(database, log.agency_id)

    state = replay(entries(), advance)
    try:
        with database.transaction(write=False) as live:
            return compare_with_live(live, state, only_agency)
    finally:
        state.close()
