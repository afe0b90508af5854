"""Replay: the current-state tables rebuilt from the ledger alone, and compared with the live ones.

Entries are applied in log order (then pending order) by the same projectors that applied them live, into an
empty in-memory database with the same schema. Any difference — a row edited, added or removed without an
entry — is reported with its table and key.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import create_engine, event, inspect, literal, select, tuple_
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.pool import StaticPool

from service.db import Base
from service.ledger.canonical import EntryContent, parse_entry
from service.ledger.errors import VerificationError
from service.ledger.projection import apply, projected_models, stream_changed


class ReplayedState:
    """An in-memory database holding the state replayed from a ledger — or from some of its streams (``only``):
    then an entry whose projector changes the rows of a stream not among them (``projection.stream_changed``) is
    not applied (:attr:`count` counts the entries applied)."""

    def __init__(self, only: Collection[str] | None = None, *, schema: bytes | None = None) -> None:
        """``schema``: the empty database as :func:`empty_schema` gives it, made beforehand (``verify --since``
        makes it before its replay's process starts, which then has it at once); else made here."""
        image = empty_schema() if schema is None else schema
        self.engine = create_engine(
            "sqlite://",
            poolclass=StaticPool,
            creator=lambda: _in_memory(image),
            hide_parameters=True,
        )
        self.session = Session(self.engine, autoflush=True, expire_on_commit=False)
        _hold_what_it_holds(self.session)
        self.count = 0
        self.only = None if only is None else frozenset(only)

    def apply(self, canonical: bytes) -> None:
        self.apply_content(parse_entry(canonical))

    def apply_content(self, content: EntryContent) -> None:
        """Apply an entry already read from its bytes (``parse_entry``)."""
        if self.only is not None and stream_changed(content) not in self.only:
            return
        apply(self.session, content)
        self.count += 1
        if self.count % 2000 == 0:
            self.session.expunge_all()  # keep the identity map small on long ledgers

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


def empty_schema() -> bytes:
    """The replay's empty database — every current-state table, no row — as SQLite's serialised image of it."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        Base.metadata.create_all(engine, checkfirst=False)  # an empty database: nothing to check first
        with engine.connect() as connection:
            database = connection.connection.dbapi_connection
            assert isinstance(database, sqlite3.Connection)
            return database.serialize()
    finally:
        engine.dispose()


def _in_memory(image: bytes) -> sqlite3.Connection:
    """A connection to a database of its own in memory, begun as ``image``; one thread at a time uses it (the
    replay's), whichever that is."""
    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.deserialize(image)
    return database


def _hold_what_it_holds(session: Session) -> None:
    """Keep every object of ``session`` alive while it is in the session (SQLAlchemy's "strong reference" recipe):
    its identity map only refers to them weakly, so a case dropped by the projector that read it was read again,
    from the in-memory database, by the next entry of its stream — two in five of a step's replay. The objects are
    let go where the replay lets go of them (``expunge_all``, every 2,000 entries)."""
    held: dict[int, object] = {}  # by identity: a model need not be hashable

    @event.listens_for(session, "pending_to_persistent")
    @event.listens_for(session, "loaded_as_persistent")
    @event.listens_for(session, "detached_to_persistent")
    @event.listens_for(session, "deleted_to_persistent")
    def hold(_: Session, instance: object) -> None:
        held[id(instance)] = instance

    @event.listens_for(session, "persistent_to_detached")
    @event.listens_for(session, "persistent_to_deleted")
    @event.listens_for(session, "persistent_to_transient")
    def let_go(_: Session, instance: object) -> None:
        held.pop(id(instance), None)


def replay(entries: Iterable[bytes], progress: Callable[[int], None] | None = None) -> ReplayedState:
    state = ReplayedState()
    for canonical in entries:
        state.apply(canonical)
        if progress is not None:
            progress(1)
    state.session.flush()
    return state


def _rows(
    session: Session, model: type[Base], agency_column: str, agency_id: uuid.UUID | None
) -> dict[tuple[Any, ...], dict[str, Any]]:
    mapper = inspect(model)
    keys = [str(column.key) for column in mapper.primary_key]
    columns = [attr.key for attr in mapper.column_attrs]
    query = select(model)
    if agency_id is not None:
        query = query.where(getattr(model, agency_column) == agency_id)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for obj in session.scalars(query):
        out[tuple(getattr(obj, k) for k in keys)] = {c: getattr(obj, c) for c in columns}
    return out


def compare_with_live(live: Session, state: ReplayedState, agency_id: uuid.UUID | None = None) -> int:
    """Raise VerificationError at the first projected row that differs from the replay; return rows compared.

    With ``agency_id``, only that agency's rows are compared (the replay then holds only its ledger).
    """
    compared = 0
    for model, agency_column in projected_models().items():
        table = model.__tablename__
        replayed = _rows(state.session, model, agency_column, agency_id)
        actual = _rows(live, model, agency_column, agency_id)
        for key, row in actual.items():
            expected = replayed.get(key)
            if expected is None:
                raise VerificationError(f"table {table}, row {_key(key)}: present, but no ledger entry created it")
            if expected != row:
                changed = sorted(c for c in row if row[c] != expected.get(c))
                raise VerificationError(
                    f"table {table}, row {_key(key)}: column(s) {', '.join(changed)} differ from the ledger's replay"
                )
        for key in replayed.keys() - actual.keys():
            raise VerificationError(f"table {table}, row {_key(key)}: the ledger created it but it is missing")
        compared += len(actual)
    return compared


def compare_replayed_rows(live: Session, state: ReplayedState, agency_id: uuid.UUID) -> int:
    """Raise VerificationError at the first row the replay wrote that differs from the live one, or that the
    live tables lack; return the rows compared. For a replay of some streams only (``verify --since``): rows
    the replay did not write are not looked at."""
    compared = 0
    for model, agency_column in projected_models().items():
        table = model.__tablename__
        if state.session.scalar(select(literal(1)).select_from(model).limit(1)) is None:
            continue  # the replay wrote nothing there
        replayed = _rows(state.session, model, agency_column, agency_id)
        mapper = inspect(model)
        columns = _stream_local(mapper)
        key_columns = [getattr(model, str(column.key)) for column in mapper.primary_key]
        keys = list(replayed)
        actual: dict[tuple[Any, ...], dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            condition = (
                key_columns[0].in_([k[0] for k in chunk]) if len(key_columns) == 1 else tuple_(*key_columns).in_(chunk)
            )
            for obj in live.scalars(select(model).where(condition)):
                key = tuple(getattr(obj, str(column.key)) for column in mapper.primary_key)
                actual[key] = {c: getattr(obj, c) for c in columns}
        for key, replayed_row in replayed.items():
            row = actual.get(key)
            if row is None:
                raise VerificationError(f"table {table}, row {_key(key)}: the ledger created it but it is missing")
            expected = {c: replayed_row[c] for c in columns}
            if row != expected:
                changed = sorted(c for c in row if row[c] != expected.get(c))
                raise VerificationError(
                    f"table {table}, row {_key(key)}: column(s) {', '.join(changed)} differ from the ledger's replay"
                )
        compared += len(replayed)
    return compared


def _stream_local(mapper: Mapper[Any]) -> list[str]:
    """The columns a replay of some streams gives as the whole ledger's replay does: all but those counted over
    every stream of a kind (``info={"spans_streams": True}``: an agency's officers' version counts the entries of
    all its officers' streams), which only the whole replay (``compare_with_live``) can give and compares."""
    return [a.key for a in mapper.column_attrs if not any(c.info.get("spans_streams") for c in a.columns)]


def _key(key: tuple[Any, ...]) -> str:
    return ", ".join(str(k) for k in key)
