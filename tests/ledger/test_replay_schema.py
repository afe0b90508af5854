"""A replay starts from an empty database of every current-state table, made once as SQLite's image of it
(``empty_schema``: ``verify --since`` makes it before its replay's process starts) — each replay writing into a
database of its own."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from service.agencies.models import Agency
from service.db import Base
from service.ledger.replay import ReplayedState, empty_schema
from service.runtime import Runtime


def test_the_empty_schema_has_every_table_and_no_row() -> None:
    state = ReplayedState(schema=empty_schema())
    try:
        assert set(inspect(state.engine).get_table_names()) == set(Base.metadata.tables)
        for table in Base.metadata.sorted_tables:
            assert state.session.scalar(select(func.count()).select_from(table)) == 0, table.name
    finally:
        state.close()


def test_replays_made_from_one_image_write_into_databases_of_their_own(
    runtime: Runtime, seeded_entries: list[bytes]
) -> None:
    with runtime.database.transaction(write=False) as session:
        agencies = session.scalar(select(func.count()).select_from(Agency))
    image = empty_schema()
    one, other = ReplayedState(schema=image), ReplayedState(schema=image)
    try:
        for canonical in seeded_entries:
            one.apply(canonical)
        one.session.flush()
        later = ReplayedState(schema=image)  # made after the first replay wrote
        assert one.session.scalar(select(func.count()).select_from(Agency)) == agencies
        assert other.session.scalar(select(func.count()).select_from(Agency)) == 0
        assert later.session.scalar(select(func.count()).select_from(Agency)) == 0
        later.close()
    finally:
        one.close()
        other.close()
