"""The ledger at scale: append rate flat in log size; proofs, verification and replay at 1,000,000 entries.

Two logs are bulk-loaded (bench/bulk.py: valid entries, leaves, nodes, stream heads and a signed checkpoint
every 1000 entries, as the service writes them) — ``--small`` (10,000) and ``--size`` (1,000,000) entries.

1. Append rate: 16 writer processes append probe entries to existing streams of both logs in turn, switching
   together every ``--slice`` seconds (bench/interleave.py: the machine's drift hits both sizes alike), each
   log's integrator running in its own process; the ratio rate(large)/rate(small). For comparison, the earlier
   method: ``--rounds`` back-to-back runs of ``--seconds`` at each size. Afterwards the small log is checked
   (gap-free, nothing lost, verify_log, replay) and the large one gap-free and nothing lost (verify_log runs on
   it below).
2. Proofs on the large log: ``prove_inclusion`` / ``prove_consistency`` on a session (each call on a clean
   identity map, as in a request), and through the API (``create_app`` served by uvicorn in its own process,
   timed with two keep-alive clients: the standard library's http.client and httpx); median and p99. Every API
   answer is checked with verify_inclusion / verify_consistency against the latest signed root.
3. Verification of the large log: ``verify_log`` (hashes, columns against bytes, stream chains, Merkle root,
   every checkpoint's signature, heads, stored nodes; entries in two child processes, each half of the table,
   beside the leaves and nodes in the parent; the median of three runs, each printed) against raw hashlib
   SHA-256 over the same canonical bytes (read into memory first, then timed), on PostgreSQL and on SQLite,
   and ``verify_log`` again without the
   stored-node check; the replay rate (``replay`` over a slice of the log; ``verify_replay`` over the whole
   small log).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import sqlalchemy as sa

from bench import bulk
from bench.common import (
    CPU_COLUMNS,
    WriteRun,
    check_ledger,
    console,
    data_dir,
    disk_read_bytes,
    fmt_ms,
    fmt_rate,
    fmt_us,
    integrate_all,
    libpq_url,
    print_params,
    print_table,
    quantiles,
    run_writers,
    scratch_postgres,
    scratch_sqlite,
    trusted_verifier,
)
from bench.interleave import Target, run_interleaved
from service.db import Database
from service.ledger.audit import AgencyLog, agency_logs, verify_log, verify_replay
from service.ledger.merkle import hash_from_base64, verify_consistency, verify_inclusion
from service.ledger.models import LedgerCheckpoint
from service.ledger.replay import replay
from service.ledger.service import prove_consistency, prove_inclusion

NAME = "scale"
HELP = "append rate at 10k vs 1M entries; proofs (session and API), verification and replay at 1M"
ROOT = Path(__file__).resolve().parent.parent


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=1_000_000, help="entries in the large log")
    parser.add_argument("--small", type=int, default=10_000, help="entries in the small log")
    parser.add_argument("--streams", type=int, default=1000, help="streams the bulk-loaded entries are spread over")
    parser.add_argument("--writers", type=int, default=16, help="writer processes for the append rate")
    parser.add_argument("--slice", type=float, default=1.0, help="seconds of each interleaved append slice")
    parser.add_argument("--slices", type=int, default=40, help="interleaved append slices, both logs together (even)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="back-to-back append runs per size, for comparison (0: none)"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each back-to-back append run")
    parser.add_argument("--proofs", type=int, default=200, help="random proofs of each kind timed")
    parser.add_argument("--sqlite-proofs", type=int, default=200, help="random proofs of each kind timed on SQLite")
    parser.add_argument("--sqlite-slices", type=int, default=10, help="interleaved append slices on SQLite")
    parser.add_argument("--replay", type=int, default=20_000, help="entries in the replayed slice")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite verification")
    parser.add_argument("--no-api", action="store_true", help="skip the proofs through the API")
    parser.add_argument("--seed", type=int, default=1_000_000)


@dataclass(frozen=True)
class Loaded:
    log: bulk.BulkLog
    url: str


def _log_of(url: str) -> AgencyLog:
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            (log,) = agency_logs(session)
    finally:
        database.dispose()
    return log


def _checkpoint_size(url: str, log: AgencyLog) -> tuple[int, bytes]:
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            row = session.execute(
                sa.select(LedgerCheckpoint.size, LedgerCheckpoint.root)
                .where(LedgerCheckpoint.agency_id == log.agency_id)
                .order_by(LedgerCheckpoint.size.desc())
                .limit(1)
            ).one()
    finally:
        database.dispose()
    return int(row.size), bytes(row.root)


# -- 1. append rate ----------------------------------------------------------------------------------------


def _check_logs(small: Loaded, large: Loaded, data: Path, acknowledged: list[list[bytes]]) -> None:
    """After appending: both logs gap-free with every acknowledged entry; the small one verified and replayed
    (the large one is verified in 3.)."""
    for target, hashes in zip((small, large), acknowledged, strict=True):
        is_small = target is small
        check = check_ledger(target.url, data, target.log.agency, hashes, verify=is_small, replay=is_small)
        console.print(
            f"  log of {target.log.size:,}: +{len(hashes)} acknowledged appends, now {check.size:,} entries, "
            "gap-free, nothing lost"
            + (", verify_log and replay pass — [bold green]verified[/bold green]" if is_small else " (verified in 3.)")
        )


def _append_rates(args: argparse.Namespace, small: Loaded, large: Loaded, data: Path, rounds: int) -> None:
    kind = "PostgreSQL" if small.url.startswith("postgresql") else "SQLite"
    console.print(
        f"[bold]1b. for comparison, back-to-back runs on {kind}[/bold] (the earlier method): {args.writers} writers "
        f"× {args.seconds:g} s at each log size, {rounds} rounds"
    )
    runs: list[tuple[int, int, WriteRun]] = []
    for round_ in range(rounds):
        order = (small, large) if round_ % 2 == 0 else (large, small)
        for target in order:
            run = run_writers(
                target.url,
                "ledger",
                target.log.agency,
                writers=args.writers,
                streams_per_writer=4,
                duration=args.seconds,
                data=data,
            )
            runs.append((round_, target.log.size, run))
            console.print(
                f"  round {round_ + 1}, log of {target.log.size:,}: {run.done} appends in {run.seconds:.2f} s"
            )
    rows = []
    for round_, size, run in runs:
        rows.append(
            [
                f"{size:,}",
                round_ + 1,
                fmt_rate(run.rate),
                fmt_us(run.client_cpu_per_row()),
                "n/a" if run.server_cpu_per_row() is None else fmt_us(run.server_cpu_per_row() or 0.0),
                fmt_us(run.integrator_cpu_per_row() or 0.0),
                run.wal_per_row(),
                f"{run.busy:.0%}",
                run.pending_at_end,
            ]
        )
    small_rate = statistics.median([r.rate for _, s, r in runs if s == small.log.size])
    large_rate = statistics.median([r.rate for _, s, r in runs if s == large.log.size])
    print_table(
        f"append rate by log size ({kind}, one entry per transaction, integrator running)",
        ["log size", "round", "appends/s", *CPU_COLUMNS],
        rows,
    )
    acknowledged = [[h for _, size, r in runs if size == t.log.size for h in r.hashes] for t in (small, large)]
    _check_logs(small, large, data, acknowledged)
    # The two sizes of one round ran back to back: their ratio is the least exposed to the machine's drift.
    pairs = [
        next(r for n, s, r in runs if n == round_ and s == large.log.size).rate
        / next(r for n, s, r in runs if n == round_ and s == small.log.size).rate
        for round_ in range(rounds)
    ]
    console.print(
        f"  per round, rate at {large.log.size:,} / rate at {small.log.size:,}: "
        + ", ".join(f"{ratio:.2f}" for ratio in pairs)
        + f"; medians {fmt_rate(large_rate)} / {fmt_rate(small_rate)} = {large_rate / small_rate:.2f}"
    )
    console.print(f"  {kind}, back-to-back runs: rate(large) / rate(small) = {statistics.median(pairs):.2f}\n")


def _append_rates_interleaved(args: argparse.Namespace, small: Loaded, large: Loaded, data: Path, slices: int) -> None:
    kind = "PostgreSQL" if small.url.startswith("postgresql") else "SQLite"
    console.print(
        f"[bold]1. append rate on {kind}[/bold]: {args.writers} writers appending to both logs in turn, "
        f"{slices} slices of {args.slice:g} s (order {small.log.size:,}, {large.log.size:,}, {large.log.size:,}, "
        f"{small.log.size:,}, …)"
    )
    run = run_interleaved(
        [Target(small.url, small.log.agency), Target(large.url, large.log.agency)],
        data,
        writers=args.writers,
        streams_per_writer=4,
        slice_seconds=args.slice,
        slices=slices,
    )
    rows = []
    for target, rate in zip((small, large), run.targets, strict=True):
        server = rate.per_row(rate.tally.server_cpu)
        rows.append(
            [
                f"{target.log.size:,}",
                f"{rate.tally.done:,} in {rate.seconds:.2f} s",
                fmt_rate(rate.rate),
                fmt_us(rate.per_row(rate.tally.client_cpu) or 0.0),
                "n/a" if server is None else fmt_us(server),
                fmt_us(rate.per_row(rate.integrator_cpu()) or 0.0),
                "n/a" if rate.wal_bytes is None else f"{rate.wal_bytes / max(rate.tally.done, 1):,.0f} B",
                f"{rate.busy:.0%}",
                rate.pending_at_end,
            ]
        )
    print_table(
        f"append rate by log size ({kind}, interleaved slices, one entry per transaction, integrators running)",
        ["log size", "appends", "appends/s", *CPU_COLUMNS],
        rows,
    )
    _check_logs(small, large, data, [rate.tally.hashes for rate in run.targets])
    pairs = run.pair_ratios()
    low, _, high = statistics.quantiles(pairs, n=4, method="inclusive") if len(pairs) > 1 else (pairs[0],) * 3
    console.print(
        f"  per pair of adjacent slices, rate at {large.log.size:,} / rate at {small.log.size:,}: median "
        f"{statistics.median(pairs):.2f}, quartiles {low:.2f}–{high:.2f}, range {min(pairs):.2f}–{max(pairs):.2f}"
    )
    console.print("  in order: " + ", ".join(f"{ratio:.2f}" for ratio in pairs))
    ratio = run.targets[1].rate / run.targets[0].rate
    goal = "target ≥ 0.9" if kind == "PostgreSQL" else "for information"
    console.print(f"  [bold]{kind}: rate(large) / rate(small) = {ratio:.2f}[/bold] ({goal})\n")


# -- 2. proofs ---------------------------------------------------------------------------------------------


def _proofs_on_session(url: str, log: AgencyLog, count: int, rng: random.Random) -> list[list[str]]:
    """The same random proofs timed twice on one session: first with the pages as the machine left them (this
    machine pages out file data idle for a minute, so much of it comes from disk), then again, cached."""
    size, _root = _checkpoint_size(url, log)
    indices = [rng.randrange(size) for _ in range(count)]
    olds = [rng.randrange(1, size) for _ in range(count)]
    database = Database(url)
    passes: list[tuple[list[float], list[float], int]] = []
    try:
        with database.transaction(write=False) as session:
            for _ in range(20):  # warm the connection and the plan caches
                prove_inclusion(session, log.agency_id, rng.randrange(size), None)
            for _ in range(2):
                inclusion: list[float] = []
                consistency: list[float] = []
                read0 = disk_read_bytes()
                for index in indices:
                    session.expunge_all()  # a request starts with an empty identity map
                    started = time.perf_counter()
                    prove_inclusion(session, log.agency_id, index, None)
                    inclusion.append(time.perf_counter() - started)
                for old in olds:
                    session.expunge_all()
                    started = time.perf_counter()
                    prove_consistency(session, log.agency_id, old, None)
                    consistency.append(time.perf_counter() - started)
                passes.append((inclusion, consistency, disk_read_bytes() - read0))
    finally:
        database.dispose()
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    queries = _queries_per_call(database, log, size)
    rows = []
    for label in ("inclusion", "consistency"):
        for name, (inclusion, consistency, read_bytes) in zip(("first pass", "cached"), passes, strict=True):
            median, p99 = quantiles(inclusion if label == "inclusion" else consistency)
            read = read_bytes / (2 * count)
            rows.append(
                [
                    f"{kind}: prove_{label} on a session, {name} ({queries[label]} statements)",
                    fmt_ms(median),
                    fmt_ms(p99),
                    f"{read / 1024:,.0f} KiB",
                    "< 1 ms",
                ]
            )
    return rows


def _queries_per_call(database: Database, log: AgencyLog, size: int) -> dict[str, int]:
    """How many SQL statements one proof sends (a fresh session, as in a request), seen by the driver (the
    proofs talk to it directly): from a libpq trace on PostgreSQL, from sqlite3's trace callback on SQLite."""
    counted = {"n": 0}

    def count(_statement: str) -> None:
        counted["n"] += 1

    out = {}
    try:
        for label, call in (
            ("inclusion", lambda s: prove_inclusion(s, log.agency_id, size // 3, None)),
            ("consistency", lambda s: prove_consistency(s, log.agency_id, size // 3, None)),
        ):
            with database.transaction(write=False) as session:
                session.execute(sa.select(1))
                raw = session.connection().connection.driver_connection
                if isinstance(raw, psycopg.Connection):
                    out[label] = _traced_statements(raw, lambda: call(session))  # noqa: B023
                else:
                    assert isinstance(raw, sqlite3.Connection)
                    counted["n"] = 0
                    raw.set_trace_callback(count)
                    try:
                        call(session)
                    finally:
                        raw.set_trace_callback(None)
                    out[label] = counted["n"]
    finally:
        database.dispose()
    return out


def _traced_statements(raw: psycopg.Connection[Any], fn: Callable[[], object]) -> int:
    """Statements ``fn`` sends on ``raw``: each simple Query, or each Sync of the extended protocol."""
    with tempfile.NamedTemporaryFile("r", prefix="cl_bench_trace_") as trace:
        fd = os.open(trace.name, os.O_WRONLY)
        raw.pgconn.trace(fd)
        try:
            fn()
        finally:
            raw.pgconn.untrace()
            os.close(fd)
        lines = trace.read().splitlines()
    return sum(1 for line in lines if "\tF\t" in line and ("\tQuery\t" in line or "\tSync" in line))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(url: str, data: Path) -> Iterator[str]:
    """The API (service.main.create_app, settings from the environment) served by uvicorn in its own process."""
    port = _free_port()
    env = {
        **os.environ,
        "CASELEDGER_DATA_DIR": str(data),
        "CASELEDGER_DATABASE_URL": url,
        "CASELEDGER_RUN_INTEGRATOR": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "service.main:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _timed_gets(get: Callable[[str], tuple[int, bytes]], paths: list[str]) -> tuple[list[float], list[Any]]:
    """Each path fetched in turn: the seconds each took, and each answer's JSON."""
    seconds: list[float] = []
    answers: list[Any] = []
    for path in paths:
        started = time.perf_counter()
        status, body = get(path)
        seconds.append(time.perf_counter() - started)
        if status != 200:
            raise AssertionError(f"GET {path}: {status}")
        answers.append(json.loads(body))
    return seconds, answers


def _proofs_through_api(url: str, data: Path, log: AgencyLog, count: int, rng: random.Random) -> list[list[str]]:
    """Random proofs through uvicorn with two keep-alive clients: the standard library's http.client (little
    client work, so the time is the server's and the network's) and httpx (a full-featured client, whose own
    ~1 ms per request is part of what it measures)."""
    size, root = _checkpoint_size(url, log)
    prefix = f"/api/v1/agencies/{log.code}/ledger/proof"
    timings: dict[tuple[str, str], list[float]] = {}
    reads: dict[tuple[str, str], float] = {}
    answers: list[tuple[str, Any]] = []
    with _server(url, data) as base:
        host, port = base.removeprefix("http://").split(":")
        stdlib = http.client.HTTPConnection(host, int(port))

        def stdlib_get(path: str) -> tuple[int, bytes]:
            stdlib.request("GET", path)
            response = stdlib.getresponse()
            return response.status, response.read()

        with httpx.Client(base_url=base) as client:

            def httpx_get(path: str) -> tuple[int, bytes]:
                response = client.get(path)
                return response.status_code, response.content

            for name, get in (("http.client", stdlib_get), ("httpx", httpx_get)):
                _timed_gets(get, [f"{prefix}/inclusion?index={rng.randrange(size)}" for _ in range(20)])  # warm-up
                for kind, paths in (
                    ("inclusion", [f"{prefix}/inclusion?index={rng.randrange(size)}" for _ in range(count)]),
                    ("consistency", [f"{prefix}/consistency?from={rng.randrange(1, size)}" for _ in range(count)]),
                ):
                    read0 = disk_read_bytes()
                    seconds, bodies = _timed_gets(get, paths)
                    timings[(kind, name)] = seconds
                    reads[(kind, name)] = (disk_read_bytes() - read0) / len(paths)
                    answers.extend((kind, body) for body in bodies)
        stdlib.close()
    for kind, body in answers:  # each answer is a real proof to the signed root
        if kind == "inclusion":
            if body["size"] != size or hash_from_base64(body["root"]) != root:
                raise AssertionError("inclusion proof not to the latest checkpoint")
            proof = [hash_from_base64(h) for h in body["proof"]]
            verify_inclusion(hash_from_base64(body["leaf_hash"]), body["index"], size, proof, root)
        else:
            proof = [hash_from_base64(h) for h in body["proof"]]
            verify_consistency(body["size1"], size, proof, hash_from_base64(body["root1"]), root)
    rows = []
    for (kind, name), samples in timings.items():
        median, p99 = quantiles(samples)
        read = f"{reads[(kind, name)] / 1024:,.0f} KiB"
        rows.append(
            [f"API GET …/proof/{kind} (uvicorn, keep-alive, {name})", fmt_ms(median), fmt_ms(p99), read, "< 5 ms"]
        )
    checked = len(answers)
    console.print(f"  {checked} API answers checked with verify_inclusion / verify_consistency against the signed root")
    return rows


# -- 3. verification ---------------------------------------------------------------------------------------

_CANONICAL_IN_ORDER = (
    "SELECT e.canonical FROM ledger_leaves l JOIN ledger_entries e ON e.id = l.entry_id WHERE l.agency_id = {} "
    'ORDER BY l."index"'
)
_CANONICAL_AS_STORED = "SELECT canonical FROM ledger_entries WHERE agency_id = {}"


def _read_canonical(url: str, log: AgencyLog, *, ordered: bool = True) -> tuple[list[bytes], float]:
    """Every entry's stored bytes in log order (or storage order), read with the driver alone."""
    query = _CANONICAL_IN_ORDER if ordered else _CANONICAL_AS_STORED
    started = time.perf_counter()
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        assert path is not None
        lite = sqlite3.connect(path)
        try:
            data = [r[0] for r in lite.execute(query.format("?"), (log.agency_id.hex,))]
        finally:
            lite.close()
    else:
        with psycopg.connect(libpq_url(url)) as conn, conn.cursor(binary=True) as cur:
            copy_out = f"COPY ({query.format('%s')}) TO STDOUT (FORMAT BINARY)"
            with cur.copy(copy_out, (log.agency_id,)) as copy:
                copy.set_types(["bytea"])
                data = [row[0] for row in copy.rows()]
    return data, time.perf_counter() - started


def _raw_hash(data: list[bytes]) -> float:
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for item in data:
        sha256(b"\x00" + item).digest()
    return time.perf_counter() - started


@dataclass
class Verification:
    kind: str
    size: int
    read: float  # driver read of the canonical bytes in log order
    hashing: float  # raw hashlib over them, in memory
    verify: float  # verify_log, end to end: the median of VERIFY_RUNS runs
    verify_runs: list[float]
    unordered: float  # driver read of the entries' bytes in storage order, no join
    without_nodes: float  # verify_log without re-reading and checking the stored subtree nodes
    disk_reads: list[int]  # bytes the machine read from disk during each verify_log run


VERIFY_RUNS = 3  # the machine is shared: the headline figure is the median of three runs, each one printed


def _verify(url: str, data: Path, log: AgencyLog) -> Verification:
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    canonical, read = _read_canonical(url, log)
    hashing = _raw_hash(canonical)
    del canonical
    _, unordered = _read_canonical(url, log, ordered=False)
    trusted = trusted_verifier(data, log.origin, log.code)
    database = Database(url)
    try:
        runs = []
        disk_reads = []
        for _ in range(VERIFY_RUNS):
            with database.transaction(write=False) as session:
                read0 = disk_read_bytes()
                started = time.perf_counter()
                report = verify_log(session, log, trusted)
                runs.append(time.perf_counter() - started)
                disk_reads.append(disk_read_bytes() - read0)
                if report.log_size != log.size or report.pending:
                    raise AssertionError(f"verify_log: {report}")
        started = time.perf_counter()
        with database.transaction(write=False) as session:
            verify_log(session, log, trusted, check_nodes=False)
        without_nodes = time.perf_counter() - started
    finally:
        database.dispose()
    verify = statistics.median(runs)
    return Verification(kind, log.size, read, hashing, verify, runs, unordered, without_nodes, disk_reads)


def _print_verifications(results: list[Verification]) -> None:
    rows = []
    for v in results:
        for label, seconds, target in (
            (
                f"verify_log (median of {len(v.verify_runs)}: "
                + ", ".join(f"{r:.2f}" for r in v.verify_runs)
                + " s; read from disk: "
                + ", ".join(f"{b / 2**20:,.0f}" for b in v.disk_reads)
                + " MiB)",
                v.verify,
                "≤ 5 s" if v.kind == "PostgreSQL" else "",
            ),
            ("verify_log without the stored-node check (check_nodes=False)", v.without_nodes, ""),
            ("driver read of the bytes in log order (join, order by index)", v.read, ""),
            ("driver read of the bytes as stored (no join, no order)", v.unordered, ""),
            ("raw hashlib SHA-256(0x00‖bytes), in memory", v.hashing, ""),
        ):
            if seconds is None:
                continue
            rows.append(
                [
                    f"{v.kind}: {label}",
                    f"{seconds:.2f} s",
                    fmt_rate(v.size / seconds),
                    f"{seconds / v.hashing:.1f}×",
                    target,
                ]
            )
    size = results[0].size
    print_table(f"verifying {size:,} entries", ["what", "time", "entries/s", "× raw hashlib", "target"], rows)


def _replay_rates(large: Loaded, small_url: str, slice_size: int) -> list[list[str]]:
    canonical, _ = _read_canonical(large.url, _log_of(large.url))
    part = canonical[:slice_size]
    del canonical
    started = time.perf_counter()
    state = replay(part)
    seconds = time.perf_counter() - started
    state.close()
    rows = [[f"replay() of entries 0..{len(part) - 1} (in memory)", f"{seconds:.2f} s", fmt_rate(len(part) / seconds)]]
    log = _log_of(small_url)
    database = Database(small_url)
    try:
        started = time.perf_counter()
        compared = verify_replay(database, [log], only_agency=log.agency_id)
        seconds = time.perf_counter() - started
    finally:
        database.dispose()
    rows.append(
        [
            f"verify_replay of the {log.size:,}-entry log (read, replay, compare {compared} rows)",
            f"{seconds:.2f} s",
            fmt_rate(log.size / seconds),
        ]
    )
    return rows


# -- main --------------------------------------------------------------------------------------------------


def main(args: argparse.Namespace) -> None:
    print_params(
        "scale",
        {
            "large log": f"{args.size:,}",
            "small log": f"{args.small:,}",
            "streams": args.streams,
            "checkpoint every": 1000,
            "writers": args.writers,
            "append slices": f"{args.slices} × {args.slice:g} s ({args.sqlite_slices} on SQLite)",
            "back-to-back rounds": f"{args.rounds} × {args.seconds:g} s",
            "proofs": f"{args.proofs} ({args.sqlite_proofs} on SQLite)",
            "replayed slice": args.replay,
            "sqlite": not args.no_sqlite,
            "api": not args.no_api,
        },
    )
    rng = random.Random(args.seed)
    started = time.perf_counter()
    generated = bulk.generate(args.size, args.streams)
    console.print(f"  generated {args.size:,} canonical entries in {time.perf_counter() - started:.1f} s (2 processes)")
    prefix = bulk.Generated(
        args.small,
        args.streams,
        generated.base,
        generated.ids[: args.small - 1],
        generated.canonical[: args.small - 1],
        generated.hashes[: args.small - 1],
        args.small,
        0,
    )
    with (
        data_dir() as data,
        scratch_postgres("small") as small_url,
        scratch_postgres("large") as large_url,
        contextlib.ExitStack() as stack,
    ):
        small = Loaded(bulk.load(small_url, data, prefix), small_url)
        large = Loaded(bulk.load(large_url, data, generated), large_url)
        sqlite_url = None
        sqlite_small: Loaded | None = None
        sqlite_large: Loaded | None = None
        if not args.no_sqlite:
            url = stack.enter_context(scratch_sqlite(data, "small"))
            sqlite_small = Loaded(bulk.load(url, data, prefix), url)
            sqlite_url = stack.enter_context(scratch_sqlite(data, "large"))
            sqlite_large = Loaded(bulk.load(sqlite_url, data, generated), sqlite_url)
        del generated, prefix

        _append_rates_interleaved(args, small, large, data, args.slices)
        if args.rounds:
            _append_rates(args, small, large, data, args.rounds)
        if sqlite_small is not None and sqlite_large is not None:
            _append_rates_interleaved(args, sqlite_small, sqlite_large, data, args.sqlite_slices)
            integrate_all(sqlite_large.url, data)

        integrate_all(large_url, data)
        log = _log_of(large_url)
        console.print(f"[bold]2. proofs[/bold] on the log of {log.size:,} entries (default size: latest checkpoint)")
        rows = _proofs_on_session(large_url, log, args.proofs, rng)
        if sqlite_url is not None:
            rows += _proofs_on_session(sqlite_url, _log_of(sqlite_url), args.sqlite_proofs, rng)
        if not args.no_api:
            rows += _proofs_through_api(large_url, data, log, args.proofs, rng)
        print_table(
            f"proofs at {log.size:,} entries ({args.proofs} random each, {args.sqlite_proofs} on SQLite)",
            ["how", "median", "p99", "disk read per proof", "target"],
            rows,
        )

        # The service records the policy versions it enforces when it starts: integrate what the API wrote.
        integrate_all(large_url, data)
        log = _log_of(large_url)
        console.print(f"\n[bold]3. verification[/bold] of the log of {log.size:,} entries")
        results = [_verify(large_url, data, log)]
        if sqlite_url is not None:
            results.append(_verify(sqlite_url, data, _log_of(sqlite_url)))
        _print_verifications(results)
        print_table(
            "replay (probe entries: their projector writes nothing, so this is the ledger's share of a replay)",
            ["what", "time", "entries/s"],
            _replay_rates(large, small_url, args.replay),
        )
        console.print("")
