"""Shared harness: scratch databases, a bench agency, concurrent writer processes, tables of figures.

Nothing here asserts on time: benchmarks print figures and ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.synchronize
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from service import projections
from service.auth.tokens import generate_key_file
from service.clock import SystemClock
from service.config import Settings
from service.db import Database
from service.ledger.audit import agency_logs, verify_log, verify_replay
from service.ledger.canonical import EntryContent
from service.ledger.integrator import CheckpointPolicy, SignerCache, pending_count
from service.ledger.keys import load_agency_key
from service.ledger.merkle import leaf_hash
from service.ledger.models import LedgerEntry, LedgerHead, LedgerLeaf
from service.ledger.note import NoteSigner, NoteVerifier
from service.ledger.projection import AgencyRef, known_entry_types, projector, record
from service.ledger.runner import IntegratorRunner
from service.ledger.store import new_entry_id
from service.migrations import upgrade_to_head
from service.runtime import TOKEN_KEY_FILE

console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)

PROBE = "bench:probe:appended"
AGENCY_CODE = "bench"
ACTOR = "system:bench"
# A body of the size of a typical case action (a few hundred bytes of canonical JSON once wrapped).
NOTE = "现场检查记录：" + "x" * 120

projections.load_all()

if PROBE not in known_entry_types():

    @projector(PROBE)
    def _probe(session: Session, entry: EntryContent) -> None:
        """A probe entry changes no state: the benchmark measures the ledger alone."""


# -- environment -----------------------------------------------------------------------------------------


def pg_admin_url() -> str:
    """A PostgreSQL server the benchmarks may create databases on (trust auth)."""
    return os.environ.get("CASELEDGER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def machine_line() -> str:
    load = os.getloadavg()
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the machine is shared: figures are noisy)"
    )


def _pg_url_for(name: str) -> str:
    return sa.engine.make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL (for psycopg used directly, e.g. COPY)."""
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.contextmanager
def scratch_postgres(tag: str) -> Iterator[str]:
    """A fresh PostgreSQL database ``cl_bench_<tag>_<random>`` at the migrations' head, dropped afterwards."""
    name = f"cl_bench_{tag}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = _pg_url_for(name)
        upgrade_to_head(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def scratch_sqlite(directory: Path, tag: str) -> Iterator[str]:
    path = directory / f"cl_bench_{tag}_{uuid.uuid4().hex[:8]}.sqlite3"
    url = f"sqlite:///{path}"
    try:
        upgrade_to_head(url)
        yield url
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def scratch_database(kind: str, directory: Path, tag: str) -> Iterator[str]:
    if kind == "postgresql":
        with scratch_postgres(tag) as url:
            yield url
    elif kind == "sqlite":
        with scratch_sqlite(directory, tag) as url:
            yield url
    else:
        raise ValueError(f"unknown database kind {kind!r}")


@contextlib.contextmanager
def data_dir() -> Iterator[Path]:
    """A data directory with a token-signing key (agency checkpoint keys are added by create_agency)."""
    with tempfile.TemporaryDirectory(prefix="cl_bench_") as tmp:
        path = Path(tmp)
        (path / "keys").mkdir(mode=0o700)
        generate_key_file(path / "keys" / TOKEN_KEY_FILE)
        yield path


def settings_for(data: Path, url: str) -> Settings:
    return Settings(data_dir=data, database_url=url, run_integrator=False)


def checkpoint_policy(settings: Settings) -> CheckpointPolicy:
    return CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_seconds)


def create_bench_agency(url: str, data: Path, code: str = AGENCY_CODE) -> AgencyRef:
    """Create the agency through the service (its log, key and first entry) and integrate it."""
    from service.agencies.service import create_agency

    settings = settings_for(data, url)
    database = Database(url)
    try:
        with database.transaction() as session:
            agency = create_agency(
                session,
                code=code,
                name="基准测试乡人民政府",
                keys_dir=settings.keys_dir,
                origin_base=settings.log_origin_base,
                actor=ACTOR,
                at=datetime.now(UTC),
            )
            ref = AgencyRef(agency.id, agency.code)
        runner = IntegratorRunner(database, SignerCache(settings.keys_dir), checkpoint_policy(settings), SystemClock())
        runner.run_once(force_checkpoint=True)
    finally:
        database.dispose()
    return ref


def trusted_verifier(data: Path, origin: str, code: str = AGENCY_CODE) -> NoteVerifier:
    return NoteSigner(origin, load_agency_key(data / "keys", code)).verifier()


# -- rows --------------------------------------------------------------------------------------------------


def probe_body(writer: int, n: int) -> dict[str, Any]:
    return {"writer": writer, "n": n, "note": NOTE}


def plain_row(agency: AgencyRef, stream: str, seq: int, prev: bytes | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """The row append_entry would insert, built the same way (canonical bytes, hash), without the ledger."""
    now = datetime.now(UTC)
    content = EntryContent(agency.code, stream, seq, PROBE, ACTOR, now, now, prev, body)
    canonical = content.canonical()
    return {
        "id": new_entry_id(),  # as append_entry draws them (time-ordered)
        "agency_id": agency.id,
        "stream": stream,
        "stream_seq": seq,
        "type": PROBE,
        "actor": ACTOR,
        "claimed_at": now,
        "recorded_at": now,
        "prev_hash": prev,
        "entry_hash": leaf_hash(canonical),
        "canonical": canonical,
    }


PLAIN_TABLE = "bench_plain"


def create_plain_table(url: str) -> None:
    """``bench_plain``: the columns, sizes, defaults, indexes and constraints of ledger_entries, no triggers."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    f"CREATE TABLE {PLAIN_TABLE} "
                    "(LIKE ledger_entries INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)"
                )
            else:
                ddl = conn.exec_driver_sql(
                    "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'ledger_entries' AND sql IS NOT NULL "
                    "AND type IN ('table', 'index')"
                ).all()
                for _kind, sql in sorted(ddl, key=lambda r: r[0] != "table"):  # the table, then its indexes
                    conn.exec_driver_sql(sql.replace("ledger_entries", PLAIN_TABLE))
    finally:
        engine.dispose()


def plain_table() -> sa.Table:
    return cast(sa.Table, LedgerEntry.__table__).to_metadata(sa.MetaData(), name=PLAIN_TABLE)


# -- concurrent writers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriterJob:
    url: str
    mode: str  # "plain" or "ledger"
    agency: AgencyRef
    writer: int
    streams: tuple[str, ...]
    count: int | None  # transactions to run, or None to run for ``duration`` seconds
    duration: float | None
    keep_hashes: bool


@dataclass
class WriterResult:
    writer: int
    done: int
    started: float
    ended: float
    client_cpu: float = 0.0  # this process's CPU seconds while writing
    server_cpu: float | None = None  # its PostgreSQL backend's CPU seconds while writing (same machine)
    hashes: list[bytes] = field(default_factory=list)
    error: str | None = None


@dataclass
class IntegratorResult:
    client_cpu: float
    server_cpu: float | None
    error: str | None = None


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid``, from /proc (0 if unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


def disk_read_bytes() -> int:
    """Bytes the whole machine has read from its disks so far (``pgpgin`` of /proc/vmstat, in KiB)."""
    for line in Path("/proc/vmstat").read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == "pgpgin":
            return int(value) * 1024
    return 0


def backend_pid(database: Database) -> int | None:
    """The PostgreSQL backend of the (single, pooled) connection this process uses, if the server is local."""
    if database.is_sqlite:
        return None
    with database.transaction(write=False) as session:
        pid = int(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
    return pid if Path(f"/proc/{pid}").exists() else None


def _writer(job: WriterJob, barrier: multiprocessing.synchronize.Barrier, out: Any) -> None:
    database = Database(job.url)
    result = WriterResult(job.writer, 0, 0.0, 0.0)
    try:
        backend = backend_pid(database)  # also opens the pooled connection before the start
        with database.transaction(write=False) as session:
            session.execute(sa.select(1))
        table = plain_table()
        insert = table.insert()
        heads: dict[str, tuple[int, bytes | None]] = dict.fromkeys(job.streams, (0, None))
        if job.mode == "plain":
            # Carry on the chains where an earlier round left them, so the rows stay unique.
            with database.transaction(write=False) as session:
                for stream, seq in session.execute(
                    sa.select(table.c.stream, sa.func.max(table.c.stream_seq))
                    .where(table.c.stream.in_(job.streams))
                    .group_by(table.c.stream)
                ):
                    heads[stream] = (int(seq) + 1, bytes(32))
        barrier.wait()
        result.started = time.monotonic()
        cpu0 = time.process_time()
        server0 = process_cpu(backend) if backend else 0.0
        deadline = result.started + (job.duration or 0.0)
        n = 0
        while (n < job.count) if job.count is not None else (time.monotonic() < deadline):
            stream = job.streams[n % len(job.streams)]
            body = probe_body(job.writer, n)
            if job.mode == "plain":
                seq, prev = heads[stream]
                row = plain_row(job.agency, stream, seq, prev, body)
                with database.transaction() as session:
                    session.execute(insert, row)
                heads[stream] = (seq + 1, row["entry_hash"])
                digest = row["entry_hash"]
            else:
                with database.transaction() as session:
                    recorded = record(
                        session, job.agency, stream=stream, type=PROBE, actor=ACTOR, body=body, at=datetime.now(UTC)
                    )
                digest = recorded.entry_hash
            if job.keep_hashes:
                result.hashes.append(digest)  # acknowledged: its transaction committed
            n += 1
        result.ended = time.monotonic()
        result.client_cpu = time.process_time() - cpu0
        if backend:
            result.server_cpu = process_cpu(backend) - server0
        result.done = n
    except BaseException as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        if not result.ended:
            result.ended = time.monotonic()
        with contextlib.suppress(Exception):
            barrier.abort()
    finally:
        database.dispose()
    out.put(result)


def integrator_process(url: str, data: str, stop: multiprocessing.synchronize.Event, interval: float, out: Any) -> None:
    """The server's background integrator, alone in its own process."""
    settings = settings_for(Path(data), url)
    database = Database(url)
    runner = IntegratorRunner(
        database,
        SignerCache(settings.keys_dir),
        checkpoint_policy(settings),
        SystemClock(),
        interval=interval,
        batch=settings.integrator_batch,
    )
    backend = backend_pid(database)
    cpu0, server0 = time.process_time(), process_cpu(backend) if backend else 0.0
    runner.start()
    stop.wait()
    runner.stop()
    out.put(IntegratorResult(time.process_time() - cpu0, process_cpu(backend) - server0 if backend else None))
    database.dispose()


class WalMeter:
    """The PostgreSQL server's WAL: its position in bytes, and what was written between start() and stop()
    (None on SQLite)."""

    def __init__(self, url: str) -> None:
        self._conn = None if url.startswith("sqlite") else psycopg.connect(libpq_url(url), autocommit=True)
        self._start: int | None = None

    def position(self) -> int | None:
        if self._conn is None:
            return None
        row = self._conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint").fetchone()
        assert row is not None
        return int(row[0])

    def start(self) -> None:
        self._start = self.position()

    def stop(self) -> int | None:
        try:
            end = self.position()
            return None if end is None or self._start is None else end - self._start
        finally:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def fork_context() -> multiprocessing.context.ForkContext:
    # fork: the children inherit the registered probe projector; the parent holds no open connection.
    return multiprocessing.get_context("fork")


@dataclass
class WriteRun:
    mode: str
    writers: int
    results: list[WriterResult]
    busy: float = 0.0  # fraction of the machine's CPU busy during the run (everyone's, not only ours)
    wal_bytes: int | None = None  # PostgreSQL WAL written during the run (the whole server's, not only ours)
    integrator: IntegratorResult | None = None
    pending_at_end: int | None = None  # ledger: entries not yet integrated when the writers finished

    @property
    def done(self) -> int:
        return sum(r.done for r in self.results)

    @property
    def seconds(self) -> float:
        return max(r.ended for r in self.results) - min(r.started for r in self.results)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def hashes(self) -> list[bytes]:
        return [h for r in self.results for h in r.hashes]

    def wal_per_row(self) -> str:
        return "n/a" if self.wal_bytes is None else f"{self.wal_bytes / max(self.done, 1):,.0f} B"

    def client_cpu_per_row(self) -> float:
        return sum(r.client_cpu for r in self.results) / max(self.done, 1)

    def server_cpu_per_row(self) -> float | None:
        if any(r.server_cpu is None for r in self.results):
            return None
        return sum(r.server_cpu or 0.0 for r in self.results) / max(self.done, 1)

    def integrator_cpu_per_row(self) -> float | None:
        if self.integrator is None:
            return None
        return (self.integrator.client_cpu + (self.integrator.server_cpu or 0.0)) / max(self.done, 1)


# The columns after a run's own ones in every table of write runs: what bounds the rate.
CPU_COLUMNS = ["writer CPU", "DB backend CPU", "integrator CPU", "WAL/row", "busy", "pending"]


def run_writers(
    url: str,
    mode: str,
    agency: AgencyRef,
    *,
    writers: int,
    streams_per_writer: int,
    count: int | None = None,
    duration: float | None = None,
    data: Path | None = None,
    integrator_interval: float = 0.2,
    keep_hashes: bool = True,
    stream_prefix: str = "case",
    stream_offset: int = 0,
) -> WriteRun:
    """``writers`` processes, each committing one row (or one ledger entry) per transaction.

    In ledger mode an integrator runs concurrently in its own process, as a server's background thread would.
    """
    ctx = fork_context()
    barrier = ctx.Barrier(writers + 1)
    out = ctx.Queue()
    jobs = [
        WriterJob(
            url,
            mode,
            agency,
            w,
            tuple(f"{stream_prefix}-{stream_offset + w * streams_per_writer + k}" for k in range(streams_per_writer)),
            count,
            duration,
            keep_hashes,
        )
        for w in range(writers)
    ]
    integrator = None
    stop = ctx.Event()
    integrator_out = ctx.Queue()
    if mode == "ledger":
        if data is None:
            raise ValueError("ledger mode needs the data directory (for the checkpoint key)")
        integrator = ctx.Process(
            target=integrator_process, args=(url, str(data), stop, integrator_interval, integrator_out)
        )
        integrator.start()
    processes = [ctx.Process(target=_writer, args=(job, barrier, out)) for job in jobs]
    for process in processes:
        process.start()
    wal = WalMeter(url)
    with contextlib.suppress(Exception):
        barrier.wait(timeout=120)
    busy0, total0 = machine_busy()
    wal.start()
    results: list[WriterResult] = []
    while len(results) < writers:
        results.append(out.get(timeout=3600))
    busy1, total1 = machine_busy()
    wal_bytes = wal.stop()
    for process in processes:
        process.join()
    run = WriteRun(mode, writers, sorted(results, key=lambda r: r.writer))
    run.busy = (busy1 - busy0) / max(total1 - total0, 1.0)
    run.wal_bytes = wal_bytes
    if integrator is not None:
        database = Database(url)
        try:
            with database.transaction(write=False) as session:
                run.pending_at_end = pending_count(session, agency.id)
        finally:
            database.dispose()
        stop.set()
        run.integrator = integrator_out.get(timeout=120)
        integrator.join(timeout=60)
    errors = [r.error for r in run.results if r.error]
    if errors:
        raise RuntimeError(f"{len(errors)} writer(s) failed, first: {errors[0]}")
    return run


# -- checks after a run ------------------------------------------------------------------------------------


@dataclass
class LedgerCheck:
    size: int
    drain_seconds: float
    verify_seconds: float
    replayed_rows: int | None


def integrate_all(url: str, data: Path) -> float:
    """Integrate every pending entry and sign a checkpoint; return the time it took."""
    settings = settings_for(data, url)
    database = Database(url)
    started = time.perf_counter()
    try:
        runner = IntegratorRunner(database, SignerCache(settings.keys_dir), checkpoint_policy(settings), SystemClock())
        while True:
            runner.run_once(force_checkpoint=True)
            with database.transaction(write=False) as session:
                if not session.scalar(sa.select(sa.func.count()).select_from(sa.text("ledger_pending"))):
                    break
    finally:
        database.dispose()
    return time.perf_counter() - started


def check_ledger(
    url: str, data: Path, agency: AgencyRef, acknowledged: Sequence[bytes], *, verify: bool = True, replay: bool = True
) -> LedgerCheck:
    """Gap-free log, every acknowledged entry in it, verify_log (and optionally the replay) passes."""
    drain = integrate_all(url, data)
    database = Database(url)
    try:
        with database.transaction(write=False) as session:
            head = session.get(LedgerHead, agency.id)
            assert head is not None
            count, low, high = session.execute(
                sa.select(sa.func.count(), sa.func.min(LedgerLeaf.index), sa.func.max(LedgerLeaf.index)).where(
                    LedgerLeaf.agency_id == agency.id
                )
            ).one()
            # (agency_id, index) is the primary key: count == size with indices 0..size-1 means no gap.
            if (count, low, high) != (head.size, 0, head.size - 1):
                raise AssertionError(f"log is not gap-free: {count} leaves, indices {low}..{high}, head {head.size}")
            if pending_count(session, agency.id):
                raise AssertionError("entries are still pending after integration")
            logged = {
                bytes(h)
                for (h,) in session.execute(
                    sa.select(LedgerEntry.entry_hash)
                    .join(LedgerLeaf, LedgerLeaf.entry_id == LedgerEntry.id)
                    .where(LedgerEntry.agency_id == agency.id)
                    .execution_options(yield_per=20_000)
                )
            }
            lost = [h for h in acknowledged if h not in logged]
            if lost:
                raise AssertionError(f"{len(lost)} acknowledged entries are not in the log")
            (log,) = agency_logs(session, agency.code)
            verify_seconds = 0.0
            if verify:
                started = time.perf_counter()
                report = verify_log(session, log, trusted_verifier(data, log.origin, agency.code))
                verify_seconds = time.perf_counter() - started
                if report.pending or report.log_size != head.size:
                    raise AssertionError(f"verify_log: {report}")
        rows = verify_replay(database, [log], only_agency=agency.id) if replay else None
    finally:
        database.dispose()
    return LedgerCheck(int(head.size), drain, verify_seconds, rows)


# -- output ------------------------------------------------------------------------------------------------


def print_params(title: str, params: Mapping[str, object]) -> None:
    console.print(f"[bold]{title}[/bold]")
    console.print("  " + ", ".join(f"{k}={v}" for k, v in params.items()))
    console.print(f"  {machine_line()}")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}/s"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def quantiles(samples: Sequence[float]) -> tuple[float, float]:
    """(median, p99) of ``samples``."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started
