"""Statements the busiest paths run straight through psycopg on PostgreSQL.

SQLAlchemy's execution around a statement — the execution context, the cursor wrapper, the result's metadata
built from psycopg's column descriptions, the expanding parameters rendered anew for every call — costs about
0.1–0.3 ms per statement of a step's ~2 ms of its own work (``bench/README.md``, stops 33 and 34). A statement
every step runs is therefore built once as SQLAlchemy Core, compiled once for the dialect of the connection that
runs it, and on PostgreSQL handed to psycopg's own cursor, whose rows are the same Python values SQLAlchemy
would hand over (UUIDs, dates, aware instants, JSON already decoded by psycopg). On SQLite the Core statement
runs as ever. ``tests/test_straight.py`` holds the two to the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select


def psycopg_cursor(connection: Connection) -> Any:
    """A new cursor of the psycopg connection under ``connection``, in its transaction."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


@dataclass
class Straight:
    """A statement (``portable``) and, where PostgreSQL should run another form of it (an ``= ANY(array)``
    for an expanding ``IN``), that form (``postgresql``); its SQL for psycopg compiled on first use."""

    portable: Select[Any]
    postgresql: Select[Any] | None = None
    _compiled: str | None = None

    def sql(self, connection: Connection) -> str:
        # Compiled once, for the dialect that runs it (a race compiles it twice, to the same text).
        if self._compiled is None:
            statement = self.postgresql if self.postgresql is not None else self.portable
            self._compiled = str(statement.compile(dialect=connection.dialect))
        return self._compiled

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """Every row of the statement run with ``params``, as tuples in the order of its columns."""
        if connection.dialect.name == "postgresql":
            cursor = psycopg_cursor(connection)
            cursor.execute(self.sql(connection), params)
            return cursor.fetchall()  # type: ignore[no-any-return]
        return [tuple(row) for row in connection.execute(self.portable, params)]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row of the statement run with ``params``, or ``None``."""
        if connection.dialect.name == "postgresql":
            cursor = psycopg_cursor(connection)
            cursor.execute(self.sql(connection), params)
            return cursor.fetchone()  # type: ignore[no-any-return]
        row = connection.execute(self.portable, params).first()
        return None if row is None else tuple(row)
