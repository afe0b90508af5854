"""The migrations: one head, upgrade and downgrade all the way, and models that match them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic import Config, MigrationContext, runner
from pytest_alembic import tests as alembic_checks

from service.db import UTCDateTime, make_engine
from service.ledger.merkle import CompactRange, leaf_hash
from service.ledger.models import LedgerEntry, LedgerLeaf, LedgerNode
from service.migrations import alembic_config
from tests.conftest import PG_URL, _admin_engine, _pg_url_for


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        name = f"cl_mig_{uuid.uuid4().hex[:10]}"
        with _admin_engine().connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield _pg_url_for(name)
        with _admin_engine().connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


@pytest.fixture
def alembic_runner(empty_database: str) -> Iterator[MigrationContext]:
    engine = make_engine(empty_database)
    config = Config.from_raw_config(alembic_config(empty_database))
    with runner(config=config, engine=engine) as alembic:
        yield alembic
    engine.dispose()


def test_migrations_have_a_single_head(alembic_runner: MigrationContext) -> None:
    alembic_checks.test_single_head_revision(alembic_runner)


def test_every_migration_upgrades(alembic_runner: MigrationContext) -> None:
    alembic_checks.test_upgrade(alembic_runner)


def test_upgrade_downgrade_upgrade(alembic_runner: MigrationContext) -> None:
    alembic_checks.test_up_down_consistency(alembic_runner)
    alembic_runner.migrate_up_to("heads")


def test_models_match_the_migrations(alembic_runner: MigrationContext) -> None:
    alembic_checks.test_model_definitions_match_ddl(alembic_runner)


def test_migration_files_are_named_by_date_and_slug() -> None:
    versions = Path(__file__).resolve().parent.parent / "alembic" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    pattern = re.compile(r"^\d{4}-\d{2}-\d{2}_[a-z0-9_]+\.py$")
    for name in names:
        assert pattern.match(name), name


def test_ledger_tables_refuse_update_and_delete(empty_database: str) -> None:
    from service.migrations import upgrade_to_head

    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.insert(LedgerNode).values(agency_id=uuid.uuid4(), level=1, index=0, hash=bytes(32)))
    for statement in (sa.update(LedgerNode).values(level=2), sa.delete(LedgerNode)):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    engine.dispose()


def test_the_node_strata_migration_keeps_every_fourth_level_and_its_downgrade_restores_the_rest(
    alembic_runner: MigrationContext, empty_database: str
) -> None:
    """0010: the interior nodes no longer kept are deleted (they are folded from the kept ones when read), and
    the downgrade recomputes them from the leaves exactly as the integrator had stored them."""
    alembic_runner.migrate_up_to("0009_ledger_entry_hash_index")
    agency = uuid.uuid4()
    tree = CompactRange()
    leaves, nodes = [], []
    for index in range(40):
        for level, node_index, value in tree.append(leaf_hash(index.to_bytes(4, "big"))):
            if level == 0:
                leaves.append({"agency_id": agency, "index": index, "entry_id": uuid.uuid4(), "leaf_hash": value})
            else:
                nodes.append({"agency_id": agency, "level": level, "index": node_index, "hash": value})
    engine = make_engine(empty_database)
    stored = sa.select(LedgerNode.level, LedgerNode.index, LedgerNode.hash).order_by(LedgerNode.level, LedgerNode.index)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(LedgerLeaf), leaves)
            conn.execute(sa.insert(LedgerNode), nodes)
            before = conn.execute(stored).all()
        alembic_runner.migrate_up_one()
        with engine.connect() as conn:
            assert conn.execute(stored).all() == [row for row in before if row.level % 4 == 0]
        alembic_runner.migrate_down_one()
        with engine.connect() as conn:
            assert conn.execute(stored).all() == before
    finally:
        engine.dispose()


def _insert_agency(conn: sa.Connection, agency: uuid.UUID, code: str, at: datetime) -> None:
    conn.execute(
        sa.text(
            "INSERT INTO agencies (id, code, name, log_origin, checkpoint_vkey, created_at) "
            "VALUES (:id, :code, :code, :origin, 'k', :at)"
        ).bindparams(sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("at", type_=UTCDateTime())),
        {"id": agency, "code": code, "origin": f"o/{code}", "at": at},
    )


def _insert_entry(conn: sa.Connection, agency: uuid.UUID, stream: str, seq: int, type_: str, at: datetime) -> None:
    """An entry row as the migrations read it: its stream, position and type (its bytes are not read)."""
    conn.execute(
        sa.insert(LedgerEntry).values(
            id=uuid.uuid4(),
            agency_id=agency,
            stream=stream,
            stream_seq=seq,
            type=type_,
            actor="system:test",
            claimed_at=at,
            recorded_at=at,
            prev_hash=None,
            entry_hash=leaf_hash(f"{agency}{stream}{seq}".encode()),
            canonical=b"{}",
        )
    )


def test_the_auth_hardening_migration_computes_each_users_token_version_from_their_stream(
    alembic_runner: MigrationContext, empty_database: str
) -> None:
    """0014: the version is the count of the user's entries that end sessions, so replay agrees at once."""
    alembic_runner.migrate_up_to("0013_idempotency_keys")
    agency, busy, quiet = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 6, 1, tzinfo=UTC)
    engine = make_engine(empty_database)
    types = [
        "agency:user:created",
        "agency:user:password_set",
        "agency:signing_key:registered",  # the same stream, but it ends no session
        "agency:user:disabled",
        "agency:user:enabled",
        "agency:user:roles_changed",
    ]
    try:
        with engine.begin() as conn:
            _insert_agency(conn, agency, "m", at)
            for user, name in ((busy, "busy"), (quiet, "quiet")):
                conn.execute(
                    sa.text(
                        "INSERT INTO users (id, agency_id, username, display_name, roles, disabled, created_at, "
                        "updated_at) VALUES (:id, :agency, :name, :name, '[\"officer\"]', false, :at, :at)"
                    ).bindparams(
                        sa.bindparam("id", type_=sa.Uuid()),
                        sa.bindparam("agency", type_=sa.Uuid()),
                        sa.bindparam("at", type_=UTCDateTime()),
                    ),
                    {"id": user, "agency": agency, "name": name, "at": at},
                )
            for seq, (user, type_) in enumerate([(busy, t) for t in types] + [(quiet, types[0])]):
                _insert_entry(conn, agency, f"user:{user}", seq, type_, at)
        alembic_runner.migrate_up_one()
        with engine.connect() as conn:
            versions = dict(conn.execute(sa.text("SELECT username, token_version FROM users")).all())
        assert versions == {"busy": 4, "quiet": 0}
        alembic_runner.migrate_down_one()
        with engine.connect() as conn:
            assert "token_version" not in {c["name"] for c in sa.inspect(conn).get_columns("users")}
    finally:
        engine.dispose()


def test_the_officers_version_migration_counts_each_agencys_officer_entries(
    alembic_runner: MigrationContext, empty_database: str
) -> None:
    """0029: what the observer of officers' streams would have counted, so that replay agrees at once."""
    alembic_runner.migrate_up_to("0028_case_documents_issued")
    busy, quiet = uuid.uuid4(), uuid.uuid4()
    at = datetime(2026, 6, 1, tzinfo=UTC)
    engine = make_engine(empty_database)
    streams = {
        busy: [f"officer:{uuid.uuid4()}"] * 3 + [f"officer:{uuid.uuid4()}"] * 2 + ["officers", "trainings", "case:x"],
        quiet: ["trainings", f"user:{uuid.uuid4()}"],
    }
    try:
        with engine.begin() as conn:
            for agency, code in ((busy, "busy"), (quiet, "quiet")):
                _insert_agency(conn, agency, code, at)
                for seq, stream in enumerate(streams[agency]):
                    _insert_entry(conn, agency, stream, seq, "test:entry:made", at)
        alembic_runner.migrate_up_one()
        with engine.connect() as conn:
            versions = dict(conn.execute(sa.text("SELECT code, officers_version FROM agencies")).all())
        assert versions == {"busy": 5, "quiet": 0}
        alembic_runner.migrate_down_one()
        with engine.connect() as conn:
            assert "officers_version" not in {c["name"] for c in sa.inspect(conn).get_columns("agencies")}
    finally:
        engine.dispose()
