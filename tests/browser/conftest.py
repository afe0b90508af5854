"""The browser suite: Debian's headless Chromium, driven by Playwright, against a live server on a free port.

The server is the real application (``create_app``) on the real clock, run by uvicorn in a thread, on a SQLite
database migrated and seeded with the demo agency for this run. Chromium is Debian's (``apt-get install -y
chromium``); Playwright's own browser download is not used. Without Chromium the suite skips with the reason —
except under ``CI=true``, where it fails: CI must run it (``make test-browser``, called by ``.ci/run``).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.auth.tokens import generate_key_file
from service.clock import SystemClock
from service.config import Settings
from service.db import Database
from service.demo import DEMO_USERS, seed_agency
from service.ledger.integrator import CheckpointPolicy, SignerCache
from service.ledger.runner import IntegratorRunner
from service.migrations import upgrade_to_head
from service.officers.policy import load_officer_policy
from service.runtime import TOKEN_KEY_FILE, Runtime
from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("CASELEDGER_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set CASELEDGER_CHROMIUM)"
    if os.environ.get("CI") == "true":
        pytest.fail("the browser suite is mandatory under CI=true; " + message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MovableClock:
    """The real time, moved on by the tests that need days to pass (a party's time to ask for a hearing)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return SystemClock().now() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class LiveServer:
    url: str
    runtime: Runtime
    password: str
    clock: MovableClock


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _chromium_or_skip()
    data = tmp_path_factory.mktemp("browser") / "data"
    (data / "keys").mkdir(parents=True)
    generate_key_file(data / "keys" / TOKEN_KEY_FILE)
    url = f"sqlite:///{data / 'caseledger.sqlite3'}"
    upgrade_to_head(url)
    settings = Settings(data_dir=data, database_url=url, checkpoint_every_seconds=0.5)
    database = Database(url)
    clock = SystemClock()
    with database.transaction() as session:
        seed_agency(
            session,
            code="tiemen",
            name="铁门乡人民政府",
            users=DEMO_USERS,
            password=PASSWORD,
            keys_dir=settings.keys_dir,
            policies_dir=settings.policies_dir,
            officer_policy=load_officer_policy(settings.policies_dir / "officers.yaml"),
            origin_base=settings.log_origin_base,
            actor="system:test",
            at=clock.now(),
        )
    IntegratorRunner(
        database,
        SignerCache(settings.keys_dir),
        CheckpointPolicy(settings.checkpoint_every_entries, settings.checkpoint_every_seconds),
        clock,
    ).run_once(force_checkpoint=True)
    database.dispose()
    moving = MovableClock()
    runtime = Runtime.build(settings, clock=moving)
    from service.main import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", runtime, PASSWORD, moving)
    server.should_exit = True
    thread.join(timeout=10)
    runtime.database.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


def new_context(browser: Any, viewport: dict[str, int]) -> Any:
    """A browser context as a township user has it: Chinese, the given screen, patient on a loaded machine."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(60_000)
    return context


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
