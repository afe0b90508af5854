"""Verification of a large log on PostgreSQL: the full run (``verify_log``) and the incremental one
(``verify_since``, what ``caseledger verify --since`` runs), each as a ratio to raw ``hashlib`` over the same
entries' bytes, measured in the same run.

The log is bulk-loaded (``bench/bulk.py``): ``size`` entries, the first ``size - new`` round-robin over
``streams`` streams and the last ``new`` over ``new_streams`` streams of their own (a township's year of new
cases on a province's log), a signed checkpoint every 1,000 entries. The state the incremental run starts
from — the checkpoint at ``size - new``, the tree's frontier there, every stream's head there — is built from
the generated entries: what a full run at that point writes (tests/ledger/test_incremental.py holds a full
run's state equal to an incremental run's), and ``parse_state`` checks it against the signed checkpoint.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench import bulk
from bench.common import (
    console,
    data_dir,
    fmt_rate,
    libpq_url,
    machine_line,
    print_params,
    print_table,
    scratch_postgres,
    trusted_verifier,
)
from service.cli import REPLAY_CONTEXT
from service.db import Database
from service.ledger import audit
from service.ledger.audit import agency_logs, verify_log
from service.ledger.incremental import verify_since
from service.ledger.merkle import CompactRange
from service.ledger.note import NoteVerifier
from service.ledger.verified_state import VerifiedState, parse_state

NAME = "verification"
HELP = "verify_log of a 1M log and verify --since of its last 30k entries, as ratios to raw hashlib"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=1_000_000, help="entries in the log")
    parser.add_argument("--new", type=int, default=30_000, help="entries after the verified checkpoint")
    parser.add_argument("--streams", type=int, default=1_000, help="streams of the older entries")
    parser.add_argument("--new-streams", type=int, default=1_000, help="streams of the new entries")
    parser.add_argument("--runs", type=int, default=3, help="runs of each verification (the median is the figure)")


def _raw_hash(data: list[bytes]) -> float:
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for item in data:
        sha256(b"\x00" + item).digest()
    return time.perf_counter() - started


def _state_before_new(gen: bulk.Generated, log: bulk.BulkLog, data: Path, every: int) -> VerifiedState:
    """What a full run at the checkpoint at ``gen.fresh_from`` writes, from the generated entries."""
    size = gen.fresh_from
    assert size % every == 0, "the verified size must be a checkpoint size"
    leaf0 = _first_leaf(log.url, log)
    tree = CompactRange.from_nodes(1, {(0, 0): leaf0})
    heads: dict[str, tuple[int, bytes]] = {}
    for index in range(1, size):
        tree.append(gen.hashes[index - 1])
        stream, seq = gen.stream_of(index)
        heads[stream] = (seq + 1, gen.hashes[index - 1])
    with psycopg.connect(libpq_url(log.url)) as conn:
        row = conn.execute(
            "SELECT note FROM ledger_checkpoints WHERE agency_id = %s AND size = %s", (log.agency.id, size)
        ).fetchone()
        agency_entries = conn.execute(
            "SELECT stream, stream_seq, entry_hash FROM ledger_entries WHERE agency_id = %s AND stream NOT LIKE "
            "'%%case-%%'",
            (log.agency.id,),
        ).fetchall()
    assert row is not None
    for stream, seq, entry_hash in agency_entries:  # the agency's own first entry, written by the service
        heads[stream] = (int(seq) + 1, bytes(entry_hash))
    state = VerifiedState(log.agency.code, log.origin, size, tree.root(), str(row[0]), tree.frontier(), heads)
    return parse_state(state.to_json(), agency=log.agency.code, origin=log.origin, trusted=_trusted(data, log))


def _first_leaf(url: str, log: bulk.BulkLog) -> bytes:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(
            'SELECT leaf_hash FROM ledger_leaves WHERE agency_id = %s AND "index" = 0', (log.agency.id,)
        ).fetchone()
    assert row is not None
    return bytes(row[0])


def _trusted(data: Path, log: bulk.BulkLog) -> NoteVerifier:
    return trusted_verifier(data, log.origin, log.agency.code)


@dataclass(frozen=True)
class _Pair:
    full: float
    since: float
    log_size: int
    streams: int
    old_size: int
    new_size: int
    new_root_is_the_logs: bool
    touched: int
    replayed: int


def _timed_pair(url: str, data: str, code: str, origin: str, state_json: str) -> _Pair:
    """One `verify_log` and one `verify_since` from ``state_json``, each timed (in the runner process)."""
    trusted = trusted_verifier(Path(data), origin, code)
    state = parse_state(state_json, agency=code, origin=origin, trusted=trusted)
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            (agency_log,) = agency_logs(session)
        with database.transaction(write=False) as session:
            began = time.perf_counter()
            report = verify_log(session, agency_log, trusted)
            full = time.perf_counter() - began
        with database.transaction(write=False) as session:
            began = time.perf_counter()
            since, new_state = verify_since(session, agency_log, trusted, state, REPLAY_CONTEXT)  # as the CLI runs it
            incremental = time.perf_counter() - began
    finally:
        database.dispose()
    return _Pair(
        full,
        incremental,
        report.log_size,
        report.streams,
        since.old_size,
        since.new_size,
        new_state.root == agency_log.root,
        since.streams,
        since.replayed_entries,
    )


def main(args: argparse.Namespace) -> None:
    processes = audit.entry_processes()
    print_params(
        "verification: full and incremental, PostgreSQL",
        {
            "size": f"{args.size:,}",
            "new": f"{args.new:,}",
            "streams": args.streams,
            "new streams": args.new_streams,
            "runs": args.runs,
            "entry processes": processes,
        },
    )
    started = time.perf_counter()
    gen = bulk.generate(args.size, args.streams, fresh=args.new, fresh_streams=args.new_streams)
    console.print(f"  generated {args.size:,} entries in {time.perf_counter() - started:.1f} s")
    fresh = gen.canonical[gen.fresh_from - 1 :]
    raw_all, raw_new = [_raw_hash(gen.canonical)], [_raw_hash(fresh)]  # again beside every run, below
    with data_dir() as data, scratch_postgres("verification") as url:
        log = bulk.load(url, data, gen)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        state = _state_before_new(gen, log, data, 1000)
        full_runs, since_runs = [], []
        # The runs are timed in a process of their own, as `caseledger verify` runs: not in this one, which holds
        # the million generated entries (~1 GB) — every fork the verifiers make (entry processes, the replay)
        # would copy its page tables, and their writes its pages (~10 % of an incremental run, measured).
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as runner:
            for _ in range(args.runs):  # alternated with each other and raw hashlib: a drift falls on all
                run = runner.submit(_timed_pair, url, str(data), log.agency.code, log.origin, state.to_json()).result()
                full_runs.append(run.full)
                since_runs.append(run.since)
                assert run.log_size == args.size
                assert run.streams == args.streams + args.new_streams + 1
                assert (run.old_size, run.new_size) == (args.size - args.new, args.size)
                assert run.new_root_is_the_logs
                raw_all.append(_raw_hash(gen.canonical))
                raw_new.append(_raw_hash(fresh))
    full = statistics.median(full_runs)
    incremental = statistics.median(since_runs)
    everything = statistics.median(raw_all)
    new_only = statistics.median(raw_new)
    print_table(
        f"verifying {args.size:,} entries, and the last {args.new:,} of them incrementally",
        ["what", "time (median; runs)", "entries/s", "× raw hashlib of the same entries", "target"],
        [
            [
                f"verify_log, {args.size:,} entries ({processes} entry processes)",
                f"{full:.2f} s; " + ", ".join(f"{r:.2f}" for r in full_runs),
                fmt_rate(args.size / full),
                f"{full / everything:.1f}×",
                "≤ 5 s",
            ],
            [
                f"verify_since, {args.new:,} new entries ({run.touched} streams, {run.replayed:,} entries replayed)",
                f"{incremental:.3f} s; " + ", ".join(f"{r:.3f}" for r in since_runs),
                fmt_rate(args.new / incremental),
                f"{incremental / new_only:.1f}×",
                "≤ 0.5 s",
            ],
            [
                "raw hashlib SHA-256(0x00‖bytes) of all entries, in memory",
                f"{everything:.2f} s; " + ", ".join(f"{r:.2f}" for r in raw_all),
                "",
                "1.0×",
                "",
            ],
            [
                "raw hashlib of the new entries",
                f"{new_only:.3f} s; " + ", ".join(f"{r:.3f}" for r in raw_new),
                "",
                "1.0×",
                "",
            ],
        ],
    )
    console.print(f"  incremental / full: {incremental / full:.3f} (new entries / all: {args.new / args.size:.3f})")
    console.print(f"  after the runs: {machine_line()}")
