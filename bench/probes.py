"""Micro-measurements behind the performance problems listed in bench/README.md, reproducible in ~1-2 minutes.

1. Client CPU of one statement: SQLAlchemy Core ``Connection.execute`` (as store.py still runs them on SQLite)
   against the DBAPI cursor (as store.py appends on PostgreSQL), and round trips per transaction (plain insert,
   ``record``) from a libpq trace.
2. ``read_nodes`` (nodes.py: one constant statement on PostgreSQL, a primary-key range per run of stored
   hashes on SQLite) against the earlier row-value ``IN`` form over the kept nodes among them, on PostgreSQL and
   SQLite, in a bulk-loaded log of ``--size`` entries; with SQLite's query plan of the earlier form.
3. WAL per append (and B-tree full-page images, with pg_walinspect when available) right after a checkpoint:
   a small log and a large log with time-ordered entry ids (as store.py draws them), and the large log with
   random UUIDv4 ids (loaded and appended, as before).
4. ``parse_instant`` (shape check + ``datetime.fromisoformat``) against the earlier ``strptime``, and
   ``replay()`` with each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import bulk
from bench.common import (
    ACTOR,
    PROBE,
    console,
    create_bench_agency,
    create_plain_table,
    data_dir,
    fmt_us,
    integrate_all,
    libpq_url,
    plain_row,
    plain_table,
    print_params,
    print_table,
    probe_body,
    scratch_database,
    scratch_postgres,
)
from service.db import Database
from service.ledger import canonical as canonical_module
from service.ledger import store
from service.ledger.merkle import Node, consistency_plan, inclusion_plan, subtree_cover
from service.ledger.models import LedgerNode
from service.ledger.nodes import ReadPlan, is_stored, read_nodes
from service.ledger.projection import AgencyRef, record
from service.ledger.replay import replay

NAME = "probes"
HELP = "micro-measurements behind the problems in bench/README.md (statements, read_nodes, WAL, timestamps)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=100_000, help="entries in the large log")
    parser.add_argument("--appends", type=int, default=2000, help="appends per WAL measurement")


def _best_cpu(fn: Callable[[int], object], n: int, repeats: int = 5) -> float:
    """Best per-call client CPU over ``repeats`` batches of ``n`` (after a warm-up batch)."""
    fn(max(n // 5, 10))
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        fn(n)
        best = min(best, (time.process_time() - started) / n)
    return best


def _median_wall(fn: Callable[[], object], n: int = 50) -> float:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return sorted(samples)[n // 2]


# -- 1. statements and round trips -------------------------------------------------------------------------


def _statements(url: str, agency: AgencyRef) -> None:
    database = Database(url)
    rows = []
    try:
        with database.writer.connect() as conn:
            store._lock_stream_head(conn, agency.id, "probe")
            conn.commit()
            key = {"of_agency": agency.id, "of_stream": "probe"}
            move = {"of_agency": agency.id, "of_stream": "probe", "new_length": 1, "new_head": bytes(32)}
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            lock_sql = "SELECT length, head_hash FROM ledger_streams WHERE agency_id = %s AND stream = %s FOR UPDATE"
            move_sql = "UPDATE ledger_streams SET length = %s, head_hash = %s WHERE agency_id = %s AND stream = %s"

            def core_lock(n: int) -> None:
                for _ in range(n):
                    conn.execute(store._LOCK_HEAD, key).one_or_none()

            def core_move(n: int) -> None:
                for _ in range(n):
                    conn.execute(store._MOVE_HEAD, move)

            def cursor_lock(n: int) -> None:
                for _ in range(n):
                    cursor.execute(lock_sql, (agency.id, "probe"))
                    cursor.fetchone()

            def cursor_move(n: int) -> None:
                for _ in range(n):
                    cursor.execute(move_sql, (1, bytes(32), agency.id, "probe"))

            for label, fn in (
                ("store._LOCK_HEAD through Connection.execute (Core, the SQLite path)", core_lock),
                ("the same SELECT … FOR UPDATE on the DBAPI cursor", cursor_lock),
                ("store._MOVE_HEAD through Connection.execute (Core, the SQLite path)", core_move),
                ("the same UPDATE on the DBAPI cursor", cursor_move),
            ):
                rows.append([label, fmt_us(_best_cpu(fn, 400))])
            conn.rollback()
    finally:
        database.dispose()
    print_table("client CPU per statement (one connection, no contention, best of 5)", ["statement", "CPU"], rows)


def _round_trips(url: str, agency: AgencyRef) -> None:
    database = Database(url)
    insert = plain_table().insert()
    counter = iter(range(10**9))

    def one(mode: str, session: Session) -> None:
        n = next(counter)
        if mode == "plain":
            session.execute(insert, plain_row(agency, "trace-plain", n, None, probe_body(0, n)))
        else:
            record(session, agency, stream="trace", type=PROBE, actor=ACTOR, body=probe_body(0, n), at=_now())

    rows = []
    try:
        for mode in ("plain", "ledger"):
            for _ in range(7):  # past psycopg's prepare threshold
                with database.transaction() as session:
                    one(mode, session)
            with tempfile.NamedTemporaryFile("r", prefix="cl_bench_trace_") as trace:
                with database.writer.connect() as conn:
                    raw = conn.connection.driver_connection
                assert isinstance(raw, psycopg.Connection)
                fd = os.open(trace.name, os.O_WRONLY)
                raw.pgconn.trace(fd)
                try:
                    with database.transaction() as session:
                        one(mode, session)
                finally:
                    raw.pgconn.untrace()
                    os.close(fd)
                requests = [
                    line.split("\t", 3)[-1].strip()
                    for line in trace.read().splitlines()
                    if "\tF\t" in line and ("\tQuery\t" in line or "\tSync" in line)
                ]
            described = ", ".join(r.replace("Query\t", "").replace('"', "") or "?" for r in requests)
            rows.append([mode, len(requests), described.replace("Sync", "statement")])
    finally:
        database.dispose()
    print_table(
        "round trips per transaction (libpq trace: each Query or Sync waits for the server)",
        ["mode", "round trips", "what"],
        rows,
    )


def _now() -> datetime:
    return datetime.now(UTC)


# -- 2. read_nodes -----------------------------------------------------------------------------------------


def _read_nodes(url: str, log: bulk.BulkLog) -> list[list[str]]:
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    size = log.size
    index = size // 3 + 12_345 % size
    covers: list[Node] = [n for b, e in inclusion_plan(index, size) for n in subtree_cover(b, e)]
    covers += [n for b, e in consistency_plan(size // 2 + 1, size) for n in subtree_cover(b, e)]
    interior = sorted({n for n in covers if n[0] > 0})
    kept = [n for n in interior if is_stored(n[0])]  # the rows a per-node read of the same proofs looks up
    aid = log.agency.id
    database = Database(url)
    rows = []
    try:
        with database.transaction(write=False) as session:
            median = _median_wall(lambda: read_nodes(session, aid, interior))
            runs = len(ReadPlan(interior).runs)
            what = f"{kind}: read_nodes of {len(interior)} nodes ({runs} runs of stored hashes, as now)"
            rows.append([what, f"{median * 1e3:.2f} ms"])
            earlier = sa.select(LedgerNode.level, LedgerNode.index, LedgerNode.hash).where(
                LedgerNode.agency_id == aid, sa.tuple_(LedgerNode.level, LedgerNode.index).in_(kept)
            )
            calls = 11 if kind == "SQLite" else 50  # a full scan per call on SQLite
            median = _median_wall(lambda: session.execute(earlier).all(), calls)
            what = f"{kind}: the {len(kept)} kept ones, row-value IN (an earlier read_nodes)"
            rows.append([what, f"{median * 1e3:.2f} ms"])
            if kind == "SQLite":
                query = sa.select(LedgerNode.level, LedgerNode.index, LedgerNode.hash).where(
                    LedgerNode.agency_id == aid, sa.tuple_(LedgerNode.level, LedgerNode.index).in_(kept[:3])
                )
                sql = str(query.compile(database.reader, compile_kwargs={"literal_binds": True}))
                sql = sql.replace(f"'{aid}'", f"'{aid.hex}'")
                plan = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
                rows.append([f"{kind}: query plan of the row-value IN form", "; ".join(str(p[-1]) for p in plan)])
    finally:
        database.dispose()
    return rows


# -- 3. WAL per append -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _random_entry_ids() -> Iterator[None]:
    """Appends draw random UUIDv4 entry ids, as store.py did before (it calls ``new_entry_id``)."""
    original = store.new_entry_id
    setattr(store, "new_entry_id", uuid.uuid4)  # noqa: B010
    try:
        yield
    finally:
        setattr(store, "new_entry_id", original)  # noqa: B010


def _wal(url: str, data: Path, log: bulk.BulkLog, appends: int) -> tuple[float, float | None, float]:
    """(WAL bytes per append, B-tree full-page-image bytes per append or None, seconds) right after a checkpoint."""
    database = Database(url)
    try:
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            inspect = True
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            except psycopg.Error:
                inspect = False
            conn.execute("CHECKPOINT")
            start = _one(conn, "SELECT pg_current_wal_lsn()::text")
            started = time.perf_counter()
            for n in range(appends):
                with database.transaction() as session:
                    stream = f"case-{n % 64}"
                    record(
                        session, log.agency, stream=stream, type=PROBE, actor=ACTOR, body=probe_body(0, n), at=_now()
                    )
            seconds = time.perf_counter() - started
            integrate_all(url, data)
            end = _one(conn, "SELECT pg_current_wal_lsn()::text")
            total = float(_one(conn, "SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn)", (end, start)))
            fpi = None
            if inspect:
                fpi = float(
                    _one(
                        conn,
                        "SELECT coalesce(sum(fpi_size), 0) FROM pg_get_wal_stats(%s::pg_lsn, %s::pg_lsn, false) "
                        "WHERE \"resource_manager/record_type\" = 'Btree'",
                        (start, end),
                    )
                )
    finally:
        database.dispose()
    return total / appends, None if fpi is None else fpi / appends, seconds


def _one(conn: psycopg.Connection[Any], query: str, params: tuple[object, ...] = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _with_random_ids(gen: bulk.Generated) -> bulk.Generated:
    ids = [uuid.uuid4().bytes for _ in gen.ids]
    return bulk.Generated(gen.size, gen.streams, gen.base, ids, gen.canonical, gen.hashes)


# -- 4. timestamps -----------------------------------------------------------------------------------------


def _strptime_instant(text: str) -> datetime:
    """parse_instant as it was before (``strptime``)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _timestamps(gen: bulk.Generated) -> list[list[str]]:
    text = "2026-11-28T01:12:18.123456Z"
    parse = canonical_module.parse_instant
    rows = [
        [
            "parse_instant (shape check + fromisoformat, as now)",
            fmt_us(_best_cpu(lambda n: [parse(text) for _ in range(n)], 20_000)),
        ],
        [
            "datetime.strptime (before)",
            fmt_us(_best_cpu(lambda n: [_strptime_instant(text) for _ in range(n)], 20_000)),
        ],
    ]
    entries = gen.canonical[:20_000]
    for label in ("parse_instant as now", "strptime as before"):
        if label == "strptime as before":
            setattr(canonical_module, "parse_instant", _strptime_instant)  # noqa: B010
        try:
            started = time.perf_counter()
            replay(entries).close()
            seconds = time.perf_counter() - started
        finally:
            canonical_module.parse_instant = parse
        rows.append(
            [f"replay() of {len(entries):,} probe entries, {label}", f"{len(entries) / seconds:,.0f} entries/s"]
        )
    return rows


# -- main --------------------------------------------------------------------------------------------------


def main(args: argparse.Namespace) -> None:
    print_params("probes", {"large log": f"{args.size:,}", "appends per WAL measurement": args.appends})
    with data_dir() as data:
        with scratch_postgres("probes") as url:
            agency = create_bench_agency(url, data)
            create_plain_table(url)
            _statements(url, agency)
            _round_trips(url, agency)

        gen = bulk.generate(args.size, 1000)
        rows: list[list[str]] = []
        for kind in ("postgresql", "sqlite"):
            with scratch_database(kind, data, "probes") as url:
                rows += _read_nodes(url, bulk.load(url, data, gen))
        print_table(
            f"reading the nodes of one inclusion + one consistency proof at {args.size:,} entries",
            ["how", "median"],
            rows,
        )

        small = bulk.Generated(10_000, 1000, gen.base, gen.ids[:9_999], gen.canonical[:9_999], gen.hashes[:9_999])
        wal_rows = []
        for label, generated, random_ids in (
            ("10,000 entries, time-ordered ids (as now)", small, False),
            (f"{args.size:,} entries, time-ordered ids (as now)", gen, False),
            (f"{args.size:,} entries, random uuid4 ids (before)", _with_random_ids(gen), True),
        ):
            with scratch_postgres("probes") as url:
                log = bulk.load(url, data, generated)
                with _random_entry_ids() if random_ids else contextlib.nullcontext():
                    per_append, fpi, seconds = _wal(url, data, log, args.appends)
            wal_rows.append(
                [label, f"{per_append:,.0f} B", "n/a" if fpi is None else f"{fpi:,.0f} B", f"{seconds:.2f} s"]
            )
        print_table(
            f"WAL per append right after a checkpoint (1 writer, {args.appends} appends, then integration)",
            ["log", "WAL/append", "B-tree full-page images/append", "appends took"],
            wal_rows,
        )
        print_table("timestamps in parse_entry", ["what", "cost"], _timestamps(gen))
    console.print("")
