"""Two ledgers' append rates measured in interleaved time slices, so that the machine's drift hits both alike.

On a shared machine the rate of one five-second run moves by ±15 % from one run to the next while the work
per append stays the same; two runs back to back compare the machine at two moments as much as the logs. Here
the same writer processes append to both logs in turn: every process switches target at the same instants
(slices of ``slice_seconds``, in the order A B B A A B B A …, which cancels a steady drift), so each log's rate
is measured over time spread evenly through the whole run.

Each writer keeps one pooled connection per log and times every append it makes; an append belongs to the log
of the slice in which it started, and the time it took to that log, so an append still running at a switch is
charged to its own log, not to the next slice's. A log's rate is its appends divided by the writers' time spent
on it (summed over the writers, divided by their number). The integrator of each log runs throughout in its own
process, as a server's background thread would: it wakes every 0.2 s, so up to that much of a log's
integration runs in the next slice, the other log's (a few per cent of the work of an append, charged to the
other log as often as to this one).
"""

from __future__ import annotations

import contextlib
import multiprocessing.synchronize
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    ACTOR,
    PROBE,
    IntegratorResult,
    WalMeter,
    backend_pid,
    fork_context,
    integrator_process,
    machine_busy,
    probe_body,
    process_cpu,
)
from service.db import Database
from service.ledger.integrator import pending_count
from service.ledger.projection import AgencyRef, record


@dataclass(frozen=True)
class Target:
    url: str
    agency: AgencyRef


@dataclass
class TargetTally:
    """One writer's (or, summed, all writers') work on one log."""

    done: int = 0
    seconds: float = 0.0  # wall time spent in this log's appends
    client_cpu: float = 0.0
    server_cpu: float | None = 0.0
    hashes: list[bytes] = field(default_factory=list)

    def add(self, other: TargetTally) -> None:
        self.done += other.done
        self.seconds += other.seconds
        self.client_cpu += other.client_cpu
        both = self.server_cpu is not None and other.server_cpu is not None
        self.server_cpu = (self.server_cpu or 0.0) + (other.server_cpu or 0.0) if both else None
        self.hashes += other.hashes


@dataclass
class _WriterOut:
    writer: int
    tallies: list[TargetTally]
    slices: list[tuple[int, float]]  # per slice: appends started in it, wall seconds they took
    error: str | None = None


def slice_order(count: int) -> list[int]:
    """Which target (0 or 1) each slice writes to: 0 1 1 0 0 1 1 0 … (a linear drift cancels out)."""
    return [(k + (k // 2) % 2) % 2 for k in range(count)]


def _writer(
    targets: list[Target],
    writer: int,
    streams: tuple[str, ...],
    order: list[int],
    slice_seconds: float,
    barrier: multiprocessing.synchronize.Barrier,
    epoch: Any,
    out: Any,
) -> None:
    databases = [Database(t.url) for t in targets]
    result = _WriterOut(writer, [TargetTally() for _ in targets], [])
    try:
        backends = [backend_pid(d) for d in databases]  # also opens each pooled connection before the start
        barrier.wait()
        while epoch.value == 0.0:
            time.sleep(0.001)
        time.sleep(max(0.0, epoch.value - time.monotonic()))
        n = 0
        for k, which in enumerate(order):
            target, tally, database, backend = targets[which], result.tallies[which], databases[which], backends[which]
            end = epoch.value + (k + 1) * slice_seconds
            cpu0, server0, slice_done, slice_seconds_spent = time.process_time(), 0.0, 0, 0.0
            if backend:
                server0 = process_cpu(backend)
            while time.monotonic() < end:
                stream = streams[n % len(streams)]
                started = time.monotonic()
                with database.transaction() as session:
                    recorded = record(
                        session,
                        target.agency,
                        stream=stream,
                        type=PROBE,
                        actor=ACTOR,
                        body=probe_body(writer, n),
                        at=datetime.now(UTC),
                    )
                slice_seconds_spent += time.monotonic() - started
                tally.hashes.append(recorded.entry_hash)  # acknowledged: its transaction committed
                slice_done += 1
                n += 1
            tally.done += slice_done
            tally.seconds += slice_seconds_spent
            tally.client_cpu += time.process_time() - cpu0
            if backend and tally.server_cpu is not None:
                tally.server_cpu += process_cpu(backend) - server0
            else:
                tally.server_cpu = None
            result.slices.append((slice_done, slice_seconds_spent))
    except BaseException as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        with contextlib.suppress(Exception):
            barrier.abort()
    finally:
        for database in databases:
            database.dispose()
    out.put(result)


@dataclass
class TargetRate:
    tally: TargetTally
    writers: int
    integrator: IntegratorResult | None = None
    wal_bytes: int | None = None  # the server's WAL written during this log's slices
    busy: float = 0.0  # the machine's CPU busy fraction during this log's slices
    pending_at_end: int = 0

    @property
    def seconds(self) -> float:
        return self.tally.seconds / self.writers

    @property
    def rate(self) -> float:
        return self.tally.done / self.seconds if self.seconds > 0 else 0.0

    def per_row(self, value: float | None) -> float | None:
        return None if value is None else value / max(self.tally.done, 1)

    def integrator_cpu(self) -> float | None:
        if self.integrator is None:
            return None
        return self.integrator.client_cpu + (self.integrator.server_cpu or 0.0)


@dataclass
class InterleavedRun:
    targets: list[TargetRate]
    order: list[int]
    slice_rates: list[float]  # per slice, the rate of its target

    def pair_ratios(self) -> list[float]:
        """Per pair of adjacent slices (0 1, 1 0, …): rate of target 1 / rate of target 0."""
        ratios = []
        for k in range(0, len(self.order) - 1, 2):
            rates = {self.order[k]: self.slice_rates[k], self.order[k + 1]: self.slice_rates[k + 1]}
            if rates.get(0):
                ratios.append(rates[1] / rates[0])
        return ratios


def run_interleaved(
    targets: list[Target],
    data: Path,
    *,
    writers: int,
    streams_per_writer: int,
    slice_seconds: float,
    slices: int,
    integrator_interval: float = 0.2,
) -> InterleavedRun:
    """``writers`` processes appending one entry per transaction to two logs in alternating slices."""
    if len(targets) != 2 or slices < 2 or slices % 2:
        raise ValueError("two targets and an even number of slices")
    ctx = fork_context()
    order = slice_order(slices)
    barrier = ctx.Barrier(writers + 1)
    epoch = ctx.Value("d", 0.0)
    out = ctx.Queue()
    stop = ctx.Event()
    integrator_outs = [ctx.Queue() for _ in targets]
    integrators = [
        ctx.Process(target=integrator_process, args=(t.url, str(data), stop, integrator_interval, q))
        for t, q in zip(targets, integrator_outs, strict=True)
    ]
    for process in integrators:
        process.start()
    processes = [
        ctx.Process(
            target=_writer,
            args=(
                targets,
                w,
                tuple(f"case-{w * streams_per_writer + k}" for k in range(streams_per_writer)),
                order,
                slice_seconds,
                barrier,
                epoch,
                out,
            ),
        )
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    wal_meter = WalMeter(targets[0].url)
    wal: list[int | None] = [0, 0]
    busy = [[0.0, 0.0], [0.0, 0.0]]
    rates = [TargetRate(TargetTally(), writers) for _ in targets]
    try:
        with contextlib.suppress(Exception):  # a writer that failed to start broke the barrier: it reports why
            barrier.wait(timeout=120)
        epoch.value = time.monotonic() + 0.05
        # Meter the server's WAL and the machine's CPU at each switch, charged to the slice's target.
        time.sleep(max(0.0, epoch.value - time.monotonic()))
        previous_lsn, previous_busy = wal_meter.position(), machine_busy()
        for k, which in enumerate(order):
            time.sleep(max(0.0, epoch.value + (k + 1) * slice_seconds - time.monotonic()))
            now_lsn, now_busy = wal_meter.position(), machine_busy()
            if now_lsn is None or previous_lsn is None:
                wal[which] = None
            elif wal[which] is not None:
                wal[which] = (wal[which] or 0) + now_lsn - previous_lsn
            busy[which][0] += now_busy[0] - previous_busy[0]
            busy[which][1] += now_busy[1] - previous_busy[1]
            previous_lsn, previous_busy = now_lsn, now_busy
        results: list[_WriterOut] = [out.get(timeout=3600) for _ in range(writers)]
        for process in processes:
            process.join()
        for which, target in enumerate(targets):
            rate = rates[which]
            for r in results:
                rate.tally.add(r.tallies[which])
            rate.wal_bytes = wal[which]
            rate.busy = busy[which][0] / max(busy[which][1], 1.0)
            database = Database(target.url)
            try:
                with database.transaction(write=False) as session:
                    rate.pending_at_end = pending_count(session, target.agency.id)
            finally:
                database.dispose()
    finally:
        wal_meter.close()
        stop.set()
        for process in processes:
            if process.is_alive():
                process.terminate()
        for which, (process, q) in enumerate(zip(integrators, integrator_outs, strict=True)):
            with contextlib.suppress(Exception):
                rates[which].integrator = q.get(timeout=120)
            process.join(timeout=60)
    errors = [r.error for r in results if r.error]
    errors += [r.integrator.error for r in rates if r.integrator is not None and r.integrator.error]
    if errors:
        raise RuntimeError(f"{len(errors)} process(es) failed, first: {errors[0]}")
    slice_rates = []
    for k in range(slices):
        done = sum(r.slices[k][0] for r in results)
        seconds = sum(r.slices[k][1] for r in results) / writers
        slice_rates.append(done / seconds if seconds > 0 else 0.0)
    return InterleavedRun(rates, order, slice_rates)
