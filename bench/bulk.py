"""Bulk-loading a valid ledger of any size, fast, without going through one transaction per entry.

The agency is created through the service (its key, its log, its first entry, a first checkpoint); then
``size - 1`` probe entries are generated across ``streams`` streams (round-robin, each a proper hash chain)
with ``EntryContent.canonical()``, ``merkle.leaf_hash`` and time-ordered ids (as ``store.new_entry_id`` draws
them), their leaves and every completed subtree node with ``CompactRange``, and a signed checkpoint every
``checkpoint_every`` entries (the service's default policy) and at the end; everything is written with COPY
(PostgreSQL) or executemany (SQLite) and the log head moved. The result is what the service would have
written, which the benchmark confirms by running verify_log over it.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench.common import (
    ACTOR,
    AGENCY_CODE,
    PROBE,
    console,
    create_bench_agency,
    libpq_url,
    probe_body,
)
from service.db import Database
from service.ledger.canonical import EntryContent
from service.ledger.keys import load_agency_key
from service.ledger.merkle import CompactRange, leaf_hash
from service.ledger.models import LedgerHead, LedgerLeaf
from service.ledger.nodes import is_node_row
from service.ledger.note import Checkpoint, NoteSigner
from service.ledger.projection import AgencyRef


@dataclass(frozen=True)
class Generated:
    """Entries 1..size-1 of a log (index 0 is the agency's own entry), in log order."""

    size: int
    streams: int
    base: datetime
    ids: list[bytes]  # 16-byte UUIDs
    canonical: list[bytes]
    hashes: list[bytes]
    fresh_from: int  # entries from this index on go to ``fresh_streams`` streams of their own (new cases)
    fresh_streams: int

    def stream_of(self, index: int) -> tuple[str, int]:
        """(stream, position in it) of log index ``index`` ≥ 1."""
        if index >= self.fresh_from:
            offset = index - self.fresh_from
            return f"new-case-{offset % self.fresh_streams}", offset // self.fresh_streams
        return f"case-{(index - 1) % self.streams}", (index - 1) // self.streams

    def prev_of(self, index: int) -> bytes | None:
        """The hash of the entry before log index ``index`` in its stream (None for a stream's first)."""
        _, seq = self.stream_of(index)
        if not seq:
            return None
        step = self.fresh_streams if index >= self.fresh_from else self.streams
        return self.hashes[index - step - 1]

    def at(self, index: int) -> datetime:
        return self.base + timedelta(milliseconds=index)


def time_ordered_id(at: datetime) -> uuid.UUID:
    """The id ``store.new_entry_id`` would have drawn at ``at`` (UUIDv7 layout: 48-bit Unix milliseconds first)."""
    millis = int(at.timestamp() * 1000)
    value = int.from_bytes(millis.to_bytes(6, "big") + os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return uuid.UUID(int=value)


def _chunk(args: tuple[int, int, int, int, int, str, str, datetime]) -> list[tuple[int, bytes, bytes, bytes]]:
    """Entries of streams [first, last) of those round-robin over indices [start, stop): (index, id, canonical,
    hash), each stream a chain."""
    first, last, start, stop, streams, name, code, base = args
    out = []
    for s in range(first, last):
        prev: bytes | None = None
        seq = 0
        index = start + s
        while index < stop:
            at = base + timedelta(milliseconds=index)
            content = EntryContent(code, f"{name}-{s}", seq, PROBE, ACTOR, at, at, prev, probe_body(s, seq))
            canonical = content.canonical()
            digest = leaf_hash(canonical)
            out.append((index, time_ordered_id(at).bytes, canonical, digest))
            prev = digest
            seq += 1
            index += streams
    return out


def generate(
    size: int,
    streams: int,
    *,
    code: str = AGENCY_CODE,
    processes: int = 2,
    fresh: int = 0,
    fresh_streams: int = 1,
) -> Generated:
    """Canonical bytes and hashes of entries 1..size-1 (the slow part: parallel over stream groups); the last
    ``fresh`` of them on ``fresh_streams`` streams that start there (a year of new cases on an old log)."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    n = size - 1
    fresh_from = size - fresh if fresh else size
    ids: list[bytes] = [b""] * n
    canonical: list[bytes] = [b""] * n
    hashes: list[bytes] = [b""] * n
    jobs = []
    for start, stop, count, name in ((1, fresh_from, streams, "case"), (fresh_from, size, fresh_streams, "new-case")):
        step = max(1, count // (processes * 8))
        jobs += [(s, min(s + step, count), start, stop, count, name, code, base) for s in range(0, count, step)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for rows in pool.imap_unordered(_chunk, jobs):
            for index, entry_id, data, digest in rows:
                ids[index - 1] = entry_id
                canonical[index - 1] = data
                hashes[index - 1] = digest
    return Generated(size, streams, base, ids, canonical, hashes, fresh_from, fresh_streams if fresh else 0)


@dataclass(frozen=True)
class Tree:
    nodes: list[tuple[int, int, bytes]]  # the kept interior levels (service/ledger/nodes.py)
    checkpoints: list[tuple[int, bytes, str]]  # (size, root, signed note), after the one at size 1
    root: bytes


def build_tree(leaf0: bytes, gen: Generated, signer: NoteSigner, origin: str, every: int) -> Tree:
    tree = CompactRange.from_nodes(1, {(0, 0): leaf0})
    nodes: list[tuple[int, int, bytes]] = []
    keep = nodes.append
    checkpoints = []
    for digest in gen.hashes:
        for level, index, value in tree.append(digest):
            if is_node_row(level):
                keep((level, index, value))
        if tree.size % every == 0 or tree.size == gen.size:
            root = tree.root()
            checkpoints.append((tree.size, root, signer.sign(Checkpoint(origin, tree.size, root).body())))
    return Tree(nodes, checkpoints, tree.root())


@dataclass(frozen=True)
class BulkLog:
    url: str
    agency: AgencyRef
    origin: str
    size: int
    streams: int
    seconds: float


def _stream_heads(gen: Generated) -> Iterator[tuple[str, int, bytes]]:
    heads: dict[str, tuple[int, bytes]] = {}
    for index in range(1, gen.size):
        stream, seq = gen.stream_of(index)
        heads[stream] = (seq + 1, gen.hashes[index - 1])
    for stream, (length, head) in heads.items():
        yield stream, length, head


_ENTRY_TYPES = ["uuid", "uuid", "text", "int4", "text", "text", "timestamptz", "timestamptz", "bytea", "bytea", "bytea"]


def _write_postgres(url: str, agency: AgencyRef, gen: Generated, tree: Tree, at: datetime) -> None:
    aid = agency.id
    with psycopg.connect(libpq_url(url)) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY ledger_entries (id, agency_id, stream, stream_seq, type, actor, claimed_at, recorded_at, "
                "prev_hash, entry_hash, canonical) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(_ENTRY_TYPES)
                for i in range(gen.size - 1):
                    index = i + 1
                    stream, seq = gen.stream_of(index)
                    when = gen.at(index)
                    prev = gen.prev_of(index)
                    entry_id = uuid.UUID(bytes=gen.ids[i])
                    copy.write_row(
                        (entry_id, aid, stream, seq, PROBE, ACTOR, when, when, prev, gen.hashes[i], gen.canonical[i])
                    )
            # Leaves from the entries, server-side: entry (stream case-s, position q) is log index 1 + q·S + s,
            # (stream new-case-s, position q) is F + q·N + s.
            cur.execute(
                'INSERT INTO ledger_leaves (agency_id, "index", entry_id, leaf_hash) '
                "SELECT agency_id, 1 + stream_seq * %s + substr(stream, 6)::bigint, id, entry_hash "
                "FROM ledger_entries WHERE agency_id = %s AND stream LIKE 'case-%%' "
                "UNION ALL SELECT agency_id, %s + stream_seq * %s + substr(stream, 10)::bigint, id, entry_hash "
                "FROM ledger_entries WHERE agency_id = %s AND stream LIKE 'new-case-%%'",
                (gen.streams, aid, gen.fresh_from, max(gen.fresh_streams, 1), aid),
            )
            with cur.copy('COPY ledger_nodes (agency_id, level, "index", hash) FROM STDIN (FORMAT BINARY)') as copy:
                copy.set_types(["uuid", "int4", "int8", "bytea"])
                for level, index, value in tree.nodes:
                    copy.write_row((aid, level, index, value))
            with cur.copy("COPY ledger_streams (agency_id, stream, length, head_hash) FROM STDIN") as copy:
                for stream, length, head in _stream_heads(gen):
                    copy.write_row((aid, stream, length, head))
            with cur.copy("COPY ledger_checkpoints (agency_id, size, root, note, signed_at) FROM STDIN") as copy:
                for size, root, note in tree.checkpoints:
                    copy.write_row((aid, size, root, note, at))
            cur.execute(
                "UPDATE ledger_heads SET size = %s, root = %s, integrated_at = %s WHERE agency_id = %s",
                (gen.size, tree.root, at, aid),
            )
        conn.commit()
    # What autovacuum would have done to a log that grew to this size over time; and a checkpoint, so that
    # flushing the bulk load's dirty pages does not fall into the measurements.
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for table in ("ledger_entries", "ledger_leaves", "ledger_nodes", "ledger_streams", "ledger_checkpoints"):
            conn.execute(f"VACUUM ANALYZE {table}")
        conn.execute("CHECKPOINT")


def _sqlite_time(value: datetime) -> str:
    # How SQLAlchemy stores the service's UTCDateTime on SQLite: naive UTC text.
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _write_sqlite(url: str, agency: AgencyRef, gen: Generated, tree: Tree, at: datetime) -> None:
    aid = agency.id.hex  # SQLAlchemy's Uuid on SQLite: 32 hex digits
    path = sa.engine.make_url(url).database
    assert path is not None
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A bulk load, not the service's writes: no journal, no fsync, a large page cache.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-1000000")
        conn.execute("BEGIN IMMEDIATE")

        def entries() -> Iterator[tuple[object, ...]]:
            for i in range(gen.size - 1):
                stream, seq = gen.stream_of(i + 1)
                when = _sqlite_time(gen.at(i + 1))
                prev = gen.prev_of(i + 1)
                yield (
                    gen.ids[i].hex(),
                    aid,
                    stream,
                    seq,
                    PROBE,
                    ACTOR,
                    when,
                    when,
                    prev,
                    gen.hashes[i],
                    gen.canonical[i],
                )

        conn.executemany(
            "INSERT INTO ledger_entries (id, agency_id, stream, stream_seq, type, actor, claimed_at, recorded_at, "
            "prev_hash, entry_hash, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries(),
        )
        conn.execute(
            'INSERT INTO ledger_leaves (agency_id, "index", entry_id, leaf_hash) '
            "SELECT agency_id, 1 + stream_seq * ? + CAST(substr(stream, 6) AS INTEGER), id, entry_hash "
            "FROM ledger_entries WHERE agency_id = ? AND stream LIKE 'case-%' "
            "UNION ALL SELECT agency_id, ? + stream_seq * ? + CAST(substr(stream, 10) AS INTEGER), id, entry_hash "
            "FROM ledger_entries WHERE agency_id = ? AND stream LIKE 'new-case-%'",
            (gen.streams, aid, gen.fresh_from, max(gen.fresh_streams, 1), aid),
        )
        conn.executemany(
            'INSERT INTO ledger_nodes (agency_id, level, "index", hash) VALUES (?, ?, ?, ?)',
            ((aid, level, index, value) for level, index, value in tree.nodes),
        )
        conn.executemany(
            "INSERT INTO ledger_streams (agency_id, stream, length, head_hash) VALUES (?, ?, ?, ?)",
            ((aid, stream, length, head) for stream, length, head in _stream_heads(gen)),
        )
        conn.executemany(
            "INSERT INTO ledger_checkpoints (agency_id, size, root, note, signed_at) VALUES (?, ?, ?, ?, ?)",
            ((aid, size, root, note, _sqlite_time(at)) for size, root, note in tree.checkpoints),
        )
        conn.execute(
            "UPDATE ledger_heads SET size = ?, root = ?, integrated_at = ? WHERE agency_id = ?",
            (gen.size, tree.root, _sqlite_time(at), aid),
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def load(url: str, data: Path, gen: Generated, *, checkpoint_every: int = 1000) -> BulkLog:
    """Create the agency through the service, then bulk-load ``gen`` after its first entry."""
    started = time.perf_counter()
    agency = create_bench_agency(url, data)
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            head = session.get(LedgerHead, agency.id)
            assert head is not None
            assert head.size == 1, "the new agency's log holds its own entry only"
            origin = head.origin
            leaf0 = bytes(
                session.execute(
                    sa.select(LedgerLeaf.leaf_hash).where(LedgerLeaf.agency_id == agency.id, LedgerLeaf.index == 0)
                ).scalar_one()
            )
    finally:
        database.dispose()
    signer = NoteSigner(origin, load_agency_key(data / "keys", agency.code))
    tree = build_tree(leaf0, gen, signer, origin, checkpoint_every)
    at = datetime.now(UTC)
    if url.startswith("sqlite"):
        _write_sqlite(url, agency, gen, tree, at)
    else:
        _write_postgres(url, agency, gen, tree, at)
    seconds = time.perf_counter() - started
    console.print(f"  loaded {gen.size:,} entries into {url.split('://')[0]} in {seconds:.1f} s")
    return BulkLog(url, agency, origin, gen.size, gen.streams, seconds)
