"""Statements the busiest paths run straight through psycopg on PostgreSQL.

SQLAlchemy's execution around a statement — the execution context, the cursor wrapper, the result's metadata
built from psycopg's column descriptions, the expanding parameters rendered anew for every call — costs about
0.1–0.3 ms per statement of a step's ~2 ms of its own work (``bench/README.md``, stops 33 and 34). A statement
every step runs is therefore built once as SQLAlchemy Core, compiled once for the dialect of the connection that
runs it, and on PostgreSQL handed to psycopg's own cursor, whose rows are the same Python values SQLAlchemy
would hand over (UUIDs, dates, aware instants, JSON already decoded by psycopg). On SQLite the Core statement
runs as ever. ``tests/cases/test_straight.py`` holds the two to the same rows.

A row of an entity read so (the case a view shows or a step changes) becomes the ORM object the rest of the code
works with by :func:`attached`, as a cache's objects are put back into a session: ~0.1 ms, against ~0.3 ms of the
ORM's own loading of a row beside SQLAlchemy's execution of its statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from service.db import Base

M = TypeVar("M", bound=Base)


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
        return self._run(connection, params).fetchall()  # type: ignore[no-any-return]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """The first row of the statement run with ``params``, or ``None``."""
        return self._run(connection, params).fetchone()  # type: ignore[no-any-return]

    def _run(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """A cursor (psycopg's) or a result (SQLAlchemy's) of the statement run with ``params``: both fetch tuples
        (a SQLAlchemy row is one)."""
        if connection.dialect.name == "postgresql":
            cursor = psycopg_cursor(connection)
            cursor.execute(self.sql(connection), params)
            return cursor
        return connection.execute(self.portable, params)


def loaded_columns(model: type[Base]) -> list[tuple[str, Column[Any]]]:
    """The attributes of ``model`` a plain read loads (its deferred ones are left to be loaded when asked for) and
    their columns, in a fixed order: a statement selects the columns, :func:`attached` takes the values."""
    return [(a.key, a.columns[0]) for a in model.__mapper__.column_attrs if not a.deferred]  # type: ignore[misc]


def attached(session: Session, model: type[M], values: Mapping[str, Any], *, refresh: bool = False) -> M:
    """The object of ``model`` with ``values`` (every attribute :func:`loaded_columns` names, the primary key ``id``
    among them) as the session would have it from a query: persistent, clean — a change is flushed as an ``UPDATE``
    of what changed — with its deferred attributes loaded on first use. An object of the same identity already in
    the session is kept as it is, as a query keeps it; with ``refresh`` it takes the values, as a query with
    ``populate_existing`` gives them (a step's read under its lock)."""
    existing = session.identity_map.get(session.identity_key(model, values["id"]))
    if existing is not None:
        if refresh:
            for key, value in values.items():
                set_committed_value(existing, key, value)
        return existing  # type: ignore[no-any-return]
    instance = model(**values)
    make_transient_to_detached(instance)  # its values are the row's, not changes to it
    session.add(instance)
    return instance
