"""Engine, sessions and the declarative base.

One transaction per request: the session dependency commits when the endpoint returns and rolls back when
it raises. Services never commit. On SQLite, writing transactions start with ``BEGIN IMMEDIATE`` so that
appends to the ledger are serialised by the database itself; reading transactions start deferred.
"""

from __future__ import annotations

import select
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, Uuid, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from service.config import get_settings
from service.logs import quiet_sql_loggers

if TYPE_CHECKING:
    from service.loop_reads import LoopReads

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        value = value.astimezone(UTC)
        # SQLite has no time zone type; store naive UTC and re-attach UTC when reading.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, instead of pysqlite's own heuristics.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """An engine for ``url``; on SQLite, ``immediate`` makes every transaction take the write lock first.

    ``hide_parameters``: a failed statement's error (and so any log of it) never carries its parameters — a
    party's name, ID number and phone among them. The engine's own loggers are held at WARNING for the same
    reason (service/logs.py)."""
    quiet_sql_loggers()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60}, hide_parameters=True)
        _configure_sqlite(engine, immediate=immediate)
        return engine
    engine = create_engine(url, pool_size=WRITER_POOL[0], max_overflow=WRITER_POOL[1], hide_parameters=True)
    event.listen(engine, "do_connect", _in_utc)
    event.listen(engine, "checkout", _refuse_dead_connection)
    return engine


# Connections a service process keeps (pool size) and may open beyond them (overflow), on PostgreSQL: the
# transactions' engine and the autocommit reads' (``make_autocommit_engine``). At most 40 per process in all, as
# when there was one engine: ``caseledger serve --workers 2`` stays within PostgreSQL's default of 100 connections
# with room for the commands (``verify``, ``backup``) beside it. A worker runs at most 4 case requests at once
# (service/admission.py); a request beyond a pool's connections waits for one (SQLAlchemy's ``pool_timeout``).
WRITER_POOL = (15, 5)
AUTOCOMMIT_POOL = (10, 10)


def make_autocommit_engine(url: str) -> Engine:
    """A PostgreSQL engine whose pooled connections stay in autocommit, for :meth:`Database.statements`: the
    same engine with ``execution_options(isolation_level="AUTOCOMMIT")`` switches each connection to autocommit at
    checkout and back at return: ~150 µs of CPU per use (in-process, a session, ``SELECT 1`` and its close took
    450 against 600 µs), 5 % of a case view's instructions (``bench instructions``). Its own pool
    (``AUTOCOMMIT_POOL``): the busiest reads (a case, a list, a proof) hold a connection for one statement."""
    quiet_sql_loggers()
    engine = create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_size=AUTOCOMMIT_POOL[0],
        max_overflow=AUTOCOMMIT_POOL[1],
        hide_parameters=True,
    )
    event.listen(engine, "do_connect", _in_utc)
    event.listen(engine, "checkout", _refuse_dead_connection)
    return engine


def _in_utc(_dialect: Any, _record: ConnectionPoolEntry, _args: Any, params: dict[str, Any]) -> None:
    """Every PostgreSQL session of the service's engines speaks UTC, whatever the server's ``TimeZone``: the
    statements run straight through psycopg (service/straight.py) get their instants as ``UTCDateTime`` gives them
    through SQLAlchemy. Set at connection start-up (``options``), no round trip; a deployment's own ``options`` in
    its URL are kept."""
    params["options"] = " ".join(filter(None, [params.get("options"), "-c TimeZone=UTC"]))


def _refuse_dead_connection(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server closed (a restart, ``pg_terminate_backend``, an idle timeout) is
    replaced before the request uses it, without the round trip of ``pool_pre_ping`` on every checkout.

    An idle connection has nothing to read: if its socket is readable, the server has sent its farewell (the
    FATAL message, then end of file) or an asynchronous message; either way the pool opens a fresh one
    (SQLAlchemy retries the checkout on ``DisconnectionError``). One ``poll`` with no wait, no round trip."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    if readable_now(dbapi_connection.fileno()):
        raise DisconnectionError("the server sent something to an idle connection: it closed it")


def readable_now(fd: int) -> bool:
    """Whether the socket ``fd`` has something to read (or was closed by its peer), without waiting. ``poll``,
    not ``select``: a busy server's descriptors go past ``select``'s 1,024."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Database:
    """The engines and session factories of one database: writers and readers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.writer = make_engine(url, immediate=True)
        self.reader = self.writer if not url.startswith("sqlite") else make_engine(url, immediate=False)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False, autoflush=True)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False, autoflush=True)
        # PostgreSQL: statements on their own, in autocommit (``statements``); SQLite reads in a transaction.
        self.autocommit_reader: Engine | None = None if self.is_sqlite else make_autocommit_engine(url)
        self._statement_sessions = (
            self._read_sessions
            if self.autocommit_reader is None
            else sessionmaker(self.autocommit_reader, expire_on_commit=False, autoflush=False)
        )
        # PostgreSQL: the connections the case view and the proofs await their reads on, on the event loop
        # (service/loop_reads.py).
        self.loop_reads: LoopReads | None = None if self.is_sqlite else _loop_reads(self.writer)

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        session = self.open_transaction(write=write)
        try:
            yield session
        except BaseException:
            self.end_transaction(session, write=write, failed=True)
            raise
        self.end_transaction(session, write=write, failed=False)

    def open_transaction(self, *, write: bool = True) -> Session:
        """The session of a unit of work that :meth:`end_transaction` ends (:meth:`transaction`, in two halves, for
        a caller that cannot hold a ``with`` block: a request's dependency). Opening it does no I/O: it connects
        at its first statement."""
        return (self._write_sessions if write else self._read_sessions)()

    @staticmethod
    def end_transaction(session: Session, *, write: bool, failed: bool) -> None:
        """End a unit of work: roll back if it ``failed``; otherwise commit if it wrote — and roll back if the commit
        fails. A read that began a transaction ends with a commit of nothing (its loaded objects stay usable), not a
        rollback: on PostgreSQL psycopg forgets every statement it prepared on a connection whose transaction rolls
        back (they might name what the transaction made), and whatever next took that pooled connection parsed and
        planned its statements again, up to ten times each. The integrator's look for work, after every step, did
        so in each worker (bench/README.md, stop 43). A reading session holding changes — which no read should —
        is rolled back instead: a read never writes."""
        try:
            if failed:
                session.rollback()
            elif write or (session.in_transaction() and not (session.new or session.dirty or session.deleted)):
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def engines(self) -> list[Engine]:
        """Each engine of this database once: the writer, the reader (the writer's, on PostgreSQL) and the
        autocommit engine of :meth:`statements` (PostgreSQL)."""
        found = [self.writer, self.reader, self.autocommit_reader]
        return list({id(e): e for e in found if e is not None}.values())

    def statement_session(self) -> Session:
        """The session of :meth:`statements`, for the caller to close (a request's dependency)."""
        return self._statement_sessions()

    @contextmanager
    def statements(self) -> Iterator[Session]:
        """A reading session whose statements each run on their own: on PostgreSQL in autocommit, which spares
        the BEGIN and ROLLBACK round trips of a transaction. For reads of append-only rows that need no common
        snapshot — the ledger's checkpoints and proofs, answered to anyone, often. (Under READ COMMITTED each
        statement of a transaction takes its own snapshot anyway.) On SQLite, a reading transaction."""
        if self.is_sqlite:
            with self.transaction(write=False) as session:
                yield session
            return
        session = self._statement_sessions()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def _loop_reads(engine: Engine) -> LoopReads:
    from service.loop_reads import LoopReads  # it reads with this module's helpers: imported once both exist

    return LoopReads(engine)


@lru_cache(maxsize=1)
def get_database() -> Database:
    return Database(get_settings().resolved_database_url)
