"""Append throughput with 16 concurrent writer processes: ledger appends against plain inserts of the same rows.

Baseline (``plain``): each writer inserts rows of ledger_entries' shape (same columns, sizes, indexes and
constraints, built with the same canonical bytes and hash) into ``bench_plain``, one row per transaction,
through the service's own ``Database`` (same engine settings, same session and commit path), with entry ids
drawn as ``append_entry`` draws them.

Ledger (``ledger``): each writer calls ``service.ledger.projection.record`` with a probe entry type whose
projector changes nothing, one entry per transaction, round-robin over its own few streams (like per-case
streams), while the integrator runs in its own process (IntegratorRunner loop, as in a server). Afterwards
everything is integrated and the run is checked: the log is gap-free, every acknowledged entry is in it, and
verify_log and the replay pass.

Rounds rotate the order of the modes, so that the drift of a shared machine falls on all of them. Per-row CPU
is reported for the writers, their PostgreSQL backends and the integrator (process and backend), with how
busy the whole machine was: on 2 cores the run is CPU-bound and the ratio follows CPU per row.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench.common import (
    CPU_COLUMNS,
    WriteRun,
    check_ledger,
    console,
    create_bench_agency,
    create_plain_table,
    data_dir,
    fmt_rate,
    fmt_us,
    print_params,
    print_table,
    run_writers,
    scratch_database,
)

NAME = "append_throughput"
HELP = "16 writer processes: ledger appends vs plain inserts of the same rows (PostgreSQL; SQLite for information)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default="postgresql,sqlite", help="comma-separated: postgresql, sqlite")
    parser.add_argument("--writers", type=int, default=16, help="concurrent writer processes")
    parser.add_argument("--size", type=int, default=200, help="transactions per writer per round (PostgreSQL)")
    parser.add_argument("--sqlite-size", type=int, default=60, help="transactions per writer per round (SQLite)")
    parser.add_argument("--streams", type=int, default=4, help="streams per writer (ledger modes)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every mode, order rotating")
    parser.add_argument("--modes", default="plain,ledger", help="comma-separated: plain, ledger")
    parser.add_argument("--no-replay", action="store_true", help="skip verify_replay in the final check")


def _maybe_us(seconds: float | None) -> str:
    return "n/a" if seconds is None else fmt_us(seconds)


def _one_database(kind: str, args: argparse.Namespace) -> None:
    size = args.size if kind == "postgresql" else args.sqlite_size
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print_params(
        f"append_throughput on {kind}",
        {
            "writers": f"{args.writers} processes",
            "transactions/writer/round": size,
            "rows/transaction": 1,
            "streams/writer": args.streams,
            "rounds": args.rounds,
            "modes": ",".join(modes),
            "integrator": "own process, IntegratorRunner(interval=0.2 s, batch=5000), checkpoint every 1000/60 s",
        },
    )
    with data_dir() as data, scratch_database(kind, Path(data), "append") as url:
        agency = create_bench_agency(url, data)
        create_plain_table(url)
        runs: list[tuple[int, WriteRun]] = []
        for round_ in range(args.rounds):
            order = modes[round_ % len(modes) :] + modes[: round_ % len(modes)]
            for mode in order:
                run = run_writers(
                    url,
                    mode,
                    agency,
                    writers=args.writers,
                    streams_per_writer=args.streams,
                    count=size,
                    data=data,
                    keep_hashes=mode != "plain",
                )
                runs.append((round_, run))
                console.print(f"  round {round_ + 1} {mode:6}: {run.done} rows in {run.seconds:.2f} s")
        print_table(
            f"{kind}: {args.writers} writers, one row per transaction — CPU per row, to see what bounds the rate",
            ["round", "mode", "rows/s", *CPU_COLUMNS],
            [
                [
                    n + 1,
                    run.mode,
                    fmt_rate(run.rate),
                    fmt_us(run.client_cpu_per_row()),
                    _maybe_us(run.server_cpu_per_row()),
                    _maybe_us(run.integrator_cpu_per_row()),
                    run.wal_per_row(),
                    f"{run.busy:.0%}",
                    "" if run.pending_at_end is None else run.pending_at_end,
                ]
                for n, run in runs
            ],
        )
        others = [m for m in modes if m != "plain"]
        ratios: dict[str, list[float]] = {m: [] for m in others}
        rows = []
        for round_ in range(args.rounds):
            by_mode = {r.mode: r for n, r in runs if n == round_}
            row: list[object] = [round_ + 1, *(fmt_rate(by_mode[m].rate) for m in modes)]
            if "plain" in by_mode:
                for m in others:
                    ratios[m].append(by_mode[m].rate / by_mode["plain"].rate)
                    row.append(f"{ratios[m][-1]:.2f}")
            rows.append(row)
        medians = {m: statistics.median([r.rate for _, r in runs if r.mode == m]) for m in modes}
        rows.append(
            ["median", *(fmt_rate(medians[m]) for m in modes), *(f"{statistics.median(ratios[m]):.2f}" for m in others)]
        )
        print_table(
            f"{kind}: {args.writers} writers, one row per transaction",
            ["round", *modes, *(f"{m}/plain" for m in others)] if "plain" in modes else ["round", *modes],
            rows,
        )
        acknowledged = [h for _, r in runs if r.mode != "plain" for h in r.hashes]
        if acknowledged:
            check = check_ledger(url, data, agency, acknowledged, replay=not args.no_replay)
            console.print(
                f"  {len(acknowledged)} acknowledged appends, log size {check.size} (with the agency's own entry): "
                f"gap-free, nothing lost, verify_log passes ({check.verify_seconds:.2f} s)"
                + (f", replay compared {check.replayed_rows} rows" if check.replayed_rows is not None else "")
                + f"; final drain {check.drain_seconds:.2f} s — [bold green]verified[/bold green]"
            )
        if "plain" in modes and "ledger" in modes:
            target = " (target ≥ 0.75)" if kind == "postgresql" else " (for information: SQLite serialises writers)"
            console.print(f"  [bold]{kind} ledger/plain = {statistics.median(ratios['ledger']):.2f}[/bold]{target}")
        console.print("")


def main(args: argparse.Namespace) -> None:
    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        _one_database(kind, args)
