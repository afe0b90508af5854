"""Test fixtures: every test gets its own database, built from the Alembic migrations.

The database is SQLite unless ``CASELEDGER_TEST_DATABASE_URL`` names a PostgreSQL server
(``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): then each test gets a fresh PostgreSQL
database cloned from a template. The template is migrated once per run and seeded with the demo agency
``tiemen``, a second agency ``other`` and one user per role, through the same services the CLI uses.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

from service import projections
from service.auth.tokens import generate_key_file
from service.cli import app as cli_app
from service.clock import FixedClock
from service.config import Settings
from service.db import Database
from service.demo import DEMO_USERS, DemoUser, seed_agency
from service.ledger.integrator import CheckpointPolicy, SignerCache
from service.ledger.runner import IntegratorRunner
from service.migrations import upgrade_to_head
from service.officers.policy import load_officer_policy
from service.runtime import TOKEN_KEY_FILE, Runtime

PG_URL = os.environ.get("CASELEDGER_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery staple"
# Property tests check answers, not speed: the machines are shared, so Hypothesis' per-example deadline would
# measure the neighbours (speed is measured by the benchmarks in bench/).
hypothesis_settings.register_profile("caseledger", deadline=None)
hypothesis_settings.load_profile("caseledger")

# Tests run on a fixed clock, so that certificates, deadlines and the holiday calendar give the same answers
# whatever the date the suite runs on. The template is seeded the day before.
TEST_EPOCH = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SEEDED_AT = TEST_EPOCH - timedelta(days=1)
OTHER_USERS = (
    DemoUser("other-officer", "外乡队员", ("officer",), ("brigade", None, False)),
    DemoUser("other-admin", "外乡管理员", ("admin",)),
    DemoUser("other-supervisor", "外乡监督员", ("supervisor",)),
)
AGENCIES = {"tiemen": ("铁门乡人民政府", DEMO_USERS), "other": ("另一乡人民政府", OTHER_USERS)}

projections.load_all()

# The personal data of the parties the suite registers (tests/cases/driver.py and the others): the server's logs
# of the whole run must not carry any of it (issue 17).
TEST_PARTIES_PERSONAL_DATA = (
    "张三",
    "500228199001011234",
    "500228198502021111",
    "13800000000",
    "02345678901",
    "重庆市梁平区铁门乡某村三组12号",
)
# The server's loggers, not the test client's (httpx logs the URLs the tests send, refused ones included).
SERVER_LOGGERS = ("service", "uvicorn", "sqlalchemy", "fastapi", "starlette", "alembic", "caseledger")


class _ServerLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(SERVER_LOGGERS):
            return
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        if any(value in text for value in TEST_PARTIES_PERSONAL_DATA):
            self.leaks.append(f"{record.name}: {text[:300]}")


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_the_server_log() -> Iterator[None]:
    """Everything the server logs at INFO and above during the whole run, searched for the parties' data."""
    handler, root = _ServerLog(), logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(min(previous, logging.INFO))
    yield
    root.removeHandler(handler)
    root.setLevel(previous)
    assert handler.leaks == [], "personal data in the server's log:\n" + "\n".join(handler.leaks)


def _admin_engine() -> sa.Engine:
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url_for(name: str) -> str:
    return sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@dataclass
class DatabaseFactory:
    """Makes fresh databases that are copies of the seeded template."""

    template: str  # SQLite file path, or PostgreSQL database name
    workdir: Path

    @property
    def is_postgres(self) -> bool:
        return bool(PG_URL)

    def create(self) -> tuple[str, Callable[[], None]]:
        # Not uuid.uuid4: tests/test_stateful.py seeds it, and the test workers of one run share the server.
        name = f"cl_test_{secrets.token_hex(6)}"
        if self.is_postgres:
            with _admin_engine().connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')

            def drop() -> None:
                with _admin_engine().connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            return _pg_url_for(name), drop
        path = self.workdir / f"{name}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)


def _seed(settings: Settings) -> None:
    database = Database(settings.resolved_database_url)
    clock = FixedClock(SEEDED_AT)
    with database.transaction() as session:
        for code, (name, users) in AGENCIES.items():
            seed_agency(
                session,
                code=code,
                name=name,
                users=users,
                password=PASSWORD,
                keys_dir=settings.keys_dir,
                policies_dir=settings.policies_dir,
                officer_policy=load_officer_policy(settings.policies_dir / "officers.yaml"),
                origin_base=settings.log_origin_base,
                actor="system:test",
                at=clock.now(),
            )
    runner = IntegratorRunner(
        database,
        SignerCache(settings.keys_dir),
        CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_seconds),
        clock,
    )
    runner.run_once(force_checkpoint=True)
    database.dispose()


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("caseledger")


@pytest.fixture(scope="session")
def database_factory(session_dir: Path) -> Iterator[DatabaseFactory]:
    keys = session_dir / "data" / "keys"
    keys.mkdir(parents=True)
    generate_key_file(keys / TOKEN_KEY_FILE)
    if PG_URL:
        template = f"cl_template_{secrets.token_hex(4)}"
        with _admin_engine().connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{template}"')
        url = _pg_url_for(template)
    else:
        template = str(session_dir / "template.sqlite3")
        url = f"sqlite:///{template}"
    upgrade_to_head(url)
    _seed(Settings(data_dir=session_dir / "data", database_url=url))
    yield DatabaseFactory(template, session_dir)
    if PG_URL:
        with _admin_engine().connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture
def database_url(database_factory: DatabaseFactory) -> Iterator[str]:
    url, drop = database_factory.create()
    yield url
    drop()


@pytest.fixture
def settings(session_dir: Path, database_url: str, tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    # Keys are shared by every test of the run (the template's agencies were signed with them).
    (data / "keys").symlink_to(session_dir / "data" / "keys", target_is_directory=True)
    return Settings(data_dir=data, database_url=database_url, run_integrator=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TEST_EPOCH)


@pytest.fixture
def runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    runtime = Runtime.build(settings, clock=clock)
    yield runtime
    runtime.database.dispose()


def _forget_fastapi_call_caches() -> None:
    """Empty FastAPI's caches of what kind of callable each endpoint and dependency is.

    They are module-level ``lru_cache``s of 4,096 entries keyed by the callable, and our routes' callables are
    closures over their app: one server process builds one app, but a test run builds one per test, and the caches
    kept ~300 of them alive in each worker (8.5 million objects, 1.8 GB), so that the final garbage collection pytest
    runs at the end took 5.5 s, past the 5 s pytest-xdist's worker is given to end, which then interrupted it.
    """
    from fastapi.dependencies import models

    for value in vars(models).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


@pytest.fixture
def app(runtime: Runtime) -> Iterator[FastAPI]:
    from service.main import create_app

    yield create_app(runtime)
    _forget_fastapi_call_caches()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def integrate(runtime: Runtime) -> Callable[..., object]:
    """Run the integrator once, as the server's background thread would."""
    runner = IntegratorRunner(runtime.database, runtime.signers, runtime.checkpoints, runtime.clock)
    return runner.run_once


@pytest.fixture
def token(runtime: Runtime) -> Callable[[str], str]:
    """A bearer token for a seeded user (issued directly: the password flow has its own tests)."""
    from service.auth.models import User

    def issue(username: str) -> str:
        with runtime.database.transaction(write=False) as session:
            found = session.execute(
                sa.select(User.id, User.token_version).where(User.username == username)
            ).one_or_none()
        assert found is not None, username
        return runtime.tokens.issue(found.id, found.token_version, runtime.clock.now()).token

    return issue


@pytest.fixture
def auth(token: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    return lambda username: {"Authorization": f"Bearer {token(username)}"}


@pytest.fixture
def lifetime(runtime: Runtime) -> timedelta:
    return runtime.tokens.lifetime


@pytest.fixture
def cli(settings: Settings) -> Callable[..., Any]:
    """Run the caseledger command against the test's database and data directory."""
    env = {
        "CASELEDGER_DATA_DIR": str(settings.data_dir),
        "CASELEDGER_DATABASE_URL": settings.resolved_database_url,
    }

    def run(*args: str, input: str | None = None) -> Any:
        return CliRunner().invoke(cli_app, list(args), env=env, input=input, catch_exceptions=False)

    return run


def thread_pool_calls(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[str]:
    """The names of the functions ``module``'s routes send to the thread pool (its ``run_in_threadpool``) from now
    on: empty when a route answered on the event loop (service/loop_reads.py)."""
    sent: list[str] = []
    real = module.run_in_threadpool

    async def counted(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(func.__name__)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(module, "run_in_threadpool", counted)
    return sent
