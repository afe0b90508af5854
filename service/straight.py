"""Statements the busiest paths run straight through the driver: their reads through psycopg on PostgreSQL, a
step's change of its row through psycopg or sqlite3.

SQLAlchemy's execution around a statement — the execution context, the cursor wrapper, the result's metadata
built from psycopg's column descriptions, the expanding parameters rendered anew for every call — costs about
0.1–0.3 ms per statement of a step's ~2 ms of its own work (``bench/README.md``, stops 33 and 34). A statement
every step runs is therefore built once as SQLAlchemy Core, compiled once for the dialect of the connection that
runs it, and on PostgreSQL handed to psycopg's own cursor, whose rows are the same Python values SQLAlchemy
would hand over (UUIDs, dates, aware instants, JSON already decoded by psycopg). On SQLite the Core statement
runs as ever. ``tests/cases/test_straight.py`` holds the two to the same rows.

A row of an entity read so (the case a view shows or a step changes) becomes the ORM object the rest of the code
works with by :func:`attached`, as the ORM's loading makes an object of a row: a few µs a case, against ~0.3 ms of
the ORM's own loading of a row beside SQLAlchemy's execution of its statement. A step's change of that row goes back
the same way, as one ``UPDATE`` (:func:`write_changed_row`), the object then left as a flush leaves it — on
PostgreSQL and on SQLite alike: every replay applies the entries into SQLite in memory, a flush after each, and a
step's flush was two fifths of its replay (bench/README.md, stop 50).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Select, bindparam, inspect, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import ClauseElement

from service.db import Base

M = TypeVar("M", bound=Base)


# Where a pooled connection keeps its cursor: ``Connection.info`` is the pooled DBAPI connection's own, for its life.
_CURSOR = "caseledger.psycopg_cursor"


def psycopg_cursor(connection: Connection) -> Any:
    """The cursor of the psycopg connection under ``connection``, in its transaction: one per connection, made at its
    first use and used again by every statement run straight on it (making one costs ~10 µs: psycopg sets up its
    adapters for each). A statement's rows are fetched before the next is run on it — each caller here does."""
    driver = connection.connection.driver_connection
    cursor = connection.info.get(_CURSOR)
    if cursor is None or cursor.connection is not driver or cursor.closed:
        cursor = connection.info[_CURSOR] = driver.cursor()  # type: ignore[union-attr]
    return cursor


@dataclass
class Straight:
    """A statement (``portable``) and, where PostgreSQL should run another form of it (an ``= ANY(array)``
    for an expanding ``IN``), that form (``postgresql``); its SQL for psycopg compiled on first use."""

    portable: Select[Any]
    postgresql: Select[Any] | None = None
    _compiled: str | None = None

    def sql(self, connection: Connection) -> str:
        return self.sql_for(connection.dialect)

    def sql_for(self, dialect: Dialect) -> str:
        """Its SQL for PostgreSQL's ``dialect``, compiled once (a race compiles it twice, to the same text)."""
        if self._compiled is None:
            statement = self.postgresql if self.postgresql is not None else self.portable
            self._compiled = str(statement.compile(dialect=dialect))
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
    mapper = model.__mapper__
    identity = mapper.identity_key_from_primary_key((values["id"],))
    existing = session.identity_map.get(identity)
    if existing is not None:
        if refresh:
            for key, value in values.items():
                set_committed_value(existing, key, value)
        return existing  # type: ignore[no-any-return]
    # As the ORM's loading makes an object of a row (``sqlalchemy.orm.loading``, ``_instance``): a new instance
    # without ``__init__`` and its attribute events, the values put in its dict as the row's — not changes — and
    # the object given its identity and put into the session's identity map, persistent. Its deferred attributes
    # are loaded by their own loader when first read, as after a query. Made detached and added to the session by
    # public API instead (``make_transient_to_detached``, ``add``) it cost a case view ~40 µs a row more, ~5 % of
    # the view (bench/README.md, stop 47); ``tests/cases/test_straight.py`` holds the two to the same object.
    instance: M = mapper.class_manager.new_instance()
    instance_dict(instance).update(values)
    state = inspect(instance)
    state.key = identity
    state.identity_token = None
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, identity)
    return instance


# -- a projector's change of one row ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowUpdate:
    """``UPDATE`` of some columns of one row, by primary key, compiled for the connection's dialect: its SQL and
    how each value is bound (the bind processing SQLAlchemy would do: JSON serialised, instants checked and put in
    UTC, on SQLite UUIDs and instants as text), in the order of the SQL's parameters where they have no names."""

    sql: str
    binds: tuple[tuple[str, str, Callable[[Any], Any] | None], ...]  # parameter, attribute, processor
    positional: bool  # the driver takes the parameters in the order of ``binds`` (SQLite's ?), not by name

    def parameters(self, values: Mapping[str, Any]) -> Mapping[str, Any] | tuple[Any, ...]:
        bound = [(name, values[key] if bind is None else bind(values[key])) for name, key, bind in self.binds]
        return tuple(value for _, value in bound) if self.positional else dict(bound)


_UPDATES: dict[tuple[Mapper[Any], frozenset[str], str], _RowUpdate] = {}


def _row_update(mapper: Mapper[Any], keys: frozenset[str], dialect: Dialect) -> _RowUpdate:
    found = _UPDATES.get((mapper, keys, dialect.name))
    if found is not None:
        return found
    (key_column,) = mapper.primary_key
    columns = {key: mapper.columns[key] for key in sorted(keys)}
    params = {key: f"new_{n}" for n, key in enumerate(columns)}
    statement = (
        update(mapper.class_)
        .where(key_column == bindparam("row_key", type_=key_column.type))
        .values({column: bindparam(params[key], type_=column.type) for key, column in columns.items()})
    )
    pk_key = mapper.get_property_by_column(key_column).key
    binds = {
        params[key]: (params[key], key, column.type.dialect_impl(dialect).bind_processor(dialect))
        for key, column in columns.items()
    }
    binds["row_key"] = ("row_key", pk_key, key_column.type.dialect_impl(dialect).bind_processor(dialect))
    compiled = statement.compile(dialect=dialect)
    order = compiled.positiontup  # a positional paramstyle's order of the parameters; None for named ones
    made = _RowUpdate(
        str(compiled),
        tuple(binds[name] for name in (binds if order is None else order)),
        positional=order is not None,
    )
    _UPDATES[(mapper, keys, dialect.name)] = made
    return made


# The drivers a row's change is written straight on: psycopg (the service's PostgreSQL) and the standard library's
# sqlite3 (the embedded default, and the in-memory database every replay writes into).
_STRAIGHT_DIALECTS = frozenset({"postgresql", "sqlite"})


def _sqlite_cursor(connection: Connection) -> Any:
    """A cursor of the sqlite3 connection under ``connection``, in its transaction (one costs less than a µs)."""
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


@cache
def _writable_columns(mapper: Mapper[Any]) -> frozenset[str]:
    """The attributes of ``mapper`` written straight: its columns but the key — none at all for a model with
    relationships (put back into the session below, it would lose what they loaded), a key of several columns or
    a version counter of SQLAlchemy's."""
    if mapper.relationships or len(mapper.primary_key) != 1 or mapper.version_id_col is not None:
        return frozenset()
    return frozenset(a.key for a in mapper.column_attrs if not any(c.primary_key for c in a.columns))


def write_changed_row(session: Session) -> bool:
    """Write what the session holds to be written, if it is changed columns of one row it loaded — a projector's
    usual work, a step's change of its case — as one ``UPDATE`` of those columns on the driver's cursor (psycopg's,
    sqlite3's), and leave the object as a flush leaves it (its values committed, nothing pending). ``False``, with
    nothing done, otherwise — new or deleted objects, several changed, a relationship, a key, a SQL expression,
    another driver — and the caller flushes as ever.

    This is the statement SQLAlchemy's flush would send, without the unit of work around it (its sorting, the
    execution context): 3 % of an inquiry's instructions (bench/README.md, stop 35). ``tests/cases/test_straight.py``
    holds the two to the same row."""
    if not session.identity_map.check_modified():  # no loaded object changed: nothing, or only the flush's to write
        return False
    dialect = session.get_bind().dialect.name
    if dialect not in _STRAIGHT_DIALECTS or session.new or session.deleted:
        return False
    dirty = session.dirty
    if len(dirty) != 1:
        return False
    (instance,) = dirty
    state = inspect(instance)
    mapper = state.mapper
    writable = _writable_columns(mapper)
    values = state.dict
    # What changed, as the flush finds it (``persistence._collect_update_commands``): each attribute whose value
    # was recorded before a change, and whose value now differs from it.
    committed = state.committed_state
    if not committed.keys() <= values.keys():  # an attribute deleted, not set: the flush's to handle
        return False
    manager = state.manager
    changed = frozenset(
        key for key, old in committed.items() if manager[key].impl.is_equal(values[key], old) is not True
    )
    if not changed or not changed <= writable or any(isinstance(values[key], ClauseElement) for key in changed):
        return False
    connection = session.connection()
    row = _row_update(mapper, changed, connection.dialect)
    cursor = psycopg_cursor(connection) if dialect == "postgresql" else _sqlite_cursor(connection)
    cursor.execute(row.sql, row.parameters(values))
    if cursor.rowcount != 1:  # the row the object was loaded from is gone: what the ORM's flush raises then
        raise StaleDataError(f"UPDATE of {mapper.local_table.name} matched {cursor.rowcount} rows instead of 1")
    # As a flush leaves it — persistent, its values the row's, nothing pending: what the flush itself does to an
    # object it updated (``Session._register_persistent``), its values committed and it taken off the identity
    # map's list of changed objects. Taking it out of the session and putting it back by public API
    # (``make_transient``, ``make_transient_to_detached``, ``add``) did the same in ~40 µs more of a step's CPU.
    state._commit_all(state.dict, session.identity_map)
    return True
