"""What a real entry costs a replay.

`caseledger verify` replays an agency's whole ledger, and ``verify --since`` the streams its new entries touch,
entry by entry into an empty in-memory database (service/ledger/replay.py), by the projectors that applied them
live. The ``verification`` and ``scale`` benchmarks replay probe entries, whose projector writes nothing: this one
replays the service's own. The demo agency (its officers, users, catalogue), then ``--cases`` general cases filed
and questioned ``--inquiries`` times each through the API (one process, SQLite); every entry read back in log order
and applied entry by entry, timed per entry type, ``--runs`` times after one replay not timed (the projectors'
first use: statements compiled, the catalogue's file read). Beside it in the same run, each in turns with it (their
order rotated from run to run):

- the baseline: as many probe entries (bench/bulk.py's kind) applied the same way — what the ``verification``
  benchmark's replay applies;
- the same real entries with a step's change of its row flushed by the ORM's unit of work after each entry, as
  every replay wrote them before stop 50 (``service.straight`` then wrote straight on PostgreSQL only).

Each replay of the real entries is compared with the live rows (``compare_with_live``): a replay that differs
fails the benchmark."""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from unittest import mock

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import service.straight
from bench.common import (
    ACTOR,
    PROBE,
    console,
    data_dir,
    machine_line,
    print_params,
    print_table,
    probe_body,
    settings_for,
)
from bench.http import Demo, demo_passwords
from service.db import Database
from service.ledger.audit import agency_logs, entries_in_order
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.replay import ReplayedState, compare_with_live
from service.main import create_app

NAME = "replay"
HELP = "what a real entry (a filing, an inquiry…) costs a replay, against the probe entries the others replay"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=150, help="general cases filed through the API")
    parser.add_argument("--inquiries", type=int, default=5, help="inquiries recorded on each of them")
    parser.add_argument("--runs", type=int, default=5, help="replays of each kind (the median is the figure)")


def _entries(database: Database) -> list[EntryContent]:
    """Every entry of the database, in the order replay applies them (each agency's log, then its pending ones)."""
    with database.transaction(write=False) as session:
        logs = agency_logs(session)
    return [parse_entry(canonical) for log in logs for canonical in entries_in_order(database, log.agency_id)]


def _probes(count: int) -> list[EntryContent]:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        EntryContent("bench", f"probe-{n % 100}", n // 100, PROBE, ACTOR, at, at, None, probe_body(n % 100, n))
        for n in range(count)
    ]


def _replayed(contents: list[EntryContent]) -> tuple[ReplayedState, dict[str, float], float]:
    """A replay of ``contents``: its state, seconds per entry type, and in all (the last flush included)."""
    spent: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    gc.collect()  # the replay before's garbage, which would otherwise be collected in this one's first entries
    state = ReplayedState()
    began = clock()
    for content in contents:
        started = clock()
        state.apply_content(content)
        spent[content.type] += clock() - started
    state.session.flush()
    return state, spent, clock() - began


@contextmanager
def _flushed() -> Iterator[None]:
    """A step's row change left to the ORM's flush on SQLite, as before stop 50."""
    with mock.patch.object(service.straight, "_STRAIGHT_DIALECTS", frozenset({"postgresql"})):
        yield


def main(args: argparse.Namespace) -> None:
    print_params(NAME, {"cases": args.cases, "inquiries": args.inquiries, "runs": args.runs})
    with data_dir() as data:
        path = data / "replay.sqlite3"
        settings = settings_for(data, f"sqlite:///{path}")
        passwords = demo_passwords(settings)
        began = time.perf_counter()
        with TestClient(create_app(settings=settings)) as client:
            demo = Demo(str(client.base_url), passwords, http=client)
            cases = [demo.filed_case(n) for n in range(args.cases)]
            for _ in range(args.inquiries):
                for case in cases:
                    demo.inquiry(case)
        live = Database(settings.database_url)
        per_type: dict[str, dict[str, list[float]]] = {"real": defaultdict(list), "flushed": defaultdict(list)}
        totals: dict[str, list[float]] = {"real": [], "flushed": [], "probes": []}
        try:
            real = _entries(live)
            probes = _probes(len(real))
            console.print(
                f"  {len(real):,} entries: the demo's, {args.cases} cases filed and {args.cases * args.inquiries:,} "
                f"inquiries, made in {time.perf_counter() - began:.1f} s"
            )
            _replayed(real)[0].close()  # the projectors' first use, not timed
            kinds = ["real", "flushed", "probes"]
            for run in range(args.runs):
                for kind in kinds[run % 3 :] + kinds[: run % 3]:
                    if kind == "probes":
                        state, _, total = _replayed(probes)
                    else:
                        with _flushed() if kind == "flushed" else nullcontext():
                            state, spent, total = _replayed(real)
                        with Session(live.writer) as session:
                            compare_with_live(session, state)  # raises at the first row that differs
                        for entry_type, seconds in spent.items():
                            per_type[kind][entry_type].append(seconds)
                    state.close()
                    totals[kind].append(total)
        finally:
            live.dispose()
    counts = Counter(content.type for content in real)
    probe = statistics.median(totals["probes"]) / len(probes)
    rows = []
    for entry_type, count in counts.most_common(8):
        now = statistics.median(per_type["real"][entry_type]) / count
        before = statistics.median(per_type["flushed"][entry_type]) / count
        rows.append(
            [
                entry_type,
                f"{count:,}",
                f"{now * 1e6:,.0f}",
                f"{before * 1e6:,.0f}",
                f"{now / before:.2f}",
                f"{now / probe:.0f}×",
            ]
        )
    now_all, before_all = statistics.median(totals["real"]), statistics.median(totals["flushed"])
    rows.append(
        [
            f"all {len(counts)} types (median replay: {now_all:.3f} s, was {before_all:.3f} s)",
            f"{len(real):,}",
            f"{now_all / len(real) * 1e6:,.0f}",
            f"{before_all / len(real) * 1e6:,.0f}",
            f"{now_all / before_all:.2f}",
            f"{now_all / len(real) / probe:.0f}×",
        ]
    )
    print_table(
        f"µs per entry applied, median of {args.runs} replays (probe entry: {probe * 1e6:.1f} µs)",
        ["entry type (the most frequent)", "entries", "µs", "µs, flushed as before", "now / before", "× a probe entry"],
        rows,
    )
    inquiry = statistics.median(per_type["real"]["case:inquiry:recorded"]) / counts["case:inquiry:recorded"]
    console.print(
        f"  30,000 inquiries on cases already replayed would apply in ~{30_000 * inquiry:.1f} s; 30,000 probe entries "
        f"in {30_000 * probe:.2f} s (the parse of each entry, done before, is not in these figures)"
    )
    console.print(f"  after the runs: {machine_line()}")
