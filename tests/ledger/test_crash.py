"""A real server killed with SIGKILL while writes are in flight loses no acknowledged write and still verifies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from service.auth.models import User
from service.clock import SystemClock
from service.config import Settings
from service.runtime import Runtime

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "CASELEDGER_DATA_DIR": str(settings.data_dir),
            "CASELEDGER_DATABASE_URL": settings.resolved_database_url,
            "CASELEDGER_INTEGRATOR_INTERVAL_SECONDS": "0.05",
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    server = Server(settings)
    yield server
    server.stop()


@pytest.fixture
def real_time_token(runtime: Runtime) -> Callable[[str], str]:
    """Tokens on the real clock: the server under test runs on it, unlike the in-process app."""

    def issue(username: str) -> str:
        with runtime.database.transaction(write=False) as session:
            found = session.execute(
                sa.select(User.id, User.token_version).where(User.username == username)
            ).one_or_none()
        assert found is not None
        return runtime.tokens.issue(found.id, found.token_version, SystemClock().now()).token

    return issue


def test_sigkill_mid_write_keeps_every_acknowledged_write_and_the_ledger_verifies(
    server: Server, settings: Settings, real_time_token: Callable[[str], str], cli: Callable[..., Any]
) -> None:
    token = real_time_token
    server.start()
    headers = {"Authorization": f"Bearer {token('admin')}"}
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(number: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=5) as http:
            n = 0
            while not stop.is_set():
                username = f"crash-{number}-{n}"
                n += 1
                try:
                    response = http.post(
                        "/api/v1/users", json={"username": username, "roles": ["officer"], "password": "p" * 16}
                    )
                except httpx.TransportError:
                    return  # the server died mid-request: this write was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(username)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2.5)
    server.kill()  # SIGKILL while requests are in flight
    stop.set()
    for thread in threads:
        thread.join()
    assert acknowledged, "some writes were acknowledged before the kill"

    server.start()  # the restarted server's integrator sequences what was committed but not yet in the log
    response = httpx.post(
        f"{server.url}/api/v1/agencies/tiemen/ledger/checkpoint",
        headers={"Authorization": f"Bearer {token('supervisor')}"},
    )
    assert response.status_code == 200
    server.stop()

    result = cli("verify")
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(settings.resolved_database_url)
    with engine.connect() as conn:
        present = set(conn.scalars(sa.select(User.username).where(User.username.like("crash-%"))))
    engine.dispose()
    assert set(acknowledged) <= present
