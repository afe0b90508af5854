"""Alembic environment: the database comes from the service's settings, or from a connection a caller hands in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine

from alembic import context
from service import projections
from service.config import get_settings
from service.db import Base, UTCDateTime, make_engine

projections.load_all()
target_metadata = Base.metadata
config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the service's timestamp type as what it stores, so migrations do not import service code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _pragma(connection: Connection, setting: str) -> None:
    """Set an SQLite pragma outside any transaction (straight on the driver's connection: through SQLAlchemy, the
    service's engine begins one first, where ``foreign_keys`` is a no-op)."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA {setting}")


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite alters a table by copying it into a new one and dropping the old (batch mode): with foreign keys
        # enforced, dropping a table other rows refer to fails once it holds data. They are checked after
        # instead (https://alembic.sqlalchemy.org/en/latest/batch.html).
        _pragma(connection, "foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows referring to rows that do not exist: {broken[:10]}")
    if sqlite:
        _pragma(connection, "foreign_keys=ON")


def run_migrations_online() -> None:
    given = config.attributes.get("connection")  # a Connection, or an Engine (pytest-alembic)
    if isinstance(given, Connection):
        _run(given)
        return
    if isinstance(given, Engine):
        with given.connect() as connection:
            _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run them against a database")
run_migrations_online()
