"""Reads the busiest routes make on the event loop: awaited on the loop's own connection, the rest of their work
done on what they read, with no I/O.

A trip through the thread pool — the request handed to a thread and the answer back, the interpreter passed
between them each way — cost a case view ~0.2 ms of its ~1.3 ms of CPU (``bench/README.md``, stop 37), and a
proof asked for beside a load of views waited for the pool's threads to get the interpreter. Two kinds of route
skip it on PostgreSQL, their statements sent on psycopg's asyncio connection and awaited, so that the loop
serves other requests meanwhile (blocking I/O never runs on the event loop):

- the case view: its one statement, then the work on the row — checks, the answer — on the loop, with an
  :func:`offline_session`: the row's ORM objects are put into it as into any session, and anything that would
  read more (a lazy attribute, a lookup a process cache does not hold yet) raises :class:`WouldBlock` instead of
  blocking the loop; the view is then done whole in the thread pool, as any other route;
- the inclusion and consistency proofs: worked out as the reads they need (service/ledger/service.py), each
  awaited here.

PostgreSQL only: SQLite's driver has no asyncio form, and there the routes run in the thread pool. One connection
per event loop (a served worker has one loop; the tests start several), in autocommit as ``Database.statements``'s,
speaking UTC as every connection of the service's engines, taken by one statement at a time from sending it to its
last row; a connection the server closed is replaced before use, and a statement that finds it broken is sent
once more on a new one (reads only)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.db import readable_now

if TYPE_CHECKING:
    from service.straight import Straight


class WouldBlock(RuntimeError):
    """Work on the event loop asked for a read it would have to wait for: do it in the thread pool instead."""


class _OfflineSession(Session):
    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        raise WouldBlock("a read beyond the route's statement: not on the event loop")


def offline_session() -> Session:
    """A session that holds objects and reads nothing: any statement raises :class:`WouldBlock`."""
    return _OfflineSession(autoflush=False, expire_on_commit=False)


class LoopReads:
    """The asyncio connections of one PostgreSQL database, one per event loop, used by one statement at a time."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        options = str(engine.url.query.get("options", ""))
        self._options = " ".join(filter(None, [options, "-c TimeZone=UTC"]))
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnection]
        self._loops = weakref.WeakKeyDictionary()

    async def first(self, statement: Straight, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of ``statement`` run with ``params`` on this loop's connection, or ``None``."""
        rows = await self.rows(statement.sql_for(self.dialect), params)
        return rows[0] if rows else None

    async def rows(self, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the PostgreSQL statement ``sql`` run with ``params`` on this loop's connection."""
        loop = asyncio.get_running_loop()
        held = self._loops.get(loop)
        if held is None:
            held = self._loops[loop] = _LoopConnection(asyncio.Lock())
        # One statement at a time on the connection, from sending it to its last row: another request's statement
        # waits here, not in the middle of this one's exchange with the server.
        async with held.turn:
            try:
                return await self._rows(held, sql, params)
            except psycopg.OperationalError:
                if held.connection is None or not held.connection.broken:
                    raise
                return await self._rows(held, sql, params)  # the server went away meanwhile: once more, anew

    async def _rows(self, held: _LoopConnection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        connection, cursor = held.connection, held.cursor
        if connection is not None and (connection.closed or connection.broken or _farewell_waiting(connection)):
            await connection.close()
            connection = None
        if connection is None or cursor is None:
            connection = held.connection = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, options=self._options
            )
            # One cursor for the connection's life, as ``service.straight.psycopg_cursor``: ~8 µs a statement less.
            cursor = held.cursor = connection.cursor()
        await cursor.execute(sql, params)
        return list(await cursor.fetchall())

    async def close(self) -> None:
        """Close this loop's connection (an application's shutdown)."""
        held = self._loops.pop(asyncio.get_running_loop(), None)
        if held is not None and held.connection is not None:
            async with held.turn:
                await held.connection.close()


@dataclass
class _LoopConnection:
    turn: asyncio.Lock
    connection: psycopg.AsyncConnection[Any] | None = None
    cursor: psycopg.AsyncCursor[Any] | None = None  # the connection's, made with it


def _farewell_waiting(connection: psycopg.AsyncConnection[Any]) -> bool:
    """An idle connection with something to read: the server closed it (``service.db._refuse_dead_connection``)."""
    return readable_now(connection.fileno())
