"""The migrations: one head, upgrade and downgrade all the way, and models that match them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic import Config, MigrationContext, runner
from pytest_alembic import tests as alembic_checks

from service.db import make_engine
from service.ledger.models import LedgerNode
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
