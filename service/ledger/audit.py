"""``caseledger verify`` against a database: feed the rows to the pure checks, in two processes; then replay.

The trust anchor is the agency's checkpoint key *file* (or a verifier key given by the supervisor), never the
key recorded in the database: whoever rewrote the database could have recorded their own.

A child process reads every entry (in storage order, with the driver alone) and checks bytes, columns and
chains; the parent reads the leaves in index order, each beside its entry's stored hash, and checks the tree
and everything committed to it. When several things are wrong, the problem reported is the first in log order
among entries, then a stray row, then the checkpoints, then the heads.
"""

from __future__ import annotations

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

# Entries in storage order: no sort, no join. Leaves in index order, each with its entry's stored hash.
_ENTRIES = "SELECT canonical, entry_hash, stream, stream_seq, prev_hash, type FROM ledger_entries WHERE agency_id = {a}"
_ENTRY_TYPES = ["bytea", "bytea", "text", "int4", "bytea", "text"]
_LEAVES = 'SELECT "index", leaf_hash FROM ledger_leaves WHERE agency_id = {a} ORDER BY "index"'
_LEAF_TYPES = ["int8", "bytea"]
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
    entries: int
    heads: dict[str, tuple[int, bytes]]


def _check_entries(url: str, agency_id: uuid.UUID, agency_code: str) -> _EntriesResult:
    """Every entry row of the agency: bytes, columns, chains (problems name the entry by its hash)."""
    rows = _Rows(url, agency_id)
    try:
        checker = EntryChecker(agency_code)
        check = checker.check
        for canonical, entry_hash, stream, seq, prev, type_ in rows.rows(_ENTRIES, _ENTRY_TYPES):
            entry_hash = bytes(entry_hash)
            check(entry_hash, bytes(canonical), entry_hash, stream, seq, None if prev is None else bytes(prev), type_)
        return _EntriesResult(checker.count, checker.finish())
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


def _start_entries(url: str, log: AgencyLog) -> list[tuple[multiprocessing.process.BaseProcess, Connection]]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_entries_child, args=(url, log.agency_id, log.code, send), daemon=True)
    child.start()
    send.close()
    return [(child, receive)]


def _results(children: list[tuple[multiprocessing.process.BaseProcess, Connection]]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for child, pipe in children:
        try:
            out.append(pipe.recv())
        except EOFError:
            out.append(("error", "the entry check ended without an answer"))
        child.join()
    return out


def _entry_by_hash(session: Session, agency_id: uuid.UUID, entry_hash: bytes) -> tuple[uuid.UUID, int | None, bool]:
    """An entry named by its stored hash: its id, its log index (if any) and whether it is pending."""
    row = session.execute(
        select(LedgerEntry.id, LedgerLeaf.index, LedgerPending.seq)
        .outerjoin(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
        .outerjoin(LedgerPending, LedgerPending.entry_id == LedgerEntry.id)
        .where(LedgerEntry.agency_id == agency_id, LedgerEntry.entry_hash == entry_hash)
        .limit(1)
    ).one()
    return row[0], None if row[1] is None else int(row[1]), row[2] is not None


def _first_unmatched_leaf(session: Session, agency_id: uuid.UUID) -> int | None:
    """The first leaf whose entry row is missing or has another stored hash (the entry side ties that hash to the
    entry's bytes). One query: the database does the join."""
    index = session.scalar(
        select(func.min(LedgerLeaf.index))
        .select_from(LedgerLeaf)
        .outerjoin(LedgerEntry, LedgerEntry.id == LedgerLeaf.entry_id)
        .where(
            LedgerLeaf.agency_id == agency_id,
            (LedgerEntry.id.is_(None)) | (LedgerEntry.entry_hash != LedgerLeaf.leaf_hash),
        )
    )
    return None if index is None else int(index)


def _leaf_problem(session: Session, agency_id: uuid.UUID, index: int) -> str:
    row = session.execute(
        select(LedgerEntry.stream, LedgerEntry.stream_seq)
        .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
        .where(LedgerLeaf.agency_id == agency_id, LedgerLeaf.index == index)
    ).first()
    if row is None:
        return f"entry {index}: in the log, but its entry row is missing"
    where = f" (stream {row[0]}, position {row[1]})" if row is not None else ""
    return f"entry {index}{where}: the stored leaf hash does not match the entry's bytes"


def _stray(entry_id: Any, stream: str, seq: int) -> str:
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
    children = _start_entries(url, log)
    problems: list[tuple[int, int, str]] = []  # (index in the log, preference, what is wrong)
    tree = TreeChecker(trusted, log.origin)
    rows = _Rows(url, log.agency_id)
    try:
        try:
            for count, (index, leaf) in enumerate(rows.rows(_LEAVES, _LEAF_TYPES), 1):
                tree.add(index, bytes(leaf))
                if progress is not None and count % BATCH == 0:
                    progress("entries", BATCH, log.size)
        except VerificationError as exc:  # a gap in the indices
            problems.append((tree.size, 1, exc.reason))
        checkpoints = [
            StoredCheckpoint(int(s), bytes(r), str(n)) for s, r, n in rows.rows(_CHECKPOINTS, _CHECKPOINT_TYPES)
        ]
        stored_heads = [(str(s), int(n), bytes(h)) for s, n, h in rows.rows(_STREAMS, _STREAM_TYPES)]
        nodes = [(int(lv), int(i), bytes(h)) for lv, i, h in rows.rows(_NODES, _NODE_TYPES)] if check_nodes else []
    finally:
        rows.close()
    # Each leaf is the stored hash of its entry row, which the entry side ties to the entry's bytes.
    unmatched = _first_unmatched_leaf(session, log.agency_id)
    if unmatched is not None:
        problems.append((unmatched, 1, _leaf_problem(session, log.agency_id, unmatched)))

    heads: dict[str, tuple[int, bytes]] = {}
    counted = 0
    for outcome, payload in _results(children):
        if outcome == "ok":
            heads.update(payload.heads)
            counted += payload.entries
        elif outcome == "entry":
            entry_hash, stream, seq, reason = payload
            entry_id, index, pending = _entry_by_hash(session, log.agency_id, entry_hash)
            if index is not None:
                problems.append((index, 0, f"entry {index} (stream {stream}, position {seq}): {reason}"))
            elif pending:
                problems.append((1 << 62, 0, f"pending entry (stream {stream}, position {seq}): {reason}"))
            else:
                problems.append((1 << 62, 0, _stray(entry_id, stream, seq)))
        else:
            raise VerificationError(f"the entry check failed: {payload}")
    if problems:
        raise VerificationError(min(problems)[2])
    pending_count = int(
        session.scalar(select(func.count()).select_from(LedgerPending).where(LedgerPending.agency_id == log.agency_id))
        or 0
    )
    _orphans(session, log.agency_id, tree.size + pending_count)
    if counted != tree.size + pending_count:
        raise VerificationError(f"{counted} entry rows for {tree.size + pending_count} entries in the log and pending")

    report = VerificationReport(agency=log.code, log_size=tree.size, pending=pending_count, streams=len(heads))
    report.checkpoints = tree.check_checkpoints(checkpoints)
    report.latest_checkpoint_size = max((c.size for c in checkpoints), default=0)
    if external_checkpoint is not None:
        report.external_checkpoint_size = tree.check_external_checkpoint(external_checkpoint)
    tree.check_log_head(log.size, log.root)
    check_stream_heads(heads, stored_heads)
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
