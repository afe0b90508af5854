"""``caseledger verify`` against a database: feed the rows to the pure checks, in one process per core; then replay.

The trust anchor is the agency's checkpoint key *file* (or a verifier key given by the supervisor), never the
key recorded in the database: whoever rewrote the database could have recorded their own.

As many child processes as the machine has cores read the entries (with the driver alone, each one stretch of
the table in storage order) and check bytes, columns and chains; meanwhile the parent reads the leaves and the
stored tree nodes (on PostgreSQL aggregated into one value each, so that a million rows cost the server a scan
and the client a few copies) and checks the tree and everything committed to it. Every check is made here, on
the bytes read: the database is asked for rows, never for a comparison or a join whose answer is believed (a
join only helps to *name* a problem already found). Entry rows are tied to leaves by their records (entry id ||
hash), read on both sides and compared here (:func:`service.ledger.verify.records_correspond`). On PostgreSQL
every process reads the same snapshot, so a verification that runs beside the service sees one consistent
state. When several things are wrong, the problem reported is the first in log order among entries, then a
stray row, then the checkpoints, then the heads, then the stored tree nodes.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import re
import sqlite3
import struct
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from service.db import Database
from service.ledger.errors import VerificationError
from service.ledger.merkle import HASH_SIZE
from service.ledger.models import LedgerEntry, LedgerHead, LedgerLeaf, LedgerPending
from service.ledger.note import NoteVerifier
from service.ledger.replay import compare_with_live, replay
from service.ledger.verified_state import VerifiedState
from service.ledger.verify import (
    ChainRun,
    EntryChecker,
    EntryProblem,
    StoredCheckpoint,
    TreeChecker,
    VerificationReport,
    check_stream_heads,
    first_unmatched_leaf,
    link_chains,
    records_correspond,
)

BATCH = 20_000
ENTRY_PROCESSES: int | None = None  # None: one per core this process may run on (tests set it)
PARALLEL_FROM = 50_000  # below this many entries one entry process is quicker than starting two

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
# Every query takes the agency as its first parameter (written ?); {agency} is the column, written +agency_id on
# SQLite to keep it from an index that would turn a scan in storage order into a million lookups.

# {id:column} reads a UUID column as bytes: what ties entry rows to leaves is their records, entry id || hash.

_ENTRIES = (
    "SELECT canonical, entry_hash, stream, stream_seq, prev_hash, type, {id:id} FROM ledger_entries WHERE {agency} = ?"
)
_LEAVES_IN_ORDER = 'SELECT "index", leaf_hash, {id:entry_id} FROM ledger_leaves WHERE agency_id = ? ORDER BY "index"'
_LEAVES_AS_STORED = 'SELECT "index", leaf_hash, {id:entry_id} FROM ledger_leaves WHERE {agency} = ?'
# PostgreSQL: (count, hashes that are not 32 bytes, indices as int8 big-endian, hashes, records) as stored.
_LEAVES_AGGREGATED = (
    "SELECT count(*), count(*) FILTER (WHERE octet_length(leaf_hash) IS DISTINCT FROM 32), "
    "string_agg(int8send(\"index\"), ''::bytea), string_agg(leaf_hash, ''::bytea), "
    "string_agg(uuid_send(entry_id) || leaf_hash, ''::bytea) FROM ledger_leaves WHERE agency_id = ?"
)
_NODES = 'SELECT level, "index", hash FROM ledger_nodes WHERE {agency} = ?'
_NODES_AGGREGATED = (  # PostgreSQL: per level (level, count, hashes that are not 32 bytes, indices, hashes), as stored
    "SELECT level, count(*), count(*) FILTER (WHERE octet_length(hash) IS DISTINCT FROM 32), "
    "string_agg(int8send(\"index\"), ''::bytea), string_agg(hash, ''::bytea) "
    "FROM ledger_nodes WHERE agency_id = ? GROUP BY level"
)
_STREAMS = "SELECT stream, length, head_hash FROM ledger_streams WHERE agency_id = ?"
_CHECKPOINTS = "SELECT size, root, note FROM ledger_checkpoints WHERE agency_id = ?"
_PENDING_IDS = "SELECT {id:entry_id} FROM ledger_pending WHERE agency_id = ?"
# Joins that only name a problem already found:
_LEAF_ENTRY = (
    "SELECT e.stream, e.stream_seq FROM ledger_entries e JOIN ledger_leaves l ON l.entry_id = e.id "
    'WHERE l.agency_id = ? AND l."index" = ?'
)
_ENTRY_BY_HASH = (  # an entry named by its stored hash: its id, its log index (if any), whether it is pending
    'SELECT e.id, l."index", p.seq FROM ledger_entries e LEFT JOIN ledger_leaves l ON l.entry_id = e.id '
    "LEFT JOIN ledger_pending p ON p.entry_id = e.id WHERE e.agency_id = ? AND e.entry_hash = ? LIMIT 1"
)
_STRAY = (  # an entry row neither in the log nor pending
    "SELECT e.id, e.stream, e.stream_seq FROM ledger_entries e LEFT JOIN ledger_leaves l ON l.entry_id = e.id "
    "LEFT JOIN ledger_pending p ON p.entry_id = e.id "
    "WHERE e.agency_id = ? AND l.entry_id IS NULL AND p.entry_id IS NULL LIMIT 1"
)
# No JIT compilation for verification's few big queries (it costs more than it saves here), and the memory to
# group a million rows, or join them when a problem is to be named, without spilling them to disk.
_PG_OPTIONS = "-c jit=off -c work_mem=256MB"
_ID_AS_BYTES = re.compile(r"\{id:([\w.]+)\}")


_FETCH = 2_000  # rows per chunk (per round trip of a server-side cursor where chunks are not available)


def _libpq_streams_chunks() -> bool:
    """Whether the driver's libpq (17 or later) can receive a query's rows in chunks (psycopg ``stream(size=)``)."""
    try:
        import psycopg
    except ImportError:  # SQLite only
        return False
    return psycopg.pq.version() >= 170000


_CHUNKED_ROWS = _libpq_streams_chunks()


class RowReader:
    """One connection of the driver, for one agency's rows. On PostgreSQL it reads in one repeatable-read
    snapshot: its own (:meth:`export_snapshot` shares it) or the one it is given."""

    def __init__(self, url: str, agency_id: uuid.UUID, *, snapshot: str | None = None) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        self._cursors = 0
        if self.sqlite:
            self._lite = sqlite3.connect(parsed.database or ":memory:")
            self._agency: Any = agency_id.hex  # how SQLAlchemy stores a UUID on SQLite
        else:
            import psycopg
            from psycopg import sql

            self._pg = psycopg.connect(
                parsed.set(drivername="postgresql").render_as_string(hide_password=False), options=_PG_OPTIONS
            )
            self._pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            self._pg.read_only = True
            if snapshot is not None:
                self._pg.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            self._agency = agency_id

    def index_lookups(self) -> None:
        """Every query of this reader selects a few rows by key ranges (``verify --since``): on PostgreSQL, plan
        them as index lookups, never a scan of a million-row table, whatever the statistics estimate."""
        if not self.sqlite:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_hashjoin", "enable_mergejoin"):
                self._pg.execute(f"SET LOCAL {setting} = off")
            self._pg.execute("SET LOCAL max_parallel_workers_per_gather = 0")

    def _sql(self, query: str) -> str:
        query = query.replace("{agency}", "+agency_id" if self.sqlite else "agency_id")
        # {id:column}: a UUID column as bytes (PostgreSQL's 16; SQLite keeps the 32 hexadecimal digits as text)
        query = _ID_AS_BYTES.sub(r"CAST(\1 AS BLOB)" if self.sqlite else r"uuid_send(\1)", query)
        return query if self.sqlite else query.replace("?", "%s")

    def export_snapshot(self) -> str | None:
        if self.sqlite:
            return None
        row = self._pg.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        return str(row[0])

    def batches(self, query: str, *params: Any) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of ``query``, a few thousand at a time, never all in memory."""
        values = (self._agency, *params)
        if self.sqlite:
            lite = self._lite.execute(self._sql(query), values)
            while batch := lite.fetchmany(_FETCH):
                yield batch
            return
        if _CHUNKED_ROWS:  # one query whose rows arrive in chunks: no FETCH per batch, half the server's work
            with self._pg.cursor(binary=True) as cursor:
                stream = cursor.stream(self._sql(query), values, size=_FETCH)
                while batch := list(itertools.islice(stream, _FETCH)):
                    yield batch
            return
        self._cursors += 1
        with self._pg.cursor(name=f"verify_{self._cursors}", binary=True) as cursor:
            cursor.execute(self._sql(query), values)
            while batch := cursor.fetchmany(_FETCH):
                yield batch

    def rows(self, query: str, *params: Any) -> Iterator[tuple[Any, ...]]:
        for batch in self.batches(query, *params):
            yield from batch

    def one(self, query: str, *params: Any) -> tuple[Any, ...]:
        values = (self._agency, *params)
        row = (
            self._lite.execute(self._sql(query), values).fetchone()
            if self.sqlite
            else self._pg.execute(self._sql(query), values, binary=True).fetchone()
        )
        if row is None:
            raise LookupError(query)
        return tuple(row)

    def first(self, query: str, *params: Any) -> tuple[Any, ...] | None:
        try:
            return self.one(query, *params)
        except LookupError:
            return None

    def entry_parts(self, parts: int) -> list[str]:
        """Conditions splitting the entry table into ``parts`` stretches of storage, each read by one scan."""
        if parts == 1:
            return [""]
        if self.sqlite:
            (last,) = self.one("SELECT coalesce(max(rowid), 0) FROM ledger_entries WHERE ? IS NOT NULL")
            bounds = [int(last) * i // parts for i in range(1, parts)]
            low, high = "rowid > {}", "rowid <= {}"
        else:
            (pages,) = self.one(
                "SELECT pg_relation_size('ledger_entries') / current_setting('block_size')::int WHERE %s IS NOT NULL"
            )
            bounds = [int(pages) * i // parts for i in range(1, parts)]
            low, high = "ctid >= '({},0)'::tid", "ctid < '({},0)'::tid"
        edges: list[int | None] = [None, *bounds, None]
        out = []
        for start, stop in itertools.pairwise(edges):
            conditions = ([] if start is None else [low.format(start)]) + ([] if stop is None else [high.format(stop)])
            out.append("".join(f" AND {c}" for c in conditions))
        return out

    def close(self) -> None:
        if self.sqlite:
            self._lite.close()
        else:
            self._pg.close()


# -- the entries, in child processes -----------------------------------------------------------------------


@dataclass(frozen=True)
class _EntryJob:
    url: str
    agency_id: uuid.UUID
    agency_code: str
    part: str  # the stretch of the table: a condition on ctid (PostgreSQL) or rowid (SQLite)
    snapshot: str | None


@dataclass(frozen=True)
class _EntriesResult:
    entries: int
    runs: list[ChainRun]
    records: list[bytes]  # entry id || stored hash of every entry, sorted


def _check_entries(job: _EntryJob, counter: Any) -> _EntriesResult:
    """One stretch of the agency's entry rows: bytes, columns, chains (problems name the entry by its hash)."""
    rows = RowReader(job.url, job.agency_id, snapshot=job.snapshot)
    try:
        checker = EntryChecker(job.agency_code, tie=True)
        for batch in rows.batches(_ENTRIES + job.part):
            checker.check_rows(batch)
            with counter.get_lock():
                counter.value += len(batch)
        assert checker.records is not None
        checker.records.sort()  # here, in parallel, rather than in the parent at the end
        return _EntriesResult(checker.count, checker.runs(), checker.records)
    finally:
        rows.close()


def _entries_child(job: _EntryJob, counter: Any, pipe: Connection) -> None:
    # A child makes a million short-lived row tuples and no reference cycles: the collector would only walk them
    # (about a tenth of its time). It ends when its part is checked.
    gc.disable()
    try:
        pipe.send(("ok", _check_entries(job, counter)))
    except EntryProblem as problem:
        pipe.send(("entry", (problem.key, problem.stream, problem.seq, problem.reason)))
    except Exception as exc:  # reported by the parent, which owns the outcome
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


@dataclass
class _EntryProcesses:
    children: list[tuple[multiprocessing.process.BaseProcess, Connection]]
    counter: Any  # entries checked so far, by every child
    reported: int = 0

    def progress(self, progress: Progress | None, total: int) -> None:
        if progress is not None:
            done = int(self.counter.value)
            if done > self.reported:
                progress("entries", done - self.reported, total)
                self.reported = done

    def stop(self) -> None:
        for child, pipe in self.children:
            if child.is_alive():
                child.terminate()
            child.join()
            pipe.close()

    def results(self, progress: Progress | None, total: int) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for child, pipe in self.children:
            try:
                while not pipe.poll(0.2):
                    self.progress(progress, total)
                out.append(pipe.recv())
            except EOFError:
                out.append(("error", "the entry check ended without an answer"))
            child.join()
        self.progress(progress, total)
        return out


def entry_processes() -> int:
    """How many processes check the entries: one per core this process may run on."""
    if ENTRY_PROCESSES is not None:
        return ENTRY_PROCESSES
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores))


def _start_entries(url: str, log: AgencyLog, parts: list[str], snapshot: str | None) -> _EntryProcesses:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    counter = context.Value("q", 0)
    children = []
    for part in parts:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=_entries_child,
            args=(_EntryJob(url, log.agency_id, log.code, part, snapshot), counter, send),
            daemon=True,
        )
        child.start()
        send.close()
        children.append((child, receive))
    return _EntryProcesses(children, counter)


# -- the tree, in the parent -------------------------------------------------------------------------------


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=str(value))


def _indices(count: int) -> bytes:
    """0, 1, … count - 1 as PostgreSQL's int8send writes them, to compare with an aggregated column."""
    return struct.pack(f">{count}q", *range(count))


def _read_leaves(rows: RowReader, tree: TreeChecker) -> tuple[list[bytes], VerificationError | None]:
    """Every leaf into ``tree``, and the leaves' records (entry id || leaf hash) in index order. Quick path: the
    leaves as stored hold each index from 0 exactly once, each with a 32-byte hash (they do, unless someone
    moved rows); otherwise they are read again in index order, where the first gap, duplicate or hash of
    another length is the problem returned (the records are still all read, to name the leaves they tie)."""
    if rows.sqlite:
        (count,) = rows.one("SELECT count(*) FROM ledger_leaves WHERE agency_id = ?")
        slots: list[bytes | None] = [None] * int(count)
        records: list[bytes | None] = [None] * int(count)
        placed = 0
        for index, leaf, entry_id in rows.rows(_LEAVES_AS_STORED):
            if not 0 <= index < count or slots[index] is not None or len(leaf) != HASH_SIZE or entry_id is None:
                break
            slots[index] = leaf
            records[index] = bytes(entry_id) + leaf
            placed += 1
        if placed == count:
            tree.add_all(b"".join(slots))  # type: ignore[arg-type]  # every slot was placed
            return records, None  # type: ignore[return-value]
    else:
        width = _record_width(rows)
        count, misfits, indices, hashes, aggregated = rows.one(_LEAVES_AGGREGATED)
        if count == 0:
            return [], None
        whole = (
            hashes is not None
            and len(hashes) == count * HASH_SIZE
            and aggregated is not None
            and len(aggregated) == count * width
        )
        if misfits == 0 and whole and indices == _indices(int(count)):
            tree.add_all(bytes(hashes))
            return [aggregated[start : start + width] for start in range(0, len(aggregated), width)], None
    in_order = []
    problem = None
    for index, leaf, entry_id in rows.rows(_LEAVES_IN_ORDER):
        if problem is None:
            try:
                tree.add(int(index), bytes(leaf))
            except VerificationError as exc:
                problem = exc
        in_order.append(b"" if entry_id is None or leaf is None else bytes(entry_id) + bytes(leaf))
    return in_order, problem


def _record_width(rows: RowReader) -> int:
    """The width of an entry's tie record: its id as bytes (see RowReader._sql), then its stored hash."""
    return _id_width(rows) + HASH_SIZE


def _id_width(rows: RowReader) -> int:
    return 32 if rows.sqlite else 16


def _stored_nodes_problem(rows: RowReader, tree: TreeChecker) -> VerificationError | None:
    """Stored subtree hashes (which answer proofs) against the recomputed ones. Quick path on PostgreSQL: each
    level's nodes, aggregated as stored, are nodes 0, 1, 2 … equal to the recomputed ones; otherwise node by
    node, to name the wrong one."""
    try:
        if not rows.sqlite:
            levels = rows.rows(_NODES_AGGREGATED)
            if all(
                misfits == 0
                and bytes(indices) == _indices(int(count))
                and tree.stored_level_holds(int(level), bytes(hashes))
                for level, count, misfits, indices, hashes in levels
            ):
                return None
        tree.check_stored_nodes((int(lv), int(i), bytes(h)) for lv, i, h in rows.rows(_NODES))
    except VerificationError as exc:
        return exc
    return None


def _leaf_problem(rows: RowReader, index: int) -> str:
    row = rows.first(_LEAF_ENTRY, index)
    if row is None:
        return f"entry {index}: in the log, but its entry row is missing"
    return f"entry {index} (stream {row[0]}, position {row[1]}): the stored leaf hash does not match the entry's bytes"


def _stray(entry_id: Any, stream: str, seq: int) -> str:
    return (
        f"entry row {_as_uuid(entry_id)} (stream {stream}, position {seq}) "
        "is neither in the log nor pending: it was inserted outside the service"
    )


def _entry_problem(rows: RowReader, problem: EntryProblem) -> tuple[int, int, str]:
    """(index in the log, preference, what is wrong) of a problem named by the entry's stored hash."""
    entry_id, index, pending = rows.one(_ENTRY_BY_HASH, problem.key)
    where = f"(stream {problem.stream}, position {problem.seq})"
    if index is not None:
        return int(index), 0, f"entry {index} {where}: {problem.reason}"
    if pending is not None:
        return 1 << 62, 0, f"pending entry {where}: {problem.reason}"
    return 1 << 62, 0, _stray(entry_id, problem.stream, problem.seq)


def verify_log(
    session: Session,
    log: AgencyLog,
    trusted: NoteVerifier,
    *,
    external_checkpoint: str | None = None,
    check_nodes: bool = True,
    progress: Progress | None = None,
    keep_state: bool = False,
) -> VerificationReport:
    """Hashes, stream chains, Merkle root against every checkpoint and signature, heads and stored nodes; with
    ``keep_state``, the report carries the state at the latest checkpoint for ``verify --since``."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    rows = RowReader(url, log.agency_id)
    try:
        snapshot = rows.export_snapshot()
        parts = rows.entry_parts(entry_processes() if log.size >= PARALLEL_FROM else 1)
        entries = _start_entries(url, log, parts, snapshot)
        try:
            report, heads, checkpoints, tree = _verify(
                rows, log, trusted, entries, external_checkpoint, check_nodes, progress
            )
            if keep_state:
                report.state = _state_at_latest_checkpoint(rows, log, tree, heads, checkpoints)
            return report
        finally:
            entries.stop()  # a verification that ended early leaves no process behind
    finally:
        rows.close()


def _verify(
    rows: RowReader,
    log: AgencyLog,
    trusted: NoteVerifier,
    entries: _EntryProcesses,
    external_checkpoint: str | None,
    check_nodes: bool,
    progress: Progress | None,
) -> tuple[VerificationReport, dict[str, tuple[int, bytes]], list[StoredCheckpoint], TreeChecker]:
    problems: list[tuple[int, int, str]] = []  # (index in the log, preference, what is wrong)
    tree = TreeChecker(trusted, log.origin)
    leaf_records, leaf_problem = _read_leaves(rows, tree)
    if leaf_problem is not None:  # a gap in the indices, or a hash of another length
        problems.append((tree.size, 1, leaf_problem.reason))
    # Sorted here while the entry processes still run: the comparison at the end is then nearly linear.
    sorted_leaf_records = sorted(leaf_records)
    entries.progress(progress, log.size)
    checkpoints = [StoredCheckpoint(int(s), bytes(r), str(n)) for s, r, n in rows.rows(_CHECKPOINTS)]
    stored_heads = [(str(s), int(n), bytes(h)) for s, n, h in rows.rows(_STREAMS)]
    pending_ids = [bytes(entry_id) for (entry_id,) in rows.rows(_PENDING_IDS)]
    nodes_problem = _stored_nodes_problem(rows, tree) if check_nodes and not problems else None
    # What rests on the tree alone is checked while the entries are still being read, and reported after them.
    report = VerificationReport(agency=log.code, log_size=tree.size, pending=len(pending_ids))
    tree_problem = _tree_problem(tree, log, checkpoints, external_checkpoint, report)

    runs: list[ChainRun] = []
    counted = 0
    entry_problems: list[EntryProblem] = []
    entry_records: list[list[bytes]] = []
    for outcome, payload in entries.results(progress, log.size):
        if outcome == "ok":
            runs.extend(payload.runs)
            counted += payload.entries
            entry_records.append(payload.records)
        elif outcome == "entry":
            entry_problems.append(EntryProblem(*payload))
        else:
            raise VerificationError(f"the entry check failed: {payload}")
    # Each leaf is the stored hash of its entry row, which the entry side ties to the entry's bytes: told from
    # the records both sides read, when every part was read to its end.
    tied = True
    if not entry_problems:
        tied = records_correspond(entry_records, sorted_leaf_records, pending_ids, _id_width(rows))
        if not tied:
            unmatched = first_unmatched_leaf(leaf_records, itertools.chain.from_iterable(entry_records))
            if unmatched is not None:
                problems.append((unmatched, 1, _leaf_problem(rows, unmatched)))
    heads: dict[str, tuple[int, bytes]] = {}
    if not entry_problems:  # chains are linked only when every part was read to its end
        heads, entry_problems = link_chains(runs)
    problems.extend(_entry_problem(rows, problem) for problem in entry_problems[:20])
    if problems:
        raise VerificationError(min(problems)[2])

    expected = tree.size + len(pending_ids)
    if counted != expected:  # every entry row of the agency was counted, in the same snapshot
        stray = rows.first(_STRAY)
        if stray is not None:
            raise VerificationError(_stray(*stray))
        raise VerificationError(f"{counted} entry rows for {expected} entries in the log and pending")
    if not tied:  # nothing above named it: an entry row is duplicated, or a pending one is gone
        raise VerificationError(
            "the log's leaves and pending entries do not correspond one to one with the entry rows "
            "(an entry row is duplicated, missing or carries another id)"
        )
    if tree_problem is not None:
        raise tree_problem
    report.streams = len(heads)
    check_stream_heads(heads, stored_heads)
    if nodes_problem is not None:
        raise nodes_problem
    if report.latest_checkpoint_size < report.log_size:
        report.notes.append(
            f"{report.log_size - report.latest_checkpoint_size} entries after the latest checkpoint are chained "
            "but not yet covered by a signed checkpoint"
        )
    return report, heads, checkpoints, tree


_AFTER_CHECKPOINT = (  # the entries after a checkpoint: which leaf names which row, and where each row stands
    "SELECT {id:l.entry_id}, {id:e.id}, e.stream, e.stream_seq, e.prev_hash FROM ledger_leaves l "
    'JOIN ledger_entries e ON e.id = l.entry_id WHERE l.agency_id = ? AND l."index" >= ?'
)
_PENDING_ENTRIES = (
    "SELECT {id:p.entry_id}, {id:e.id}, e.stream, e.stream_seq, e.prev_hash FROM ledger_pending p "
    "JOIN ledger_entries e ON e.id = p.entry_id WHERE p.agency_id = ?"
)


def _state_at_latest_checkpoint(
    rows: RowReader,
    log: AgencyLog,
    tree: TreeChecker,
    heads: dict[str, tuple[int, bytes]],
    checkpoints: list[StoredCheckpoint],
) -> VerifiedState:
    """The verified log as it stood at its latest checkpoint: the heads just verified, each stream wound back
    to before its first entry after that checkpoint (those rows' columns were just held to their bytes, in the
    same snapshot; the join only selects them, each pair of ids is compared here)."""
    latest = max(checkpoints, key=lambda c: c.size)
    at = dict(heads)
    later = itertools.chain(rows.rows(_AFTER_CHECKPOINT, latest.size), rows.rows(_PENDING_ENTRIES))
    for named, entry_id, stream, seq, prev in later:
        if bytes(named) != bytes(entry_id):
            raise VerificationError(f"the database joined a leaf or pending marker with another entry row ({stream})")
        length, _ = at.get(stream, (0, b""))
        if int(seq) < length:
            if int(seq) == 0:
                at[stream] = (0, b"")
            else:
                at[stream] = (int(seq), bytes(prev))
    streams = {stream: head for stream, head in at.items() if head[0] > 0}
    frontier = tree.frontier(latest.size)
    return VerifiedState(log.code, log.origin, latest.size, latest.root, latest.note, frontier, streams)


def _tree_problem(
    tree: TreeChecker,
    log: AgencyLog,
    checkpoints: list[StoredCheckpoint],
    external_checkpoint: str | None,
    report: VerificationReport,
) -> VerificationError | None:
    """Every checkpoint's signature and root, the checkpoint kept outside, the log head: into ``report``."""
    try:
        report.checkpoints = tree.check_checkpoints(checkpoints)
        report.latest_checkpoint_size = max((c.size for c in checkpoints), default=0)
        if external_checkpoint is not None:
            report.external_checkpoint_size = tree.check_external_checkpoint(external_checkpoint)
        tree.check_log_head(log.size, log.root)
    except VerificationError as exc:
        return exc
    return None


def entries_in_order(database: Database, agency_id: uuid.UUID) -> Iterator[bytes]:
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
            yield from entries_in_order(database, log.agency_id)

    state = replay(entries(), advance)
    try:
        with database.transaction(write=False) as live:
            return compare_with_live(live, state, only_agency)
    finally:
        state.close()
