"""``caseledger verify`` against a database: feed the rows to the pure checks, in two processes; then replay.

The trust anchor is the agency's checkpoint key *file* (or a verifier key given by the supervisor), never the
key recorded in the database: whoever rewrote the database could have recorded their own.

A child process reads every entry (in id order, with the driver alone) and checks hashes and chains; the
parent reads the leaves in index order and checks the tree and everything committed to it. Both summarise
their (entry id, hash) pairs; equal summaries tie each leaf to its entry. When several things are wrong, the
problem reported is the first in log order among entries, then a stray row, then the checkpoints, then heads.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.db import Database
from service.ledger.errors import VerificationError
from service.ledger.models import LedgerEntry, LedgerHead, LedgerLeaf, LedgerPending
from service.ledger.note import NoteVerifier
from service.ledger.replay import compare_with_live, replay
from service.ledger.verify import (
    EntryChecker,
    EntryProblem,
    StoredCheckpoint,
    TreeChecker,
    VerificationReport,
    check_stream_heads,
)

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


# -- reading rows with the driver alone (an ORM row costs more than hashing its bytes) -------------------------

_ENTRIES = (
    "SELECT id, canonical, entry_hash, stream, stream_seq, prev_hash, type FROM ledger_entries "
    "WHERE agency_id = {a} ORDER BY id"
)
_ENTRY_TYPES = ["uuid", "bytea", "bytea", "text", "int4", "bytea", "text"]
_PENDING = "SELECT entry_id FROM ledger_pending WHERE agency_id = {a}"
_LEAVES = 'SELECT "index", entry_id, leaf_hash FROM ledger_leaves WHERE agency_id = {a} ORDER BY "index"'
_LEAF_TYPES = ["int8", "uuid", "bytea"]
_NODES = 'SELECT level, "index", hash FROM ledger_nodes WHERE agency_id = {a}'
_NODE_TYPES = ["int4", "int8", "bytea"]
_STREAMS = "SELECT stream, length, head_hash FROM ledger_streams WHERE agency_id = {a}"
_STREAM_TYPES = ["text", "int4", "bytea"]
_CHECKPOINTS = "SELECT size, root, note FROM ledger_checkpoints WHERE agency_id = {a}"
_CHECKPOINT_TYPES = ["int8", "bytea", "text"]


class _Rows:
    """One connection of the driver, for one agency's rows."""

    def __init__(self, url: str, agency_id: uuid.UUID) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            self._lite = sqlite3.connect(parsed.database or ":memory:")
            self._param: Any = agency_id.hex  # how SQLAlchemy stores a UUID on SQLite
        else:
            import psycopg

            self._pg = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))
            self._param = agency_id

    def key(self, value: Any) -> bytes:
        """An entry id as 16 bytes, ordered as the database orders it."""
        return bytes.fromhex(value) if self.sqlite else bytes(value.bytes)

    def rows(self, query: str, types: list[str]) -> Iterator[tuple[Any, ...]]:
        if self.sqlite:
            yield from self._lite.execute(query.format(a="?"), (self._param,))
            return
        copy_out = f"COPY ({query.format(a='%s')}) TO STDOUT (FORMAT BINARY)"
        with self._pg.cursor(binary=True) as cursor, cursor.copy(copy_out, (self._param,)) as copy:
            copy.set_types(types)
            yield from copy.rows()

    def close(self) -> None:
        if self.sqlite:
            self._lite.close()
        else:
            self._pg.close()


@dataclass(frozen=True)
class _EntriesResult:
    summary: bytes
    entries: int
    pending: int
    heads: dict[str, tuple[int, bytes]]


def _check_entries(url: str, agency_id: uuid.UUID, agency_code: str) -> _EntriesResult:
    rows = _Rows(url, agency_id)
    try:
        pending = {rows.key(key) for (key,) in rows.rows(_PENDING, ["uuid"])}
        checker = EntryChecker(agency_code)
        summary = hashlib.sha256()
        for key, canonical, entry_hash, stream, seq, prev, type_ in rows.rows(_ENTRIES, _ENTRY_TYPES):
            entry_key = rows.key(key)
            digest = bytes(entry_hash)
            checker.check(
                entry_key, bytes(canonical), digest, stream, seq, None if prev is None else bytes(prev), type_
            )
            if entry_key not in pending:
                summary.update(entry_key + digest)
        return _EntriesResult(summary.digest(), checker.count, len(pending), checker.finish())
    finally:
        rows.close()


def _entries_child(url: str, agency_id: uuid.UUID, agency_code: str, pipe: Connection) -> None:
    try:
        pipe.send(("ok", _check_entries(url, agency_id, agency_code)))
    except EntryProblem as problem:
        pipe.send(("entry", (problem.key, problem.stream, problem.seq, problem.reason)))
    except Exception as exc:  # reported by the parent, which owns the outcome
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


def _start_entries(url: str, log: AgencyLog) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_entries_child, args=(url, log.agency_id, log.code, send), daemon=True)
    child.start()
    send.close()
    return child, receive


def _index_of(session: Session, agency_id: uuid.UUID, key: bytes) -> int | None:
    index = session.scalar(
        select(LedgerLeaf.index).where(LedgerLeaf.agency_id == agency_id, LedgerLeaf.entry_id == uuid.UUID(bytes=key))
    )
    return None if index is None else int(index)


def _first_unmatched_leaf(session: Session, agency_id: uuid.UUID) -> tuple[int, str] | None:
    """The first leaf whose entry row is missing or hashes otherwise (the slow path, only when summaries differ)."""
    row = session.execute(
        select(LedgerLeaf.index, LedgerEntry.id, LedgerEntry.stream, LedgerEntry.stream_seq)
        .outerjoin(LedgerEntry, LedgerEntry.id == LedgerLeaf.entry_id)
        .where(
            LedgerLeaf.agency_id == agency_id,
            (LedgerEntry.id.is_(None)) | (LedgerEntry.entry_hash != LedgerLeaf.leaf_hash),
        )
        .order_by(LedgerLeaf.index)
        .limit(1)
    ).first()
    if row is None:
        return None
    index, entry_id, stream, seq = row
    if entry_id is None:
        return int(index), f"entry {index}: in the log, but its entry row is missing"
    return int(index), (
        f"entry {index} (stream {stream}, position {seq}): the stored leaf hash does not match the entry's bytes"
    )


def _is_pending(session: Session, key: bytes) -> bool:
    found = session.scalar(select(LedgerPending.seq).where(LedgerPending.entry_id == uuid.UUID(bytes=key)))
    return found is not None


def _stray(entry_id: Any, stream: str, seq: int) -> str:
    if isinstance(entry_id, bytes):
        entry_id = uuid.UUID(bytes=entry_id)
    return (
        f"entry row {entry_id} (stream {stream}, position {seq}) "
        "is neither in the log nor pending: it was inserted outside the service"
    )


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
        raise VerificationError(_stray(orphan[0], orphan[1], orphan[2]))
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
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    child, pipe = _start_entries(url, log)
    problems: list[tuple[int, int, str]] = []  # (index in the log, preference, what is wrong)
    tree = TreeChecker(trusted, log.origin)
    rows = _Rows(url, log.agency_id)
    try:
        pairs: list[tuple[bytes, bytes]] = []
        try:
            for count, (index, key, leaf) in enumerate(rows.rows(_LEAVES, _LEAF_TYPES), 1):
                tree.add(index, bytes(leaf))
                pairs.append((rows.key(key), bytes(leaf)))
                if progress is not None and count % BATCH == 0:
                    progress("entries", BATCH, log.size)
        except VerificationError as exc:  # a gap in the indices
            problems.append((len(pairs), 1, exc.reason))
        pairs.sort()
        summary = hashlib.sha256()
        for key, leaf in pairs:
            summary.update(key + leaf)
        checkpoints = [
            StoredCheckpoint(int(s), bytes(r), str(n)) for s, r, n in rows.rows(_CHECKPOINTS, _CHECKPOINT_TYPES)
        ]
        stored_heads = [(str(s), int(n), bytes(h)) for s, n, h in rows.rows(_STREAMS, _STREAM_TYPES)]
        nodes = [(int(lv), int(i), bytes(h)) for lv, i, h in rows.rows(_NODES, _NODE_TYPES)] if check_nodes else []
    finally:
        rows.close()
    try:
        outcome, payload = pipe.recv()
    except EOFError:
        outcome, payload = "error", "the entry check ended without an answer"
    child.join()

    entries: _EntriesResult | None = None
    if outcome == "ok":
        entries = payload
    elif outcome == "entry":
        key, stream, seq, reason = payload
        index = _index_of(session, log.agency_id, key)
        if index is not None:
            problems.append((index, 0, f"entry {index} (stream {stream}, position {seq}): {reason}"))
        elif _is_pending(session, key):
            problems.append((1 << 62, 0, f"pending entry (stream {stream}, position {seq}): {reason}"))
        else:
            problems.append((1 << 62, 0, _stray(key, stream, seq)))
    else:
        raise VerificationError(f"the entry check failed: {payload}")
    if entries is not None and entries.summary != summary.digest():
        unmatched = _first_unmatched_leaf(session, log.agency_id)
        if unmatched is not None:
            problems.append((unmatched[0], 1, unmatched[1]))
    if problems:
        raise VerificationError(min(problems)[2])
    assert entries is not None
    _orphans(session, log.agency_id, tree.size + entries.pending)
    if entries.summary != summary.digest():
        raise VerificationError("the log's leaves and the entry rows are not the same entries")

    report = VerificationReport(
        agency=log.code, log_size=tree.size, pending=entries.pending, streams=len(entries.heads)
    )
    report.checkpoints = tree.check_checkpoints(checkpoints)
    report.latest_checkpoint_size = max((c.size for c in checkpoints), default=0)
    if external_checkpoint is not None:
        report.external_checkpoint_size = tree.check_external_checkpoint(external_checkpoint)
    tree.check_log_head(log.size, log.root)
    check_stream_heads(entries.heads, stored_heads)
    tree.check_stored_nodes(nodes)
    if report.latest_checkpoint_size < report.log_size:
        report.notes.append(
            f"{report.log_size - report.latest_checkpoint_size} entries after the latest checkpoint are chained "
            "but not yet covered by a signed checkpoint"
        )
    return report


def _entries_in_order(database: Database, agency_id: uuid.UUID) -> Iterator[bytes]:
    """Every entry's bytes in log order, then the pending ones in queue order: the order replay applies them."""
    with database.transaction(write=False) as session:
        sequenced = session.execute(
            select(LedgerEntry.canonical)
            .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
            .where(LedgerLeaf.agency_id == agency_id)
            .order_by(LedgerLeaf.index)
            .execution_options(yield_per=BATCH)
        )
        for (canonical,) in sequenced:
            yield bytes(canonical)
        pending = session.execute(
            select(LedgerEntry.canonical)
            .join(LedgerPending, LedgerPending.entry_id == LedgerEntry.id)
            .where(LedgerPending.agency_id == agency_id)
            .order_by(LedgerPending.seq)
        )
        for (canonical,) in pending:
            yield bytes(canonical)


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
