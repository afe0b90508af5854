"""The browser suite: Debian's headless Chromium, driven by Playwright, against a live server on a free port.

The server is the real application (``create_app``) on the real clock, run by uvicorn in a thread, on a SQLite
database migrated and seeded with the demo agency for this run. Chromium is Debian's (``apt-get install -y
chromium``); Playwright's own browser download is not used. Without Chromium the suite skips with the reason —
except under ``CI=true``, where it fails: CI must run it (``make test-browser``, called by ``.ci/run``).

The agency's checkpoint key is chosen so that its verifier key's base64 contains a '+' (about half of all keys
do): the supervisor's in-browser verification once split the key on every '+' and never started for those, so
every run now exercises that case. Every page a test opens reports its console errors and uncaught exceptions
here, and a test that leaves any fails (``page_errors``), however well its own assertions went.
"""

from __future__ import annotations

import os
import re
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
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.agencies.service import log_origin
from service.auth.tokens import generate_key_file
from service.clock import SystemClock
from service.config import Settings
from service.db import Database
from service.demo import DEMO_USERS, seed_agency
from service.keyfiles import write_private_file
from service.ledger.integrator import CheckpointPolicy, SignerCache
from service.ledger.keys import agency_key_path
from service.ledger.note import NoteSigner
from service.ledger.runner import IntegratorRunner
from service.migrations import upgrade_to_head
from service.officers.policy import load_officer_policy
from service.runtime import TOKEN_KEY_FILE, Runtime
from tests.conftest import PASSWORD

CHROMIUM = Path(os.environ.get("CASELEDGER_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+).*")

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set CASELEDGER_CHROMIUM)"
    if os.environ.get("CI") == "true":
        pytest.fail("the browser suite is mandatory under CI=true; " + message)
    pytest.skip(message)


def _key_with_plus_in_its_vkey(keys_dir: Path, agency: str, origin_base: str) -> str:
    """Write the agency's checkpoint key before the agency is made (``ensure_agency_key`` then keeps it), drawn
    until its verifier key ``<name>+<id>+<base64>`` has a '+' inside the base64; the verifier key returned."""
    while True:
        key = Ed25519PrivateKey.generate()
        vkey = NoteSigner(log_origin(origin_base, agency), key).vkey()
        if "+" in vkey.split("+", 2)[2]:
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            write_private_file(agency_key_path(keys_dir, agency), pem)
            return vkey


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
    _key_with_plus_in_its_vkey(settings.keys_dir, "tiemen", settings.log_origin_base)
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


class BrowserErrors:
    """What the pages of the running test said went wrong: console errors and uncaught exceptions, one line each.

    A page the server answers with a refusal (a 409 the test provokes on purpose) is logged by Chromium as a
    resource that failed to load; a test names those it expects with :meth:`expect_refusal`, and only those pass.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._expected: list[tuple[re.Pattern[str], int]] = []

    def watch(self, page: Any) -> None:
        def console(message: Any) -> None:
            if message.type != "error":
                return
            url = str(message.location.get("url", ""))
            failed = FAILED_LOAD.fullmatch(message.text)
            if failed and any(p.search(url) and int(failed.group(1)) == s for p, s in self._expected):
                return
            self.lines.append(f"console error on {page.url}: {message.text} ({url})")

        page.on("console", console)
        page.on("pageerror", lambda error: self.lines.append(f"uncaught on {page.url}: {error}"))

    def expect_refusal(self, url_pattern: str, status: int) -> None:
        self._expected.append((re.compile(url_pattern), status))

    def reset(self) -> None:
        self.lines.clear()
        self._expected.clear()


_ERRORS = BrowserErrors()


def new_context(browser: Any, viewport: dict[str, int]) -> Any:
    """A browser context as a township user has it: Chinese, the given screen, patient on a loaded machine.
    Each of its pages reports console errors and uncaught exceptions to ``page_errors``."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(60_000)
    context.on("page", _ERRORS.watch)
    return context


@pytest.fixture(autouse=True)
def page_errors() -> Iterator[BrowserErrors]:
    """Fails the test if any page it opened logged a console error or threw: a script that breaks is a failure
    even when the page still looks right (the flaky verification was a silent exception)."""
    _ERRORS.reset()
    yield _ERRORS
    found = list(_ERRORS.lines)
    _ERRORS.reset()
    assert not found, "the browser reported errors:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
