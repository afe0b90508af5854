"""The integrator's look for work against the number of checkpoints an agency has signed.

Every integrator pass — after every commit of every request that appends — starts by asking which agencies have
pending entries or a checkpoint due (``agencies_with_work``). An agency signs a checkpoint every minute it works
(``checkpoint_every_seconds``, 60) or every 1,000 entries: ~100,000 a year for a busy one. The question must
not cost more as they accumulate. Measured on PostgreSQL and SQLite with ``--few`` and with ``--many`` checkpoints
(rows as the integrator writes them: sizes increasing, signed a minute apart), the median of ``--runs`` calls
each, as a ratio of many to few (flat: 1.0); and, for comparison in the same run, the statement it replaced
(a ``GROUP BY`` over every checkpoint of every agency for the latest size and time).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, insert, select

from bench.common import create_bench_agency, data_dir, print_params, print_table, scratch_database
from service.db import Database
from service.ledger.integrator import CheckpointPolicy, agencies_with_work
from service.ledger.models import LedgerCheckpoint, LedgerHead

NAME = "integrator_work"
HELP = "the integrator's look for work (every pass) with few and with many checkpoints signed: ratio, flat = 1.0"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--few", type=int, default=10, help="checkpoints of the small case")
    parser.add_argument("--many", type=int, default=200_000, help="checkpoints of the large case")
    parser.add_argument("--runs", type=int, default=200, help="calls timed at each size")
    parser.add_argument("--databases", default="postgresql,sqlite", help="comma-separated: postgresql, sqlite")


def _aggregated(session: sa.orm.Session) -> list[sa.Row[tuple[object, ...]]]:
    """The statement ``agencies_with_work`` ran before: the latest size and time of every agency by aggregation."""
    last = (
        select(
            LedgerCheckpoint.agency_id,
            func.max(LedgerCheckpoint.size).label("size"),
            func.max(LedgerCheckpoint.signed_at).label("signed_at"),
        )
        .group_by(LedgerCheckpoint.agency_id)
        .subquery()
    )
    query = select(LedgerHead.agency_id, LedgerHead.size, last.c.size, last.c.signed_at).outerjoin(
        last, last.c.agency_id == LedgerHead.agency_id
    )
    return list(session.execute(query))


def _checkpoints_up_to(database: Database, agency_id: object, count: int, have: int) -> None:
    """Add checkpoints (beyond the ``have`` already there) so that the agency has ``count``, the head's size
    moved past the last: rows as the integrator writes them, a minute apart, ending now."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        base = int(session.scalar(select(func.max(LedgerCheckpoint.size))) or 0)
        rows = [
            {
                "agency_id": agency_id,
                "size": base + 1000 * (i + 1),
                "root": bytes(32),
                "note": "bench",
                "signed_at": now - timedelta(minutes=count - have - i),
            }
            for i in range(count - have)
        ]
        for start in range(0, len(rows), 10_000):
            session.execute(insert(LedgerCheckpoint), rows[start : start + 10_000])
        session.execute(sa.update(LedgerHead).values(size=base + 1000 * (count - have) + 1))
    if database.writer.dialect.name == "postgresql":
        with database.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE ledger_checkpoints")
    else:
        with database.writer.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _median_ms(database: Database, call: object, runs: int) -> float:
    times = []
    with database.transaction(write=False) as session:
        for _ in range(runs + 5):
            started = time.perf_counter()
            call(session)  # type: ignore[operator]
            times.append(time.perf_counter() - started)
    return statistics.median(times[5:]) * 1000


def _one_database(kind: str, args: argparse.Namespace, tmp: Path) -> list[list[str]]:
    policy = CheckpointPolicy(every_entries=1000, every_seconds=60)
    with data_dir() as data, scratch_database(kind, tmp, "integrator_work") as url:
        agency = create_bench_agency(url, data)
        database = Database(url)
        try:
            figures: dict[int, tuple[float, float]] = {}
            have = 1  # the agency's first checkpoint
            for count in (args.few, args.many):
                _checkpoints_up_to(database, agency.id, count, have)
                have = count
                with database.transaction(write=False) as session:
                    assert agencies_with_work(session, policy, datetime.now(UTC)) == [agency.id]
                now = datetime.now(UTC)
                figures[count] = (
                    _median_ms(database, lambda s, now=now: agencies_with_work(s, policy, now), args.runs),
                    _median_ms(database, _aggregated, args.runs),
                )
        finally:
            database.dispose()
    few, many = figures[args.few], figures[args.many]
    return [
        [kind, "agencies_with_work", f"{few[0]:.3f} ms", f"{many[0]:.3f} ms", f"{many[0] / few[0]:.2f}×"],
        [kind, "the aggregate it replaced", f"{few[1]:.3f} ms", f"{many[1]:.3f} ms", f"{many[1] / few[1]:.2f}×"],
    ]


def main(args: argparse.Namespace) -> None:
    print_params(
        "integrator_work: the integrator's look for work, few and many checkpoints",
        {"few": args.few, "many": args.many, "runs": args.runs, "databases": args.databases},
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="cl_bench_iw_") as tmp:
        for kind in args.databases.split(","):
            rows.extend(_one_database(kind.strip(), args, Path(tmp)))
    print_table(
        "median per call (ratio: many checkpoints to few; flat is 1.0)",
        ["database", "statement", f"{args.few:,} checkpoints", f"{args.many:,}", "many × few"],
        rows,
    )
